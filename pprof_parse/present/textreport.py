"""``go tool pprof -top`` as text: pprof's node selection, units and header lines.

The rules come from google/pprof (the copy vendored in Go's ``cmd``):

- ``internal/measurement``: ``Scale`` and ``ScaledLabel`` are
  :mod:`pprof_parse.analyze.measurement`'s, ``Percentage`` is
  :func:`pprof_parse.present.top.format_percentage`;
- ``internal/report``: ``newTrimmedGraph`` (node selection, :func:`select_top_nodes`),
  ``selectOutputUnit`` (:func:`output_unit`), ``ProfileLabels`` and ``reportLabels``
  (:func:`header_lines`), ``printText`` (:func:`text_top`);
- ``internal/driver``: the defaults of a ``-top`` report -- ``-nodecount`` 0 (no limit),
  ``-nodefraction`` 0.005, ``-edgefraction`` 0.001, ``-unit`` ``minimum``, ``-trim`` on.
"""

from __future__ import annotations

import datetime
import posixpath
import time
from dataclasses import dataclass

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.graph import _sample_runs, expand_frames, node_weights
from ..analyze.measurement import scale, scaled_label
from ..analyze.nodes import build_nodes, sprint_key
from ..analyze.sample_index import resolve_sample_index
from ..errors import OptionError
from ..model.data import ProfileData
from .top import TOP_COLUMNS, format_percentage, mean_value, node_order, report_total

#: pprof's defaults for a ``-top`` report (``driver.defaultConfig`` + ``applyCommandOverrides``).
DEFAULT_NODECOUNT = 0
DEFAULT_NODEFRACTION = 0.005
DEFAULT_EDGEFRACTION = 0.001
DEFAULT_UNIT = "minimum"

def _trunc_int64(x: float) -> int:
    """Go's ``int64(x)`` for a float in range: truncation toward zero."""
    return int(x) if x == x and abs(x) != float("inf") else 0


# ---- node selection: pprof's newTrimmedGraph for a text report -------------------------------
@dataclass(frozen=True)
class TopSelection:
    """The nodes a ``-top`` report shows, and what the header says about the others.

    ``table`` has the columns of :meth:`pprof_parse.Profile.top` (flat/cum as
    pprof prints them: means with ``mean``), in report order, with the inline
    markers of the trimmed graph. ``shown`` is Σflat of those rows, ``total`` the
    report total, ``dropped`` the nodes below the ``nodefraction`` cutoff,
    ``candidates`` the nodes left after that cutoff (``-nodecount`` chooses
    among them), ``nodefraction`` as given.
    """

    table: pd.DataFrame
    total: int
    shown: int
    dropped: int
    candidates: int
    nodefraction: float
    sample_type: str
    sample_unit: str


def select_top_nodes(data: ProfileData, sample_index=None, *, cum: bool = False, granularity: str = "functions",
                     noinlines: bool = False, mean: bool = False, nodecount: int = DEFAULT_NODECOUNT,
                     nodefraction: float = DEFAULT_NODEFRACTION, edgefraction: float = DEFAULT_EDGEFRACTION,
                     total: int | None = None) -> TopSelection:
    """The rows of ``go tool pprof -top`` with pprof's trimming (``report.newTrimmedGraph``).

    1. The graph total is Σ raw flat of all nodes; ``nodeCutoff`` =
       |int64(total × nodefraction)|, ``edgeCutoff`` likewise with ``edgefraction``.
    2. If ``nodeCutoff`` > 0, nodes with |raw cum| < nodeCutoff are dropped
       (counted in :attr:`TopSelection.dropped`); flat and cum of the others are
       unchanged, the graph is rebuilt over the kept nodes.
    3. Nodes are sorted (``FlatNameOrder``, ``CumNameOrder`` with ``cum``); with
       ``nodecount`` > 0 the first ``nodecount`` are kept.
    4. Edges lighter than ``edgeCutoff`` are removed; a node is marked
       ``inline`` when its remaining incoming edges are all inline calls,
       ``partial-inline`` when some are.

    Raises SampleTypeError (bad sample index) and OptionError (bad granularity,
    negative or non-finite fractions).
    """
    for name, f in (("nodefraction", nodefraction), ("edgefraction", edgefraction)):
        if f != f or abs(f) == float("inf"):
            raise OptionError(f"-{name} must be a finite number, not {f!r}")
    si = resolve_sample_index(data, sample_index)
    nodes = build_nodes(data, granularity, noinlines=noinlines)
    nw = node_weights(data, nodes, si, mean=mean)
    if total is None:
        total = report_total(data, si, mean=mean)
    present = (nw.flat != 0) | (nw.cum != 0)
    graph_total = int(nw.flat.sum())
    node_cutoff = abs(_trunc_int64(float(graph_total) * nodefraction))
    edge_cutoff = abs(_trunc_int64(float(graph_total) * edgefraction))

    kept, rebuilt, dropped = present, False, 0
    if node_cutoff > 0:
        above = present & (np.abs(nw.cum) >= node_cutoff)
        if int(above.sum()) != int(present.sum()):
            dropped = int(present.sum()) - int(above.sum())
            kept, rebuilt = above, True
    idx = np.flatnonzero(kept)
    candidates = idx.size
    info = nodes.info.iloc[idx]
    order = node_order(info["name"].to_numpy(), [sprint_key(r) for r in info.itertuples(index=False)],
                       nw.flat[idx], nw.cum[idx], by_cum=cum)
    idx = idx[order]
    if nodecount > 0 and nodecount < idx.size:
        idx = idx[:nodecount]
        kept = np.zeros(nodes.n_nodes, bool)
        kept[idx] = True
        rebuilt = True

    inline_in, noinline_in = _trimmed_inline_flags(data, nodes, si, mean, kept if rebuilt else None, edge_cutoff, idx)
    flat, cumv = nw.flat[idx], nw.cum[idx]
    if mean:
        flat, cumv = mean_value(flat, nw.flat_div[idx]), mean_value(cumv, nw.cum_div[idx])
    table = pd.DataFrame({
        "name": nodes.info["name"].to_numpy()[idx].astype(object),
        "flat": np.asarray(flat, np.int64),
        "cum": np.asarray(cumv, np.int64),
        "inline": np.where(inline_in[idx], np.where(noinline_in[idx], "partial-inline", "inline"), ""),
    })
    table["flat_pct"] = _pct(table["flat"].to_numpy(), total)
    table["sum_pct"] = _pct(np.cumsum(table["flat"].to_numpy()), total)
    table["cum_pct"] = _pct(table["cum"].to_numpy(), total)
    table = table[TOP_COLUMNS]
    st = data.sample_types[si]
    stype = ("mean_" if mean else "") + st.type
    table.attrs.update({"sample_type": stype, "unit": st.unit, "total": total, "granularity": granularity,
                        "mean": mean})
    return TopSelection(table, int(total), int(table["flat"].sum()), dropped, int(candidates), nodefraction,
                        stype, st.unit)


def _pct(values: np.ndarray, total: int) -> np.ndarray:
    if total == 0:
        return np.zeros(values.shape, float)
    return np.abs(values / total) * 100.0


def _trimmed_inline_flags(data: ProfileData, nodes, si: int, mean: bool, kept: np.ndarray | None,
                          edge_cutoff: int, shown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per node: has an inline / an ordinary incoming edge, in the graph pprof prints.

    Only the edges into the ``shown`` nodes (ids) that occur as an inlined frame
    somewhere are looked at: no other node can carry a marker.

    As ``graph.newGraph`` builds it: frames root to leaf, nodes not ``kept``
    skipped (the edge then joins the nearest kept frames), an edge counted once
    per sample (its first occurrence from the root sets the sample's inline
    flag) and none from a node to itself; an edge is inline when every sample
    calls it inline, its weight is the signed sum of its samples' values (raw,
    also with ``mean``), and edges with |weight| < ``edge_cutoff`` are removed
    (``TrimLowFrequencyEdges``). Returns two bool arrays indexed by node id.
    """
    n = nodes.n_nodes
    inline_in, noinline_in = np.zeros(n, bool), np.zeros(n, bool)
    if n == 0 or data.n_samples == 0:
        return inline_in, noinline_in
    target = np.zeros(n, bool)
    target[nodes.slot_node[nodes.slot_inline]] = True  # nodes that occur as an inlined call
    only = np.zeros(n, bool)
    only[shown] = True
    target &= only
    if not target.any():  # no inlined frames (or -noinlines), or none shown: no marker
        return inline_in, noinline_in
    w = data.values[:, si]
    active = (w != 0) | (data.values[:, 0] != 0) if mean else (w != 0)
    depth = np.diff(data.stack_offsets)
    samples = np.flatnonzero(active & (depth > 0))
    slot_node = nodes.slot_node
    slot_inline = nodes.slot_inline
    parts = []
    for chunk in _sample_runs(samples, depth):
        if chunk.size == 0:
            continue
        fs, fslot = expand_frames(data, nodes, chunk)  # leaf first within each sample
        fn = slot_node[fslot].astype(np.int64)
        fi = slot_inline[fslot]
        if kept is not None:
            m = kept[fn]
            fs, fn, fi = fs[m], fn[m], fi[m]
        if fn.size < 2:
            continue
        child, parent = fn[:-1], fn[1:]
        valid = (fs[:-1] == fs[1:]) & (child != parent) & target[child]
        e = pd.DataFrame({"s": fs[:-1][valid], "key": parent[valid] * n + child[valid], "inl": fi[:-1][valid]})
        e = e.drop_duplicates(["s", "key"], keep="last")  # leaf-first order: "last" is nearest the root
        e["w"] = w[e["s"].to_numpy()]
        parts.append(e.groupby("key", sort=False).agg(w=("w", "sum"), inl=("inl", "all")))
    if not parts:
        return inline_in, noinline_in
    edges = pd.concat(parts).groupby(level=0, sort=False).agg(w=("w", "sum"), inl=("inl", "all"))
    edges = edges[np.abs(edges["w"].to_numpy()) >= edge_cutoff]
    child = edges.index.to_numpy() % n
    inl = edges["inl"].to_numpy(bool)
    inline_in[child[inl]] = True
    noinline_in[child[~inl]] = True
    return inline_in, noinline_in


# ---- units and header lines -----------------------------------------------------------------
def output_unit(table: pd.DataFrame, total: int, sample_unit: str, unit: str = DEFAULT_UNIT) -> str:
    """pprof's ``selectOutputUnit``: the unit the whole table is printed in.

    With ``unit`` other than ``"minimum"`` (``-unit``), that unit. Otherwise the
    unit of the smallest non-zero |flat| (|cum| where flat is 0) of the shown
    rows, or of ``total`` when there is none; when that differs from the unit of
    ``total`` and the smallest value is below 1% of the total, the unit of 100×
    the smallest (so it prints as at least 0.01). A unit pprof does not scale
    (counts) prints as the bare number.
    """
    if unit != "minimum" or len(table) == 0:
        return unit
    flat = np.abs(table["flat"].to_numpy(np.int64))
    cum = np.abs(table["cum"].to_numpy(np.int64))
    node_min = np.where(flat == 0, cum, flat)
    node_min = node_min[node_min > 0]
    min_value = int(node_min.min()) if node_min.size else 0
    max_value = total
    if min_value == 0:
        min_value = max_value
    _, min_unit = scale(min_value, sample_unit, "minimum")
    _, max_unit = scale(max_value, sample_unit, "minimum")
    out = min_unit
    if min_unit != max_unit and min_value * 100 < max_value:
        _, out = scale(100 * min_value, sample_unit, "minimum")
    return out if out != "" else sample_unit


def go_time_label(time_nanos: int) -> str:
    """``time.Unix(0, ns).Format("2006-01-02 15:04:05 MST")`` in the local time zone (``TZ``, else
    ``/etc/localtime``), as pprof prints ``Time:``. The zone's abbreviation, or ``-0700`` when it has
    none, as Go does. Instants the C library cannot represent are printed in UTC."""
    sec = time_nanos // 1_000_000_000
    try:
        t = time.localtime(sec)
        zone, off = t.tm_zone, t.tm_gmtoff
    except (OverflowError, OSError, ValueError):
        t, zone, off = None, "UTC", 0
    if t is None:
        try:
            d = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=sec)
            return f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}:{d.second:02d} UTC"
        except OverflowError:
            return f"@{sec} UTC"
    if not zone:
        m = (off or 0) // 60
        zone = ("-" if m < 0 else "+") + f"{abs(m) // 60:02d}{abs(m) % 60:02d}"
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {zone}"


def profile_labels(data: ProfileData, sel: TopSelection, fmt) -> list[str]:
    """pprof's ``report.ProfileLabels``: ``File:``, ``Build ID:`` (first mapping), comments not
    starting with ``#``, ``Type:``, ``Doc:``, ``Time:``, ``Duration: …, Total samples = …``."""
    out = []
    if data.map_id.size:
        file = data.strings[int(data.map_filename[0])] if data.map_filename.size else ""
        build = data.strings[int(data.map_build_id[0])] if data.map_build_id.size else ""
        if file:
            out.append("File: " + _go_base(file))
        if build:
            out.append("Build ID: " + build)
    out.extend(c for c in data.comments if not c.startswith("#"))
    if sel.sample_type:
        out.append("Type: " + sel.sample_type)
    if data.doc_url:
        out.append("Doc: " + data.doc_url)
    if data.time_nanos:
        out.append("Time: " + go_time_label(int(data.time_nanos)))
    if data.duration_nanos:
        duration = scaled_label(int(data.duration_nanos), "nanoseconds", "auto")
        total_ns, total_unit = scale(sel.total, sel.sample_unit, "nanoseconds")
        ratio = ""
        if total_unit == "ns" and total_ns != 0:
            ratio = "(" + format_percentage(_trunc_int64(total_ns), int(data.duration_nanos)) + ")"
        out.append(f"Duration: {duration}, Total samples = {fmt(sel.total)} {ratio}")
    return out


def _go_base(path: str) -> str:
    """Go's ``filepath.Base`` (slash paths)."""
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return posixpath.basename(path)


def header_lines(data: ProfileData, sel: TopSelection, fmt, *, compact_labels: bool = False) -> list[str]:
    """pprof's ``reportLabels`` for a text report: the profile labels (unless ``compact_labels``),
    ``Showing nodes accounting for …``, ``Dropped N nodes (cum <= …)``, ``Showing top N nodes out of M``."""
    out = [] if compact_labels else profile_labels(data, sel, fmt)
    out.append(f"Showing nodes accounting for {fmt(sel.shown)}, {format_percentage(sel.shown, sel.total).strip()} "
               f"of {fmt(sel.total)} total")
    if sel.total != 0:
        if sel.dropped > 0:
            cut = abs(_trunc_int64(float(sel.total) * sel.nodefraction))
            out.append(f"Dropped {sel.dropped} node{'s' if sel.dropped > 1 else ''} (cum <= {fmt(cut)})")
        shown = len(sel.table)
        if 0 < shown < sel.candidates:
            out.append(f"Showing top {shown} nodes out of {sel.candidates}")
    return out


def text_top(data: ProfileData, sample_index=None, *, cum: bool = False, granularity: str = "functions",
             noinlines: bool = False, mean: bool = False, nodecount: int = DEFAULT_NODECOUNT,
             nodefraction: float = DEFAULT_NODEFRACTION, edgefraction: float = DEFAULT_EDGEFRACTION,
             unit: str = DEFAULT_UNIT, compact_labels: bool = False) -> str:
    """What ``go tool pprof -top`` prints for these options, byte for byte (``report.printText``).

    Header lines, then ``%10s %5s%% %5s%% %10s %5s%%`` column titles, then one
    line per node: flat, flat%, running sum%, cum, cum% (values in the table's
    unit, :func:`output_unit`; percentages of the report total), two spaces,
    the name and `` (inline)``/`` (partial-inline)``. Options are pprof's, with
    its ``-top`` defaults. Raises SampleTypeError / OptionError as
    :func:`select_top_nodes`.
    """
    sel = select_top_nodes(data, sample_index, cum=cum, granularity=granularity, noinlines=noinlines, mean=mean,
                           nodecount=nodecount, nodefraction=nodefraction, edgefraction=edgefraction)
    out_unit = output_unit(sel.table, sel.total, sel.sample_unit, unit)

    def fmt(v: int) -> str:
        return scaled_label(int(v), sel.sample_unit, out_unit)

    lines = header_lines(data, sel, fmt, compact_labels=compact_labels)
    lines.append(f"{'flat':>10} {'flat':>5}% {'sum':>5}% {'cum':>10} {'cum':>5}%")
    total, running = sel.total, 0
    t = sel.table
    for name, flat, cumv, inl in zip(t["name"], t["flat"].tolist(), t["cum"].tolist(), t["inline"]):
        running += flat
        marker = f" ({inl})" if inl else ""
        lines.append(f"{fmt(flat):>10} {format_percentage(flat, total)} {format_percentage(running, total)} "
                     f"{fmt(cumv):>10} {format_percentage(cumv, total)}  {name}{marker}")
    return "\n".join(lines) + "\n"
