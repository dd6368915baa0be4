"""The band chart: per-commit medians and intervals are benchstat's, change points are marked."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gobench.errors import OptionError
from gobench.history import change_points
from gobench.history.figures import BAND_COLUMNS, history_bands, history_figure
from gobench.present.plots import NOT_SIGNIFICANT, SIGNIFICANT_BETTER, SIGNIFICANT_WORSE
from gobench.stats.summary import summarize

pytestmark = pytest.mark.usefixtures("engine")


def _history(levels, runs=6, seed=0, name="Sum-2", unit="sec/op", pkg=None):
    rng = np.random.default_rng(seed)
    rows = [(name, unit, 1e-6 * lvl * math.exp(rng.normal() * 0.02), f"c{i:02d}", i, pkg)
            for i, lvl in enumerate(levels) for _ in range(runs)]
    return pd.DataFrame(rows, columns=["fullname", "unit", "value", "commit", "order", "pkg"])


def test_bands_are_benchstat_medians_and_intervals():
    h = _history([1.0] * 5 + [1.5] * 5)
    b = history_bands(h, "Sum-2", "ns/op", baseline="c02")
    assert list(b.columns) == list(BAND_COLUMNS) and b.attrs["unit"] == "sec/op"
    assert b.commit.tolist() == [f"c{i:02d}" for i in range(10)] and (b.n == 6).all()
    for _, r in b.iterrows():
        s = summarize(sorted(h[h.commit == r.commit].value))
        assert (r.center, r.lo, r.hi) == (s.center, s.lo, s.hi)
    ref = b.center[b.commit == "c02"].iloc[0]
    assert b.center_pct.tolist() == pytest.approx(((b.center / ref - 1) * 100).tolist())
    assert b.center_pct[b.commit == "c02"].iloc[0] == 0
    assert 40 < b.center_pct.iloc[-1] < 60


def test_too_few_runs_leave_the_band_open():
    b = history_bands(_history([1.0] * 4, runs=3), "Sum-2")
    assert b.lo.isna().all() and b.hi_pct.isna().all() and b.center.notna().all()


def test_figure_marks_change_points():
    h = _history([1.0] * 8 + [1.3] * 8 + [1.0] * 8)
    cp = change_points(h)
    assert cp.direction.tolist() == ["regression", "improvement"]
    fig = history_figure(h, "Sum-2", changes=cp)
    names = [t.name for t in fig.data]
    assert names == ["hi", "lo", "median", "regression", "improvement"]
    assert fig.data[1].fill == "tonexty"
    assert list(fig.data[3].x) == ["c08"] and list(fig.data[4].x) == ["c16"]
    lines = [(s.x0, s.line.color, s.line.dash) for s in fig.layout.shapes]
    assert lines == [("c08", NOT_SIGNIFICANT, "dash"), ("c16", SIGNIFICANT_BETTER, "solid")]
    assert history_figure(h, "Sum-2").to_dict()["data"] == fig.to_dict()["data"]    # changes computed when not given
    quiet = history_figure(_history([1.0] * 12), "Sum-2")
    assert [t.name for t in quiet.data] == ["hi", "lo", "median"] and not quiet.layout.shapes
    assert SIGNIFICANT_WORSE in {t.marker.color for t in fig.data[3:]}


def test_names_are_escaped():
    h = _history([1.0] * 6, name="X/<script>-2")
    fig = history_figure(h, "X/<script>-2")
    assert "<script>" not in fig.layout.title.text and "&lt;script&gt;" in fig.layout.title.text


def test_bad_arguments():
    h = pd.concat([_history([1.0] * 6, pkg="a"), _history([1.0] * 6, pkg="b")], ignore_index=True)
    with pytest.raises(OptionError, match="several packages"):
        history_bands(h, "Sum-2")
    assert len(history_bands(h, "Sum-2", pkg="b")) == 6
    with pytest.raises(OptionError, match="no benchmark 'Nope'"):
        history_bands(h, "Nope")
    with pytest.raises(OptionError, match="no 'B/op'"):
        history_bands(h, "Sum-2", "B/op", pkg="a")
    with pytest.raises(OptionError, match="baseline 'zz'"):
        history_bands(h, "Sum-2", baseline="zz", pkg="a")
    with pytest.raises(OptionError):
        history_figure(h, "Sum-2", pkg="a", alpha=2)
