"""Time fairgauge on Spark (local mode) against fairgauge in-process, on the same synthetic rows, in
one run; check the numbers agree and print the overhead ratios and where Spark's time goes.

    python benches/compare_spark.py --rows 10000000 [--partitions 2] [--assess-rows 1000000]

- fairness: `fairgauge.fairness(path)` against `fairgauge.spark.fairness(spark.read.parquet(path))`;
- drift (exact and `sketch=200`): `fairgauge.drift` against `fairgauge.spark.drift`;
- assess (at `--assess-rows`, since exact quality parts carry every row's hashes to the driver):
  `fairgauge.assess` against `fairgauge.spark.assess`;
- where the time goes: Spark alone reading the Parquet and handing it to Python as Arrow batches
  (`mapInArrow` with a function that only counts rows), so that
  spark.fairness ≈ that + the kernels + merging on the driver.
Each timing is the best of `--repeat` runs, after one warm-up run of each.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fairgauge
from fairgauge import spark as fgs

ROOT = Path(__file__).resolve().parent.parent
ROLES = dict(label="label", prediction="prediction", sensitive=["sex", "race"])


def best(fn, repeat):
    fn()
    t_best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best, out


def arrow_only(sdf):
    """Spark's share: read, convert to Arrow, hand each partition's batches to Python."""

    def fn(batches):
        import pyarrow as pa

        yield pa.RecordBatch.from_pydict({"n": [sum(b.num_rows for b in batches)]})

    return sum(r["n"] for r in sdf.mapInArrow(fn, "n long").collect())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--assess-rows", type=int, default=200_000)
    ap.add_argument("--partitions", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fairgauge", default=os.environ.get("FAIRGAUGE_BIN", str(ROOT / "target/release/fairgauge")))
    a = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.files.maxPartitionBytes", str(1 << 40))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory() as d:
        ref, cur = Path(d) / "ref.parquet", Path(d) / "cur.parquet"
        for p, seed, drift in ((ref, 1, 0), (cur, 2, 0.2)):
            subprocess.run(
                [a.fairgauge, "synth", "--rows", str(a.rows), "--seed", str(seed), "--drift", str(drift), "--output",
                 str(p)], check=True, capture_output=True,
            )  # fmt: skip

        def sdf(p):
            return spark.read.parquet(str(p)).repartition(a.partitions).cache()

        sref, scur = sdf(ref), sdf(cur)
        assert scur.count() == a.rows and sref.count() == a.rows  # cached: Spark's own read is not timed
        rows = []
        t_arrow, n = best(lambda: arrow_only(scur.select("label", "prediction", "sex", "race")), a.repeat)
        assert n == a.rows
        t_local, local = best(lambda: fairgauge.fairness(str(cur), **ROLES), a.repeat)
        t_spark, got = best(lambda: fgs.fairness(scur, **ROLES), a.repeat)
        assert got.to_dict()["groups"] == local.to_dict()["groups"]
        rows.append(("fairness (sex x race, 4 role columns)", t_local, t_spark))
        t_arrow_all, _ = best(lambda: arrow_only(scur), a.repeat)
        for label, kw in (("drift, exact", {}), ("drift, sketch=200", {"sketch": 200})):
            t_l, dl = best(lambda kw=kw: fairgauge.drift(str(ref), str(cur), **kw), a.repeat)
            t_s, ds = best(lambda kw=kw: fgs.drift(sref, scur, **kw), a.repeat)
            assert [c["drifted"] for c in ds.to_dict()["columns"]] == [c["drifted"] for c in dl.to_dict()["columns"]]
            rows.append((f"{label} ({len(scur.columns)} columns)", t_l, t_s))
        small = Path(d) / "small.parquet"
        subprocess.run(
            [a.fairgauge, "synth", "--rows", str(a.assess_rows), "--seed", "3", "--output", str(small)],
            check=True, capture_output=True,
        )  # fmt: skip
        ssmall = sdf(small)
        ssmall.count()
        t_l, el = best(lambda: fairgauge.assess(str(small), reference=str(small), **ROLES), a.repeat)
        t_s, es = best(lambda: fgs.assess(ssmall, reference=ssmall, **ROLES), a.repeat)
        assert [f["status"] for f in es.to_dict()["findings"]] == [f["status"] for f in el.to_dict()["findings"]]
        rows.append((f"assess ({a.assess_rows:,} rows, reference = current)", t_l, t_s))
    ncols = len(scur.columns)
    print(
        f"rows: {a.rows:,} x {ncols} columns; Spark {spark.version} local[2], {a.partitions} partitions, "
        "input cached in Spark"
    )
    print(f"{'what':52} {'in-process':>11} {'on Spark':>10} {'overhead':>9}")
    for what, t_l, t_s in rows:
        print(f"{what:52} {t_l:10.3f}s {t_s:9.3f}s {t_s / t_l:8.1f}x")
    print(f"Spark alone handing the 4 role columns to Python as Arrow: {t_arrow:.3f} s")
    print(f"Spark alone handing all {len(scur.columns)} columns to Python as Arrow: {t_arrow_all:.3f} s")
    spark.stop()


if __name__ == "__main__":
    main()
