"""Source lines (``Profile.list``) against ``go tool pprof -list`` on the workload's profiles.

pprof's text is parsed (values exact via ``-unit=ns``/``-unit=B``): every line
with a nonzero flat or cum must be a row of ours with the same numbers, and
nothing more; the ``ROUTINE`` headers' (flat, cum) must equal
``attrs["functions"]``; the source text must be the workload's own lines.
Both sides search the same directories (the workload's sources and GOROOT's),
so pprof finds every file and prints every line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import pprof_parse
from pprof_parse import Profile
from pprof_parse.errors import OptionError
from pprof_parse.present.source_files import go_env
from pprof_oracle import pprof, unit_flag

pytestmark = [pytest.mark.go, pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning"),
              pytest.mark.usefixtures("engine")]

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
TRIM = "example.com/gopherlab"  # the workload's module path minus its last element (built with -trimpath)
NUM = r"(?:\.|-?\d+[a-zA-Zμ]*)"
ROUTINE = re.compile(r"^ROUTINE =+ (.*) in (.*)$")
HEAD = re.compile(r"^\s*(-?\d+)[a-zA-Zμ]*\s+(-?\d+)[a-zA-Zμ]* \(flat, cum\)")
LINE = re.compile(rf"^\s*({NUM})\s+({NUM})\s+(\d+):(.*)$")


def profile_list(prof: Profile, regex: str, **kw):
    return prof.list(regex, **kw)


def _value(s: str) -> int:
    return 0 if s == "." else int(re.match(r"-?\d+", s).group(0))


def pprof_list(path, regex, unit, source_path, *flags):
    """pprof's -list text as ``(lines, heads, total)``: nonzero lines ``(function, line, flat, cum, text)``,
    headers ``(function, flat, cum)``."""
    text = pprof(f"-list={regex}", unit_flag(unit), f"-source_path={source_path}", f"-trim_path={TRIM}",
                 *flags, str(path))
    lines, heads, fn, total = [], [], None, None
    for row in text.splitlines():
        if row.startswith("Total: "):
            total = _value(row[len("Total: "):])
        elif m := ROUTINE.match(row):
            fn = m.group(1)
        elif m := HEAD.match(row):
            heads.append((fn, int(m.group(1)), int(m.group(2))))
        elif row.startswith(" Error:"):
            raise AssertionError(f"pprof did not find a source file: {row}")
        elif m := LINE.match(row):
            flat, cum = _value(m.group(1)), _value(m.group(2))
            if flat or cum:
                lines.append((fn, int(m.group(3)), flat, cum, m.group(4)))
        elif row.strip():
            raise AssertionError(f"unparsed pprof -list line: {row!r}")
    return lines, heads, total


def _flags(opts):
    out = []
    for k, v in opts.items():
        if k in ("noinlines", "mean", "relative_percentages"):
            out.append(f"-{k}")
        else:
            out.append(f"-{k}={v}")
    return out


def _search_path():
    goroot = go_env().get("GOROOT")
    return os.pathsep.join([str(EXAMPLES)] + ([os.path.join(goroot, "src")] if goroot else []))


def check_against_pprof(path, regex, *, sample_index=None, **opts):
    prof = pprof_parse.read_profile(path)
    si = prof.sample_index(sample_index)
    unit = prof.sample_types[si].unit
    search = _search_path()
    flags = _flags(opts) + ([f"-sample_index={sample_index}"] if sample_index is not None else [])
    want, heads, total = pprof_list(path, regex, unit, search, *flags)
    assert want and heads
    df = profile_list(prof, regex, sample_index=sample_index, source_path=search, trim_path=TRIM, **opts)
    got = list(zip(df["function"], df["line"].tolist(), df["flat"].tolist(), df["cum"].tolist(), df["source"]))
    assert [g[:4] for g in got] == [w[:4] for w in want]
    assert [g[4] for g in got] == [w[4] for w in want]  # the same source text, line for line
    assert [(h["function"], h["flat"], h["cum"]) for h in df.attrs["functions"]] == heads
    assert df.attrs["total"] == total
    assert df.attrs["missing_sources"] == []
    assert df["line"].dtype == np.int64 and df["flat"].dtype == np.int64 and df["cum"].dtype == np.int64
    return df


CPU_CASES = [
    (r"main\.(fib|spin|hashLoop)$", {}),  # fib recurses: a line's cum counts a sample once
    (r"main\.(spin|mix)$", {}),  # inlined into hashLoop (mix into spin): their own lines
    (r"main\.(spin|hashLoop)$", {"noinlines": True}),  # spin's lines folded into hashLoop's call line
    (r"^main\.", {}),
    (r"^main\.", {"focus": "sortWork"}),
    (r"^main\.", {"ignore": "fib", "hide": "mix"}),
    (r"^main\.", {"focus": "json", "relative_percentages": True}),
    (r"runtime\.mallocgc$|sort\.", {}),  # the standard library, found in GOROOT
    pytest.param(r"json", {"show_from": "jsonWork"}, marks=pytest.mark.xfail(strict=False, reason=(
        "known difference, not yet understood: on some workload runs pprof's -list with -show_from leaves out "
        "lines its own -top -lines -show_from shows (a flat line 71 of makeSliceArshaler.func3, main.jsonWork:119), "
        "while ours follows -top")), id="json|{'show_from': 'jsonWork'}"),
]


@pytest.mark.parametrize("regex,opts", CPU_CASES,
                         ids=[c.id if hasattr(c, "marks") else f"{c[0]}|{c[1]}" for c in CPU_CASES])
def test_cpu_list_matches_pprof(workload_profiles, regex, opts):
    check_against_pprof(workload_profiles / "cpu.pb.gz", regex, **opts)


OTHER_CASES = [
    ("heap", r"^main\.", "alloc_space", {}),
    ("heap", r"^main\.|makeBucketArray", "inuse_space", {}),
    ("heap", r"^main\.alloc", "alloc_objects", {"mean": True}),
    ("allocs", r"^main\.", None, {"noinlines": True}),
    ("mutex", r"sync|^main\.", None, {}),
    ("block", r".", None, {}),
]


@pytest.mark.parametrize("kind,regex,sample_index,opts", OTHER_CASES, ids=[f"{k}|{r}|{s}|{o}" for k, r, s, o in OTHER_CASES])
def test_other_profiles_list_matches_pprof(workload_profiles, kind, regex, sample_index, opts):
    check_against_pprof(workload_profiles / f"{kind}.pb.gz", regex, sample_index=sample_index, **opts)


def test_recursive_line_cum_counted_once(sample_profiles):
    """fib's recursive call line: its cum is the value of the samples with that line anywhere on the
    stack, each counted once (checked on the committed profile, where fib recursed; the frames table
    is the independent count)."""
    prof = pprof_parse.read_profile(sample_profiles / "cpu.pb.gz")
    df = profile_list(prof, r"^main\.fib$", source_path=str(EXAMPLES), trim_path=TRIM)
    frames = prof.frames
    on_line = frames[(frames["function"] == "main.fib") & (frames["line"] == 55)]
    assert on_line.groupby("sample").size().max() > 1  # the line recurs within a sample
    values = prof.samples["cpu"]
    row = df[df["line"] == 55].iloc[0]
    assert row["source"] == "\treturn fib(n-1) + fib(n-2)"
    assert row["cum"] == values.loc[on_line["sample"].unique()].sum()
    assert row["cum"] < values.loc[on_line["sample"]].sum()  # not once per frame


def test_source_text_is_the_workloads(workload_profiles):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    df = profile_list(prof, r"^main\.", source_path=str(EXAMPLES), trim_path=TRIM)
    src = (EXAMPLES / "workload" / "main.go").read_text().splitlines()
    assert len(df) > 5
    for line, text in zip(df["line"], df["source"]):
        assert text == src[line - 1]
    assert df.attrs["source_files"]["example.com/gopherlab/workload/main.go"] == str(EXAMPLES / "workload" / "main.go")


def test_missing_source_gives_rows_without_text(workload_profiles, tmp_path, monkeypatch):
    """No file found: the numbers stay, the text is NA, the file is named in attrs["missing_sources"]."""
    monkeypatch.chdir(tmp_path)
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    found = profile_list(prof, r"^main\.", source_path=str(EXAMPLES), trim_path=TRIM)
    lost = profile_list(prof, r"^main\.", source_path=str(tmp_path))
    assert lost["source"].isna().all()
    assert lost.attrs["missing_sources"] == ["example.com/gopherlab/workload/main.go"]
    assert lost.drop(columns="source").equals(found.drop(columns="source"))


def test_no_match_raises(workload_profiles):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    with pytest.raises(OptionError, match="no matches found"):
        profile_list(prof, r"^no\.such\.function$")
    with pytest.raises(OptionError, match="no matches found"):
        profile_list(prof, r"^main\.spin$", noinlines=True)  # always inlined: no line of its own left
    with pytest.raises(OptionError):
        profile_list(prof, r"(?=x)")  # Go's regexp refuses look-ahead, as pprof does
