"""pprof's ``-peek``, ``-traces`` and ``-tags`` reports as DataFrames.

All three run on a :class:`~pprof_parse.model.data.ProfileData` that the
caller has already filtered (see :func:`pprof_parse.analyze.filter.apply_filters`)
and take the report total from the caller, so percentages follow pprof's
rule (whole profile unless ``relative_percentages``).
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.goregex import GoRegexp
from ..analyze.graph import expand_frames, node_weights
from ..analyze.nodes import build_nodes, sprint_key
from ..analyze.measurement import label as format_label
from ..analyze.measurement import scaled_label
from ..analyze.tagfilter import num_label_units
from ..errors import OptionError
from ..model.data import ProfileData
from .top import _pct, mean_value, node_order

PEEK_COLUMNS = ["node", "relation", "name", "weight", "weight_pct", "inline",
                "flat", "flat_pct", "sum_pct", "cum", "cum_pct"]
TAGS_COLUMNS = ["key", "value", "total", "pct", "key_total", "key_pct"]


# ---- peek -------------------------------------------------------------------------------------


def _edges(data: ProfileData, nodes, si: int):
    """Caller->callee edges of pprof's graph: ``(src, dst, weight, inline)`` arrays.

    Per sample (``w != 0``) each distinct (caller, callee) pair of adjacent
    frames counts once, self-edges skipped; an edge is inline when every
    counted occurrence (the root-most one of each sample) is an inline call.
    """
    w = data.values[:, si] if data.n_samples else np.zeros(0, np.int64)
    samples = np.flatnonzero((w != 0) & (np.diff(data.stack_offsets) > 0))
    fs, slot = expand_frames(data, nodes, samples)
    node = nodes.slot_node[slot]
    inl = nodes.slot_inline[slot]
    if node.size < 2:
        e = np.zeros(0, np.int64)
        return e, e, e, np.zeros(0, bool)
    child, parent = node[:-1], node[1:]
    ok = (fs[:-1] == fs[1:]) & (child != parent)
    s, c, p, ci = fs[:-1][ok], child[ok], parent[ok], inl[:-1][ok]
    depth = np.flatnonzero(ok)  # larger index = nearer the root
    order = np.lexsort((-depth, c, p, s))
    s, c, p, ci = s[order], c[order], p[order], ci[order]
    first = np.ones(s.size, bool)
    first[1:] = (s[1:] != s[:-1]) | (c[1:] != c[:-1]) | (p[1:] != p[:-1])
    s, c, p, ci = s[first], c[first], p[first], ci[first]
    n = nodes.n_nodes
    ekey, einv = np.unique(p.astype(np.int64) * n + c, return_inverse=True)
    weight = np.zeros(ekey.size, np.int64)
    np.add.at(weight, einv, w[s])
    not_inline = np.zeros(ekey.size, bool)
    not_inline[einv[~ci]] = True
    return ekey // n, ekey % n, weight, ~not_inline


def peek_table(data: ProfileData, regex: GoRegexp, si: int, *, total: int, granularity: str = "functions",
               noinlines: bool = False, cum: bool = False, mean: bool = False) -> pd.DataFrame:
    """Build the ``-peek`` table; see :meth:`pprof_parse.Profile.peek`.

    ``regex`` (from :func:`~pprof_parse.analyze.goregex.compile_regex`) is
    searched in each node's printable name, as pprof's ``printTree`` does.

    With ``mean`` the nodes' flat and cum are divided as in ``-top -mean``
    while the edges keep their summed weights (pprof's ``printTree`` prints
    ``Edge.Weight``), their ``calls%`` taken of the divided cum.
    """
    nodes = build_nodes(data, granularity, noinlines=noinlines)
    nw = node_weights(data, nodes, si, mean=mean)
    names = nodes.info["name"].to_numpy(dtype=object)
    live = np.flatnonzero((nw.flat != 0) | (nw.cum != 0))
    sprint = [sprint_key(r) for r in nodes.info.iloc[live].itertuples(index=False)]
    live = live[node_order(names[live], sprint, nw.flat[live], nw.cum[live], cum)]
    matched = live[regex.match_many([str(names[i]) for i in live])] if live.size else live
    rank = np.full(nodes.n_nodes, -1, np.int64)
    rank[matched] = np.arange(matched.size)

    src, dst, weight, inline = _edges(data, nodes, si)
    e_order = pd.DataFrame({"a": -np.abs(weight), "s": names[src], "d": names[dst]}).sort_values(
        ["a", "s", "d"], kind="mergesort").index.to_numpy()
    e_rank = np.empty(e_order.size, np.int64)
    e_rank[e_order] = np.arange(e_order.size)
    ins, outs = np.flatnonzero(rank[dst] >= 0), np.flatnonzero(rank[src] >= 0)

    # rows: callers (part 0), the node (part 1), callees (part 2) of each matched node, in pprof's order
    block = np.concatenate((rank[dst[ins]], np.arange(matched.size), rank[src[outs]]))
    part = np.concatenate((np.zeros(ins.size, np.int64), np.ones(matched.size, np.int64), np.full(outs.size, 2)))
    within = np.concatenate((e_rank[ins], np.zeros(matched.size, np.int64), e_rank[outs]))
    node = np.concatenate((dst[ins], matched, src[outs]))
    other = np.concatenate((src[ins], matched, dst[outs]))
    edge = np.concatenate((ins, np.full(matched.size, -1), outs))
    order = np.lexsort((within, part, block))
    node, other, edge, part = node[order], other[order], edge[order], part[order]
    is_self = part == 1
    f, c = nw.flat[node], nw.cum[node]
    if mean:
        f, c = mean_value(f, nw.flat_div[node]), mean_value(c, nw.cum_div[node])
    flat_sum = np.cumsum(np.where(is_self, f, 0))
    w = np.where(edge >= 0, weight[np.maximum(edge, 0)] if weight.size else 0, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        edge_pct = np.where(c != 0, np.abs(w / np.where(c != 0, c, 1)) * 100.0, 0.0)
    out = pd.DataFrame({
        "node": names[node], "relation": np.array(["caller", "self", "callee"], dtype=object)[part],
        "name": names[other],
        "weight": pd.arrays.IntegerArray(w.astype(np.int64), is_self.copy()),
        "weight_pct": np.where(is_self, np.nan, edge_pct),
        "inline": np.where(edge >= 0, inline[np.maximum(edge, 0)] if inline.size else False, False),
        "flat": pd.arrays.IntegerArray(f.astype(np.int64), ~is_self),
        "flat_pct": np.where(is_self, _pct(f, total), np.nan),
        "sum_pct": np.where(is_self, _pct(flat_sum, total), np.nan),
        "cum": pd.arrays.IntegerArray(c.astype(np.int64), ~is_self),
        "cum_pct": np.where(is_self, _pct(c, total), np.nan),
    })
    out.attrs.update({"sample_type": ("mean_" if mean else "") + data.sample_types[si].type,
                      "unit": data.sample_types[si].unit, "total": total, "granularity": granularity, "mean": mean})
    return out[PEEK_COLUMNS]


# ---- traces ------------------------------------------------------------------------------------


def _label_columns(data: ProfileData, samples: np.ndarray, units: dict[str, str]) -> dict[str, pd.Categorical]:
    """Per label key, each sample's values as pprof's ``-traces`` prints them (joined by a space;
    numeric values with ``measurement.Label`` in the key's unit)."""
    s = data.strings
    pos = np.full(data.n_samples, -1, np.int64)
    pos[samples] = np.arange(samples.size)
    cols: dict[str, pd.Categorical] = {}
    sources = [(data.label_sample, data.label_key, lambda k, v: np.array([s[int(x)] for x in v], dtype=object),
                data.label_str)]
    sources.append((data.numlabel_sample, data.numlabel_key,
                    lambda k, v: np.array([format_label(int(x), units.get(s[int(k)], "")) for x in v], dtype=object),
                    data.numlabel_num))
    for smp, key, fmt, val in sources:
        for k in np.unique(key):
            m = (key == k) & (pos[smp] >= 0)
            uv, inv = np.unique(val[m], return_inverse=True)
            text = fmt(k, uv)[inv] if uv.size else np.zeros(0, object)
            rows = pos[smp[m]]
            ser = pd.Series(text, index=rows)
            if not ser.index.is_unique:
                ser = ser.groupby(level=0, sort=False).agg(" ".join)
            full = pd.Series(pd.NA, index=range(samples.size), dtype=object)
            full[ser.index.to_numpy()] = ser.to_numpy()
            cols[s[int(k)]] = pd.Categorical(full)
    return cols


def traces_table(data: ProfileData, si: int, *, orig: np.ndarray | None = None, granularity: str = "functions",
                 noinlines: bool = False, mean: bool = False, units: dict[str, str] | None = None) -> pd.DataFrame:
    """Build the ``-traces`` table; see :meth:`pprof_parse.Profile.traces`. ``units``: numeric label
    units (pprof takes them from the unfiltered profile); default: from ``data``."""
    units = num_label_units(data) if units is None else units
    nodes = build_nodes(data, granularity, noinlines=noinlines)
    samples = np.flatnonzero(np.diff(data.stack_offsets) > 0)
    fs, slot = expand_frames(data, nodes, samples)
    counts = np.bincount(fs, minlength=data.n_samples)[samples] if fs.size else np.zeros(samples.size, np.int64)
    trace = np.repeat(np.arange(samples.size), counts)
    depth = np.arange(fs.size) - np.repeat(np.cumsum(counts) - counts, counts)
    v = data.values[samples, si] if data.n_samples else np.zeros(0, np.int64)
    if mean:
        d = data.values[samples, 0]
        v = mean_value(v, d)
    names = nodes.info["name"].to_numpy(dtype=object)
    orig = np.arange(data.n_samples) if orig is None else orig
    df = pd.DataFrame({
        "trace": trace, "sample": orig[samples][trace] if samples.size else trace, "depth": depth,
        "value": v[trace] if v.size else np.zeros(0, np.int64),
        "name": pd.Categorical(names[nodes.slot_node[slot]]) if slot.size else pd.Categorical([]),
        "inline": nodes.slot_inline[slot],
    })
    for key, col in _label_columns(data, samples, units).items():
        name = f"label:{key}" if key in df.columns else key
        df[name] = col[trace] if len(col) else pd.Categorical([])
    df.attrs.update({"sample_type": ("mean_" if mean else "") + data.sample_types[si].type,
                     "unit": data.sample_types[si].unit, "granularity": granularity,
                     "string_labels": [data.strings[int(k)] for k in np.unique(data.label_key)],
                     "numeric_labels": [data.strings[int(k)] for k in np.unique(data.numlabel_key)]})
    return df


# ---- tags --------------------------------------------------------------------------------------


def tags_table(data: ProfileData, si: int, *, total: int, unit: str = "minimum",
               units: dict[str, str] | None = None) -> pd.DataFrame:
    """Build the ``-tags`` table; see :meth:`pprof_parse.Profile.tags`. ``units`` as for :func:`traces_table`.

    Raises
    ------
    OptionError
        ``unit`` is not a str (a unit pprof does not know is kept as is, as pprof does).
    """
    if not isinstance(unit, str):
        raise OptionError(f"unit must be a str ('minimum' or a unit such as 'B', 'ms'), not {type(unit).__name__}")
    s = data.strings
    w = data.values[:, si] if data.n_samples else np.zeros(0, np.int64)
    units = num_label_units(data) if units is None else units
    parts = []
    if data.label_key.size:
        parts.append(pd.DataFrame({
            "key": [s[int(k)] for k in data.label_key], "value": [s[int(x)] for x in data.label_str],
            "w": w[data.label_sample]}))
    if data.numlabel_key.size:
        kv = pd.DataFrame({"k": data.numlabel_key, "v": data.numlabel_num}).drop_duplicates()
        kv["key"] = [s[int(k)] for k in kv["k"]]
        kv["value"] = [scaled_label(int(v), units.get(key, ""), unit) for key, v in zip(kv["key"], kv["v"])]
        rows = pd.DataFrame({"k": data.numlabel_key, "v": data.numlabel_num, "w": w[data.numlabel_sample]})
        parts.append(rows.merge(kv, on=["k", "v"], how="left")[["key", "value", "w"]])
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"key": pd.Series([], dtype=object), "value": pd.Series([], dtype=object), "w": pd.Series([], dtype=np.int64)})
    g = rows.groupby(["key", "value"], sort=False)["w"].sum().reset_index(name="total")
    key_total = rows.groupby("key", sort=False)["w"].sum()
    g["key_total"] = g["key"].map(key_total).astype(np.int64)
    g["_a"] = -g["total"].abs()
    g = g.sort_values(["key", "_a", "value"], kind="mergesort").reset_index(drop=True)
    g["pct"] = _pct(g["total"].to_numpy(), total) if total > 0 else np.nan
    g["key_pct"] = _pct(g["key_total"].to_numpy(), total) if total > 0 else np.nan
    out = g[TAGS_COLUMNS].copy()
    out["total"] = out["total"].astype(np.int64)
    out.attrs.update({"sample_type": data.sample_types[si].type, "unit": data.sample_types[si].unit,
                      "total": total, "label_units": units})
    return out
