"""Helpers the workbench notebooks call: sample data, safe HTML tables, precomputed views.

Kept out of the notebooks so they stay thin, and tested with plain pytest.
Everything that turns profile strings into HTML escapes them.
"""
from __future__ import annotations

import html
import re
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
import pandas as pd

RESULT_MIME = "application/vnd.gopherlab.result+json"

_DATA_DIRS: list = []  # keep as_file() contexts alive for the process


def sample_path(relpath: str) -> str:
    """Filesystem path of a bundled sample file, e.g. ``sample_path("profiles/allocs.pb.gz")``.

    Works from an editable checkout and from an installed wheel (``importlib.resources``).

    Raises
    ------
    FileNotFoundError
        No such bundled file.
    """
    return str(_resource_path("gopherlab.data", relpath, f"no bundled sample file {relpath!r} in gopherlab.data"))


def _resource_path(package: str, relpath: str, missing: str) -> Path:
    """A package resource as a real file (extracted for the process's lifetime when zipped)."""
    res = files(package).joinpath(*relpath.split("/"))
    if not res.is_file():
        raise FileNotFoundError(missing)
    ctx = as_file(res)
    path = ctx.__enter__()
    _DATA_DIRS.append(ctx)
    return Path(path)


TABLE_CSS = """<style>
.jp-RenderedHTMLCommon .gl-table th:first-child, .jp-RenderedHTMLCommon .gl-table td:first-child,
.jp-RenderedHTMLCommon .gl-left td, .jp-RenderedHTMLCommon .gl-left th,
.gl-table th:first-child, .gl-table td:first-child, .gl-left td, .gl-left th { text-align: left; }
.gl-table td { font-variant-numeric: tabular-nums; }
.jp-RenderedHTMLCommon .gl-table, .gl-table { font-size: 12px; }
.gl-left td:last-child { min-width: 16em; }
.gl-caption { margin: 1em 0 0.3em 0; }
.gl-verdict { font-size: 1.15em; padding: 0.5em 0.8em; border-left: 4px solid #888; background: #f6f6f6; }
.gl-bad { border-color: #b2182b; } .gl-good { border-color: #1a9850; }
.jp-RenderedHTMLCommon pre.gl-stack, pre.gl-stack { font-family: monospace; white-space: pre; background: #f6f6f6; padding: 0.5em 0.8em;
            border-left: 3px solid #b2182b; overflow-x: auto; }
</style>"""


def skip_slow_optional_imports() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` (builds a lark grammar: 1.5-6 s).

    plotly's renderers import nbformat, which imports jsonschema, whose optional IRI
    format checker pulls in that package; nbformat never validates IRIs. No effect when
    the package is already imported.
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)


OFFLINE_RENDERER = "gopherlab_offline"


def offline_notebook_renderer():
    """plotly's ``notebook`` renderer without MathJax: an HTML renderer whose figures make no
    network request.

    plotly's own ``notebook`` renderer (plotly 5-7, ``plotly/io/_base_renderers.py``) passes
    ``include_mathjax="cdn"`` to ``to_html`` for every figure, so each exported figure carried a
    ``<script src="https://cdn…/MathJax.js">``: a request (and, offline, a console error) on
    every open. This one keeps the rest -- plotly.js embedded once by the global
    initialisation, one ``<div>`` and ``Plotly.newPlot`` call per figure -- and asks for no
    MathJax (the reports draw no LaTeX).
    """
    from plotly.io import to_html
    from plotly.io._base_renderers import NotebookRenderer

    class OfflineNotebookRenderer(NotebookRenderer):
        def to_mimebundle(self, fig_dict):
            body = to_html(fig_dict, config=self.config, auto_play=self.auto_play, include_plotlyjs=False,
                           include_mathjax=False, full_html=False, animation_opts=self.animation_opts,
                           default_width="100%", default_height=525, validate=False)
            return {"text/html": body}

    return OfflineNotebookRenderer()


def setup_notebook() -> None:
    """Plotly figures that render both in JupyterLab and in offline HTML (plotly.js embedded once,
    no MathJax: the page makes no network request); table styles."""
    from IPython.display import HTML, display

    skip_slow_optional_imports()
    import plotly.io as pio

    if OFFLINE_RENDERER not in pio.renderers:
        pio.renderers[OFFLINE_RENDERER] = offline_notebook_renderer()
    pio.renderers.default = f"plotly_mimetype+{OFFLINE_RENDERER}"
    pio.templates.default = "plotly_white"
    pd.set_option("display.max_colwidth", 120)
    display(HTML(TABLE_CSS))


def emit_result(result: dict) -> None:
    """Publish a machine-readable result for the report runner (read back from the executed notebook)."""
    from IPython.display import display

    display({RESULT_MIME: result}, raw=True)


# ---- formatting --------------------------------------------------------------------


def html_table(df: pd.DataFrame, *, formats: dict | None = None, caption: str | None = None,
               max_rows: int | None = None, index: bool = False, left: bool = False) -> str:
    """An HTML table with every cell (and header, and caption) escaped.

    ``formats`` maps a column to a callable value -> str applied before escaping.
    """
    formats = formats or {}
    view = df if max_rows is None else df.head(max_rows)
    out = pd.DataFrame(index=view.index)
    for c in view.columns:
        f = formats.get(c)
        out[c] = [f(v) if f is not None else ("" if v is None or (isinstance(v, float) and np.isnan(v)) else v) for v in view[c]]
    body = out.to_html(index=index, escape=True, border=0, classes=["gl-table", "gl-left"] if left else "gl-table", na_rep="")
    cap = f"<p class='gl-caption'><b>{html.escape(caption)}</b></p>" if caption else ""
    return cap + body


def show_table(df: pd.DataFrame, **kw) -> None:
    """Display :func:`html_table` output in the notebook."""
    from IPython.display import HTML, display

    display(HTML(html_table(df, **kw)))


def show_text(text: str, *, tag: str = "p") -> None:
    """Display plain text (escaped) as an HTML paragraph: for text that contains profile strings."""
    from IPython.display import HTML, display

    display(HTML(f"<{tag}>{html.escape(text)}</{tag}>"))


def pct(v: float) -> str:
    return f"{v:.2f}%"


# ---- profiles ----------------------------------------------------------------------


def allocation_inputs(profile_path: str, base_path: str) -> tuple[str, str | None, str | None]:
    """Resolve the allocation notebook's inputs: ``(profile, diff_new, diff_base)``.

    Empty ``profile_path`` means the bundled ``allocs.pb.gz``; then, without a
    ``base_path``, the diff section compares the bundled ``heap.pb.gz`` with the
    earlier ``heap-early.pb.gz``. With a user profile and no base the diff is skipped
    (``None, None``).
    """
    if not profile_path:
        profile_path = sample_path("profiles/allocs.pb.gz")
        if not base_path:
            return profile_path, sample_path("profiles/heap.pb.gz"), sample_path("profiles/heap-early.pb.gz")
    if base_path:
        return profile_path, profile_path, base_path
    return profile_path, None, None


def top_table(profile, sample_index=None, *, cum: bool = False, granularity: str = "functions",
              focus: str = "", ignore: str = "") -> pd.DataFrame:
    """``profile.top(...)`` with pprof's ``focus``/``ignore`` regexes (empty = unset)."""
    return profile.top(sample_index, cum=cum, granularity=granularity, focus=focus or None, ignore=ignore or None)


def show_top(df: pd.DataFrame, n: int, *, caption: str) -> None:
    """Display a top table with values in human units."""
    from pprof_parse.present.flame import format_value

    unit = df.attrs.get("unit", "")
    fv = lambda v: format_value(v, unit)  # noqa: E731
    cols = ["name", "flat", "flat_pct", "sum_pct", "cum", "cum_pct"]
    show_table(df[cols], formats={"flat": fv, "cum": fv, "flat_pct": pct, "sum_pct": pct, "cum_pct": pct},
               caption=f"{caption} — total {format_value(df.attrs.get('total', 0), unit)}", max_rows=n)


def top_bar_views(profile, *, top_n: int = 20, granularity: str = "functions", sample_types=None, first=None):
    """Bar chart of the top-N functions (flat and cum), one precomputed view per sample type and
    sort order, switched with a dropdown (works in static HTML).

    ``first`` (a sample type name or index, default the profile's default sample type) is the view
    shown on open, so the chart matches the tables above it. The x axis is in the sample type's
    unit scaled by :func:`pprof_parse.present.flame.axis_unit` (bytes as KiB/MiB/GiB, ns as
    µs/ms/s; plain numbers, no SI suffix), and its title names the sample type and unit.

    Returns a plotly Figure.
    """
    import plotly.graph_objects as go

    from pprof_parse.present.flame import PLAIN_TICKS, axis_unit, format_value, short_name

    types = [t.type for t in profile.sample_types] if sample_types is None else list(sample_types)
    lead = profile.sample_types[profile.sample_index(first)].type
    if lead in types:
        types = [lead] + [t for t in types if t != lead]
    fig = go.Figure()
    buttons = []
    n_views = len(types) * 2
    axis_titles = []
    for i, (st, cum) in enumerate((st, cum) for st in types for cum in (False, True)):
        df = profile.top(st, cum=cum, granularity=granularity).head(top_n).iloc[::-1]
        unit = df.attrs["unit"]
        factor, label = axis_unit(np.concatenate([df["flat"].to_numpy(), df["cum"].to_numpy()]), unit)
        names = [html.escape(n) for n in df["name"]]
        labels = [html.escape(short_name(n))[:60] for n in df["name"]]
        vis = i == 0
        for col, color in (("flat", "#d62728"), ("cum", "#1f77b4")):
            fig.add_trace(go.Bar(
                x=df[col].to_numpy(dtype="float64") / factor, y=labels, orientation="h", name=col,
                marker_color=color, visible=vis,
                customdata=np.array([[n, format_value(v, unit)] for n, v in zip(names, df[col])], dtype=object),
                hovertemplate="%{customdata[0]}<br>" + col + " %{customdata[1]}<extra></extra>"))
        vis_mask = [j // 2 == i for j in range(n_views * 2)]
        view = f"{st} by {'cum' if cum else 'flat'}"
        axis_titles.append(html.escape(f"{st} ({label})"))
        buttons.append(dict(label=html.escape(view), method="update",
                            args=[{"visible": vis_mask}, {"title.text": html.escape(f"Top {top_n}: {view}"),
                                                          "xaxis.title.text": axis_titles[-1]}]))
    fig.update_layout(
        title=html.escape(f"Top {top_n}: {types[0]} by flat"), barmode="group", height=max(400, 22 * top_n + 150),
        xaxis_title=axis_titles[0], margin=dict(l=10, r=10, t=80, b=40),
        updatemenus=[dict(buttons=buttons, x=1.0, xanchor="right", y=1.15, yanchor="top")],
        legend=dict(orientation="h", y=-0.1),
    )
    fig.update_xaxes(**PLAIN_TICKS)
    return fig


def function_delta(new, base, sample_index=None, *, granularity: str = "functions") -> pd.DataFrame:
    """Per-function change between two profiles, for display.

    Returns
    -------
    pandas.DataFrame
        ``name`` (str), ``base``, ``new``, ``delta`` (int64 flat values in the sample
        unit, delta = new - base), ``delta_pct`` (float64; NaN when the function is
        absent from the base), sorted by |delta|; functions with delta 0 dropped.
        Computed by :func:`pprof_parse.delta_table` (pprof's ``-diff_base`` numbers).
    """
    import pprof_parse

    st = new.sample_types[new.sample_index(sample_index)].type
    d = pprof_parse.delta_table(new, base, st, granularity=granularity)
    attrs = dict(d.attrs)
    out = d.reset_index()
    out = out[out["delta"] != 0].reset_index(drop=True)
    out["delta_pct"] = out["delta_pct"].astype("float64").replace([np.inf, -np.inf], np.nan)
    out = out[["name", "base", "new", "delta", "delta_pct"]]
    out.attrs.update(attrs)
    out.attrs.setdefault("unit", new.sample_types[new.sample_index(st)].unit)
    return out


def show_delta(df: pd.DataFrame, n: int, *, caption: str) -> None:
    from pprof_parse.present.flame import format_value

    unit = df.attrs.get("unit", "")
    fv = lambda v: format_value(v, unit)  # noqa: E731
    fd = lambda v: ("+" if v > 0 else "") + format_value(v, unit)  # noqa: E731
    show_table(df, formats={"base": fv, "new": fv, "delta": fd,
                            "delta_pct": lambda v: "new" if pd.isna(v) else f"{v:+.1f}%"}, left=False,
               caption=caption, max_rows=n)


def regex_ok(pattern: str) -> bool:
    """True when ``pattern`` compiles (widgets validate user input before filtering)."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def notebook_file(name: str) -> Path:
    """Path of a bundled notebook (``gopherlab.notebooks``), e.g. ``notebook_file("allocation_hotspots")``."""
    return _resource_path("gopherlab.notebooks", f"{name}.ipynb", f"no bundled notebook {name!r}")


# ---- live exploration (JupyterLab only: Python callbacks do not run in exported HTML) ----------


def allocation_view(profile, *, sample, granularity: str = "functions", focus: str = "", ignore: str = "",
                    top_n: int = 20, max_nodes: int = 1500) -> dict:
    """What :func:`allocation_explorer` shows for one setting of its controls (its callback).

    Percentages are of the whole profile, as ``go tool pprof -top -focus=…`` and
    :meth:`pprof_parse.Profile.top` give them (pprof computes the total before filtering), in
    the table and in the flame graph's hover; only the rows and frames are limited to the
    samples ``focus``/``ignore`` keep.

    Returns
    -------
    dict
        ``error`` (str or None: an invalid regex), ``message`` (matching samples, or ""),
        ``top`` (:meth:`Profile.top` frame with ``focus``/``ignore``), ``caption``, ``figure``
        (the flame graph of the kept samples) and ``top_n``.
    """
    from pprof_parse.present.flame import flame_figure
    from pprof_parse.present.tree import call_tree

    bad = [v for v in (focus, ignore) if v and not regex_ok(v)]
    if bad:
        return {"error": f"invalid regex {bad[0]!r}", "message": "", "top": None, "caption": "", "figure": None,
                "top_n": top_n}
    top = top_table(profile, sample, granularity=granularity, focus=focus, ignore=ignore)
    prof = profile.filter(focus=focus or None, ignore=ignore or None) if (focus or ignore) else profile
    message = f"{len(prof)} of {len(profile)} samples match; percentages are of the whole profile" \
        if (focus or ignore) else ""
    tree = call_tree(prof, sample, granularity=granularity, max_nodes=max_nodes)
    fig = flame_figure(tree, title=f"{sample} call tree ({granularity})", percent_of=top.attrs.get("total"))
    return {"error": None, "message": message, "top": top, "figure": fig, "top_n": top_n,
            "caption": f"{sample} by flat ({granularity})"}


def show_allocation_view(view: dict) -> None:
    """Display :func:`allocation_view`'s result (escaped table, the flame graph)."""
    if view["error"]:
        show_text(view["error"])
        return
    if view["message"]:
        show_text(view["message"])
    show_top(view["top"], view["top_n"], caption=view["caption"])
    view["figure"].show()


def allocation_explorer(profile, *, sample_index=None, granularity: str = "functions", top_n: int = 20,
                        max_nodes: int = 1500) -> None:
    """ipywidgets controls -- sample type, granularity, focus and ignore regexes (pprof's
    ``-focus``/``-ignore``), top N -- driving a top table and a flame graph of ``profile``;
    displays them."""
    import ipywidgets as W
    from IPython.display import display

    types = [t.type for t in profile.sample_types]
    st_w = W.Dropdown(options=types, value=types[profile.sample_index(sample_index or None)], description="sample")
    gran_w = W.Dropdown(options=["functions", "filefunctions", "files", "lines"], value=granularity,
                        description="granularity")
    focus_w = W.Text(value="", placeholder="regex, e.g. json|bytes", description="focus")
    ignore_w = W.Text(value="", placeholder="regex, e.g. runtime", description="ignore")
    n_w = W.IntSlider(value=top_n, min=5, max=100, step=5, description="top N")
    out = W.Output()

    def refresh(_=None):
        with out:
            out.clear_output(wait=True)
            show_allocation_view(allocation_view(profile, sample=st_w.value, granularity=gran_w.value,
                                                 focus=focus_w.value, ignore=ignore_w.value, top_n=n_w.value,
                                                 max_nodes=max_nodes))

    for w in (st_w, gran_w, focus_w, ignore_w, n_w):
        w.observe(refresh, names="value")
    refresh()
    display(W.VBox([W.HBox([st_w, gran_w, n_w]), W.HBox([focus_w, ignore_w]), out]))


def profile_overview(profile) -> pd.DataFrame:
    """Two-column table (``field``, ``value``) describing a profile: file, sample types, counts, time."""
    from pprof_parse.present.flame import format_value

    rows = [("file", Path(str(profile.source)).name),
            ("sample types", ", ".join(f"{t.type} ({t.unit})" for t in profile.sample_types)),
            ("samples", f"{len(profile):,}")]
    for t in profile.sample_types:
        rows.append((f"total {t.type}", format_value(profile.total(t.type), t.unit)))
    if profile.time is not None:
        rows.append(("collected", str(profile.time)))
    if profile.duration is not None:
        rows.append(("duration", str(profile.duration)))
    if profile.period:
        rows.append(("period", f"{profile.period:,} {profile.period_type.unit}"))
    return pd.DataFrame(rows, columns=["field", "value"])
