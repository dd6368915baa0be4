"""``gopherlab notebooks DIR``: the installed notebooks and sample data, copied where a user can open them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gopherlab.cli import main as cli_main
from gopherlab.report import KINDS

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "gopherlab" / "data"


def _bundled_data() -> dict[str, bytes]:
    return {p.relative_to(DATA).as_posix(): p.read_bytes() for p in DATA.rglob("*")
            if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    dest = tmp_path_factory.mktemp("nbs") / "work" / "notebooks"  # parents created too
    assert cli_main(["notebooks", str(dest)]) == 0
    return dest


def test_copies_the_four_notebooks_and_the_sample_data(copied):
    names = sorted(p.name for p in copied.glob("*.ipynb"))
    assert names == sorted(f"{nb}.ipynb" for nb, _ in KINDS.values())
    for name in names:  # nothing rewritten
        assert (copied / name).read_bytes() == (REPO / "notebooks" / name).read_bytes()
    want = _bundled_data()
    got = {p.relative_to(copied / "data").as_posix(): p.read_bytes() for p in (copied / "data").rglob("*")
           if p.is_file()}
    assert got == want
    assert "runtime/leakserver/manifest.json" in got and "profiles/allocs.pb.gz" in got


def test_existing_files_are_kept_unless_forced(copied, capsys):
    nb = copied / "benchmark_comparison.ipynb"
    nb.write_text("mine")
    assert cli_main(["notebooks", str(copied)]) == 2
    err = capsys.readouterr().err
    assert "exists" in err and "--force" in err and err.count("\n") == 1
    assert nb.read_text() == "mine"
    assert cli_main(["notebooks", str(copied), "--force"]) == 0
    assert nb.read_bytes() == (REPO / "notebooks" / nb.name).read_bytes()
    assert "jupyter lab" in capsys.readouterr().out


def test_usage_errors(tmp_path, capsys):
    assert cli_main(["notebooks"]) == 2
    (tmp_path / "f").write_text("")
    assert cli_main(["notebooks", str(tmp_path / "f")]) == 2
    assert "not a folder" in capsys.readouterr().err
    proc = subprocess.run([sys.executable, "-m", "gopherlab.cli", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert "notebooks" in proc.stdout


def test_a_copied_notebook_runs_from_its_folder(copied):
    """papermill runs the copied benchmark notebook with its defaults, in the copy's folder: the empty
    input paths resolve to the bundled sample through the installed package."""
    import papermill as pm

    src = copied / "benchmark_comparison.ipynb"
    out = copied / "benchmark_comparison.out.ipynb"
    pm.execute_notebook(str(src), str(out), parameters={"interactive": False}, kernel_name="python3",
                        cwd=str(copied), progress_bar=False, log_output=False, execution_timeout=300,
                        start_timeout=120)
    nb = nbformat.read(str(out), as_version=4)
    assert nb.metadata.papermill.exception is not True
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/html", ""))
                   for c in nb.cells for o in c.get("outputs", []))
    assert "Checksum/size=1KiB" in text and "sec/op" in text, text[:2000]  # benchstat's text of the sample


def test_copied_data_serves_as_relative_inputs(copied):
    """What the README suggests: in ``DIR`` (the notebooks' working folder in JupyterLab), ``data/…``
    paths name the copied samples; the benchmark notebook's first code cell on them, in a fresh
    interpreter (no kernel: that path is the test above)."""
    code = ("from gopherlab.reports import bench\n"
            "old, new = bench.bench_inputs('data/bench/old.txt', 'data/bench/new.txt')\n"
            "table, rows = bench.compare(old, new)\n"
            "assert len(rows) > 0, rows\n"
            "print(len(rows))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=copied, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert int(proc.stdout.split()[-1]) > 0
