"""A quick breakdown of one sample type by the values of one label key (``Profile.by_label``).

The sums are pprof's ``-tags`` sums for that key (``internal/report``'s tag report: a sample adds
its value to each value it carries for the key), with the raw values kept as data instead of
pprof's formatted text, and the samples without the key in a row of their own.
"""

from __future__ import annotations

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from ..model.data import ProfileData

LABEL_COLUMNS = ["value", "flat", "share"]


def label_breakdown(data: ProfileData, key: str, sample_index: int, *, total: int) -> pd.DataFrame:
    """One row per value of label ``key``: the total of the samples carrying it.

    Parameters
    ----------
    data : ProfileData
    key : str
        A label key (string or numeric label).
    sample_index : int
        Position of the sample type to sum (already resolved).
    total : int
        The denominator of ``share`` (the caller passes pprof's report total, Σ|value|).

    Returns
    -------
    pandas.DataFrame
        ====== ============== ==========================================================
        column dtype          meaning
        ====== ============== ==========================================================
        value  object / Int64 the label value: ``str`` for a string label, the number
                              (in the label's unit, ``attrs["unit"]``) for a numeric
                              one (``Int64`` when all values are numeric); ``<NA>`` for
                              the samples that do not carry the key (one row, present
                              only when such samples exist)
        flat   int64          Σ value of the samples carrying this value, in the sample
                              type's unit (a sample counts once per label it carries,
                              as in pprof's ``-tags``: with several values of the key
                              it counts in each of their rows)
        share  float64        flat / total (0.0 when total is 0)
        ====== ============== ==========================================================

        Sorted by flat descending, then by value (strings, then numbers, then ``<NA>``).
        ``df.attrs``: ``key``, ``sample_type``, ``unit`` (the sample type's),
        ``label_unit`` (the numeric label's ``num_unit``, ``""`` when none), ``total``.
    """
    v = data.values[:, sample_index] if data.n_samples else np.zeros(0, np.int64)
    key_idx = [i for i, s in enumerate(data.strings) if s == key]
    str_rows = _string_value_sums(data, np.isin(data.label_key, key_idx), v)
    num_mask = np.isin(data.numlabel_key, key_idx)
    num_rows = _number_value_sums(data, num_mask, v)
    carriers = np.zeros(data.n_samples, bool)
    carriers[data.label_sample[np.isin(data.label_key, key_idx)]] = True
    carriers[data.numlabel_sample[num_mask]] = True
    rows = str_rows + num_rows
    if not carriers.all():
        rows.append((pd.NA, int(v[~carriers].sum())))
    df = _ordered_frame(rows, total)
    units = data.numlabel_unit[num_mask]
    st = data.sample_types[sample_index]
    df.attrs.update({"key": key, "sample_type": st.type, "unit": st.unit, "total": int(total),
                     "label_unit": data.strings[int(units[units != 0][0])] if (units != 0).any() else ""})
    return df


def _string_value_sums(data: ProfileData, mask: np.ndarray, v: np.ndarray) -> list[tuple[str, int]]:
    """``(value, Σ sample value)`` per distinct string value of the masked string labels."""
    smp, sv = data.label_sample[mask].astype(np.int64), data.label_str[mask]
    sums = _value_sums(smp, sv, v)  # by string-table index, then merged by text (a table may repeat a string)
    out: dict[str, int] = {}
    for idx, total in sums:
        text = data.strings[int(idx)]
        out[text] = out.get(text, 0) + total
    return list(out.items())


def _number_value_sums(data: ProfileData, mask: np.ndarray, v: np.ndarray) -> list[tuple[int, int]]:
    """``(number, Σ sample value)`` per distinct value of the masked numeric labels."""
    smp, num = data.numlabel_sample[mask].astype(np.int64), data.numlabel_num[mask]
    return [(int(n), s) for n, s in _value_sums(smp, num, v)]


def _value_sums(sample: np.ndarray, value: np.ndarray, v: np.ndarray) -> list[tuple[object, int]]:
    """Σ ``v[sample]`` per distinct ``value``, once per label occurrence (as pprof's ``-tags``)."""
    if not sample.size:
        return []
    uniq, code = np.unique(value, return_inverse=True)
    sums = np.zeros(len(uniq), np.int64)
    np.add.at(sums, code.reshape(-1), v[sample])
    return list(zip(uniq.tolist(), sums.tolist()))


def _ordered_frame(rows: list[tuple[object, int]], total: int) -> pd.DataFrame:
    """The rows as a DataFrame sorted by flat descending, then value (strings, numbers, <NA>)."""

    def rank(row):
        value, flat = row
        kind = 0 if isinstance(value, str) else 1 if isinstance(value, int) else 2
        return (-flat, kind, value if kind < 2 else 0)

    rows = sorted(rows, key=rank)
    values = [r[0] for r in rows]
    numeric = bool(values) and all(isinstance(x, int) or x is pd.NA for x in values)
    flat = np.array([r[1] for r in rows], np.int64)
    return pd.DataFrame({
        "value": pd.array(values, dtype="Int64") if numeric else pd.Series(values, dtype=object),
        "flat": flat,
        "share": flat / float(total) if total else np.zeros(flat.size),
    })
