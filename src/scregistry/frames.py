"""Arrow tables of files to pandas DataFrames, with the documented column types."""

from __future__ import annotations

import pyarrow as pa


def to_dataframe(table: pa.Table):
    """A DataFrame with a fresh 0..n-1 index.

    Column types: ``start``/``stop`` ``datetime64[us, UTC]`` (``stop`` is NaT for indices
    without a stop column), ``filesize`` ``int64``, ``datakey`` and text extras
    ``string[pyarrow]`` (Arrow-backed, a fraction of the memory of Python strings),
    numeric extras ``int64``/``float64``.
    """
    import pandas as pd

    string_dtype = pd.StringDtype("pyarrow")
    mapping = {pa.string(): string_dtype, pa.large_string(): string_dtype}
    df = table.to_pandas(types_mapper=mapping.get, split_blocks=True)
    df.index = pd.RangeIndex(len(df))
    return df
