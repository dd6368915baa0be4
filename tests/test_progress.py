"""The libraries' progress bars leave no thread running (tqdm's monitor is off for them only)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent("""
    import glob, tempfile, threading, time
    import tqdm
    from gopherlab_common.progress import progress_bar
    from pprof_parse import ProfileStore

    before = {t.name for t in threading.enumerate()}
    for _ in progress_bar(range(3), desc="x"):
        time.sleep(0.01)
    with ProfileStore(tempfile.mkdtemp()) as store:
        store.add(sorted(glob.glob("gopherlab/data/profiles/windows/*.pb.gz"))[:3], progress=True)
    time.sleep(0.2)
    extra = {t.name for t in threading.enumerate()} - before
    monitors = [t for t in threading.enumerate() if type(t).__name__ == "TMonitor"]
    assert not monitors, monitors
    assert tqdm.tqdm.monitor_interval == 10  # tqdm's own setting is left alone
    print(sorted(extra))
""")


def test_progress_bars_start_no_monitor_thread():
    r = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
