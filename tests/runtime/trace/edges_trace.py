"""A real trace with the cases go tool trace's goroutine, region and task pages treat specially,
made by ``examples/traceedges`` (see its doc comment)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from goenv import REPO, build, go_env


def make_edges_trace(work: Path) -> Path:
    """Build and run ``examples/traceedges`` in ``work``; return the trace file."""
    binary = build(REPO / "examples" / "traceedges", work / "traceedges")
    out = work / "edges.trace"
    subprocess.run([str(binary), "-o", str(out)], env=go_env(), check=True, capture_output=True)
    return out
