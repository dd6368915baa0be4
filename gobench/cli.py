"""Command-line entry points: ``gopherlab benchstat`` and ``gopherlab compare``.

``benchstat_main`` accepts benchstat v2's flags and prints the same bytes on
stdout and stderr.  One deliberate difference: the exit status is 1 when
benchstat would print ``benchstat: <error>`` (benchstat exits 0), and 2 on usage
errors (as benchstat).
"""
from __future__ import annotations

import sys

from .compare import run_benchstat
from .errors import BenchstatError, UsageError
from .gate import gate_main

__all__ = ["benchstat_main", "compare_main", "parse_go_flags"]

_BENCHSTAT_USAGE = """Usage: benchstat [flags] inputs...

benchstat computes statistical summaries and A/B comparisons of Go
benchmarks. It shows benchmark medians in a table with a row for each
benchmark and a column for each input file. If there is more than one
input file, it also shows A/B comparisons between the files. If a
difference is likely to be noise, it shows "~".

For details, see https://pkg.go.dev/golang.org/x/perf/cmd/benchstat.
  -alpha α
    \tconsider change significant if p < α (default 0.05)
  -col projection
    \tsplit results into columns by distinct values of projection (default ".file")
  -confidence level
    \tconfidence level for ranges (default 0.95)
  -filter query
    \tuse only benchmarks matching benchfilter query (default "*")
  -format format
    \tprint results in format:
    \t  text - plain text
    \t  csv  - comma-separated values (warnings will be written to stderr)
    \t (default "text")
  -ignore keys
    \tignore variations in keys
  -row projection
    \tsplit results into rows by distinct values of projection (default ".fullname")
  -table projection
    \tsplit results into tables by distinct values of projection (default ".config")
"""


def parse_go_flags(argv: list[str], spec: dict[str, str], bools: frozenset = frozenset()):
    """Parse *argv* like Go's ``flag`` package: ``-name value``, ``-name=value``,
    ``--name``; parsing stops at the first non-flag argument or ``--``.

    Returns ``(values, rest)``; raises :class:`UsageError` on unknown flags.
    """
    values = dict(spec)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if len(a) < 2 or a[0] != "-":
            break
        name = a[2:] if a.startswith("--") else a[1:]
        if not name or name[0] in "-=":
            raise UsageError(f"bad flag syntax: {a}")
        val = None
        if "=" in name:
            name, val = name.split("=", 1)
        if name in ("h", "help"):
            raise UsageError("help requested")
        if name not in spec:
            raise UsageError(f"flag provided but not defined: -{name}")
        if name in bools:
            values[name] = "true" if val is None else val
            i += 1
            continue
        if val is None:
            if i + 1 >= len(argv):
                raise UsageError(f"flag needs an argument: -{name}")
            val = argv[i + 1]
            i += 1
        values[name] = val
        i += 1
    return values, argv[i:]


def _parse_float_flag(name: str, s: str) -> float:
    try:
        if "_" in s:
            raise ValueError
        return float(s)
    except ValueError:
        raise UsageError(f'invalid value "{s}" for flag -{name}: parse error') from None


def benchstat_main(argv: list[str], stdout=None, stderr=None) -> int:
    """``gopherlab benchstat [flags] [label=]file...``: benchstat v2, byte for byte.

    Returns the exit status (0 on success, 1 when benchstat reports an error, 2 on
    usage errors).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    spec = {"table": ".config", "row": ".fullname", "col": ".file", "ignore": "",
            "filter": "*", "alpha": "0.05", "confidence": "0.95", "format": "text"}
    try:
        flags, args = parse_go_flags(argv, spec)
        alpha = _parse_float_flag("alpha", flags["alpha"])
        confidence = _parse_float_flag("confidence", flags["confidence"])
    except UsageError as e:
        if str(e) != "help requested":
            print(e, file=stderr)
        stderr.write(_BENCHSTAT_USAGE)
        return 0 if str(e) == "help requested" else 2
    if not args:
        stderr.write(_BENCHSTAT_USAGE)
        return 2

    try:
        out, err = run_benchstat(args, table=flags["table"], row=flags["row"], col=flags["col"],
                                 ignore=flags["ignore"], filter=flags["filter"], alpha=alpha,
                                 confidence=confidence, format=flags["format"], stderr=stderr)
    except BenchstatError as e:
        stderr.write(f"benchstat: {e}\n")
        return 1
    stdout.write(out)
    stderr.write(err)
    return 0


def compare_main(argv: list[str], stdout=None, stderr=None) -> int:
    """``gopherlab compare OLD NEW --fail-on-regression 5% [--format markdown|json]``.

    See :func:`gobench.gate.gate_main` (exit 1 on a significant regression
    beyond the threshold, 0 otherwise, 2 on unreadable input or bad usage).
    """
    return gate_main(argv, stdout or sys.stdout, stderr or sys.stderr)
