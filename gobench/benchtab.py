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

from .errors import QuerySyntaxError
from .project.filter import compile_filter
from .project.keys import ResultClass, sort_keys
from .project.projection import Projection, ProjectionParser
from .read.benchfmt import Results
from .stats.batch import group_value_order, medians_and_cis, utests
from .stats.median import min_samples_for_ci
from .stats.summary import Comparison, geomeans, pct_range_string, summarize
from .stats.utest import min_samples_for_utest
from .present.gofmt import go_float

__all__ = ["Cell", "ColumnSummary", "Table", "Tables", "Query", "build_tables"]


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


@dataclass
class Table:
    """One benchstat table (one table key, one unit).

    ``rows``/``cols`` are the sorted row and column keys; ``cells`` maps
    ``(row_index, col_index)`` to a :class:`Cell` (missing cells are absent) and
    ``summary`` maps a column index to its :class:`ColumnSummary` (geomean row).
    Column 0 is every row's baseline.
    """

    key: tuple
    unit: str
    assumption: str
    rows: list[tuple]
    cols: list[tuple]
    row_fields: list[str]
    col_fields: list[str]
    cells: dict
    summary: dict
    confidence: float
    alpha: float
    values: np.ndarray = None
    starts: np.ndarray = None
    counts: np.ndarray = None

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


def _unique(keys: np.ndarray, size: int | None = None):
    """``np.unique(keys, return_index=True, return_inverse=True)`` for non-negative ints.

    When the keys are dense (``size`` = 1 + max key, at most a few times their
    number) it runs in linear time with a presence table instead of sorting.
    """
    n = len(keys)
    if size is None:
        size = int(keys.max()) + 1 if n else 0
    if n == 0 or size > 4 * n + 1024:
        u, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        return u, first, inv.reshape(-1)
    first = np.full(size, -1, dtype=np.int64)
    first[keys[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)  # first occurrence wins
    present = first >= 0
    uniq = np.flatnonzero(present)
    rank = np.cumsum(present) - 1
    return uniq, first[uniq], rank[keys]


def _class_ids(r: Results):
    """Per-result class id (same file, configuration and name) and the ResultClass list."""
    names = list(dict.fromkeys(r.res_name))
    nid = {n: i for i, n in enumerate(names)}
    name_ids = np.fromiter(map(nid.__getitem__, r.res_name), dtype=np.int64,
                           count=len(r.res_name))
    ncfg = max(len(r.configs), 1)
    key = (np.asarray(r.res_file, dtype=np.int64) * ncfg
           + np.asarray(r.res_config, dtype=np.int64)) * len(names) + name_ids
    uniq, _, ids = _unique(key)
    classes = []
    labels, configs = r.labels, r.configs
    for k in uniq.tolist():
        fc, ni = divmod(k, len(names))
        f, c = divmod(fc, ncfg)
        classes.append(ResultClass(labels[f], configs[c], names[ni]))
    return ids.reshape(-1), classes


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
    rc_ids, classes = _class_ids(r)
    nu = max(len(r.ucode_unit), 1)
    mclass = rc_ids[r.m_res] * nu + r.m_ucode
    uniq, first_idx, inverse = _unique(mclass, len(classes) * nu)
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
    seen_rc: set = set()
    for j in kept_order:
        c = rc_of[j]
        if c in seen_rc:
            continue
        seen_rc.add(c)
        for k, _ in classes[c].config:
            cfg_seen.setdefault(k, None)
    cfg_keys = list(cfg_seen)
    for p in (tproj, rproj, cproj, resproj):
        p.bind(parser, cfg_keys)

    def project(p: Projection, rc: ResultClass, unit: str | None = None) -> tuple:
        vals = []
        for ext in p.extractors:
            vals.append(unit if ext is None else ext(rc))
        return tuple(vals)

    # keys per kept class; observe first-order values in stream order
    ui = tproj.unit_index
    unit_field = tproj.fields[ui]
    ustr = list(dict.fromkeys(r.ucode_unit))             # distinct unit strings
    ustr_id = {u: i for i, u in enumerate(ustr)}
    ustr_of_ucode = np.array([ustr_id[u] for u in r.ucode_unit] or [0], dtype=np.int64)
    ko = np.asarray(kept_order, dtype=np.int64)
    rc_k = uniq[ko] // nu
    us_k = ustr_of_ucode[uniq[ko] % nu]
    # result classes in order of first appearance: project and observe each once
    prefix_index: dict[tuple, int] = {}
    prefixes: list[tuple] = []
    residue_index: dict[tuple, int] = {}
    residues: list[tuple] = []
    pid_of = np.zeros(len(classes), dtype=np.int64)
    rid_of = np.zeros(len(classes), dtype=np.int64)
    if len(ko):
        _, first, _ = _unique(rc_k, len(classes))
        for c in rc_k[np.sort(first)].tolist():
            rc = classes[c]
            tk0 = project(tproj, rc, "")
            rk, ck, resk = project(rproj, rc), project(cproj, rc), project(resproj, rc)
            for p, k in ((tproj, tk0), (rproj, rk), (cproj, ck)):
                for f, top, v in zip(p.fields, p.top_level, k):
                    if top and f is not unit_field:
                        f.observe(v)
            pkey = (tk0[:ui], tk0[ui + 1:], rk, ck)
            pid = prefix_index.get(pkey)
            if pid is None:
                pid = prefix_index[pkey] = len(prefixes)
                prefixes.append(pkey)
            rid = residue_index.get(resk)
            if rid is None:
                rid = residue_index[resk] = len(residues)
                residues.append(resk)
            pid_of[c], rid_of[c] = pid, rid
        _, ufirst, _ = _unique(us_k, len(ustr))
        for u in us_k[np.sort(ufirst)].tolist():
            unit_field.observe(ustr[u])
    # cells = (prefix, unit), numbered in order of first appearance
    nus = max(len(ustr), 1)
    ckey = pid_of[rc_k] * nus + us_k
    ucell, cfirst, cinv = _unique(ckey)
    corder = np.argsort(cfirst, kind="stable")
    rank = np.empty(len(ucell), dtype=np.int64)
    rank[corder] = np.arange(len(ucell))
    cell_of_k = rank[cinv.reshape(-1)]
    mclass_cell = np.full(len(uniq), -1, dtype=np.int64)
    mclass_cell[ko] = cell_of_k
    cell_keys: list[tuple] = []
    for key in ucell[corder].tolist():
        pid, u = divmod(key, nus)
        pre, post, rk, ck = prefixes[pid]
        cell_keys.append((pre + (ustr[u],) + post, rk, ck))
    # residue keys per cell (only cells fed by more than one matter)
    nres = max(len(residues), 1)
    pairs = np.unique(cell_of_k * nres + rid_of[rc_k])
    pc, pr = np.divmod(pairs, nres)
    multi = np.flatnonzero(np.bincount(pc, minlength=len(cell_keys)) > 1)
    cell_residue: dict[int, list[int]] = {}
    if len(multi):
        sel_m = np.isin(pc, multi)
        for c_, r_ in zip(pc[sel_m].tolist(), pr[sel_m].tolist()):
            cell_residue.setdefault(c_, []).append(r_)

    # gather values per cell, sorted
    m_cell = mclass_cell[inverse]
    sel = m_cell >= 0
    mc = m_cell[sel]
    mv = r.m_value[sel]
    srt = group_value_order(mc, mv, len(cell_keys))  # NaN first, as Go's sort.Float64s
    mc, mv = mc[srt], mv[srt]
    ncell = len(cell_keys)
    counts = np.bincount(mc, minlength=ncell)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if ncell else np.zeros(0, np.int64)

    # tables
    tables_rows: dict[tuple, dict] = {}
    for ci, (tk, rk, ck) in enumerate(cell_keys):
        t = tables_rows.setdefault(tk, {"rows": {}, "cols": {}, "cells": {}})
        t["rows"][rk] = None
        t["cols"][ck] = None
        t["cells"][(rk, ck)] = ci
    tkeys = sort_keys(list(tables_rows), tproj.fields)
    res_names = resproj.names()
    # every cell's median and CI in one vectorised pass
    center, lo, hi = medians_and_cis(mv, starts, counts, confidence)
    ci_warn = None
    if (np.isinf(lo) | np.isinf(hi)).any():
        op, need = min_samples_for_ci(confidence)
        ci_warn = f"need {op} {need} samples for confidence interval at level {go_float(confidence)}"
    u_op, u_need = min_samples_for_utest(alpha)
    u_warn = f"need {u_op} {u_need} samples to detect a difference at alpha level {go_float(alpha)}"
    # lay out tables, then run all U tests at once
    layouts = []
    pairs_base, pairs_cell = [], []
    for tk in tkeys:
        t = tables_rows[tk]
        unit = tk[tproj.unit_index]
        assume = r.assumption(unit)
        rows = sort_keys(list(t["rows"]), rproj.fields)
        cols = sort_keys(list(t["cols"]), cproj.fields)
        layouts.append((tk, unit, assume, rows, cols, t["cells"]))
        if assume != "exact":
            base_col = cols[0]
            tc = t["cells"]
            for (rk, ck), ci in tc.items():
                if ck != base_col:
                    bi = tc.get((rk, base_col))
                    if bi is not None:
                        pairs_base.append(bi)
                        pairs_cell.append(ci)
    pb = np.asarray(pairs_base, dtype=np.int64)
    pc = np.asarray(pairs_cell, dtype=np.int64)
    pvals, equal = utests(mv, starts[pb], counts[pb], starts[pc], counts[pc])
    ptest = {c: (pv, eq) for c, pv, eq in zip(pairs_cell, pvals.tolist(), equal.tolist())}
    center_l, lo_l, hi_l = center.tolist(), lo.tolist(), hi.tolist()
    counts_l = counts.tolist()
    out = []
    for tk, unit, assume, rows, cols, tc in layouts:
        rpos = {rk: i for i, rk in enumerate(rows)}
        cpos = {ck: i for i, ck in enumerate(cols)}
        cells: dict[tuple[int, int], Cell] = {}
        exact = assume == "exact"
        for (rk, ck), ci in tc.items():
            if exact:
                sm = summarize(mv[starts[ci]:starts[ci] + counts[ci]].tolist(), assume, confidence)
                cell = Cell(sm.center, sm.lo, sm.hi, sm.confidence, sm.warnings, ci)
            else:
                l_, h_ = lo_l[ci], hi_l[ci]
                cell = Cell(center_l[ci], l_, h_, confidence,
                            [ci_warn] if (l_ == -math.inf or h_ == math.inf) else (), ci)
            res = cell_residue.get(ci)
            if res is not None:
                keys = [residues[x] for x in res]
                varying = [res_names[i] for i in range(len(res_names))
                           if len({k[i] for k in keys}) > 1]
                if varying:
                    cell.sample_warnings = ["benchmarks vary in " + ", ".join(varying)]
            cells[(rpos[rk], cpos[ck])] = cell
        for (ri, cj), cell in cells.items():
            if cj == 0:
                continue
            base = cells.get((ri, 0))
            if base is None:
                continue
            cell.baseline = base
            n1, n2 = counts_l[base.index], counts_l[cell.index]
            if exact:
                cell.comparison = Comparison(0.0, n1, n2, 0.0)
                continue
            pv, eq = ptest[cell.index]
            if eq:
                cell.comparison = Comparison(1.0, n1, n2, alpha, ["all samples are equal"])
            else:
                c = Comparison(pv, n1, n2, alpha, ())
                if pv > alpha and n1 < u_need and n2 < u_need:
                    c.warnings = [u_warn]
                cell.comparison = c
        out.append(Table(tk, unit, assume, rows, cols, rproj.names(), cproj.names(), cells,
                         {}, confidence, alpha, values=mv, starts=starts, counts=counts))
    _summarize_columns(out)
    return Tables(out, tproj.names(), tkeys)


def _summarize_columns(tables: list[Table]) -> None:
    """Fill every table's geomean row (``Table.summary``), all columns at once.

    For each column: the geometric mean of the cell centers, and of the ratios
    center / baseline center over the rows that have a baseline (0/0 counts as
    1; a zero baseline makes the ratio unavailable).  The running mean of logs
    is evaluated in lockstep over all columns with numpy, with the same
    floating-point operations as go-moremath's ``GeoMean``.
    """
    sums: list[list[float]] = []
    rats: list[list[float] | None] = []
    owners = []
    for t in tables:
        nrows, ncols = len(t.rows), len(t.cols)
        cells = t.cells
        n_base = sum(1 for ri in range(nrows) if (ri, 0) in cells)
        for cj in range(ncols):
            cs = ColumnSummary()
            summaries, ratios = [], []
            bad = False
            for ri in range(nrows):
                cell = cells.get((ri, cj))
                if cell is None:
                    continue
                a = cell.center
                summaries.append(a)
                base = cell.baseline
                if base is not None:
                    b = base.center
                    if a == b:
                        ratios.append(1.0)
                    elif b == 0:
                        bad = True
                        ratios.append(0.0)
                    else:
                        ratios.append(a / b)
            if cj > 0 and n_base != len(ratios):
                cs.warnings.append("benchmark set differs from baseline; geomeans may not be comparable")
            t.summary[cj] = cs
            owners.append((cs, cj > 0 and not bad))
            sums.append(summaries)
            rats.append(ratios if cj > 0 and not bad else None)
    gm_s = geomeans(sums)
    gm_r = geomeans([r if r is not None else [] for r in rats])
    for (cs, want_ratio), gs, gr in zip(owners, gm_s, gm_r):
        if math.isnan(gs):
            cs.warnings.append("summaries must be >0 to compute geomean")
        else:
            cs.has_summary, cs.summary = True, gs
        if want_ratio:
            if math.isnan(gr):
                cs.warnings.append("ratios must be >0 to compute geomean")
            else:
                cs.has_ratio, cs.ratio = True, gr
