"""The benchmark history report renders in headless Chromium, offline: band charts drawn, no request
that is not file:/data:/blob:, no JavaScript error."""
from __future__ import annotations

import re

import pytest

from conftest import open_offline, screenshot_path

pytestmark = pytest.mark.browser

WAIT_PLOTS = """n => document.querySelectorAll('.js-plotly-plot').length >= n &&
  [...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('.main-svg'))"""


def test_history_report_renders_offline(browser, reports_dir, tmp_path):
    path = reports_dir / "history.html"            # `gopherlab report all`: the bundled sample history
    html = path.read_text(encoding="utf-8")
    expected = len(re.findall(r'Plotly\.newPlot\(\s*"', html))
    assert expected >= 3
    page, errors = open_offline(browser, path, width=1280, height=1000)
    try:
        page.wait_for_function(WAIT_PLOTS, arg=expected, timeout=60_000)
        charts = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(d => ({
            fills: [...d.querySelectorAll('.scatterlayer path.js-fill')].filter(q => (q.getAttribute('d') || '').length > 10).length,
            lines: [...d.querySelectorAll('.scatterlayer path.js-line')].filter(q => (q.getAttribute('d') || '').length > 10).length,
            points: d.querySelectorAll('.scatterlayer path.point').length,
            names: d.data.map(t => t.name), title: d.layout.title.text}))""")
        assert len(charts) == expected
        for c in charts:        # every chart: the band filled, the median drawn, 20 commits and a change marked
            assert c["fills"] >= 1 and c["lines"] >= 1 and c["points"] >= 21, c
            assert c["names"][:3] == ["hi", "lo", "median"] and {"regression", "improvement"} & set(c["names"]), c
        assert any("noisy" not in c["title"] for c in charts)
        # the regressions table and the verdict are there as text
        assert page.locator(".gl-verdict").count() == 1
        assert page.locator("table.gl-table").count() >= 3
        assert not errors, errors
        box = page.locator(".gl-verdict").first.bounding_box()
        page.evaluate(f"() => window.scrollTo(0, {box['y']} - 120)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path("history", tmp_path)))
    finally:
        page.close()
