"""What benchstat's table builders return: tables of cells, column geomeans.

Both builders (:mod:`gobench.benchtab_fast` and :mod:`gobench.benchtab_reference`)
fill the same objects, so the text, CSV and DataFrame presentations read either.
The model follows ``cmd/benchstat/internal/benchtab``'s ``Tables``/``Table``/
``TableCell``/``TableSummary``, with one change for big runs: the numbers of every
cell of a run live column-wise in one :class:`CellData` (arrays indexed by cell
id), and a :class:`Table` holds a grid of cell ids; :class:`Cell` objects are
made from it when first asked for.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .stats.summary import Comparison, pct_range_string

__all__ = ["Cell", "CellData", "ColumnSummary", "Table", "Tables"]


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

    Cell ids number the cells in order of their first value in the input
    (benchstat's builder creates a cell when its first value arrives).
    ``values[starts[i]:starts[i] + counts[i]]`` is cell *i*'s sorted sample
    (float64; NaN first, as Go's ``sort.Float64s``); ``center``/``lo``/``hi`` its
    summary; ``base`` its baseline cell (-1 for none); ``p`` the U test's p-value
    against the baseline (0 for exact units, NaN without a baseline).  Warnings
    are sparse: ``sample_warn`` (residue), ``warn`` (summary) and ``cmp_warn``
    (comparison) map a cell id to its list of messages.  ``order`` lists the
    cells by table, row and column; ``row_starts`` are the positions in
    ``order`` where a table row begins.
    """

    __slots__ = ("values", "starts", "counts", "center", "lo", "hi", "base", "p",
                 "sample_warn", "warn", "cmp_warn", "order", "row_starts")

    def __init__(self, values, starts, counts, center, lo, hi, base, p, sample_warn, warn,
                 cmp_warn, order, row_starts):
        self.values, self.starts, self.counts = values, starts, counts
        self.center, self.lo, self.hi = center, lo, hi
        self.base, self.p = base, p
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
        """The :class:`Cell` of every grid position that holds one, linked to its
        baseline (the row's column-0 cell) and comparison."""
        data = self.data
        exact = self.assumption == "exact"
        confidence = 1.0 if exact else self.confidence
        row_index, col_index = np.nonzero(self.grid >= 0)
        ids = self.grid[row_index, col_index].tolist()
        center, lo, hi = data.center[ids].tolist(), data.lo[ids].tolist(), data.hi[ids].tolist()
        cells: dict = {}
        for k, where in enumerate(zip(row_index.tolist(), col_index.tolist())):
            cell = Cell(center[k], lo[k], hi[k], confidence, data.warn.get(ids[k], ()), ids[k])
            sample_warnings = data.sample_warn.get(ids[k])
            if sample_warnings is not None:
                cell.sample_warnings = list(sample_warnings)
            cells[where] = cell
        counts = data.counts
        for (row, col), cell in cells.items():
            baseline = cells.get((row, 0)) if col else None
            if baseline is None:
                continue
            cell.baseline = baseline
            n1, n2 = int(counts[baseline.index]), int(counts[cell.index])
            if exact:
                cell.comparison = Comparison(0.0, n1, n2, 0.0)
            else:
                cell.comparison = Comparison(float(data.p[cell.index]), n1, n2, self.alpha,
                                             list(data.cmp_warn.get(cell.index, ())))
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
