"""Function names as pprof shows them: its ``-symbolize=demangle=`` modes.

``go tool pprof`` runs its symbolizer on every profile it reads, also a local
file with no binaries at hand, and the symbolizer ends with
``Demangle`` (``internal/symbolizer/symbolizer.go`` in google/pprof). With the
default mode it simplifies every function whose ``name`` equals its
``system_name`` (or whose ``name`` is empty) and that *looks like demangled
C++*: the name holds one of ``<>[]`` or ``::``, but neither ``.<`` (Java's
``class.<init>``) nor ``]).`` (Go's ``pkg.(*T[...]).Method``). Such names lose
every balanced ``(...)`` group (argument lists) and every balanced ``<...>``
group (template parameters), outermost groups first; an unbalanced closing
bracket stops the removal there. So::

    std::vector<int, std::allocator<int> >::push_back(int const&)  ->  std::vector::push_back
    <alloc::alloc::Global as core::alloc::Allocator>::allocate      ->  ::allocate
    m.New[go.shape.interface { At() int }]                          ->  m.New[go.shape.interface { At int }]

Modes (pprof's names, ``-symbolize=demangle=MODE``):

``"default"``
    the rule above (``NoParams``, ``NoTemplateParams``), only for functions
    whose name equals their system name;
``"templates"``
    every name is first reset to its system name, then only ``(...)`` groups go;
``"full"``, ``"none"``
    every name is reset to its system name (nothing is removed).

Mangled names (``_Z...``, ``__Z...``, Rust ``_R...``): pprof demangles them
with a C++/Rust demangler; this package has none, so they are kept as they are
(a :class:`~pprof_parse.errors.PprofParseWarning` says how many). Go profiles
never hold mangled names (the Go runtime writes Go's own names).
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import OptionError, warn
from ..model.data import ProfileData

DEMANGLE_MODES = ("default", "templates", "full", "none")

_MANGLED = re.compile(r"_{1,2}Z|_R[0-9A-Z_]")


def looks_like_demangled_cplusplus(name: str) -> bool:
    """pprof's ``looksLikeDemangledCPlusPlus`` heuristic (see the module docstring)."""
    if ".<" in name or "])." in name:
        return False
    return any(c in name for c in "<>[]") or "::" in name


def remove_matching(name: str, start: str, end: str) -> str:
    """pprof's ``removeMatching``: drop every balanced ``start...end`` group, outermost
    first; an ``end`` without its ``start`` stops and returns what is left so far."""
    nesting = first = 0
    i = 0
    while True:
        a, b = name.find(start, i), name.find(end, i)
        hits = [x for x in (a, b) if x >= 0]
        if not hits:
            return name
        i = min(hits)
        if name[i] == start:
            nesting += 1
            if nesting == 1:
                first = i
        else:
            nesting -= 1
            if nesting < 0:
                return name
            if nesting == 0:
                name = name[:first] + name[i + 1:]
                i = first - 1
        i += 1


def simplify_name(name: str, mode: str = "default") -> str:
    """One already-demangled name under a pprof demangle mode (``name`` taken as the
    system name). Mangled names are returned unchanged (no demangler here)."""
    check_demangle_mode(mode)
    if mode in ("full", "none") or _MANGLED.match(name) or not looks_like_demangled_cplusplus(name):
        return name
    name = remove_matching(name, "(", ")")
    if mode == "default":
        name = remove_matching(name, "<", ">")
    return name


def check_demangle_mode(mode) -> None:
    """Raise :class:`OptionError` unless ``mode`` is one of :data:`DEMANGLE_MODES`."""
    if mode not in DEMANGLE_MODES:
        raise OptionError(f"demangle={mode!r} must be one of {', '.join(map(repr, DEMANGLE_MODES))} "
                          "(pprof's -symbolize=demangle= modes)")


def demangle_names(data: ProfileData, mode: str = "default", *, source: str = "<bytes>") -> ProfileData:
    """Apply pprof's ``Demangle(profile, force, mode)`` to the function table.

    Parameters
    ----------
    data : ProfileData
    mode : {"default", "templates", "full", "none"}
        pprof's ``-symbolize=demangle=`` mode; ``"default"`` (pprof's default)
        simplifies only functions whose ``name`` equals their ``system_name``
        (or is empty); the other modes first reset every ``name`` to its
        ``system_name`` (pprof's ``force``).

    Returns
    -------
    ProfileData
        ``data`` itself when no name changes, else a copy whose ``func_name``
        points at new string-table entries appended to ``strings``.

    Raises
    ------
    OptionError
        Unknown mode.

    Warns
    -----
    PprofParseWarning
        Mangled names were kept (pprof would demangle them).
    """
    check_demangle_mode(mode)
    if data.func_name.size == 0:
        return data
    strings = data.strings
    force = mode != "default"
    new_idx = data.func_name.copy()
    added: dict[str, int] = {}
    mangled = 0
    cache: dict[tuple[int, int], int] = {}
    for k, (ni, si) in enumerate(zip(data.func_name.tolist(), data.func_system_name.tolist())):
        key = (ni, si)
        out = cache.get(key)
        if out is None:
            name, system = strings[ni], strings[si]
            if force and name and system:
                name, ni = system, si
            if mode == "none" or (name and system != name):
                out = ni  # pprof: no demangling at all / already demangled by the writer
            else:
                if _MANGLED.match(system):
                    mangled += 1
                simple = simplify_name(system, mode)
                if simple == system:
                    out = si
                else:
                    out = added.get(simple)
                    if out is None:
                        out = added[simple] = len(strings) + len(added)
            cache[key] = out
        new_idx[k] = out
    if mangled:
        warn(f"{source}: {mangled} mangled C++/Rust function name(s) kept as they are "
                      "(pprof would demangle them; no demangler is installed)")
    if not added and np.array_equal(new_idx, data.func_name):
        return data
    return data.with_(strings=list(strings) + list(added), func_name=new_idx)
