"""Vectorised scanning of well-formed benchmark result lines.

Big benchmark files are millions of tokens; making a Python string of each
token is what costs.  This module tokenises a whole file with numpy instead and
extracts, for every *simple* result line (ASCII, starts with ``Benchmark``, an
even number >= 4 of fields, a decimal iteration count, value tokens made of
``0-9 . e E + -``), its name, iteration count, values and unit signature.

Lines it cannot vouch for are reported back so the exact per-line parser in
:mod:`gobench.read.benchfmt` handles them; if any of those could be a result
line, the caller re-parses the whole file line by line (order of results must
be kept).  The two paths produce identical results by construction: the fast
path only accepts lines whose parse is unambiguous.
"""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["scan"]

_PREFIX = np.frombuffer(b"Benchmark", dtype=np.uint8)
_WS = np.zeros(256, dtype=bool)
_WS[[9, 10, 11, 12, 13, 32]] = True
_NUMCH = np.zeros(256, dtype=bool)
_NUMCH[np.frombuffer(b"0123456789.eE+-", dtype=np.uint8)] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[np.frombuffer(b"0123456789", dtype=np.uint8)] = True
_ALLOWED = b"\t\n\v\f\r " + bytes(range(33, 128))


class ScanResult:
    """Arrays for the fast lines and the line numbers left to the slow parser."""

    __slots__ = ("line_bounds", "res_line", "names", "iters", "nvals", "shape_of_line", "shapes",
                 "values", "slow_lines", "slow_may_be_result")


def _gather(bx, s, e, sep=None):
    """Concatenate byte ranges [s, e) of *bx*, each followed by one separator byte.

    Without *sep* the separator is the byte at ``e`` itself (white space after a
    token, or the padding byte appended at the end of the data).
    """
    # 32-bit offsets halve the memory traffic of the index arrays (files < 2 GiB)
    itype = np.int32 if len(bx) < 2 ** 31 else np.int64
    lens1 = (e - s + 1).astype(itype)
    ends = np.cumsum(lens1, dtype=itype)
    out_pos = ends - lens1
    idx = np.repeat((s - out_pos).astype(itype), lens1)
    idx += np.arange(int(ends[-1]) if len(ends) else 0, dtype=itype)
    buf = bx[idx]
    if sep is not None:
        buf[ends - 1] = sep
    return buf


def _tokens(b: np.ndarray):
    """Start and end offsets of every run of non-white-space bytes (bytes > 32)."""
    isws = b <= 32
    tok = ~isws
    tok_start = np.flatnonzero(tok[1:] & isws[:-1]) + 1
    tok_end = np.flatnonzero(isws[1:] & tok[:-1]) + 1
    if tok[0]:
        tok_start = np.concatenate(([0], tok_start))
    if tok[-1]:
        tok_end = np.concatenate((tok_end, [len(b)]))
    return tok_start, tok_end


_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _token_ids(bx: np.ndarray, text: str, s: np.ndarray, e: np.ndarray):
    """Number tokens ``text[s:e]`` by their text, in order of first appearance.

    Returns ``(ids, strings)``.  Tokens of at most 16 bytes are compared exactly
    as (length, first 8 bytes, last 8 bytes) integers, one distinct token at a
    time (units: a handful); otherwise the token strings are looked up in a dict.
    """
    n = len(s)
    ln = e - s
    if n and int(ln.max()) <= 16:
        win = np.lib.stride_tricks.as_strided(bx, shape=(len(bx) - 7, 8), strides=(1, 1))
        f8 = win[s].view("<u8").ravel() & _LOW_BYTES[np.minimum(ln, 8)]
        l8 = np.zeros(n, dtype=np.uint64)
        long_ = np.flatnonzero(ln > 8)
        l8[long_] = win[e[long_] - 8].view("<u8").ravel()
        # one number per token picks each distinct token's group; every group is then
        # checked member by member against its first token (exact, or the dict path)
        h = f8 ^ (l8 * np.uint64(0x9E3779B97F4A7C15)) ^ (ln.astype(np.uint64) << np.uint64(59))
        ids = np.full(n, -1, dtype=np.int64)
        strings: list[str] = []
        i = 0
        while len(strings) < 64:
            same = h == h[i]
            sel = np.flatnonzero(same)
            if not ((f8[sel] == f8[i]).all() and (ln[sel] == ln[i]).all()
                    and (l8[sel] == l8[i]).all()):
                break  # two different tokens share h: use the dict
            ids[sel] = len(strings)
            strings.append(text[int(s[i]):int(e[i])])
            i = int(ids.argmin())
            if ids[i] >= 0:
                return ids, strings
    index: dict[str, int] = {}
    ids = np.fromiter((index.setdefault(text[a:b], len(index))
                       for a, b in zip(s.tolist(), e.tolist())), dtype=np.int64, count=n)
    return ids, list(index)


def _line_shapes(uid: np.ndarray, npairs: np.ndarray, strings: list[str]):
    """Each line's sequence of unit ids as a shape number (first appearance order) and
    the shapes as tuples of unit strings."""
    nl = len(npairs)
    offs = np.cumsum(npairs) - npairs
    code_of = np.empty(nl, dtype=np.int64)
    rep: list[int] = []          # a line of each provisional shape
    nd = max(len(strings), 1)
    for k in np.unique(npairs).tolist():
        lines = np.flatnonzero(npairs == k)
        m = uid[offs[lines][:, None] + np.arange(k)]
        if k == 0:
            inv, first = np.zeros(len(lines), dtype=np.int64), np.zeros(1, dtype=np.int64)
        elif nd ** k < 2 ** 62:
            code = m @ (nd ** np.arange(k, dtype=np.int64))
            _, first, inv = np.unique(code, return_index=True, return_inverse=True)
        else:
            index: dict[tuple, int] = {}
            inv = np.fromiter((index.setdefault(t, len(index)) for t in map(tuple, m.tolist())),
                              dtype=np.int64, count=len(lines))
            first = np.unique(inv, return_index=True)[1]
        code_of[lines] = len(rep) + inv.reshape(-1)
        rep.extend(lines[first].tolist())
    # renumber by first appearance
    firsts = np.full(len(rep), nl, dtype=np.int64)
    np.minimum.at(firsts, code_of, np.arange(nl))
    order = np.argsort(firsts, kind="stable")
    rank = np.empty(len(rep), dtype=np.int64)
    rank[order] = np.arange(len(rep))
    shapes = []
    for j in order.tolist():
        li = rep[j]
        o = int(offs[li])
        shapes.append(tuple(strings[x] for x in uid[o:o + int(npairs[li])].tolist()))
    return rank[code_of], shapes


def scan(data: bytes, text: str | None = None) -> ScanResult | None:
    """Scan UTF-8 *data* (*text* is its decoded form, if at hand); None if no line starts
    with ``Benchmark``."""
    n = len(data)
    if n == 0 or b"Benchmark" not in data:
        return None
    b = np.frombuffer(data, dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    line_start = np.concatenate(([0], nl + 1))
    if line_start[-1] >= n:
        line_start = line_start[:-1]
    nlines = len(line_start)
    line_end = np.concatenate((nl, [n]))[:nlines]
    cand = np.flatnonzero(line_end - line_start >= 9)
    starts = line_start[cand]
    is_res = b[starts] == _PREFIX[0]
    for i in range(1, 9):
        is_res &= b[starts + i] == _PREFIX[i]
    res_lines = cand[is_res]
    if len(res_lines) == 0:
        return None
    out = ScanResult()
    out.line_bounds = (line_start, line_end)
    # odd bytes (non-ASCII, control characters other than Go's ASCII white space)
    # make the whole file go through the exact line parser
    if not data.isascii() or data.translate(None, _ALLOWED):
        return _all_slow(out, res_lines)
    if text is None:
        text = data.decode("ascii")
    tok_start, tok_end = _tokens(b)
    # first token and number of tokens of each result line
    ls, le = line_start[res_lines], line_end[res_lines]
    ft = np.searchsorted(tok_start, ls)
    nt = np.searchsorted(tok_start, le) - ft
    shape_ok = (nt >= 4) & (nt % 2 == 0)
    ok_lines = res_lines[shape_ok]
    ft, cnt = ft[shape_ok], nt[shape_ok]
    npairs = (cnt - 2) // 2
    total = int(npairs.sum())
    within = np.arange(total) - np.repeat(np.cumsum(npairs) - npairs, npairs)
    vtok = np.repeat(ft, npairs) + 2 + 2 * within
    # iteration counts
    it_s, it_e = tok_start[ft + 1], tok_end[ft + 1]
    if ((it_e - it_s) > 18).any():
        return _all_slow(out, res_lines)
    bx = np.concatenate((b, np.full(8, 32, dtype=np.uint8)))
    ib = _gather(bx, it_s, it_e)
    if not (_DIGIT | _WS)[ib].all():
        return _all_slow(out, res_lines)
    vb = _gather(bx, tok_start[vtok], tok_end[vtok])
    if not (_NUMCH | _WS)[vb].all():
        return _all_slow(out, res_lines)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            values = np.fromstring(vb.tobytes(), dtype=np.float64, sep=" ")
            iters = np.fromstring(ib.tobytes(), dtype=np.int64, sep=" ")
    except (ValueError, DeprecationWarning):
        return _all_slow(out, res_lines)
    if len(values) != total or len(iters) != len(ok_lines):
        return _all_slow(out, res_lines)
    out.names = [text[a:z] for a, z in zip((tok_start[ft] + 9).tolist(), tok_end[ft].tolist())]
    uid, ustrings = _token_ids(bx, text, tok_start[vtok + 1], tok_end[vtok + 1])
    out.shape_of_line, out.shapes = _line_shapes(uid, npairs, ustrings)
    out.res_line = ok_lines + 1
    out.iters = iters
    out.nvals = npairs
    out.values = values
    out.slow_lines = res_lines[~shape_ok] + 1
    out.slow_may_be_result = False
    return out


def _all_slow(out, res_lines):
    out.res_line = None
    out.slow_lines = res_lines + 1
    out.slow_may_be_result = True
    return out
