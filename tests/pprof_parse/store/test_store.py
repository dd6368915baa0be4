"""ProfileStore on real workload profiles: queries equal pprof_parse.merge/diff and go tool pprof."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pprof_parse
from pprof_parse.analyze.merge import subset_samples
from pprof_parse.errors import OptionError, ProfileFormatError, SampleTypeError
from pprof_parse.store import IngestResult, ProfileStore, StoreError
from pprof_oracle import pprof_top, run_pprof

from store_times import STEP, T0

pytestmark = pytest.mark.go

KINDS = ["cpu", "heap", "allocs", "mutex", "block", "goroutine"]
GRANULARITIES = ["functions", "filefunctions", "files", "lines", "addresses"]


def _pod(path: str) -> dict:
    i = int(path.rsplit("/", 1)[-1][1:3])
    return {"pod": f"pod-{i % 2}", "service": "api"}


@pytest.fixture(scope="module")
def store(store_runs, cpu_windows, tmp_path_factory):
    """Every proto profile of the three runs (labelled by run) plus the 30 CPU windows (labelled by pod)."""
    s = ProfileStore(tmp_path_factory.mktemp("store") / "s", engine="duckdb")
    for k, d in enumerate(store_runs):
        res = s.add(str(d / "*.pb.gz"), labels={"run": f"r{k}"}, progress=False)
        assert res.added == len(list(d.glob("*.pb.gz"))) and not res.failed
    res = s.add(cpu_windows, labels=_pod, progress=False, batch_size=7)  # several batches
    assert (res.added, res.skipped, len(res.failed)) == (30, 0, 0)
    yield s
    s.close()


def _reads(paths):
    return [pprof_parse.read_profile(p) for p in paths]


def _ours(prof, si, **kw):
    df = prof.top(si, **kw)
    return sorted(zip(df["name"], df["flat"].tolist(), df["cum"].tolist())), df.attrs["total"]


def _rows(ref):
    return sorted((r["name"], r["flat"], r["cum"]) for r in ref.rows), ref.total


@pytest.mark.parametrize("kind", KINDS)
def test_merge_equals_pprof_parse_merge(store, store_runs, kind):
    """Every sample type and granularity of the store's merge equals merge() of the same files."""
    paths = [d / f"{kind}.pb.gz" for d in store_runs]
    ours = store.merge(f"path LIKE '%/{kind}.pb.gz' AND run IS NOT NULL")
    ref = pprof_parse.merge(_reads(paths))
    assert ours.sample_types == ref.sample_types
    for attr in ("time_nanos", "duration_nanos", "period", "period_type", "default_sample_type", "comments"):
        assert getattr(ours.data, attr) == getattr(ref.data, attr), attr
    main = lambda p: p.data.strings[p.data.map_filename[0]] if p.data.map_id.size else None  # noqa: E731
    assert main(ours) == main(ref)  # the main binary first, as pprof keeps it
    for si in range(len(ref.sample_types)):
        for g in GRANULARITIES:
            pd.testing.assert_frame_equal(ours.top(si, granularity=g), ref.top(si, granularity=g))
    pd.testing.assert_frame_equal(ours.top(noinlines=True, cum=True), ref.top(noinlines=True, cum=True))


@pytest.mark.parametrize("kind", ["cpu", "heap", "mutex"])
def test_top_equals_go_tool_pprof(store, store_runs, kind):
    paths = [d / f"{kind}.pb.gz" for d in store_runs]
    where = f"path LIKE '%/{kind}.pb.gz' AND run IS NOT NULL"
    types = store.merge(where).sample_types
    for si, st in enumerate(types):
        df = store.top(where=where, sample_index=si)
        ref = pprof_top(paths[0], f"-sample_index={si}", *paths[1:], unit=st.unit)
        assert (sorted(zip(df["name"], df["flat"].tolist(), df["cum"].tolist())), df.attrs["total"]) == _rows(ref)


def test_top_over_the_windows_equals_pprof_and_merge(store, cpu_windows):
    """The 30 windows (labels, two days, several ingest batches): store.top = pprof -top of the 30 files."""
    df = store.top(where="pod IS NOT NULL")
    ref = pprof_top(cpu_windows[0], *cpu_windows[1:], unit="nanoseconds")
    assert (sorted(zip(df["name"], df["flat"].tolist(), df["cum"].tolist())), df.attrs["total"]) == _rows(ref)
    merged = pprof_parse.merge(_reads(cpu_windows))
    pd.testing.assert_frame_equal(store.top(where="pod IS NOT NULL", granularity="lines"),
                                  merged.top(granularity="lines"))
    assert store.merge("pod IS NOT NULL").time == merged.time


def test_where_selects_by_time_and_label(store, cpu_windows):
    sel = store.select("pod = 'pod-1' AND time >= TIMESTAMPTZ '2026-12-05 00:00:00+00'")
    want = [str(p) for i, p in enumerate(cpu_windows) if i % 2 == 1 and T0 + i * STEP >= T0 + 6 * STEP]
    assert sorted(sel["path"]) == sorted(want)
    assert list(sel["time_nanos"]) == sorted(sel["time_nanos"])  # merge order: time
    merged = pprof_parse.merge(_reads(want))
    pd.testing.assert_frame_equal(
        store.top(where="pod = 'pod-1' AND time >= TIMESTAMPTZ '2026-12-05 00:00:00+00'"), merged.top())


def test_partitions_by_day(store):
    days = sorted(p.name for p in (store.layout.root / "samples").iterdir())
    assert "day=2026-12-04" in days and "day=2026-12-05" in days
    assert set(store.sql("SELECT DISTINCT CAST(day AS VARCHAR) AS d FROM profiles WHERE pod IS NOT NULL")["d"]) == {
        "2026-12-04", "2026-12-05"}
    from pprof_parse.store.store import _selection
    sel = _selection(store.select("time < TIMESTAMPTZ '2026-12-05 00:00:00+00' AND pod IS NOT NULL"))
    assert sel.days == ("2026-12-04",)


def test_function_share_equals_each_profiles_top(store, cpu_windows):
    rx = r"^main\."
    flat = store.function_share(rx, where="pod IS NOT NULL")
    cum = store.function_share(rx, where="pod IS NOT NULL", cum=True)
    assert list(flat["path"]) == [str(p) for p in cpu_windows] and flat.attrs["sample_type"] == "cpu"
    for p, f, c in zip(cpu_windows, flat.itertuples(), cum.itertuples()):
        prof = pprof_parse.read_profile(p)
        top = prof.top()
        assert f.total == c.total == top.attrs["total"]
        assert f.value == top.loc[top["name"].str.match(rx), "flat"].sum()
        focused = prof.filter(focus=rx)
        assert c.value == int(np.abs(focused.data.values[:, -1]).sum())
        assert f.share == pytest.approx(f.value / f.total)
    assert set(flat.columns) >= {"profile_id", "time", "pod", "service", "value", "total", "share"}
    samples = store.function_share(rx, where="pod IS NOT NULL", sample_index="samples")
    assert samples.attrs["sample_type"] == "samples" and (samples["value"] <= samples["total"]).all()


def test_diff_equals_pprof_parse_diff(store, store_runs):
    new, old = [store_runs[0] / "heap.pb.gz"], [store_runs[1] / "heap.pb.gz", store_runs[2] / "heap.pb.gz"]
    d = store.diff("path LIKE '%/heap.pb.gz' AND run = 'r0'", "path LIKE '%/heap.pb.gz' AND run IN ('r1', 'r2')")
    ref = pprof_parse.diff(_reads(new), _reads(old))
    for si in range(len(ref.sample_types)):
        pd.testing.assert_frame_equal(d.top(si), ref.top(si))
    ref_pprof = pprof_top(new[0], f"-diff_base={old[0]}", unit="bytes")  # one base: pprof keeps one -diff_base
    d1 = store.diff("path LIKE '%/heap.pb.gz' AND run = 'r0'", "path LIKE '%/heap.pb.gz' AND run = 'r1'")
    assert _ours(d1, None) == _rows(ref_pprof)


def test_readding_skips_and_bad_files_are_reported(store, store_runs, tmp_path):
    bad = tmp_path / "bad.pb.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    empty = tmp_path / "empty.pb.gz"
    empty.write_bytes(b"")
    before = len(store.profiles)
    res = store.add([store_runs[0] / "cpu.pb.gz", bad, empty, tmp_path / "missing.pb.gz"], progress=False)
    assert isinstance(res, IngestResult) and (res.added, res.skipped) == (0, 1)
    errs = res.errors.set_index("path")
    assert set(errs.index) == {str(bad), str(empty), str(tmp_path / "missing.pb.gz")}
    assert isinstance(errs.loc[str(bad), "error"], ProfileFormatError) and str(bad) in errs.loc[str(bad), "message"]
    assert isinstance(errs.loc[str(tmp_path / "missing.pb.gz"), "error"], OSError)
    assert len(store.profiles) == before


def test_progress_bar_only_when_asked(store_runs, tmp_path, capsys):
    s = ProfileStore(tmp_path / "a")
    s.add(store_runs[0] / "cpu.pb.gz", progress=False)
    assert capsys.readouterr().err == ""
    s.add(store_runs[0] / "heap.pb.gz", progress=True)
    assert "1/1" in capsys.readouterr().err
    s.close()


def test_ids_are_content_hashes(store_runs, tmp_path):
    """Two stores fed the same files in other orders and batches hold the same ids."""
    files = sorted(str(p) for d in store_runs for p in d.glob("*.pb.gz"))
    a, b = ProfileStore(tmp_path / "a"), ProfileStore(tmp_path / "b")
    a.add(files, progress=False)
    b.add(files[::-1], progress=False, batch_size=3)
    for table, key in (("stacks", "stack_id"), ("locations", "location_id"), ("functions", "function_id"),
                       ("mappings", "mapping_id"), ("profiles", "profile_id")):
        ka = a.sql(f"SELECT {key} FROM {table} ORDER BY 1")[key].tolist()
        kb = b.sql(f"SELECT {key} FROM {table} ORDER BY 1")[key].tolist()
        assert ka == kb and len(ka) == len(set(ka)), table  # each id once per store
    pd.testing.assert_frame_equal(a.top(where="path LIKE '%/cpu.pb.gz'"), b.top(where="path LIKE '%/cpu.pb.gz'"))
    a.close(), b.close()


def test_mixed_units_scale_as_pprof(store_runs, tmp_path):
    """A profile in microseconds merged with ones in nanoseconds: scaled per sample, Go's rounding."""
    src = pprof_parse.read_profile(store_runs[1] / "cpu.pb.gz")
    d = src.data
    st = tuple(t if t.type != "cpu" else t._replace(unit="microseconds") for t in d.sample_types)
    vals = d.values.copy()
    vals[:, 1] = vals[:, 1] // 1000 + 1  # (not whole: rounding shows)
    micro = pprof_parse.Profile(d.with_(sample_types=st, values=vals, time_nanos=d.time_nanos + 1))
    path = tmp_path / "micro.pb.gz"
    micro.to_proto(path)
    s = ProfileStore(tmp_path / "s")
    s.add([path, store_runs[0] / "cpu.pb.gz", store_runs[2] / "cpu.pb.gz"], progress=False)
    ours = s.merge()
    ref = pprof_parse.merge(_reads([store_runs[0] / "cpu.pb.gz", store_runs[2] / "cpu.pb.gz", path]))
    assert ours.sample_types == ref.sample_types
    assert ours.data.period_type == ref.data.period_type and ours.data.period == ref.data.period
    for si in range(2):
        pd.testing.assert_frame_equal(ours.top(si), ref.top(si))
    s.close()


def _in_unit(path, tmp_path, name: str, units: dict, divide: dict, *, keep_zeros: bool = False, dt: int = 0):
    """A copy of a real profile written with other units: the values of each type in ``units``
    divided by ``divide[type]`` (``keep_zeros``: floor division, samples left at 0 kept, as a
    coarse-clocked tool would write them; else Go's rounding and zero samples dropped, as pprof's
    ScaleN would leave them)."""
    src = pprof_parse.read_profile(path).data
    vals = src.values.copy()
    for k, t in enumerate(src.sample_types):
        if t.type in divide:
            vals[:, k] = vals[:, k] // divide[t.type] if keep_zeros else np.trunc(vals[:, k] / divide[t.type] + 0.5)
    if not keep_zeros:
        coarse = [k for k, t in enumerate(src.sample_types) if t.type in divide]
        keep = (vals[:, coarse] != 0).any(axis=1)
        src, vals = subset_samples(src.with_(values=vals), keep), None
    st = tuple(t._replace(unit=units[t.type]) if t.type in units else t for t in src.sample_types)
    d = src.with_(sample_types=st, time_nanos=src.time_nanos + dt, **({} if vals is None else {"values": vals}))
    out = tmp_path / name
    pprof_parse.Profile(d).to_proto(out)
    return out


@pytest.mark.parametrize("kind", ["cpu", "heap"])
def test_mixed_units_equal_go_tool_pprof(store_runs, tmp_path, kind):
    """Profiles whose sample types have the same names but different units (CPU in ns, us and ms;
    heap space in bytes and megabytes), written from real ones: the store's top of every type
    equals ``go tool pprof -top`` of the same files (its ScaleProfiles: the finest unit, each
    value times the ratio with Go's rounding, a sample dropped when all its scaled values are 0)."""
    src = [d / f"{kind}.pb.gz" for d in store_runs]
    if kind == "cpu":
        files = [src[0], _in_unit(src[1], tmp_path, "us.pb.gz", {"cpu": "microseconds"}, {"cpu": 1000}, dt=1),
                 _in_unit(src[2], tmp_path, "ms.pb.gz", {"cpu": "milliseconds"}, {"cpu": 10**6}, keep_zeros=True,
                          dt=2)]
    else:
        mb = {"alloc_space": "megabytes", "inuse_space": "megabytes"}
        coarse = _in_unit(src[0], tmp_path, "mb.pb.gz", mb, {"alloc_space": 1 << 20, "inuse_space": 1 << 20},
                          keep_zeros=True)
        v = pprof_parse.read_profile(coarse).data.values
        assert ((v[:, [1, 3]] == 0).all(axis=1) & (v[:, 0] > 0)).any()  # samples pprof's ScaleN drops, counts and all
        files = [coarse, src[1], src[2]]
    s = ProfileStore(tmp_path / "s")
    assert s.add(files, progress=False).added == 3
    merged = s.merge()
    assert [t.unit for t in merged.sample_types] == [t.unit for t in pprof_parse.read_profile(src[0]).sample_types]
    order = sorted(files, key=lambda p: (pprof_parse.read_profile(p).time, str(p)))  # the store's merge order
    for si, st in enumerate(merged.sample_types):
        ref = pprof_top(order[0], f"-sample_index={si}", *order[1:], unit=st.unit)
        assert _ours(merged, si) == _rows(ref), st
    s.close()


def test_incompatible_units_fail_as_in_go_tool_pprof(store_runs, tmp_path):
    """CPU time in bytes cannot join CPU time in nanoseconds: pprof refuses the merge, and so does the store."""
    src = store_runs[0] / "cpu.pb.gz"
    odd = _in_unit(store_runs[1] / "cpu.pb.gz", tmp_path, "odd.pb.gz", {"cpu": "bytes"}, {}, dt=1)
    proc = run_pprof(["-top", str(src), str(odd)])
    assert proc.returncode != 0 and "incompatible" in proc.stderr
    s = ProfileStore(tmp_path / "s")
    s.add([src, odd], progress=False)
    with pytest.raises(SampleTypeError, match="incompatible"):
        s.top()
    s.close()


def test_errors(store, tmp_path, store_runs):
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError, match="not a directory"):
        ProfileStore(tmp_path / "f")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("x")
    with pytest.raises(StoreError, match="not a profile store"):
        ProfileStore(tmp_path / "d")
    with pytest.raises(StoreError, match="nosuchcolumn"):
        store.top(where="nosuchcolumn = 1")
    with pytest.raises(StoreError, match="no profile matches"):
        store.merge("pod = 'nobody'")
    with pytest.raises(SampleTypeError):
        store.merge("path LIKE '%/heap.pb.gz' OR path LIKE '%/cpu.pb.gz'")  # no common sample type, as pprof
    with pytest.raises(StoreError, match="label key 'path'"):
        store.add(store_runs[0] / "cpu.pb.gz", labels={"path": "x"}, progress=False)
    with pytest.raises(OptionError):
        store.top(engine="spark")
    with pytest.raises(OptionError):
        store.function_share("(")
    with pytest.raises(StoreError):
        store.sql("SELECT * FROM nosuchtable")


def test_reopen_sees_the_same_store(store):
    again = ProfileStore(store.layout.root)
    pd.testing.assert_frame_equal(again.profiles, store.profiles)
    pd.testing.assert_frame_equal(again.top(where="pod IS NOT NULL"), store.top(where="pod IS NOT NULL"))
    again.close()


def test_sql_views(store):
    n = store.sql("SELECT count(*) AS n FROM profiles")["n"].iloc[0]
    assert n == len(store.profiles)
    joined = store.sql("SELECT f.name, sum(s.cpu) AS cpu FROM samples s JOIN stacks USING (stack_id) "
                       "JOIN locations l ON l.location_id = location_ids[1] "
                       "JOIN functions f ON f.function_id = l.lines[1].function_id "
                       "WHERE s.cpu IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
    assert joined["cpu"].iloc[0] > 0


def test_pgo_writes_the_merged_cpu_profile(store, tmp_path):
    from pprof_parse.store.pgo import PgoProfileError
    out = tmp_path / "default.pgo"
    written = store.pgo(out, where="pod IS NOT NULL")
    back = pprof_parse.read_profile(out)
    pd.testing.assert_frame_equal(back.top(), store.top(where="pod IS NOT NULL"))
    pd.testing.assert_frame_equal(written.top(), back.top())
    with pytest.raises(PgoProfileError):
        store.pgo(tmp_path / "heap.pgo", where="path LIKE '%/heap.pb.gz'")


def test_a_broken_table_file_is_a_store_error(store_runs, tmp_path):
    s = ProfileStore(tmp_path / "s")
    s.add(store_runs[0] / "cpu.pb.gz", progress=False)
    s.close()
    victim = next((tmp_path / "s" / "samples").glob("*/*.parquet"))
    victim.write_bytes(b"not parquet")
    again = ProfileStore(tmp_path / "s")
    with pytest.raises(StoreError, match="samples"):
        again.top()
    again.close()


def test_duckdb_engine_keeps_the_engine_contract(store):
    """engine_api: sorted keys, int64 sums, all-zero groups dropped, a column a file lacks counts 0."""
    from pprof_parse.store import duckdb_engine
    from pprof_parse.store.store import _selection
    sel = _selection(store.select("run IS NOT NULL AND (path LIKE '%/cpu.pb.gz' OR path LIKE '%/heap.pb.gz')"))
    agg = duckdb_engine.aggregate_samples(store.layout, sel, ["cpu", "inuse_space"], by_labels=True)
    assert list(agg.columns) == ["stack_id", "labels", "cpu", "inuse_space"]
    assert [str(t) for t in agg.dtypes] in (["int64", "object", "int64", "int64"], ["int64", "str", "int64", "int64"])
    assert isinstance(agg.index, pd.RangeIndex)
    keys = list(zip(agg["stack_id"], agg["labels"]))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert ((agg["cpu"] != 0) | (agg["inuse_space"] != 0)).all()
    ids = ",".join(map(str, sel.profile_ids))
    sums = store.sql(f"SELECT sum(cpu) AS c, sum(inuse_space) AS i FROM samples WHERE profile_id IN ({ids})")
    assert agg["cpu"].sum() == sums["c"].iloc[0] and agg["inuse_space"].sum() == sums["i"].iloc[0]
    per = duckdb_engine.values_per_profile(store.layout, sel, "cpu", agg["stack_id"].to_numpy()[:3])
    assert list(per["profile_id"]) == sorted(sel.profile_ids) and (per["total"] >= per["value"].abs()).all()
    want = store.sql(f"SELECT profile_id, sum(abs(coalesce(cpu, 0))) AS t FROM samples WHERE profile_id IN ({ids}) "
                     "GROUP BY 1 ORDER BY 1")
    assert per["total"].tolist() == [int(x) for x in want["t"]]
