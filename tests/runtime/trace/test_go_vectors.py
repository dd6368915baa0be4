"""Go's own trace test vectors (Go 1.22, 1.23 and 1.25 formats), converted to binary: where Go
parses them, our events equal ``go tool trace -d=parsed``; where Go rejects them, we raise
TraceFormatError with Go's reason."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from parsed_text import render, split_events
from pprof_parse.runtime.trace import TraceFormatError, read_trace
from wiretext import parse_vector, to_binary

pytestmark = pytest.mark.go


def vectors() -> list[Path]:
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from goenv import go_binary
    go = go_binary()
    if go is None:
        return []
    root = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
    return sorted(Path(root, "src/internal/trace/testdata/tests").glob("*.test"))


@pytest.mark.parametrize("vector", vectors(), ids=lambda p: p.stem)
def test_go_vector(vector, go, tmp_path, monkeypatch, engine):
    expect, text = parse_vector(vector)
    data = to_binary(text)
    if expect == "SUCCESS":
        path = tmp_path / "vector.trace"
        path.write_bytes(data)
        theirs = subprocess.run([go, "tool", "trace", "-d=parsed", str(path)], capture_output=True, text=True,
                                check=True, env={**os.environ, "TZ": "UTC"}).stdout
        ours = "".join(e + "\n" for e in render(read_trace(data)))
        assert split_events(ours) == split_events(theirs)
    else:
        pattern = re.match(r'FAILURE "(.*)"', expect).group(1)
        with pytest.raises(TraceFormatError) as err:
            read_trace(data)
        assert re.search(pattern, err.value.reason), (pattern, err.value.reason)
