"""Inputs that inflate to a lot are refused or read within the harness' bounds (issue 13, section 1).

Each gzip bomb of :func:`fuzz.harness.bombs` goes to every reader that inflates gzip;
the worker allows 5 s of CPU per call and 1 GiB of address space above its imports, so
a reader that inflates without a limit or does work per inflated byte fails here.
"""

from __future__ import annotations

import pytest

from fuzz.harness import bombs, describe, is_bad

GZIP_READERS = ["profile_proto", "cli_top", "goroutines", "gctrace", "profile_text"]


@pytest.mark.parametrize("name", GZIP_READERS)
def test_gzip_bombs_stay_within_bounds(fuzz_worker, name):
    bad = []
    for label, data in bombs():
        res = fuzz_worker.run(name, data)
        if is_bad(res):
            bad.append(f"--- {label}\n" + describe(name, data, res, limit=80))
    assert not bad, "\n".join(bad)
