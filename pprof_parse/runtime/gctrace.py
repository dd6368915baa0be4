"""Read ``GODEBUG=gctrace=1`` output (plus ``scavtrace=1`` and ``gcpacertrace=1``).

The runtime prints one line per GC cycle from ``gcMarkTermination``
(``runtime/mgc.go``).  Its shape changed several times between Go 1.5 and
Go 1.27, so every field is matched by name with optional groups, never by
position.  Lines are searched, not anchored, so prefixes added by log shippers
(``Feb 26 12:52:23.767 gc 93 ...``) and application output interleaved on the
same stream are tolerated.  Lines that are neither a gctrace, scavtrace nor
pacer line (or are one with a field truncated, or a number too large for its
column) are kept in ``df.attrs["unparsed"]`` as ``(line_no, text)`` pairs, with a
``PprofParseWarning``.

Inputs are taken as every runtime reader takes them (see
:mod:`pprof_parse.runtime.inputs`): a ``str`` or path-like is a path, bytes and
file objects are content, and ``text=`` takes a ``str`` of content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from pprof_parse.errors import RuntimeFormatError, warn
from pprof_parse.read.numbers import INT64_MAX, Unfit, to_float, to_int
from pprof_parse.runtime.inputs import load_text, warn_unparsed

__all__ = [
    "GCTrace",
    "parse_gctrace",
    "read_gctrace",
    "read_scavtrace",
    "read_pacertrace",
]


# ---------------------------------------------------------------------------
# regexes (runtime/mgc.go, runtime/mgcscavenge.go, runtime/mgcpacer.go; Go 1.5 .. 1.27)

# fmtNSAsMS prints "12", "0.43", "0.007"; the clock has 3 terms (Go 1.7+) or 5 (1.5/1.6), the
# CPU is "sweep-term+assist[+...]/background/idle+mark-term"
_MS = r"\d+(?:\.\d+)?"
_GC_RE = re.compile(
    r"gc #?(?P<num>\d+) @(?P<t>\d+\.\d+)s (?P<pct>\d+)%(?: \((?P<note>[^)]*)\))?: "
    rf"(?P<clock>{_MS}(?:\+{_MS}){{2,4}}) ms clock, (?P<cpu>{_MS}(?:\+{_MS})+/{_MS}/{_MS}(?:\+{_MS})+) ms cpu, "
    r"(?P<h0>\d+)->(?P<h1>\d+)->(?P<h2>\d+) MB, (?P<goal>\d+) MB goal, "
    r"(?:(?P<stacks>\d+) MB stacks, (?P<globals>\d+) MB globals, )?"
    r"(?P<procs>\d+) P(?P<forced> \(forced\))?\s*$", re.ASCII
)
_GC_LEGACY_RE = re.compile(r"gc(?P<num>\d+)\((?P<procs>\d+)\): [0-9+]+ (?:us|ms), \d+ -> \d+ MB", re.ASCII)
_GC_FORCED_RE = re.compile(r"(?:^|\s)GC forced\s*$", re.ASCII)
_SCAV_RE = re.compile(
    r"scav (?:(?P<gen>\d+) )?(?:(?P<work>\d+) KiB work, |"
    r"(?P<bg>\d+) KiB work \(bg\), (?P<eager>\d+) KiB work \(eager\), )"
    r"(?P<released>\d+) KiB (?:total|now), (?P<util>\d+)% util"
    r"(?P<suffix> \(forced\)| \[controller reset\])?\s*$", re.ASCII
)
_SCVG_REL_RE = re.compile(r"scvg(?P<n>\d*): (?P<released>\d+) (?P<unit>MB|KB) released\s*$", re.ASCII)
_SCVG_STAT_RE = re.compile(
    r"scvg(?P<n>\d*): inuse: (?P<inuse>\d+), idle: (?P<idle>\d+), sys: (?P<sys>\d+), "
    r"released: (?P<rel>\d+), consumed: (?P<cons>\d+) \(MB\)\s*$", re.ASCII
)
_F = r"[-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|NaN|[-+]?Inf)"
_PACER_START_RE = re.compile(
    rf"pacer: assist ratio=(?P<ratio>{_F}) \(scan (?P<scan>\d+) MB in (?P<h0>\d+)->(?P<goal>\d+) MB\) "
    rf"workers=(?P<ded>\d+)\+(?P<frac>{_F})\s*$", re.ASCII
)
_PACER_END_RE = re.compile(
    rf"pacer: (?P<util>-?\d+)% CPU \((?P<goalutil>\d+) exp\.\) for (?P<heap>\d+)\+(?P<stack>\d+)\+(?P<glob>\d+) B work "
    rf"\((?P<exp>\d+) B exp\.\) in (?P<trig>\d+) B -> (?P<live>\d+) B \(\S+ (?P<dgoal>-?\d+), cons/mark (?P<cm>{_F})\)\s*$",
    re.ASCII,
)
_PACER_SWEEP_RE = re.compile(
    rf"pacer: sweep done at heap size (?P<live>\d+)MB; allocated (?P<alloc>\d+)MB during sweep; "
    rf"swept (?P<pages>\d+) pages at (?P<ppb>{_F}) pages/byte\s*$", re.ASCII
)
_PACER_ANY_RE = re.compile(r"pacer: ")


# timestamps log shippers and Go's log package put before a line: ISO 8601 / RFC 3339
# (2026-11-22T02:00:01.5Z) and log.LstdFlags (2026/11/22 02:00:01.5); syslog's
# "Feb 26 12:52:23" has no year and is left as NaT
_PREFIX_TIME_RE = (r"(\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?"
                   r"(?:Z|[+-]\d{2}:?\d{2})?)")


def _prefix_time(prefix: pd.Series) -> pd.Series:
    if not len(prefix) or not prefix.str.len().gt(0).any():
        return pd.Series(pd.NaT, index=prefix.index, dtype="datetime64[ns, UTC]")
    txt = prefix.str.extract(_PREFIX_TIME_RE, expand=False).str.replace("/", "-", regex=False)
    t = pd.to_datetime(txt, errors="coerce", utc=True, format="mixed")
    # beyond datetime64[ns] (years before 1677 or after 2262): NaT, not an overflow
    t = t.where(t.isna() | ((t > pd.Timestamp.min.tz_localize("UTC")) & (t < pd.Timestamp.max.tz_localize("UTC"))))
    return t.astype("datetime64[ns, UTC]")


def _f(s: str | None) -> float:
    return np.nan if s is None else to_float(s)


@dataclass
class GCTrace:
    """Everything :func:`parse_gctrace` found in one stream.

    Attributes
    ----------
    cycles, scav, pacer : DataFrame
        See :func:`read_gctrace`, :func:`read_scavtrace`, :func:`read_pacertrace`.
    unparsed : list of (int, str)
        1-based line number and text of every non-blank line matching none of
        the runtime forms (usually the application's own output).
    source : str
    """

    cycles: pd.DataFrame
    scav: pd.DataFrame
    pacer: pd.DataFrame
    unparsed: list = field(default_factory=list)
    source: str = "<input>"


_CYCLE_COLS = {
    "run": "int64", "gc": "int64", "start_s": "float64", "cpu_pct": "int64",
    "sweep_term_ms": "float64", "mark_ms": "float64", "mark_term_ms": "float64", "pause_ms": "float64",
    "sweep_term_cpu_ms": "float64", "assist_cpu_ms": "float64", "background_cpu_ms": "float64",
    "idle_cpu_ms": "float64", "mark_term_cpu_ms": "float64", "gc_cpu_ms": "float64",
    "heap_start_mb": "int64", "heap_end_mb": "int64", "heap_live_mb": "int64", "heap_goal_mb": "int64",
    "stacks_mb": "float64", "globals_mb": "float64", "procs": "int64",
    "forced": "bool", "sysmon_forced": "bool", "leak_check": "bool", "note": "str",
    "phases": "int64", "line": "int64", "prefix": "str",
}


def parse_gctrace(src=None, *, text: str | None = None) -> GCTrace:
    """Parse a stream holding gctrace, scavtrace and pacer lines in one pass.

    ``src`` and ``text`` as for :func:`read_gctrace`. Returns a :class:`GCTrace`;
    the ``read_*`` functions return its parts.

    Raises
    ------
    RuntimeFormatError
        The source cannot be read, or it has lines but none is a runtime GC
        line (an empty source gives empty frames).
    TypeError
        Both or neither of ``src`` and ``text`` are given.
    """
    text, name, _ = load_text(src, text=text)
    cyc: dict[str, list] = {k: [] for k in _CYCLE_COLS}
    scav: list[dict] = []
    pacer: list[dict] = []
    unparsed: list[tuple[int, str]] = []
    unfit: list[tuple[int, str]] = []  # runtime lines with a number no column can hold
    run, last_num, last_t = 0, None, None
    sysmon_pending = False
    gc_search, forced_search = _GC_RE.search, _GC_FORCED_RE.search
    for lineno, line in enumerate(text.split("\n"), 1):
        if "gc" not in line and "GC" not in line and "sc" not in line and "pacer" not in line:
            if line.strip():
                unparsed.append((lineno, line))
            continue
        try:
            m = gc_search(line)
            if m:
                row = _cycle_row(m)
                num, t = row["gc"], row["start_s"]
                if last_num is not None and (num <= last_num or t < last_t):
                    run += 1
                last_num, last_t = num, t
                row.update(run=run, sysmon_forced=sysmon_pending, line=lineno, prefix=line[: m.start()].strip())
                for k, v in row.items():
                    cyc[k].append(v)
                sysmon_pending = False
                continue
            if forced_search(line):
                sysmon_pending = True
                continue
            row = _scav_row(line)
            if row is not None:
                row.update(run=run, after_gc=last_num if last_num is not None else 0, line=lineno)
                scav.append(row)
                continue
            if "pacer: " in line:
                pacer.append(_pacer_row(line, lineno, run, last_num or 0))
                continue
        except Unfit as e:
            unparsed.append((lineno, line))
            unfit.append((lineno, str(e)))
            continue
        m = _GC_LEGACY_RE.search(line)
        if m:  # Go <= 1.4: a different, fully-STW line; kept, not parsed
            unparsed.append((lineno, line))
            continue
        if line.strip():
            unparsed.append((lineno, line))
    cycles = pd.DataFrame({k: pd.Series(v, dtype=_CYCLE_COLS[k]) for k, v in cyc.items()})
    cycles["prefix_time"] = _prefix_time(cycles["prefix"])
    for df_ in (cycles,):
        df_.attrs["source"] = name
        df_.attrs["unparsed"] = unparsed
    scav_df = pd.DataFrame(scav, columns=_SCAV_COLS)
    pacer_df = pd.DataFrame(pacer, columns=_PACER_COLS)
    for df_ in (scav_df, pacer_df):
        df_.attrs["source"] = name
    if not len(cycles) and not scav and not pacer and unparsed:
        raise RuntimeFormatError(
            f"no gctrace, scavtrace or pacer line among {len(unparsed)} lines "
            f"(first: {unparsed[0][1][:60]!r})", source=name, line=unparsed[0][0])
    if unfit:
        warn(f"{name}: {len(unfit)} runtime line(s) hold a number that does not fit its column, "
                      f"kept in attrs['unparsed'] (first at line {unfit[0][0]}: {unfit[0][1]})")
    warn_unparsed(name, [u for u in unparsed if u[0] not in {k for k, _ in unfit}],
                  "gctrace, scavtrace or pacer lines", "attrs['unparsed']")
    return GCTrace(cycles, scav_df, pacer_df, unparsed, name)


def _ms(s: str) -> float:
    v = to_float(s)
    if v != v:  # fmtNSAsMS never prints NaN
        raise Unfit(f"{s!r} is not a duration")
    return v


def _cycle_row(m: re.Match) -> dict:
    """The columns of one ``gc N`` line (all but run, sysmon_forced, line, prefix);
    Unfit if a number overflows."""
    clock = [_ms(x) for x in m["clock"].split("+")]
    a, bg, c = m["cpu"].split("/")
    head, tail = a.split("+"), c.split("+")
    cpu = [_ms(head[0]), _ms(head[-1]), _ms(bg), _ms(tail[0]), _ms(tail[-1])]
    note = m["note"] or ""
    return {
        "gc": to_int(m["num"], hi=INT64_MAX - 1), "start_s": _ms(m["t"]), "cpu_pct": to_int(m["pct"]),
        "sweep_term_ms": clock[0], "mark_ms": sum(clock[1:-1]), "mark_term_ms": clock[-1],
        "pause_ms": clock[0] + clock[-1],
        "sweep_term_cpu_ms": cpu[0], "assist_cpu_ms": cpu[1], "background_cpu_ms": cpu[2],
        "idle_cpu_ms": cpu[3], "mark_term_cpu_ms": cpu[4], "gc_cpu_ms": sum(cpu),
        "heap_start_mb": to_int(m["h0"]), "heap_end_mb": to_int(m["h1"]), "heap_live_mb": to_int(m["h2"]),
        "heap_goal_mb": to_int(m["goal"]),
        "stacks_mb": float(to_int(m["stacks"])) if m["stacks"] is not None else np.nan,
        "globals_mb": float(to_int(m["globals"])) if m["globals"] is not None else np.nan,
        "procs": to_int(m["procs"]), "forced": m["forced"] is not None,
        "leak_check": "goroutine leak" in note, "note": note, "phases": len(clock),
    }


_SCAV_COLS = ["run", "after_gc", "kind", "work_kib", "bg_kib", "eager_kib", "released_kib", "util_pct",
              "forced", "controller_reset", "inuse_mb", "idle_mb", "sys_mb", "released_mb", "consumed_mb", "line"]


def _scav_row(line: str) -> dict | None:
    """A scavtrace / scvg line's columns (without run, after_gc, line), or None if it is not one."""
    m = _SCAV_RE.search(line)
    if m:
        bg_, eager = m["bg"], m["eager"]
        work = to_int(m["work"]) if m["work"] is not None else to_int(str(to_int(bg_) + to_int(eager)))
        return {
            "kind": "scav", "work_kib": work, "bg_kib": to_int(bg_) if bg_ else np.nan,
            "eager_kib": to_int(eager) if eager else np.nan,
            "released_kib": to_int(m["released"]), "util_pct": to_int(m["util"]),
            "forced": m["suffix"] == " (forced)", "controller_reset": m["suffix"] == " [controller reset]",
        }
    m = _SCVG_REL_RE.search(line)
    if m:
        kib = to_int(m["released"]) * (1024 if m["unit"] == "MB" else 1)
        return {"kind": "scvg", "released_kib": to_int(str(kib))}
    m = _SCVG_STAT_RE.search(line)
    if m:
        return {"kind": "scvg-stats", "inuse_mb": to_int(m["inuse"]), "idle_mb": to_int(m["idle"]),
                "sys_mb": to_int(m["sys"]), "released_mb": to_int(m["rel"]), "consumed_mb": to_int(m["cons"])}
    return None


_PACER_COLS = [
    "run", "gc", "kind", "assist_ratio", "scan_mb", "heap_start_mb", "heap_goal_mb", "dedicated_workers",
    "fractional_workers", "util_pct", "goal_util_pct", "heap_scan_bytes", "stack_scan_bytes",
    "globals_scan_bytes", "expected_scan_bytes", "trigger_bytes", "live_bytes", "goal_delta_bytes",
    "cons_mark", "sweep_heap_mb", "sweep_alloc_mb", "swept_pages", "pages_per_byte", "text", "line",
]


def _pacer_row(line: str, lineno: int, run: int, last_num: int) -> dict:
    # pacer start/end lines precede the cycle's "gc N" line; sweep-done follows it
    m = _PACER_START_RE.search(line)
    if m:
        return {"run": run, "gc": last_num + 1, "kind": "start", "assist_ratio": _f(m["ratio"]),
                "scan_mb": to_int(m["scan"]), "heap_start_mb": to_int(m["h0"]), "heap_goal_mb": to_int(m["goal"]),
                "dedicated_workers": to_int(m["ded"]), "fractional_workers": _f(m["frac"]), "line": lineno}
    m = _PACER_END_RE.search(line)
    if m:
        return {"run": run, "gc": last_num + 1, "kind": "end", "util_pct": to_int(m["util"], lo=-INT64_MAX),
                "goal_util_pct": to_int(m["goalutil"]), "heap_scan_bytes": to_int(m["heap"]),
                "stack_scan_bytes": to_int(m["stack"]), "globals_scan_bytes": to_int(m["glob"]),
                "expected_scan_bytes": to_int(m["exp"]), "trigger_bytes": to_int(m["trig"]),
                "live_bytes": to_int(m["live"]), "goal_delta_bytes": to_int(m["dgoal"], lo=-INT64_MAX),
                "cons_mark": _f(m["cm"]), "line": lineno}
    m = _PACER_SWEEP_RE.search(line)
    if m:
        return {"run": run, "gc": last_num, "kind": "sweep", "sweep_heap_mb": to_int(m["live"]),
                "sweep_alloc_mb": to_int(m["alloc"]), "swept_pages": to_int(m["pages"]),
                "pages_per_byte": _f(m["ppb"]), "line": lineno}
    return {"run": run, "gc": last_num + 1, "kind": "other", "text": line[line.index("pacer: "):], "line": lineno}


def read_gctrace(src=None, *, text: str | None = None) -> pd.DataFrame:
    """Read ``GODEBUG=gctrace=1`` output into one row per GC cycle.

    Parameters
    ----------
    src : str, os.PathLike, bytes or file object
        A stderr capture or log file: a ``str`` or path-like is its path; bytes
        or an open file (text or binary) its content; may be gzipped.  Other
        output interleaved in the stream and prefixes before ``gc N`` (log
        timestamps) are tolerated.  The rules: :mod:`pprof_parse.runtime.inputs`.
    text : str, keyword-only
        The content as a ``str``, instead of ``src``.

    Returns
    -------
    DataFrame
        One row per ``gc N @...`` line, in stream order.  Columns:

        ============================ ======= ==============================================
        run                          int64   0-based process run; a gc counter that does
                                             not increase (or ``@`` going back) starts a
                                             new run (the counter is per process)
        gc                           int64   cycle number, 1-based (= MemStats.NumGC)
        start_s                      float64 cycle start, seconds since runtime init
        cpu_pct                      int64   GC CPU %, cumulative since start, truncated
        sweep_term_ms                float64 STW sweep termination, wall ms
        mark_ms                      float64 concurrent mark (1.5/1.6: the three middle
                                             phases summed), wall ms
        mark_term_ms                 float64 STW mark termination, wall ms
        pause_ms                     float64 sweep_term_ms + mark_term_ms (the two STWs)
        sweep_term_cpu_ms            float64 CPU ms of the two STW phases ...
        mark_term_cpu_ms             float64
        assist_cpu_ms                float64 mutator assist CPU ms
        background_cpu_ms            float64 dedicated + fractional worker CPU ms
        idle_cpu_ms                  float64 idle-time marking CPU ms
        gc_cpu_ms                    float64 sum of the five CPU terms
        heap_start_mb                int64   heap at GC start (MiB, floored)
        heap_end_mb                  int64   heap at mark termination (MiB)
        heap_live_mb                 int64   marked (live) heap (MiB)
        heap_goal_mb                 int64   heap goal (MiB)
        stacks_mb, globals_mb        float64 scannable stacks/globals (MiB); NaN before 1.18
        procs                        int64   GOMAXPROCS during the cycle
        forced                       bool    ``(forced)``: runtime.GC, FreeOSMemory, leak profile
        sysmon_forced                bool    preceded by ``GC forced`` (2-minute periodic GC)
        leak_check                   bool    ``(checking for goroutine leaks)`` (Go 1.26+)
        note                         str     text of the parenthesised note, else ""
        phases                       int64   clock terms: 3 (Go 1.7+) or 5 (Go 1.5/1.6)
        line                         int64   1-based line number in the source
        prefix                       str     text before ``gc`` on the line (log timestamp)
        prefix_time                  datetime64[ns, UTC]
                                             timestamp found in ``prefix`` (ISO 8601 or Go's
                                             ``log`` format, taken as UTC if it has no zone;
                                             NaT otherwise, or outside 1677..2262)
        ============================ ======= ==============================================

        ``attrs["unparsed"]``: list of ``(line, text)`` for lines matching no
        runtime form (pre-1.5 ``gcN(P):`` lines included, and lines with a
        truncated or corrupt field such as ``1 ms clock, 6 ms cpu``) and runtime
        lines holding a number that does not fit its column (an integer of 2^63
        or more, a float overflowing float64); a ``PprofParseWarning`` says how
        many of each.  ``attrs["source"]``.

        A byte order mark and ``\\r\\n`` or ``\\r`` line ends are accepted.

    Raises
    ------
    RuntimeFormatError
        The source is unreadable (a path that does not exist, a directory or
        device, more than :data:`~pprof_parse.runtime.inputs.MAX_TEXT_BYTES`)
        or has lines but none of them is a runtime GC line.
    TypeError
        Both or neither of ``src`` and ``text`` are given.

    Examples
    --------
    >>> import pprof_parse
    >>> df = pprof_parse.read_gctrace(text="gc 1 @0.012s 2%: 0.011+1.2+0.004 ms clock, "
    ...                               "0.045+0.21/1.0/0.52+0.019 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, "
    ...                               "0 MB globals, 4 P\\n")
    >>> df[["gc", "start_s", "pause_ms", "heap_goal_mb"]].to_dict("records")
    [{'gc': 1, 'start_s': 0.012, 'pause_ms': 0.015, 'heap_goal_mb': 4}]

    Notes
    -----
    Mirrors ``gcMarkTermination`` in ``runtime/mgc.go``: ``@`` is the cycle
    start (``tSweepTerm``), the clock and CPU terms are printed with
    ``fmtNSAsMS`` (about 2 significant digits), MB figures are ``>>20``.
    Pause = first + last clock term, as ``PauseNs`` accounts both STWs.
    """
    return parse_gctrace(src, text=text).cycles


def read_scavtrace(src=None, *, text: str | None = None) -> pd.DataFrame:
    """Read ``GODEBUG=scavtrace=1`` lines (and pre-1.14 ``scvg`` lines).

    ``src`` (a path, bytes or file object) or ``text`` (a ``str`` of content),
    and the errors raised, as for :func:`read_gctrace`.

    Returns
    -------
    DataFrame
        ``run`` int64, ``after_gc`` int64 (last gc number seen before the line;
        the last sweeper prints it, so it describes that cycle's sweep), ``kind``
        (``scav``, ``scvg`` or ``scvg-stats``), ``work_kib`` (bg + eager),
        ``bg_kib``, ``eager_kib`` (Go 1.21+), ``released_kib`` (KiB retained
        released = ``KiB now``/``KiB total``), ``util_pct``, ``forced`` and
        ``controller_reset`` (bool), for ``scvg-stats`` ``inuse_mb``, ``idle_mb``,
        ``sys_mb``, ``released_mb``, ``consumed_mb``, and ``line``.

    Notes
    -----
    Mirrors ``printScavTrace`` in ``runtime/mgcscavenge.go``.
    """
    return parse_gctrace(src, text=text).scav


def read_pacertrace(src=None, *, text: str | None = None) -> pd.DataFrame:
    """Read ``GODEBUG=gcpacertrace=1`` lines.

    ``src`` (a path, bytes or file object) or ``text`` (a ``str`` of content),
    and the errors raised, as for :func:`read_gctrace`.

    Returns
    -------
    DataFrame
        One row per ``pacer:`` line.  ``kind`` is ``start`` (assist ratio at
        cycle start: ``assist_ratio``, ``scan_mb``, ``heap_start_mb``,
        ``heap_goal_mb``, ``dedicated_workers``, ``fractional_workers``),
        ``end`` (end of mark: ``util_pct``, ``goal_util_pct``,
        ``heap_scan_bytes``, ``stack_scan_bytes``, ``globals_scan_bytes``,
        ``expected_scan_bytes``, ``trigger_bytes``, ``live_bytes``,
        ``goal_delta_bytes``, ``cons_mark``), ``sweep`` (``sweep_heap_mb``,
        ``sweep_alloc_mb``, ``swept_pages``, ``pages_per_byte``) or ``other``
        (pre-1.18 forms, kept verbatim in ``text``).  ``gc`` is the cycle the
        line belongs to (start/end lines precede the cycle's gctrace line),
        ``run`` and ``line`` as in :func:`read_gctrace`.

    Notes
    -----
    Mirrors the ``gcpacertrace`` prints in ``runtime/mgcpacer.go`` and
    ``runtime/mgcsweep.go``; the end line is skipped by the runtime when the
    heap never passed the trigger (forced cycles), so there may be fewer end
    than start lines.
    """
    return parse_gctrace(src, text=text).pacer
