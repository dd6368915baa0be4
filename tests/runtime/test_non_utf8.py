"""Runtime text that is not UTF-8 reads with U+FFFD in place of the bad bytes and one warning
naming the first bad byte's offset and line (pandas' Arrow text cannot hold surrogate escapes)."""
from __future__ import annotations

import pytest

import pprof_parse
from pprof_parse.errors import PprofParseWarning
from gopherlab.reports.bundled import sample_path

DUMP = sample_path("profiles/goroutine.debug2.txt")


def test_goroutine_dump_with_a_bad_byte_warns_and_reads(tmp_path):
    data = open(DUMP, "rb").read()
    at = data.index(b"main.")
    bad = tmp_path / "dump.txt"
    bad.write_bytes(data[:at] + b"\xff" + data[at:])
    line = data.count(b"\n", 0, at) + 1
    with pytest.warns(PprofParseWarning, match=rf"byte offset {at} \(line {line}\)"):
        df = pprof_parse.read_goroutines(str(bad))
    good = pprof_parse.read_goroutines(DUMP)
    assert len(df) == len(good)
    assert df["top_function"].str.contains("\ufffd").any() or df["stack"].astype(str).str.contains("\ufffd").any()
