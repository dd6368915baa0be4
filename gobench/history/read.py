"""``read_history``: many commits' benchmark runs as one tidy frame, in commit order."""
from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
from gopherlab_common.lazy import pd
from gopherlab_common.progress import progress_bar

from ..errors import BenchFormatWarning, OptionError
from ..read.benchfmt import parse_inputs
from ..read.frame import results_to_frame
from ..read.sources import Input, open_source
from .formats import action_benchmark_to_text, gobenchdata_to_text, sniff_format

__all__ = ["read_history", "ORDER_BY"]


#: The named orders :func:`read_history` takes (besides a list of commits).
ORDER_BY = ("commit-time", "given", "file")

#: Files from which a progress bar is shown when ``progress=None``.
PROGRESS_FROM = 20


def _expand(paths) -> list[str]:
    """The files to read, in the order given; a directory gives its files in name order."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = []
    for p in paths:
        if not isinstance(p, (str, os.PathLike)):
            raise TypeError(f"read_history takes paths (str or os.PathLike), not {type(p).__name__}")
        p = os.fspath(p)
        if os.path.isdir(p):
            files += sorted(str(q) for q in Path(p).iterdir() if q.is_file() and not q.name.startswith("."))
        else:
            files.append(p)
    return files


def _as_benchfmt(inp: Input, stem: str) -> tuple[Input, int]:
    """The input itself, or a gobenchdata / github-action-benchmark file rewritten as
    benchmark text (:mod:`gobench.history.formats`); and the entries skipped."""
    kind = sniff_format(inp.text)
    if kind == "gobenchdata":
        return Input(inp.path, inp.label, gobenchdata_to_text(inp.text, inp.path, stem)), 0
    if kind == "action-benchmark":
        text, skipped = action_benchmark_to_text(inp.text, inp.path)
        return Input(inp.path, inp.label, text), skipped
    return inp, 0


def _inputs(files: list[str], progress) -> tuple[list[Input], int]:
    """Every file read and decoded (and rewritten when it is a CI tool's history), with a
    progress bar over the files; and the github-action-benchmark entries skipped."""
    show = len(files) >= PROGRESS_FROM if progress is None else bool(progress)
    it = progress_bar(files, desc="read_history", unit="file") if show else files
    inputs, skipped = [], 0
    for path in it:
        inp, sk = _as_benchfmt(open_source(path), Path(path).stem)
        inputs.append(inp)
        skipped += sk
    return inputs, skipped


def _frame(inputs: list[Input]):
    """One frame of every input (parsed together, as ``benchfmt.Files`` reads files: each
    starts with an empty configuration); ``commit`` from the lines, else the file's name."""
    r = parse_inputs(inputs)
    df = results_to_frame(r)
    stems = {inp.path: Path(inp.path).stem for inp in inputs}
    from_name = df["file"].map(stems)
    df["commit"] = from_name if "commit" not in df.columns else df["commit"].where(df["commit"].notna(), from_name)
    return df, list(r.errors)


_DIGITS = re.compile(r"(\d+)")


def _natural(s: str):
    """Sort key comparing runs of digits as numbers (``run-2`` before ``run-10``)."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in _DIGITS.split(s)]


def _commit_order(df, order_by) -> list[str]:
    """The commits, first to last, by *order_by* (see :func:`read_history`)."""
    given = pd.unique(df["commit"]).tolist()
    first = {c: i for i, c in enumerate(given)}
    if isinstance(order_by, (list, tuple)):
        missing = [c for c in given if c not in set(order_by)]
        if missing:
            raise OptionError(f"order_by lists {len(order_by)} commits but not {missing[:3]} "
                              f"(of {len(missing)} in the history)")
        return [c for c in dict.fromkeys(order_by) if c in first]
    if order_by not in (None, *ORDER_BY):
        raise OptionError(f"order_by={order_by!r}: want None, one of {ORDER_BY} or a list of commits")
    if order_by == "given":
        return given
    if order_by == "file":
        files = df.groupby("commit", sort=False)["file"].first()
        return sorted(given, key=lambda c: (_natural(Path(files[c]).name), first[c]))
    times = _commit_times(df)
    if times is None:
        if order_by == "commit-time":
            raise OptionError("order_by='commit-time' but some commits have no (readable) commit-time: line")
        return given
    return sorted(given, key=lambda c: (times[c], first[c]))


def _commit_times(df):
    """``commit -> Timestamp`` (UTC) when every commit has a readable ``commit-time``, else None."""
    if "commit-time" not in df.columns:
        return None
    per = df.groupby("commit", sort=False)["commit-time"].first()
    if per.isna().any():
        return None
    ts = pd.to_datetime(per, utc=True, errors="coerce", format="mixed")
    return None if ts.isna().any() else ts.to_dict()


def read_history(paths, *, order_by=None, progress: bool | None = None):
    """Read the benchmark runs of many commits into one tidy frame, in commit order.

    Parameters
    ----------
    paths : path, or list of paths
        Files, each ``go test -bench`` output (text or ``go test -json``), a
        gobenchdata JSON file, or a github-action-benchmark ``data.js`` /
        ``data.json`` (:mod:`gobench.history.formats`; recognised by content).  A
        directory stands for its files (not dot files) in name order.  Each file
        starts with an empty configuration and unit metadata carries over from
        file to file, as in ``benchfmt.Files``.
    order_by : None, ``"commit-time"``, ``"given"``, ``"file"``, or list of str
        How commits are ordered.  None: by their ``commit-time:`` when every commit
        has one that parses as a date (ties keep the given order), else the order
        given (first appearance: file order, then line order).  ``"file"``: by file
        name, runs of digits compared as numbers.  A list: exactly that order of
        commit ids (it must name every commit of the history).
    progress : bool, optional
        A tqdm progress bar over the files as they are read (on stderr, or a
        widget in Jupyter); None shows it from :data:`PROGRESS_FROM` files on.
        The files are then parsed together, as benchstat reads its inputs.

    Returns
    -------
    pandas.DataFrame
        :func:`gobench.read_bench`'s columns (one row per result line and unit;
        configuration keys as columns), and:

        ======  ======  ==========================================================
        commit  str     the ``commit:`` configuration in force, else the file's
                        name without its extension (``abc123.txt`` → ``abc123``)
        order   int64   the commit's place, 0 for the first commit
        ======  ======  ==========================================================

        Rows are sorted by ``order`` (stable: a commit's rows keep their order).
        ``attrs["errors"]``: the skipped lines' :class:`~gobench.errors.BenchSyntaxError`;
        ``attrs["units"]``: unit metadata (``"unit:key" -> value``);
        ``attrs["commits"]``: the commits in order.

    Raises
    ------
    FileNotFoundError, OSError
        A path that cannot be read.
    TypeError
        An entry of *paths* that is not a path.
    gobench.history.formats.HistoryFormatError
        A gobenchdata or github-action-benchmark file of the wrong shape (file and place named).
    gobench.errors.OptionError
        A bad ``order_by``; ``"commit-time"`` when a commit has none; a list that
        leaves out commits.
    ValueError
        No paths.

    Warns
    -----
    gobench.errors.BenchFormatWarning
        Once, for malformed lines skipped or non-Go github-action-benchmark entries.

    Notes
    -----
    ``commit`` and ``commit-time`` are benchfmt's configuration keys (x/perf's
    results carry them); one file may hold many commits (a ``commit:`` line is in
    force until the next one), and one commit may span several files.
    """
    files = _expand(paths)
    if not files:
        raise ValueError("read_history needs at least one path")
    inputs, skipped = _inputs(files, progress)
    df, errors = _frame(inputs)
    commits = _commit_order(df, order_by)
    df["order"] = pd.Categorical(df["commit"], categories=commits).codes.astype(np.int64)
    df = df.sort_values("order", kind="stable", ignore_index=True)
    _warn(errors, skipped)
    df.attrs.update(errors=errors, commits=commits)
    return df


def _warn(errors: list, skipped: int) -> None:
    parts = []
    if errors:
        shown = "; ".join(str(e) for e in errors[:5])
        parts.append(f"skipped {len(errors)} malformed benchmark line(s): {shown}"
                     + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))
    if skipped:
        parts.append(f"skipped {skipped} github-action-benchmark entr{'y' if skipped == 1 else 'ies'} "
                     "whose tool is not go")
    if parts:
        warnings.warn("; ".join(parts), BenchFormatWarning, stacklevel=3)
