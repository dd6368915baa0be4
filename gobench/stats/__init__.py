"""benchstat's statistics: median CI, Mann–Whitney U, summaries, geomean."""
from .median import QuantileCI, median, median_ci_orders, min_samples_for_ci, quantile_ci, quantile_r8
from .summary import Comparison, Summary, compare, format_delta, geomean, pct_range_string, summarize
from .utest import UTestResult, exact_tied_u_cdf, exact_u_cdf, mann_whitney_u

__all__ = ["QuantileCI", "median", "median_ci_orders", "min_samples_for_ci", "quantile_ci",
           "quantile_r8", "Comparison", "Summary", "compare", "format_delta", "geomean",
           "pct_range_string", "summarize", "UTestResult", "exact_tied_u_cdf", "exact_u_cdf",
           "mann_whitney_u"]
