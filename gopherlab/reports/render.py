"""Notebook plumbing the reports share: setup, escaped HTML tables and text, the published result.

Everything that turns a profile, function or benchmark string into HTML escapes it
(:func:`html.escape`): names in Go profiles are arbitrary bytes, and a report is opened in a browser.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

from gopherlab_common.lazy import LazyModule

from pprof_parse.figures import flame_search_script

from .._process import tune_report_kernel
from . import RESULT_MIME

# plotly and IPython are imported on first use: a script that only builds tables needs neither
ipd = LazyModule("IPython.display")
pio = LazyModule("plotly.io")

__all__ = ["OFFLINE_RENDERER", "TABLE_CSS", "emit_result", "format_percent", "html_table",
           "offline_notebook_renderer", "setup_notebook", "show_table", "show_text"]

#: The reports' table and verdict styles (JupyterLab and the exported HTML), shown once by
#: :func:`setup_notebook`. Classes: ``gl-table`` (every table), ``gl-left`` (left-aligned text
#: columns), ``gl-caption``, ``gl-verdict`` with ``gl-bad``/``gl-good``, ``gl-stack`` (stacks, text).
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

#: Name under which :func:`setup_notebook` registers :func:`offline_notebook_renderer` in
#: ``plotly.io.renderers``.
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

    Returns
    -------
    plotly.io.base_renderers.NotebookRenderer
        A renderer instance, to register in ``plotly.io.renderers``.
    """
    # a class statement needs the real base class, which a lazy module cannot hand over: the one
    # function-body import of the report layer (tests/test_body_imports.py allows it by name)
    from plotly.io._base_renderers import NotebookRenderer

    class OfflineNotebookRenderer(NotebookRenderer):
        def to_mimebundle(self, fig_dict):
            body = pio.to_html(fig_dict, config=self.config, auto_play=self.auto_play, include_plotlyjs=False,
                           include_mathjax=False, full_html=False, animation_opts=self.animation_opts,
                           default_width="100%", default_height=525, validate=False,
                           post_script=flame_search_script(fig_dict))
            return {"text/html": body}

    return OfflineNotebookRenderer()


def setup_notebook() -> None:
    """Prepare the running notebook: plotly figures that render both in JupyterLab and in offline
    HTML (plotly.js embedded once, no MathJax: the page makes no network request), the
    ``plotly_white`` template, pandas' ``display.max_colwidth`` 120, and :data:`TABLE_CSS` displayed.

    Changes the kernel's plotly and pandas defaults: call it in a notebook's first code cell,
    not from library code. Needs IPython.
    """
    tune_report_kernel()  # in a kernel of `gopherlab report` only; nothing in a user's kernel
    # (first, before plotly.io is imported: see gopherlab._process._skip_iri_grammar)
    if OFFLINE_RENDERER not in pio.renderers:
        pio.renderers[OFFLINE_RENDERER] = offline_notebook_renderer()
    pio.renderers.default = f"plotly_mimetype+{OFFLINE_RENDERER}"
    pio.templates.default = "plotly_white"
    pd.set_option("display.max_colwidth", 120)
    ipd.display(ipd.HTML(TABLE_CSS))


def emit_result(result: dict) -> None:
    """Publish a machine-readable result for ``gopherlab report`` (read back from the executed
    notebook under :data:`gopherlab.reports.RESULT_MIME`; the exported HTML leaves it out).

    Parameters
    ----------
    result : dict
        JSON-serialisable; e.g. :func:`gopherlab.reports.bench.verdict`'s dict, whose
        ``regressions`` list decides ``report bench --fail-on-regression``'s exit status.
    """
    ipd.display({RESULT_MIME: result}, raw=True)


def format_percent(value: float) -> str:
    """A percentage with two decimals: ``format_percent(12.345) == "12.35%"`` (``value`` is in percent)."""
    return f"{value:.2f}%"


def html_table(df: pd.DataFrame, *, formats: dict | None = None, caption: str | None = None,
               max_rows: int | None = None, index: bool = False, left: bool = False) -> str:
    """An HTML table of ``df`` with every cell, header and the caption escaped.

    Parameters
    ----------
    df : pandas.DataFrame
        Any columns; None and float NaN cells become empty cells.
    formats : dict, optional
        Column name -> callable ``value -> str``, applied before escaping (units, signs, rounding).
    caption : str, optional
        Bold text above the table (class ``gl-caption``).
    max_rows : int, optional
        Only the first ``max_rows`` rows.
    index : bool
        Include the frame's index.
    left : bool
        Left-align every column (class ``gl-left``), for text-heavy tables.

    Returns
    -------
    str
        HTML: the caption paragraph (if any), then a ``<table class="gl-table …">``.
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
    """Display :func:`html_table` ``(df, **kw)`` in the running notebook."""
    ipd.display(ipd.HTML(html_table(df, **kw)))


def show_text(text: str, *, tag: str = "p") -> None:
    """Display plain ``text`` (escaped) inside an HTML ``<tag>``: for text that contains profile strings.

    ``tag`` is written as given (a fixed element name such as ``"p"`` or ``"pre"``, never user data).
    """
    ipd.display(ipd.HTML(f"<{tag}>{html.escape(text)}</{tag}>"))
