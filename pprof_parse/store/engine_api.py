"""What a query engine of the profile store implements: the heavy reduces over ``samples``.

The store's queries (:class:`~pprof_parse.store.ProfileStore`'s ``top``, ``merge``,
``function_share``, ``diff``) run in three steps, and only the middle one depends on the
engine:

1. **select** the profiles: DuckDB evaluates ``where`` (a SQL predicate over the
   ``profiles`` columns: ``time``, ``service = 'api'``, ...) for every engine (the
   table is small): :func:`pprof_parse.store.duckdb_engine.select_profiles`;
2. **reduce** the ``samples`` rows of those profiles: the functions below, one module per
   engine (:mod:`~pprof_parse.store.duckdb_engine`, ``dask_engine``), called as
   ``module.aggregate_samples(...)``;
3. **build** the answer from the reduced stacks and the symbol tables in plain
   numpy/pandas (:mod:`~pprof_parse.store.assemble`), engine-independent: a merged
   :class:`~pprof_parse.Profile` whose ``top()`` is :meth:`Profile.top`.

Every engine gives *identical* frames (same rows, order, dtypes): the tests compare them
with ``pandas.testing.assert_frame_equal``.

The functions (each engine module defines both, with these signatures):

``aggregate_samples(layout, selection, value_columns, *, by_labels, scales=None) -> DataFrame``
    The sum of each of ``value_columns`` over the ``samples`` rows of the selected
    profiles, grouped by ``stack_id`` (and ``labels`` when ``by_labels``). A column a
    profile's rows lack (null) counts 0. With ``scales`` (a DataFrame: ``profile_id``
    then one float64 column per value column, every selected profile present), each
    value whose ratio is not 1 is first replaced by Go's ``math.Round(value * ratio)``
    (half away from zero), pprof's ``ScaleN`` to a common unit, which also drops a row
    of a scaled profile (some ratio not 1) when all its scaled values are 0 -- its other
    values with it (``profile/profile.go: ScaleN``; a coarse ``megabytes`` heap row of
    0 MB loses its object count too). Groups whose sums are all 0 are dropped (pprof's
    merge drops them). Returns columns ``stack_id`` (int64), ``labels`` (object/str,
    only when ``by_labels``), then ``value_columns`` (int64, in the order asked),
    sorted by ``stack_id`` then ``labels``, with a fresh RangeIndex.

``values_per_profile(layout, selection, value_column, stack_ids) -> DataFrame``
    Per selected profile: ``value`` = Σ ``value_column`` over its rows whose
    ``stack_id`` is in ``stack_ids`` (int64 array), and ``total`` = Σ |``value_column``|
    over all its rows (pprof's total). Returns ``profile_id``, ``value``, ``total``
    (int64), one row per selected profile (0 when it has no such rows), sorted by
    ``profile_id``, fresh RangeIndex.

``selection`` is a :class:`Selection`: the profile ids and the ``day`` partitions they
are in (an engine reads only ``samples/day=D/`` for those days, and only rows of those
ids). ``layout`` is the store's :class:`~pprof_parse.store.schema.StoreLayout`.

Errors: an engine raises :class:`~pprof_parse.store.errors.StoreError` for a store it
cannot read (a missing column is not an error: it counts 0).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np

from .schema import StoreLayout

#: the engines a query takes (``engine=``); DuckDB is the default
ENGINES = ("duckdb", "dask")


class Selection(NamedTuple):
    """The profiles a query reduces: ids (int64, sorted) and their ``day`` partitions (sorted strings)."""

    profile_ids: np.ndarray
    days: tuple[str, ...]


class QueryEngine(Protocol):
    """The two reduces an engine module defines (see the module docstring)."""

    def aggregate_samples(self, layout: StoreLayout, selection: Selection, value_columns: list[str], *,
                          by_labels: bool, scales=None): ...

    def values_per_profile(self, layout: StoreLayout, selection: Selection, value_column: str,
                           stack_ids: np.ndarray): ...
