"""Decode the ``debug=1`` text profiles the Go runtime serves into :class:`ProfileData`.

``/debug/pprof/{heap,allocs,mutex,block,goroutine,goroutineleak,threadcreate}?debug=1``
(``runtime/pprof.Profile.WriteTo(w, 1)``) print a legacy text form that
``go tool pprof`` parses address-only (``profile/legacy_profile.go``). We read
the same records but also the ``#\\t0xPC\\tfunc+0xoff\\tfile:line`` symbol
lines pprof ignores, so the result has the Function/Line tables a profile.proto
written at the same moment has, and :meth:`Profile.top` gives the same numbers.

Forms (first non-blank line decides):

``heap profile: i: ib [a: ab] @ heap/<2*MemProfileRate>``
    heap and allocs (identical text). Records ``i: ib [a: ab] @ pcs`` hold raw
    sampled counts; like pprof's ``parseHeap`` (and the runtime's proto writer
    ``scaleHeapSample``) each pair is unsampled by ``1/(1-exp(-avg/rate))``,
    ``rate`` being half the header's number for ``heap/`` (the runtime prints
    ``2*MemProfileRate``), the number itself for ``heap_v2``/``heapz_v2`` and 1
    (no scaling) for ``heapprofile``. The object size becomes the numeric label
    ``bytes``. The ``# runtime.MemStats`` trailer is kept in ``meta["memstats"]``.
``--- mutex:`` / ``--- contention:`` (block)
    ``cycles/second=``, ``sampling period=`` header, records ``cycles count @ pcs``.
    The runtime has already scaled both numbers by the sampling period
    (``runtime/mprof.go``), so unlike pprof's ``parseContentionSample`` we do
    **not** multiply by ``sampling period`` again: values are
    ``[count, int64(cycles / (cycles_per_second / 1e9))]``, exactly what
    ``printCountCycleProfile`` writes into the proto. pprof's text result is
    ``sampling period`` times larger (5× at ``SetMutexProfileFraction(5)``).
``<name> profile: total N``
    goroutine, goroutineleak, threadcreate: records ``n @ pcs`` with an optional
    ``# labels: {"k":"v", ...}`` line, kept as string labels (pprof drops them).

Line ends may be ``\n``, ``\r\n`` or a lone ``\r`` (mixed, too), and a UTF-8 BOM may
lead; line numbers in errors count every line end.

A ``--- Memory map: ---`` or ``MAPPED_LIBRARIES:`` section (gperftools' C++ heap
profiles, ``@ heapprofile``/``heapz_v2``) gives the profile its mappings as pprof
reads them (:mod:`pprof_parse.read.legacy_maps`): every location gets the mapping
holding its address, so an address-only frame is named ``[libc-2.15.so]`` in
reports, like pprof's. Without such a section there are no mappings.

Stacks follow the symbol lines, as the runtime's proto writer does: frames the
text hides (leading ``runtime.*`` frames of heap records, ``runtime.goexit``)
are not part of the stack; consecutive frames of one physical function (same
entry ``pc - off``) are one Location whose Lines run innermost inlined function
first, the physical function last (``runtime/pprof/proto.go:pcDeck``). A
location's address is its first stack address minus 1 (pprof's convention,
equal to the proto's). Records without symbol lines fall back to pprof's
address-only locations.

What the text cannot carry (so a text and a proto of the same moment differ):

* generic functions print with elided shapes (``slices.Grow[...]``; the proto
  has ``slices.Grow[go.shape.[]uint8,go.shape.uint8]``) — the runtime's
  ``funcNameForPrint``;
* no ``Function.start_line``: pprof's ``-files`` granularity keeps start lines
  in its node key, so the proto can show one file as several nodes;
* count profiles (goroutine, goroutineleak) hide leading ``runtime.*`` frames
  in the symbol lines; their addresses stay in the stack as address-only
  locations (named ``<unknown>`` in reports) carrying the value the proto puts
  on ``runtime.gopark`` & co.;
* the heap and allocs texts are identical: no ``default_sample_type`` (reports
  default to ``inuse_space``, as pprof does on the text).
"""

from __future__ import annotations

import ast
import re

import numpy as np

from ..errors import ProfileFormatError, RuntimeFormatError
from ..model.data import ProfileData, ValueType
from ..model.strings import StringTable
from . import legacy_maps
from .memstats_trailer import parse_memstats_trailer

_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(r"\r\n|\r|\n")
_MASK = (1 << 64) - 1
_I64 = (1 << 63) - 1

_HEAP_HEADER = re.compile(
    r"heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)/?(\d*)")
_HEAP_SAMPLE = re.compile(r"(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *\] *@((?: +0x[0-9a-f]+)*) *\Z")
_CONTENTION_SAMPLE = re.compile(r"(\d+) +(\d+) *@((?: +0x[0-9a-f]+)*) *\Z")
_COUNT_HEADER = re.compile(r"(\S+) profile: total (\d+)\Z")
_COUNT_SAMPLE = re.compile(r"(\d+) *@((?: +0x[0-9a-f]+)*) *\Z")
_SYMBOL = re.compile(r"#\t+(0x[0-9a-f]+)(?:\t+(.+)\+(0x[0-9a-f]+)\t+(.*):(\d+))?\s*\Z")
_LABEL_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)":"((?:[^"\\]|\\.)*)"')


class _Record:
    __slots__ = ("values", "addrs", "frames", "labels", "lineno")

    def __init__(self, values, addrs, lineno):
        self.values = values
        self.addrs = addrs
        self.frames: list[tuple] = []  # (pc, name|None, off, file, line)
        self.labels: list[tuple[str, str]] = []
        self.lineno = lineno


def decode_legacy_text(data: bytes, *, source: str = "<bytes>") -> ProfileData:
    """Decode a Go ``debug=1`` text profile (heap/allocs, mutex, block, goroutine,
    goroutineleak, threadcreate).

    Parameters
    ----------
    data : bytes
        The (already inflated) text.
    source : str
        Name used in error messages.

    Returns
    -------
    ProfileData
        Sample types, period and values as the runtime's proto writer produces
        them for the same data (see the module docstring for the rules);
        ``meta`` holds ``format`` (``"heap"``, ``"contention"``, ``"count"``),
        the header's numbers and, for heap, ``memstats``.

    Raises
    ------
    ProfileFormatError
        Not one of these forms, or a malformed line; the message gives the
        1-based line number (also in the ``line`` attribute).
    """
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = len(_LINE_END.findall(data[:e.start].decode("utf-8", "replace"))) + 1
        raise _err(source, line, "text profile is not valid UTF-8") from e
    # "\n", "\r\n" and CR-only line ends alike (a CR-only file is otherwise one long line: 0 samples)
    lines = _LINE_END.split(text)
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        raise _err(source, 1, "empty text profile")
    first = lines[i].strip()
    if first.startswith("heap profile:"):
        return _parse_heap(lines, i, source)
    if first.startswith("--- mutex:") or first.startswith("--- contention:"):
        return _parse_contention(lines, i, source)
    m = _COUNT_HEADER.match(first)
    if m:
        return _parse_count(lines, i, m, source)
    err = _err(source, i + 1, f"unrecognized text profile header {first[:60]!r} "
               "(expected 'heap profile:', '--- mutex:', '--- contention:' or '<name> profile: total N')")
    err.unrecognized = True
    raise err


def _err(source: str, lineno: int, msg: str) -> ProfileFormatError:
    e = ProfileFormatError(f"line {lineno}: {msg}", source=source)
    e.line = lineno
    return e


def _dec(s: str) -> int:
    """A decimal field; one with more digits than any 64-bit number reads as 2**64, which the
    callers' range checks refuse with the line (not Python's 4,300-digit ``ValueError``)."""
    return int(s) if len(s.lstrip("0")) <= 20 else 1 << 64


def _hex(s: str) -> int:
    """A hexadecimal field (``0x`` prefix optional); past 16 digits it reads as 2**64, as :func:`_dec`."""
    digits = s[2:] if s[:2] in ("0x", "0X") else s
    return int(digits, 16) if len(digits.lstrip("0")) <= 16 else 1 << 64


def _addrs(s: str) -> list[int]:
    return [_hex(x) for x in s.split()]


def _checked(values: tuple, addrs: list[int], source: str, lineno: int):
    """Reject numbers that do not fit int64 (values) or uint64 (addresses), as pprof's ParseInt/ParseUint do."""
    if any(v > _I64 for v in values):
        raise _err(source, lineno, "value does not fit in a 64-bit integer")
    if addrs and max(addrs) > _MASK:
        raise _err(source, lineno, "address does not fit in 64 bits")
    return values, addrs


def _read_records(lines, i, source, parse_head, stop_at_memstats=False):
    """Walk record lines from ``i``: a value line, then ``# labels:`` and symbol lines."""
    records: list[_Record] = []
    cur: _Record | None = None
    n = len(lines)
    trailer = None
    frame_of: dict[str, tuple] = {}  # symbol lines repeat across records: parse each once
    mmap = None
    while i < n:
        line = lines[i]
        frame = frame_of.get(line)
        if frame is not None and cur is not None:
            cur.frames.append(frame)
            i += 1
            continue
        s = line.strip()
        if not s:
            cur = None
            i += 1
            continue
        if s[0] == "#":
            if stop_at_memstats and s.startswith("# runtime.MemStats"):
                trailer = i
                break
            if cur is None:
                i += 1  # free comment between records
                continue
            if s.startswith("# labels:"):
                body = s[len("# labels:"):].strip()
                if not (body.startswith("{") and body.endswith("}")):
                    raise _err(source, i + 1, f"malformed labels {body[:60]!r}")
                try:
                    cur.labels.extend((_unquote(k), _unquote(v)) for k, v in _LABEL_PAIR.findall(body))
                except (ValueError, SyntaxError) as e:
                    raise _err(source, i + 1, f"malformed label string in {body[:60]!r}") from e
            else:
                m = _SYMBOL.match(line.lstrip(" "))
                if m is None:
                    raise _err(source, i + 1, f"malformed symbol line {s[:80]!r} (want '#\\t0xPC\\tfunc+0xoff\\tfile:line')")
                pc = _hex(m.group(1))
                if m.group(2) is None:
                    frame = (pc, None, 0, "", 0)
                else:
                    frame = (pc, m.group(2), _hex(m.group(3)), m.group(4), _dec(m.group(5)))
                if pc > _MASK or frame[2] > _MASK or frame[4] > _I64:
                    raise _err(source, i + 1, "symbol line number does not fit in 64 bits")
                cur.frames.append(frame)
                frame_of[line] = frame
            i += 1
            continue
        if s.startswith("---") or legacy_maps.is_sentinel(s):
            # pprof's parseAdditionalSections: skip to a memory-map sentinel, read the map after it
            while i < n and not legacy_maps.is_sentinel(lines[i]):
                i += 1
            mmap = i + 1 if i < n else None
            break
        values, addrs = parse_head(s, i + 1)
        cur = _Record(values, addrs, i + 1)
        records.append(cur)
        i += 1
    return records, trailer, mmap


def _unquote(s: str) -> str:
    """A Go ``%q`` string body (Python escapes are a superset of Go's)."""
    if "\\" not in s:
        return s
    return ast.literal_eval('"' + s + '"')  # inner quotes are already escaped


# ---------------------------------------------------------------------------------------
def _parse_heap(lines, i, source) -> ProfileData:
    m = _HEAP_HEADER.match(lines[i].strip())
    if m is None:
        raise _err(source, i + 1, f"malformed heap profile header {lines[i][:80]!r} "
                   "(want 'heap profile: N: M [A: B] @ heap/RATE')")
    kind, num = m.group(5), m.group(6)
    if any(_dec(x) > _I64 for x in m.groups()[:4] + (num or "0",)):
        raise _err(source, i + 1, "heap profile header number does not fit in a 64-bit integer")
    if kind == "heap":
        rate = int(num) // 2 if num else 0
    elif kind in ("heap_v2", "heapz_v2"):
        rate = int(num) if num else 0
    elif kind == "heapprofile":
        rate = 1
    else:
        raise _err(source, i + 1, f"unknown heap sampling kind {kind!r}")
    # pprof: four columns unless the header's alloc pair equals (or is 0 for) the in-use pair
    has_alloc = (m.group(3) != m.group(1) and m.group(3) != "0") or (m.group(4) != m.group(2) and m.group(4) != "0")

    def head(s: str, lineno: int):
        r = _HEAP_SAMPLE.match(s)
        if r is None:
            raise _err(source, lineno, f"malformed heap record {s[:80]!r} (want 'i: ib [a: ab] @ 0xpc ...')")
        return _checked((_dec(r.group(1)), _dec(r.group(2)), _dec(r.group(3)), _dec(r.group(4))), _addrs(r.group(5)), source, lineno)

    records, trailer, mmap = _read_records(lines, i + 1, source, head, stop_at_memstats=True)
    raw = np.array([r.values for r in records], np.int64).reshape(-1, 4)
    for cols, label in (((2, 3), "allocation"), ((0, 1), "inuse")):
        bad = (raw[:, cols[0]] == 0) & (raw[:, cols[1]] != 0)
        if bad.any():
            r = records[int(np.argmax(bad))]
            raise _err(source, r.lineno, f"{label} count was 0 but {label} bytes was {int(raw[int(np.argmax(bad)), cols[1]])}")
    # object size: bytes/count of the last non-zero pair, in-use winning (pprof's parseHeapSample)
    blocksize = np.zeros(len(records), np.int64)
    for c, b in ((2, 3), (0, 1)):
        nz = raw[:, c] != 0
        blocksize[nz] = raw[nz, b] // raw[nz, c]
    pairs = [(2, 3), (0, 1)] if has_alloc else [(0, 1)]
    try:
        values = np.column_stack([col for c, b in pairs for col in _unsample(raw[:, c], raw[:, b], rate)]) \
            if len(records) else np.zeros((0, 2 * len(pairs)), np.int64)
    except OverflowError as e:
        raise _err(source, i + 1, f"unsampling with rate {rate} overflows int64") from e
    types = ((ValueType("alloc_objects", "count"), ValueType("alloc_space", "bytes"),
              ValueType("inuse_objects", "count"), ValueType("inuse_space", "bytes"))
             if has_alloc else (ValueType("objects", "count"), ValueType("space", "bytes")))
    meta = {"format": "heap", "header": {"inuse_objects": int(m.group(1)), "inuse_space": int(m.group(2)),
                                         "alloc_objects": int(m.group(3)), "alloc_space": int(m.group(4)),
                                         "sampling": kind, "rate": rate}}
    if trailer is not None:
        meta["memstats"] = _memstats(lines, trailer, source)
    b = _Builder(lines, mmap)
    b.add_records(records, values)
    key = b.intern("bytes")
    has = blocksize != 0  # pprof drops a numeric label with num=0 and no unit
    b.numlabels = (np.nonzero(has)[0], np.full(int(has.sum()), key), blocksize[has])
    return b.build(types, ValueType("space", "bytes"), rate, meta)


def _unsample(count: np.ndarray, size: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """pprof's (and the runtime's) ``scaleHeapSample``, vectorised, float64 as in Go."""
    count = count.astype(np.int64)
    size = size.astype(np.int64)
    if rate <= 1:
        return count, size
    zero = (count == 0) | (size == 0)
    c = np.where(zero, 1, count).astype(np.float64)
    avg = np.where(zero, 1, size).astype(np.float64) / c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = 1.0 / (1.0 - np.exp(-avg / float(rate)))
        fc, fs = c * scale, size.astype(np.float64) * scale
    if not (np.isfinite(fc) & np.isfinite(fs) & (fc < 2.0**63) & (fs < 2.0**63)).all():
        raise OverflowError("unsampled value out of int64 range")
    oc = fc.astype(np.int64)
    osz = fs.astype(np.int64)
    return np.where(zero, 0, oc), np.where(zero, 0, osz)


def _memstats(lines, start, source) -> dict:
    """The ``# runtime.MemStats`` trailer from line ``start`` (0-based) on (see :mod:`.memstats_trailer`)."""
    try:
        return parse_memstats_trailer("\n".join(lines[start:]) + "\n", source=source, first_line=start + 1)
    except RuntimeFormatError as e:
        where = source if e.line is None else f"{source}:{e.line}"
        raise _err(source, e.line or start + 1,
                   f"bad '# runtime.MemStats' trailer: {str(e).removeprefix(where + ': ')}") from e


# ---------------------------------------------------------------------------------------
def _parse_contention(lines, i, source) -> ProfileData:
    name = lines[i].strip()[4:].rstrip(":").strip()
    attrs: dict[str, int] = {}
    j = i + 1
    while j < len(lines):
        s = lines[j].strip()
        if not s or s[0] == "#":
            j += 1
            continue
        if "=" not in s:
            break
        k, v = (x.strip() for x in s.split("=", 1))
        if k not in ("cycles/second", "sampling period", "ms since reset", "discarded samples"):
            raise _err(source, j + 1, f"unknown contention profile attribute {k!r}")
        try:
            attrs[k] = int(v, 0)
        except ValueError as e:
            raise _err(source, j + 1, f"{k} must be an integer, got {v!r}") from e
        if not -_I64 - 1 <= attrs[k] <= _I64:
            raise _err(source, j + 1, f"{k} does not fit in a 64-bit integer")
        j += 1

    def head(s: str, lineno: int):
        r = _CONTENTION_SAMPLE.match(s)
        if r is None:
            raise _err(source, lineno, f"malformed {name} record {s[:80]!r} (want 'cycles count @ 0xpc ...')")
        return _checked((_dec(r.group(1)), _dec(r.group(2))), _addrs(r.group(3)), source, lineno)

    records, _, mmap = _read_records(lines, j, source, head)
    raw = np.array([r.values for r in records], np.int64).reshape(-1, 2)
    cps = attrs.get("cycles/second", 0)
    if cps > 0:
        # runtime/pprof printCountCycleProfile: int64(float64(r.Cycles) / cpuGHz)
        delay = (raw[:, 0].astype(np.float64) / (float(cps) / 1e9)).astype(np.int64)
    else:
        delay = raw[:, 0].copy()
    values = np.column_stack([raw[:, 1], delay]) if len(records) else np.zeros((0, 2), np.int64)
    meta = {"format": "contention", "profile": name, "cycles_per_second": cps}
    if "sampling period" in attrs:
        meta["sampling_period"] = attrs["sampling period"]
    if "discarded samples" in attrs:
        meta["discarded_samples"] = attrs["discarded samples"]
    b = _Builder(lines, mmap)
    b.add_records(records, values)
    return b.build((ValueType("contentions", "count"), ValueType("delay", "nanoseconds")),
                   ValueType("contentions", "count"), 1, meta,
                   duration_nanos=attrs.get("ms since reset", 0) * 1_000_000)


# ---------------------------------------------------------------------------------------
def _parse_count(lines, i, m, source) -> ProfileData:
    name = m.group(1)

    def head(s: str, lineno: int):
        r = _COUNT_SAMPLE.match(s)
        if r is None:
            raise _err(source, lineno, f"malformed {name} record {s[:80]!r} (want 'N @ 0xpc ...')")
        return _checked((_dec(r.group(1)),), _addrs(r.group(2)), source, lineno)

    records, _, mmap = _read_records(lines, i + 1, source, head)
    values = np.array([r.values for r in records], np.int64).reshape(-1, 1)
    b = _Builder(lines, mmap)
    b.add_records(records, values, keep_hidden_prefix=True)
    ls, lk, lv = [], [], []
    for si, r in enumerate(records):
        for k, v in r.labels:
            ls.append(si)
            lk.append(b.intern(k))
            lv.append(b.intern(v))
    b.labels = (np.array(ls, np.int64), np.array(lk, np.int64), np.array(lv, np.int64))
    vt = ValueType(name, "count")
    total = _dec(m.group(2))
    if total > _I64:
        raise _err(source, i + 1, f"{name} profile total does not fit in a 64-bit integer")
    return b.build((vt,), vt, 1, {"format": "count", "profile": name, "total": total})


# ---------------------------------------------------------------------------------------
class _Builder:
    """Interns strings, functions and locations while stacks are added."""

    def __init__(self, lines=(), mmap: int | None = None):
        # the memory map after a sentinel line (pprof: ParseMemoryMapFromScanner), else none
        self.maps = None if mmap is None else legacy_maps.massage(legacy_maps.parse_maps(lines[mmap:]))
        self.intern = StringTable()
        self._funcs: dict[tuple[int, int], int] = {}
        self.func_name: list[int] = []
        self.func_file: list[int] = []
        self._locs: dict[tuple, int] = {}
        self.loc_address: list[int] = []
        self.loc_nlines: list[int] = []
        self.line_function: list[int] = []
        self.line_line: list[int] = []
        self.stack_locs: list[int] = []
        self.stack_counts: list[int] = []
        self.labels = (np.zeros(0, np.int64),) * 3
        self.numlabels = (np.zeros(0, np.int64),) * 3
        self.values = np.zeros((0, 0), np.int64)

    def _func(self, name: str, file: str) -> int:
        key = (self.intern(name), self.intern(file))
        f = self._funcs.get(key)
        if f is None:
            f = self._funcs[key] = len(self.func_name)
            self.func_name.append(key[0])
            self.func_file.append(key[1])
        return f

    def _loc(self, address: int, frames: tuple) -> int:
        key = (address, frames)
        j = self._locs.get(key)
        if j is None:
            j = self._locs[key] = len(self.loc_address)
            self.loc_address.append(address)
            self.loc_nlines.append(len(frames))
            for name, file, line in frames:
                self.line_function.append(self._func(name, file))
                self.line_line.append(line)
        return j

    def add_records(self, records: list[_Record], values: np.ndarray, *, keep_hidden_prefix: bool = False) -> None:
        self.values = values
        physical = _physical_frames(records)
        for r in records:
            n0 = len(self.stack_locs)
            if not r.frames:
                # no symbols: pprof's address-only locations (return address - 1)
                for a in r.addrs:
                    self.stack_locs.append(self._loc((a - 1) & _MASK, ()))
            else:
                for address, frames in _group(r, physical, keep_hidden_prefix):
                    self.stack_locs.append(self._loc(address, frames))
            self.stack_counts.append(len(self.stack_locs) - n0)

    def build(self, types, period_type, period, meta, duration_nanos=0) -> ProfileData:
        nf, nl = len(self.func_name), len(self.loc_address)
        i64 = lambda x: np.asarray(x, np.int64)  # noqa: E731
        name = i64(self.func_name)
        if self.maps is None:
            loc_mapping = np.full(nl, -1, np.int64)
            mcols = dict(map_id=np.zeros(0, np.uint64), map_start=np.zeros(0, np.uint64),
                         map_limit=np.zeros(0, np.uint64), map_offset=np.zeros(0, np.uint64),
                         map_filename=np.zeros(0, np.int64), map_build_id=np.zeros(0, np.int64),
                         map_flags=np.zeros((0, 4), bool))
        else:  # pprof's remapMappingIDs: a mapping for every location (a fake one if none holds it)
            loc_mapping = legacy_maps.assign(self.maps, self.loc_address)
            mcols = legacy_maps.mapping_columns(self.maps, self.intern)
        return ProfileData(
            strings=self.intern.strings, sample_types=tuple(types), default_sample_type="",
            values=np.ascontiguousarray(self.values, np.int64),
            stack_offsets=np.concatenate(([0], np.cumsum(self.stack_counts, dtype=np.int64))).astype(np.int64),
            stack_locs=i64(self.stack_locs),
            label_sample=self.labels[0], label_key=self.labels[1], label_str=self.labels[2],
            numlabel_sample=i64(self.numlabels[0]), numlabel_key=i64(self.numlabels[1]),
            numlabel_num=i64(self.numlabels[2]), numlabel_unit=np.zeros(len(self.numlabels[0]), np.int64),
            loc_id=np.arange(1, nl + 1, dtype=np.uint64), loc_mapping=loc_mapping,
            loc_address=np.array(self.loc_address, np.uint64), loc_is_folded=np.zeros(nl, bool),
            loc_line_offsets=np.concatenate(([0], np.cumsum(self.loc_nlines, dtype=np.int64))).astype(np.int64),
            line_function=i64(self.line_function), line_line=i64(self.line_line),
            line_column=np.zeros(len(self.line_line), np.int64),
            func_id=np.arange(1, nf + 1, dtype=np.uint64), func_name=name, func_system_name=name.copy(),
            func_filename=i64(self.func_file), func_start_line=np.zeros(nf, np.int64),
            **mcols,
            period_type=period_type, period=int(period), duration_nanos=int(duration_nanos), meta=meta,
        )


def _physical_frames(records: list[_Record]) -> set[tuple[str, int]]:
    """``(name, entry)`` pairs certainly not inlined: a frame followed by a frame of
    another physical function (different entry) or ending its stack."""
    out = set()
    for r in records:
        fr = r.frames
        for k, (pc, name, off, _, _) in enumerate(fr):
            if name is None:
                continue
            if k + 1 == len(fr) or fr[k + 1][1] is None or fr[k + 1][0] - fr[k + 1][2] != pc - off:
                out.add((name, pc - off))
    return out


def _group(r: _Record, physical: set, keep_hidden_prefix: bool) -> list[tuple[int, tuple]]:
    """Split a record's symbol frames into locations (inline groups) with their addresses.

    A group continues while frames share the entry ``pc - off``, the next name
    is not in the group yet (recursion starts a new location) and the last
    frame is not known to be a physical function (the runtime's ``pcDeck``).
    The address is the stack address the group's first frame came from, minus 1.
    Stack addresses before the first printed frame (runtime frames the text
    hides) become address-only locations when ``keep_hidden_prefix`` (count
    profiles: the proto keeps them); addresses after the last printed frame
    (``runtime.goexit``) are dropped, as in the proto.
    """
    addrs = r.addrs
    ai = 0
    first_match = None
    out = []
    cur_frames: list[tuple] = []
    cur_names: set = set()
    cur_entry = None
    cur_addr = 0
    last_phys = False
    for pc, name, off, file, line in r.frames:
        # align with the '@' list: the frame's pc is a stack address minus 1
        j = ai
        while j < len(addrs) and ((addrs[j] - 1) & _MASK) != pc and addrs[j] != pc:
            j += 1
        if j < len(addrs):
            ai = j
            addr = (addrs[j] - 1) & _MASK
            if first_match is None:
                first_match = j
        else:
            addr = pc  # not in the '@' list (edited text): use the printed pc
        entry = pc - off if name is not None else None
        if (cur_frames and entry is not None and entry == cur_entry and name not in cur_names
                and not last_phys):
            cur_frames.append((name, file, line))
            cur_names.add(name)
        else:
            if cur_frames:
                out.append((cur_addr, tuple(cur_frames)))
            cur_frames = [(name if name is not None else "", file, line)]
            cur_names = {name}
            cur_entry = entry
            cur_addr = addr
        last_phys = name is None or (name, entry) in physical
    if cur_frames:
        out.append((cur_addr, tuple(cur_frames)))
    if keep_hidden_prefix and first_match:
        out[:0] = [((a - 1) & _MASK, ()) for a in addrs[:first_match]]
    return out
