"""``fairgauge.bisg``: race and ethnicity probabilities from surname and place (BISG), added to
the caller's own kind of table."""

from __future__ import annotations

import json
import os
from typing import Any

from . import _fairgauge
from ._errors import DataError
from ._input import _to_arrow, table_source
from ._native import call

RACES = ("white", "black", "api", "native", "multiple", "hispanic")
PROBABILITY_COLUMNS = tuple(f"p_{r}" for r in RACES)
BASIS_COLUMN = "bisg_basis"
BASES = ("surname_and_place", "surname", "place", "none")


def _read_path(path: str, text: list[str]) -> Any:
    """The file at `path` as a polars DataFrame, the `text` columns of a CSV read as text (ZIP
    codes keep their leading zeros)."""
    import polars as pl

    ext = os.path.splitext(path)[1].lower()
    if ext in (".csv", ".tsv", ".txt"):
        sep = "\t" if ext == ".tsv" else ","
        return pl.read_csv(path, separator=sep, schema_overrides=dict.fromkeys(text, pl.String))
    readers = {".parquet": pl.read_parquet, ".pq": pl.read_parquet, ".arrow": pl.read_ipc, ".ipc": pl.read_ipc,
               ".feather": pl.read_ipc, ".ndjson": pl.read_ndjson, ".jsonl": pl.read_ndjson}  # fmt: skip
    if ext not in readers:
        raise DataError(f"{path}: cannot tell the format from the extension `{ext}`; read it into a DataFrame first")
    return readers[ext](path)


def _columns_of(data: Any) -> list[str]:
    cols = getattr(data, "columns", None)
    if cols is not None:
        return [str(c) for c in cols]
    names = getattr(data, "column_names", None)
    if names is not None:
        return list(names)
    return list(_to_arrow(data).column_names)


def _added(data: Any, columns: dict[str, Any]) -> Any:
    """`data` with `columns` (numpy arrays, NaN for missing) after its own, as the same kind of
    table: pandas in, pandas out; polars in, polars out; anything else, a pyarrow Table."""
    import pyarrow as pa

    try:
        import pandas as pd

        if isinstance(data, pd.DataFrame):
            return data.assign(**columns)
    except ImportError:  # pragma: no cover - pandas is optional
        pass
    try:
        import polars as pl

        if isinstance(data, pl.DataFrame):
            return data.with_columns([pl.Series(k, v, nan_to_null=True) for k, v in columns.items()])
    except ImportError:  # pragma: no cover - polars is a dependency
        pass
    table = _to_arrow(data)
    for k, v in columns.items():
        table = table.append_column(k, pa.array(v, from_pandas=True))
    return table


def bisg(
    data: Any,
    *,
    surname: str,
    zip: str | None = None,
    tract: str | None = None,
    with_summary: bool = False,
) -> Any:
    """Race and ethnicity probabilities from each row's surname and ZIP code (or census tract)
    by Bayesian Improved Surname Geocoding, as ``fairgauge bisg`` computes them: the table with
    ``p_white``, ``p_black``, ``p_api``, ``p_native``, ``p_multiple``, ``p_hispanic`` (null where
    neither surname nor place is usable) and ``bisg_basis`` (``surname_and_place``, ``surname``,
    ``place`` or ``none``) added.

    The Census 2010 tables are bundled. With the same tables the probabilities equal surgeo
    1.1.2's ``SurgeoModel`` (``SurnameModel`` without a place); where surgeo leaves a row empty,
    the CFPB's fallbacks apply: a compound name by its parts, an unknown surname by the place's
    composition (surgeo's ``GeocodeModel``), a missing, malformed or unknown place by the surname
    alone. ``tract`` takes the 11-digit FIPS code.

    Returns the same kind of table as given (pandas, polars; a pyarrow Table for other inputs; a
    polars DataFrame for a path); with ``with_summary=True``, a pair ``(table, summary)`` where
    the summary counts the rows by basis and why surnames or places were not used.
    """
    if zip is not None and tract is not None:
        raise TypeError("give zip= or tract=, not both")
    place = zip if zip is not None else tract
    if isinstance(data, (str, os.PathLike)):
        data = _read_path(os.fspath(data), [place] if place is not None else [])
    taken = [c for c in (*PROBABILITY_COLUMNS, BASIS_COLUMN) if c in _columns_of(data)]
    if taken:
        raise DataError(f"column `{taken[0]}`: the table already has this column, which BISG adds; rename or drop it")
    import numpy as np

    wanted = [surname] + ([place] if place is not None else [])
    with table_source(data, wanted) as (path, read):
        probs, basis, summary = call(_fairgauge.bisg, path, json.dumps(read), surname, zip, tract)
    p = np.frombuffer(probs, dtype="<f8").reshape(-1, 6)
    names = np.array(BASES, dtype=object)[np.frombuffer(basis, dtype=np.uint8)]
    columns: dict[str, Any] = {c: p[:, i].copy() for i, c in enumerate(PROBABILITY_COLUMNS)}
    columns[BASIS_COLUMN] = names
    out = _added(data, columns)
    return (out, json.loads(summary)) if with_summary else out
