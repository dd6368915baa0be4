"""Which implementation runs: the fast paths (default) or the plain reference paths.

Every hand-decoded or hand-vectorised path in :mod:`pprof_parse` and
:mod:`gobench` has a reference implementation beside it, written for clarity
and tested equal to it. The environment variable ``GOPHERLAB_ENGINE`` picks
one for the whole process: ``fast`` (the default, also when the variable is
unset or empty) or ``reference``. The variable is read at each call, so a test
may switch engines with ``monkeypatch.setenv``; the libraries never set it.
"""

from __future__ import annotations

import os


class EngineSettingError(ValueError):
    """``GOPHERLAB_ENGINE`` holds a value other than ``fast``, ``reference`` or empty."""


ENGINE_VARIABLE = "GOPHERLAB_ENGINE"
ENGINES = ("fast", "reference")


def engine() -> str:
    """``"fast"`` or ``"reference"``, from ``GOPHERLAB_ENGINE``.

    Raises :class:`EngineSettingError` (a ``ValueError``) naming the variable
    for any other value.
    """
    value = os.environ.get(ENGINE_VARIABLE, "") or "fast"
    if value not in ENGINES:
        raise EngineSettingError(f"{ENGINE_VARIABLE}={value!r}: expected one of {', '.join(ENGINES)}")
    return value


def reference_engine() -> bool:
    """True when ``GOPHERLAB_ENGINE=reference`` selects the plain paths."""
    return engine() == "reference"
