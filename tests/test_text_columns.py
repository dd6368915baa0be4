"""Text holding surrogate escapes (bytes that are not UTF-8, kept as Go keeps them) fits in a frame
whether or not pandas stores text in Arrow (pyarrow installed), and reads back unchanged."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gopherlab_common.text import text_frame, text_series, to_text

RAW = "name\udcff/sub"  # b"name\xff/sub" decoded with surrogateescape


def test_text_frame_keeps_surrogate_escapes_in_values_and_column_names():
    df = text_frame({"name": np.array([RAW, "plain"], dtype=object), "unit": np.array(["ns/op", RAW]),
                     "/k\udcff": [RAW, None], "value": np.array([1.0, 2.0])})
    assert list(df.columns) == ["name", "unit", "/k\udcff", "value"]
    assert df["name"].tolist() == [RAW, "plain"] and df["unit"].tolist() == ["ns/op", RAW]
    assert df["/k\udcff"].iloc[0] == RAW and pd.isna(df["/k\udcff"].iloc[1])
    assert df["name"].dtype == "str" and df["value"].dtype == np.float64
    assert df["name"].str.encode("utf-8", "surrogateescape").tolist() == [b"name\xff/sub", b"plain"]


def test_plain_text_is_built_as_pandas_builds_it():
    cols = {"name": np.array(["a", "b"], dtype=object), "n": [1, 2]}
    pd.testing.assert_frame_equal(text_frame(cols), pd.DataFrame(cols))
    pd.testing.assert_series_equal(text_series(["a", "b"]), pd.Series(["a", "b"], dtype="str"))


def test_series_helpers_hold_surrogates():
    assert text_series([RAW]).tolist() == [RAW]
    assert to_text(pd.Series([RAW, "x"], dtype=object)).tolist() == [RAW, "x"]
