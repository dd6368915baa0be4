"""Start-up tuning for the report kernels (the notebooks' code is :mod:`gopherlab.reports`)."""
from __future__ import annotations


def skip_slow_optional_imports() -> None:
    """Keep ``jsonschema`` from importing ``rfc3987_syntax`` (builds a lark grammar: 1.5-6 s).

    plotly's renderers import nbformat, which imports jsonschema, whose optional IRI
    format checker pulls in that package; nbformat never validates IRIs. No effect when
    the package is already imported.
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)
