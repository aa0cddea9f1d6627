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

Quality (``quality``) and whole assessments (``assess``) run the same way: a counting pass gives
each partition's first row, then each partition is read into a quality part — exact, so it carries
the rows' 128-bit hashes, group codes and numeric values (tens of bytes a row): the driver must hold
them, which bounds Spark quality runs to what one machine can merge; a bounded sketch mode is future
work. The evidence of ``assess`` records ``run.engine`` (Spark's version, partitions per dataset).

Needs PySpark 3.5 or 4.x (``pip install "fairgauge[spark]"``), and fairgauge installed where the
executors' Python runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import _fairgauge
from ._errors import ColumnNotFoundError, translate
from ._input import _plain
from ._native import call
from ._reports import DriftReport, Evidence, FairnessReport, QualityReport

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


def _run_parts(df: Any, count: Callable[[Any, int], bytes]) -> tuple[list[bytes], tuple[str, str] | None]:
    """Runs ``count(table, partition_id)`` on each non-empty partition of `df` (on the
    executors); returns the parts in partition order, and the first error met there as
    ``(kind, message)``."""
    from pyspark.sql.pandas.types import to_arrow_schema

    schema = to_arrow_schema(df.schema)

    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        from pyspark import TaskContext

        from fairgauge import _fairgauge as native

        table = pa.Table.from_batches(list(batches), schema=schema)
        if table.num_rows == 0:
            return
        ctx = TaskContext.get()
        pid = ctx.partitionId() if ctx is not None else 0
        try:
            part, kind, message = count(_plain(table), pid), "", ""
        except native.RustError as e:
            part, kind, message = b"", str(e.args[0]), str(e.args[1])
        yield pa.RecordBatch.from_pydict(
            {"part": [part], "kind": [kind], "message": [message]},
            schema=pa.schema([("part", pa.binary()), ("kind", pa.string()), ("message", pa.string())]),
        )

    rows = df.mapInArrow(fn, "part binary, kind string, message string").collect()
    for r in rows:
        if r["kind"]:
            return [], (r["kind"], f"in a Spark partition: {r['message']}")
    return [bytes(r["part"]) for r in rows], None


def _collect(df: Any, count: Callable[[Any], bytes]) -> list[bytes]:
    """`_run_parts`, raising an executor's error here as fairgauge's exception."""
    parts, error = _run_parts(df, lambda t, _pid: count(t))
    if error is not None:
        raise translate(_fairgauge.RustError(*error))
    return parts


def _first_rows(df: Any) -> dict[int, int]:
    """Each partition's first row in the whole DataFrame (a counting pass), so that example row
    numbers are the whole table's, as in a single-machine run."""

    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa
        from pyspark import TaskContext

        ctx = TaskContext.get()
        n = sum(b.num_rows for b in batches)
        yield pa.RecordBatch.from_pydict({"pid": [ctx.partitionId() if ctx else 0], "rows": [n]})

    counts = sorted((r["pid"], r["rows"]) for r in df.mapInArrow(fn, "pid long, rows long").collect())
    out, first = {}, 0
    for pid, n in counts:
        out[pid] = first
        first += n
    return out


def _empty(df: Any) -> Any:
    """A table of no rows with `df`'s columns, for planning on the driver."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return _plain(to_arrow_schema(df.schema).empty_table())


def _quality_parts(df: Any, plan: str) -> tuple[list[bytes], tuple[str, str] | None]:
    first = _first_rows(df)
    return _run_parts(df, lambda t, pid: _fairgauge.quality_part(t, plan, first.get(pid, 0)))


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
    from . import _drift_args

    _pyspark()
    args = json.dumps(
        _drift_args(
            columns, exclude, method, numeric_method, categorical_method, threshold, correction, dataset_threshold,
            bins, sketch,
        )
    )  # fmt: skip
    empty = [_empty(d) for d in (reference, current)]
    plan = call(_fairgauge.drift_plan, empty[0], empty[1], args)
    cols = json.loads(plan)["columns"]
    parts = [
        _collect(d.select(*cols), lambda t, side=side: _fairgauge.drift_part(t, plan, side))
        for d, side in ((reference, "reference"), (current, "current"))
    ]
    out = json.loads(call(_fairgauge.drift_finish, plan, parts[0], parts[1], NAME, NAME, args))
    out["engine"] = {"reference": _engine(reference), "current": _engine(current)}
    return DriftReport(out)


def _raise(error: tuple[str, str] | None) -> None:
    if error is not None:
        raise translate(_fairgauge.RustError(*error))


def quality(
    df: Any,
    *,
    reference: Any = None,
    rules: str | None = None,
    key: str | Sequence[str] | None = None,
    label: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    examples: int = 5,
) -> QualityReport:
    """`fairgauge.quality` of a Spark DataFrame (with leakage against a `reference` DataFrame):
    planned on the driver from the schemas, each partition read on its executor, the parts
    merged in partition order on the driver. Exact: a part carries its rows' 128-bit hashes,
    group codes and numeric values (tens of bytes a row), which bounds this to what the driver
    can hold; example row numbers count rows in partition order."""
    from . import _quality_args

    _pyspark()
    args = json.dumps(_quality_args(label, sensitive, key, rules, examples))
    ref_empty = _empty(reference) if reference is not None else None
    plan = call(_fairgauge.quality_plan, _empty(df), ref_empty, args)
    parts, error = _quality_parts(df, plan)
    _raise(error)
    rparts: list[bytes] = []
    if reference is not None:
        rparts = _collect(reference, lambda t: _fairgauge.reference_part(t, plan))
    out, inferred = call(
        _fairgauge.quality_finish, _empty(df), ref_empty, plan, parts, rparts, NAME, NAME, args
    )  # fmt: skip
    report = json.loads(out)
    report["engine"] = _engine(df)
    return QualityReport(report, inferred)


def assess(
    current: Any,
    *,
    reference: Any = None,
    policy: str | None = None,
    label: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    positive_label: Any = None,
    reference_group: str | None = None,
    key: str | Sequence[str] | None = None,
    rules: str | None = None,
) -> Evidence:
    """`fairgauge.assess` of Spark DataFrames: the assessment is planned on the driver from the
    policy, the roles and the schemas; quality, fairness and drift parts are read on the
    executors; the driver merges them and judges them with the single-machine code. The
    evidence records the engine (``run.engine``: Spark's version and each dataset's partitions)."""
    import sys

    from . import _roles

    pyspark = _pyspark()
    roles = json.dumps(_roles(label, prediction, score, sensitive, positive_label, reference_group, key))
    cur_empty = _empty(current)
    ref_empty = _empty(reference) if reference is not None else None
    plan_json = call(_fairgauge.assess_plan, cur_empty, ref_empty, policy, roles, rules)
    plan = json.loads(plan_json)
    quality_plan = json.dumps(plan["quality"])
    parts: dict[str, list[bytes]] = {}
    errors: dict[str, str] = {}

    def keep(key: str, got: tuple[list[bytes], tuple[str, str] | None], fatal: bool = False) -> None:
        found, error = got
        if error is not None:
            if fatal:
                _raise(error)
            errors[key] = error[1]
        parts[key] = found

    keep("quality", _quality_parts(current, quality_plan), fatal=True)
    if reference is not None:
        keep(
            "reference",
            _run_parts(reference, lambda t, _pid: _fairgauge.reference_part(t, quality_plan)),
            fatal=True,
        )
    if plan["fairness"] is not None:
        spec = plan["fairness"]
        args = json.dumps(
            {**spec, "reference_group": "majority", "intersect": False, "min_group_size": 30, "confidence": 0.95,
             "gei_alpha": 2.0}
        )  # fmt: skip
        cols = [c for c in (spec["label"], spec["prediction"], spec["score"], *spec["sensitive"]) if c is not None]
        read = json.dumps({"name": NAME})
        keep(
            "fairness",
            _run_parts(current.select(*cols), lambda t, _pid: _fairgauge.fairness_part(t, read, args)),
        )
    if plan["drift"] is not None:
        drift_plan = json.dumps(plan["drift"])
        cols = plan["drift"]["columns"]
        for key, d, side in (("drift_reference", reference, "reference"), ("drift_current", current, "current")):
            keep(
                key, _run_parts(d.select(*cols), lambda t, _pid, side=side: _fairgauge.drift_part(t, drift_plan, side))
            )
    partitions = {"current": _partitions(current)}
    if reference is not None:
        partitions["reference"] = _partitions(reference)
    engine = {
        "name": "spark",
        "version": pyspark.__version__,
        "partitions": {k: v for k, v in partitions.items() if v is not None},
    }
    command = [sys.argv[0] if sys.argv and sys.argv[0] else "python", "fairgauge.spark.assess"]
    out = call(
        _fairgauge.assess_finish, cur_empty, ref_empty, policy, roles, rules, command, plan_json, parts, errors,
        json.dumps(engine), (NAME, NAME),
    )  # fmt: skip
    return Evidence(json.loads(out))


__all__ = ["assess", "drift", "fairness", "quality"]
