"""Fuzz every reader on purpose for N minutes (the long run of issue 13, section 1).

    nice -n 10 .venv/bin/python benchmarks/fuzz_readers.py --minutes 10
    nice -n 10 .venv/bin/python benchmarks/fuzz_readers.py --minutes 3 --reader gctrace --reader goroutines
    .venv/bin/python benchmarks/fuzz_readers.py --list

What it does: for each reader of ``tests/fuzz/harness.py`` (``read_profile`` on protobuf
and on debug=1 text, the runtime text readers, ``read_bench``, ``benchstat``,
``read_benchstat``, and ``gopherlab top|benchstat|compare`` in-process), first the fixed
sweep of issue 13's byte patterns over every seed, then random mutations of the real
seed inputs (plain random mutation with ``random.Random(--seed)``; not coverage-guided),
the readers taking turns until the time is up.  Every input runs in the harness' bounded
worker process: ``--mem-mb`` (default 1024) of address space above the worker's imports,
``--cpu-seconds`` (default 5) of CPU per call, and a wall-clock watchdog.

Allowed: success or a ``PprofParseError`` / ``GobenchError`` (CLI: an exit status with
one line saying what failed, no traceback).  Anything else, or hitting a bound, is an
escape: the first input of each distinct escape (reader, call, outcome, exception type,
library file:line) is shrunk (chunk deletion, ``--shrink-seconds`` per escape) and saved
under ``--out`` (default ``fuzz-findings/``) as ``READER/SIG.bin`` (shrunk input),
``SIG.orig.bin`` and ``SIG.txt`` (what escaped, where, the traceback).  Copy a shrunk
input to ``tests/fuzz/regressions/READER--what.bin`` to make it a test.

Prints one line per reader (executions, executions/s, typed errors, escapes) and the
escapes; writes ``summary.json`` in ``--out``.  Exits 1 if anything escaped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fuzz.harness import (  # noqa: E402
    FUZZED, READERS, Chooser, Worker, describe, is_bad, mutate, signature, sweep,
)


def shrink(worker: Worker, reader: str, data: bytes, sig: tuple, budget_s: float, max_runs: int = 600) -> bytes:
    """Delete chunks (lines first, then halving byte chunks) while the same escape still happens."""
    t_end = time.monotonic() + budget_s
    runs = 0

    def same(d: bytes) -> bool:
        nonlocal runs
        runs += 1
        res = worker.run(reader, d)
        return is_bad(res) and signature(reader, res) == sig

    def out_of_budget() -> bool:
        return runs >= max_runs or time.monotonic() > t_end

    def reduce(units: list[bytes]) -> list[bytes]:
        # delete runs of units, from half the input down to one unit (ddmin without complements)
        k = max(1, len(units) // 2)
        while not out_of_budget():
            i, progressed = 0, False
            while i < len(units) and len(units) > 1 and not out_of_budget():
                cand = units[:i] + units[i + k:]
                if cand and same(b"".join(cand)):
                    units, progressed = cand, True
                else:
                    i += k
            if not progressed:
                if k == 1:
                    break
                k = max(1, k // 2)
        return units

    cur = b"".join(reduce(data.splitlines(keepends=True)))  # whole lines first
    cur = b"".join(reduce([cur[i:i + 1] for i in range(len(cur))])) if len(cur) <= 20000 else cur
    return cur


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0, help="total time, shared by the readers (default 5)")
    ap.add_argument("--reader", action="append", choices=FUZZED, help="fuzz only this reader (repeatable)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--out", type=Path, default=Path("fuzz-findings"), help="where escapes are saved")
    ap.add_argument("--cpu-seconds", type=float, default=5.0, help="CPU bound per call (default 5)")
    ap.add_argument("--mem-mb", type=int, default=1024, help="address-space bound above the imports (default 1024)")
    ap.add_argument("--shrink-seconds", type=float, default=60.0, help="time to shrink each new escape (default 60)")
    ap.add_argument("--no-sweep", action="store_true", help="skip the fixed byte-pattern sweep")
    ap.add_argument("--list", action="store_true", help="list the readers and their seeds, then exit")
    args = ap.parse_args(argv)

    names = args.reader or FUZZED
    if args.list:
        for n in names:
            r = READERS[n]
            print(f"{n:18} {r.doc}")
            for label, data, kind in r.seeds():
                print(f"{'':18}   {kind:5} {len(data):7} B  {label}")
        return 0

    rng = random.Random(args.seed)
    ch = Chooser(rng)
    worker = Worker(mem_mb=args.mem_mb, cpu_s=args.cpu_seconds)
    deadline = time.monotonic() + args.minutes * 60
    stats = {n: {"execs": 0, "typed": 0, "ok": 0, "bad": 0, "cpu": 0.0, "max_cpu": 0.0, "wall": 0.0} for n in names}
    escapes: dict[tuple, dict] = {}
    args.out.mkdir(parents=True, exist_ok=True)

    def record(name: str, data: bytes, res: dict, origin: str) -> None:
        st = stats[name]
        st["execs"] += 1
        st["wall"] += res.get("wall", 0.0)
        cpu = res.get("cpu") or 0.0
        st["cpu"] += cpu
        st["max_cpu"] = max(st["max_cpu"], cpu)
        if not is_bad(res):
            st[res["outcome"]] += 1
            return
        st["bad"] += 1
        sig = signature(name, res)
        if sig in escapes:
            escapes[sig]["count"] += 1
            return
        h = hashlib.sha1(repr(sig).encode()).hexdigest()[:10]
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{h}.orig.bin").write_bytes(data)
        print(f"\n!! new escape {h} ({origin}):\n{describe(name, data, res, limit=300)}", flush=True)
        small = shrink(worker, name, data, sig, args.shrink_seconds) if args.shrink_seconds > 0 else data
        (folder / f"{h}.bin").write_bytes(small)
        final = worker.run(name, small)
        (folder / f"{h}.txt").write_text(describe(name, small, final if is_bad(final) else res, limit=4000))
        escapes[sig] = {"id": h, "reader": name, "call": res.get("call"), "outcome": res["outcome"],
                        "exc": res.get("exc"), "where": res.get("where"), "msg": res.get("msg"),
                        "count": 1, "shrunk": repr(small[:300]), "shrunk_len": len(small),
                        "file": str(folder / f"{h}.bin")}
        print(f"   shrunk to {len(small)} bytes: {small[:200]!r}", flush=True)

    try:
        if not args.no_sweep:
            for name in names:
                for label, seed, kind in READERS[name].seeds():
                    for what, buf in sweep(seed, kind):
                        if time.monotonic() > deadline:
                            break
                        record(name, buf, worker.run(name, buf), f"sweep {label} + {what}")
        while time.monotonic() < deadline:
            for name in names:
                seeds = READERS[name].seeds()
                if not seeds:
                    continue
                for _ in range(10):
                    label, seed, kind = ch.choice(seeds)
                    buf = mutate(seed, kind, ch)
                    record(name, buf, worker.run(name, buf), f"mutation of {label}")
                if time.monotonic() > deadline:
                    break
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        worker.close()

    print(f"\n{'reader':18} {'execs':>7} {'exec/s':>7} {'typed':>6} {'ok':>6} {'bad':>5} {'max cpu s':>9}")
    for n, st in stats.items():
        rate = st["execs"] / st["wall"] if st["wall"] else 0.0
        print(f"{n:18} {st['execs']:7} {rate:7.1f} {st['typed']:6} {st['ok']:6} {st['bad']:5} {st['max_cpu']:9.2f}")
    print(f"\n{len(escapes)} distinct escape(s)")
    for e in escapes.values():
        print(f"  {e['id']} [{e['reader']}] {e['call']}: {e['outcome']} {e['exc']} at {e['where']} "
              f"(x{e['count']}): {e['msg'][:100] if e['msg'] else ''}\n      shrunk ({e['shrunk_len']} B): "
              f"{e['shrunk'][:160]}")
    (args.out / "summary.json").write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                       "stats": stats, "escapes": list(escapes.values())},
                                                      indent=1))
    return 1 if escapes else 0


if __name__ == "__main__":
    sys.exit(main())
