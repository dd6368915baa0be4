"""The store's batch path for small profiles gives the rows the reader's ProfileData gives, or defers."""

from __future__ import annotations

import gzip

import pytest

from pprof_parse.proto.profile_pb2 import Profile as ProfileMessage
from pprof_parse.proto.profile_pb2 import ProfileRaw
from pprof_parse.store import fast_rows
from pprof_parse.store.fast_rows import NameCache, batch_rows
from pprof_parse.store.ingest import read_for_store
from pprof_parse.store.rows import ProfileRows, SymbolIds, header_of, profile_rows

pytestmark = pytest.mark.go


def _plain(rows: ProfileRows) -> tuple:
    """Rows as plain lists (the batch path holds numpy arrays, the reader's path lists)."""
    return (list(map(int, rows.stack_id)), list(rows.labels), {k: list(map(int, v)) for k, v in rows.values.items()},
            rows.main_mapping_id)


def _assert_reader_rows(path, got, reader: SymbolIds) -> None:
    data = read_for_store(str(path))
    assert got is not None, path
    assert got[0] == header_of(data), path
    assert _plain(got[1]) == _plain(profile_rows(data, reader, str(path))), path


def _assert_same_queued(quick: SymbolIds, reader: SymbolIds) -> None:
    q, r = quick.take_queued(), reader.take_queued()
    for table in q:
        assert q[table] == r[table], table  # (same rows, in the same order of first occurrence)
        assert len({row[0] for row in q[table]}) == len(q[table])  # one row per id
    assert len(q["stacks"]) > 100 and len(q["functions"]) > 100


@pytest.mark.parametrize("batch, group_bytes", [(1, None), (4, None), (1000, None), (1000, 100_000)])
def test_same_rows_as_the_reader_on_every_workload_profile(store_runs, batch, group_bytes, monkeypatch):
    if group_bytes:  # (decode groups cut by size: a few files each)
        monkeypatch.setattr(fast_rows, "GROUP_BYTES", group_bytes)
    paths = [p for d in store_runs for p in sorted(d.glob("*.pb.gz"))]
    assert len(paths) >= 27
    quick, reader = SymbolIds(), SymbolIds()
    names = NameCache()
    for k in range(0, len(paths), batch):
        part = paths[k:k + batch]
        for path, got in zip(part, batch_rows([(str(p), p.read_bytes()) for p in part], quick, names)):
            _assert_reader_rows(path, got, reader)
    _assert_same_queued(quick, reader)


def _message(path):
    return ProfileMessage.FromString(gzip.decompress(path.read_bytes()))


def _broken_variants(run) -> dict[str, bytes]:
    """Inputs the batch path leaves to the reader, by what is wrong with them."""
    plain = gzip.decompress((run / "cpu.pb.gz").read_bytes())
    out = {"text": (run / "heap.debug1.txt").read_bytes(), "garbage": b"\x1f\x8bgarbage",
           "concatenated": plain + plain}  # (two string tables: "" repeats)

    def edited(name, edit):
        msg = _message(run / "cpu.pb.gz")
        edit(msg)
        out[name] = msg.SerializeToString()

    edited("dangling location", lambda m: m.sample[0].location_id.append(10**9))
    edited("value count", lambda m: m.sample[-1].value.append(1))
    edited("drop_frames", lambda m: (m.string_table.append("runtime\\..*"),
                                     setattr(m, "drop_frames", len(m.string_table) - 1)))
    edited("duplicate function id", lambda m: setattr(m.function[-1], "id", m.function[0].id))
    edited("string index", lambda m: setattr(m.function[-1], "name", -1))
    edited("label string index", lambda m: m.sample[0].label.add(key=len(m.string_table), str=1))
    edited("dangling mapping", lambda m: setattr(m.location[0], "mapping_id", 999))
    edited("function id 0", lambda m: setattr(m.function[0], "id", 0))
    out["broken sample"] = _broken_nested(plain)
    raw = ProfileRaw.FromString(plain)
    raw.string_table.extend([b"\xc3", b"\xa9"])  # (each one invalid UTF-8; "\xc3\xa9" when joined)
    out["invalid UTF-8"] = raw.SerializeToString()
    return out


def _broken_nested(plain: bytes) -> bytes:
    """``plain`` with its first sample's packed location ids cut inside a varint: the top level
    still parses (upb keeps samples as bytes), the sample does not."""
    msg = ProfileMessage.FromString(plain)
    msg.sample[0].ClearField("location_id")
    msg.sample[0].location_id.append(300)  # (a two-byte varint)
    data = msg.SerializeToString()
    sample = msg.sample[0].SerializeToString()
    at = data.index(sample)
    assert sample[:2] == b"\x0a\x02"  # field 1, packed, 2 bytes: claim 1
    return data[:at] + b"\x0a\x01" + sample[2:] + data[at + len(sample):]


def test_a_broken_file_in_a_batch_is_left_to_the_reader_and_the_rest_decoded(store_runs):
    """Each bad input between good ones gets None and queues nothing; the others get the reader's rows."""
    run = store_runs[0]
    good = [p for d in store_runs for p in sorted(d.glob("*.pb.gz"))][:6]
    for what, raw in _broken_variants(run).items():
        alone = SymbolIds()
        assert batch_rows([("x", raw)], alone, NameCache()) == [None], what
        assert not any(alone.take_queued().values()), what  # checked before any row was made
        quick, reader = SymbolIds(), SymbolIds()
        items = [(str(p), p.read_bytes()) for p in good]
        items.insert(3, ("x", raw))
        got = batch_rows(items, quick, NameCache())
        assert got[3] is None, what
        for path, g in zip(good, got[:3] + got[4:]):
            _assert_reader_rows(path, g, reader)
        _assert_same_queued(quick, reader)


def test_uncompressed_proto_is_taken(store_runs):
    plain = gzip.decompress((store_runs[0] / "cpu.pb.gz").read_bytes())
    assert batch_rows([("x", plain)], SymbolIds(), NameCache())[0] is not None


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
