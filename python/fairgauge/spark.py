"""fairgauge on Apache Spark: the same Rust kernels, run inside the executors.

Each partition of the Spark DataFrame reaches an executor as Arrow record batches
(``DataFrame.mapInArrow``); there the Rust core counts it into a *partial state* — group
confusion counts for fairness, per-column value counts, values or KLL sketches for drift — which
travels back to the driver as bytes (the versioned ``FGST`` encoding). The driver merges the
parts in partition order and finishes the report with the code a single-machine run uses, so the
numbers are the single-machine numbers: equal for everything derived from counts and, for drift
in exact mode, bit for bit.

What travels is sized by groups and bins, not rows: a fairness part holds one cell per
combination of sensitive values; a drift part one count per category and, for numeric columns,
either a KLL sketch of ``sketch`` items (``sketch=200``: the result is approximate, with the
sketch's rank-error bound) or, in the default exact mode, every numeric value (8 bytes a value —
use ``sketch`` beyond a few tens of millions of rows).

    from fairgauge import spark as fgs
    report = fgs.fairness(sdf, label="label", prediction="prediction", sensitive=["sex", "race"])
    report.by_group, report.to_dict()["engine"]   # {"name": "spark", "partitions": …}

Needs PySpark 3.5 or 4.x (``pip install "fairgauge[spark]"``), and fairgauge installed where the
executors' Python runs. Quality checks and full assessments on Spark are not available yet: run
``fairgauge.quality`` / ``fairgauge.assess`` on the collected table or its files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import _fairgauge
from ._errors import ColumnNotFoundError, translate
from ._input import _plain
from ._native import call
from ._reports import DriftReport, FairnessReport

NAME = "<spark.DataFrame>"


def _pyspark() -> Any:
    try:
        import pyspark
        from pyspark.sql import DataFrame  # noqa: F401
    except ImportError as e:
        raise ImportError("fairgauge.spark needs PySpark (3.5 or 4.x): pip install 'fairgauge[spark]'") from e
    return pyspark


def _check_columns(df: Any, wanted: Sequence[str]) -> None:
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise ColumnNotFoundError(
            f"no column `{missing[0]}` in the Spark DataFrame; columns are: {', '.join(df.columns)}"
        )


def _partitions(df: Any) -> int | None:
    try:
        return int(df.rdd.getNumPartitions())
    except Exception:  # Spark Connect has no RDDs
        return None


def _collect(df: Any, count: Callable[[Any], bytes]) -> list[bytes]:
    """Runs `count` on each non-empty partition of `df` (on the executors) and returns the parts
    in partition order; an error on an executor is raised here as fairgauge's exception."""

    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from fairgauge import _fairgauge as native

        table = pa.Table.from_batches(list(batches), schema=schema)
        if table.num_rows == 0:
            return
        try:
            part, kind, message = count(_plain(table)), "", ""
        except native.RustError as e:
            part, kind, message = b"", str(e.args[0]), str(e.args[1])
        yield pa.RecordBatch.from_pydict(
            {"part": [part], "kind": [kind], "message": [message]},
            schema=pa.schema([("part", pa.binary()), ("kind", pa.string()), ("message", pa.string())]),
        )

    from pyspark.sql.pandas.types import to_arrow_schema

    schema = to_arrow_schema(df.schema)
    rows = df.mapInArrow(fn, "part binary, kind string, message string").collect()
    for r in rows:
        if r["kind"]:
            raise translate(_fairgauge.RustError(r["kind"], f"in a Spark partition: {r['message']}"))
    return [bytes(r["part"]) for r in rows]


def _engine(df: Any) -> dict[str, Any]:
    return {"name": "spark", "version": _pyspark().__version__, "partitions": _partitions(df)}


def fairness(
    df: Any,
    *,
    label: str,
    prediction: str | None = None,
    sensitive: str | Sequence[str],
    score: str | None = None,
    threshold: float = 0.5,
    positive_label: Any = 1,
    reference_group: str = "majority",
    intersect: bool = False,
    min_group_size: int = 30,
    confidence: float = 0.95,
    gei_alpha: float = 2.0,
) -> FairnessReport:
    """`fairgauge.fairness` of a Spark DataFrame: each partition is counted on its executor, the
    parts are merged on the driver. Same arguments, same report, plus ``engine`` in
    ``to_dict()`` (Spark's version and the number of partitions)."""
    from . import _fairness_args, _names

    _pyspark()
    sens = _names(sensitive)
    args = json.dumps(
        _fairness_args(
            label, prediction, sens, score, threshold, positive_label, reference_group, intersect, min_group_size,
            confidence, gei_alpha,
        )
    )  # fmt: skip
    cols = [c for c in (label, prediction, score, *sens) if c is not None]
    _check_columns(df, cols)
    read = json.dumps({"name": NAME})
    parts = _collect(df.select(*cols), lambda t: _fairgauge.fairness_part(t, read, args))
    out = json.loads(call(_fairgauge.fairness_finish, parts, NAME, args))
    out["engine"] = _engine(df)
    return FairnessReport(out)


def drift(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    method: str = "auto",
    numeric_method: str | None = None,
    categorical_method: str | None = None,
    threshold: float | None = None,
    correction: str = "bh",
    dataset_threshold: float = 0.5,
    bins: int = 10,
    sketch: int | None = None,
) -> DriftReport:
    """`fairgauge.drift` of two Spark DataFrames. The columns are planned on the driver from
    the two schemas; each partition of each side is read on its executor; the driver merges each
    side's parts in partition order and compares. Exact by default (numeric values travel to the
    driver); ``sketch=k`` sends KLL sketches instead (approximate, bounded size)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    from . import _drift_args

    _pyspark()
    args = json.dumps(
        _drift_args(
            columns, exclude, method, numeric_method, categorical_method, threshold, correction, dataset_threshold,
            bins, sketch,
        )
    )  # fmt: skip
    empty = [_plain(to_arrow_schema(d.schema).empty_table()) for d in (reference, current)]
    plan = call(_fairgauge.drift_plan, empty[0], empty[1], args)
    cols = json.loads(plan)["columns"]
    parts = [
        _collect(d.select(*cols), lambda t, side=side: _fairgauge.drift_part(t, plan, side))
        for d, side in ((reference, "reference"), (current, "current"))
    ]
    out = json.loads(call(_fairgauge.drift_finish, plan, parts[0], parts[1], NAME, NAME, args))
    out["engine"] = {"reference": _engine(reference), "current": _engine(current)}
    return DriftReport(out)


__all__ = ["drift", "fairness"]
