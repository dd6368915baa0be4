"""Go's regular expressions, as pprof compiles the patterns users give it.

pprof compiles every user pattern with Go's ``regexp.Compile`` (``-focus``,
``-ignore``, ``-hide``, ``-show``, ``-show_from``, ``-prune_from``,
``-tagshow``, ``-taghide``, each comma-separated part of ``-tagfocus`` /
``-tagignore``, the ``-peek`` argument; a profile's ``drop_frames`` /
``keep_frames`` as ``^(`` pattern ``)$``) and tests a name with
``MatchString``: true when a match exists anywhere in it. Go's syntax is RE2's,
so :func:`compile_regex` compiles with the RE2 library through its Python
binding (PyPI ``google-re2``, module ``re2``) in UTF-8 mode, and
:meth:`GoRegexp.match_string` is ``MatchString``.

Where RE2 (C++, ``google-re2`` 1.1) and Go's ``regexp/syntax`` still differ,
checked against Go 1.27 by ``tests/pprof_parse/test_re2.py``:

- ``\\C`` (any byte): RE2 accepts it, Go refuses it; refused here too.
- Limits on huge patterns: Go refuses a parse tree more than 1000 deep
  (1000 nested capturing groups) and a program past ~3.3 M instructions;
  RE2 accepts the first and refuses, within its default 8 MiB budget,
  patterns Go accepts such as ``\\pL{1000}``. Not replicated.

Text is matched as UTF-8, as Go matches a profile's strings. The readers
decode a profile's invalid UTF-8 to U+FFFD, one per maximal bad sequence,
where Go reads one U+FFFD per bad byte; only a pattern counting U+FFFD sees it.

Fallback: when ``re2`` cannot be imported, :func:`compile_regex_fallback`
compiles with Python's :mod:`re` in ASCII mode after translating the RE2-only
spellings ordinary patterns use (POSIX classes such as ``[[:alpha:]]``,
``\\z``). It then accepts what pprof refuses (look-around, back-references,
``\\Z``) and refuses what pprof accepts (flag groups after the start such as
``main\\.(?i)json``, Unicode classes ``\\pL``, ``(?U)``, negated POSIX
classes); ``(?i)`` folds ASCII only and ``$`` also matches before a final
newline. A compiled pattern's ``engine`` attribute says which one made it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

import numpy as np

from ..errors import OptionError

try:  # an optional binding: the fallback below keeps the package usable without it
    import re2
except ImportError:  # pragma: no cover - exercised by test_re2.py through monkeypatching
    re2 = None

__all__ = ["GoRegexp", "compile_regex", "compile_regex_re2", "compile_regex_fallback", "translate_go_regex"]


_CHUNK = 64  # match_many searches at most this many joined texts per call


class GoRegexp:
    """A compiled pattern with Go's ``MatchString``.

    Attributes
    ----------
    pattern : str
        The pattern as the user gave it (before any ``^(...)$`` wrap).
    engine : str
        ``"re2"`` (google-re2: Go's syntax) or ``"re"`` (the translated fallback).
    """

    __slots__ = ("pattern", "engine", "_search", "_encode", "_screen")

    def __init__(self, pattern: str, engine: str, search, encode: bool, screen=None):
        self.pattern = pattern
        self.engine = engine
        self._search = search
        self._encode = encode
        self._screen = screen

    def match_string(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (Go's unanchored ``MatchString``)."""
        if self._encode:  # RE2 reads UTF-8; bytes skip the binding's per-call offset mapping
            text = text.encode("utf-8", "surrogatepass")
        return self._search(text) is not None

    def match_many(self, texts) -> np.ndarray:
        """``match_string`` of every text of a sequence, as a bool array, in fewer engine calls.

        One call into RE2 costs several times a Python :mod:`re` call, and a
        filter would pay it for each of a profile's names. Instead the texts are
        joined by ``\\n`` and searched, ``_CHUNK`` texts at a time, with the
        pattern in multi-line mode, which matches the joined texts wherever the
        pattern matches one of them: ``^``/``$`` then hold at every text's start
        and end, and ``\\n`` is a non-word character like a text's edge
        (``\\b`` unchanged). So the texts before the leftmost match do not
        match; the text where it starts does if the match stays inside it and
        it holds no ``\\n`` (else that one text is tested alone); the search goes
        on from the next text. Texts that do not match cost no call of their
        own. After a matching text the next ones are tested alone until one
        does not match (a lone test is cheaper than a search when most texts
        match). Patterns with ``\\A``/``\\z`` or a group that clears ``m`` are
        tested text by text.
        """
        texts = list(texts)
        if self._screen is None or len(texts) <= 1:
            return np.array([self.match_string(t) for t in texts], bool)
        enc = [t.encode("utf-8", "surrogatepass") for t in texts]
        starts = [0, *accumulate(len(b) + 1 for b in enc)]  # text i is joined[starts[i]:starts[i + 1] - 1]
        joined = b"\n".join(enc)
        out = np.zeros(len(enc), bool)
        i, dense = 0, False
        while i < len(enc):
            if dense:  # the last text matched: test the next alone until one does not
                out[i] = dense = self._search(enc[i]) is not None
                i += 1
                continue
            stop = min(i + _CHUNK, len(enc))
            m = self._screen(joined, starts[i], starts[stop] - 1)
            if m is None:
                i = stop
                continue
            q, r = m.span()
            k = bisect_right(starts, q, i) - 1
            out[k] = dense = (r < starts[k + 1] and b"\n" not in enc[k]) or self._search(enc[k]) is not None
            i = k + 1
        return out

    def __repr__(self) -> str:
        return f"<GoRegexp {self.pattern!r} ({self.engine})>"


def _error(option: str, pattern: str, reason: str) -> OptionError:
    return OptionError(f"parsing {option} regexp `{pattern}`: {reason}")


def _has_any_byte_escape(pattern: str) -> bool:
    """Whether ``pattern`` uses ``\\C`` outside a ``\\Q...\\E`` literal.

    Only called on patterns RE2 accepted, which therefore hold no ``\\Q`` or
    ``\\C`` inside a bracket expression: escapes can be read pairwise.
    """
    i, n = 0, len(pattern)
    while i < n - 1:
        if pattern[i] != "\\":
            i += 1
        elif pattern[i + 1] == "Q":
            end = pattern.find("\\E", i + 2)
            i = n if end < 0 else end + 2
        elif pattern[i + 1] == "C":
            return True
        else:
            i += 2
    return False


def compile_regex_re2(option: str, pattern: str, *, anchored: bool = False) -> GoRegexp:
    """Compile with RE2 (``google-re2``); see :func:`compile_regex`.

    Raises
    ------
    OptionError
        As :func:`compile_regex`; also when the ``re2`` module is missing.
    """
    if re2 is None:
        raise OptionError("the RE2 binding (PyPI google-re2) is not installed")
    options = re2.Options()
    options.log_errors = False  # RE2 would write every refused pattern to stderr
    source = f"^({pattern})$" if anchored else pattern
    try:
        rx = re2.compile(source, options)
    except re2.error as e:
        msg = e.args[0] if e.args else "invalid pattern"
        raise _error(option, pattern, msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)) from None
    except UnicodeEncodeError:
        raise _error(option, pattern, "invalid UTF-8") from None
    if _has_any_byte_escape(pattern):
        raise _error(option, pattern, "invalid escape sequence: \\C")
    screen = None
    if not _CLEARS_LINE_MODE.search(pattern):
        try:
            screen = re2.compile("(?m)" + source, options).search
        except re2.error:  # pragma: no cover - same syntax; only a memory budget could differ
            pass
    return GoRegexp(pattern, "re2", rx.search, encode=True, screen=screen)


# \A or \z, or a flag group turning m off: multi-line mode would not match where the pattern does
_CLEARS_LINE_MODE = re.compile(r"\\[Az]|\(\?[^):]*-[^):]*m")


_POSIX = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}
_POSIX_RX = re.compile(r"\[:(\^?)(" + "|".join(_POSIX) + r"):\]")
_END_RX = re.compile(r"(?<!\\)((?:\\\\)*)\\z")  # RE2's \z (not an escaped backslash before z)


def translate_go_regex(pattern: str) -> str:
    """Rewrite the RE2 forms Python spells differently: ``[[:digit:]]`` classes and ``\\z`` (fallback only).

    Raises
    ------
    OptionError
        A negated POSIX class (``[[:^alpha:]]``), which has no Python spelling.
    """
    def posix(m: re.Match) -> str:
        if m.group(1):  # [[:^alpha:]] has no spelling inside a Python bracket expression
            raise OptionError(f"negated POSIX class [:^{m.group(2)}:] in {pattern!r} is not supported")
        return _POSIX[m.group(2)]
    return _END_RX.sub(r"\1\\Z", _POSIX_RX.sub(posix, pattern))


def compile_regex_fallback(option: str, pattern: str, *, anchored: bool = False) -> GoRegexp:
    """Compile with Python's :mod:`re` after :func:`translate_go_regex` (the documented fallback).

    Raises
    ------
    OptionError
        As :func:`compile_regex`.
    """
    try:
        source = translate_go_regex(pattern)
        rx = re.compile(rf"\A(?:{source})\Z" if anchored else source, re.ASCII)
    except re.error as e:
        raise _error(option, pattern, str(e)) from None
    return GoRegexp(pattern, "re", rx.search, encode=False)


def compile_regex(option: str, pattern: str, *, anchored: bool = False) -> GoRegexp:
    """Compile a user's pattern as pprof does (Go's ``regexp.Compile``).

    Parameters
    ----------
    option : str
        The option's name, for the error message (``"focus"``, ``"peek"``, ``"drop_frames"``...).
    pattern : str
        Go (RE2) syntax.
    anchored : bool
        Compile ``^(pattern)$``, a full match, as pprof's ``RemoveUninteresting``
        compiles ``drop_frames`` / ``keep_frames``.

    Returns
    -------
    GoRegexp
        Test names with :meth:`GoRegexp.match_string`.

    Raises
    ------
    OptionError
        ``parsing <option> regexp `<pattern>`: <reason>`` when Go would refuse
        the pattern (a look-ahead ``(?=x)``, a back-reference ``\\1``, ``\\C``,
        unbalanced parentheses...), or when ``pattern`` is not a str.
    """
    if not isinstance(pattern, str):
        raise OptionError(f"{option} must be a str (a regular expression), not {type(pattern).__name__}")
    if re2 is not None:
        return compile_regex_re2(option, pattern, anchored=anchored)
    return compile_regex_fallback(option, pattern, anchored=anchored)
