"""fairgauge.dask: fairness, drift, quality and assessments of Dask DataFrames built from
`fairgauge synth` data equal the in-process results on the same rows; an error in a partition
arrives as fairgauge's exception; a missing Dask is a clear ImportError."""

import json
import sys

import fairgauge
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
from fairgauge import dask as fgd  # noqa: E402

ROLES = dict(label="label", prediction="prediction", sensitive=["sex", "race"])


@pytest.fixture(scope="module")
def data(run, tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    ref, cur = d / "ref.parquet", d / "cur.parquet"
    run("synth", "--rows", "30000", "--seed", "1", "--output", ref)
    run("synth", "--rows", "20000", "--seed", "2", "--drift", "0.3", "--output", cur)
    return ref, cur


def frame(path, parts):
    # Partitions in row order (sort=False), as a Parquet dataset would be read.
    return dd.from_pandas(pd.read_parquet(path), npartitions=parts, sort=False)


def test_fairness_and_drift_on_dask_equal_in_process(data):
    ref, cur = data
    local = fairgauge.fairness(str(cur), **ROLES).to_dict()
    got = fgd.fairness(frame(cur, 3), **ROLES).to_dict()
    engine = got.pop("engine")
    assert (engine["name"], engine["partitions"]) == ("dask", 3) and engine["version"]
    got.pop("input"), local.pop("input")
    assert got == local
    ld = fairgauge.drift(str(ref), str(cur)).to_dict()
    gd = fgd.drift(frame(ref, 2), frame(cur, 4)).to_dict()
    for r in (ld, gd):
        r.pop("reference"), r.pop("current"), r.pop("engine", None)
    assert gd == ld


def test_weighted_fairness_on_dask_equals_in_process(data):
    # Weights in quarters: every sum is exact, so partitioning cannot change a bit.
    _, cur = data
    df = pd.read_parquet(cur)
    df["w"] = (pd.Series(range(len(df))) % 7 + 1) * 0.25
    local = fairgauge.fairness(df, **ROLES, weight="w", bootstrap=50, seed=4).to_dict()
    got = fgd.fairness(dd.from_pandas(df, npartitions=3, sort=False), **ROLES, weight="w", bootstrap=50, seed=4)
    got = got.to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert got == local and local["weights"]["total"] == df["w"].sum()
    assert local["summary"]["sex"]["intervals"]["demographic_parity_difference"]["defined"] == 50
    ev = fgd.assess(dd.from_pandas(df, npartitions=2, sort=False), **ROLES, weight="w").to_dict()
    assert ev["results"]["fairness"]["groups"] == local["groups"]


def test_fairness_with_probabilities_on_dask_equals_in_process(data):
    # Probabilities in eighths: every weighted sum is exact, so partitioning cannot change a bit.
    _, cur = data
    df = pd.read_parquet(cur)
    i = pd.Series(range(len(df)))
    df["p_a"], df["p_b"] = (i % 5) / 8, (i % 3) / 8
    df["p_c"] = 1 - df["p_a"] - df["p_b"]
    df.loc[::97, ["p_a", "p_b", "p_c"]] = None
    # With the bootstrap too: each row's draws follow its cell's rows sorted, whatever the parts.
    roles = dict(label="label", prediction="prediction", sensitive="sex", intersect=True, bootstrap=40, seed=3)
    probs = {"grp": ["p_a", "p_b", "p_c"]}
    local = fairgauge.fairness(df, **roles, sensitive_probabilities=probs, assign_threshold=0.45, bounds_by="race")
    local = local.to_dict()
    part = dd.from_pandas(df, npartitions=3, sort=False)
    got = fgd.fairness(part, **roles, sensitive_probabilities=probs, assign_threshold=0.45, bounds_by="race").to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert got == local and local["membership"][0]["bounds"]["by"] == ["race"]
    assert {g["attribute"] for g in local["groups"]} == {"sex", "grp", "grp&sex", "grp_assigned"}
    assert "demographic_parity_difference" in local["summary"]["grp&sex"]["intervals"]


def test_multiclass_fairness_on_dask_equals_in_process(data):
    _, cur = data
    df = pd.read_parquet(cur)
    df["tier"] = df["label"].astype(int) + (df["sex"] == "Female").astype(int)
    df["tier_pred"] = df["prediction"].astype(int) + (df["race"] == "White").astype(int)
    roles = dict(label="tier", prediction="tier_pred", sensitive=["sex", "race"], task="multiclass")
    local = fairgauge.fairness(df, **roles).to_dict()
    got = fgd.fairness(dd.from_pandas(df, npartitions=3, sort=False), **roles).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert local["task"] == "multiclass" and got == local


def test_regression_fairness_on_dask_equals_in_process(data):
    from frames import assert_close

    _, cur = data
    df = pd.read_parquet(cur)
    roles = dict(label="income", prediction="x1", sensitive=["sex", "race"], task="regression", bootstrap=50, seed=2)
    local = fairgauge.fairness(df, **roles).to_dict()
    got = fgd.fairness(dd.from_pandas(df, npartitions=3, sort=False), **roles).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert_close(got, local, 1e-9)
    # The bootstrap draws from each cell's rows in canonical order: the same bytes.
    for attr in ("sex", "race"):
        assert got["summary"][attr]["intervals"] == local["summary"][attr]["intervals"]
        assert len(local["summary"][attr]["intervals"]) == 12


def test_ranking_fairness_on_dask_equals_in_process(data):
    # Lists split across partitions are put together when the parts are merged: the same bytes.
    _, cur = data
    df = pd.read_parquet(cur)
    df["q"] = (df.index // 7).astype(str)
    df["rel"] = df["label"].astype(float)
    roles = dict(task="ranking", query="q", score="x1", relevance="rel", sensitive=["sex", "race"], k=[3])
    local = fairgauge.fairness(df, **roles).to_dict()
    got = fgd.fairness(dd.from_pandas(df, npartitions=3, sort=False), **roles).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert local["task"] == "ranking" and got == local
    # With sample weights and the list bootstrap: the same bytes too (each list's draws come
    # from its value, not from where its rows were).
    df["w"] = (df.index % 4 + 1) / 4.0
    roles = dict(roles, weight="w", bootstrap=60, seed=3)
    local = fairgauge.fairness(df, **roles).to_dict()
    got = fgd.fairness(dd.from_pandas(df, npartitions=4, sort=False), **roles).to_dict()
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert got == local and local["summary"]["sex"]["intervals"] and local["weights"]["total"] > 0


def test_bootstrap_on_dask_equals_in_process(data):
    # The intervals come from the merged counts: the same bytes whatever the partitioning.
    _, cur = data
    local = fairgauge.fairness(str(cur), **ROLES, bootstrap=150, seed=4).to_dict()
    for parts in (1, 5):
        got = fgd.fairness(frame(cur, parts), **ROLES, bootstrap=150, seed=4).to_dict()
        assert got["summary"] == local["summary"] and got["bootstrap"] == local["bootstrap"]
    assert local["summary"]["sex"]["intervals"]


def test_quality_and_assess_on_dask_equal_in_process(data):
    ref, cur = data
    lq = fairgauge.quality(str(cur), reference=str(ref), label="label", sensitive=["sex", "race"]).to_dict()
    gq = fgd.quality(frame(cur, 3), reference=frame(ref, 2), label="label", sensitive=["sex", "race"]).to_dict()
    assert gq.pop("engine")["name"] == "dask"
    assert gq["dataset"]["fingerprints"]["content"] == lq["dataset"]["fingerprints"]["content"]
    assert gq["columns"] == lq["columns"]
    assert [(c["id"], c["status"], c.get("value"), c.get("examples")) for c in gq["checks"]] == [
        (c["id"], c["status"], c.get("value"), c.get("examples")) for c in lq["checks"]
    ]
    local = fairgauge.assess(str(cur), reference=str(ref), **ROLES).to_dict()
    got = fgd.assess(frame(cur, 3), reference=frame(ref, 2), **ROLES).to_dict()
    assert got["run"]["engine"]["partitions"] == {"current": 3, "reference": 2}

    def judged(e):
        return [(f["id"], f["status"], f.get("value")) for f in e["findings"] if f["category"] != "provenance"]

    assert judged(got) == judged(local)
    assert got["summary"] == local["summary"]
    assert json.dumps(got["risks"]) == json.dumps(local["risks"])


def test_bounded_quality_on_dask_equals_in_process(data):
    ref, cur = data
    roles = dict(label="label", sensitive=["sex", "race"], sketch=1000)
    lq = fairgauge.quality(str(cur), reference=str(ref), **roles).to_dict()
    gq = fgd.quality(frame(cur, 3), reference=frame(ref, 2), **roles).to_dict()
    gq.pop("engine")

    def facts(q):
        d = json.loads(json.dumps(q["dataset"]))
        for k in ("path", "format"):
            d.pop(k, None)
        d["fingerprints"].pop("file_sha256")
        d["leakage"].pop("reference")
        return d

    def near(a, b):
        # Moments merged across other slice boundaries differ in the last bits.
        if isinstance(a, float) and isinstance(b, float):
            return a == pytest.approx(b, rel=1e-9, abs=1e-12)
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(near(a[k], b[k]) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(near(x, y) for x, y in zip(a, b, strict=True))
        return a == b

    assert near(facts(gq), facts(lq))
    assert any(c.get("numeric_sketch") for c in gq["columns"])
    for g, loc in zip(gq["columns"], lq["columns"], strict=True):
        if g.get("numeric_sketch", {}).get("exact", True):
            assert near(g, loc), g["name"]
        else:
            # KLL sketches built over other slices: the same bound, not the same bits.
            eps = g["numeric_sketch"]["rank_error"]
            assert abs(g["numeric"]["iqr_outliers"] - loc["numeric"]["iqr_outliers"]) <= 4 * eps * g["rows"]
    assert [(c["id"], c["status"]) for c in gq["checks"]] == [(c["id"], c["status"]) for c in lq["checks"]]


def test_errors_in_partitions_and_a_missing_dask(data, monkeypatch):
    ref, _ = data
    with pytest.raises(fairgauge.DataError, match=r"in a Dask partition: .*more than two values"):
        fgd.fairness(frame(ref, 2), label="race", prediction="prediction", sensitive="sex")
    with pytest.raises(fairgauge.ColumnNotFoundError, match="no column `nope`"):
        fgd.fairness(frame(ref, 2), label="nope", sensitive="sex")
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ImportError, match=r"pip install 'fairgauge\[dask\]'"):
        fgd.fairness(object(), **ROLES)


def test_monitor_on_dask_equals_in_process(tmp_path):
    """`fgd.monitor`: windows are one more key of the parts; the report (windows, rates, drift,
    quality, change tests, alerts, the long table) equals the in-process one, with the baseline
    from the first windows or from a reference frame, and the history records it."""
    from frames import MONITOR_ROLES, monitored

    df = monitored()
    local = fairgauge.monitor(df, time="date", every="week", baseline=3, **MONITOR_ROLES)
    assert local.to_dict()["alerts"] and local.to_dict()["untimed_rows"] > 0
    for parts in (1, 4):
        ddf = dd.from_pandas(df, npartitions=parts, sort=False)
        got = fgd.monitor(ddf, time="date", every="week", baseline=3, **MONITOR_ROLES, history=tmp_path / "h.db")
        out = got.to_dict()
        assert out.pop("engine") == {"name": "dask", "version": out_version(), "partitions": {"current": parts}}
        assert out.pop("input") == "<dask.DataFrame>"
        want = local.to_dict()
        want.pop("input")
        assert out == want
        assert got.metrics.equals(local.metrics)
    assert fairgauge.history(tmp_path / "h.db").runs.height == 2
    ref = monitored(8_000, seed=9).drop(columns="date")
    local = fairgauge.monitor(df, time="date", every="week", reference=ref, **MONITOR_ROLES).to_dict()
    got = fgd.monitor(
        dd.from_pandas(df, npartitions=3, sort=False), time="date", every="week",
        reference=dd.from_pandas(ref, npartitions=2, sort=False), **MONITOR_ROLES,
    ).to_dict()  # fmt: skip
    assert got.pop("engine")["partitions"] == {"current": 3, "reference": 2}
    assert got["baseline"]["source"] == "reference" and got["baseline"]["rows"] == 8_000
    for d in (got, local):
        d.pop("input"), d["baseline"].pop("path")
    assert got == local


def out_version():
    import dask

    return dask.__version__


def test_monitor_on_dask_refuses_row_windows_and_names_a_missing_time_column():
    from frames import MONITOR_ROLES, monitored

    ddf = dd.from_pandas(monitored(2_000), npartitions=2, sort=False)
    with pytest.raises(fairgauge.FairgaugeError, match="whole table in time order"):
        fgd.monitor(ddf, time="date", every=500, **MONITOR_ROLES)
    with pytest.raises(fairgauge.ColumnNotFoundError, match="no column `when`"):
        fgd.monitor(ddf, time="when", every="week", **MONITOR_ROLES)
    with pytest.raises(fairgauge.FairgaugeError, match="one window of a quarter"):
        fgd.monitor(ddf, time="date", every="quarter", **MONITOR_ROLES)


def test_weighted_monitor_on_dask_equals_in_process():
    # Weights in quarters: every weighted sum is exact, so partitioning cannot change a bit.
    import numpy as np
    from frames import MONITOR_ROLES, monitored

    df = monitored()
    df["w"] = (np.arange(len(df)) % 7 + 1) * 0.25
    local = fairgauge.monitor(df, time="date", every="week", baseline=3, weight="w", **MONITOR_ROLES).to_dict()
    tested = [c for w in local["windows"] for c in w["changes"] if c["status"] != "insufficient_data"]
    assert tested and local["alerts"]
    got = fgd.monitor(
        dd.from_pandas(df, npartitions=3, sort=False), time="date", every="week", baseline=3, weight="w",
        **MONITOR_ROLES,
    ).to_dict()  # fmt: skip
    got.pop("engine"), got.pop("input"), local.pop("input")
    assert got == local


def test_estimate_on_dask_equals_in_process():
    # Group b overconfident: its calibration is chosen by out-of-fold errors, so the folds (each
    # reference row's by its row number in the whole frame) must match the single process's.
    from test_estimate import ROLES, _table

    ref, data = _table(6000, 1, overconfident_b=2.5), _table(3000, 2, 0.3).drop(columns="y")
    local = fairgauge.estimate(data, reference=ref, **ROLES).to_dict()
    parts, ref_parts = dd.from_pandas(data, npartitions=3, sort=False), dd.from_pandas(ref, npartitions=4, sort=False)
    got = fgd.estimate(parts, reference=ref_parts, **ROLES).to_dict()
    assert got.pop("engine")["partitions"] == {"current": 3, "reference": 4}
    for d in (got, local):
        d.pop("input"), d.pop("reference")
    assert got == local
    applied = {g["group"]: g["calibration"]["applied"] for g in local["attributes"][0]["groups"]}
    assert applied["b"] != "none"
    with pytest.raises(fairgauge.ColumnNotFoundError, match="`y`"):
        fgd.estimate(dd.from_pandas(data, npartitions=2), reference=dd.from_pandas(data, npartitions=2), **ROLES)
