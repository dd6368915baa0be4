"""Granularity: which frames pprof merges into one report node.

A node is pprof's ``graph.NodeInfo`` after ``Profile.Aggregate``: the tuple
``(Name, OrigName, Address, File, StartLine, Lineno, Columnno, Objfile)``.
Each location contributes one node per line (inline frames expanded), or one
address-only node when it has no lines; ``noinlines`` keeps only the last
line (the physical caller).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..errors import OptionError
from ..model.data import ProfileData

GRANULARITIES = ("functions", "filefunctions", "files", "lines", "addresses")

# (function, filename, linenumber, address) kept -- pprof's driver.aggregate
_KEEP = {
    "functions": (True, False, False, False),
    "filefunctions": (True, True, False, False),
    "files": (False, True, False, False),
    "lines": (True, True, True, False),
    "addresses": (True, True, True, True),
}


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` for slash paths (unlike ``posixpath.normpath``, ``//x`` becomes ``/x``)."""
    if not path:
        return "."
    out = posixpath.normpath(path)
    if out.startswith("//"):
        out = "/" + out.lstrip("/")
    return out


def pprof_filename(name: str) -> str:
    """A function's file name as pprof's reports show it: ``trimPath`` defaults, then ``filepath.Clean``."""
    for prefix in ("/proc/self/cwd/./", "/proc/self/cwd/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return go_clean(name) if name else ""


@dataclass(frozen=True)
class NodeTable:
    """Report nodes of one granularity.

    ``slot_offsets`` (per location row) index ``slot_node`` (node id per
    remaining line slot, innermost first); ``info`` is a DataFrame with one row
    per node: the NodeInfo fields plus ``name`` (pprof's printable name),
    ``function`` and ``file``.
    """

    granularity: str
    noinlines: bool
    slot_offsets: np.ndarray
    slot_node: np.ndarray
    slot_inline: np.ndarray  # the slot is an inlined call (not the location's last line)
    info: pd.DataFrame

    @property
    def n_nodes(self) -> int:
        return len(self.info)


def build_nodes(data: ProfileData, granularity: str = "functions", *, noinlines: bool = False, showcolumns: bool = False) -> NodeTable:
    """Map every (location, line) slot of ``data`` to a report node id."""
    if granularity not in _KEEP:
        raise OptionError(f"granularity {granularity!r} must be one of {', '.join(GRANULARITIES)}")
    keep_fn, keep_file, keep_line, keep_addr = _KEEP[granularity]
    aggregate = not (granularity == "addresses" and not noinlines)  # pprof skips Aggregate there
    keep_col = showcolumns or not aggregate
    if not aggregate:
        keep_fn = keep_file = keep_line = keep_addr = True

    nloc = data.loc_id.size
    if noinlines:  # one slot per location: its last line (the physical call), or none
        nlines = np.diff(data.loc_line_offsets)
        slot_line = np.where(nlines > 0, data.loc_line_offsets[1:] - 1, -1)
        slot_offsets = np.arange(nloc + 1, dtype=np.int64)
        slot_loc = np.arange(nloc)
        slot_inline = np.zeros(nloc, bool)
    else:
        slot_offsets, slot_loc, within, slot_line = data.slots()
        slot_inline = within != (np.diff(slot_offsets)[slot_loc] - 1)

    has_fn = slot_line >= 0
    li = np.where(has_fn, slot_line, 0)
    fi = np.where(has_fn, data.line_function[li] if data.line_function.size else 0, 0)
    strings = np.asarray(data.strings, dtype=object)

    address = data.loc_address[slot_loc] if keep_addr else np.zeros(slot_loc.size, np.uint64)
    if data.func_name.size:
        name_idx = np.where(has_fn & keep_fn, data.func_name[fi], 0)
        file_idx = np.where(has_fn & keep_file, data.func_filename[fi], 0)
        start_line = data.func_start_line[fi]
    else:
        name_idx = file_idx = start_line = np.zeros(slot_loc.size, np.int64)
    lineno = np.where(has_fn & keep_line, data.line_line[li] if data.line_line.size else 0, 0)
    colno = np.where(has_fn & keep_col, data.line_column[li] if data.line_column.size else 0, 0)
    no_name = name_idx == 0
    mfile = np.where(data.loc_mapping[slot_loc] >= 0, data.map_filename[np.maximum(data.loc_mapping[slot_loc], 0)] if data.map_filename.size else 0, 0)
    objfile_idx = np.where(no_name, mfile, 0)
    start_line = np.where(no_name & has_fn, start_line, 0)

    # file names are cleaned per distinct string, not per slot
    uniq_files, inv = np.unique(file_idx, return_inverse=True)
    cleaned = np.array([pprof_filename(strings[u]) for u in uniq_files], dtype=object)
    file_str = cleaned[inv]

    key = pd.DataFrame({
        "Name": strings[name_idx], "Address": address, "File": file_str, "StartLine": start_line,
        "Lineno": lineno, "Columnno": colno, "Objfile": strings[objfile_idx],
    })
    codes = key.groupby(list(key.columns), sort=False, dropna=False).ngroup().to_numpy()
    info = key.drop_duplicates().reset_index(drop=True)
    info["name"] = [_printable(r) for r in info.astype(object).itertuples(index=False)]
    return NodeTable(granularity, noinlines, slot_offsets, np.asarray(codes, np.int64), slot_inline, info)


def _printable(r) -> str:
    """pprof's ``NodeInfo.PrintableName``."""
    parts = []
    if r.Address:
        parts.append(f"{int(r.Address):016x}")
    if r.Name:
        parts.append(r.Name)
    if r.Lineno:
        s = f"{r.File}:{r.Lineno}"
        if r.Columnno:
            s += f":{r.Columnno}"
        parts.append(s)
    elif r.File:
        parts.append(r.File)
    elif r.Name:
        pass
    elif r.Objfile:
        parts.append("[" + posixpath.basename(r.Objfile.rstrip("/") or "/") + "]")
    else:
        parts.append("<unknown>")
    return " ".join(parts)


def sprint_key(r) -> str:
    """``fmt.Sprint(NodeInfo)``: pprof's final tie-break between equally named nodes."""
    return f"{{{r.Name}  {int(r.Address)} {r.File} {int(r.StartLine)} {int(r.Lineno)} {int(r.Columnno)} {r.Objfile}}}"
