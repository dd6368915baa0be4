"""Fuzzing every reader with mutations of real inputs (issue 13, section 1).

``harness`` holds the readers, seeds, mutations and the bounded worker process;
``test_fuzz_readers`` runs a short, deterministic hypothesis campaign per reader
in CI; ``test_regressions`` replays the minimal inputs saved in ``regressions/``;
``benchmarks/fuzz_readers.py`` is the longer run on purpose.
"""
