"""Projection of benchmark results onto keys, and benchproc's sort orders.

A *result class* is what every projection depends on: the file label (``.file``),
the file configuration and the full benchmark name.  Extractors map a class to
the string value of one key:

* ``.name`` → base name; ``.fullname`` → full name (minus any ``/key`` or ``.name``
  projected elsewhere, the base then shown as ``*``);
* ``/key`` → value of the ``/key=value`` name part (``/gomaxprocs``: the ``-N`` suffix);
* ``.file`` → the input's label; any other key → that configuration value;
* missing values are ``""``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cmp_to_key

from ..errors import OptionError
from ..read.names import base_name, fullname_excluding, name_part

__all__ = ["ResultClass", "make_extractor", "KeyField", "sort_keys", "sort_order", "parse_num"]


@dataclass(frozen=True)
class ResultClass:
    """Everything a projection can look at: ``label`` (``.file``), ``config`` items, ``name``."""

    label: str
    config: tuple
    name: str

    @property
    def config_map(self) -> dict:
        return dict(self.config)


def make_extractor(key: str):
    """Return ``f(ResultClass) -> str`` for a projection/filter key (see module docstring).

    Raises
    ------
    OptionError
        An empty key (benchproc: ``key must not be empty``).
    """
    if key == "":
        raise OptionError("key must not be empty")
    if key == ".name":
        return lambda rc: base_name(rc.name)
    if key == ".fullname":
        return lambda rc: rc.name
    if key.startswith("/"):
        return lambda rc: name_part(rc.name, key)
    if key == ".file":
        return lambda rc: rc.label

    def cfg(rc):
        for k, v in rc.config:
            if k == key:
                return v
        return ""
    return cfg


def make_fullname_extractor(exclude: list[str]):
    """``.fullname`` without the parts of *exclude* keys (``.name`` and ``/key``)."""
    exc_name = ".name" in exclude
    dels = tuple(k for k in exclude if k.startswith("/"))
    exc_procs = "/gomaxprocs" in exclude
    if not dels and not exc_name and not exc_procs:
        return lambda rc: rc.name
    return lambda rc: fullname_excluding(rc.name, dels, exc_name, exc_procs)


_NUM_RE = re.compile(r"([0-9.]+)([kKMGTPEZY]i?)?[bB]?")
_PREFIXES = "KMGTPEZY"


def parse_num(x: str):
    """benchproc's ``@num`` value: a float, or a number with SI/IEC prefix; None if not numeric."""
    try:
        return _go_parse_float(x)
    except ValueError:
        pass
    m = _NUM_RE.search(x)
    if m is not None:
        try:
            v = _go_parse_float(m.group(1))
        except ValueError:
            return None
        exp = 0
        pre = m.group(2) or ""
        if pre:
            c = "K" if pre[0] == "k" else pre[0]
            exp = 1 + _PREFIXES.index(c)
        if pre.endswith("i"):
            return v * math.pow(1024, exp)
        return v * math.pow(1000, exp)
    return None


def _go_parse_float(s: str) -> float:
    if "_" in s or not s or s.strip() != s:
        raise ValueError(s)
    return float(s)


def _cmp_num(a: str, b: str) -> int:
    aa, bb = parse_num(a), parse_num(b)
    if aa is not None and bb is not None:
        if aa < bb or (not math.isnan(aa) and math.isnan(bb)):
            return -1
        if aa > bb or (math.isnan(aa) and not math.isnan(bb)):
            return 1
        return 0
    if aa is None and bb is None:
        return 0
    return -1 if aa is not None else 1


@dataclass
class KeyField:
    """One flattened field of a projection.

    ``order`` is ``"first"`` (first-observation order, filled by :meth:`observe`),
    ``"string"`` (plain string comparison: fields inside ``.config``), ``"alpha"``,
    ``"num"`` or ``"fixed"`` (``fixed`` lists the values in order).
    """

    name: str
    order: str = "first"
    fixed: list[str] = field(default_factory=list)
    seen: dict = field(default_factory=dict)

    def observe(self, value: str) -> None:
        if self.order == "first" and value not in self.seen:
            self.seen[value] = len(self.seen)

    def cmp(self, a: str, b: str) -> int:
        o = self.order
        if o == "first":
            return self.seen.get(a, 0) - self.seen.get(b, 0)
        if o == "fixed":
            pos = {v: i for i, v in enumerate(self.fixed)}
            return pos.get(a, 0) - pos.get(b, 0)
        if o == "alpha":
            return (a > b) - (a < b)
        if o == "num":
            return _cmp_num(a, b)
        return 0


def sort_keys(keys: list[tuple], fields: list[KeyField]) -> list[tuple]:
    """Sort key tuples the way benchproc.SortKeys does (field by field, then by string)."""
    return [keys[i] for i in sort_order(keys, fields)]


def sort_order(keys: list[tuple], fields: list[KeyField]) -> list[int]:
    """Indices that sort *keys* as :func:`sort_keys` (benchproc.SortKeys) does.

    Every order is a total order on one field (ties between different strings
    are broken by string comparison), so a key of ``(rank, string)`` per field
    sorts exactly as the field-by-field comparison; only ``@num`` fields are
    compared with the comparison function itself.
    """
    if any(f.order == "num" for f in fields):
        cmp_one = _cmp_keys(fields)
        return sorted(range(len(keys)), key=cmp_to_key(lambda i, j: cmp_one(keys[i], keys[j])))
    rankers = []
    for f in fields:
        if f.order == "first":
            rankers.append(f.seen.get)
        elif f.order == "fixed":
            rankers.append({v: i for i, v in enumerate(f.fixed)}.get)
        else:  # alpha, string: by string only
            rankers.append(None)

    def key(i):
        out = []
        for j, v in enumerate(keys[i]):
            rk = rankers[j]
            out.append(0 if rk is None else rk(v, 0))
            out.append(v)
        return out
    return sorted(range(len(keys)), key=key)


def _cmp_keys(fields: list[KeyField]):
    def cmp(x, y):
        for i, f in enumerate(fields):
            a, b = x[i], y[i]
            if a != b:
                c = f.cmp(a, b)
                if c != 0:
                    return -1 if c < 0 else 1
                return -1 if a < b else 1
        return 0
    return cmp
