"""The profile store's on-disk contract: directory layout, the six tables' Arrow schemas, ids.

Layout of a store directory (every table a Parquet dataset; ``<batch>`` names one written
ingest batch, ``<run>-<n>``)::

    STORE/
      store.json                                   {"format": "gopherlab-profile-store", "version": 1}
      profiles/day=YYYY-MM-DD/<batch>.parquet      one row per profile (hive partition: UTC day of its time)
      samples/day=YYYY-MM-DD/<batch>.parquet       one row per (profile, stack, labels)
      stacks/<batch>.parquet                       stack id -> location ids
      locations/<batch>.parquet                    location id -> mapping, address, lines
      functions/<batch>.parquet
      mappings/<batch>.parquet

``profiles`` and ``samples`` are partitioned by the UTC day of the profile's ``time``
(``day=1970-01-01`` for a profile without ``time_nanos``), so a time range reads only the
files of its days. The symbol tables (``stacks``, ``locations``, ``functions``,
``mappings``) hold each id once across the whole store: a batch writes only ids not
stored yet.

**Write order and readers.** A batch writes its symbol tables first, then its samples,
then its profiles rows. A profile exists once its ``profiles`` row does: queries select
profiles first and read only the samples of those ids, so a batch cut short leaves
unreferenced rows that no query sees (and the file is ingested again by the next
``add``). One writer at a time.

**Ids are content hashes** (int64), the same in every file, batch and ingest run:

* ``function_id`` = hash of (name, system_name, filename, start_line) -- pprof's
  ``functionKey`` (``profile/merge.go``);
* ``mapping_id`` = hash of (size rounded up to 4 KiB, file offset, build id if any, else file
  name) -- pprof's ``mapKey``;
* ``location_id`` = hash of (address relative to its mapping's start, mapping_id, is_folded, the
  lines' (function_id, line, column) innermost first) -- pprof's ``locationKey``;
* ``stack_id`` = hash of the location ids, leaf first;
* ``profile_id`` = hash of the file's bytes as stored (gzip or not): the same file is
  never ingested twice.

Two locations pprof's ``Merge`` would make one get one id, so summing ``samples`` rows by
``(stack_id, labels)`` is pprof's merge of equal samples. Hashes are 64 bits (BLAKE2b of
the key's ``repr``, :func:`hash_key`): the chance of any collision among n ids is about
n²/2^65, 3e-8 for the 10^6 distinct stacks of a large store.

Tables (Arrow types; all integers int64 unless said):

``profiles``
    ``profile_id``; ``path`` (string: the file as given, absolute); ``time``
    (timestamp[ns, UTC], null when the profile has no ``time_nanos``); ``time_nanos``
    (raw, 0 = unset); ``duration_nanos``; ``period_type``, ``period_unit`` (string);
    ``period`` (in ``period_unit``); ``sample_types``, ``sample_units`` (list<string>, the
    profile's order); ``default_sample_type`` (string, "" = unset); ``comments``
    (list<string>); ``doc_url``, ``drop_frames``, ``keep_frames`` (string);
    ``n_samples`` (samples rows of this profile); ``main_mapping_id`` (its first
    mapping, the main binary: first in a merge, as pprof keeps it; 0 for none);
    ``file_bytes``; ``day`` (the
    partition, date); then one **string column per user series label** (``add(...,
    labels={"service": "api"})``), null where a profile has none.
``samples``
    ``profile_id``; ``stack_id``; ``labels`` (string: the sample's pprof labels,
    :func:`encode_labels`, "" for none); then **one int64 column per sample type,
    named by the type** (``samples``, ``cpu``, ``alloc_space``, ...; in the profile's
    unit, see ``profiles.sample_units``; null for a profile without that type). A row
    per sample of the profile, all-zero samples left out (pprof's merge drops them);
    equal (stack, labels) rows are summed by the queries. ``day`` as for profiles.
``stacks``
    ``stack_id``; ``location_ids`` (list<int64>, leaf first).
``locations``
    ``location_id``; ``mapping_id`` (0 = none); ``address`` (uint64: relative to the
    mapping's ``start``, absolute when there is no mapping); ``is_folded`` (bool);
    ``lines`` (list<struct<function_id, line, column>>, innermost inlined function
    first, pprof's order).
``functions``
    ``function_id``; ``name``, ``system_name``, ``filename`` (string); ``start_line``.
``mappings``
    ``mapping_id``; ``start``, ``limit``, ``offset`` (uint64: the first file's
    addresses); ``filename``, ``build_id`` (string); ``has_functions``,
    ``has_filenames``, ``has_line_numbers``, ``has_inline_frames`` (bool).

Stored stacks are pruned as ``read_profile`` prunes them (the profile's
``drop_frames``/``keep_frames``), and names demangled as its default does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import NamedTuple

import numpy as np
from gopherlab_common.lazy import LazyModule

pa = LazyModule("pyarrow")

FORMAT = "gopherlab-profile-store"
VERSION = 1
MARKER = "store.json"

TABLES = ("profiles", "samples", "stacks", "locations", "functions", "mappings")
#: tables partitioned by day (``day=YYYY-MM-DD/``); the others are flat
PARTITIONED = ("profiles", "samples")
#: the ``day`` partition of a profile without a time
NO_DAY = "1970-01-01"

#: fixed columns of ``profiles`` (user series labels may not take these names)
PROFILE_COLUMNS = ("profile_id", "path", "time", "time_nanos", "duration_nanos", "period_type", "period_unit",
                   "period", "sample_types", "sample_units", "default_sample_type", "comments", "doc_url",
                   "drop_frames", "keep_frames", "n_samples", "main_mapping_id", "file_bytes", "day")
#: fixed columns of ``samples`` (sample types may not take these names)
SAMPLE_KEY_COLUMNS = ("profile_id", "stack_id", "labels", "day")


class StoreLayout(NamedTuple):
    """Where a store's tables live. ``root`` is the store directory.

    What the query engines receive (never the :class:`~pprof_parse.store.ProfileStore`).
    """

    root: Path

    def table_dir(self, table: str) -> Path:
        return self.root / table

    def table_glob(self, table: str) -> str:
        """The glob of a table's Parquet files (``profiles/*/*.parquet`` for a partitioned one)."""
        sub = "*/*.parquet" if table in PARTITIONED else "*.parquet"
        return str(self.root / table / sub)

    def table_files(self, table: str) -> list[Path]:
        """The table's Parquet files, sorted (empty for a new store)."""
        d = self.table_dir(table)
        if not d.is_dir():
            return []
        return sorted(d.glob("*/*.parquet" if table in PARTITIONED else "*.parquet"))

    def batch_path(self, table: str, batch: str, day: str | None = None) -> Path:
        """The file a batch writes for ``table`` (``day`` for partitioned tables)."""
        if table in PARTITIONED:
            return self.root / table / f"day={day}" / f"{batch}.parquet"
        return self.root / table / f"{batch}.parquet"

    def marker(self) -> Path:
        return self.root / MARKER

    def marker_text(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION})


# ---- Arrow schemas (fixed columns; profiles add label columns, samples value columns) --------------
def profiles_schema(label_keys: tuple[str, ...] = ()) -> "pa.Schema":
    """``profiles`` without ``day`` (a partition: in the directory name), plus one string column per label key."""
    s, i64 = pa.string(), pa.int64()
    return pa.schema([
        ("profile_id", i64), ("path", s), ("time", pa.timestamp("ns", tz="UTC")), ("time_nanos", i64),
        ("duration_nanos", i64), ("period_type", s), ("period_unit", s), ("period", i64),
        ("sample_types", pa.list_(s)), ("sample_units", pa.list_(s)), ("default_sample_type", s),
        ("comments", pa.list_(s)), ("doc_url", s), ("drop_frames", s), ("keep_frames", s),
        ("n_samples", i64), ("main_mapping_id", i64), ("file_bytes", i64),
        *[(k, s) for k in label_keys],
    ])


def samples_schema(value_columns: tuple[str, ...]) -> "pa.Schema":
    """``samples`` without ``day``: key columns, then one int64 column per sample type."""
    i64 = pa.int64()
    return pa.schema([("profile_id", i64), ("stack_id", i64), ("labels", pa.string()),
                      *[(c, i64) for c in value_columns]])


def stacks_schema() -> "pa.Schema":
    return pa.schema([("stack_id", pa.int64()), ("location_ids", pa.list_(pa.int64()))])


def locations_schema() -> "pa.Schema":
    line = pa.struct([("function_id", pa.int64()), ("line", pa.int64()), ("column", pa.int64())])
    return pa.schema([("location_id", pa.int64()), ("mapping_id", pa.int64()), ("address", pa.uint64()),
                      ("is_folded", pa.bool_()), ("lines", pa.list_(line))])


def functions_schema() -> "pa.Schema":
    s = pa.string()
    return pa.schema([("function_id", pa.int64()), ("name", s), ("system_name", s), ("filename", s),
                      ("start_line", pa.int64())])


def mappings_schema() -> "pa.Schema":
    u64, s, b = pa.uint64(), pa.string(), pa.bool_()
    return pa.schema([("mapping_id", pa.int64()), ("start", u64), ("limit", u64), ("offset", u64),
                      ("filename", s), ("build_id", s), ("has_functions", b), ("has_filenames", b),
                      ("has_line_numbers", b), ("has_inline_frames", b)])


# ---- content-hashed ids ---------------------------------------------------------------------
def _int64(digest: bytes) -> int:
    return int.from_bytes(digest, "little", signed=True) or 1  # (0 stays free for "none")


def hash_key(key: tuple) -> int:
    """The id of a symbol's key (a tuple of str, int, bool and such tuples): BLAKE2b-64 of
    its ``repr``, as int64 (never 0). The same in every process and Python version."""
    return _int64(hashlib.blake2b(repr(key).encode(), digest_size=8).digest())


def hash_bytes(data: bytes) -> int:
    """``profile_id``: BLAKE2b-64 of a file's bytes, as int64 (never 0)."""
    return _int64(hashlib.blake2b(data, digest_size=8).digest())


# ---- sample labels --------------------------------------------------------------------------
def encode_labels(string_labels: list[tuple[str, str]], numeric_labels: list[tuple[str, int, str]]) -> str:
    """A sample's pprof labels as one canonical string ("" for none): a JSON list of
    ``[key, value]`` (string labels) then ``[key, number, unit]`` (numeric labels), each
    group sorted. Equal label sets give equal strings (pprof's sample key)."""
    if not string_labels and not numeric_labels:
        return ""
    items = [list(x) for x in sorted(string_labels)] + [list(x) for x in sorted(numeric_labels)]
    return json.dumps(items, separators=(",", ":"), ensure_ascii=False)


def decode_labels(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, int, str]]]:
    """Inverse of :func:`encode_labels`: ``(string_labels, numeric_labels)``."""
    if not text:
        return [], []
    strs, nums = [], []
    for item in json.loads(text):
        if len(item) == 2:
            strs.append((item[0], item[1]))
        else:
            nums.append((item[0], int(item[1]), item[2]))
    return strs, nums


def day_of(time_nanos: int) -> str:
    """The ``day`` partition of a profile's time (UTC), :data:`NO_DAY` when unset."""
    if time_nanos <= 0:
        return NO_DAY
    return str(np.datetime64(int(time_nanos), "ns").astype("datetime64[D]"))
