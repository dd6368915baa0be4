"""peek(), traces() and tags() against ``go tool pprof -peek/-traces/-tags`` on the workload's profiles.

pprof's text is parsed (values exact via ``-unit=ns``/``-unit=B``) and
compared with our DataFrames number for number and line for line.
"""

from __future__ import annotations

import re

import pytest

import pprof_parse
from pprof_parse.present.top import format_percentage
from pprof_oracle import pprof, unit_flag

pytestmark = [pytest.mark.go, pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning"), pytest.mark.usefixtures("engine")]

NUM = r"(-?\d+)[a-zA-Zμ]*"


def _ids(o):
    return ",".join(f"{k}={v}" for k, v in o.items()) or "none"


def _flags(opts):
    out = []
    for k, v in opts.items():
        if k == "relative_percentages":
            out.append("-relative_percentages")
        elif k == "granularity":
            out.append(f"-{v}")
        elif k == "cum":
            out.append("-cum")
        elif k == "sample_index":
            out.append(f"-sample_index={v}")
        elif k == "mean":
            out.append("-mean")
        else:
            out.append(f"-{k}={v}")
    return out


def _body(text, first_marker):
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith(first_marker))
    return lines[i:]


# ---- peek -------------------------------------------------------------------------------------

SEP_PEEK = "----------------------------------------------------------+-------------"
EDGE = re.compile(rf"^\s*{NUM} +(\S+%) \|   (.*?)( \(inline\))?$")
NODE = re.compile(rf"^\s*{NUM} +(\S+%) +(\S+%) +{NUM} +(\S+%) +\| (.*)$")


def pprof_peek(path, regex, unit, *flags):
    """pprof's -peek text as rows ``(node, relation, name, weight, pct, inline, flat, flat%, sum%, cum, cum%)``."""
    text = pprof(f"-peek={regex}", unit_flag(unit), *flags, str(path))
    rows, block = [], []
    for line in _body(text, SEP_PEEK)[2:]:
        if line == SEP_PEEK:
            rows.extend(_peek_block(block))
            block = []
        elif line.strip():
            block.append(line)
    return rows + _peek_block(block)


def _peek_block(block):
    if not block:
        return []
    k = next(i for i, line in enumerate(block) if NODE.match(line))
    n = NODE.match(block[k])
    node = n.group(6)
    out = []
    for i, line in enumerate(block):
        if i == k:
            out.append((node, "self", node, None, None, False, int(n.group(1)), n.group(2), n.group(3),
                        int(n.group(4)), n.group(5)))
            continue
        m = EDGE.match(line)
        assert m, line
        out.append((node, "caller" if i < k else "callee", m.group(3), int(m.group(1)), m.group(2).strip(),
                    bool(m.group(4)), None, None, None, None, None))
    return out


def ours_peek(prof, regex, **opts):
    df = prof.peek(regex, **opts)
    total = df.attrs["total"]
    out = []
    for r in df.itertuples():
        if r.relation == "self":
            out.append((r.node, "self", r.name, None, None, False, int(r.flat), format_percentage(r.flat, total).strip(),
                        format_percentage(_sum(df, r.Index), total).strip(), int(r.cum),
                        format_percentage(r.cum, total).strip()))
        else:
            cum = int(df[(df.node == r.node) & (df.relation == "self")]["cum"].iloc[0])
            out.append((r.node, r.relation, r.name, int(r.weight), format_percentage(r.weight, cum).strip(),
                        bool(r.inline), None, None, None, None, None))
    return out


def _sum(df, upto):
    part = df.iloc[: upto + 1]
    return int(part.loc[part.relation == "self", "flat"].sum())


def _blocks(rows):
    """Group rows per matched node; within a node's callers / callees pprof's order is total
    (weight, then names), across nodes ties of equal names may come in any order."""
    out = {}
    for r in rows:
        out.setdefault(r[0], []).append(r)
    return out


PEEK_CASES = [
    ("main\\.", {}),
    ("main\\.(fib|spin)", {"cum": True}),
    ("main\\.", {"granularity": "lines"}),
    ("hashLoop|spin", {"granularity": "addresses"}),
    ("main\\.", {"focus": "main\\.cpuPhase", "hide": "runtime"}),
    ("slices|sort", {"tagfocus": "kind=sort", "relative_percentages": True}),
    ("runtime\\.mallocgc", {"granularity": "filefunctions", "noinlines": True}),
]


@pytest.mark.parametrize("regex,opts", PEEK_CASES, ids=lambda x: x if isinstance(x, str) else _ids(x))
def test_cpu_peek_matches_pprof(workload_profiles, regex, opts):
    path = workload_profiles / "cpu.pb.gz"
    prof = pprof_parse.read_profile(path)
    flags = _flags({k: v for k, v in opts.items() if k != "noinlines"}) + (["-noinlines"] if opts.get("noinlines") else [])
    ref = pprof_peek(path, regex, "nanoseconds", *flags)
    ours = ours_peek(prof, regex, **opts)
    assert len(ours) == len(ref)
    assert _blocks(ours) == _blocks(ref)
    assert [r[0] for r in ours if r[1] == "self"] == [r[0] for r in ref if r[1] == "self"]


@pytest.mark.parametrize("kind,regex,opts", [
    ("heap", "json|main\\.", {"sample_index": "alloc_space"}),
    ("heap", "main\\.", {"granularity": "lines", "tagfocus": "bytes=:16kb"}),
    ("mutex", "sync|main\\.", {}),
    ("block", "main\\.", {"cum": True}),
    ("heap", "json|main\\.", {"sample_index": "alloc_space", "mean": True}),
    ("mutex", "sync|main\\.", {"sample_index": 1, "mean": True}),
    ("block", "main\\.", {"sample_index": "delay", "mean": True, "cum": True}),
])
def test_other_profiles_peek_matches_pprof(workload_profiles, kind, regex, opts):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index(opts.get("sample_index"))
    ref = pprof_peek(path, regex, prof.sample_types[si].unit, *_flags(opts))
    assert _blocks(ours_peek(prof, regex, **opts)) == _blocks(ref)


def test_peek_without_match_raises(workload_profiles):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    with pytest.raises(pprof_parse.errors.OptionError, match="no matches found for regexp"):
        prof.peek("no-such-function-anywhere")


# ---- tags ---------------------------------------------------------------------------------------

KEY = re.compile(rf"^\s*(.+?): Total {NUM} of {NUM}(?: \((.+)\))?$")
VAL = re.compile(rf"^\s*{NUM} \((.+?)\): (.*)$")


def pprof_tags(path, unit, *flags):
    """pprof's -tags as rows ``(key, value, total, pct, key_total, key_pct)`` in its order."""
    text = pprof("-tags", unit_flag(unit), *flags, str(path))
    rows, key = [], None
    for line in text.splitlines():
        if m := KEY.match(line):
            key = (m.group(1).strip(), int(m.group(2)), (m.group(4) or "").strip())
        elif key and (m := VAL.match(line)):
            rows.append((key[0], m.group(3), int(m.group(1)), m.group(2).strip(), key[1], key[2]))
    return rows


def ours_tags(prof, unit, **opts):
    df = prof.tags(unit={"bytes": "B", "nanoseconds": "ns"}.get(unit, "ns"), **opts)
    total = df.attrs["total"]
    return [(r.key, r.value, int(r.total), format_percentage(r.total, total).strip(), int(r.key_total),
             format_percentage(r.key_total, total).strip()) for r in df.itertuples()]


TAG_CASES = [
    ("cpu", {}),
    ("cpu", {"tagfocus": "phase=cpu"}),
    ("cpu", {"tagignore": "kind=hash"}),
    ("cpu", {"taghide": "kind"}),
    ("cpu", {"tagshow": "phase"}),
    ("cpu", {"focus": "main\\.fib"}),
    ("cpu", {"focus": "main\\.fib", "relative_percentages": True}),
    ("goroutine", {}),
    ("goroutine", {"tagfocus": "role=parked"}),
    ("heap", {}),
    ("heap", {"sample_index": "alloc_space", "tagfocus": "bytes=1kb:"}),
    ("heap", {"sample_index": "alloc_objects", "focus": "main\\."}),
    ("allocs", {}),
    ("mutex", {}),                          # no labels: nothing to list
    ("cpu", {"tagfocus": "phase=no-such-phase"}),
]


@pytest.mark.parametrize("kind,opts", TAG_CASES, ids=lambda x: x if isinstance(x, str) else _ids(x))
def test_tags_match_pprof(workload_profiles, kind, opts):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index(opts.get("sample_index"))
    unit = prof.sample_types[si].unit
    ref = pprof_tags(path, unit, *_flags(opts))
    ours = ours_tags(prof, unit, **opts)
    assert ours == ref


def test_numeric_tags_default_unit_formatting(workload_profiles):
    """Without -unit, pprof auto-scales each numeric label value (``64kB``); the grouping follows the text."""
    path = workload_profiles / "heap.pb.gz"
    prof = pprof_parse.read_profile(path)
    text = pprof("-tags", "-sample_index=alloc_space", str(path))
    ref = [m.group(3) for line in text.splitlines() if (m := re.match(r"^\s*(\S+) \((.+?)\): (.*)$", line))]
    df = prof.tags("alloc_space")
    assert sorted(df["value"]) == sorted(ref)


# ---- traces ---------------------------------------------------------------------------------------

SEP_TRACES = "-----------+-------------------------------------------------------"


def pprof_traces(path, unit, *flags):
    """pprof's -traces as a list of blocks (label lines, value, frame lines)."""
    text = pprof("-traces", unit_flag(unit), *flags, str(path))
    blocks, cur = [], None
    for line in _body(text, SEP_TRACES):
        if line == SEP_TRACES:
            if cur:
                blocks.append(cur)
            cur = {"labels": [], "value": None, "frames": []}
            continue
        if cur["value"] is None and (m := re.match(rf"^\s*{NUM}   (.*)$", line)) and not re.match(r"^\s*\S+:  ", line):
            cur["value"] = int(m.group(1))
            cur["frames"].append(m.group(2))
        elif cur["value"] is None:
            cur["labels"].append(line)
        else:
            assert line.startswith(" " * 13), line
            cur["frames"].append(line[13:])
    return blocks


def ours_traces(prof, **opts):
    df = prof.traces(**opts)
    strs, nums = df.attrs["string_labels"], df.attrs["numeric_labels"]
    out = []
    for _t, g in df.groupby("trace", sort=True):
        first = g.iloc[0]
        sl = sorted(f"{k:>10}:  {first[k]}" for k in strs if k in g.columns and not _na(first[k]))
        nl = sorted(f"{k:>10}:  {first[k]}" for k in nums if k in g.columns and not _na(first[k]))
        out.append({"labels": sl + nl, "value": int(first["value"]),
                    "frames": [n + (" (inline)" if i else "") for n, i in zip(g["name"], g["inline"])]})
    return out


def _na(x):
    return x is None or (isinstance(x, float) and x != x) or x is pprof_parse.profile.pd.NA


TRACE_CASES = [
    ("cpu", {}),
    ("cpu", {"granularity": "addresses"}),
    ("cpu", {"granularity": "lines", "focus": "main\\.", "hide": "runtime\\."}),
    ("cpu", {"show_from": "main\\.hashLoop", "taghide": "kind"}),
    ("cpu", {"prune_from": "main\\.hashLoop", "tagfocus": "phase=cpu"}),
    ("heap", {"sample_index": "alloc_space"}),
    ("heap", {"sample_index": "inuse_space", "mean": True}),
    ("mutex", {}),
    ("goroutine", {}),
]


@pytest.mark.parametrize("kind,opts", TRACE_CASES, ids=lambda x: x if isinstance(x, str) else _ids(x))
def test_traces_match_pprof(workload_profiles, kind, opts):
    path = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index(opts.get("sample_index"))
    ref = pprof_traces(path, prof.sample_types[si].unit, *_flags(opts))
    ours = ours_traces(prof, **opts)
    assert len(ours) == len(ref)
    assert ours == ref


def test_traces_point_at_their_samples(workload_profiles):
    """``sample`` is the row of ``samples`` each trace came from, also after filters drop samples."""
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    t = prof.traces(tagfocus="phase=cpu", hide="runtime\\.")
    first = t[t.depth == 0]
    assert (prof.samples.loc[first["sample"], "cpu"].to_numpy() == first["value"].to_numpy()).all()
    assert (prof.samples.loc[first["sample"], "phase"].astype(str).to_numpy() == "cpu").all()
