"""Go's legacy binary CPU profile (``runtime/pprof`` before Go 1.9; gperftools' ``profilez``).

Read as pprof reads it (google/pprof ``profile/legacy_profile.go``: ``parseCPU``,
``cpuProfile``, ``parseCPUSamples``, ``cleanupDuplicateLocations``):

* the file is a sequence of machine words, 32 or 64 bits, little or big
  endian (tried in that order: 32 LE, 32 BE, 64 LE, 64 BE); the first five
  words are ``0, 3, 0, period_us, 0`` (``period_us > 0``);
* then samples: ``count, depth, pc_1 .. pc_depth`` (leaf first), up to the
  trailer sample ``0, 1, 0``; the bytes after the trailer are the process's
  ``/proc/self/maps`` text (see :mod:`pprof_parse.read.legacy_maps`);
* each sample has values ``[count, count * period_us * 1000]`` (sample types
  ``samples/count`` and ``cpu/nanoseconds``, period ``period_us * 1000`` ns);
  every pc but the leaf is a return address and is moved back by 1; one
  address-only location per distinct address;
* a second frame shared by all samples but at most ``n_samples // 32`` is the
  signal handler's: it is removed from every sample (at most twice);
* a leaf repeated as the next frame (``pc_2 == pc_1 - 1`` after the
  adjustment) is removed;
* ``drop_frames`` is pprof's CPU-profiler pattern (``ProfileData::Add|...``).

The header ``0, 3, 1, ...`` (a Java profile, ``javaCPUProfile``) is refused with
a :class:`~pprof_parse.errors.ProfileFormatError` naming the format.

Where we are stricter than pprof: a sample cut short by the end of the file
(pprof reads the missing words as 0), a count or value past int64 (pprof
wraps) and a missing trailer (pprof accepts it silently; we warn) — all with
the byte offset.
"""

from __future__ import annotations


import numpy as np

from ..errors import ProfileFormatError, warn
from ..model.data import ProfileData, ValueType
from . import legacy_maps

_WORDS = (("<u4", 4, "32-bit little-endian"), (">u4", 4, "32-bit big-endian"),
          ("<u8", 8, "64-bit little-endian"), (">u8", 8, "64-bit big-endian"))
_U64 = (1 << 64) - 1
_I64 = (1 << 63) - 1
CPU_PROFILER_DROP_FRAMES = "ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|__pthread_sighandler|__restore"


def _header(data: bytes):
    for dt, w, desc in _WORDS:
        if len(data) < 5 * w:
            continue
        n = np.frombuffer(data, dt, count=5).tolist()
        if n[0] == 0 and n[1] == 3 and n[2] in (0, 1) and n[3] > 0 and n[4] == 0:
            return dt, w, desc, n[2], n[3]
    return None


def is_legacy_cpu(data: bytes) -> bool:
    """The bytes start with a legacy CPU profile header (pprof's ``parseCPU`` test).
    A profile.proto never starts with a zero byte, so this cannot take a proto."""
    return data[:1] == b"\0" and _header(data) is not None


def _err(source: str, offset: int, msg: str) -> ProfileFormatError:
    return ProfileFormatError(f"legacy CPU profile: {msg}", source=source, offset=offset)


def decode_legacy_cpu(data: bytes, *, source: str = "<bytes>") -> ProfileData:
    """Decode a legacy binary CPU profile (the module docstring gives the rules).

    Parameters
    ----------
    data : bytes
        The whole (inflated) file.
    source : str
        Name used in error messages.

    Returns
    -------
    ProfileData
        Sample types ``samples/count`` and ``cpu/nanoseconds``; address-only
        locations with the memory map's mappings; ``meta`` has ``format``
        (``"legacy_cpu"``) and ``words`` (e.g. ``"64-bit little-endian"``).
        Work and memory are linear in ``len(data)``.

    Raises
    ------
    ProfileFormatError
        Not such a profile, a Java one, a sample whose depth runs past the end
        of the file, or a number past int64; ``offset`` is the byte offset.
    """
    h = _header(data)
    if h is None:
        raise _err(source, 0, "no '0, 3, 0, period, 0' header")
    dt, w, desc, kind, period_us = h
    if kind == 1:
        raise _err(source, 2 * w, "Java CPU profiles (header word 3 = 1) are not supported")
    if period_us * 1000 > _I64:
        raise _err(source, 3 * w, f"sampling period {period_us} us does not fit int64 nanoseconds")
    period = period_us * 1000
    words = np.frombuffer(data, dt, count=len(data) // w)
    nwords = len(words)
    pos = 5
    starts: list[int] = []  # word index of each sample's first pc
    trailer = False
    item = words.item
    n_bytes = len(data)
    while pos * w < n_bytes:
        if pos + 2 > nwords:
            raise _err(source, pos * w, f"truncated sample header ({n_bytes - pos * w} bytes left, need {2 * w})")
        count, depth = item(pos), item(pos + 1)
        if depth > nwords - pos - 2:
            raise _err(source, pos * w, f"sample depth {depth} runs past the end of the file "
                       f"({nwords - pos - 2} words left)")
        if count == 0 and depth == 1 and item(pos + 2) == 0:
            pos += 3
            trailer = True
            break
        if count * period > _I64:
            raise _err(source, pos * w, f"sample count {count} times the period does not fit int64")
        starts.append(pos + 2)
        pos += 2 + depth
    if not trailer:
        warn(f"{source}: legacy CPU profile has no '0, 1, 0' trailer (truncated file?); "
                      f"{len(starts)} samples read, no memory map")
    text_start = pos * w if trailer else len(data)

    first = np.array(starts, np.int64)
    counts = words[first - 2].astype(np.int64) if len(first) else np.zeros(0, np.int64)
    depths = words[first - 1].astype(np.int64) if len(first) else np.zeros(0, np.int64)
    offsets = np.concatenate(([0], np.cumsum(depths))).astype(np.int64)
    within = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], depths)
    addrs = words[np.repeat(first, depths) + within].astype(np.uint64)
    # every pc but the leaf is a return address: back by 1 (uint64 wrap-around, as in Go)
    addrs = np.where(within > 0, addrs - np.uint64(1), addrs)

    keep = _strip_signal_frames(addrs, offsets)
    # remapLocationIDs: one location per address, in order of first use by the stripped samples
    kept = addrs[keep]
    uniq, first_use, inverse = np.unique(kept, return_index=True, return_inverse=True)
    order = np.argsort(first_use, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    addresses = uniq[order]
    loc_rows = np.full(len(addrs), -1, np.int64)
    loc_rows[keep] = rank[inverse.reshape(-1)]
    maps = legacy_maps.massage(legacy_maps.parse_maps(_lines(data[text_start:])))
    loc_mapping = legacy_maps.assign(maps, addresses)

    # cleanupDuplicateLocations (after the renumbering, as in pprof): a second frame one
    # below the leaf is the leaf seen twice
    kcount = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
    kept_off = kcount[offsets]
    kdepth = np.diff(kept_off)
    dup = np.nonzero((kdepth > 1) & _leaf_twice(kept, kept_off, kdepth))[0]
    stack_keep = np.ones(len(kept), bool)
    stack_keep[kept_off[dup] + 1] = False
    stack = loc_rows[keep][stack_keep]
    kdepth[dup] -= 1
    c = counts

    strings = [""]

    def intern(x: str) -> int:
        if x not in strings:
            strings.append(x)
        return strings.index(x)

    st = (ValueType("samples", "count"), ValueType("cpu", "nanoseconds"))
    for t in st:
        intern(t.type), intern(t.unit)
    mcols = legacy_maps.mapping_columns(maps, intern)
    nl = len(addresses)
    return ProfileData(
        strings=strings, sample_types=st, default_sample_type="",
        values=np.column_stack([c, c * period]) if len(c) else np.zeros((0, 2), np.int64),
        stack_offsets=np.concatenate(([0], np.cumsum(kdepth))).astype(np.int64),
        stack_locs=np.ascontiguousarray(stack, np.int64),
        label_sample=np.zeros(0, np.int64), label_key=np.zeros(0, np.int64), label_str=np.zeros(0, np.int64),
        numlabel_sample=np.zeros(0, np.int64), numlabel_key=np.zeros(0, np.int64),
        numlabel_num=np.zeros(0, np.int64), numlabel_unit=np.zeros(0, np.int64),
        loc_id=np.arange(1, nl + 1, dtype=np.uint64), loc_mapping=loc_mapping,
        loc_address=np.asarray(addresses, np.uint64), loc_is_folded=np.zeros(nl, bool),
        loc_line_offsets=np.zeros(nl + 1, np.int64),
        line_function=np.zeros(0, np.int64), line_line=np.zeros(0, np.int64), line_column=np.zeros(0, np.int64),
        func_id=np.zeros(0, np.uint64), func_name=np.zeros(0, np.int64), func_system_name=np.zeros(0, np.int64),
        func_filename=np.zeros(0, np.int64), func_start_line=np.zeros(0, np.int64),
        **mcols,
        drop_frames=CPU_PROFILER_DROP_FRAMES,
        period_type=ValueType("cpu", "nanoseconds"), period=period,
        meta={"format": "legacy_cpu", "words": desc},
    )


def _strip_signal_frames(addrs: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """pprof's ``cpuProfile``: up to twice, drop the second frame when all samples but
    ``n // 32`` of them share it (at most one address can, so Go's map order does not
    matter). Returns the mask of stack entries kept."""
    keep = np.ones(len(addrs), bool)
    n = len(offsets) - 1
    margin = n // 32
    pos = np.arange(len(addrs))
    for _ in range(2):
        # position of each sample's current second frame: the second kept entry
        kcount = np.concatenate(([0], np.cumsum(keep)))
        cnt = kcount[offsets[1:]] - kcount[offsets[:-1]]
        has2 = cnt > 1
        if not has2.any():
            break
        kpos = pos[keep]  # kept entries in order
        second = kpos[kcount[offsets[:-1]][has2] + 1]
        vals, k = np.unique(addrs[second], return_counts=True)
        hit = np.nonzero(k >= n - margin)[0]
        if len(hit):
            keep[second[addrs[second] == vals[hit[0]]]] = False
    return keep


def _leaf_twice(kept: np.ndarray, kept_off: np.ndarray, kdepth: np.ndarray) -> np.ndarray:
    """Per sample: its first two (kept) frames are ``leaf`` and ``leaf - 1``."""
    i0 = kept_off[:-1]
    ok = kdepth > 1
    out = np.zeros(len(kdepth), bool)
    idx = np.nonzero(ok)[0]
    out[idx] = kept[i0[idx]] == kept[i0[idx] + 1] + np.uint64(1)
    return out


def _lines(b: bytes) -> list[str]:
    """``bufio.Scanner`` lines: split at ``\\n``, a trailing ``\\r`` dropped."""
    if not b:
        return []
    lines = b.decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
