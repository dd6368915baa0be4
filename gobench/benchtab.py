"""benchstat's tables: project results into cells, summarise and compare them.

Pipeline (as ``cmd/benchstat``): filter measurements → project each onto a table
key (``-table`` fields plus ``.unit``), a row key and a column key → each cell's
values form a sample → per-cell summary (median and CI, or exact) and, for every
column but the first, a comparison with the first column's cell of the same row →
per-column geomean row.  Rows, columns and tables are sorted with benchproc's
orders.

Two builders make the same :class:`Tables` (tested equal cell by cell):
:mod:`gobench.benchtab_fast` (vectorised, the default) and
:mod:`gobench.benchtab_reference` (a plain port of benchstat's builder loops),
chosen by ``GOPHERLAB_ENGINE`` (:mod:`gopherlab_common.engine`).  The objects
they return are in :mod:`gobench.benchtab_model`.
"""
from __future__ import annotations

from dataclasses import dataclass

from gopherlab_common.engine import reference_engine

from .benchtab_fast import build_tables_fast
from .benchtab_model import Cell, CellData, ColumnSummary, Table, Tables
from .benchtab_reference import build_tables_reference
from .errors import QuerySyntaxError
from .project.filter import compile_filter
from .project.projection import Projection, ProjectionParser
from .read.benchfmt import Results
from .stats._options import check_level

__all__ = ["Cell", "CellData", "ColumnSummary", "Table", "Tables", "Query", "build_tables"]


def build_tables(results: Results, *, table: str = ".config", row: str = ".fullname",
                 col: str = ".file", ignore: str = "", filter: str = "*",
                 alpha: float = 0.05, confidence: float = 0.95) -> Tables:
    """Build benchstat's tables from parsed results.

    Parameters mirror benchstat's flags (``-table``, ``-row``, ``-col``, ``-ignore``,
    ``-filter``, ``-alpha``, ``-confidence``).

    Returns
    -------
    Tables
        The tables in benchproc's order of their keys; each :class:`Table` one
        unit, its rows and columns sorted, cells with median (mode for exact
        units) and CI in the unit, p-values against column 0, a geomean row.

    Raises
    ------
    gobench.errors.QuerySyntaxError
        A bad filter or projection (checked in benchstat's order: filter, table,
        row, col, ignore).
    gobench.errors.OptionError
        ``alpha`` or ``confidence`` outside [0, 1].
    """
    query = Query.parse(table=table, row=row, col=col, ignore=ignore, filter=filter)
    return query.build(results, alpha=alpha, confidence=confidence)


@dataclass
class Query:
    """Parsed filter and projections of one benchstat run (see :meth:`parse`).

    ``matches(result_class, unit, unit_as_written) -> bool`` is the compiled
    ``-filter`` (None for ``*``); ``table_by`` (ending in ``.unit``), ``row_by``
    and ``col_by`` are the ``-table``/``-row``/``-col`` projections and
    ``residue`` what none of them (nor ``-ignore``) names, as in
    ``cmd/benchstat``; ``parser`` knows the keys they project.
    """

    matches: object
    parser: ProjectionParser
    table_by: Projection
    row_by: Projection
    col_by: Projection
    residue: Projection

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
            matches = compile_filter(filter)
        except QuerySyntaxError as e:
            e.flag = "-filter"
            raise
        parser = ProjectionParser()
        projections = []
        first_error = None
        for flag, text, with_unit in (("-table", table, True), ("-row", row, False),
                                      ("-col", col, False), ("-ignore", ignore, False)):
            try:
                projections.append(parser.parse(text, with_unit=with_unit))
            except QuerySyntaxError as e:
                e.flag = flag
                first_error = first_error or e
                projections.append(None)
        if first_error is not None:
            raise first_error
        table_by, row_by, col_by, _ = projections
        return cls(matches, parser, table_by, row_by, col_by, parser.residue())

    def build(self, results: Results, *, alpha: float = 0.05,
              confidence: float = 0.95) -> Tables:
        """Build the tables for parsed *results* (see :func:`build_tables`).

        The builder is the plain reference port when ``GOPHERLAB_ENGINE=reference``,
        else the vectorised one.

        Raises
        ------
        gobench.errors.OptionError
            ``alpha`` or ``confidence`` is not a number in [0, 1] (benchstat's
            ``-alpha``/``-confidence`` range).
        gopherlab_common.engine.EngineSettingError
            ``GOPHERLAB_ENGINE`` holds an unknown value.
        """
        check_level("alpha", alpha)
        check_level("confidence", confidence)
        if reference_engine():
            return build_tables_reference(self, results, alpha, confidence)
        return build_tables_fast(self, results, alpha, confidence)
