"""``%load_ext gopherlab`` and ``%pprof`` in a real Jupyter kernel (nbclient), and the card a
Profile displays as; the numbers against the real ``go tool pprof``."""

from __future__ import annotations

import http.server
import threading
from html.parser import HTMLParser

import gopherlab
import nbformat
import pprof_parse
import pytest
from nbclient import NotebookClient
from pprof_oracle import pprof_top

from gopherlab import magics

pytestmark = pytest.mark.slow

EXT = "gopherlab" if hasattr(gopherlab, "load_ipython_extension") else "gopherlab.magics"


class _FirstRow(HTMLParser):
    """The cells of the first body row of an HTML table (a DataFrame's ``_repr_html_``)."""

    def __init__(self):
        super().__init__()
        self.cells, self._in_body, self._cell, self._done = [], False, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag in ("td", "th") and self._in_body and not self._done:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._in_body and self.cells:
            self._done = True

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _first_row(html: str) -> list[str]:
    p = _FirstRow()
    p.feed(html)
    return p.cells


class _ProfileServer:
    """A ``net/http/pprof`` stand-in on 127.0.0.1: serves one file, remembers the paths asked for."""

    def __init__(self, body: bytes):
        self.paths: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def _run(cells: list[str]) -> list[list[dict]]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True).execute()
    return [c.outputs for c in nb.cells]


def _html(outputs) -> list[str]:
    return [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]


@pytest.fixture(scope="module")
def kernel_outputs(sample_profiles):
    """One kernel session: load the extension; %pprof a file, a bad flag, a missing file, -h;
    display a Profile."""
    heap = sample_profiles / "heap.pb.gz"
    outs = _run([
        f"%load_ext {EXT}",
        f"p = %pprof {heap} -sample_index=alloc_space\ntype(p).__name__, p.source",
        f"%pprof {heap} -bogus",
        "%pprof /nonexistent/heap.pb.gz",
        "%pprof -h",
        f"import pprof_parse\npprof_parse.read_profile({str(sample_profiles / 'cpu.pb.gz')!r})",
    ])
    return outs, heap


def test_pprof_file_shows_pprofs_first_row_and_a_flame_graph(kernel_outputs):
    outs, heap = kernel_outputs
    assert not [o for o in outs[0] if o["output_type"] in ("error", "stream")]
    cell = outs[1]
    assert not [o for o in cell if o["output_type"] == "error"]
    want = pprof_top(heap, "-sample_index=alloc_space", unit="bytes").rows[0]
    tables = [h for h in _html(cell) if "<table" in h and "flat_pct" in h]
    assert len(tables) == 1
    row = _first_row(tables[0])
    assert row[1] == want["name"] and int(row[2]) == want["flat"] and int(row[5]) == want["cum"]
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in cell)
    result = [o for o in cell if o["output_type"] == "execute_result"][0]
    assert result["data"]["text/plain"] == f"('Profile', {str(heap)!r})"


def test_pprof_url_passes_the_query_through(sample_profiles):
    heap = sample_profiles / "heap.pb.gz"
    server = _ProfileServer(heap.read_bytes())
    with server as base:
        outs = _run([f"%load_ext {EXT}",
                     f"q = %pprof {base}/debug/pprof/heap?seconds=1 -sample_index=alloc_space\nq.source"])
    cell = outs[1]
    assert not [o for o in cell if o["output_type"] in ("error", "stream")], cell
    assert server.paths == ["/debug/pprof/heap?seconds=1"]
    result = [o for o in cell if o["output_type"] == "execute_result"][0]
    assert result["data"]["text/plain"] == repr(f"{base}/debug/pprof/heap?seconds=1")
    want = pprof_top(heap, "-sample_index=alloc_space", unit="bytes").rows[0]
    row = _first_row([h for h in _html(cell) if "flat_pct" in h][0])
    assert row[1] == want["name"] and int(row[2]) == want["flat"]


def test_bad_flag_and_missing_file_print_one_line_not_a_traceback(kernel_outputs):
    outs, _ = kernel_outputs
    for cell, needle in ((outs[2], "%pprof: flag provided but not defined: -bogus"),
                         (outs[3], "%pprof: ")):
        assert [o["output_type"] for o in cell] == ["stream"], cell
        assert cell[0]["name"] == "stderr" and cell[0]["text"].startswith(needle)
        assert "Traceback" not in cell[0]["text"]
    assert "nonexistent/heap.pb.gz" in outs[3][0]["text"]
    assert outs[4][0]["name"] == "stdout" and outs[4][0]["text"].startswith("usage: %pprof SOURCE")


@pytest.mark.skipif(not hasattr(pprof_parse.Profile, "_repr_html_"), reason="Profile._repr_html_ not added yet")
def test_a_profile_displays_as_its_card(kernel_outputs, sample_profiles):
    outs, _ = kernel_outputs
    result = [o for o in outs[5] if o["output_type"] == "execute_result"][0]
    html = result["data"].get("text/html", "")
    assert "gopherlab-profile-card" in html and "<table" in html and "Type: <b>cpu</b>" in html
    want = pprof_top(sample_profiles / "cpu.pb.gz", unit="nanoseconds").rows[0]["name"]
    assert f">{want}</td>" in html


def test_fetch_refuses_a_body_past_the_limit(sample_profiles):
    heap = sample_profiles / "heap.pb.gz"
    with _ProfileServer(heap.read_bytes()) as base:
        with pytest.raises(magics.PprofParseError):
            magics.fetch_profile(base + "/debug/pprof/heap", max_inflated_bytes=100)
        prof = magics.fetch_profile(base + "/debug/pprof/heap")
    assert prof.source == base + "/debug/pprof/heap" and len(prof) > 0


def test_recording_seconds_sets_the_timeout():
    assert magics._recording_seconds("http://h/debug/pprof/profile?seconds=30") == 30.0
    assert magics._recording_seconds("http://h/debug/pprof/heap") == 0.0
    assert magics._recording_seconds("http://h/debug/pprof/profile?seconds=x") == 0.0
