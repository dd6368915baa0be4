"""Plots: samples with median CIs, and deltas coloured by significance."""
from __future__ import annotations


import gobench
from gobench.present.plots import (NOT_SIGNIFICANT, SIGNIFICANT_BETTER, SIGNIFICANT_WORSE,
                                   delta_figure, samples_figure, samples_figures)

from gobench_vectors import INPUTS, need_vectors


def test_samples_figure_shows_every_sample_and_benchstat_median():
    need_vectors()
    df = gobench.read_bench({"old": INPUTS / "old.txt", "new": INPUTS / "new.txt"})
    fig = samples_figure(df, "sec/op")
    boxes = [t for t in fig.data if t.type == "box"]
    assert [b.name for b in boxes] == ["old", "new"]
    assert sum(len(b.y) for b in boxes) == (df.unit == "sec/op").sum()
    meds = {t.name: t for t in fig.data if t.type == "scatter"}
    cmp = gobench.benchstat({"old": INPUTS / "old.txt", "new": INPUTS / "new.txt"})
    ref = cmp[(cmp.unit == "sec/op") & ~cmp.is_geomean & (cmp.column == "old")]
    got = dict(zip(meds["old median ± CI"].x, meds["old median ± CI"].y))
    for r in ref.itertuples():
        assert got[r.row] == r.center
    assert set(samples_figures(df)) == set(df.unit)


def test_delta_figure_colours():
    need_vectors()
    cmp = gobench.benchstat({"old": INPUTS / "old.txt", "new": INPUTS / "new.txt"})
    fig = delta_figure(cmp, "sec/op")
    by_color = {t.marker.color: set(t.y) for t in fig.data}
    assert "Sort/n=1000-2 [sec/op]" in by_color[SIGNIFICANT_WORSE]
    assert "Sum/size=64KiB-2 [sec/op]" in by_color[SIGNIFICANT_BETTER]
    assert "Sum/size=1KiB-2 [sec/op]" in by_color[NOT_SIGNIFICANT]
    sig = cmp[(cmp.unit == "sec/op") & (cmp.column == "new") & ~cmp.is_geomean]
    assert sum(len(t.x) for t in fig.data) == len(sig)
    for t in fig.data:
        for x, up, down in zip(t.x, t.error_x.array, t.error_x.arrayminus):
            assert up >= 0 and down >= 0
