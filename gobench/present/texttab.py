"""A fixed-width text table with spanning cells, margins and alignment.

The layout rules are those of benchstat's text tables:

* every cell has a left margin (default one space, none in column 0 or for an
  empty value) and an alignment (left, center, right);
* a column's margin width is the widest margin of any of its cells;
* column widths come first from single-column cells, then spanning cells (in
  order of increasing span) widen the non-shrinking columns they cover,
  splitting the missing width evenly, widest columns first;
* cells whose value and margin are both blank are not printed, and nothing is
  padded after the last printed cell of a line;
* a cell wider than its columns pushes the rest of its line to the right
  (Go prints a negative ``%*s`` padding as spaces).

Widths count characters (runes), not bytes.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TextTable", "LEFT", "CENTER", "RIGHT"]

LEFT, CENTER, RIGHT = "left", "center", "right"


@dataclass
class _Cell:
    row: int
    col: int
    span: int
    value: str
    margin: str
    align: str


def _pad(s: str, width: int) -> str:
    """Go's ``%*s``: right-justify in *width*; a negative width left-justifies in -width.

    (An overflowing cell makes the next cell's padding negative, which Go prints
    as that many spaces: benchstat's layout depends on it.)
    """
    if width < 0:
        return s.ljust(-width)
    return s.rjust(width)


def _go_div(a: int, b: int) -> int:
    """Integer division truncating toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


class TextTable:
    """Builder: :meth:`row`, :meth:`col`, :meth:`cell`/:meth:`span`, then :meth:`format`."""

    def __init__(self):
        self.cells: list[_Cell] = []
        self.ncols = 0
        self.shrink: dict[int, bool] = {}
        self.cur_row = 0
        self.cur_col = 0

    def row(self) -> "TextTable":
        if self.cells:
            self.cur_row += 1
        self.cur_col = 0
        return self

    def col(self, c: int) -> "TextTable":
        if c < self.cur_col:
            raise ValueError(f"cannot move from column {self.cur_col} to earlier column {c}")
        self.cur_col = c
        return self

    def cell(self, value: str, align: str = LEFT, margin: str | None = None) -> "TextTable":
        return self.span(1, value, align, margin)

    def span(self, n: int, value: str, align: str = LEFT, margin: str | None = None) -> "TextTable":
        m = "" if (self.cur_col == 0 or value == "") else " "
        if margin is not None:
            m = margin
        self.cells.append(_Cell(self.cur_row, self.cur_col, n, value, m, align))
        self.cur_col += n
        self.ncols = max(self.ncols, self.cur_col)
        return self

    def set_shrink(self, c: int, shrink: bool = True) -> None:
        self.shrink[c] = shrink

    def format(self) -> str:
        n = self.ncols
        lmargin = [0] * n
        for c in self.cells:
            lmargin[c.col] = max(lmargin[c.col], len(c.margin))
        ws = [0] * n
        for c in sorted(self.cells, key=lambda c: c.span):  # stable, like sort by span
            w = len(c.value) + lmargin[c.col]
            if c.span == 1:
                ws[c.col] = max(ws[c.col], w)
                continue
            tw = sum(ws[c.col:c.col + c.span])
            if tw >= w:
                continue
            span_cols = []
            for col in range(c.col, c.col + c.span):
                if self.shrink.get(col, False):
                    w -= ws[col]
                else:
                    span_cols.append(col)
            span_cols.sort(key=lambda col: -ws[col])
            k = len(span_cols)
            for col in span_cols:
                avg = _go_div(w + k - 1, k)
                ws[col] = max(ws[col], avg)
                w -= ws[col]
                k -= 1
        offs = [0] * (n + 1)
        off = 0
        for i, w in enumerate(ws):
            offs[i] = off
            off += w
        offs[n] = off
        out: list[str] = []
        row, pos = 0, 0
        line: list[str] = []
        for c in sorted(self.cells, key=lambda c: (c.row, c.col)):
            if c.value.strip() == "" and c.margin.strip() == "":
                continue
            while c.row > row:
                out.append("".join(line))
                line = []
                row += 1
                pos = 0
            spaces = offs[c.col] - pos
            lm = lmargin[c.col]
            line.append(_pad("", spaces) + _pad(c.margin, lm))
            pos += spaces + lm
            tw = offs[c.col + c.span] - offs[c.col] - lm
            if c.align == CENTER:
                s = _pad("", _go_div(tw - len(c.value), 2)) + c.value
            elif c.align == RIGHT:
                s = _pad(c.value, tw)
            else:
                s = c.value
            line.append(s)
            pos += len(s)
        if self.cells:
            out.append("".join(line))
            return "\n".join(out) + "\n"
        return ""
