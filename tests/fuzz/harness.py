"""The fuzz harness: every public reader, its real seed inputs, mutations, and a bounded worker.

Readers
    :data:`READERS` maps a name to the seed inputs it is fuzzed from (real files of
    ``gopherlab/data`` and bytes derived from them) and the calls made on each
    mutated input.  A reader may have several calls (e.g. ``read_gctrace`` and
    ``read_scavtrace`` on the same text); each is judged on its own.

Mutations
    :func:`mutate` applies 1..8 operations drawn from a :class:`Chooser` (either a
    ``random.Random`` or hypothesis' ``data.draw``, so the same code serves the
    CI tests and the long run): byte flips, insertions of the byte patterns of
    issue 13 (huge varints, 20- and 5,000-digit numbers, ``1e309``, ``\\r``, BOM,
    NUL, non-UTF-8, ``|``/``<script>``), truncation at structural points,
    duplicated chunks, number tokens replaced by out-of-range ones; for protobuf
    seeds, structural edits of the wire format (a field's varint set to 2^63,
    a length re-encoded as a lie or as ≥ 2^63, a sub-message mutated and every
    enclosing length re-encoded); and finally, sometimes, gzip around the result.

Allowed outcomes
    success, or an exception that is a :class:`pprof_parse.PprofParseError` or a
    :class:`gobench.errors.GobenchError` (warnings are ignored).  For the CLI
    paths (``gopherlab top|benchstat|compare`` run in-process): any exit status
    with no traceback on stderr, and a non-zero status only with a last stderr
    line that says ``gopherlab ...:`` / ``benchstat: ...`` what went wrong.
    Anything else is an *escape*, and so is exceeding the bounds.

Bounds
    Inputs run in a separate worker process (:class:`Worker`) whose address
    space is limited (``RLIMIT_AS`` = its size after imports + ``mem_mb``), with
    a CPU-time limit per call (``ITIMER_PROF`` raising :class:`FuzzTimeout`) and
    a wall-clock watchdog in the parent that kills a worker stuck in C code.
    A call that hits a bound is reported (outcome ``timeout``, ``memory``,
    ``hang`` or ``crash``) with the input, like any escape.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import random
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from pprof_parse.proto.wire import FIXED_SIZE, LEN, VARINT, VarintError, encode_varint, read_varint, tag

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "gopherlab" / "data"
PROFILES = DATA / "profiles"
LEAK = DATA / "runtime" / "leakserver"
BENCH = DATA / "bench"
#: optional extra seeds (real benchstat inputs/outputs); absent in a bare checkout
VECTORS = (REPO.parent / "shared" / "benchstat-vectors").resolve()

#: library folders: the frame of an escape reported is the deepest one in these
LIBRARY_DIRS = ("pprof_parse", "gobench", "gopherlab")

MAX_INPUT = 1 << 20  # mutated inputs are cut to 1 MiB


# ---------------------------------------------------------------------------
# choosers: one mutation code for random.Random and for hypothesis

class Chooser:
    """Random choices from a ``random.Random``."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, seq):
        return seq[self.int(0, len(seq) - 1)]

    def chance(self, p: float) -> bool:
        return self.int(0, 999) < int(p * 1000)

    def bytes(self, n: int) -> bytes:
        return bytes(self.int(0, 255) for _ in range(n))


class DrawChooser(Chooser):
    """Random choices drawn from hypothesis (``st.data()``), so examples replay deterministically."""

    def __init__(self, data):
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def int(self, lo: int, hi: int) -> int:
        return self.data.draw(self.st.integers(lo, hi))

    def bytes(self, n: int) -> bytes:
        return self.data.draw(self.st.binary(min_size=n, max_size=n))


# ---------------------------------------------------------------------------
# interesting byte patterns (issue 13)

NUMBERS = [
    b"18446744073709551616", b"18446744073709551615", b"9223372036854775808", b"9223372036854775807",
    b"-9223372036854775809", b"99999999999999999999", b"4294967296", b"2147483648", b"9" * 5000,
    b"1e309", b"-1e309", b"1e-400", b"NaN", b"Inf", b"+Inf", b"-Inf", b"-0", b"-1", b"0", b"1.5",
    b"0x", b"0xffffffffffffffffffff", b"00000000000000000000001", b"1_000", b"\xd9\xa3",  # Arabic-Indic 3
]

PATTERNS = NUMBERS + [
    b"\r", b"\r\n", b"\xef\xbb\xbf", b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80",
    b"\xf4\x90\x80\x80", b"|", b"Pipe|col|x", b"<script>alert(1)</script>", b"![](http://example.invalid/x.png)",
    b"<img src=x onerror=alert(1)>", b"\t", b"\n", b"\n\n", b" ", b":", b": ", b"{", b"}", b"[", b"]", b"\"",
    b"=", b'le=""', b'{le=""}', b"#", b"# ", b"@", b"/", b"//", b"\\", b"...", b"+0x", b"\x1f\x8b\x08\x00",
    b"\xff" * 9 + b"\x01", b"\xff" * 10 + b"\x01", b"\x80" * 10, b"goroutine ", b"Benchmark", b"ms cpu",
    b" ms clock, ", b"->", b"%", "\u2028".encode(), b"\x0b", b"\x0c", b"\x1c",
]

#: varint values for protobuf fields (the wire's unsigned 64-bit range and its edges)
VARINTS = [0, 1, 2, 127, 128, (1 << 31) - 1, 1 << 31, (1 << 32) - 1, 1 << 32, (1 << 53) + 1,
           (1 << 63) - 1, 1 << 63, (1 << 63) + 1, (1 << 64) - 1, (1 << 64) - 11]

STRUCT_BYTES = b"\n :{}\",=/[]()@#\t+-."
_NUM_RE = re.compile(rb"[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?")


# ---------------------------------------------------------------------------
# byte/text mutations

def _lines(buf: bytes) -> list[int]:
    """Offsets of line starts."""
    return [0] + [m.end() for m in re.finditer(rb"\n", buf)]


def text_op(buf: bytes, ch: Chooser) -> bytes:
    """One mutation of a text (or any byte) input."""
    n = len(buf)
    op = ch.choice(["flip", "set", "insert_rand", "delete", "truncate", "truncate_struct", "dup_chunk",
                    "dup_line", "swap_lines", "pattern", "pattern_line", "number", "number", "line_ends",
                    "bom", "junk_line", "pattern"])
    pos = ch.int(0, n) if n else 0
    if op == "flip" and n:
        p = min(pos, n - 1)
        return buf[:p] + bytes([buf[p] ^ (1 << ch.int(0, 7))]) + buf[p + 1:]
    if op == "set" and n:
        p = min(pos, n - 1)
        return buf[:p] + bytes([ch.int(0, 255)]) + buf[p + 1:]
    if op == "insert_rand":
        return buf[:pos] + ch.bytes(ch.int(1, 8)) + buf[pos:]
    if op == "delete":
        return buf[:pos] + buf[pos + ch.int(1, 64):]
    if op == "truncate":
        return buf[:pos]
    if op == "truncate_struct" and n:
        # cut right after (or right before) a structural byte
        cuts = [i for i in range(max(0, pos - 400), min(n, pos + 400)) if buf[i] in STRUCT_BYTES]
        if cuts:
            c = ch.choice(cuts)
            return buf[:c + ch.int(0, 1)]
        return buf[:pos]
    if op == "dup_chunk" and n:
        a = min(pos, n - 1)
        b = min(n, a + ch.int(1, 256))
        at = ch.int(0, n)
        return buf[:at] + buf[a:b] + buf[at:]
    if op in ("dup_line", "swap_lines", "pattern_line", "junk_line"):
        starts = _lines(buf)
        i = ch.int(0, len(starts) - 1)
        s = starts[i]
        e = starts[i + 1] if i + 1 < len(starts) else n
        if op == "dup_line":
            return buf[:e] + buf[s:e] + buf[e:]
        if op == "swap_lines":
            j = ch.int(0, len(starts) - 1)
            s2 = starts[j]
            e2 = starts[j + 1] if j + 1 < len(starts) else n
            if (s, e) > (s2, e2):
                s, e, s2, e2 = s2, e2, s, e
            if e > s2:
                return buf
            return buf[:s] + buf[s2:e2] + buf[e:s2] + buf[s:e] + buf[e2:]
        if op == "pattern_line":
            at = s if ch.chance(0.5) else max(s, e - 1)
            return buf[:at] + ch.choice(PATTERNS) + buf[at:]
        junk = ch.choice([b"Pipe|col|x", b"<script>alert(1)</script>", b"some log line: unrelated",
                          b"BenchmarkPipe|col|x-4 \t 10 \t 5 ns/op", b"goroutine 1 [\n", b"\xff\xfe\x00",
                          b"![](http://example.invalid/x.png) | <img src=x>"])
        return buf[:s] + junk + b"\n" + buf[s:]
    if op == "number":
        nums = [m.span() for m in _NUM_RE.finditer(buf, max(0, pos - 2000), min(n, pos + 2000))]
        if nums:
            a, b = ch.choice(nums)
            return buf[:a] + ch.choice(NUMBERS) + buf[b:]
        return buf[:pos] + ch.choice(NUMBERS) + buf[pos:]
    if op == "line_ends":
        end = ch.choice([b"\r\n", b"\r", b"\n\r", b"\r\r\n"])
        if ch.chance(0.5):
            return buf.replace(b"\n", end)
        i = buf.find(b"\n", pos)
        return buf if i < 0 else buf[:i] + end + buf[i + 1:]
    if op == "bom":
        return ch.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00"]) + buf
    return buf[:pos] + ch.choice(PATTERNS) + buf[pos:]


# ---------------------------------------------------------------------------
# protobuf wire mutations

def _varint(v: int) -> bytes:
    """``v`` as a varint, wrapped to 64 bits (mutations may step past ``2**64 - 1``)."""
    return encode_varint(v & ((1 << 64) - 1))


def parse_fields(buf: bytes) -> list[list] | None:
    """``[[field, wiretype, value], ...]`` of one message (value: int or bytes), or None if not a message."""
    out, i = [], 0
    try:
        while i < len(buf):
            key, i = read_varint(buf, i)
            f, wt = key >> 3, key & 7
            if f == 0:
                return None
            if wt == VARINT:
                v, i = read_varint(buf, i)
            elif wt == LEN:
                ln, i = read_varint(buf, i)
                if i + ln > len(buf):
                    return None
                v, i = buf[i:i + ln], i + ln
            elif wt in FIXED_SIZE:
                v, i = buf[i:i + FIXED_SIZE[wt]], i + FIXED_SIZE[wt]
            else:
                return None
            if i > len(buf):
                return None
            out.append([f, wt, v])
    except VarintError:
        return None
    return out


def encode_fields(fields: list[list], lie: tuple[int, int] | None = None) -> bytes:
    """Serialise fields; ``lie=(k, n)`` writes field k's length as ``n`` instead of its size."""
    out = bytearray()
    for k, (f, wt, v) in enumerate(fields):
        out += _varint(tag(f, wt))
        if wt == VARINT:
            out += _varint(v)
        elif wt == LEN:
            out += _varint(lie[1] if lie and lie[0] == k else len(v))
            out += v
        else:
            out += v
    return bytes(out)


def proto_op(buf: bytes, ch: Chooser, depth: int = 0) -> bytes:
    """One structural mutation of a protobuf message; nested edits re-encode every enclosing length."""
    fields = parse_fields(buf)
    if not fields:
        return text_op(buf, ch)
    k = ch.int(0, len(fields) - 1)
    f, wt, v = fields[k]
    op = ch.choice(["descend", "descend", "descend", "varint", "packed", "dup", "delete", "swap", "fieldnum",
                    "wiretype", "lie", "lie", "insert", "payload"])
    if op == "descend" and wt == 2 and depth < 4:
        fields[k][2] = proto_op(v, ch, depth + 1) if parse_fields(v) else text_op(v, ch)
        return encode_fields(fields)
    if op == "varint" and wt == 0:
        fields[k][2] = ch.choice(VARINTS + [v + 1, max(v - 1, 0), v << 1])
        return encode_fields(fields)
    if op == "packed" and wt == 2 and v:
        vals, i = [], 0
        try:
            while i < len(v):
                x, i = read_varint(v, i)
                vals.append(x)
        except VarintError:
            vals = []
        if vals:
            j = ch.int(0, len(vals) - 1)
            vals[j] = ch.choice(VARINTS + [vals[j] + 1, 0])
            fields[k][2] = b"".join(_varint(x) for x in vals)
            return encode_fields(fields)
    if op == "dup":
        fields.insert(ch.int(0, len(fields)), list(fields[k]))
        return encode_fields(fields)
    if op == "delete":
        del fields[k]
        return encode_fields(fields)
    if op == "swap":
        j = ch.int(0, len(fields) - 1)
        fields[k], fields[j] = fields[j], fields[k]
        return encode_fields(fields)
    if op == "fieldnum":
        fields[k][0] = ch.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 536870911])
        return encode_fields(fields)
    if op == "wiretype":
        body = encode_fields([fields[k]])
        key_len = len(_varint(tag(f, wt)))
        new = _varint(tag(f, ch.choice([0, 1, 2, 3, 4, 5, 6, 7]))) + body[key_len:]
        return encode_fields(fields[:k]) + new + encode_fields(fields[k + 1:])
    if op == "lie" and wt == 2:
        n = len(v)
        return encode_fields(fields, lie=(k, ch.choice(VARINTS + [n + 1, n - 1 if n else 0, n + 2 ** 63,
                                                                   n + 2 ** 32, 2 ** 64 - n])))
    if op == "insert":
        at = ch.int(0, len(fields))
        junk = _varint(tag(ch.int(1, 16), ch.choice([VARINT, LEN]))) + ch.choice(
            [b"\xff" * 9 + b"\x01", b"\xff" * 10 + b"\x01", _varint(ch.choice(VARINTS)), b"\x00", b""])
        return encode_fields(fields[:at]) + junk + encode_fields(fields[at:])
    if op == "payload" and wt == 2:
        fields[k][2] = text_op(v, ch)
        return encode_fields(fields)
    return text_op(buf, ch)


def mutate(seed: bytes, kind: str, ch: Chooser, *, max_ops: int = 6) -> bytes:
    """A mutated copy of ``seed`` (``kind``: ``"proto"``, ``"text"``, ``"words"`` (legacy binary) or ``"gz"``)."""
    buf = seed
    # mostly one or two edits: a nearly valid input gets past the first checks
    for _ in range(ch.choice([1, 1, 1, 2, 2, 3, max_ops])):
        if kind == "proto" and ch.chance(0.75):
            buf = proto_op(buf, ch)
        elif kind == "words" and ch.chance(0.6):
            buf = word_op(buf, ch)
        else:
            buf = text_op(buf, ch)
        buf = buf[:MAX_INPUT]
    if kind != "gz" and ch.chance(0.12):
        buf = gzip.compress(buf, mtime=0)
    return buf


def sweep(seed: bytes, kind: str) -> list[tuple[str, bytes]]:
    """The byte patterns of issue 13 applied deterministically to one seed (a short, fixed list)."""
    out = [("bom", b"\xef\xbb\xbf" + seed), ("crlf", seed.replace(b"\n", b"\r\n")),
           ("cr", seed.replace(b"\n", b"\r")), ("nul-start", b"\x00" + seed), ("half", seed[:len(seed) // 2]),
           ("non-utf8", seed[:len(seed) // 3] + b"\xff\xc3\x28" + seed[len(seed) // 3:]),
           ("gzip-truncated", gzip.compress(seed, mtime=0)[:-9]), ("dup", seed + seed)]
    nums = [m.span() for m in _NUM_RE.finditer(seed)]
    picks = [nums[i * len(nums) // 3] for i in range(3)] if len(nums) >= 3 else nums
    for k, (a, b) in enumerate(picks):
        for big in (b"18446744073709551616", b"9223372036854775808", b"9" * 5000, b"1e309"):
            out.append((f"number{k}={big[:6].decode()}", seed[:a] + big + seed[b:]))
    lines = _lines(seed)
    if len(lines) > 3:
        s = lines[len(lines) // 2]
        for junk in (b"Pipe|col|x <script>alert(1)</script>", b"\r"):
            out.append((f"line={junk[:8]!r}", seed[:s] + junk + b"\n" + seed[s:]))
    if kind == "proto":
        fields = parse_fields(seed) or []
        for k, (f, wt, v) in enumerate(fields[:40]):
            if wt == 2:
                for n in (1 << 63, (1 << 64) - 1, len(v) + 1):
                    out.append((f"len{k}={n}", encode_fields(fields, lie=(k, n))))
                break
        out.append(("huge-varint-field", seed + b"\x1a" + b"\xff" * 9 + b"\x01"))
    return out


_BOMBS: list[tuple[str, bytes]] = []


def bombs() -> list[tuple[str, bytes]]:
    """Small gzip inputs that inflate to a lot (made once, ~3 s of CPU): issue 13's 200 MB of
    empty string-table entries (``0x32 0x00`` repeated, ~200 KB on disk) and 256 MiB of zeros."""
    import zlib

    if not _BOMBS:
        for label, block, count in (("strtab-200MiB", b"\x32\x00" * (1 << 19), 200),
                                    ("zeros-256MiB", bytes(1 << 20), 256)):
            co = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip member
            _BOMBS.append((label, b"".join(co.compress(block) for _ in range(count)) + co.flush()))
    return list(_BOMBS)


# ---------------------------------------------------------------------------
# seeds: real files of gopherlab/data, and bytes derived from them

def _read(p: Path) -> bytes:
    return p.read_bytes()


def _gunzip(p: Path) -> bytes:
    return gzip.decompress(p.read_bytes())


def seeds_profile_proto():
    out = []
    for p in sorted(PROFILES.glob("*.pb.gz")) + [LEAK / "snap3.goroutine.pb.gz", LEAK / "snap3.goroutineleak.pb.gz"]:
        out.append((p.name + ":raw", _gunzip(p), "proto"))
    for p in [PROFILES / "cpu.pb.gz", PROFILES / "mutex.pb.gz", PROFILES / "goroutine.pb.gz"]:
        out.append((p.name, _read(p), "gz"))
    return out


def legacy_cpu_from_proto(raw: bytes, fmt: str = "<Q") -> bytes:
    """The real CPU profile ``raw`` (profile.proto) written in Go's legacy binary CPU format
    (runtime/pprof before Go 1.9): header ``0 3 0 period_us 0``, then ``count depth pc..`` per
    sample (return addresses are pc+1, as the runtime recorded them), the trailer ``0 1 0``
    and the mappings as ``/proc/self/maps`` lines."""
    from pprof_parse.proto import profile_pb2 as pb

    m = pb.Profile()
    m.ParseFromString(raw)
    addr = {loc.id: loc.address for loc in m.location}
    words = [0, 3, 0, max(1, m.period // 1000), 0]
    for s in m.sample:
        pcs = [addr[i] + (1 if k else 0) for k, i in enumerate(s.location_id)]
        words += [s.value[0], len(pcs)] + pcs
    words += [0, 1, 0]
    maps = "".join(f"{mp.memory_start:x}-{mp.memory_limit:x} r-xp {mp.file_offset:08x} 00:00 0 "
                   f"{m.string_table[mp.filename]}\n" for mp in m.mapping)
    return b"".join(struct.pack(fmt, w) for w in words) + maps.encode()


def seeds_profile_legacy_cpu():
    raw = _gunzip(PROFILES / "cpu.pb.gz")
    return [("cpu.pb.gz->legacy64le", legacy_cpu_from_proto(raw, "<Q"), "words"),
            ("cpu.pb.gz->legacy64be", legacy_cpu_from_proto(raw, ">Q"), "words")]


def word_op(buf: bytes, ch: Chooser) -> bytes:
    """Set one aligned 8-byte word of a legacy binary profile to an edge value."""
    n = len(buf) // 8
    if not n:
        return text_op(buf, ch)
    i = ch.choice([0, 1, 2, 3, 4, 5, 6, 7, ch.int(0, n - 1), ch.int(0, n - 1), ch.int(0, n - 1)]) % n
    v = ch.choice(VARINTS + [3, 1 << 40, 0x400000])
    order = ch.choice(["<", ">"])
    return buf[:8 * i] + struct.pack(order + "Q", v) + buf[8 * i + 8:]


def seeds_profile_text():
    return [(p.name, _read(p), "text") for p in sorted(PROFILES.glob("*.debug1.txt"))] + [
        (LEAK.name + "/snap0.heap.debug1.txt", _read(LEAK / "snap0.heap.debug1.txt"), "text")]


def seeds_gctrace():
    return [(p.name, _read(p), "text") for p in sorted(LEAK.glob("gctrace*.log"))]


def seeds_memstats():
    return [(p.name, _read(p), "text") for p in sorted(LEAK.glob("snap*.vars.json"))[:2]] + [
        ("snap0.heap.debug1.txt", _read(LEAK / "snap0.heap.debug1.txt"), "text"),
        ("heap.debug1.txt(tail)", _read(PROFILES / "heap.debug1.txt")[-6000:], "text")]


def seeds_metrics():
    return [(p.name, _read(p), "text") for p in sorted(LEAK.glob("snap*.vars.json"))[:2]]


def seeds_prometheus():
    """Prometheus text made from the real /debug/vars snapshots by prometheus_client
    (client_golang's Go-collector names), as tests/runtime/test_metrics.py does."""
    try:
        from prometheus_client import CollectorRegistry, generate_latest
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
    except ImportError:
        return []
    out = []
    for p in sorted(LEAK.glob("snap*.vars.json"))[:2]:
        d = json.loads(p.read_text())
        ms, rm = d["memstats"], d["runtime_metrics"]
        h = rm["/sched/pauses/total/gc:seconds"]

        class Collector:
            def collect(self, d=d, ms=ms, h=h):
                yield GaugeMetricFamily("go_goroutines", "Number of goroutines that currently exist.",
                                        value=d["goroutines"])
                yield CounterMetricFamily("go_memstats_alloc_bytes", "Total bytes allocated, even if freed.",
                                          value=ms["TotalAlloc"])
                s = Metric("go_gc_duration_seconds", "A summary of the GC pause duration.", "summary")
                pauses = sorted(x / 1e9 for x in ms["PauseNs"] if x) or [0.0]
                for q in (0, 0.25, 0.5, 0.75, 1):
                    s.add_sample("go_gc_duration_seconds", {"quantile": str(q)},
                                 pauses[min(len(pauses) - 1, int(q * len(pauses)))])
                s.add_sample("go_gc_duration_seconds_sum", {}, ms["PauseTotalNs"] / 1e9)
                s.add_sample("go_gc_duration_seconds_count", {}, ms["NumGC"])
                yield s
                lows = [float(str(b).replace("Inf", "inf")) for b in h["buckets"][:-1]]
                edges = [10.0 ** e for e in range(-9, 1)]
                cum = [sum(c for lo, c in zip(lows, h["counts"]) if lo < e) for e in edges]
                yield HistogramMetricFamily(
                    "go_sched_pauses_total_gc_seconds", "GC stop-the-world pause latencies.",
                    buckets=[(repr(e), c) for e, c in zip(edges, cum)] + [("+Inf", sum(h["counts"]))],
                    sum_value=sum(max(lo, 0) * c for lo, c in zip(lows, h["counts"])))

        reg = CollectorRegistry()
        reg.register(Collector())
        out.append((p.name + ".prom", generate_latest(reg), "text"))
    return out


def seeds_goroutines():
    return [(p.name, _read(p), "text") for p in [
        LEAK / "snap1.goroutine.debug2.txt", LEAK / "panic.txt", LEAK / "sigquit.txt",
        PROFILES / "goroutine.debug2.txt", PROFILES / "goroutine.debug1.txt", PROFILES / "goroutineleak.debug1.txt"]
    ] + [("goroutine.pb.gz:raw", _gunzip(PROFILES / "goroutine.pb.gz"), "proto")]


def seeds_bench():
    out = [(p.name, _read(p), "text") for p in sorted(BENCH.glob("*.txt"))]
    if VECTORS.is_dir():
        for name in ["edge-cases.txt", "unit-metadata.txt", "new.json"]:
            p = VECTORS / "inputs" / name
            if p.exists():
                out.append(("vectors/" + name, _read(p), "text"))
    return out


def seeds_benchstat_report():
    """benchstat's text and CSV reports of gopherlab/data/bench (gobench prints them byte for
    byte as benchstat does), plus the saved benchstat outputs of the vectors when present."""
    from gobench.compare import run_benchstat

    out = []
    args = [str(BENCH / "old.txt"), str(BENCH / "new.txt")]
    for fmt in ("text", "csv"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text, _ = run_benchstat(args, format=fmt)
        out.append((f"benchstat-{fmt}", text.encode(), "text"))
    if VECTORS.is_dir():
        for name in ["v2-default", "v2-csv", "v2-edge-cases", "v1-default"]:
            p = VECTORS / "outputs" / f"{name}.stdout"
            if p.exists() and p.stat().st_size:
                out.append(("vectors/" + name, _read(p), "text"))
    return out


# ---------------------------------------------------------------------------
# calls: what each reader does with one input (runs in the worker)

#: warnings caught by :func:`_quiet` during the current call (reset by :func:`run_calls`)
WARNED: list[str] = []


def _quiet(fn, *a, **kw):
    """Call ``fn``, recording (not printing) the warnings it emits."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return fn(*a, **kw)
        finally:
            WARNED.extend(f"{w.category.__name__}: {str(w.message)[:200]}" for w in caught)


def fingerprint(obj):
    """A small, comparable summary of a reader's result: shape and the sums of numeric columns."""
    import numpy as np
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        sums = []
        for c in obj.columns:
            col = obj[c]
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                v = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
                v = v[np.isfinite(v)]
                sums.append((str(c), float(np.round(v.sum(), 6)) if len(v) else None, int(len(v))))
        return ("frame", obj.shape, tuple(sums))
    if isinstance(obj, dict):
        return ("dict", tuple(sorted((k, v) for k, v in obj.items()
                                     if not k.startswith("_") and isinstance(v, (int, float, str)))))
    if hasattr(obj, "samples") and hasattr(obj, "sample_types"):  # Profile
        return ("profile", len(obj), fingerprint(obj.samples))
    if hasattr(obj, "cycles") and hasattr(obj, "pacer"):  # GCTrace
        return ("gctrace", fingerprint(obj.cycles), fingerprint(obj.scav), fingerprint(obj.pacer),
                len(obj.unparsed))
    return None


def call_read_profile(data, ctx):
    import pprof_parse

    prof = _quiet(pprof_parse.read_profile, data)
    # what every consumer does next (``gopherlab top``): the views and the top table
    prof.samples, prof.frames, prof.locations
    if prof.sample_types and len(prof):
        _quiet(prof.top)
        # what was read can be written and read back (tests/pprof_parse/test_text_forms.py's fuzz test did this)
        again = _quiet(pprof_parse.read_profile, _quiet(prof.to_proto))
        if len(again) != len(prof):
            raise AssertionError(f"to_proto round trip: {len(prof)} samples became {len(again)}")
    return prof


def _gc(fn_name):
    def call(data, ctx):
        import pprof_parse

        return _quiet(getattr(pprof_parse, fn_name), data)
    call.__name__ = fn_name
    return call


def call_load_memstats(data, ctx):
    from pprof_parse.runtime.memstats import load_memstats

    return _quiet(load_memstats, data)


def call_read_memstats(data, ctx):
    import pprof_parse

    return _quiet(pprof_parse.read_memstats, [ctx.other, data], times=[0.0, 1.0])


def call_read_gc_pauses(data, ctx):
    import pprof_parse

    return _quiet(pprof_parse.read_gc_pauses, [ctx.other, data], times=[0.0, 1.0])


def call_read_runtime_metrics(data, ctx):
    import pprof_parse

    return _quiet(pprof_parse.read_runtime_metrics, [ctx.other, data], times=[0.0, 1.0])


def call_read_runtime_histograms(data, ctx):
    import pprof_parse

    h = _quiet(pprof_parse.read_runtime_histograms, [ctx.other, data], times=[0.0, 1.0])
    _quiet(pprof_parse.histogram_quantiles, h, (0.5, 0.99))
    return h


def call_read_prometheus(data, ctx):
    import pprof_parse

    df = _quiet(pprof_parse.read_prometheus, [ctx.other, data], times=[0.0, 1.0])
    _quiet(pprof_parse.prometheus_series, df)
    _quiet(pprof_parse.prometheus_histograms, df)
    return df


def call_read_goroutines(data, ctx):
    import pprof_parse

    df = _quiet(pprof_parse.read_goroutines, data)
    _quiet(pprof_parse.group_goroutines, df)
    return df


def call_read_bench(data, ctx):
    import gobench

    return _quiet(gobench.read_bench, data)


def call_benchstat(data, ctx):
    import gobench

    return _quiet(gobench.benchstat, {"old": ctx.other, "new": data})


def call_read_benchstat(data, ctx):
    import gobench

    return _quiet(gobench.read_benchstat, data)


def call_selftest(data, ctx):
    """Harness self-test (not a reader): spin, allocate or die as ``data`` says."""
    if data == b"spin":
        while True:
            pass
    if data == b"alloc":
        hog = []
        while True:
            hog.append(bytearray(64 << 20))
    if data == b"exit":
        os._exit(3)
    if data == b"raise":
        raise KeyError("escape")


def _cli(argv_fn):
    def call(data, ctx):
        from gopherlab.cli import main

        path = Path(ctx.tmp) / "input"
        path.write_bytes(data)
        other = Path(ctx.tmp) / "other"
        other.write_bytes(ctx.other)
        argv = argv_fn(str(other), str(path))
        out, err = io.StringIO(), io.StringIO()
        old = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("default")
                rc = main(argv)
        finally:
            sys.stdout, sys.stderr = old
        return CliResult(argv[0], rc, err.getvalue())
    return call


class CliResult:
    """What a CLI call printed; :meth:`problem` says what is wrong with it, or None."""

    def __init__(self, cmd, rc, stderr):
        self.cmd, self.rc, self.stderr = cmd, rc, stderr

    def problem(self) -> str | None:
        if "Traceback (most recent call last)" in self.stderr:
            return f"traceback on stderr (exit {self.rc})"
        if not isinstance(self.rc, int):
            return f"exit status {self.rc!r} is not an int"
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        if self.rc not in (0, 1, 2):
            return f"exit status {self.rc}"
        if self.rc == 2 or (self.rc == 1 and self.cmd == "benchstat"):
            if not lines:
                return f"exit {self.rc} with nothing on stderr"
            if not re.match(r"(gopherlab \w+|benchstat): ", lines[-1]):
                return f"exit {self.rc}, last stderr line does not say what failed: {lines[-1][:120]!r}"
        return None


class Reader:
    def __init__(self, name, seeds, calls, *, other=None, doc=""):
        self.name, self._seeds, self.calls, self._other, self.doc = name, seeds, calls, other, doc
        self._cache = None

    def seeds(self):
        if self._cache is None:
            self._cache = self._seeds()
        return self._cache

    def other(self) -> bytes:
        """The clean input read alongside the mutated one (a second snapshot, the OLD file)."""
        return self._other() if self._other else b""


def _first_seed(fn, kind=None):
    def other():
        for label, data, k in fn():
            if kind is None or k == kind:
                return data
        return b""
    return other


READERS: dict[str, Reader] = {r.name: r for r in [
    Reader("profile_proto", seeds_profile_proto, [("read_profile", call_read_profile)],
           doc="pprof_parse.read_profile on protobuf (raw and gzip) + Profile.top"),
    Reader("profile_legacy_cpu", seeds_profile_legacy_cpu, [("read_profile", call_read_profile)],
           doc="pprof_parse.read_profile on Go's legacy binary CPU format (made from the real cpu.pb.gz)"),
    Reader("profile_text", seeds_profile_text, [("read_profile", call_read_profile)],
           doc="pprof_parse.read_profile on legacy debug=1 text + Profile.top"),
    Reader("gctrace", seeds_gctrace, [(n, _gc(n)) for n in
                                      ("parse_gctrace", "read_gctrace", "read_scavtrace", "read_pacertrace")],
           doc="GODEBUG=gctrace=1 (and scavtrace, pacertrace) logs"),
    Reader("memstats", seeds_memstats, [("load_memstats", call_load_memstats), ("read_memstats", call_read_memstats),
                                        ("read_gc_pauses", call_read_gc_pauses)],
           other=lambda: _read(LEAK / "snap0.vars.json"), doc="expvar JSON and heap debug=1 MemStats trailer"),
    Reader("runtime_metrics", seeds_metrics, [("read_runtime_metrics", call_read_runtime_metrics),
                                              ("read_runtime_histograms", call_read_runtime_histograms)],
           other=lambda: _read(LEAK / "snap0.vars.json"), doc="runtime/metrics JSON (expvar)"),
    Reader("prometheus", seeds_prometheus, [("read_prometheus", call_read_prometheus)],
           other=_first_seed(seeds_prometheus), doc="Prometheus text exposition"),
    Reader("goroutines", seeds_goroutines, [("read_goroutines", call_read_goroutines)],
           doc="goroutine dumps (debug=2, panic, SIGQUIT), debug=1 and proto goroutine profiles"),
    Reader("bench", seeds_bench, [("read_bench", call_read_bench)], doc="go test -bench text, go test -json"),
    Reader("benchstat", seeds_bench, [("benchstat", call_benchstat)],
           other=lambda: _read(BENCH / "old.txt"), doc="gobench.benchstat(OLD clean, NEW mutated)"),
    Reader("benchstat_report", seeds_benchstat_report, [("read_benchstat", call_read_benchstat)],
           doc="saved benchstat reports, text and CSV"),
    Reader("cli_top", lambda: seeds_profile_proto()[-3:] + seeds_profile_text()[:3] + seeds_profile_proto()[:2],
           [("gopherlab top", _cli(lambda o, p: ["top", p]))], doc="gopherlab top FILE in-process"),
    Reader("cli_benchstat", seeds_bench, [("gopherlab benchstat", _cli(lambda o, p: ["benchstat", o, p]))],
           other=lambda: _read(BENCH / "old.txt"), doc="gopherlab benchstat OLD NEW in-process"),
    Reader("cli_compare", seeds_bench, [("gopherlab compare", _cli(lambda o, p: ["compare", o, p, "--format",
                                                                                  "markdown"]))],
           other=lambda: _read(BENCH / "old.txt"), doc="gopherlab compare OLD NEW in-process"),
]}


#: not a reader: checks that the bounds work (tests/fuzz/test_harness.py)
SELFTEST = Reader("_selftest", lambda: [], [("selftest", call_selftest)])
READERS[SELFTEST.name] = SELFTEST
#: the readers fuzzed
FUZZED = [name for name in READERS if not name.startswith("_")]


# ---------------------------------------------------------------------------
# the worker process

class FuzzTimeout(BaseException):
    """Raised in the worker when a call exceeds its CPU-time budget (BaseException: no ``except Exception`` eats it)."""


def _allowed():
    from gobench.errors import GobenchError
    from pprof_parse.errors import PprofParseError

    return (PprofParseError, GobenchError)


def _where(tb) -> str:
    frames = traceback.extract_tb(tb)
    lib = [f for f in frames if any(f"/{d}/" in f.filename for d in LIBRARY_DIRS) and "/tests/" not in f.filename]
    f = (lib or frames)[-1] if (lib or frames) else None
    if f is None:
        return "?"
    fn = f.filename
    try:
        fn = str(Path(fn).resolve().relative_to(REPO))
    except ValueError:
        pass
    return f"{fn}:{f.lineno} in {f.name}"


class _Ctx:
    def __init__(self, tmp, other):
        self.tmp, self.other = tmp, other


def run_calls(reader: Reader, data: bytes, ctx, cpu_s: float, want_fp: bool = False) -> dict:
    """Run every call of ``reader`` on ``data``; the first one that misbehaves decides the result.

    ``res["calls"]`` has one entry per call made: its outcome, CPU time, the warnings it
    emitted and (``want_fp``) the :func:`fingerprint` of its result.
    """
    allowed = _allowed()
    res = {"outcome": "ok", "calls": []}
    for name, fn in reader.calls:
        t0 = time.process_time()
        signal.setitimer(signal.ITIMER_PROF, cpu_s)
        outcome, info = "ok", {}
        WARNED.clear()
        try:
            r = fn(data, ctx)
            signal.setitimer(signal.ITIMER_PROF, 0)
            if want_fp and not isinstance(r, CliResult):
                info["fp"] = repr(fingerprint(r))
            if isinstance(r, CliResult):
                prob = r.problem()
                info = {"rc": r.rc, "stderr": r.stderr[-2000:]}
                if prob:
                    outcome = "escape"
                    info.update(exc="CliOutput", msg=prob, where=name, tb=r.stderr[-4000:])
                elif r.rc == 2 or (r.rc == 1 and r.cmd == "benchstat"):  # refused, as it should be
                    outcome = "typed"
                    info.update(exc=f"exit {r.rc}", msg=r.stderr.strip().splitlines()[-1][:300])
        except FuzzTimeout as e:
            signal.setitimer(signal.ITIMER_PROF, 0)
            outcome, info = "timeout", {"exc": "FuzzTimeout", "msg": f"more than {cpu_s} s of CPU",
                                        "where": _where(e.__traceback__), "tb": traceback.format_exc()[-4000:]}
        except MemoryError as e:
            signal.setitimer(signal.ITIMER_PROF, 0)
            outcome, info = "memory", {"exc": type(e).__name__, "msg": str(e)[:300], "where": _where(e.__traceback__),
                                       "tb": traceback.format_exc()[-4000:]}
        except allowed as e:
            signal.setitimer(signal.ITIMER_PROF, 0)
            outcome, info = "typed", {"exc": type(e).__name__, "msg": str(e)[:300]}
        except BaseException as e:  # noqa: BLE001 - everything else is an escape
            signal.setitimer(signal.ITIMER_PROF, 0)
            outcome, info = "escape", {"exc": type(e).__name__, "msg": str(e)[:300], "where": _where(e.__traceback__),
                                       "tb": traceback.format_exc()[-4000:]}
        info.update(call=name, outcome=outcome, cpu=round(time.process_time() - t0, 4), warnings=WARNED[:5])
        res["calls"].append(info)
        if outcome not in ("ok", "typed"):
            res.update(info)
            return res
        if outcome == "typed" and res["outcome"] == "ok":
            res.update(outcome="typed", call=name, exc=info["exc"], msg=info["msg"])
    res["cpu"] = round(sum(c["cpu"] for c in res["calls"]), 4)
    return res


def _vmsize() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _send(f, obj):
    b = pickle.dumps(obj)
    f.write(struct.pack("<Q", len(b)) + b)
    f.flush()


def _recv(f):
    h = f.read(8)
    if len(h) < 8:
        return None
    (n,) = struct.unpack("<Q", h)
    return pickle.loads(f.read(n))


def worker_main(mem_mb: int, cpu_s: float) -> None:
    """Worker loop: requests ``(reader name, bytes)`` on stdin, results on the real stdout."""
    import resource
    import shutil

    out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(1, "w", closefd=False)
    inp = sys.stdin.buffer
    tmp = tempfile.mkdtemp(prefix="gopherlab-fuzz-")

    def on_prof(signum, frame):
        raise FuzzTimeout()

    # the libraries are imported before the memory bound is set; each reader is warmed up
    # (its lazy imports, its seeds) on its first request, with a generous CPU budget
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    import gobench.compare  # noqa: F401
    import gopherlab.cli  # noqa: F401
    import pprof_parse  # noqa: F401

    ctxs = {}

    def ctx_for(name):
        if name not in ctxs:
            r = READERS[name]
            ctxs[name] = _Ctx(tmp, r.other())
            seeds = r.seeds()
            if seeds:
                run_calls(r, seeds[0][1], ctxs[name], 60.0)
        return ctxs[name]

    signal.signal(signal.SIGPROF, on_prof)
    limit = _vmsize() + mem_mb * (1 << 20) if mem_mb else None
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _send(out, {"ready": True, "vmsize": _vmsize(), "limit": limit})
    try:
        while True:
            req = _recv(inp)
            if req is None:
                break
            name, data, *rest = req
            want_fp = bool(rest and rest[0])
            res = run_calls(READERS[name], data, ctx_for(name), cpu_s, want_fp)
            _send(out, res)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


WORKER_CODE = (
    "import sys; sys.path[:0] = [{repo!r}, {tests!r}]; "
    "from fuzz.harness import worker_main; worker_main({mem}, {cpu})"
)


class Worker:
    """A worker process with the bounds; :meth:`run` sends it one input and returns the result dict.

    A result's ``outcome`` is ``ok`` or ``typed`` (allowed), or ``escape``, ``timeout``
    (CPU budget), ``memory`` (``MemoryError`` under the address-space limit), ``hang``
    (no answer within the wall-clock watchdog: killed) or ``crash`` (the worker died).
    After any of the last four the worker is replaced by a fresh one.
    """

    def __init__(self, mem_mb: int = 1024, cpu_s: float = 5.0, wall_s: float | None = None):
        self.mem_mb, self.cpu_s = mem_mb, cpu_s
        self.wall_s = wall_s or max(30.0, 6 * cpu_s)
        self.proc = None
        self.log = None
        self.starts = 0

    def start(self):
        self.log = tempfile.TemporaryFile()
        # Arrow's default allocator (mimalloc) reserves 1 GiB of address space the first time
        # pandas makes an Arrow string column: under RLIMIT_AS that reservation, not our
        # readers, would use up the bound. The system allocator counts only what is used.
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0",
                   ARROW_DEFAULT_MEMORY_POOL="system")
        code = WORKER_CODE.format(repo=str(REPO), tests=str(REPO / "tests"), mem=self.mem_mb, cpu=self.cpu_s)
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, cwd=str(REPO), env=env)
        self.starts += 1
        ready = self._reply(300.0)
        if not isinstance(ready, dict) or not ready.get("ready"):
            err = self._log_tail()
            self.close()
            raise RuntimeError(f"fuzz worker did not start: {ready!r}\n{err}")
        self.info = ready

    def _log_tail(self) -> str:
        try:
            self.log.seek(0)
            return self.log.read()[-3000:].decode("utf-8", "replace")
        except (OSError, ValueError, AttributeError):
            return ""

    def _reply(self, timeout: float):
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return "hang"
        try:
            res = _recv(self.proc.stdout)
        except (EOFError, pickle.UnpicklingError, struct.error):
            res = None
        return "crash" if res is None else res

    def run(self, reader: str, data: bytes, *, fingerprints: bool = False) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        t0 = time.monotonic()
        try:
            _send(self.proc.stdin, (reader, data, fingerprints))
        except BrokenPipeError:
            res = "crash"
        else:
            res = self._reply(self.wall_s * len(READERS[reader].calls))
        wall = time.monotonic() - t0
        if isinstance(res, str):
            if res == "hang":
                self.proc.kill()  # our own child, by its handle
            rc = self.proc.wait()
            tail = self._log_tail()
            self.close()
            res = {"outcome": res, "exc": res.capitalize(), "call": "?",
                   "msg": (f"no answer within {self.wall_s:.0f} s wall time per call (killed)" if res == "hang"
                           else f"worker died (exit status {rc})"), "where": "?", "tb": tail}
        elif res["outcome"] in ("timeout", "memory"):
            self.close()  # start clean: the heap of a blown call is not to be trusted
        res["wall"] = round(wall, 4)
        return res

    def close(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()  # our own child, by its handle
                    self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
            self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None


def signature(reader: str, res: dict) -> tuple:
    """What identifies a distinct defect: reader, call, outcome, exception type, place."""
    if res["outcome"] in ("timeout", "memory", "hang", "crash"):  # the interrupted frame varies
        return (reader, res.get("call"), res["outcome"])
    return (reader, res.get("call"), res["outcome"], res.get("exc"), res.get("where"))


def describe(reader: str, data: bytes, res: dict, *, limit: int = 600) -> str:
    """A human-readable report of a bad result, with the input as a shortened ``repr``."""
    shown = repr(data[:limit]) + (f"... ({len(data)} bytes)" if len(data) > limit else "")
    return (f"[{reader}] {res.get('call')}: {res['outcome']} {res.get('exc')}: {res.get('msg')}\n"
            f"  at {res.get('where')}\n  input: {shown}\n{res.get('tb', '')}")


def is_bad(res: dict) -> bool:
    return res["outcome"] not in ("ok", "typed")
