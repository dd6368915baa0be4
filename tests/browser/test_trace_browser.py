"""The execution trace report renders in headless Chromium, offline: its four charts drawn, the flame
graph's dropdown switching delay kinds without Python, no request that is not file:/data:/blob:, no
JavaScript error."""
from __future__ import annotations

import re

import pytest

from conftest import open_offline, screenshot_path

pytestmark = pytest.mark.browser

WAIT_PLOTS = """n => document.querySelectorAll('.js-plotly-plot').length >= n &&
  [...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('.main-svg'))"""


@pytest.fixture(scope="module")
def trace_html(tmp_path_factory):
    """``gopherlab report trace`` on the bundled sample trace: one papermill run."""
    from gopherlab.report import run_report

    r = run_report("trace", {"threshold_ms": 0.5}, tmp_path_factory.mktemp("trace") / "trace.html")
    assert r.ok, r.error
    return r.html


def test_trace_report_renders_offline(browser, trace_html, tmp_path):
    html = trace_html.read_text(encoding="utf-8")
    expected = len(re.findall(r'Plotly\.newPlot\(\s*"', html))
    assert expected == 4
    page, errors = open_offline(browser, trace_html, width=1280, height=1000)
    try:
        page.wait_for_function(WAIT_PLOTS, arg=expected, timeout=60_000)
        charts = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(d => ({
            types: d.data.map(t => t.type), title: d.layout.title.text,
            lines: [...d.querySelectorAll('.scatterlayer path.js-line')].filter(q => (q.getAttribute('d') || '').length > 10).length,
            bars: d.querySelectorAll('.bars path').length, slices: d.querySelectorAll('.trace path.surface').length,
            buttons: ((d.layout.updatemenus || [])[0] || {buttons: []}).buttons.length}))""")
        latency, gc, blocking, flame = charts
        assert "Scheduler latency" in latency["title"] and latency["lines"] >= 3, latency
        assert "GC stop-the-world" in gc["title"] and gc["bars"] >= 2, gc
        assert "Blocked time by reason" in blocking["title"] and blocking["bars"] >= 5, blocking
        assert set(flame["types"]) == {"icicle"} and flame["slices"] > 3 and flame["buttons"] == len(flame["types"]) == 4
        # the dropdown flips to another kind's flame graph in the page, no kernel behind it
        plot = page.locator(".js-plotly-plot").nth(3)
        plot.scroll_into_view_if_needed()
        plot.locator(".updatemenu-header").first.click()
        page.wait_for_timeout(300)
        plot.locator(".updatemenu-dropdown-button").nth(1).click()
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot')[3].data[1].visible === true",
                               timeout=10_000)
        visible = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')][3].data.map(t => t.visible)""")
        assert visible == [False, True, False, False]
        assert page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[3].querySelectorAll("
                             "'.trace path.surface').length") > 3  # the other kind's icicle is drawn
        assert page.locator("table.gl-table").count() >= 4  # summary, groups, regions, slowest
        assert not errors, errors
        box = page.locator(".js-plotly-plot").first.bounding_box()
        page.evaluate(f"() => window.scrollTo(0, {box['y']} - 120)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path("trace", tmp_path)))
    finally:
        page.close()
