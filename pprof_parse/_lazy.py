"""pandas on first use, imported in the background meanwhile.

``import pandas`` costs about 0.3-0.5 s, as much as decoding a large profile.
pprof_parse's modules refer to pandas through :data:`pd`, a stand-in that
imports it on first attribute access; :func:`start_background_import` (run at
the end of ``import pprof_parse``) starts that import on a thread, so it
overlaps the first profile's reading (inflating and decoding mostly run
outside the GIL). Whoever needs pandas first simply waits on Python's import
lock until the thread is done; if pandas is already imported, nothing happens.
"""

from __future__ import annotations

import importlib
import sys
import threading


class LazyModule:
    """Attribute access imports the module (or waits for its import to finish)."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


pd = LazyModule("pandas")


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:  # the first real use raises it again, where it can be seen
        pass


def start_background_import(name: str = "pandas") -> None:
    """Import ``name`` on a (non-daemon) thread unless it is imported already."""
    if name not in sys.modules:
        threading.Thread(target=_import, args=(name,), name=f"import-{name}").start()
