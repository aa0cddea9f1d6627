"""Turning what a notebook holds into a table the Rust core reads.

A path (CSV, Parquet, Arrow IPC, NDJSON) is read directly. Anything with ``__arrow_c_stream__``
(polars, pyarrow Tables and RecordBatchReaders, duckdb results), a pandas DataFrame or a dict of
arrays becomes a pyarrow Table (zero-copy where the producer's layout allows: numeric numpy
columns, every Arrow producer), reduced to the columns the call needs, with categorical
(dictionary) columns decoded; the core imports that through the Arrow C stream interface, again
without copying. Nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import Any

from ._errors import ColumnNotFoundError, DataError


def _to_arrow(data: Any) -> Any:
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
            return pa.Table.from_pandas(data, preserve_index=False)
    except ImportError:  # pragma: no cover - pandas is optional
        pass
    if hasattr(data, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(data).read_all()
    if isinstance(data, dict):
        return pa.table(data)
    raise DataError(
        f"cannot read a {type(data).__name__}: expected a file path, a pandas or polars DataFrame, "
        "a pyarrow Table or RecordBatchReader, or any object with __arrow_c_stream__"
    )


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
    table = _to_arrow(data)
    if columns is not None:
        wanted = list(dict.fromkeys(c for c in columns if c is not None))
        missing = [c for c in wanted if c not in table.column_names]
        if missing:
            raise ColumnNotFoundError(
                f"no column `{missing[0]}` in the data; columns are: {', '.join(table.column_names)}"
            )
        table = table.select(wanted)
    yield _plain(table), {"name": name}
