"""Go's trace test vectors (``src/internal/trace/testdata/tests/*.test``) to binary traces.

Each vector is a txtar file: ``-- expect --`` (``SUCCESS`` or an error pattern) and ``-- trace --``
in the text form of ``go tool trace -d=wire`` (``src/internal/trace/raw/doc.go``): a
``Trace Go1.NN`` line, then one event per line as ``Name arg=value ...``, a String's bytes on
the next line as ``data="..."`` and a Stack's frames on the lines after it as
``pc=... func=... file=... line=...``. Batch sizes are recomputed from the encoded events.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from pprof_parse.runtime.trace import spec

TYPES = {name: t for t, name in spec.NAMES.items() if t != spec.SYNC}
TYPES["Sync"] = spec.EV_SYNC


def uvarint(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def parse_vector(path: Path) -> tuple[str, str]:
    """``(expect, trace text)`` of a .test file."""
    parts = re.split(r"^-- (\w+) --\n", path.read_text(), flags=re.M)
    sections = dict(zip(parts[1::2], parts[2::2]))
    return sections["expect"].strip(), sections["trace"]


def _args(line: str) -> list[int]:
    return [int(v) for _, v in re.findall(r"(\w+)=(\d+)", line)]


def to_binary(text: str) -> bytes:
    lines = text.split("\n")
    version = int(re.match(r"Trace Go1\.(\d+)", lines[0]).group(1))
    out = bytearray(f"go 1.{version} trace\x00\x00\x00".encode())
    batch_head: bytes | None = None
    payload = bytearray()

    def flush():
        if batch_head is not None:
            out.extend(batch_head + uvarint(len(payload)) + payload)

    for line in lines[1:]:
        if not line.strip():
            continue
        if line.startswith("\t"):
            if line.strip().startswith("data="):
                data = ast.literal_eval(line.strip()[5:]).encode("utf-8", "surrogateescape")
                payload.extend(uvarint(len(data)) + data)
            else:
                payload.extend(b"".join(uvarint(v) for v in _args(line)))
            continue
        name = line.split(" ", 1)[0]
        args = _args(line)
        if name == "EventBatch":
            flush()
            gen, m, time, _size = args
            batch_head, payload = bytes([1]) + uvarint(gen) + uvarint(m) + uvarint(time), bytearray()
        elif name == "EndOfGeneration":
            flush()
            batch_head = None
            out.append(spec.EV_END_OF_GENERATION)
        else:
            payload.append(TYPES[name])
            payload.extend(b"".join(uvarint(v) for v in args))
    flush()
    return bytes(out)
