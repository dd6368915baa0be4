"""Every axis and colour bar of the reports' figures is in the data's unit (issue 13, section 2):
bytes as KiB/MiB/GiB, times as µs/ms/s, never plotly's default tick suffixes, whose ``B`` means
billion (a diff flame's colour bar read "8B" for 8 GB). Inputs: the bundled profiles and
benchmark runs made by the repo's Go programs."""
from __future__ import annotations

import numpy as np
import pytest

import pprof_parse
from gopherlab.reports import allocations as alloc, bench
from gopherlab.reports.bundled import sample_path
from pprof_parse.figures import PLAIN_TICKS, axis_unit, diff_flame_figure, diff_tree


@pytest.mark.parametrize("values, unit, want", [
    ([8 << 30], "bytes", (float(1 << 30), "GiB")),
    ([3 << 20, -5], "bytes", (float(1 << 20), "MiB")),
    ([1500], "bytes", (1024.0, "KiB")),
    ([12], "bytes", (1.0, "B")),
    ([2.5e6], "nanoseconds", (1e6, "ms")),
    ([1.197e-4], "sec/op", (1e-6, "µs/op")),
    ([4096], "B/op", (1024.0, "KiB/op")),
    ([7], "allocs/op", (1.0, "allocs/op")),
    ([10 ** 12], "count", (1.0, "count")),
])
def test_axis_unit(values, unit, want):
    assert axis_unit(values, unit) == want


def test_diff_flame_colour_bar_in_bytes_units():
    new = pprof_parse.read_profile(sample_path("profiles/heap.pb.gz"))
    base = pprof_parse.read_profile(sample_path("profiles/heap-early.pb.gz"))
    tree = diff_tree(new, base, "alloc_space")
    fig = diff_flame_figure(tree)
    bar = fig.data[0].marker.colorbar
    lim = float(np.abs(tree["delta"].to_numpy()[1:]).max())
    factor, label = axis_unit([lim], "bytes")
    assert label in ("KiB", "MiB", "GiB") and factor > 1
    assert bar.title.text == f"Δ {label}"
    assert bar.exponentformat == "none"  # no "B" = billion suffix on the ticks
    assert fig.data[0].marker.cmax == pytest.approx(lim / factor)
    assert np.abs(np.asarray(fig.data[0].marker.colors)).max() == pytest.approx(lim / factor)


def test_ranking_chart_opens_on_the_tables_sample_type_with_units():
    prof = pprof_parse.read_profile(sample_path("profiles/allocs.pb.gz"))
    st = prof.sample_types[prof.sample_index(None)].type
    assert st == "alloc_space"  # the tables above the chart show it
    fig = alloc.top_bar_views(prof, top_n=5, first=st)
    assert fig.layout.title.text.startswith("Top 5: alloc_space by flat")
    visible = [t for t in fig.data if t.visible]
    assert len(visible) == 2
    df = prof.top(st).head(5)
    factor, label = axis_unit(np.concatenate([df["flat"], df["cum"]]), "bytes")
    assert label in ("KiB", "MiB", "GiB")
    assert fig.layout.xaxis.title.text == f"alloc_space ({label})"
    assert fig.layout.xaxis.exponentformat == "none"
    assert max(visible[0].x) == pytest.approx(df["flat"].max() / factor)
    # every view's axis title names its sample type and unit
    for b in fig.layout.updatemenus[0].buttons:
        st_b = b.label.split(" by ")[0]
        unit = prof.sample_types[prof.sample_index(st_b)].unit
        title = b.args[1]["xaxis.title.text"]
        assert title.startswith(f"{st_b} (") and (unit == "count") == title.endswith("(count)")


def test_bench_distribution_axes_in_time_units():
    old, new = sample_path("bench/old.txt"), sample_path("bench/new.txt")
    fig = bench.distribution_figure(old, new)
    assert fig.layout.xaxis.exponentformat == "none"
    title = fig.layout.xaxis.title.text
    assert title.endswith(("ns/op", "µs/op", "ms/op", "s/op")) and "sec/op" not in title
    for b in fig.layout.updatemenus[0].buttons:
        t = b.args[1]["xaxis.title.text"]
        assert "sec/op" not in t and (not t.endswith("B/op") or t.endswith(("KiB/op", "MiB/op", " B/op")))


def test_gc_figures_plain_ticks():
    import pprof_parse
    from gopherlab.reports import gc

    runs, _, _ = gc.gc_inputs([])
    stacked = pprof_parse.stack_runs(runs)
    window = gc.auto_window(stacked)
    for fig in (gc.pause_percentile_figure(stacked, window=window), gc.pause_ecdf_figure(stacked),
                gc.heap_goal_figure(stacked), gc.gc_rate_figure(stacked, window=window)):
        axes = [a for k in fig.layout for a in [fig.layout[k]] if k.startswith(("xaxis", "yaxis"))]
        assert axes and all(a.exponentformat == "none" for a in axes), fig.layout.title.text
        assert all(a.title.text for a in axes if a.anchor in (None, "y", "x") and a.title.text is not None)
