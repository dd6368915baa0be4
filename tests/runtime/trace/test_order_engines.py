"""The compiled ordering (order_fast + numba) equals the Python loop (order.py), event for event.

On every real trace the tests make and on the bundled sample: every emitted column, every extra
event, the TaskEnd details. On broken inputs -- cut and flipped bytes, and decoded events
mutated where only the ordering can notice (a goroutine id, a sequence number, a status, a
type, a time) -- both give the same result or the same error (type, message, byte offset).
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("numba")

from pprof_parse.runtime.trace import TraceFormatError, order, order_fast, read_trace  # noqa: E402
from pprof_parse.runtime.trace.decode import decode_generation  # noqa: E402
from pprof_parse.runtime.trace.wire import read_generations, read_header  # noqa: E402

BUNDLED = Path(__file__).resolve().parents[3] / "gopherlab" / "data" / "runtime" / "trace" / "tracegen.trace"
COLUMNS = ("src", "m", "p", "g", "x")


@pytest.fixture(autouse=True)
def compile_every_trace(monkeypatch):
    """The compiled path for every size of trace (small ones take the Python loop by default)."""
    monkeypatch.setattr(order_fast, "MIN_COMPILED_EVENTS", 0)


def decoded(data: bytes) -> list:
    version = read_header(data, "t")
    return [(g, decode_generation(g, data, "t")) for g in read_generations(data, version, "t")]


def compiled_only(*args, **kwargs):
    raise AssertionError("the compiled path fell back to the Python loop")


def assert_same(fast, ref):
    for c in COLUMNS:
        a, b = getattr(fast, c), getattr(ref, c)
        assert a.dtype == np.int64 and np.array_equal(a, b), c
    assert fast.extra == ref.extra
    assert fast.task_ends == ref.task_ends
    assert fast.generations == ref.generations
    assert type(fast.error) is type(ref.error) and str(fast.error) == str(ref.error)


@pytest.mark.go
@pytest.mark.parametrize("name", ["start", "generations", "flight", "gotest", "allocfree", "bundled", "edges"])
def test_compiled_equals_python_on_real_traces(trace_paths, name):
    items = decoded(trace_paths[name].read_bytes())
    fast = order_fast.order_events_fast(items, name, False, compiled_only)
    ref = order.order_events_reference(items, name)
    assert len(ref.src) > 50
    assert_same(fast, ref)


def test_cpu_samples_are_merged_as_by_the_python_loop():
    """CPU samples (none in the workload's traces) go before the first event whose time is not
    earlier, ties after the events: some at events' exact times, some between, some out of order."""
    items = decoded(BUNDLED.read_bytes())
    rng = random.Random(7)
    for g, ev in items:
        ticks = [int((t - 0) / g.ns_per_tick) for t in rng.sample(ev.time.tolist(), 40)]
        ticks += [rng.randrange(min(ticks), max(ticks)) for _ in range(40)]
        g.cpu = [(t, rng.choice((-1, 3, 5)), rng.choice((-1, 0, 1)), rng.choice((-1, 1, 7)), rng.randrange(1, 9))
                 for t in ticks]
    fast = order_fast.order_events_fast(items, "t", False, compiled_only)
    ref = order.order_events_reference(items, "t")
    assert fast.extra.typ.count(7) == 80
    assert_same(fast, ref)


@pytest.mark.go
def test_compiled_keeps_the_complete_generations_of_a_cut_trace(traces):
    data = traces["generations"].read_bytes()
    cut = data[:len(data) - 10]
    version = read_header(cut, "t")

    def lazily():
        for g in read_generations(cut, version, "t"):
            yield g, decode_generation(g, cut, "t")
    fast = order_fast.order_events_fast(lazily(), "t", True, compiled_only)
    ref = order.order_events_reference(lazily(), "t", keep_complete=True)
    assert isinstance(ref.error, TraceFormatError) and ref.generations >= 2
    assert_same(fast, ref)
    with pytest.raises(TraceFormatError) as err:
        order_fast.order_events_fast(lazily(), "t", False, compiled_only)
    assert str(err.value) == str(ref.error)


def outcome(run):
    try:
        return run()
    except TraceFormatError as e:
        return (type(e), str(e), e.offset)


_TYPES = (9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
          35, 36, 37, 40, 41, 42, 43, 44, 45, 46, 47, 48)


def mutate(items, rng: random.Random):
    """Copies of the decoded generations with 1-3 events changed where the ordering looks."""
    out = [(g, type(ev)(ev.typ.copy(), ev.time.copy(), ev.args.copy(), ev.offset, ev.threads)) for g, ev in items]
    for _ in range(rng.choice((1, 1, 2, 3))):
        _, ev = rng.choice(out)
        if not len(ev.typ):
            continue
        i = rng.randrange(len(ev.typ))
        what = rng.randrange(6)
        if what == 0:    # another goroutine / P id, or an unknown one
            ev.args[0, i] = ev.args[0, rng.randrange(len(ev.typ))] if rng.random() < 0.7 else rng.randrange(1, 5000)
        elif what == 1:  # a sequence number off by one
            ev.args[1, i] = max(0, int(ev.args[1, i]) + rng.choice((-1, 1)))
        elif what == 2:  # a status (GoStatus / ProcStatus) or a thread
            ev.args[2, i], ev.args[1, i] = rng.randrange(6), rng.choice((int(ev.args[1, i]), rng.randrange(6)))
        elif what == 3:  # another event type with the same arguments
            ev.typ[i] = rng.choice(_TYPES)
        elif what == 4:  # another event's time: another place in the merge
            ev.time[i] = ev.time[rng.randrange(len(ev.typ))]
        else:            # a GC sequence, a task or a region name
            ev.args[0, i] = max(0, int(ev.args[0, i]) + rng.choice((-1, 1)))
    return out


@pytest.mark.go
@pytest.mark.parametrize("name, cases", [("gotest", 250), ("start", 6), ("generations", 6)])
def test_mutated_events_give_the_same_result_or_error(traces, name, cases):
    """The compiled path finds every broken rule the Python loop finds (and then hands over to it
    for the message); where the Python loop accepts an input, the compiled path gives its result."""
    items = decoded(traces[name].read_bytes())
    rng = random.Random(f"order-{name}")
    handed_over = []

    def reference(*args, **kwargs):
        handed_over.append(1)
        return order.order_events_reference(*args, **kwargs)
    errors = accepted = 0
    for _ in range(cases):
        bad = mutate(items, rng)
        ref = outcome(lambda: order.order_events_reference(bad, name))
        before = len(handed_over)
        fast = outcome(lambda: order_fast.order_events_fast(bad, name, False, reference))
        if isinstance(ref, tuple):
            errors += 1
            assert fast == ref
            assert len(handed_over) == before + 1
        else:
            accepted += 1
            assert not isinstance(fast, tuple), fast
            assert_same(fast, ref)
    assert errors >= min(cases // 5, 3) and (accepted >= 1 or cases < 50), (errors, accepted)


@pytest.mark.go
def test_cut_and_flipped_traces_give_the_same_errors_under_both_engines(traces, monkeypatch):
    data = traces["gotest"].read_bytes()
    rng = random.Random(1818)
    cases = [data[:k] for k in sorted(rng.sample(range(16, len(data)), 15))]
    for _ in range(25):
        flipped = bytearray(data)
        for _ in range(rng.choice((1, 3))):
            flipped[rng.randrange(16, len(data))] = rng.randrange(256)
        cases.append(bytes(flipped))
    for case in cases:
        results = []
        for engine in ("fast", "reference"):
            monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
            try:
                results.append(len(read_trace(case).events))
            except TraceFormatError as e:
                results.append((type(e), e.offset))
        assert results[0] == results[1]


def _assert_python_loop_ran_once(items) -> None:
    """order_events_fast handed the whole trace to the Python loop once, and its result is that loop's."""
    calls = []

    def reference(*args, **kwargs):
        calls.append(1)
        return order.order_events_reference(*args, **kwargs)
    assert_same(order_fast.order_events_fast(items, "t", False, reference), order.order_events_reference(items, "t"))
    assert calls == [1]


def test_a_small_trace_takes_the_python_loop(monkeypatch):
    monkeypatch.setattr(order_fast, "MIN_COMPILED_EVENTS", 100_000)
    items = decoded(BUNDLED.read_bytes())
    assert not order_fast.worth_compiling(len(items[0][1].typ))
    _assert_python_loop_ran_once(items)


def test_an_unusable_numba_means_the_python_loop(monkeypatch):
    from gopherlab_common.lazy import LazyModule

    monkeypatch.setattr(order_fast, "kernel", LazyModule("pprof_parse.runtime.trace.no_such_kernel"))
    _assert_python_loop_ran_once(decoded(BUNDLED.read_bytes()))


def test_reading_a_small_trace_does_not_import_numba():
    code = (f"import sys; from pprof_parse.runtime.trace import read_trace; read_trace({str(BUNDLED)!r}).events; "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_compiled_path_leaves_no_thread_and_no_gc_change():
    code = ("import gc, sys, threading; from pprof_parse.runtime.trace import order_fast, read_trace; "
            "order_fast.MIN_COMPILED_EVENTS = 0; n = threading.active_count(); "
            "g = gc.isenabled(), gc.get_threshold(); "
            f"read_trace({str(BUNDLED)!r}).events; "
            "print('numba' in sys.modules, threading.active_count() == n, (gc.isenabled(), gc.get_threshold()) == g)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True", "True"]


def test_frontier_sort_equals_go_sort_func():
    from pprof_parse.runtime.trace.gosort import sort_func
    from pprof_parse.runtime.trace.order_sort_kernel import sort_cursors

    rng = np.random.default_rng(18)
    todo = np.empty((5, 132), np.int64)
    for n in (0, 1, 5, 12, 13, 30, 49, 50, 51, 200, 2000):
        for trial in range(12):
            key = rng.integers(0, max(2, n // (trial % 4 + 1)), n).astype(np.int64)
            if trial == 0:
                key.sort()
            elif trial == 1:
                key = np.sort(key)[::-1].copy()
            cursors = np.arange(n, dtype=np.int64)
            sort_cursors(cursors, n, key, todo)
            expected = list(range(n))
            sort_func(expected, key=lambda c: key[c])
            assert cursors.tolist() == expected, (n, trial)
