"""The reference reader of the Go benchmark format: benchfmt's reader, line by line.

A plain port of the rules of golang.org/x/perf's ``benchfmt.Reader``
(``benchfmt/reader.go``), written for clarity, one line and one field at a time.
``GOPHERLAB_ENGINE=reference`` reads every input with it
(:func:`read_files`).  The default (fast) engine of :mod:`gobench.read.benchfmt`
uses this module's :class:`Reader` too, for every line its vectorised scanner
does not take (configuration and ``Unit`` lines, malformed result lines,
result lines with a non-ASCII or control byte), and its number parsers (:func:`parse_int`, :func:`parse_float`) for the tokens the scanner's
vectorised number readers leave.

Line classes, in benchfmt's order (``Reader.Scan``):

1. **result**: the line starts with ``Benchmark``; then fields split on Unicode
   white space (:func:`split_field`): ``name iters value unit [value unit ...]``.
   A line that is only the name (``go test -v``) is skipped silently; otherwise
   a malformed line becomes a :class:`~gobench.errors.BenchSyntaxError` record
   and is dropped: ``missing iteration count``, ``parsing iteration count:
   <reason>``, ``missing measurements``, ``parsing measurement: <reason>``,
   ``missing units``, where *reason* is Go's ``strconv`` error (``invalid
   syntax``, ``value out of range``).  Values are tidied (benchunit's ``Tidy``,
   :func:`gobench.units.tidy`); a value tidying leaves equal keeps its unit.
2. **unit metadata**: first field exactly ``Unit``: ``Unit <unit> key=value
   ...``, keyed by the tidied unit, across files; a different value for a key
   already set is a :class:`~gobench.errors.UnitMetadataError` record and the
   first value wins; ``missing unit`` and ``expected key=value`` likewise.
3. **configuration**: ``key: value`` (``parseKeyValueLine``): the key starts
   with a lower-case letter (Unicode category Ll, Go's ``unicode.IsLower``) and
   has no white space or upper-case letter (Lu), the first ``:`` ends it, then
   at least one space or tab; an empty value deletes the key, and the last key
   takes its place (``Result.deleteConfig``: benchstat prints the keys in that
   order).  In force until changed; every file starts with an empty
   configuration.
4. everything else is ignored.

Lines end at ``\\n``, and one ``\\r`` before it is dropped (Go's
``bufio.ScanLines``); :mod:`gobench.read.benchfmt` also makes a lone ``\\r`` a
line end before either engine reads.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..errors import BenchSyntaxError, UnitMetadataError
from ..units import tidy, tidy_unit
from .results import Results, UnitMetadata

__all__ = ["Value", "Result", "Reader", "FileLines", "read_files", "read_file_into", "split_field",
           "parse_int", "parse_float", "parse_key_value_line"]

# Go's unicode.IsSpace: Python's str.isspace() but for \x1c-\x1f
_GO_SPACES = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_FIELD = re.compile(f"([^{_GO_SPACES}]*)[{_GO_SPACES}]*")
_GO_SPACE = re.compile(f"[{_GO_SPACES}]")


def split_field(s: str, pos: int = 0) -> tuple[str, int]:
    """benchfmt's ``splitField`` on ``s[pos:]``: the text up to the first white space
    (``""`` when *s* continues with white space or is done), and the position after
    the white space that follows it."""
    m = _FIELD.match(s, pos)
    return m.group(1), m.end()


# ---------------------------------------------------------------- Go's strconv

_INT = re.compile(r"[+-]?[0-9]+\Z")
# (unambiguous: "digits, then a point and digits" never splits one run of digits two
# ways, so a long token that fails to match costs linear, not quadratic, time)
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_HEX = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+\Z")


def parse_int(s: str) -> int | str:
    """Go's ``strconv.Atoi`` for an int64: the int, or the ``NumError`` reason.

    Any number of leading zeros is fine (as in Go); more than 19 significant digits is
    ``value out of range`` without converting them (Python's ``int()`` refuses strings
    of over 4,300 digits).
    """
    if _INT.match(s) is None:
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


def _underscores_ok(s: str) -> bool:
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


def parse_float(s: str) -> float | str:
    """Go's ``strconv.ParseFloat(s, 64)``: the value, or the ``NumError`` reason.

    ``inf``/``infinity`` (any case, optional sign) and unsigned ``nan``; decimal
    and hexadecimal (``p`` exponent required) forms with ``_`` between digits;
    an overflow to ±Inf is ``value out of range``, an underflow is not.
    (benchfmt's ``atof`` tries digits-only tokens as an int64 first: the same value.)
    """
    low = s.lower()
    body = low[1:] if low[:1] in ("+", "-") else low
    if body in ("inf", "infinity"):
        return -math.inf if low[0] == "-" else math.inf
    if low == "nan":
        return math.nan
    if "_" in s:
        if not _underscores_ok(s):
            return "invalid syntax"
        s = s.replace("_", "")
    if _DECIMAL.match(s):
        v = float(s)
        return "value out of range" if math.isinf(v) else v
    if _HEX.match(s):
        try:
            return float.fromhex(s)
        except OverflowError:
            return "value out of range"
    return "invalid syntax"


# ---------------------------------------------------------------- records


class Value(NamedTuple):
    """One measurement of a result, tidied: ``orig_unit`` is ``""`` (and
    ``orig_value`` None) when tidying left the value equal (benchfmt's ``Value``)."""

    value: float
    unit: str
    orig_value: float | None = None
    orig_unit: str = ""


class Result(NamedTuple):
    """One result line: its number, name (``Benchmark`` stripped), iteration count
    and measurements (benchfmt's ``Result``; the configuration is the reader's)."""

    line: int
    name: str
    iters: int
    values: tuple[Value, ...]


def _tidy_value(value: float, unit: str) -> Value:
    """benchfmt's tidying of one measurement (``ns/op`` → ``sec/op`` …)."""
    tidied, tidied_unit = tidy(value, unit)
    if tidied == value:
        return Value(value, unit)
    return Value(tidied, tidied_unit, value, unit)


def _result_or_error(line: str, lineno: int, label: str) -> Result | BenchSyntaxError | None:
    """``parseBenchmarkLine``: a :class:`Result`, a syntax-error record, or None for a
    line that is only the name (``go test -v`` prints it when a benchmark starts)."""
    rest = line[len("Benchmark"):]
    name, pos = split_field(rest)
    if pos == len(rest) and len(name) == len(rest):
        return None
    field, pos = split_field(rest, pos)
    if field == "":
        return BenchSyntaxError(label, lineno, "missing iteration count")
    iters = parse_int(field)
    if isinstance(iters, str):
        return BenchSyntaxError(label, lineno, "parsing iteration count: " + iters)
    values = []
    while True:
        field, pos = split_field(rest, pos)
        if field == "":
            if values:
                break
            return BenchSyntaxError(label, lineno, "missing measurements")
        value = parse_float(field)
        if isinstance(value, str):
            return BenchSyntaxError(label, lineno, "parsing measurement: " + value)
        unit, pos = split_field(rest, pos)
        if unit == "":
            return BenchSyntaxError(label, lineno, "missing units")
        values.append(_tidy_value(value, unit))
    return Result(lineno, name, iters, tuple(values))


def _go_is_lower(ch: str) -> bool:
    """Go's ``unicode.IsLower``: Unicode category Ll."""
    return unicodedata.category(ch) == "Ll"


def _go_is_upper(ch: str) -> bool:
    """Go's ``unicode.IsUpper``: Unicode category Lu."""
    return unicodedata.category(ch) == "Lu"


def parse_key_value_line(line: str) -> tuple[str, str] | None:
    """benchfmt's ``parseKeyValueLine``: ``(key, value)`` of a configuration line
    (value ``""`` deletes the key), or None when *line* is not one."""
    colon = -1
    for i, ch in enumerate(line):
        if i == 0 and not _go_is_lower(ch):
            return None
        if _GO_SPACE.match(ch) or _go_is_upper(ch):
            return None
        if i > 0 and ch == ":":
            colon = i
            break
    if colon < 0:
        return None
    key, value = line[:colon], line[colon + 1:]
    if value == "":
        return key, ""
    stripped = value.lstrip(" \t")
    if stripped == value:
        return None                                # "key:value" is not a configuration line
    return key, stripped


# ---------------------------------------------------------------- the reader


class Reader:
    """benchfmt's ``Reader``, fed one line at a time, file after file.

    :meth:`start_file` begins a file (empty configuration); :meth:`read_line`
    returns the records of one line: a :class:`Result`, ``UnitMetadata``
    declarations, syntax-error records (Go's record queue), or nothing.
    ``config`` is the configuration in force (key → value, in the order keys
    were set), ``config_changed`` whether the last line changed it, and ``units``
    the unit metadata of all files so far, keyed by ``(tidied unit, key)``.
    """

    def __init__(self):
        self.units: dict[tuple[str, str], UnitMetadata] = {}
        self.config: dict[str, str] = {}
        self.config_changed = False
        self.label = ""

    def start_file(self, label: str) -> None:
        """Begin a file named *label* in error records: empty configuration."""
        self.label = label
        self.config = {}

    def read_line(self, line: str, lineno: int) -> list:
        """The records of line number *lineno* (``\\n`` removed)."""
        self.config_changed = False
        if line.endswith("\r"):
            line = line[:-1]
        if line.startswith("Benchmark"):
            record = _result_or_error(line, lineno, self.label)
            return [] if record is None else [record]
        if line.startswith("U"):
            first, pos = split_field(line)
            if first == "Unit":
                return self._unit_line(line, pos, lineno)
        key_value = parse_key_value_line(line)
        if key_value is not None:
            self._set_config(*key_value)
        return []

    def _set_config(self, key: str, value: str) -> None:
        """Set *key* (delete it for an empty *value*), noting whether that changed anything.

        A new key goes last; a deleted key's place is taken by the last key
        (``Result.deleteConfig``): ``a b c`` less ``a`` is ``c b``, the order
        benchstat prints a configuration in.
        """
        if value == "":
            if key in self.config:
                items = list(self.config.items())
                where = list(self.config).index(key)
                last = items.pop()
                if where < len(items):
                    items[where] = last
                self.config = dict(items)
                self.config_changed = True
        elif self.config.get(key) != value:
            self.config[key] = value
            self.config_changed = True

    def _unit_line(self, line: str, pos: int, lineno: int) -> list:
        """``parseUnitLine`` after ``Unit``: new declarations and error records."""
        unit, pos = split_field(line, pos)
        if unit == "":
            return [UnitMetadataError(self.label, lineno, "missing unit")]
        tidied_unit = tidy_unit(unit)[0]
        records = []
        while True:
            field, pos = split_field(line, pos)
            if field == "":
                return records
            eq = field.find("=")
            if eq <= 0:
                records.append(UnitMetadataError(self.label, lineno, "expected key=value"))
                continue
            key, value = field[:eq], field[eq + 1:]
            have = self.units.get((tidied_unit, key))
            if have is None:
                declared = UnitMetadata(tidied_unit, key, value, unit, self.label, lineno)
                self.units[(tidied_unit, key)] = declared
                records.append(declared)
            elif have.value != value:
                records.append(UnitMetadataError(
                    self.label, lineno, f"metadata {key} of unit {unit} already set to {have.value}"))


# ---------------------------------------------------------------- reading files


@dataclass
class FileLines:
    """One input as the readers see it: ``path`` (names it in error records),
    ``label`` (benchstat's ``.file``), its ``(line, line number)`` pairs, and the
    error records found before reading (undecodable ``go test -json`` events)."""

    path: str
    label: str
    lines: list[tuple[str, int]]
    errors: list[BenchSyntaxError]


def read_files(files: list[FileLines]) -> Results:
    """Read *files* in order, line by line, into :class:`Results` (the reference engine).

    Each file starts with an empty configuration; unit metadata carries across
    files.  Never raises for malformed lines: they are error records in
    ``Results.errors``.
    """
    table = _ResultTable()
    reader = Reader()
    for file_idx, f in enumerate(files):
        table.paths.append(f.path)
        table.labels.append(f.label)
        read_file_into(table, reader, file_idx, f)
    return table.results(reader.units)


def read_file_into(table, reader: Reader, file_idx: int, f: FileLines) -> None:
    """Read every line of *f* with *reader* into *table*, which numbers
    configurations (``table.config_id(config) -> int``), takes results
    (``table.add_result(file_idx, config_id, result)``) and error records
    (``table.errors``, a list).  A configuration is numbered when it comes into
    force, the empty one when the file starts."""
    table.errors.extend(f.errors)
    reader.start_file(f.path)
    config_id = table.config_id(reader.config)
    for line, lineno in f.lines:
        for record in reader.read_line(line, lineno):
            if isinstance(record, Result):
                table.add_result(file_idx, config_id, record)
            elif isinstance(record, BenchSyntaxError):
                table.errors.append(record)
        if reader.config_changed:
            config_id = table.config_id(reader.config)


class _ResultTable:
    """Results gathered one by one, numbered in order of first appearance."""

    def __init__(self):
        self.paths, self.labels, self.errors = [], [], []
        self.names: dict[str, int] = {}
        self.configs: dict[tuple, int] = {}
        self.written_units: dict[str, int] = {}
        self.rows: list[tuple[int, int, int, int, int]] = []      # file, line, name, iters, config
        self.measurements: list[Value] = []
        self.nvals: list[int] = []

    def config_id(self, config: dict) -> int:
        """The number of the configuration *config* (numbered when first seen)."""
        return self.configs.setdefault(tuple(config.items()), len(self.configs))

    def add_result(self, file_idx: int, config_id: int, result: Result) -> None:
        """One result, numbering its name and the units it was written in."""
        name_id = self.names.setdefault(result.name, len(self.names))
        self.rows.append((file_idx, result.line, name_id, result.iters, config_id))
        for v in result.values:
            written = v.orig_unit or v.unit
            self.written_units.setdefault(written, len(self.written_units))
            self.measurements.append(v)
        self.nvals.append(len(result.values))

    def results(self, units: dict) -> Results:
        """The columnar :class:`Results` of everything gathered."""
        r = Results(paths=self.paths, labels=self.labels, errors=self.errors, units=dict(units))
        rows = np.array(self.rows, dtype=np.int64).reshape(-1, 5)
        r.res_file, r.res_line, r.res_name_id, r.res_iters, r.res_config = (
            np.ascontiguousarray(rows[:, k]) for k in range(5))
        r.names = list(self.names)
        r.configs = list(self.configs)
        r.res_nvals = np.array(self.nvals, dtype=np.int64)
        written = list(self.written_units)
        nu = len(written)
        r.ucode_unit = written + [tidy_unit(u)[0] for u in written]
        r.ucode_orig = [""] * nu + written
        values, raws, codes = [], [], []
        for v in self.measurements:
            if v.orig_unit:
                values.append(v.value)
                raws.append(v.orig_value)
                codes.append(nu + self.written_units[v.orig_unit])
            else:
                values.append(v.value)
                raws.append(v.value)
                codes.append(self.written_units[v.unit])
        r.m_value = np.array(values, dtype=np.float64)
        r.m_raw = np.array(raws, dtype=np.float64)
        r.m_ucode = np.array(codes, dtype=np.int32)
        return r
