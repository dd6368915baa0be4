"""``go tool pprof -list``/``-weblist`` as a DataFrame and as HTML: the source lines that cost."""

from __future__ import annotations

import html

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.goregex import GoRegexp
from ..analyze.measurement import scaled_label
from ..analyze.source_lines import function_totals, source_line_weights
from ..model.data import ProfileData
from .source_files import SourceFiles

LIST_COLUMNS = ["function", "file", "line", "flat", "cum", "source"]


def list_table(data: ProfileData, regex: GoRegexp, sample_index: int, *, total: int, noinlines: bool = False,
               source_path=None, trim_path=None, use_go: bool = True) -> pd.DataFrame:
    """The ``-list`` lines of the functions matching ``regex``, with their source text.

    See :meth:`pprof_parse.Profile.list` for the columns and ``attrs``;
    ``total`` is the report total (pprof's ``Total:`` line). Source files are
    found by :class:`~pprof_parse.present.source_files.SourceFiles`
    (``source_path``, ``trim_path``, ``use_go``).
    """
    lines = source_line_weights(data, regex, sample_index, noinlines=noinlines)
    files = SourceFiles(source_path, trim_path, use_go=use_go)
    texts = [files.line(f, int(n)) for f, n in zip(lines["file"], lines["line"])]
    df = lines.assign(source=pd.array(texts, dtype="string"))[LIST_COLUMNS]
    st = data.sample_types[sample_index]
    df.attrs.update({
        "sample_type": st.type, "unit": st.unit, "total": total,
        "functions": function_totals(lines).to_dict("records"),
        "no_source_info": lines.attrs["no_source_info"],
        "missing_sources": sorted({f for f in lines["file"] if files.lines(f) is None}),
        "source_files": dict(sorted(files.found.items())),
    })
    return df


# ---- HTML (weblist-style) ---------------------------------------------------------------------------

_STYLE = """<style>
.gl-list{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;border-collapse:collapse}
.gl-list caption{text-align:left;font-weight:bold;padding:6px 0 2px}
.gl-list td,.gl-list th{padding:0 6px;white-space:pre}
.gl-list td.n,.gl-list th.n{text-align:right}
.gl-list td.src{text-align:left}
</style>"""


def format_cost(value: int, unit: str) -> str:
    """A cost as pprof prints it with ``-unit=minimum`` (``"1.50s"``, ``"64MB"``); ``"."`` for 0 (``valueOrDot``)."""
    return "." if value == 0 else scaled_label(int(value), unit, "minimum")


def _heat(value: int, peak: int) -> str:
    """Background colour of a line: white for 0 to red for the costliest line (by |cum|)."""
    if peak <= 0 or value == 0:
        return "#ffffff"
    a = min(1.0, abs(value) / peak)
    g = int(round(255 - 175 * a))
    return f"#ff{g:02x}{g:02x}"


def listing_html(df: pd.DataFrame, *, hot_first: bool = True, max_lines: int | None = None) -> str:
    """A weblist-style HTML table of a :meth:`pprof_parse.Profile.list` DataFrame.

    One table per (function, file), the hottest functions first (by |Σ cum| of
    its rows: pprof's ``(flat, cum)`` header totals for an unfiltered listing);
    within one, lines by |cum| descending (``hot_first``; else in line order), at
    most ``max_lines`` each. Each row: flat and cum right-aligned, scaled with
    units as pprof prints them (``"."`` for 0), the line number, the
    HTML-escaped source text (empty when not found); its background shades from
    white to red with its |cum| relative to the costliest line of ``df``.
    Self-contained: inline CSS, no script, no network. Returns the HTML string.
    """
    unit = df.attrs.get("unit", "count")
    peak = int(np.abs(df["cum"].to_numpy()).max()) if len(df) else 0
    parts = [_STYLE]
    heads = function_totals(df)  # from the rows given: a filtered listing keeps its own totals
    if len(heads):
        heads = heads.iloc[np.argsort(-np.abs(heads["cum"].to_numpy()), kind="stable")]
    for head in heads.itertuples(index=False):
        rows = df[(df["function"] == head.function) & (df["file"] == head.file)]
        if hot_first:
            rows = rows.iloc[np.argsort(-np.abs(rows["cum"].to_numpy()), kind="stable")]
        if max_lines is not None:
            rows = rows.head(max_lines)
        parts.append(_function_table(head, rows, unit, peak))
    return "\n".join(parts)


def _function_table(head, rows: pd.DataFrame, unit: str, peak: int) -> str:
    """One function's table: caption with its totals, then one row per line."""
    esc = html.escape
    caption = (f"{esc(head.function)} in {esc(head.file)} &mdash; flat {esc(scaled_label(head.flat, unit, 'minimum'))}, "
               f"cum {esc(scaled_label(head.cum, unit, 'minimum'))}")
    out = [f'<table class="gl-list"><caption>{caption}</caption>',
           '<tr><th class="n">flat</th><th class="n">cum</th><th class="n">line</th><th>source</th></tr>']
    for r in rows.itertuples(index=False):
        src = "" if pd.isna(r.source) else r.source
        out.append(f'<tr style="background:{_heat(r.cum, peak)}"><td class="n">{esc(format_cost(r.flat, unit))}</td>'
                   f'<td class="n">{esc(format_cost(r.cum, unit))}</td><td class="n">{int(r.line)}</td>'
                   f'<td class="src">{esc(src)}</td></tr>')
    out.append("</table>")
    return "\n".join(out)
