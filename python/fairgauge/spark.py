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
them, which bounds Spark quality runs to what one machine can merge. With ``sketch=k`` (the bounded
mode of ``fairgauge.quality``) parts carry sketches instead of numeric values and group codes, and the
driver keeps the row hashes in temporary files (the parts themselves, 16 bytes a row and hash check,
are still collected). The evidence of ``assess`` records ``run.engine`` (Spark's version, partitions per dataset).

Needs PySpark 3.5 or 4.x (``pip install "fairgauge[spark]"``), and fairgauge installed where the
executors' Python runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from . import _partitioned as _p
from ._input import _plain


class Spark(_p.Engine):
    """Spark DataFrames: partitions reach the executors' Python as Arrow batches (``mapInArrow``)."""

    name = "spark"
    label = "<spark.DataFrame>"

    def module(self) -> Any:
        try:
            import pyspark
            from pyspark.sql import DataFrame  # noqa: F401
        except ImportError as e:
            raise ImportError("fairgauge.spark needs PySpark (3.5 or 4.x): pip install 'fairgauge[spark]'") from e
        return pyspark

    def columns(self, df: Any) -> list[str]:
        return list(df.columns)

    def select(self, df: Any, cols: Sequence[str]) -> Any:
        return df.select(*cols)

    def empty(self, df: Any) -> Any:
        from pyspark.sql.pandas.types import to_arrow_schema

        return _plain(to_arrow_schema(df.schema).empty_table())

    def partitions(self, df: Any) -> int | None:
        try:
            return int(df.rdd.getNumPartitions())
        except Exception:  # Spark Connect has no RDDs
            return None

    def run_parts(self, df: Any, count: Callable[[Any, int], bytes]) -> _p.Parts:
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

    def first_rows(self, df: Any) -> dict[int, int]:
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


ENGINE = Spark()
fairness = _p.bind(ENGINE, _p.fairness, "Fairness of a Spark DataFrame.")
drift = _p.bind(ENGINE, _p.drift, "Drift between two Spark DataFrames.")
quality = _p.bind(ENGINE, _p.quality, "Quality of a Spark DataFrame.")
assess = _p.bind(ENGINE, _p.assess, "An assessment of Spark DataFrames.")
monitor = _p.bind(ENGINE, _p.monitor, "Monitoring a Spark DataFrame over time windows.")
estimate = _p.bind(ENGINE, _p.estimate, "Label-free estimates of a Spark DataFrame.")

__all__ = ["assess", "drift", "estimate", "fairness", "monitor", "quality"]
