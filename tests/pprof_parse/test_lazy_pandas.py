"""pandas imported on a thread by ``import pprof_parse`` (see ``pprof_parse._lazy``).

The test suite imports pandas long before any test runs, so the background
path is checked in fresh interpreters: the first profile read while pandas is
still importing must give the same report as in this process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pprof_parse
from pprof_parse._lazy import LazyModule

SCRIPT = r"""
import gc, json, sys
import pprof_parse
started = "pandas" in sys.modules  # the import thread has begun (the module is registered at once)
p = pprof_parse.read_profile(sys.argv[1])
t = p.top()
import threading
[th.join() for th in threading.enumerate() if th.name == "import-pandas"]
print(json.dumps({"started": started, "type": type(t).__module__.split(".")[0],
                  "rows": t[["name", "flat", "cum"]].values.tolist(),
                  "gc_enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


def test_first_read_in_a_fresh_interpreter_matches(sample_profiles):
    path = sample_profiles / "heap.pb.gz"
    want = pprof_parse.read_profile(path).top()[["name", "flat", "cum"]].values.tolist()
    for pre in ("", "import pandas\n"):  # pandas imported by the thread, or already there
        out = subprocess.run([sys.executable, "-c", pre + SCRIPT, str(path)], capture_output=True, text=True, check=True)
        got = json.loads(out.stdout)
        assert got["started"] and got["type"] == "pandas"
        assert got["rows"] == want
        assert out.stderr == ""
        assert got["gc_enabled"]  # the collector, paused during the background import, runs again
        assert (got["frozen"] > 10_000) == (pre == "")  # pandas' objects frozen only by our import thread


def test_background_import_leaves_a_disabled_collector_disabled():
    code = ("import gc, threading; gc.disable(); import pprof_parse\n"
            "[t.join() for t in threading.enumerate() if t.name == 'import-pandas']\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_stand_in_forwards_attributes():
    pd = LazyModule("pandas")
    import pandas

    assert pd.DataFrame is pandas.DataFrame and "pandas" in repr(pd)
