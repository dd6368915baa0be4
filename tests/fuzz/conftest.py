"""One bounded fuzz worker process shared by the tests of this folder."""

from __future__ import annotations

import pytest

from fuzz.harness import Worker


@pytest.fixture(scope="session")
def fuzz_worker():
    """A :class:`fuzz.harness.Worker`: 1 GiB of address space above its imports, 5 s of CPU per call."""
    w = Worker(mem_mb=1024, cpu_s=5.0)
    yield w
    w.close()
