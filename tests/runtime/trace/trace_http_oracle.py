"""``go tool trace``'s web pages as an oracle: start its HTTP server on a trace and read the
numbers of the goroutine, region and task pages (``src/cmd/trace/goroutines.go``,
``regions.go``, ``tasks.go``).

Go prints durations with ``time.Duration.String``, which is exact to the nanosecond
("1.323072ms", "1m2.000000001s"), so parsed values compare exactly.
"""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}
_PART = re.compile(r"([0-9.]+)(ns|us|µs|μs|ms|s|m|h)")


def duration_ns(text: str) -> int:
    """A ``time.Duration.String`` (``"1h2m3.5s"``, ``"12.5µs"``, ``"0s"``, ``"-3ns"``) in ns."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("-+")
    parts = _PART.findall(text)
    if "".join(a + b for a, b in parts) != text:
        raise ValueError(f"not a Go duration: {text!r}")
    total = sum(Decimal(num) * _UNITS[unit] for num, unit in parts)
    if total != int(total):
        raise ValueError(f"not a whole number of ns: {text!r}")
    return sign * int(total)


class GoTraceServer:
    """``go tool trace -http=127.0.0.1:0 FILE`` as a subprocess; :meth:`get` fetches a page.

    ``BROWSER=true`` makes the tool's "open a browser" step a no-op (``cmd/internal/browser``
    runs ``$BROWSER`` first and stops at the first command that succeeds).
    """

    def __init__(self, go: str, trace: Path, log: Path, timeout: float = 300.0):
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        env["BROWSER"] = "true"
        self._log = open(log, "wb")
        # its own process group: ``go tool`` runs the tool as a child, and close() stops both
        self.proc = subprocess.Popen([go, "tool", "trace", "-http=127.0.0.1:0", str(trace)], env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = self._wait_for_url(log, timeout)

    def _wait_for_url(self, log: Path, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(r"listening on (http://\S+)", log.read_text(errors="replace"))
            if m:
                return m.group(1)
            if self.proc.poll() is not None:
                raise RuntimeError(f"go tool trace exited with {self.proc.returncode}: {log.read_text()}")
            time.sleep(0.1)
        self.close()
        raise TimeoutError(f"go tool trace did not listen within {timeout} s")

    def get(self, path: str, **query) -> str:
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.read().decode()

    def close(self) -> None:
        """Stop the server: SIGTERM to its process group (SIGKILL after 10 s)."""
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.proc.wait()
        self._log.close()

    def _signal_group(self, sig) -> None:
        try:
            os.killpg(self.proc.pid, sig)  # the group's id is the go command's pid
        except ProcessLookupError:
            pass


def _cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def goroutine_groups(page: str) -> dict[str, tuple[int, int]]:
    """``/goroutines``: {start function: (count, total execution ns)}."""
    out = {}
    for name, count, ns in re.findall(r'<a href="/goroutine\?name=([^"]*)">.*?</a></code></td>\s*<td>(\d+)</td>\s*'
                                      r"<td>([^<]*)</td>", page, re.S):
        out[urllib.parse.unquote(html.unescape(name))] = (int(count), duration_ns(ns))
    return out


def _details_table(page: str, section: str) -> tuple[list[str], list[list[str]]]:
    """The ``<table class="details">`` after ``id="section"``: header names, rows of cells."""
    part = page.split(f'id="{section}"', 1)[1]
    table = part.split('<table class="details">', 1)[1].split("</table>", 1)[0]
    _, *rows = table.split("<tr>")
    header = [html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
              for h in re.findall(r"<th[^>]*>(.*?)</th>", rows[0], re.S)]
    return header, [_cells(r) for r in rows[1:] if "<td" in r]


def goroutine_breakdown(page: str) -> dict[int, dict[str, int]]:
    """``/goroutine?name=``: {goroutine id: {column: ns}} with Go's column names ("Total",
    "Execution time", "Block time (chan receive)", ..., and the special ranges' names)."""
    header, rows = _details_table(page, "breakdown")
    out: dict[int, dict[str, int]] = {}
    for cells in rows:
        values = dict(zip(header, cells))
        values.pop("")  # the bar graph column
        gid = int(values.pop("Goroutine"))
        out[gid] = {k: duration_ns(v) for k, v in values.items()}
    header, rows = _details_table(page, "ranges")
    for cells in rows:
        values = dict(zip(header, cells))
        gid = int(values.pop("Goroutine"))
        values.pop("Total")
        out[gid].update({k: duration_ns(v) for k, v in values.items()})
    return out


def region_groups(page: str) -> dict[tuple[str, int], int]:
    """``/userregions``: {(region type, PC of the start stack's outermost frame): count}."""
    out = {}
    for typ, pc, count in re.findall(r'<td><pre>([^<]*)<br>[^<]* @ 0x([0-9a-f]+)<br>.*?</pre></td>\s*'
                                     r'<td><a href="[^"]*">(\d+)</a></td>', page, re.S):
        out[(_go_unquote(html.unescape(typ)), int(pc, 16))] = int(count)
    return out


def _go_unquote(quoted: str) -> str:
    """Go's ``%q`` of a plain string (the test traces' region names need no escapes)."""
    if not (quoted.startswith('"') and quoted.endswith('"')) or "\\" in quoted:
        raise ValueError(f"not a simple Go-quoted string: {quoted!r}")
    return quoted[1:-1]


def region_rows(page: str) -> list[tuple[int, int, int]]:
    """``/userregion?...``: one ``(goroutine, task (0 none), total ns)`` per region."""
    header, rows = _details_table(page, "breakdown")
    out = []
    for cells in rows:
        values = dict(zip(header, cells))
        out.append((int(values["Goroutine"]), int(values["Task"] or 0), duration_ns(values["Total"])))
    return out


def task_groups(page: str) -> dict[str, int]:
    """``/usertasks``: {task type: count (complete and incomplete)}."""
    return {html.unescape(typ): int(n) for typ, n in
            re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<td><a href=\"/usertask\?type=[^\"]*\">(\d+)</a></td>", page)}


def task_rows(page: str) -> list[tuple[int, int, int, bool]]:
    """``/usertask``: one ``(task id, start ns since the trace's first event, duration ns,
    complete)`` per task; the start is printed in seconds with 9 decimals (exact)."""
    out = []
    for when, dur, tid, state in re.findall(
            r'<tr class="first">\s*<td class="when">([^<]*)</td>\s*<td class="elapsed">([^<]*)</td>.*?'
            r">Task (\d+)</a>.*?\((complete|incomplete)\)", page, re.S):
        start = int(Decimal(when.strip().rstrip("s")) * 1_000_000_000)
        out.append((int(tid), start, duration_ns(dur), state == "complete"))
    return out


class ServerPool:
    """One :class:`GoTraceServer` per trace file, started on first use; :meth:`close` stops all."""

    def __init__(self, go: str, log_dir: Path):
        self._go, self._log_dir = go, log_dir
        self._servers: dict[Path, GoTraceServer] = {}

    def __getitem__(self, trace: Path) -> GoTraceServer:
        if trace not in self._servers:
            log = self._log_dir / f"go-tool-trace-{len(self._servers)}.log"
            self._servers[trace] = GoTraceServer(self._go, trace, log)
        return self._servers[trace]

    def close(self) -> None:
        for server in self._servers.values():
            server.close()
        self._servers.clear()
