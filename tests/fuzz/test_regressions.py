"""Replay the minimal inputs the fuzzer found (``regressions/READER--what.bin``).

Each file is fed to its reader (the name before ``--``) in the bounded worker; only a
typed error or success may come out.  ``*.bin.gz`` files are stored gzip-compressed to stay
small (a 5,000-digit number) and are decompressed before the reader sees them.
A file listed in :data:`XFAIL` is a known escape whose fix has not landed yet.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from fuzz.harness import describe, is_bad

REGRESSIONS = Path(__file__).resolve().parent / "regressions"

#: file name -> why it still escapes (strict: the test fails once the fix is in, so the entry is removed)
XFAIL: dict[str, str] = {}


def _cases():
    for p in sorted(REGRESSIONS.glob("*.bin*")):
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[p.name])] if p.name in XFAIL else []
        yield pytest.param(p, id=p.name, marks=marks)


def _input(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


@pytest.mark.parametrize("path", list(_cases()))
def test_fuzz_regression(fuzz_worker, path):
    reader = path.name.split("--")[0]
    data = _input(path)
    res = fuzz_worker.run(reader, data)
    assert not is_bad(res), describe(reader, data, res)


def test_regression_files_are_small_and_named_for_a_reader():
    from fuzz.harness import FUZZED

    for p in REGRESSIONS.glob("*"):
        if p.name == "README.md":
            continue
        assert p.suffix in (".bin", ".gz") and p.stat().st_size < 4096, p
        assert p.name.split("--")[0] in FUZZED, p
