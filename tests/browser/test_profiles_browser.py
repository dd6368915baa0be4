"""The profiles over time report renders in headless Chromium, offline, without JavaScript errors."""
from __future__ import annotations

import re

import pytest

from gopherlab import report

from conftest import open_offline, screenshot_path
from stepped_windows import write_windows

pytestmark = pytest.mark.browser

WAIT_PLOTS = """n => document.querySelectorAll('.js-plotly-plot').length >= n &&
  [...document.querySelectorAll('.js-plotly-plot')].every(d => d.querySelector('.main-svg'))"""


@pytest.fixture(scope="module")
def profiles_html(tmp_path_factory, sample_profiles):
    windows = tmp_path_factory.mktemp("windows")
    write_windows(sample_profiles / "cpu.pb.gz", windows)
    out = tmp_path_factory.mktemp("report") / "profiles.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(report.KINDS, "profiles", ("profiles_over_time", "Profiles over time"))
        r = report.run_report("profiles", {"store_path": str(windows / "**" / "*.pb.gz")}, out)
    assert r.ok, r.error
    return out


def test_profiles_report_renders_offline(browser, profiles_html, tmp_path):
    html = profiles_html.read_text(encoding="utf-8")
    expected = len(re.findall(r'Plotly\.newPlot\(\s*"', html))
    assert expected == 3
    page, errors = open_offline(browser, profiles_html, width=1280, height=1000)
    try:
        page.wait_for_function(WAIT_PLOTS, arg=expected, timeout=60_000)
        drawn = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(
            d => d.querySelectorAll('path.surface, .bars path, .scatterlayer path, .trace path').length)""")
        assert len(drawn) == expected and all(n > 0 for n in drawn), drawn
        # the share figure draws the step: a shape line across the plot
        shapes = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0].layout.shapes.length")
        assert shapes == 1
        assert not errors, errors  # no console error, no request that is not file:/data:/blob:
        box = page.locator(".js-plotly-plot").first.bounding_box()
        page.evaluate(f"() => window.scrollTo(0, {box['y']} - 120)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path("profiles", tmp_path)))
    finally:
        page.close()
