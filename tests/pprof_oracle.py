"""Run the real ``go tool pprof`` and parse what it prints (the differential-test oracle)."""

from __future__ import annotations

import re
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


def pprof(*args: str) -> str:
    proc = subprocess.run([go_binary(), "tool", "pprof", *args], capture_output=True, text=True, env=go_env())
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
