"""A BOM or another line-end convention changes nothing a reader returns, or it warns (issue 13, section 1).

For each reader and each of its real text seeds: the result read from the seed with a
UTF-8 BOM in front, with CRLF line ends and with CR-only line ends must have the
seed's :func:`fuzz.harness.fingerprint` (shape and the sums of numeric columns), or
the reader must say something: a warning the plain seed did not give, or a typed
error.  A different result without a word is a silently wrong one.
"""

from __future__ import annotations

import pytest

from fuzz.harness import FUZZED, READERS, describe, is_bad

VARIANTS = {
    "bom": lambda b: b"\xef\xbb\xbf" + b,
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "cr": lambda b: b.replace(b"\n", b"\r"),
}
#: readers with text seeds (the CLIs print paths, so their output is not compared)
TEXT_READERS = [n for n in FUZZED if not n.startswith("cli_") and n not in ("profile_proto", "profile_legacy_cpu")]


def _calls(res):
    return {c["call"]: c for c in res["calls"]}


@pytest.mark.parametrize("name", TEXT_READERS)
def test_bom_and_line_ends_read_the_same_or_warn(fuzz_worker, name):
    seeds = [s for s in READERS[name].seeds() if s[2] == "text"][:3]
    if not seeds:
        pytest.skip(f"{name}: no text seeds")
    silent = []
    for label, seed, _kind in seeds:
        base = fuzz_worker.run(name, seed, fingerprints=True)
        assert base["outcome"] == "ok", describe(name, seed, base)
        base_calls = _calls(base)
        for what, variant in VARIANTS.items():
            data = variant(seed)
            res = fuzz_worker.run(name, data, fingerprints=True)
            assert not is_bad(res), describe(name, data, res, limit=200)
            for call, c in _calls(res).items():
                b = base_calls[call]
                if c["outcome"] == "typed" or c.get("fp") == b.get("fp"):
                    continue
                if len(c["warnings"]) > len(b["warnings"]) or set(c["warnings"]) - set(b["warnings"]):
                    continue
                silent.append(f"{label} + {what}: {call} differs without a warning\n"
                              f"    plain:   {b.get('fp', '')[:300]}\n    variant: {c.get('fp', '')[:300]}")
    assert not silent, "\n".join(silent)
