"""The profiles over time report: the analysis on real CPU windows with a known step, and the
notebook run headless by papermill and exported to offline HTML."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import numpy as np
import pandas as pd
import pytest

from gopherlab import report
from gopherlab.reports import profiles as over
from gopherlab.reports.bundled import notebook_file

from stepped_windows import FACTOR, N_WINDOWS, STEP_AT, write_windows

PLOTLY_JS_BANNER = re.compile(r"plotly\.js v\d+\.\d+\.\d+")
KIND = ("profiles_over_time", "Profiles over time")


@pytest.fixture(scope="module")
def windows(tmp_path_factory, sample_profiles):
    out = tmp_path_factory.mktemp("windows")
    write_windows(sample_profiles / "cpu.pb.gz", out)
    return out


@pytest.fixture(scope="module")
def store(windows, tmp_path_factory):
    s = over.open_store(str(windows / "**" / "*.pb.gz"), cache_dir=tmp_path_factory.mktemp("store") / "s")
    yield s
    s.close()


def test_step_found_where_it_was_made(store):
    ot = over.over_time(store, regex=r"^main\.fib$")
    assert len(ot.shares) == N_WINDOWS and ot.sample_type == "cpu"
    s = ot.step
    assert s is not None and s.clear and s.index == STEP_AT
    assert s.time == pd.Timestamp(ot.shares["time"].iloc[STEP_AT]).value
    assert 0.04 < s.before < 0.08 and 2.5 < s.after / s.before < FACTOR  # (the total grows with it)
    # the windows default to before/after the step, and main.fib is what changed most
    assert ot.window_a.end == s.time and ot.window_b.start == s.time
    top = ot.changes.iloc[0]
    assert top["name"] == "main.fib" and top["change"] > 5
    assert ot.changes.attrs["sample_type"] == "cpu"
    np.testing.assert_allclose(top["share_b"] - top["share_a"], top["change"])


def test_without_a_regex_it_follows_the_biggest_change(store):
    ot = over.over_time(store)
    assert ot.regex == r"^main\.fib$" and ot.step.index == STEP_AT
    assert any("Following main.fib" in n for n in ot.notes)
    assert ot.result()["top_change"] == "main.fib" and ot.result()["step"]["index"] == STEP_AT


def test_label_breakdown_by_pod(store):
    ot = over.over_time(store, regex=r"^main\.fib$")
    assert ot.label_key == "dir"
    bd = over.label_breakdown(ot)
    assert sorted(bd["value"]) == ["pod-a", "pod-b"]
    assert (bd["profiles"] == N_WINDOWS // 2).all()
    assert (bd["change"] > 5).all()  # the step is in both pods
    # per pod, the share is Σvalue/Σtotal of that pod's windows on each side of the step
    pod_a = ot.shares[ot.shares["dir"] == "pod-a"]
    before = pod_a[pd.to_datetime(pod_a["time"], utc=True).astype("int64") < ot.step.time]
    expect = 100 * before["value"].sum() / before["total"].sum()
    assert bd.set_index("value").loc["pod-a", "share_a"] == pytest.approx(expect)


def test_given_windows_and_errors(store):
    ot = over.over_time(store, regex="main", window_a="2026-12-01T23:55:00/2026-12-01T23:58:00",
                        window_b="2026-12-02T00:03:00Z/")
    assert ot.window_a.text.startswith("2026-12-01T23:55") and ot.result()["top_change"] == "main.fib"
    assert ot.window_a.describe() == "2026-12-01T23:55:00Z to 2026-12-01T23:58:00Z"
    assert ot.window_b.describe() == "from 2026-12-02T00:03:00Z"
    with pytest.raises(ValueError, match="no profile in it"):
        over.over_time(store, regex="main", window_a="2020-01-01/2020-01-02", window_b="2026-12-02/")
    with pytest.raises(ValueError, match="START/END"):
        over.parse_window("yesterday")
    with pytest.raises(ValueError, match="both time windows"):
        over.over_time(store, regex="main", window_a="2026-12-02/")
    with pytest.raises(ValueError, match="series labels are"):
        over.over_time(store, regex="main", label_key="nope")


def test_find_step_on_plain_series():
    t = np.arange(10) * 10**9
    s = over.find_step(np.array([1, 1.1, 0.9, 1, 1, 3, 3.1, 2.9, 3, 3.05]), t)
    assert s.index == 5 and s.clear and s.time == 5 * 10**9
    flat = over.find_step(np.array([1, 1.2, 0.8, 1.1, 0.9, 1.0, 1.1, 0.9]), t[:8])
    assert not flat.clear
    assert over.find_step(np.array([1.0, 2.0, np.nan]), t[:3]) is None


def test_dask_engine_gives_the_same_report(store):
    a = over.over_time(store, regex=r"^main\.fib$")
    b = over.over_time(store, regex=r"^main\.fib$", engine="dask")
    pd.testing.assert_frame_equal(a.shares, b.shares)
    pd.testing.assert_frame_equal(a.changes, b.changes)
    assert a.result() == b.result()


def test_figures(store):
    ot = over.over_time(store, regex=r"^main\.fib$")
    fig = over.share_figure(ot)
    pods = [t for t in fig.data if t.name.startswith("dir=")]
    assert [t.name for t in pods] == ["dir=pod-a", "dir=pod-b"] and sum(len(t.y) for t in pods) == N_WINDOWS
    means = [t for t in fig.data if t.name.startswith("mean")]
    assert [round(t.y[0], 6) for t in means] == [round(100 * ot.step.before, 6), round(100 * ot.step.after, 6)]
    flame = over.window_diff_figure(ot)
    icicle = flame.data[0]
    assert icicle.type == "icicle" and "main.fib" in icicle.labels


# ---- the notebook, headless ----------------------------------------------------------------------
def _figures(html: str) -> list[list[dict]]:
    return [json.loads(m.group(1)) for m in
            re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\])\s*,\s*\{', html, re.S)]


@pytest.fixture(scope="module")
def report_html(windows, sample_profiles, tmp_path_factory):
    """The notebook run by papermill on a glob of the windows plus a heap profile (two kinds)."""
    inputs = tmp_path_factory.mktemp("inputs")
    shutil.copytree(windows, inputs, dirs_exist_ok=True)
    shutil.copy(sample_profiles / "heap.pb.gz", inputs / "pod-a" / "heap.pb.gz")
    out = tmp_path_factory.mktemp("report") / "profiles.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(report.KINDS, "profiles", KIND)
        r = report.run_report("profiles", {"store_path": str(inputs / "**" / "*.pb.gz")}, out)
    assert r.ok, r.error
    return r


def test_report_headless(report_html):
    r = report_html
    html = r.html.read_text(encoding="utf-8")
    assert len(PLOTLY_JS_BANNER.findall(html)) == 1
    figs = _figures(html)
    types = {t.get("type", "scatter") for f in figs for t in f}
    assert {"scatter", "icicle", "bar"} <= types and len(figs) == 3
    assert "from gopherlab.reports import" not in html  # code hidden
    assert "Functions whose flat share of cpu changed most" in html and "<td>main.fib</td>" in html
    assert "profiles of 2 kinds" in html  # the heap profile left out, and said so
    assert r.result["step"]["index"] == STEP_AT and r.result["regex"] == r"^main\.fib$"
    assert r.result["profiles"] == N_WINDOWS
    assert re.fullmatch(r"\^main\\\.fib\$: 5\.\d\d% -> 1\d\.\d\d% of cpu at 2026-12-02T00:00:00Z \(a clear step\)",
                        r.result["verdict"]), r.result["verdict"]
    assert r.html_bytes <= 6_000_000


def test_notebook_committed_clean():
    nb = nbformat.read(str(notebook_file("profiles_over_time")), as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and "store_path" in params[0].source and "function_regex" in params[0].source
    assert nb.metadata.kernelspec.name == "python3"
    for c in nb.cells:
        if c.cell_type == "code":
            assert not c.outputs and c.execution_count is None


def test_report_escapes_profile_and_label_strings(tmp_path):
    """Hostile function, file and series-label strings reach the page only escaped."""
    import pprof_parse
    from evil_profile import EVIL_LABEL, EVIL_STRINGS, write_evil_profile
    from pprof_parse.store.store import ProfileStore

    paths = []
    for k in range(6):
        raw = write_evil_profile(tmp_path / f"raw-{k}.pb.gz", scale=1 if k < 3 else 3 + k)
        prof = pprof_parse.read_profile(raw)
        path = tmp_path / f"evil-{k}.pb.gz"
        pprof_parse.Profile(prof.data.with_(time_nanos=1_796_169_300 * 10**9 + k * 10**10), source=str(path)).to_proto(path)
        paths.append(path)
    root = tmp_path / "store"
    with ProfileStore(root) as store:
        store.add([str(p) for p in paths], labels=lambda p: {"team": EVIL_LABEL if p.endswith(("0.pb.gz", "2.pb.gz", "4.pb.gz")) else "b"},
                  progress=False)
    out = tmp_path / "evil.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(report.KINDS, "profiles", KIND)
        r = report.run_report("profiles", {"store_path": str(root), "sample_index": "alloc_space"}, out)
    assert r.ok, r.error
    html = out.read_text(encoding="utf-8")
    for s in EVIL_STRINGS:
        assert s not in html, s
    assert "&lt;/table&gt;&lt;script&gt;" in html  # the label value, shown escaped
    blob = json.dumps(_figures(html))
    for s in EVIL_STRINGS:
        assert s not in blob
