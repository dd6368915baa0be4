"""The libraries leave their importer's process as they found it.

A user's Jupyter kernel is not ours: importing and using ``pprof_parse``,
``gobench`` and ``gopherlab`` must start no thread or child process that
outlives the call, leave the garbage collector's enabled state, thresholds and
freeze count as they were, set no environment variable, and put nothing into
``sys.modules`` but real modules (no ``None`` entries that block an import).
That holds for the command-line entry points called in-process too
(``gobench.cli.benchstat_main``, ``compare_main``, ``gopherlab.cli.main``):
only the ``gopherlab`` executable's own process is tuned
(:mod:`gopherlab._process`). Checked in a fresh interpreter, since this test
process has long since imported them.
"""

from __future__ import annotations

import json
import subprocess
import sys

from gopherlab_common.lazy import LazyModule

SCRIPT = r"""
import contextlib, gc, json, os, sys, threading, types
gc.set_threshold(701, 11, 12)          # a user's own settings, to be kept
def state():
    return {"threads": sorted(t.name for t in threading.enumerate()), "gc": gc.isenabled(),
            "threshold": list(gc.get_threshold()), "frozen": gc.get_freeze_count(),
            "env": dict(os.environ)}
before = state()
mods_before = {k for k, v in sys.modules.items() if v is None}
import pprof_parse, gobench, gopherlab
after_import = state()
data = sys.argv[1]
p = pprof_parse.read_profile(data + "/profiles/heap.pb.gz")
p.top()
pprof_parse.read_goroutines(data + "/profiles/goroutine.debug2.txt")
gobench.benchstat({"old": data + "/bench/old.txt", "new": data + "/bench/new.txt"})
gobench.read_bench(data + "/bench/old.txt")
after_use = state()
odd = sorted(k for k, v in sys.modules.items()
             if (v is None and k not in mods_before) or (v is not None and not isinstance(v, types.ModuleType) and not k.startswith("typing.")))
print(json.dumps({"before": before, "after_import": after_import, "after_use": after_use, "odd_modules": odd}))
"""

# The command-line entry points in-process, first thing (before numpy is imported), on files
# big enough for every fast path; os.fork is counted, since a reaped child leaves no trace.
CLI_SCRIPT = r"""
import contextlib, gc, io, json, os, sys, threading, types
gc.set_threshold(701, 11, 12)
forks = []
os.register_at_fork(before=lambda: forks.append(1))
def state():
    return {"threads": sorted(t.name for t in threading.enumerate()), "gc": gc.isenabled(),
            "threshold": list(gc.get_threshold()), "frozen": gc.get_freeze_count(),
            "env": dict(os.environ), "forks": len(forks)}
big = []
for k, shift in (("old", 1.0), ("new", 1.1)):
    path = os.path.join(sys.argv[1], k + ".txt")
    with open(path, "w") as f:
        f.write("goos: linux\npkg: x\n")
        for r in range(300):
            for b in range(100):
                f.write(f"BenchmarkF/n={b}-2\t{1000 + r}\t{(b + 1) * shift * (1 + r % 7 / 100):.1f} ns/op\t{b % 3} allocs/op\n")
    big.append(path)
assert os.path.getsize(big[0]) > 1 << 20
before = state()
mods_before = {k for k, v in sys.modules.items() if v is None}
import gobench.cli, gopherlab.cli, gopherlab._process
out, err = io.StringIO(), io.StringIO()
statuses = [gobench.cli.benchstat_main(big, out, err),
            gobench.cli.compare_main([*big, "--fail-on-regression", "5%"], io.StringIO(), io.StringIO()),
            gobench.cli.compare_main([*big, "--fail-on-regression", "50%"], io.StringIO(), io.StringIO())]
with contextlib.redirect_stdout(io.StringIO()) as cli_out:
    statuses.append(gopherlab.cli.main(["benchstat", *big]))
gopherlab._process.tune_report_kernel()   # a user's kernel is not the report command's
try:
    os.waitpid(-1, os.WNOHANG)
    children = True
except ChildProcessError:
    children = False
odd = sorted(k for k, v in sys.modules.items()
             if (v is None and k not in mods_before) or (v is not None and not isinstance(v, types.ModuleType) and not k.startswith("typing.")))
print(json.dumps({"before": before, "after": state(), "statuses": statuses, "same_output": cli_out.getvalue() == out.getvalue(),
                  "table": "allocs/op" in out.getvalue(), "children": children, "odd_modules": odd}))
"""


def _run(script, arg, pre=""):
    out = subprocess.run([sys.executable, "-c", pre + script, str(arg)],
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout)


def test_import_and_use_leave_the_process_as_found(sample_profiles):
    sample_data = sample_profiles.parent
    for pre in ("", "import gc; gc.disable()\n"):
        got = _run(SCRIPT, sample_data, pre)
        assert got["after_import"] == got["before"]
        assert got["after_use"] == got["before"]
        assert got["odd_modules"] == []


def test_command_entry_points_in_process_leave_the_process_as_found(tmp_path):
    """``benchstat_main``, ``compare_main`` and ``gopherlab.cli.main`` called in-process
    (before anything imported numpy): no environment variable (``OPENBLAS_NUM_THREADS``),
    no fork, no GC pause left behind, no thread, no ``None`` in ``sys.modules``."""
    for pre in ("", "import gc; gc.disable()\n"):
        got = _run(CLI_SCRIPT, tmp_path, pre)
        assert got["statuses"] == [0, 1, 0, 0] and got["table"] and got["same_output"]
        assert got["after"] == got["before"]
        assert got["children"] is False
        assert got["odd_modules"] == []


def test_stand_in_forwards_attributes():
    pd = LazyModule("pandas")
    import pandas

    assert pd.DataFrame is pandas.DataFrame and "pandas" in repr(pd)
