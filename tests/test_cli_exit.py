"""The ``gopherlab`` executable's own tuning (``gopherlab.cli.run`` through
``gopherlab._process``): short commands end with ``os._exit`` after flushing, so their status
and every byte of output must still arrive; the report command's start-up tuning reaches its
own process and kernels only."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from gobench.cli import compare_main

BENCH = Path(__file__).resolve().parents[1] / "gopherlab" / "data" / "bench"


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gopherlab.cli", *args], capture_output=True, **kw)


def test_compare_status_and_output_survive_the_fast_exit():
    for threshold in ("5%", "1000%"):
        argv = [str(BENCH / "old.txt"), str(BENCH / "new.txt"), "--fail-on-regression", threshold]
        out, err = io.StringIO(), io.StringIO()
        want_rc = compare_main(argv, out, err)
        got = _cli("compare", *argv, text=True)
        assert (got.returncode, got.stdout, got.stderr) == (want_rc, out.getvalue(), err.getvalue())
    assert {compare_main([str(BENCH / "old.txt"), str(BENCH / "new.txt"), "--fail-on-regression", t],
                         io.StringIO(), io.StringIO()) for t in ("5%", "1000%")} == {0, 1}  # both statuses seen


def test_usage_error_status_survives():
    got = _cli("benchstat", "-nosuchflag", text=True)
    assert got.returncode == 2 and "flag provided but not defined: -nosuchflag" in got.stderr


def test_large_output_into_a_closed_pipe_exits_quietly(tmp_path):
    lines = "".join(f"BenchmarkX{i} 1 {i + 1} ns/op\n" for i in range(20000))
    (tmp_path / "a.txt").write_text(lines)
    proc = subprocess.Popen([sys.executable, "-m", "gopherlab.cli", "benchstat", str(tmp_path / "a.txt")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()  # the reader goes away, as with `| head`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in err


def test_benchstat_restores_the_collector_state():
    import gc

    from gobench.cli import benchstat_main

    was = gc.isenabled()
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            out, err = io.StringIO(), io.StringIO()
            assert benchstat_main([str(BENCH / "old.txt"), str(BENCH / "new.txt")], out, err) == 0
            assert gc.isenabled() is enabled and "new.txt" in out.getvalue()
    finally:
        (gc.enable if was else gc.disable)()


PROFILES = Path(__file__).resolve().parents[1] / "gopherlab" / "data" / "profiles"


def _top_in_process(argv: list[str]) -> tuple[int, str, str]:
    import contextlib

    from pprof_parse.cli import top_main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = top_main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_top_status_and_output_survive_the_fast_exit(tmp_path):
    """``gopherlab top`` through the executable's ``os._exit`` path prints every byte that
    ``top_main`` prints in-process (same environment, so the same ``Time:`` zone), and keeps
    the status: 0, or 2 with one line on stderr for a missing file, bad bytes or a bad flag."""
    (tmp_path / "bad.pb.gz").write_bytes(b"\x1f\x8b\x08\x00 not a gzip stream")
    cases = [
        [str(PROFILES / "cpu.pb.gz")],
        ["-sample_index=alloc_objects", "-cum", "-lines", str(PROFILES / "allocs.pb.gz")],
        ["-csv", str(PROFILES / "heap.pb.gz")],
        [str(tmp_path / "missing.pb.gz")],
        [str(tmp_path / "bad.pb.gz")],
        ["-nodecount=many", str(PROFILES / "cpu.pb.gz")],
    ]
    statuses = set()
    for argv in cases:
        want = _top_in_process(argv)
        got = _cli("top", *argv, text=True)
        assert (got.returncode, got.stdout, got.stderr) == want, argv
        statuses.add(want[0])
        if want[0] == 2:
            assert want[1] == "" and want[2].startswith("gopherlab top: ") and want[2].count("\n") == 1, want
    assert statuses == {0, 2}


def test_top_into_a_closed_pipe_exits_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "gopherlab.cli", "top", "-nodefraction=0", "-addresses",
                             str(PROFILES / "allocs.pb.gz")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()  # the reader goes away, as with `| head`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in err


_KERNEL_PROBE = ("import json, sys\n"
                 "from gopherlab._process import tune_report_kernel\n"
                 "tune_report_kernel()\n"
                 "print(json.dumps(['rfc3987_syntax' in sys.modules, sys.modules.get('rfc3987_syntax', 0) is None]))")


def test_report_start_up_tuning_stays_in_the_commands_processes():
    """The report notebooks' set-up keeps jsonschema from building its IRI grammar only in
    a kernel of ``gopherlab report`` (marked in the command's environment by
    ``_process.before``), never in a user's kernel or script."""
    import json
    import os

    from gopherlab import _process

    env = {k: v for k, v in os.environ.items() if k != _process.REPORT_KERNEL_MARK}
    user = subprocess.run([sys.executable, "-c", _KERNEL_PROBE], capture_output=True, text=True, env=env, check=True)
    assert json.loads(user.stdout) == [False, False]
    marked = subprocess.run([sys.executable, "-c", "from gopherlab import _process\n_process.before('report')\n"
                             "import os, subprocess, sys\n"
                             f"sys.exit(subprocess.run([sys.executable, '-c', {_KERNEL_PROBE!r}]).returncode)"],
                            capture_output=True, text=True, env=env, check=True)
    assert json.loads(marked.stdout) == [True, True]


# Each command's module is a LazyModule stand-in in gopherlab.cli.COMMANDS: the command line
# imports its own library only (tests/test_body_imports.py allows that one table by name).
_LOADED = r"""
import contextlib, io, json, sys
import gopherlab.cli
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    status = gopherlab.cli.main(sys.argv[1:])
print(json.dumps([status, sorted({m.split(".")[0] for m in sys.modules})]))
"""


def _loaded_by(*argv: str) -> tuple[int, set[str]]:
    out = subprocess.run([sys.executable, "-c", _LOADED, *argv], capture_output=True, text=True,
                         check=True, timeout=300)
    status, loaded = json.loads(out.stdout)
    return status, set(loaded)


def test_a_command_imports_only_its_own_library():
    """``benchstat`` loads no pprof_parse and no heavy optional module (pandas, plotly...),
    ``top`` no gobench, and a usage error of ``report`` none of the notebook machinery."""
    heavy = {"pandas", "plotly", "scipy", "IPython", "ipywidgets", "nbformat", "nbconvert", "papermill", "jinja2"}
    status, loaded = _loaded_by("benchstat", str(BENCH / "old.txt"), str(BENCH / "new.txt"))
    assert status == 0 and "gobench" in loaded and "pprof_parse" not in loaded and not loaded & heavy
    status, loaded = _loaded_by("top", str(BENCH.parent / "profiles" / "heap.pb.gz"))
    assert status == 0 and "pprof_parse" in loaded and "gobench" not in loaded
    status, loaded = _loaded_by("report", "gc", "--timeout", "x")  # argparse refuses it: no kernel starts
    assert status == 2 and "gopherlab" in loaded and not loaded & heavy
