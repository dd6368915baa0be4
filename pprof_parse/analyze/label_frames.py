"""pprof's ``-tagroot`` / ``-tagleaf``: pseudo-frames made of sample labels at the root or leaf of every stack.

:func:`add_label_frames` returns a :class:`~pprof_parse.model.data.ProfileData` whose stacks carry one
extra frame per requested label key, so every view built on stacks (top, peek, filters, call tree,
flame graph, folded stacks) shows them. The rules are pprof's (``internal/driver/tagroot.go``,
``addLabelNodes``; applied before any filter, so ``focus=`` and ``hide=`` can match the frames):

* a key list is a comma-separated string (empty items dropped) or a list of keys;
* every sample gets one frame per key, whether or not it carries the key;
* ``tagroot``: the first key is the new root; ``tagleaf``: the last key is the new leaf;
* a frame is a function named by the sample's values for the key joined with ``","`` (string
  values first, then numeric ones, each in file order) whose *file name* is the key; at the
  default ``functions`` granularity the node is thus named by the value (``"json"``), and a
  sample without the key gets a frame with an empty name (pprof prints it ``<unknown>``);
* numeric values are formatted as pprof's ``measurement.ScaledLabel``: when some value of the
  key in that sample has a ``num_unit``, scaled to ``unit`` (``"minimum"``: auto-scaled,
  ``"64kB"``), otherwise the bare number (Go's heap ``bytes`` label: ``"65536"``);
* one function and one location per distinct (name, key), numbered after the profile's largest
  ids in the order pprof meets them (sample by sample; root keys last to first, then leaf keys
  last to first); the locations have no mapping and address 0.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..errors import OptionError
from ..model.data import ProfileData
from .measurement import scaled_label


def parse_label_keys(option: str, keys: str | Iterable[str] | None) -> tuple[str, ...]:
    """The keys of a ``tagroot``/``tagleaf`` option: ``"a,b"`` or ``["a", "b"]`` -> ``("a", "b")``.

    Empty items are dropped (pprof's ``dropEmptyStrings``); ``None`` or ``""`` gives ``()``.

    Raises
    ------
    OptionError
        ``keys`` is neither a string nor an iterable of strings.
    """
    if keys is None:
        return ()
    items = keys.split(",") if isinstance(keys, str) else keys
    try:
        items = list(items)
    except TypeError:
        raise OptionError(f"{option} must be a comma-separated string or a list of label keys, not {keys!r}") from None
    bad = [k for k in items if not isinstance(k, str)]
    if bad:
        raise OptionError(f"{option}: label keys must be strings, not {bad[0]!r}")
    return tuple(k for k in items if k)


def add_label_frames(data: ProfileData, tagroot: str | Iterable[str] | None = None,
                     tagleaf: str | Iterable[str] | None = None, *, unit: str = "minimum") -> ProfileData:
    """``data`` with pprof's label pseudo-frames added to every stack (see the module docstring).

    Parameters
    ----------
    data : ProfileData
    tagroot, tagleaf : str or list of str, optional
        Label keys, as pprof's ``-tagroot=k1,k2`` / ``-tagleaf=k1,k2``.
    unit : str
        pprof's ``-unit`` for numeric values that have a ``num_unit`` (default ``"minimum"``).

    Returns
    -------
    ProfileData
        ``data`` itself when no key is given; otherwise a copy with ``len(tagroot) + len(tagleaf)``
        more entries in every stack and the new functions, locations and strings appended
        (existing rows, ids and string indices unchanged).

    Raises
    ------
    OptionError
        A key list that is not a string or a list of strings.
    """
    root = parse_label_keys("tagroot", tagroot)
    leaf = parse_label_keys("tagleaf", tagleaf)
    if not root and not leaf:
        return data
    # pprof's slot order: the leaf keys last-to-first before the stack, the root keys last-to-first after it
    leaf_slots, root_slots = list(reversed(leaf)), list(reversed(root))
    names = {key: _value_names(data, key, unit) for key in {*root, *leaf}}
    pair_of_slot, pairs = _frame_pairs(data.n_samples, [*root_slots, *leaf_slots], names)
    strings, index = _interned(data.strings, [s for pair in pairs for s in pair])
    data = _with_frame_locations(data, strings, [(index[name], index[key]) for name, key in pairs])
    new_loc = pair_of_slot + (data.loc_id.size - len(pairs))
    nr = len(root_slots)
    return _with_frames_in_stacks(data, leaf=new_loc[:, nr:], root=new_loc[:, :nr])


def _value_names(data: ProfileData, key: str, unit: str) -> tuple[np.ndarray, list[str]]:
    """``(code, names)``: sample ``i``'s frame name for ``key`` is ``names[code[i]]``; ``names[0] == ""``."""
    n = data.n_samples
    key_idx = [i for i, s in enumerate(data.strings) if s == key]
    smask = np.isin(data.label_key, key_idx)
    nmask = np.isin(data.numlabel_key, key_idx)
    table: dict[str, int] = {"": 0}
    s_sample, s_code = data.label_sample[smask].astype(np.int64), _string_codes(data, data.label_str[smask], table)
    n_sample = data.numlabel_sample[nmask].astype(np.int64)
    n_code = _number_codes(data, n_sample, data.numlabel_num[nmask], data.numlabel_unit[nmask], unit, table)
    # string values first, then numeric ones, each in file order (a stable sort keeps it)
    e_sample = np.concatenate([s_sample, n_sample])
    e_code = np.concatenate([s_code, n_code])
    order = np.argsort(e_sample, kind="stable")
    e_sample, e_code = e_sample[order], e_code[order]
    count = np.bincount(e_sample, minlength=n)
    code = np.zeros(n, np.int64)
    single = count[e_sample] == 1
    code[e_sample[single]] = e_code[single]
    names = list(table)
    starts = np.concatenate(([0], np.cumsum(count)))
    for i in np.flatnonzero(count > 1):  # several values: pprof joins them with ","
        text = ",".join(names[c] for c in e_code[starts[i]:starts[i + 1]])
        code[i] = table.setdefault(text, len(table))
    return code, list(table)


def _string_codes(data: ProfileData, str_idx: np.ndarray, table: dict[str, int]) -> np.ndarray:
    """Codes in ``table`` (extended) of string label values given as string-table indices."""
    uniq, inv = np.unique(str_idx, return_inverse=True)
    codes = np.array([table.setdefault(data.strings[int(u)], len(table)) for u in uniq], np.int64)
    return codes[inv] if uniq.size else np.zeros(0, np.int64)


def _number_codes(data: ProfileData, sample: np.ndarray, num: np.ndarray, unit_idx: np.ndarray, out_unit: str,
                  table: dict[str, int]) -> np.ndarray:
    """Codes in ``table`` (extended) of numeric label values formatted as pprof's ``formatLabelValues``:
    with the label's unit scaled to ``out_unit`` when any value of the key in the sample has a unit,
    else ``ScaledLabel(v, "", "")``."""
    if not num.size:
        return np.zeros(0, np.int64)
    with_unit = np.zeros(int(sample.max()) + 1, bool)
    with_unit[sample[unit_idx != 0]] = True
    # a row per distinct (value, unit, "the sample has units") triple
    rows = np.stack([num, unit_idx, with_unit[sample].astype(np.int64)], axis=1)
    uniq, inv = np.unique(rows, axis=0, return_inverse=True)
    texts = [scaled_label(int(v), data.strings[int(u)], out_unit) if w else scaled_label(int(v), "", "")
             for v, u, w in uniq]
    codes = np.array([table.setdefault(t, len(table)) for t in texts], np.int64)
    return codes[inv.reshape(-1)]


def _frame_pairs(n: int, slot_keys: list[str], names: dict[str, tuple[np.ndarray, list[str]]]):
    """``(pair_of_slot, pairs)``: the distinct ``(name, key)`` frames in pprof's interning order
    (sample by sample, slot by slot) and, per sample and slot, the position of its frame in ``pairs``
    (``(n, len(slot_keys))`` int64)."""
    base, offset = {}, 0
    for key, (_code, key_names) in names.items():
        base[key], offset = offset, offset + len(key_names)
    glob = np.stack([names[k][0] + base[k] for k in slot_keys], axis=1) if n else np.zeros((0, len(slot_keys)), np.int64)
    uniq, first, inv = np.unique(glob.reshape(-1), return_index=True, return_inverse=True)
    met = np.argsort(first, kind="stable")  # positions in uniq, in the order pprof meets them
    rank = np.empty(uniq.size, np.int64)
    rank[met] = np.arange(uniq.size)
    label_of = {base[k] + c: (nm, k) for k, (_code, key_names) in names.items() for c, nm in enumerate(key_names)}
    pairs = [label_of[int(uniq[j])] for j in met]
    return rank[inv.reshape(-1)].reshape(glob.shape), pairs


def _interned(strings: list[str], wanted: list[str]) -> tuple[list[str], dict[str, int]]:
    """``(strings, index)``: the string table with the ``wanted`` strings appended when missing,
    and the index of each wanted string (its first occurrence)."""
    index: dict[str, int] = {}
    for i, s in enumerate(strings):
        index.setdefault(s, i)
    added = [s for s in dict.fromkeys(wanted) if s not in index]
    for j, s in enumerate(added):
        index[s] = len(strings) + j
    return ([*strings, *added] if added else strings), {s: index[s] for s in wanted}


def _with_frame_locations(data: ProfileData, strings: list[str], frames: list[tuple[int, int]]) -> ProfileData:
    """``data`` with one function (name, file = string indices) and one one-line location per frame
    appended, numbered after the largest existing function and location ids."""
    k = len(frames)
    name = np.array([f[0] for f in frames], np.int64)
    file = np.array([f[1] for f in frames], np.int64)
    next_func = int(data.func_id.max()) + 1 if data.func_id.size else 1
    next_loc = int(data.loc_id.max()) + 1 if data.loc_id.size else 1
    nf = data.func_id.size
    new_func = np.arange(nf, nf + k)
    cat = np.concatenate
    return data.with_(
        strings=strings,
        func_id=cat([data.func_id, np.arange(next_func, next_func + k, dtype=np.uint64)]),
        func_name=cat([data.func_name, name]).astype(data.func_name.dtype),
        func_system_name=cat([data.func_system_name, np.zeros(k, np.int64)]).astype(data.func_system_name.dtype),
        func_filename=cat([data.func_filename, file]).astype(data.func_filename.dtype),
        func_start_line=cat([data.func_start_line, np.zeros(k, np.int64)]).astype(data.func_start_line.dtype),
        line_function=cat([data.line_function, new_func]).astype(data.line_function.dtype),
        line_line=cat([data.line_line, np.zeros(k, np.int64)]).astype(data.line_line.dtype),
        line_column=cat([data.line_column, np.zeros(k, np.int64)]).astype(data.line_column.dtype),
        loc_id=cat([data.loc_id, np.arange(next_loc, next_loc + k, dtype=np.uint64)]),
        loc_mapping=cat([data.loc_mapping, np.full(k, -1, np.int64)]).astype(data.loc_mapping.dtype),
        loc_address=cat([data.loc_address, np.zeros(k, np.uint64)]).astype(data.loc_address.dtype),
        loc_is_folded=cat([data.loc_is_folded, np.zeros(k, bool)]),
        loc_line_offsets=cat([data.loc_line_offsets, data.loc_line_offsets[-1] + np.arange(1, k + 1)]).astype(
            data.loc_line_offsets.dtype),
    )


def _with_frames_in_stacks(data: ProfileData, *, leaf: np.ndarray, root: np.ndarray) -> ProfileData:
    """``data`` whose stacks are ``leaf[i] + stack[i] + root[i]`` (location rows, leaf first)."""
    nl, nr = leaf.shape[1], root.shape[1]
    old_off, old = data.stack_offsets, data.stack_locs
    length = np.diff(old_off)
    offsets = np.concatenate(([0], np.cumsum(length + nl + nr))).astype(old_off.dtype)
    locs = np.empty(int(offsets[-1]), old.dtype)
    is_new = np.zeros(locs.size, bool)
    for j in range(nl):
        locs[offsets[:-1] + j] = leaf[:, j]
        is_new[offsets[:-1] + j] = True
    for j in range(nr):
        locs[offsets[1:] - nr + j] = root[:, j]
        is_new[offsets[1:] - nr + j] = True
    locs[~is_new] = old  # the old entries keep their order, between each sample's new ones
    return data.with_(stack_offsets=offsets, stack_locs=locs)
