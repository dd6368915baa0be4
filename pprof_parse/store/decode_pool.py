"""Decoding an ``add``'s files on every core: worker processes that live for one ``add`` call.

Ingest is one pass of Python over each file (:mod:`.fast_decode`); with thousands of
files the other cores can share it. :func:`decoded_in_workers` starts a Python process
for each core but the caller's (``sys.executable``, importing only this package: not
``multiprocessing``, whose ``spawn`` re-runs the user's ``__main__`` script in each
worker, and never ``fork``: a Jupyter kernel has threads), sends each chunks of paths
over a pipe (pickled), leaves every ``cores()``-th chunk to the caller, and yields one
:class:`Prepared` per path in the paths' order. The workers are stopped and reaped
before the generator finishes or is closed (an error in the caller included): nothing
is left running in the user's process.

Each worker keeps its own :class:`~.rows.SymbolIds` (ids are content hashes, so every
process gives a symbol the same id) and sends, with each file, the symbol rows it has
not sent before. The caller adopts them in file order (:meth:`SymbolIds.adopt`), so
the store receives each row with the first file that uses it, as a single process
would. A file a worker cannot take quickly -- unreadable, not a small well-formed
proto, any error -- comes back with ``profile_id`` None and the caller reads it itself
(and so reports its typed error); so do all files from a worker that fails.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Iterator, NamedTuple

from ..read.source import read_source
from .fast_decode import NameCache, message_rows
from .rows import Header, ProfileRows, SymbolIds
from .schema import hash_bytes

#: fewer files than this are decoded in the calling process (starting a worker costs ~1 s of CPU)
MIN_FILES = 400
#: files per task sent to a worker
CHUNK = 40
#: tasks queued per worker at a time (bounds what is held in memory ahead of the caller)
AHEAD = 3
#: seconds a worker has to exit once its pipes are closed (then it is killed)
EXIT_TIMEOUT = 10

#: a worker's program: this package from where the caller imported it, then :func:`serve`
_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from pprof_parse.store.decode_pool import serve; serve()")


class Prepared(NamedTuple):
    """A worker's answer for one path.

    ``profile_id`` None: the caller decodes the file itself. ``header`` None: the file's
    bytes (``profile_id``) were stored before the ``add`` began; nothing was decoded.
    ``symbol_rows``: per symbol table, the rows first used by this file in its worker.
    """

    profile_id: int | None
    file_bytes: int
    header: Header | None
    rows: ProfileRows | None
    symbol_rows: dict


DECODE_HERE = Prepared(None, 0, None, None, {})


def cores() -> int:
    """The processors this process may run on (1 when unknown)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def use_workers(n_files: int) -> bool:
    """Whether :func:`decoded_in_workers` pays off for ``n_files`` on this machine."""
    return n_files >= MIN_FILES and cores() > 1 and bool(sys.executable)


def decoded_in_workers(paths: list[str], known: set[int]) -> Iterator[Prepared]:
    """One :class:`Prepared` per path, in order: ``cores() - 1`` worker processes decode
    the paths in chunks, and every ``cores()``-th chunk is left to the caller
    (:data:`DECODE_HERE`), whose core would otherwise wait.

    ``known``: profile ids already stored (their files are only hashed). Close the
    generator (or exhaust it) to stop and reap the workers.
    """
    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    share = cores()  # chunk i: worker i % share, or the caller when that is share - 1
    workers = _Workers(share - 1, known)
    theirs = (i for i in range(len(chunks)) if i % share != workers.n)
    try:
        for i in [i for _, i in zip(range(workers.n * AHEAD), theirs)]:
            workers.send(i % share, chunks[i])
        for i, chunk in enumerate(chunks):
            if i % share == workers.n:
                yield from (DECODE_HERE for _ in chunk)
                continue
            done = workers.receive(i % share)
            if done is None:  # (a worker failed: the caller decodes the rest)
                yield from (DECODE_HERE for _ in paths[i * CHUNK:])
                return
            for nxt in theirs:  # (one more task for a worker; each answers its chunks in order)
                workers.send(nxt % share, chunks[nxt])
                break
            yield from done
    finally:
        workers.stop()


class _Workers:
    """``n`` worker processes, each answering the chunks sent to it in order."""

    def __init__(self, n: int, known: set[int]) -> None:
        self.n = n
        root = str(Path(__file__).resolve().parents[2])  # (the directory holding pprof_parse)
        self.procs: list[subprocess.Popen] = []
        self.broken = False
        try:
            for _ in range(n):
                self.procs.append(subprocess.Popen([sys.executable, "-c", _BOOT, root], stdin=subprocess.PIPE,
                                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        except OSError:
            self.broken = True
            return
        blob = pickle.dumps(frozenset(known), pickle.HIGHEST_PROTOCOL)
        for k in range(n):
            self._write(k, blob)

    def _write(self, k: int, blob: bytes) -> None:
        if self.broken:
            return
        try:
            self.procs[k].stdin.write(blob)
            self.procs[k].stdin.flush()
        except OSError:
            self.broken = True

    def send(self, k: int, paths: list[str]) -> None:
        """A chunk of paths for worker ``k``."""
        self._write(k, pickle.dumps(paths, pickle.HIGHEST_PROTOCOL))

    def receive(self, k: int) -> list[Prepared] | None:
        """Worker ``k``'s answers for the oldest chunk sent to it; None when a worker has failed."""
        if self.broken:
            return None
        try:
            return pickle.load(self.procs[k].stdout)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):  # (a worker died, perhaps mid-answer)
            self.broken = True
            return None

    def stop(self) -> None:
        """Close every pipe (a worker then exits), wait for each, kill one that lingers."""
        for p in self.procs:
            for pipe in (p.stdin, p.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
        for p in self.procs:
            try:
                p.wait(EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


# ---- in the worker processes ------------------------------------------------------------------
_worker: dict = {}


def serve() -> None:
    """A worker's loop: the known ids, then chunks of paths from stdin, answers to stdout,
    until stdin closes. (Anything else printing to stdout goes to stderr instead.)"""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    _worker.update(known=pickle.load(inp), symbols=SymbolIds(), names=NameCache())
    while True:
        try:
            paths = pickle.load(inp)
        except EOFError:
            return
        pickle.dump([_decode_file(p) for p in paths], out, pickle.HIGHEST_PROTOCOL)
        out.flush()


def _decode_file(path: str) -> Prepared:
    symbols = _worker["symbols"]
    try:
        raw, _ = read_source(path)
        pid = hash_bytes(raw)
        if pid in _worker["known"]:
            return Prepared(pid, len(raw), None, None, symbols.take_queued())
        got = message_rows(raw, path, symbols, _worker["names"])
    except Exception:  # noqa: BLE001  (the caller reads the file again and reports the typed error)
        got = None
    if got is None:
        return Prepared(None, 0, None, None, symbols.take_queued())
    return Prepared(pid, len(raw), got[0], got[1], symbols.take_queued())
