"""Markdown/HTML injection through benchmark names and units (issue 13, section 1):
``gopherlab compare --format markdown`` is posted as a PR comment."""
from __future__ import annotations

import io
import re

import pytest

from gobench.cli import compare_main
from gobench.gate import parse_threshold
from gobench.errors import UsageError
from gobench.present.markdown import escape_cell, escape_plot_text, markdown_table

from gobench_vectors import INPUTS, need_vectors

HOSTILE = {
    "Sort/n=1000-2": "Pipe|col|x",                                  # a regression in new.txt
    "Fib-2": "![](http://evil.example/x.png)",
    "Sum/size=64KiB-2": "<img/src=x/onerror=alert(1)>",
    "TableSize-2": "<script>alert(1)</script>",
    "Sort/n=100-2": "[click](https://evil.example)`code`*em*_u_~~s~~$x$\\|",
    "CountFields-2": "www.evil.example/a@b.example",
}


def split_row(line: str) -> list[str]:
    """Cells of a GitHub table row: split at unescaped '|' (a backslash escapes the next
    character), outer pipes dropped."""
    cells, cur, i = [], "", 0
    s = line.strip()
    assert s.startswith("|") and s.endswith("|") and not s.endswith("\\|"), line
    s = s[1:-1]
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur += s[i:i + 2]
            i += 2
            continue
        if c == "|":
            cells.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    cells.append(cur)
    return cells


def _hostile_inputs(tmp_path):
    need_vectors()
    for name in ("old.txt", "new.txt"):
        text = (INPUTS / name).read_text()
        for good, bad in HOSTILE.items():
            text = text.replace(f"Benchmark{good} ", f"Benchmark{bad} ")
        text = text.replace(" allocs/op", " <b>allocs</b>/op")    # a unit
        (tmp_path / name).write_text(text)


def _assert_inert(md: str):
    assert "<" not in md and "![" not in md and "](" not in md
    assert "http://" not in md and "https://" not in md and "www." not in md
    assert not re.search(r"(?<!\\)[`*_~$@]", md.split("\n", 1)[1])


def test_hostile_names_and_units_stay_inside_their_cells(tmp_path, monkeypatch):
    _hostile_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    rc = compare_main(["old.txt", "new.txt", "--format", "markdown"], out, err)
    md = out.getvalue()
    lines = md.splitlines()
    table = [ln for ln in lines if ln.startswith("|")]
    ncol = len(split_row(table[0]))
    assert ncol == 7 and len(table) > 20
    for ln in table:
        assert len(split_row(ln)) == ncol, ln
    _assert_inert(md)
    # the regression of the renamed benchmark keeps its verdict, in the verdict column
    pipe = [split_row(ln) for ln in table if ln.startswith("| Pipe")]
    assert pipe and pipe[0][0].strip() == "Pipe\\|col\\|x"
    assert any(c[-1].strip().startswith("regression") for c in pipe) and rc == 1
    assert any("&lt;b&gt;allocs&lt;/b&gt;/op" in ln for ln in table)


@pytest.mark.parametrize("raw", list(HOSTILE.values()) + [
    "a\nb\rc\r\nd\u2028e", "x\u202eevil", "&amp; &lt;", "\\", "|", "", "a\\|b"])
def test_escape_cell_is_one_inert_cell(raw):
    cell = escape_cell(raw)
    assert "\n" not in cell and "\r" not in cell and "\u202e" not in cell
    assert len(split_row(f"| {cell} |")) == 1
    _assert_inert("header\n" + cell)
    # unescaping gives the text back (line breaks as spaces)
    back = re.sub(r"\\(.)", r"\1", cell).replace("&lt;", "<").replace("&gt;", ">")
    back = back.replace("&amp;", "&")
    want = re.sub(r"\r\n|[\n\r\u2028]", " ", raw).replace("\u202e", "\ufffd")
    assert back == want


def test_markdown_table_checks_cell_count():
    lines = markdown_table(["a", "b"], [["x|y", None]], ["l", "r"])
    assert lines == ["| a | b |", "|---|---:|", "| x\\|y |  |"]
    with pytest.raises(ValueError):
        markdown_table(["a", "b"], [["only one"]])


def test_plot_text_escapes_html():
    assert escape_plot_text("<a href='x'>&</a>") == "&lt;a href='x'&gt;&amp;&lt;/a&gt;"


def test_plot_labels_are_escaped():
    need_vectors()
    import gobench
    from gobench.present.plots import delta_figure, samples_figure
    text = {n: (INPUTS / n).read_text().replace("BenchmarkFib-2 ", "Benchmark<b>Fib</b>-2 ")
            for n in ("old.txt", "new.txt")}
    df = gobench.read_bench({k[:3]: io.StringIO(v) for k, v in text.items()})
    fig = samples_figure(df, "sec/op")
    xs = {x for t in fig.data for x in t.x}
    assert "&lt;b&gt;Fib&lt;/b&gt;-2" in xs and not any("<" in str(x) for x in xs)
    cmp = gobench.benchstat({k[:3]: io.StringIO(v) for k, v in text.items()})
    ys = {y for t in delta_figure(cmp).data for y in t.y}
    assert any(y.startswith("&lt;b&gt;Fib") for y in ys) and not any("<" in y for y in ys)


@pytest.mark.parametrize("flag", ["5", "5%", " 5 %"])
def test_compare_threshold_with_or_without_percent(flag, monkeypatch):
    need_vectors()
    monkeypatch.chdir(INPUTS)
    out, err = io.StringIO(), io.StringIO()
    rc = compare_main(["old.txt", "new.txt", "--fail-on-regression", flag, "--format", "json"],
                      out, err)
    assert rc == 1 and '"threshold_pct": 5.0' in out.getvalue()


@pytest.mark.parametrize("bad", ["5%%", "%", "", "inf", "nan", "-1", "1e999", "five", "0x5"])
def test_threshold_rejects_non_percentages(bad):
    with pytest.raises(UsageError):
        parse_threshold(bad)
