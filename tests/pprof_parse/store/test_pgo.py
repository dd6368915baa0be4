"""pgo(): a merged CPU profile that the real ``go build -pgo`` accepts; other profiles refused.

The oracles are the Go toolchain's own: ``go tool preprofile`` (the PGO reader ``go build``
runs, cmd/internal/pgo) and ``go build -pgo=PATH`` of the workload.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import pprof_parse
from goenv import REPO, go_binary, go_env
from pprof_parse.errors import OptionError
from pprof_parse.store.pgo import PgoProfileError, pgo, pgo_sample_index

pytestmark = pytest.mark.go


@pytest.fixture(scope="module")
def cpu_paths(workload_profiles, sample_profiles) -> list[Path]:
    """Two CPU profiles of the workload: a fresh run and the committed sample."""
    return [workload_profiles / "cpu.pb.gz", sample_profiles / "cpu.pb.gz"]


def preprofile(path: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([go_binary(), "tool", "preprofile", "-i", str(path), "-o", str(out)],
                          capture_output=True, text=True, env=go_env(), timeout=300)


def test_merged_cpu_profiles_build_with_pgo(cpu_paths, tmp_path):
    path = tmp_path / "default.pgo"
    merged = pgo([pprof_parse.read_profile(p) for p in cpu_paths], path)
    assert [(t.type, t.unit) for t in merged.sample_types] == [("samples", "count"), ("cpu", "nanoseconds")]
    binary = tmp_path / "workload"
    build = subprocess.run([go_binary(), "build", "-trimpath", f"-pgo={path}", "-o", str(binary), "."],
                           cwd=REPO / "examples" / "workload", env=go_env(), capture_output=True, text=True,
                           timeout=600)
    assert build.returncode == 0, build.stderr
    info = subprocess.run([go_binary(), "version", "-m", str(binary)], capture_output=True, text=True,
                          env=go_env(), check=True).stdout
    assert "-pgo=" in info and "default.pgo" in info  # the build really used our profile


def test_call_edges_equal_pprofs_merge(cpu_paths, tmp_path):
    """The compiler's view (preprofile's weighted call edges) of our file equals its view of
    ``go tool pprof -proto A B``'s merge."""
    ours = tmp_path / "ours.pgo"
    pgo(cpu_paths, ours)
    theirs = tmp_path / "pprof.pgo"
    proto = subprocess.run([go_binary(), "tool", "pprof", "-proto", *map(str, cpu_paths)], capture_output=True,
                           env=go_env(), timeout=300, check=True).stdout
    theirs.write_bytes(proto)
    a, b = preprofile(ours, tmp_path / "a.pre"), preprofile(theirs, tmp_path / "b.pre")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    edges = (tmp_path / "a.pre").read_text()
    assert edges == (tmp_path / "b.pre").read_text()
    assert edges.startswith("GO PREPROFILE V1\n") and "main.hashLoop\nmain.spin\n" in edges


def test_weights_scale_each_profile_before_merging(cpu_paths, tmp_path):
    a, b = (pprof_parse.read_profile(p) for p in cpu_paths)
    doubled = pgo([a, b], weights=[2, 0])  # b's samples all scale to 0 and are dropped
    assert doubled.total("samples") == 2 * a.total("samples")
    assert doubled.top("samples")["flat"].tolist() == [2 * v for v in a.top("samples")["flat"].tolist()]
    with pytest.raises(OptionError, match="2 weights for 1 profiles|1 weights for 2"):
        pgo([a, b], weights=[1])
    with pytest.raises(OptionError, match="finite numbers"):
        pgo([a, b], weights=[1, float("nan")])


def test_heap_profile_refused_saying_why(sample_profiles, tmp_path):
    heap = sample_profiles / "heap.pb.gz"
    # what go build itself says about it
    go_says = preprofile(heap, tmp_path / "x.pre")
    assert go_says.returncode != 0 and "samples/count" in go_says.stderr
    out = tmp_path / "heap.pgo"
    with pytest.raises(PgoProfileError) as err:
        pgo(heap, out)
    msg = str(err.value)
    assert "heap.pb.gz" in msg and "not a CPU profile" in msg and "samples/count" in msg
    assert "alloc_objects/count" in msg  # what it has instead
    assert isinstance(err.value, ValueError) and isinstance(err.value, pprof_parse.PprofParseError)
    assert not out.exists()


def test_cpu_and_heap_mixed_refused_before_merging(cpu_paths, sample_profiles):
    with pytest.raises(PgoProfileError, match=r"allocs\.pb\.gz: not a CPU profile"):
        pgo([cpu_paths[0], sample_profiles / "allocs.pb.gz"])


def test_diff_and_empty_profiles_refused(cpu_paths):
    a, b = (pprof_parse.read_profile(p) for p in cpu_paths)
    with pytest.raises(PgoProfileError, match="negative sample values"):
        pgo(pprof_parse.diff(b, a, mode="base"))
    with pytest.warns(pprof_parse.PprofParseWarning, match="matched no samples"):
        empty = a.filter(focus="^no such function$")
    with pytest.raises(PgoProfileError, match="no CPU samples"):
        pgo(empty)


def test_missing_start_line_refused(cpu_paths):
    a = pprof_parse.read_profile(cpu_paths[0])
    old = pprof_parse.Profile(a.data.with_(func_start_line=0 * a.data.func_start_line), source="go1.19.pb.gz")
    with pytest.raises(PgoProfileError, match="go1.19.pb.gz: no function has start_line"):
        pgo(old)


def test_sample_index_is_the_compilers_choice(cpu_paths):
    a = pprof_parse.read_profile(cpu_paths[0])
    assert pgo_sample_index(a) == 0  # samples/count comes first in Go's CPU profiles
    only_cpu = pprof_parse.Profile(a.data.with_(sample_types=a.data.sample_types[1:], values=a.data.values[:, 1:],
                                                default_sample_type="cpu"), source="cpu-only")
    assert pgo_sample_index(only_cpu) == 0 and only_cpu.sample_types[0].type == "cpu"


def test_store_merge_gives_the_same_pgo_profile(cpu_paths, tmp_path):
    """store.merge(where=...) of the same files is as good a PGO input as the files themselves:
    the compiler sees the same call-edge weights."""
    from pprof_parse.store.store import ProfileStore

    with ProfileStore(tmp_path / "store") as store:
        store.add([str(p) for p in cpu_paths], progress=False)
        store.add(str(cpu_paths[0].parent / "heap.pb.gz"), progress=False)  # another kind, left out by where
        merged = store.merge("list_contains(sample_types, 'cpu')")
    pgo(merged, tmp_path / "store.pgo")
    pgo(cpu_paths, tmp_path / "files.pgo")
    a, b = preprofile(tmp_path / "store.pgo", tmp_path / "a.pre"), preprofile(tmp_path / "files.pgo", tmp_path / "b.pre")
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert (tmp_path / "a.pre").read_text() == (tmp_path / "b.pre").read_text()
