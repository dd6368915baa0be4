"""The two table builders give equal Tables, cell by cell.

``gobench.benchtab_fast`` (vectorised, the default engine) and
``gobench.benchtab_reference`` (the plain port of benchstat's builder loops,
``GOPHERLAB_ENGINE=reference``) on the inputs and commands of every benchstat
vector, on the sample data in ``gopherlab/data/bench``, on hand-made corners and
on random files.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gobench.benchtab as benchtab
from gobench.benchtab import Query
from gobench.benchtab_fast import build_tables_fast
from gobench.benchtab_reference import build_tables_reference
from gobench.cli import parse_go_flags
from gobench.compare import read_inputs
from gobench.errors import OptionError, QuerySyntaxError
from gobench.read.benchfmt import parse_inputs
from gobench.read.sources import Input

from gobench_vectors import INPUTS, commands, need_vectors

SAMPLE_BENCH = Path(__file__).resolve().parents[2] / "gopherlab" / "data" / "bench"
_FLAGS = {"table": ".config", "row": ".fullname", "col": ".file", "ignore": "", "filter": "*",
          "alpha": "0.05", "confidence": "0.95", "format": "text"}
_QUERY_FLAGS = ("table", "row", "col", "ignore", "filter")


@pytest.fixture(autouse=True)
def _fast_statistics(monkeypatch):
    """The fast builder's batched statistics take their fast paths too."""
    monkeypatch.delenv("GOPHERLAB_ENGINE", raising=False)


def _both(results, alpha=0.05, confidence=0.95, **query):
    """(fast tables, reference tables): each builder gets its own parsed Query,
    since building binds the projections."""
    with np.errstate(all="ignore"):
        fast = build_tables_fast(Query.parse(**query), results, alpha, confidence)
        reference = build_tables_reference(Query.parse(**query), results, alpha, confidence)
    return fast, reference


def _same(x, y) -> bool:
    """Equal floats (NaN equals NaN), or equal anything else."""
    if isinstance(x, float) and isinstance(y, float):
        return x == y or (math.isnan(x) and math.isnan(y))
    return x == y


def _assert_same_arrays(name, a, b):
    assert a.shape == b.shape, name
    assert a.dtype.kind == b.dtype.kind, name
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name


def assert_same_tables(fast, reference):
    """Every field of the two Tables, their CellData and every Cell and geomean cell."""
    assert fast.table_fields == reference.table_fields
    assert fast.keys == reference.keys
    assert len(fast.tables) == len(reference.tables)
    if fast.tables:
        _assert_same_cell_data(fast.tables[0].data, reference.tables[0].data)
    for a, b in zip(fast.tables, reference.tables):
        for attr in ("key", "unit", "assumption", "rows", "cols", "row_fields", "col_fields",
                     "row0", "confidence", "alpha"):
            assert getattr(a, attr) == getattr(b, attr), attr
        _assert_same_arrays("grid", a.grid, b.grid)
        assert sorted(a.summary) == sorted(b.summary) == list(range(len(a.cols)))
        for col in a.summary:
            x, y = a.summary[col], b.summary[col]
            for attr in ("has_summary", "summary", "has_ratio", "ratio", "warnings"):
                assert _same(getattr(x, attr), getattr(y, attr)), (a.key, col, attr)
        _assert_same_cells(a, b)


def _assert_same_cell_data(a, b):
    for attr in ("values", "starts", "counts", "center", "lo", "hi", "base", "p", "order",
                 "row_starts"):
        _assert_same_arrays(attr, getattr(a, attr), getattr(b, attr))
    for attr in ("sample_warn", "warn", "cmp_warn"):
        x, y = getattr(a, attr), getattr(b, attr)
        assert {k: list(v) for k, v in x.items()} == {k: list(v) for k, v in y.items()}, attr


def _assert_same_cells(a, b):
    assert a.cells.keys() == b.cells.keys()
    for where, x in a.cells.items():
        y = b.cells[where]
        for attr in ("center", "lo", "hi", "confidence", "index"):
            assert _same(getattr(x, attr), getattr(y, attr)), (where, attr)
        assert list(x.warnings) == list(y.warnings)
        assert list(x.sample_warnings) == list(y.sample_warnings)
        assert np.array_equal(a.values_of(x), b.values_of(y), equal_nan=True)
        assert (x.baseline is None) == (y.baseline is None)
        if x.baseline is not None:
            assert x.baseline.index == y.baseline.index
            for attr in ("p", "n1", "n2", "alpha", "warnings"):
                assert _same(getattr(x.comparison, attr), getattr(y.comparison, attr)), attr


def _cells_of(tables) -> int:
    return sum(len(t.cells) for t in tables.tables)


def _vector_queries() -> list[tuple[str, dict, list[str]]]:
    """``(name, flags, inputs)`` of every benchstat v2 vector that builds tables (not
    the one whose projection is a syntax error)."""
    out = []
    for name, program, argv in commands():
        if program != "benchstat":
            continue
        flags, args = parse_go_flags(argv, dict(_FLAGS))
        try:
            Query.parse(**{k: flags[k] for k in _QUERY_FLAGS})
        except QuerySyntaxError:
            continue
        out.append((name, flags, args))
    return out


VECTORS = _vector_queries()


@pytest.mark.parametrize("name,flags,args", VECTORS, ids=[name for name, _, _ in VECTORS])
def test_builders_agree_on_every_vector(name, flags, args, monkeypatch):
    need_vectors()
    monkeypatch.chdir(INPUTS)
    results = parse_inputs(read_inputs(args))
    query = {k: flags[k] for k in _QUERY_FLAGS}
    fast, reference = _both(results, float(flags["alpha"]), float(flags["confidence"]), **query)
    assert_same_tables(fast, reference)
    assert _cells_of(fast) > 0


def test_there_are_vectors_to_build():
    need_vectors()
    assert len(VECTORS) >= 20


@pytest.mark.parametrize("query", [
    {}, {"col": "/size"}, {"row": ".name", "col": ".file,/size"}, {"table": "", "row": ".name"},
    {"filter": ".unit:(B/op OR allocs/op)"}, {"filter": "-.unit:sec/op", "col": ".name"},
    {"col": "/size@(64KiB 1KiB)"}, {"row": ".fullname@alpha", "col": ".file@num"},
    {"ignore": ".file", "col": "goos"},
], ids=repr)
def test_builders_agree_on_the_sample_data(query):
    files = [Input(str(p), p.name, p.read_text()) for p in
             (SAMPLE_BENCH / "old.txt", SAMPLE_BENCH / "new.txt")]
    fast, reference = _both(parse_inputs(files), **query)
    assert_same_tables(fast, reference)
    assert _cells_of(fast) > 0


_CORNERS = {
    # every warning: one sample, equal samples, too few for a U test, exact units
    # whose values differ, zero and negative centers in the geomean, a residue
    "warnings": ("Unit bytes assume=exact\npkg: a\n"
                 "BenchmarkOne 1 5 ns/op 7 bytes 0 z/op -1 neg/op\n"
                 "BenchmarkTwo 1 5 ns/op 7 bytes 0 z/op\nBenchmarkTwo 1 5 ns/op 8 bytes 0 z/op\n"
                 "pkg: b\nBenchmarkTwo 1 6 ns/op 7 bytes 1 z/op\n", {"table": ""}),
    "nan-and-inf": ("BenchmarkA 1 3 ns/op\nBenchmarkA 1 +Inf ns/op\nBenchmarkA 1 NaN ns/op\n"
                    "BenchmarkA 1 -Inf ns/op\nBenchmarkB 1 1e308 ns/op\n"
                    "BenchmarkB 1 5e-324 ns/op\n",
                    {}),
    "unit-twice": ("BenchmarkA 1 3 ns/op 4 ns/op\nBenchmarkA 1 5 ns/op 1 ns/op\n", {}),
    "filter-drops-all": ("BenchmarkA 1 3 ns/op\n", {"filter": ".name:B"}),
    "unit-filter-on-written-unit": ("BenchmarkA 1 3 ns/op 4 MB/s\nBenchmarkA 1 5 ns/op 5 MB/s\n",
                                    {"filter": ".unit:MB/s"}),
    "config-change": ("goos: linux\nBenchmarkA 1 3 ns/op\nBenchmarkA 1 4 ns/op\n"
                      "goos: darwin\ngoarch: arm64\nBenchmarkA 1 5 ns/op\nBenchmarkB 1 6 ns/op\n",
                      {"row": ".name", "col": "goos"}),
    "fixed-order-filters": ("BenchmarkA/n=1 1 3 ns/op\nBenchmarkA/n=2 1 4 ns/op\n"
                            "BenchmarkA/n=3 1 5 ns/op\n", {"col": "/n@(3 1)", "row": ".name"}),
}


def _corner_files(text: str) -> list[Input]:
    """The corner as an old file, and a new one with other values in places."""
    new = text.replace(" 5 ", " 9 ").replace("-1 neg/op", "2 neg/op")
    return [Input("old", "old", text), Input("new", "new", new)]


@pytest.mark.parametrize("name", sorted(_CORNERS))
def test_builders_agree_on_corners(name):
    text, query = _CORNERS[name]
    fast, reference = _both(parse_inputs(_corner_files(text)), **query)
    assert_same_tables(fast, reference)
    assert (_cells_of(fast) == 0) == (name == "filter-drops-all")


def test_the_corners_raise_their_warnings():
    """The corner inputs reach the warnings they are for (else the test above proves less)."""
    text, query = _CORNERS["warnings"]
    fast, _ = _both(parse_inputs(_corner_files(text)), **query)
    data = fast.tables[0].data
    found = {m for warnings in (data.sample_warn, data.warn, data.cmp_warn)
             for ms in warnings.values() for m in ms}
    found |= {m for t in fast.tables for s in t.summary.values() for m in s.warnings}
    for start in ("benchmarks vary in", "need >= 6 samples for confidence",
                  "all samples are equal", "need >= 4 samples to detect",
                  "exact distribution expected", "summaries must be >0", "ratios must be >0"):
        assert any(m.startswith(start) for m in found), start


def test_zero_and_negative_zero_keep_their_input_order():
    """A sample holding 0 and -0 sorts them in input order, as Go's sort of a small
    sample does: real benchstat 712aea8 prints this exact cell as ``0.000`` with
    ``values range from 0 to 1`` (the batched sorts put -0 first)."""
    text = ("Unit exact-bytes assume=exact\nBenchmarkA 1 0.0 ns/op\n"
            "BenchmarkA 1 0.0 exact-bytes 0.0 exact-bytes 0.0 exact-bytes\n"
            "BenchmarkA 1 0.0 exact-bytes -0.0 exact-bytes 1.0 exact-bytes\n")
    fast, reference = _both(parse_inputs([Input("z", "z", text)]), table="")
    assert_same_tables(fast, reference)
    for tables in (fast, reference):
        [exact] = [t for t in tables.tables if t.unit == "exact-bytes"]
        cell = exact.cells[(0, 0)]
        assert cell.center == 0.0 and not math.copysign(1.0, cell.center) < 0
        assert cell.warnings == ["exact distribution expected, but values range from 0 to 1"]
        assert np.signbit(exact.values_of(cell)).tolist() == [False] * 4 + [True, False]


def test_no_results():
    fast, reference = _both(parse_inputs([Input("empty", "empty", "")]))
    assert_same_tables(fast, reference)
    assert fast.tables == [] and fast.table_fields == []


_VALUES = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 2.0, 3.0, 1e-12, 5e-324, 1.5e18, -3.25]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(0, 30).map(float),
)
_UNITS = ["ns/op", "B/op", "MB/s", "x/op", "exact-bytes"]


@st.composite
def _bench_file(draw):
    lines = ["Unit exact-bytes assume=exact"]
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 5)) == 0:
            lines.append(f"pkg: p{draw(st.integers(0, 2))}")
        name = draw(st.sampled_from(["A", "B/x=1", "B/x=2", "C-4", "D/y=2/z=a-8"]))
        units = draw(st.lists(st.sampled_from(_UNITS), min_size=1, max_size=3))
        for _ in range(draw(st.integers(1, 10))):
            lines.append(f"Benchmark{name} 1 "
                         + " ".join(f"{draw(_VALUES)!r} {u}" for u in units))
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(_bench_file(), min_size=1, max_size=3),
       query=st.sampled_from([{}, {"row": ".name", "col": "/x"}, {"table": "", "col": "pkg"},
                              {"filter": ".unit:(ns/op OR exact-bytes)"}, {"ignore": "pkg"},
                              {"col": ".file,/z", "row": "/y@num"}]),
       alpha=st.sampled_from([0.05, 0.5, 1.0]))
def test_builders_agree_on_random_files(files, query, alpha):
    inputs = [Input(f"f{i}", f"f{i}", text) for i, text in enumerate(files)]
    with np.errstate(all="ignore"):     # values past float64 after tidying, as benchstat
        results = parse_inputs(inputs)
    fast, reference = _both(results, alpha, **query)
    assert_same_tables(fast, reference)


def test_the_engine_variable_picks_the_builder(monkeypatch):
    results = parse_inputs([Input("a", "a", "BenchmarkA 1 3 ns/op\n")])
    picked = []
    monkeypatch.setattr(benchtab, "build_tables_fast", lambda *a: picked.append("fast"))
    monkeypatch.setattr(benchtab, "build_tables_reference", lambda *a: picked.append("reference"))
    for value, want in (("", "fast"), ("fast", "fast"), ("reference", "reference")):
        monkeypatch.setenv("GOPHERLAB_ENGINE", value)
        Query.parse().build(results)
        assert picked.pop() == want


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_bad_levels_are_option_errors(engine, monkeypatch):
    monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
    results = parse_inputs([Input("a", "a", "BenchmarkA 1 3 ns/op\n")])
    for kw in ({"alpha": 2.0}, {"confidence": -0.1}, {"alpha": math.nan}):
        with pytest.raises(OptionError):
            Query.parse().build(results, **kw)
