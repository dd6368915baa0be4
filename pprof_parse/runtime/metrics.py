"""runtime/metrics samples and Prometheus text scrapes as time-indexed frames.

runtime/metrics has no wire format of its own; services publish
``metrics.Read`` results as JSON (``{"/gc/heap/goal:bytes": 4194304,
"/sched/pauses/total/gc:seconds": {"counts": [...], "buckets": [...]}}``),
often as an expvar variable.  Prometheus scrapes (client_golang's Go
collector: ``go_gc_duration_seconds``, ``go_sched_pauses_*``, ``go_goroutines``,
``go_memstats_*``) are read with ``prometheus_client``'s text parser.

Histograms from both sources share one long schema (``t``, ``metric``,
``lower``, ``upper``, ``count``), and :func:`histogram_quantiles` estimates
quantiles from bucket counts, per scrape interval or since process start.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from gopherlab_common.lazy import LazyModule

from pprof_parse.errors import OptionError, RuntimeFormatError
from pprof_parse.read.numbers import Unfit, to_float
from pprof_parse.runtime.inputs import load_text, series_sources
from pprof_parse.runtime.memstats import loads_json
from pprof_parse.runtime.options import check_quantiles

# prometheus_client's package imports its registry, collectors and HTTP exposition
# (~0.13 s): imported when read_prometheus first parses a scrape
_prom_parser = LazyModule("prometheus_client.parser")

__all__ = [
    "read_runtime_metrics",
    "read_runtime_histograms",
    "read_prometheus",
    "prometheus_histograms",
    "prometheus_series",
    "histogram_quantiles",
]


def _times(n: int, times, fallback: list) -> np.ndarray:
    if times is not None:
        t = np.asarray(times, dtype=float)
        if len(t) != n:
            raise OptionError(f"{len(t)} times for {n} snapshots")
        return t
    return np.asarray([np.nan if x is None else x for x in fallback], dtype=float)


def _find_metrics(d: dict):
    if any(isinstance(k, str) and k.startswith("/") and ":" in k for k in d):
        return d
    for v in d.values():
        if isinstance(v, dict) and any(isinstance(k, str) and k.startswith("/") and ":" in k for k in v):
            return v
    return None


def _load_metrics(src) -> list[tuple[dict, str, float | None, object]]:
    """Snapshots in one source: a JSON object, or JSON lines (one object per line).

    Each snapshot is ``(metrics, source name, time, line_of)``; ``line_of(key)``
    gives the 1-based line of a metric in the source, for error messages.
    """
    if isinstance(src, dict):
        return [(_find_metrics(src) or _no_metrics("<dict>", None), "<dict>", _when(src, None), lambda k: None)]
    text, name, mtime = load_text(src)

    def line_of(key, text=text):
        i = text.find(json.dumps(key))
        return text.count("\n", 0, i) + 1 if i >= 0 else None

    try:
        docs = [(loads_json(text, name), None, line_of)]
    except RuntimeFormatError:
        lines = [(k, ln) for k, ln in enumerate(text.split("\n"), 1) if ln.strip()]
        if len(lines) < 2 or not _object_line(lines[0][1]):
            raise
        # JSON lines: one snapshot per line
        docs = [(loads_json(ln, name, line=k, what="bad JSON line"), k, lambda key, k=k: k) for k, ln in lines]
    out = []
    for d, line, line_of in docs:
        m = _find_metrics(d) if isinstance(d, dict) else None
        if m is None:
            _no_metrics(name, line)
        out.append((m, name, _when(d, mtime), line_of))
    return out


def _object_line(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _no_metrics(name, line):
    raise RuntimeFormatError("no runtime/metrics names ('/gc/...:unit') at the top level or one level "
                             "down", source=name, line=line)


def _when(d: dict, mtime):
    when = d.get("now_unix_ns", d.get("time_unix_ns"))
    if isinstance(when, (int, float)) and not isinstance(when, bool) and math.isfinite(when) and abs(when) < 2**64:
        return when / 1e9
    return mtime


def _bound(x) -> float:
    """A histogram bound: a number, or ``"Inf"``/``"+Inf"``/``"-Inf"`` as publishers write
    what JSON cannot hold; :class:`Unfit` for anything else (NaN included)."""
    if isinstance(x, str):
        v = to_float(x)
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        try:
            v = float(x)
        except OverflowError:
            raise Unfit(f"{str(x)[:40]}... does not fit a float64") from None
    else:
        raise Unfit(f"{x!r:.40} is not a number")
    if v != v:
        raise Unfit("NaN is not a bucket bound")
    return v


def _scalar(k: str, v) -> float:
    # runtime/metrics values are KindUint64 or KindFloat64 (metrics.Value)
    if isinstance(v, int) and not -(2**63) <= v < 2**64:
        raise Unfit(f"{k} = {str(v)[:40]}... fits neither a uint64 nor an int64")
    f = float(v)
    if not math.isfinite(f):
        raise Unfit(f"{k} = {v} is not a finite float64")
    return f


def read_runtime_metrics(srcs=None, *, text=None, times=None) -> pd.DataFrame:
    """Scalar runtime/metrics samples, one row per snapshot.

    Parameters
    ----------
    srcs : path, bytes, file object, dict, or a list of them
        JSON holding metric names as keys, at the top level or one level down
        (e.g. an expvar ``/debug/vars`` with a published metrics variable);
        a file of JSON lines holds one snapshot per line.  A ``str`` or
        path-like is a path; bytes or an open file (text or binary) the
        content; a dict the decoded JSON (rules: :mod:`pprof_parse.runtime.inputs`).
    text : str or list of str, keyword-only
        The content as strings, instead of ``srcs``.
    times : sequence of float, optional
        Seconds, one per snapshot.  Default: the JSON's ``now_unix_ns`` (or
        ``time_unix_ns``) if present, else the file's mtime.

    Returns
    -------
    DataFrame
        Index ``t`` (float64 seconds); one float64 column per scalar metric,
        named as in runtime/metrics (``/gc/heap/goal:bytes``: bytes;
        ``:seconds``/``:cpu-seconds``: seconds; ``:gc-cycles``,
        ``:goroutines``: counts).  Cumulative metrics (``/gc/cycles/*``,
        ``/gc/heap/allocs:*``, ``/cpu/classes/*``, ``/sched/goroutines-created``)
        also get a ``Δ<name>`` column: the difference from the previous snapshot.

    Raises
    ------
    RuntimeFormatError
        Not JSON (message with the line), no metric names, or a metric value
        that is not a finite float64 or an integer a Go ``int64``/``uint64`` can
        hold (source and line of the metric); a path that cannot be read.
    OptionError
        ``times`` does not hold one time per snapshot.
    TypeError
        Both or neither of ``srcs`` and ``text`` are given.

    Notes
    -----
    Metric kinds and units follow ``runtime/metrics/description.go``.
    """
    items = series_sources(srcs, text)
    loaded = [snap for s in items for snap in _load_metrics(s)]
    t = _times(len(loaded), times, [w for _, _, w, _ in loaded])
    rows = []
    for m, name, _, line_of in loaded:
        row = {}
        for k, v in m.items():
            if k.startswith("/") and isinstance(v, (int, float)) and not isinstance(v, bool):
                try:
                    row[k] = _scalar(k, v)
                except Unfit as e:
                    raise RuntimeFormatError(str(e), source=name, line=line_of(k)) from None
        rows.append(row)
    df = pd.DataFrame(rows, index=pd.Index(t, name="t"))
    df = df[sorted(df.columns)]
    for c in list(df.columns):
        if _cumulative(c):
            df["Δ" + c] = df[c].diff()
    df.attrs["sources"] = [n for _, n, _, _ in loaded]
    return df


def _cumulative(name: str) -> bool:
    return name.startswith(("/gc/cycles/", "/gc/heap/allocs:", "/gc/heap/frees:", "/cpu/classes/",
                            "/sched/goroutines-created", "/gc/heap/tiny/allocs", "/sync/mutex/wait/total",
                            "/gc/finalizers/executed", "/gc/cleanups/executed"))


def read_runtime_histograms(srcs=None, *, text=None, times=None) -> pd.DataFrame:
    """runtime/metrics histograms (``Float64Histogram``), long form.

    ``srcs``, ``text`` and ``times`` as for :func:`read_runtime_metrics`.

    Returns
    -------
    DataFrame
        One row per (snapshot, metric, bucket): ``t`` (float64 s), ``metric``
        (str, e.g. ``/sched/pauses/total/gc:seconds``), ``lower`` and ``upper``
        (float64, the bucket ``[lower, upper)`` in the metric's unit; the ends may
        be ±inf), ``count`` (int64, cumulative since process start), ``delta``
        (int64, new since the previous snapshot; equals ``count`` for the first).

    Raises
    ------
    RuntimeFormatError
        As :func:`read_runtime_metrics`, and a histogram whose counts are not
        integers in ``[0, 2^63)`` (the int64 ``count`` column) or whose bounds
        are not numbers (``"Inf"``/``"-Inf"`` strings allowed), not increasing,
        or not one more than the counts.
    OptionError, TypeError
        As :func:`read_runtime_metrics`.

    Notes
    -----
    ``metrics.Float64Histogram``: ``Buckets`` has ``len(Counts)+1``
    boundaries, bucket i is ``[Buckets[i], Buckets[i+1])``, counts are
    cumulative and there is no sum.
    """
    items = series_sources(srcs, text)
    loaded = [snap for s in items for snap in _load_metrics(s)]
    t = _times(len(loaded), times, [w for _, _, w, _ in loaded])
    parts = []
    for ti, (m, name, _, line_of) in zip(t, loaded):
        for k, v in m.items():
            if isinstance(v, dict) and "counts" in v and "buckets" in v:
                try:
                    b, c = _histogram(k, v)
                except Unfit as e:
                    raise RuntimeFormatError(str(e), source=name, line=line_of(k)) from None
                parts.append(pd.DataFrame({"t": ti, "metric": k, "lower": b[:-1], "upper": b[1:], "count": c}))
    if not parts:
        return pd.DataFrame({"t": [], "metric": [], "lower": [], "upper": [], "count": [], "delta": []})
    df = pd.concat(parts, ignore_index=True)
    df["metric"] = df["metric"].astype("str")
    return _add_delta(df)


def _histogram(k: str, v: dict) -> tuple[np.ndarray, np.ndarray]:
    """Bounds (float64) and counts (int64) of one ``Float64Histogram``; :class:`Unfit` unless the
    counts are integers in [0, 2^63), the bounds numbers, increasing, one more than the counts."""
    counts, buckets = v["counts"], v["buckets"]
    if not isinstance(counts, list) or not isinstance(buckets, list):
        raise Unfit(f"{k}: counts and buckets must be lists")
    if not all(type(x) is int and 0 <= x < 2**63 for x in counts):
        raise Unfit(f"{k}: counts must be integers in [0, 2^63) (an int64 column)")
    b = np.array([_bound(x) for x in buckets], dtype=float)
    if len(b) != len(counts) + 1:
        raise Unfit(f"{k}: {len(b)} bucket bounds for {len(counts)} counts")
    if len(b) > 1 and not (np.diff(b) > 0).all():
        raise Unfit(f"{k}: bucket bounds are not increasing")
    return b, np.asarray(counts, dtype=np.int64)


def _add_delta(df: pd.DataFrame) -> pd.DataFrame:
    df = df.sort_values(["metric", "lower", "t"], kind="stable")
    # in int64 throughout: counts near 2^63 would round (and wrap) through float64
    prev = df.groupby(["metric", "lower"], sort=False, dropna=False)["count"].shift(fill_value=0)
    d = df["count"].astype(np.int64) - prev.astype(np.int64)
    d = d.where(d >= 0, df["count"])  # a reset (new process): the count restarts
    df["delta"] = d
    return df.sort_values(["t", "metric", "lower"], kind="stable").reset_index(drop=True)


def histogram_quantiles(hist: pd.DataFrame, q=(0.5, 0.9, 0.99, 1.0), *, cumulative: bool = False) -> pd.DataFrame:
    """Quantiles estimated from histogram buckets.

    Parameters
    ----------
    hist : DataFrame
        From :func:`read_runtime_histograms` or :func:`prometheus_histograms`.
    q : sequence of float in [0, 1]
    cumulative : bool
        False (default): from ``delta``, i.e. the events between the previous
        snapshot and this one.  True: from ``count``, since process start.

    Returns
    -------
    DataFrame
        One row per (``t``, ``metric``): ``n`` (int64, events counted) and one
        float64 column per quantile named ``q0.5``, ``q0.99`` ...: linear
        interpolation inside the bucket holding the rank; a bucket with an
        infinite bound yields its finite bound; NaN where ``n`` is 0.

    Raises
    ------
    OptionError
        ``q`` is not a non-empty sequence of numbers in [0, 1].
    """
    q = check_quantiles("q", q)
    col = "count" if cumulative else "delta"
    rows = []
    for (t, metric), g in hist.groupby(["t", "metric"], sort=True, dropna=False):
        c = g[col].to_numpy(dtype=float)
        lo, hi = g["lower"].to_numpy(), g["upper"].to_numpy()
        cum = np.cumsum(c)
        n = cum[-1] if len(cum) else 0.0
        row = {"t": t, "metric": metric, "n": int(n)}
        for qq in q:
            row[f"q{qq:g}"] = _quantile(cum, c, lo, hi, qq, n)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["t", "metric", "n"] + [f"q{qq:g}" for qq in q])
    return out


def _quantile(cum, c, lo, hi, q, n) -> float:
    if n <= 0:
        return math.nan
    rank = q * n
    i = int(np.searchsorted(cum, rank, side="left"))
    if q == 1.0:  # the highest non-empty bucket
        i = int(np.flatnonzero(c)[-1])
    i = min(i, len(c) - 1)
    a, b = lo[i], hi[i]
    if math.isinf(b):
        return float(a)
    if math.isinf(a):
        return float(b)
    before = cum[i] - c[i]
    frac = 1.0 if c[i] == 0 else (rank - before) / c[i]
    return float(a + (b - a) * min(max(frac, 0.0), 1.0))


# ---------------------------------------------------------------------------
# Prometheus


def read_prometheus(srcs=None, *, text=None, times=None) -> pd.DataFrame:
    """Prometheus text-format scrapes (0.0.4) as one long frame.

    Parameters
    ----------
    srcs : path, bytes, file object, or a list of them (one per scrape, in order)
        A ``str`` or path-like is a path; bytes or an open file (text or
        binary) the content (rules: :mod:`pprof_parse.runtime.inputs`).
    text : str or list of str, keyword-only
        The scrapes' content as strings, instead of ``srcs``.
    times : sequence of float, optional
        Seconds, one per scrape.  Default: the samples' own timestamps if
        present, else the file's mtime.

    Returns
    -------
    DataFrame
        One row per sample per scrape: ``t`` (float64 s), ``family`` (str,
        e.g. ``go_gc_duration_seconds``), ``type`` (``counter``, ``gauge``,
        ``summary``, ``histogram``, ``untyped``), ``sample`` (str, with suffix:
        ``_bucket``, ``_sum``, ``_count``, ``_total``), ``le`` and ``quantile``
        (float64, NaN when absent), ``labels`` (str, the other labels as
        ``k=v,...``), ``value`` (float64), ``delta`` and ``rate`` (float64:
        change since the previous scrape and per second, for counters and the
        ``_sum``/``_count``/``_bucket`` of summaries and histograms; a decrease
        is a counter reset and counts from zero; NaN otherwise).

    Raises
    ------
    RuntimeFormatError
        Text the Prometheus parser rejects, an ``le`` or ``quantile`` label
        that is not a float (``le=""``), or a sample value written as a finite
        number that overflows float64 (``1e309``; ``+Inf`` is a value); the
        message names the source and the line; a path that cannot be read.
    OptionError
        ``times`` does not hold one time per scrape.
    TypeError
        Both or neither of ``srcs`` and ``text`` are given.

    A byte order mark and ``\\r\\n`` or ``\\r`` line ends are accepted (the format
    itself uses ``\\n``).

    Notes
    -----
    Parsing is ``prometheus_client.parser.text_string_to_metric_families``.
    ``go_gc_duration_seconds`` quantiles cover only the last <= 256 cycles
    (``debug.ReadGCStats``); the ``go_sched_pauses_*`` histograms are
    runtime/metrics re-bucketed by client_golang (seconds to powers of ten).
    """
    items = series_sources(srcs, text, single=())
    recs = []
    mtimes, names = [], []
    for i, src in enumerate(items):
        scrape, name, mtime = load_text(src)
        mtimes.append(mtime)
        names.append(name)
        try:
            fams = list(_prom_parser.text_string_to_metric_families(scrape))
        except Exception as e:  # the parser raises ValueError / IndexError on bad lines
            raise RuntimeFormatError(f"Prometheus text parser: {e}", source=name,
                                     line=_bad_line(scrape, _prom_parser.text_string_to_metric_families)) from e
        checked = False  # for a value the parser read as +-inf though the text does not say Inf
        for fam in fams:
            for s in fam.samples:
                labels = dict(s.labels)
                le = labels.pop("le", None)
                qu = labels.pop("quantile", None)
                try:
                    le_f = _bound(le) if le is not None else np.nan
                    qu_f = to_float(qu) if qu is not None else np.nan
                except Unfit as e:
                    what = "le" if le is not None and _unfit(_bound, le) else "quantile"
                    raw = le if what == "le" else qu
                    raise RuntimeFormatError(f"{s.name}: label {what}={raw[:40]!r}: {e}", source=name,
                                             line=_line_with(scrape, f'{what}="{raw}"')) from None
                try:
                    value = float(s.value)
                except OverflowError:  # the parser keeps integer literals as int
                    value = math.inf
                if not checked and math.isinf(value):
                    checked, overflow = True, _overflowed(scrape)
                    if overflow:
                        raise RuntimeFormatError(f"{s.name}: value {overflow[1][:40]} does not fit a float64",
                                                 source=name, line=overflow[0])
                recs.append((i, fam.name, fam.type, s.name, le_f, qu_f,
                             ",".join(f"{k}={v}" for k, v in sorted(labels.items())), value, s.timestamp))
    df = pd.DataFrame(recs, columns=["scrape", "family", "type", "sample", "le", "quantile", "labels", "value",
                                     "ts"])
    ts = df.groupby("scrape")["ts"].first() if len(df) else pd.Series(dtype=float)
    fallback = [float(ts.get(i)) if ts.get(i) is not None and not pd.isna(ts.get(i)) else mtimes[i]
                for i in range(len(items))]
    t = _times(len(items), times, fallback)
    df["t"] = t[df["scrape"].to_numpy()] if len(df) else np.array([], dtype=float)
    df = df.drop(columns=["ts"])
    for c in ("family", "type", "sample", "labels"):
        df[c] = df[c].astype("str")
    is_counter = (df["type"].eq("counter") | df["sample"].str.endswith(("_sum", "_count", "_bucket"))
                  & df["type"].isin(["summary", "histogram"]))
    key = ["sample", "labels", "le", "quantile"]
    g = df.assign(le=df["le"].fillna(-1.0), quantile=df["quantile"].fillna(-1.0)).groupby(key, sort=False)
    prev_v, prev_t = g["value"].shift(), g["t"].shift()
    delta = df["value"] - prev_v
    delta = delta.where(~(delta < 0), df["value"])
    df["delta"] = delta.where(is_counter)
    df["rate"] = (df["delta"] / (df["t"] - prev_t)).where(is_counter)
    cols = ["t", "scrape", "family", "type", "sample", "le", "quantile", "labels", "value", "delta", "rate"]
    df = df[cols]
    df.attrs["sources"] = names
    return df


def prometheus_series(scrapes: pd.DataFrame, *, value: str = "value", families=None) -> pd.DataFrame:
    """Wide, time-indexed view of :func:`read_prometheus`: one column per series.

    Parameters
    ----------
    scrapes : DataFrame from :func:`read_prometheus`
    value : {"value", "delta", "rate"}
        What to put in the cells: the raw value, the change since the previous
        scrape, or that change per second (counters and summary/histogram
        ``_sum``/``_count``/``_bucket``; NaN for gauges).
    families : iterable of str, optional
        Keep only these metric families (e.g. ``["go_goroutines",
        "go_gc_duration_seconds"]``).

    Returns
    -------
    DataFrame
        Index ``t`` (float64 seconds); columns named ``sample{labels}`` with
        ``quantile=``/``le=`` folded into the braces, float64.
    """
    if value not in ("value", "delta", "rate"):
        raise OptionError(f"value must be 'value', 'delta' or 'rate', not {value!r}")
    df = scrapes if families is None else scrapes[scrapes["family"].isin(list(families))]
    lab = df["labels"].astype(object).to_numpy()
    q = df["quantile"].to_numpy()
    le = df["le"].to_numpy()
    names = []
    for s, l_, qq, ll in zip(df["sample"].astype(object).to_numpy(), lab, q, le):
        parts = [l_] if l_ else []
        if not np.isnan(qq):
            parts.append(f"quantile={qq:g}")
        if not np.isnan(ll):
            parts.append(f"le={ll:g}")
        names.append(s + ("{" + ",".join(parts) + "}" if parts else ""))
    wide = pd.DataFrame({"t": df["t"].to_numpy(), "series": names, "v": df[value].to_numpy(dtype=float)})
    out = wide.pivot_table(index="t", columns="series", values="v", aggfunc="last", dropna=False, sort=False)
    out.columns.name = None
    return out.sort_index()


def _unfit(conv, x) -> bool:
    try:
        conv(x)
    except Unfit:
        return True
    return False


def _line_with(text: str, needle: str) -> int | None:
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else None


_SAMPLE_VALUE_RE = re.compile(r"^[^#\s][^\n]*?[ }]\s*([-+]?[0-9][0-9.eE+-]*)(?:\s+-?\d+)?\s*$", re.M | re.ASCII)


def _overflowed(text: str) -> tuple[int, str] | None:
    """``(line, literal)`` of the first sample value written as a finite number that overflows float64."""
    for m in _SAMPLE_VALUE_RE.finditer(text):
        if _unfit(to_float, m[1]):
            return text.count("\n", 0, m.start()) + 1, m[1]
    return None


def _bad_line(text: str, parse) -> int | None:
    for k, line in enumerate(text.split("\n"), 1):
        try:
            list(parse(line + "\n"))
        except Exception:
            return k
    return None


def prometheus_histograms(scrapes: pd.DataFrame) -> pd.DataFrame:
    """The histogram families of :func:`read_prometheus` in the shared histogram schema.

    Returns
    -------
    DataFrame
        ``t``, ``metric`` (family name, plus ``{labels}`` when it has other
        labels), ``lower`` (previous ``le``; 0 for the first bucket when its
        ``le`` is positive, else -inf), ``upper`` (``le``), ``count`` (int64,
        cumulative since start, per bucket -- no longer cumulative over ``le``)
        and ``delta`` (int64, since the previous scrape).

    Raises
    ------
    RuntimeFormatError
        Bucket counts that are not finite, reach 2^63 (the int64 ``count``
        column) or decrease as ``le`` grows (the source named is the scrape's).
    """
    b = scrapes[scrapes["type"].eq("histogram") & scrapes["sample"].str.endswith("_bucket")]
    parts = []
    for (t, fam, lab), g in b.groupby(["t", "family", "labels"], sort=True, dropna=False):
        g = g.sort_values("le")
        le = g["le"].to_numpy()
        cum = g["value"].to_numpy()
        per = np.diff(np.concatenate([[0.0], cum]))
        if not (np.isfinite(cum).all() and (cum < 2**63).all() and (per >= 0).all()):
            sources = scrapes.attrs.get("sources") or []
            k = int(g["scrape"].iloc[0]) if "scrape" in g else -1
            raise RuntimeFormatError(
                f"histogram {fam}{{{lab}}}: bucket counts must be finite, below 2^63 (int64) and not "
                f"decrease as le grows", source=sources[k] if 0 <= k < len(sources) else "<scrapes>")
        lower = np.concatenate([[0.0 if le[0] > 0 else -np.inf], le[:-1]])
        parts.append(pd.DataFrame({"t": t, "metric": fam + (f"{{{lab}}}" if lab else ""), "lower": lower,
                                   "upper": le, "count": per.astype(np.int64)}))
    if not parts:
        return pd.DataFrame({"t": [], "metric": [], "lower": [], "upper": [], "count": [], "delta": []})
    df = pd.concat(parts, ignore_index=True)
    df["metric"] = df["metric"].astype("str")
    return _add_delta(df)
