"""``gopherlab notebooks DIR``: copy the workbench notebooks and the bundled sample data out of the
installed package, to open them with ``jupyter lab DIR``.

A wheel install puts the notebooks inside site-packages (package ``gopherlab.notebooks``), where nobody
should edit them; this command gives the user their own copies. Nothing in the copied notebooks is
rewritten: their parameters cells leave the input paths empty, and an empty path means the bundled
sample read through the installed package (:func:`gopherlab.reports.bundled.sample_path`), so they run as
copied from any folder. The sample files are copied too (``DIR/data/``, the same layout as
``gopherlab/data/``), so there is something at hand to look at and to pass, e.g.
``profile_path = "data/profiles/heap.pb.gz"`` (relative to ``DIR``, the notebooks' working folder
in JupyterLab).
"""
from __future__ import annotations

import argparse
import sys
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from . import data, notebooks

_SKIP_SUFFIXES = (".py", ".pyc")


def _notebooks() -> list[Traversable]:
    """The bundled ``*.ipynb`` files (package ``gopherlab.notebooks``), by name."""
    return sorted((t for t in files(notebooks).iterdir() if t.is_file() and t.name.endswith(".ipynb")),
                  key=lambda t: t.name)


def _sample_files(root: Traversable | None = None, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Traversable]]:
    """Every bundled sample file under ``gopherlab.data`` as ``(relative path parts, resource)``;
    Python modules and byte-code caches are not data and are left out."""
    root = files(data) if root is None else root
    out = []
    for t in sorted(root.iterdir(), key=lambda t: t.name):
        if t.name == "__pycache__":
            continue
        if t.is_dir():
            out += _sample_files(t, (*prefix, t.name))
        elif t.is_file() and not t.name.endswith(_SKIP_SUFFIXES):
            out.append(((*prefix, t.name), t))
    return out


def copy_notebooks(dest: str | Path, *, force: bool = False) -> list[Path]:
    """Copy the workbench notebooks to ``dest`` and the sample data to ``dest/data``.

    Parameters
    ----------
    dest
        Target folder; created (with its parents) when missing.
    force
        Overwrite files that already exist. Without it nothing is written when any target exists.

    Returns
    -------
    list of Path
        The files written: the notebooks (``dest/<name>.ipynb``) first, then the sample files
        (``dest/data/<relative path in gopherlab/data>``).

    Raises
    ------
    FileExistsError
        A target file exists and ``force`` is false (nothing written).
    NotADirectoryError
        ``dest`` or a folder to create exists as a file.
    FileNotFoundError
        The installed package carries no notebooks (a broken install).
    OSError
        The folder cannot be written.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} exists and is not a folder")
    nbs = _notebooks()
    if not nbs:
        raise FileNotFoundError("the installed gopherlab carries no notebooks (package gopherlab.notebooks)")
    plan = [(dest / t.name, t) for t in nbs]
    plan += [(dest.joinpath("data", *parts), t) for parts, t in _sample_files()]
    if not force:
        existing = [str(p) for p, _ in plan if p.exists() or p.is_symlink()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise FileExistsError(f"{existing[0]} exists{more}; pass --force to overwrite")
    written = []
    for path, res in plan:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(res.read_bytes())
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``gopherlab notebooks DIR [--force]``: 0 when written, 2 on a usage error or a file in the way."""
    parser = argparse.ArgumentParser(
        prog="gopherlab notebooks",
        description="Copy the workbench notebooks and the bundled sample data (into DIR/data) "
                    "to DIR, then open them with `jupyter lab DIR`. Empty input paths in a notebook's "
                    "parameters cell mean the bundled sample.")
    parser.add_argument("dir", metavar="DIR", help="folder to copy into (created if missing)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    try:
        ns = parser.parse_args(argv)
    except SystemExit as e:  # argparse has printed the usage error (or --help)
        return int(e.code or 0)
    try:
        written = copy_notebooks(ns.dir, force=ns.force)
    except (FileExistsError, NotADirectoryError, FileNotFoundError) as e:
        print(f"gopherlab notebooks: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"gopherlab notebooks: cannot write {ns.dir}: {e}", file=sys.stderr)
        return 2
    n_nb = sum(1 for p in written if p.suffix == ".ipynb" and p.parent == Path(ns.dir))
    print(f"wrote {n_nb} notebooks and {len(written) - n_nb} sample files (data/) to {ns.dir}")
    print(f"open them with: jupyter lab {ns.dir}")
    return 0
