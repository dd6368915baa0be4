"""The texts of every cell of a run at once: center, ``±`` range, delta and note.

Same strings as the per-value functions benchstat's text output is built from
(:meth:`gobench.units.Scaler.format` after :func:`gobench.units.common_scale`
over a row, :func:`gobench.stats.summary.pct_range_string`,
:func:`gobench.stats.summary.format_delta`, :meth:`Comparison.note`), with the
arithmetic done by numpy over all cells (the same IEEE operations) and each
distinct format applied with one ``map``.

Every result is a numpy object array indexed by cell id with one extra slot at
the end holding ``None``, so ``texts[grid_column]`` gives ``None`` for the
missing cells (``-1`` in a table's grid).

With ``GOPHERLAB_ENGINE=reference`` (:func:`gopherlab_common.engine.reference_engine`)
the texts come from the plain :func:`gobench.present.cellstr_reference.cell_texts`
instead, which formats one cell at a time with those per-value functions.
"""
from __future__ import annotations

import numpy as np

from gopherlab_common.engine import reference_engine

from .._arrays import distinct
from ..units import _IEC, _SI, _SIGFIGS, BINARY, class_of
from . import cellstr_reference
from .gofmt import go_pct_delta

__all__ = ["CellTexts"]


def _put(out: np.ndarray, idx: np.ndarray, strs: list) -> None:
    tmp = np.empty(len(strs), dtype=object)
    tmp[:] = strs
    out[idx] = tmp


def _row_min_nonzero(c: np.ndarray, row_starts: np.ndarray) -> np.ndarray:
    """benchunit.CommonScale's smallest non-zero magnitude of each row (NaN if met first)."""
    a = np.abs(c)
    nz = a != 0
    mn = np.minimum.reduceat(np.where(nz, a, np.inf), row_starts)
    mn[np.add.reduceat(nz.astype(np.int64), row_starts) == 0] = 0.0
    if np.isnan(a).any():  # the scalar rule: a NaN counts only as the first non-zero value
        ends = np.append(row_starts[1:], len(c))
        for r in np.flatnonzero(np.isnan(mn)).tolist():
            m = 0.0
            for v in a[row_starts[r]:ends[r]].tolist():
                if v != 0 and (m == 0 or v < m):
                    m = v
            mn[r] = m
    return mn


def _scalers(mn: np.ndarray, factors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(decimals, factor, prefix index) per row, as :func:`gobench.units.common_scale`."""
    n = len(mn)
    prec = np.full(n, 3, dtype=np.int64)
    fac = np.ones(n)
    pre = np.full(n, -1, dtype=np.int64)   # -1: no prefix (all zero)
    done = mn == 0
    for j, (f, _, t100, t10, t1) in enumerate(factors):
        for thr, p in ((t100, 1), (t10, 2), (t1, 3)):
            hit = ~done & (mn >= thr)
            prec[hit], fac[hit], pre[hit] = p, f, j
            done |= hit
    if not done.all():
        last = len(factors) - 1
        f = factors[last][0]
        rest = np.flatnonzero(~done)
        val = mn[rest] / f
        dec = np.full(len(rest), len(_SIGFIGS) - 1 + 3, dtype=np.int64)
        got = np.zeros(len(rest), dtype=bool)
        for i, thresh in enumerate(_SIGFIGS[:-1]):
            hit = ~got & (val >= thresh)
            dec[hit] = i + 3
            got |= hit
        prec[rest], fac[rest], pre[rest] = dec, f, last
    return prec, fac, pre


class CellTexts:
    """Texts of all cells of the tables of one run (see module docstring).

    Attributes
    ----------
    center, pct, delta, note : ndarray of object, shape (cells + 1,)
        By cell id: the scaled center (``"1.234µ"``), the ``±`` range (``"5%"``),
        the delta against the baseline (``"+3.10%"``, ``"~"``) and the note
        (``"(p=0.002 n=8)"``); the last slot, and the delta and note of a cell
        without a baseline, are ``None``.
    wclass_s, wclass_c : ndarray of int64, shape (cells + 1,)
        Warning class of each cell's sample and summary warnings, and of its
        comparison's (0: none).
    wmsgs_s, wmsgs_c : list of tuple of str
        The messages of each warning class.
    """

    def __init__(self, tables):
        if reference_engine():
            vars(self).update(cellstr_reference.cell_texts(tables))
            return
        if not tables:
            self.center = self.pct = self.delta = self.note = np.array([None], dtype=object)
            self.wclass_s = self.wclass_c = np.zeros(1, dtype=np.int64)
            self.wmsgs_s = self.wmsgs_c = [()]
            return
        d = tables[0].data
        n = len(d.center)
        self._warning_classes(d, n)
        self.center = self._centers(tables, d, n)
        self.pct = self._pcts(d, n)
        self.delta, self.note = self._comparisons(tables, d, n)

    def _warning_classes(self, d, n):
        """Number each cell's warnings: ``wclass_s`` for the sample and summary warnings,
        ``wclass_c`` for the comparison's (0: none; the extra slot is a missing cell);
        ``wmsgs_s[i]``/``wmsgs_c[i]`` are the messages of class *i*, in order."""
        for attr, maps in (("s", (d.sample_warn, d.warn)), ("c", (d.cmp_warn,))):
            cls = np.zeros(n + 1, dtype=np.int64)
            msgs: list[tuple] = [()]
            index: dict[tuple, int] = {}
            cells = sorted(set().union(*maps))
            for ci in cells:
                key = tuple(m for w in maps for m in w.get(ci, ()))
                if key:
                    cls[ci] = index.setdefault(key, len(index) + 1)
            msgs.extend(index)
            setattr(self, "wclass_" + attr, cls)
            setattr(self, "wmsgs_" + attr, msgs)

    @staticmethod
    def _centers(tables, d, n):
        order, rs = d.order, d.row_starts
        c = d.center[order]
        mn = _row_min_nonzero(c, rs)
        binary = np.zeros(len(rs), dtype=bool)
        for t in tables:
            if class_of(t.unit) == BINARY:
                binary[t.row0:t.row0 + len(t.rows)] = True
        prec = np.empty(len(rs), dtype=np.int64)
        fac = np.empty(len(rs))
        pre = np.empty(len(rs), dtype=np.int64)
        names = {}
        for flag, factors, tag in ((False, _SI, 0), (True, _IEC, 1)):
            sel = np.flatnonzero(binary == flag)
            if len(sel):
                p_, f_, x_ = _scalers(mn[sel], factors)
                prec[sel], fac[sel] = p_, f_
                pre[sel] = np.where(x_ < 0, -1, x_ + 100 * tag)
                for j, fx in enumerate(factors):
                    names[j + 100 * tag] = fx[1]
        lens = np.diff(np.append(rs, len(order)))
        prec_c, fac_c, pre_c = np.repeat(prec, lens), np.repeat(fac, lens), np.repeat(pre, lens)
        with np.errstate(all="ignore"):
            v = c / fac_c
        out = np.empty(n + 1, dtype=object)
        finite = np.isfinite(v)
        combo = prec_c * 1000 + (pre_c + 1)
        for key in distinct(combo[finite]).tolist():
            p_, x_ = divmod(key, 1000)
            prefix = names.get(x_ - 1, "")
            idx = np.flatnonzero(finite & (combo == key))
            fmt = "{:.%df}%s" % (p_, prefix.replace("{", "{{").replace("}", "}}"))
            _put(out, order[idx], list(map(fmt.format, v[idx].tolist())))
        for i in np.flatnonzero(~finite).tolist():
            x, prefix = v[i], names.get(int(pre_c[i]), "")
            s = "NaN" if x != x else ("+Inf" if x > 0 else "-Inf")
            out[order[i]] = s + prefix
        return out

    @staticmethod
    def _pcts(d, n):
        c, lo, hi = d.center, d.lo, d.hi
        out = np.empty(n + 1, dtype=object)
        inf = np.isinf(lo) | np.isinf(hi)
        pos, neg = c > 0, c < 0
        other = ~pos & ~neg
        q = ~inf & ((pos & ~((lo > 0) & (hi > 0))) | (neg & ~((lo < 0) & (hi < 0)))
                    | (other & ((lo != 0) & ~np.isnan(lo) | (hi != 0) & ~np.isnan(hi))))
        zero = ~inf & ~q & (c == 0)
        with np.errstate(all="ignore"):
            a = hi / c - 1
            b = 1 - lo / c
            v = np.where(b > a, b, a)
            v100 = 100 * v
        nan = ~inf & ~q & ~zero & np.isnan(v)
        ok = ~(inf | q | zero | nan)
        idx = np.flatnonzero(ok)
        _put(out, idx, list(map("{:.0f}%".format, v100[idx].tolist())))
        for mask, text in ((inf, "∞"), (q, "?"), (zero, "0%"), (nan, "NaN%")):
            out[:n][mask] = text
        for i in idx[np.isinf(v100[idx])].tolist():    # Go's %.0f: +Inf, -Inf
            out[i] = "+Inf%" if v100[i] > 0 else "-Inf%"
        return out

    @staticmethod
    def _comparisons(tables, d, n):
        delta = np.empty(n + 1, dtype=object)
        note = np.empty(n + 1, dtype=object)
        has = np.flatnonzero(d.base >= 0)
        if not len(has):
            return delta, note
        exact = np.zeros(n, dtype=bool)
        for t in tables:
            if t.assumption == "exact":
                g = t.grid[t.grid >= 0]
                exact[g] = True
        alpha = tables[0].alpha
        p = d.p[has]
        new = d.center[has]
        old = d.center[d.base[has]]
        noisy = p > np.where(exact[has], 0.0, alpha)
        same = ~noisy & (old == new)
        zero = ~noisy & ~same & (old == 0)
        rest = ~(noisy | same | zero)
        with np.errstate(all="ignore"):
            pct = (new / old - 1.0) * 100.0
        idx = np.flatnonzero(rest)
        _put(delta, has[idx], list(map("{:+.2f}%".format, pct[idx].tolist())))
        for i in idx[~np.isfinite(pct[idx])].tolist():     # Go spells +Inf, -Inf, +NaN
            delta[has[i]] = go_pct_delta(float(pct[i]))
        for mask, text in ((noisy, "~"), (same, "0.00%"), (zero, "?")):
            delta[has[mask]] = text
        n1 = d.counts[d.base[has]].tolist()
        n2 = d.counts[has].tolist()
        pl = p.tolist()
        notes = list(map("(p={:0.3f} n={})".format, pl, n1))    # the usual case
        odd = np.flatnonzero((p == 0) | (d.counts[d.base[has]] != d.counts[has])).tolist()
        for i in odd:
            pv, a, b = pl[i], n1[i], n2[i]
            s = f"(p={pv:0.3f} " if pv != 0 else "("
            notes[i] = s + (f"n={a})" if a == b else f"n={a}+{b})")
        _put(note, has, notes)
        return delta, note
