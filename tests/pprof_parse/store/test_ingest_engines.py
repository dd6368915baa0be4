"""Ingest on the fast path writes the store the reference path (GOPHERLAB_ENGINE=reference) writes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from pprof_parse.errors import InvalidProfileError, ProfileFormatError
from pprof_parse.proto.profile_pb2 import Profile as ProfileMessage
from pprof_parse.proto.profile_pb2 import ProfileRaw
from pprof_parse.store import ProfileStore
from pprof_parse.store import fast_rows

pytestmark = pytest.mark.go

TABLES = ("profiles", "samples", "stacks", "locations", "functions", "mappings")


def _broken_windows(window: Path, tmp_path: Path) -> list[str]:
    """Copies of ``window`` broken inside: a sample whose packed field runs past its end (the
    top level still parses), a sample naming an undefined location, and the first again."""
    raw = ProfileRaw.FromString(gzip.decompress(window.read_bytes()))
    raw.sample[0] = b"\x0a\x05\x01"  # location ids: 5 bytes announced, 1 given
    cut = tmp_path / "cut-sample.pb.gz"
    cut.write_bytes(gzip.compress(raw.SerializeToString()))
    msg = ProfileMessage.FromString(gzip.decompress(window.read_bytes()))
    msg.sample[1].location_id.append(10**9)
    dangling = tmp_path / "dangling.pb.gz"
    dangling.write_bytes(gzip.compress(msg.SerializeToString()))
    again = tmp_path / "cut-sample-again.pb.gz"
    again.write_bytes(cut.read_bytes())
    return [str(cut), str(dangling), str(again)]


def _inputs(store_runs, cpu_windows, tmp_path) -> list[str]:
    """Every workload profile (proto and text forms), the 30 windows with two broken ones (and a
    repeat of one) among them, a repeat, and a file that is not a profile."""
    bad = tmp_path / "bad.pb.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    files = [str(p) for d in store_runs for p in sorted(d.iterdir()) if p.suffix in (".gz", ".txt")]
    windows = [str(p) for p in cpu_windows]
    windows[10:10] = _broken_windows(cpu_windows[3], tmp_path)  # (inside a batch of 7)
    return files + windows + [str(cpu_windows[0]), str(bad)]


def _contents(store: ProfileStore) -> dict[str, pd.DataFrame]:
    """Every table, columns sorted by name, rows sorted by all columns."""
    out = {}
    for table in TABLES:
        cols = sorted(store.sql(f"SELECT * FROM {table} LIMIT 0").columns)
        out[table] = store.sql(f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)} FROM {table} "
                               f"ORDER BY ALL")
    return out


def _ingest(files, path: Path, monkeypatch, engine: str):
    monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
    monkeypatch.setattr(fast_rows, "GROUP_FILES", 3)  # (several decode groups in a write batch of 7)
    store = ProfileStore(path)
    first = store.add(files[:40], progress=False, batch_size=7)
    second = store.add(files, progress=False, batch_size=7)  # (the first 40 skipped)
    return store, first, second


def test_fast_ingest_writes_what_the_reference_writes(store_runs, cpu_windows, tmp_path, monkeypatch):
    files = _inputs(store_runs, cpu_windows, tmp_path)
    stores, counts = {}, {}
    for engine in ("fast", "reference"):
        store, first, second = _ingest(files, tmp_path / engine, monkeypatch, engine)
        stores[engine] = store
        counts[engine] = [(r.added, r.skipped, [(p, type(e)) for p, e in r.failed]) for r in (first, second)]
        cut_errors = [e for p, e in second.failed if "/cut-sample" in p]
        assert [e.source for e in cut_errors] == [p for p, _ in second.failed if "/cut-sample" in p]  # (each its own)
    assert counts["fast"] == counts["reference"]
    (added, _, _), (added2, skipped2, failed2) = counts["fast"]
    assert added + added2 > 60 and skipped2 >= added + 1 and (files[-1], ProfileFormatError) in failed2
    broken = [(f, e) for f, e in failed2 if "/cut-sample" in f or f.endswith("/dangling.pb.gz")]
    assert [e for _, e in broken] == [ProfileFormatError, InvalidProfileError, ProfileFormatError], broken
    got, want = _contents(stores["fast"]), _contents(stores["reference"])
    for table in TABLES:
        assert len(want[table]) > 0, table
        pd.testing.assert_frame_equal(got[table], want[table], obj=table)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    pd.testing.assert_frame_equal(stores["fast"].top(where="path LIKE '%/cpu.pb.gz'"),
                                  stores["reference"].top(where="path LIKE '%/cpu.pb.gz'"))
    for s in stores.values():
        s.close()
