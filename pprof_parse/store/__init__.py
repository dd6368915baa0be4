"""The profile store: many profiles in a Parquet dataset, queried with DuckDB (or Dask)."""
