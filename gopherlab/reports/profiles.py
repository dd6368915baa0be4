"""The profiles over time report: many profiles of one kind (a continuous profiler's CPU windows,
a profile per CI run) from a profile store, as the share of chosen functions over time with the
step where it changed, the functions whose share changed most between two time windows (a table
and a differential flame graph), and a breakdown by a series label (service, pod, commit).

The numbers are :mod:`pprof_parse.store`'s: ``function_share`` (per profile: Σ of the sample
type over the samples whose leaf function matches, and the profile's total, pprof's Σ|value|),
``merge`` (pprof's merge of a window's profiles; ``top`` is ``go tool pprof -top``). A share is
value / total. The step is the single change point that best splits the share series into two
flat parts (least squares: the split minimising the summed squared deviation from each part's
mean); windows are compared by share, not by value, so a longer window does not look hotter.
"""
from __future__ import annotations

import html
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

import pprof_parse
from gopherlab_common.lazy import LazyModule
from pprof_parse.figures import PLAIN_TICKS, diff_flame_figure, diff_tree
from pprof_parse.store.schema import MARKER
from pprof_parse.store.store import ProfileStore

from .bundled import sample_path
from .render import format_percent, show_table, show_text

go = LazyModule("plotly.graph_objects")

__all__ = ["OverTime", "Step", "Window", "find_step", "label_breakdown", "label_figure", "open_store",
           "over_time", "parse_window", "share_changes", "share_figure", "show_changes", "show_label_breakdown",
           "show_overview", "window_diff_figure"]

#: the label a store made from a glob gives each profile: the name of the directory holding it
DIR_LABEL = "dir"


# ---- inputs ----------------------------------------------------------------------------------------
def open_store(source: str, *, cache_dir: str | Path | None = None) -> ProfileStore:
    """The store behind the notebook's ``store_path``.

    Parameters
    ----------
    source : str
        A profile store directory (holding ``store.json``); or profiles -- a glob
        (``"windows/**/*.pb.gz"``), a file or a directory of files -- ingested into a new store
        whose profiles get the series label ``dir`` (the name of the directory each file is in).
        ``""`` means the bundled CPU windows (``gopherlab/data/profiles/windows``).
    cache_dir : path, optional
        Where a store made from profiles is written. By default a new temporary directory,
        deleted when the returned store is garbage-collected or the interpreter exits.

    Returns
    -------
    pprof_parse.store.store.ProfileStore

    Raises
    ------
    FileNotFoundError
        ``source`` matches no file (or the bundled windows are not installed).
    pprof_parse.store.errors.StoreError
        A store that cannot be opened.
    """
    if not source:
        source = str(Path(sample_path("profiles/cpu.pb.gz")).parent / "windows")
    path = Path(source)
    if path.is_dir() and (path / MARKER).exists():
        return ProfileStore(path)
    if not any(c in source for c in "*?[") and not path.exists():
        raise FileNotFoundError(f"{source}: no such store, file or directory")
    if cache_dir is not None:
        store = ProfileStore(cache_dir)
    else:
        root = tempfile.mkdtemp(prefix="gopherlab-profiles-")
        store = ProfileStore(root)
        weakref.finalize(store, shutil.rmtree, root, ignore_errors=True)  # (also at interpreter exit)
    result = store.add(source, labels=lambda p: {DIR_LABEL: Path(p).parent.name}, progress=False)
    if not result.added and not result.skipped:
        raise FileNotFoundError(f"no profile read from {source!r}" + (f" ({len(result.failed)} unreadable)"
                                                                    if len(result.failed) else ""))
    return store


class Window(NamedTuple):
    """A time range ``[start, end)`` in Unix nanoseconds (None = open), and how to print it."""

    start: int | None
    end: int | None
    text: str

    def where(self) -> str:
        """The range as a SQL predicate over the profiles' ``time_nanos``."""
        parts = []
        if self.start is not None:
            parts.append(f"time_nanos >= {self.start}")
        if self.end is not None:
            parts.append(f"time_nanos < {self.end}")
        return " AND ".join(parts) or "TRUE"

    def describe(self) -> str:
        """``"X to Y"``, ``"from X"``, ``"until Y"`` or ``"all"`` (UTC, to the second)."""
        if self.start is not None and self.end is not None:
            return f"{_iso(self.start)} to {_iso(self.end)}"
        if self.start is not None:
            return f"from {_iso(self.start)}"
        return f"until {_iso(self.end)}" if self.end is not None else "all"


def parse_window(text: str) -> Window:
    """``"START/END"`` (ISO 8601 times, UTC unless they say otherwise; either side may be empty)
    as a :class:`Window`.

    Raises
    ------
    ValueError
        Not ``START/END``, or a time that does not parse (the message quotes it).
    """
    if "/" not in text:
        raise ValueError(f"time window {text!r}: expected START/END (ISO times, either may be empty)")
    start, _, end = text.partition("/")
    return Window(_nanos(start), _nanos(end), text)


def _nanos(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        t = pd.Timestamp(text)
    except ValueError as e:
        raise ValueError(f"time {text!r}: {e}") from None
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    return int(t.value)


def _iso(nanos: int) -> str:
    return datetime.fromtimestamp(nanos / 1e9, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- the step -----------------------------------------------------------------------------------
class Step(NamedTuple):
    """Where a share series changes: the first profile after the change (``index`` into the
    time-ordered series, its ``time`` in Unix ns), the mean share ``before`` and ``after`` it
    (fractions), and ``clear``: the change is more than twice the spread within the parts."""

    index: int
    time: int
    before: float
    after: float
    clear: bool


def find_step(share: np.ndarray, times: np.ndarray) -> Step | None:
    """The single change point of a share series (least squares), or None for fewer than 4 points.

    Parameters
    ----------
    share, times : array
        The shares (fractions; NaN = empty profile, left out) and their times (Unix ns), in time order.
    """
    ok = ~np.isnan(share)
    x, t = np.asarray(share, np.float64)[ok], np.asarray(times, np.int64)[ok]
    n = x.size
    if n < 4:
        return None
    c = x - x.mean()  # (centred: the running sums below lose no precision)
    c1, c2 = np.cumsum(c), np.cumsum(c * c)
    k = np.arange(1, n)  # the first part is x[:k]
    sse_left = c2[k - 1] - c1[k - 1] ** 2 / k
    sse_right = (c2[-1] - c2[k - 1]) - (c1[-1] - c1[k - 1]) ** 2 / (n - k)
    best = int(k[np.argmin(sse_left + sse_right)])
    before, after = float(x[:best].mean()), float(x[best:].mean())
    resid = np.concatenate([x[:best] - before, x[best:] - after])
    spread = float(np.sqrt((resid * resid).sum() / (n - 2)))
    return Step(best, int(t[best]), before, after, abs(after - before) > 2 * spread)


# ---- the analysis -------------------------------------------------------------------------------------
@dataclass
class OverTime:
    """Everything the notebook shows, computed by :func:`over_time`.

    Attributes
    ----------
    where : str
        The SQL predicate of the profiles analysed (the user's ``where`` and one sample-type set).
    sample_type, unit : str
    regex : str
        The functions followed (given, or the function whose share changed most).
    shares : pandas.DataFrame
        :meth:`ProfileStore.function_share`'s rows in time order (``time``, ``path``, label
        columns, ``value``, ``total``, ``share``).
    step : Step or None
    window_a, window_b : Window
        The earlier and the later window compared.
    changes : pandas.DataFrame
        :func:`share_changes` of the two windows.
    label_key : str or None
        The series label broken down (None when the profiles have none).
    notes : list of str
        What was chosen for the user (plain text, escaped when shown).
    """

    where: str
    sample_type: str
    unit: str
    regex: str
    shares: pd.DataFrame
    step: Step | None
    window_a: Window
    window_b: Window
    changes: pd.DataFrame
    merged_a: pprof_parse.Profile = field(repr=False)
    merged_b: pprof_parse.Profile = field(repr=False)
    label_key: str | None = None
    notes: list[str] = field(default_factory=list)

    def result(self) -> dict:
        """The JSON result the notebook publishes for ``gopherlab report``."""
        s = self.step
        return {"profiles": int(len(self.shares)), "sample_type": self.sample_type, "regex": self.regex,
                "step": None if s is None else {"index": s.index, "time": _iso(s.time), "before": s.before,
                                                 "after": s.after, "clear": s.clear},
                "window_a": self.window_a.text, "window_b": self.window_b.text,
                "top_change": None if self.changes.empty else str(self.changes["name"].iloc[0]),
                "verdict": self.verdict()}

    def verdict(self) -> str:
        """One line for the command line: the followed functions' share before and after the step."""
        s = self.step
        if s is None:
            return f"{self.regex}: {len(self.shares)} profile(s), too few to look for a step"
        what = "a clear step" if s.clear else "no clear step; best split"
        return (f"{self.regex}: {format_percent(100 * s.before)} -> {format_percent(100 * s.after)} of "
                f"{self.sample_type} at {_iso(s.time)} ({what})")


def over_time(store: ProfileStore, *, regex: str = "", where: str = "", window_a: str = "", window_b: str = "",
              label_key: str = "", sample_index: str = "", engine: str | None = None) -> OverTime:
    """The report's analysis in named steps: the profiles, the windows, the changes, the share series.

    Parameters
    ----------
    store : ProfileStore
    regex : str
        Functions to follow (Go RE2 over function names; flat, as pprof's ``-top``). ``""``: the
        function whose share changed most between the windows.
    where : str
        SQL predicate over the profiles' columns (``"service = 'api'"``); ``""`` = all. When
        the profiles are of several kinds (sample-type sets) the most frequent is kept (a note says so).
    window_a, window_b : str
        ``"START/END"`` ISO times (:func:`parse_window`). ``""``: before and after the step of
        ``regex``'s share when a regex is given, else the first and second half of the profiles.
    label_key : str
        The series label to break down (``""``: the first label column the profiles have).
    sample_index : str
        Sample type (``""``: the profiles' default, as ``Profile.top`` picks it).
    engine : {"duckdb", "dask"}, optional
        The store's query engine.

    Raises
    ------
    ValueError
        A window that does not parse, or a window with no profile.
    pprof_parse.store.errors.StoreError
        ``where`` is not valid SQL over the profiles' columns, or matches nothing.
    pprof_parse.OptionError, pprof_parse.SampleTypeError
        A bad ``regex`` or ``sample_index``.
    """
    notes: list[str] = []
    chosen, where_sql = _profiles_of_one_kind(store, where, notes)
    si = sample_index or None
    shares = _shares(store, regex, where_sql, si, engine) if regex else None
    step = _step(shares)
    wa, wb, why = _windows(chosen, window_a, window_b, step)
    merged_a, merged_b, changes = _compare(store, wa, wb, where_sql, si, engine)
    if not regex:
        regex = _top_change_regex(changes, notes)
        shares = _shares(store, regex, where_sql, si, engine)
        step = _step(shares)
        if step is not None and step.clear and not window_a:
            wa, wb, why = _windows(chosen, "", "", step)
            merged_a, merged_b, changes = _compare(store, wa, wb, where_sql, si, engine)
    if why:
        notes.append(why)
    key = _label_key(shares, label_key, notes)
    return OverTime(where_sql, shares.attrs.get("sample_type", ""), changes.attrs.get("unit", ""), regex, shares,
                    step, wa, wb, changes, merged_a, merged_b, key, notes)


def _profiles_of_one_kind(store: ProfileStore, where: str, notes: list[str]) -> tuple[pd.DataFrame, str]:
    """Step 1: the selected profiles, restricted to the most frequent sample-type set."""
    chosen = store.select(where or None)
    kinds = chosen["sample_types"].map(lambda ts: tuple(ts))
    counts = kinds.value_counts(sort=True)
    kind = counts.index[0]
    lit = "[" + ", ".join("'" + t.replace("'", "''") + "'" for t in kind) + "]"
    where_sql = f"sample_types = {lit}" + (f" AND ({where})" if where else "")
    if len(counts) > 1:
        notes.append(f"The selection holds profiles of {len(counts)} kinds; analysing the {counts.iloc[0]} "
                     f"with sample types {', '.join(kind)} (pass where= to choose).")
    return chosen[kinds == kind].reset_index(drop=True), where_sql


def _shares(store, regex, where_sql, si, engine) -> pd.DataFrame:
    kw = {} if engine is None else {"engine": engine}
    df = store.function_share(regex, where=where_sql, sample_index=si, **kw)
    return df.sort_values("time", kind="stable").reset_index(drop=True)


def _time_nanos(df: pd.DataFrame) -> np.ndarray:
    t = pd.to_datetime(df["time"], utc=True)
    return t.astype("int64").to_numpy() if len(t) else np.zeros(0, np.int64)


def _step(shares: pd.DataFrame | None) -> Step | None:
    return None if shares is None else find_step(shares["share"].to_numpy(np.float64), _time_nanos(shares))


def _windows(chosen: pd.DataFrame, window_a: str, window_b: str, step: Step | None) -> tuple[Window, Window, str]:
    """Step 2: the windows compared -- given, around a clear step, or the two halves of the
    profiles -- and a note saying which (empty when given)."""
    if window_a and window_b:
        return parse_window(window_a), parse_window(window_b), ""
    if window_a or window_b:
        raise ValueError("give both time windows (window_a and window_b) or neither")
    times = np.sort(chosen["time_nanos"].to_numpy(np.int64))
    if times.size < 2:
        raise ValueError(f"{times.size} profile(s) selected: comparing two windows needs at least 2")
    if step is not None and step.clear:
        split, why = step.time, "before and after the step"
    else:
        split, why = int(times[times.size // 2]), "the first and the second half of the profiles"
    a = Window(None, split, f"/{_iso(split)}")
    b = Window(split, None, f"{_iso(split)}/")
    return a, b, f"Windows compared: {why} (split at {_iso(split)})."


def _compare(store: ProfileStore, wa: Window, wb: Window, where_sql: str, si, engine):
    """Step 3: each window's profiles merged, and the functions' share changes between them."""
    merged_a = _merged(store, wa, where_sql, engine)
    merged_b = _merged(store, wb, where_sql, engine)
    return merged_a, merged_b, share_changes(merged_a, merged_b, si)


def _merged(store: ProfileStore, window: Window, where_sql: str, engine) -> pprof_parse.Profile:
    kw = {} if engine is None else {"engine": engine}
    where = f"({where_sql}) AND {window.where()}"
    if store.select(where).empty:
        raise ValueError(f"time window {window.text!r}: no profile in it")
    return store.merge(where, **kw)


def share_changes(merged_a: pprof_parse.Profile, merged_b: pprof_parse.Profile, sample_index=None) -> pd.DataFrame:
    """Per function: its flat share of each window's merged profile and the change, largest first.

    Returns
    -------
    pandas.DataFrame
        ``name`` (object), ``share_a``, ``share_b`` (float64 percent of the window's total, as
        pprof's ``flat%``), ``change`` (= share_b - share_a, percentage points), ``flat_a``,
        ``flat_b`` (int64, the sample unit); sorted by |change| then name; ``attrs``
        ``sample_type``, ``unit``, ``total_a``, ``total_b``.

    Raises
    ------
    pprof_parse.SampleTypeError
        The sample type is missing from either window.
    """
    st = merged_b.sample_types[merged_b.sample_index(sample_index)].type
    ta, tb = merged_a.top(st), merged_b.top(st)
    a = ta.groupby("name", sort=False).agg(flat_a=("flat", "sum"), share_a=("flat_pct", "sum"))
    b = tb.groupby("name", sort=False).agg(flat_b=("flat", "sum"), share_b=("flat_pct", "sum"))
    df = a.join(b, how="outer").fillna(0)
    df["change"] = df["share_b"] - df["share_a"]
    df = df.reset_index()
    df["name"] = df["name"].astype(object)
    df = df.assign(_abs=df["change"].abs()).sort_values(["_abs", "name"], ascending=[False, True], kind="stable")
    out = df[["name", "share_a", "share_b", "change", "flat_a", "flat_b"]].reset_index(drop=True)
    out = out.astype({"flat_a": np.int64, "flat_b": np.int64})
    out.attrs.update(sample_type=st, unit=tb.attrs.get("unit", ""), total_a=int(ta.attrs.get("total", 0)),
                     total_b=int(tb.attrs.get("total", 0)))
    return out


def _top_change_regex(changes: pd.DataFrame, notes: list[str]) -> str:
    """Step 3 without a regex: follow the function whose share changed most."""
    if changes.empty:
        raise ValueError("the windows hold no samples: nothing to compare")
    name = str(changes["name"].iloc[0])
    notes.append(f"Following {name}: its share changed most between the windows (pass a regex to choose).")
    return "^" + _re2_escape(name) + "$"


def _re2_escape(name: str) -> str:
    return "".join("\\" + c if c in r"\.+*?()|[]{}^$" else c for c in name)


def _label_key(shares: pd.DataFrame, label_key: str, notes: list[str]) -> str | None:
    """Step 4: the series label to break down."""
    fixed = {"profile_id", "time", "path", "value", "total", "share"}
    labels = [c for c in shares.columns if c not in fixed]
    if label_key:
        if label_key not in labels:
            raise ValueError(f"label_key {label_key!r}: the profiles' series labels are {labels or 'none'}")
        return label_key
    if labels:
        notes.append(f"Breakdown by the series label {labels[0]!r} (pass label_key to choose).")
        return labels[0]
    return None


def label_breakdown(ot: OverTime) -> pd.DataFrame:
    """Per value of the series label: profiles, and the followed functions' share in each window.

    Returns
    -------
    pandas.DataFrame
        ``value`` (the label value, ``(none)`` for profiles without it), ``profiles`` (int64),
        ``share_a``, ``share_b`` (float64 percent: Σvalue / Σtotal over the window's profiles
        with that label value; NaN when none), ``change`` (percentage points); sorted by
        |change| descending (NaN last), then value. Empty without a label key.
    """
    cols = ["value", "profiles", "share_a", "share_b", "change"]
    if ot.label_key is None:
        return pd.DataFrame({c: [] for c in cols})
    df = ot.shares.assign(_key=ot.shares[ot.label_key].astype(object).where(ot.shares[ot.label_key].notna(), "(none)"),
                          _t=_time_nanos(ot.shares))
    rows = []
    for value, g in df.groupby("_key", sort=True):
        sa, sb = (_window_share(g, w) for w in (ot.window_a, ot.window_b))
        rows.append((str(value), len(g), sa, sb, sb - sa))
    out = pd.DataFrame(rows, columns=cols).astype({"profiles": np.int64})
    out["value"] = out["value"].astype(object)
    order = out["change"].abs().fillna(-1)
    return out.assign(_o=order).sort_values(["_o", "value"], ascending=[False, True], kind="stable") \
        .drop(columns="_o").reset_index(drop=True)


def _window_share(g: pd.DataFrame, w: Window) -> float:
    t = g["_t"].to_numpy(np.int64)
    keep = np.ones(t.size, bool)
    if w.start is not None:
        keep &= t >= w.start
    if w.end is not None:
        keep &= t < w.end
    total = float(g["total"].to_numpy(np.float64)[keep].sum())
    return 100.0 * float(g["value"].to_numpy(np.float64)[keep].sum()) / total if total else float("nan")


# ---- figures --------------------------------------------------------------------------------------
def share_figure(ot: OverTime, *, height: int = 420) -> "go.Figure":
    """The followed functions' share per profile over time (one trace per label value), with the
    step: a dotted line at its time and each part's mean share as a dashed segment.

    Returns
    -------
    plotly.graph_objects.Figure
        Scatter traces, y in percent of each profile's total.
    """
    df = ot.shares.assign(_pct=100 * ot.shares["share"])
    fig = go.Figure()
    groups = [(None, df)] if ot.label_key is None else list(df.groupby(df[ot.label_key].astype(object).fillna("(none)"),
                                                                       sort=True))
    for value, g in groups:
        name = "share" if value is None else f"{ot.label_key}={value}"
        fig.add_trace(go.Scatter(x=g["time"], y=g["_pct"], mode="lines+markers", name=html.escape(name),
                                 text=[html.escape(Path(p).name) for p in g["path"]],
                                 hovertemplate="%{x}<br>%{y:.2f}%<br>%{text}<extra></extra>"))
    s = ot.step
    if s is not None and len(df):
        t = pd.to_datetime(df["time"], utc=True)
        at = pd.Timestamp(s.time, tz="UTC")
        for x0, x1, y, label in ((t.min(), at, s.before, "before"), (at, t.max(), s.after, "after")):
            fig.add_trace(go.Scatter(x=[x0, x1], y=[100 * y, 100 * y], mode="lines", name=f"mean {label}",
                                     line={"dash": "dash", "color": "#444"}, hoverinfo="skip"))
        fig.add_shape(type="line", x0=at, x1=at, y0=0, y1=1, yref="paper", line={"dash": "dot", "color": "#b2182b"})
    fig.update_layout(title=html.escape(f"Share of {ot.regex} in {ot.sample_type}, per profile"), height=height,
                      yaxis={"title": "% of the profile's total", "rangemode": "tozero", **PLAIN_TICKS},
                      xaxis={"title": "time (UTC)"},
                      legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"})
    return fig


def window_diff_figure(ot: OverTime, *, max_nodes: int = 2000) -> "go.Figure":
    """A differential flame graph of window B against window A, the base scaled to B's total
    (pprof's ``-normalize``), so colour is the change in share: red grew, blue shrank."""
    tree = diff_tree(ot.merged_b, ot.merged_a, ot.sample_type, normalize=True, max_nodes=max_nodes)
    title = f"Window B ({ot.window_b.describe()}) against window A ({ot.window_a.describe()})"
    return diff_flame_figure(tree, title=html.escape(title))


def label_figure(breakdown: pd.DataFrame, ot: OverTime, *, height: int = 360) -> "go.Figure":
    """Grouped bars: the followed functions' share per label value, window A and window B."""
    fig = go.Figure()
    names = [html.escape(str(v)) for v in breakdown["value"]]
    for col, label, color in (("share_a", "window A", "#1f77b4"), ("share_b", "window B", "#d62728")):
        fig.add_trace(go.Bar(x=names, y=breakdown[col], name=label, marker_color=color))
    fig.update_layout(barmode="group", height=height, yaxis={"title": "% of the total", **PLAIN_TICKS},
                      title=html.escape(f"Share of {ot.regex} by {ot.label_key}"))
    return fig


# ---- tables ----------------------------------------------------------------------------------------
def show_overview(ot: OverTime) -> None:
    """Display what was analysed (profiles, time span, sample type, windows) and the step found."""
    t = pd.to_datetime(ot.shares["time"], utc=True)
    rows = [("profiles", f"{len(ot.shares)} ({ot.where})"), ("time span", f"{t.min()} to {t.max()}"),
            ("sample type", ot.sample_type), ("functions followed", ot.regex),
            ("window A", ot.window_a.describe()), ("window B", ot.window_b.describe())]
    s = ot.step
    if s is None:
        rows.append(("step", "too few profiles to look for one"))
    else:
        what = "a clear step" if s.clear else "no clear step; the best split"
        rows.append(("step", f"{what} at {_iso(s.time)}: {format_percent(100 * s.before)} -> "
                             f"{format_percent(100 * s.after)}"))
    show_table(pd.DataFrame(rows, columns=["", "value"]), caption="Profiles over time", left=True)
    for note in ot.notes:
        show_text(note)


def show_changes(ot: OverTime, n: int) -> None:
    """Display the first ``n`` rows of :attr:`OverTime.changes` (shares in percent, signed change)."""
    show_table(ot.changes[["name", "share_a", "share_b", "change"]],
               formats={"share_a": format_percent, "share_b": format_percent, "change": lambda v: f"{v:+.2f} pp"},
               caption=f"Functions whose flat share of {ot.sample_type} changed most (window A -> B)", max_rows=n)


def show_label_breakdown(breakdown: pd.DataFrame, ot: OverTime) -> None:
    """Display :func:`label_breakdown` (or say there is no series label)."""
    if ot.label_key is None:
        show_text("The profiles carry no series label: store.add(..., labels={...}) gives them one.")
        return
    pct = lambda v: "-" if pd.isna(v) else format_percent(v)  # noqa: E731
    show_table(breakdown, formats={"share_a": pct, "share_b": pct,
                                   "change": lambda v: "-" if pd.isna(v) else f"{v:+.2f} pp"},
               caption=f"Share of {ot.regex} by {ot.label_key}")
