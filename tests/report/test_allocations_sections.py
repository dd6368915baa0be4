"""The allocation report's hot lines and labels sections, executed headless as ``gopherlab report
allocations`` runs them (papermill, exported to offline HTML): on the bundled allocs profile, whose
workload sources are not where the report runs (a note, never an error), and with the parameters
naming the sources and a label key."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from gopherlab import report

pytestmark = pytest.mark.slow

WORKLOAD = Path(__file__).resolve().parents[2] / "examples" / "workload"


def _section(html: str, title: str) -> str:
    start = html.index(f">{title}<")
    end = html.find("<h2", start)
    return html[start:end if end > 0 else None]


def _icicles(html: str) -> list[dict]:
    out = []
    for m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*(\[.*?\])\s*,\s*\{', html, re.S):
        out += [t for t in json.loads(m.group(1)) if t.get("type") == "icicle"]
    return out


def test_default_report_notes_missing_sources_and_lists_label_keys(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no Go sources here: pprof's default source_path is the current directory
    out = tmp_path / "alloc.html"
    assert report.main(["allocations", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    hot = _section(html, "Hot lines")
    assert "Source not found for example.com/gopherlab/workload/main.go" in hot
    assert hot.count('<table class="gl-list">') == 5  # the five top functions' listings
    assert "<caption>main.allocLarge in example.com/gopherlab/workload/main.go" in hot
    labels = _section(html, "Labels")
    assert "label keys: bytes. Set label_key to one of them for a breakdown." in labels


def test_report_with_sources_and_a_label_key(tmp_path):
    out = tmp_path / "alloc.html"
    res = report.run_report("allocations", {"source_path": str(WORKLOAD), "label_key": "bytes", "hot_functions": 2},
                            out)
    assert res.ok, res.error
    page = out.read_text(encoding="utf-8")
    hot = _section(page, "Hot lines")
    assert "Source not found" not in hot and hot.count('<table class="gl-list">') == 2
    top_line = int(re.search(r'<caption>main\.allocLarge .*?<td class="n">(\d+)</td>', hot, re.S).group(1))
    text = (WORKLOAD / "main.go").read_text().splitlines()[top_line - 1]
    assert f"<td class=\"src\">{html.escape(text, quote=False)}</td>" in hot  # main.allocLarge's hot line, with its text
    labels = _section(page, "Labels")
    assert "alloc_space by label bytes" in labels and "<td>65536</td>" in labels
    split = [t for t in _icicles(page) if "by label bytes" in json.dumps(t) or "65536" in t["labels"]]
    assert split and "65536" in split[0]["labels"]  # the flame graph's root frames are the label's values
