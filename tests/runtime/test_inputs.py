"""Every runtime reader takes its input as pandas does (pprof_parse/runtime/inputs.py).

A ``str`` or path-like is a path, even when it holds a line end; bytes and file objects
(text or binary) are content; ``text=`` takes a ``str`` of content, and exactly one of the
source and ``text=`` is given. A str of text passed as a path is refused with a typed
error that says how to pass text.
"""

from __future__ import annotations

import doctest
import importlib
import io
import warnings

import pytest

import pprof_parse
from pprof_parse import RuntimeFormatError


@pytest.fixture(scope="module")
def texts(sample_capture):
    """One real input per reader, as text."""
    return {
        "gctrace": sample_capture.gctrace.read_text(),
        "dump": sample_capture.path(3, "goroutine.debug2").read_text(),
        "vars": sample_capture.path(3, "vars").read_text(),
        "heap": sample_capture.path(3, "heap.debug1").read_text(),
    }


# reader, the input it reads, and a projection that compares its results
SINGLE = {
    "read_gctrace": (pprof_parse.read_gctrace, "gctrace", lambda df: df),
    "read_scavtrace": (pprof_parse.read_scavtrace, "gctrace", lambda df: df),
    "read_pacertrace": (pprof_parse.read_pacertrace, "gctrace", lambda df: df),
    "parse_gctrace": (pprof_parse.parse_gctrace, "gctrace", lambda t: t.cycles),
    "read_goroutines": (pprof_parse.read_goroutines, "dump", lambda df: df),
    "load_memstats": (pprof_parse.load_memstats, "heap", lambda d: {k: v for k, v in d.items() if k[0] != "_"}),
}
SERIES = {
    "read_memstats": (pprof_parse.read_memstats, "vars", lambda df: df.drop(columns=["t", "source"])),
    "read_gc_pauses": (pprof_parse.read_gc_pauses, "vars", lambda df: df.drop(columns=["snapshot_t"])),
    "read_runtime_metrics": (pprof_parse.read_runtime_metrics, "vars", lambda df: df.reset_index(drop=True)),
    "read_runtime_histograms": (pprof_parse.read_runtime_histograms, "vars", lambda df: df.drop(columns=["t"])),
    "find_leaks": (pprof_parse.find_leaks, "dump", lambda df: df[["top_function", "last"]]),
}
READERS = {**SINGLE, **SERIES}


def _same(a, b) -> bool:
    return a.equals(b) if hasattr(a, "equals") else a == b


def _call(reader, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return reader(*args, **kw)


@pytest.mark.parametrize("name", READERS)
def test_text_keyword_bytes_and_file_objects_read_alike(name, texts):
    reader, kind, view = READERS[name]
    content = texts[kind]
    wrap = (lambda x: [x]) if name in SERIES else (lambda x: x)
    base = view(_call(reader, text=wrap(content)))
    assert _same(view(_call(reader, wrap(content.encode()))), base)
    assert _same(view(_call(reader, wrap(io.StringIO(content)))), base)
    assert _same(view(_call(reader, wrap(io.BytesIO(content.encode())))), base)


@pytest.mark.parametrize("name", READERS)
def test_a_str_of_text_is_a_path_and_the_error_says_how_to_pass_text(name, texts):
    reader, kind, _ = READERS[name]
    content = texts[kind]
    src = [content] if name in SERIES else content
    with pytest.raises(RuntimeFormatError, match=r"cannot read: .*to parse text, pass text=") as e:
        _call(reader, src)
    # the message shows the start of the text, not all of it
    assert len(str(e.value)) < 300 and str(e.value).startswith(repr(content[:40]))


@pytest.mark.parametrize("name", READERS)
def test_both_or_neither_is_a_type_error(name, texts, sample_capture):
    reader, kind, _ = READERS[name]
    with pytest.raises(TypeError, match="not both"):
        _call(reader, sample_capture.gctrace, text=texts[kind])
    with pytest.raises(TypeError, match="no input"):
        _call(reader)
    with pytest.raises(TypeError, match="text= must be a str"):
        _call(reader, text=texts[kind].encode() if name in SINGLE else [texts[kind].encode()])


def test_paths_as_str_and_pathlike(sample_capture):
    p = sample_capture.gctrace
    a, b = pprof_parse.read_gctrace(p), pprof_parse.read_gctrace(str(p))
    assert a.equals(b) and a.attrs["source"] == b.attrs["source"] == str(p) and len(a) > 50
    with pytest.raises(RuntimeFormatError, match=r"/no/such/gctrace.log: cannot read: No such file.*pass text="):
        pprof_parse.read_gctrace("/no/such/gctrace.log")


def test_series_readers_take_one_or_several_texts(sample_capture):
    docs = [p.read_text() for p in sample_capture.paths("vars")]
    times = sample_capture.times
    several = pprof_parse.read_memstats(text=docs, times=times)
    assert len(several) == len(docs) and list(several["source"]) == ["<text>"] * len(docs)
    assert several.drop(columns="source").equals(
        pprof_parse.read_memstats(sample_capture.paths("vars"), times=times).drop(columns="source"))
    one = pprof_parse.read_memstats(text=docs[0], times=times[:1])
    assert one.equals(several.iloc[:1])
    # a single path (not in a list) is one snapshot
    assert len(pprof_parse.read_memstats(sample_capture.paths("vars")[0])) == 1


def test_prometheus_text(sample_capture):
    scrape = "# TYPE go_goroutines gauge\ngo_goroutines 7\n"
    df = pprof_parse.read_prometheus(text=[scrape, scrape.replace("7", "9")], times=[0.0, 1.0])
    assert list(df["value"]) == [7.0, 9.0] and df.attrs["sources"] == ["<text>", "<text>"]
    with pytest.raises(RuntimeFormatError, match="pass text="):
        pprof_parse.read_prometheus(scrape)


@pytest.mark.parametrize("module", ["gctrace", "inputs", "memstats", "metrics", "goroutines", "leaks", "gc"])
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"pprof_parse.runtime.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
