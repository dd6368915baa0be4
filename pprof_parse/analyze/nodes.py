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
from gopherlab_common.lazy import LazyModule, pd  # pandas on first use

from ..errors import OptionError
from ..model.data import ProfileData

pa = LazyModule("pyarrow")  # the names joined column-wise
pc = LazyModule("pyarrow.compute")

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

    # grouped on integer codes (equal strings share one), the strings taken for the nodes only
    canon = pd.factorize(pd.Series(strings, dtype=object))[0] if strings.size else np.zeros(0, np.int64)
    file_code = pd.factorize(pd.Series(cleaned, dtype=object))[0][inv] if cleaned.size else inv
    key = pd.DataFrame({
        "Name": canon[name_idx], "Address": address, "File": file_code, "StartLine": start_line,
        "Lineno": lineno, "Columnno": colno, "Objfile": canon[objfile_idx],
    })
    codes = key.groupby(list(key.columns), sort=False).ngroup().to_numpy()
    first = np.unique(codes, return_index=True)[1]  # each node's first slot (nodes numbered in that order)
    info = pd.DataFrame({
        "Name": strings[name_idx[first]], "Address": address[first], "File": file_str[first],
        "StartLine": start_line[first], "Lineno": lineno[first], "Columnno": colno[first],
        "Objfile": strings[objfile_idx[first]],
    })
    info["name"] = printable_names(info)
    return NodeTable(granularity, noinlines, slot_offsets, np.asarray(codes, np.int64), slot_inline, info)


def _columns(info: pd.DataFrame, names) -> list[list]:
    """Columns of ``info`` as lists of Python objects (iterating pandas' arrow-backed strings or
    ``itertuples`` row by row is several times slower)."""
    return [info[c].to_numpy(dtype=object).tolist() for c in names]


def printable_names(info: pd.DataFrame) -> list[str]:
    """pprof's ``NodeInfo.PrintableName`` of every row of a :class:`NodeTable`'s ``info``: the hex
    address, the name and ``file:line[:column]`` (or the file, or for a node without name and
    file ``[objfile base name]``, or ``<unknown>``) joined by spaces, the empty parts left out.
    Joined column-wise by Arrow (a part left out is a null)."""
    text = pa.large_string()
    address, line, col = (info[c].to_numpy() for c in ("Address", "Lineno", "Columnno"))
    name, file = (pa.array(info[c].to_numpy(dtype=object), text) for c in ("Name", "File"))
    no_name = pc.equal(name, "").to_numpy(zero_copy_only=False)
    no_file = pc.equal(file, "").to_numpy(zero_copy_only=False)
    hexes = np.full(address.size, None, dtype=object)
    hexes[address != 0] = [f"{int(a):016x}" for a in address[address != 0]]
    colon = pa.scalar(":", text)
    at = pc.binary_join_element_wise(file, pa.array(line).cast(text), colon)
    at = pc.if_else(pa.array(col != 0), pc.binary_join_element_wise(at, pa.array(col).cast(text), colon), at)
    bare = np.full(address.size, None, dtype=object)  # no line, file or name: the mapping file, or <unknown>
    for i in np.flatnonzero((line == 0) & no_file & no_name):
        objfile = info["Objfile"].iat[i]
        bare[i] = "[" + posixpath.basename(objfile.rstrip("/") or "/") + "]" if objfile else "<unknown>"
    where = pc.if_else(pa.array(line != 0), at, pc.if_else(pa.array(~no_file), file, pa.array(bare, text)))
    named = pc.if_else(pa.array(no_name), pa.scalar(None, text), name)
    return pc.binary_join_element_wise(pa.array(hexes, text), named, where, pa.scalar(" ", text),
                                       null_handling="skip").to_pylist()


def sprint_key(r) -> str:
    """``fmt.Sprint(NodeInfo)``: pprof's final tie-break between equally named nodes."""
    return f"{{{r.Name}  {int(r.Address)} {r.File} {int(r.StartLine)} {int(r.Lineno)} {int(r.Columnno)} {r.Objfile}}}"


def sprint_keys(info: pd.DataFrame) -> list[str]:
    """:func:`sprint_key` of every row of a :class:`NodeTable`'s ``info``, in order."""
    cols = _columns(info, ("Name", "Address", "File", "StartLine", "Lineno", "Columnno", "Objfile"))
    return [f"{{{n}  {int(a)} {f} {int(s)} {int(ln)} {int(c)} {o}}}" for n, a, f, s, ln, c, o in zip(*cols)]
