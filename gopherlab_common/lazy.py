"""Heavy modules on first use: the one lazy-import mechanism of the gopherlab libraries.

``import pandas`` costs about 0.3-0.5 s, as much as decoding a large profile,
and the readers of profile.proto do not need it. The libraries refer to pandas
through :data:`pd`, a stand-in that imports it on first attribute access;
other heavy optional modules go through :class:`LazyModule` the same way. Nothing else happens: no thread, no change to the garbage collector,
nothing a user's process (a Jupyter kernel) would notice.
"""

from __future__ import annotations

import importlib


class LazyModule:
    """Attribute access imports the module (a no-op once it is imported)."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


pd = LazyModule("pandas")
