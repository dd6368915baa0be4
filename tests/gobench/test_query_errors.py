"""Filter/projection syntax errors: benchproc's messages and caret positions."""
from __future__ import annotations

import pytest

from gobench.benchtab import Query
from gobench.errors import QuerySyntaxError
from gobench.project.keys import parse_num, sort_keys, KeyField


@pytest.mark.parametrize("kw,msg,col", [
    ({"filter": "foo"}, "expected key:value", 0),
    ({"filter": ".name:(a b)"}, "value list must be separated by OR", 8),  # after "a"
    ({"filter": ".name:x )"}, 'unexpected ")"', 7),  # after "x"
    ({"filter": '.name:"abc'}, "missing end quote", 6),
    ({"filter": ".name:/ab"}, 'missing close "/"', 6),
    ({"filter": ".config:x"}, ".config is only allowed in projections", 0),
    ({"col": "/x@bogus"}, 'unknown order "bogus"', 3),
    ({"row": ".config@(a b)"}, "fixed order not allowed for .config", 8),
    ({"table": ".config,.unit"}, ".unit is only allowed in filters", 8),
    ({"col": "/x@()"}, "nothing to match", 4),
])
def test_error_message_and_caret(kw, msg, col):
    with pytest.raises(QuerySyntaxError) as ei:
        Query.parse(**kw)
    text = str(ei.value)
    first, query, caret = text.split("\n")
    assert first == f"syntax error: {msg}"
    assert caret == "\t" + " " * col + "^"


def test_num_and_alpha_orders():
    assert parse_num("64KiB") == 64 * 1024 and parse_num("1k") == 1000 and parse_num("x") is None
    keys = [("64KiB",), ("1KiB",), ("4MiB",), ("x",)]
    assert sort_keys(keys, [KeyField("/size", "num")]) == [("1KiB",), ("64KiB",), ("4MiB",), ("x",)]
    assert sort_keys(keys, [KeyField("/size", "alpha")]) == sorted(keys)
    f = KeyField("/size", "first")
    for k in ("x", "4MiB", "1KiB", "64KiB"):
        f.observe(k)
    assert sort_keys(keys, [f]) == [("x",), ("4MiB",), ("1KiB",), ("64KiB",)]
