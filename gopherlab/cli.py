"""The ``gopherlab`` command: one sub-command per job, dispatched to its module.

Each sub-command is a function of its own module taking ``argv`` (a list of
strings) and returning the process exit status, so it can be tested in-process.

The sub-command modules are :class:`~gopherlab_common.lazy.LazyModule` stand-ins:
the command line names one, and only that one is imported (``gopherlab benchstat``
never loads :mod:`pprof_parse`, ``gopherlab top`` never loads :mod:`gobench`). This
table is the one place a project module is imported lazily; every other lazy
import is an optional heavy dependency (``tests/test_body_imports.py``).
"""
from __future__ import annotations

import os
import sys

from gopherlab_common.lazy import LazyModule

from . import _process

_gobench_cli = LazyModule("gobench.cli")

#: sub-command -> (module, function, one-line help)
COMMANDS: dict[str, tuple[LazyModule, str, str]] = {
    "report": (LazyModule("gopherlab.report"), "main", "run a workbench notebook and export it to HTML"),
    "benchstat": (_gobench_cli, "benchstat_main", "benchstat v2, byte for byte"),
    "compare": (_gobench_cli, "compare_main", "CI gate: fail when a benchmark regresses"),
    "top": (LazyModule("pprof_parse.cli"), "top_main", "print go tool pprof -top for a profile"),
    "notebooks": (LazyModule("gopherlab.notebooks_cmd"), "main",
                  "copy the notebooks and sample data to DIR (then: jupyter lab DIR)"),
}


def _usage() -> str:
    lines = ["usage: gopherlab <command> [args...]", "", "commands:"]
    for name, (_, _, text) in COMMANDS.items():
        lines.append(f"  {name:<10} {text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run ``gopherlab <command> ...`` and return its exit status (2 on usage errors).

    Changes nothing of the calling process beyond what the command prints: the
    executable's own tuning is :func:`run`'s.
    """
    return _dispatch(sys.argv[1:] if argv is None else argv)


def _dispatch(args: list[str]) -> int:
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"gopherlab: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module, func, _ = COMMANDS[name]
    return int(getattr(module, func)(rest) or 0)


def run() -> None:
    """The ``gopherlab`` executable: :func:`main` in a process tuned for its command
    (:mod:`gopherlab._process`), then exit with its status.

    Output into a pipe closed early (``gopherlab top x | head``) ends the command
    quietly with status 0, as a Go command does.
    """
    argv = sys.argv[1:]
    command = argv[0] if argv else ""
    _process.before(command)
    try:
        status = main(argv)
    except BrokenPipeError:
        # the reader went away: send what is still buffered nowhere, so the exit's flush is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 0
    _process.exit(command, status)


if __name__ == "__main__":  # pragma: no cover
    run()
