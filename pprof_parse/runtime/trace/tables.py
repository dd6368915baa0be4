"""Strings and stacks over the whole trace: the per-generation ids mapped to global ones.

String and stack ids restart in every generation (``src/runtime/tracestring.go``,
``tracestack.go``). The reader keeps one string pool and one stack table for the
trace: a string's global id is its position in the pool (each text once); a
stack's global id numbers its distinct frame lists (each once, ``0`` = no stack).
A frame is resolved as Go resolves it: through the generation's PC table, where the
first frame recorded for a PC wins (``generation.go`` ``addStacks``), so two inlined
frames at one PC show the outer one's record, as ``go tool trace`` shows them.
"""

from __future__ import annotations

import numpy as np

from pprof_parse.runtime.trace.errors import TraceFormatError

__all__ = ["StringPool", "StackTable", "IdMap"]


class StringPool:
    """Distinct strings, each with an id (its index); id 0 is ``""``."""

    def __init__(self):
        self.strings: list[str] = [""]
        self._ids: dict[str, int] = {"": 0}

    def id(self, s: str) -> int:
        i = self._ids.get(s)
        if i is None:
            i = self._ids[s] = len(self.strings)
            self.strings.append(s)
        return i


class IdMap:
    """A generation's local ids -> global ids, vectorised (local 0 -> global 0)."""

    def __init__(self, local_to_global: dict[int, int]):
        items = sorted(local_to_global.items())
        self.keys = np.array([0] + [k for k, _ in items], dtype=np.uint64)
        self.values = np.array([0] + [v for _, v in items], dtype=np.int64)

    def map(self, ids: np.ndarray, what: str, source: str, offsets: np.ndarray) -> np.ndarray:
        """Global ids for ``ids`` (uint64); an id the generation does not define is an error
        (Go: "found invalid stack ID 7 for event GoBlock"), at the event's offset."""
        pos = np.searchsorted(self.keys, ids)
        pos = np.minimum(pos, len(self.keys) - 1)
        bad = self.keys[pos] != ids
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise TraceFormatError(f"found invalid {what} ID {int(ids[k])}", source=source, offset=int(offsets[k]))
        return self.values[pos]


class StackTable:
    """Distinct stacks as frame lists; a stack's frames are ``(pc, function id, file id, line)`` with
    string ids from the :class:`StringPool`, leaf first."""

    def __init__(self, pool: StringPool):
        self.pool = pool
        self.stacks: list[tuple] = [()]
        self._ids: dict[tuple, int] = {(): 0}

    def add_generation(self, g) -> tuple[IdMap, IdMap]:
        """Register generation ``g``'s strings and stacks; return its string and stack :class:`IdMap`."""
        strings = {sid: self.pool.id(s) for sid, s in g.strings.items()}
        stacks = {}
        for sid, pcs in g.stacks.items():
            frames = []
            for pc in pcs:
                func, file, line = g.pcs[pc]
                frames.append((pc, strings.get(func, 0), strings.get(file, 0), line))
            key = tuple(frames) or "empty"  # a stack with no frames is still a stack (not id 0)
            gid = self._ids.get(key)
            if gid is None:
                gid = self._ids[key] = len(self.stacks)
                self.stacks.append(tuple(frames))
            stacks[sid] = gid
        return IdMap(strings), IdMap(stacks)
