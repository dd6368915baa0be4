"""Benchmark histories that CI tools keep, turned back into Go benchmark text.

Two stores hold many commits' results in one file; each is rewritten here as
benchfmt text (``key: value`` configuration lines, then ``Benchmark…`` result
lines) so that it is read by the same reader as ``go test -bench`` output
(:func:`gobench.read.benchfmt.parse_inputs`): the same units, tidying and names.

* **gobenchdata** (``bobheadxi/gobenchdata``, ``bench/benchmark.go``): a JSON array
  of runs ``{"Version", "Date", "Tags", "Suites": [{"Goos", "Goarch", "Pkg", "Cpu",
  "Benchmarks": [{"Name", "Runs", "NsPerOp", "Mem": {"BytesPerOp", "AllocsPerOp",
  "MBPerSec"}, "Custom": {unit: value}}]}]}``, newest run first (``gobenchdata
  --append`` prepends, then sorts by ``Date`` descending).  ``Version`` is the commit
  (the action passes ``-v $GITHUB_SHA``), ``Date`` Unix seconds.  ``Name`` keeps the
  ``Benchmark`` prefix and the ``-N`` GOMAXPROCS suffix.  ``Mem`` is always
  written, with zeros when ``-benchmem`` was off, so ``B/op`` and ``allocs/op`` are
  kept for a suite only when one of its benchmarks has a non-zero one; ``MB/s`` and
  ``ns/op`` only when non-zero (as ``go test`` prints them).
* **github-action-benchmark** (``benchmark-action/github-action-benchmark``,
  ``src/write/loadData.ts``, ``src/extract.ts``): ``data.js`` is
  ``window.BENCHMARK_DATA = `` followed by JSON ``{"lastUpdate", "repoUrl",
  "entries": {suite: [{"commit": {"id", "timestamp", …}, "date", "tool",
  "benches": [{"name", "value", "unit", "extra"}]}]}}`` (entries oldest first; the
  external ``data.json`` is the same object without the prefix).  The Go extractor
  writes one bench per value: the first named after the benchmark with its
  ``-N`` suffix moved into ``extra`` (``"<iters> times\\n<N> procs"``) and, since
  v1.18, further ones named ``"<name> - <unit>"`` (plus ``" (<pkg>)"`` before that
  when several packages ran); for backward compatibility the first one's ``unit``
  then holds the rest of the line (``"ns/op\\t 64 B/op …"``).  Both layouts are
  read: the pairs of a multi-token ``unit``, then the ``" - <unit>"`` benches that
  add a unit not yet on the line.  Only ``tool: "go"`` entries are read.

Each commit's lines begin with ``commit: <id>`` and ``commit-time: <RFC 3339>``
(benchfmt's keys, as in x/perf's stored results), plus ``goos``/``goarch``/
``pkg``/``cpu`` (gobenchdata) or ``suite: <name>`` (github-action-benchmark).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import re

from ..errors import HistoryFormatError

__all__ = ["HistoryFormatError", "sniff_format", "gobenchdata_to_text", "action_benchmark_to_text",
           "DATA_JS_PREFIX"]

#: What github-action-benchmark writes before the JSON of ``data.js``.
DATA_JS_PREFIX = "window.BENCHMARK_DATA = "


_FIRST = re.compile(r"[^\ufeff \t\r\n]")


def sniff_format(text: str) -> str:
    """``"gobenchdata"``, ``"action-benchmark"`` or ``"benchfmt"`` (benchmark text or ``go test -json``).

    A ``data.js`` is known by its prefix; a JSON document (one value, not a stream of
    test2json events) by its shape: an array of objects with ``Suites`` is
    gobenchdata's, an object with ``entries`` github-action-benchmark's ``data.json``.
    """
    m = _FIRST.search(text)
    start = m.start() if m else len(text)
    if text.startswith(DATA_JS_PREFIX.rstrip(), start):
        return "action-benchmark"
    if not text.startswith(("[", "{"), start):
        return "benchfmt"
    try:
        doc = json.loads(text[start:])
    except (ValueError, RecursionError):   # a test2json stream: many documents
        return "benchfmt"
    if isinstance(doc, list) and doc and all(isinstance(r, dict) and "Suites" in r for r in doc):
        return "gobenchdata"
    if isinstance(doc, dict) and isinstance(doc.get("entries"), dict):
        return "action-benchmark"
    return "benchfmt"


def _config(key: str, value) -> str:
    """One configuration line; an empty value deletes the key (benchfmt)."""
    v = "" if value is None else re.sub(r"[\r\n]+", " ", str(value)).strip()
    return f"{key}: {v}" if v else f"{key}:"


def _number(v) -> str:
    """A value as Go's ``strconv.ParseFloat`` reads it back exactly."""
    f = float(v)
    return repr(f) if math.isfinite(f) else ("NaN" if f != f else ("+Inf" if f > 0 else "-Inf"))


def _bench_name(name: str) -> str:
    """A result line's first field: ``Benchmark`` prefixed when missing, no white space."""
    name = re.sub(r"\s+", "_", str(name).strip())
    return name if name.startswith("Benchmark") else "Benchmark" + name


def _rfc3339(seconds: float) -> str:
    return _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _load_json(text: str, path: str, what: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:
        raise HistoryFormatError(f"{path}: not {what} JSON: {e}") from None


def _need(cond: bool, path: str, where: str, what: str) -> None:
    if not cond:
        raise HistoryFormatError(f"{path}: {where}: {what}")


# ---------------------------------------------------------------------- gobenchdata

def _gobenchdata_suite_lines(suite: dict, path: str, where: str) -> list[str]:
    """The configuration and result lines of one gobenchdata suite."""
    _need(isinstance(suite, dict), path, where, "a suite is not an object")
    benches = suite.get("Benchmarks") or []
    _need(isinstance(benches, list), path, where, "Benchmarks is not a list")
    mems = [b.get("Mem") or {} for b in benches if isinstance(b, dict)]
    benchmem = any((m.get("BytesPerOp") or 0) or (m.get("AllocsPerOp") or 0) for m in mems)
    out = [_config("goos", suite.get("Goos")), _config("goarch", suite.get("Goarch")),
           _config("pkg", suite.get("Pkg")), _config("cpu", suite.get("Cpu"))]
    for j, b in enumerate(benches):
        _need(isinstance(b, dict) and "Name" in b, path, f"{where} benchmark {j}", "no Name")
        mem = b.get("Mem") or {}
        pairs = []
        if b.get("NsPerOp"):
            pairs.append((b["NsPerOp"], "ns/op"))
        if mem.get("MBPerSec"):
            pairs.append((mem["MBPerSec"], "MB/s"))
        pairs += sorted(((v, u) for u, v in (b.get("Custom") or {}).items()), key=lambda p: p[1])
        if benchmem:
            pairs += [(mem.get("BytesPerOp") or 0, "B/op"), (mem.get("AllocsPerOp") or 0, "allocs/op")]
        if not pairs:
            continue
        fields = [_bench_name(b["Name"]), str(int(b.get("Runs") or 1))]
        fields += [_number(v) + " " + re.sub(r"\s+", "_", str(u)) for v, u in pairs]
        out.append("\t".join(fields))
    return out


def gobenchdata_to_text(text: str, path: str, stem: str) -> str:
    """A gobenchdata JSON file as benchmark text, its runs oldest first (by ``Date``).

    A run without ``Version`` is named ``<stem>#<i>`` (its place in the file).

    Raises
    ------
    HistoryFormatError
        Not JSON, or a run, suite or benchmark without the fields above.
    """
    runs = _load_json(text, path, "gobenchdata")
    _need(isinstance(runs, list), path, "top level", "not a list of runs")
    lines = []
    keyed = []
    for i, run in enumerate(runs):
        _need(isinstance(run, dict) and isinstance(run.get("Suites", []), list), path, f"run {i}",
              "not a run object with a Suites list")
        keyed.append((float(run.get("Date") or 0), i, run))
    for date, i, run in sorted(keyed, key=lambda k: (k[0], -k[1])):
        lines.append(_config("commit", run.get("Version") or f"{stem}#{i}"))
        lines.append(_config("commit-time", _rfc3339(date) if date else None))
        lines.append(_config("tags", ",".join(map(str, run.get("Tags") or []))))
        for s, suite in enumerate(run.get("Suites") or []):
            lines += _gobenchdata_suite_lines(suite, path, f"run {i} suite {s}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ github-action-benchmark

_ACTION_NAME = re.compile(r"(\S+)(?: \((\S+)\))?(?: - (\S+))?")
_TIMES = re.compile(r"(\d+) times")
_PROCS = re.compile(r"(\d+) procs")


def _action_line(bench: dict) -> tuple[str, str | None, list[tuple[str, str]], str, str] | None:
    """``(base, pkg, pairs, iterations, procs)`` of a bench that starts a result line, else
    None (a ``" - <unit>"`` bench, or a name with spaces that no Go benchmark has)."""
    m = _ACTION_NAME.fullmatch(str(bench.get("name", "")))
    if m is None or m.group(3):
        return None
    tokens = str(bench.get("unit", "")).split()
    if not tokens:
        return None
    pairs = [(_number(bench.get("value", math.nan)), tokens[0])]
    pairs += [(tokens[k], tokens[k + 1]) for k in range(1, len(tokens) - 1, 2)]
    extra = str(bench.get("extra") or "")
    iters = _TIMES.search(extra)
    procs = _PROCS.search(extra)
    return m.group(1), m.group(2), pairs, iters.group(1) if iters else "1", procs.group(1) if procs else ""


def _action_entry_lines(benches: list, path: str, where: str) -> list[str]:
    """The result lines of one github-action-benchmark entry (one commit of a suite)."""
    out, cur = [], None
    for j, b in enumerate(benches):
        _need(isinstance(b, dict), path, f"{where} bench {j}", "not an object")
        start = _action_line(b)
        m = _ACTION_NAME.fullmatch(str(b.get("name", "")))
        if start is None and m is not None and cur is not None and m.group(1) == cur[0] \
                and m.group(2) == cur[1]:
            unit = str(b.get("unit", ""))
            if unit and unit not in {u for _, u in cur[2]}:
                cur[2].append((_number(b.get("value", math.nan)), unit))
            continue
        if start is None:
            continue
        if cur is not None:
            out.append(cur)
        cur = (start[0], start[1], start[2], start[3], start[4])
    if cur is not None:
        out.append(cur)
    lines, pkg = [], object()   # the first line always sets (or deletes) pkg
    for base, p, pairs, iters, procs in out:
        if p != pkg:
            lines.append(_config("pkg", p))
            pkg = p
        name = _bench_name(base) + (f"-{procs}" if procs else "")
        lines.append("\t".join([name, iters] + [f"{v} {u}" for v, u in pairs]))
    return lines


def _entry_time(entry: dict) -> str | None:
    ts = (entry.get("commit") or {}).get("timestamp")
    if isinstance(ts, str) and ts.strip():
        return ts
    date = entry.get("date")
    return _rfc3339(float(date) / 1000) if isinstance(date, (int, float)) and date else None


def action_benchmark_to_text(text: str, path: str) -> tuple[str, int]:
    """A github-action-benchmark ``data.js`` (or ``data.json``) as benchmark text.

    Returns the text and the number of entries skipped because their ``tool`` is
    not ``"go"``.

    Raises
    ------
    HistoryFormatError
        Not JSON after the prefix, or entries not shaped as above.
    """
    s = text.lstrip("\ufeff \t\r\n")
    if s.startswith(DATA_JS_PREFIX.rstrip()):
        s = s[len(DATA_JS_PREFIX.rstrip()):].strip().rstrip(";")
    doc = _load_json(s, path, "github-action-benchmark")
    _need(isinstance(doc, dict) and isinstance(doc.get("entries"), dict), path, "top level",
          "no entries object")
    lines, skipped = [], 0
    for suite, entries in doc["entries"].items():
        _need(isinstance(entries, list), path, f"suite {suite!r}", "entries are not a list")
        for i, entry in enumerate(entries):
            where = f"suite {suite!r} entry {i}"
            _need(isinstance(entry, dict) and isinstance(entry.get("benches"), list), path, where,
                  "no benches list")
            if entry.get("tool", "go") != "go":
                skipped += 1
                continue
            lines += [_config("commit", (entry.get("commit") or {}).get("id") or f"{suite}#{i}"),
                      _config("commit-time", _entry_time(entry)), _config("suite", suite)]
            lines += _action_entry_lines(entry["benches"], path, where)
    return "\n".join(lines) + "\n", skipped
