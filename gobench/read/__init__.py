"""Reading Go benchmark data: benchfmt's line rules, names, test2json streams."""
from .benchfmt import Results, UnitMetadata, parse_inputs
from .frame import read_bench, read_results, results_to_frame

__all__ = ["Results", "UnitMetadata", "parse_inputs", "read_bench", "read_results", "results_to_frame"]
