"""JupyterLab: a click on a flame-graph frame draws that function's sandwich below the flame graph,
also when the click comes while the kernel is still busy with the previous one."""
from __future__ import annotations

import json
import re

import pytest

from conftest import screenshot_path
from goenv import REPO
from test_jupyterlab import lab  # noqa: F401  (the fixture: a JupyterLab server on tmp_path / "root")

#: JupyterLab's default settings (comms over kernel subshells). Before the widget sent clicks as
#: custom messages it was built on plotly's FigureWidget, and this test failed in 2 runs of 15 on
#: a loaded machine; the busy-kernel case below failed every time: plotly saw both clicks, the
#: kernel received only the first (the second was overwritten by the next hover while the first
#: was unanswered).
pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("anywidget")

PROFILE = str(REPO / "gopherlab" / "data" / "profiles" / "cpu.pb.gz")
FRAME = "main.main.func4"  # a wide frame just below the root of the sample CPU profile's flame graph
CHILD = "main.cpuPhase"  # its only callee: the widest frame once the flame graph zoomed into FRAME
BUSY_SECONDS = 3

#: cell 1: the widget; cell 2: the same widget with each click answered BUSY_SECONDS late, as a
#: large profile's sandwich can take
CELLS = [f"""import pprof_parse
from pprof_parse.present.flame_widget import flame_sandwich_widget
flame_sandwich_widget(pprof_parse.read_profile({PROFILE!r}))""",
         f"""import time
from pprof_parse.present.flame_widget import FlameSandwich

class BusyFlameSandwich(FlameSandwich):
    def on_frame_click(self, row):
        time.sleep({BUSY_SECONDS})
        return super().on_frame_click(row)

BusyFlameSandwich(pprof_parse.read_profile({PROFILE!r})).widget"""]

#: per output, the title of each plotly figure drawn in it (flame graph, then sandwich)
TITLES = """() => [...document.querySelectorAll('.jp-Cell')].map(c => [...c.querySelectorAll('.js-plotly-plot')]
    .map(d => d.layout && d.layout.title ? d.layout.title.text : null))"""
IDLE = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'"


def write_notebook(path) -> None:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"flame{i}", "metadata": {}, "outputs": [],
              "source": src} for i, src in enumerate(CELLS)]
    nb = {"cells": cells,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def frame_named(cell, name: str):
    """The flame-graph slice of ``cell`` whose label is exactly ``name``."""
    return cell.locator(".gopherlab-flame g.slice").filter(
        has=cell.page.locator("text", has_text=re.compile(f"^{re.escape(name)}$"))).first


def steady_box(locator, page):
    """The bounding box of ``locator`` once it has stopped moving (the flame graph's zoom is animated)."""
    box = None
    for _ in range(50):
        now = locator.bounding_box()
        if now is not None and now == box:
            return now
        box = now
        page.wait_for_timeout(150)
    raise AssertionError(f"{locator} still moving or gone: {box}")


def click_at(page, box) -> None:
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # hover first, as a user does
    page.mouse.down()
    page.mouse.up()


def wait_for_sandwich(page, cell_index: int, name: str, console: list[str]) -> None:
    js = f"() => ({TITLES})()[{cell_index}].some(t => t && t.includes('<b>{name}</b>'))"
    try:
        page.wait_for_function(js, timeout=60_000)
    except Exception as e:
        raise AssertionError(f"no sandwich of {name} in cell {cell_index} 60 s after the click; titles "
                             f"{page.evaluate(TITLES)}, status lines "
                             f"{page.locator('.gopherlab-flame-status').all_inner_texts()}, "
                             f"console {console[-30:]}") from e


def test_click_on_a_frame_draws_its_sandwich(browser, lab, tmp_path):  # noqa: F811
    base, token = lab
    write_notebook(tmp_path / "root" / "flame.ipynb")
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    errors: list[str] = []
    console: list[str] = []  # the page's console, for the failure messages
    elsewhere: list[str] = []  # requests to anywhere but the lab server
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:300]))
    page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:", "about:", "ws://127.0.0.1"))
            else elsewhere.append(r.url))
    try:
        page.goto(f"{base}/lab/tree/flame.ipynb?token={token}")
        page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
        page.wait_for_function(
            "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
            timeout=90_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            page.wait_for_function(f"() => ({TITLES})().filter(ts => ts.some(t => t && t.includes('call tree')))"
                                   ".length === 2", timeout=240_000)
        except Exception as e:
            raise AssertionError(f"no two flame graphs after 240 s; titles {page.evaluate(TITLES)}, cell outputs "
                                 f"{page.locator('.jp-OutputArea').all_inner_texts()!r:.2000}, "
                                 f"console {console[-30:]}") from e
        page.wait_for_function(IDLE, timeout=120_000)  # both cells have run
        cells = page.locator(".jp-Cell")

        # a click: the frame's sandwich
        frame = frame_named(cells.nth(0), FRAME)
        frame.scroll_into_view_if_needed()
        click_at(page, steady_box(frame, page))
        wait_for_sandwich(page, 0, FRAME, console)
        sandwich = cells.nth(0).locator(".gopherlab-sandwich")
        assert sandwich.evaluate("d => d.data.map(t => t.type)") == ["icicle", "icicle"]  # callers, callees
        assert FRAME in cells.nth(0).locator(".gopherlab-flame-status").inner_text()

        # a click while the kernel is busy with the previous one, then the mouse moves on
        frame = frame_named(cells.nth(1), FRAME)
        frame.scroll_into_view_if_needed()
        click_at(page, steady_box(frame, page))
        child = frame_named(cells.nth(1), CHILD)
        box = steady_box(child, page)  # the flame graph zoomed into FRAME: CHILD spans it
        click_at(page, box)
        page.mouse.move(box["x"] + 60, box["y"] + box["height"] * 2.5)  # hover the frame below
        wait_for_sandwich(page, 1, CHILD, console)
        assert f"<b>{CHILD}</b>" in page.evaluate(TITLES)[1][-1]
        assert CHILD in cells.nth(1).locator(".gopherlab-flame-status").inner_text()

        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']").count() == 0
        assert not errors, errors
        assert not elsewhere, elsewhere  # plotly.js comes with the widget: no network
        cells.nth(0).locator(".gopherlab-sandwich").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_path("flame_sandwich", tmp_path)))
    finally:
        page.close()
