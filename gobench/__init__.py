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
* :mod:`gobench.cli` – ``gopherlab benchstat`` and ``gopherlab compare``;
* :mod:`gobench.history` – many commits' runs (:func:`read_history`), change points
  (:func:`change_points`) and the band chart (:func:`history_figure`).

Public entry points: :func:`read_bench`, :func:`benchstat`, :func:`read_benchstat`,
:func:`samples_figure`, :func:`delta_figure`, :func:`read_history`, :func:`change_points`,
:func:`history_figure`, and the typed errors of
:mod:`gobench.errors` (all subclasses of :class:`ValueError`).

``import gobench`` loads numpy and the package's own modules; pandas and plotly are
imported on first use (:mod:`gopherlab_common.lazy`), so ``gopherlab benchstat``,
which needs neither, starts without them.
"""
from .compare import benchstat
from .errors import (BenchEncodingError, BenchFormatWarning, BenchstatError, BenchstatFormatError,
                     BenchSyntaxError, GobenchError, HistoryFormatError, OptionError, QuerySyntaxError,
                     SamplesEqualError, UnitMetadataError, UsageError)
from .history import change_points, history_figure, read_history
from .present.plots import delta_figure, samples_figure, samples_figures
from .read.frame import read_bench
from .read.report import read_benchstat

__all__ = [
    "read_bench", "read_benchstat", "benchstat",
    "samples_figure", "samples_figures", "delta_figure",
    "GobenchError", "BenchSyntaxError", "UnitMetadataError", "BenchEncodingError",
    "QuerySyntaxError", "BenchstatFormatError", "BenchstatError", "SamplesEqualError", "UsageError",
    "OptionError", "BenchFormatWarning", "HistoryFormatError",
    "read_history", "change_points", "history_figure",
]
