"""The store's quick path for small profiles gives the rows the reader's ProfileData gives, or defers."""

from __future__ import annotations

import gzip

import pytest

from pprof_parse.proto.profile_pb2 import Profile as ProfileMessage
from pprof_parse.store.fast_decode import NameCache, message_rows
from pprof_parse.store.ingest import read_for_store
from pprof_parse.store.rows import SymbolIds, header_of, profile_rows

pytestmark = pytest.mark.go


def test_same_rows_as_the_reader_on_every_workload_profile(store_runs):
    paths = [p for d in store_runs for p in sorted(d.glob("*.pb.gz"))]
    assert len(paths) >= 27
    quick, reader = SymbolIds(), SymbolIds()
    names = NameCache()
    for path in paths:
        got = message_rows(path.read_bytes(), str(path), quick, names)
        assert got is not None, path
        data = read_for_store(str(path))
        assert got[0] == header_of(data), path
        assert got[1] == profile_rows(data, reader, str(path)), path
    q, r = quick.take_queued(), reader.take_queued()
    for table in q:
        assert sorted(q[table], key=repr) == sorted(r[table], key=repr), table
        assert len({row[0] for row in q[table]}) == len(q[table])  # one row per id
    assert len(q["stacks"]) > 100 and len(q["functions"]) > 100


def _message(path):
    return ProfileMessage.FromString(gzip.decompress(path.read_bytes()))


def _defers(raw: bytes) -> bool:
    ids = SymbolIds()
    out = message_rows(raw, "x", ids, NameCache())
    if out is None:
        assert not any(ids.take_queued().values())  # checked before any row was made
    return out is None


def test_defers_what_it_does_not_take(store_runs):
    """Text, garbage, concatenations, bad references and pruning go to the reader."""
    run = store_runs[0]
    plain = gzip.decompress((run / "cpu.pb.gz").read_bytes())
    assert _defers((run / "heap.debug1.txt").read_bytes())
    assert _defers(b"\x1f\x8bgarbage")
    assert _defers(plain + plain)  # two string tables: "" repeats
    msg = _message(run / "cpu.pb.gz")
    msg.sample[0].location_id.append(10**9)  # dangling location
    assert _defers(msg.SerializeToString())
    msg = _message(run / "cpu.pb.gz")
    msg.sample[-1].value.append(1)  # value count differs from the sample types
    assert _defers(msg.SerializeToString())
    msg = _message(run / "cpu.pb.gz")
    msg.string_table.append("runtime\\..*")
    msg.drop_frames = len(msg.string_table) - 1  # pruning: the reader's
    assert _defers(msg.SerializeToString())
    msg = _message(run / "cpu.pb.gz")
    msg.function[-1].id = msg.function[0].id  # duplicate id
    assert _defers(msg.SerializeToString())
    msg = _message(run / "cpu.pb.gz")
    msg.function[-1].name = -1  # string index out of range
    assert _defers(msg.SerializeToString())
    assert not _defers(plain)  # uncompressed proto is taken


def test_reference_engine_ingests_through_the_reader_with_equal_tables(store_runs, tmp_path, monkeypatch):
    """GOPHERLAB_ENGINE=reference reads every file with read_profile's stages: same store contents."""
    from pprof_parse.store import ProfileStore
    files = sorted(str(p) for d in store_runs for p in d.glob("*.pb.gz"))
    fast = ProfileStore(tmp_path / "fast")
    fast.add(files, progress=False)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    ref = ProfileStore(tmp_path / "ref")
    ref.add(files, progress=False)
    for table in ("stacks", "locations", "functions", "mappings", "samples"):
        a = fast.sql(f"SELECT * FROM {table} ORDER BY ALL")
        b = ref.sql(f"SELECT * FROM {table} ORDER BY ALL")
        assert a.astype(str).equals(b.astype(str)), table
    assert fast.profiles.astype(str).equals(ref.profiles.astype(str))
    assert len(fast.profiles) == len(files)
    fast.close(), ref.close()
