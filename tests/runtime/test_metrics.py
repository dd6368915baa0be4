"""runtime/metrics (published through expvar by leakserver) and Prometheus scrapes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric

from pprof_parse.errors import RuntimeFormatError
from pprof_parse.runtime.memstats import RING, load_memstats
from pprof_parse.runtime.metrics import (
    histogram_quantiles, prometheus_histograms, prometheus_series, read_prometheus, read_runtime_histograms,
    read_runtime_metrics,
)

PAUSES = "/sched/pauses/total/gc:seconds"


def test_scalars_and_counters(sample_capture):
    m = read_runtime_metrics(sample_capture.paths("vars"))
    # the JSON's now_unix_ns is the snapshot time
    assert list(m.index - sample_capture.manifest["start_unix"]) == pytest.approx(sample_capture.times)
    cycles = m["/gc/cycles/total:gc-cycles"]
    ms = [load_memstats(p) for p in sample_capture.paths("vars")]
    assert list(cycles) == [s["NumGC"] for s in ms]
    assert list(m["Δ/gc/cycles/total:gc-cycles"].iloc[1:]) == list(np.diff(cycles))
    assert (m["/sched/goroutines:goroutines"] > 0).all()


def test_histograms_consistent_with_pausens(sample_capture):
    h = read_runtime_histograms(sample_capture.paths("vars"))
    m = read_runtime_metrics(sample_capture.paths("vars"))
    n = h[h.metric == PAUSES].groupby("t")["count"].sum()
    cycles = m["/gc/cycles/total:gc-cycles"]
    # each cycle has two STW pauses (sweep termination, mark termination); the forced
    # leak-checking cycles stop the world a few more times
    forced = m["/gc/cycles/forced:gc-cycles"]
    assert (n.to_numpy() >= 2 * cycles.to_numpy()).all()
    assert (n.to_numpy() - 2 * cycles.to_numpy() <= 4 * forced.to_numpy()).all()
    assert h.groupby(["metric", "lower"])["count"].apply(lambda s: s.is_monotonic_increasing).all()
    # bucket bounds bracket the exact per-cycle sums kept in PauseNs
    last = h[(h.metric == PAUSES) & (h.t == h.t.max())]
    lo = (last.lower.clip(lower=0) * last["count"]).sum()
    hi = (last.upper.replace(math.inf, np.nan) * last["count"]).sum()
    total_ns = load_memstats(sample_capture.path(3, "vars"))["PauseTotalNs"]
    assert lo * 1e9 <= total_ns <= hi * 1e9
    q = histogram_quantiles(h, (0.5, 1.0))
    pq = q[q.metric == PAUSES]
    assert (pq["n"].sum() == n.iloc[-1]) and (pq["q0.5"] <= pq["q1"]).all()
    qc = histogram_quantiles(h, (1.0,), cumulative=True)
    assert qc[qc.metric == PAUSES]["q1"].is_monotonic_increasing


def _exposition(vars_path) -> str:
    """Prometheus text built from one real /debug/vars snapshot with prometheus_client,
    using client_golang's Go-collector names and its re-bucketing (seconds -> powers of ten)."""
    d = json.loads(vars_path.read_text())
    ms, rm = d["memstats"], d["runtime_metrics"]

    class Collector:
        def collect(self):
            yield GaugeMetricFamily("go_goroutines", "Number of goroutines that currently exist.",
                                    value=d["goroutines"])
            yield CounterMetricFamily("go_memstats_alloc_bytes", "Total bytes allocated, even if freed.",
                                      value=ms["TotalAlloc"])
            n = ms["NumGC"]
            pauses = sorted(ms["PauseNs"][(k - 1) % RING] / 1e9 for k in range(max(1, n - RING + 1), n + 1))
            s = Metric("go_gc_duration_seconds", "A summary of the wall-time pause (stop-the-world) duration "
                       "in garbage collection cycles.", "summary")
            for q in (0, 0.25, 0.5, 0.75, 1):
                s.add_sample("go_gc_duration_seconds", {"quantile": str(q)},
                             pauses[min(len(pauses) - 1, int(q * len(pauses)))])
            s.add_sample("go_gc_duration_seconds_sum", {}, ms["PauseTotalNs"] / 1e9)
            s.add_sample("go_gc_duration_seconds_count", {}, n)
            yield s
            h = rm[PAUSES]
            lows = [float(str(b).replace("Inf", "inf")) for b in h["buckets"][:-1]]
            edges = [10.0 ** e for e in range(-9, 1)]
            cum = [sum(c for lo, c in zip(lows, h["counts"]) if lo < e) for e in edges]
            yield HistogramMetricFamily(
                "go_sched_pauses_total_gc_seconds", "Distribution of individual GC-related stop-the-world "
                "pause latencies.", buckets=[(repr(e), c) for e, c in zip(edges, cum)] + [("+Inf", sum(h["counts"]))],
                sum_value=sum(max(lo, 0) * c for lo, c in zip(lows, h["counts"])))

    reg = CollectorRegistry()
    reg.register(Collector())
    return generate_latest(reg).decode()


def test_prometheus_scrapes(sample_capture):
    texts = [_exposition(p) for p in sample_capture.paths("vars")]
    df = read_prometheus([t.encode() for t in texts], times=sample_capture.times)
    g = df[df["sample"] == "go_goroutines"]
    assert list(g.value) == [s["goroutines"] for s in sample_capture.manifest["snapshots"]]
    assert g.delta.isna().all()  # gauges are not differenced
    ms = [load_memstats(p) for p in sample_capture.paths("vars")]
    a = df[df["sample"] == "go_memstats_alloc_bytes_total"]
    assert list(a.delta.iloc[1:]) == list(np.diff([s["TotalAlloc"] for s in ms]).astype(float))
    assert (a.rate.iloc[1:] > 0).all()
    c = df[df["sample"] == "go_gc_duration_seconds_count"]
    assert list(c.delta.iloc[1:]) == list(np.diff([s["NumGC"] for s in ms]).astype(float))
    summ = df[(df["sample"] == "go_gc_duration_seconds") & (df.t == df.t.max())]
    assert list(summ["quantile"]) == [0, 0.25, 0.5, 0.75, 1] and summ.value.is_monotonic_increasing
    w = prometheus_series(df, families=["go_goroutines", "go_gc_duration_seconds"])
    assert list(w.index) == sample_capture.times
    assert list(w["go_goroutines"]) == list(g.value)
    assert "go_gc_duration_seconds{quantile=0.99}" not in w and "go_gc_duration_seconds{quantile=0.5}" in w
    r = prometheus_series(df, value="rate")
    assert r["go_memstats_alloc_bytes_total"].iloc[1:].gt(0).all() and r["go_goroutines"].isna().all()
    # histogram quantiles from the re-bucketed scrape fall in the decade of the runtime/metrics estimate
    ph = histogram_quantiles(prometheus_histograms(df), (0.5,))
    rh = histogram_quantiles(read_runtime_histograms(sample_capture.paths("vars"), times=sample_capture.times),
                             (0.5,))
    rh = rh[rh.metric == PAUSES]
    assert list(ph["n"]) == list(rh["n"])
    for pv, rv in zip(ph["q0.5"], rh["q0.5"]):
        assert math.floor(math.log10(rv)) <= math.log10(pv) <= math.floor(math.log10(rv)) + 1


def test_json_lines_series(sample_capture, tmp_path):
    """A log of one JSON object per line (what a service appending metrics.Read results writes)."""
    docs = [json.loads(p.read_text()) for p in sample_capture.paths("vars")]
    f = tmp_path / "metrics.jsonl"
    f.write_text("".join(json.dumps({"time_unix_ns": d["now_unix_ns"], **d["runtime_metrics"]}) + "\n"
                         for d in docs))
    a = read_runtime_metrics(f)
    b = read_runtime_metrics(sample_capture.paths("vars"))
    assert list(a.index) == list(b.index) and a.equals(b[a.columns])
    h = read_runtime_histograms(f)
    assert h.equals(read_runtime_histograms(sample_capture.paths("vars")))
    f.write_text(f.read_text() + "{not json\n")
    with pytest.raises(RuntimeFormatError, match=r"metrics.jsonl:5: bad JSON line"):
        read_runtime_metrics(f)


def test_errors():
    with pytest.raises(RuntimeFormatError, match="no runtime/metrics names"):
        read_runtime_metrics(text='{"a": 1}\n')
    with pytest.raises(RuntimeFormatError, match=r"<text>:3: Prometheus text parser"):
        read_prometheus(text="# TYPE go_goroutines gauge\ngo_goroutines 3\ngo_goroutines{a=\"b} 1\n")
