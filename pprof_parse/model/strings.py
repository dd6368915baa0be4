"""A profile's string table as it is built: each distinct string once, ``""`` at index 0."""

from __future__ import annotations


class StringTable:
    """A growing string table: ``table(s)`` is the index of ``s``, appended when new."""

    def __init__(self, strings=("",)):
        self.strings = list(strings)
        self._index: dict[str, int] = {}
        for i, s in enumerate(self.strings):
            self._index.setdefault(s, i)

    def __call__(self, s: str) -> int:
        i = self._index.get(s)
        if i is None:
            i = self._index[s] = len(self.strings)
            self.strings.append(s)
        return i
