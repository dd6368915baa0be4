"""Paths of the files shipped inside the package: the sample data and the workbench notebooks.

Both work from an editable checkout and from an installed wheel (``importlib.resources``); a
resource inside a zipped install is extracted to a temporary file that lives as long as the
process.
"""
from __future__ import annotations

import glob
import os
from importlib.resources import as_file, files
from pathlib import Path
from types import ModuleType

from .. import data, notebooks

__all__ = ["notebook_file", "sample_path"]

_EXTRACTED: list = []  # keep as_file() contexts alive for the process


def _resource_path(package: ModuleType, relpath: str, missing: str) -> Path:
    """A package resource as a real file (extracted for the process's lifetime when zipped)."""
    res = files(package).joinpath(*relpath.split("/"))
    if not res.is_file():
        raise FileNotFoundError(missing)
    ctx = as_file(res)
    path = ctx.__enter__()
    _EXTRACTED.append(ctx)
    return Path(path)


def sample_path(relpath: str) -> str:
    """Filesystem path of a bundled sample file (package ``gopherlab.data``).

    Parameters
    ----------
    relpath : str
        ``/``-separated path under ``gopherlab/data``, e.g. ``"profiles/allocs.pb.gz"``,
        ``"bench/old.txt"``, ``"runtime/leakserver/manifest.json"``.

    Returns
    -------
    str
        An absolute path to a readable file.

    Raises
    ------
    FileNotFoundError
        No such bundled file.
    """
    return str(_resource_path(data, relpath, f"no bundled sample file {relpath!r} in gopherlab.data"))


def notebook_file(name: str) -> Path:
    """Path of a bundled notebook (package ``gopherlab.notebooks``).

    Parameters
    ----------
    name : str
        The notebook's stem: ``"allocation_hotspots"``, ``"gc_pause_trends"``,
        ``"goroutine_leaks"`` or ``"benchmark_comparison"``.

    Returns
    -------
    pathlib.Path
        The ``.ipynb`` file.

    Raises
    ------
    FileNotFoundError
        No bundled notebook of that name.
    """
    return _resource_path(notebooks, f"{name}.ipynb", f"no bundled notebook {name!r}")


def expand_inputs(paths, default: list[str], *, directories: bool = False) -> list[str]:
    """A report's input files: paths and glob patterns expanded, in the order given.

    Parameters
    ----------
    paths : str, path or list of them
        Files, glob patterns (``**`` allowed; each pattern's matches sorted by name) and, with
        ``directories``, directories (left to the reader). Empty: ``default``.
    default : list of str
        The bundled sample files used for no input, as :func:`sample_path` takes them.

    Returns
    -------
    list of str

    Raises
    ------
    FileNotFoundError
        A pattern that matches nothing (``no file matches 'PATTERN'``) or a path that is not
        a file (or directory) (``no such file: 'PATH'``).
    """
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths or [])
    paths = [os.fspath(p) for p in paths if os.fspath(p)]
    if not paths:
        return [sample_path(p) for p in default]
    there = os.path.exists if directories else os.path.isfile
    out: list[str] = []
    for p in paths:
        if glob.has_magic(p):
            found = sorted(glob.glob(p, recursive=True))
            if not found:
                raise FileNotFoundError(f"no file matches {p!r}")
        elif there(p):
            found = [p]
        else:
            raise FileNotFoundError(f"no such file{' or directory' if directories else ''}: {p!r}")
        out += found
    return out
