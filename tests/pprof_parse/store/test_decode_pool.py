"""Ingest with worker processes writes the store a single process writes, and leaves no process behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd
import pytest

from pprof_parse.errors import ProfileFormatError
from pprof_parse.store import ProfileStore, decode_pool
from pprof_parse.store.decode_pool import decoded_in_workers

pytestmark = pytest.mark.go

TABLES = ("profiles", "samples", "stacks", "locations", "functions", "mappings")


def _children() -> set[str]:
    """This process's child processes (pids), from /proc (other tests' may still be exiting)."""
    pid = os.getpid()
    return set(" ".join(Path(f"/proc/{pid}/task/{t}/children").read_text()
                        for t in os.listdir(f"/proc/{pid}/task")).split())


def _inputs(store_runs, cpu_windows, tmp_path) -> list[str]:
    """Every workload profile (proto and text forms), the 30 windows, a repeat, and a broken file."""
    bad = tmp_path / "bad.pb.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    files = [str(p) for d in store_runs for p in sorted(d.iterdir()) if p.suffix in (".gz", ".txt")]
    return files + [str(p) for p in cpu_windows] + [str(cpu_windows[0]), str(bad)]


def _contents(store: ProfileStore) -> dict[str, pd.DataFrame]:
    out = {}
    for table in TABLES:
        cols = sorted(store.sql(f"SELECT * FROM {table} LIMIT 0").columns)
        out[table] = store.sql(f"SELECT {', '.join(map(repr, cols)).replace(chr(39), chr(34))} FROM {table} "
                               f"ORDER BY ALL")
    return out


def _ingest(files, path: Path, monkeypatch, *, workers: bool, engine: str = "fast"):
    monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
    monkeypatch.setattr(decode_pool, "MIN_FILES", 1 if workers else 10**9)
    store = ProfileStore(path)
    first = store.add(files[:40], progress=False, batch_size=7)
    second = store.add(files, progress=False, batch_size=7)  # (the first 40 skipped)
    return store, first, second


def test_workers_write_what_one_process_writes(store_runs, cpu_windows, tmp_path, monkeypatch):
    files = _inputs(store_runs, cpu_windows, tmp_path)
    assert os.cpu_count() > 1
    stores, counts = {}, {}
    for name, workers, engine in (("pool", True, "fast"), ("here", False, "fast"), ("reference", False, "reference")):
        store, first, second = _ingest(files, tmp_path / name, monkeypatch, workers=workers, engine=engine)
        stores[name] = store
        counts[name] = [(r.added, r.skipped, [(p, type(e)) for p, e in r.failed]) for r in (first, second)]
    assert counts["pool"] == counts["here"] == counts["reference"]
    (added, _, _), (added2, skipped2, failed2) = counts["pool"]
    assert added + added2 > 60 and skipped2 >= added + 1 and (files[-1], ProfileFormatError) in failed2
    want = _contents(stores["reference"])
    for name in ("pool", "here"):
        got = _contents(stores[name])
        for table in TABLES:
            pd.testing.assert_frame_equal(got[table], want[table], obj=f"{name}: {table}")
        pd.testing.assert_frame_equal(stores[name].top(where="path LIKE '%/cpu.pb.gz'"),
                                      stores["reference"].top(where="path LIKE '%/cpu.pb.gz'"))
    for s in stores.values():
        s.close()


def test_the_workers_decode_the_protos(store_runs, cpu_windows, monkeypatch):
    """Not only the fallback: the workers decode every proto file of their chunks (the caller
    keeps every cores()-th chunk), and send the symbol rows those files use."""
    monkeypatch.setattr(decode_pool, "CHUNK", 5)
    files = [str(p) for p in cpu_windows] + [str(p) for d in store_runs for p in sorted(d.glob("*.pb.gz"))]
    before = _children()
    got = list(decoded_in_workers(files, set()))
    share = decode_pool.cores()
    assert len(got) == len(files) and share > 1
    here = [i // 5 % share == share - 1 for i in range(len(files))]
    assert [p is decode_pool.DECODE_HERE for p in got] == here
    theirs = [p for p, h in zip(got, here) if not h]
    assert all(p.profile_id is not None and p.header is not None for p in theirs)
    stack_ids = {row[0] for p in theirs for row in p.symbol_rows["stacks"]}
    assert {s for p in theirs for s in p.rows.stack_id} <= stack_ids
    assert _children() <= before


def test_a_failing_worker_leaves_the_files_to_this_process(store_runs, cpu_windows, tmp_path, monkeypatch):
    files = [str(p) for p in cpu_windows]
    before = _children()
    monkeypatch.setattr(decode_pool, "_BOOT", "import sys; sys.exit(3)")
    assert all(p.profile_id is None for p in decoded_in_workers(files, set()))
    store, first, second = _ingest(files, tmp_path / "s", monkeypatch, workers=True)
    assert (first.added, second.skipped, len(first.failed) + len(second.failed)) == (30, 30, 0)
    ref, _, _ = _ingest(files, tmp_path / "r", monkeypatch, workers=False)
    pd.testing.assert_frame_equal(store.top(), ref.top())
    assert _children() <= before
    store.close(), ref.close()


def test_nothing_is_left_running(cpu_windows):
    """Closing the generator early (the caller raised) stops and reaps every worker; no thread stays."""
    threads, before = threading.active_count(), _children()
    gen = decoded_in_workers([str(p) for p in cpu_windows] * 20, set())
    next(gen)
    assert len(_children() - before) == decode_pool.cores() - 1
    gen.close()
    assert _children() <= before and threading.active_count() == threads
