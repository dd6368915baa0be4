"""How the libraries take an input, as pandas' readers do: a source, or text given as ``text=``.

A ``str`` or ``os.PathLike`` source is always a path; text goes in through a
file-like object or the keyword-only ``text=``. The readers of each package
wrap the text their own way; the rules they share are here.
"""

from __future__ import annotations

__all__ = ["check_one_input", "looks_like_text"]


def check_one_input(src, text, noun: str) -> None:
    """Exactly one of ``src`` and ``text`` is given (not None).

    ``noun`` names the source in the message, e.g. ``"a source (path, bytes or
    file object)"``. Raises ``TypeError`` when both or neither are given.
    """
    if src is None and text is None:
        raise TypeError(f"no input: pass {noun} or text=...")
    if src is not None and text is not None:
        raise TypeError(f"pass either {noun} or text=..., not both")


def looks_like_text(path: str) -> bool:
    """True when a "path" holds a line end or NUL, or runs past 200 characters: text passed
    where a path goes, to be shortened in messages (its first 40 characters)."""
    return "\n" in path or "\r" in path or "\x00" in path or len(path) > 200
