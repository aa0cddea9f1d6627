"""fairgauge.spark in Spark's local mode (`local[2]`): fairness and drift of Spark DataFrames built
from `fairgauge synth` data equal the in-process results on the same rows (counts and everything
derived from them exactly; sums over reordered rows to 1e-12; KLL sketches within their stated
bound), errors raised on executors arrive as fairgauge's exceptions, and a missing PySpark is a
clear ImportError. Skipped when PySpark is not installed unless FAIRGAUGE_REQUIRE_SPARK=1 (CI)."""

import json
import os
import sys

import fairgauge
import pytest

if os.environ.get("FAIRGAUGE_REQUIRE_SPARK") != "1":
    pytest.importorskip("pyspark")
from fairgauge import spark as fgs

ROLES = dict(label="label", prediction="prediction", sensitive=["sex", "race"])


@pytest.fixture(scope="module")
def spark():
    # The executors' Python is this interpreter (the one fairgauge is installed in).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .appName("fairgauge-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def data(run, tmp_path_factory):
    d = tmp_path_factory.mktemp("spark")
    ref, cur = d / "ref.parquet", d / "cur.parquet"
    run("synth", "--rows", "30000", "--seed", "1", "--output", ref)
    run("synth", "--rows", "20000", "--seed", "2", "--drift", "0.3", "--output", cur)
    return ref, cur


def _without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


def test_fairness_on_spark_equals_in_process(spark, data):
    ref, _ = data
    local = fairgauge.fairness(str(ref), **ROLES).to_dict()
    for parts in (1, 3, 7):
        sdf = spark.read.parquet(str(ref)).repartition(parts)
        got = fgs.fairness(sdf, **ROLES).to_dict()
        assert got["engine"]["name"] == "spark" and got["engine"]["partitions"] == parts
        assert got["input"]["path"] == "<spark.DataFrame>"
        # Counts, rates, intervals, tests: the same numbers, whatever the partitioning.
        assert _without(got, "engine", "input") == _without(local, "input")


def test_weighted_fairness_on_spark_equals_in_process(spark, data):
    # Weights in quarters: every sum is exact, so partitioning cannot change a bit.
    import pandas as pd

    ref, _ = data
    df = pd.read_parquet(ref)
    df["w"] = (pd.Series(range(len(df))) % 7 + 1) * 0.25
    local = fairgauge.fairness(df, **ROLES, weight="w").to_dict()
    got = fgs.fairness(spark.createDataFrame(df).repartition(3), **ROLES, weight="w").to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert got == local and local["weights"]["total"] == df["w"].sum()


def test_fairness_with_probabilities_on_spark_equals_in_process(spark, data):
    # Probabilities in eighths: every weighted sum is exact, so partitioning cannot change a bit.
    import pandas as pd

    ref, _ = data
    df = pd.read_parquet(ref)
    i = pd.Series(range(len(df)))
    df["p_a"], df["p_b"] = (i % 5) / 8, (i % 3) / 8
    df["p_c"] = 1 - df["p_a"] - df["p_b"]
    roles = dict(label="label", prediction="prediction", sensitive="sex")
    probs = {"grp": ["p_a", "p_b", "p_c"]}
    local = fairgauge.fairness(df, **roles, sensitive_probabilities=probs, bounds_by="race").to_dict()
    sdf = spark.createDataFrame(df).repartition(3)
    got = fgs.fairness(sdf, **roles, sensitive_probabilities=probs, bounds_by="race").to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert got == local and local["membership"][0]["rows_with_probabilities"] == len(df)
    assert local["membership"][0]["bounds"]["strata"] == df["race"].nunique()


def test_multiclass_fairness_on_spark_equals_in_process(spark, data):
    import pandas as pd

    ref, _ = data
    df = pd.read_parquet(ref)
    # Three tiers from the label and the decision: every class occurs as truth and prediction.
    df["tier"] = df["label"].astype(int) + (df["sex"] == "Female").astype(int)
    df["tier_pred"] = df["prediction"].astype(int) + (df["race"] == "White").astype(int)
    roles = dict(label="tier", prediction="tier_pred", sensitive=["sex", "race"], task="multiclass")
    local = fairgauge.fairness(df, **roles, bootstrap=50, seed=2).to_dict()
    got = fgs.fairness(spark.createDataFrame(df).repartition(3), **roles, bootstrap=50, seed=2).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert local["task"] == "multiclass" and local["classes"] == ["0", "1", "2"]
    assert got == local


def test_regression_fairness_on_spark_equals_in_process(spark, data):
    import pandas as pd
    from frames import assert_close

    ref, _ = data
    df = pd.read_parquet(ref)
    roles = dict(
        label="income", prediction="x1", sensitive=["sex", "race"], task="regression", threshold=0.0,
        bootstrap=50, seed=2,
    )  # fmt: skip
    local = fairgauge.fairness(df, **roles).to_dict()
    got = fgs.fairness(spark.createDataFrame(df).repartition(3), **roles).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    # The bootstrap draws from each cell's rows in canonical order: the same bytes.
    assert got["summary"]["sex"]["intervals"] == local["summary"]["sex"]["intervals"]
    # Counts, distributions and the threshold's rates exactly; means, variances and sums merged
    # in another order to 1e-9 (variances lose digits as (mean / sd)² grows).
    assert got["above_threshold"] == local["above_threshold"]
    assert_close(got, local, 1e-9)


def test_ranking_fairness_on_spark_equals_in_process(spark, data):
    import pandas as pd

    ref, _ = data
    df = pd.read_parquet(ref)
    df["q"] = (df.index // 7).astype(str)
    df["rel"] = df["label"].astype(float)
    roles = dict(task="ranking", query="q", score="x1", relevance="rel", sensitive=["sex", "race"], k=[3])
    local = fairgauge.fairness(df, **roles).to_dict()
    got = fgs.fairness(spark.createDataFrame(df).repartition(4), **roles).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert local["task"] == "ranking" and got == local
    # With sample weights and the list bootstrap, a shuffle changes no byte either: lists are
    # put in order of their values, each sorted, and each list draws its weights from its value.
    df["w"] = (df.index % 3 + 1) / 2.0
    roles = dict(roles, weight="w", bootstrap=40, seed=5)
    local = fairgauge.fairness(df, **roles).to_dict()
    got = fgs.fairness(spark.createDataFrame(df).repartition(3), **roles).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert got == local and local["summary"]["sex"]["intervals"]


def test_bootstrap_on_spark_equals_in_process(spark, data):
    ref, _ = data
    local = fairgauge.fairness(str(ref), **ROLES, bootstrap=150, seed=4).to_dict()
    got = fgs.fairness(spark.read.parquet(str(ref)).repartition(4), **ROLES, bootstrap=150, seed=4).to_dict()
    assert got["summary"] == local["summary"] and local["summary"]["sex"]["intervals"]


def test_drift_on_spark_equals_in_process(spark, data):
    ref, cur = data
    local = fairgauge.drift(str(ref), str(cur)).to_dict()
    # Read in file order: the same rows in the same order, so even sums agree bit for bit.
    same_order = fgs.drift(spark.read.parquet(str(ref)), spark.read.parquet(str(cur))).to_dict()
    assert _without(same_order, "engine", "reference", "current") == _without(local, "reference", "current")
    assert same_order["current"]["rows"] == 20000
    # Shuffled into partitions: counts and verdicts equal, statistics to 1e-12.
    shuffled = fgs.drift(spark.read.parquet(str(ref)).repartition(3), spark.read.parquet(str(cur)).repartition(5))
    got = shuffled.to_dict()
    assert got["engine"]["current"]["partitions"] == 5
    assert got["dataset"] == local["dataset"]
    for a, b in zip(got["columns"], local["columns"], strict=True):
        assert (a["name"], a["method"], a["drifted"]) == (b["name"], b["method"], b["drifted"])
        for k in ("statistic", "p_value"):
            if b[k] is None:
                assert a[k] is None
            else:
                assert a[k] == pytest.approx(b[k], rel=1e-12, abs=1e-300), (a["name"], k)
    assert any(c["drifted"] for c in got["columns"])  # the planted drift is found


def test_sketched_drift_on_spark_is_within_its_bound(spark, data):
    ref, cur = data
    exact = {c["name"]: c for c in fairgauge.drift(str(ref), str(cur), numeric_method="ks").to_dict()["columns"]}
    got = fgs.drift(
        spark.read.parquet(str(ref)).repartition(4),
        spark.read.parquet(str(cur)).repartition(3),
        numeric_method="ks",
        sketch=200,
    ).to_dict()
    sketched = [c for c in got["columns"] if not c["exact"]]
    assert sketched, "numeric columns are sketched"
    for c in sketched:
        assert c["error_bound"] is not None
        assert abs(c["statistic"] - exact[c["name"]]["statistic"]) <= c["error_bound"], c["name"]


def test_errors_on_executors_arrive_as_fairgauge_exceptions(spark, data):
    ref, _ = data
    sdf = spark.read.parquet(str(ref)).repartition(2)
    with pytest.raises(fairgauge.ColumnNotFoundError, match="no column `nope`"):
        fgs.fairness(sdf, label="nope", sensitive="sex")
    with pytest.raises(fairgauge.DataError, match=r"in a Spark partition: .*`race`.*more than two values"):
        fgs.fairness(sdf, label="race", prediction="prediction", sensitive="sex")
    empty = spark.read.parquet(str(ref)).limit(0)
    with pytest.raises(fairgauge.DataError, match="no data rows"):
        fgs.fairness(empty, **ROLES)


def test_missing_pyspark_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(ImportError, match=r"pip install 'fairgauge\[spark\]'"):
        fgs.fairness(object(), **ROLES)


def test_quality_on_spark_equals_in_process(spark, data):
    ref, cur = data
    local = fairgauge.quality(str(cur), reference=str(ref), label="label", sensitive=["sex", "race"]).to_dict()
    got = fgs.quality(
        spark.read.parquet(str(cur)),
        reference=spark.read.parquet(str(ref)).repartition(3),
        label="label",
        sensitive=["sex", "race"],
    ).to_dict()
    assert got.pop("engine")["name"] == "spark"
    # Same rows in the same order: the same report, example row numbers included; only what
    # names the source differs (a Spark DataFrame has no file and is read as Arrow).
    assert got["dataset"]["fingerprints"].pop("file_sha256") is None
    assert got["dataset"]["format"] == "arrow-memory"
    local["dataset"]["fingerprints"].pop("file_sha256")
    local["dataset"]["format"] = "arrow-memory"
    named = json.dumps(local).replace(json.dumps(str(cur))[1:-1], "<spark.DataFrame>")
    named = named.replace(json.dumps(str(ref))[1:-1], "<spark.DataFrame>")
    assert got == json.loads(named)


def test_assess_on_spark_gives_the_in_process_findings(spark, data):
    # The acceptance test: a Spark DataFrame built from `fairgauge synth` data is
    # assessed with the same findings, statuses and metric values as the in-process run.
    ref, cur = data
    roles = dict(ROLES, key=None)
    roles.pop("key")
    local = fairgauge.assess(str(cur), reference=str(ref), **roles).to_dict()

    def judged(e):
        return [
            (f["id"], f["status"], f["metric"], f.get("threshold"), f["subject"])
            for f in e["findings"]
            if f["category"] != "provenance"
        ]

    # In file order the values are the in-process values bit for bit; shuffled into partitions,
    # sums over rows in another order agree to 1e-9.
    for parts, rel in ((None, 0.0), (4, 1e-9)):
        sdf = spark.read.parquet(str(cur))
        sdf = sdf.repartition(parts) if parts else sdf
        got = fgs.assess(sdf, reference=spark.read.parquet(str(ref)), **roles).to_dict()
        engine = got["run"]["engine"]
        assert engine["name"] == "spark" and engine["version"]
        assert set(engine["partitions"]) == {"current", "reference"}
        if parts:
            assert engine["partitions"]["current"] == parts
        assert judged(got) == judged(local)
        values = {f["id"]: f.get("value") for f in got["findings"]}
        for f in local["findings"]:
            if f.get("value") is None or rel == 0.0:
                assert values[f["id"]] == f.get("value"), f["id"]
            else:
                assert values[f["id"]] == pytest.approx(f["value"], rel=rel, abs=1e-15), f["id"]
        assert [(r["id"], r["rating"]) for r in got["risks"]] == [(r["id"], r["rating"]) for r in local["risks"]]
        assert got["summary"] == local["summary"]
        for a, b in zip(got["datasets"], local["datasets"], strict=True):
            assert a["content_fingerprint"] == b["content_fingerprint"] and a["rows"] == b["rows"]
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "evidence.schema.json").read_text())
    jsonschema.validate(got, schema)


def test_assess_on_spark_turns_an_executor_error_into_an_error_finding(spark, data):
    ref, _ = data
    sdf = spark.read.parquet(str(ref)).repartition(2)
    got = fgs.assess(sdf, label="race", prediction="prediction", sensitive=["sex"]).to_dict()
    local = fairgauge.assess(str(ref), label="race", prediction="prediction", sensitive=["sex"]).to_dict()
    err = [f for f in got["findings"] if f["kind"] == "fairness.error"]
    assert [f["status"] for f in err] == ["error"] and "more than two values" in err[0]["message"]
    assert [(f["id"], f["status"]) for f in got["findings"] if f["category"] != "provenance"] == [
        (f["id"], f["status"]) for f in local["findings"] if f["category"] != "provenance"
    ]


def test_monitor_on_spark_equals_in_process(spark, tmp_path):
    """`fgs.monitor`: each partition counted by window, then read split by window; the report
    equals the in-process one whatever the partitioning, with the baseline from the first windows
    or from a reference DataFrame; N-row windows are refused with the reason."""
    from frames import MONITOR_ROLES, monitored

    df = monitored()
    local = fairgauge.monitor(df, time="date", every="week", baseline=3, **MONITOR_ROLES).to_dict()
    local.pop("input")
    assert local["alerts"]
    for parts in (1, 2):
        # Partitions in row order (coalesce does not shuffle): a shuffle would renumber the rows
        # the report names (the first unreadable time) and reorder sums over floats.
        sdf = spark.createDataFrame(df).coalesce(parts)
        assert sdf.rdd.getNumPartitions() == parts
        got = fgs.monitor(sdf, time="date", every="week", baseline=3, **MONITOR_ROLES).to_dict()
        engine = got.pop("engine")
        assert (engine["name"], engine["partitions"]) == ("spark", {"current": parts})
        assert got.pop("input") == "<spark.DataFrame>"
        assert got == local
    ref = monitored(8_000, seed=9).drop(columns="date")
    want = fairgauge.monitor(df, time="date", every="week", reference=ref, **MONITOR_ROLES).to_dict()
    got = fgs.monitor(
        spark.createDataFrame(df).coalesce(2), time="date", every="week",
        reference=spark.createDataFrame(ref).coalesce(1), **MONITOR_ROLES,
    ).to_dict()  # fmt: skip
    assert got.pop("engine")["partitions"] == {"current": 2, "reference": 1}
    for d in (got, want):
        d.pop("input"), d["baseline"].pop("path")
    assert got == want
    with pytest.raises(fairgauge.FairgaugeError, match="whole table in time order"):
        fgs.monitor(spark.createDataFrame(df), time="date", every=1000, **MONITOR_ROLES)


def test_estimate_on_spark_equals_in_process(spark):
    from test_estimate import ROLES, _table

    ref, data = _table(6000, 1, overconfident_b=2.5), _table(3000, 2, 0.3).drop(columns="y")
    local = fairgauge.estimate(data, reference=ref, **ROLES).to_dict()
    got = fgs.estimate(
        spark.createDataFrame(data).repartition(3), reference=spark.createDataFrame(ref).coalesce(2), **ROLES
    ).to_dict()
    got.pop("engine")
    for d in (got, local):
        d.pop("input"), d.pop("reference")
    assert got == local
