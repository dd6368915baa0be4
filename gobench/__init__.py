"""gobench: Go benchmark data and benchstat's statistics, exactly as the Go tools do them.

The package mirrors golang.org/x/perf's layering:

* :mod:`gobench.units` – benchunit: unit tidying, classes, scaling;
* :mod:`gobench.read` – benchfmt: the benchmark text format, names, ``go test -json``;
* :mod:`gobench.stats` – benchmath / go-moremath: median CI, Mann–Whitney U, geomean;
* :mod:`gobench.project` – benchproc: filter and projection languages, keys, sort orders;
* :mod:`gobench.benchtab` – cmd/benchstat's tables;
* :mod:`gobench.present` – text/CSV rendering (byte-identical to benchstat), plots;
* :mod:`gobench.compare` – :func:`benchstat`, the comparison as a tidy DataFrame;
* :mod:`gobench.gate` – the CI gate behind ``gopherlab compare``;
* :mod:`gobench.cli` – ``gopherlab benchstat`` and ``gopherlab compare``.

Public entry points: :func:`read_bench`, :func:`benchstat`, :func:`read_benchstat`,
:func:`samples_figure`, :func:`delta_figure`, and the typed errors of
:mod:`gobench.errors` (all subclasses of :class:`ValueError`).
"""
from .errors import (BenchEncodingError, BenchFormatWarning, BenchstatError, BenchstatFormatError,
                     BenchSyntaxError, GobenchError, OptionError, QuerySyntaxError,
                     SamplesEqualError, UnitMetadataError, UsageError)

# Heavy imports (pandas) happen on first use, so ``gopherlab benchstat`` starts fast.
_LAZY = {
    "read_bench": ("gobench.read.frame", "read_bench"),
    "read_benchstat": ("gobench.read.report", "read_benchstat"),
    "benchstat": ("gobench.compare", "benchstat"),
    "samples_figure": ("gobench.present.plots", "samples_figure"),
    "samples_figures": ("gobench.present.plots", "samples_figures"),
    "delta_figure": ("gobench.present.plots", "delta_figure"),
}


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def __getattr__(name):
    if name in _LAZY:
        import importlib
        mod, attr = _LAZY[name]
        value = getattr(importlib.import_module(mod), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gobench' has no attribute {name!r}")


__all__ = [
    "read_bench", "read_benchstat", "benchstat",
    "samples_figure", "samples_figures", "delta_figure",
    "GobenchError", "BenchSyntaxError", "UnitMetadataError", "BenchEncodingError",
    "QuerySyntaxError", "BenchstatFormatError", "BenchstatError", "SamplesEqualError", "UsageError",
    "OptionError", "BenchFormatWarning",
]
