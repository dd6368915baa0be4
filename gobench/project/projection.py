"""``-table``/``-row``/``-col``/``-ignore`` projections (benchproc.ProjectionParser).

Parsing records which configuration keys and name keys are projected anywhere:
``.config`` then stands for every *other* file configuration key and
``.fullname`` for the name without the projected ``/key`` parts (and ``*`` for
the base when ``.name`` is projected).  Whatever no projection names is the
*residue*: a cell whose results differ in it gets ``benchmarks vary in …``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import QuerySyntaxError
from .keys import KeyField, make_extractor, make_fullname_extractor
from .parse import ProjField, parse_projection

__all__ = ["ProjectionParser", "Projection"]

_BUILTIN_ORDERS = ("first", "alpha", "num", "fixed")


@dataclass
class Projection:
    """A parsed projection: ``items`` in order, each ``(kind, ProjField)`` with kind
    ``"config"`` (the ``.config`` group), ``"fullname"``, ``"key"`` or ``"unit"``."""

    items: list = field(default_factory=list)
    fields: list = field(default_factory=list)      # KeyField per flattened field (after bind)
    extractors: list = field(default_factory=list)  # per flattened field: f(rc) -> str
    top_level: list = field(default_factory=list)   # per flattened field: observe order?
    depends: list = field(default_factory=list)     # per flattened field: "label", "config",
    #                                                 "name" (what its extractor reads) or None
    unit_index: int = -1

    def bind(self, parser: "ProjectionParser", config_keys_seen: list[str]):
        """Resolve the ``.config`` group against the configuration keys seen, in order."""
        self.fields, self.extractors, self.top_level, self.depends = [], [], [], []
        for kind, pf in self.items:
            if kind == "config":
                for k in config_keys_seen:
                    if k in parser.config_keys:
                        continue
                    self.fields.append(KeyField(k, "string"))
                    self.extractors.append(make_extractor(k))
                    self.top_level.append(False)
                    self.depends.append("config")
            elif kind == "unit":
                self.unit_index = len(self.fields)
                self.fields.append(KeyField(".unit", "first"))
                self.extractors.append(None)
                self.top_level.append(True)
                self.depends.append(None)
            else:
                order = pf.order
                self.fields.append(KeyField(pf.key, order, list(pf.fixed)))
                if kind == "fullname":
                    self.extractors.append(make_fullname_extractor(parser.fullname_keys))
                else:
                    self.extractors.append(make_extractor(pf.key))
                self.top_level.append(True)
                self.depends.append(_depends(pf.key) if kind == "key" else "name")
        return self

    def names(self) -> list[str]:
        return [f.name for f in self.fields]


class ProjectionParser:
    """Parses the projections of one benchstat run and derives the residue."""

    def __init__(self):
        self.config_keys: set[str] = set()
        self.fullname_keys: list[str] = []
        self.have_config = False
        self.have_fullname = False
        self.fixed_filters: list = []  # (extractor factory key, set of values)

    def parse(self, q: str, *, with_unit: bool = False) -> Projection:
        """Parse projection *q*; ``with_unit`` appends the implicit ``.unit`` field (for -table)."""
        proj = Projection()
        for pf in parse_projection(q):
            proj.items.append(self._item(q, pf))
        if with_unit:
            proj.items.append(("unit", ProjField(".unit")))
        return proj

    def _item(self, q: str, pf: ProjField):
        if pf.order not in _BUILTIN_ORDERS:
            raise QuerySyntaxError(q, pf.order_off, f"unknown order {_quote(pf.order)}")
        if pf.key == ".config":
            if pf.order == "fixed":
                raise QuerySyntaxError(q, pf.order_off, "fixed order not allowed for .config")
            self.have_config = True
            return ("config", pf)
        if pf.key == ".fullname":
            self.have_fullname = True
            if pf.order == "fixed":
                self.fixed_filters.append((".fullname-raw", set(pf.fixed)))
            return ("fullname", pf)
        if pf.key == ".unit":
            raise QuerySyntaxError(q, pf.key_off, ".unit is only allowed in filters")
        if pf.key == ".name" or pf.key.startswith("/"):
            self.fullname_keys.append(pf.key)
        else:
            self.config_keys.add(pf.key)
        if pf.key == "":
            raise QuerySyntaxError(q, pf.key_off, "key must not be empty")
        if pf.order == "fixed":
            self.fixed_filters.append((pf.key, set(pf.fixed)))
        return ("key", pf)

    def residue(self) -> Projection:
        """The residue projection: ``.config`` and/or ``.fullname`` when not projected."""
        proj = Projection()
        if not self.have_config:
            proj.items.append(("config", ProjField(".config")))
        if not self.have_fullname:
            proj.items.append(("fullname", ProjField(".fullname")))
        return proj

    def fixed_filter(self):
        """``f(result_class) -> bool`` for the values listed in ``key@(...)`` orders."""
        checks = []
        for key, values in self.fixed_filters:
            ext = (lambda rc: rc.name) if key == ".fullname-raw" else make_extractor(key)
            checks.append((ext, values))
        if not checks:
            return None
        return lambda rc: all(ext(rc) in values for ext, values in checks)


def _depends(key: str) -> str:
    """Which part of a result class the extractor of *key* reads (see keys.make_extractor)."""
    if key in (".name", ".fullname") or key.startswith("/"):
        return "name"
    if key == ".file":
        return "label"
    return "config"


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
