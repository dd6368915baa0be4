"""Read ``GODEBUG=gctrace=1`` output (plus ``scavtrace=1`` and ``gcpacertrace=1``).

The runtime prints one line per GC cycle from ``gcMarkTermination``
(``runtime/mgc.go``).  Its shape changed several times between Go 1.5 and
Go 1.27, so every field is matched by name with optional groups, never by
position.  Lines are searched, not anchored, so prefixes added by log shippers
(``Feb 26 12:52:23.767 gc 93 ...``) and application output interleaved on the
same stream are tolerated.  Lines that are neither a gctrace, scavtrace nor
pacer line are kept in ``df.attrs["unparsed"]`` as ``(line_no, text)`` pairs.

This module also holds the small input helpers and the error class shared by
the other runtime-diagnostics readers.
"""

from __future__ import annotations

import os
import warnings
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from .._lazy import pd  # pandas on first use (see _lazy)

from pprof_parse.errors import PprofParseWarning as _Warning
from pprof_parse.errors import RuntimeFormatError

__all__ = [
    "RuntimeFormatError",
    "GCTrace",
    "parse_gctrace",
    "read_gctrace",
    "read_scavtrace",
    "read_pacertrace",
]


# ---------------------------------------------------------------------------
# input helpers shared by the runtime readers


def warn_unparsed(source: str, unparsed: list, what: str, where: str) -> None:
    """Report kept-but-not-understood lines once per read (a ``PprofParseWarning``)."""
    if unparsed:
        line, text = unparsed[0]
        warnings.warn(f"{source}: {len(unparsed)} line(s) are not {what}, kept in {where} "
                      f"(first at line {line}: {text[:60]!r})", _Warning, stacklevel=3)


def load_source(src) -> tuple[bytes, str, float | None]:
    """Return ``(data, name, mtime)`` for a path, bytes, str text or file object.

    A ``str`` containing a newline is taken as the content itself; any other
    ``str`` or :class:`os.PathLike` is a path.  Gzip input is decompressed
    (proto profiles are left compressed: callers hand them to the proto reader).
    ``mtime`` is the file's modification time (Unix seconds) for paths, else None.
    """
    mtime = None
    if isinstance(src, (bytes, bytearray, memoryview)):
        data, name = bytes(src), "<bytes>"
    elif isinstance(src, str) and "\n" in src:
        data, name = src.encode("utf-8", "surrogateescape"), "<text>"
    elif isinstance(src, (str, os.PathLike)):
        p = Path(src)
        try:
            data = p.read_bytes()
            mtime = p.stat().st_mtime
        except OSError as e:
            raise RuntimeFormatError(f"cannot read: {e.strerror}", source=str(p)) from e
        name = str(p)
    elif hasattr(src, "read"):
        raw = src.read()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
        name = getattr(src, "name", None) or "<stream>"
        name = str(name)
    else:
        raise TypeError(f"expected a path, bytes, text or file object, got {type(src).__name__}")
    return data, name, mtime


def load_text(src) -> tuple[str, str, float | None]:
    """Like :func:`load_source` but gunzips and decodes (UTF-8, lossless)."""
    data, name, mtime = load_source(src)
    if data[:2] == b"\x1f\x8b":  # pprof_parse's bounded inflate (gzip bombs, truncation, concatenation)
        from pprof_parse.read.source import inflate

        data = inflate(data, source=name)
    text = data.decode("utf-8", "surrogateescape")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, name, mtime


# ---------------------------------------------------------------------------
# regexes (runtime/mgc.go, runtime/mgcscavenge.go, runtime/mgcpacer.go; Go 1.5 .. 1.27)

_GC_RE = re.compile(
    r"gc #?(?P<num>\d+) @(?P<t>\d+\.\d+)s (?P<pct>\d+)%(?: \((?P<note>[^)]*)\))?: "
    r"(?P<clock>[0-9.+]+) ms clock, (?P<cpu>[0-9.+/]+) ms cpu, "
    r"(?P<h0>\d+)->(?P<h1>\d+)->(?P<h2>\d+) MB, (?P<goal>\d+) MB goal, "
    r"(?:(?P<stacks>\d+) MB stacks, (?P<globals>\d+) MB globals, )?"
    r"(?P<procs>\d+) P(?P<forced> \(forced\))?\s*$"
)
_GC_LEGACY_RE = re.compile(r"gc(?P<num>\d+)\((?P<procs>\d+)\): [0-9+]+ (?:us|ms), \d+ -> \d+ MB")
_GC_FORCED_RE = re.compile(r"(?:^|\s)GC forced\s*$")
_SCAV_RE = re.compile(
    r"scav (?:(?P<gen>\d+) )?(?:(?P<work>\d+) KiB work, |"
    r"(?P<bg>\d+) KiB work \(bg\), (?P<eager>\d+) KiB work \(eager\), )"
    r"(?P<released>\d+) KiB (?:total|now), (?P<util>\d+)% util"
    r"(?P<suffix> \(forced\)| \[controller reset\])?\s*$"
)
_SCVG_REL_RE = re.compile(r"scvg(?P<n>\d*): (?P<released>\d+) (?P<unit>MB|KB) released\s*$")
_SCVG_STAT_RE = re.compile(
    r"scvg(?P<n>\d*): inuse: (?P<inuse>\d+), idle: (?P<idle>\d+), sys: (?P<sys>\d+), "
    r"released: (?P<rel>\d+), consumed: (?P<cons>\d+) \(MB\)\s*$"
)
_F = r"[-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|NaN|[-+]?Inf)"
_PACER_START_RE = re.compile(
    rf"pacer: assist ratio=(?P<ratio>{_F}) \(scan (?P<scan>\d+) MB in (?P<h0>\d+)->(?P<goal>\d+) MB\) "
    rf"workers=(?P<ded>\d+)\+(?P<frac>{_F})\s*$"
)
_PACER_END_RE = re.compile(
    rf"pacer: (?P<util>-?\d+)% CPU \((?P<goalutil>\d+) exp\.\) for (?P<heap>\d+)\+(?P<stack>\d+)\+(?P<glob>\d+) B work "
    rf"\((?P<exp>\d+) B exp\.\) in (?P<trig>\d+) B -> (?P<live>\d+) B \(\S+ (?P<dgoal>-?\d+), cons/mark (?P<cm>{_F})\)\s*$"
)
_PACER_SWEEP_RE = re.compile(
    rf"pacer: sweep done at heap size (?P<live>\d+)MB; allocated (?P<alloc>\d+)MB during sweep; "
    rf"swept (?P<pages>\d+) pages at (?P<ppb>{_F}) pages/byte\s*$"
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
    return pd.to_datetime(txt, errors="coerce", utc=True, format="mixed").astype("datetime64[ns, UTC]")


def _f(s: str | None) -> float:
    if s is None:
        return np.nan
    return float(s.replace("Inf", "inf"))


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


def parse_gctrace(src) -> GCTrace:
    """Parse a stream holding gctrace, scavtrace and pacer lines in one pass.

    Returns a :class:`GCTrace`; the ``read_*`` functions return its parts.
    Raises :class:`RuntimeFormatError` if the source holds no runtime GC line
    at all (an empty source gives empty frames).
    """
    text, name, _ = load_text(src)
    cyc: dict[str, list] = {k: [] for k in _CYCLE_COLS}
    scav: list[dict] = []
    pacer: list[dict] = []
    unparsed: list[tuple[int, str]] = []
    run, last_num, last_t = 0, None, None
    sysmon_pending = False
    gc_search, forced_search = _GC_RE.search, _GC_FORCED_RE.search
    for lineno, line in enumerate(text.split("\n"), 1):
        if "gc" not in line and "GC" not in line and "sc" not in line and "pacer" not in line:
            if line.strip():
                unparsed.append((lineno, line))
            continue
        m = gc_search(line)
        if m:
            num, t = int(m["num"]), float(m["t"])
            if last_num is not None and (num <= last_num or t < last_t):
                run += 1
            last_num, last_t = num, t
            clock = [float(x) for x in m["clock"].split("+")]
            a, bg, c = m["cpu"].split("/")
            head, tail = a.split("+"), c.split("+")
            cpu = [float(head[0]), float(head[-1]), float(bg), float(tail[0]), float(tail[-1])]
            note = m["note"] or ""
            for k, v in (
                ("run", run), ("gc", num), ("start_s", t), ("cpu_pct", int(m["pct"])),
                ("sweep_term_ms", clock[0]), ("mark_ms", sum(clock[1:-1])), ("mark_term_ms", clock[-1]),
                ("pause_ms", clock[0] + clock[-1]),
                ("sweep_term_cpu_ms", cpu[0]), ("assist_cpu_ms", cpu[1]), ("background_cpu_ms", cpu[2]),
                ("idle_cpu_ms", cpu[3]), ("mark_term_cpu_ms", cpu[4]), ("gc_cpu_ms", sum(cpu)),
                ("heap_start_mb", int(m["h0"])), ("heap_end_mb", int(m["h1"])), ("heap_live_mb", int(m["h2"])),
                ("heap_goal_mb", int(m["goal"])),
                ("stacks_mb", float(m["stacks"]) if m["stacks"] is not None else np.nan),
                ("globals_mb", float(m["globals"]) if m["globals"] is not None else np.nan),
                ("procs", int(m["procs"])), ("forced", m["forced"] is not None),
                ("sysmon_forced", sysmon_pending), ("leak_check", "goroutine leak" in note), ("note", note),
                ("phases", len(clock)), ("line", lineno), ("prefix", line[: m.start()].strip()),
            ):
                cyc[k].append(v)
            sysmon_pending = False
            continue
        if forced_search(line):
            sysmon_pending = True
            continue
        m = _SCAV_RE.search(line)
        if m:
            bg_, eager = m["bg"], m["eager"]
            work = int(m["work"]) if m["work"] is not None else int(bg_) + int(eager)
            scav.append({
                "run": run, "after_gc": last_num if last_num is not None else 0, "kind": "scav",
                "work_kib": work, "bg_kib": int(bg_) if bg_ else np.nan, "eager_kib": int(eager) if eager else np.nan,
                "released_kib": int(m["released"]), "util_pct": int(m["util"]),
                "forced": m["suffix"] == " (forced)", "controller_reset": m["suffix"] == " [controller reset]",
                "line": lineno,
            })
            continue
        m = _SCVG_REL_RE.search(line)
        if m:
            kib = int(m["released"]) * (1024 if m["unit"] == "MB" else 1)
            scav.append({"run": run, "after_gc": last_num or 0, "kind": "scvg", "released_kib": kib, "line": lineno})
            continue
        m = _SCVG_STAT_RE.search(line)
        if m:
            scav.append({
                "run": run, "after_gc": last_num or 0, "kind": "scvg-stats", "line": lineno,
                "inuse_mb": int(m["inuse"]), "idle_mb": int(m["idle"]), "sys_mb": int(m["sys"]),
                "released_mb": int(m["rel"]), "consumed_mb": int(m["cons"]),
            })
            continue
        if "pacer: " in line:
            pacer.append(_pacer_row(line, lineno, run, last_num or 0))
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
    scav_df = pd.DataFrame(scav, columns=[
        "run", "after_gc", "kind", "work_kib", "bg_kib", "eager_kib", "released_kib", "util_pct",
        "forced", "controller_reset", "inuse_mb", "idle_mb", "sys_mb", "released_mb", "consumed_mb", "line"])
    pacer_df = pd.DataFrame(pacer, columns=_PACER_COLS)
    for df_ in (scav_df, pacer_df):
        df_.attrs["source"] = name
    if not len(cycles) and not scav and not pacer and unparsed:
        raise RuntimeFormatError(
            f"no gctrace, scavtrace or pacer line among {len(unparsed)} lines "
            f"(first: {unparsed[0][1][:60]!r})", source=name, line=unparsed[0][0])
    warn_unparsed(name, unparsed, "gctrace, scavtrace or pacer lines", "attrs['unparsed']")
    return GCTrace(cycles, scav_df, pacer_df, unparsed, name)


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
                "scan_mb": int(m["scan"]), "heap_start_mb": int(m["h0"]), "heap_goal_mb": int(m["goal"]),
                "dedicated_workers": int(m["ded"]), "fractional_workers": _f(m["frac"]), "line": lineno}
    m = _PACER_END_RE.search(line)
    if m:
        return {"run": run, "gc": last_num + 1, "kind": "end", "util_pct": int(m["util"]),
                "goal_util_pct": int(m["goalutil"]), "heap_scan_bytes": int(m["heap"]),
                "stack_scan_bytes": int(m["stack"]), "globals_scan_bytes": int(m["glob"]),
                "expected_scan_bytes": int(m["exp"]), "trigger_bytes": int(m["trig"]),
                "live_bytes": int(m["live"]), "goal_delta_bytes": int(m["dgoal"]), "cons_mark": _f(m["cm"]),
                "line": lineno}
    m = _PACER_SWEEP_RE.search(line)
    if m:
        return {"run": run, "gc": last_num, "kind": "sweep", "sweep_heap_mb": int(m["live"]),
                "sweep_alloc_mb": int(m["alloc"]), "swept_pages": int(m["pages"]),
                "pages_per_byte": _f(m["ppb"]), "line": lineno}
    return {"run": run, "gc": last_num + 1, "kind": "other", "text": line[line.index("pacer: "):], "line": lineno}


def read_gctrace(src) -> pd.DataFrame:
    """Read ``GODEBUG=gctrace=1`` output into one row per GC cycle.

    Parameters
    ----------
    src : path, str text, bytes or file object
        A stderr capture or log file; may be gzipped.  Other output interleaved
        in the stream and prefixes before ``gc N`` (log timestamps) are tolerated.

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
                                             NaT otherwise)
        ============================ ======= ==============================================

        ``attrs["unparsed"]``: list of ``(line, text)`` for lines matching no
        runtime form (pre-1.5 ``gcN(P):`` lines included; a
        ``PprofParseWarning`` says how many), ``attrs["source"]``.

    Raises
    ------
    RuntimeFormatError
        The source is unreadable or has lines but none of them is a runtime GC line.

    Notes
    -----
    Mirrors ``gcMarkTermination`` in ``runtime/mgc.go``: ``@`` is the cycle
    start (``tSweepTerm``), the clock and CPU terms are printed with
    ``fmtNSAsMS`` (about 2 significant digits), MB figures are ``>>20``.
    Pause = first + last clock term, as ``PauseNs`` accounts both STWs.
    """
    return parse_gctrace(src).cycles


def read_scavtrace(src) -> pd.DataFrame:
    """Read ``GODEBUG=scavtrace=1`` lines (and pre-1.14 ``scvg`` lines).

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
    return parse_gctrace(src).scav


def read_pacertrace(src) -> pd.DataFrame:
    """Read ``GODEBUG=gcpacertrace=1`` lines.

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
    return parse_gctrace(src).pacer
