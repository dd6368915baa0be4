"""Text columns that hold whatever the input held.

The readers keep bytes that are not UTF-8 as Python's surrogate escapes (``"\\udcff"``), as
Go keeps raw bytes in a string, so a name written back out is the input's bytes. pandas 3
stores text in Arrow when pyarrow is installed, and Arrow strings must be valid UTF-8: a
frame built from such text raises ``UnicodeEncodeError`` there. These helpers build the
frame as pandas would and, only when the text holds surrogate escapes, store its text
columns in pandas' Python string storage instead (the ``"str"`` dtype all the same:
``dtype == "str"`` holds, and every ``.str`` method works).
"""

from __future__ import annotations

import numpy as np

from .lazy import pd

__all__ = ["python_str_dtype", "text_frame", "text_series", "to_text"]


def python_str_dtype():
    """pandas' ``"str"`` dtype in Python storage (any ``str``, surrogate escapes included);
    ``object`` before pandas 3, whose text columns are object columns anyway."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return pd.StringDtype("python", na_value=np.nan)
    return object


def _is_text(values) -> bool:
    """A numpy str array, or an object array or list whose entries are ``str`` or missing (None/NaN)."""
    arr = values if isinstance(values, np.ndarray) else None
    if arr is not None and arr.dtype.kind == "U":
        return True
    if arr is not None and arr.dtype != object:
        return False
    items = values.tolist() if arr is not None else values
    if not isinstance(items, list):
        return False
    return any(isinstance(v, str) for v in items) and all(
        v is None or isinstance(v, str) or (isinstance(v, float) and v != v) for v in items)


def text_series(values, **kwargs):
    """``pd.Series(values, dtype="str", **kwargs)``, in Python string storage when Arrow's
    cannot hold the text (surrogate escapes)."""
    try:
        return pd.Series(values, dtype="str", **kwargs)
    except UnicodeEncodeError:
        return pd.Series(values, dtype=python_str_dtype(), **kwargs)


def text_frame(columns: dict, **kwargs):
    """``pd.DataFrame(columns, **kwargs)``; when Arrow's string storage cannot hold the text
    (surrogate escapes), its text columns (str arrays, object arrays or lists of ``str``) and
    its column names in Python string storage instead."""
    try:
        return pd.DataFrame(columns, **kwargs)
    except UnicodeEncodeError:
        fixed = [pd.Series(v, dtype=python_str_dtype()) if _is_text(v) else v for v in columns.values()]
        df = pd.DataFrame(dict(enumerate(fixed)), **kwargs)
        df.columns = pd.Index(list(columns), dtype=python_str_dtype() if _is_text(list(columns)) else None)
        return df


def to_text(series):
    """``series.astype("str")``, in Python string storage when Arrow's cannot hold the text."""
    try:
        return series.astype("str")
    except UnicodeEncodeError:
        return series.astype(python_str_dtype())
