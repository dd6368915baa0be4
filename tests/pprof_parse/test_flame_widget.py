"""The flame graph widget: a click on a frame (through plotly's click callback) draws that
function's sandwich below the flame graph, with the numbers of Profile.peek."""

from __future__ import annotations

import pytest

import pprof_parse

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")  # plotly's FigureWidget needs it

from plotly.callbacks import InputDeviceState, Points  # noqa: E402

from pprof_parse.present.flame_widget import FlameSandwich, flame_sandwich_widget  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")


@pytest.fixture(scope="module")
def cpu(sample_profiles):
    return pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")


def click(figure_widget, row: int) -> None:
    """What a click on frame ``row`` does in JupyterLab: plotly calls the trace's click callbacks."""
    trace = figure_widget.data[0]
    trace._dispatch_on_click(Points(point_inds=[row], trace_name=trace.name, trace_index=0), InputDeviceState())


def test_click_draws_the_frames_sandwich(cpu):
    view = FlameSandwich(cpu)
    assert view.widget.children == (view.flame, view.status)
    assert view.flame.data[0].type == "icicle" and list(view.flame.data[0].ids) == list(view.tree["id"].astype(str))
    row = int(view.tree.index[view.tree["name"] == "runtime.mallocgc"][0])
    click(view.flame, row)
    sw = view.last
    assert sw is not None and sw.name == "runtime.mallocgc"
    assert view.widget.children == (view.flame, view.status, view.sandwich)
    drawn = view.sandwich
    assert [t.type for t in drawn.data] == ["icicle", "icicle"]
    assert "<b>runtime.mallocgc</b>" in drawn.layout.title.text
    assert list(drawn.data[1].values) == list(sw.callees["total"].abs())
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
    assert "runtime.mallocgc" in view.status.value
    click(view.flame, int(view.tree.index[view.tree["name"] == "main.cpuPhase"][0]))  # another frame: a new sandwich
    redrawn = view.sandwich
    assert view.last.name == "main.cpuPhase" and view.widget.children == (view.flame, view.status, redrawn)
    assert redrawn is not drawn and drawn.comm is None  # the previous one is closed
    assert len(redrawn.data) == 2 and "<b>main.cpuPhase</b>" in redrawn.layout.title.text
    assert list(redrawn.data[0].values) == list(view.last.callers["total"].abs())


def test_click_on_root_or_other_clears_the_sandwich(cpu):
    view = FlameSandwich(cpu, min_fraction=0.05)
    click(view.flame, int(view.tree.index[view.tree["name"] == "main.cpuPhase"][0]))
    assert len(view.widget.children) == 3
    click(view.flame, 0)
    assert view.last is None and view.widget.children == (view.flame, view.status) and view.sandwich is None
    assert "root" in view.status.value.lower()
    others = view.tree.index[view.tree["name"] == "other"]
    assert len(others)
    assert view.on_frame_click(int(others[0])) is None


def test_widget_function_registers_the_click(cpu):
    box = flame_sandwich_widget(cpu, "samples", granularity="functions", height=400)
    flame = box.children[0]
    assert len(flame.data[0]._click_callbacks) == 1
    click(flame, 1)  # the first frame below the root
    assert len(box.children) == 3
    assert box.children[2].layout.height == 700


def test_figures_open_holding_their_figure(cpu, monkeypatch):
    """The flame graph's and each sandwich's first message to the frontend (comm_open) carries
    its traces and layout, and no figure change follows: a frontend that draws a widget from
    any state the kernel sent draws the figure (plotly's own FigureWidget opens with an empty
    figure and sends it after)."""
    import ipywidgets.widgets.widget as widget_module

    opened = []
    create = widget_module.comm.create_comm

    def recording_create_comm(**kwargs):
        opened.append(kwargs["data"]["state"])
        return create(**kwargs)

    monkeypatch.setattr(widget_module.comm, "create_comm", recording_create_comm)
    view = FlameSandwich(cpu)
    figures = [s for s in opened if s.get("_model_name") == "AnyModel"]
    assert len(figures) == 1 and view.sandwich is None  # the flame graph: one comm_open
    flame = figures[0]
    assert [t["type"] for t in flame["_widget_data"]] == ["icicle"]
    assert flame["_widget_data"][0]["uid"] == view.flame.data[0].uid
    assert flame["_widget_layout"]["title"]["text"] == view.flame.layout.title.text
    assert "call tree" in flame["_widget_layout"]["title"]["text"]
    sent = []
    monkeypatch.setattr(view.flame, "_send", lambda msg, buffers=None: sent.append(msg))
    click(view.flame, 1)
    figures = [s for s in opened if s.get("_model_name") == "AnyModel"]
    assert len(figures) == 2  # the sandwich: opened holding its figure
    assert [t["type"] for t in figures[1]["_widget_data"]] == ["icicle", "icicle"]
    assert figures[1]["_widget_layout"]["title"]["text"] == view.sandwich.layout.title.text
    assert not [m for m in sent if "_widget_data" in m.get("state", {})]  # the flame graph is not changed
