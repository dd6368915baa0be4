"""The ``gopherlab`` command: one sub-command per job, dispatched to its module.

Each sub-command is ``module:function`` taking ``argv`` (a list of strings)
and returning the process exit status, so it can be tested in-process.
"""
from __future__ import annotations

import importlib
import os
import sys

#: sub-command -> (module, function, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "report": ("gopherlab.report", "main", "run a workbench notebook and export it to HTML"),
    "benchstat": ("gobench.cli", "benchstat_main", "benchstat v2, byte for byte"),
    "compare": ("gobench.cli", "compare_main", "CI gate: fail when a benchmark regresses"),
    "top": ("pprof_parse.cli", "top_main", "print go tool pprof -top for a profile"),
    "notebooks": ("gopherlab.notebooks_cmd", "main", "copy the notebooks and sample data to DIR (then: jupyter lab DIR)"),
}


#: Commands whose process ends without the interpreter's teardown once their output is
#: flushed (see :func:`run`): nothing of theirs is left to clean up.
FAST_EXIT = frozenset({"benchstat", "compare", "top"})


def _usage() -> str:
    lines = ["usage: gopherlab <command> [args...]", "", "commands:"]
    for name, (_, _, text) in COMMANDS.items():
        lines.append(f"  {name:<10} {text}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run ``gopherlab <command> ...`` and return its exit status (2 on usage errors)."""
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:  # e.g. `gopherlab top x | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(args: list[str]) -> int:
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"gopherlab: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module, func, _ = COMMANDS[name]
    return int(getattr(importlib.import_module(module), func)(rest) or 0)


def run() -> None:
    """The ``gopherlab`` executable: :func:`main`, then exit with its status.

    After ``benchstat``, ``compare`` and ``top`` (:data:`FAST_EXIT`) the
    output is flushed and the process ends with ``os._exit``: the teardown of
    numpy's and pandas' modules (0.03-0.05 s, a twentieth of a large
    ``benchstat`` run) does nothing such a command needs. Other commands
    (``report`` runs Jupyter kernels) exit normally.
    """
    argv = sys.argv[1:]
    status = main(argv)
    if argv and argv[0] in FAST_EXIT:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:  # e.g. `gopherlab top x | head`
            pass
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
