"""Escaping untrusted text (benchmark names, units, configuration values) for the
Markdown and HTML that gobench writes.

Benchmark names and units come from the files being compared, often from a pull
request, and end up in a PR comment (``gopherlab compare --format markdown``) or in
plotly labels.  Nothing in them may become markup:

* :func:`escape_cell` - one cell of a GitHub-flavoured Markdown table;
* :func:`markdown_table` - a whole table of escaped cells;
* :func:`escape_plot_text` - text for plotly labels, titles and hover text (plotly
  reads a subset of HTML there: ``<b>``, ``<a href>``, ``<br>``, entities).

Rules from the GitHub Flavored Markdown spec (tables extension: a cell ends at an
unescaped ``|``, a row at a line end; any ASCII punctuation may be
backslash-escaped; HTML tags and entities are recognised inline; the autolink
extension links ``www.``, ``scheme://`` and e-mail addresses) and GitHub's
``$…$`` math.
"""
from __future__ import annotations

import html
import re

__all__ = ["escape_cell", "markdown_table", "escape_plot_text"]

# every Unicode line break (a row ends at \n or \r; the others are made spaces too)
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# other control characters, and the bidirectional controls that can make a name read
# backwards ("Trojan Source"): shown as U+FFFD
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f"
                       r"\u202a-\u202e\u2066-\u2069]")
# Markdown punctuation that can start or end markup in a cell: emphasis (* _ ~),
# code (`), links and images (! [ ] ( )), math ($), the cell separator (|), the
# escape itself (\), autolinks (: after a scheme, @ of an e-mail address)
_MD_PUNCT = re.compile(r"([\\`*_~\[\]()!|$:@])")
_WWW = re.compile(r"(?i)(www)\.")


def escape_cell(value) -> str:
    """*value* as the text of one GitHub Markdown table cell, shown literally.

    Parameters
    ----------
    value : object
        Anything; ``None`` is the empty cell, other objects go through ``str``.

    Returns
    -------
    str
        One line (line breaks become spaces, other control and bidirectional
        characters U+FFFD) in which ``&``, ``<``, ``>`` are HTML entities and the
        Markdown punctuation ``\\ ` * _ ~ [ ] ( ) ! | $ : @`` (and the ``.`` of
        ``www.``) is backslash-escaped: no ``|`` splits the cell, no tag,
        image, link, autolink, emphasis, code span or math is formed, and the
        cell renders as the original text.
    """
    s = "" if value is None else str(value)
    s = _LINE_BREAKS.sub(" ", s)
    s = _CONTROLS.sub("\ufffd", s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_PUNCT.sub(r"\\\1", s)
    return _WWW.sub(r"\1\\.", s)


def markdown_table(header: list[str], rows, align: list[str] | None = None) -> list[str]:
    """A GitHub Markdown table as lines, every cell through :func:`escape_cell`.

    Parameters
    ----------
    header : list of str
        Column titles.
    rows : iterable of sequences
        Cells of each row; each row must have ``len(header)`` cells (ValueError
        otherwise), so every line has the header's cell count.
    align : list of str, optional
        ``"l"``, ``"r"`` or ``"c"`` per column (default left).

    Returns
    -------
    list of str
        The header line, the delimiter line, one line per row.
    """
    n = len(header)
    align = align or ["l"] * n
    delim = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(escape_cell(h) for h in header) + " |",
           "|" + "|".join(delim[a] for a in align) + "|"]
    for row in rows:
        row = list(row)
        if len(row) != n:
            raise ValueError(f"row of {len(row)} cells in a table of {n} columns")
        out.append("| " + " | ".join(escape_cell(c) for c in row) + " |")
    return out


def escape_plot_text(value) -> str:
    """*value* as plotly label text shown literally: ``&``, ``<``, ``>`` as entities
    (plotly renders entities and a subset of HTML tags in labels and hover text)."""
    return html.escape("" if value is None else str(value), quote=False)
