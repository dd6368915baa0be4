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

    __slots__ = ("line_bounds", "res_line", "names", "iters", "nvals", "sigs", "values", "slow_lines",
                 "slow_may_be_result")


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


def scan(data: bytes) -> ScanResult | None:
    """Scan UTF-8 *data*; None if no line starts with ``Benchmark``."""
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
    ws = (b <= 32).view(np.int8)
    d = np.diff(ws)
    t = np.flatnonzero(d)          # every white-space/token boundary
    up = d[t] == -1                # white space → token: a token starts at t+1
    tok_start = t[up] + 1
    tok_end = t[~up] + 1
    if not ws[0]:
        tok_start = np.concatenate(([0], tok_start))
    if not ws[-1]:
        tok_end = np.concatenate((tok_end, [n]))
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
    bx = np.concatenate((b, np.array([32], dtype=np.uint8)))
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
    nb = _gather(bx, tok_start[ft] + 9, tok_end[ft], 10)
    out.names = nb.tobytes().decode("ascii").split("\n")[:-1]
    sep = np.full(total, 32, dtype=np.uint8)
    sep[(np.cumsum(npairs) - 1)[npairs > 0]] = 10
    ub = _gather(bx, tok_start[vtok + 1], tok_end[vtok + 1], sep)
    out.sigs = ub.tobytes().decode("ascii").split("\n")[:-1]
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
