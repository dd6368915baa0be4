"""debug=1 text profiles against the profile.proto written at the same moment, and against pprof."""

from __future__ import annotations

import re

import numpy as np
import pytest

import pprof_parse
from pprof_parse.errors import ProfileFormatError
from pprof_oracle import pprof_top

pytestmark = pytest.mark.go

TEXT_TYPES = ["heap", "allocs", "mutex", "block", "goroutine", "threadcreate", "goroutineleak"]
GRANULARITIES = ["functions", "filefunctions", "files", "lines", "addresses"]


def print_name(name: str) -> str:
    """The runtime's ``funcNameForPrint``: the text shows generic shapes as ``[...]``."""
    i = name.find("[")
    j = name.rfind("]")
    return name if i < 0 or j <= i else name[:i] + "[...]" + name[j + 1:]


def printed_names(prof):
    """The proto with function names as the text prints them (generic shapes elided)."""
    d = prof.data
    n = len(d.strings)
    strings = list(d.strings) + [print_name(d.strings[i]) for i in d.func_name]
    return pprof_parse.Profile(d.with_(strings=strings, func_name=np.arange(n, n + d.func_name.size)))


def _rows(prof, si, granularity, proto=False):
    df = (printed_names(prof) if proto else prof).top(si, granularity=granularity)
    names = df["name"]
    if granularity == "files":
        # pprof keeps Function.start_line in -files nodes, so one file can be several
        # nodes (one per function start line); the text has no start lines. Compare flat per file.
        return sorted(df.groupby(names)["flat"].sum().items()), df.attrs["total"]
    return sorted(zip(names, df["flat"].tolist(), df["cum"].tolist(), df["inline"].tolist())), df.attrs["total"]


@pytest.mark.parametrize("kind", ["heap", "allocs", "mutex", "block"])
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_text_top_equals_proto_top(workload_profiles, kind, granularity):
    """Every node, every sample index: the text gives the proto's numbers (heap after unsampling)."""
    text = pprof_parse.read_profile(workload_profiles / f"{kind}.debug1.txt")
    proto = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    assert text.sample_types == proto.sample_types
    assert (text.period_type, text.period) == (proto.period_type, proto.period)
    for si in range(len(proto.sample_types)):
        ours, ours_total = _rows(text, si, granularity)
        ref, ref_total = _rows(proto, si, granularity, proto=True)
        assert ours_total == ref_total
        assert ours == ref, (si, sorted(set(ours) - set(ref))[:5], sorted(set(ref) - set(ours))[:5])


@pytest.mark.parametrize("kind", ["goroutine", "goroutineleak", "threadcreate"])
def test_count_text_matches_proto(workload_profiles, kind):
    """Count profiles: same totals and cum for every named node. The text hides leading
    runtime frames (``printStackRecord``), so their flat lands on an address-only
    ``<unknown>`` leaf that carries exactly the proto's runtime.* flat."""
    text = pprof_parse.read_profile(workload_profiles / f"{kind}.debug1.txt")
    proto = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    assert text.sample_types == proto.sample_types
    t, p = text.top(), proto.top()
    assert t.attrs["total"] == p.attrs["total"] > 0
    tc, pc = dict(zip(t.name, t.cum)), dict(zip(p.name, p.cum))
    # the goroutine that wrote the profile differs between the two writes
    writer = {n for n in pc if "write" in n.lower() or n in ("main.main", "runtime.main", "runtime/pprof.(*Profile).WriteTo")}
    writer |= {n for n in tc if "write" in n.lower()}
    for name, cum in tc.items():
        if name != "<unknown>" and name not in writer:
            assert pc.get(name) == cum, name
    hidden_flat = int(t.loc[t.name == "<unknown>", "flat"].sum())
    p_named = set(tc) - {"<unknown>"}
    assert hidden_flat == int(p.loc[~p.name.isin(p_named), "flat"].sum())


def test_goroutine_labels_kept(workload_profiles):
    text = pprof_parse.read_profile(workload_profiles / "goroutine.debug1.txt")
    proto = pprof_parse.read_profile(workload_profiles / "goroutine.pb.gz")

    def by_labels(prof):
        s = prof.samples
        keys = [s[c].astype(object).where(s[c].notna(), "") for c in ("role", "worker")]
        return s.groupby(keys)["goroutine"].sum().to_dict()

    assert by_labels(text) == by_labels(proto)
    assert by_labels(text)[("parked", "0")] == 2


def test_heap_memstats_trailer(workload_profiles):
    prof = pprof_parse.read_profile(workload_profiles / "heap.debug1.txt")
    ms = prof.meta["memstats"]
    assert isinstance(ms["HeapAlloc"], int) and ms["HeapAlloc"] > 0
    assert isinstance(ms["GCCPUFraction"], float)
    assert len(ms["PauseNs"]) == 256
    assert ms["StackInuse"] <= ms["StackSys"]
    assert prof.meta["header"]["rate"] == prof.period == 4096


@pytest.mark.parametrize("kind", ["heap", "block"])
def test_text_totals_equal_pprof_on_text(workload_profiles, kind):
    """pprof's own text parser (address-only) agrees with us on every total for heap and block."""
    path = workload_profiles / f"{kind}.debug1.txt"
    prof = pprof_parse.read_profile(path)
    for si, st in enumerate(prof.sample_types):
        ref = pprof_top(path, f"-sample_index={si}", unit=st.unit)
        assert prof.total(si) == ref.total


def test_mutex_text_pprof_overcounts_by_sampling_period(workload_profiles):
    """pprof multiplies the mutex text by ``sampling period`` although the runtime already
    did: measured factor = the period (5 in the workload). We equal the proto instead."""
    path = workload_profiles / "mutex.debug1.txt"
    text = pprof_parse.read_profile(path)
    proto = pprof_parse.read_profile(workload_profiles / "mutex.pb.gz")
    period = text.meta["sampling_period"]
    assert period == 5
    contentions = pprof_top(path, "-sample_index=0", unit="count").total
    delay = pprof_top(path, "-sample_index=1", unit="nanoseconds").total
    assert text.total(0) == proto.total(0) > 0
    assert text.total(1) == proto.total(1) > 0
    assert contentions == period * text.total(0)
    # pprof truncates cycles*period/GHz per record, we truncate cycles/GHz: equal up to rounding
    assert abs(delay - period * text.total(1)) <= period * len(text)
    assert delay / text.total(1) == pytest.approx(period, rel=1e-6)


# ---- malformed text: typed errors with the line number -------------------------------
def _mutate(path, fn) -> bytes:
    lines = path.read_text().split("\n")
    fn(lines)
    return "\n".join(lines).encode()


def _first(lines, pred):
    return next(i for i, s in enumerate(lines) if pred(s))


@pytest.mark.parametrize("case", ["heap_record", "heap_zero_count", "symbol", "labels", "attr", "header", "count_record"])
def test_bad_text_raises_with_line_number(workload_profiles, case):
    d = workload_profiles

    def heap_record(lines):
        i = _first(lines, lambda s: s[:1].isdigit())
        lines[i] = lines[i].replace("[", "(", 1)
        return i

    def heap_zero_count(lines):
        i = _first(lines, lambda s: re.match(r"\d+: \d+ \[[1-9]\d*: [1-9]", s))
        lines[i] = re.sub(r"\[\d+:", "[0:", lines[i], count=1)
        return i

    def symbol(lines):
        i = _first(lines, lambda s: s.startswith("#\t0x"))
        lines[i] = lines[i].replace("\t0x", "\tzz", 1)
        return i

    def labels(lines):
        i = _first(lines, lambda s: s.startswith("# labels:"))
        lines[i] = "# labels: role=leaked"
        return i

    def attr(lines):
        lines.insert(2, "frobs/second=7")
        return 2

    def header(lines):
        lines[0] = "heap profile: 1: 2 [3: 4] @ bogus/8"
        return 0

    def count_record(lines):
        i = _first(lines, lambda s: " @ 0x" in s)
        lines[i] = lines[i].replace(" @ ", " at ", 1)
        return i

    fn, src = {"heap_record": (heap_record, "heap"), "heap_zero_count": (heap_zero_count, "heap"),
               "symbol": (symbol, "mutex"), "labels": (labels, "goroutine"), "attr": (attr, "mutex"),
               "header": (header, "heap"), "count_record": (count_record, "threadcreate")}[case]
    where = {}
    data = _mutate(d / f"{src}.debug1.txt", lambda lines: where.setdefault("i", fn(lines)))
    with pytest.raises(ProfileFormatError) as exc:
        pprof_parse.read_profile(data)
    assert exc.value.line == where["i"] + 1
    assert f"line {where['i'] + 1}:" in str(exc.value)


def test_unknown_text_is_a_format_error():
    with pytest.raises(ProfileFormatError, match="line 1: unrecognized text profile header"):
        pprof_parse.read_profile(b"hello profile\n1 @ 0x1\n")
    with pytest.raises(ProfileFormatError, match="line 3"):
        pprof_parse.read_profile(b"goroutine profile: total 1\n1 @ 0x1\nnonsense\n")


@pytest.mark.parametrize("kind", ["mutex", "block", "heap", "allocs"])
def test_inlined_frames_form_one_location(workload_profiles, kind):
    """The text prints one symbol line per logical frame; frames inlined at one PC become one
    location whose lines (innermost first) and address equal the proto's (e.g. mutex:
    sync.(*Mutex).Unlock inlined into main.contendMutex)."""
    text = pprof_parse.read_profile(workload_profiles / f"{kind}.debug1.txt")
    proto = printed_names(pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz"))

    def shapes(p):
        loc = p.locations
        g = loc.groupby("address")[["function", "line"]].agg(lambda s: tuple(map(str, s)))
        return {a: (f, ln) for a, f, ln in g.itertuples(name=None)}

    t, p = shapes(text), shapes(proto)
    common = set(t) & set(p)
    assert len(common) >= 0.9 * len(p)  # heap: the two writes may differ by a few records
    assert {a: t[a] for a in common} == {a: p[a] for a in common}
    if kind in ("mutex", "heap", "allocs"):
        assert np.diff(text.data.loc_line_offsets).max() >= 2


@pytest.mark.parametrize("variant", ["crlf", "gzip", "file"])
def test_text_transport_variants(workload_profiles, variant):
    import gzip
    import io

    raw = (workload_profiles / "heap.debug1.txt").read_bytes()
    data = {"crlf": raw.replace(b"\n", b"\r\n"), "gzip": gzip.compress(raw), "file": io.BytesIO(raw)}[variant]
    assert pprof_parse.read_profile(data).top().equals(pprof_parse.read_profile(raw).top())


# (mutated real text profiles, read back through to_proto: tests/fuzz/)


# ---- line-end conventions and a BOM (issue 13, section 1) ----------------------------------
@pytest.mark.parametrize("kind", ["mutex", "heap", "goroutine"])
@pytest.mark.parametrize("variant", ["cr", "crlf", "bom", "bom_cr", "mixed"])
def test_line_ends_and_bom_read_like_lf(workload_profiles, kind, variant):
    """The runtime's debug=1 text with CR-only, CRLF or mixed line ends, or a UTF-8 BOM, reads
    exactly as the original (CR-only used to give 0 samples without a word)."""
    raw = (workload_profiles / f"{kind}.debug1.txt").read_bytes()
    lines = raw.split(b"\n")
    data = {
        "cr": raw.replace(b"\n", b"\r"),
        "crlf": raw.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + raw,
        "bom_cr": b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r"),
        "mixed": b"".join(ln + (b"\n", b"\r", b"\r\n")[i % 3] for i, ln in enumerate(lines)),
    }[variant]
    ref = pprof_parse.read_profile(raw)
    got = pprof_parse.read_profile(data)
    assert len(got) == len(ref) > 0
    assert got.top().equals(ref.top())
    for si in range(len(ref.sample_types)):
        assert got.total(si) == ref.total(si)


def test_cr_only_error_reports_cr_line_number(workload_profiles):
    """Line numbers count CR-only line ends too."""
    lines = (workload_profiles / "mutex.debug1.txt").read_text().split("\n")
    i = _first(lines, lambda s: s.startswith("#\t0x"))
    lines[i] = lines[i].replace("\t0x", "\tzz", 1)
    with pytest.raises(ProfileFormatError) as exc:
        pprof_parse.read_profile("\r".join(lines).encode())
    assert exc.value.line == i + 1
