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

__all__ = ["TextTable", "LEFT", "CENTER", "RIGHT"]

LEFT, CENTER, RIGHT = "left", "center", "right"


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
    """Builder: :meth:`row`, :meth:`col`, :meth:`cell`/:meth:`span`, then :meth:`format`.

    Cells are kept as ``(row, col, span, value, margin, align)`` tuples, already in
    (row, col) order because :meth:`col` never moves left.
    """

    def __init__(self):
        self.cells: list[tuple] = []
        self.block = None          # (first row, number of rows, columns): see add_block
        self.ncols = 0
        self.shrink: set[int] = set()
        self.cur_row = 0
        self.cur_col = 0

    def row(self) -> "TextTable":
        if self.cells or self.block is not None:
            self.cur_row += 1
        self.cur_col = 0
        return self

    def col(self, c: int) -> "TextTable":
        if c < self.cur_col:
            raise ValueError(f"cannot move from column {self.cur_col} to earlier column {c}")
        self.cur_col = c
        return self

    def cell(self, value: str, align: str = LEFT, margin: str | None = None) -> "TextTable":
        c = self.cur_col
        if margin is None:
            margin = "" if (c == 0 or value == "") else " "
        self.cells.append((self.cur_row, c, 1, value, margin, align))
        self.cur_col = c + 1
        if c + 1 > self.ncols:
            self.ncols = c + 1
        return self

    def span(self, n: int, value: str, align: str = LEFT, margin: str | None = None) -> "TextTable":
        c = self.cur_col
        if margin is None:
            margin = "" if (c == 0 or value == "") else " "
        self.cells.append((self.cur_row, c, n, value, margin, align))
        self.cur_col = c + n
        if c + n > self.ncols:
            self.ncols = c + n
        return self

    def add_block(self, nrows: int, columns: list[tuple]) -> None:
        """Add *nrows* rows of single-column cells given column by column (once per table).

        ``columns`` holds ``(col, values, margin, align)``: ``values[i]`` is the
        cell of the block's row *i* in column *col* (``None``: no cell there),
        ``margin`` its margin when the value is not empty (an empty value gets
        none, as :meth:`cell`), ``align`` LEFT or RIGHT.  The same layout as adding
        each cell with :meth:`col`/:meth:`cell`, row by row, but formatted a
        column at a time; every cell must fit its column (single-column cells do).
        """
        r0 = self.cur_row + 1 if (self.cells or self.block is not None) else 0
        self.block = (r0, nrows, columns)
        self.cur_row = r0 + nrows - 1
        self.cur_col = 0
        for col, _, _, _ in columns:
            if col + 1 > self.ncols:
                self.ncols = col + 1

    def set_shrink(self, c: int, shrink: bool = True) -> None:
        if shrink:
            self.shrink.add(c)
        else:
            self.shrink.discard(c)

    def format(self) -> str:
        """The table as text: one line per row, each ending with ``\\n`` (see module docstring)."""
        if not self.cells and self.block is None:
            return ""
        lmargin, block_widths = self._margins()
        ws = self._single_column_widths(lmargin, block_widths)
        self._widen_for_spans(ws, lmargin)
        offs = [0] * (self.ncols + 1)
        for i, w in enumerate(ws):
            offs[i + 1] = offs[i] + w
        lines = self._cell_lines(lmargin, offs)
        if self.block is not None:
            r0, nrows, _ = self.block
            lines.extend([""] * (r0 + nrows - len(lines)))
            lines[r0:r0 + nrows] = self._block_lines(lmargin, ws)
            while lines and lines[-1] is None:
                lines.pop()
        return "".join(("" if ln is None else ln) + "\n" for ln in lines) if lines else "\n"

    def _margins(self) -> tuple[list[int], list[tuple[int, int]]]:
        """Each column's margin width (its widest cell margin), and ``(col, widest value)``
        of the block's columns that print something (0 wide when only empty values)."""
        lmargin = [0] * self.ncols
        for c in self.cells:
            col, lm = c[1], len(c[4])
            if lm > lmargin[col]:
                lmargin[col] = lm
        block_widths = []
        if self.block is not None:
            for col, values, margin, _ in self.block[2]:
                widest = max(map(len, filter(None, values)), default=-1)
                if widest < 0:       # no value to print: no margin
                    if values.count(None) != len(values):
                        block_widths.append((col, 0))
                    continue
                if len(margin) > lmargin[col]:
                    lmargin[col] = len(margin)
                block_widths.append((col, widest))
        return lmargin, block_widths

    def _single_column_widths(self, lmargin, block_widths) -> list[int]:
        """Column widths (margin included) from the cells that span one column."""
        ws = [0] * self.ncols
        for c in self.cells:
            if c[2] == 1:
                col = c[1]
                w = len(c[3]) + lmargin[col]
                if w > ws[col]:
                    ws[col] = w
        for col, w in block_widths:
            w += lmargin[col]
            if w > ws[col]:
                ws[col] = w
        return ws

    def _widen_for_spans(self, ws: list[int], lmargin) -> None:
        """Widen *ws* in place for the spanning cells, narrowest span first: the missing
        width goes to the spanned non-shrinking columns, split evenly, widest first."""
        for c in sorted((c for c in self.cells if c[2] != 1), key=lambda c: c[2]):
            col0, span = c[1], c[2]
            w = len(c[3]) + lmargin[col0]
            if sum(ws[col0:col0 + span]) >= w:
                continue
            span_cols = []
            for col in range(col0, col0 + span):
                if col in self.shrink:
                    w -= ws[col]
                else:
                    span_cols.append(col)
            span_cols.sort(key=lambda col: -ws[col])
            k = len(span_cols)
            for col in span_cols:
                avg = _go_div(w + k - 1, k)
                if avg > ws[col]:
                    ws[col] = avg
                w -= ws[col]
                k -= 1

    def _cell_lines(self, lmargin, offs) -> list:
        """Lines of the cells added one by one (None for rows nothing is printed on)."""
        lines: list = []
        out: list[str] = []
        app = out.append
        row, pos = -1, 0
        for r, col, span, value, margin, align in self.cells:
            if not value.strip() and not margin.strip():
                continue
            if r != row:
                if row >= 0:
                    lines.extend([None] * (row - len(lines)))
                    lines.append("".join(out))
                    out.clear()
                row, pos = r, 0
            off = offs[col]
            spaces = off - pos
            lm = lmargin[col]
            # Go's %*s: a negative width pads on the other side (still spaces)
            app(" " * (spaces if spaces >= 0 else -spaces))
            app(margin.rjust(lm))
            pos += spaces + lm
            tw = offs[col + span] - off - lm
            if align == RIGHT:
                v = value.rjust(tw) if tw >= 0 else value.ljust(-tw)
            elif align == CENTER:
                d = _go_div(tw - len(value), 2)
                v = " " * (d if d >= 0 else -d) + value
            else:
                v = value
            app(v)
            pos += len(v)
        if row >= 0:
            lines.extend([None] * (row - len(lines)))
            lines.append("".join(out))
        return lines

    def _block_lines(self, lmargin, ws) -> list[str]:
        """The block's lines: every column padded to its width, then trailing blanks cut.

        One ``str.format`` per line: columns printed on every row become ``{:>w}``
        or ``{:<w}`` fields, columns never printed literal spaces, and the others
        are padded cell by cell first.
        """
        _, nrows, columns = self.block
        bycol = {c[0]: c for c in columns}
        fmt: list[str] = []
        args: list[list[str]] = []
        last = max(bycol) if bycol else -1
        for col in range(last + 1):
            w = ws[col]
            blank = " " * w
            spec = bycol.get(col)
            if spec is None:
                fmt.append(blank)
                continue
            _, values, margin, align = spec
            lm = lmargin[col]
            m = margin.rjust(lm)
            tw = w - lm
            if None not in values and "" not in values:   # every row printed
                fmt.append(m.replace("{", "{{").replace("}", "}}")
                           + ("{:>%d}" if align == RIGHT else "{:<%d}") % max(tw, 0))
                args.append(values)
            elif not any(values):
                fmt.append(blank)
            else:
                fmt.append("{}")
                if align == RIGHT:
                    args.append([m + v.rjust(tw) if v else blank for v in values])
                else:
                    args.append([m + v.ljust(tw) if v else blank for v in values])
        line = "".join(fmt)
        if not args:
            return [line.rstrip(" ")] * nrows
        return [ln.rstrip(" ") for ln in map(line.format, *args)]
