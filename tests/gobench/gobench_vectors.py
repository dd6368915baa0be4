"""Locating ../shared/benchstat-vectors (never copied into the repo)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = (REPO / ".." / "shared" / "benchstat-vectors").resolve()
INPUTS = VECTORS / "inputs"
OUTPUTS = VECTORS / "outputs"


def need_vectors():
    if not (INPUTS.is_dir() and OUTPUTS.is_dir()):
        pytest.skip("benchstat vectors not found at ../shared/benchstat-vectors")


def split_command(cmd: str) -> list[str]:
    """Split a COMMANDS.txt line back into argv.

    The file was written without shell quoting: an empty argument shows as two
    spaces, and a parenthesised filter value contains spaces.
    """
    out, buf = [], None
    for tok in cmd.split(" "):
        if buf is not None:
            buf += " " + tok
            if buf.count("(") == buf.count(")"):
                out.append(buf)
                buf = None
        elif tok.count("(") > tok.count(")"):
            buf = tok
        else:
            out.append(tok)
    return out


def commands() -> list[tuple[str, str, list[str]]]:
    """``(name, program, argv)`` for every vector in COMMANDS.txt."""
    if not OUTPUTS.is_dir():
        return []
    out = []
    for line in (OUTPUTS / "COMMANDS.txt").read_text().splitlines():
        if ": " not in line:
            continue
        name, cmd = line.split(": ", 1)
        argv = split_command(cmd)
        out.append((name, argv[0], argv[1:]))
    return out
