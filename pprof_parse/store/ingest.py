"""``ProfileStore.add``: read profile files in batches and append them to the store's tables.

Each batch (``batch_size`` files) is read, turned into rows (:mod:`.rows`) and written as
one Parquet file per table (per day for ``profiles``/``samples``); then its rows are
dropped, so memory stays bounded by the batch whatever the number of files. Small
profile.proto files are decoded in groups (:mod:`.fast_rows`); the
reader takes the files that path leaves, and every file under ``GOPHERLAB_ENGINE=reference``.
Outcomes are counted in file order as if the files were read one by one: a file whose
bytes are already stored, or were read earlier in this call (same ``profile_id``, a
content hash), is skipped; a file that cannot be read is reported with its error (a
repeat of it too) and the others go on.
"""

from __future__ import annotations

import glob
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple

import numpy as np
from gopherlab_common.engine import reference_engine
from gopherlab_common.lazy import LazyModule, pd
from gopherlab_common.progress import progress_bar

from ..analyze.prune import remove_uninteresting
from ..errors import PprofParseError
from ..model.data import ProfileData
from ..read.profile_reader import decode_profile
from ..read.source import read_source
from .errors import StoreError
from .fast_rows import NameCache, batch_rows
from .rows import Header, ProfileRows, SymbolIds, header_of, profile_rows
from .schema import (PROFILE_COLUMNS, StoreLayout, day_of, hash_bytes, locations_schema, functions_schema,
                     mappings_schema, profiles_schema, samples_schema, stacks_schema)

pa = LazyModule("pyarrow")
pq = LazyModule("pyarrow.parquet")

#: files read and written per batch (a batch's rows are all that is held in memory)
BATCH_SIZE = 500

Labels = Mapping[str, str] | Callable[[str], Mapping[str, str]] | None


@dataclass
class IngestResult:
    """What :meth:`ProfileStore.add` did: counts, and the files it could not read.

    ``errors`` is a DataFrame with columns ``path`` and ``error`` (the exception,
    typed: ``ProfileFormatError``, ``InvalidProfileError``, ``OSError``, ...) and
    ``message``; empty when every file was read.
    """

    added: int = 0
    skipped: int = 0
    failed: list = field(default_factory=list)  # [(path, exception)]

    @property
    def errors(self) -> "pd.DataFrame":
        return pd.DataFrame({"path": [p for p, _ in self.failed], "error": [e for _, e in self.failed],
                             "message": [str(e) for _, e in self.failed]}, columns=["path", "error", "message"])

    def __repr__(self) -> str:
        return f"IngestResult(added={self.added}, skipped={self.skipped}, failed={len(self.failed)})"


def expand_sources(paths_or_glob) -> list[str]:
    """A glob pattern, a path, a directory (its files, recursively) or an iterable of those,
    as a sorted list of absolute file paths without repeats (order of the arguments kept)."""
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, os.PathLike)) else list(paths_or_glob)
    out: dict[str, None] = {}
    for item in items:
        s = os.fspath(item)
        if any(c in s for c in "*?["):
            found = sorted(glob.glob(s, recursive=True))
        elif os.path.isdir(s):
            found = sorted(str(p) for p in Path(s).rglob("*") if p.is_file())
        else:
            found = [s]
        for f in found:
            if not os.path.isdir(f):
                out.setdefault(os.path.abspath(f), None)
    return list(out)


def stored_ids(layout: StoreLayout, table: str, column: str) -> set[int]:
    """The ids a table holds (read from its files' id column alone).

    Raises
    ------
    StoreError
        A file of the table does not read.
    """
    out: set[int] = set()
    for f in layout.table_files(table):
        try:
            out.update(pq.read_table(f, columns=[column]).column(column).to_pylist())
        except (OSError, pa.ArrowInvalid) as err:
            raise StoreError(f"{f}: {err}") from None
    return out


def _series_labels(labels: Labels, path: str) -> dict[str, str]:
    got = labels(path) if callable(labels) else (labels or {})
    out = {}
    for k, v in dict(got).items():
        if not isinstance(k, str) or not k or k in PROFILE_COLUMNS:
            raise StoreError(f"label key {k!r} cannot be a profiles column (empty, not a string, or one of "
                             f"{list(PROFILE_COLUMNS)})")
        out[k] = None if v is None else str(v)
    return out


def read_for_store(path: str) -> ProfileData:
    """A file's profile as ``read_profile`` holds it (demangled, pruned)."""
    data, _ = decode_profile(path)
    return remove_uninteresting(data)


class _Batch:
    """Rows of the files read since the last write."""

    def __init__(self) -> None:
        self.profiles: list[dict] = []
        self.samples: list[tuple[int, str, ProfileRows]] = []  # (profile_id, day, rows)

    def __len__(self) -> int:
        return len(self.profiles)


class _Read(NamedTuple):
    """A file of a batch as read: its bytes and id, or the error; ``first``: the position in the
    batch of an earlier file with the same bytes (None if it is the first)."""

    path: str
    series: dict
    raw: bytes | None = None
    pid: int = 0
    error: Exception | None = None
    first: int | None = None


def _profile_row(pid: int, path: str, raw: bytes, d: Header, rows: ProfileRows, labels: dict) -> dict:
    t = int(d.time_nanos)
    return {"profile_id": pid, "path": path, "time": t if t > 0 else None, "time_nanos": t,
            "duration_nanos": int(d.duration_nanos), "period_type": d.period_type.type,
            "period_unit": d.period_type.unit, "period": int(d.period),
            "sample_types": [st.type for st in d.sample_types], "sample_units": [st.unit for st in d.sample_types],
            "default_sample_type": d.default_sample_type, "comments": list(d.comments), "doc_url": d.doc_url,
            "drop_frames": d.drop_frames, "keep_frames": d.keep_frames, "n_samples": len(rows.stack_id),
            "main_mapping_id": rows.main_mapping_id,
            "file_bytes": len(raw), "day": day_of(t), **labels}


class Ingester:
    """Appends files to a store (one ``add`` call). ``known_profiles``: ids stored already."""

    def __init__(self, layout: StoreLayout, known_profiles: set[int], symbols: SymbolIds, *,
                 batch_size: int = BATCH_SIZE) -> None:
        self.layout = layout
        self.known = known_profiles
        self.symbols = symbols
        self.batch_size = batch_size
        self.names = NameCache()
        self.run = f"{time.time_ns():x}-{os.getpid():x}"
        self.n_batches = 0

    def add(self, paths: list[str], labels: Labels, progress: bool) -> IngestResult:
        result = IngestResult()
        with progress_bar(total=len(paths), disable=not progress, unit="file", desc="ingest") as bar:
            for k in range(0, len(paths), self.batch_size):
                batch = _Batch()
                self._add_batch(paths[k:k + self.batch_size], labels, batch, result, bar)
                if len(batch):
                    self._write(batch)
        return result

    def _add_batch(self, paths: list[str], labels: Labels, batch: _Batch, result: IngestResult, bar) -> None:
        """Read, decode and turn into rows a batch of files, in order (outcomes as file by file)."""
        read = self._read(paths, labels, bar)
        decoded = self._decode(read)
        for r, got in zip(read, decoded):
            if r.pid in self.known:
                result.skipped += 1
                continue
            if r.first is not None:  # (the same bytes as an earlier file of the batch, which failed)
                got = self._reader_rows(r.path)
            if isinstance(got, Exception):
                result.failed.append((r.path, got))
            else:
                self.known.add(r.pid)
                header, rows = got
                row = _profile_row(r.pid, r.path, r.raw, header, rows, r.series)
                batch.profiles.append(row)
                batch.samples.append((r.pid, row["day"], rows))
                result.added += 1

    def _read(self, paths: list[str], labels: Labels, bar) -> list[_Read]:
        out: list[_Read] = []
        seen: dict[int, int] = {}
        for path in paths:
            series = _series_labels(labels, path)  # (a bad label key is the caller's error: raised)
            try:
                raw, _ = read_source(path)
            except (PprofParseError, OSError) as err:
                out.append(_Read(path, series, error=err))
            else:
                pid = hash_bytes(raw)
                out.append(_Read(path, series, raw, pid, first=seen.get(pid)))
                seen.setdefault(pid, len(out) - 1)
            bar.update(1)
        return out

    def _decode(self, read: list[_Read]) -> list:
        """Per file: ``(header, rows)``, the error, or None (nothing to decode: stored, or a repeat).

        The fast path decodes the batch at once (:mod:`.fast_rows`); the reader takes the files
        it leaves, and all of them under ``GOPHERLAB_ENGINE=reference``.
        """
        todo = [i for i, r in enumerate(read) if r.error is None and r.first is None and r.pid not in self.known]
        out: list = [r.error for r in read]
        if not reference_engine():
            got = batch_rows([(read[i].path, read[i].raw) for i in todo], self.symbols, self.names)
            for i, g in zip(todo, got):
                out[i] = g
            todo = [i for i, g in zip(todo, got) if g is None]
        for i in todo:
            out[i] = self._reader_rows(read[i].path)
        return out

    def _reader_rows(self, path: str):
        """``(header, rows)`` of a file read by ``read_profile``'s stages, or the error."""
        try:
            data = read_for_store(path)
            return header_of(data), profile_rows(data, self.symbols, path)
        except (PprofParseError, OSError) as err:
            return err

    # ---- writing --------------------------------------------------------------------------
    def _write(self, batch: _Batch) -> None:
        """Symbol tables first, then samples, then profiles (a profile exists once its row does)."""
        name = f"{self.run}-{self.n_batches:05d}"
        self.n_batches += 1
        queued = self.symbols.take_queued()
        for table, schema in (("functions", functions_schema()), ("mappings", mappings_schema()),
                              ("locations", locations_schema()), ("stacks", stacks_schema())):
            if queued[table]:
                cols = list(zip(*queued[table]))
                arrays = [pa.array(list(c), type=f.type) for c, f in zip(cols, schema)]
                self._write_table(pa.Table.from_arrays(arrays, schema=schema), table, name)
        for day in sorted({d for _, d, _ in batch.samples}):
            self._write_table(_samples_table([s for s in batch.samples if s[1] == day]), "samples", name, day)
            self._write_table(_profiles_table([p for p in batch.profiles if p["day"] == day]), "profiles", name, day)

    def _write_table(self, table, kind: str, name: str, day: str | None = None) -> None:
        path = self.layout.batch_path(kind, name, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)  # (readers never see half a file)


def _samples_table(items: list[tuple[int, str, ProfileRows]]):
    """One day's samples rows of a batch: value columns the union of its profiles' types (null where absent)."""
    columns: dict[str, None] = {}
    for _, _, rows in items:
        columns.update(dict.fromkeys(rows.values))
    sizes = [len(rows.stack_id) for _, _, rows in items]
    pid = np.repeat(np.array([p for p, _, _ in items], np.int64), sizes)
    stack = np.concatenate([np.asarray(rows.stack_id, np.int64) for _, _, rows in items] or [np.zeros(0, np.int64)])
    labels = np.concatenate([np.asarray(rows.labels, object) for _, _, rows in items] or [np.zeros(0, object)])
    arrays = [pa.array(pid), pa.array(stack, type=pa.int64()), pa.array(labels, type=pa.string())]
    for c in columns:
        parts = [np.asarray(rows.values[c], np.int64) if c in rows.values else np.zeros(n, np.int64)
                 for (_, _, rows), n in zip(items, sizes)]
        absent = np.repeat([c not in rows.values for _, _, rows in items], sizes)
        arrays.append(pa.array(np.concatenate(parts or [np.zeros(0, np.int64)]), mask=absent if absent.any() else None,
                               type=pa.int64()))
    return pa.Table.from_arrays(arrays, schema=samples_schema(tuple(columns)))


def _profiles_table(rows: list[dict]):
    keys: dict[str, None] = {}
    for r in rows:
        keys.update((k, None) for k in r if k not in PROFILE_COLUMNS)
    schema = profiles_schema(tuple(keys))
    return pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)


def ingest(layout: StoreLayout, paths: Iterable[str], known: set[int], symbols: SymbolIds, *, labels: Labels,
           progress: bool, batch_size: int = BATCH_SIZE) -> IngestResult:
    """Append ``paths`` to the store at ``layout`` (see :meth:`ProfileStore.add`)."""
    return Ingester(layout, known, symbols, batch_size=batch_size).add(list(paths), labels, progress)
