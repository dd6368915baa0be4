"""``go tool pprof -top`` as a DataFrame."""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..analyze.graph import node_weights
from ..analyze.nodes import build_nodes, sprint_key
from ..analyze.sample_index import resolve_sample_index
from ..model.data import ProfileData

TOP_COLUMNS = ["name", "flat", "flat_pct", "sum_pct", "cum", "cum_pct", "inline"]


def report_total(data: ProfileData, sample_index: int, *, mean: bool = False) -> int:
    """pprof's ``computeTotal``: Σ|value| over all samples (divided by Σvalue[0] with ``mean``);
    when samples carry the ``pprof::base`` label, only those count."""
    if data.n_samples == 0:
        return 0
    v = np.abs(data.values[:, sample_index])
    d = data.values[:, 0] if mean else None
    base = _diff_base_samples(data)
    if base is not None and v[base].sum() > 0:
        v = v[base]
        d = d[base] if d is not None else None
    total = int(v.sum())
    if d is not None:
        return int(mean_value(np.array([total]), np.array([int(d.sum())]))[0])
    return total


def _diff_base_samples(data: ProfileData) -> np.ndarray | None:
    try:
        key = data.strings.index("pprof::base")
    except ValueError:
        return None
    m = data.label_key == key
    if not m.any():
        return None
    true = [i for i, s in enumerate(data.strings) if s == "true"]
    mm = m & np.isin(data.label_str, true)
    out = np.zeros(data.n_samples, bool)
    out[data.label_sample[mm]] = True
    return out


def _pct(values: np.ndarray, total: int) -> np.ndarray:
    if total == 0:
        return np.zeros(values.shape, float)
    return np.abs(values / total) * 100.0


def top_table(data: ProfileData, sample_index=None, *, cum: bool = False, granularity: str = "functions",
              noinlines: bool = False, mean: bool = False, total: int | None = None) -> pd.DataFrame:
    """Build the ``-top`` table; see :meth:`pprof_parse.Profile.top` for the columns."""
    si = resolve_sample_index(data, sample_index)
    nodes = build_nodes(data, granularity, noinlines=noinlines)
    nw = node_weights(data, nodes, si, mean=mean)
    keep = (nw.flat != 0) | (nw.cum != 0)
    info = nodes.info[keep].reset_index(drop=True)
    flat, cumv = nw.flat[keep], nw.cum[keep]
    raw_flat, raw_cum = flat, cumv  # pprof sorts on the raw sums, also with -mean
    if mean:
        flat, cumv = mean_value(flat, nw.flat_div[keep]), mean_value(cumv, nw.cum_div[keep])
    if total is None:
        total = report_total(data, si, mean=mean)
    df = pd.DataFrame({
        "name": info["name"].astype(object),
        "flat": flat.astype(np.int64),
        "cum": cumv.astype(np.int64),
        "inline": np.where(nw.inline_in[keep], np.where(nw.noinline_in[keep], "partial-inline", "inline"), ""),
        "_sprint": [sprint_key(r) for r in info.itertuples(index=False)],
    })
    order = node_order(df["name"].to_numpy(), df["_sprint"].tolist(), raw_flat, raw_cum, by_cum=cum)
    df = df.iloc[order].reset_index(drop=True).drop(columns="_sprint")
    df["flat_pct"] = _pct(df["flat"].to_numpy(), total)
    df["sum_pct"] = _pct(np.cumsum(df["flat"].to_numpy()), total)
    df["cum_pct"] = _pct(df["cum"].to_numpy(), total)
    df = df[TOP_COLUMNS]
    df.attrs.update({
        "sample_type": ("mean_" if mean else "") + data.sample_types[si].type, "unit": data.sample_types[si].unit,
        "total": total, "granularity": granularity, "mean": mean,
    })
    return df


def node_order(names: np.ndarray, sprint: list, flat: np.ndarray, cum: np.ndarray, by_cum: bool) -> np.ndarray:
    """pprof's ``FlatNameOrder`` / ``CumNameOrder``: positions of the nodes in report order.

    |flat| descending, then printable name, then |cum| (|cum| first with
    ``by_cum``), then ``fmt.Sprint(NodeInfo)`` as the final tie-break.
    """
    a, b = (-np.abs(cum), -np.abs(flat)) if by_cum else (-np.abs(flat), -np.abs(cum))
    df = pd.DataFrame({"a": a, "n": names, "b": b, "s": sprint})
    return df.sort_values(["a", "n", "b", "s"], kind="mergesort").index.to_numpy()


def mean_value(value: np.ndarray, div: np.ndarray) -> np.ndarray:
    """pprof's ``Node.FlatValue``/``CumValue`` with ``-mean``: value / divisor (Go's int division), value if the divisor is 0."""
    return np.where(div != 0, _go_div(value, div), value)


def _go_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Go's int64 division (truncates toward zero)."""
    b1 = np.where(b == 0, 1, b)
    q = np.abs(a) // np.abs(b1)
    return np.where((a < 0) != (b1 < 0), -q, q)


def format_percentage(value: int, total: int) -> str:
    """pprof's ``measurement.Percentage``: ``"  100%"``, ``"%5.2f%%"`` or ``"%5.2g%%"``."""
    ratio = abs(float(value) / float(total)) * 100 if total else 0.0  # float64 operands, as Go converts them
    if 99.95 <= ratio <= 100.05:
        return "  100%"
    if ratio >= 1.0:
        return f"{ratio:5.2f}%"
    return f"{_go_g(ratio, 2):>5}%"


def _go_g(x: float, prec: int) -> str:
    """Go's ``%.Ng`` (shortest of %e/%f with N significant digits, exponent at least 2 digits)."""
    s = f"{x:.{prec}g}"
    if "e" in s:
        mant, exp = s.split("e")
        sign = exp[0]
        digits = exp[1:].lstrip("0").rjust(2, "0")
        s = f"{mant}e{sign}{digits}"
    return s
