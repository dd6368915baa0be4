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
from typing import BinaryIO, NamedTuple, TextIO, Union

import numpy as np

from ..model.grouping import group_samples
from ..model.strings import StringTable
from ..analyze.sample_index import resolve_sample_index
from ..model.data import ProfileData
from ..proto import profile_pb2 as pb
from ..proto.wire import LEN, VARINT, put_varints, tag, varint_sizes

Dest = Union[str, os.PathLike, BinaryIO, None]


# ---- the samples, encoded column-wise ----------------------------------------------------------
# Field numbers are profile.proto's: Profile.sample = 2; Sample.location_id = 1, value = 2, label = 3;
# Label.key = 1, str = 2, num = 3, num_unit = 4.

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


def _length_prefixed(body: np.ndarray) -> np.ndarray:
    """Bytes of a length-delimited field with a one-byte tag and a payload of ``body`` bytes."""
    return 1 + varint_sizes(body) + body


class _Packed(NamedTuple):
    """A packed repeated varint field of every sample, laid out: ``counts`` items per sample,
    ``sizes`` bytes per item, ``body`` payload bytes and ``field_bytes`` in all per sample
    (0 for a sample with no items: proto3 writes no empty packed field)."""

    items: np.ndarray
    counts: np.ndarray
    sizes: np.ndarray
    body: np.ndarray
    field_bytes: np.ndarray


def _packed(items: np.ndarray, counts: np.ndarray) -> _Packed:
    sizes = varint_sizes(items)
    body = _sum_by(sizes, counts)
    return _Packed(items, counts, sizes, body, np.where(counts > 0, _length_prefixed(body), 0))


def _put_packed(out: np.ndarray, pos: np.ndarray, field: int, pk: _Packed) -> np.ndarray:
    """Write ``pk`` at ``pos`` (per sample); returns the positions after it."""
    has = pk.counts > 0
    out[pos[has]] = tag(field, LEN)
    put_varints(out, pos[has] + 1, pk.body[has], pk.field_bytes[has] - pk.body[has] - 1)
    item_pos = np.repeat(pos + pk.field_bytes - pk.body, pk.counts) + _offsets_within(pk.sizes, pk.counts)
    put_varints(out, item_pos, pk.items, pk.sizes)
    return pos + pk.field_bytes


class _Labels(NamedTuple):
    """Every sample's Label messages, laid out: ``fields`` (key, str, num, num_unit per label, grouped
    by sample, string labels first within a sample), ``field_bytes`` of each (0 when zero: proto3
    omits it), ``body`` per label, ``per_sample`` labels and ``sample_bytes`` of them per sample."""

    fields: list[np.ndarray]
    field_bytes: list[np.ndarray]
    body: np.ndarray
    per_sample: np.ndarray
    sample_bytes: np.ndarray


def _labels(d: ProfileData) -> _Labels:
    nsl, nnl = d.label_sample.size, d.numlabel_sample.size
    owner = np.concatenate([d.label_sample, d.numlabel_sample]).astype(np.int64)
    order = np.argsort(owner, kind="stable")
    zs, zn = np.zeros(nsl, np.int64), np.zeros(nnl, np.int64)
    fields = [np.concatenate(c).astype(np.int64)[order] for c in (
        (d.label_key, d.numlabel_key), (d.label_str, zn), (zs, d.numlabel_num), (zs, d.numlabel_unit))]
    field_bytes = [np.where(f != 0, 1 + varint_sizes(f), 0) for f in fields]
    body = field_bytes[0] + field_bytes[1] + field_bytes[2] + field_bytes[3]
    per_sample = np.bincount(owner, minlength=d.n_samples).astype(np.int64)
    return _Labels(fields, field_bytes, body, per_sample, _sum_by(_length_prefixed(body), per_sample))


def _put_labels(out: np.ndarray, pos: np.ndarray, lab: _Labels) -> None:
    """Write the Label messages (field 3) of each sample at ``pos`` (per sample)."""
    q = np.repeat(pos, lab.per_sample) + _offsets_within(_length_prefixed(lab.body), lab.per_sample)
    out[q] = tag(3, LEN)
    body_len = varint_sizes(lab.body)
    put_varints(out, q + 1, lab.body, body_len)
    q = q + 1 + body_len
    for k, (f, fb) in enumerate(zip(lab.fields, lab.field_bytes), start=1):
        nz = fb > 0
        out[q[nz]] = tag(k, VARINT)
        put_varints(out, q[nz] + 1, f[nz], fb[nz] - 1)
        q = q + fb


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
    locs = _packed(d.loc_id[d.stack_locs].astype(np.uint64), np.diff(d.stack_offsets))
    vals = _packed(d.values.reshape(-1), np.full(ns, d.values.shape[1], np.int64))
    labels = _labels(d)
    body = locs.field_bytes + vals.field_bytes + labels.sample_bytes
    total = _length_prefixed(body)
    start = np.cumsum(total) - total
    out = np.zeros(int(total.sum()), np.uint8)
    out[start] = tag(2, LEN)
    body_len = varint_sizes(body)
    put_varints(out, start + 1, body, body_len)
    p = _put_packed(out, start + 1 + body_len, 1, locs)
    p = _put_packed(out, p, 2, vals)
    if labels.body.size:
        _put_labels(out, p, labels)
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
