"""The filter and projection query languages of benchproc.

Filter (``-filter``)::

    expr    = andExpr {"OR" andExpr}
    andExpr = match {["AND"] match}
    match   = "(" expr ")" | "-" match | "*" | key ":" value
            | key ":(" value {"OR" value} ")"
    value   = word | "/" regexp "/"        (regexps are unanchored)

Projection (``-table``, ``-row``, ``-col``, ``-ignore``): keys separated by commas
or spaces, each optionally followed by ``@order`` (``first`` (default), ``alpha``,
``num``) or ``@(value value ...)`` (a fixed order that also filters).

Words are bare (up to white space or one of ``( ) : @ ,``) or Go double-quoted
strings.  Errors raise :class:`~gobench.errors.QuerySyntaxError` with the same
messages and caret positions as benchproc.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ..errors import QuerySyntaxError

__all__ = ["FilterMatch", "FilterOp", "ProjField", "parse_filter", "parse_projection"]

_OPS = "():@,"


def _is_op(ch: str) -> bool:
    return ch in _OPS


def _is_start_op(ch: str) -> bool:
    return ch in _OPS or ch == "-" or ch == "*"


@dataclass
class _Tok:
    kind: str  # '', 'w', 'q', 'r', 'A', 'O', or an operator char
    off: int
    tok: str
    regexp: object = None


class _Tokens:
    """Immutable-style tokenizer state (offsets in UTF-8 bytes, as Go)."""

    def __init__(self, q: str, pos: int, err: list):
        self.orig = q
        self.pos = pos  # character index into orig
        self.err = err  # shared [QuerySyntaxError | None]

    def _off(self, pos=None) -> int:
        return len(self.orig[: self.pos if pos is None else pos].encode())

    def error(self, msg: str):
        if self.err[0] is None:
            self.err[0] = QuerySyntaxError(self.orig, self._off(), msg)
        return _Tok("", self._off(), ""), _Tokens(self.orig, len(self.orig), self.err)

    def _tok(self, kind, text, end):
        return _Tok(kind, self._off(), text), _Tokens(self.orig, end, self.err)

    def next(self, allow_regexp: bool):
        q, i = self.orig, self.pos
        while i < len(q):
            ch = q[i]
            if _is_start_op(ch):
                t = _Tokens(q, i, self.err)
                return t._tok(ch, ch, i + 1)
            if ch.isspace():
                i += 1
                continue
            t = _Tokens(q, i, self.err)
            if allow_regexp and ch == "/":
                return t._regexp()
            if ch == '"':
                return t._quoted()
            return t._bare()
        t = _Tokens(q, len(q), self.err)
        return t._tok("", "", len(q))

    def key_or_op(self):
        return self.next(False)

    def value_or_op(self):
        return self.next(True)

    def end(self):
        tok, _ = self.key_or_op()
        if tok.kind != "":
            self.error("unexpected " + _go_quote(tok.tok))

    def _quoted(self):
        q, start = self.orig, self.pos
        pos = start + 1
        while pos < len(q) and (q[pos] != '"' or q[pos - 1] == "\\"):
            pos += 1
        if pos == len(q):
            return self.error("missing end quote")
        try:
            word = ast.literal_eval(q[start:pos + 1])
            if not isinstance(word, str):
                raise ValueError
        except (ValueError, SyntaxError):
            return self.error("bad escape sequence")
        return self._tok("q", word, pos + 1)

    def _bare(self):
        q, start = self.orig, self.pos
        end = len(q)
        for i in range(start, len(q)):
            if q[i].isspace() or _is_op(q[i]):
                end = i
                break
        word = q[start:end]
        kind = "A" if word == "AND" else "O" if word == "OR" else "w"
        return self._tok(kind, word, end)

    def _regexp(self):
        q = self.orig
        body_start = self.pos + 1
        cs = cp = 0
        i = body_start
        end = None
        while i < len(q):
            if cs == 0 and cp == 0 and q[i] == "/":
                end = i
                break
            c = q[i]
            if c == "[":
                cs += 1
            elif c == "]":
                cs = max(cs - 1, 0)
            elif c == "(" and cs == 0:
                cp += 1
            elif c == ")" and cs == 0:
                cp -= 1
            elif c == "\\":
                i += 1
            i += 1
        if end is None:
            return self.error('missing close "/"')
        expr = q[body_start:end]
        try:
            rx = re.compile(expr)
        except re.error as e:
            return self.error(f"error parsing regexp: {e.msg}")
        rest = end + 1
        if not (rest == len(q) or q[rest].isspace() or _is_start_op(q[rest])):
            t = _Tokens(q, rest, self.err)
            return t.error('regexp must be followed by space or an operator (unescaped "/"?)')
        tok, nxt = self._tok("r", expr, rest)
        tok.regexp = rx
        return tok, nxt


def _go_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class FilterMatch:
    """``key:value`` (``regexp`` set for ``key:/re/``)."""

    key: str
    regexp: object
    lit: str
    off: int

    def match(self, value: str) -> bool:
        if self.regexp is not None:
            return self.regexp.search(value) is not None
        return value == self.lit


@dataclass
class FilterOp:
    """``op`` is ``"and"``, ``"or"`` or ``"not"``; ``("and", [])`` is ``*``."""

    op: str
    exprs: list = field(default_factory=list)


def parse_filter(q: str):
    """Parse a ``-filter`` expression into :class:`FilterOp`/:class:`FilterMatch` nodes."""
    err = [None]
    toks = _Tokens(q, 0, err)
    node, toks = _expr(toks)
    toks.end()
    if err[0] is not None:
        raise err[0]
    return node


def _expr(toks):
    terms = []
    while True:
        node, toks = _and_expr(toks)
        terms.append(node)
        op, toks2 = toks.key_or_op()
        if op.kind != "O":
            break
        toks = toks2
    return (terms[0] if len(terms) == 1 else FilterOp("or", terms)), toks


def _and_expr(toks):
    node, toks = _match(toks)
    terms = [node]
    while True:
        op, toks2 = toks.key_or_op()
        if op.kind == "A":
            toks = toks2
            continue
        if op.kind in ("(", "-", "*", "w", "q"):
            node, toks = _match(toks)
            terms.append(node)
        elif op.kind in (")", "O", ""):
            break
        else:
            _, toks = toks.error("unexpected " + _go_quote(op.tok))
            return None, toks
    return (terms[0] if len(terms) == 1 else FilterOp("and", terms)), toks


def _match(start):
    tok, rest = start.key_or_op()
    if tok.kind == "(":
        node, rest = _expr(rest)
        op, toks2 = rest.key_or_op()
        if op.kind != ")":
            _, t = rest.error('missing ")"')
            return None, t
        return node, toks2
    if tok.kind == "-":
        node, rest = _match(rest)
        return FilterOp("not", [node]), rest
    if tok.kind == "*":
        return FilterOp("and", []), rest
    if tok.kind in ("w", "q"):
        off, key = tok.off, tok.tok
        op, toks2 = rest.key_or_op()
        if op.kind != ":":
            _, t = start.error("expected key:value")
            return None, t
        rest = toks2
        val, rest = rest.value_or_op()
        if val.kind in ("w", "q", "r"):
            return _mk_match(off, key, val), rest
        if val.kind == "(":
            terms = []
            while True:
                val, toks2 = rest.value_or_op()
                if val.kind not in ("w", "q", "r"):
                    _, t = rest.error("expected value")
                    return None, t
                terms.append(_mk_match(off, key, val))
                rest = toks2
                val, toks2 = rest.value_or_op()
                if val.kind == ")":
                    return FilterOp("or", terms), toks2
                if val.kind != "O":
                    _, t = rest.error("value list must be separated by OR")
                    return None, t
                rest = toks2
        _, t = start.error("expected key:value")
        return None, t
    _, t = start.error("expected key:value or subexpression")
    return None, t


def _mk_match(off, key, val):
    if val.kind == "r":
        return FilterMatch(key, val.regexp, "", off)
    return FilterMatch(key, None, val.tok, off)


@dataclass
class ProjField:
    """One projection key: ``order`` is ``first``, ``alpha``, ``num``, another name, or ``fixed``."""

    key: str
    order: str = "first"
    fixed: list[str] = field(default_factory=list)
    key_off: int = 0
    order_off: int = 0


def parse_projection(q: str) -> list[ProjField]:
    """Parse a projection expression into :class:`ProjField` items."""
    err = [None]
    toks = _Tokens(q, 0, err)
    fields: list[ProjField] = []
    while True:
        tok, toks2 = toks.key_or_op()
        if tok.kind == "":
            break
        if tok.kind == "," and fields:
            toks = toks2
        f, toks = _parse_field(toks)
        fields.append(f)
        if err[0] is not None:
            break
    toks.end()
    if err[0] is not None:
        raise err[0]
    return fields


def _parse_field(toks):
    f = ProjField("")
    key, toks2 = toks.key_or_op()
    if key.kind not in ("w", "q"):
        _, toks = toks.error("expected key")
        return f, toks
    toks = toks2
    f.key, f.key_off = key.tok, key.off
    f.order, f.order_off = "first", key.off + len(key.tok.encode())
    sep, toks2 = toks.key_or_op()
    if sep.kind != "@":
        return f, toks
    toks = toks2
    order, toks2 = toks.key_or_op()
    f.order_off = order.off
    if order.kind in ("w", "q"):
        f.order = order.tok
        return f, toks2
    if order.kind == "(":
        f.order = "fixed"
        toks = toks2
        while True:
            t, toks2 = toks.key_or_op()
            if t.kind in ("w", "q"):
                toks = toks2
                f.fixed.append(t.tok)
            elif t.kind == ")":
                if not f.fixed:
                    _, toks = toks.error("nothing to match")
                else:
                    toks = toks2
                break
            else:
                _, toks = toks.error("missing )")
                break
        return f, toks
    _, toks = toks.error("expected named sort order or parenthesized list")
    return f, toks
