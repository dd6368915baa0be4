"""gobench's readers take their input as pandas does (gobench/read/sources.py).

A ``str`` or path-like is a path, even when it holds a line end: a missing one is a
``FileNotFoundError`` whose message shows the start of the text and says how to pass
text; bytes and file objects are content; ``text=`` is marked as content by
``source_or_text`` (exactly one of the source and ``text=``).
"""

from __future__ import annotations

import io

import pytest

import gobench
from gobench.errors import GobenchError
from gobench.read import sources

LINE = "BenchmarkX-8 \t 10\t 5 ns/op\n"


def test_a_str_of_text_is_a_path_and_the_error_says_how_to_pass_text():
    with pytest.raises(FileNotFoundError) as e:
        gobench.read_bench(LINE + LINE)
    msg = str(e.value)
    assert "cannot read benchmark file" in msg and "to parse text, pass text=... or io.StringIO(text)" in msg
    assert repr((LINE + LINE)[:40] + "...") in msg and len(msg) < 300


def test_a_str_of_one_very_long_line_is_named_briefly():
    with pytest.raises(OSError, match=r"File name too long.*io.StringIO") as e:
        gobench.read_bench("BenchmarkX-8 " * 40)
    assert len(str(e.value)) < 300


def test_a_str_holding_nul_is_a_typed_error():
    with pytest.raises(GobenchError, match=r"no NUL character.*io.StringIO"):
        gobench.read_bench("B\x00e\x00n\x00c\x00h")


def test_missing_path_keeps_its_name(tmp_path):
    p = tmp_path / "no-such.txt"
    with pytest.raises(FileNotFoundError, match="no-such.txt") as e:
        gobench.read_bench(str(p))
    assert e.value.filename == str(p)


def test_text_source_bytes_and_file_objects_read_alike():
    want = gobench.read_bench(io.StringIO(LINE))
    assert len(want) == 1 and want["value"].iloc[0] == 5e-9
    for src in (sources.source_or_text(None, LINE), LINE.encode(), io.BytesIO(LINE.encode())):
        got = gobench.read_bench(src)
        assert got.drop(columns=["file", "label"]).equals(want.drop(columns=["file", "label"]))
    inp = sources.open_source(sources.source_or_text(None, LINE), "mine")
    assert (inp.path, inp.label, inp.text) == ("<text>", "mine", LINE)


def test_source_or_text_shapes_and_errors():
    assert sources.source_or_text("a.txt", None) == "a.txt"
    several = sources.source_or_text(None, [LINE, LINE])
    assert [type(s) for s in several] == [sources.TextSource] * 2
    labelled = sources.source_or_text(None, {"old": LINE, "new": LINE})
    assert list(labelled) == ["old", "new"] and labelled["new"].text == LINE
    with pytest.raises(TypeError, match="not both"):
        sources.source_or_text("a.txt", LINE)
    with pytest.raises(TypeError, match="no input"):
        sources.source_or_text(None, None)
    with pytest.raises(TypeError, match="text= must be a str"):
        sources.source_or_text(None, [LINE.encode()])


def test_read_bench_and_benchstat_take_text_as_a_keyword():
    """``text=`` is the benchmark output itself; the same output as a str src is a path."""
    from gopherlab.reports.bundled import sample_path

    old, new = (open(sample_path(f"bench/{n}.txt"), encoding="utf-8").read() for n in ("old", "new"))
    frame = gobench.read_bench(text=old)
    assert len(frame) > 0 and set(frame["file"]) == {"<text>"}
    assert frame.drop(columns="file").equals(gobench.read_bench(io.StringIO(old)).drop(columns="file"))
    cmp = gobench.benchstat(text={"old": old, "new": new})
    assert cmp.equals(gobench.benchstat({"old": io.StringIO(old), "new": io.StringIO(new)}))
    with pytest.raises(FileNotFoundError, match="pass text="):
        gobench.read_bench(old)
    with pytest.raises(TypeError, match="not both"):
        gobench.benchstat(sample_path("bench/old.txt"), text=old)
