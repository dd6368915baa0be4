"""Profile strings are data, never markup: a profile full of injections renders inert."""
from __future__ import annotations

import pytest

from gopherlab import report

from conftest import open_offline
from evil_profile import EVIL_FUNC, write_evil_profile

pytestmark = pytest.mark.browser


def test_injected_profile_strings_do_not_run(browser, tmp_path):
    prof = write_evil_profile(tmp_path / "evil.pb.gz")
    base = write_evil_profile(tmp_path / "evil-base.pb.gz", scale=3)
    out = tmp_path / "evil.html"
    assert report.main(["allocations", str(prof), "--base", str(base), "-o", str(out)]) == 0
    page, errors = open_offline(browser, out)
    try:
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
                               timeout=60_000)
        page.wait_for_timeout(500)
        # hover over every icicle slice so plotly builds its hover labels from the strings too
        for slice_ in page.locator(".js-plotly-plot g.slice").all()[:30]:
            try:
                slice_.hover(timeout=1000)
            except Exception:
                pass
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("svg[onload], [onerror]").count() == 0
        assert not errors, errors
        # the names are shown, as text
        assert EVIL_FUNC in page.inner_text("body")
    finally:
        page.close()
