"""The notebook card of a profile (``Profile._repr_html_``): pprof's ``-top -nodecount=10``
header facts and rows, every profile string escaped, no external resource."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from evil_profile import EVIL_FUNC, EVIL_PKG, write_evil_profile
from pprof_oracle import pprof

import pprof_parse
from pprof_parse.present.card import profile_card_html
from pprof_parse.proto import profile_pb2

ROW = re.compile(r"^\s*(\S+)\s+(\S+%)\s+(\S+%)\s+(\S+)\s+(\S+%)  (.*)$")


class _Cells(HTMLParser):
    """Text of every table row's cells, and of every other ``div``; the tags seen."""

    def __init__(self):
        super().__init__()
        self.rows, self.divs, self.tags, self._cell, self._div = [], [], [], None, None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "div":
            self._div = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None
        elif tag == "div" and self._div is not None:
            self.divs.append(self._div)
            self._div = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._div is not None:
            self._div += data


def _parse(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    p.close()
    return p


def _pprof_top10(path) -> tuple[dict, list[tuple]]:
    text = pprof("-top", "-nodecount=10", str(path))
    header, rows, in_table = {}, [], False
    for line in text.splitlines():
        if in_table:
            rows.append(ROW.match(line).groups())
        elif line.strip().startswith("flat  flat%"):
            in_table = True
        else:
            key, _, value = line.partition(": ")
            header[key] = value
            if line.startswith("Showing nodes accounting for"):
                header["showing"] = line
    return header, rows


def _workload_pb(workload_profiles):
    paths = sorted(workload_profiles.glob("*.pb.gz"))
    assert paths, "the workload wrote no profiles"
    return paths


def test_card_equals_pprof_top10(workload_profiles, sample_profiles):
    for path in [*_workload_pb(workload_profiles), sample_profiles / "cpu.pb.gz", sample_profiles / "heap.pb.gz"]:
        prof = pprof_parse.read_profile(path)
        header, want_rows = _pprof_top10(path)
        card = _parse(profile_card_html(prof.data, source=prof.source))
        got_rows = [tuple(r) for r in card.rows[1:]]
        assert card.rows[0] == ["flat", "flat%", "sum%", "cum", "cum%", "name"]
        assert got_rows == want_rows, path.name
        assert 0 < len(got_rows) <= 10
        text = "\n".join(card.divs)
        assert f"Type: {header['Type']}" in text, path.name
        total = re.search(r"of (\S+) total", header["showing"]).group(1)
        assert f"Total: {total}" in text
        assert header["showing"] in card.divs
        if "Duration" in header:
            assert f"Duration: {header['Duration'].split(',')[0]}" in text
        else:
            assert "Duration" not in text
        types = ", ".join(f"{t.type}/{t.unit}" for t in prof.sample_types)
        assert f"Sample types: {types}" in card.divs


def test_card_sample_index_follows_pprof(sample_profiles):
    path = sample_profiles / "heap.pb.gz"
    prof = pprof_parse.read_profile(path)
    card = _parse(profile_card_html(prof.data, sample_index="alloc_space"))
    want = [ROW.match(line).groups() for line in
            pprof("-top", "-nodecount=10", "-sample_index=alloc_space", str(path)).splitlines()
            if ROW.match(line) and not line.strip().startswith("flat")]
    assert [tuple(r) for r in card.rows[1:]] == want
    assert "Type: alloc_space" in "\n".join(card.divs)


def test_hostile_names_are_escaped_and_nothing_is_loaded(tmp_path):
    prof = pprof_parse.read_profile(write_evil_profile(tmp_path / "evil.pb.gz"))
    html = profile_card_html(prof.data, source="<script>alert(1)</script>")
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<svg" not in html.lower()
    card = _parse(html)
    names = [r[-1] for r in card.rows[1:]]
    assert EVIL_FUNC in names and EVIL_PKG in names          # shown as text, intact
    assert {t for t, _ in card.tags} <= {"div", "b", "table", "thead", "tbody", "tr", "th", "td"}
    assert not any(k in ("src", "href") or k.startswith("on") for _, a in card.tags for k in a)


def test_card_of_a_profile_without_samples_or_types():
    empty = pprof_parse.read_profile(_minimal_profile(with_type=True))
    html = profile_card_html(empty.data)
    assert "(no samples)" in html and "Type: <b>cpu</b>" in html
    none = pprof_parse.read_profile(_minimal_profile(with_type=False))
    assert "No report:" in profile_card_html(none.data)


def _minimal_profile(*, with_type: bool) -> bytes:
    p = profile_pb2.Profile()
    p.string_table.extend(["", "cpu", "nanoseconds"])
    if with_type:
        vt = p.sample_type.add()
        vt.type, vt.unit = 1, 2
    return p.SerializeToString()


@pytest.mark.parametrize("name", ["cpu.pb.gz", "goroutine.pb.gz"])
def test_card_is_one_fragment(sample_profiles, name):
    prof = pprof_parse.read_profile(sample_profiles / name)
    html = profile_card_html(prof.data, source=prof.source)
    assert html.startswith("<div") and html.endswith("</div>")
    assert html.count("<div") == html.count("</div>")
