"""Scanning the second and later input files in a forked child process (CLI only).

:func:`gobench.read.fastscan.scan` is pure numpy work on one file's bytes, and
the GIL is held in enough of it that two threads take as long as one.  The
``gopherlab benchstat`` command therefore forks one child that scans the other
files while the parent scans the first, and gets the scan results back through
a pipe (pickled arrays, a few MB).  Everything that depends on the order of the
files (configuration, unit metadata, errors, ids) still happens in the parent,
in order, from those results.

Only used where forking is safe and can pay: Linux, a single thread in the
process (never inside Jupyter kernels, which run threads), at least two CPUs
available, and big inputs.  Any failure falls back to scanning in the parent.
"""
from __future__ import annotations

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
            with os.fdopen(wfd, "wb") as f:
                pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(wfd)
    return pid, rfd


def collect(handle) -> dict | None:
    """The child's results, or None if it failed (then the caller scans itself)."""
    pid, rfd = handle
    out = None
    try:
        with os.fdopen(rfd, "rb") as f:
            out = pickle.load(f)
    except Exception:  # noqa: BLE001 - any failure of the child means "scan here"
        out = None
    try:
        _, status = os.waitpid(pid, 0)
    except OSError:
        status = 1
    return out if status == 0 and isinstance(out, dict) else None
