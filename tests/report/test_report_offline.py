"""The reports' figures ask for nothing on the network (issue 13, section 2): the renderer the
notebooks use embeds no CDN script. The browser test (tests/browser/test_reports_browser.py)
checks the whole exported page."""
from __future__ import annotations

import re

REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def test_notebook_renderer_asks_for_no_cdn():
    import plotly.graph_objects as go
    import plotly.io as pio

    from gopherlab.reports import render as gl

    old = pio.renderers.default
    try:
        gl.setup_notebook()
        assert pio.renderers.default == f"plotly_mimetype+{gl.OFFLINE_RENDERER}"
        fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"], orientation="h"))
        bundle = pio.renderers._build_mime_bundle(fig.to_dict(), renderers_string=pio.renderers.default)
    finally:
        pio.renderers.default = old
    body = bundle["text/html"]
    assert "Plotly.newPlot" in body
    assert not REMOTE.findall(body) and "mathjax" not in body.lower(), body[:500]
    # plotly's own notebook renderer is what asked for MathJax from a CDN on every figure
    plotly_own = pio.renderers["notebook"].to_mimebundle(fig.to_dict())["text/html"]
    assert REMOTE.findall(plotly_own)
