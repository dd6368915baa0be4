"""Scanning the second and later input files in a forked child process (CLI only).

:func:`gobench.read.fastscan.scan` is pure numpy work on one file's bytes, and
the GIL is held in enough of it that two threads take as long as one.  The
``gopherlab benchstat`` command therefore forks one child that scans the other
files while the parent scans the first, and gets the scan results back (arrays,
about one byte per input byte).  Everything that depends on the order of the
files (configuration, unit metadata, errors, ids) still happens in the parent,
in order, from those results.  The arrays come back as pickle protocol 5's
out-of-band buffers: written into a shared anonymous mapping made before the
fork (the parent's arrays are views of it), or, if they do not fit, sent raw
through the pipe after the small pickle.

Only used where forking is safe and can pay: Linux, a single thread in the
process (never inside Jupyter kernels, which run threads), at least two CPUs
available, and big inputs.  Any failure falls back to scanning in the parent.
"""
from __future__ import annotations

import mmap
import os
import pickle
import sys
import threading

__all__ = ["start", "collect", "worth_forking"]

#: each file handed to the child, and the first one, must be at least this big
MIN_BYTES = 1 << 20


def worth_forking(sizes: list[int]) -> bool:
    """True when a child can scan ``sizes[1:]`` while this process scans ``sizes[0]``."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if threading.active_count() != 1:
        return False
    try:
        if len(os.sched_getaffinity(0)) < 2:
            return False
    except (AttributeError, OSError):
        return False
    return len(sizes) >= 2 and sizes[0] >= MIN_BYTES and any(s >= MIN_BYTES for s in sizes[1:])


def start(jobs: dict[int, bytes], scan):
    """Fork a child computing ``{i: scan(data)}`` for *jobs*; return a handle or None."""
    try:
        rfd, wfd = os.pipe()
    except OSError:
        return None
    try:
        # the arrays come back through shared memory when they fit: untouched pages cost
        # nothing, and scan results take about one byte per input byte (benchmark lines
        # of a few bytes each take more; then the pipe carries them)
        shm = mmap.mmap(-1, 4 * sum(map(len, jobs.values())) + (1 << 20))
    except (OSError, ValueError):
        shm = None
    try:
        pid = os.fork()
    except OSError:
        os.close(rfd)
        os.close(wfd)
        return None
    if pid == 0:  # the child: scan, send, and leave without running any exit handlers
        status = 1
        try:
            os.close(rfd)
            out = {i: scan(data) for i, data in jobs.items()}
            bufs: list = []
            head = pickle.dumps(out, protocol=5, buffer_callback=bufs.append)
            views = [b.raw() for b in bufs]
            sizes = [v.nbytes for v in views]
            offsets = _place(sizes, len(shm)) if shm is not None else None
            if offsets is not None:
                for v, o in zip(views, offsets):
                    shm[o:o + v.nbytes] = v
                views = []
            meta = pickle.dumps((len(head), sizes, offsets))
            with os.fdopen(wfd, "wb", buffering=0) as f:
                for chunk in (len(meta).to_bytes(8, "little"), meta, head, *views):
                    _write_all(f, chunk)
            status = 0
        finally:
            os._exit(status)
    os.close(wfd)
    return pid, rfd, shm


def _place(sizes: list[int], capacity: int) -> list[int] | None:
    """64-byte aligned offsets for buffers of *sizes* in *capacity* bytes, or None."""
    out, off = [], 0
    for n in sizes:
        out.append(off)
        off += (n + 63) & ~63
    return out if off <= capacity else None


def collect(handle) -> dict | None:
    """The child's results, or None if it failed (then the caller scans itself)."""
    pid, rfd, shm = handle
    out = None
    try:
        with os.fdopen(rfd, "rb", buffering=0) as f:
            size = int.from_bytes(_read_exactly(f, 8), "little")
            head_len, sizes, offsets = pickle.loads(_read_exactly(f, size))
            head = _read_exactly(f, head_len)
            if offsets is None:
                bufs = [_read_exactly(f, n) for n in sizes]
            else:
                view = memoryview(shm)
                bufs = [view[o:o + n] for o, n in zip(offsets, sizes)]
            out = pickle.loads(head, buffers=bufs)
    except Exception:  # noqa: BLE001 - any failure of the child means "scan here"
        out = None
    try:
        _, status = os.waitpid(pid, 0)
    except OSError:
        status = 1
    return out if status == 0 and isinstance(out, dict) else None


def _write_all(f, data) -> None:
    view = memoryview(data).cast("B")
    while len(view):
        view = view[f.write(view):]


def _read_exactly(f, n: int) -> bytearray:
    """*n* bytes from the unbuffered file *f*; EOFError if the writer stopped short."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = f.readinto(view[got:])
        if not k:
            raise EOFError(f"child sent {got} of {n} bytes")
        got += k
    return buf
