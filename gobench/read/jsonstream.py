"""``go test -json`` (test2json) streams.

The benchmark text is the concatenation of the ``Output`` of ``Action: "output"``
events **per Package**, in stream order: result lines are often split across two
events and the ``Test`` field is unreliable, so nothing else can be trusted.
"""
from __future__ import annotations

import json

__all__ = ["looks_like_test2json", "test2json_lines"]


def looks_like_test2json(text: str) -> bool:
    """True if the first non-blank line of *text* is a JSON object with an ``Action`` key."""
    s = text.lstrip()
    if not s.startswith("{"):
        return False
    first = s.split("\n", 1)[0]
    try:
        obj = json.loads(first)
    except (ValueError, RecursionError):
        return False
    return isinstance(obj, dict) and "Action" in obj


def test2json_lines(text: str) -> tuple[list[tuple[str, int]], list[tuple[int, str]]]:
    """Recover benchmark lines from a test2json stream.

    Returns
    -------
    lines : list of (str, int)
        Each recovered text line with the 1-based line number (in the JSON stream)
        of the event where it began; packages follow each other in order of their
        first event.
    bad : list of (int, str)
        JSON lines that could not be decoded (bad JSON, an integer of over 4,300
        digits, nesting too deep for the decoder), with a message.
    """
    per_pkg: dict[str, list[tuple[str, int]]] = {}
    bad: list[tuple[int, str]] = []
    for lineno, raw in enumerate(text.split("\n"), 1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            ev = json.loads(raw)
        except (ValueError, RecursionError) as e:
            # JSONDecodeError has .msg; an integer of over 4,300 digits is a plain
            # ValueError, deep nesting a RecursionError
            why = getattr(e, "msg", None) or ("nested too deeply" if isinstance(e, RecursionError)
                                              else str(e).split(";")[0])
            bad.append((lineno, f"invalid test2json event: {why}"))
            continue
        if not isinstance(ev, dict):
            bad.append((lineno, "invalid test2json event: not an object"))
            continue
        if ev.get("Action") != "output":
            continue
        out = ev.get("Output")
        if not isinstance(out, str):
            continue
        per_pkg.setdefault(str(ev.get("Package", "")), []).append((out, lineno))
    lines: list[tuple[str, int]] = []
    for chunks in per_pkg.values():
        cur: list[str] = []
        start = 0
        for out, lineno in chunks:
            pieces = out.split("\n")
            for i, piece in enumerate(pieces):
                if not cur and piece == "" and i == len(pieces) - 1:
                    break
                if not cur:
                    start = lineno
                cur.append(piece)
                if i < len(pieces) - 1:
                    lines.append(("".join(cur), start))
                    cur = []
        if cur:
            lines.append(("".join(cur), start))
    return lines, bad
