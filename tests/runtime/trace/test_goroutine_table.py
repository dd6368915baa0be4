"""goroutine_table against ``go tool trace``'s goroutine pages (``/goroutines``, ``/goroutine?name=``),
read from its HTTP server, on real traces; and the fast path equal to the reference state machine."""

from __future__ import annotations

import pandas as pd
import pytest

from goenv import REPO
from pprof_parse.runtime.trace import read_trace
from pprof_parse.runtime.trace.goroutines import (NEEDED_KINDS, goroutine_summary_table, goroutine_table,
                                                  is_system_goroutine)
from trace_http_oracle import duration_ns, goroutine_breakdown, goroutine_groups

pytestmark = pytest.mark.go

BUNDLED = REPO / "gopherlab" / "data" / "runtime" / "trace" / "tracegen.trace"
NAMES = ["bundled", "edges", "start", "generations", "flight", "gotest", "allocfree"]


def _go_columns(row: pd.Series, columns) -> dict[str, int]:
    """Our row under the column names of Go's breakdown and special-ranges tables."""
    out = {"Total": row["total_ns"], "Execution time": row["exec_ns"], "Sched wait time": row["sched_wait_ns"],
           "Syscall execution time": row["syscall_ns"], "Unknown time": row["unknown_ns"],
           "Block time (syscall)": row["syscall_block_ns"]}
    for c in columns:
        if c.startswith("block_ns_"):
            key = f"Block time ({c[len('block_ns_'):]})"
            out[key] = out.get(key, 0) + row[c]
        elif c.startswith("range_ns_"):
            out[c[len("range_ns_"):]] = row[c]
    return {k: int(v) for k, v in out.items()}


@pytest.mark.parametrize("name", NAMES)
def test_goroutine_table_equals_go_tool_trace(trace_paths, go_trace_servers, name):
    path = trace_paths[name]
    table = goroutine_table(read_trace(path))
    server = go_trace_servers[path]
    groups = goroutine_groups(server.get("/goroutines"))
    ours = table.groupby("name")["exec_ns"].agg(["size", "sum"])
    assert {k: (int(n), int(s)) for k, (n, s) in ours.iterrows()} == groups
    by_id = table.set_index("goroutine")
    checked = 0
    for group in groups:
        for gid, theirs in goroutine_breakdown(server.get("/goroutine", name=group)).items():
            mine = _go_columns(by_id.loc[gid], table.columns)
            # Go shows the stats its group has (a column absent for a goroutine is 0s)
            assert {k: mine.get(k, 0) for k in theirs} == theirs, (group, gid)
            assert by_id.loc[gid, "name"] == group
            checked += 1
    assert checked == len(table)
    assert table["exec_ns"].sum() > 0 and table["block_ns"].sum() > 0
    if name == "edges":  # two goroutines blocked forever (a nil channel, an empty select) ended there
        forever = table[table["name"].isin(["main.main.func3", "main.main.func4"])]
        assert len(forever) == 2 and forever["end_time"].notna().all()
        assert "range_ns_GC incremental sweep" in table.columns


def test_bundled_trace_covers_every_kind_of_time():
    """The figures a user reads first, on the bundled trace (whose numbers the test above
    checks against Go): every bucket is exercised, and the buckets partition the total."""
    t = goroutine_table(read_trace(BUNDLED))
    for column in ("exec_ns", "sched_wait_ns", "syscall_ns", "syscall_block_ns", "block_ns"):
        assert t[column].sum() > 0, column
    accounted = t[["exec_ns", "sched_wait_ns", "syscall_ns", "syscall_block_ns", "block_ns"]].sum(axis=1)
    assert (t["unknown_ns"] == (t["total_ns"] - accounted).clip(lower=0)).all()
    blocks = [c for c in t.columns if c.startswith("block_ns_")]
    assert (t[blocks].sum(axis=1) == t["block_ns"]).all()
    assert {"block_ns_chan send", "block_ns_network", "block_ns_select"} <= set(t.columns)
    assert any(c.startswith("range_ns_stop-the-world") for c in t.columns)
    main = t[t["name"] == "main.main"].iloc[0]
    assert main["goroutine"] == 1 and main["creator"] == -1 and not main["system"]
    created = t[t["creator"] >= 0]
    assert len(created) and (created["creator_stack"] > 0).all()
    assert (created["creation_time"] < created["start_time"]).all()
    assert t["start_time"].isna().any() and t["end_time"].notna().any()  # some never ran; some ended
    ended = t[t["end_time"].notna()]
    assert (ended["total_ns"] == ended["end_time"] - ended["creation_time"]).all()
    assert t.loc[t["system"], "name"].map(is_system_goroutine).all()


@pytest.mark.parametrize("name", NAMES)
def test_goroutine_table_engines_agree(trace_paths, monkeypatch, name):
    trace = read_trace(trace_paths[name])
    monkeypatch.setenv("GOPHERLAB_ENGINE", "fast")
    fast = goroutine_table(trace)
    monkeypatch.setenv("GOPHERLAB_ENGINE", "reference")
    pd.testing.assert_frame_equal(fast, goroutine_table(trace))
    ev = trace.events  # the Sync and Range events are all the summary needs besides the transitions
    only = ev[ev["kind"].isin(NEEDED_KINDS)]
    for engine in ("fast", "reference"):
        monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
        pd.testing.assert_frame_equal(fast, goroutine_summary_table(trace.transitions, only, trace.stack))


@pytest.mark.parametrize("text, ns", [("0s", 0), ("123ns", 123), ("1.323072ms", 1_323_072), ("67.52µs", 67_520),
                                      ("1m2.000000001s", 62_000_000_001), ("2h0m0s", 7_200_000_000_000),
                                      ("-3ns", -3)])
def test_go_duration_strings(text, ns):
    assert duration_ns(text) == ns


def test_go_duration_rejects_garbage():
    with pytest.raises(ValueError, match="not a Go duration"):
        duration_ns("12 ms")


def test_no_goroutine_transitions_give_an_empty_table(monkeypatch):
    trace = read_trace(BUNDLED)
    ev = trace.events
    tables = []
    for engine in ("fast", "reference"):
        monkeypatch.setenv("GOPHERLAB_ENGINE", engine)
        tables.append(goroutine_summary_table(trace.transitions.iloc[:0], ev[ev["kind"] == "Sync"], trace.stack))
    pd.testing.assert_frame_equal(*tables)
    assert len(tables[0]) == 0 and list(tables[0].columns[:3]) == ["goroutine", "name", "start_pc"]
