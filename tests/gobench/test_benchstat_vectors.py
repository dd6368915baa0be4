"""`gopherlab benchstat` against every real benchstat v2 output in the vectors.

Every test runs under both engines (``GOPHERLAB_ENGINE``): the vectorised table
builder and statistics, and the plain reference ones.
"""
from __future__ import annotations

import io
import os

import pytest

from gobench.cli import benchstat_main

from gobench_vectors import INPUTS, OUTPUTS, commands, need_vectors

pytestmark = pytest.mark.usefixtures("engine")

V2 = [(n, argv) for n, prog, argv in commands() if prog == "benchstat"]


@pytest.mark.parametrize("mapped", [False, True], ids=["read", "mapped"])
@pytest.mark.parametrize("name,argv", V2, ids=[n for n, _ in V2])
def test_v2_vector_byte_identical(name, argv, mapped, monkeypatch):
    """Every vector, with the inputs read, and memory-mapped as big files are."""
    need_vectors()
    if mapped:
        from gobench import compare
        monkeypatch.setattr(compare, "MAP_MIN_BYTES", 1)
    monkeypatch.chdir(INPUTS)
    out, err = io.StringIO(), io.StringIO()
    status = benchstat_main(argv, out, err)
    want_out = (OUTPUTS / f"{name}.stdout").read_text(encoding="utf-8")
    err_path = OUTPUTS / f"{name}.stderr"
    want_err = err_path.read_text(encoding="utf-8") if err_path.exists() else ""
    assert out.getvalue() == want_out
    assert err.getvalue() == want_err
    # benchstat exits 0 even on errors; we exit 1 when it prints "benchstat: ..."
    assert status == (1 if want_err.startswith("benchstat: ") else 0)


def test_there_are_v2_vectors():
    need_vectors()
    assert len(V2) >= 20


def test_missing_file_is_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert benchstat_main(["nope.txt"], out, err) == 1
    assert err.getvalue() == "benchstat: open nope.txt: no such file or directory\n"
    assert out.getvalue() == ""


def test_bad_alpha_and_format(tmp_path, monkeypatch):
    need_vectors()
    monkeypatch.chdir(INPUTS)
    for argv, msg in ((["-alpha", "2", "old.txt"], "-alpha must be in range [0, 1]"),
                      (["-format", "html", "old.txt"], "-format must be text or csv")):
        out, err = io.StringIO(), io.StringIO()
        assert benchstat_main(argv, out, err) == 1
        assert err.getvalue() == f"benchstat: {msg}\n"


def test_no_inputs_is_usage_error():
    out, err = io.StringIO(), io.StringIO()
    assert benchstat_main([], out, err) == 2
    assert err.getvalue().startswith("Usage: benchstat [flags] inputs...")


def test_process_entry_point(tmp_path):
    """The real command line: python -m gopherlab.cli benchstat (as a subprocess)."""
    need_vectors()
    import subprocess
    import sys
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.run([sys.executable, "-m", "gopherlab.cli", "benchstat", "old.txt", "new.txt"],
                          cwd=INPUTS, capture_output=True, env={**os.environ, "PYTHONPATH": repo})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (OUTPUTS / "v2-default.stdout").read_bytes()


def test_mapped_inputs_in_every_encoding(tmp_path, monkeypatch):
    """UTF-8 with a BOM, UTF-16 with and without one, and bad UTF-8: a mapped file
    gives what the same file read gives."""
    from gobench import compare

    text = "goos: linux\nBenchmarkA-2\t10\t5.5 ns/op\nBenchmarkA-2\t10\t6.5 ns/op\n"
    files = {"bom.txt": b"\xef\xbb\xbf" + text.encode(), "u16.txt": text.encode("utf-16"),
             "u16le.txt": text.encode("utf-16-le"),
             "bad.txt": text.encode() + b"note: \xff\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    got = {}
    for limit in (1 << 40, 1):
        monkeypatch.setattr(compare, "MAP_MIN_BYTES", limit)
        out, err = io.StringIO(), io.StringIO()
        status = benchstat_main(list(files), out, err)
        got[limit] = (status, out.getvalue(), err.getvalue())
    assert got[1] == got[1 << 40]
    assert got[1][0] == 0 and got[1][1].count("6.000n ± ∞") == 4   # one cell per file
