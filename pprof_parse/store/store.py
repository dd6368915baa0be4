"""``ProfileStore``: many profiles in a Parquet dataset, queried with DuckDB (or Dask).

>>> store = ProfileStore("profiles.store")                       # doctest: +SKIP
>>> store.add("windows/*.pb.gz", labels={"service": "api"})      # doctest: +SKIP
>>> store.top(where="time >= '2026-12-01' AND service = 'api'")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from gopherlab_common.lazy import pd

from ..analyze.goregex import compile_regex
from ..analyze.sample_index import resolve_sample_index
from ..compare import diff as diff_profiles
from ..errors import OptionError, SampleTypeError
from ..profile import Profile
from . import dask_engine, duckdb_engine
from .assemble import SymbolTables, assemble
from .engine_api import ENGINES, Selection
from .errors import StoreError
from .header import MergedHeader, header_only, merged_header
from .ingest import BATCH_SIZE, IngestResult, expand_sources, ingest, stored_ids
from .pgo import pgo as pgo_profile
from .rows import SymbolIds
from .schema import FORMAT, PROFILE_COLUMNS, VERSION, StoreLayout


__all__ = ["ProfileStore"]


class ProfileStore:
    """A directory of profiles as Parquet tables (:mod:`pprof_parse.store.schema`), opened or created.

    Parameters
    ----------
    path : str or os.PathLike
        The store directory; created (with its parents) when missing. An existing
        directory must be empty or a store.
    engine : {"duckdb", "dask"}
        The default engine of the queries (each query takes ``engine=`` too):
        DuckDB in this process, or Dask DataFrames on the current ``dask.distributed``
        client (the same Parquet files; results identical).

    Raises
    ------
    StoreError
        ``path`` is a file, a non-empty directory that is not a store, or a store of a
        newer format.

    Notes
    -----
    The store's first query opens a DuckDB connection (in memory, over the Parquet
    files); DuckDB's worker threads live until :meth:`close` (also called by ``with``).
    One writer at a time; readers see a batch once its ``profiles`` rows are written. A
    store object sees what was added through it; reopen it to see another process's files.
    """

    def __init__(self, path, *, engine: str = "duckdb") -> None:
        self.layout = StoreLayout(Path(path).resolve())
        self.engine = _check_engine(engine)
        self._open_or_create()
        self._con = None
        self._symbols: SymbolTables | None = None
        self._symbol_ids: SymbolIds | None = None

    # ---- life cycle ---------------------------------------------------------------------
    def _open_or_create(self) -> None:
        root, marker = self.layout.root, self.layout.marker()
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root}: not a directory")
        if marker.exists():
            try:
                meta = json.loads(marker.read_text())
            except (OSError, ValueError) as err:
                raise StoreError(f"{marker}: unreadable store marker: {err}") from None
            if meta.get("format") != FORMAT or int(meta.get("version", 0)) > VERSION:
                raise StoreError(f"{root}: a {meta.get('format')!r} version {meta.get('version')} store; "
                                 f"this release reads {FORMAT!r} up to version {VERSION}")
            return
        if root.is_dir() and any(root.iterdir()):
            raise StoreError(f"{root}: not a profile store (no {marker.name}) and not empty")
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text(self.layout.marker_text())

    def close(self) -> None:
        """Close the DuckDB connection (its threads end); a later query opens a new one."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> "ProfileStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProfileStore({str(self.layout.root)!r})"

    def _connection(self):
        if self._con is None:
            self._con = duckdb_engine.connect()
            duckdb_engine.create_views(self._con, self.layout)
        return self._con

    def _changed(self) -> None:
        self._symbols = None
        if self._con is not None:
            duckdb_engine.create_views(self._con, self.layout)

    # ---- ingest -------------------------------------------------------------------------
    def add(self, paths_or_glob, *, labels=None, progress: bool = True, batch_size: int = BATCH_SIZE) -> IngestResult:
        """Append profiles to the store.

        Parameters
        ----------
        paths_or_glob : str, os.PathLike or iterable of them
            Files, directories (their files, recursively) or glob patterns
            (``"windows/**/*.pb.gz"``).
        labels : dict or callable, optional
            Series labels of these profiles (``{"service": "api", "pod": "a-1"}``), or a
            function of the file path returning them: string columns of ``profiles``
            that ``where`` can test.
        progress : bool
            Show a tqdm progress bar (none when False).
        batch_size : int
            Files read, then written, per batch (memory is bounded by one batch).

        Returns
        -------
        IngestResult
            ``added``, ``skipped`` (bytes already stored), and ``errors``: a DataFrame
            (``path``, ``error``, ``message``) of the files that could not be read, each
            with the reader's typed error (``ProfileFormatError``, ``InvalidProfileError``,
            ``OSError``, ...); the other files are ingested.

        Raises
        ------
        StoreError
            A label key is empty or names a fixed ``profiles`` column; writing failed.
        """
        paths = expand_sources(paths_or_glob)
        if self._symbol_ids is None:
            self._symbol_ids = SymbolIds(self._stored_symbol_ids())
        try:
            return ingest(self.layout, paths, self._stored_profile_ids(), self._symbol_ids, labels=labels,
                          progress=progress, batch_size=batch_size)
        finally:
            self._changed()

    def _stored_profile_ids(self) -> set[int]:
        return stored_ids(self.layout, "profiles", "profile_id")

    def _stored_symbol_ids(self) -> dict[str, set[int]]:
        return {t: stored_ids(self.layout, t, k) for t, k in (("stacks", "stack_id"), ("locations", "location_id"),
                                                              ("functions", "function_id"), ("mappings", "mapping_id"))}

    # ---- plain queries --------------------------------------------------------------------
    def _query(self, query: str) -> "pd.DataFrame":
        try:
            return self._connection().execute(query).df()
        except duckdb_engine.duckdb.Error as err:
            raise StoreError(f"{self.layout.root}: {err}") from None

    def sql(self, query: str) -> "pd.DataFrame":
        """Run a DuckDB SQL query over the views ``profiles``, ``samples``, ``stacks``,
        ``locations``, ``functions``, ``mappings`` (columns: :mod:`pprof_parse.store.schema`).

        Raises
        ------
        StoreError
            The query fails (DuckDB's message).
        """
        return self._query(query)

    @property
    def profiles(self) -> "pd.DataFrame":
        """One row per stored profile (columns: :mod:`pprof_parse.store.schema`), in time order."""
        return self.select(None)

    def select(self, where: str | None = None) -> "pd.DataFrame":
        """The profiles rows matching ``where`` (a SQL predicate over their columns:
        ``"time >= '2026-12-05 10:00' AND service = 'api'"``), in merge order (time, path).

        Raises
        ------
        StoreError
            ``where`` is not a valid predicate over the profiles columns.
        """
        return duckdb_engine.select_profiles(self._connection(), where).to_pandas()

    def _chosen(self, where: str | None):
        """The selected profiles rows (pyarrow Table, merge order, with the header signature
        column); StoreError when none."""
        chosen = duckdb_engine.select_profiles(self._connection(), where, with_signature=True)
        if not chosen.num_rows:
            raise StoreError(f"{self.layout.root}: no profile matches where {where!r}")
        return chosen

    # ---- merged profiles --------------------------------------------------------------------
    def _symbol_tables(self) -> SymbolTables:
        if self._symbols is None:
            self._symbols = SymbolTables(self.layout)
        return self._symbols

    def _reduce(self, chosen, header: MergedHeader, engine: str | None, *, by_labels: bool = True):
        sel = _selection(chosen)
        cols = [t.type for t in header.sample_types]
        if _check_engine(engine or self.engine) == "duckdb":
            return duckdb_engine.aggregate_samples(self.layout, sel, cols, by_labels=by_labels,
                                                   scales=header.scales, con=self._connection())
        return _dask().aggregate_samples(self.layout, sel, cols, by_labels=by_labels, scales=header.scales)

    def merge(self, where: str | None = None, *, engine: str | None = None) -> Profile:
        """The profiles matching ``where`` merged as ``go tool pprof FILE...`` merges them
        (:func:`pprof_parse.merge`'s rules: common sample types, finest units, equal
        stacks and labels summed, earliest time, durations added, largest period).

        Returns
        -------
        Profile
            Every Profile view works on it (``top``, ``peek``, ``to_proto``, flame graphs...).

        Raises
        ------
        StoreError
            No profile matches; ``where`` is invalid; a table does not read.
        SampleTypeError
            The profiles have no sample type in common, or incompatible units.
        EngineUnavailableError
            ``engine="dask"`` without the Dask engine installed.
        """
        _check_engine(engine or self.engine)
        chosen = self._chosen(where)
        header = merged_header(chosen)
        reduced = self._reduce(chosen, header, engine)
        data = assemble(reduced, header, self._symbol_tables())
        return Profile(data, source=f"{self.layout.root}[{where or 'all'}]")

    def top(self, *, where: str | None = None, sample_index=None, engine: str | None = None, **options):
        """``go tool pprof -top`` over the profiles matching ``where``: :meth:`Profile.top`
        of :meth:`merge` (``sample_index``, ``cum``, ``granularity``, ``focus``, ... as there).

        Raises
        ------
        As :meth:`merge` and :meth:`Profile.top`.
        """
        return self.merge(where, engine=engine).top(sample_index, **options)

    def diff(self, where_a: str | None, where_b: str | None, *, normalize: bool = False, mode: str = "diff_base",
             engine: str | None = None) -> Profile:
        """``go tool pprof -diff_base=B A``: the profiles matching ``where_a`` compared with
        the base ``where_b`` (each side merged first), as :func:`pprof_parse.diff`.

        Returns
        -------
        Profile
            A − B; ``top()`` shows negative values for what shrank, percentages of the
            base total (``mode="diff_base"``).

        Raises
        ------
        As :meth:`merge` (for either side) and :func:`pprof_parse.diff`.
        """
        return diff_profiles(self.merge(where_a, engine=engine), self.merge(where_b, engine=engine),
                             normalize=normalize, mode=mode)

    def pgo(self, path, *, where: str | None = None, engine: str | None = None) -> Profile:
        """Write the CPU profiles matching ``where``, merged, as a profile ``go build -pgo=PATH``
        accepts (:func:`pprof_parse.store.pgo.pgo` of :meth:`merge`).

        Returns
        -------
        Profile
            The merged profile written to ``path``.

        Raises
        ------
        PgoProfileError
            The merged profile has no CPU sample type (``samples/count`` or
            ``cpu/nanoseconds``): a heap or mutex selection, say.
        StoreError, SampleTypeError
            As :meth:`merge`.
        """
        return pgo_profile(self.merge(where, engine=engine), path)

    def function_share(self, regex: str, *, where: str | None = None, sample_index=None, cum: bool = False,
                       engine: str | None = None) -> "pd.DataFrame":
        """The share of the functions matching ``regex`` in each profile, over time.

        Parameters
        ----------
        regex : str
            Go (RE2) syntax, searched in function names (pprof's ``-focus`` also
            tries file names; this matches names only).
        where : str, optional
            Which profiles (SQL predicate over the profiles columns).
        sample_index : int or str, optional
            The sample type (default: as :meth:`Profile.top` picks for the first profile).
        cum : bool
            False: pprof's flat (the leaf frame's function matches); True: cum (any
            frame of the stack matches, a sample counted once).

        Returns
        -------
        pandas.DataFrame
            One row per profile, in time order: ``profile_id``, ``time``, ``path``, the
            series label columns, ``value`` (in the profile's unit of that type),
            ``total`` (Σ|value| of the profile, pprof's total) and ``share`` (value /
            total; NaN for an empty profile). ``attrs["sample_type"]`` names the type.

        Raises
        ------
        OptionError
            ``regex`` is not valid Go syntax.
        SampleTypeError
            ``sample_index`` names no type of the first profile, or a profile lacks it.
        StoreError
            No profile matches ``where``.
        """
        _check_engine(engine or self.engine)
        rx = compile_regex("function_share", regex)
        chosen = self._chosen(where).drop_columns(["_signature"]).to_pandas()
        first = chosen.iloc[0]
        head = header_only(list(first.sample_types), list(first.sample_units), first.default_sample_type, "", "")
        column = head.sample_types[resolve_sample_index(head, sample_index)].type
        _check_type_everywhere(chosen, column)
        stacks = _matching_stacks(self._symbol_tables(), rx, cum)
        sel = _selection(chosen)
        if _check_engine(engine or self.engine) == "duckdb":
            per = duckdb_engine.values_per_profile(self.layout, sel, column, stacks, con=self._connection())
        else:
            per = _dask().values_per_profile(self.layout, sel, column, stacks)
        return _share_table(chosen, per, column)


# ---- helpers ------------------------------------------------------------------------------
def _check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise OptionError(f"engine must be one of {list(ENGINES)}, not {engine!r}")
    return engine


def _dask():
    return dask_engine  # (raises EngineUnavailableError on use when Dask is not installed)


def _selection(chosen) -> Selection:
    """The Selection of profiles rows (a pyarrow Table or a DataFrame)."""
    ids = np.sort(np.asarray(chosen["profile_id"], np.int64))
    days = tuple(sorted(str(d)[:10] for d in set(np.asarray(chosen["day"]).tolist())))
    return Selection(ids, days)


def _check_type_everywhere(chosen, column: str) -> None:
    lacking = [p for p, types in zip(chosen["path"], chosen["sample_types"]) if column not in list(types)]
    if lacking:
        raise SampleTypeError(f"sample type {column!r} is not in {len(lacking)} selected profile(s), e.g. {lacking[0]}")


def _matching_stacks(symbols: SymbolTables, rx, cum: bool) -> np.ndarray:
    """Stack ids whose leaf function (``cum=False``: the leaf location's innermost line) or any
    function (``cum=True``) matches ``rx``."""
    fmatch = rx.match_many(symbols.func_name.tolist()) if symbols.func_ids.size else np.zeros(0, bool)
    fn_row = np.searchsorted(symbols.func_ids, symbols.line_function)
    line_match = fmatch[fn_row] if fn_row.size else np.zeros(0, bool)
    off = symbols.loc_line_offsets
    nlines = np.diff(off)
    if cum:
        loc_match = np.zeros(symbols.loc_ids.size, bool)
        if line_match.size:
            loc_of_line = np.repeat(np.arange(symbols.loc_ids.size), nlines)
            np.logical_or.at(loc_match, loc_of_line, line_match)
    else:
        loc_match = np.zeros(symbols.loc_ids.size, bool)
        has = nlines > 0
        loc_match[has] = line_match[off[:-1][has]]
    entry_match = loc_match[np.searchsorted(symbols.loc_ids, symbols.stack_locs)] if symbols.stack_locs.size else np.zeros(0, bool)
    soff = symbols.stack_offsets
    n = symbols.stack_ids.size
    if cum:
        stack_of_entry = np.repeat(np.arange(n), np.diff(soff))
        hit = np.zeros(n, bool)
        np.logical_or.at(hit, stack_of_entry, entry_match)
    else:
        nonempty = np.diff(soff) > 0
        hit = np.zeros(n, bool)
        hit[nonempty] = entry_match[soff[:-1][nonempty]]
    return symbols.stack_ids[hit]


def _share_table(chosen, per, column: str) -> "pd.DataFrame":
    labels = [c for c in chosen.columns if c not in PROFILE_COLUMNS]
    df = chosen[["profile_id", "time", "path", *labels]].reset_index(drop=True)
    got = per.set_index("profile_id").loc[df["profile_id"].to_numpy(np.int64)]
    df["value"] = got["value"].to_numpy(np.int64)
    df["total"] = got["total"].to_numpy(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["share"] = df["value"].to_numpy(np.float64) / df["total"].to_numpy(np.float64)
    df.attrs["sample_type"] = column
    return df
