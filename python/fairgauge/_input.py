"""Turning what a notebook holds into a table the Rust core reads.

A path (CSV, Parquet, Arrow IPC, NDJSON) is read directly. Anything with ``__arrow_c_stream__``
(polars, pyarrow Tables and RecordBatchReaders, duckdb results), a pandas DataFrame, a dict of
arrays (numpy arrays or lists, one per column) or a numpy array (a structured array's fields are
its columns; a 2-D array's columns are named ``column_0``, ``column_1``, … as polars names them)
becomes a pyarrow Table (zero-copy where the producer's layout allows: numeric numpy
columns, every Arrow producer), reduced to the columns the call needs, with categorical
(dictionary) columns decoded; the core imports that through the Arrow C stream interface, again
without copying. Nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from ._errors import ColumnNotFoundError, DataError


def _to_arrow(data: Any, columns: Sequence[str] | None = None) -> Any:
    """`data` as a pyarrow Table; a pandas DataFrame converts only `columns` (those it has) when
    given, and a column Arrow cannot type (mixed text and numbers) is a :class:`DataError`."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    try:
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            if columns is not None:
                data = data[[c for c in dict.fromkeys(columns) if c is not None and c in data.columns]]
            try:
                return pa.Table.from_pandas(data, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
                raise DataError(
                    f"cannot convert the DataFrame to Arrow: {e} (a column of mixed types? cast it first, "
                    "e.g. with pd.to_numeric or astype(str))"
                ) from None
    except ImportError:  # pragma: no cover - pandas is optional
        pass
    if hasattr(data, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(data).read_all()
    if isinstance(data, dict):
        return _from_dict(data)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(data, numpy.ndarray):
        return _from_numpy(data)
    raise DataError(
        f"cannot read a {type(data).__name__}: expected a file path, a pandas or polars DataFrame, "
        "a pyarrow Table or RecordBatchReader, a dict of arrays, a numpy array, or any object with "
        "__arrow_c_stream__"
    )


def _from_dict(data: dict[Any, Any]) -> Any:
    import pyarrow as pa

    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise DataError(f"a dict table's keys are its column names (str); found {bad[0]!r}")
    lengths = {k: len(v) for k, v in data.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"`{k}` {n}" for k, n in lengths.items())
        raise DataError(f"a dict table's columns must have one length; lengths are: {shown}")
    try:
        return pa.table({k: _column(v) for k, v in data.items()})
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as e:
        raise DataError(f"cannot read the dict as a table: {e}") from None


def _column(v: Any) -> Any:
    """One column: a 1-D numpy array (or a list, tuple, pyarrow array)."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(v, numpy.ndarray) and v.ndim != 1:
        raise DataError(f"a column must be one-dimensional, found an array of shape {v.shape}")
    return v


def _from_numpy(a: Any) -> Any:
    if a.dtype.names:
        if a.ndim != 1:
            raise DataError(f"a structured array must be one-dimensional, found shape {a.shape}")
        return _from_dict({name: a[name] for name in a.dtype.names})
    if a.ndim != 2:
        raise DataError(
            f"a numpy array is a table when it is 2-D (rows by columns) or structured (named fields); "
            f"found shape {a.shape}"
        )
    return _from_dict({f"column_{i}": a[:, i] for i in range(a.shape[1])})


def _decoded_type(t: Any) -> Any:
    import pyarrow as pa

    # pyarrow has no take kernel for string views (polars' categoricals export them).
    return pa.large_string() if pa.types.is_string_view(t) else t


def _decode(chunk: Any) -> Any:
    values = chunk.dictionary
    return values.cast(_decoded_type(values.type)).take(chunk.indices)


def _plain(table: Any) -> Any:
    """Dictionary-encoded (categorical) columns decoded, for the core's readers."""
    import pyarrow as pa

    cols = []
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = pa.chunked_array([_decode(c) for c in col.chunks], type=_decoded_type(col.type.value_type))
        cols.append(col)
    return pa.table(cols, names=table.column_names)


@contextlib.contextmanager
def table_source(data: Any, columns: Sequence[str] | None = None) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Yields ``(source, read_options)`` for `data`: a path as a string, or a pyarrow Table of
    the columns `columns` names (all when None) that the core imports through the Arrow C
    stream interface, sharing its buffers."""
    if isinstance(data, (str, os.PathLike)):
        yield os.fspath(data), {}
        return
    name = f"<{type(data).__module__.split('.')[0]}.{type(data).__name__}>"
    table = _to_arrow(data, columns)
    if columns is not None:
        wanted = list(dict.fromkeys(c for c in columns if c is not None))
        missing = [c for c in wanted if c not in table.column_names]
        if missing:
            raise ColumnNotFoundError(
                f"no column `{missing[0]}` in the data; columns are: {', '.join(table.column_names)}"
            )
        table = table.select(wanted)
    yield _plain(table), {"name": name}
