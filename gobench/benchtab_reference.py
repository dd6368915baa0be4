"""benchstat's table builder written plainly: a port of ``cmd/benchstat``'s loops.

It builds the same :class:`~gobench.benchtab_model.Tables` as the vectorised
builder (:mod:`gobench.benchtab_fast`; tested equal cell by cell) and runs when
``GOPHERLAB_ENGINE=reference``.  It follows benchstat's own steps (its main
loop, then ``Builder.Add`` and ``Builder.ToTables`` of
``cmd/benchstat/internal/benchtab``):

1. for each result, keep the values the ``-filter`` keeps (a result left with
   none is dropped: benchproc's ``Filter.Apply``);
2. project the result onto a table key per value (the ``-table`` key with the
   value's unit), a row key, a column key and a residue key, and append each
   value to its cell (table key, row key, column key), made when its first value
   arrives;
3. sort the table keys, and each table's row and column keys (benchproc's
   ``SortKeys``);
4. per cell: sort its values (Go's ``sort.Float64s``: NaN first), summarise them
   (:func:`~gobench.stats.summary.summarize`), compare them with the cell of the
   first column in the same row (:func:`~gobench.stats.summary.compare`: the
   Mann–Whitney U test), and warn when its results vary in a residue field;
5. per column: the geomean of the centers and of the ratios to the baseline
   (:func:`~gobench.stats.summary.geomean`, go-moremath's ``GeoMean``).

benchproc learns ``.config``'s keys as results arrive; this port binds them
before projecting, to the keys of all kept results in order of first
appearance.  The keys are the same, since a key a result lacks projects as ``""``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .benchtab_model import CellData, ColumnSummary, Table, Tables
from .project.keys import ResultClass, sort_keys
from .project.projection import Projection
from .read.benchfmt import Results
from .stats.summary import compare, geomean, summarize

__all__ = ["build_tables_reference"]


def build_tables_reference(query, results: Results, alpha: float,
                           confidence: float) -> Tables:
    """benchstat's tables of parsed *results* for a parsed :class:`~gobench.benchtab.Query`,
    one result and one cell at a time (see the module docstring).

    Binds the query's projections (their ``.config`` groups and first-seen
    orders) as a side effect, as benchstat's projections do when used.

    Raises
    ------
    gobench.errors.OptionError
        ``alpha`` or ``confidence`` outside [0, 1] (from the statistics).
    """
    if len(results) == 0:
        return Tables([], [], [])
    kept = list(_kept_results(query, results))
    config_keys = _config_keys_seen(kept)
    for projection in (query.table_by, query.row_by, query.col_by, query.residue):
        projection.bind(query.parser, config_keys)
    builder_tables, cells = _add_results(query, kept)
    if not cells:
        return Tables([], query.table_by.names(), [])
    return _to_tables(query, results, builder_tables, cells, alpha, confidence)


@dataclass
class _BuilderCell:
    """A cell while results arrive: its id (cells are numbered as they are made),
    its values in arrival order, and the residue keys of the results that fed it."""

    id: int
    values: list[float] = field(default_factory=list)
    residues: dict[tuple, None] = field(default_factory=dict)


@dataclass
class _BuilderTable:
    """A table while results arrive: its row and column keys (in arrival order,
    sorted later) and its cells by (row key, column key)."""

    rows: dict[tuple, None] = field(default_factory=dict)
    cols: dict[tuple, None] = field(default_factory=dict)
    cells: dict[tuple[tuple, tuple], _BuilderCell] = field(default_factory=dict)


# --- reading the results ------------------------------------------------------------------------

def _kept_results(query, results: Results):
    """Yield ``(result_class, [(unit, value), ...])`` for each result with a value
    that the filter keeps, in input order, with its kept values in order.

    A value is kept when the result passes the ``@(...)`` value lists of the
    projections and the ``-filter`` matches the result and the value's unit.
    """
    passes_value_lists = query.parser.fixed_filter()
    files, configs = results.res_file.tolist(), results.res_config.tolist()
    names, value_counts = results.res_name_id.tolist(), results.res_nvals.tolist()
    unit_codes, values = results.m_ucode.tolist(), results.m_value.tolist()
    first_value = 0
    for i in range(len(results)):
        result_class = ResultClass(results.labels[files[i]], results.configs[configs[i]],
                                   results.names[names[i]])
        in_lists = passes_value_lists is None or passes_value_lists(result_class)
        kept_values = []
        for m in range(first_value, first_value + value_counts[i]):
            unit = results.ucode_unit[unit_codes[m]]
            unit_as_written = results.ucode_orig[unit_codes[m]]
            if in_lists and (query.matches is None
                             or query.matches(result_class, unit, unit_as_written)):
                kept_values.append((unit, values[m]))
        first_value += value_counts[i]
        if kept_values:
            yield result_class, kept_values


def _config_keys_seen(kept: list) -> list[str]:
    """The configuration keys of the kept results, in order of first appearance."""
    seen: dict[str, None] = {}
    for result_class, _ in kept:
        for key, _ in result_class.config:
            seen.setdefault(key, None)
    return list(seen)


def _project(projection: Projection, result_class: ResultClass) -> tuple:
    """The key of *result_class* under *projection* (benchproc's ``Project``), each
    value observed for the first-seen orders; a ``.unit`` field is left ``""``."""
    key = []
    for key_field, extract in zip(projection.fields, projection.extractors):
        if extract is None:        # .unit: projected per value
            key.append("")
            continue
        value = extract(result_class)
        key_field.observe(value)
        key.append(value)
    return tuple(key)


def _add_results(query, kept: list):
    """benchstat's ``Builder.Add`` for every kept result: the tables by table key
    (in order of first appearance) and all cells by id."""
    tables: dict[tuple, _BuilderTable] = {}
    cells: list[_BuilderCell] = []
    unit_index = query.table_by.unit_index
    unit_field = query.table_by.fields[unit_index]
    for result_class, kept_values in kept:
        table_key_around_unit = _project(query.table_by, result_class)
        row = _project(query.row_by, result_class)
        col = _project(query.col_by, result_class)
        residue = _project(query.residue, result_class)
        for unit, value in kept_values:
            unit_field.observe(unit)
            table_key = (table_key_around_unit[:unit_index] + (unit,)
                         + table_key_around_unit[unit_index + 1:])
            table = tables.get(table_key)
            if table is None:
                table = tables[table_key] = _BuilderTable()
            cell = table.cells.get((row, col))
            if cell is None:
                cell = table.cells[(row, col)] = _BuilderCell(len(cells))
                cells.append(cell)
                table.rows[row] = None
                table.cols[col] = None
            cell.values.append(value)
            cell.residues[residue] = None
    return tables, cells


# --- the tables ---------------------------------------------------------------------------------

class _CellColumns:
    """The numbers of every cell by id, as :class:`CellData` holds them, filled
    table by table; ``samples`` are the cells' sorted values."""

    def __init__(self, cells: list[_BuilderCell]):
        count = len(cells)
        self.samples = [sorted(cell.values, key=_nan_first) for cell in cells]
        self.center, self.lo, self.hi = [math.nan] * count, [math.nan] * count, [math.nan] * count
        self.base, self.p = [-1] * count, [math.nan] * count
        self.sample_warn: dict[int, list[str]] = {}
        self.warn: dict[int, list[str]] = {}
        self.cmp_warn: dict[int, list[str]] = {}
        self.order: list[int] = []
        self.row_starts: list[int] = []

    def cell_data(self) -> CellData:
        """The filled columns as numpy arrays: the run's :class:`CellData`."""
        counts = np.array([len(sample) for sample in self.samples], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        values = np.array([v for sample in self.samples for v in sample], dtype=np.float64)
        return CellData(values, starts, counts, np.array(self.center), np.array(self.lo),
                        np.array(self.hi), np.array(self.base, dtype=np.int64),
                        np.array(self.p), self.sample_warn, self.warn, self.cmp_warn,
                        np.array(self.order, dtype=np.int64),
                        np.array(self.row_starts, dtype=np.int64))


def _nan_first(value: float):
    """Sort key of Go's ``sort.Float64s``: NaN before every other value."""
    return (value == value, value)


def _to_tables(query, results: Results, builder_tables: dict, cells: list[_BuilderCell],
               alpha: float, confidence: float) -> Tables:
    """benchstat's ``Builder.ToTables``: sort tables, rows and columns; summarise
    and compare every cell; add each table's geomean row."""
    columns = _CellColumns(cells)
    table_keys = sort_keys(list(builder_tables), query.table_by.fields)
    residue_fields = query.residue.names()
    laid_out = []
    for key in table_keys:
        builder_table = builder_tables[key]
        assumption = results.assumption(key[query.table_by.unit_index])
        rows = sort_keys(list(builder_table.rows), query.row_by.fields)
        cols = sort_keys(list(builder_table.cols), query.col_by.fields)
        grid = _place_cells(builder_table, rows, cols, columns)
        for (row, col), cell in builder_table.cells.items():
            baseline = builder_table.cells.get((row, cols[0])) if col != cols[0] else None
            _summarize_cell(cell, baseline, assumption, alpha, confidence, residue_fields,
                            columns)
        laid_out.append((assumption, rows, cols, grid))
    data = columns.cell_data()
    tables = []
    first_row = 0
    for key, (assumption, rows, cols, grid) in zip(table_keys, laid_out):
        table = Table(key, key[query.table_by.unit_index], assumption, rows, cols,
                      query.row_by.names(), query.col_by.names(), grid, data, first_row,
                      confidence, alpha)
        for col_index in range(len(cols)):
            table.summary[col_index] = _summarize_column(table, col_index, data)
        tables.append(table)
        first_row += len(rows)
    return Tables(tables, query.table_by.names(), table_keys)


def _place_cells(builder_table: _BuilderTable, rows: list[tuple], cols: list[tuple],
                 columns: _CellColumns) -> np.ndarray:
    """The table's grid of cell ids (-1: no cell); appends its cells to the run's
    reading order (``columns.order``) and its rows' starts in it."""
    grid = np.full((len(rows), len(cols)), -1, dtype=np.int64)
    for row_index, row in enumerate(rows):
        columns.row_starts.append(len(columns.order))
        for col_index, col in enumerate(cols):
            cell = builder_table.cells.get((row, col))
            if cell is not None:
                grid[row_index, col_index] = cell.id
                columns.order.append(cell.id)
    return grid


def _summarize_cell(cell: _BuilderCell, baseline: _BuilderCell | None, assumption: str,
                    alpha: float, confidence: float, residue_fields: list[str],
                    columns: _CellColumns) -> None:
    """benchstat's ``summarizeCell``: the cell's summary, its comparison with
    *baseline*, and ``benchmarks vary in …`` for the residue fields its results
    differ in (benchproc's ``NonSingularFields``)."""
    sample = columns.samples[cell.id]
    summary = summarize(sample, assumption, confidence)
    columns.center[cell.id], columns.lo[cell.id], columns.hi[cell.id] = (
        summary.center, summary.lo, summary.hi)
    if summary.warnings:
        columns.warn[cell.id] = summary.warnings
    if baseline is not None:
        comparison = compare(columns.samples[baseline.id], sample, assumption, alpha)
        columns.base[cell.id], columns.p[cell.id] = baseline.id, comparison.p
        if comparison.warnings:
            columns.cmp_warn[cell.id] = comparison.warnings
    residues = list(cell.residues)
    varying = [name for i, name in enumerate(residue_fields)
               if len({residue[i] for residue in residues}) > 1]
    if varying:
        columns.sample_warn[cell.id] = ["benchmarks vary in " + ", ".join(varying)]


def _summarize_column(table: Table, col_index: int, data: CellData) -> ColumnSummary:
    """benchstat's ``summarizeCol``: the geomean of the column's centers and of its
    ratios to the baseline (0/0 counts as 1; a zero baseline spoils the ratio),
    warning when its rows with a baseline are not all the baseline's rows."""
    summaries, ratios = [], []
    bad_ratio = False
    for row_index in range(len(table.rows)):
        cell_id = int(table.grid[row_index, col_index])
        if cell_id < 0:
            continue
        center = float(data.center[cell_id])
        summaries.append(center)
        base_id = int(data.base[cell_id])
        if base_id < 0:
            continue
        base_center = float(data.center[base_id])
        if center == base_center:
            ratios.append(1.0)
        elif base_center == 0:
            bad_ratio = True
            ratios.append(0.0)      # still counted against the baseline's rows
        else:
            ratios.append(center / base_center)
    column = ColumnSummary()
    is_base = col_index == 0
    base_rows = int((table.grid[:, 0] >= 0).sum())
    if not is_base and len(ratios) != base_rows:
        column.warnings.append(
            "benchmark set differs from baseline; geomeans may not be comparable")
    summary = geomean(summaries)
    if math.isnan(summary):
        column.warnings.append("summaries must be >0 to compute geomean")
    else:
        column.has_summary, column.summary = True, summary
    if not is_base and not bad_ratio:
        ratio = geomean(ratios)
        if math.isnan(ratio):
            column.warnings.append("ratios must be >0 to compute geomean")
        else:
            column.has_ratio, column.ratio = True, ratio
    return column
