"""The profile store: many profiles in a Parquet dataset, queried with DuckDB (or Dask).

:class:`ProfileStore` (``store.py``) opens or creates a store; its on-disk contract is
:mod:`.schema`; ``add`` reads files in batches (:mod:`.ingest`; rows with content-hashed
ids from :mod:`.rows`, small protos through :mod:`.fast_decode`); queries
select profiles with DuckDB, reduce the samples with an engine (:mod:`.engine_api`:
:mod:`.duckdb_engine`, ``dask_engine``) and build the merged profile
(:mod:`.header`, :mod:`.assemble`) whose views are :class:`~pprof_parse.Profile`'s.
"""

from .errors import EngineUnavailableError, StoreError
from .ingest import IngestResult
from .pgo import PgoProfileError, pgo
from .store import ProfileStore

__all__ = ["EngineUnavailableError", "IngestResult", "PgoProfileError", "ProfileStore", "StoreError", "pgo"]
