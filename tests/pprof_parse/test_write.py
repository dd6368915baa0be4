"""to_proto and to_collapsed: what we write, go tool pprof reads back identically."""

from __future__ import annotations

import io
from collections import defaultdict

import pytest

import pprof_parse
from pprof_oracle import pprof, pprof_top, unit_flag

pytestmark = pytest.mark.go

PROFILE_TYPES = ["cpu", "heap", "allocs", "mutex", "block", "goroutine", "threadcreate", "goroutineleak"]


def _rows(ref):
    return sorted((r["name"], r["flat"], r["cum"], r["inline"]) for r in ref.rows), ref.total


def _ours(prof, si, **kw):
    df = prof.top(si, **kw)
    return sorted(zip(df["name"], df["flat"].tolist(), df["cum"].tolist(), df["inline"])), df.attrs["total"]


@pytest.mark.parametrize("kind", PROFILE_TYPES)
def test_written_proto_reads_identically_in_pprof(workload_profiles, tmp_path, kind):
    """pprof's whole -top output (header included) on our file equals pprof on the original,
    for every sample index; our top() equals both."""
    src = workload_profiles / f"{kind}.pb.gz"
    prof = pprof_parse.read_profile(src)
    out = tmp_path / f"{kind}.written.pb.gz"
    assert prof.to_proto(out) is None
    for si, st in enumerate(prof.sample_types):
        flags = ["-top", "-nodefraction=0", "-edgefraction=0", unit_flag(st.unit), f"-sample_index={si}"]
        assert pprof(*flags, str(out)) == pprof(*flags, str(src))
        assert _ours(prof, si) == _rows(pprof_top(out, f"-sample_index={si}", unit=st.unit))
    # and -raw: every sample, location, mapping and label survives
    assert pprof("-raw", str(out)) == pprof("-raw", str(src))


def test_to_proto_bytes_roundtrip(workload_profiles):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    data = prof.to_proto()
    assert data[:2] == b"\x1f\x8b"
    again = pprof_parse.read_profile(data)
    assert again.samples.equals(prof.samples)
    assert again.frames.equals(prof.frames)
    buf = io.BytesIO()
    prof.to_proto(buf)
    assert pprof_parse.read_profile(buf.getvalue()).top().equals(prof.top())


@pytest.mark.parametrize("kind", ["heap", "mutex", "block", "goroutine"])
def test_text_profile_written_as_proto(workload_profiles, tmp_path, kind):
    """A debug=1 text written as proto: pprof now sees names, labels and the proto's values
    (for mutex: without pprof's ×sampling-period over-count)."""
    text = pprof_parse.read_profile(workload_profiles / f"{kind}.debug1.txt")
    out = tmp_path / f"{kind}.fromtext.pb.gz"
    text.to_proto(out)
    proto = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    for si, st in enumerate(text.sample_types):
        ref = pprof_top(out, f"-sample_index={si}", unit=st.unit)
        assert _ours(text, si) == _rows(ref)
        assert ref.total == proto.total(si)
    if kind == "goroutine":
        tags = pprof("-tags", str(out))
        assert "role" in tags and "parked" in tags


@pytest.mark.parametrize("opts", [{"focus": "main"}, {"ignore": "runtime"}, {"hide": "runtime"}, {"show_from": "main"}])
def test_filtered_profile_written_equals_pprof_filter(workload_profiles, tmp_path, opts):
    """filter() then to_proto: pprof on the file = pprof with the same filter (relative percentages)."""
    src = workload_profiles / "cpu.pb.gz"
    prof = pprof_parse.read_profile(src).filter(**opts)
    out = tmp_path / "filtered.pb.gz"
    prof.to_proto(out)
    flags = [f"-{k}={v}" for k, v in opts.items()]
    assert _rows(pprof_top(out, unit="nanoseconds")) == _rows(pprof_top(src, "-relative_percentages", *flags, unit="nanoseconds"))


# ---- folded stacks ---------------------------------------------------------------------------
def _parse_folded(text):
    out = []
    for line in text.splitlines():
        stack, _, v = line.rpartition(" ")
        out.append((stack.split(";"), int(v)))
    return out


@pytest.mark.parametrize("kind,si", [("cpu", None), ("heap", "alloc_space"), ("heap", None), ("mutex", 1), ("goroutine", None)])
def test_collapsed_matches_top(workload_profiles, kind, si):
    """Folded stacks carry exactly top()'s numbers: per function, flat = Σ of lines whose leaf
    it is, cum = Σ of lines containing it (once per line, as pprof counts cum)."""
    prof = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    folded = _parse_folded(prof.to_collapsed(si))
    assert folded and all(v != 0 for _, v in folded)
    assert len({";".join(s) for s, _ in folded}) == len(folded)  # one line per distinct stack
    flat, cum = defaultdict(int), defaultdict(int)
    for stack, v in folded:
        flat[stack[-1]] += v
        for f in set(stack):
            cum[f] += v
    top = prof.top(si)
    named = top[top["name"] != "<unknown>"]
    # ';' separates frames in the format, so the writer spells it ':' inside a name (Go's
    # generic instantiations contain "; ", e.g. go.shape.struct { a; b })
    keys = [n.replace(";", ":") for n in named["name"]]
    assert dict(zip(keys, named["flat"])) == {k: flat.get(k, 0) for k in keys}
    assert dict(zip(keys, named["cum"])) == {k: cum.get(k, 0) for k in keys}
    assert sum(v for _, v in folded) == int(prof.data.values[:, prof.sample_index(si)].sum())


def test_collapsed_to_file(workload_profiles, tmp_path):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    out = tmp_path / "cpu.folded"
    assert prof.to_collapsed(path_or_file=out) is None
    assert out.read_text() == prof.to_collapsed()
    first = out.read_text().splitlines()[0]
    assert not first.startswith(";") and first.rsplit(" ", 1)[1].isdigit()
