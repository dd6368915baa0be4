"""Label (tag) filters: pprof's ``-tagfocus``/``-tagignore`` and ``-tagshow``/``-taghide``.

Also holds the numeric-label unit rule (``Profile.NumLabelUnits``); the unit
arithmetic numeric tag ranges need is :mod:`.measurement`'s.

Every decision is made once per distinct label (key, value) and then spread
over the samples with numpy: no Python work per sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import OptionError
from ..model.data import ProfileData
from .goregex import GoRegexp, compile_regex
from .measurement import scale

def num_label_units(data: ProfileData) -> dict[str, str]:
    """Unit of every numeric label key (pprof's ``Profile.NumLabelUnits``).

    The first non-empty ``num_unit`` seen for the key; without any, ``bytes``
    for ``request``/``alignment`` and the key itself otherwise (so Go heap's
    unit-less ``bytes`` label is in bytes).
    """
    out: dict[str, str] = {}
    if data.numlabel_key.size == 0:
        return out
    s = data.strings
    keys, first = np.unique(data.numlabel_key, return_index=True)
    with_unit = data.numlabel_unit != 0
    for k in keys:
        m = np.flatnonzero((data.numlabel_key == k) & with_unit)
        name = s[int(k)]
        if m.size:
            out[name] = s[int(data.numlabel_unit[m[0]])]
        else:
            out[name] = "bytes" if name in ("alignment", "request") else name
    return out


# ---- tag filters ---------------------------------------------------------------------------

_RANGE_RX = re.compile(r"([+-]?[0-9]+)([A-Za-z]+)?")


@dataclass(frozen=True)
class _Range:
    lo: float | None
    hi: float | None
    unit: str

    def test(self, values: np.ndarray, from_unit: str) -> np.ndarray:
        sv, su = scale(values, from_unit, self.unit)
        if su != self.unit:
            return np.zeros(values.shape, bool)
        sv = np.asarray(sv, dtype=np.float64)
        ok = np.ones(values.shape, bool)
        if self.lo is not None:
            ok &= sv >= self.lo
        if self.hi is not None:
            ok &= sv <= self.hi
        return ok


def _parse_int(s: str) -> int:
    v = int(s)
    if not -(2**63) <= v < 2**63:
        raise OptionError(f"failed to parse int {s}: value out of range")
    return v


def parse_tag_range(value: str) -> _Range | None:
    """pprof's ``parseTagFilterRange``: ``32kb``, ``:64kb``, ``4mb:``, ``12kb:64mb``; None if not a range.

    A bare number with no unit is a range too (pprof's rule), which then only
    matches unit-less numeric labels.
    """
    ms = list(_RANGE_RX.finditer(value))[:2]
    if not ms:
        return None
    v0, u0 = _parse_int(ms[0].group(1)), ms[0].group(2) or ""
    lo, unit = scale(v0, u0, u0)
    if len(ms) == 1:
        m = ms[0].group(0)
        if value == m:
            return _Range(lo, lo, unit)
        if value == m + ":":
            return _Range(lo, None, unit)
        if value == ":" + m:
            return _Range(None, lo, unit)
        return None
    if value != ms[0].group(0) + ":" + ms[1].group(0):
        return None
    hi, unit2 = scale(_parse_int(ms[1].group(1)), ms[1].group(2) or "", unit)
    if unit2 != unit:
        return None
    return _Range(lo, hi, unit)


def _sample_any(sample_idx: np.ndarray, hit: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, bool)
    out[sample_idx[hit]] = True
    return out


def compile_tag_filter(name: str, value: str | None,
                       units: dict[str, str]) -> Callable[[ProfileData], np.ndarray] | None:
    """Compile a ``-tagfocus``/``-tagignore`` value into ``f(data) -> bool mask over samples``.

    Grammar (pprof's ``compileTagFilter``): ``[key=]value``. ``value`` is a
    numeric range if :func:`parse_tag_range` accepts it (matched against the
    numeric labels, with key: that key only; without: any key, each in its own
    unit), else comma-separated regexes: with a key, a sample matches when any
    value of that key matches any regex; without a key, *every* regex must
    match some ``key:value`` string of the sample's string labels.

    Each regex is compiled as pprof does (Go's ``regexp.Compile``, see
    :func:`~pprof_parse.analyze.goregex.compile_regex`) and searched unanchored.

    Raises
    ------
    OptionError
        ``value`` is not a str; a bad regular expression (``parsing tagfocus
        regexp `...`: ...``); a range bound past int64.
    """
    if not value:
        return None
    if not isinstance(value, str):
        raise OptionError(f"{name} must be a str ([key=]regex,... or [key=]range), not {type(value).__name__}")
    key = None
    if "=" in value:
        key, value = value.split("=", 1)
    rng = parse_tag_range(value)
    if rng is not None:
        def num_filter(data: ProfileData) -> np.ndarray:
            n = data.n_samples
            hit = np.zeros(data.numlabel_key.size, bool)
            for k in np.unique(data.numlabel_key):
                kname = data.strings[int(k)]
                if key is not None and kname != key:
                    continue
                m = data.numlabel_key == k
                hit[m] = rng.test(data.numlabel_num[m], units.get(kname, ""))
            return _sample_any(data.numlabel_sample, hit, n)
        return num_filter

    rxs = [compile_regex(name, part) for part in value.split(",")]

    def str_filter(data: ProfileData) -> np.ndarray:
        n = data.n_samples
        s = data.strings
        if key is not None:
            kidx = [i for i, x in enumerate(s) if x == key]
            rows = np.isin(data.label_key, kidx)
            vals = data.label_str[rows]
            uv, inv = np.unique(vals, return_inverse=True)
            values = [s[int(v)] for v in uv]
            ok = np.zeros(uv.size, bool)
            for rx in rxs:
                ok |= rx.match_many(values)
            return _sample_any(data.label_sample[rows], ok[inv] if uv.size else np.zeros(0, bool), n)
        out = np.ones(n, bool)
        pairs = data.label_key.astype(np.int64) * (len(s) + 1) + data.label_str
        up, inv = np.unique(pairs, return_inverse=True)
        texts = [s[int(p // (len(s) + 1))] + ":" + s[int(p % (len(s) + 1))] for p in up]
        for rx in rxs:
            ok = rx.match_many(texts)
            out &= _sample_any(data.label_sample, ok[inv] if up.size else np.zeros(0, bool), n)
        return out
    return str_filter


def filter_tags_by_name(data: ProfileData, show: GoRegexp | None,
                        hide: GoRegexp | None) -> tuple[ProfileData, bool, bool]:
    """pprof's ``FilterTagsByName`` (``-tagshow``/``-taghide``): drop label keys (string and numeric)
    that do not match ``show`` or that match ``hide``. Returns ``(data, show_matched, hide_matched)``."""
    if show is None and hide is None:
        return data, False, False
    s = data.strings
    keys = np.unique(np.concatenate((data.label_key, data.numlabel_key)).astype(np.int64))
    remove = np.zeros(len(s), bool)
    sm = hm = False
    for k in keys:
        name = s[int(k)]
        ms = show is None or show.match_string(name)
        mh = hide is not None and hide.match_string(name)
        sm, hm = sm or ms, hm or mh
        remove[k] = (not ms) or mh
    ks, kn = ~remove[data.label_key], ~remove[data.numlabel_key]
    out = data.with_(
        label_sample=data.label_sample[ks], label_key=data.label_key[ks], label_str=data.label_str[ks],
        numlabel_sample=data.numlabel_sample[kn], numlabel_key=data.numlabel_key[kn],
        numlabel_num=data.numlabel_num[kn], numlabel_unit=data.numlabel_unit[kn])
    return out, sm, hm
