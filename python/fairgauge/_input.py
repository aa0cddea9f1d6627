"""Turning what a notebook holds into a table the Rust core reads.

A path (CSV, Parquet, Arrow IPC, NDJSON) is read directly. Anything with ``__arrow_c_stream__``
(pandas, polars, pyarrow Tables and RecordBatchReaders, duckdb results), a pandas DataFrame or a
dict of arrays is converted to Arrow (zero-copy where the producer's layout allows), reduced to the
columns the call needs, and written once as an Arrow IPC file in a temporary directory that the
core reads; the file is removed when the call returns.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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


def _plain(table: Any) -> Any:
    """Dictionary-encoded (categorical) columns decoded, for the core's readers."""
    import pyarrow as pa

    cols = []
    for col in table.columns:
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


@contextlib.contextmanager
def table_source(data: Any, columns: Sequence[str] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yields ``(path, read_options)`` for `data`; `columns` limits what is written."""
    if isinstance(data, (str, os.PathLike)):
        yield os.fspath(data), {}
        return
    import pyarrow as pa
    import pyarrow.ipc

    table = _to_arrow(data)
    if columns is not None:
        wanted = list(dict.fromkeys(c for c in columns if c is not None))
        missing = [c for c in wanted if c not in table.column_names]
        if missing:
            raise ColumnNotFoundError(
                f"no column `{missing[0]}` in the data; columns are: {', '.join(table.column_names)}"
            )
        table = table.select(wanted)
    table = _plain(table)
    # The system's temporary directory (measured faster here than /dev/shm for the core's reader).
    with tempfile.TemporaryDirectory(prefix="fairgauge-") as d:
        path = os.path.join(d, "data.arrow")
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        yield path, {"format": "ipc", "no_schema": True}
