"""The libraries leave their importer's process as they found it.

A user's Jupyter kernel is not ours: importing and using ``pprof_parse``,
``gobench`` and ``gopherlab`` must start no thread that outlives the call,
leave the garbage collector's enabled state, thresholds and freeze count as
they were, set no environment variable, and put nothing into ``sys.modules``
but real modules (no ``None`` entries that block an import). Checked in a
fresh interpreter, since this test process has long since imported them.
"""

from __future__ import annotations

import json
import subprocess
import sys

from pprof_parse._lazy import LazyModule

SCRIPT = r"""
import gc, json, os, sys, threading, types
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


def _run(sample_data, pre=""):
    out = subprocess.run([sys.executable, "-c", pre + SCRIPT, str(sample_data)],
                         capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout)


def test_import_and_use_leave_the_process_as_found(sample_profiles):
    sample_data = sample_profiles.parent
    for pre in ("", "import gc; gc.disable()\n"):
        got = _run(sample_data, pre)
        assert got["after_import"] == got["before"]
        assert got["after_use"] == got["before"]
        assert got["odd_modules"] == []


def test_stand_in_forwards_attributes():
    pd = LazyModule("pandas")
    import pandas

    assert pd.DataFrame is pandas.DataFrame and "pandas" in repr(pd)
