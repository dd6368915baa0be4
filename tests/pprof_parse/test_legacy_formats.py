"""Legacy formats pprof reads (issue 13, section 4): a C++ heap profile with a memory map, and
Go's binary CPU profile from before Go 1.9 — compared with the real ``go tool pprof``.

Both inputs are crafted: the project's Go programs cannot write them (gperftools' heap
profiler is C++, and Go has written profile.proto since 1.9). Their layout follows
google/pprof's parsers (``profile/legacy_profile.go``); the hostile cases are crafted
by nature.
"""

from __future__ import annotations

import struct
import time

import pytest

import pprof_parse
from pprof_parse.errors import PprofParseWarning, ProfileFormatError
from pprof_parse.read.legacy_maps import massage, parse_maps
from pprof_oracle import pprof_top

MAIN = 0x400000
LIBC = 0x7F3A10000000
LIBM = 0x7F3A20000000
MAP_LINES = [
    "  source=/srv/crafted",
    f"  {MAIN:08x}-{MAIN + 0x80000:08x}: $source/crafted_server",
    # one library split into two adjacent executable entries (merged), and a data entry (skipped)
    f"{LIBC:x}-{LIBC + 0x10000:x} r-xp 00000000 08:01 4411 /opt/crafted-nonexistent/lib/libc-2.15.so",
    f"{LIBC + 0x10000:x}-{LIBC + 0x20000:x} r-xp 00010000 08:01 4411 /opt/crafted-nonexistent/lib/libc-2.15.so",
    f"{LIBC + 0x20000:x}-{LIBC + 0x30000:x} rw-p 00020000 08:01 4411 /opt/crafted-nonexistent/lib/libc-2.15.so",
    f"{LIBM:x}-{LIBM + 0x10000:x} r-xp 00000000 08:01 4412 /opt/crafted-nonexistent/lib/libm-2.15.so",
]
# leaf first; 0xdead0000 lies in no mapping (pprof's fake mapping: <unknown>)
STACKS = [
    (3, 3072, [LIBC + 0x1234, MAIN + 0x100, MAIN + 0x200]),
    (1, 512, [LIBC + 0x11000, LIBM + 0x40, MAIN + 0x200]),
    (2, 64, [LIBM + 0x80, MAIN + 0x300, MAIN + 0x200]),
    (5, 160, [0xDEAD0000, MAIN + 0x300]),
    (1, 4096, [MAIN + 0x400]),
]


def heap_text(sentinel="--- Memory map: ---", line_end="\n") -> bytes:
    n = sum(c for c, _, _ in STACKS)
    b = sum(s for _, s, _ in STACKS)
    lines = [f"heap profile: {n:6d}: {b:8d} [{2 * n:6d}: {2 * b:8d}] @ heapprofile"]
    for c, s, pcs in STACKS:
        lines.append(f"{c:6d}: {s:8d} [{2 * c:6d}: {2 * s:8d}] @ " + " ".join(f"0x{a:016x}" for a in pcs))
    lines += ["", sentinel, *MAP_LINES, ""]
    return line_end.join(lines).encode()


def _ours(prof, si, granularity="functions"):
    df = prof.top(si, granularity=granularity)
    return sorted(zip(df["name"], df["flat"].tolist(), df["cum"].tolist())), df.attrs["total"]


def _ref(path, si, unit, *flags):
    ref = pprof_top(path, f"-sample_index={si}", *flags, unit=unit)
    return sorted((r["name"], r["flat"], r["cum"]) for r in ref.rows), ref.total


# ---- C++ heap profile with a memory map ------------------------------------------------------
@pytest.mark.go
@pytest.mark.parametrize("sentinel", ["--- Memory map: ---", "MAPPED_LIBRARIES:"])
@pytest.mark.parametrize("granularity", ["functions", "addresses"])
def test_heap_with_memory_map_top_equals_pprof(tmp_path, go, sentinel, granularity):
    path = tmp_path / "crafted.heap"
    path.write_bytes(heap_text(sentinel))
    prof = pprof_parse.read_profile(path)
    flags = ("-addresses",) if granularity == "addresses" else ()
    for si, st in enumerate(prof.sample_types):
        assert _ours(prof, si, granularity) == _ref(path, si, st.unit, *flags)
    names = set(prof.top()["name"])
    assert {"[libc-2.15.so]", "[libm-2.15.so]", "[crafted_server]", "<unknown>"} <= names


def test_memory_map_rules():
    maps = massage(parse_maps(MAP_LINES))
    assert [(m.file, m.start, m.limit) for m in maps] == [
        ("/srv/crafted/crafted_server", MAIN, MAIN + 0x80000),
        ("/opt/crafted-nonexistent/lib/libc-2.15.so", LIBC, LIBC + 0x20000),  # merged, rw-p skipped
        ("/opt/crafted-nonexistent/lib/libm-2.15.so", LIBM, LIBM + 0x10000),
    ]


# ---- Go's legacy binary CPU profile ----------------------------------------------------------
HANDLER = MAIN + 0x7000  # a second frame in every sample: the signal handler's, stripped by pprof
CPU_SAMPLES = [
    (40, [MAIN + 0x1010, HANDLER + 1, MAIN + 0x2001, MAIN + 0x3001]),
    (25, [LIBC + 0x500, HANDLER + 1, LIBC + 0x500, MAIN + 0x3001]),  # leaf repeated (as leaf + 1 - 1): dropped
    (4, [LIBC + 0x600, HANDLER + 1, LIBC + 0x601, MAIN + 0x3001]),  # leaf == next - 1: kept
    (10, [MAIN + 0x1020, HANDLER + 1, MAIN + 0x4001, MAIN + 0x3001]),
    (3, [0xDEAD0000, HANDLER + 1, MAIN + 0x4001]),
    (7, [LIBM + 0x90, HANDLER + 1, LIBM + 0x101, MAIN + 0x2001, MAIN + 0x3001]),
]
PROC_MAPS = [
    f"{MAIN:08x}-{MAIN + 0x80000:08x} r-xp 00000000 08:01 1001 /opt/crafted-nonexistent/bin/oldgo",
    f"{MAIN + 0x80000:08x}-{MAIN + 0x90000:08x} rw-p 00080000 08:01 1001 /opt/crafted-nonexistent/bin/oldgo",
    f"{LIBC:x}-{LIBC + 0x10000:x} r-xp 00000000 08:01 4411 /opt/crafted-nonexistent/lib/libc-2.19.so",
    f"{LIBM:x}-{LIBM + 0x10000:x} r-xp 00000000 08:01 4412 /opt/crafted-nonexistent/lib/libm-2.19.so",
    "7ffd1e1fe000-7ffd1e200000 r-xp 00000000 00:00 0                          [vdso]",
]


def legacy_cpu(fmt="<Q", period_us=10000, samples=CPU_SAMPLES, trailer=True, maps=PROC_MAPS) -> bytes:
    words = [0, 3, 0, period_us, 0]
    for count, pcs in samples:
        words += [count, len(pcs), *pcs]
    if trailer:
        words += [0, 1, 0]
    body = b"".join(struct.pack(fmt, w) for w in words)
    return body + ("".join(m + "\n" for m in maps)).encode()


@pytest.mark.go
@pytest.mark.parametrize("fmt", ["<Q", ">Q", "<I", ">I"])
@pytest.mark.parametrize("granularity", ["functions", "addresses"])
def test_legacy_cpu_top_equals_pprof(tmp_path, go, fmt, granularity):
    samples = CPU_SAMPLES if fmt.endswith("Q") else [(c, [a & 0xFFFFFFFF for a in pcs]) for c, pcs in CPU_SAMPLES]
    path = tmp_path / "old.cpu"
    path.write_bytes(legacy_cpu(fmt, samples=samples))
    prof = pprof_parse.read_profile(path)
    assert prof.sample_types == [("samples", "count"), ("cpu", "nanoseconds")]
    assert (prof.period_type, prof.period) == (("cpu", "nanoseconds"), 10_000_000)
    flags = ("-addresses",) if granularity == "addresses" else ()
    for si, st in enumerate(prof.sample_types):
        assert _ours(prof, si, granularity) == _ref(path, si, st.unit, *flags)
    assert prof.total(0) == 89
    if fmt.endswith("Q"):
        assert {"[oldgo]", "[libc-2.19.so]", "[libm-2.19.so]", "<unknown>"} <= set(prof.top()["name"])


@pytest.mark.go
def test_legacy_cpu_raw_equals_pprof(tmp_path, go):
    """``-raw``: the same samples (values and location addresses) as pprof's own reading."""
    from pprof_oracle import pprof

    path = tmp_path / "old.cpu"
    path.write_bytes(legacy_cpu())
    raw = pprof("-raw", str(path))
    ours = pprof_parse.read_profile(path)
    sec = raw.split("Samples:")[1].split("Locations")[0].strip().splitlines()[1:]
    ref_samples = sorted(tuple(int(x) for x in ln.replace(":", " ").split()) for ln in sec if ln.strip())
    locs = {}
    for ln in raw.split("Locations")[1].split("Mappings")[0].strip().splitlines():
        f = ln.split()
        if f and f[0].endswith(":"):
            locs[int(f[0][:-1])] = int(f[1], 16)
    ref = sorted(tuple(int(x) for x in s[:2]) + tuple(locs[i] for i in s[2:]) for s in ref_samples)
    d = ours.data
    got = []
    for i in range(len(ours)):
        stack = d.stack_locs[d.stack_offsets[i]:d.stack_offsets[i + 1]]
        got.append(tuple(int(v) for v in d.values[i]) + tuple(int(d.loc_address[j]) for j in stack))
    assert sorted(got) == ref


@pytest.mark.parametrize("case", ["truncated_stack", "huge_depth", "truncated_header", "count_overflow", "java"])
def test_hostile_legacy_cpu_typed_error_with_offset(case):
    good = legacy_cpu()
    data, offset = {
        "truncated_stack": (good[:5 * 8 + 2 * 8 + 8], 40),
        "huge_depth": (struct.pack("<5Q", 0, 3, 0, 1, 0) + struct.pack("<2Q", 1, 2**62) + b"\0" * 64, 40),
        "truncated_header": (struct.pack("<5Q", 0, 3, 0, 1, 0) + b"\1\0\0", 40),
        "count_overflow": (struct.pack("<5Q", 0, 3, 0, 1000, 0) + struct.pack("<3Q", 2**62, 1, 5), 40),
        "java": (struct.pack("<5Q", 0, 3, 1, 1000, 0), 16),
    }[case]
    t = time.perf_counter()
    with pytest.raises(ProfileFormatError, match="legacy CPU profile") as exc:
        pprof_parse.read_profile(data)
    assert exc.value.offset == offset
    assert time.perf_counter() - t < 2


def test_legacy_cpu_without_trailer_warns():
    with pytest.warns(PprofParseWarning, match="trailer"):
        prof = pprof_parse.read_profile(legacy_cpu(trailer=False, maps=[]))
    assert prof.total(0) == 89


def test_hostile_legacy_cpu_is_bounded():
    """3 MB of minimal samples (count 1, depth 0): read in bounded time, one sample each."""
    n = 200_000
    data = struct.pack("<5Q", 0, 3, 0, 1, 0) + struct.pack("<2Q", 1, 0) * n + struct.pack("<3Q", 0, 1, 0)
    t = time.perf_counter()
    prof = pprof_parse.read_profile(data)
    assert len(prof) == n
    assert time.perf_counter() - t < 10


@pytest.mark.parametrize("line_end", ["\r\n", "\r"])
def test_heap_memory_map_any_line_end(line_end):
    """CRLF and CR-only copies of the same heap profile read like the LF one (mappings too)."""
    ref = pprof_parse.read_profile(heap_text())
    got = pprof_parse.read_profile(heap_text(line_end=line_end))
    assert got.top().equals(ref.top())
    assert got.mappings.equals(ref.mappings)
    assert len(ref.mappings) == 4  # main binary, libc (merged), libm, pprof's fake mapping
