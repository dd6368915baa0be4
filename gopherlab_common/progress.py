"""Progress bars that leave no thread behind.

tqdm starts a monitor thread for the whole process on its first bar and never stops it;
a library leaves nothing running in its importer's process (a user's Jupyter kernel), so
the libraries' bars are tqdm's (a widget in Jupyter, text elsewhere) with that monitor
off -- a class attribute of a subclass, not tqdm's global setting.
"""

from __future__ import annotations

import functools

from .lazy import LazyModule

__all__ = ["progress_bar"]

_tqdm = LazyModule("tqdm.auto")


@functools.lru_cache(maxsize=1)
def _bar_class():
    return type("ProgressBar", (_tqdm.tqdm,), {"monitor_interval": 0})


def progress_bar(iterable=None, **kwargs):
    """``tqdm.auto.tqdm(iterable, **kwargs)`` without tqdm's monitor thread; use it as tqdm
    (iterate it, or ``with`` it and call ``update``)."""
    return _bar_class()(iterable, **kwargs)
