"""The regressions table: the worst lasting regression per benchmark, noisy benchmarks flagged, on
made-up histories with known steps and on the bundled real history of examples/benchhistory."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gobench.errors import OptionError
from gobench.history import change_points, history_figure, read_history
from gobench.history.figures import NOISY_BAND
from gobench.history.regressions import REGRESSION_COLUMNS, STATUSES, noise_pct, regression_table
from gobench.stats.summary import summarize

pytestmark = pytest.mark.usefixtures("engine")

SAMPLE = Path(__file__).resolve().parents[3] / "gopherlab" / "data" / "bench" / "history"


def _series(name, levels, noise, rng, unit="sec/op", runs=6):
    return [(name, unit, 1e-6 * lvl * math.exp(rng.normal() * noise), f"c{i:02d}", i)
            for i, lvl in enumerate(levels) for _ in range(runs)]


@pytest.fixture(scope="module")
def made_up():
    rng = np.random.default_rng(7)
    flat, T = [1.0] * 24, 24
    rows = (_series("Step-2", [1.0] * 12 + [1.3] * 12, 0.01, rng)            # +30 %, lasts
            + _series("Small-2", [1.0] * 12 + [1.08] * 12, 0.005, rng)      # +8 %, lasts
            + _series("Reverted-2", [1.0] * 8 + [1.4] * 8 + [1.0] * 8, 0.01, rng)
            + _series("Faster-2", [1.0] * 12 + [0.7] * 12, 0.01, rng)
            + _series("Quiet-2", flat, 0.01, rng)
            + _series("Noisy-2", [1.0] * 12 + [1.05] * 12, 0.3, rng)        # +5 % inside ±30 % scatter
            + _series("NoisyBig-2", [1.0] * 12 + [3.0] * 12, 0.1, rng))     # +200 % out of its noise
    assert len(rows) == 7 * T * 6
    return pd.DataFrame(rows, columns=["fullname", "unit", "value", "commit", "order"])


def test_statuses_and_order(made_up):
    t = regression_table(made_up)
    assert list(t.columns) == list(REGRESSION_COLUMNS)
    got = dict(zip(t.name, t.status))
    assert got == {"Step-2": "regression", "Small-2": "regression", "NoisyBig-2": "regression",
                   "Reverted-2": "improvement", "Faster-2": "improvement", "Quiet-2": "unchanged",
                   "Noisy-2": "too noisy"}
    # regressions first, the largest first; then the status order
    assert t.name.tolist()[:3] == ["NoisyBig-2", "Step-2", "Small-2"]
    ranks = [STATUSES.index(s) for s in t.status]
    assert ranks == sorted(ranks)
    step = t.set_index("name").loc["Step-2"]
    assert step.commit == "c12" and 25 < step.delta_pct < 35 and step.p < 1e-6 and not step.noisy
    # the +40 % did not last (not a finding, counted in changes); the revert is a lasting improvement
    rev = t.set_index("name").loc["Reverted-2"]
    assert rev.changes == 2 and rev.commit == "c16" and rev.delta_pct < -20
    big = t.set_index("name").loc["NoisyBig-2"]
    assert big.noisy and big.noise_pct > 5 and big.delta_pct > big.noise_pct
    assert t.set_index("name").loc["Noisy-2"].commit is None
    assert t.attrs["sought_pct"] == 5.0


def test_the_changes_sought_decide_what_is_noisy(made_up):
    loose = regression_table(made_up, sought_pct=1000)
    assert not loose.noisy.any() and "too noisy" not in set(loose.status)
    strict = regression_table(made_up, min_delta_pct=10)       # Small-2's +8 % is no longer a change
    s = strict.set_index("name")
    assert s.loc["Small-2", "status"] == "unchanged" and s.loc["Step-2", "status"] == "regression"
    assert strict.attrs["sought_pct"] == 10
    # given changes are used as they are
    cp = change_points(made_up)
    assert regression_table(made_up, cp[cp.name != "Step-2"]).set_index("name").loc["Step-2", "status"] == "unchanged"


def test_noise_is_the_median_of_benchstats_plus_minus(made_up):
    n = noise_pct(made_up).set_index("name")
    for name in ("Quiet-2", "Noisy-2"):
        per_commit = []
        for _, g in made_up[made_up.fullname == name].groupby("order"):
            s = summarize(sorted(g.value))
            per_commit.append(max(s.hi / s.center - 1, 1 - s.lo / s.center) * 100)
        assert n.loc[name, "noise_pct"] == pytest.approx(float(np.median(per_commit)), rel=1e-12)
        assert n.loc[name, "commits"] == 24
    few = made_up[made_up.groupby(["fullname", "order"]).cumcount() < 5]     # 5 runs: no 95 % interval
    assert noise_pct(few)["noise_pct"].isna().all()
    assert "too noisy" not in set(regression_table(few).status)


def test_bad_options(made_up):
    for bad in (-1, math.inf, "5"):
        with pytest.raises(OptionError, match="sought_pct"):
            regression_table(made_up, sought_pct=bad)
    with pytest.raises(OptionError):
        regression_table(made_up, alpha=0)


def test_bundled_history_finds_only_the_known_changes():
    """The bundled sample is a real history with known kernel changes (make_history.py):
    every finding is one of them (within a commit), B/op and allocs/op exactly at c10."""
    h = read_history(sorted(SAMPLE.glob("c*.txt")), progress=False)
    known = json.loads((SAMPLE / "changes.json").read_text())
    t = regression_table(h)
    found = t[t.status.isin(["regression", "improvement"])]
    assert len(found) >= 3
    for r in found.itertuples():
        assert any(k["benchmark"] == r.name and r.unit in k["units"] and abs(k["order"] - int(r.commit[1:])) <= 1
                   and k["direction"] == r.status for k in known), r
    exact = t[t.unit.isin(["B/op", "allocs/op"]) & (t.name == "Checksum-2")]
    assert exact.status.tolist() == ["regression", "regression"] and set(exact.commit) == {"c10"}
    assert t.status.iloc[0] == "regression"


def test_band_chart_of_a_noisy_benchmark_is_grey(made_up):
    fig = history_figure(made_up, "NoisyBig-2", noise_pct=12.3)
    assert fig.data[1].fillcolor == NOISY_BAND and "noisy: ±12% per commit" in fig.layout.title.text
    assert history_figure(made_up, "NoisyBig-2").data[1].fillcolor != NOISY_BAND


def test_band_chart_from_a_zero_baseline_shows_the_values():
    """B/op from 0 to 4 KiB has no percentage: the chart draws the values in the unit."""
    h = read_history(sorted(SAMPLE.glob("c*.txt")), progress=False)
    fig = history_figure(h, "Checksum-2", "B/op")
    assert list(fig.data[2].y[:10]) == [0.0] * 10 and list(fig.data[2].y[10:]) == [4096.0] * 10
    assert fig.layout.yaxis.title.text == "B/op (the median at c00 is 0)"
    assert list(fig.data[3].x) == ["c10"] and list(fig.data[3].y) == [4096.0]
    assert history_figure(h, "Checksum-2", "cpu-sec/op").layout.yaxis.title.text == "% change from c00"


def test_engines_give_the_same_table(monkeypatch):
    """The reference engine (ruptures' plain Pelt, benchstat's statistics one cell at a time) gives
    the fast engine's table on the real history, number for number."""
    h = read_history(sorted(SAMPLE.glob("c*.txt")), progress=False)
    tables = {}
    for eng in ("fast", "reference"):
        monkeypatch.setenv("GOPHERLAB_ENGINE", eng)
        tables[eng] = regression_table(h)
    pd.testing.assert_frame_equal(tables["fast"], tables["reference"])
