"""`gopherlab report`: notebooks executed by papermill, exported to offline HTML."""
from __future__ import annotations

import json
import re

import nbformat
import pytest

from gopherlab import report
from gopherlab.cli import main as cli_main

from evil_profile import EVIL_STRINGS, write_evil_profile

PLOTLY_JS_BANNER = re.compile(r"plotly\.js v\d+\.\d+\.\d+")


def _figures(html: str) -> list[dict]:
    """The figure specs plotly renders: the JSON data argument of each Plotly.newPlot call."""
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\])\s*,\s*\{', html, re.S):
        out.append(json.loads(m.group(1)))
    return out


def _check_report(path, *, min_figures: int, trace_types: set[str]):
    html = path.read_text(encoding="utf-8")
    assert len(PLOTLY_JS_BANNER.findall(html)) == 1, "plotly.js must be embedded exactly once"
    figs = _figures(html)
    assert len(figs) >= min_figures
    types = {t.get("type", "scatter") for f in figs for t in f}
    assert trace_types <= types, types
    assert path.stat().st_size <= 6_000_000
    # code hidden: no input areas in the export
    assert "gl.show_top" not in html and "import pprof_parse" not in html
    nb = nbformat.read(str(path.with_suffix(".ipynb")), as_version=4)
    assert nb.metadata.papermill.exception is not True
    return html, figs


@pytest.fixture(scope="module")
def alloc_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("alloc") / "alloc.html"
    code = cli_main(["report", "allocations", "-o", str(out)])
    return code, out


def test_allocations_report_on_sample_profile(alloc_report):
    code, out = alloc_report
    assert code == 0
    html, figs = _check_report(out, min_figures=3, trace_types={"icicle", "bar"})
    # the flame graph has one icicle per sample type, dropdown-switchable; the top function is there
    icicles = [t for f in figs for t in f if t.get("type") == "icicle"]
    assert len(icicles) >= 5  # 4 sample types + the diff flame
    assert any("main.allocLarge" in lab for t in icicles for lab in t["labels"])
    assert "Top 20 by flat: alloc_space" in html
    assert "Largest changes by function" in html  # the bundled heap-early -> heap diff
    # widgets are for JupyterLab only; the report has no widget state or cells
    assert "widget-state" not in html and "Explore (JupyterLab)" not in html


def test_allocations_report_broken_input_still_writes_html(tmp_path, capsys):
    out = tmp_path / "broken.html"
    bad = tmp_path / "notaprofile.pb.gz"
    bad.write_bytes(b"this is not a profile")
    code = report.main(["allocations", str(bad), "-o", str(out)])
    assert code == 2
    html = out.read_text(encoding="utf-8")
    assert "An Exception was encountered" in html  # papermill's banner, kept in the report
    assert "notaprofile" in html or "Error" in html
    assert out.with_suffix(".ipynb").exists()
    assert "FAILED" in capsys.readouterr().err


def test_report_escapes_profile_strings(tmp_path):
    prof = write_evil_profile(tmp_path / "evil.pb.gz")
    base = write_evil_profile(tmp_path / "evil-base.pb.gz", scale=3)
    out = tmp_path / "evil.html"
    assert report.main(["allocations", str(prof), "--base", str(base), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    for s in EVIL_STRINGS:
        assert s not in html, s
    assert "&lt;img src=x onerror=" in html  # shown, escaped
    figs = _figures(html)
    blob = json.dumps(figs)
    for s in EVIL_STRINGS:
        assert s not in blob


def test_usage_errors():
    assert report.main(["nosuchkind"]) == 2
    assert report.main(["--help"]) == 0
    with pytest.raises(report.ReportError):
        report.notebook_path("nope")


def test_notebooks_committed_clean():
    from gopherlab._report_nb import notebook_file

    for name, _ in report.KINDS.values():
        try:
            path = notebook_file(name)
        except FileNotFoundError:
            pytest.fail(f"notebook {name} missing")
        nb = nbformat.read(str(path), as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1, name
        assert nb.metadata.kernelspec.name == "python3"
        for c in nb.cells:
            if c.cell_type == "code":
                assert not c.outputs and c.execution_count is None, name
