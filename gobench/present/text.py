"""benchstat's text and CSV renderings of :class:`~gobench.benchtab.Tables`."""
from __future__ import annotations

import numpy as np

from ..benchtab import Table, Tables
from ..units import class_of, scale
from .gofmt import go_float, go_pct_delta
from .cellstr import CellTexts
from .texttab import CENTER, LEFT, RIGHT, TextTable

__all__ = ["tables_to_text", "tables_to_csv", "superscript", "key_header"]

_SUPER = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def superscript(i: int) -> str:
    """Footnote mark: ``superscript(12) == "¹²"``."""
    return "".join(_SUPER[int(d)] for d in str(i))


def key_header(cols: list[tuple]):
    """Merge equal adjacent values level by level: list of levels of ``(value, start, len)``."""
    if not cols:
        return []
    nlev = len(cols[0])
    levels = []
    groups = [(0, len(cols))]
    for lev in range(nlev):
        nodes, children = [], []
        for start, length in groups:
            cur = None
            for j in range(start, start + length):
                v = cols[j][lev] if lev < len(cols[j]) else ""
                if cur is not None and v == cur[0]:
                    cur[2] += 1
                else:
                    cur = [v, j, 1]
                    nodes.append(cur)
                    children.append(cur)
        levels.append([tuple(n) for n in nodes])
        groups = [(n[1], n[2]) for n in children]
    return levels


def _header_lines(tables: Tables, emit):
    prev = None
    for i, (t, key) in enumerate(zip(tables.tables, tables.keys)):
        if i > 0:
            emit(None)
        for j, name in enumerate(tables.table_fields):
            if name == ".unit":
                continue
            val = key[j]
            if prev is None or val != prev[j]:
                emit(f"{name}: {val}")
        prev = key
        yield t


def tables_to_text(tables: Tables) -> str:
    """Render tables as benchstat's default text output (byte for byte)."""
    out: list[str] = []

    def emit(line):
        out.append("\n" if line is None else line + "\n")

    texts = CellTexts(tables.tables)
    for t in _header_lines(tables, emit):
        out.append(_table_text(t, texts))
    return "".join(out)


def _start_col(exp: int, center_cols: int, delta_cols: int) -> int:
    """First physical column of logical column *exp* (after the label column)."""
    if exp == 0:
        return 1
    return 1 + center_cols + (exp - 1) * (center_cols + delta_cols)


def _table_text(t: Table, texts: CellTexts) -> str:
    """One table as benchstat prints it: key header, unit header, data rows, the geomean
    row (for two rows or more), then the footnotes its warning marks refer to."""
    o = TextTable()
    notes = _Footnotes()
    _key_and_unit_rows(o, t)
    if t.rows:
        o.add_block(len(t.rows), _data_columns(t, texts, notes.marks))
    if len(t.rows) > 1:
        _geomean_row(o, t, notes.marks)
    text = o.format()
    for i, msg in enumerate(notes.messages):
        text += f"{superscript(i + 1)} {msg}\n"
    return text


class _Footnotes:
    """A table's footnotes: each distinct warning message gets the next number."""

    def __init__(self):
        self.messages: list[str] = []
        self._number: dict[str, int] = {}
        self._memo: dict[tuple, str] = {}

    def marks(self, *lists) -> str:
        """The superscript marks of the messages of *lists*, space-separated (numbering
        the new ones in order)."""
        key = tuple(msg for lst in lists for msg in (*lst, None))
        got = self._memo.get(key)
        if got is not None:
            return got
        marks = []
        for lst in lists:
            for msg in lst:
                i = self._number.get(msg)
                if i is None:
                    i = self._number[msg] = len(self.messages)
                    self.messages.append(msg)
                marks.append(superscript(i + 1))
        got = self._memo[key] = " ".join(marks)
        return got


_CENTER_COLS, _DELTA_COLS = 3, 3     # text columns of a logical column and of its delta


def _key_and_unit_rows(o: TextTable, t: Table) -> None:
    """The header: one row per level of the column keys (equal neighbours merged), then
    the unit over each column and ``vs base`` over each delta."""
    def start_col(exp: int) -> int:
        return _start_col(exp, _CENTER_COLS, _DELTA_COLS)

    r_edge = start_col(len(t.cols) + 1)
    for level in key_header(t.cols):
        o.row()
        for value, start, length in level:
            left, right = start_col(start), start_col(start + length)
            o.col(left).span(right - left, value, CENTER, " │ ")
        o.col(r_edge).cell("", LEFT, " │")
    o.row()
    for i in range(len(t.cols)):
        left = start_col(i)
        o.col(left)
        o.span(_CENTER_COLS, t.unit, CENTER, " │ ")
        if i > 0:
            o.span(_DELTA_COLS, "vs base", LEFT, "  ")
        for j in range(left + 1, o.cur_col):
            o.set_shrink(j, True)
    o.col(r_edge).cell("", LEFT, " │")


def _geomean_row(o: TextTable, t: Table, warn_marks) -> None:
    """The ``geomean`` row: each column's geomean of centers and ratio to the baseline."""
    cls = class_of(t.unit)
    o.row()
    o.cell("geomean")
    for exp, ck in enumerate(t.cols):
        s = t.summary.get(exp)
        if s is None:
            continue
        start = _start_col(exp, _CENTER_COLS, _DELTA_COLS)
        if s.has_summary:
            o.col(start)
            o.cell(scale(s.summary, cls), RIGHT)
        if exp > 0:
            o.col(start + _CENTER_COLS)
            if s.has_ratio:
                o.cell(go_pct_delta((s.ratio - 1) * 100), RIGHT)
            else:
                o.cell("?")
        o.col(_start_col(exp + 1, _CENTER_COLS, _DELTA_COLS) - 1)
        o.cell(warn_marks(s.warnings))


def _data_columns(t: Table, texts: CellTexts, warn_marks) -> list[tuple]:
    """The data rows of *t* column by column, for :meth:`TextTable.add_block`.

    Per logical column: center, ``±`` range and warning marks; for compared
    columns also delta, ``(p=… n=…)`` and the comparison's warning marks.
    Footnotes are numbered in reading order (row by row, left to right).
    """
    d = t.data
    g = t.grid
    nrows, ncols = g.shape
    gi = np.where(g >= 0, g, len(texts.center) - 1)    # -1 -> the None slot
    present = g >= 0
    has_base = present.copy()
    has_base[:, 0] = False
    has_base &= d.base[gi.clip(0, len(d.base) - 1)] >= 0
    labels = [rk[0] if len(rk) == 1 else t.row_label(rk) for rk in t.rows]
    cols = [(0, labels, "", LEFT)]
    marks = np.where(present, "", None).astype(object)
    cmarks = np.where(has_base, "", None).astype(object)
    # warning marks: footnotes are numbered in reading order (row by row, left to
    # right, a cell's own warnings before its comparison's), so the first cell of
    # each distinct set of messages decides; every cell of the set shares its marks
    fs = texts.wclass_s[gi].ravel()
    fc = np.where(has_base, texts.wclass_c[gi], 0).ravel()
    ks, kc = np.flatnonzero(fs), np.flatnonzero(fc)
    if len(ks) or len(kc):
        pos = np.concatenate([ks * 2, kc * 2 + 1])
        code = np.concatenate([fs[ks] * 2, fc[kc] * 2 + 1])[np.argsort(pos, kind="stable")]
        u, first = np.unique(code, return_index=True)
        got = [{}, {}]
        for cd in u[np.argsort(first)].tolist():
            kind, cid = cd & 1, cd >> 1
            got[kind][cid] = warn_marks((texts.wmsgs_c if kind else texts.wmsgs_s)[cid])
        for k_, f_, arr, g in ((ks, fs, marks, got[0]), (kc, fc, cmarks, got[1])):
            if len(k_):
                lut = np.empty(max(g) + 1, dtype=object)
                for cid, mk in g.items():
                    lut[cid] = mk
                arr.ravel()[k_] = lut[f_[k_]]
    for exp in range(ncols):
        c0 = _start_col(exp, _CENTER_COLS, _DELTA_COLS)
        ids = gi[:, exp]
        cols.append((c0, texts.center[ids].tolist(), " ", RIGHT))
        cols.append((c0 + 1, texts.pct[ids].tolist(), " ± ", RIGHT))
        cols.append((c0 + 2, marks[:, exp].tolist(), " ", LEFT))
        if exp > 0 and has_base[:, exp].any():
            hb = has_base[:, exp]
            bids = np.where(hb, ids, len(texts.center) - 1)
            cols.append((c0 + 3, texts.delta[bids].tolist(), " ", RIGHT))
            cols.append((c0 + 4, texts.note[bids].tolist(), " ", LEFT))
            cols.append((c0 + 5, cmarks[:, exp].tolist(), " ", LEFT))
    return cols


def _col_name(x: int) -> str:
    # spreadsheet-style column label as benchstat computes it (A for 0, B for 1, ...)
    name = []
    while x > 0:
        name.append(chr(ord("A") + x % 26))
        x //= 26
    if not name:
        name.append("A")
    return "".join(reversed(name))


def tables_to_csv(tables: Tables) -> tuple[str, str]:
    """Render tables as benchstat's ``-format csv``: returns ``(stdout, stderr)`` text."""
    lines: list[str] = []
    warnings: list[str] = []
    rowno = [1]

    def write(row):
        lines.append(",".join(_csv_field(f) for f in row) + "\n")
        rowno[0] += 1

    def emit(line):
        write([""] if line is None else [line])

    for t in _header_lines(tables, emit):
        _table_csv(t, write, rowno, warnings)
    return "".join(lines), "".join(warnings)


def _csv_field(f: str) -> str:
    """Quote a field as Go's encoding/csv does."""
    if f == "":
        return f
    if f == "\\." or any(c in f for c in ',"\r\n') or f[0].isspace():
        return '"' + f.replace('"', '""') + '"'
    return f


def _csv_header_rows(t: Table, write, start_col) -> None:
    """The CSV header: one row per column-key field, then the unit, ``CI``, ``vs base``
    and ``P`` titles of each column."""
    for lev in range(len(t.col_fields)):
        row: list[str] = []
        for exp, ck in enumerate(t.cols):
            row += [""] * (start_col(exp) - len(row))
            row.append(ck[lev])
        row += [""] * (start_col(len(t.cols)) - len(row))
        write(row)
    row = []
    for exp in range(len(t.cols)):
        row += [""] * (start_col(exp) - len(row))
        row.extend([t.unit, "CI"])
        if exp > 0:
            row.extend(["vs base", "P"])
    write(row)


def _table_csv(t: Table, write, rowno, warnings):
    """One table as benchstat's CSV rows; each warning goes to *warnings* as
    ``<cell name><row number>: <message>`` (benchstat prints them on stderr)."""
    center_cols, delta_cols = 2, 2

    def start_col(exp: int) -> int:
        return _start_col(exp, center_cols, delta_cols)

    row: list[str] = []

    def clear_to(c):
        while len(row) < c:
            row.append("")

    def warn(msgs):
        name = _col_name(len(row))
        for m in msgs:
            warnings.append(f"{name}{rowno[0]}: {m}\n")

    _csv_header_rows(t, write, start_col)
    for ri, rk in enumerate(t.rows):
        row.append(t.row_label(rk))
        for exp, ck in enumerate(t.cols):
            cell = t.cells.get((ri, exp))
            if cell is None:
                continue
            clear_to(start_col(exp))
            warn(cell.sample_warnings)
            warn(cell.summary.warnings)
            row.extend([go_float(cell.summary.center), cell.summary.pct_range()])
            if exp > 0 and cell.baseline is not None:
                c = cell.comparison
                warn(c.warnings)
                row.extend([c.format_delta(cell.baseline.summary.center, cell.summary.center),
                            c.note()])
        write(row)
        row.clear()
    row.append("geomean")
    for exp, ck in enumerate(t.cols):
        s = t.summary.get(exp)
        if s is None:
            continue
        clear_to(start_col(exp))
        warn(s.warnings)
        if s.has_summary:
            row.append(go_float(s.summary))
        if exp > 0:
            clear_to(start_col(exp) + center_cols)
            row.append(go_pct_delta((s.ratio - 1) * 100) if s.has_ratio else "?")
    clear_to(start_col(len(t.cols)))
    write(row)
    row.clear()
