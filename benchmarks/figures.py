#!/usr/bin/env python3
"""The performance figures: one Markdown table, each row with its date and machine.

    python benchmarks/figures.py                      # print the table (the README's "Performance" table)
    python benchmarks/figures.py --run goroutines     # run bench_goroutines.py now, record a row, print

The figures live in ``benchmarks/figures.json``: one record per measurement, each saying which script
and options made it, what it measured (ours and the reference tool's), the target, when (UTC) and on
which machine (``nproc``, CPU model, load average when known). The README's table is this script's
output, pasted; ``tests/test_readme_examples.py`` checks that the two agree.

``--run goroutines`` runs ``bench_goroutines.py`` (it builds and runs ``examples/leakserver``, so it
needs the Go toolchain of the dev install) and records the result with this machine's ``nproc``,
``/proc/cpuinfo`` model name and load average. The other scripts need inputs or tools that are not
part of a checkout (``bigprof.py``'s large profiles, a real benchstat binary): run them as their
docstrings say and add their figures to ``figures.json`` by hand, with the date and machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures.json"

COLUMNS = ("measurement", "gopherlab", "reference", "ours / reference", "target", "date (UTC)", "machine",
           "script", "notes")


def machine() -> dict:
    """This machine as a figure records it: ``nproc``, the CPU model from ``/proc/cpuinfo``, load average."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "load": [round(x, 1) for x in os.getloadavg()]}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _machine_cell(m: dict) -> str:
    s = f"{m['nproc']} vCPU {m['cpu']}"
    if m.get("load") is not None:
        s += f", load {m['load'][0]}"
    elif m.get("load_note"):
        s += f", {m['load_note']}"
    return s


def table(records: list[dict]) -> str:
    """The Markdown table of ``records`` (``figures.json``'s ``rows``), in their order."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in records:
        cells = [r["measurement"], r["ours"], r.get("reference") or "—", r.get("ratio") or "—", r["target"],
                 r["date"], _machine_cell(r["machine"]), f"`{r['script']}`", r.get("notes") or ""]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def load() -> dict:
    return json.loads(FIGURES.read_text(encoding="utf-8"))


def run_goroutines(repeat: int) -> dict:
    """Run ``bench_goroutines.py --repeat N`` and turn its JSON line into a record."""
    start = machine()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    proc = subprocess.run([sys.executable, str(HERE / "bench_goroutines.py"), "--repeat", str(repeat)],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode not in (0, 1):  # 1 = over budget, still a figure
        raise SystemExit(f"bench_goroutines.py failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    start["load"] = [max(a, b) for a, b in zip(start["load"], machine()["load"])]  # the higher of before/after
    met = min(res["best_s"], res["best_cpu_s"]) <= res["budget_s"]  # the script's own budget check
    return {
        "measurement": f"`read_goroutines` of a {res['goroutines']:,}-goroutine `debug=2` dump "
                       f"({res['bytes'] / 1e6:.1f} MB, made by examples/leakserver)",
        "ours": f"{res['best_cpu_s']:.2f} s CPU (best), {res['best_s']:.2f} s wall best, {res['median_s']:.2f} s median",
        "reference": None, "ratio": None,
        "target": f"≤ {res['budget_s']:g} s CPU {'✓' if met else '✗'} (wall: see load)",
        "date": when, "machine": start,
        "script": f"bench_goroutines.py --repeat {repeat}",
        "notes": "recorded by figures.py --run goroutines; load = the higher 1-min load average of before/after "
                 "(other jobs running: wall time mostly measures them)",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", choices=["goroutines"], help="run this benchmark now and record a row")
    ap.add_argument("--repeat", type=int, default=3)
    ns = ap.parse_args(argv)
    data = load()
    if ns.run == "goroutines":
        data["rows"].append(run_goroutines(ns.repeat))
        FIGURES.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(data["rows"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
