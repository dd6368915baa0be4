"""The plain reference of :mod:`gobench.present.cellstr`: the texts cell by cell.

Selected by ``GOPHERLAB_ENGINE=reference`` (:mod:`gopherlab_common.engine`).
Each table row gets one :func:`~gobench.units.common_scale` over its centers, as
benchstat's text output scales a row; each cell then gets its center through
that scaler, its ``±`` range from :meth:`Cell.pct_range`, and, when it is
compared with a baseline, the delta and the ``(p=… n=…)`` note from its
:class:`~gobench.stats.summary.Comparison`.  Same strings as the vectorised
:class:`~gobench.present.cellstr.CellTexts`, one Python call per cell.
"""
from __future__ import annotations

import numpy as np

from ..units import class_of, common_scale

__all__ = ["cell_texts"]


def cell_texts(tables) -> dict:
    """The attributes of :class:`~gobench.present.cellstr.CellTexts` for *tables*.

    Returns a dict: ``center``, ``pct``, ``delta``, ``note`` (object arrays indexed
    by cell id, one extra ``None`` slot at the end for missing cells; ``delta`` and
    ``note`` are ``None`` for cells without a baseline), and the warning classes
    ``wclass_s``/``wclass_c`` with their messages ``wmsgs_s``/``wmsgs_c``.
    """
    n = len(tables[0].counts) if tables else 0
    texts = {name: [None] * (n + 1) for name in ("center", "pct", "delta", "note")}
    for t in tables:
        for row in _rows_of_cells(t):
            _row_texts(row, class_of(t.unit), texts)
    out = {name: _objects(strs) for name, strs in texts.items()}
    cells = sorted((c for t in tables for c in t.cells.values()), key=lambda c: c.index)
    out["wclass_s"], out["wmsgs_s"] = _warning_classes(
        cells, n, lambda c: (*c.sample_warnings, *c.warnings))
    out["wclass_c"], out["wmsgs_c"] = _warning_classes(
        cells, n, lambda c: tuple(c.comparison.warnings) if c.comparison is not None else ())
    return out


def _rows_of_cells(t):
    """The present cells of each row of table *t*, left to right."""
    for ri in range(len(t.rows)):
        yield [t.cells[(ri, cj)] for cj in range(len(t.cols)) if (ri, cj) in t.cells]


def _row_texts(row, unit_class: str, texts: dict) -> None:
    """Put the texts of one row's cells into *texts* (lists indexed by cell id)."""
    scaler = common_scale([cell.center for cell in row], unit_class)
    for cell in row:
        i = cell.index
        texts["center"][i] = scaler.format(cell.center)
        texts["pct"][i] = cell.pct_range()
        if cell.comparison is not None:
            texts["delta"][i] = cell.comparison.format_delta(cell.baseline.center, cell.center)
            texts["note"][i] = f"({cell.comparison.note()})"


def _warning_classes(cells, n: int, messages_of):
    """Number the distinct warning lists: ``(classes, messages)``.

    ``classes[i]`` is cell *i*'s class (0: no warning; slot *n* is the missing
    cell); ``messages[k]`` is the tuple of messages of class *k*.  Classes are
    numbered in order of first appearance by cell id.
    """
    classes = np.zeros(n + 1, dtype=np.int64)
    index: dict[tuple, int] = {}
    for cell in cells:
        msgs = messages_of(cell)
        if msgs:
            classes[cell.index] = index.setdefault(msgs, len(index) + 1)
    return classes, [(), *index]


def _objects(items: list) -> np.ndarray:
    """*items* as a 1-D numpy object array."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out
