"""Reading Go benchmark data: benchfmt's line rules, names, test2json streams."""
from .benchfmt import Results, UnitMetadata, parse_inputs

__all__ = ["Results", "UnitMetadata", "parse_inputs", "read_bench", "read_results", "results_to_frame"]


def __getattr__(name):
    if name in ("read_bench", "read_results", "results_to_frame"):
        from . import frame
        return getattr(frame, name)
    raise AttributeError(f"module 'gobench.read' has no attribute {name!r}")
