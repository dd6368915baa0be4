"""benchstat as a function: files in, tables (text, CSV or a tidy DataFrame) out."""
from __future__ import annotations

import os
import sys

from .benchtab import Query, Tables
from .errors import GobenchError, QuerySyntaxError
from .read.benchfmt import parse_inputs
from .read.sources import Input, decode_bytes, label_inputs

__all__ = ["BenchstatError", "run_benchstat", "read_inputs", "split_label"]


class BenchstatError(GobenchError):
    """An error benchstat reports as ``benchstat: <message>`` (bad flag value, unreadable file)."""


def split_label(arg: str) -> tuple[str | None, str]:
    """``"label=path"`` → ``("label", "path")``; a plain path → ``(None, path)`` (benchfmt.Files)."""
    i = arg.find("=")
    if i >= 0:
        return arg[:i], arg[i + 1:]
    return None, arg


def read_inputs(args: list[str]) -> list[Input]:
    """Read benchstat input arguments (``[label=]path`` or ``-`` for stdin) in order.

    Raises
    ------
    BenchstatError
        ``open PATH: no such file or directory`` and the like, as Go words it.
    """
    pairs = [split_label(a) for a in args]
    paths = [p for _, p in pairs]
    labels = label_inputs(paths, [lab for lab, _ in pairs])
    out = []
    for (lab, path), label in zip(pairs, labels):
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError as e:
                msg = (e.strerror or str(e)).lower()
                if isinstance(e, IsADirectoryError):
                    msg = "is a directory"
                raise BenchstatError(f"open {path}: {msg}") from None
        out.append(Input(path, label, decode_bytes(data, path)))
    return out


def run_benchstat(args: list[str], *, table: str = ".config", row: str = ".fullname",
                  col: str = ".file", ignore: str = "", filter: str = "*", alpha: float = 0.05,
                  confidence: float = 0.95, format: str = "text", decode_json: bool = False,
                  stderr=None) -> tuple[str, str]:
    """Run benchstat on input arguments; return ``(stdout, stderr)`` texts.

    Parse errors of the inputs come first in the stderr text (as benchstat
    streams them), then any warnings of the CSV format.

    Raises
    ------
    BenchstatError
        With benchstat's message (``parsing -table: syntax error: …``,
        ``-alpha must be in range [0, 1]``, ``open x: no such file or directory``).
    """
    try:
        q = Query.parse(table=table, row=row, col=col, ignore=ignore, filter=filter)
    except QuerySyntaxError as e:
        raise BenchstatError(f"parsing {e.flag}: {e}") from None
    if not 0 <= alpha <= 1:
        raise BenchstatError("-alpha must be in range [0, 1]")
    if not 0 <= confidence <= 1:
        raise BenchstatError("-confidence must be in range [0, 1]")
    if format not in ("text", "csv"):
        raise BenchstatError("-format must be text or csv")
    try:
        inputs = read_inputs(args)
    except BenchstatError:
        raise
    r = parse_inputs(inputs, decode_json=decode_json)
    err = "".join(f"{e}\n" for e in r.errors)
    tables = q.build(r, alpha=alpha, confidence=confidence)
    from .present.text import tables_to_csv, tables_to_text
    if format == "csv":
        out, warn = tables_to_csv(tables)
        return out, err + warn
    return tables_to_text(tables), err
