"""``%load_ext gopherlab`` and ``%pprof`` in a real Jupyter kernel (nbclient), and the card a
Profile displays as; the numbers against the real ``go tool pprof``."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
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


# ---- %%gobench -----------------------------------------------------------------------------------
BENCH_CELL = """func BenchmarkSum(b *testing.B) {
	s := make([]int, 1000)
	for i := 0; i < b.N; i++ {
		t := 0
		for _, v := range s {
			t += v
		}
		_ = t
	}
}"""


@pytest.fixture(scope="module")
def gobench_outputs(go):
    return _run([
        f"%load_ext {EXT}",
        "%%gobench -count=3 -benchtime=2000x\n" + BENCH_CELL,
        "%%gobench -count=3 -benchtime=2000x\n" + BENCH_CELL,
        "import json\nprint(json.dumps([[r.label, r.output, r.profile.sample_types[1].type] for r in gobench_runs]))",
        "%%gobench\nfunc BenchmarkBad(b *testing.B) { undefined() }",
        "len(gobench_runs)",
    ])


def _benchstat(tmp_path, runs) -> str:
    """The real benchstat on the runs' outputs (``/tmp/benchstat``, else skip)."""
    binary = shutil.which("benchstat") or ("/tmp/benchstat" if os.path.exists("/tmp/benchstat") else None)
    if binary is None:
        pytest.skip("no benchstat binary")
    args = []
    for label, output, _ in runs:
        (tmp_path / f"{label}.txt").write_text(output)
        args.append(f"{label}={tmp_path / f'{label}.txt'}")
    return subprocess.run([binary, *args], capture_output=True, text=True, cwd=tmp_path, check=True).stdout


def test_gobench_prints_benchstat_against_the_previous_run(gobench_outputs, tmp_path):
    outs = gobench_outputs
    runs = json.loads(outs[3][0]["text"])
    assert [r[0] for r in runs] == ["run1", "run2"] and all(r[2] == "cpu" for r in runs)
    assert all(r[1].count("BenchmarkSum") == 3 for r in runs)
    for cell, shown in ((outs[1], runs[:1]), (outs[2], runs)):
        assert not [o for o in cell if o["output_type"] == "error" or o.get("name") == "stderr"], cell
        printed = "".join(o["text"] for o in cell if o.get("name") == "stdout")
        assert printed == _benchstat(tmp_path, shown)
        assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in cell)
    assert "vs base" in "".join(o.get("text", "") for o in outs[2])


def test_gobench_compile_error_is_reported_and_not_kept(gobench_outputs):
    outs = gobench_outputs
    assert [o["output_type"] for o in outs[4]] == ["stream"] and outs[4][0]["name"] == "stderr"
    assert "undefined: undefined" in outs[4][0]["text"] and "Traceback" not in outs[4][0]["text"]
    assert [o for o in outs[5] if o["output_type"] == "execute_result"][0]["data"]["text/plain"] == "2"


def test_gobench_command_keeps_the_users_flags(tmp_path):
    cmd = magics.go_test_command("go", ["-count=2", "-benchtime=10x"], tmp_path / "cpu.pb.gz")
    assert cmd[:2] == ["go", "test"] and "-benchmem" in cmd and cmd[-2:] == ["-count=2", "-benchtime=10x"]
    assert "-count" not in cmd and cmd[cmd.index("-bench") + 1] == "."
    mod = magics.write_cell_module("func BenchmarkX(b *testing.B) {}", tmp_path / "m")
    assert (mod / "cell_test.go").read_text().startswith('package main\n\nimport "testing"\n')
