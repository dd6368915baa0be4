"""The flame graph widget: a click on a frame (a custom message from the view) draws that
function's sandwich below the flame graph, with the numbers of Profile.peek."""

from __future__ import annotations

import json

import pytest

import pprof_parse

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from pprof_parse.present.flame_widget import FRAME_CLICK, FlameSandwich, flame_sandwich_widget  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")


@pytest.fixture(scope="module")
def cpu(sample_profiles):
    return pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")


def click(widget, row) -> None:
    """What a click on frame ``row`` does in JupyterLab: the view sends the kernel a custom message."""
    widget._handle_custom_msg({"event": FRAME_CLICK, "row": row}, [])


def drawn(widget, name: str) -> dict | None:
    """The figure the view draws from the widget's synced attribute ``name`` (None for "")."""
    text = getattr(widget, name)
    return json.loads(text) if text else None


def test_click_draws_the_frames_sandwich(cpu):
    view = FlameSandwich(cpu)
    flame = drawn(view.widget, "flame")
    assert [t["type"] for t in flame["data"]] == ["icicle"]
    assert flame["data"][0]["ids"] == list(view.tree["id"].astype(str))
    assert flame["layout"]["title"]["text"] == view.flame.layout.title.text
    assert view.sandwich is None and view.widget.sandwich == ""
    row = int(view.tree.index[view.tree["name"] == "runtime.mallocgc"][0])
    click(view.widget, row)
    sw = view.last
    assert sw is not None and sw.name == "runtime.mallocgc"
    first = view.sandwich
    assert [t.type for t in first.data] == ["icicle", "icicle"]
    assert "<b>runtime.mallocgc</b>" in first.layout.title.text
    assert list(first.data[1].values) == list(sw.callees["total"].abs())
    assert drawn(view.widget, "sandwich") == json.loads(first.to_json())  # what the view draws
    peek = cpu.peek("^runtime\\.mallocgc$")
    me = peek[peek.relation == "self"].iloc[0]
    assert (sw.flat, sw.cum) == (me.flat, me.cum)
    callers = peek[peek.relation == "caller"]
    first = sw.callers[sw.callers["depth"] == 1]
    # the first level above the function: -peek's callers (pruned into "other" below 0.5 % of cum)
    shown = dict(zip(first["name"], first["total"]))
    for name, weight in zip(callers["name"], callers["weight"]):
        if name in shown:
            assert shown[name] == weight
    assert sum(shown.values()) == int(callers["weight"].sum())
    assert "<b>runtime.mallocgc</b>" in view.status and view.status == view.widget.status
    click(view.widget, int(view.tree.index[view.tree["name"] == "main.cpuPhase"][0]))  # another frame
    redrawn = view.sandwich
    assert view.last.name == "main.cpuPhase"
    assert len(redrawn.data) == 2 and "<b>main.cpuPhase</b>" in redrawn.layout.title.text
    assert list(redrawn.data[0].values) == list(view.last.callers["total"].abs())
    assert "<b>main.cpuPhase</b>" in drawn(view.widget, "sandwich")["layout"]["title"]["text"]


def test_click_on_root_or_other_clears_the_sandwich(cpu):
    view = FlameSandwich(cpu, min_fraction=0.05)
    click(view.widget, int(view.tree.index[view.tree["name"] == "main.cpuPhase"][0]))
    assert view.widget.sandwich != ""
    click(view.widget, 0)
    assert view.last is None and view.sandwich is None and view.widget.sandwich == ""
    assert "root" in view.status.lower()
    others = view.tree.index[view.tree["name"] == "other"]
    assert len(others)
    assert view.on_frame_click(int(others[0])) is None


def test_widget_function_answers_clicks(cpu):
    widget = flame_sandwich_widget(cpu, "samples", granularity="functions", height=400, sandwich_height=500)
    assert drawn(widget, "flame")["layout"]["height"] == 400
    click(widget, 1)  # the first frame below the root
    sandwich = drawn(widget, "sandwich")
    assert sandwich["layout"]["height"] == 500 and "Sandwich of" in widget.status


@pytest.mark.parametrize("content", [{"event": FRAME_CLICK, "row": -1}, {"event": FRAME_CLICK, "row": 10**6},
                                     {"event": FRAME_CLICK, "row": "3"}, {"event": FRAME_CLICK, "row": True},
                                     {"event": FRAME_CLICK}, {"event": "hover", "row": 3}, ["frame_click", 3]])
def test_other_messages_change_nothing(cpu, content):
    view = FlameSandwich(cpu)
    before = view.widget.status
    view.widget._handle_custom_msg(content, [])
    assert view.last is None and view.widget.sandwich == "" and view.widget.status == before


def test_one_update_per_click(cpu, monkeypatch):
    """A click's sandwich and status reach the view in one update message (each click one message
    in the other direction too: the view sends custom messages, never a synced click attribute)."""
    view = FlameSandwich(cpu)
    sent = []
    monkeypatch.setattr(view.widget, "_send", lambda msg, buffers=None: sent.append(msg))
    click(view.widget, 1)
    updates = [m for m in sent if m.get("method") == "update"]
    assert len(updates) == 1 and set(updates[0]["state"]) == {"sandwich", "status"}


def test_view_module_is_small_and_plotly_js_comes_with_the_widget(cpu):
    """The view needs no network: plotly.js comes with the widget, from the installed plotly package,
    apart from the view's module (anywidget drops a model's messages when its module takes over 2 s
    to load)."""
    import plotly.offline

    view = FlameSandwich(cpu)
    assert view.widget._plotly_js == plotly.offline.get_plotlyjs()
    esm = view.widget._esm
    assert len(esm) < 10_000 and "export default { render };" in esm and "http" not in esm
    assert 'model.get("_plotly_js")' in esm
