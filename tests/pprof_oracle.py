"""Run the real ``go tool pprof`` and parse what it prints (the differential-test oracle)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from dataclasses import dataclass

from goenv import go_binary, go_env

ROW = re.compile(
    r"^\s*(?P<flat>-?[0-9.]+)(?:[a-zA-Z]*)\s+(?P<flat_pct>\S+)%\s+(?P<sum_pct>\S+)%\s+"
    r"(?P<cum>-?[0-9.]+)(?:[a-zA-Z]*)\s+(?P<cum_pct>\S+)%  (?P<name>.*?)(?: \((?P<inline>inline|partial-inline)\))?$"
)
TOTAL = re.compile(r"of (-?[0-9.]+)[a-zA-Z]* total")


@dataclass
class PprofTop:
    rows: list[dict]
    total: int
    text: str


_RUNS: dict[tuple, subprocess.CompletedProcess] = {}


def _file_stamp(arg: str):
    try:
        st = os.stat(arg)
    except (OSError, ValueError):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def run_pprof(args, env: dict | None = None) -> subprocess.CompletedProcess:
    """``go tool pprof ARGS``, run once per distinct command line, environment and input files.

    pprof's output depends only on these, not on which of our engines a test runs
    under (``GOPHERLAB_ENGINE``), so a test run under both engines asks pprof once.
    Files are keyed by size, mtime and inode: a rewritten input runs pprof again.
    """
    args = tuple(str(a) for a in args)
    key = (args, tuple(_file_stamp(a) for a in args), tuple(sorted(env.items())) if env else None)
    if key not in _RUNS:
        _RUNS[key] = subprocess.run([go_binary(), "tool", "pprof", *args], capture_output=True, text=True,
                                    env=env or go_env(), timeout=300)
    return _RUNS[key]


def pprof(*args: str) -> str:
    proc = run_pprof(args)
    if proc.returncode != 0:
        raise RuntimeError(f"go tool pprof {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


def unit_flag(unit: str) -> str:
    """``-unit`` that makes pprof print exact integers for this sample unit."""
    return {"bytes": "-unit=B", "nanoseconds": "-unit=ns"}.get(unit, "-unit=ns")


def pprof_top(path, *flags: str, unit: str = "count") -> PprofTop:
    """``go tool pprof -top -nodefraction=0 -edgefraction=0`` parsed into rows of exact integers."""
    text = pprof("-top", "-nodefraction=0", "-edgefraction=0", unit_flag(unit), *flags, str(path))
    rows, in_table, total = [], False, None
    for line in text.splitlines():
        if line.startswith("Showing nodes accounting for"):
            m = TOTAL.search(line)
            total = int(m.group(1)) if m else None
        if line.strip().startswith("flat  flat%"):
            in_table = True
            continue
        if in_table and line.strip():
            m = ROW.match(line)
            if not m:
                raise AssertionError(f"unparsed pprof line: {line!r}")
            d = m.groupdict()
            rows.append({
                "name": d["name"], "flat": int(d["flat"]), "cum": int(d["cum"]),
                "flat_pct": d["flat_pct"].strip() + "%", "sum_pct": d["sum_pct"].strip() + "%",
                "cum_pct": d["cum_pct"].strip() + "%", "inline": d["inline"] or "",
            })
    return PprofTop(rows, total if total is not None else 0, text)
