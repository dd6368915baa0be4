"""The runtime readers refuse inputs with no known end (issue 13: unbounded reads).

A device such as ``/dev/zero`` or a FIFO is refused before it is read, and a file object
that keeps giving bytes is refused once past :data:`MAX_TEXT_BYTES`: a typed
:class:`RuntimeFormatError` at once, never a read that goes on until memory runs out.
"""

from __future__ import annotations

import os
import time

import pytest

import pprof_parse
from pprof_parse import RuntimeFormatError
from pprof_parse.runtime.inputs import MAX_TEXT_BYTES

READERS = [pprof_parse.read_gctrace, pprof_parse.read_goroutines, pprof_parse.read_memstats,
           pprof_parse.read_runtime_metrics, pprof_parse.read_prometheus]


class Endless:
    """A binary stream that never ends (counts what was asked of it)."""

    name = "<endless>"

    def __init__(self):
        self.given = 0

    def read(self, n=-1):
        n = 1 << 20 if n is None or n < 0 else n
        self.given += n
        return b"#" * n


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_device_is_refused_at_once(reader):
    t = time.monotonic()
    with pytest.raises(RuntimeFormatError, match="not a regular file"):
        reader("/dev/zero")
    assert time.monotonic() - t < 5


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_fifo_is_refused_without_waiting_for_a_writer(reader, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(RuntimeFormatError, match="not a regular file"):
        reader(fifo)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__)
def test_endless_stream_is_refused_past_the_limit(reader):
    src = Endless()
    with pytest.raises(RuntimeFormatError, match="limit"):
        reader(src)
    assert MAX_TEXT_BYTES < src.given <= MAX_TEXT_BYTES + (2 << 20)
