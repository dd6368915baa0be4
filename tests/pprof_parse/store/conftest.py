"""Real profiles for the store tests: a few workload runs, and CPU "windows" made from them."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest

from pprof_parse.proto.profile_pb2 import Profile as ProfileMessage

from store_times import STEP, T0


def write_window(src: Path, dst: Path, time_nanos: int) -> None:
    """A copy of a real profile with another ``time_nanos`` (pprof reads it as the original)."""
    msg = ProfileMessage.FromString(gzip.decompress(src.read_bytes()))
    msg.time_nanos = time_nanos
    dst.write_bytes(gzip.compress(msg.SerializeToString(), mtime=0))


@pytest.fixture(scope="session")
def store_runs(workload_profiles, tmp_path_factory) -> list[Path]:
    """Three profile directories: the shared workload run plus two more 1 s runs."""
    binary = workload_profiles.parent / "workload"
    dirs = [workload_profiles]
    for i in range(2):
        out = tmp_path_factory.mktemp(f"store_run{i + 2}") / "profiles"
        subprocess.run([str(binary), "-out", str(out), "-duration", "1s"], check=True, capture_output=True)
        dirs.append(out)
    return dirs


@pytest.fixture(scope="session")
def cpu_windows(store_runs, tmp_path_factory) -> list[Path]:
    """30 CPU profiles, one per 10 minutes from :data:`T0` (crossing midnight UTC), cycling
    through the three runs' CPU profiles; file ``w{i:02d}-run{k}.pb.gz``."""
    out = tmp_path_factory.mktemp("windows")
    paths = []
    for i in range(30):
        k = i % len(store_runs)
        p = out / f"w{i:02d}-run{k}.pb.gz"
        write_window(store_runs[k] / "cpu.pb.gz", p, T0 + i * STEP)
        paths.append(p)
    return paths
