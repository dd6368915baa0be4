"""The profile store's ``engine="dask"``: the samples reduces as Dask DataFrame computations.

Implements :mod:`pprof_parse.store.engine_api` (``aggregate_samples``, ``values_per_profile``)
over the same Parquet files DuckDB reads, giving identical frames. The work is a Dask
DataFrame with one partition per ``samples`` file of the selected days: each partition
reads its file with pyarrow (only the columns asked for, only rows of the selected
profile ids, a column the file lacks counting 0) and sums its rows by key; Dask then
sums the partitions' partial sums. Files differ in their value columns (one per sample
type of the profiles they hold), which is why a partition reads its own file's schema
rather than Dask taking one schema for all.

Where it runs: on the current ``dask.distributed`` client when there is one
(``distributed.default_client()``: a ``Client(LocalCluster())`` or ``Client("tcp://
scheduler:8786")`` made before the query), else on a thread pool made for the call and
shut down after it (Dask's own default pool would outlive the call, and a library leaves
no thread behind). With a cluster, every worker must see the store at the same path
(shared storage). Dask is imported on the first query, never by ``import pprof_parse``.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from gopherlab_common.lazy import LazyModule, pd

from .engine_api import Selection
from .errors import EngineUnavailableError, StoreError
from .schema import StoreLayout

__all__ = ["aggregate_samples", "values_per_profile"]

pq = LazyModule("pyarrow.parquet")
dask = LazyModule("dask")
dd = LazyModule("dask.dataframe")

#: threads of the local pool when no distributed client is running
LOCAL_THREADS = 4


def aggregate_samples(layout: StoreLayout, selection: Selection, value_columns: list[str], *,
                      by_labels: bool, scales=None) -> "pd.DataFrame":
    """Σ ``value_columns`` over the selected profiles' ``samples`` rows by stack (and labels).

    As :mod:`~pprof_parse.store.engine_api` specifies: a missing or null value counts
    0; ``scales`` (``profile_id`` then one float64 ratio per value column) replaces
    each value by Go's ``math.Round(value * ratio)`` first and drops the rows pprof's
    ``ScaleN`` drops; groups summing to 0 in every column are dropped.

    Returns
    -------
    pandas.DataFrame
        ``stack_id`` (int64), ``labels`` (only when ``by_labels``), then
        ``value_columns`` (int64), sorted by ``stack_id`` then ``labels``, RangeIndex.

    Raises
    ------
    StoreError
        A ``samples`` file does not read (named in the message).
    EngineUnavailableError
        Dask (``pip install 'gopherlab[dask]'``) is not installed.
    """
    keys = ["stack_id", "labels"] if by_labels else ["stack_id"]
    ratios = None if scales is None else _ratio_table(scales, value_columns)
    meta = _empty(keys, value_columns)
    parts = _samples_frame(layout, selection, _sums_of_file, meta,
                           args=(selection.profile_ids, keys, list(value_columns), ratios))
    if parts is None:
        return meta
    (summed,) = _compute(parts.groupby(keys, sort=False).sum(split_out=1))
    return _ordered_sums(summed, keys, value_columns)


def values_per_profile(layout: StoreLayout, selection: Selection, value_column: str,
                       stack_ids: np.ndarray) -> "pd.DataFrame":
    """Per selected profile: ``value`` (Σ ``value_column`` of its rows whose stack is in
    ``stack_ids``) and ``total`` (Σ |``value_column``| of all its rows), int64.

    Returns
    -------
    pandas.DataFrame
        ``profile_id``, ``value``, ``total``: one row per selected profile (0 when it
        has no such rows), sorted by ``profile_id``, RangeIndex.

    Raises
    ------
    StoreError, EngineUnavailableError
        As :func:`aggregate_samples`.
    """
    meta = pd.DataFrame({c: pd.Series([], dtype=np.int64) for c in ("profile_id", "value", "total")})
    wanted = np.unique(np.asarray(stack_ids, np.int64))
    parts = _samples_frame(layout, selection, _shares_of_file, meta,
                           args=(selection.profile_ids, value_column, wanted))
    ids = pd.Index(np.asarray(selection.profile_ids, np.int64), name="profile_id")
    if parts is None:
        summed = meta.set_index("profile_id")
    else:
        (summed,) = _compute(parts.groupby("profile_id", sort=False).sum(split_out=1))
    out = summed.reindex(ids, fill_value=0).astype(np.int64)
    return out.sort_index().reset_index()[["profile_id", "value", "total"]]


# ---- the Dask DataFrame: one partition per samples file of the selected days --------------------
def _samples_frame(layout: StoreLayout, selection: Selection, per_file, meta, *, args):
    """A Dask DataFrame of ``per_file(path, *args)`` over the selected days' samples files
    (None when there is no such file or no profile is selected)."""
    _check_dask_installed()
    days = set(selection.days)
    files = [str(p) for p in layout.table_files("samples") if p.parent.name.removeprefix("day=") in days]
    if not files or len(selection.profile_ids) == 0:
        return None
    return dd.from_map(per_file, files, args=args, meta=meta, label="profile-store-samples",
                       enforce_metadata=False)


def _sums_of_file(path: str, profile_ids, keys: list[str], value_columns: list[str], ratios) -> "pd.DataFrame":
    """One file's rows of the selected profiles, scaled, summed by ``keys`` (a partition)."""
    df = _read_rows(path, profile_ids, keys, value_columns)
    if ratios is not None and len(df):
        df = _scaled(df, value_columns, ratios)
    df = df.drop(columns="profile_id")
    if not len(df):
        return _empty(keys, value_columns)
    return df.groupby(keys, sort=False, as_index=False).sum()


def _shares_of_file(path: str, profile_ids, value_column: str, stack_ids: np.ndarray) -> "pd.DataFrame":
    """One file's ``value``/``total`` partial sums per selected profile (a partition)."""
    df = _read_rows(path, profile_ids, ["stack_id"], [value_column])
    v = df[value_column].to_numpy(np.int64)
    part = pd.DataFrame({"profile_id": df["profile_id"].to_numpy(np.int64),
                         "value": np.where(np.isin(df["stack_id"].to_numpy(np.int64), stack_ids), v, 0),
                         "total": np.abs(v)})
    return part.groupby("profile_id", sort=False, as_index=False).sum()


def _read_rows(path: str, profile_ids, keys: list[str], value_columns: list[str]) -> "pd.DataFrame":
    """``profile_id``, ``keys`` and ``value_columns`` (int64, 0 where missing or null) of a
    file's rows whose profile is selected."""
    try:
        have = set(pq.read_schema(path).names)
        cols = ["profile_id", *keys, *[c for c in value_columns if c in have]]
        table = pq.read_table(path, columns=cols, filters=[("profile_id", "in", list(map(int, profile_ids)))],
                              partitioning=None)
    except (OSError, ValueError) as e:  # (pyarrow's ArrowInvalid is a ValueError)
        raise StoreError(f"{path}: samples file does not read: {e}") from e
    df = table.to_pandas()
    for c in value_columns:
        df[c] = df[c].fillna(0).to_numpy(np.int64) if c in df.columns else np.zeros(len(df), np.int64)
    return df[["profile_id", *keys, *value_columns]]


def _scaled(df: "pd.DataFrame", value_columns: list[str], ratios: "pd.DataFrame") -> "pd.DataFrame":
    """pprof's ``ScaleN`` per row: each value whose ratio is not 1 replaced by Go's
    ``math.Round(value * ratio)`` (half away from zero); a row of a scaled profile is kept
    only when one of its scaled values is non-zero."""
    r = ratios.reindex(df["profile_id"].to_numpy(np.int64))
    out = df.copy()
    all_ones = np.ones(len(df), bool)
    any_scaled_nonzero = np.zeros(len(df), bool)
    for c in value_columns:
        ratio = r[c].to_numpy(np.float64)
        x = df[c].to_numpy(np.float64) * ratio
        scaled = np.where(ratio == 1, df[c].to_numpy(np.int64), np.trunc(x + np.copysign(0.5, x)).astype(np.int64))
        out[c] = scaled
        all_ones &= ratio == 1
        any_scaled_nonzero |= (ratio != 1) & (scaled != 0)
    return out[all_ones | any_scaled_nonzero]


def _ratio_table(scales: "pd.DataFrame", value_columns: list[str]) -> "pd.DataFrame":
    """The ``scales`` frame indexed by profile id: one float64 ratio per value column."""
    return scales.set_index("profile_id")[list(value_columns)].astype(np.float64)


def _frame(stack_id, labels, values: dict) -> "pd.DataFrame":
    """The API's frame built one way for every engine (a dict of numpy arrays: pandas picks
    the labels' string dtype as it does for DuckDB's answer)."""
    cols = {"stack_id": np.asarray(stack_id, np.int64)}
    if labels is not None:
        cols["labels"] = np.asarray(labels, object)
    cols.update({c: np.asarray(v, np.int64) for c, v in values.items()})
    return pd.DataFrame(cols)


def _empty(keys: list[str], value_columns: list[str]) -> "pd.DataFrame":
    return _frame(np.zeros(0, np.int64), np.zeros(0, object) if "labels" in keys else None,
                  {c: np.zeros(0, np.int64) for c in value_columns})


def _ordered_sums(summed: "pd.DataFrame", keys: list[str], value_columns: list[str]) -> "pd.DataFrame":
    """The reduced groups as the API returns them: all-zero groups dropped, sorted, RangeIndex."""
    df = summed.reset_index()
    values = df[list(value_columns)].to_numpy(np.int64).reshape(len(df), len(value_columns))
    df = df[(values != 0).any(axis=1)].sort_values(keys, kind="stable")
    labels = df["labels"].to_numpy(object) if "labels" in keys else None
    return _frame(df["stack_id"], labels, {c: df[c].to_numpy(np.int64) for c in value_columns})


# ---- where it runs ------------------------------------------------------------------------------
def _check_dask_installed() -> None:
    try:
        dd.from_map  # (imports dask.dataframe)
    except ImportError as e:
        raise EngineUnavailableError(
            "engine='dask' needs dask[dataframe] and distributed: pip install 'gopherlab[dask]'") from e


def _current_client():
    """The running ``dask.distributed`` client, or None (distributed is never imported
    here: with no such module loaded there can be no client)."""
    distributed = sys.modules.get("distributed")
    if distributed is None:
        return None
    try:
        return distributed.default_client()
    except ValueError:  # "No clients found"
        return None


def _compute(*collections):
    """``dask.compute`` on the current distributed client, else on a pool closed after the call."""
    client = _current_client()
    if client is not None:
        return dask.compute(*collections, scheduler=client)
    workers = min(LOCAL_THREADS, os.cpu_count() or 1)
    with ThreadPoolExecutor(workers, thread_name_prefix="pprof-store-dask") as pool:
        return dask.compute(*collections, scheduler="threads", pool=pool)
