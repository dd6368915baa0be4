"""The flame graph's search box in Chromium: the total it shows for a regex is Profile.top(focus=...)'s
(and go tool pprof -top -focus's), the matching frames are painted, a bad regex gives a message, and
the page makes no request and logs no error."""

from __future__ import annotations

import pytest

import pprof_parse
from pprof_parse.figures import call_tree, flame_figure, flame_views_figure, format_value
from pprof_parse.present import flame_search
from pprof_parse.present.flame_index import META_KEY, search_index, search_matches

from conftest import open_offline
from evil_profile import EVIL_FUNC, write_evil_profile
from pprof_oracle import pprof_top

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")]

BOX = ".gl-flame-search input"
OUT = ".gl-flame-search-result"

#: Go patterns, several in the RE2 spellings the page rewrites for JavaScript.
REGEXES = ["json", "main\\.", "runtime", "(?i)JSON", "\\Aruntime\\.", "\\.go\\z", "[[:upper:]]",
           "\\Qencoding/json\\E", "workload", "x^", "bytes|strconv"]


def focus_total(prof, sample_type, regex) -> int:
    return int(prof.top(sample_type, focus=regex)["flat"].sum())


def search(page, regex: str) -> dict:
    page.fill(BOX, regex)  # fires the input event; the box answers synchronously
    out = page.locator(OUT)
    return {"text": out.inner_text(), "value": out.get_attribute("data-value"),
            "error": out.get_attribute("data-error")}


def wait_painted(page, colors, trace: int = 0) -> None:
    """Wait until trace ``trace`` has ``colors`` (None: its own); the box repaints just after a keystroke."""
    # (plotly drops an emptied marker object when its colours are given back: read it as no colours)
    page.wait_for_function("([i, want]) => JSON.stringify((document.querySelector('.js-plotly-plot').data[i]"
                           ".marker || {}).colors || null) === JSON.stringify(want)", arg=[trace, colors], timeout=30_000)


def expected_text(prof, sample_type, unit, value) -> str:
    pct = abs(value) / prof.total(sample_type) * 100
    return f"matched: {format_value(value, unit)} ({pct:.2f}% of total)"


@pytest.fixture(scope="module")
def workload(workload_profiles):
    return {k: pprof_parse.read_profile(workload_profiles / f"{k}.pb.gz") for k in ("cpu", "allocs")}


@pytest.fixture(scope="module")
def cpu_page(workload, tmp_path_factory):
    prof = workload["cpu"]
    tree = call_tree(prof, "cpu", max_nodes=25)  # small: most samples sit in "other" frames
    path = tmp_path_factory.mktemp("flame") / "cpu.html"
    flame_search.write_flame_html(flame_figure(tree, search=prof), path)
    return prof, tree, path


def test_search_box_total_is_the_focus_total(browser, cpu_page):
    prof, tree, path = cpu_page
    index = search_index(prof, tree)
    page, errors = open_offline(browser, path)
    try:
        page.wait_for_selector(BOX, timeout=60_000)
        for regex in REGEXES:
            got = search(page, regex)
            want = focus_total(prof, "cpu", regex)
            assert got["value"] == str(want), regex
            assert got["text"] == expected_text(prof, "cpu", "nanoseconds", want), regex
            wait_painted(page, ["#e6550d" if r else "#e3e3e3" for r in search_matches(index, regex)["rows"]])
        assert search(page, "")["text"] == ""
        wait_painted(page, None)
        # the index left the trace (plotly would copy it on every repaint); the rest of meta stays
        assert page.evaluate(f"() => document.querySelector('.js-plotly-plot').data[0].meta.{META_KEY}") is None
        assert not errors, errors
    finally:
        page.close()


def test_search_box_agrees_with_go_tool_pprof(browser, cpu_page, workload_profiles):
    prof, tree, path = cpu_page
    page, errors = open_offline(browser, path)
    try:
        page.wait_for_selector(BOX, timeout=60_000)
        for regex in ("json", "runtime\\.mallocgc|sort"):
            oracle = pprof_top(workload_profiles / "cpu.pb.gz", f"-focus={regex}", unit="nanoseconds")
            assert search(page, regex)["value"] == str(sum(r["flat"] for r in oracle.rows)), regex
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.parametrize("regex,says", [("(?=x)", "look-around"), ("a\\1", "back-references"), ("[", ""),
                                        ("(", ""), ("\\C", "\\C"), ("x(?i)y", "flags after the start")])
def test_bad_regex_shows_a_message_not_an_error(browser, cpu_page, regex, says):
    prof, tree, path = cpu_page
    page, errors = open_offline(browser, path)
    try:
        page.wait_for_selector(BOX, timeout=60_000)
        got = search(page, regex)
        assert got["error"] == "1" and got["value"] is None
        assert got["text"].startswith("invalid regex: ") and says in got["text"]
        # the box keeps working after the message
        assert search(page, "json")["value"] == str(focus_total(prof, "cpu", "json"))
        assert not errors, errors
    finally:
        page.close()


def test_search_follows_the_views_dropdown(browser, workload, tmp_path):
    prof = workload["allocs"]
    types = [t.type for t in prof.sample_types]
    trees = {t: call_tree(prof, t, max_nodes=30) for t in types}
    path = tmp_path / "views.html"
    flame_search.write_flame_html(flame_views_figure(trees, search=prof), path)
    page, errors = open_offline(browser, path)
    try:
        page.wait_for_selector(BOX, timeout=60_000)
        assert search(page, "json")["value"] == str(focus_total(prof, types[0], "json"))
        for i, t in enumerate(types[1:], start=1):
            # what the dropdown's button does (method "update" on the traces' visibility)
            page.evaluate("(i) => { const gd = document.querySelector('.js-plotly-plot');"
                          " return Plotly.update(gd, {visible: gd.data.map((_, j) => j === i)}, {}); }", i)
            rows = search_matches(search_index(prof, trees[t]), "json")["rows"]
            wait_painted(page, ["#e6550d" if r else "#e3e3e3" for r in rows], i)
            wait_painted(page, None, i - 1)  # the hidden view's colours are given back
            got = page.locator(OUT)
            unit = prof.sample_types[i].unit
            want = focus_total(prof, t, "json")
            assert got.get_attribute("data-value") == str(want), t
            assert got.inner_text() == expected_text(prof, t, unit, want)
        assert not errors, errors
    finally:
        page.close()


def test_hostile_names_stay_text(browser, tmp_path):
    prof = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    path = tmp_path / "evil.html"
    flame_search.write_flame_html(flame_search.flame_search_figure(prof, "alloc_space"), path)
    page, errors = open_offline(browser, path)
    try:
        page.wait_for_selector(BOX, timeout=60_000)
        for regex in ("onerror", "<script>", "svg", "<img(", "x^"):
            got = search(page, regex)
            if got["error"] is None:
                assert got["value"] == str(focus_total(prof, "alloc_space", regex)), regex
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__xss") is None
        assert page.locator(".gl-flame-search img, .gl-flame-search script").count() == 0
        assert search(page, EVIL_FUNC)["value"] == str(focus_total(prof, "alloc_space", EVIL_FUNC)) != "0"
        assert not errors, errors
    finally:
        page.close()


def test_allocation_report_has_the_search_box(browser, reports_dir):
    from gopherlab.reports import bundled

    prof = pprof_parse.read_profile(bundled.sample_path("profiles/allocs.pb.gz"))
    page, errors = open_offline(browser, reports_dir / "allocations.html")
    try:
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
                               timeout=60_000)
        page.wait_for_selector(BOX, timeout=10_000)
        st = prof.sample_types[prof.sample_index(None)].type
        for regex in ("json", "main\\.", "runtime"):
            assert search(page, regex)["value"] == str(focus_total(prof, st, regex)), regex
        assert not errors, errors
    finally:
        page.close()
