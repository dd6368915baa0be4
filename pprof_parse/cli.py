"""``gopherlab top``: ``go tool pprof -top`` from the command line, byte for byte, or the table as CSV."""

from __future__ import annotations

import re
import sys

from .errors import PprofParseError
from .present.textreport import DEFAULT_EDGEFRACTION, DEFAULT_NODEFRACTION, select_top_nodes, text_top
from .reader import read_profile

USAGE = """\
usage: gopherlab top [flags] PROFILE

Prints what `go tool pprof -top [flags] PROFILE` prints, byte for byte: the header
(File, Build ID, Type, Time, Duration, Showing nodes ..., Dropped N nodes ...) and the
table in pprof's units, with pprof's -top defaults (-nodefraction=0.005, -edgefraction=0.001,
no -nodecount limit, -unit=minimum). Flags are pprof's, written -flag, -flag=value or
-flag value (booleans: -flag or -flag=true|false):

  -sample_index=X            sample type by name or position (default: pprof's)
  -inuse_space -inuse_objects -alloc_space -alloc_objects
  -total_delay -mean_delay -contentions    shortcuts for -sample_index (-mean_delay adds -mean)
  -cum | -flat               sort by cumulative | flat value (default -flat)
  -functions | -filefunctions | -files | -lines | -addresses
                             granularity (default -functions; also -granularity=G)
  -noinlines                 attribute inlined calls to their caller
  -mean                      average sample value over the first sample type
  -nodecount=N               show at most N nodes (default 0: no limit)
  -nodefraction=F            drop nodes with |cum| below F x total (default 0.005)
  -edgefraction=F            drop call edges below F x total (default 0.001)
  -trim=false                no node/edge trimming (nodecount, fractions 0)
  -unit=U                    print values in U (minimum, auto, ns, ms, s, B, kB, MB, ...)
  -compact_labels            omit the profile's header lines
  -csv, -format=csv          print the table as CSV instead: one row per node, exact
                             integers, every node unless -nodecount/-nodefraction/-trim
                             are given (columns of Profile.top)

Exit status 0, or 2 on an unreadable profile or a bad flag (one line on stderr)."""

_BOOL = {"cum", "flat", "noinlines", "mean", "trim", "compact_labels", "csv",
         "functions", "filefunctions", "files", "lines", "addresses",
         "inuse_space", "inuse_objects", "alloc_space", "alloc_objects", "total_delay", "mean_delay", "contentions"}
_VALUE = {"sample_index", "granularity", "nodecount", "nodefraction", "edgefraction", "unit", "format"}
_ALIASES = {"sample-index": "sample_index"}
_GRANULARITIES = ("functions", "filefunctions", "files", "lines", "addresses")
# pprof's cli.go order: the first shortcut set wins, later ones are ignored with a message
_SHORTCUTS = (("total_delay", "delay"), ("mean_delay", "delay"), ("contentions", "contentions"),
              ("inuse_space", "inuse_space"), ("inuse_objects", "inuse_objects"),
              ("alloc_space", "alloc_space"), ("alloc_objects", "alloc_objects"))
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


class TopUsageError(Exception):
    """A bad ``gopherlab top`` flag (the message is pprof's); ``"help"`` for ``-h``."""


def top_main(argv: list[str]) -> int:
    """``gopherlab top [-sample_index X] [-cum] [-lines|-files|…] [-noinlines] [-mean] [-nodecount N] [-nodefraction F] [-edgefraction F] [-unit U] [-csv|-format csv] PROFILE``.

    Prints to stdout exactly what ``go tool pprof -top [flags] PROFILE`` prints
    (header lines, pprof's units and its ``-top`` defaults: ``-nodefraction``
    0.005, ``-edgefraction`` 0.001, no ``-nodecount`` limit, ``-unit=minimum``;
    see :func:`pprof_parse.present.textreport.text_top` and :data:`USAGE`), or
    with ``-csv`` / ``-format csv`` the table as CSV (the columns of
    :meth:`pprof_parse.Profile.top`, exact integers, every node unless
    ``-nodecount``, ``-nodefraction`` or ``-trim`` is given). ``-h`` prints the
    usage. Returns the exit status: 0, or 2 on an unreadable profile or a bad
    flag (one ``gopherlab top: …`` line on stderr, no traceback).
    """
    try:
        opts, paths = parse_top_args(argv)
    except TopUsageError as e:
        if str(e) == "help":
            print(USAGE)
            return 0
        print(f"gopherlab top: {e}", file=sys.stderr)
        return 2
    csv = opts.get("csv", False) or opts.get("format", "text") == "csv"
    kw = top_options(opts, every_node=csv and "trim" not in opts)
    try:
        prof = read_profile(paths[0])
        if csv:
            table = top_table(prof, opts, every_node="trim" not in opts)
        else:
            text = text_top(prof.data, opts.get("sample_index"), unit=opts.get("unit", "minimum"),
                            compact_labels=opts.get("compact_labels", False), **kw)
    except (PprofParseError, OSError) as e:
        print(f"gopherlab top: {e}", file=sys.stderr)
        return 2
    if csv:
        table.to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write(text)
    return 0


def top_options(opts: dict, *, every_node: bool = False) -> dict:
    """:func:`~pprof_parse.present.textreport.select_top_nodes` keywords from parsed ``gopherlab top``
    flags (:func:`parse_top_args`): pprof's ``-top`` defaults (``-nodefraction`` 0.005,
    ``-edgefraction`` 0.001, no ``-nodecount``), ``-trim=false`` lifting all three;
    ``every_node`` makes the fractions' defaults 0 (the CSV table: every node unless asked)."""
    trim = opts.get("trim", True)
    default = (lambda d: 0.0) if every_node else (lambda d: d)
    return dict(
        cum=opts.get("sort") == "cum",
        granularity=opts.get("granularity", "functions"),
        noinlines=opts.get("noinlines", False),
        mean=opts.get("mean", False),
        nodecount=opts.get("nodecount", 0) if trim else 0,
        nodefraction=opts.get("nodefraction", default(DEFAULT_NODEFRACTION)) if trim else 0.0,
        edgefraction=opts.get("edgefraction", default(DEFAULT_EDGEFRACTION)) if trim else 0.0,
    )


def top_table(prof, opts: dict, *, every_node: bool = False):
    """The ``-top`` table of a :class:`~pprof_parse.Profile` for parsed ``gopherlab top`` flags
    (:func:`parse_top_args`): :func:`~pprof_parse.present.textreport.select_top_nodes` with
    :func:`top_options`, in the flags' sample type (``-sample_index``). A DataFrame with
    select_top_nodes' columns (``flat``, ``flat%``, ``sum%``, ``cum``, ``cum%``, ``name``; exact
    integers in the sample type's unit). Raises select_top_nodes' errors (a bad sample index)."""
    return select_top_nodes(prof.data, opts.get("sample_index"), **top_options(opts, every_node=every_node)).table


def parse_top_args(argv: list[str]) -> tuple[dict, list[str]]:
    """Go ``flag``-style options (``-f``, ``--f``, ``-f=v``, ``-f v``; booleans take no separate
    value) anywhere among the arguments; ``--`` ends them. Raises :class:`TopUsageError`."""
    opts: dict = {}
    paths: list[str] = []
    granularity: list[str] = []
    sort: list[str] = []
    shortcuts: dict[str, bool] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            paths.extend(argv[i:])
            break
        if not arg.startswith("-") or arg == "-":
            paths.append(arg)
            continue
        name = arg[2:] if arg.startswith("--") else arg[1:]
        name, eq, value = name.partition("=")
        name = _ALIASES.get(name, name)
        if name in ("h", "help"):
            raise TopUsageError("help")
        if name in _BOOL:
            if eq:
                if value in _TRUE:
                    flag = True
                elif value in _FALSE:
                    flag = False
                else:
                    raise TopUsageError(f'invalid boolean value "{value}" for -{name}: parse error')
            else:
                flag = True
            if name in _GRANULARITIES:
                if flag:
                    granularity.append(name)
            elif name in ("cum", "flat"):
                if flag:
                    sort.append(name)
            elif name in dict(_SHORTCUTS):
                shortcuts[name] = flag
            else:
                opts[name] = flag
            continue
        if name not in _VALUE:
            raise TopUsageError(f"flag provided but not defined: -{name}")
        if not eq:
            if i >= len(argv):
                raise TopUsageError(f"flag needs an argument: -{name}")
            value = argv[i]
            i += 1
        opts[name] = _value(name, value)
    if len(paths) != 1:
        raise TopUsageError("expected exactly one PROFILE (see -h)" if paths else "no profile source specified (see -h)")
    if len(granularity) > 1:
        raise TopUsageError(f"conflicting options set: [{' '.join(sorted(granularity))}]")
    if granularity:
        opts["granularity"] = granularity[0]
    if len(sort) > 1:
        raise TopUsageError("conflicting options set: [cum flat]")
    if sort:
        opts["sort"] = sort[0]
    si = opts.get("sample_index", "")
    for flag, stype in _SHORTCUTS:
        if shortcuts.get(flag):
            if si == "":
                si = stype
            else:
                print(f"Multiple value selections, ignoring -{flag}", file=sys.stderr)
    if si != "":
        opts["sample_index"] = si
    if shortcuts.get("mean_delay"):
        opts["mean"] = True
    return opts, paths


def _value(name: str, value: str):
    """Parse a flag value as Go's ``flag`` does for its type; raises TopUsageError."""
    bad = TopUsageError(f'invalid value "{value}" for flag -{name}: parse error')
    if name == "nodecount":
        s = value.replace("_", "") if re.match(r"[+-]?0[xXbBoO]", value) else value
        try:
            return int(s, 0)
        except ValueError:
            if re.fullmatch(r"[+-]?0[0-7]+", value):  # Go reads a leading 0 as octal
                return int(value, 8)
            raise bad from None
    if name in ("nodefraction", "edgefraction"):
        if not re.fullmatch(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|[iI]nf(inity)?|NaN)", value):
            raise bad
        f = float(value)
        if f != f or abs(f) == float("inf"):
            raise TopUsageError(f'invalid value "{value}" for flag -{name}: must be a finite number')
        return f
    if name == "granularity" and value not in _GRANULARITIES:
        raise TopUsageError(f"invalid value \"{value}\" for flag -granularity: one of {', '.join(_GRANULARITIES)}")
    if name == "format" and value not in ("text", "csv"):
        raise TopUsageError(f'invalid value "{value}" for flag -format: text or csv')
    return value
