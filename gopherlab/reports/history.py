"""The benchmark history report: many commits' runs, the changes in them, a CI verdict and a PR comment.

The analysis is :mod:`gobench.history`'s: :func:`~gobench.history.read_history`,
:func:`~gobench.history.change_points` (each change confirmed with benchstat's U test and
median intervals), :func:`~gobench.history.regressions.regression_table` (the worst
lasting regression per benchmark and unit; benchmarks too noisy to judge flagged) and the
band chart :func:`~gobench.history.history_figure`.  This module picks inputs, compares the
baseline with the last commit as benchstat does, words the verdict and draws.

The bundled sample (``gopherlab/data/bench/history/cNN.txt``) is a real 20-commit
history of ``examples/benchhistory``, 6 interleaved ``go test -bench`` runs per commit
with known changes (``changes.json``: hash 30 % slower from c05 and back at c15, encode
30 % faster and checksum allocating 4 KiB per op from c10).  Regenerate it with::

    python examples/benchhistory/make_history.py gopherlab/data/bench/history --count 6
"""
from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gobench.errors import OptionError
from gobench.history import change_points, history_figure, read_history
from gobench.history.regressions import regression_table
from gobench.present.markdown import markdown_table
from gobench.read.frame import RESERVED_COLUMNS
from gobench.stats.summary import compare, format_delta, summarize
from gobench.units import class_of, scale
from gopherlab_common.lazy import LazyModule

from .bundled import expand_inputs
from .render import html_table

ipd = LazyModule("IPython.display")

__all__ = ["HistoryAnalysis", "analyze", "compare_commits", "history_inputs", "markdown_comment",
           "show_noisy", "show_overview", "show_pair", "show_regressions", "show_verdict", "verdict",
           "worst_figures", "SAMPLE_COMMITS"]

#: The bundled sample history's commit files, relative to ``gopherlab/data``.
SAMPLE_COMMITS = tuple(f"bench/history/c{i:02d}.txt" for i in range(20))


def history_inputs(runs) -> list[str]:
    """The files of a history: paths, directories and glob patterns expanded, in the order given.

    Parameters
    ----------
    runs : str or list of str
        Files (``go test -bench`` text or ``-json``, gobenchdata JSON,
        github-action-benchmark ``data.js``), directories (their files, as
        :func:`gobench.history.read_history` reads them) or glob patterns (``**``
        allowed; matches sorted by name).  Empty: the bundled sample (:data:`SAMPLE_COMMITS`).

    Returns
    -------
    list of str

    Raises
    ------
    FileNotFoundError
        A path that does not exist or a pattern that matches nothing (named).
    """
    return expand_inputs(runs, SAMPLE_COMMITS, directories=True)


def compare_commits(history, old: str, new: str, *, alpha: float = 0.05) -> pd.DataFrame:
    """Two commits of a history compared as benchstat compares two files.

    The numbers are benchstat's for ``benchstat -col commit -ignore KEYS OLD.txt NEW.txt``
    on the two commits' runs (KEYS: the configuration keys that differ between them, such as
    ``commit-time``; without ``-ignore`` benchstat puts the two commits in separate tables).

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`gobench.history.read_history`'s frame.
    old, new : str
        Two of its commits.
    alpha : float
        The U test's level (benchstat's ``-alpha``).

    Returns
    -------
    pandas.DataFrame
        One row per (pkg, benchmark, unit) both commits ran, in benchmark order:
        ``pkg``, ``name``, ``unit``, ``old``/``new`` (medians), ``old_lo``/``old_hi``,
        ``new_lo``/``new_hi`` (the medians' intervals at ``1 - 0.05``: benchstat's
        ``-confidence`` default), ``old_range``/``new_range`` (benchstat's ``±`` text),
        ``delta`` (its text: ``~`` when p > alpha), ``delta_pct`` (float), ``p``,
        ``note`` (``p=0.002 n=6``).  Units with ``Unit … assume=exact`` metadata are
        compared as benchstat compares them (mode, no test).

    Raises
    ------
    gobench.errors.OptionError
        A commit the history does not have.
    """
    commits = history.attrs.get("commits") or pd.unique(history["commit"]).tolist()
    for c in (old, new):
        if c not in commits:
            raise OptionError(f"no commit {c!r} in the history (it has {commits[:6]}{'…' if len(commits) > 6 else ''})")
    meta = history.attrs.get("units", {})
    h = history[history["commit"].isin([old, new]) & history["value"].notna()]
    pkg = h["pkg"].astype(object).fillna("") if "pkg" in h.columns else pd.Series("", index=h.index)
    rows = []
    for (p, name, unit), g in h.groupby([pkg, h["fullname"], h["unit"]], sort=False):
        a = sorted(g.loc[g["commit"] == old, "value"].tolist())
        b = sorted(g.loc[g["commit"] == new, "value"].tolist())
        if a and b:
            rows.append(_compare_pair(p or None, name, unit, a, b, meta.get(f"{unit}:assume", "nothing"), alpha))
    return pd.DataFrame(rows, columns=["pkg", "name", "unit", "old", "old_lo", "old_hi", "old_range", "new", "new_lo",
                                       "new_hi", "new_range", "delta", "delta_pct", "p", "note"])


def _compare_pair(pkg, name, unit, a, b, assume, alpha):
    """One row of :func:`compare_commits`: benchstat's summaries of *a* and *b* and their comparison."""
    sa, sb = summarize(a, assume=assume), summarize(b, assume=assume)
    c = compare(a, b, assume=assume, alpha=alpha)
    delta = (sb.center / sa.center - 1) * 100 if sa.center != 0 else math.nan
    return (pkg, name, unit, sa.center, sa.lo, sa.hi, sa.pct_range(), sb.center, sb.lo, sb.hi, sb.pct_range(),
            format_delta(c, sa.center, sb.center), delta, c.p, c.note())


def _benchstat_command(history, old: str, new: str) -> str:
    """The benchstat command line whose numbers :func:`compare_commits` gives."""
    h = history[history["commit"].isin([old, new])]
    keys = [c for c in h.columns if c not in RESERVED_COLUMNS and c not in ("commit", "order")
            and not c.startswith("/") and h[c].astype(object).nunique(dropna=False) > 1]
    files = {c: sorted(set(h.loc[h["commit"] == c, "file"])) if "file" in h.columns else [] for c in (old, new)}
    names = [os.path.basename(f[0]) if len(f) == 1 else f"<{c} runs>" for c, f in files.items()]
    ignore = f" -ignore {','.join(keys)}" if keys else ""
    return f"benchstat -col commit{ignore} {names[0]} {names[1]}"


@dataclass
class HistoryAnalysis:
    """Everything the history notebook shows.

    Attributes
    ----------
    history : pandas.DataFrame
        :func:`gobench.history.read_history`'s frame.
    changes : pandas.DataFrame
        :func:`gobench.history.change_points`' frame.
    table : pandas.DataFrame
        :func:`gobench.history.regressions.regression_table`'s frame.
    baseline, last : str
        The commit percentages are measured from, and the last commit.
    pair : pandas.DataFrame
        :func:`compare_commits` of ``baseline`` and ``last``.
    command : str
        The benchstat command line ``pair`` equals.
    alpha : float
    threshold_pct : float
        The CI gate in percent; negative: no gate.
    """

    history: pd.DataFrame
    changes: pd.DataFrame
    table: pd.DataFrame
    baseline: str
    last: str
    pair: pd.DataFrame
    command: str
    alpha: float
    threshold_pct: float


def analyze(runs, *, baseline: str = "", alpha: float = 0.05, threshold_pct: float = -1.0,
            sought_pct: float | None = None) -> HistoryAnalysis:
    """Read a history and find its changes, the regressions table and the baseline-to-last comparison.

    Parameters
    ----------
    runs : str, list of str or pandas.DataFrame
        :func:`history_inputs`' argument (empty: the bundled sample), or a frame
        :func:`gobench.history.read_history` already read.
    baseline : str
        The commit the band charts and the pair comparison start from; empty: the first.
    alpha : float
        The U test's level; intervals at ``1 - alpha``.
    threshold_pct : float
        The CI gate: a persisting regression beyond it fails (negative: no gate).
        Also the changes sought for the noise flag when ``sought_pct`` is None and
        the gate is above 0.
    sought_pct : float, optional
        As :func:`gobench.history.regressions.regression_table`'s.

    Returns
    -------
    HistoryAnalysis

    Raises
    ------
    FileNotFoundError
        As :func:`history_inputs`.
    gobench.errors.OptionError
        A baseline the history does not have; a bad ``alpha``.
    gobench.errors.GobenchError
        Unreadable input (the reader's error names the file).
    """
    history = runs if isinstance(runs, pd.DataFrame) else read_history(history_inputs(runs), progress=False)
    commits = history.attrs.get("commits") or pd.unique(history["commit"]).tolist()
    if history.empty:
        raise OptionError("the history holds no benchmark results")
    if baseline and baseline not in commits:
        raise OptionError(f"baseline {baseline!r} is not a commit of the history "
                          f"(it has {commits[:6]}{'…' if len(commits) > 6 else ''})")
    base, last = baseline or commits[0], commits[-1]
    sought = sought_pct if sought_pct is not None else (threshold_pct if threshold_pct > 0 else None)
    changes = change_points(history, alpha=alpha)
    table = regression_table(history, changes, alpha=alpha, sought_pct=sought)
    pair = compare_commits(history, base, last, alpha=alpha)
    return HistoryAnalysis(history, changes, table, base, last, pair, _benchstat_command(history, base, last),
                           alpha, threshold_pct)


def _gated(a: HistoryAnalysis) -> pd.DataFrame:
    """The regressions beyond the threshold (every regression without a gate)."""
    reg = a.table[a.table["status"] == "regression"]
    return reg[np.abs(reg["delta_pct"]) > max(a.threshold_pct, 0.0)]


def _fmt(x, unit: str) -> str:
    """A value in benchstat's scaled form with its unit: ``1.234µ sec/op``; empty for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{scale(float(x), class_of(unit))} {unit}"


def _pct(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return "+∞%" if x == math.inf else "-∞%" if x == -math.inf else f"{x:+.2f}%"


def verdict(a: HistoryAnalysis) -> dict:
    """The history's machine-readable outcome (what ``gopherlab report history`` exits on).

    Returns
    -------
    dict
        ``regressions`` (list of ``"name unit +x% at commit"`` str: persisting regressions
        beyond the threshold; empty without a gate, so nothing fails),
        ``regressions_found`` (the same, whatever the gate), ``improvements``,
        ``too_noisy``, ``benchmarks`` (rows of the table), ``commits`` (int),
        ``baseline``, ``last`` (str), ``threshold_pct``, ``verdict`` (one sentence) and
        ``markdown`` (:func:`markdown_comment`, the PR comment).
    """
    found = _gated(a)
    items = [f"{r.name} {r.unit} {_pct(r.delta_pct)} at {r.commit}" for r in found.itertuples()]
    gate = a.threshold_pct >= 0
    beyond = f" beyond {a.threshold_pct:g}%" if gate else ""
    st = a.table["status"]
    ncommits = len(a.history.attrs.get("commits") or pd.unique(a.history["commit"]))
    text = (f"PERFORMANCE REGRESSED: {len(found)} persisting significant regression(s){beyond}" if len(found)
            else f"No persisting significant regression{beyond}")
    text += (f" over {ncommits} commits; {int((st == 'improvement').sum())} improvement(s), "
             f"{int((st == 'too noisy').sum())} benchmark(s) too noisy to judge.")
    v = {"regressions": items if gate else [], "regressions_found": items,
         "improvements": int((st == "improvement").sum()), "too_noisy": int((st == "too noisy").sum()),
         "benchmarks": int(len(a.table)), "commits": ncommits, "baseline": a.baseline, "last": a.last,
         "threshold_pct": a.threshold_pct, "verdict": text}
    v["markdown"] = markdown_comment(a, v)
    return v


def markdown_comment(a: HistoryAnalysis, v: dict | None = None) -> str:
    """The PR comment: the verdict, then a GitHub Markdown table of the regressions, improvements and
    too-noisy benchmarks (unchanged ones left out), every cell through
    :func:`gobench.present.markdown.escape_cell` (benchmark names and units come from the inputs:
    ``Pipe|x``, ``<script>``, ``![](http://…)`` stay text).

    Returns
    -------
    str
        Markdown, ending in a newline.
    """
    v = v or verdict(a)
    shown = a.table[a.table["status"] != "unchanged"]
    cells = []
    for r in shown.itertuples():
        mark = " ❌" if r.status == "regression" else " ✅" if r.status == "improvement" else ""
        cells.append((r.name, r.unit, f"{r.status}{mark}", _pct(r.delta_pct), r.commit or "",
                      _fmt(r.before, r.unit), _fmt(r.after, r.unit),
                      "" if math.isnan(r.p) else f"{r.p:.3g}", "" if math.isnan(r.noise_pct) else f"±{r.noise_pct:.0f}%"))
    out = [f"**gopherlab report history**: {v['verdict']}", ""]
    if cells:
        out += markdown_table(["benchmark", "unit", "status", "change", "commit", "before", "after", "p", "noise"],
                              cells, ["l", "l", "l", "r", "l", "r", "r", "r", "r"])
    return "\n".join(out) + "\n"


def show_verdict(v: dict) -> None:
    """Display :func:`verdict`'s sentence and up to 20 regressions (escaped) in a box: red border
    when a persisting regression was found, green otherwise."""
    cls = "gl-bad" if v["regressions_found"] else "gl-good"
    items = "".join(f"<li>{html.escape(s)}</li>" for s in v["regressions_found"][:20])
    ipd.display(ipd.HTML(f"<div class='gl-verdict {cls}'>{html.escape(v['verdict'])}"
                         + (f"<ul>{items}</ul>" if items else "") + "</div>"))


def show_overview(a: HistoryAnalysis) -> None:
    """Display what was read: commits (first, last, baseline), benchmarks, units, runs per commit."""
    h = a.history
    runs = h.groupby(["commit", "fullname", "unit"]).size()
    df = pd.DataFrame({"": ["commits", "first commit", "last commit", "baseline", "benchmarks", "units",
                            "runs per commit and benchmark", "changes confirmed"],
                       "value": [len(h.attrs.get("commits") or pd.unique(h["commit"])), h["commit"].iloc[0],
                                 a.last, a.baseline, h["fullname"].nunique(), ", ".join(pd.unique(h["unit"])),
                                 f"{runs.min()}–{runs.max()}" if runs.min() != runs.max() else str(runs.min()),
                                 len(a.changes)]})
    ipd.display(ipd.HTML(html_table(df, caption="The history", left=True)))


def _table_view(t: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "benchmark": t["name"], "unit": t["unit"], "status": t["status"], "change": t["delta_pct"].map(_pct),
        "at commit": t["commit"], "before": [_fmt(x, u) for x, u in zip(t["before"], t["unit"])],
        "after": [_fmt(x, u) for x, u in zip(t["after"], t["unit"])],
        "p": t["p"].map(lambda p: "" if math.isnan(p) else f"{p:.3g}"),
        "noise ±": t["noise_pct"].map(lambda x: "" if math.isnan(x) else f"{x:.1f}%"),
        "changes": t["changes"]})


def show_regressions(a: HistoryAnalysis) -> None:
    """Display the regressions table (escaped): regressions first, worst first, then improvements
    and unchanged benchmarks; the too-noisy ones are left to :func:`show_noisy`."""
    t = a.table[a.table["status"] != "too noisy"]
    ipd.display(ipd.HTML(html_table(_table_view(t), left=True, caption=(
        "Per benchmark and unit: the worst change that lasts to the last commit (segment medians either "
        f"side, U test p); noise: the median per-commit ± of the median's {100 * (1 - a.alpha):g}% interval"))))


def show_noisy(a: HistoryAnalysis) -> None:
    """Display the benchmarks too noisy to judge (escaped), or a sentence saying there are none."""
    t = a.table[a.table["status"] == "too noisy"]
    sought = a.table.attrs.get("sought_pct")
    if t.empty:
        ipd.display(ipd.HTML(f"<p>No benchmark is too noisy: every per-commit interval is within ±{sought:g}%.</p>"))
        return
    ipd.display(ipd.HTML(html_table(_table_view(t)[["benchmark", "unit", "noise ±", "changes"]], left=True, caption=(
        f"Too noisy to judge: the median's interval per commit is wider than the ±{sought:g}% sought, and no "
        "lasting change stands out of it. Run more -count, or on a quieter machine."))))


def show_pair(a: HistoryAnalysis) -> None:
    """Display :func:`compare_commits` of the baseline and the last commit (escaped), as benchstat prints it."""
    p = a.pair
    df = pd.DataFrame({"benchmark": p["name"], "unit": p["unit"],
                       a.baseline: [f"{_fmt(x, u)} ± {r}" for x, u, r in zip(p["old"], p["unit"], p["old_range"])],
                       a.last: [f"{_fmt(x, u)} ± {r}" for x, u, r in zip(p["new"], p["unit"], p["new_range"])],
                       "vs base": p["delta"], "p / n": p["note"]})
    ipd.display(ipd.HTML(html_table(df, left=True, caption=f"{a.baseline} vs {a.last}: the numbers of `{a.command}`")))


def worst_figures(a: HistoryAnalysis, n: int = 6) -> list:
    """Band charts (:func:`gobench.history.history_figure`) of the *n* worst findings: regressions, then
    improvements, in the table's order.  A finding on a noisy benchmark has a grey band and says so
    in its title; benchmarks too noisy to judge get no chart (:func:`show_noisy` lists them).

    Returns
    -------
    list of plotly.graph_objects.Figure
    """
    rows = a.table[a.table["status"].isin(["regression", "improvement"])].head(max(n, 0))
    figs = []
    for r in rows.itertuples():
        figs.append(history_figure(a.history, r.name, r.unit, baseline=a.baseline, changes=a.changes,
                                   alpha=a.alpha, pkg=r.pkg, noise_pct=r.noise_pct if r.noisy else None))
    return figs
