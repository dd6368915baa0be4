"""What the benchmark readers produce: columnar :class:`Results` and :class:`UnitMetadata`.

Both engines (:mod:`gobench.read.benchfmt`'s vectorised reader and the line-by-line
reference reader of :mod:`gobench.read.benchfmt_reference`) build the same
:class:`Results`, numbered the same way, so ``benchstat`` and ``read_bench`` need not
know which one ran.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import BenchSyntaxError

__all__ = ["UnitMetadata", "Results"]


@dataclass(frozen=True)
class UnitMetadata:
    """One ``Unit`` metadata declaration.

    Attributes
    ----------
    unit : str
        The tidied unit it applies to (``Unit ns/op ...`` applies to ``sec/op``).
    key, value : str
        e.g. ``assume``/``exact`` or ``better``/``higher``.
    orig_unit : str
        The unit as written.
    file : str
        Label of the file that declared it.
    line : int
        Its line number.
    """

    unit: str
    key: str
    value: str
    orig_unit: str
    file: str
    line: int


@dataclass
class Results:
    """Columnar benchmark results: what the readers produce and benchstat consumes.

    One entry per result line in the ``res_*`` arrays and one per value/unit pair
    in the ``m_*`` arrays (``res_nvals`` pairs per result, in order).  The string
    tables are numbered in order of first appearance:

    * ``names[res_name_id[i]]`` is the name of result *i* (``Benchmark`` stripped);
    * ``configs[res_config[i]]`` its ordered ``((key, value), ...)`` file
      configuration; a configuration is numbered when it comes into force (every
      file starts with the empty one, numbered then), used by a result or not;
    * ``labels[res_file[i]]`` its ``.file`` label and ``paths[...]`` its path;
    * ``m_ucode`` codes a measurement's unit: ``c < nu`` (``nu =
      len(ucode_unit) // 2``) is the unit as written, ``written[c]``, the value
      unchanged by tidying; ``c >= nu`` its tidied form, the value tidied.
      ``written`` lists the written units in order of first appearance (result
      by result, pair by pair); ``ucode_unit = written + [tidied of each]``,
      ``ucode_orig = [""] * nu + written``.

    ``errors`` are the syntax-error records in input order (file by file, line by
    line); ``units`` maps ``(tidied unit, key)`` to the first declaration.
    """

    paths: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    res_file: np.ndarray = None
    res_line: np.ndarray = None
    res_name_id: np.ndarray = None
    names: list[str] = field(default_factory=list)
    res_iters: np.ndarray = None
    res_config: np.ndarray = None
    configs: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    res_nvals: np.ndarray = None      # number of value/unit pairs of each result
    m_value: np.ndarray = None
    m_raw: np.ndarray = None           # the values as written
    m_ucode: np.ndarray = None         # int code of (unit, orig_unit): see ucode_unit/ucode_orig
    ucode_unit: list = field(default_factory=list)
    ucode_orig: list = field(default_factory=list)
    errors: list[BenchSyntaxError] = field(default_factory=list)
    units: dict[tuple[str, str], UnitMetadata] = field(default_factory=dict)

    def __len__(self) -> int:
        return 0 if self.res_name_id is None else len(self.res_name_id)

    @property
    def m_res(self) -> np.ndarray:
        """Result index of each measurement (``res_nvals`` expanded; computed on demand:
        ``np.repeat(x, res_nvals)`` spreads a per-result column without it)."""
        if self.res_nvals is None:
            return np.zeros(0, dtype=np.int64)
        return np.repeat(np.arange(len(self.res_nvals), dtype=np.int64), self.res_nvals)

    @property
    def res_name(self) -> list[str]:
        """Name of each result (``Benchmark`` stripped)."""
        names = self.names
        return [names[i] for i in self.res_name_id.tolist()] if len(self) else []

    @property
    def m_unit(self) -> np.ndarray:
        """Unit of each measurement (tidied, or as written when tidying changed nothing)."""
        return np.array(self.ucode_unit + [""], dtype=object)[self.m_ucode]

    @property
    def m_orig_unit(self) -> np.ndarray:
        """Original unit of each tidied measurement, ``""`` where unchanged."""
        return np.array(self.ucode_orig + [""], dtype=object)[self.m_ucode]

    @property
    def m_orig_value(self) -> np.ndarray:
        """Original value of each tidied measurement, NaN where unchanged."""
        nu = len(self.ucode_unit) // 2
        return np.where(self.m_ucode >= nu, self.m_raw, np.nan)

    def assumption(self, unit: str) -> str:
        """``"exact"`` if the unit's metadata says ``assume=exact``, else ``"nothing"``."""
        md = self.units.get((unit, "assume"))
        return "exact" if md is not None and md.value == "exact" else "nothing"

    def better(self, unit: str) -> str | None:
        """``"higher"``/``"lower"`` from ``better=`` metadata, or None when not declared."""
        md = self.units.get((unit, "better"))
        return md.value if md is not None else None
