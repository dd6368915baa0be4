"""benchstat's table builder, vectorised: all classes, cells and tests of a run at once.

It builds the same :class:`~gobench.benchtab_model.Tables` as the plain port of
benchstat's loops in :mod:`gobench.benchtab_reference` (tested cell by cell), with
numpy over the columnar :class:`~gobench.read.benchfmt.Results`.  Terms:

* a *result class* is what every projection looks at: (file label, file
  configuration, full name), a :class:`~gobench.project.keys.ResultClass`;
* a *measurement class* is a result class with one unit code (unit and unit as
  written): the filter and the projections see nothing else, so they run once
  per class, not once per measurement;
* a *prefix* is a cell's (table part, row, column) key, the table part being
  the ``-table`` key without its ``.unit``; a *cell* is a prefix and a unit.

Steps (one function each): number the measurement classes → keep the ones the
filter keeps → bind ``.config`` to the kept configuration keys → project the
kept result classes onto keys → number the cells in order of first appearance
(and find the residue warnings) → gather and sort each cell's values → place
the cells in sorted tables, rows and columns (:func:`_layout_cells`) → medians and
CIs (``stats.batch.medians_and_cis``), U tests against the baseline column
(``stats.batch.utests``), geomean rows.
"""
from __future__ import annotations

import math

import numpy as np

from ._arrays import dense_unique, distinct
from .benchtab_model import CellData, ColumnSummary, Table, Tables
from .project.keys import ResultClass, sort_order
from .project.projection import Projection
from .present.gofmt import go_float
from .read.benchfmt import Results
from .stats.batch import group_sorted_values, medians_and_cis, sorted_by_slots, utests
from .stats.median import min_samples_for_ci
from .stats.summary import geomeans_flat, summarize
from .stats.utest import min_samples_for_utest

__all__ = ["build_tables_fast"]


def build_tables_fast(query, results: Results, alpha: float, confidence: float) -> Tables:
    """benchstat's tables of parsed *results* for a parsed :class:`~gobench.benchtab.Query`.

    Binds the query's projections (their ``.config`` groups and first-seen
    orders) as a side effect, as benchstat's projections do when used.
    """
    if len(results) == 0:
        return Tables([], [], [])
    classes, class_of_measurement = _measurement_classes(results)
    kept = _kept_measurement_classes(query, results, classes)
    class_of_kept, kept_result_classes = _kept_result_classes(classes, kept)
    config_keys = _config_keys_seen(results, classes, kept_result_classes)
    for projection in (query.table_by, query.row_by, query.col_by, query.residue):
        projection.bind(query.parser, config_keys)
    keys = _project_keys(query, results, classes, kept, kept_result_classes)
    cells = _number_cells(classes, kept, class_of_kept, keys)
    if cells.count == 0:
        return Tables([], query.table_by.names(), [])
    sample_warn = _residue_warnings(cells, keys, class_of_kept, query.residue.names())
    cell_of_measurement = cells.of_class[class_of_measurement]
    del class_of_measurement    # arrays as long as all measurements go as soon as used
    values, counts = _cell_samples(results, classes, cell_of_measurement, keys, cells)
    del cell_of_measurement
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    layout = _layout_cells(keys, cells, query)
    units = [key[query.table_by.unit_index] for key in layout.table_keys]
    assumptions = [results.assumption(unit) for unit in units]
    exact_cell = np.array([a == "exact" for a in assumptions], dtype=bool)[layout.cell_table]
    center, lo, hi, warn = _summarize_cells(values, starts, counts, exact_cell, confidence)
    p_values, cmp_warn = _compare_cells(values, starts, counts, layout.base, exact_cell, alpha)
    data = CellData(values, starts, counts, center, lo, hi, layout.base, p_values, sample_warn,
                    warn, cmp_warn, layout.order, layout.row_starts)
    row_fields, col_fields = query.row_by.names(), query.col_by.names()
    tables = [Table(layout.table_keys[k], units[k], assumptions[k], layout.rows[k],
                    layout.cols[k], row_fields, col_fields, layout.grids[k], data,
                    layout.row0[k], confidence, alpha) for k in range(len(layout.table_keys))]
    _summarize_columns(tables, layout, data)
    return Tables(tables, query.table_by.names(), layout.table_keys)


# --- measurement classes and the filter ------------------------------------------------------

class _MeasurementClasses:
    """The measurement classes of a run.

    ``codes`` are the classes' codes, ascending (result class × ``unit_code_count``
    + unit code); ``first_seen`` lists class numbers in order of first observation;
    ``result_class_of_result`` is each result's result class and ``parts[p]`` each
    result class's label, configuration or name number (``p`` = ``"label"``,
    ``"config"``, ``"name"``); ``result_classes[k]`` is result class *k*'s
    :class:`ResultClass`.
    """

    __slots__ = ("codes", "first_seen", "unit_code_count", "result_class_of_result", "parts",
                 "result_classes")


def _measurement_classes(results: Results):
    """The run's :class:`_MeasurementClasses` and each measurement's class number."""
    classes = _MeasurementClasses()
    classes.result_class_of_result, classes.result_classes, classes.parts = \
        _result_classes(results)
    unit_code_count = classes.unit_code_count = max(len(results.ucode_unit), 1)
    measurement_codes = (np.repeat(classes.result_class_of_result * unit_code_count,
                                   results.res_nvals) + results.m_ucode)
    classes.codes, first_index, class_of_measurement = dense_unique(
        measurement_codes, len(classes.result_classes) * unit_code_count)
    classes.first_seen = np.argsort(first_index, kind="stable")
    return classes, class_of_measurement


def _result_classes(results: Results):
    """Each result's result class number, the classes (:class:`_LazyResultClasses`),
    and each class's label, configuration and name numbers (arrays keyed by part)."""
    name_count = len(results.names)
    config_count = max(len(results.configs), 1)
    key = ((np.asarray(results.res_file, dtype=np.int64) * config_count
            + np.asarray(results.res_config, dtype=np.int64)) * name_count
           + results.res_name_id)
    class_keys, _, class_of_result = dense_unique(key)
    label_config, name = np.divmod(class_keys, name_count)
    label, config = np.divmod(label_config, config_count)
    classes = _LazyResultClasses(results.labels, results.configs, results.names, label, config,
                                 name)
    return class_of_result.reshape(-1), classes, {"label": label, "config": config, "name": name}


class _LazyResultClasses:
    """The ResultClass of each class number, made when first asked for (extractors
    run on one class per distinct label, configuration or name, not on every class)."""

    def __init__(self, labels, configs, names, label, config, name):
        self._strings = (labels, configs, names)
        self._label, self._config, self._name = label, config, name
        self._made: dict[int, ResultClass] = {}

    def __len__(self) -> int:
        return len(self._label)

    def __getitem__(self, k: int) -> ResultClass:
        result_class = self._made.get(k)
        if result_class is None:
            labels, configs, names = self._strings
            result_class = self._made[k] = ResultClass(
                labels[int(self._label[k])], configs[int(self._config[k])],
                names[int(self._name[k])])
        return result_class


def _kept_measurement_classes(query, results: Results, classes: _MeasurementClasses):
    """The measurement classes that ``-filter`` and the ``@(...)`` value lists keep,
    in order of first observation (a filter sees a result class and a unit)."""
    matches, fixed = query.matches, query.parser.fixed_filter()
    if matches is None and fixed is None:     # "-filter *": everything stays
        return classes.first_seen
    result_class_ids = (classes.codes // classes.unit_code_count).tolist()
    unit_codes = (classes.codes % classes.unit_code_count).tolist()
    keep = np.zeros(len(classes.codes), dtype=bool)
    fixed_ok: dict[int, bool] = {}
    for mclass, (rc_id, unit_code) in enumerate(zip(result_class_ids, unit_codes)):
        result_class = classes.result_classes[rc_id]
        if fixed is not None:
            ok = fixed_ok.get(rc_id)
            if ok is None:
                ok = fixed_ok[rc_id] = fixed(result_class)
            if not ok:
                continue
        keep[mclass] = matches is None or matches(result_class, results.ucode_unit[unit_code],
                                             results.ucode_orig[unit_code])
    return classes.first_seen[keep[classes.first_seen]]


def _kept_result_classes(classes: _MeasurementClasses, kept: np.ndarray):
    """The result class of each kept measurement class, and the kept result classes
    in order of first appearance."""
    class_of_kept = classes.codes[kept] // classes.unit_code_count
    if not len(kept):
        return class_of_kept, np.zeros(0, dtype=np.int64)
    _, first, _ = dense_unique(class_of_kept, len(classes.result_classes))
    return class_of_kept, class_of_kept[np.sort(first)]


def _config_keys_seen(results: Results, classes: _MeasurementClasses,
                      kept_result_classes: np.ndarray) -> list[str]:
    """The configuration keys of the kept results, in order of first appearance
    (what ``.config`` stands for; benchproc adds them as it meets them)."""
    configs = classes.parts["config"][kept_result_classes]
    _, first, _ = dense_unique(configs)
    seen: dict[str, None] = {}
    for config in configs[np.sort(first)].tolist():
        for key, _ in results.configs[config]:
            seen.setdefault(key, None)
    return list(seen)


# --- projection onto keys ---------------------------------------------------------------------

class _KeyProjector:
    """Projects the kept result classes (in order of first appearance) onto keys.

    Each field's extractor reads one part of a result class (label,
    configuration or name), so it runs once per distinct value of that part.
    """

    def __init__(self, classes: _MeasurementClasses, kept_result_classes: np.ndarray):
        self.classes, self.ordered = classes, kept_result_classes
        self._part_groups: dict = {}    # part -> (first class of each value, value of each class)

    def field_values(self, projection: Projection, j: int):
        """(value id per ordered class, value strings) of field *j* of *projection*."""
        part = projection.depends[j]
        groups = self._part_groups.get(part)
        if groups is None:
            _, first, group = dense_unique(self.classes.parts[part][self.ordered])
            groups = self._part_groups[part] = (first, group.reshape(-1))
        first, group = groups
        extract = projection.extractors[j]
        index: dict[str, int] = {}
        representatives = self.ordered[first].tolist()
        value_of_group = np.fromiter(
            (index.setdefault(extract(self.classes.result_classes[c]), len(index))
             for c in representatives), dtype=np.int64, count=len(representatives))
        return value_of_group[group], list(index)

    def keys(self, projection: Projection, skip: int = -1, observe: bool = False):
        """Key id per ordered class (ids in order of first appearance) and the key
        tuples, leaving out field *skip*; *observe* feeds first-seen orders."""
        id_columns, strings = [], []
        for j in range(len(projection.fields)):
            if j == skip:
                continue
            value_ids, values = self.field_values(projection, j)
            id_columns.append(value_ids)
            strings.append(values)
            if observe and projection.top_level[j]:
                _, first, _ = dense_unique(value_ids)
                for v in value_ids[np.sort(first)].tolist():
                    projection.fields[j].observe(values[v])
        ids, first = _key_ids(id_columns, [len(s) for s in strings], len(self.ordered))
        tuples = [tuple(s[int(column[i])] for column, s in zip(id_columns, strings))
                  for i in first.tolist()]
        return ids, tuples


class _ProjectedKeys:
    """Keys of the kept classes: ``table_parts`` (``-table`` key before and after
    ``.unit``), ``rows``, ``cols``, ``residues`` and ``units`` (unit strings);
    ``prefix_of_class``/``residue_of_class`` per result class; per prefix its
    ``prefix_table_part``, ``prefix_row``, ``prefix_col``; ``unit_of_kept`` per
    kept measurement class."""

    __slots__ = ("table_parts", "rows", "cols", "residues", "units", "prefix_of_class",
                 "residue_of_class", "prefix_table_part", "prefix_row", "prefix_col",
                 "unit_of_kept")


def _project_keys(query, results: Results, classes: _MeasurementClasses, kept: np.ndarray,
                  kept_result_classes: np.ndarray) -> _ProjectedKeys:
    """Project the kept classes onto table, row, column and residue keys."""
    projector = _KeyProjector(classes, kept_result_classes)
    keys = _ProjectedKeys()
    unit_index = query.table_by.unit_index
    table_part_ids, table_part_keys = projector.keys(query.table_by, unit_index, observe=True)
    keys.table_parts = [(k[:unit_index], k[unit_index:]) for k in table_part_keys]
    keys.units, keys.unit_of_kept = _kept_units(results, classes, kept,
                                                query.table_by.fields[unit_index])
    row_ids, keys.rows = projector.keys(query.row_by, observe=True)
    col_ids, keys.cols = projector.keys(query.col_by, observe=True)
    residue_ids, keys.residues = projector.keys(query.residue)
    prefix_ids, prefix_first = _key_ids(
        [table_part_ids, row_ids, col_ids],
        [len(keys.table_parts), len(keys.rows), len(keys.cols)], len(kept_result_classes))
    keys.prefix_of_class = np.zeros(len(classes.result_classes), dtype=np.int64)
    keys.residue_of_class = np.zeros(len(classes.result_classes), dtype=np.int64)
    keys.prefix_of_class[kept_result_classes] = prefix_ids
    keys.residue_of_class[kept_result_classes] = residue_ids
    keys.prefix_table_part = table_part_ids[prefix_first]
    keys.prefix_row, keys.prefix_col = row_ids[prefix_first], col_ids[prefix_first]
    return keys


def _kept_units(results: Results, classes: _MeasurementClasses, kept: np.ndarray, unit_field):
    """The distinct unit strings, each kept class's unit string id; the ``.unit``
    field observes the units in order of first appearance."""
    units = list(dict.fromkeys(results.ucode_unit))
    unit_id = {u: i for i, u in enumerate(units)}
    unit_of_code = np.array([unit_id[u] for u in results.ucode_unit] or [0], dtype=np.int64)
    unit_of_kept = unit_of_code[classes.codes[kept] % classes.unit_code_count]
    if len(kept):
        _, first, _ = dense_unique(unit_of_kept, len(units))
        for u in unit_of_kept[np.sort(first)].tolist():
            unit_field.observe(units[u])
    return units, unit_of_kept


def _key_ids(columns: list, sizes: list[int], row_count: int):
    """Dense ids, in order of first appearance, of the rows of int columns *columns*
    (column *j* holds values below ``sizes[j]``), and the first row of each id."""
    if not columns:
        return (np.zeros(row_count, dtype=np.int64),
                np.zeros(min(row_count, 1), dtype=np.int64))
    code = np.zeros(row_count, dtype=np.int64)
    multiplier = 1
    for column, size in zip(columns, sizes):
        if multiplier * max(size, 1) >= 1 << 62:     # would overflow: rows of the matrix
            _, first, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_index=True,
                                          return_inverse=True)
            break
        code += column * multiplier
        multiplier *= max(size, 1)
    else:
        _, first, inverse = dense_unique(code)
    by_first = np.argsort(first, kind="stable")
    rank = np.empty(len(first), dtype=np.int64)
    rank[by_first] = np.arange(len(first))
    return rank[inverse.reshape(-1)], first[by_first]


# --- cells and their samples --------------------------------------------------------------------

class _Cells:
    """Cells numbered in order of first appearance: ``count``; per kept measurement
    class ``of_kept`` and per measurement class ``of_class`` (-1: not kept); per
    cell its ``prefix`` and ``unit`` (unit string id)."""

    __slots__ = ("count", "of_kept", "of_class", "prefix", "unit")


def _number_cells(classes: _MeasurementClasses, kept: np.ndarray, class_of_kept: np.ndarray,
                  keys: _ProjectedKeys) -> _Cells:
    """Number the cells (prefix, unit) of the kept classes in order of first appearance."""
    unit_count = max(len(keys.units), 1)
    cell_codes = keys.prefix_of_class[class_of_kept] * unit_count + keys.unit_of_kept
    codes, first, code_of_kept = dense_unique(cell_codes)
    by_first = np.argsort(first, kind="stable")
    rank = np.empty(len(codes), dtype=np.int64)
    rank[by_first] = np.arange(len(codes))
    cells = _Cells()
    cells.count = len(codes)
    cells.of_kept = rank[code_of_kept.reshape(-1)]
    cells.of_class = np.full(len(classes.codes), -1, dtype=np.int64)
    cells.of_class[kept] = cells.of_kept
    cells.prefix, cells.unit = np.divmod(codes[by_first], unit_count)
    return cells


def _residue_warnings(cells: _Cells, keys: _ProjectedKeys, class_of_kept: np.ndarray,
                      residue_fields: list[str]) -> dict[int, list[str]]:
    """``benchmarks vary in …`` for each cell fed by results that differ in a
    residue field (benchproc.NonSingularFields of the cell's residue keys)."""
    residue_count = max(len(keys.residues), 1)
    pairs = distinct(cells.of_kept * residue_count + keys.residue_of_class[class_of_kept])
    pair_cell, pair_residue = np.divmod(pairs, residue_count)
    several = np.flatnonzero(np.bincount(pair_cell, minlength=cells.count) > 1)
    residues_of_cell: dict[int, list[int]] = {}
    if len(several):
        in_several = np.isin(pair_cell, several)
        for cell, residue in zip(pair_cell[in_several].tolist(),
                                 pair_residue[in_several].tolist()):
            residues_of_cell.setdefault(cell, []).append(residue)
    warnings: dict[int, list[str]] = {}
    for cell, residues in residues_of_cell.items():
        cell_keys = [keys.residues[x] for x in residues]
        varying = [name for i, name in enumerate(residue_fields)
                   if len({key[i] for key in cell_keys}) > 1]
        if varying:
            warnings[cell] = ["benchmarks vary in " + ", ".join(varying)]
    return warnings


def _cell_samples(results: Results, classes: _MeasurementClasses, cell_of_measurement,
                  keys: _ProjectedKeys, cells: _Cells):
    """Every cell's values, sorted, one cell after another, and each cell's count
    (*cell_of_measurement*: -1 for a measurement not kept)."""
    # a cell's values come from lines of one prefix (table, row, column), one per line:
    # a line's rank among its prefix's lines is a free slot in the cell's row
    slot = np.repeat(_line_ranks(keys.prefix_of_class[classes.result_class_of_result]),
                     results.res_nvals)
    kept = cell_of_measurement >= 0
    if kept.all():                 # every measurement is kept: no copies
        values = results.m_value
    else:
        cell_of_measurement, values, slot = (cell_of_measurement[kept], results.m_value[kept],
                                             slot[kept])
    del kept
    negative = np.signbit(values)
    if negative.any() and (values[negative] == 0).any():      # a -0
        return _stably_sorted_samples(cell_of_measurement, values, cells.count)
    del negative
    by_slots = sorted_by_slots(cell_of_measurement, slot, values, cells.count)
    if by_slots is not None:
        return by_slots
    return group_sorted_values(cell_of_measurement, values, cells.count)


def _stably_sorted_samples(cell_of_value: np.ndarray, values: np.ndarray, cell_count: int):
    """:func:`_cell_samples` keeping equal values in input order (NaN first).

    For samples holding both 0 and -0: Go sorts a sample of up to 12 values by
    insertion, which keeps them in input order, and which one comes first shows
    (an exact unit's mode and its warning's range; checked against benchstat
    712aea8).  The batched sorts may swap them, so such runs sort stably.
    """
    nan = np.isnan(values)
    order = np.lexsort((np.where(nan, 0.0, values), ~nan, cell_of_value))
    return values[order], np.bincount(cell_of_value, minlength=cell_count)


def _line_ranks(group: np.ndarray) -> np.ndarray:
    """Rank of each element among the elements of its group (0, 1, ... in order)."""
    count = len(group)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(group.astype(np.uint16) if group.max() < 1 << 16 else group, kind="stable")
    grouped = group[order]
    starts_group = np.ones(count, dtype=bool)
    starts_group[1:] = grouped[1:] != grouped[:-1]
    starts = np.flatnonzero(starts_group)
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.arange(count) - np.repeat(starts, np.diff(np.append(starts, count)))
    return rank


# --- where the cells sit ----------------------------------------------------------------------

class _Layout:
    """Where every cell sits.  Per table (sorted): ``table_keys``, its sorted
    ``rows`` and ``cols``, its ``grids`` of cell ids and ``row0``.  Per cell:
    ``cell_table`` (table number) and ``base`` (baseline cell, -1 for none).
    ``order``/``row_starts`` as in :class:`CellData`.  For the geomean row:
    ``by_column`` lists the cells by table, column, row; ``group_starts`` marks
    where each (table, column) group begins in it, ``group_col``/``group_table``
    name the group."""

    __slots__ = ("table_keys", "rows", "cols", "grids", "row0", "cell_table", "base", "order",
                 "row_starts", "by_column", "group_starts", "group_col", "group_table")


def _layout_cells(keys: _ProjectedKeys, cells: _Cells, query) -> _Layout:
    """Sort tables, rows and columns (benchproc.SortKeys) and place every cell.

    Row and column orders are total orders on the keys, so each distinct row
    (column) key is ranked once for the whole run and a table's rows are its keys
    in rank order, as if each table were sorted on its own.
    """
    table_keys, table_of_cell = _table_keys(keys, cells)
    table_order, table_rank = _ranks(table_keys, query.table_by.fields)
    row_order, row_rank = _ranks(keys.rows, query.row_by.fields)
    col_order, col_rank = _ranks(keys.cols, query.col_by.fields)
    cell_table = table_rank[table_of_cell]           # per cell: table, row, column ranks
    cell_row = row_rank[keys.prefix_row[cells.prefix]]
    cell_col = col_rank[keys.prefix_col[cells.prefix]]
    layout = _Layout()
    layout.order = np.lexsort((cell_col, cell_row, cell_table))   # by table, row, column
    layout.cell_table = cell_table
    layout.table_keys = [table_keys[i] for i in table_order]
    rows_sorted = [keys.rows[i] for i in row_order]
    cols_sorted = [keys.cols[i] for i in col_order]
    in_order = layout.order
    _place_cells(layout, cell_table[in_order], cell_row[in_order], cell_col[in_order],
                 rows_sorted, cols_sorted)
    return layout


def _table_keys(keys: _ProjectedKeys, cells: _Cells):
    """The distinct table keys (table part around the unit), and each cell's table."""
    unit_count = max(len(keys.units), 1)
    codes, _, table_of_cell = dense_unique(keys.prefix_table_part[cells.prefix] * unit_count
                                           + cells.unit)
    table_keys = []
    for code in codes.tolist():
        part, unit = divmod(code, unit_count)
        before, after = keys.table_parts[part]
        table_keys.append(before + (keys.units[unit],) + after)
    return table_keys, table_of_cell


def _ranks(keys: list[tuple], fields):
    """The order that sorts *keys* (benchproc.SortKeys) and each key's rank in it."""
    order = sort_order(keys, fields)
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys))
    return order, rank


def _place_cells(layout: _Layout, table_rank, row_rank, col_rank, rows_sorted,
                 cols_sorted) -> None:
    """Fill *layout*'s grids, baselines, row starts and column groups from the
    table, row and column ranks of the cells in ``layout.order``."""
    cell_count = len(table_rank)
    new_row, row_in_table, row_count = _numbered_in_tables(table_rank, row_rank)
    by_column = np.lexsort((col_rank, table_rank))     # stable: by table, column, row
    table_by_column, col_by_column = table_rank[by_column], col_rank[by_column]
    new_col, col_in_table_by_column, col_count = _numbered_in_tables(table_by_column,
                                                                     col_by_column)
    col_in_table = np.empty(cell_count, dtype=np.int64)
    col_in_table[by_column] = col_in_table_by_column
    grid_size = row_count * col_count
    grid_offset = np.cumsum(grid_size) - grid_size
    row_base = grid_offset[table_rank] + row_in_table * col_count[table_rank]
    grid = np.full(int(grid_size.sum()), -1, dtype=np.int64)
    grid[row_base + col_in_table] = layout.order
    layout.base = np.empty(cell_count, dtype=np.int64)
    layout.base[layout.order] = np.where(col_in_table > 0, grid[row_base], -1)
    layout.row_starts = np.flatnonzero(new_row)
    all_rows = [rows_sorted[x] for x in row_rank[new_row].tolist()]
    all_cols = [cols_sorted[x] for x in col_by_column[new_col].tolist()]
    layout.rows, layout.cols, layout.grids, layout.row0 = [], [], [], []
    first_row = first_col = 0
    for nrows, ncols, offset in zip(row_count.tolist(), col_count.tolist(),
                                    grid_offset.tolist()):
        layout.rows.append(all_rows[first_row:first_row + nrows])
        layout.cols.append(all_cols[first_col:first_col + ncols])
        layout.grids.append(grid[offset:offset + nrows * ncols].reshape(nrows, ncols))
        layout.row0.append(first_row)
        first_row += nrows
        first_col += ncols
    layout.by_column = layout.order[by_column]
    layout.group_starts = np.flatnonzero(new_col)
    layout.group_col = col_in_table_by_column[new_col]
    layout.group_table = table_by_column[new_col]


def _numbered_in_tables(table_rank: np.ndarray, inner_rank: np.ndarray):
    """For cells sorted by table, then by *inner_rank* (rows or columns): where a
    new inner key begins (bool per cell), each cell's inner key number within its
    table, and how many inner keys each table has."""
    new_table = np.ones(len(table_rank), dtype=bool)
    new_table[1:] = table_rank[1:] != table_rank[:-1]
    new_inner = new_table.copy()
    new_inner[1:] |= inner_rank[1:] != inner_rank[:-1]
    table_start = np.flatnonzero(new_table)
    inner_number = np.cumsum(new_inner) - 1
    in_table = inner_number - inner_number[table_start][table_rank]
    per_table = np.add.reduceat(new_inner.astype(np.int64), table_start)
    return new_inner, in_table, per_table


# --- statistics ---------------------------------------------------------------------------------

def _summarize_cells(values, starts, counts, exact_cell, confidence: float):
    """Every cell's center, CI bounds and summary warnings (cell id → messages):
    medians and CIs in one vectorised pass, exact cells one by one."""
    center, lo, hi = medians_and_cis(values, starts, counts, confidence)
    warn: dict[int, list[str]] = {}
    too_few = ((lo == -np.inf) | (hi == np.inf)) & ~exact_cell
    if too_few.any():
        relation, need = min_samples_for_ci(confidence)
        message = [f"need {relation} {need} samples for confidence interval at level "
                   f"{go_float(confidence)}"]
        for cell in np.flatnonzero(too_few).tolist():
            warn[cell] = message
    for cell in np.flatnonzero(exact_cell).tolist():
        summary = summarize(values[starts[cell]:starts[cell] + counts[cell]].tolist(), "exact",
                            confidence)
        center[cell], lo[cell], hi[cell] = summary.center, summary.lo, summary.hi
        if summary.warnings:
            warn[cell] = summary.warnings
    return center, lo, hi, warn


def _compare_cells(values, starts, counts, base, exact_cell, alpha: float):
    """p of every cell against its baseline (NaN: none; 0: exact units) and the
    comparison warnings (cell id → messages): all U tests at once."""
    p_values = np.full(len(base), np.nan)
    has_base = base >= 0
    p_values[has_base & exact_cell] = 0.0
    tested = np.flatnonzero(has_base & ~exact_cell)
    tested_base = base[tested]
    p_tested, equal = utests(values, starts[tested_base], counts[tested_base], starts[tested],
                             counts[tested])
    p_values[tested] = p_tested
    cmp_warn: dict[int, list[str]] = {}
    if equal.any():
        message = ["all samples are equal"]
        for cell in tested[equal].tolist():
            cmp_warn[cell] = message
    relation, need = min_samples_for_utest(alpha)
    weak = tested[~equal & (p_tested > alpha) & (counts[tested_base] < need)
                  & (counts[tested] < need)]
    if len(weak):
        message = [f"need {relation} {need} samples to detect a difference at alpha level "
                   f"{go_float(alpha)}"]
        for cell in weak.tolist():
            cmp_warn[cell] = message
    return p_values, cmp_warn


def _summarize_columns(tables: list[Table], layout: _Layout, data: CellData) -> None:
    """Fill every table's geomean row (``Table.summary``), all columns at once.

    For each column: the geometric mean of the cell centers, and of the ratios
    center / baseline center over the rows that have a baseline (0/0 counts as
    1; a zero baseline makes the ratio unavailable).  The running mean of logs
    is evaluated in lockstep over all columns with numpy, with the same
    floating-point operations as go-moremath's ``GeoMean``.
    """
    cell_ids = layout.by_column
    group_sizes = np.diff(np.append(layout.group_starts, len(cell_ids)))
    center = data.center[cell_ids]
    base_id = data.base[cell_ids]
    has_base = base_id >= 0
    base_center = data.center[np.where(has_base, base_id, 0)]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(center == base_center, 1.0,
                         np.where(base_center == 0, 0.0, center / base_center))
    group_count = len(layout.group_starts)
    group = np.repeat(np.arange(group_count), group_sizes)
    bad_ratio = np.bincount(group[has_base & (center != base_center) & (base_center == 0)],
                            minlength=group_count) > 0
    ratio_count = np.bincount(group[has_base], minlength=group_count)
    base_rows = np.zeros(len(tables), dtype=np.int64)
    is_base_col = layout.group_col == 0
    base_rows[layout.group_table[is_base_col]] = group_sizes[is_base_col]
    want_ratio = (layout.group_col > 0) & ~bad_ratio
    center_geomeans = geomeans_flat(center, group_sizes)
    ratio_geomeans = geomeans_flat(ratio[has_base & want_ratio[group]],
                                   np.where(want_ratio, ratio_count, 0))
    differs = ((layout.group_col > 0) & (ratio_count != base_rows[layout.group_table])).tolist()
    for table_index, col, wants, center_gm, ratio_gm, set_differs in zip(
            layout.group_table.tolist(), layout.group_col.tolist(), want_ratio.tolist(),
            center_geomeans, ratio_geomeans, differs):
        column = tables[table_index].summary[col] = ColumnSummary()
        if set_differs:
            column.warnings.append(
                "benchmark set differs from baseline; geomeans may not be comparable")
        if math.isnan(center_gm):
            column.warnings.append("summaries must be >0 to compute geomean")
        else:
            column.has_summary, column.summary = True, center_gm
        if wants:
            if math.isnan(ratio_gm):
                column.warnings.append("ratios must be >0 to compute geomean")
            else:
                column.has_ratio, column.ratio = True, ratio_gm
