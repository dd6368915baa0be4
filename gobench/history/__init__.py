"""Benchmark histories: many commits' runs read together, the change points in them, the band chart.

* :func:`read_history` (:mod:`.read`, :mod:`.formats`) – ``go test -bench`` outputs
  (text or ``-json``), gobenchdata JSON and github-action-benchmark ``data.js`` as
  one tidy frame with ``commit`` and ``order`` columns;
* :func:`change_points` (:mod:`.changepoints`, :mod:`.segments`, :mod:`.confirm`) –
  candidate changes from ruptures, each confirmed with benchstat's U test and
  median intervals between the segments either side;
* :func:`history_bands`, :func:`history_figure` (:mod:`.figures`) – per-commit
  medians with their intervals as change from a baseline, change points marked;
* :func:`regression_table`, :func:`noise_pct` (:mod:`.regressions`) – one row per
  benchmark and unit: the worst persisting change, or "too noisy" to judge.
"""
from .changepoints import change_points
from .figures import history_bands, history_figure
from ..errors import HistoryFormatError
from .read import read_history
from .regressions import noise_pct, regression_table

__all__ = ["read_history", "change_points", "history_bands", "history_figure", "regression_table", "noise_pct",
           "HistoryFormatError"]
