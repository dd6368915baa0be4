"""change_points on synthetic histories shaped like real ones (log-normal run noise, heavy-tailed
commit-to-commit noise, slow outlier commits), under both engines; the numbers of every change
are benchstat's (gobench.benchstat on the two segments' runs)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import gobench
from gobench.errors import GobenchError, OptionError
from gobench.history import change_points
from gobench.history.changepoints import COLUMNS

pytestmark = pytest.mark.usefixtures("engine")


def _history(levels, *, runs=5, noise=0.03, commit_noise=0.015, seed=0, name="Sum-2", unit="sec/op",
             base=1e-6):
    """One benchmark: commit i's runs scatter log-normally around ``base * levels[i]``, each commit
    shifted by Student-t(3) noise (a shared machine's load)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, lvl in enumerate(levels):
        shift = math.exp(rng.standard_t(3) * commit_noise)
        for _ in range(runs):
            rows.append((name, unit, base * lvl * shift * math.exp(rng.normal() * noise), f"c{i:02d}", i))
    return pd.DataFrame(rows, columns=["fullname", "unit", "value", "commit", "order"])


def _benchstat_of(h, row):
    """gobench.benchstat on the runs of the segments before and after a change."""
    sel = h[(h.fullname == row["name"]) & (h.unit == row.unit)]
    before = sel[(sel.order < row.order) & (sel.order >= row.order - row.n_before // _runs(sel))]
    after = sel[(sel.order >= row.order) & (sel.order < row.order + row.n_after // _runs(sel))]
    assert len(before) == row.n_before and len(after) == row.n_after
    texts = {k: "".join(f"Benchmark{row['name']} 1 {v!r} {row.unit}\n" for v in part.value)
             for k, part in (("before", before), ("after", after))}
    out = gobench.benchstat(text=texts)
    return out[(out.column == "after") & ~out.is_geomean].iloc[0]


def _runs(sel):
    return int(sel.groupby("order").size().iloc[0])


def test_one_step_found_where_it_is_with_benchstat_numbers():
    h = _history([1.0] * 12 + [1.2] * 18)
    cp = change_points(h)
    assert list(cp.columns) == list(COLUMNS)
    assert len(cp) == 1
    row = cp.iloc[0]
    assert row.commit == "c12" and row.order == 12
    assert row.direction == "regression" and bool(row.persisting)
    assert (row.n_before, row.n_after) == (60, 90)
    bs = _benchstat_of(h, row)
    assert (row.before, row.after, row.p) == (bs.baseline_center, bs.center, bs.p)
    assert row.delta_pct == pytest.approx(bs.delta_pct, rel=1e-12)
    assert 15 < row.delta_pct < 25


def test_higher_is_better_units_and_metadata():
    h = _history([1.0] * 10 + [0.8] * 10, unit="B/s", base=1e8)
    assert change_points(h).direction.tolist() == ["regression"]          # a rate fell
    h.attrs["units"] = {"B/s:better": "lower"}
    assert change_points(h).direction.tolist() == ["improvement"]


def test_change_that_reverts_does_not_persist():
    h = _history([1.0] * 10 + [1.25] * 8 + [1.0] * 10, seed=3)
    cp = change_points(h)
    assert cp.commit.tolist() == ["c10", "c18"]
    assert cp.direction.tolist() == ["regression", "improvement"]
    assert cp.persisting.tolist() == [False, True]


def test_pure_noise_flags_nothing():
    frames = [_history([1.0] * 40, seed=s, name=f"B{s}-2") for s in range(40)]
    assert change_points(pd.concat(frames, ignore_index=True)).empty


def test_slow_outlier_commits_are_not_changes():
    levels = [1.0] * 30
    levels[7] = levels[19] = 3.0
    levels[20] = 2.5
    assert change_points(_history(levels, seed=5)).empty


def test_small_change_filtered_by_min_delta():
    h = _history([1.0] * 15 + [1.06] * 15, noise=0.01, commit_noise=0.002, seed=2)
    assert change_points(h).commit.tolist() == ["c15"]
    assert change_points(h, min_delta_pct=10).empty


def test_constant_series_and_exact_steps():
    h = _history([1.0] * 12, noise=0, commit_noise=0, unit="allocs/op", base=2)
    assert change_points(h).empty
    step = _history([0.0] * 6 + [1.0] * 6, noise=0, commit_noise=0, unit="allocs/op", base=1)
    cp = change_points(step)
    assert cp[["commit", "before", "after", "direction"]].values.tolist() == [["c06", 0.0, 1.0, "regression"]]
    assert cp.delta_pct.iloc[0] == math.inf


def test_too_few_runs_or_commits():
    # one run per commit: a segment needs 6 runs for benchstat's 95 % interval
    assert change_points(_history([1.0] * 4 + [2.0] * 4, runs=1)).empty
    assert change_points(_history([1.0] * 2 + [2.0] * 1, runs=10)).empty   # 3 commits
    one = change_points(_history([1.0], runs=10))
    assert one.empty and list(one.columns) == list(COLUMNS)


def test_units_and_packages_kept_apart():
    a = _history([1.0] * 10 + [1.3] * 10, seed=1)
    b = _history([1.0] * 20, seed=2)
    a["pkg"], b["pkg"] = "example.com/a", "example.com/b"
    c = _history([1.0] * 20, unit="B/op", base=64, noise=0, commit_noise=0)
    c["pkg"] = "example.com/a"
    cp = change_points(pd.concat([a, b, c], ignore_index=True))
    assert cp[["pkg", "name", "unit", "commit"]].values.tolist() == [["example.com/a", "Sum-2", "sec/op", "c10"]]
    assert change_points(pd.concat([a, c]), unit="B/op").empty
    assert len(change_points(pd.concat([a, c]), unit="ns/op")) == 1            # tidied to sec/op


def test_bad_arguments():
    h = _history([1.0] * 8)
    for kw in ({"alpha": 0}, {"alpha": 1.5}, {"min_delta_pct": -1}, {"min_delta_pct": math.nan},
               {"unit": "MB/s"}):
        with pytest.raises(OptionError):
            change_points(h, **kw)
    with pytest.raises(GobenchError, match="order"):
        change_points(h.drop(columns="order"))


def test_engines_agree(monkeypatch):
    levels = [1.0] * 9 + [1.3] * 9 + [0.9] * 12
    h = pd.concat([_history(levels, seed=s, name=f"B{s}-2") for s in range(6)], ignore_index=True)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    fast = change_points(h)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    ref = change_points(h)
    assert len(fast) >= 6
    pd.testing.assert_frame_equal(fast, ref, check_exact=True)


def test_infinite_and_nan_runs_left_out():
    h = _history([1.0] * 10 + [1.3] * 10, seed=4)
    clean = change_points(h)
    h.loc[[3, 12], "value"] = [math.inf, math.nan]     # runs of c00 and c02
    dirty = change_points(h)
    assert dirty.commit.tolist() == clean.commit.tolist() == ["c10"]
    assert dirty.n_before.iloc[0] == clean.n_before.iloc[0] - 2
