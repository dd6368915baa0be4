"""Write a profile back: gzip profile.proto (for ``go tool pprof``) and folded stacks.

:func:`to_proto` encodes :class:`~pprof_parse.model.data.ProfileData` as the
profile.proto message pprof's ``profile.Parse`` reads (``profile/encode.go``);
the samples, the bulk of a profile, are encoded column-wise with numpy (one
pass per field, no Python object per sample), the tables through the
``protobuf`` package. :func:`to_collapsed` writes Brendan Gregg's folded
stack format (``root;caller;leaf value``) that flamegraph.pl, speedscope and
inferno read.
"""

from __future__ import annotations

import gzip
import os
from typing import BinaryIO, TextIO, Union

import numpy as np

from ..analyze.merge import StringTable
from ..analyze.sample_index import resolve_sample_index
from ..model.data import ProfileData
from ..proto import profile_pb2 as pb

Dest = Union[str, os.PathLike, BinaryIO, None]


# ---- vectorised protobuf wire encoding -----------------------------------------------
def _varint_lengths(v: np.ndarray) -> np.ndarray:
    """Bytes each uint64 takes as a varint (1..10)."""
    v = v.astype(np.uint64, copy=False)
    n = np.ones(v.shape, np.int64)
    for k in range(1, 10):
        n += v >= np.uint64(1 << (7 * k))
    return n


def _encode_varints(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Varint bytes of every value (int64 negatives as two's complement, as protobuf does)."""
    v = np.asarray(v).astype(np.int64, copy=False).view(np.uint64) if np.asarray(v).dtype != np.uint64 else np.asarray(v)
    lens = _varint_lengths(v)
    total = int(lens.sum())
    owner = np.repeat(np.arange(v.size), lens)
    k = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)  # byte number within the varint
    byte = (v[owner] >> (7 * k).astype(np.uint64)) & np.uint64(0x7F)
    more = k < lens[owner] - 1
    out = (byte | np.where(more, np.uint64(0x80), np.uint64(0))).astype(np.uint8)
    return out, lens


class _Chunks:
    """Byte strings owned by messages, assembled per owner in (owner, rank, insertion) order."""

    def __init__(self, n_owners: int):
        self.n = n_owners
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []  # bytes, lens, owners, rank

    def add(self, data: np.ndarray, lens: np.ndarray, owners: np.ndarray, rank: int) -> None:
        if lens.size:
            self.parts.append((data, lens, owners, rank))

    def add_varint_field(self, field: int, values: np.ndarray, owners: np.ndarray, rank: int) -> None:
        """One ``field`` varint per (owner, value), skipping zeros as proto3 does."""
        nz = values != 0
        data, lens = _encode_varints(values[nz])
        tag = np.uint8(field << 3)
        pos = np.cumsum(lens) - lens
        out = np.insert(data, pos, tag)
        self.add(out, lens + 1, owners[nz], rank)

    def add_packed_field(self, field: int, values: np.ndarray, counts: np.ndarray, rank: int) -> None:
        """A packed repeated varint field holding ``counts[i]`` consecutive values for owner ``i``."""
        data, lens = _encode_varints(values)
        owners = np.repeat(np.arange(self.n), counts)
        body = np.bincount(owners, weights=lens, minlength=self.n).astype(np.int64) if owners.size else np.zeros(self.n, np.int64)
        has = counts > 0
        hdr_data, hdr_lens = _encode_varints(body[has])
        hdr_pos = np.cumsum(hdr_lens) - hdr_lens
        hdr = np.insert(hdr_data, hdr_pos, np.uint8((field << 3) | 2))
        self.add(hdr, hdr_lens + 1, np.nonzero(has)[0], rank)
        self.add(data, body[has], np.nonzero(has)[0], rank + 1)  # values are already grouped by owner

    def assemble(self) -> tuple[np.ndarray, np.ndarray]:
        """``(bytes, length per owner)`` with each owner's chunks in order."""
        if not self.parts:
            return np.zeros(0, np.uint8), np.zeros(self.n, np.int64)
        data = np.concatenate([p[0] for p in self.parts])
        lens = np.concatenate([p[1] for p in self.parts])
        owners = np.concatenate([p[2] for p in self.parts]).astype(np.int64)
        rank = np.concatenate([np.full(p[1].size, p[3]) for p in self.parts])
        order = np.lexsort((np.arange(lens.size), rank, owners))
        return _gather(data, lens, order), np.bincount(owners, weights=lens, minlength=self.n).astype(np.int64)


def _gather(data: np.ndarray, lens: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Concatenate the byte segments (``lens`` back to back in ``data``) in ``order``."""
    starts = np.cumsum(lens) - lens
    ol = lens[order]
    total = int(ol.sum())
    out_starts = np.cumsum(ol) - ol
    idx = np.arange(total) + np.repeat(starts[order] - out_starts, ol)
    return data[idx]


def _wrap(field: int, body: np.ndarray, lens: np.ndarray) -> bytes:
    """Encode each owner's body (back to back in ``body``) as one length-delimited ``field``."""
    hdr, hlens = _encode_varints(lens)
    hpos = np.cumsum(hlens) - hlens
    hdr = np.insert(hdr, hpos, np.uint8((field << 3) | 2))
    n = lens.size
    data = np.concatenate([hdr, body])
    seg = np.concatenate([hlens + 1, lens])
    order = np.empty(2 * n, np.int64)
    order[0::2] = np.arange(n)
    order[1::2] = n + np.arange(n)
    return _gather(data, seg, order).tobytes()


def _encode_samples(d: ProfileData) -> bytes:
    """All ``Profile.sample`` fields (field 2), encoded column-wise."""
    ns = d.n_samples
    if ns == 0:
        return b""
    ch = _Chunks(ns)
    ch.add_packed_field(1, d.loc_id[d.stack_locs].astype(np.uint64), np.diff(d.stack_offsets), rank=0)
    nt = d.values.shape[1]
    ch.add_packed_field(2, d.values.reshape(-1), np.full(ns, nt, np.int64), rank=2)
    # labels: one Label message each, string labels first (pprof writes them first too)
    lab_owner = np.concatenate([d.label_sample, d.numlabel_sample]).astype(np.int64)
    nl = lab_owner.size
    if nl:
        z = np.zeros(d.numlabel_sample.size, np.int64)
        lab = _Chunks(nl)
        idx = np.arange(nl)
        lab.add_varint_field(1, np.concatenate([d.label_key, d.numlabel_key]).astype(np.int64), idx, 0)
        lab.add_varint_field(2, np.concatenate([d.label_str, z]).astype(np.int64), idx, 1)
        lab.add_varint_field(3, np.concatenate([np.zeros(d.label_sample.size, np.int64), d.numlabel_num]).astype(np.int64), idx, 2)
        lab.add_varint_field(4, np.concatenate([np.zeros(d.label_sample.size, np.int64), d.numlabel_unit]).astype(np.int64), idx, 3)
        body, blens = lab.assemble()
        order = np.argsort(lab_owner, kind="stable")
        body = _gather(body, blens, order)
        blens = blens[order]
        hdr, hlens = _encode_varints(blens)
        hdr = np.insert(hdr, np.cumsum(hlens) - hlens, np.uint8((3 << 3) | 2))
        # interleave header, body per label
        data = np.concatenate([hdr, body])
        seg = np.concatenate([hlens + 1, blens])
        il = np.empty(2 * nl, np.int64)
        il[0::2] = np.arange(nl)
        il[1::2] = nl + np.arange(nl)
        merged = _gather(data, seg, il)
        ch.add(merged, hlens + 1 + blens, lab_owner[order], rank=4)
    body, lens = ch.assemble()
    return _wrap(2, body, lens)


# ---- the rest of the message ----------------------------------------------------------------
def encode_profile(d: ProfileData) -> bytes:
    """Serialize to uncompressed profile.proto bytes.

    Ids are written as they are (pprof requires them non-zero and unique, as
    :func:`~pprof_parse.read.proto.decode_proto` already checked); header
    strings (``drop_frames``, ``doc_url``, comments ...) are added to the
    string table when missing. A location without a mapping gets
    ``mapping_id`` 0, which pprof accepts.
    """
    sidx = StringTable(d.strings)

    m = pb.Profile()
    for t in d.sample_types:
        m.sample_type.add(type=sidx(t.type), unit=sidx(t.unit))
    fl = d.map_flags.reshape(-1, 4)
    for j in range(d.map_id.size):
        m.mapping.add(id=int(d.map_id[j]), memory_start=int(d.map_start[j]), memory_limit=int(d.map_limit[j]),
                      file_offset=int(d.map_offset[j]), filename=int(d.map_filename[j]), build_id=int(d.map_build_id[j]),
                      has_functions=bool(fl[j, 0]), has_filenames=bool(fl[j, 1]),
                      has_line_numbers=bool(fl[j, 2]), has_inline_frames=bool(fl[j, 3]))
    map_ids = np.where(d.loc_mapping >= 0, d.map_id[np.maximum(d.loc_mapping, 0)] if d.map_id.size else 0, 0).astype(np.uint64)
    fids = d.func_id[d.line_function].tolist() if d.line_function.size else []
    lines, cols = d.line_line.tolist(), d.line_column.tolist()
    offs = d.loc_line_offsets.tolist()
    for j, (lid, mid, addr, folded) in enumerate(zip(d.loc_id.tolist(), map_ids.tolist(), d.loc_address.tolist(), d.loc_is_folded.tolist())):
        loc = m.location.add(id=lid, mapping_id=mid, address=addr, is_folded=folded)
        for k in range(offs[j], offs[j + 1]):
            loc.line.add(function_id=fids[k], line=lines[k], column=cols[k])
    for fid, name, sysname, fname, start in zip(d.func_id.tolist(), d.func_name.tolist(), d.func_system_name.tolist(),
                                              d.func_filename.tolist(), d.func_start_line.tolist()):
        m.function.add(id=fid, name=name, system_name=sysname, filename=fname, start_line=start)
    if d.drop_frames:
        m.drop_frames = sidx(d.drop_frames)
    if d.keep_frames:
        m.keep_frames = sidx(d.keep_frames)
    m.time_nanos = int(d.time_nanos)
    m.duration_nanos = int(d.duration_nanos)
    m.period_type.type = sidx(d.period_type.type)
    m.period_type.unit = sidx(d.period_type.unit)
    m.period = int(d.period)
    for c in d.comments:
        m.comment.append(sidx(c))
    if d.default_sample_type:
        m.default_sample_type = sidx(d.default_sample_type)
    if d.doc_url:
        m.doc_url = sidx(d.doc_url)
    m.string_table.extend(sidx.strings)
    return m.SerializeToString() + _encode_samples(d)


def to_proto(d: ProfileData, dest: Dest = None, *, compresslevel: int = 6) -> bytes | None:
    """Write gzip-compressed profile.proto, as ``go tool pprof -proto`` does.

    Parameters
    ----------
    d : ProfileData
    dest : str, os.PathLike, binary file or None
        Where to write; ``None`` returns the bytes.
    compresslevel : int
        gzip level (pprof uses Go's default, 6; the runtime uses 1).

    Returns
    -------
    bytes or None
        The gzip bytes when ``dest`` is None.
    """
    out = gzip.compress(encode_profile(d), compresslevel=compresslevel, mtime=0)
    if dest is None:
        return out
    if isinstance(dest, (str, os.PathLike)):
        with open(dest, "wb") as f:
            f.write(out)
    else:
        dest.write(out)
    return None


def to_collapsed(d: ProfileData, sample_index=None, dest: Union[str, os.PathLike, TextIO, None] = None) -> str | None:
    """Folded stacks: one ``root;caller;...;leaf value`` line per distinct stack.

    The format of flamegraph.pl's ``stackcollapse`` scripts, read by
    flamegraph.pl, speedscope and inferno. Frames are function names with
    inlined frames expanded (as pprof's graph does: each Line is a frame, the
    physical caller first); an unsymbolized location is written as its
    address (``0x4a5f10``). Samples with equal frame lists are summed; stacks
    whose sum is 0 are left out. Lines are sorted by stack.

    Parameters
    ----------
    sample_index : int or str, optional
        Which value to write, chosen as :meth:`Profile.top` does
        (``default_sample_type``, else the last sample type).
    dest : str, os.PathLike, text file or None
        Where to write; ``None`` returns the text.

    Raises
    ------
    SampleTypeError
        Unknown sample index.
    """
    si = resolve_sample_index(d, sample_index)
    nlines = np.diff(d.loc_line_offsets)
    names = [d.strings[int(i)] for i in d.func_name]
    lf, offs = d.line_function.tolist(), d.loc_line_offsets.tolist()
    addrs = d.loc_address.tolist()
    loc_label = []
    for j in range(d.loc_id.size):
        if nlines[j] == 0:
            loc_label.append(f"{addrs[j]:#x}")
        else:  # lines are innermost first; the folded format goes root -> leaf
            loc_label.append(";".join((names[lf[k]] or f"{addrs[j]:#x}").replace(";", ":")
                                      for k in range(offs[j + 1] - 1, offs[j] - 1, -1)))
    vals = d.values[:, si] if d.n_samples else np.zeros(0, np.int64)
    locs = d.stack_locs.tolist()
    so = d.stack_offsets.tolist()
    acc: dict[str, int] = {}
    by_stack: dict[tuple, str] = {}
    for i, v in enumerate(vals.tolist()):
        key = tuple(locs[so[i]:so[i + 1]])
        s = by_stack.get(key)
        if s is None:
            s = by_stack[key] = ";".join(loc_label[j] for j in reversed(key))
        acc[s] = acc.get(s, 0) + v
    text = "".join(f"{s} {v}\n" for s, v in sorted(acc.items()) if v != 0 and s)
    if dest is None:
        return text
    if isinstance(dest, (str, os.PathLike)):
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        dest.write(text)
    return None
