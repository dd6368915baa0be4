"""Evaluating ``-filter`` expressions on result classes and units.

A filter is evaluated per measurement: keys other than ``.unit`` look at the
result (so they keep or drop all its values), ``.unit`` matches the tidied unit
or the original one (``.unit:ns/op`` keeps ``sec/op`` values).
"""
from __future__ import annotations

from ..errors import QuerySyntaxError
from .keys import make_extractor
from .parse import FilterMatch, FilterOp, parse_filter

__all__ = ["compile_filter"]


def compile_filter(query: str):
    """Compile *query* to ``f(result_class, unit, orig_unit) -> bool`` (None for ``*``).

    Raises
    ------
    QuerySyntaxError
        On a syntax error, ``.config`` in a filter, or an empty key.
    """
    node = parse_filter(query)
    if isinstance(node, FilterOp) and node.op == "and" and not node.exprs:
        return None  # "*": matches everything
    extractors: dict = {}

    def walk(n):
        if isinstance(n, FilterOp):
            subs = [walk(s) for s in n.exprs]
            if n.op == "not":
                sub = subs[0]
                return lambda rc, u, o: not sub(rc, u, o)
            if n.op == "and":
                return lambda rc, u, o: all(s(rc, u, o) for s in subs)
            return lambda rc, u, o: any(s(rc, u, o) for s in subs)
        assert isinstance(n, FilterMatch)
        if n.key == ".unit":
            return lambda rc, u, o: n.match(u) or (o != "" and n.match(o))
        if n.key == ".config":
            raise QuerySyntaxError(query, n.off, ".config is only allowed in projections")
        ext = extractors.get(n.key)
        if ext is None:
            try:
                ext = make_extractor(n.key)
            except ValueError as e:
                raise QuerySyntaxError(query, n.off, str(e)) from None
            extractors[n.key] = ext
        return lambda rc, u, o: n.match(ext(rc))

    return walk(node)
