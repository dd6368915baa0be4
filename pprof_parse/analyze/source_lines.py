"""flat and cum per source line of the functions a regex names, as ``go tool pprof -list`` counts them.

pprof's ``-list`` (``internal/report/source.go``, ``printSource``) builds its
graph at ``lines`` granularity (the driver sets it; ``-noinlines`` is honoured),
so a node is one (function, file, line) -- inlined frames expanded into their
own functions' lines. It keeps the nodes whose *function name* (not the
printable name) matches the regex, groups them by function name, then by file,
and shows each line's value as the plain sum of its nodes' ``Flat`` and ``Cum``
(``Nodes.Sum``). A node's cum counts a sample once however often the line
recurs in its stack (the graph's rule), so a recursive line's cum is not
multiplied. ``Nodes.Sum`` adds the raw sums: with ``-mean`` the line values stay
sums (only the report total is a mean).
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..model.data import ProfileData
from .goregex import GoRegexp
from .graph import node_weights
from .nodes import build_nodes

LINE_COLUMNS = ["function", "file", "line", "flat", "cum"]


def source_line_weights(data: ProfileData, regex: GoRegexp, sample_index: int, *,
                        noinlines: bool = False) -> pd.DataFrame:
    """One row per source line with a nonzero flat or cum, of every function whose name matches.

    Parameters
    ----------
    data : ProfileData
        The (already filtered) profile.
    regex : GoRegexp
        Searched, unanchored, in each function name (pprof's ``-list`` argument).
    sample_index : int
        Position of the value to sum.
    noinlines : bool
        Attribute inlined frames to their physical caller's line (``-noinlines``).

    Returns
    -------
    pandas.DataFrame
        Columns ``function`` (str), ``file`` (str: the recorded file name after
        pprof's default clean-up -- ``/proc/self/cwd/`` trimmed, ``filepath.Clean``),
        ``line`` (int64), ``flat``, ``cum`` (int64, the sample type's unit). Rows
        in pprof's order: function name, file name, line (byte order, as Go sorts
        strings). Lines of frames without a file name are left out (pprof prints
        ``No source information for F``; such functions are listed in
        ``attrs["no_source_info"]``); lines whose flat and cum are both 0 are left out.
    """
    nodes = build_nodes(data, "lines", noinlines=noinlines)
    weights = node_weights(data, nodes, sample_index)
    info = nodes.info
    matched = regex.match_many(info["Name"].tolist()) if len(info) else np.zeros(0, bool)
    nonzero = (weights.flat != 0) | (weights.cum != 0)
    has_file = info["File"].to_numpy() != ""
    keep = matched & has_file & nonzero
    per_node = pd.DataFrame({
        "function": info["Name"].to_numpy()[keep].astype(object),
        "file": info["File"].to_numpy()[keep].astype(object),
        "line": info["Lineno"].to_numpy()[keep].astype(np.int64),
        "flat": weights.flat[keep].astype(np.int64),
        "cum": weights.cum[keep].astype(np.int64),
    })
    # nodes differing only in start line or column fall on one line: pprof adds them up
    lines = per_node.groupby(["function", "file", "line"], sort=False, as_index=False)[["flat", "cum"]].sum()
    lines = lines[(lines["flat"] != 0) | (lines["cum"] != 0)]
    lines = _in_go_order(lines)[LINE_COLUMNS].astype({"line": np.int64, "flat": np.int64, "cum": np.int64})
    lines.attrs["no_source_info"] = sorted(set(info["Name"].to_numpy()[matched & ~has_file & nonzero]))
    return lines


def _in_go_order(lines: pd.DataFrame) -> pd.DataFrame:
    """Sorted as pprof prints: function name, then file, then line; names compared as UTF-8 bytes."""
    key = pd.DataFrame({
        "f": [s.encode("utf-8", "surrogatepass") for s in lines["function"]],
        "p": [s.encode("utf-8", "surrogatepass") for s in lines["file"]],
        "l": lines["line"].to_numpy(),
    }, index=lines.index)
    order = key.sort_values(["f", "p", "l"], kind="mergesort").index
    return lines.loc[order].reset_index(drop=True)


def function_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """pprof's ``ROUTINE`` header numbers: per (function, file), Σ flat and Σ cum of its lines.

    (Σ cum adds the lines' cums, as pprof's header does: a sample through two
    lines of the function counts twice.)
    """
    return lines.groupby(["function", "file"], sort=False, as_index=False)[["flat", "cum"]].sum()
