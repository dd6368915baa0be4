"""``gopherlab compare``: a CI gate on top of benchstat's verdicts.

benchstat never fails a build (it exits 0 even on errors).  ``compare`` runs the
same comparison (default projections: one table per configuration and unit,
rows by full name, OLD as the baseline column) and exits

* **1** when at least one benchmark changed *significantly* (p ≤ alpha, the
  cell is not ``~``) in the bad direction by more than the threshold;
* **0** otherwise (improvements and insignificant changes never fail);
* **2** on unreadable input (missing file, undecodable bytes, no benchmark
  results in a file) or bad usage.

Direction: ``Unit <unit> better=higher|lower`` metadata wins; otherwise lower is
better for time, bytes and counts per op (``sec/op``, ``B/op``, ``allocs/op``, any
``…/op``) and higher is better for rates (``B/s``, any ``…/s``).  Units with
``assume=exact`` have no p-value; any change beyond the threshold counts.

``--format markdown`` is meant to be posted as a PR comment: every cell goes through
:func:`gobench.present.markdown.escape_cell`, so a benchmark name or unit such as
``Pipe|col|x``, ``![](http://…)`` or ``<script>`` is shown as text in its own cell.
``--fail-on-regression`` takes ``5%`` or ``5`` (:func:`parse_threshold`).
"""
from __future__ import annotations

import argparse
import json
import math
import re
import warnings

from .benchtab import Query
from .compare import read_inputs, tables_to_frame, units_better
from .errors import BenchstatError, GobenchError, UsageError
from .present.markdown import markdown_table
from .read.benchfmt import parse_inputs
from .units import better_direction, class_of, scale

__all__ = ["gate_main", "regressions", "better_direction", "parse_threshold"]

_THRESHOLD = re.compile(r"\s*((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*%?\s*")


def parse_threshold(s: str) -> float:
    """A regression threshold in percent: ``"5%"`` and ``"5"`` both → 5.0.

    Accepts a non-negative finite decimal number (``2.5``, ``1e1``) with at most one
    ``%`` after it (white space around is ignored); used by ``gopherlab compare
    --fail-on-regression`` and ``gopherlab report bench --fail-on-regression``.

    Raises
    ------
    gobench.errors.UsageError
        Anything else (``5%%``, ``-1``, ``inf``, ``nan``, ``1e999``, words); being a
        ValueError it also works as an argparse ``type=``.
    """
    m = _THRESHOLD.fullmatch(s) if isinstance(s, str) else None
    v = float(m.group(1)) if m else math.nan
    if not math.isfinite(v):
        raise UsageError(f"bad threshold {s!r}: want a percentage like 5% or 5")
    return v


def regressions(df, units_better: dict[str, str] | None, threshold_pct: float):
    """Annotate a :func:`gobench.compare.benchstat` frame with ``better`` and ``verdict``.

    ``units_better`` (``unit -> "higher"|"lower"``) defaults to the frame's
    ``attrs["better"]``, the inputs' ``Unit … better=`` metadata.

    ``verdict`` is ``"regression"`` (significant, bad direction, beyond threshold),
    ``"improvement"`` (significant, good direction), ``"~"`` (not significant) or
    ``"baseline"``; geomean rows are dropped.
    """
    if units_better is None:
        units_better = df.attrs.get("better", {})
    df = df[~df.is_geomean & df.baseline.notna()].copy()
    df["better"] = [better_direction(u, units_better.get(u)) for u in df.unit]
    verdicts = []
    deltas = []
    for d, base, new in zip(df.delta_pct, df.baseline_center, df.center):
        if base == 0 and new != 0:  # benchstat prints "?": from nothing to something
            d = math.copysign(math.inf, new)
        deltas.append(d)
    df["delta_pct"] = deltas
    for sig, d, b in zip(df.significant, df.delta_pct, df.better):
        if not sig or d is None or (isinstance(d, float) and math.isnan(d)):
            verdicts.append("~" if not sig else "?")
            continue
        worse = d > 0 if b == "lower" else d < 0
        if worse and abs(d) > threshold_pct:
            verdicts.append("regression")
        elif worse:
            verdicts.append("within threshold")
        elif d == 0:
            verdicts.append("unchanged")
        else:
            verdicts.append("improvement")
    df["verdict"] = verdicts
    return df


def _fmt(x: float, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return scale(x, class_of(unit)) + " " + unit


def _markdown(rows, threshold, nreg) -> str:
    """The PR-comment table: every cell through :func:`gobench.present.markdown.escape_cell`
    (names and units come from the inputs), every row with the header's 7 cells."""
    cells = []
    for r in rows.itertuples():
        p = "" if r.p is None or math.isnan(r.p) else f"{r.p:.3f}"
        mark = " ❌" if r.verdict == "regression" else " ✅" if r.verdict == "improvement" else ""
        cells.append((r.row, r.unit, _fmt(r.baseline_center, r.unit), _fmt(r.center, r.unit),
                      r.delta, p, f"{r.verdict}{mark}"))
    out = [f"**gopherlab compare**: {nreg} significant regression(s) beyond {threshold:g}%", ""]
    out += markdown_table(["benchmark", "unit", "old", "new", "delta", "p", "verdict"], cells,
                          ["l", "l", "r", "r", "r", "r", "l"])
    return "\n".join(out) + "\n"


def _json(rows, threshold, nreg) -> str:
    recs = []
    for r in rows.itertuples():
        recs.append({"benchmark": r.row, "unit": r.unit, "old": r.baseline_center, "new": r.center,
                     "delta_pct": None if r.delta_pct is None or math.isnan(r.delta_pct) else r.delta_pct,
                     "p": None if r.p is None or math.isnan(r.p) else r.p,
                     "significant": bool(r.significant), "better": r.better, "verdict": r.verdict})
    return json.dumps({"threshold_pct": threshold, "regressions": nreg, "comparisons": recs},
                      indent=2) + "\n"


_USAGE = """usage: gopherlab compare OLD NEW [--fail-on-regression PCT] [--alpha A] [--format markdown|json]

Compare two go test -bench outputs as benchstat does and exit 1 when a benchmark
regresses significantly by more than PCT (default 5%), 0 otherwise, 2 on
unreadable input.
"""


class _Parser(argparse.ArgumentParser):
    """argparse with its errors raised as :class:`UsageError` (argparse would exit)."""

    def error(self, message):
        raise UsageError(message)


def _parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line of ``gopherlab compare``, checked: ``files`` (two paths),
    ``threshold`` (percent), ``alpha``, ``format``, ``filter``, ``help``.

    Raises :class:`UsageError` on anything malformed."""
    ap = _Parser(prog="gopherlab compare", add_help=False, allow_abbrev=False)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--fail-on-regression", "-fail-on-regression", default="5%")
    ap.add_argument("--alpha", "-alpha", default="0.05")
    ap.add_argument("--format", "-format", default="markdown")
    ap.add_argument("--filter", "-filter", default="*")
    ap.add_argument("-h", "--help", action="store_true")
    ns = ap.parse_args(argv)
    if ns.help:
        return ns
    if len(ns.files) != 2:
        raise UsageError("need exactly two inputs: OLD NEW")
    ns.threshold = parse_threshold(ns.fail_on_regression)
    try:
        ns.alpha = float(ns.alpha)
    except ValueError:
        raise UsageError(f"bad --alpha {ns.alpha!r}") from None
    if ns.format not in ("markdown", "json"):
        raise UsageError("--format must be markdown or json")
    return ns


def gate_main(argv: list[str], stdout, stderr) -> int:
    """Entry point of ``gopherlab compare`` (see module docstring); returns the exit status."""
    try:
        ns = _parse_args(argv)
    except UsageError as e:
        stderr.write(f"gopherlab compare: {e}\n{_USAGE}")
        return 2
    if ns.help:
        stdout.write(_USAGE)
        return 0
    try:
        inputs = read_inputs(ns.files)
        r = parse_inputs(inputs, decode_json=True)
    except (BenchstatError, GobenchError) as e:
        stderr.write(f"gopherlab compare: {e}\n")
        return 2
    for e in r.errors:
        stderr.write(f"{e}\n")
    present = set(r.res_file)
    for k, inp in enumerate(inputs):
        if k not in present:
            stderr.write(f"gopherlab compare: {inp.path}: no benchmark results\n")
            return 2
    try:
        q = Query.parse(col=".file", filter=ns.filter)
    except GobenchError as e:
        stderr.write(f"gopherlab compare: {e}\n")
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = tables_to_frame(q.build(r, alpha=ns.alpha))
    rows = regressions(df, units_better(r), ns.threshold)
    nreg = int((rows.verdict == "regression").sum())
    render = _markdown if ns.format == "markdown" else _json
    stdout.write(render(rows, ns.threshold, nreg))
    return 1 if nreg else 0
