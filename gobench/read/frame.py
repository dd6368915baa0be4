"""``read_bench``: Go benchmark text as a tidy pandas DataFrame."""
from __future__ import annotations

import os
import warnings
from collections.abc import Mapping

import numpy as np
from gopherlab_common.lazy import pd
from gopherlab_common.text import text_frame

from ..errors import BenchFormatWarning
from .benchfmt import Results, parse_inputs
from .names import base_name, name_keys, split_gomaxprocs
from .sources import label_inputs, open_source, source_or_text

__all__ = ["read_bench", "read_results", "results_to_frame", "RESERVED_COLUMNS"]

#: Columns every frame from :func:`read_bench` has, in order.
RESERVED_COLUMNS = ("file", "label", "line", "fullname", "name", "procs", "iters",
                    "value", "unit", "orig_value", "orig_unit")


def _normalise_sources(src, label):
    if isinstance(src, Mapping):
        items = [(s, lab) for lab, s in src.items()]
    elif isinstance(src, (list, tuple)):
        if label is not None:
            raise TypeError("label= applies to a single source; pass a dict {label: source} instead")
        items = [(s, None) for s in src]
    else:
        items = [(src, label)]
    paths = [os.fspath(s) if isinstance(s, (str, os.PathLike)) else None for s, _ in items]
    keyed = [p if p is not None else f"<input {i}>" for i, p in enumerate(paths)]
    labels = label_inputs(keyed, [lab for _, lab in items])
    inputs = []
    for (s, lab), final in zip(items, labels):
        inp = open_source(s, final)
        inputs.append(inp)
    return inputs


def read_results(src=None, *, text=None, label=None, decode_json: bool = True) -> Results:
    """Parse benchmark sources into the columnar :class:`~gobench.read.benchfmt.Results`.

    Same arguments as :func:`read_bench`; no DataFrame is built (this is what the
    ``benchstat`` pipeline uses).
    """
    return parse_inputs(_normalise_sources(source_or_text(src, text), label), decode_json=decode_json)


def _warn_errors(errors, stacklevel=3):
    if not errors:
        return
    shown = "; ".join(str(e) for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    warnings.warn(f"skipped {len(errors)} malformed benchmark line(s): {shown}{more}",
                  BenchFormatWarning, stacklevel=stacklevel)


_INT64_MAX = (1 << 63) - 1


def _procs_value(procs: str, name: str, too_big: list) -> int | None:
    """The ``-N`` suffix as an int, None when absent; None (and *name* noted in
    *too_big*) when N does not fit the Int64 column.  Checked by length first:
    ``int()`` refuses over 4,300 digits."""
    if not procs:
        return None
    digits = procs[1:].lstrip("0")
    if len(digits) > 19 or int(digits or "0") > _INT64_MAX:
        too_big.append(name)
        return None
    return int(digits or "0")


def results_to_frame(r: Results) -> pd.DataFrame:
    """Build the tidy frame of :func:`read_bench` from parsed :class:`Results`."""
    nres = len(r)
    names = np.array(r.res_name, dtype=object)
    m_res = r.m_res
    # per-result derived columns, computed once per distinct name
    uniq = {}
    too_big = []
    for n in r.res_name:
        if n not in uniq:
            stem, procs = split_gomaxprocs(n)
            uniq[n] = (base_name(n), _procs_value(procs, n, too_big), name_keys(n))
    if too_big:
        shown = ", ".join(repr(n[:60]) for n in too_big[:3])
        warnings.warn(f"GOMAXPROCS suffix of {len(too_big)} benchmark name(s) does not fit "
                      f"int64, procs is <NA> for them: {shown}", BenchFormatWarning,
                      stacklevel=3)
    base = [uniq[n][0] for n in r.res_name]
    procs = pd.array([uniq[n][1] for n in r.res_name], dtype="Int64")
    cols: dict[str, object] = {
        "file": np.array([r.paths[i] for i in r.res_file], dtype=object)[m_res] if nres else [],
        "label": np.array([r.labels[i] for i in r.res_file], dtype=object)[m_res] if nres else [],
        "line": np.asarray(r.res_line, dtype=np.int64)[m_res] if nres else np.zeros(0, np.int64),
        "fullname": names[m_res] if nres else [],
        "name": np.array(base, dtype=object)[m_res] if nres else [],
        "procs": procs[m_res] if nres else pd.array([], dtype="Int64"),
        "iters": np.asarray(r.res_iters, dtype=np.int64)[m_res] if nres else np.zeros(0, np.int64),
        "value": r.m_value,
        "unit": r.m_unit,
        "orig_value": np.where(np.isnan(r.m_orig_value) & (r.m_orig_unit == ""), r.m_value, r.m_orig_value)
        if nres else np.zeros(0),
        "orig_unit": np.where(r.m_orig_unit == "", r.m_unit, r.m_orig_unit) if nres else [],
    }
    # configuration columns, in order of first appearance
    cfg_keys: dict[str, None] = {}
    for cfg in r.configs:
        for k, _ in cfg:
            cfg_keys.setdefault(k, None)
    cfg_of = np.asarray(r.res_config, dtype=np.int64)
    for k in cfg_keys:
        per_cfg = np.array([dict(c).get(k) for c in r.configs], dtype=object)
        col = k if k not in cols else f"config.{k}"
        cols[col] = per_cfg[cfg_of][m_res] if nres else []
    # sub-benchmark key=value columns as "/key"
    sub_keys: dict[str, None] = {}
    for _, _, kv in uniq.values():
        for k in kv:
            sub_keys.setdefault(k, None)
    for k in sub_keys:
        per_res = np.array([uniq[n][2].get(k) for n in r.res_name], dtype=object)
        cols["/" + k] = per_res[m_res] if nres else []
    df = text_frame(cols)
    df.attrs["errors"] = list(r.errors)
    df.attrs["units"] = {f"{u}:{k}": md.value for (u, k), md in r.units.items()}
    return df


def read_bench(src=None, *, text=None, label: str | None = None, decode_json: bool = True) -> pd.DataFrame:
    """Read Go benchmark output (``go test -bench``) into a tidy DataFrame.

    Parsing follows golang.org/x/perf's benchfmt exactly (see
    :mod:`gobench.read.benchfmt`): result lines, ``key: value`` configuration
    lines in force until changed (empty value deletes), ``Unit`` metadata lines,
    bare benchmark-name lines skipped, malformed lines reported and skipped.

    Parameters
    ----------
    src : path, bytes, file object, or list/dict of them
        A ``str`` or :class:`os.PathLike` is a **path** (as in pandas; pass text
        as ``text=`` or in :class:`io.StringIO`).  ``bytes`` and binary files are decoded as UTF-8,
        or UTF-16 when it has a BOM or the NUL-byte pattern of PowerShell output.
        A list reads several files in order, each starting with an empty
        configuration (``benchfmt.Files``); a dict maps labels to sources.
        ``go test -json`` streams are recognised and their ``Output`` joined per
        ``Package`` in stream order.
    text : str, or a list/dict of str, optional (keyword only)
        The benchmark output itself, instead of ``src`` (in the same shapes);
        exactly one of the two is given, else ``TypeError``.
    label : str, optional
        The ``label`` of a single source (default: its path), benchstat's ``.file``.
        An unlabelled path given twice becomes ``path#0``, ``path#1``.
    decode_json : bool, default True
        Read ``go test -json`` streams (benchstat silently ignores them).

    Returns
    -------
    pandas.DataFrame
        One row per (result line, value/unit pair), in input order:

        ============  ========  ====================================================
        file          str       path of the input (``<bytes>``/``<file>`` otherwise)
        label         str       benchstat's ``.file``: the label, else the path
        line          int64     1-based line number (of the JSON event for -json)
        fullname      str       name without ``Benchmark``, e.g. ``Sum/size=1KiB-2``
        name          str       ``.name``: before the first ``/``, ``-N`` removed
        procs         Int64     the ``-N`` GOMAXPROCS suffix, <NA> when absent (or
                                beyond int64: a BenchFormatWarning says so)
        iters         int64     iteration count
        value         float64   tidied value (``ns/op`` → seconds, ``MB/s`` → B/s)
        unit          str       tidied unit (``sec/op``, ``B/s``, ``gc-sec/op``, …)
        orig_value    float64   the value as written
        orig_unit     str       the unit as written
        <config key>  str       one column per configuration key ever seen
                                (``goos``, ``goarch``, ``pkg``, ``cpu``, …); None
                                where not in force.  A key equal to a column above
                                is named ``config.<key>``
        /<key>        str       one column per ``key=value`` sub-benchmark part
                                (``/size`` for ``Sum/size=1KiB-2``); None if absent
        ============  ========  ====================================================

        ``df.attrs["errors"]``: list of :class:`~gobench.errors.BenchSyntaxError`
        (``file``, ``line``, ``msg``) for skipped lines and conflicting ``Unit``
        lines; ``df.attrs["units"]``: ``{"unit:key": value}`` unit metadata.

    Raises
    ------
    FileNotFoundError
        A path that cannot be read.
    gobench.errors.BenchEncodingError
        UTF-16 input that does not decode.

    Warns
    -----
    gobench.errors.BenchFormatWarning
        Once, listing the malformed lines that were skipped (never fatal); once
        more if a GOMAXPROCS suffix does not fit int64.

    Notes
    -----
    ``\n``, ``\r\n`` and a lone ``\r`` all end a line, and a leading UTF-8 BOM is
    dropped (benchfmt splits on ``\n`` only; see :mod:`gobench.read.benchfmt`).
    ``GOPHERLAB_ENGINE=reference`` reads line by line with the reference reader
    (:mod:`gobench.read.benchfmt_reference`) instead of the vectorised scanner:
    the same frame, slower.
    """
    r = read_results(src, text=text, label=label, decode_json=decode_json)
    _warn_errors(r.errors)
    return results_to_frame(r)
