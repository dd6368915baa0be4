"""The memory map that ends legacy profiles, read as pprof reads it.

Legacy text profiles (``--- Memory map: ---`` or ``MAPPED_LIBRARIES:``
section, e.g. gperftools' heap profiles) and Go's legacy binary CPU profile
(``/proc/self/maps`` text after the samples) end with the process's mappings.
pprof (google/pprof ``profile/legacy_profile.go``: ``parseProcMapsFromScanner``,
``parseMappingEntry``, ``ParseMemoryMapFromScanner``; ``profile/profile.go``:
``massageMappings``; ``remapMappingIDs``) turns them into ``Mapping`` records
and gives each location the mapping holding its address, so a location with no
symbol is named by its mapping's file (``[libc-2.15.so]``) in reports. Rules:

* each line may carry a glog prefix (``I0101 ... file.cc:12] ``), dropped;
  ``name=value`` lines define ``$name`` replacements for later lines; lines of
  neither shape are ignored;
* two line shapes: ``/proc/self/maps`` (``start-end perms offset dev inode
  [file]``) and a brief one (``start-end [perms] [file] [(@offset)] [buildid]``);
  entries whose permissions lack ``x`` are skipped;
* adjacent entries of one file (and, when both have offsets, contiguous
  offsets) merge; the first entry whose file is not a shared library
  (``.so``), not ``[vdso]``-like and not empty moves to the front (the main
  binary);
* a first ``/anon_hugepage`` entry adjacent to the next is dropped; a first
  mapping with ``start - offset == 0x400000`` starts there with offset 0;
* each location with a non-zero address gets the first mapping holding it,
  else the first with an offset whose ``start - offset`` reaches back to it
  (that mapping is extended down), else one fake mapping (no file, limit
  2^64-1) added at the end.
"""

from __future__ import annotations

import re

import numpy as np

_S = r"[\t\n\f\r ]"  # RE2's \s (ASCII only)
_NS = r"[^\t\n\f\r ]"
_X = r"[0-9A-Fa-f]"
# pprof's procMapsRE and briefMapsRE. Possessive runs (``++``) where giving characters back
# can never lead to a match (the next item needs a character the run cannot hold), so
# Python's backtracking engine stays linear like RE2 on hostile lines.
_RANGE = rf"{_S}*(?:0x)?({_X}+)[\t\n\f\r -]?{_S}*(?:0x)?({_X}++):?"
_PERM = r"(?:[\t\n\f\r ]++([-rwxp]++))?"
_PROC_MAPS = re.compile(
    rf"{_RANGE}{_PERM}(?:{_S}++({_X}++))?{_S}++{_X}++:{_X}++{_S}++[0-9]++(?:{_S}++({_NS}++))?")
_BRIEF_MAPS = re.compile(rf"{_RANGE}{_PERM}(?:{_S}+({_NS}+))?(?:{_S}+\(@({_X}+)\))?(?:{_S}+({_X}+))?")
_LIB = re.compile(r"[.]so$|[.]so[._][0-9]+")
_U64 = (1 << 64) - 1
_LEAD_HEX = re.compile(rf"{_S}*(?:0x)?({_X}*)(?:[\t\n\f\r -]?{_S}*(?:0x)?({_X}*))?")
_TO_SPACE = str.maketrans("\t\n\f\r", "    ")
_MAX_HEX_RUN = 64

SENTINELS = ("--- Memory map: ---", "MAPPED_LIBRARIES:")


def is_sentinel(line: str) -> bool:
    """pprof's ``isMemoryMapSentinel``: the line *contains* one of the two markers."""
    return any(s in line for s in SENTINELS)


class Mapping:
    __slots__ = ("start", "limit", "offset", "file", "build_id")

    def __init__(self, start, limit, offset, file, build_id):
        self.start, self.limit, self.offset, self.file, self.build_id = start, limit, offset, file, build_id


def parse_maps(lines) -> list[Mapping]:
    """Mapping entries of the memory-map lines (pprof's ``parseProcMapsFromScanner``)."""
    out: list[Mapping] = []
    attrs: list[tuple[str, str]] = []
    for raw in lines:
        line = _remove_logging_info(raw)
        if attrs:
            line = _replace(line, attrs)
        e = _entry(line)
        if e is None:
            if "=" in line:
                k, v = line.split("=", 1)
                attrs.append(("$" + k.strip(" \t\n\r\f\v"), v.strip(" \t\n\r\f\v")))
            continue
        if e is not False:
            out.append(e)
    return out


def _remove_logging_info(line: str) -> str:
    r"""pprof's ``removeLoggingInfo``: drop a glog prefix matching ``^[^\[\]]+:[0-9]+]\s``.
    The run before ``:N]`` holds no bracket, so the ``]`` is the line's first bracket."""
    j = min((k for k in (line.find("["), line.find("]")) if k >= 0), default=-1)
    if j < 0 or line[j] != "]" or j + 1 >= len(line) or line[j + 1] not in " \t\n\f\r":
        return line
    k = line.rfind(":", 0, j)
    digits = line[k + 1:j]
    if k < 1 or not digits or digits.strip("0123456789"):
        return line
    return line[j + 2:]


def _replace(line: str, pairs: list[tuple[str, str]]) -> str:
    """``strings.NewReplacer(old1, new1, ...)``: at each position the first matching old string
    (in argument order) is replaced; no rescanning of the replacement."""
    out, i = [], 0
    while i < len(line):
        for k, v in pairs:
            if k and line.startswith(k, i):
                out.append(v)
                i += len(k)
                break
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def _entry(line: str):
    """One mapping (Mapping), a skipped non-executable one (False) or an unrecognized line (None)."""
    # Python's regexes backtrack where pprof's RE2 does not: whitespace runs become one
    # space (no pattern here tells them apart), and a line whose address range holds a hex
    # run longer than any address is unrecognized at once (it would split in O(n^2) ways).
    line = " ".join(filter(None, line.translate(_TO_SPACE).split(" ")))
    lead = _LEAD_HEX.match(line)
    if max(len(lead.group(1)), len(lead.group(2) or "")) > _MAX_HEX_RUN:
        return None
    m = _PROC_MAPS.match(line)
    if m:
        start, end, perm, offset, file = m.groups()
        build_id = None
    else:
        m = _BRIEF_MAPS.match(line)
        if not m:
            return None
        start, end, perm, file, offset, build_id = m.groups()
    if perm and "x" not in perm:
        return False
    vals = [int(start, 16), int(end, 16), int(offset, 16) if offset else 0]
    if any(v > _U64 for v in vals):
        return None  # pprof: ParseUint fails -> unrecognized line
    return Mapping(vals[0], vals[1], vals[2], file or "", build_id or "")


def _adjacent(a: Mapping, b: Mapping) -> bool:
    if a.file and b.file and a.file != b.file:
        return False
    if a.build_id and b.build_id and a.build_id != b.build_id:
        return False
    if a.limit != b.start:
        return False
    if a.offset and b.offset and (a.offset + (a.limit - a.start)) & _U64 != b.offset:
        return False
    return True


def massage(maps: list[Mapping]) -> list[Mapping]:
    """pprof's ``massageMappings`` and the mapping fixes at the start of ``remapMappingIDs``."""
    if len(maps) > 1:
        merged = [maps[0]]
        for m in maps[1:]:
            last = merged[-1]
            if _adjacent(last, m):
                last.limit = m.limit
                if m.file:
                    last.file = m.file
                if m.build_id:
                    last.build_id = m.build_id
                continue
            merged.append(m)
        maps = merged
    for i, m in enumerate(maps):
        f = m.file.replace("(deleted)", "").strip(" \t\n\r\f\v")
        if not f or _LIB.search(f) or f[0] == "[":
            continue
        maps[0], maps[i] = maps[i], maps[0]
        break
    if maps and maps[0].file.startswith("/anon_hugepage") and len(maps) > 1 and maps[0].limit == maps[1].start:
        maps = maps[1:]
    if maps and (maps[0].start - maps[0].offset) & _U64 == 0x400000:
        maps[0].start, maps[0].offset = 0x400000, 0
    return maps


def assign(maps: list[Mapping], addresses) -> np.ndarray:
    """Mapping row of each location address (pprof's ``remapMappingIDs``), appending the fake
    mapping to ``maps`` when some non-zero address has none; -1 for address 0.

    Vectorised: the first mapping (in list order) holding each address; then, for the
    addresses left, the first mapping with an offset reaching back to them (extended down).
    """
    a = np.asarray(addresses, np.uint64)
    out = np.full(len(a), -1, np.int64)
    if len(a) == 0:
        return out
    todo = a != 0
    if maps:
        start = np.array([m.start for m in maps], np.uint64)
        limit = np.array([m.limit for m in maps], np.uint64)
        order = np.lexsort((np.arange(len(maps)), start))
        s_sorted, l_sorted = start[order], limit[order]
        if len(maps) == 1 or (l_sorted[:-1] <= s_sorted[1:]).all():
            # disjoint (the usual case): the one candidate is the last start <= address
            k = np.searchsorted(s_sorted, a, side="right") - 1
            kk = np.maximum(k, 0)
            hit = todo & (k >= 0) & (a < l_sorted[kk])
            out[hit] = order[kk[hit]]
        else:  # overlapping entries: first in list order wins
            for j in range(len(maps)):
                hit = todo & (out < 0) & (start[j] <= a) & (a < limit[j])
                out[hit] = j
        left = np.nonzero(todo & (out < 0))[0]
        for j, m in enumerate(maps):
            if not m.offset or len(left) == 0:
                continue
            low = (m.start - m.offset) & _U64
            hit = (np.uint64(low) <= a[left]) & (a[left] < np.uint64(m.start))
            if hit.any():
                m.start, m.offset = low, 0
                out[left[hit]] = j
                left = left[~hit]
    rest = todo & (out < 0)
    if rest.any():
        maps.append(Mapping(0, _U64, 0, "", ""))
        out[rest] = len(maps) - 1
    return out


def mapping_columns(maps: list[Mapping], intern) -> dict:
    """ProfileData ``map_*`` fields for ``maps`` (ids 1..n, no has_* flags: not symbolized)."""
    n = len(maps)
    return dict(
        map_id=np.arange(1, n + 1, dtype=np.uint64),
        map_start=np.array([m.start for m in maps], np.uint64),
        map_limit=np.array([m.limit for m in maps], np.uint64),
        map_offset=np.array([m.offset for m in maps], np.uint64),
        map_filename=np.array([intern(m.file) for m in maps], np.int64),
        map_build_id=np.array([intern(m.build_id) for m in maps], np.int64),
        map_flags=np.zeros((n, 4), bool),
    )
