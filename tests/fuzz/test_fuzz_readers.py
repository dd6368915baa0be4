"""Every reader, fed mutations of real inputs, lets nothing but typed errors escape (issue 13, section 1).

Deterministic (``derandomize=True``, no example database) and short: about 30 mutated
inputs per reader plus a fixed sweep of issue 13's byte patterns over one seed, each run
in the bounded worker (1 GiB above its imports, 5 s of CPU per call; see
:mod:`fuzz.harness`).  Longer runs on purpose: ``benchmarks/fuzz_readers.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fuzz.harness import FUZZED, READERS, DrawChooser, describe, is_bad, mutate, sweep


@pytest.mark.parametrize("name", FUZZED)
@settings(max_examples=30, derandomize=True, database=None, deadline=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_mutated_real_inputs_raise_only_typed_errors(fuzz_worker, name, data):
    seeds = READERS[name].seeds()
    if not seeds:
        pytest.skip(f"no seed inputs for {name}")
    ch = DrawChooser(data)
    _label, seed, kind = ch.choice(seeds)
    buf = mutate(seed, kind, ch)
    res = fuzz_worker.run(name, buf)
    assert not is_bad(res), describe(name, buf, res)


@pytest.mark.parametrize("name", FUZZED)
def test_issue13_byte_patterns_raise_only_typed_errors(fuzz_worker, name):
    seeds = READERS[name].seeds()
    if not seeds:
        pytest.skip(f"no seed inputs for {name}")
    label, seed, kind = seeds[0]
    bad = []
    for what, buf in sweep(seed, kind):
        res = fuzz_worker.run(name, buf)
        if is_bad(res):
            bad.append(f"--- {label} + {what}\n" + describe(name, buf, res, limit=200))
    assert not bad, f"{len(bad)} escape(s):\n" + "\n".join(bad)
