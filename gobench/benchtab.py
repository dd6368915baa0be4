"""benchstat's tables: project results into cells, summarise and compare them.

Pipeline (as ``cmd/benchstat``): filter measurements → project each onto a table
key (``-table`` fields plus ``.unit``), a row key and a column key → each cell's
values form a sample → per-cell summary (median and CI, or exact) and, for every
column but the first, a comparison with the first column's cell of the same row →
per-column geomean row.  Rows, columns and tables are sorted with benchproc's
orders.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._arrays import dense_unique, distinct

from .errors import QuerySyntaxError
from .project.filter import compile_filter
from .project.keys import ResultClass, sort_order
from .project.projection import Projection, ProjectionParser
from .read.benchfmt import Results
from .stats.batch import group_sorted_values, medians_and_cis, sorted_by_slots, utests
from .stats.median import min_samples_for_ci
from .stats.summary import Comparison, geomeans_flat, pct_range_string, summarize
from .stats.utest import min_samples_for_utest
from .present.gofmt import go_float

__all__ = ["Cell", "CellData", "ColumnSummary", "Table", "Tables", "Query", "build_tables"]


class Cell:
    """One cell: its summary (``center``, ``lo``, ``hi``, ``confidence``,
    ``warnings``), and the ``comparison`` with its ``baseline`` cell.

    A cell is its own :class:`~gobench.stats.summary.Summary`-like object
    (``cell.summary`` is the cell), which saves an object per cell in big runs.
    ``index`` locates its sorted values in the owning :class:`Table`
    (:meth:`Table.values_of`).  Warning lists may be empty tuples (shared, immutable).
    """

    __slots__ = ("center", "lo", "hi", "confidence", "warnings", "sample_warnings", "baseline",
                 "comparison", "index")

    def __init__(self, center: float, lo: float, hi: float, confidence: float,
                 warnings: list[str], index: int = -1):
        self.center, self.lo, self.hi, self.confidence = center, lo, hi, confidence
        self.warnings = warnings
        self.sample_warnings: tuple[str, ...] | list[str] = ()
        self.baseline: Cell | None = None
        self.comparison: Comparison | None = None
        self.index = index

    @property
    def summary(self) -> "Cell":
        return self

    def pct_range(self) -> str:
        """The ``±`` text (see :func:`~gobench.stats.summary.pct_range_string`)."""
        return pct_range_string(self.center, self.lo, self.hi)


@dataclass
class ColumnSummary:
    """The geomean cell of a column: geomean of centers, and of ratios to the baseline."""

    has_summary: bool = False
    summary: float = math.nan
    has_ratio: bool = False
    ratio: float = math.nan
    warnings: list[str] = field(default_factory=list)


class CellData:
    """Every cell of a run, column-wise (arrays indexed by cell id).

    ``values[starts[i]:starts[i] + counts[i]]`` is cell *i*'s sorted sample;
    ``center``/``lo``/``hi`` its summary; ``base`` its baseline cell (-1 for
    none); ``p``/``equal`` the U test against the baseline (p = 0 for exact
    units).  Warnings are sparse: ``sample_warn`` (residue), ``warn`` (summary)
    and ``cmp_warn`` (comparison) map a cell id to its list of messages.
    ``order`` lists the cells by table, row and column; ``row_starts`` are the
    positions in ``order`` where a table row begins.
    """

    __slots__ = ("values", "starts", "counts", "center", "lo", "hi", "base", "p", "equal",
                 "sample_warn", "warn", "cmp_warn", "order", "row_starts")

    def __init__(self, values, starts, counts, center, lo, hi, base, p, equal, sample_warn,
                 warn, cmp_warn, order, row_starts):
        self.values, self.starts, self.counts = values, starts, counts
        self.center, self.lo, self.hi = center, lo, hi
        self.base, self.p, self.equal = base, p, equal
        self.sample_warn, self.warn, self.cmp_warn = sample_warn, warn, cmp_warn
        self.order, self.row_starts = order, row_starts


class Table:
    """One benchstat table (one table key, one unit).

    ``rows``/``cols`` are the sorted row and column keys; ``grid[ri, cj]`` is the
    id of the cell at row *ri* and column *cj* in the shared :class:`CellData`
    (-1 where missing).  ``cells`` maps ``(row_index, col_index)`` to a
    :class:`Cell` (built on first use; missing cells are absent) and
    ``summary`` maps a column index to its :class:`ColumnSummary` (geomean row).
    Column 0 is every row's baseline.  ``row0`` numbers the table's first row
    among all tables' rows (see ``CellData.row_starts``).
    """

    def __init__(self, key, unit, assumption, rows, cols, row_fields, col_fields, grid, data,
                 row0, confidence, alpha):
        self.key, self.unit, self.assumption = key, unit, assumption
        self.rows, self.cols = rows, cols
        self.row_fields, self.col_fields = row_fields, col_fields
        self.grid, self.data, self.row0 = grid, data, row0
        self.summary: dict = {}
        self.confidence, self.alpha = confidence, alpha
        self._cells = None

    @property
    def values(self) -> np.ndarray:
        return self.data.values

    @property
    def starts(self) -> np.ndarray:
        return self.data.starts

    @property
    def counts(self) -> np.ndarray:
        return self.data.counts

    @property
    def cells(self) -> dict:
        if self._cells is None:
            self._cells = self._make_cells()
        return self._cells

    def _make_cells(self) -> dict:
        d = self.data
        exact = self.assumption == "exact"
        conf = 1.0 if exact else self.confidence
        g = self.grid
        ris, cjs = np.nonzero(g >= 0)
        ids = g[ris, cjs].tolist()
        center, lo, hi = d.center[ids].tolist(), d.lo[ids].tolist(), d.hi[ids].tolist()
        cells: dict = {}
        for k, (ri, cj, ci) in enumerate(zip(ris.tolist(), cjs.tolist(), ids)):
            cell = Cell(center[k], lo[k], hi[k], conf, d.warn.get(ci, ()), ci)
            sw = d.sample_warn.get(ci)
            if sw is not None:
                cell.sample_warnings = list(sw)
            cells[(ri, cj)] = cell
        counts = d.counts
        for (ri, cj), cell in cells.items():
            if cj == 0:
                continue
            b = cells.get((ri, 0))
            if b is None:
                continue
            cell.baseline = b
            ci = cell.index
            n1, n2 = int(counts[b.index]), int(counts[ci])
            if exact:
                cell.comparison = Comparison(0.0, n1, n2, 0.0)
            else:
                cell.comparison = Comparison(float(d.p[ci]), n1, n2, self.alpha,
                                             list(d.cmp_warn.get(ci, ())))
        return cells

    def values_of(self, cell: Cell) -> np.ndarray:
        """The sorted sample of *cell*."""
        i = cell.index
        return self.values[self.starts[i]:self.starts[i] + self.counts[i]]

    def row_label(self, row: tuple) -> str:
        """benchproc ``Key.StringValues``: non-empty values joined by spaces."""
        return " ".join(v for v in row if v != "")


@dataclass
class Tables:
    """All tables of a run, sorted, with the flattened table-key field names."""

    tables: list[Table]
    table_fields: list[str]
    keys: list[tuple]


def _key_ids(cols: list, sizes: list[int], n: int):
    """Dense ids, in order of first appearance, of the rows of int columns ``cols``
    (column *j* holds values below ``sizes[j]``), and the first row of each id."""
    if not cols:
        return np.zeros(n, dtype=np.int64), np.zeros(min(n, 1), dtype=np.int64)
    code = np.zeros(n, dtype=np.int64)
    mult = 1
    for c, size in zip(cols, sizes):
        if mult * max(size, 1) >= 1 << 62:
            _, first, inv = np.unique(np.stack(cols, axis=1), axis=0, return_index=True,
                                      return_inverse=True)
            break
        code += c * mult
        mult *= max(size, 1)
    else:
        _, first, inv = dense_unique(code)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(first), dtype=np.int64)
    rank[order] = np.arange(len(first))
    return rank[inv.reshape(-1)], first[order]


def _line_ranks(group: np.ndarray) -> np.ndarray:
    """Rank of each element among the elements of its group (0, 1, ... in order)."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(group.astype(np.uint16) if group.max() < 1 << 16 else group, kind="stable")
    g = group[order]
    new = np.ones(n, dtype=bool)
    new[1:] = g[1:] != g[:-1]
    starts = np.flatnonzero(new)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    return rank


def _class_ids(r: Results):
    """Per-result class id (same file, configuration and name), the ResultClass list, and
    each class's label, configuration and name numbers (arrays keyed by part)."""
    names = r.names                       # in order of first appearance
    name_ids = r.res_name_id
    ncfg = max(len(r.configs), 1)
    key = (np.asarray(r.res_file, dtype=np.int64) * ncfg
           + np.asarray(r.res_config, dtype=np.int64)) * len(names) + name_ids
    uniq, _, ids = dense_unique(key)
    fc, ni = np.divmod(uniq, len(names))
    f, c = np.divmod(fc, ncfg)
    return ids.reshape(-1), _Classes(r.labels, r.configs, names, f, c, ni), {
        "label": f, "config": c, "name": ni}


class _Classes:
    """The ResultClass of each class number, made when first asked for (extractors
    run on one class per distinct label, configuration or name, not on every class)."""

    def __init__(self, labels, configs, names, f, c, n):
        self._parts = (labels, configs, names)
        self._f, self._c, self._n = f, c, n
        self._made: dict[int, ResultClass] = {}

    def __len__(self) -> int:
        return len(self._f)

    def __getitem__(self, k: int) -> ResultClass:
        rc = self._made.get(k)
        if rc is None:
            labels, configs, names = self._parts
            rc = self._made[k] = ResultClass(labels[int(self._f[k])], configs[int(self._c[k])],
                                             names[int(self._n[k])])
        return rc


def build_tables(r: Results, *, table: str = ".config", row: str = ".fullname",
                 col: str = ".file", ignore: str = "", filter: str = "*",
                 alpha: float = 0.05, confidence: float = 0.95) -> Tables:
    """Build benchstat's tables from parsed results.

    Parameters mirror benchstat's flags (``-table``, ``-row``, ``-col``, ``-ignore``,
    ``-filter``, ``-alpha``, ``-confidence``).

    Raises
    ------
    gobench.errors.QuerySyntaxError
        A bad filter or projection (checked in benchstat's order: filter, table,
        row, col, ignore).
    """
    q = Query.parse(table=table, row=row, col=col, ignore=ignore, filter=filter)
    return q.build(r, alpha=alpha, confidence=confidence)


@dataclass
class Query:
    """Parsed filter and projections of one benchstat run (see :meth:`parse`)."""

    flt: object
    parser: ProjectionParser
    tproj: Projection
    rproj: Projection
    cproj: Projection
    resproj: Projection

    @classmethod
    def parse(cls, *, table: str = ".config", row: str = ".fullname", col: str = ".file",
              ignore: str = "", filter: str = "*") -> "Query":
        """Parse benchstat's -filter/-table/-row/-col/-ignore.

        Raises
        ------
        gobench.errors.QuerySyntaxError
            With ``.flag`` set to the flag name (``"-filter"``, ``"-table"``, …).
        """
        try:
            flt = compile_filter(filter)
        except QuerySyntaxError as e:
            e.flag = "-filter"
            raise
        parser = ProjectionParser()
        projs = []
        first_err = None
        for name, q, unit in (("-table", table, True), ("-row", row, False),
                              ("-col", col, False), ("-ignore", ignore, False)):
            try:
                projs.append(parser.parse(q, with_unit=unit))
            except QuerySyntaxError as e:
                e.flag = name
                first_err = first_err or e
                projs.append(None)
        if first_err is not None:
            raise first_err
        return cls(flt, parser, projs[0], projs[1], projs[2], parser.residue())

    def build(self, r: Results, *, alpha: float = 0.05, confidence: float = 0.95) -> Tables:
        """Build the tables for parsed results *r*."""
        return _build(self, r, alpha, confidence)


def _build(q: Query, r: Results, alpha: float, confidence: float) -> Tables:
    flt, parser = q.flt, q.parser
    tproj, rproj, cproj, resproj = q.tproj, q.rproj, q.cproj, q.resproj
    fixed = parser.fixed_filter()

    if len(r) == 0:
        return Tables([], [], [])
    rc_ids, classes, parts = _class_ids(r)
    nu = max(len(r.ucode_unit), 1)
    mclass = np.repeat(rc_ids * nu, r.res_nvals) + r.m_ucode
    uniq, first_idx, inverse = dense_unique(mclass, len(classes) * nu)
    del mclass   # arrays as long as all measurements go as soon as they are used
    order = np.argsort(first_idx, kind="stable")  # mclasses in first-observation order

    # filter each measurement class
    rc_of = (uniq // nu).tolist()
    uc_of = (uniq % nu).tolist()
    if flt is None and fixed is None:  # "-filter *": everything stays
        kept_order = order.tolist()
    else:
        keep = [False] * len(uniq)
        rc_keep: dict[int, bool] = {}
        for j in range(len(uniq)):
            rc = classes[rc_of[j]]
            if fixed is not None:
                ok = rc_keep.get(rc_of[j])
                if ok is None:
                    ok = rc_keep[rc_of[j]] = fixed(rc)
                if not ok:
                    continue
            keep[j] = flt is None or flt(rc, r.ucode_unit[uc_of[j]], r.ucode_orig[uc_of[j]])
        kept_order = [j for j in order.tolist() if keep[j]]
    # configuration keys in order of first appearance among kept results
    cfg_seen: dict[str, None] = {}
    ko = np.asarray(kept_order, dtype=np.int64)
    rc_k = uniq[ko] // nu
    if len(ko):
        _, first, _ = dense_unique(rc_k, len(classes))
        oc = rc_k[np.sort(first)]         # kept classes in order of first appearance
    else:
        oc = np.zeros(0, dtype=np.int64)
    cfg_o = parts["config"][oc]
    _, cfirst, _ = dense_unique(cfg_o)
    for c in cfg_o[np.sort(cfirst)].tolist():
        for k, _ in r.configs[c]:
            cfg_seen.setdefault(k, None)
    cfg_keys = list(cfg_seen)
    for p in (tproj, rproj, cproj, resproj):
        p.bind(parser, cfg_keys)

    # keys of the kept classes, one projection field at a time: each extractor reads one
    # part of a class (label, configuration or name), so it runs once per distinct part
    ui = tproj.unit_index
    ustr = list(dict.fromkeys(r.ucode_unit))             # distinct unit strings
    ustr_id = {u: i for i, u in enumerate(ustr)}
    ustr_of_ucode = np.array([ustr_id[u] for u in r.ucode_unit] or [0], dtype=np.int64)
    us_k = ustr_of_ucode[uniq[ko] % nu]
    ncls = len(oc)
    part_first: dict = {}

    def field_values(p: Projection, j: int):
        """(value id per ordered class, value strings) of field *j* of *p*."""
        dep = p.depends[j]
        comp = parts[dep][oc]
        got = part_first.get(dep)
        if got is None:
            _, pf_first, pf_inv = dense_unique(comp)
            got = part_first[dep] = (pf_first, pf_inv.reshape(-1))
        pf_first, pf_inv = got
        ext = p.extractors[j]
        index: dict[str, int] = {}
        vid = np.fromiter((index.setdefault(ext(classes[c]), len(index))
                           for c in oc[pf_first].tolist()), dtype=np.int64, count=len(pf_first))
        return vid[pf_inv], list(index)

    def keys_of(p: Projection, skip: int = -1, observe: bool = False):
        """Key id per ordered class (first appearance order) and the key tuples."""
        cols, strs = [], []
        for j in range(len(p.fields)):
            if j == skip:
                continue
            v, st = field_values(p, j)
            cols.append(v)
            strs.append(st)
            if observe and p.top_level[j]:
                _, vf, _ = dense_unique(v)
                f = p.fields[j]
                for x in v[np.sort(vf)].tolist():
                    f.observe(st[x])
        ids, first = _key_ids(cols, [len(x) for x in strs], ncls)
        tuples = [tuple(st[int(c[i])] for c, st in zip(cols, strs)) for i in first.tolist()]
        return ids, tuples

    tp_ids, tpart_keys = keys_of(tproj, ui, True)
    tparts = [(k[:ui], k[ui:]) for k in tpart_keys]
    unit_field = tproj.fields[ui]
    if len(ko):
        _, ufirst, _ = dense_unique(us_k, len(ustr))
        for u in us_k[np.sort(ufirst)].tolist():
            unit_field.observe(ustr[u])
    r_ids, rkeys = keys_of(rproj, observe=True)
    c_ids, ckeys = keys_of(cproj, observe=True)
    res_ids, residues = keys_of(resproj)
    pid_o, pfirst = _key_ids([tp_ids, r_ids, c_ids], [len(tparts), len(rkeys), len(ckeys)], ncls)
    pid_of = np.zeros(len(classes), dtype=np.int64)
    rid_of = np.zeros(len(classes), dtype=np.int64)
    pid_of[oc] = pid_o
    rid_of[oc] = res_ids
    pre_tp, pre_r, pre_c = tp_ids[pfirst], r_ids[pfirst], c_ids[pfirst]
    # cells = (prefix, unit), numbered in order of first appearance
    nus = max(len(ustr), 1)
    ckey = pid_of[rc_k] * nus + us_k
    ucell, cfirst, cinv = dense_unique(ckey)
    corder = np.argsort(cfirst, kind="stable")
    rank = np.empty(len(ucell), dtype=np.int64)
    rank[corder] = np.arange(len(ucell))
    cell_of_k = rank[cinv.reshape(-1)]
    mclass_cell = np.full(len(uniq), -1, dtype=np.int64)
    mclass_cell[ko] = cell_of_k
    ncell = len(ucell)
    if ncell == 0:
        return Tables([], tproj.names(), [])
    cell_pid, cell_u = np.divmod(ucell[corder], nus)
    # residue keys per cell (only cells fed by more than one matter)
    res_names = resproj.names()
    nres = max(len(residues), 1)
    pairs = distinct(cell_of_k * nres + rid_of[rc_k])
    pc, pr = np.divmod(pairs, nres)
    multi = np.flatnonzero(np.bincount(pc, minlength=ncell) > 1)
    cell_residue: dict[int, list[int]] = {}
    if len(multi):
        sel_m = np.isin(pc, multi)
        for c_, r_ in zip(pc[sel_m].tolist(), pr[sel_m].tolist()):
            cell_residue.setdefault(c_, []).append(r_)
    sample_warn: dict[int, list[str]] = {}
    for ci, res in cell_residue.items():
        keys = [residues[x] for x in res]
        varying = [res_names[i] for i in range(len(res_names)) if len({k[i] for k in keys}) > 1]
        if varying:
            sample_warn[ci] = ["benchmarks vary in " + ", ".join(varying)]

    # gather values per cell, sorted
    m_cell = mclass_cell[inverse]
    del inverse
    # a cell's values come from lines of one prefix (table, row, column), one per line:
    # a line's rank among its prefix's lines is a free slot in the cell's row
    slot = np.repeat(_line_ranks(pid_of[rc_ids]), r.res_nvals)
    sel = m_cell >= 0
    if sel.all():                 # every measurement is kept: no copies
        mc, mv = m_cell, r.m_value
    else:
        mc, mv, slot = m_cell[sel], r.m_value[sel], slot[sel]
    del m_cell, sel
    got = sorted_by_slots(mc, slot, mv, ncell)
    mv, counts = got if got is not None else group_sorted_values(mc, mv, ncell)
    del got, mc, slot
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    lay = _layout(pre_tp, pre_r, pre_c, tparts, rkeys, ckeys, cell_pid, cell_u, ustr, tproj,
                  rproj, cproj)
    ntab = len(lay.tkeys)
    units = [tk[tproj.unit_index] for tk in lay.tkeys]
    assume = [r.assumption(u) for u in units]
    exact_t = np.array([a == "exact" for a in assume], dtype=bool)
    # every cell's median and CI in one vectorised pass; exact cells summarised one by one
    center, lo, hi = medians_and_cis(mv, starts, counts, confidence)
    warn: dict[int, list[str]] = {}
    bad_ci = (lo == -np.inf) | (hi == np.inf)
    exact_c = exact_t[lay.cell_table]
    bad_ci &= ~exact_c
    if bad_ci.any():
        op, need = min_samples_for_ci(confidence)
        ci_warn = f"need {op} {need} samples for confidence interval at level {go_float(confidence)}"
        for ci in np.flatnonzero(bad_ci).tolist():
            warn[ci] = [ci_warn]
    for ci in np.flatnonzero(exact_c).tolist():
        sm = summarize(mv[starts[ci]:starts[ci] + counts[ci]].tolist(), "exact", confidence)
        center[ci], lo[ci], hi[ci] = sm.center, sm.lo, sm.hi
        if sm.warnings:
            warn[ci] = sm.warnings
    # U tests of every compared cell with its baseline, all at once
    base = lay.base
    p = np.full(ncell, np.nan)
    equal = np.zeros(ncell, dtype=bool)
    has_base = base >= 0
    p[has_base & exact_c] = 0.0
    pc = np.flatnonzero(has_base & ~exact_c)
    pb = base[pc]
    pvals, eq = utests(mv, starts[pb], counts[pb], starts[pc], counts[pc])
    p[pc] = pvals
    equal[pc] = eq
    cmp_warn: dict[int, list[str]] = {}
    if eq.any():
        eq_warn = ["all samples are equal"]
        for ci in pc[eq].tolist():
            cmp_warn[ci] = eq_warn
    u_op, u_need = min_samples_for_utest(alpha)
    weak = pc[~eq & (pvals > alpha) & (counts[pb] < u_need) & (counts[pc] < u_need)]
    if len(weak):
        u_warn = [f"need {u_op} {u_need} samples to detect a difference at alpha level "
                  f"{go_float(alpha)}"]
        for ci in weak.tolist():
            cmp_warn[ci] = u_warn
    data = CellData(mv, starts, counts, center, lo, hi, base, p, equal, sample_warn, warn,
                    cmp_warn, lay.order, lay.row_starts)
    out = []
    rn, cn = rproj.names(), cproj.names()
    for k in range(ntab):
        out.append(Table(lay.tkeys[k], units[k], assume[k], lay.rows[k], lay.cols[k], rn, cn,
                         lay.grids[k], data, lay.row0[k], confidence, alpha))
    _summarize_columns(out, lay, data)
    return Tables(out, tproj.names(), lay.tkeys)


class _Layout:
    """Where every cell sits: its table, row and column (all sorted), and its baseline."""

    __slots__ = ("tkeys", "rows", "cols", "grids", "row0", "cell_table", "base", "order",
                 "row_starts", "order_tcr", "group_starts", "group_col", "group_table")


def _layout(pre_tp, pre_r, pre_c, tparts, rkeys, ckeys, cell_pid, cell_u, ustr, tproj, rproj,
            cproj) -> _Layout:
    """Sort tables, rows and columns (benchproc.SortKeys) and place every cell.

    A cell is (prefix, unit); prefix *i* is table part ``tparts[pre_tp[i]]`` (the
    ``-table`` key around the unit), row ``rkeys[pre_r[i]]`` and column
    ``ckeys[pre_c[i]]``.  Row and column orders are total orders on the keys, so
    each distinct row (column) key is ranked once for the whole run and a
    table's rows are its keys in rank order, as if each table were sorted on its own.
    """
    tp_of, rk_of, ck_of = pre_tp, pre_r, pre_c
    nus = max(len(ustr), 1)
    utab, _, tid = dense_unique(tp_of[cell_pid] * nus + cell_u)
    tkeys = []
    for code in utab.tolist():
        tp, u = divmod(code, nus)
        pre, post = tparts[tp]
        tkeys.append(pre + (ustr[u],) + post)

    def ranks(keys, fields):
        order = sort_order(keys, fields)
        rk = np.empty(len(keys), dtype=np.int64)
        rk[order] = np.arange(len(keys))
        return order, rk

    t_order, trank = ranks(tkeys, tproj.fields)
    r_order, rrank = ranks(rkeys, rproj.fields)
    c_order, crank = ranks(ckeys, cproj.fields)
    T = trank[tid]
    R = rrank[rk_of[cell_pid]]
    C = crank[ck_of[cell_pid]]
    o = np.lexsort((C, R, T))                      # cells by table, row, column
    Ts, Rs, Cs = T[o], R[o], C[o]
    n = len(o)
    newt = np.ones(n, dtype=bool)
    newt[1:] = Ts[1:] != Ts[:-1]
    newr = newt.copy()
    newr[1:] |= Rs[1:] != Rs[:-1]
    tstart = np.flatnonzero(newt)
    grow = np.cumsum(newr) - 1
    lrow = grow - grow[tstart][Ts]
    nrows = np.add.reduceat(newr.astype(np.int64), tstart)
    o2 = np.lexsort((Cs, Ts))                      # stable: by table, column, row
    Ts2, Cs2 = Ts[o2], Cs[o2]
    newc = np.ones(n, dtype=bool)
    newc[1:] = (Ts2[1:] != Ts2[:-1]) | (Cs2[1:] != Cs2[:-1])
    tstart2 = np.flatnonzero(np.concatenate(([True], Ts2[1:] != Ts2[:-1])))
    gcol = np.cumsum(newc) - 1
    lcol = np.empty(n, dtype=np.int64)
    lcol[o2] = gcol - gcol[tstart2][Ts2]
    ncols = np.add.reduceat(newc.astype(np.int64), tstart2)
    size = nrows * ncols
    goff = np.cumsum(size) - size
    rowbase = goff[Ts] + lrow * ncols[Ts]
    grid = np.full(int(size.sum()), -1, dtype=np.int64)
    grid[rowbase + lcol] = o
    base_s = np.where(lcol > 0, grid[rowbase], -1)
    lay = _Layout()
    lay.base = np.empty(n, dtype=np.int64)
    lay.base[o] = base_s
    lay.cell_table = np.empty(n, dtype=np.int64)
    lay.cell_table[o] = Ts
    lay.order = o
    lay.row_starts = np.flatnonzero(newr)
    lay.tkeys = [tkeys[i] for i in t_order]
    rk_sorted = [rkeys[i] for i in r_order]
    ck_sorted = [ckeys[i] for i in c_order]
    all_rows = [rk_sorted[x] for x in Rs[newr].tolist()]
    all_cols = [ck_sorted[x] for x in Cs2[newc].tolist()]
    nr_l, nc_l, goff_l = nrows.tolist(), ncols.tolist(), goff.tolist()
    lay.rows, lay.cols, lay.grids, lay.row0 = [], [], [], []
    r0 = c0 = 0
    for k in range(len(tkeys)):
        nr, nc = nr_l[k], nc_l[k]
        lay.rows.append(all_rows[r0:r0 + nr])
        lay.cols.append(all_cols[c0:c0 + nc])
        lay.grids.append(grid[goff_l[k]:goff_l[k] + nr * nc].reshape(nr, nc))
        lay.row0.append(r0)
        r0 += nr
        c0 += nc
    # (table, column) groups in row order, for the geomean row
    lay.order_tcr = o[o2]
    lay.group_starts = np.flatnonzero(newc)
    lay.group_col = lcol[o2][newc]
    lay.group_table = Ts2[newc]
    return lay


def _summarize_columns(tables: list[Table], lay: _Layout, d: CellData) -> None:
    """Fill every table's geomean row (``Table.summary``), all columns at once.

    For each column: the geometric mean of the cell centers, and of the ratios
    center / baseline center over the rows that have a baseline (0/0 counts as
    1; a zero baseline makes the ratio unavailable).  The running mean of logs
    is evaluated in lockstep over all columns with numpy, with the same
    floating-point operations as go-moremath's ``GeoMean``.
    """
    ids = lay.order_tcr                  # cells by table, column, row
    gs = lay.group_starts
    lens = np.diff(np.append(gs, len(ids)))
    a = d.center[ids]
    b_id = d.base[ids]
    has_b = b_id >= 0
    b = d.center[np.where(has_b, b_id, 0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(a == b, 1.0, np.where(b == 0, 0.0, a / b))
    grp = np.repeat(np.arange(len(gs)), lens)
    bad = np.bincount(grp[has_b & (a != b) & (b == 0)], minlength=len(gs)) > 0
    nrat = np.bincount(grp[has_b], minlength=len(gs))
    gcol, gtab = lay.group_col, lay.group_table
    n_base = np.zeros(len(tables), dtype=np.int64)
    c0 = gcol == 0
    n_base[gtab[c0]] = lens[c0]
    want = (gcol > 0) & ~bad
    use = has_b & want[grp]
    gm_s = geomeans_flat(a, lens)
    gm_r = geomeans_flat(ratio[use], np.where(want, nrat, 0))
    differs = ((gcol > 0) & (nrat != n_base[gtab])).tolist()
    for g, (t, cj, w, gsum, grat, dif) in enumerate(zip(gtab.tolist(), gcol.tolist(),
                                                         want.tolist(), gm_s, gm_r, differs)):
        cs = ColumnSummary()
        if dif:
            cs.warnings.append("benchmark set differs from baseline; geomeans may not be comparable")
        tables[t].summary[cj] = cs
        if math.isnan(gsum):
            cs.warnings.append("summaries must be >0 to compute geomean")
        else:
            cs.has_summary, cs.summary = True, gsum
        if w:
            if math.isnan(grat):
                cs.warnings.append("ratios must be >0 to compute geomean")
            else:
                cs.has_ratio, cs.ratio = True, grat
