"""Trace.delay_profile against ``go tool trace -pprof=KIND``: the same stacks, counts and nanoseconds."""

from __future__ import annotations

import subprocess

import pytest

import pprof_parse
from pprof_parse.errors import OptionError
from pprof_parse.runtime.trace import read_trace
from pprof_parse.runtime.trace.delays import KINDS, _pcs_key

pytestmark = pytest.mark.go


def go_profile(go, path, kind, tmp_path) -> dict[tuple, tuple[int, int]]:
    """Go's profile as {PCs (Go's key): (count, ns)}, decoded by pprof_parse."""
    out = tmp_path / f"{kind}.pb"
    with open(out, "wb") as f:
        subprocess.run([go, "tool", "trace", f"-pprof={kind}", str(path)], stdout=f, check=True)
    d = pprof_parse.read_profile(out).data
    totals: dict[tuple, tuple[int, int]] = {}
    for i in range(len(d.values)):
        locs = d.stack_locs[d.stack_offsets[i]:d.stack_offsets[i + 1]]
        key = _pcs_key(d.loc_address[locs].tolist())
        count, ns = totals.get(key, (0, 0))
        totals[key] = (count + int(d.values[i, 0]), ns + int(d.values[i, 1]))
    return totals


@pytest.mark.parametrize("name", ["generations", "gotest"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_delay_profile_equals_go(traces, go, tmp_path, name, kind):
    trace = read_trace(traces[name])
    ours = trace.delay_profile(kind)
    mine = {_pcs_key([f[0] for f in trace.stack(s)]): (c, ns)
            for s, c, ns in zip(ours["stack"], ours["count"], ours["delay_ns"])}
    theirs = go_profile(go, traces[name], kind, tmp_path)
    assert mine == theirs
    if kind in ("sched", "sync"):  # the workload waits on the scheduler and on channels
        assert ours["delay_ns"].sum() > 0
    assert ours["delay_ns"].is_monotonic_decreasing


def test_unknown_kind(traces):
    with pytest.raises(OptionError, match="sched, syscall, net, sync"):
        read_trace(traces["gotest"]).delay_profile("cpu")
