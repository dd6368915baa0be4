"""The fast engine's benchmark-line scanner: simple result lines read vectorised.

Big benchmark files are millions of tokens; making a Python string of each
token is what costs.  This module tokenises a file with numpy instead, 1 MB of
whole lines at a time (:data:`PART_BYTES`), and extracts, for every *simple*
result line (starts with ``Benchmark``, an even number >= 4 of fields, every
number accepted by Go's parsers), its name, iteration count, values and unit
signature, without a Python object per line or token:

* numbers are read eight digits at a time from unaligned 64-bit loads (SWAR):
  a plain decimal token (optional sign, digits, at most one ``.``, at most 16
  characters) whose digits form an integer mantissa < 2**53 is that mantissa
  divided by an exact power of ten, one correctly rounded IEEE division
  (Clinger's fast path), so the same double as Go's ``strconv.ParseFloat``;
  other tokens (exponents, Inf, long digit strings...) go through the exact
  scalar parsers of :mod:`.benchfmt_reference` one by one;
* names and units are numbered by hashing their bytes, and every group of equal
  hashes is then checked byte for byte; Python strings are made only for the
  distinct ones.

Every other line is left to the line reader (:class:`.benchfmt_reference.Reader`,
which :mod:`.benchfmt` runs on them): configuration and ``Unit`` lines, result
lines of an odd shape, and lines with a token the exact scalar parser rejects
(an iteration count beyond int64, a measurement beyond float64, a malformed
number), which that reader reports as benchfmt does.  Detecting those costs
nothing per line on the common path: only tokens the vectorised readers did not
take are looked at one by one.  A line starting with ``Benchmark`` that holds a
non-ASCII or control byte is left to the line reader too (the vectorised readers
take ASCII; a Unicode space would split a field there).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._arrays import dense_unique
from .benchfmt_reference import parse_float, parse_int

__all__ = ["scan"]

_PREFIX = np.frombuffer(b"Benchmark", dtype=np.uint8)
_BENCHMAR = np.frombuffer(b"Benchmar", dtype="<u8")[0]
_ALLOWED = b"\t\n\v\f\r " + bytes(range(33, 128))
_PAD = 16                                    # bytes of white space around the data

_U64 = np.uint64
_HIGH = _U64(0x8080808080808080)
_ZEROS = _U64(0x3030303030303030)            # eight ASCII '0'
_LOW7 = _U64(0x7F7F7F7F7F7F7F7F)
#: KEEP_HIGH[k]: the 8 - k high bytes of a little-endian word (drops the first k bytes)
_KEEP_HIGH = np.array([((1 << 64) - 1) ^ ((1 << (8 * k)) - 1) for k in range(9)], dtype=np.uint64)
#: KEEP_LOW[k]: the k low bytes (the first k bytes in memory)
_KEEP_LOW = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_POW10 = np.array([10 ** k for k in range(18)], dtype=np.int64)
_POW10F = np.array([float(10 ** k) for k in range(18)], dtype=np.float64)


class ScanResult:
    """The result lines :func:`scan` read, in the file's line numbers.

    ``line_bounds`` holds the byte offsets where every line starts and ends (``\\n``
    excluded); ``res_line`` the 1-based numbers of the lines read here, ascending
    (every other line is for the line reader).  ``names`` are the distinct names
    in order of first appearance and ``name_id`` each line's index into them;
    ``shapes`` likewise the distinct unit sequences and ``shape_of_line``.
    ``name_id``, ``shape_of_line``, ``iters`` (int64) and ``values`` (float64, all
    pairs line after line) are lists of arrays, one per part of the data
    (concatenating them is left to the caller, which gathers the arrays of
    several files anyway).
    """

    __slots__ = ("line_bounds", "res_line", "names", "name_id", "iters", "shape_of_line",
                 "shapes", "values")


def _padded(data, a: int = 0, z: int | None = None) -> bytes:
    """Bytes ``data[a:z]`` with ``_PAD`` spaces on both sides (*data*: any buffer)."""
    pad = b" " * _PAD
    return b"".join((pad, memoryview(data)[a:z], pad))


def _words(padded: bytes):
    """Padded bytes as uint8 and as an unaligned little-endian uint64 view: ``w[i]``
    holds padded bytes ``i .. i + 7`` (byte i lowest).  Offsets below are in the
    padded bytes: *i* is ``data[a + i - _PAD]``."""
    bx = np.frombuffer(padded, dtype=np.uint8)
    w = np.ndarray(buffer=bx, dtype="<u8", shape=(len(bx) - 7,), strides=(1,))
    return bx, w


def _tokens(bx: np.ndarray):
    """Offsets (in the padded data) where runs of bytes > 32 start and end, alternating:
    token *i* is ``[edges[2i], edges[2i+1])``."""
    isws = bx <= 32
    edges = np.flatnonzero(isws[1:] != isws[:-1])   # padded: starts with white space
    edges += 1
    return edges


def _eight_digits(x: np.ndarray) -> np.ndarray:
    """Value of eight decimal digits 0-9 held one per byte, first byte most significant."""
    x = ((x & _U64(0x0F0F0F0F0F0F0F0F)) * _U64(2561)) >> _U64(8)
    x = ((x & _U64(0x00FF00FF00FF00FF)) * _U64(6553601)) >> _U64(16)
    return ((x & _U64(0x0000FFFF0000FFFF)) * _U64(42949672960001)) >> _U64(32)


def _last16(w: np.ndarray, s: np.ndarray, e: np.ndarray):
    """The last 16 bytes of tokens [s, e) as two words, bytes before s replaced by '0',
    xor-ed with '0' (digits become 0-9, '.' becomes 0x1E)."""
    k = 16 - np.clip(e - s, 0, 16)           # filler bytes at the front
    lo = w[e - 16]                           # bytes e-16 .. e-9
    hi = w[e - 8]                            # bytes e-8 .. e-1
    klo = np.minimum(k, 8)
    khi = k - klo
    mlo, mhi = _KEEP_HIGH[klo], _KEEP_HIGH[khi]
    lo = ((lo & mlo) | (_ZEROS & ~mlo)) ^ _ZEROS
    hi = ((hi & mhi) | (_ZEROS & ~mhi)) ^ _ZEROS
    return lo, hi


def _non_digits(x: np.ndarray) -> np.ndarray:
    """0x80 in each byte of *x* (bytes <= 0x7F) that is not 0-9."""
    return (x + _U64(0x7676767676767676)) & _HIGH


def _bytes_equal(x: np.ndarray, c: int) -> np.ndarray:
    """0x80 in each byte of *x* (bytes <= 0x7F) equal to *c* (exact, no borrow)."""
    z = x ^ _U64(c * 0x0101010101010101)
    return ~(((z & _LOW7) + _LOW7) | z) & _HIGH


#: for the byte index j (0-7) of a '.' in a word, or 8 for none: the bytes after it,
#: the bytes before it (moved up one byte over the point), and 10**(digits after it)
_AFTER = np.array([((1 << 64) - 1) ^ ((1 << (8 * (j + 1))) - 1) for j in range(8)] + [(1 << 64) - 1],
                  dtype=np.uint64)
_BEFORE = np.array([(1 << (8 * j)) - 1 for j in range(8)] + [0], dtype=np.uint64)
_SCALE8 = np.array([float(10 ** (7 - j)) for j in range(8)] + [1.0])


def _decimals8(w: np.ndarray, s: np.ndarray, e: np.ndarray):
    """ParseFloat of unsigned decimal tokens of at most 8 characters: ``(values, ok)``.

    One word per token (its last 8 bytes, the bytes before it cleared); digits
    with at most one '.', at least one digit.  The point is squeezed out by moving
    the bytes before it up one byte, the eight digits give an integer M < 10**8,
    and the value is M / 10**(digits after the point): exact operands, one
    rounding, as ParseFloat.
    """
    n = e - s
    x = (w[e - 8] ^ _ZEROS) & _KEEP_HIGH[8 - np.minimum(n, 8)]
    nd = _non_digits(x)                          # 0x80 at each non-digit byte
    one = nd >> _U64(7)
    ok = (n <= 8) & ((nd & (nd - _U64(1))) == 0)                # at most one non-digit ...
    ok &= (x & (one * _U64(0xFF))) == one * _U64(0x1E)         # ... and it is a '.'
    ok &= n > (nd != 0)                                         # and a digit somewhere
    j = np.bitwise_count(nd - _U64(1)) >> np.uint8(3)           # the point's byte, 8 if none
    x = (x & _AFTER[j]) | ((x & _BEFORE[j]) << _U64(8))
    return _eight_digits(x).astype(np.float64) / _SCALE8[j], ok


def parse_decimals(w: np.ndarray, s: np.ndarray, e: np.ndarray):
    """ParseFloat of simple decimal tokens [s, e): ``(values, ok)``.

    A token is simple when it is an optional sign, then at most 16 characters of
    digits with at most one ``.`` and at least one digit, and the digits read as
    an integer M < 2**53; its value is M / 10**(digits after the point), exact
    operands and one rounding, as Go's ParseFloat.  ``ok`` is False elsewhere.
    Short unsigned tokens (most) are read one word each (:func:`_decimals8`).
    """
    vals, ok = _decimals8(w, s, e)
    rest = np.flatnonzero(~ok)
    if len(rest):
        v2, ok2 = _decimals16(w, s[rest], e[rest])
        vals[rest] = v2
        ok[rest] = ok2
    return vals, ok


def _decimals16(w: np.ndarray, s: np.ndarray, e: np.ndarray):
    """:func:`parse_decimals` for any token (sign, up to 16 characters), two words each."""
    first = w[s] & _U64(0xFF)                                   # byte at s
    signed = (first == 45) | (first == 43)                      # '-' or '+'
    s1 = s + signed
    n = e - s1
    fits = (n >= 1) & (n <= 16)
    lo, hi = _last16(w, s1, e)
    dlo, dhi = _bytes_equal(lo, 0x1E), _bytes_equal(hi, 0x1E)
    ndots = np.bitwise_count(dlo) + np.bitwise_count(dhi)
    ok = fits & (_non_digits(lo) == dlo) & (_non_digits(hi) == dhi) & (ndots <= 1) & (n > ndots)
    # the point's byte becomes a 0 digit; q = digits after the point
    lo &= ~((dlo >> _U64(7)) * _U64(0xFF))
    hi &= ~((dhi >> _U64(7)) * _U64(0xFF))
    big = (_eight_digits(lo) * _U64(100000000) + _eight_digits(hi)).view(np.int64)
    pos_lo = np.bitwise_count(dlo - _U64(1)).astype(np.int64) >> 3      # byte index of a '.'
    pos_hi = np.bitwise_count(dhi - _U64(1)).astype(np.int64) >> 3
    q = np.where(dhi != 0, 7 - pos_hi, np.where(dlo != 0, 15 - pos_lo, 0))
    q = np.where(ndots > 0, q, 0)
    # big = L*10**(q+1) + R with the 0 digit in between; M = L*10**q + R
    p0 = _POW10[q]
    mant = np.where(ndots > 0, big - (big // (p0 * 10)) * (9 * p0), big)
    ok &= mant < (1 << 53)
    vals = mant.astype(np.float64) / _POW10F[q]
    vals = np.where(first == 45, -vals, vals)
    return vals, ok


def parse_uints(w: np.ndarray, s: np.ndarray, e: np.ndarray):
    """Atoi of tokens [s, e) made of 1-16 ASCII digits: ``(values, ok)``."""
    n = e - s
    x = (w[e - 8] ^ _ZEROS) & _KEEP_HIGH[8 - np.clip(n, 0, 8)]
    vals = _eight_digits(x).view(np.int64)
    ok = (n >= 1) & (n <= 8) & (_non_digits(x) == 0)
    rest = np.flatnonzero(~ok)
    if len(rest):
        s, e, n = s[rest], e[rest], n[rest]
        lo, hi = _last16(w, s, e)
        ok[rest] = (n >= 1) & (n <= 16) & (_non_digits(lo) == 0) & (_non_digits(hi) == 0)
        vals[rest] = (_eight_digits(lo) * _U64(100000000) + _eight_digits(hi)).view(np.int64)
    return vals, ok


def _group_ids(words: list, n: np.ndarray):
    """Ids of equal byte strings, numbered in order of first appearance, and the first
    index of each id; None if two different strings collide (the caller falls back).

    The strings are given as zero-padded words and lengths; one 64-bit hash picks the
    groups, then every member is compared word for word with its group's first.
    """
    h = n.astype(np.uint64) * _U64(0x9E3779B97F4A7C15)
    for x in words:
        h = (h ^ x) * _U64(0xBF58476D1CE4E5B9)
        h ^= h >> _U64(31)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    rep = first[inv]
    if not (n[rep] == n).all():
        return None
    for x in words:
        if not (x[rep] == x).all():
            return None
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(first), dtype=np.int64)
    rank[order] = np.arange(len(first))
    return rank[inv], first[order]


def _slot_ids(h: np.ndarray, parts: tuple, bits: int = 16):
    """Ids of equal keys in order of first appearance, and each id's first index, for
    keys with few distinct values; None when two different keys share a slot.

    Each key's hash *h* picks one of 2**bits slots; the first key seen in a slot
    represents it, and every key must equal its representative in all *parts*
    (arrays that together are the key).  Linear time, no sort.
    """
    slot = (h * _U64(0xD6E8FEB86659FD93)) >> _U64(64 - bits)
    n = len(h)
    first = np.full(1 << bits, n, dtype=np.int64)
    first[slot[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)   # first occurrence wins
    rep = first[slot]
    for x in parts:
        if not (x[rep] == x).all():
            return None
    used = np.flatnonzero(first < n)
    used = used[np.argsort(first[used], kind="stable")]
    rank = np.zeros(1 << bits, dtype=np.int64)
    rank[used] = np.arange(len(used))
    return rank[slot], first[used]


def _strings(padded: bytes, s: np.ndarray, e: np.ndarray) -> list[str]:
    """The tokens [s, e) of the padded bytes as str (the data is ASCII here)."""
    return [padded[x:y].decode("ascii") for x, y in zip(s.tolist(), e.tolist())]


def _ids_by_dict(padded: bytes, s: np.ndarray, e: np.ndarray):
    """``(distinct strings, ids)`` of the tokens [s, e) of the padded bytes through a
    dict: the exact fallback when hashed grouping finds a collision."""
    index: dict[bytes, int] = {}
    ids = np.fromiter((index.setdefault(padded[x:y], len(index))
                       for x, y in zip(s.tolist(), e.tolist())),
                      dtype=np.int64, count=len(s))
    return [u.decode("ascii") for u in index], ids


#: spreads the 7 bits of an ASCII byte to bits 7, 15, ..., 55 (the high bits of the
#: first seven bytes of a word, zero in ASCII): copies of the byte shifted by 7k for
#: k = 0..8 never overlap, so the product carries nothing, and bit i of the byte lands
#: on bit 8i + 7 from copy k = i + 1 alone
_SPREAD7 = _U64(0x0002040810204081)
_HIGH7 = _U64(0x0080808080808080)


def _unit_ids(padded: bytes, w: np.ndarray, s: np.ndarray, e: np.ndarray):
    """Number unit tokens [s, e) of the padded bytes by their text, in order of first
    appearance.

    Returns ``(ids, strings)``.  Tokens of at most 9 bytes (almost all units) are
    keyed exactly by one word: the first 8 bytes, with the 7 bits of a ninth spread
    into their free high bits (ASCII, no zero byte: the key also fixes the length).
    Up to 16 bytes the key is (length, first 8 bytes, last 8 bytes).  Keys are
    grouped through a slot table (units: a handful); longer tokens, or two keys
    sharing a slot, go through a dict.
    """
    ln = e - s
    if len(s):
        longest = int(ln.max())
        got = None
        if longest <= 9:
            key = w[s] & _KEEP_LOW[np.minimum(ln, 8)]
            if longest == 9:
                ninth = (w[s + 1] >> _U64(56)) * (ln == 9)
                key |= (ninth * _SPREAD7) & _HIGH7
            got = _slot_ids(key, (key,), bits=10) or _slot_ids(key, (key,))
        elif longest <= 16:
            f8 = w[s] & _KEEP_LOW[np.minimum(ln, 8)]
            l8 = np.where(ln > 8, w[e - 8], _U64(0))
            h = f8 ^ (l8 * _U64(0x9E3779B97F4A7C15)) ^ (ln.astype(np.uint64) << _U64(59))
            got = _slot_ids(h, (f8, l8, ln))
        if got is not None:
            ids, first = got
            return ids, _strings(padded, s[first], e[first])
    strings, ids = _ids_by_dict(padded, s, e)
    return ids, strings


def _line_shapes(uid: np.ndarray, npairs: np.ndarray, strings: list[str]):
    """Each line's sequence of unit ids as a shape number (first appearance order) and
    the shapes as tuples of unit strings."""
    nl = len(npairs)
    offs = np.cumsum(npairs) - npairs
    code_of = np.empty(nl, dtype=np.int64)
    rep: list[int] = []          # a line of each provisional shape
    nd = max(len(strings), 1)
    counts = np.bincount(npairs)
    for k in np.flatnonzero(counts).tolist():
        lines = np.flatnonzero(npairs == k) if counts[k] < nl else np.arange(nl)
        if k == 0:
            inv, first = np.zeros(len(lines), dtype=np.int64), np.zeros(1, dtype=np.int64)
        elif nd ** k < 2 ** 62:
            o = offs[lines]
            code = uid[o]
            for j in range(1, k):
                code = code * nd + uid[o + j]
            _, first, inv = dense_unique(code)
        else:
            m = uid[offs[lines][:, None] + np.arange(k)]
            index: dict[tuple, int] = {}
            inv = np.fromiter((index.setdefault(t, len(index)) for t in map(tuple, m.tolist())),
                              dtype=np.int64, count=len(lines))
            first = np.full(len(index), len(lines), dtype=np.int64)
            np.minimum.at(first, inv, np.arange(len(lines)))
        code_of[lines] = len(rep) + inv
        rep.extend(lines[first].tolist())
    # renumber by first appearance
    firsts = np.asarray(rep, dtype=np.int64)     # each provisional shape's first line
    order = np.argsort(firsts, kind="stable")
    rank = np.empty(len(rep), dtype=np.int64)
    rank[order] = np.arange(len(rep))
    shapes = []
    for j in order.tolist():
        li = rep[j]
        o = int(offs[li])
        shapes.append(tuple(strings[x] for x in uid[o:o + int(npairs[li])].tolist()))
    return rank[code_of], shapes


def _names(padded: bytes, w: np.ndarray, s: np.ndarray, e: np.ndarray):
    """Distinct names (bytes [s, e) of the padded data), in order of first appearance,
    and each line's index into them."""
    n = e - s
    nmax = int(n.max()) if len(n) else 0
    got = None
    if nmax <= 256:
        last = len(w) - 1
        words = [w[np.minimum(s + 8 * j, last)] & _KEEP_LOW[np.clip(n - 8 * j, 0, 8)]
                 for j in range((nmax + 7) // 8)]
        got = _group_ids(words, n)
    if got is None:
        return _ids_by_dict(padded, s, e)
    ids, first = got
    return _strings(padded, s[first], e[first]), ids


#: Bytes of whole lines scanned at a time.  A part's temporaries (a few times its
#: size) are reused from one part to the next: scanning a 9 MB file whole touched
#: about 2.5 times as many fresh pages, and a fresh page costs ~3 µs on the project's
#: VMs (case B of benchmarks/bench_gobench.py: 0.18-0.30 s → 0.14-0.19 s for two files).
PART_BYTES = 1 << 20


def scan(data: bytes, part_bytes: int = PART_BYTES) -> ScanResult | None:
    """The simple result lines of UTF-8 *data* (``bytes``, or any buffer with
    ``find``, e.g. an ``mmap``), read vectorised; None when there is no
    ``Benchmark`` in it (the whole file is for the line reader then).

    The data is scanned in parts of about *part_bytes* bytes of whole lines
    (:data:`PART_BYTES`); names, units and shapes are then numbered across the
    parts in order of first appearance.
    """
    if len(data) == 0 or data.find(b"Benchmark") < 0:
        return None
    return _merge([_scan_part(data, a, z) for a, z in _parts(data, part_bytes)])


def _parts(data: bytes, size: int) -> list[tuple[int, int]]:
    """``(start, end)`` byte ranges of about *size* bytes of whole lines covering *data*."""
    out = []
    a, n = 0, len(data)
    while a < n:
        z = data.find(b"\n", min(a + max(size, 1), n) - 1)
        z = n if z < 0 else z + 1
        out.append((a, z))
        a = z
    return out


class _PartScan(NamedTuple):
    """What :func:`_scan_part` read in the whole lines ``data[offset:...]``, in the
    part's own numbering: 0-based line indices, byte offsets from ``offset``, names
    and shapes numbered in order of first appearance in the part."""

    offset: int
    line_start: np.ndarray
    line_end: np.ndarray
    res_line: np.ndarray        # indices of the lines read here, ascending
    names: list
    name_id: np.ndarray
    shapes: list
    shape_of_line: np.ndarray
    iters: np.ndarray
    values: np.ndarray


class _ResultLines(NamedTuple):
    """Result lines of a good shape in a part, by token: token *t* of the part is
    ``[tok_start[t], tok_end[t])`` of the padded bytes; a line's first token is its
    ``Benchmark`` name, the next its iteration count, then ``npairs`` value/unit pairs
    (``value_token`` lists the value tokens of all lines, line after line)."""

    line: np.ndarray
    first_token: np.ndarray
    npairs: np.ndarray
    value_token: np.ndarray
    tok_start: np.ndarray
    tok_end: np.ndarray

    def subset(self, keep: np.ndarray) -> "_ResultLines":
        """The lines where the boolean *keep* is True."""
        return self._replace(line=self.line[keep], first_token=self.first_token[keep],
                             npairs=self.npairs[keep],
                             value_token=self.value_token[np.repeat(keep, self.npairs)])


def _scan_part(data: bytes, a: int, z: int) -> _PartScan:
    """Scan the whole lines ``data[a:z]``.

    The vectorised readers take ASCII only, and bytes <= 32 as white space: a
    line starting with ``Benchmark`` that holds a non-ASCII byte, or a control
    character other than Go's ASCII white space, is left to the line reader.
    """
    padded = _padded(data, a, z)
    bx, w = _words(padded)
    line_start, line_end = _line_bounds(bx[_PAD:_PAD + z - a])
    bench = _benchmark_lines(bx, w, line_start, line_end)
    if not padded.isascii() or padded.translate(None, _ALLOWED):
        bench = np.setdiff1d(bench, _lines_with_odd_bytes(bx[_PAD:_PAD + z - a], line_start))
    lines = _result_lines(bx, line_start, line_end, bench)
    iters, values, line_ok = _read_numbers(padded, w, lines)
    if not line_ok.all():
        # rare: a token the exact parser rejects (out of range, malformed): its line
        # is left to the line reader, which reports it; the other lines stay here
        iters, values = iters[line_ok], values[np.repeat(line_ok, lines.npairs)]
        lines = lines.subset(line_ok)
    if len(lines.line) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return _PartScan(a, line_start, line_end, empty, [], empty, [], empty, empty,
                         np.zeros(0))
    first = lines.first_token
    names, name_id = _names(padded, w, lines.tok_start[first] + 9, lines.tok_end[first])
    unit_token = lines.value_token + 1
    uid, ustrings = _unit_ids(padded, w, lines.tok_start[unit_token], lines.tok_end[unit_token])
    shape_of_line, shapes = _line_shapes(uid, lines.npairs, ustrings)
    return _PartScan(a, line_start, line_end, lines.line, names, name_id, shapes,
                     shape_of_line, iters, values)


_ALLOWED_BYTE = np.zeros(256, dtype=bool)
_ALLOWED_BYTE[np.frombuffer(_ALLOWED, dtype=np.uint8)] = True


def _lines_with_odd_bytes(b: np.ndarray, line_start: np.ndarray) -> np.ndarray:
    """Indices of the lines of the bytes *b* that hold a byte outside ``_ALLOWED``."""
    odd = np.flatnonzero(~_ALLOWED_BYTE[b])
    return np.unique(np.searchsorted(line_start, odd, side="right") - 1)


def _line_bounds(b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byte offsets where each line of the bytes *b* starts and ends (``\\n`` excluded)."""
    n = len(b)
    nl = np.flatnonzero(b == 10)
    line_start = np.concatenate(([0], nl + 1))
    if line_start[-1] >= n:
        line_start = line_start[:-1]
    line_end = np.concatenate((nl, [n]))[:len(line_start)]
    return line_start, line_end


def _benchmark_lines(bx: np.ndarray, w: np.ndarray, line_start: np.ndarray,
                     line_end: np.ndarray) -> np.ndarray:
    """Indices of the lines starting with ``Benchmark``."""
    cand = np.flatnonzero(line_end - line_start >= 9)
    starts = line_start[cand] + _PAD
    return cand[(w[starts] == _BENCHMAR) & (bx[starts + 8] == _PREFIX[8])]


def _result_lines(bx: np.ndarray, line_start: np.ndarray, line_end: np.ndarray,
                  bench: np.ndarray) -> _ResultLines:
    """The lines of *bench* that have an even number >= 4 of fields (the others are
    malformed or a bare name: the line reader reports or skips them)."""
    edges = _tokens(bx)
    # a result line starts a token; the tokens before its end are the starts before it
    first = np.searchsorted(edges, line_start[bench] + _PAD) >> 1
    ntok = ((np.searchsorted(edges, line_end[bench] + _PAD) + 1) >> 1) - first
    good = (ntok >= 4) & (ntok % 2 == 0)
    lines, first, npairs = bench[good], first[good], (ntok[good] - 2) // 2
    within = np.arange(int(npairs.sum())) - np.repeat(np.cumsum(npairs) - npairs, npairs)
    value_token = np.repeat(first, npairs) + 2 + 2 * within
    return _ResultLines(lines, first, npairs, value_token, edges[0::2], edges[1::2])


def _read_numbers(padded: bytes, w: np.ndarray, lines: _ResultLines):
    """``(iters, values, line_ok)``: iteration counts (int64) and values (float64) of
    *lines*, vectorised where the token is simple and by the exact scalar parsers
    (Go's Atoi, ParseFloat) otherwise; ``line_ok`` is False for a line with a token
    the exact parser rejects."""
    s, e = lines.tok_start[lines.first_token + 1], lines.tok_end[lines.first_token + 1]
    iters, iters_ok = parse_uints(w, s, e)
    _parse_left_exactly(padded, iters, iters_ok, s, e, parse_int)
    s, e = lines.tok_start[lines.value_token], lines.tok_end[lines.value_token]
    values, values_ok = parse_decimals(w, s, e)
    _parse_left_exactly(padded, values, values_ok, s, e, parse_float)
    line_ok = iters_ok
    if not values_ok.all():
        line_of_value = np.repeat(np.arange(len(lines.npairs)), lines.npairs)
        line_ok[line_of_value[~values_ok]] = False
    return iters, values, line_ok


def _parse_left_exactly(padded: bytes, values: np.ndarray, ok: np.ndarray, s: np.ndarray,
                        e: np.ndarray, parse) -> None:
    """Parse the tokens [s, e) of the padded bytes that the vectorised reader left
    (``~ok``) with the exact scalar parser *parse*, in place, setting ``ok`` where it
    succeeds (a token it rejects, malformed or out of range, stays ``~ok``)."""
    left = np.flatnonzero(~ok)
    for i, x, y in zip(left.tolist(), s[left].tolist(), e[left].tolist()):
        v = parse(padded[x:y].decode("ascii"))
        if not isinstance(v, str):
            values[i] = v
            ok[i] = True


def _merge(parts: list[_PartScan]) -> ScanResult:
    """One :class:`ScanResult` for the whole data from its parts (in order): line
    numbers, offsets, names and shapes made global, the per-line arrays kept in parts."""
    out = ScanResult()
    name_index: dict[str, int] = {}
    shape_index: dict[tuple, int] = {}
    starts, ends, res_line = [], [], []
    out.name_id, out.shape_of_line, out.iters, out.values = [], [], [], []
    line0 = 0
    for p in parts:
        starts.append(p.line_start + p.offset)
        ends.append(p.line_end + p.offset)
        res_line.append(p.res_line + line0 + 1)
        global_name = np.array([name_index.setdefault(x, len(name_index)) for x in p.names]
                               or [0], dtype=np.int64)
        global_shape = np.array([shape_index.setdefault(x, len(shape_index)) for x in p.shapes]
                                or [0], dtype=np.int64)
        out.name_id.append(global_name[p.name_id])
        out.shape_of_line.append(global_shape[p.shape_of_line])
        out.iters.append(p.iters)
        out.values.append(p.values)
        line0 += len(p.line_start)
    out.line_bounds = (np.concatenate(starts), np.concatenate(ends))
    out.res_line = np.concatenate(res_line)
    out.names, out.shapes = list(name_index), list(shape_index)
    return out
