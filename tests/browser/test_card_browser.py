"""The Profile card (Profile._repr_html_) and the source listing (listing_html) in Chromium: what
pprof prints is what the reader sees, hostile profile strings stay text, and the page makes no
request and logs no error."""

from __future__ import annotations

import html

import pytest

import pprof_parse
from pprof_parse.present.card import card_facts
from pprof_parse.present.listing import listing_html

from conftest import open_offline
from goenv import REPO
from evil_profile import EVIL_FUNC, write_evil_profile

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::pprof_parse.errors.PprofParseWarning")]


def page_of(fragment: str, path):
    """``fragment`` as the body of a page, the way a notebook's HTML output embeds it."""
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head>"
                    f"<body>{fragment}</body></html>", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["cpu", "allocs", "goroutine"])
def test_card_shows_pprofs_top_rows(browser, workload_profiles, tmp_path, kind):
    prof = pprof_parse.read_profile(workload_profiles / f"{kind}.pb.gz")
    facts = card_facts(prof.data)
    page, errors = open_offline(browser, page_of(prof._repr_html_(), tmp_path / "card.html"))
    try:
        text = page.inner_text("body")
        assert facts["type"] in text and facts["showing"] in text
        rows = page.evaluate("() => [...document.querySelectorAll('table tr')].filter(r => r.querySelector('td'))"
                             ".map(r => [...r.querySelectorAll('td')].map(c => c.innerText.trim()))")
        assert [r[-6:] for r in rows] == [list(r) for r in facts["rows"]]
        # the numbers are right-aligned, the names left
        align = page.evaluate("() => [...document.querySelector('table tbody tr:last-child').querySelectorAll('td')]"
                              ".map(c => getComputedStyle(c).textAlign)")
        assert align[:5] == ["right"] * 5 and align[-1] == "left"
        assert not errors, errors
    finally:
        page.close()


def test_card_of_a_hostile_profile_stays_text(browser, tmp_path):
    prof = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    page, errors = open_offline(browser, page_of(prof._repr_html_(), tmp_path / "card.html"))
    try:
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("img, script, svg").count() == 0
        assert EVIL_FUNC in page.inner_text("body")
        assert not errors, errors
    finally:
        page.close()


def test_listing_renders_every_line(browser, workload_profiles, tmp_path):
    prof = pprof_parse.read_profile(workload_profiles / "cpu.pb.gz")
    # built with -trimpath: the recorded names start with the module path, the files are in examples/
    df = prof.list("main\\.", source_path=str(REPO / "examples"), trim_path="example.com/gopherlab")
    assert len(df) and df["source"].notna().any()
    page, errors = open_offline(browser, page_of(listing_html(df), tmp_path / "list.html"))
    try:
        cells = page.evaluate("() => [...document.querySelectorAll('.gl-list td.src')].map(c => c.textContent)")
        assert len(cells) == len(df)
        shown = {c for c in cells if c.strip()}
        assert shown <= {s for s in df["source"].dropna()} and shown  # the source text, unescaped once
        nums = page.evaluate("() => [...document.querySelectorAll('.gl-list td.n')]"
                             ".map(c => getComputedStyle(c).textAlign)")
        assert nums and set(nums) == {"right"}
        assert not errors, errors
    finally:
        page.close()


def test_listing_of_hostile_source_stays_text(browser, tmp_path):
    prof = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    df = prof.list(".")
    evil = "<script>window.__xss=5</script><img src=x onerror='window.__xss=6'>"
    df["source"] = evil
    page, errors = open_offline(browser, page_of(listing_html(df), tmp_path / "list.html"))
    try:
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("img, script").count() == 0
        assert evil in page.inner_text("body")
        assert html.escape(evil) not in page.inner_text("body")  # escaped once, not twice
        assert not errors, errors
    finally:
        page.close()
