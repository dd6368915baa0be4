"""Real execution traces for the trace reader's tests, made once per session by examples/tracegen.

``traces`` maps a name to a trace file: ``start`` (runtime/trace.Start, one generation),
``generations`` (the same with ``GODEBUG=traceadvanceperiod=30ms``: several
generations, goroutines and Ps carried across them), ``flight`` (a trace.FlightRecorder
snapshot: the first generation is not 1), ``gotest`` (``go test -trace``) and ``allocfree``
(``GODEBUG=traceallocfree=1``: the AllocFree experiment's events and batches).
``go_parsed(path)`` is ``go tool trace -d=parsed`` of a file (TZ=UTC, for the Sync's wall time).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from edges_trace import make_edges_trace  # noqa: E402
from goenv import REPO, build, go_env  # noqa: E402
from trace_http_oracle import ServerPool  # noqa: E402

TRACEGEN = REPO / "examples" / "tracegen"
BUNDLED = REPO / "gopherlab" / "data" / "runtime" / "trace" / "tracegen.trace"


@pytest.fixture(scope="session")
def traces(tmp_path_factory, go) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("traces")
    binary = build(TRACEGEN, work / "tracegen")
    env = go_env()
    out = {}
    runs = {
        "start": ([str(binary), "-duration", "60ms"], {}),
        "generations": ([str(binary), "-duration", "100ms"], {"GODEBUG": "traceadvanceperiod=20000000"}),
        "flight": ([str(binary), "-duration", "100ms", "-mode", "flight", "-flight-bytes", "65536"],
                   {"GODEBUG": "traceadvanceperiod=10000000"}),
    }
    runs["allocfree"] = ([str(binary), "-duration", "20ms"], {"GODEBUG": "traceallocfree=1"})
    for name, (cmd, extra) in runs.items():
        out[name] = work / f"{name}.trace"
        subprocess.run(cmd + ["-o", str(out[name])], env={**env, **extra}, check=True, capture_output=True)
    out["gotest"] = work / "gotest.trace"
    subprocess.run([go, "test", "-count=1", "-run", "TestWorkload", "-trace", str(out["gotest"]), "."], cwd=TRACEGEN,
                   env=env, check=True, capture_output=True)
    return out


@pytest.fixture(scope="session")
def go_parsed(go):
    cache: dict[Path, str] = {}

    def parsed(path: Path) -> str:
        if path not in cache:
            cache[path] = subprocess.run([go, "tool", "trace", "-d=parsed", str(path)], capture_output=True, text=True,
                                         check=True, env={**os.environ, "TZ": "UTC"}).stdout
        return cache[path]
    return parsed


@pytest.fixture(scope="session")
def trace_paths(traces, tmp_path_factory) -> dict[str, Path]:
    """``traces`` plus ``bundled`` (the committed sample) and ``edges`` (examples/traceedges: the
    cases go tool trace's pages treat specially), each made once per session."""
    return {**traces, "bundled": BUNDLED, "edges": make_edges_trace(tmp_path_factory.mktemp("edges"))}


@pytest.fixture(scope="module")
def go_trace_servers(go, tmp_path_factory):
    """``go tool trace -http`` servers, one per trace file, started on first use (trace_http_oracle)."""
    pool = ServerPool(go, tmp_path_factory.mktemp("go-tool-trace"))
    yield pool
    pool.close()
