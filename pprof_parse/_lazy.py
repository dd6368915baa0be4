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

import gc
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
    """Import ``name`` with the cyclic garbage collector paused, then freeze what exists.

    pandas' import makes ~50k objects; with the collector running, the import
    triggers collections that walk them again and again, and every later
    full collection (and the ones at interpreter exit) walks them once more.
    So the collector is paused during the import and the objects alive at
    its end (pandas' modules, classes and functions, which live as long as
    the process) are moved to the permanent generation (``gc.freeze()``),
    as CPython's documentation suggests for long-lived start-up objects.
    Measured on ``read_profile(f).top()`` of a 340k-sample heap profile:
    -0.15 to -0.3 s per process. The one cost: a reference cycle that already
    existed at that moment and becomes garbage later is not collected unless
    ``gc.unfreeze()`` is called.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        importlib.import_module(name)
    except Exception:  # the first real use raises it again, where it can be seen
        pass
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def start_background_import(name: str = "pandas") -> None:
    """Import ``name`` on a (non-daemon) thread unless it is imported already."""
    if name not in sys.modules:
        threading.Thread(target=_import, args=(name,), name=f"import-{name}").start()
