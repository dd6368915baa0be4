"""The DuckDB engine: the store's tables as SQL views, ``where`` selection, and the reduces of
:mod:`.engine_api` as SQL over the Parquet files (the default engine; nothing to start).

A DuckDB connection starts worker threads that live as long as it does; the store opens
one on its first query and closes it in :meth:`ProfileStore.close` (also on ``with``).
Functions here take it as ``con``; without one they open and close their own.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from gopherlab_common.lazy import LazyModule, pd

from .engine_api import Selection
from .errors import StoreError
from .schema import (PARTITIONED, TABLES, StoreLayout, functions_schema, locations_schema, mappings_schema,
                     profiles_schema, samples_schema, stacks_schema)

duckdb = LazyModule("duckdb")
pa = LazyModule("pyarrow")

_EMPTY_SCHEMAS = {"profiles": lambda: profiles_schema(), "samples": lambda: samples_schema(()),
                  "stacks": stacks_schema, "locations": locations_schema, "functions": functions_schema,
                  "mappings": mappings_schema}


def connect():
    """A new in-memory DuckDB connection (the caller closes it)."""
    return duckdb.connect(":memory:")


@contextmanager
def _connection(con):
    if con is not None:
        yield con
        return
    own = connect()
    try:
        yield own
    finally:
        own.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_source(layout: StoreLayout, table: str, days: tuple[str, ...] | None = None) -> str | None:
    """The ``read_parquet(...)`` expression over a table's files (only ``days`` for a
    partitioned table when given); None when there are no such files."""
    files = layout.table_files(table)
    if days is not None and table in PARTITIONED:
        wanted = {f"day={d}" for d in days}
        files = [f for f in files if f.parent.name in wanted]
    if not files:
        return None
    lst = "[" + ", ".join(_literal(str(f)) for f in files) + "]"
    hive = "true" if table in PARTITIONED else "false"
    return f"read_parquet({lst}, hive_partitioning={hive}, union_by_name=true)"


def create_views(con, layout: StoreLayout) -> None:
    """Views ``profiles``, ``samples``, ``stacks``, ``locations``, ``functions``, ``mappings``
    over the store's current files (an empty table for a table with no file yet).
    Run again after files are added (the list of files is fixed when the view is made).

    Raises
    ------
    StoreError
        A table's files do not read (DuckDB reads their schemas here).
    """
    for table in TABLES:
        src = table_source(layout, table)
        if src is None:
            empty = _EMPTY_SCHEMAS[table]().empty_table()
            name = f"_empty_{table}"
            con.register(name, empty)
            src = name
        try:
            con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM {src}")
        except duckdb.Error as err:
            raise StoreError(f"{layout.root}: table {table} does not read: {err}") from None


#: the header fields pprof's sample type rules read, as one string (see header.SIGNATURE)
_SIGNATURE_SQL = ("concat_ws(chr(31), CAST(sample_types AS VARCHAR), CAST(sample_units AS VARCHAR), "
                  "coalesce(default_sample_type, ''), coalesce(period_type, ''), coalesce(period_unit, ''))")


def select_profiles(con, where: str | None = None, *, with_signature: bool = False):
    """The ``profiles`` rows matching ``where`` (a SQL predicate over its columns), in merge
    order: ``time_nanos``, then ``path``, then ``profile_id``, as a pyarrow Table. Needs
    :func:`create_views` on ``con``. ``with_signature`` adds a last column ``_signature``:
    a string equal for rows of equal sample types, units, default type and period type.

    Raises
    ------
    StoreError
        ``where`` does not parse or names an unknown column (the message quotes it).
    """
    cond = f"WHERE ({where})" if where and where.strip() else ""
    try:
        extra = f", {_SIGNATURE_SQL} AS _signature" if with_signature else ""
        return con.sql(f"SELECT *{extra} FROM profiles {cond} ORDER BY time_nanos, path, profile_id").to_arrow_table()
    except duckdb.Error as err:
        raise StoreError(f"where {where!r}: {err}") from None


def _selection_table(selection: Selection, scales):
    if scales is not None:
        return pa.Table.from_pandas(scales.reset_index(drop=True), preserve_index=False)
    return pa.table({"profile_id": pa.array(np.asarray(selection.profile_ids, np.int64))})


def _scaled(col: str, scales) -> str:
    """A value column in SQL, scaled by the selection's ratio column of the same name
    with Go's ``math.Round`` (half away from zero) when ``scales`` is given."""
    v = f"coalesce(s.{_quote(col)}, 0)"
    if scales is None:
        return v
    x = f"(CAST({v} AS DOUBLE) * sel.{_quote(col)})"
    return (f"(CASE WHEN sel.{_quote(col)} = 1 THEN {v} "
            f"ELSE CAST(trunc({x} + CASE WHEN {x} < 0 THEN -0.5 ELSE 0.5 END) AS BIGINT) END)")


def _kept_when_scaled(value_columns: list[str]) -> str:
    """pprof's ``ScaleN`` keeps a sample of a scaled profile only when one of its *scaled*
    values (ratio not 1) is non-zero; a profile with every ratio 1 is left as it is."""
    unscaled = " AND ".join(f"sel.{_quote(c)} = 1" for c in value_columns) or "true"
    scaled = " OR ".join(f"(sel.{_quote(c)} <> 1 AND {_scaled(c, True)} <> 0)" for c in value_columns) or "false"
    return f"(({unscaled}) OR {scaled})"


def aggregate_samples(layout: StoreLayout, selection: Selection, value_columns: list[str], *, by_labels: bool,
                      scales=None, con=None) -> "pd.DataFrame":
    """:mod:`.engine_api`'s ``aggregate_samples`` in SQL (see there for the contract)."""
    keys = ["stack_id", "labels"] if by_labels else ["stack_id"]
    src = table_source(layout, "samples", selection.days)
    if src is None or not len(selection.profile_ids):
        return _empty_aggregate(keys, value_columns)
    sums = ", ".join(f"CAST(sum({_scaled(c, scales)}) AS BIGINT) AS {_quote(c)}" for c in value_columns)
    nonzero = " OR ".join(f"{_quote(c)} <> 0" for c in value_columns) or "false"
    key_sql = ", ".join(f"s.{k}" for k in keys)
    if scales is None:  # (IN is twice as fast as a join here)
        rows = f"{src} s WHERE s.profile_id IN (SELECT profile_id FROM _sel)"
    else:
        rows = f"{src} s JOIN _sel sel USING (profile_id) WHERE {_kept_when_scaled(value_columns)}"
    query = (f"SELECT * FROM (SELECT {key_sql}, {sums} FROM {rows} "
             f"GROUP BY {key_sql}) WHERE {nonzero} ORDER BY {', '.join(keys)}")
    with _connection(con) as c:
        c.register("_sel", _selection_table(selection, scales))
        try:
            df = c.execute(query).df()
        except duckdb.Error as err:
            raise StoreError(f"{layout.root}: reducing samples: {err}") from None
        finally:
            c.unregister("_sel")
    return _typed(df, keys, value_columns)


def _empty_aggregate(keys: list[str], value_columns: list[str]) -> "pd.DataFrame":
    cols = {"stack_id": np.zeros(0, np.int64)}
    if "labels" in keys:
        cols["labels"] = np.zeros(0, object)
    cols.update({c: np.zeros(0, np.int64) for c in value_columns})
    return pd.DataFrame(cols)


def _typed(df, keys: list[str], value_columns: list[str]) -> "pd.DataFrame":
    out = {"stack_id": df["stack_id"].to_numpy(np.int64)}
    if "labels" in keys:
        out["labels"] = df["labels"].fillna("").to_numpy(object)
    out.update({c: df[c].to_numpy(np.int64) for c in value_columns})
    return pd.DataFrame(out)


def values_per_profile(layout: StoreLayout, selection: Selection, value_column: str, stack_ids: np.ndarray, *,
                       con=None) -> "pd.DataFrame":
    """:mod:`.engine_api`'s ``values_per_profile`` in SQL (see there for the contract)."""
    ids = np.sort(np.asarray(selection.profile_ids, np.int64))
    src = table_source(layout, "samples", selection.days)
    out = pd.DataFrame({"profile_id": ids, "value": np.zeros(ids.size, np.int64), "total": np.zeros(ids.size, np.int64)})
    if src is None or not ids.size:
        return out
    v = f"coalesce(s.{_quote(value_column)}, 0)"
    query = (f"SELECT s.profile_id, CAST(sum(CASE WHEN m.stack_id IS NULL THEN 0 ELSE {v} END) AS BIGINT) AS value, "
             f"CAST(sum(abs({v})) AS BIGINT) AS total FROM {src} s "
             f"LEFT JOIN _match m ON s.stack_id = m.stack_id "
             f"WHERE s.profile_id IN (SELECT profile_id FROM _sel) GROUP BY s.profile_id")
    with _connection(con) as c:
        c.register("_sel", pa.table({"profile_id": pa.array(ids)}))
        c.register("_match", pa.table({"stack_id": pa.array(np.unique(np.asarray(stack_ids, np.int64)))}))
        try:
            df = c.execute(query).df()
        except duckdb.Error as err:
            raise StoreError(f"{layout.root}: per-profile values: {err}") from None
        finally:
            c.unregister("_sel")
            c.unregister("_match")
    pos = np.searchsorted(ids, df["profile_id"].to_numpy(np.int64))
    value, total = out["value"].to_numpy().copy(), out["total"].to_numpy().copy()
    value[pos] = df["value"].to_numpy(np.int64)
    total[pos] = df["total"].to_numpy(np.int64)
    return pd.DataFrame({"profile_id": ids, "value": value, "total": total})
