"""Unbounded inputs (issue 13): a device, a FIFO or an endless stream gets a typed error at once.

``read_bench`` takes regular files and file objects: a path that is not a
regular file is refused before it is read (a FIFO before it is opened, which
would wait for a writer), and a file object is refused as soon as it passes
``gobench.read.sources.MAX_INPUT_BYTES``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gobench
from gobench.errors import GobenchError
from gobench.read import sources

GOPHERLAB = Path(sys.executable).with_name("gopherlab")


class Endless(io.RawIOBase):
    """Benchmark lines that never end."""

    line = b"BenchmarkEndless-8   \t 1000\t 1234 ns/op\n"

    def __init__(self):
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = len(b)
        b[:n] = (self.line * (n // len(self.line) + 1))[:n]
        self.given += n
        return n


def test_dev_zero_is_refused():
    with pytest.raises(GobenchError, match=r"/dev/zero: is a character device, not a regular file"):
        gobench.read_bench("/dev/zero")


def test_fifo_is_refused_before_opening(tmp_path):
    fifo = tmp_path / "bench.fifo"
    os.mkfifo(fifo)
    r = subprocess.run([sys.executable, "-c", "import gobench, sys; gobench.read_bench(sys.argv[1])", str(fifo)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "GobenchError" in r.stderr and "FIFO" in r.stderr, r.stderr


def test_endless_stream_is_refused_past_the_limit():
    src = Endless()
    with pytest.raises(GobenchError, match=r"the stream goes on past the limit of \d+ bytes"):
        sources.open_source(io.BufferedReader(src), max_bytes=1 << 20)
    assert src.given <= (1 << 20) + (1 << 16)


def test_endless_stream_default_limit():
    src = Endless()
    with pytest.raises(GobenchError, match="past the limit of 268435456 bytes"):
        gobench.read_bench(io.BufferedReader(src))
    assert src.given <= sources.MAX_INPUT_BYTES + (1 << 16)


def test_big_regular_file_refused_by_its_size(tmp_path):
    p = tmp_path / "big.txt"
    with open(p, "wb") as f:
        f.truncate(sources.MAX_INPUT_BYTES + 1)  # sparse: nothing written
    with pytest.raises(GobenchError, match=r"the file has 268435457 bytes, past the limit"):
        gobench.read_bench(str(p))


def test_text_stream_within_the_limit_still_reads():
    df = gobench.read_bench(io.StringIO("BenchmarkX-8 \t 10\t 5 ns/op\n"))
    assert len(df) == 1


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(GOPHERLAB), *args], capture_output=True, text=True, timeout=timeout)


def test_benchstat_dev_zero_exits_at_once():
    r = _cli("benchstat", "/dev/zero", timeout=15)
    assert r.returncode in (1, 2), r.stderr  # (benchstat exits 1 on an unreadable file)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a regular file" in lines[0], r.stderr
