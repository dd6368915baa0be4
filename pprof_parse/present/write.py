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

from ..model.grouping import group_samples
from ..model.strings import StringTable
from ..analyze.sample_index import resolve_sample_index
from ..model.data import ProfileData
from ..proto import profile_pb2 as pb

Dest = Union[str, os.PathLike, BinaryIO, None]


# ---- vectorised protobuf wire encoding -----------------------------------------------
def _u64(v) -> np.ndarray:
    """Values as the uint64 protobuf puts on the wire (int64 negatives: two's complement)."""
    v = np.asarray(v)
    return v if v.dtype == np.uint64 else v.astype(np.int64, copy=False).view(np.uint64)


def _varint_lengths(v: np.ndarray) -> np.ndarray:
    """Bytes each value takes as a varint (1..10)."""
    v = _u64(v)
    n = np.ones(v.shape, np.int64)
    top = int(v.max()) if v.size else 0
    for k in range(1, 10):
        if top < (1 << (7 * k)):
            break
        n += v >= np.uint64(1 << (7 * k))
    return n


def _put_varints(out: np.ndarray, pos: np.ndarray, v: np.ndarray, lens: np.ndarray) -> None:
    """Write varint ``v[i]`` (``lens[i]`` bytes) at ``out[pos[i]:]``, one length class at a time."""
    v = _u64(v)
    classes = np.bincount(lens, minlength=11) if lens.size else np.zeros(11, np.int64)
    for n in np.nonzero(classes)[0].tolist():
        if classes[n] == lens.size:
            vv, pp = v, pos
        else:
            m = lens == n
            vv, pp = v[m], pos[m]
        for k in range(n):
            byte = (vv >> np.uint64(7 * k)) & np.uint64(0x7F)
            if k < n - 1:
                byte |= np.uint64(0x80)
            out[pp + k] = byte.astype(np.uint8)


def _encode_varints(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Varint bytes of every value, back to back, and their lengths."""
    lens = _varint_lengths(v)
    out = np.zeros(int(lens.sum()), np.uint8)
    _put_varints(out, np.cumsum(lens) - lens, v, lens)
    return out, lens


def _offsets_within(lens: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Exclusive running sum of ``lens`` restarting for each group (groups of ``counts`` consecutive items)."""
    cs = np.cumsum(lens) - lens
    starts = np.cumsum(counts) - counts
    base = cs[np.minimum(starts, max(cs.size - 1, 0))] if cs.size else cs
    return cs - np.repeat(base, counts)


def _sum_by(lens: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sum of ``lens`` per group of ``counts`` consecutive items."""
    cs = np.concatenate(([0], np.cumsum(lens)))
    ends = np.cumsum(counts)
    return cs[ends] - cs[ends - counts]


def _encode_samples(d: ProfileData) -> bytes:
    """All ``Profile.sample`` fields (field 2), written column-wise straight into one buffer.

    Each sample is ``location_id`` (packed, field 1), ``value`` (packed, field 2) and
    one ``Label`` message (field 3) per label, string labels first. Every varint's
    output position is computed from running sums, so the cost is a few numpy passes
    over the ids and values, not a Python object per sample.
    """
    ns = d.n_samples
    if ns == 0:
        return b""
    nt = d.values.shape[1]
    # packed location ids and values
    locs = d.loc_id[d.stack_locs].astype(np.uint64)
    nloc = np.diff(d.stack_offsets)
    loc_len = _varint_lengths(locs)
    loc_body = _sum_by(loc_len, nloc)
    loc_hdr = np.where(nloc > 0, 1 + _varint_lengths(loc_body), 0)
    vals = d.values.reshape(-1)
    val_len = _varint_lengths(vals)
    nval = np.full(ns, nt, np.int64)
    val_body = _sum_by(val_len, nval)
    val_hdr = np.where(nval > 0, 1 + _varint_lengths(val_body), 0)
    # labels, grouped by sample (string labels before numeric ones within a sample)
    nsl, nnl = d.label_sample.size, d.numlabel_sample.size
    lab_sample = np.concatenate([d.label_sample, d.numlabel_sample]).astype(np.int64)
    order = np.argsort(lab_sample, kind="stable")
    lab_sample = lab_sample[order]
    zs, zn = np.zeros(nsl, np.int64), np.zeros(nnl, np.int64)
    fields = [np.concatenate(c).astype(np.int64)[order] for c in (
        (d.label_key, d.numlabel_key), (d.label_str, zn), (zs, d.numlabel_num), (zs, d.numlabel_unit))]
    flen = [np.where(f != 0, 1 + _varint_lengths(f), 0) for f in fields]  # proto3: zero fields omitted
    lab_body = flen[0] + flen[1] + flen[2] + flen[3]
    lab_total = 1 + _varint_lengths(lab_body) + lab_body
    nlab = np.bincount(lab_sample, minlength=ns).astype(np.int64)
    lab_sum = _sum_by(lab_total, nlab)
    body = loc_hdr + loc_body + val_hdr + val_body + lab_sum
    total = 1 + _varint_lengths(body) + body
    start = np.cumsum(total) - total
    out = np.zeros(int(total.sum()), np.uint8)
    # sample header
    out[start] = (2 << 3) | 2
    blen = _varint_lengths(body)
    _put_varints(out, start + 1, body, blen)
    p = start + 1 + blen
    # location_id
    has = nloc > 0
    out[p[has]] = (1 << 3) | 2
    _put_varints(out, p[has] + 1, loc_body[has], loc_hdr[has] - 1)
    lp = np.repeat(p + loc_hdr, nloc) + _offsets_within(loc_len, nloc)
    _put_varints(out, lp, locs, loc_len)
    p = p + loc_hdr + loc_body
    # value
    out[p] = (2 << 3) | 2
    _put_varints(out, p + 1, val_body, val_hdr - 1)
    vp = np.repeat(p + val_hdr, nval) + _offsets_within(val_len, nval)
    _put_varints(out, vp, vals, val_len)
    p = p + val_hdr + val_body
    # labels
    if lab_sample.size:
        q = np.repeat(p, nlab) + _offsets_within(lab_total, nlab)
        out[q] = (3 << 3) | 2
        bl = _varint_lengths(lab_body)
        _put_varints(out, q + 1, lab_body, bl)
        q = q + 1 + bl
        for k, (f, fl) in enumerate(zip(fields, flen), start=1):
            nz = fl > 0
            out[q[nz]] = k << 3
            _put_varints(out, q[nz] + 1, f[nz], fl[nz] - 1)
            q = q + fl
    return out.tobytes()


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
    address (``0x4a5f10``). A ``;`` inside a name (Go's generic shapes, e.g.
    ``go.shape.struct { a; b }``) is written as ``:``, since ``;`` separates
    frames. Samples with equal frame lists are summed; stacks whose sum is 0
    are left out. Lines are sorted by stack.

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
    # sum per distinct location stack (vectorised), then name only the stacks left non-zero
    cnt = np.diff(d.stack_offsets)
    inv, rep = group_samples(d.stack_locs.astype(np.int64), cnt, np.zeros((0, 5), np.int64))
    sums = np.zeros(rep.size, np.int64)
    np.add.at(sums, inv, d.values[:, si] if d.n_samples else np.zeros(0, np.int64))
    locs = d.stack_locs.tolist()
    so = d.stack_offsets.tolist()
    acc: dict[str, int] = {}
    for g in np.nonzero(sums)[0].tolist():
        r = int(rep[g])
        s = ";".join(loc_label[j] for j in reversed(locs[so[r]:so[r + 1]]))
        acc[s] = acc.get(s, 0) + int(sums[g])  # equal names from different locations add up
    text = "".join(f"{s} {v}\n" for s, v in sorted(acc.items()) if v != 0 and s)
    if dest is None:
        return text
    if isinstance(dest, (str, os.PathLike)):
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        dest.write(text)
    return None
