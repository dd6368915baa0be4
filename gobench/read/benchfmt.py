"""The Go benchmark format, read line by line exactly as benchfmt.Reader does.

Line classes, in benchfmt's order:

1. **result** – the line starts with ``Benchmark``; fields split on Unicode
   white space: ``name iters value unit [value unit ...]``.  No capital-letter
   check; a line that is only the name (``go test -v``) is skipped silently;
   anything else malformed becomes a :class:`~gobench.errors.BenchSyntaxError`
   record (``missing iteration count``, ``parsing iteration count: invalid syntax``,
   ``missing measurements``, ``parsing measurement: invalid syntax``,
   ``missing units``) and the line is dropped.
2. **unit metadata** – first field exactly ``Unit``: ``Unit <unit> key=value ...``,
   keyed by the *tidied* unit; a different value for a key already set is a
   :class:`~gobench.errors.UnitMetadataError` record and the first value wins.
3. **configuration** – ``key: value``: the key starts with a lower-case letter and
   has no space or upper-case letter, the first ``:`` ends it, then at least one
   space or tab; an empty value deletes the key.  In force until changed; every
   file starts with an empty configuration.
4. everything else is ignored.

Values are tidied at parse time (see :mod:`gobench.units`).  Like benchfmt, a
value whose tidied number equals the original (``0 ns/op``) keeps its original
unit.

Numbers: an iteration count must fit Go's ``int`` (int64) and a measurement a
float64, or the line is a :class:`~gobench.errors.BenchSyntaxError` record
(``parsing iteration count: value out of range``, ``parsing measurement: value out
of range``) and reading goes on, as benchfmt's ``parseBenchmarkLine`` does
(x/perf benchfmt/reader.go); nothing wraps, and no length of digits raises.

Line ends and byte-order mark (a deliberate difference from benchfmt): ``\n``,
``\r\n`` and a lone ``\r`` all end a line (universal newlines), so files with
classic-Mac CR-only line ends read like their LF twins, line numbers included.
benchfmt splits on ``\n`` only (Go's ``bufio.ScanLines``, which drops one ``\r``
before it): a CR-only file is one long line to it and benchstat finds nothing in
it, silently (or fails with ``token too long`` past 64 KiB).  A UTF-8 byte-order
mark at the start of a text is dropped (benchfmt would not see the first line).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import BenchSyntaxError, UnitMetadataError
from ..units import tidy_unit
from .fastscan import scan
from .jsonstream import looks_like_test2json, test2json_lines
from .sources import Input

__all__ = ["UnitMetadata", "Results", "parse_inputs"]

#: Files at least this big go through the vectorised scanner (:mod:`.fastscan`).
FAST_SCAN_MIN_BYTES = 65536

_GO_SPACE_EXTRA = re.compile("[\x1c-\x1f]")
_INF, _NEG_INF = math.inf, -math.inf
_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
# (unambiguous: "digits, then a point and digits" never splits one run of digits two
# ways, so a long token that fails to match costs linear, not quadratic, time)
_DEC_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_HEX_RE = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+\Z")


def _fields(line: str) -> list[str]:
    """``strings.Fields`` with Go's notion of white space."""
    if _GO_SPACE_EXTRA.search(line) is None:
        return line.split()
    # \x1c-\x1f are white space to Python but not to Go: protect them.
    out = []
    for tok in re.split(r"[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+", line):
        if tok:
            out.append(tok)
    return out


def _go_atoi(s: str) -> int | str:
    """Go strconv.Atoi for int64: the int, or the NumError reason.

    Any number of leading zeros is fine (as in Go); more than 19 significant digits is
    ``value out of range`` without converting them (Python's ``int()`` refuses strings
    of over 4,300 digits).
    """
    if _INT_RE.match(s) is None:
        return "invalid syntax"
    digits = s.lstrip("+-").lstrip("0")
    if len(digits) > 19:
        return "value out of range"
    v = int(digits or "0")
    if s[0] == "-":
        v = -v
    if not (-(1 << 63) <= v < (1 << 63)):
        return "value out of range"
    return v


def _underscore_ok(s: str) -> bool:
    """Go strconv's ``underscoreOK``: each ``_`` sits between digits (or after a base prefix)."""
    saw = "^"
    if s[:1] in ("+", "-"):
        s = s[1:]
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for c in s[i:]:
        if "0" <= c <= "9" or hexa and "a" <= c.lower() <= "f":
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _go_atof(s: str) -> float | str:
    """Go strconv.ParseFloat(s, 64): the value, or the NumError reason.

    ``inf``/``infinity`` (any case, optional sign) and unsigned ``nan``; decimal
    and hexadecimal (``p`` exponent required) forms with ``_`` between digits;
    an overflow to ±Inf is ``value out of range``, an underflow is not.
    """
    low = s.lower()
    body = low[1:] if low[:1] in ("+", "-") else low
    if body in ("inf", "infinity"):
        return -math.inf if low[0] == "-" else math.inf
    if low == "nan":
        return math.nan
    if "_" in s:
        if not _underscore_ok(s):
            return "invalid syntax"
        s = s.replace("_", "")
    if _DEC_RE.match(s):
        v = float(s)
        return "value out of range" if math.isinf(v) else v
    if _HEX_RE.match(s):
        try:
            return float.fromhex(s)
        except OverflowError:
            return "value out of range"
    return "invalid syntax"


@dataclass(frozen=True)
class UnitMetadata:
    """One ``Unit`` metadata declaration.

    Attributes
    ----------
    unit : str
        The tidied unit it applies to (``Unit ns/op ...`` applies to ``sec/op``).
    key, value : str
        e.g. ``assume``/``exact`` or ``better``/``higher``.
    orig_unit : str
        The unit as written.
    file : str
        Label of the file that declared it.
    line : int
        Its line number.
    """

    unit: str
    key: str
    value: str
    orig_unit: str
    file: str
    line: int


@dataclass
class Results:
    """Columnar benchmark results: what the readers produce and benchstat consumes.

    One entry per result line in the ``res_*`` arrays and one per value/unit pair
    in the ``m_*`` arrays (``m_res`` indexes the result).  ``names[res_name_id[i]]``
    is the name of result *i* (``names`` in order of first appearance);
    ``configs[res_config[i]]`` its ordered ``((key, value), ...)`` file
    configuration; ``labels[res_file[i]]`` its ``.file`` label and ``paths[...]``
    its path.
    """

    paths: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    res_file: np.ndarray = None
    res_line: np.ndarray = None
    res_name_id: np.ndarray = None
    names: list[str] = field(default_factory=list)
    res_iters: np.ndarray = None
    res_config: np.ndarray = None
    configs: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    res_nvals: np.ndarray = None      # number of value/unit pairs of each result
    m_value: np.ndarray = None
    m_raw: np.ndarray = None           # the values as written
    m_ucode: np.ndarray = None         # int code of (unit, orig_unit): see ucode_unit/ucode_orig
    ucode_unit: list = field(default_factory=list)
    ucode_orig: list = field(default_factory=list)
    errors: list[BenchSyntaxError] = field(default_factory=list)
    units: dict[tuple[str, str], UnitMetadata] = field(default_factory=dict)

    def __len__(self) -> int:
        return 0 if self.res_name_id is None else len(self.res_name_id)

    @property
    def m_res(self) -> np.ndarray:
        """Result index of each measurement (``res_nvals`` expanded; computed on demand:
        ``np.repeat(x, res_nvals)`` spreads a per-result column without it)."""
        if self.res_nvals is None:
            return np.zeros(0, dtype=np.int64)
        return np.repeat(np.arange(len(self.res_nvals), dtype=np.int64), self.res_nvals)

    @property
    def res_name(self) -> list[str]:
        """Name of each result (``Benchmark`` stripped)."""
        names = self.names
        return [names[i] for i in self.res_name_id.tolist()] if len(self) else []

    @property
    def m_unit(self) -> np.ndarray:
        """Unit of each measurement (tidied, or as written when tidying changed nothing)."""
        return np.array(self.ucode_unit + [""], dtype=object)[self.m_ucode]

    @property
    def m_orig_unit(self) -> np.ndarray:
        """Original unit of each tidied measurement, ``""`` where unchanged."""
        return np.array(self.ucode_orig + [""], dtype=object)[self.m_ucode]

    @property
    def m_orig_value(self) -> np.ndarray:
        """Original value of each tidied measurement, NaN where unchanged."""
        nu = len(self.ucode_unit) // 2
        return np.where(self.m_ucode >= nu, self.m_raw, np.nan)

    def assumption(self, unit: str) -> str:
        """``"exact"`` if the unit's metadata says ``assume=exact``, else ``"nothing"``."""
        md = self.units.get((unit, "assume"))
        return "exact" if md is not None and md.value == "exact" else "nothing"

    def better(self, unit: str) -> str | None:
        """``"higher"``/``"lower"`` from ``better=`` metadata, or None when not declared."""
        md = self.units.get((unit, "better"))
        return md.value if md is not None else None


_RES_COLUMNS = ("file", "line", "name", "iters", "config", "shape")


class _Builder:
    """Collects results in order: Python lists from the line parser, arrays from the
    vectorised scanner (``_flush`` turns the lists into an array chunk before each
    array chunk, so the order of results is kept)."""

    def __init__(self):
        self.r = Results()
        self.cfg_index: dict[tuple, int] = {}
        self.name_index: dict[str, int] = {}   # name -> id, in order of first appearance
        self.lists = {c: [] for c in _RES_COLUMNS}
        self.chunks = {c: [] for c in _RES_COLUMNS}
        self.vals: list[float] = []        # raw values of the line-by-line path
        self.val_chunks: list = []         # arrays of raw values, in order
        self.shapes: dict[tuple, int] = {}
        self.shape_list: list[tuple] = []

    def config_id(self, cfg: dict) -> int:
        key = tuple(cfg.items())
        cid = self.cfg_index.get(key)
        if cid is None:
            cid = len(self.r.configs)
            self.cfg_index[key] = cid
            self.r.configs.append(key)
        return cid

    def shape_id(self, units: tuple) -> int:
        sid = self.shapes.get(units)
        if sid is None:
            sid = len(self.shape_list)
            self.shapes[units] = sid
            self.shape_list.append(units)
        return sid

    def _add(self, file_idx, lineno, name, iters, cid, sid, vals):
        """One result of the line parser."""
        ls = self.lists
        ls["file"].append(file_idx)
        ls["line"].append(lineno)
        ls["name"].append(self.name_index.setdefault(name, len(self.name_index)))
        ls["iters"].append(iters)
        ls["config"].append(cid)
        ls["shape"].append(sid)
        self.vals.extend(vals)

    def _flush(self):
        """Move the line parser's pending results into the array chunks."""
        if self.lists["file"]:
            for c in _RES_COLUMNS:
                self.chunks[c].append(np.array(self.lists[c], dtype=np.int64))
                self.lists[c] = []
        if self.vals:
            self.val_chunks.append(np.array(self.vals, dtype=np.float64))
            self.vals = []

    def parse_text(self, lines, file_idx: int, label: str):
        """Parse (line, lineno) pairs of one file; *label* names the file in errors (its path)."""
        cfg: dict[str, str] = {}
        cid = self.config_id(cfg)
        add, shape_id = self._add, self.shape_id
        for line, lineno in lines:
            if line.endswith("\r"):
                line = line[:-1]
            if line.startswith("Benchmark"):
                rest = line[9:]
                f = rest.split()
                nf = len(f)
                if (nf >= 4 and nf % 2 == 0 and "_" not in rest and rest.isascii()
                        and rest.startswith(f[0]) and _GO_SPACE_EXTRA.search(rest) is None):
                    it = f[1]
                    if it.isdigit() and it.isascii() and len(it) < 19:
                        vs = f[2::2]
                        try:
                            fv = [float(v) for v in vs]
                            ok = True
                        except ValueError:
                            ok = False
                        # a digit or '.' last rules out Inf/NaN words; an infinite result is
                        # then an overflow, which ParseFloat reports (the slow path does)
                        if ok and all((v[-1].isdigit() or v[-1] == ".") for v in vs) \
                                and _INF not in fv and _NEG_INF not in fv:
                            add(file_idx, lineno, f[0], int(it), cid, shape_id(tuple(f[3::2])), fv)
                            continue
                self._slow_result(line, lineno, file_idx, label, cid)
                continue
            if self._other_line(line, lineno, label, cfg):
                cid = self.config_id(cfg)

    def _other_line(self, line: str, lineno: int, label: str, cfg: dict) -> bool:
        """Handle a non-result line: ``Unit`` metadata or configuration.

        Returns True when the configuration *cfg* changed.
        """
        if line[:1] == "U":
            f = line.split(None, 1)
            if f and f[0] == "Unit":
                self._unit_line(line[4:], lineno, label)
                return False
        kv = _config_line(line)
        if kv is None:
            return False
        k, v = kv
        if v == "":
            if k not in cfg:
                return False
            del cfg[k]
            return True
        if cfg.get(k) == v:
            return False
        cfg[k] = v
        return True

    def parse_file(self, inp: Input, file_idx: int, label: str):
        """Parse one file: vectorised for simple result lines, exact line parser otherwise."""
        data = inp.utf8()
        sr = _scan_data(data)
        if sr is None or sr.res_line is None:
            lines = inp.text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            self.parse_text(zip(lines, range(1, len(lines) + 1)), file_idx, label)
            return
        # the fast path only runs on ASCII data
        line_start, line_end = sr.line_bounds
        r = self.r
        nerr0 = len(r.errors)
        # non-result lines: configuration and unit metadata, in order
        is_res = np.zeros(len(line_start) + 1, dtype=bool)
        is_res[sr.res_line] = True
        is_res[sr.slow_lines] = True
        other = np.flatnonzero(~is_res[1:])
        # only lines starting with a lower-case letter (configuration) or "U" (Unit) matter
        first = np.frombuffer(data, dtype=np.uint8)[np.minimum(line_start[other], len(data) - 1)]
        empty = line_start[other] >= line_end[other]
        other = other[~empty & (((first >= 97) & (first <= 122)) | (first == 85))] + 1
        cfg: dict[str, str] = {}
        change_at = [0]
        change_cid = [self.config_id(cfg)]
        for lineno in other.tolist():
            line = data[int(line_start[lineno - 1]):int(line_end[lineno - 1])].decode("ascii")
            if line.endswith("\r"):
                line = line[:-1]
            if self._other_line(line, lineno, label, cfg):
                change_at.append(lineno)
                change_cid.append(self.config_id(cfg))
        for lineno in sr.slow_lines.tolist():
            line = data[int(line_start[lineno - 1]):int(line_end[lineno - 1])].decode("ascii")
            if line.endswith("\r"):
                line = line[:-1]
            before = len(self.lists["file"])
            self._slow_result(line, lineno, file_idx, label, -1)
            assert len(self.lists["file"]) == before, "fast scan let a result line through"
        if len(r.errors) > nerr0:
            r.errors[nerr0:] = sorted(r.errors[nerr0:], key=lambda e: e.line)
        # results
        k = len(sr.res_line)
        cids = np.asarray(change_cid, dtype=np.int64)[
            np.searchsorted(np.asarray(change_at), sr.res_line, side="right") - 1]
        sid_of = np.array([self.shape_id(units) for units in sr.shapes], dtype=np.int64)
        nid_of = np.array([self.name_index.setdefault(nm, len(self.name_index))
                           for nm in sr.names], dtype=np.int64)
        self._flush()
        ch = self.chunks
        ch["file"].append(np.full(k, file_idx, dtype=np.int64))
        ch["line"].append(sr.res_line.astype(np.int64))
        ch["name"].extend(nid_of[x] for x in sr.name_id)       # the scan's arrays come in parts
        ch["iters"].extend(sr.iters)
        ch["config"].append(cids)
        ch["shape"].extend(sid_of[x] for x in sr.shape_of_line)
        self.val_chunks.extend(sr.values)

    def _slow_result(self, line, lineno, file_idx, label, cid):
        r = self.r
        rest = line[9:]
        f = _fields(rest)
        if len(f) == 1 and f[0] == rest or not f and rest == "":
            return  # bare name line (go test -v): skipped
        if not f or not rest.startswith(f[0]):
            f.insert(0, "")  # Go's name field ends at the first white space
        if len(f) < 2:
            r.errors.append(BenchSyntaxError(label, lineno, "missing iteration count"))
            return
        it = _go_atoi(f[1])
        if isinstance(it, str):
            r.errors.append(BenchSyntaxError(label, lineno, "parsing iteration count: " + it))
            return
        if len(f) < 3:
            r.errors.append(BenchSyntaxError(label, lineno, "missing measurements"))
            return
        vals = []
        units = []
        i = 2
        while i < len(f):
            v = _go_atof(f[i])
            if isinstance(v, str):
                r.errors.append(BenchSyntaxError(label, lineno, "parsing measurement: " + v))
                return
            if i + 1 >= len(f):
                r.errors.append(BenchSyntaxError(label, lineno, "missing units"))
                return
            vals.append(v)
            units.append(f[i + 1])
            i += 2
        self._add(file_idx, lineno, f[0], it, cid, self.shape_id(tuple(units)), vals)

    def _unit_line(self, rest, lineno, label):
        r = self.r
        f = _fields(rest)
        if not f:
            r.errors.append(UnitMetadataError(label, lineno, "missing unit"))
            return
        unit = f[0]
        tidied, _ = tidy_unit(unit)
        for kv in f[1:]:
            eq = kv.find("=")
            if eq <= 0:
                r.errors.append(UnitMetadataError(label, lineno, "expected key=value"))
                continue
            key, value = kv[:eq], kv[eq + 1:]
            have = r.units.get((tidied, key))
            if have is not None:
                if have.value != value:
                    r.errors.append(UnitMetadataError(
                        label, lineno, f"metadata {key} of unit {unit} already set to {have.value}"))
                continue
            r.units[(tidied, key)] = UnitMetadata(tidied, key, value, unit, label, lineno)

    def finish(self) -> Results:
        r = self.r
        self._flush()
        cols = {c: (np.concatenate(self.chunks[c]) if self.chunks[c]
                    else np.zeros(0, dtype=np.int64)) for c in _RES_COLUMNS}
        r.res_file, r.res_line, r.res_iters = cols["file"], cols["line"], cols["iters"]
        r.res_name_id, r.res_config = cols["name"], cols["config"]
        r.names = list(self.name_index)
        seq = cols["shape"]
        nres = len(seq)
        shape_len = np.array([len(s) for s in self.shape_list] or [0], dtype=np.int64)
        counts = shape_len[seq]
        r.res_nvals = counts
        raw = np.concatenate(self.val_chunks) if self.val_chunks else np.zeros(0)
        # unit ids per measurement: flatten shapes
        all_units: dict[str, int] = {}
        shape_ids = []
        for s in self.shape_list:
            shape_ids.append([all_units.setdefault(u, len(all_units)) for u in s])
        ulist = list(all_units)
        nu = len(ulist)
        factors = [tidy_unit(u)[1] for u in ulist]
        # unit codes: c < nu is the original unit ulist[c] (value unchanged by tidying),
        # c >= nu is the tidied form of ulist[c - nu]
        r.ucode_unit = ulist + [tidy_unit(u)[0] for u in ulist]
        r.ucode_orig = [""] * nu + ulist
        r.m_value, r.m_ucode = _tidy_values(raw, seq, counts, shape_ids, factors)
        r.m_raw = raw
        return r


#: above this many (shape, position) pairs :func:`_tidy_values` works on all values at once
PER_SHAPE_MAX = 256


def _tidy_values(raw: np.ndarray, seq: np.ndarray, counts: np.ndarray,
                 shape_ids: list[list[int]], factors: list[float]):
    """Tidied values and unit codes of the measurements (see :meth:`_Builder.finish`).

    Measurement *j* of result *i* holds ``raw[off_i + j]`` in unit
    ``shape_ids[seq[i]][j]``; a value is tidied (``value * factor``, benchunit's
    ``ns/op`` → ``sec/op``...) and coded ``unit + nu`` exactly where that changes it
    (``value * factor != value``, so also for NaN), else kept and coded ``unit``.
    With few distinct shapes this runs per (shape, position): no temporaries as long
    as all the measurements.
    """
    nu = len(factors)
    m = len(raw)
    if m == 0:
        return raw, np.zeros(0, dtype=np.int32)
    off = np.cumsum(counts) - counts                 # first measurement of each result
    if sum(map(len, shape_ids)) > PER_SHAPE_MAX:     # many shapes: all at once
        offsets = np.zeros(len(shape_ids) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(x) for x in shape_ids])
        flat = np.array([u for x in shape_ids for u in x], dtype=np.int64)
        uid = flat[np.repeat(offsets[seq] - off, counts) + np.arange(m)]
        tidy = raw * np.asarray(factors)[uid]
        changed = tidy != raw
        return np.where(changed, tidy, raw), (uid + nu * changed).astype(np.int32)
    value = raw.copy()
    ucode = np.empty(m, dtype=np.int32)
    has_nan = bool(np.isnan(raw).any())
    order = np.argsort(seq.astype(np.uint16), kind="stable")    # (a radix sort)
    bounds = np.cumsum(np.bincount(seq, minlength=len(shape_ids)))
    for sid, units in enumerate(shape_ids):
        lines = order[(bounds[sid - 1] if sid else 0):bounds[sid]]
        if len(lines) == 0:
            continue
        first = off[lines]
        for j, u in enumerate(units):
            idx = first + j
            f = factors[u]
            if f == 1.0 and not has_nan:
                ucode[idx] = u
                continue
            v = raw[idx]
            t = v * f
            changed = t != v
            value[idx] = np.where(changed, t, v)
            ucode[idx] = u + nu * changed
    return value, ucode


def _config_line(line: str):
    if not line:
        return None
    c0 = line[0]
    if not c0.islower():
        return None
    colon = line.find(":")
    if colon <= 0:
        return None
    key = line[:colon]
    for ch in key:
        if ch.isspace() or ch.isupper():
            return None
    val = line[colon + 1:]
    if val == "":
        return key, ""
    if val[0] != " " and val[0] != "\t":
        return None
    return key, val.lstrip(" \t")


def parse_inputs(inputs: list[Input], *, decode_json: bool = True) -> Results:
    """Parse several inputs the way ``benchfmt.Files`` does.

    Parameters
    ----------
    inputs : list of Input
        Decoded texts with their path and label.
    decode_json : bool, default True
        Recognise ``go test -json`` streams and read the benchmark text they carry.
        benchstat itself does not (it silently finds nothing in such a file).

    Returns
    -------
    Results
    """
    b = _Builder()
    inputs = [_plain_line_ends(inp) for inp in inputs]
    is_json = [decode_json and looks_like_test2json(inp.text) for inp in inputs]
    for i, inp in enumerate(inputs):
        b.r.paths.append(inp.path)
        b.r.labels.append(inp.label)
        if is_json[i]:
            lines, bad = test2json_lines(inp.text)
            lines = _split_lone_cr(lines)
            for lineno, msg in bad:
                b.r.errors.append(BenchSyntaxError(inp.path, lineno, msg))
            b.parse_text(lines, i, inp.path)
            continue
        b.parse_file(inp, i, inp.path)
    return b.finish()


_BOM = b"\xef\xbb\xbf"
_LONE_CR = re.compile(rb"\r(?!\n)")


def _plain_line_ends(inp: Input) -> Input:
    """*inp* itself, or a copy without a leading UTF-8 BOM and with every lone ``\r``
    made a ``\n`` (see the module docstring).  Files without ``\r`` cost one byte
    search (no Python work per line)."""
    data = inp.utf8()
    bom = data[:3] == _BOM
    lone = data.find(b"\r") >= 0 and _LONE_CR.search(data) is not None
    if not (bom or lone):
        return inp
    data = data[3:] if bom else bytes(data)
    if lone:
        data = _LONE_CR.sub(b"\n", data)
    return Input(inp.path, inp.label, data=data)


def _split_lone_cr(lines):
    """Lines of a test2json stream with a lone ``\r`` in them split there (each piece
    keeps the line number of its event); a final ``\r`` is left to the parser."""
    out = []
    for line, lineno in lines:
        if "\r" in line[:-1]:
            body = line[:-1] if line.endswith("\r") else line
            out.extend((piece, lineno) for piece in body.split("\r"))
        else:
            out.append((line, lineno))
    return out


def _scan_data(data: bytes):
    """:func:`~.fastscan.scan` of one file's bytes (None below the size threshold)."""
    return (scan(data, atof=_go_atof, atoi=_go_atoi)
            if len(data) >= FAST_SCAN_MIN_BYTES else None)



