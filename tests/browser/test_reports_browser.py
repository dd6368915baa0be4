"""Every exported report renders in headless Chromium, offline, with no JavaScript errors."""
from __future__ import annotations

import re

import pytest

from gopherlab import report

from conftest import open_offline, screenshot_path

pytestmark = pytest.mark.browser

WAIT_PLOTS = """n => document.querySelectorAll('.js-plotly-plot').length >= n &&
  [...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('.main-svg'))"""



@pytest.mark.parametrize("kind", list(report.KINDS))
def test_report_renders_offline(browser, reports_dir, kind, tmp_path):
    path = reports_dir / f"{kind}.html"
    html = path.read_text(encoding="utf-8")
    expected = len(re.findall(r'Plotly\.newPlot\(\s*"', html))
    assert expected >= 1
    page, errors = open_offline(browser, path, width=1280, height=1000)
    try:
        page.wait_for_function(WAIT_PLOTS, arg=expected, timeout=60_000)
        assert page.locator(".js-plotly-plot").count() == expected
        assert page.locator(".js-plotly-plot .main-svg").count() >= expected
        # every figure drew something (bars, lines, icicle slices or boxes)
        drawn = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(
            d => d.querySelectorAll('path.surface, .bars path, .scatterlayer path, .boxlayer path, .trace path').length)""")
        assert all(n > 0 for n in drawn), drawn
        assert not errors, errors
        # README screenshot: the report's key part near the top (the flame graph, the first chart, the verdict)
        target = {"allocations": ".js-plotly-plot >> nth=1", "gc": ".js-plotly-plot >> nth=0",
                  "leaks": ".gl-verdict", "bench": ".gl-verdict", "history": ".gl-verdict",
                  "profiles": ".js-plotly-plot >> nth=0", "trace": ".js-plotly-plot >> nth=0"}[kind]
        box = page.locator(target).first.bounding_box()
        page.evaluate(f"() => window.scrollTo(0, {box['y']} - 120)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path(kind, tmp_path)))
    finally:
        page.close()


def test_flame_dropdown_switches_sample_type(browser, reports_dir):
    """The precomputed views work without Python: choosing another sample type in the flame graph's
    dropdown shows the other icicle trace."""
    page, errors = open_offline(browser, reports_dir / "allocations.html")
    try:
        page.wait_for_function(WAIT_PLOTS, arg=3, timeout=60_000)
        idx = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].findIndex(
            d => d.data.some(t => t.type === 'icicle') && d.data.length > 1)""")
        assert idx >= 0
        plot = page.locator(".js-plotly-plot").nth(idx)
        before = page.evaluate(f"() => document.querySelectorAll('.js-plotly-plot')[{idx}].data.map(t => t.visible)")
        assert before[0] is True and not any(before[1:])
        plot.scroll_into_view_if_needed()
        plot.locator(".updatemenu-header").first.click()
        page.wait_for_timeout(300)
        plot.locator(".updatemenu-dropdown-button").nth(1).click()
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot')[{idx}].data[1].visible === true",
                               timeout=10_000)
        title = page.evaluate(f"() => document.querySelectorAll('.js-plotly-plot')[{idx}].layout.title.text")
        assert "alloc_space" not in title  # switched away from the default sample type
        assert not errors, errors
    finally:
        page.close()


def test_sandwich_dropdown_switches_function(browser, reports_dir):
    """The allocation report's sandwich section draws both halves offline, and its dropdown shows
    another top function's callers and callees (no kernel: the traces are in the page)."""
    page, errors = open_offline(browser, reports_dir / "allocations.html")
    try:
        page.wait_for_function(WAIT_PLOTS, arg=3, timeout=60_000)
        idx = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].findIndex(
            d => d.data.length > 2 && d.data[0].name === 'callers' && d.data[1].name === 'callees')""")
        assert idx >= 0
        plot = page.locator(".js-plotly-plot").nth(idx)
        plot.scroll_into_view_if_needed()
        shown = f"() => document.querySelectorAll('.js-plotly-plot')[{idx}].data.map(t => t.visible)"
        assert page.evaluate(shown)[:2] == [True, True] and not any(page.evaluate(shown)[2:])
        # both icicles drew their frames: the function at both roots, callers above callees
        boxes = page.evaluate(f"""() => [...document.querySelectorAll('.js-plotly-plot')[{idx}]
            .querySelectorAll('g.trace')].map(g => [g.querySelectorAll('path.surface').length,
                                                    g.getBoundingClientRect().top])""")
        assert len(boxes) >= 2 and all(n > 0 for n, _ in boxes[:2]) and boxes[0][1] < boxes[1][1]
        first = page.evaluate(f"() => document.querySelectorAll('.js-plotly-plot')[{idx}].layout.title.text")
        plot.locator(".updatemenu-header").first.click()
        plot.locator(".updatemenu-dropdown-button").nth(1).wait_for(state="visible", timeout=10_000)
        plot.locator(".updatemenu-dropdown-button").nth(1).click()
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot')[{idx}].data[2].visible === true",
                               timeout=10_000)
        assert page.evaluate(shown)[:4] == [False, False, True, True]
        second = page.evaluate(f"() => document.querySelectorAll('.js-plotly-plot')[{idx}].layout.title.text")
        assert second != first and "<b>" in second
        notes = page.evaluate(f"""() => document.querySelectorAll('.js-plotly-plot')[{idx}].layout.annotations
            .map(a => a.text)""")
        name = second.split("<b>")[1].split("</b>")[0]
        assert notes == [f"▲ callers of {name}", f"▼ callees of {name}"]
        assert not errors, errors
    finally:
        page.close()
