"""JupyterLab: the flame graph's live search box (``Profile.flame_search()``) paints the matching frames
and shows the total ``go tool pprof -focus`` keeps, as a user sees it."""
from __future__ import annotations

import json

import pytest

import pprof_parse
from pprof_parse.figures import format_value

from goenv import REPO
from lab_session import IDLE, open_and_run_all, write_notebook
from test_jupyterlab import lab  # noqa: F401  (the fixture: a JupyterLab server on tmp_path / "root")

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("anywidget")

PROFILE = REPO / "gopherlab" / "data" / "profiles" / "cpu.pb.gz"
REGEX = r"runtime\.mallocgc"
HIT = "#e6550d"  # the colour of a matching frame
CELL = f"""import pprof_parse
pprof_parse.read_profile({str(PROFILE)!r}).flame_search()"""

#: the flame graph's colours as drawn, and its title
DRAWN = """() => { const d = document.querySelector('.js-plotly-plot');
    return d && d.data && d.data.length ? [d.layout.title.text, (d.data[0].marker || {}).colors || []] : null; }"""


def test_search_box_paints_frames_and_shows_the_focus_total(browser, lab, tmp_path):  # noqa: F811
    base, token = lab
    write_notebook(tmp_path / "root" / "search.ipynb", [CELL])
    prof = pprof_parse.read_profile(PROFILE)
    top = prof.top(focus=REGEX)
    value, total = int(top["flat"].sum()), top.attrs["total"]
    expected = f"matched: {format_value(value, 'nanoseconds')} ({value / total * 100:.2f}% of total)"
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:300]))
    try:
        open_and_run_all(page, base, token, "search.ipynb")
        try:
            page.wait_for_function(f"() => {{ const d = ({DRAWN})(); return d && d[0].includes('call tree'); }}",
                                   timeout=240_000)
        except Exception as e:
            raise AssertionError(f"no flame graph drawn after 240 s: {page.evaluate(DRAWN)!r:.300}; outputs "
                                 f"{page.locator('.jp-OutputArea').all_inner_texts()!r:.2000}, "
                                 f"console {console[-30:]}") from e
        page.wait_for_function(IDLE, timeout=120_000)
        before = page.evaluate(DRAWN)[1]
        assert HIT not in before
        box = page.locator(".widget-text input")
        box.fill(REGEX)
        box.press("Enter")
        try:
            page.wait_for_function(f"() => [...document.querySelectorAll('.widget-html')]"
                                   f".some(e => e.innerText.includes({json.dumps(expected)}))", timeout=60_000)
        except Exception as e:
            raise AssertionError(f"no {expected!r} 60 s after Enter; labels "
                                 f"{page.locator('.widget-html').all_inner_texts()}, console {console[-30:]}") from e
        page.wait_for_function(f"() => ({DRAWN})()[1].includes({json.dumps(HIT)})", timeout=30_000)
        painted = page.evaluate(DRAWN)[1]
        labels = page.evaluate("() => document.querySelector('.js-plotly-plot').data[0].labels")
        assert "runtime.mallocgc" in {name for name, colour in zip(labels, painted) if colour == HIT}
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count() == 0
        assert not errors, errors
    finally:
        page.close()
