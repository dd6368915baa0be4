"""benchstat as a function: files in, tables (text, CSV or a tidy DataFrame) out."""
from __future__ import annotations

import io
import mmap
import os
import stat
import sys

import numpy as np

from gopherlab_common.lazy import pd

from .benchtab import Query, Tables
from .errors import BenchstatError, GobenchError, QuerySyntaxError
from .present.text import tables_to_csv, tables_to_text
from .read.benchfmt import parse_inputs
from .read.frame import _warn_errors, read_results
from .read.sources import (MAX_INPUT_BYTES, Input, _read_stream, check_regular_file,
                           input_from_bytes, label_inputs)

__all__ = ["run_benchstat", "read_inputs", "split_label", "benchstat",
           "tables_to_frame"]


def split_label(arg: str) -> tuple[str | None, str]:
    """``"label=path"`` → ``("label", "path")``; a plain path → ``(None, path)`` (benchfmt.Files)."""
    i = arg.find("=")
    if i >= 0:
        return arg[:i], arg[i + 1:]
    return None, arg


def read_inputs(args: list[str]) -> list[Input]:
    """Read benchstat input arguments (``[label=]path`` or ``-`` for stdin) in order.

    A path must name a regular file (a device such as ``/dev/zero``, a FIFO or a
    socket is refused before it is read, or opened: benchstat would read it
    forever); standard input is read up to
    :data:`gobench.read.sources.MAX_INPUT_BYTES`.

    Raises
    ------
    BenchstatError
        ``open PATH: no such file or directory`` and the like, as Go words it;
        ``PATH: is a character device, not a regular file ...``; stdin past the limit.
    """
    pairs = [split_label(a) for a in args]
    paths = [p for _, p in pairs]
    labels = label_inputs(paths, [lab for lab, _ in pairs])
    out = []
    for (lab, path), label in zip(pairs, labels):
        try:
            if path == "-":
                data = _read_stream(sys.stdin.buffer.read, "-", MAX_INPUT_BYTES)
            else:
                try:
                    check_regular_file(os.stat(path).st_mode, path)
                    with open(path, "rb") as f:
                        check_regular_file(os.fstat(f.fileno()).st_mode, path)
                        data = _read_or_map(f)
                except OSError as e:
                    msg = (e.strerror or str(e)).lower()
                    if isinstance(e, IsADirectoryError):
                        msg = "is a directory"
                    raise BenchstatError(f"open {path}: {msg}") from None
        except BenchstatError:
            raise
        except GobenchError as e:
            raise BenchstatError(str(e)) from None
        out.append(input_from_bytes(path, label, data))
    return out


#: regular files at least this big are memory-mapped instead of read (see _read_or_map)
MAP_MIN_BYTES = 1 << 20


def _read_or_map(f):
    """The bytes of the open file *f*: a read-only ``mmap`` for a regular file of at
    least :data:`MAP_MIN_BYTES`, else ``f.read()``.

    Mapped, the scanner reads the page cache in place: reading a 9 MB file into a
    new ``bytes`` faults in 9 MB of fresh memory (~2,300 page faults, ~5 ms on the
    project's VMs) that the mapping does not need.
    """
    try:
        st = os.fstat(f.fileno())
        if stat.S_ISREG(st.st_mode) and st.st_size >= MAP_MIN_BYTES:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
    return f.read()


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
    inputs = read_inputs(args)
    # Go's float arithmetic is silent: overflows and NaNs from the data (1e308 values,
    # Inf/NaN samples) must not print numpy's RuntimeWarnings on stderr
    with np.errstate(all="ignore"):
        r = parse_inputs(inputs, decode_json=decode_json)
        del inputs
        err = "".join(f"{e}\n" for e in r.errors)
        tables = q.build(r, alpha=alpha, confidence=confidence)
        if format == "csv":
            out, warn = tables_to_csv(tables)
            return out, err + warn
        return tables_to_text(tables), err


def tables_to_frame(tables: Tables):
    """The comparison as a tidy DataFrame, one row per printed cell (see :func:`benchstat`)."""
    recs = []
    cfg_fields = [f for f in tables.table_fields if f != ".unit"]
    for ti, (t, key) in enumerate(zip(tables.tables, tables.keys)):
        cfg = {f: v for f, v in zip(tables.table_fields, key) if f != ".unit"}
        col_labels = {ck: " ".join(v for v in ck if v) for ck in t.cols}
        for ri, rk in enumerate(t.rows):
            for cj, ck in enumerate(t.cols):
                cell = t.cells.get((ri, cj))
                if cell is None:
                    continue
                s, c = cell.summary, cell.comparison
                base = cell.baseline.summary.center if cell.baseline is not None else None
                rec = {"table": ti, **cfg, "row": t.row_label(rk), "column": col_labels[ck],
                       "unit": t.unit, "assume": t.assumption, "center": s.center, "lo": s.lo,
                       "hi": s.hi, "range": s.pct_range(),
                       "n": int(t.counts[cell.index]) if t.counts is not None else None,
                       "baseline": col_labels[t.cols[0]] if c is not None else None,
                       "baseline_center": base,
                       "p": c.p if c is not None else None,
                       "delta": c.format_delta(base, s.center) if c is not None else None,
                       "delta_pct": ((s.center / base - 1) * 100 if c is not None and base
                                     else None),
                       "significant": c.significant() if c is not None else None,
                       "note": c.note() if c is not None else None,
                       "is_geomean": False,
                       "warnings": list(cell.sample_warnings) + list(s.warnings)
                       + (list(c.warnings) if c is not None else [])}
                recs.append(rec)
        for i, ck in enumerate(t.cols):
            g = t.summary.get(i)
            if g is None:
                continue
            recs.append({"table": ti, **cfg, "row": "geomean", "column": col_labels[ck],
                         "unit": t.unit, "assume": t.assumption,
                         "center": g.summary if g.has_summary else float("nan"),
                         "lo": None, "hi": None, "range": None, "n": None,
                         "baseline": col_labels[t.cols[0]] if i > 0 else None,
                         "baseline_center": None, "p": None,
                         "delta": (f"{(g.ratio - 1) * 100:+.2f}%" if g.has_ratio else "?") if i > 0 else None,
                         "delta_pct": (g.ratio - 1) * 100 if i > 0 and g.has_ratio else None,
                         "significant": None, "note": None, "is_geomean": True,
                         "warnings": list(g.warnings)})
    cols = (["table"] + cfg_fields + ["row", "column", "unit", "assume", "center", "lo", "hi",
                                      "range", "n", "baseline", "baseline_center", "p", "delta",
                                      "delta_pct", "significant", "note", "is_geomean", "warnings"])
    df = pd.DataFrame.from_records(recs, columns=cols)
    df["n"] = pd.array(df["n"], dtype="Int64")
    for c in ("center", "lo", "hi", "baseline_center", "p", "delta_pct"):
        df[c] = df[c].astype(float)
    return df


def benchstat(src=None, *, text=None, table: str = ".config", row: str = ".fullname", col: str = ".file",
              ignore: str = "", filter: str = "*", alpha: float = 0.05,
              confidence: float = 0.95, decode_json: bool = True):
    """Compare benchmark results as benchstat v2 does; return a tidy DataFrame.

    Parameters
    ----------
    src : path, bytes, file object, list or dict of them
        As for :func:`gobench.read_bench` (a dict maps labels — benchstat's
        ``label=path`` — to sources; a list keeps the paths as labels).
    text : str, or a list/dict of str, optional (keyword only)
        The benchmark output itself, instead of ``src`` (a dict: labels to texts).
    table, row, col, ignore, filter : str
        benchstat's projections and filter (``-table .config``, ``-row .fullname``,
        ``-col .file``, ``-ignore``, ``-filter``).
    alpha : float, default 0.05
        Significance level: a delta is significant when p ≤ alpha.
    confidence : float, default 0.95
        Confidence level of the median's interval.
    decode_json : bool, default True
        Read ``go test -json`` streams (benchstat itself ignores them).

    Returns
    -------
    pandas.DataFrame
        One row per cell of benchstat's tables, plus a geomean row per column:

        ===============  =======  ================================================
        table            int64    table number, in benchstat's order
        <table key>      str      one column per ``-table`` key (``goos``, ``pkg``…)
        row, column      str      row and column labels as benchstat prints them
        unit             str      tidied unit (``sec/op``, ``B/s``…)
        assume           str      ``nothing`` or ``exact`` (``Unit … assume=exact``)
        center           float64  median (mode for exact units), in ``unit``
        lo, hi           float64  confidence interval of the median (±inf if n too small)
        range            str      benchstat's ± text (``31%``, ``∞``, ``?``)
        n                Int64    sample size
        baseline         str      label of the baseline column (None in it)
        baseline_center  float64  the baseline cell's center
        p                float64  Mann–Whitney U p-value (0 for exact units)
        delta            str      ``-35.26%``, ``~``, ``?``, as printed
        delta_pct        float64  (center / baseline_center − 1)·100
        significant      object   p ≤ alpha (None without a baseline)
        note             str      ``p=0.442 n=8``
        is_geomean       bool     the geomean row (center: geomean of centers;
                                  delta_pct: geomean of ratios to the baseline)
        warnings         object   list of benchstat's warnings for the cell
        ===============  =======  ================================================

        ``attrs["better"]`` maps units to the ``better=higher|lower`` of the
        inputs' ``Unit`` metadata lines (what :func:`gobench.gate.regressions`
        and the plots use to tell a regression from an improvement).

    Raises
    ------
    gobench.errors.QuerySyntaxError
        A bad projection or filter.
    """
    q = Query.parse(table=table, row=row, col=col, ignore=ignore, filter=filter)
    r = read_results(src, text=text, decode_json=decode_json)
    _warn_errors(r.errors)
    tables = q.build(r, alpha=alpha, confidence=confidence)
    df = tables_to_frame(tables)
    df.attrs["better"] = units_better(r)
    return df


def units_better(r) -> dict[str, str]:
    """``unit -> "higher"|"lower"`` from the ``Unit … better=`` metadata of parsed results."""
    return {u: md.value for (u, k), md in r.units.items() if k == "better"}
