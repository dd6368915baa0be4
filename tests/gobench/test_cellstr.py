"""The vectorised cell texts (text output) = the scalar rules (CSV and DataFrame output).

``present/cellstr.py`` re-implements, over all cells at once, what
:func:`gobench.units.common_scale` / :meth:`Scaler.format`,
:func:`gobench.stats.summary.pct_range_string`, :func:`format_delta` and
:meth:`Comparison.note` give one value at a time.  Random benchmark files (any
float, zeros, ±Inf, NaN, tiny and huge magnitudes, SI and IEC units, exact
units, one or two files) run through the real pipeline; every cell must get the
same strings both ways.  The plain reference (``GOPHERLAB_ENGINE=reference``,
``present/cellstr_reference.py``) is held to the same rules, and to the fast
texts and benchstat's own output on the real inputs of the benchstat vectors
and the bundled sample.
"""
from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gobench.benchtab import Query
from gobench.present.cellstr import CellTexts
from gobench.read.benchfmt import parse_inputs
from gobench.read.sources import Input
from gobench.stats.summary import pct_range_string
from gobench.units import class_of, common_scale

_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1.0, 999.95, 99.995, 9.9995, 0.99995, 1e-12, 5e-324, 1023.95,
                     1024.0, 1.5e18, -3.25]),
    st.integers(0, 10 ** 7).map(float),
    st.floats(0.5, 2.0),
)
pytestmark = pytest.mark.usefixtures("engine")

_UNITS = ["ns/op", "B/op", "allocs/op", "MB/s", "x/op", "bytes", "exact-bytes"]


def _file(draw, units: list[str], benches: list[str]) -> str:
    lines = ["Unit exact-bytes assume=exact"]
    for b in benches:
        for _ in range(draw(st.integers(1, 8))):
            vals = [draw(_VALUES) for _ in units]
            lines.append(f"Benchmark{b} 1 " + " ".join(f"{v!r} {u}" for v, u in zip(vals, units)))
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cell_texts_match_scalar_rules(data):
    draw = data.draw
    units = draw(st.lists(st.sampled_from(_UNITS), min_size=1, max_size=3, unique=True))
    benches = draw(st.lists(st.sampled_from(["A", "B/x=1", "C-4", "D/y=2-8"]), min_size=1,
                            max_size=4, unique=True))
    files = [Input(f"f{i}", f"f{i}", _file(draw, units, benches))
             for i in range(draw(st.integers(1, 2)))]
    alpha = draw(st.sampled_from([0.05, 0.5, 1.0]))
    with np.errstate(all="ignore"):   # overflowing ratios of 1e308 values, as benchstat
        tables = _built_by_fast_engine(
            lambda: Query.parse().build(parse_inputs(files), alpha=alpha)).tables
        texts = CellTexts(tables)
    for t in tables:
        cls = class_of(t.unit)
        cells = t.cells
        for ri in range(len(t.rows)):
            row = [cells[(ri, cj)] for cj in range(len(t.cols)) if (ri, cj) in cells]
            sc = common_scale([c.center for c in row], cls)
            for c in row:
                i = c.index
                assert texts.center[i] == sc.format(c.center), (t.unit, c.center)
                assert texts.pct[i] == pct_range_string(c.center, c.lo, c.hi), (c.center, c.lo, c.hi)
                cmp = c.comparison
                if cmp is None:
                    assert texts.delta[i] is None
                    continue
                assert texts.delta[i] == cmp.format_delta(c.baseline.center, c.center)
                assert texts.note[i] == f"({cmp.note()})"
    # every numbered cell was looked at: the tables cover all of them
    assert sum(len(t.cells) for t in tables) == (len(texts.center) - 1 if tables else 0)


_ATTRS = ("center", "pct", "delta", "note", "wclass_s", "wclass_c", "wmsgs_s", "wmsgs_c")


def _built_by_fast_engine(build):
    """``build()`` with the fast reader and table builder, whatever the selected engine:
    these tests hold the cell texts alone to account (the builders have their own)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOPHERLAB_ENGINE", "fast")
        return build()


def _texts_both_ways(tables, monkeypatch) -> dict:
    """``{engine: CellTexts}`` of the same *tables*; the engine variable is restored."""
    import os
    was = os.environ.get("GOPHERLAB_ENGINE", "")
    got = {}
    for engine in ("fast", "reference"):
        monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
        got[engine] = CellTexts(tables)
    monkeypatch.setenv("GOPHERLAB_ENGINE", was)
    return got


def _assert_same_texts(a: CellTexts, b: CellTexts) -> None:
    for name in _ATTRS:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.tolist() == y.tolist(), name
        else:
            assert x == y, name


def _vector_runs():
    """The text vectors that print tables (not a ``benchstat: <error>``)."""
    from gobench_vectors import OUTPUTS, commands

    def error(name):
        err = OUTPUTS / f"{name}.stderr"
        return err.exists() and err.read_text(encoding="utf-8").startswith("benchstat: ")

    return [(n, argv) for n, prog, argv in commands() if prog == "benchstat"
            and "csv" not in argv and not error(n)]


@pytest.mark.parametrize("name,argv", _vector_runs(), ids=[n for n, _ in _vector_runs()])
def test_both_engines_print_the_vectors_text(name, argv, monkeypatch):
    """On every text vector, the tables (built once) give the same cell texts with
    both engines, and the text output under the selected engine is benchstat's."""
    from gobench.cli import parse_go_flags
    from gobench.compare import read_inputs
    from gobench.present.text import tables_to_text

    from gobench_vectors import INPUTS, OUTPUTS, need_vectors
    need_vectors()
    spec = {"table": ".config", "row": ".fullname", "col": ".file", "ignore": "",
            "filter": "*", "alpha": "0.05", "confidence": "0.95", "format": "text"}
    flags, args = parse_go_flags(argv, spec)
    monkeypatch.chdir(INPUTS)
    q = Query.parse(table=flags["table"], row=flags["row"], col=flags["col"],
                    ignore=flags["ignore"], filter=flags["filter"])
    with np.errstate(all="ignore"):
        tables = _built_by_fast_engine(
            lambda: q.build(parse_inputs(read_inputs(args), decode_json=False),
                            alpha=float(flags["alpha"]), confidence=float(flags["confidence"])))
    both = _texts_both_ways(tables.tables, monkeypatch)
    _assert_same_texts(both["fast"], both["reference"])
    assert len(both["fast"].center) > 1
    want = (OUTPUTS / f"{name}.stdout").read_text(encoding="utf-8")
    assert tables_to_text(tables) == want


def test_both_engines_agree_on_the_bundled_sample(monkeypatch):
    from gobench.compare import read_inputs
    from goenv import REPO
    sample = REPO / "gopherlab" / "data" / "bench"
    for args in ([str(sample / "old.txt"), str(sample / "new.txt")], [str(sample / "old.txt")]):
        tables = _built_by_fast_engine(
            lambda: Query.parse().build(parse_inputs(read_inputs(args)))).tables
        both = _texts_both_ways(tables, monkeypatch)
        _assert_same_texts(both["fast"], both["reference"])
        assert any(d is not None for d in both["reference"].delta) == (len(args) == 2)


def test_no_tables(engine):
    texts = CellTexts([])
    assert texts.center.tolist() == [None] and texts.wmsgs_s == [()]
