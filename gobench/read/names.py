"""Benchmark names as benchfmt.Name sees them.

``Encode/format=json-48`` (the ``Benchmark`` prefix already removed):

* :func:`split_gomaxprocs` → ``("Encode/format=json", "-48")``: the GOMAXPROCS
  suffix is the last ``-`` followed only by (at least one) digit to the end.
* :func:`base_name` → ``"Encode"`` (text before the first ``/``; with no ``/``
  the GOMAXPROCS suffix is removed).
* :func:`name_parts` → ``("Encode", ["/format=json", "-48"])``: each part keeps
  its leading ``/`` (or ``-`` for the GOMAXPROCS part, always last).
* :func:`name_keys` → ``{"format": "json"}`` for the ``/key=value`` parts (the
  first occurrence of a key wins, as benchproc's ``/key`` extractor).
"""
from __future__ import annotations

from functools import lru_cache

__all__ = ["split_gomaxprocs", "base_name", "name_parts", "name_keys", "gomaxprocs"]


def split_gomaxprocs(name: str) -> tuple[str, str]:
    """Split the ``-N`` GOMAXPROCS suffix off *name*; ``("X", "")`` when there is none."""
    i = len(name) - 1
    while i >= 0:
        c = name[i]
        if c == "-" and i < len(name) - 1:
            return name[:i], name[i:]
        if not ("0" <= c <= "9"):
            break
        i -= 1
    return name, ""


def base_name(name: str) -> str:
    """benchstat's ``.name``: text before the first ``/``, else the name without ``-N``."""
    slash = name.find("/")
    if slash >= 0:
        return name[:slash]
    return split_gomaxprocs(name)[0]


@lru_cache(maxsize=65536)
def name_parts(name: str) -> tuple[str, tuple[str, ...]]:
    """Return ``(base, parts)``; parts start with ``/`` and a final ``-N`` part if any."""
    buf, procs = split_gomaxprocs(name)
    parts = []
    prev = 0
    for i, c in enumerate(buf):
        if c == "/":
            parts.append(buf[prev:i])
            prev = i
    parts.append(buf[prev:])
    if procs:
        parts.append(procs)
    return parts[0], tuple(parts[1:])


def gomaxprocs(name: str) -> str:
    """benchstat's ``/gomaxprocs``: the ``-N`` suffix, else a ``/gomaxprocs=N`` part, else ``""``."""
    return name_part(name, "/gomaxprocs")


def name_part(name: str, key: str) -> str:
    """Value of the ``/key=`` part of *name* (``key`` includes the ``/``); ``""`` if absent."""
    _, parts = name_parts(name)
    if key == "/gomaxprocs" and parts and parts[-1][0] == "-":
        return parts[-1][1:]
    prefix = key + "="
    for p in parts:
        if p.startswith(prefix):
            return p[len(prefix):]
    return ""


def name_keys(name: str) -> dict[str, str]:
    """The ``key=value`` sub-benchmark parts of *name* as a dict (first occurrence wins)."""
    _, parts = name_parts(name)
    out: dict[str, str] = {}
    for p in parts:
        if p[0] != "/":
            continue
        eq = p.find("=")
        if eq > 1:
            out.setdefault(p[1:eq], p[eq + 1:])
    return out


def fullname_excluding(name: str, exclude_keys: tuple[str, ...], exc_name: bool,
                       exc_gomaxprocs: bool) -> str:
    """``.fullname`` with projected parts removed (benchproc's residue/row name).

    *exclude_keys* are ``/key`` strings; with *exc_name* the base becomes ``*``.
    """
    found = exc_name
    if not found:
        for k in exclude_keys:
            if k + "=" in name:
                found = True
                break
    if not found and exc_gomaxprocs and "-" in name:
        found = True
    if not found:
        return name
    base, parts = name_parts(name)
    out = ["*" if exc_name else base]
    for p in parts:
        if any(p.startswith(k + "=") for k in exclude_keys):
            continue
        if exc_gomaxprocs and p[0] == "-":
            continue
        out.append(p)
    return "".join(out)
