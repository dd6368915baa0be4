"""Paths of the files shipped inside the package: the sample data and the workbench notebooks.

Both work from an editable checkout and from an installed wheel (``importlib.resources``); a
resource inside a zipped install is extracted to a temporary file that lives as long as the
process.
"""
from __future__ import annotations

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
