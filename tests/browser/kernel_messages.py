"""A record of the Jupyter messages a JupyterLab page exchanges with its kernels, for failure messages.

JupyterLab 4 speaks the ``v1.kernel.websocket.jupyter.org`` protocol: a binary frame is a count of
offsets (uint64, little-endian), the offsets, then the channel name and the JSON parts (header,
parent header, metadata, content) and buffers. Text frames are whole JSON messages (the older
protocol, and the server's event stream).
"""
from __future__ import annotations

import json
import struct
import time

#: message types worth a line: widget traffic, output, errors
KEPT = ("comm_open", "comm_msg", "comm_close", "stream", "error", "execute_reply")


def parse_frame(payload: bytes | str) -> dict | None:
    """The message in one websocket frame: ``{"channel", "header", "parent_header", "content"}``, or None."""
    if isinstance(payload, str):
        try:
            msg = json.loads(payload)
        except ValueError:
            return None
        return msg if isinstance(msg, dict) and "header" in msg else None
    if len(payload) < 8:
        return None
    n = struct.unpack_from("<Q", payload, 0)[0]
    if not 5 <= n <= 64 or len(payload) < 8 * (n + 1):
        return None
    offsets = struct.unpack_from(f"<{n}Q", payload, 8)
    parts = [payload[offsets[i]:offsets[i + 1]] for i in range(min(n - 1, 5))]
    try:
        return {"channel": parts[0].decode(), "header": json.loads(parts[1]), "parent_header": json.loads(parts[2]),
                "content": json.loads(parts[4])}
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def summary(msg: dict) -> str:
    """One line: message type, comm id, method and the state's keys (values short), or the text."""
    content = msg.get("content") or {}
    parts = [msg["header"].get("msg_type", "?")]
    if "comm_id" in content:
        parts.append(f"comm {content['comm_id'][:8]}")
    data = content.get("data") or {}
    if "method" in data:
        parts.append(str(data["method"]))
    state = data.get("state") or {}
    if parts[0] == "comm_open":
        parts.append(str(state.get("_model_name")))
    elif state:
        parts.append(", ".join(f"{k}={str(v)[:60]!r}" for k, v in state.items()))
    if data.get("method") == "custom":
        parts.append(str(data.get("content"))[:120])
    for key in ("text", "ename", "evalue", "status"):
        if key in content:
            parts.append(f"{key}={str(content[key])[:200]!r}")
    return " ".join(parts)


class KernelMessages:
    """Records, per websocket of ``page``, each kept message (:data:`KEPT`) with its time and direction."""

    def __init__(self, page):
        self.lines: list[str] = []
        self._start = time.monotonic()
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framesent", lambda payload: self._record("sent", payload))
        ws.on("framereceived", lambda payload: self._record("recv", payload))

    def _record(self, direction: str, payload) -> None:
        msg = parse_frame(payload)
        if msg is not None and msg["header"].get("msg_type") in KEPT:
            self.lines.append(f"{time.monotonic() - self._start:7.2f} {direction} {summary(msg)}")

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.lines[-n:])
