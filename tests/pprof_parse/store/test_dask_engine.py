"""engine="dask": the store's queries on a dask.distributed cluster give DuckDB's answers exactly.

The store holds real profiles (the committed workload samples), copied with their ``time_nanos``
moved so that they span two day partitions, ingested in two batches with different series
labels (several samples files, with differing value columns: CPU, heap and mutex profiles).
"""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pprof_parse
from gopherlab_common.lazy import LazyModule
from pprof_parse.analyze.merge import scale_n
from pprof_parse.store import dask_engine
from pprof_parse.store.engine_api import Selection
from pprof_parse.store.errors import EngineUnavailableError, StoreError
from pprof_parse.store.schema import StoreLayout
from pprof_parse.store.store import ProfileStore

distributed = pytest.importorskip("distributed")

#: 2026-12-01T23:59:00Z: the CPU windows start a minute before midnight and cross into the next day
T0 = 1_796_169_540 * 10**9
CPU = "path LIKE '%cpu-%'"
WHERES = [CPU, f"{CPU} AND service = 'api'", f"{CPU} AND day >= DATE '2026-12-02'", f"{CPU} AND service = 'db'"]


def _copy(prof: pprof_parse.Profile, path: Path, *, time_nanos: int, scale: float = 1.0) -> Path:
    data = prof.data.with_(time_nanos=time_nanos)
    if scale != 1.0:
        data = scale_n(data, [scale] * len(prof.sample_types))
    pprof_parse.Profile(data, source=str(path)).to_proto(path)
    return path


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, sample_profiles) -> Path:
    """Eight CPU windows 20 s apart (values scaled 1x..8x), a heap and a mutex profile; services api/db."""
    src = tmp_path_factory.mktemp("inputs")
    cpu = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    for k in range(8):
        sub = src / ("api" if k % 2 == 0 else "db")
        sub.mkdir(exist_ok=True)
        _copy(cpu, sub / f"cpu-{k}.pb.gz", time_nanos=T0 + k * 20 * 10**9, scale=k + 1)
    _copy(pprof_parse.read_profile(sample_profiles / "heap.pb.gz"), src / "api" / "heap.pb.gz", time_nanos=T0)
    _copy(pprof_parse.read_profile(sample_profiles / "mutex.pb.gz"), src / "db" / "mutex.pb.gz", time_nanos=T0 + 10**11)
    root = tmp_path_factory.mktemp("store") / "store"
    with ProfileStore(root) as store:
        for service in ("api", "db"):
            result = store.add(str(src / service / "*.pb.gz"), labels={"service": service}, progress=False)
            assert not result.failed and result.added == 5
    assert len(list((root / "samples").glob("*/*.parquet"))) >= 3  # several files, two days
    return root


@pytest.fixture(scope="module")
def client():
    """A real dask.distributed cluster: 2 worker processes, 1 thread each. Afterwards nothing of
    it may be left: no client, no worker process."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as c:
            yield c
    with pytest.raises(ValueError):
        distributed.default_client()
    assert not multiprocessing.active_children()


def _profile_frames(p: pprof_parse.Profile) -> list[pd.DataFrame]:
    return [p.samples, p.locations, p.functions, p.mappings]


def test_engine_reads_only_the_selected_days(store_dir, monkeypatch):
    """A day's files are all a query over that day opens (the partitioning pays off)."""
    opened = []
    real = dask_engine._read_rows

    def spy(path, *args):
        opened.append(Path(path).parent.name)
        return real(path, *args)

    monkeypatch.setattr(dask_engine, "_read_rows", spy)
    assert dask_engine._current_client() is None  # (the cluster tests come last in this file)
    with ProfileStore(store_dir) as store:
        a = store.top(where=f"{CPU} AND day = DATE '2026-12-02'", engine="dask")
        b = store.top(where=f"{CPU} AND day = DATE '2026-12-02'", engine="duckdb")
    pd.testing.assert_frame_equal(a, b)
    assert opened and set(opened) == {"day=2026-12-02"}


def test_engine_functions_equal_duckdbs_with_scales(store_dir):
    """The two reduces called directly, with pprof's ScaleN ratios (the merge of profiles in
    different units) and without, over every profile: the same frames as DuckDB's."""
    from pprof_parse.store import duckdb_engine

    assert dask_engine._current_client() is None
    with ProfileStore(store_dir) as store:
        chosen = store.select(None)
    ids = np.sort(chosen["profile_id"].to_numpy(np.int64))
    sel = Selection(ids, tuple(sorted({str(d)[:10] for d in chosen["day"]})))
    layout = StoreLayout(store_dir)
    cols = ["samples", "cpu", "inuse_space", "alloc_objects", "contentions", "delay"]
    rng = np.random.default_rng(7)
    scales = pd.DataFrame({"profile_id": ids, **{c: rng.choice([1.0, 0.5, 1e-3, 3.7, 1e3], ids.size) for c in cols}})
    for sc in (None, scales):
        for by_labels in (True, False):
            got = dask_engine.aggregate_samples(layout, sel, cols, by_labels=by_labels, scales=sc)
            pd.testing.assert_frame_equal(got, duckdb_engine.aggregate_samples(layout, sel, cols, by_labels=by_labels,
                                                                               scales=sc))
            assert len(got) and (got[cols].to_numpy() != 0).any(axis=1).all()
    stacks = got["stack_id"].to_numpy()[::3]
    for col in ("cpu", "inuse_space", "delay"):
        pd.testing.assert_frame_equal(dask_engine.values_per_profile(layout, sel, col, stacks),
                                      duckdb_engine.values_per_profile(layout, sel, col, stacks))
    none = Selection(ids[:0], ())
    pd.testing.assert_frame_equal(dask_engine.aggregate_samples(layout, none, cols, by_labels=True),
                                  duckdb_engine.aggregate_samples(layout, none, cols, by_labels=True))


def test_no_dask_is_a_typed_error(store_dir, monkeypatch):
    monkeypatch.setattr(dask_engine, "dd", LazyModule("dask_is_not_installed_here"))
    with ProfileStore(store_dir) as store, pytest.raises(EngineUnavailableError, match=r"pip install 'gopherlab\[dask\]'"):
        store.top(where=CPU, engine="dask")


def test_unreadable_samples_file_is_a_store_error(store_dir, tmp_path):
    broken = tmp_path / "store"
    subprocess.run(["cp", "-r", str(store_dir), str(broken)], check=True)
    with ProfileStore(broken) as store:
        chosen = store.select(CPU)
    victim = sorted((broken / "samples").glob("*/*.parquet"))[0]
    victim.write_bytes(b"not parquet")
    selection = Selection(np.sort(chosen["profile_id"].to_numpy(np.int64)),
                          tuple(sorted({str(d)[:10] for d in chosen["day"]})))
    with pytest.raises(StoreError, match=f"{victim.name}: samples file does not read"):
        dask_engine.aggregate_samples(StoreLayout(broken), selection, ["samples", "cpu"], by_labels=True)


def test_without_a_cluster_runs_locally_and_leaves_the_process_as_it_was(store_dir):
    """In a fresh interpreter: importing pprof_parse imports no dask; a dask query with no client
    gives DuckDB's answer and leaves no thread behind."""
    script = textwrap.dedent(f"""
        import json, sys, threading
        import pandas as pd
        import pprof_parse
        from pprof_parse.store.store import ProfileStore
        out = {{"dask_on_import": any(m == "dask" or m.startswith("dask.") for m in sys.modules)}}
        before = sorted(t.name for t in threading.enumerate())
        with ProfileStore({str(store_dir)!r}) as store:
            a = store.top(where={CPU!r}, engine="dask")
            b = store.top(where={CPU!r}, engine="duckdb")
        pd.testing.assert_frame_equal(a, b)
        out["threads_before"] = before
        out["threads_after"] = sorted(t.name for t in threading.enumerate())
        out["dask_used"] = "dask.dataframe" in sys.modules
        print(json.dumps(out))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["dask_on_import"] is False
    assert out["dask_used"] is True
    assert out["threads_after"] == out["threads_before"]


# ---- on a cluster (last: the module's cluster lives until the module ends) ----------------------
def test_queries_identical_to_duckdb_on_the_cluster(store_dir, client):
    with ProfileStore(store_dir) as store, distributed.get_task_stream(client) as tasks:
        for where in WHERES:
            for si in (None, "samples"):
                pd.testing.assert_frame_equal(store.top(where=where, sample_index=si, engine="dask"),
                                              store.top(where=where, sample_index=si, engine="duckdb"))
        for where in WHERES + ["path LIKE '%heap%'", "path LIKE '%mutex%'"]:
            a, b = store.merge(where, engine="dask"), store.merge(where, engine="duckdb")
            assert a.sample_types == b.sample_types and a.time == b.time and a.duration == b.duration
            for fa, fb in zip(_profile_frames(a), _profile_frames(b)):
                pd.testing.assert_frame_equal(fa, fb)
        for regex, cum in ((r"^main\.spin$", False), (r"main\.", True), ("sort", False)):
            pd.testing.assert_frame_equal(store.function_share(regex, where=CPU, cum=cum, engine="dask"),
                                          store.function_share(regex, where=CPU, cum=cum, engine="duckdb"))
        a = store.diff(f"{CPU} AND service = 'api'", f"{CPU} AND service = 'db'", engine="dask")
        b = store.diff(f"{CPU} AND service = 'api'", f"{CPU} AND service = 'db'", engine="duckdb")
        pd.testing.assert_frame_equal(a.top(), b.top())
        pd.testing.assert_frame_equal(a.samples, b.samples)
    ran = {str(t["key"]) for t in tasks.data}
    assert any("profile-store-samples" in k for k in ran), "the reduces did not run on the cluster's workers"
    workers = {t["worker"] for t in tasks.data}
    assert len(workers) == 2


def test_function_share_steps_with_the_scaled_windows(store_dir, client):
    """A real outcome, not only equality: the CPU windows were scaled 1x..8x, so a function's
    value grows 1..8 times its first window's and its share stays the same."""
    with ProfileStore(store_dir) as store:
        share = store.function_share(r"^main\.spin$", where=CPU, engine="dask")
    assert len(share) == 8
    value = share.sort_values("time")["value"].to_numpy()
    assert value[0] > 0
    np.testing.assert_allclose(value / value[0], np.arange(1, 9), rtol=0.02)
    np.testing.assert_allclose(share["share"], share["share"].iloc[0], rtol=0.02)
