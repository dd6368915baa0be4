"""The output of the event ordering: the ordered events as int64 columns, and the extra events.

Both orderings (the Python loop of :mod:`~.order` and the compiled one of :mod:`~.order_fast`)
return an :class:`Emitted`; :mod:`~.events` turns it into the events table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pprof_parse.runtime.trace import spec

__all__ = ["Emitted", "Extra", "number_syncs"]


@dataclass
class Extra:
    """Events that are not decoded wire events: Syncs, CPU samples and the synthetic events of
    GoSwitch/GoDestroySyscall. Parallel lists; ``gen`` is the index of the generation (-1: none)."""

    typ: list = field(default_factory=list)
    time: list = field(default_factory=list)
    a0: list = field(default_factory=list)
    a1: list = field(default_factory=list)
    gen: list = field(default_factory=list)

    def add(self, typ, time, gen, a0=0, a1=0) -> int:
        """Append one event; returns its ``src`` code ``-(1 + index)``."""
        self.typ.append(typ)
        self.time.append(time)
        self.a0.append(a0)
        self.a1.append(a1)
        self.gen.append(gen)
        return -len(self.typ)


@dataclass
class Emitted:
    """The ordered events as parallel int64 numpy columns (8 bytes an event each): ``src`` >= 0
    is the index of the decoded event over all generations, < 0 is ``-(1 + k)`` for ``extra``'s
    entry k; the context ``m``, ``p``, ``g`` (-1: none); ``x`` the state the ordering adds
    (see :class:`~.order._Ordering`). ``task_ends`` holds the TaskEnd details (parent, name),
    indexed by a TaskEnd's ``x``."""

    src: np.ndarray
    m: np.ndarray
    p: np.ndarray
    g: np.ndarray
    x: np.ndarray
    extra: Extra
    task_ends: list
    error: Exception | None = None   # the error that ended a ``keep_complete`` ordering
    generations: int = 0             # how many generations were ordered


def number_syncs(extra: Extra) -> None:
    """Number the Sync events 1, 2, ... in order (their ``a0``)."""
    n = 0
    for k, t in enumerate(extra.typ):
        if t == spec.SYNC:
            n += 1
            extra.a0[k] = n
