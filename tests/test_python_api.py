"""The Python package (`pip install .`): Fairlearn's metric functions at 1e-12 (sample weights, both
methods, both aggregations, several sensitive features), AIF360's ClassificationMetric, the
reports equal to the CLI's JSON, pandas / polars / pyarrow inputs alike, the exception hierarchy,
panics as exceptions, the GIL released, and the walkthrough script."""

import json
import runpy
import threading
from pathlib import Path

import duckdb
import fairgauge
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from fairgauge import metrics as fgm
from fairgauge._native import call
from fairlearn import metrics as flm

ROOT = Path(__file__).resolve().parent.parent
ADULT = ROOT / "datasets" / "adult" / "adult.data"
ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]
TOL = 1e-12


@pytest.fixture(scope="module")
def adult():
    df = pd.read_csv(ADULT, header=None, names=ADULT_COLUMNS, skipinitialspace=True)
    df = df.dropna(how="all")
    # The demo's rule as the model: married with 13+ years of education, or capital gains >= 5000.
    pred = (df["marital-status"].str.startswith("Married") & (df["education-num"] >= 13)) | (df["capital-gain"] >= 5000)
    df["y"] = (df["income"] == ">50K").astype(int)
    df["p"] = pred.astype(int)
    return df.reset_index(drop=True)


@pytest.fixture(scope="module")
def synth():
    rng = np.random.default_rng(7)
    n = 20_000
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    h = rng.choice(["x", "y"], n)
    y = rng.random(n) < np.where(g == "a", 0.4, 0.3)
    p = np.where(y, rng.random(n) < np.where(g == "b", 0.6, 0.8), rng.random(n) < 0.15)
    w = rng.gamma(2.0, 1.0, n)
    return pd.DataFrame({"g": g, "h": h, "y": y.astype(int), "p": p.astype(int), "w": w})


PAIRS = [
    ("demographic_parity_difference", {}),
    ("demographic_parity_ratio", {}),
    ("equalized_odds_difference", {}),
    ("equalized_odds_difference", {"agg": "mean"}),
    ("equalized_odds_ratio", {}),
    ("equalized_odds_ratio", {"agg": "mean"}),
    ("equal_opportunity_difference", {}),
    ("equal_opportunity_ratio", {}),
]


@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("name", "kw"), PAIRS)
def test_fairness_metrics_equal_fairlearn(synth, name, kw, method, weighted):
    w = synth["w"] if weighted else None
    for sf in (synth["g"], synth[["g", "h"]]):
        ours = getattr(fgm, name)(synth["y"], synth["p"], sensitive_features=sf, method=method, sample_weight=w, **kw)
        theirs = getattr(flm, name)(synth["y"], synth["p"], sensitive_features=sf, method=method, sample_weight=w, **kw)
        assert ours == pytest.approx(theirs, rel=TOL, abs=TOL), (name, kw, method)


@pytest.mark.parametrize(
    "name", ["true_positive_rate", "false_positive_rate", "true_negative_rate", "false_negative_rate"]
)
def test_rates_equal_fairlearn(synth, adult, name):
    for df in (synth, adult):
        for w in (None, np.linspace(0.5, 2.0, len(df))):
            ours = getattr(fgm, name)(df["y"], df["p"], sample_weight=w)
            theirs = getattr(flm, name)(df["y"], df["p"], sample_weight=w)
            assert ours == pytest.approx(theirs, rel=TOL, abs=TOL)
    assert fgm.selection_rate(synth["y"], synth["p"], sample_weight=synth["w"]) == pytest.approx(
        flm.selection_rate(synth["y"], synth["p"], sample_weight=synth["w"]), rel=TOL
    )
    assert fgm.count(synth["y"], synth["p"]) == flm.count(synth["y"], synth["p"])


def test_adult_metrics_equal_fairlearn(adult):
    for sf in (adult["sex"], adult["race"], adult[["sex", "race"]]):
        for name, kw in PAIRS:
            ours = getattr(fgm, name)(adult["y"], adult["p"], sensitive_features=sf, **kw)
            theirs = getattr(flm, name)(adult["y"], adult["p"], sensitive_features=sf, **kw)
            assert ours == pytest.approx(theirs, rel=TOL, abs=TOL), name


def test_metric_frame_equals_fairlearn(synth):
    metrics = {"sr": fgm.selection_rate, "tpr": fgm.true_positive_rate, "n": fgm.count}
    theirs_metrics = {"sr": flm.selection_rate, "tpr": flm.true_positive_rate, "n": flm.count}
    ours = fgm.MetricFrame(metrics=metrics, y_true=synth["y"], y_pred=synth["p"], sensitive_features=synth["g"])
    theirs = flm.MetricFrame(
        metrics=theirs_metrics, y_true=synth["y"], y_pred=synth["p"], sensitive_features=synth["g"]
    )
    np.testing.assert_allclose(ours.by_group.to_numpy(float), theirs.by_group.to_numpy(float), rtol=TOL)
    np.testing.assert_allclose(ours.overall.to_numpy(float), theirs.overall.to_numpy(float), rtol=TOL)
    for method in ("between_groups", "to_overall"):
        np.testing.assert_allclose(ours.difference(method).to_numpy(float), theirs.difference(method).to_numpy(float))
        np.testing.assert_allclose(ours.ratio(method).to_numpy(float), theirs.ratio(method).to_numpy(float))
    # Any callable works per group.
    mf = fgm.MetricFrame(
        metrics=lambda t, p: float(np.mean(t == p)), y_true=synth["y"], y_pred=synth["p"], sensitive_features=synth["g"]
    )
    acc = synth.assign(ok=synth["y"] == synth["p"]).groupby("g")["ok"].mean()
    np.testing.assert_allclose(mf.by_group.to_numpy(float), acc.to_numpy(float), rtol=TOL)


def test_unused_categories_and_empty_groups_match_fairlearn():
    y = pd.Series([1, 1, 0, 0, 1, 1, 0, 0])
    p = pd.Series([1, 1, 1, 0, 1, 0, 1, 1])
    sf = pd.Series(pd.Categorical(list("aaaabbbb"), categories=list("abz")))
    for name, kw in PAIRS:
        ours = getattr(fgm, name)(y, p, sensitive_features=sf, **kw)
        theirs = getattr(flm, name)(y, p, sensitive_features=sf, **kw)
        assert ours == pytest.approx(theirs, rel=TOL, abs=TOL), name
    # A group whose weights are all zero: its rate is NaN, skipped as pandas skips it.
    w = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=float)
    sf3 = pd.Series(list("aabbcccc"))
    for name in ("demographic_parity_difference", "demographic_parity_ratio"):
        ours = getattr(fgm, name)(y, p, sensitive_features=sf3, sample_weight=w)
        theirs = getattr(flm, name)(y, p, sensitive_features=sf3, sample_weight=w)
        assert ours == pytest.approx(theirs, rel=TOL, abs=TOL), name
    with pytest.raises(fairgauge.OptionError, match="missing values"):
        fgm.demographic_parity_difference(y, p, sensitive_features=["a", None] * 4)
    # Three labels: rates refuse, as Fairlearn's do; selection rate counts the positive label.
    y3, p3 = [0, 1, 2, 1], [1, 1, 2, 0]
    with pytest.raises(fairgauge.OptionError, match="two unique"):
        fgm.true_positive_rate(y3, p3, pos_label=1)
    with pytest.raises(ValueError):
        flm.true_positive_rate(y3, p3, pos_label=1)
    assert fgm.selection_rate(y3, p3, pos_label=1) == flm.selection_rate(y3, p3, pos_label=1)
    # Several sensitive columns name the index levels after them.
    df = pd.DataFrame({"s": list("aabb"), "t": list("xyxy")})
    mf = fgm.MetricFrame(metrics=fgm.selection_rate, y_true=[1, 0, 1, 0], y_pred=[1, 1, 0, 0], sensitive_features=df)
    assert list(mf.by_group.index.names) == ["s", "t"]


def test_fairness_report_equals_the_cli_and_aif360(adult, run_json, tmp_path):
    path = tmp_path / "adult.csv"
    adult[["sex", "race", "y", "p"]].to_csv(path, index=False)
    args = dict(label="y", prediction="p", sensitive=["sex", "race"])
    py = fairgauge.fairness(str(path), **args).to_dict()
    cli = run_json("fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "sex,race")
    assert py == cli
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    num = pd.DataFrame({"sex": (adult["sex"] == "Male").astype(float), "y": adult["y"].astype(float)})
    truth = BinaryLabelDataset(df=num, label_names=["y"], protected_attribute_names=["sex"])
    pred = truth.copy()
    pred.labels = adult["p"].to_numpy(float).reshape(-1, 1)
    m = ClassificationMetric(truth, pred, unprivileged_groups=[{"sex": 0.0}], privileged_groups=[{"sex": 1.0}])
    s = py["summary"]["sex"]
    assert s["average_odds_difference"] == pytest.approx(m.average_odds_difference(), rel=TOL)
    female = {d["metric"]: d for d in py["disparities"] if d["attribute"] == "sex" and d["group"] == "Female"}
    assert female["selection_rate"]["ratio"] == pytest.approx(m.disparate_impact(), rel=TOL)
    assert female["selection_rate"]["difference"] == pytest.approx(m.statistical_parity_difference(), rel=TOL)
    assert female["tpr"]["difference"] == pytest.approx(m.equal_opportunity_difference(), rel=TOL)


def test_pandas_polars_and_pyarrow_give_identical_reports(adult):
    df = adult[["sex", "race", "age", "y", "p"]]
    inputs = [df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)]
    inputs.append(pa.Table.from_pandas(df, preserve_index=False).to_reader())
    reports = [fairgauge.fairness(x, label="y", prediction="p", sensitive=["sex", "race"]).to_dict() for x in inputs]
    for r in reports[1:]:
        r["input"] = reports[0]["input"]
        assert r == reports[0]
    qs = [fairgauge.quality(x, label="y", sensitive="sex").to_dict() for x in inputs[:3]]
    for q in qs[1:]:
        assert q["dataset"]["fingerprints"]["content"] == qs[0]["dataset"]["fingerprints"]["content"]
        assert q["columns"] == qs[0]["columns"]
        assert [c["status"] for c in q["checks"]] == [c["status"] for c in qs[0]["checks"]]


def test_report_objects(adult):
    r = fairgauge.fairness(adult, label="y", prediction="p", sensitive="sex")
    bg = r.by_group
    assert isinstance(bg, pl.DataFrame) and set(bg["group"]) == {"Female", "Male"}
    assert "selection_rate_ci_low" in bg.columns
    assert isinstance(r.disparities.to_pandas(), pd.DataFrame)
    assert json.loads(r.to_json())["groups"] == r.to_dict()["groups"]
    html = r._repr_html_()
    assert "<table>" in html and "breach" in html
    d = fairgauge.drift(adult.iloc[:15000], adult.iloc[15000:], columns=["age", "sex"], numeric_method="ks")
    from scipy import stats

    ks = stats.ks_2samp(adult["age"].iloc[:15000], adult["age"].iloc[15000:])
    age = d.columns.filter(pl.col("name") == "age").row(0, named=True)
    assert age["statistic"] == pytest.approx(ks.statistic, rel=TOL)
    assert age["p_value"] == pytest.approx(ks.pvalue, rel=1e-9)
    q = fairgauge.quality(adult, label="y")
    assert 0 <= q.score <= 100 and "[columns.age]" in q.inferred_rules


def test_assess_from_python_equals_the_cli(run, tmp_path):
    data = tmp_path / "s.parquet"
    run("synth", "--rows", "20000", "--output", data)
    roles = dict(label="label", prediction="prediction", sensitive=["sex", "race"])
    ev = fairgauge.assess(str(data), reference=str(data), **roles)
    out = tmp_path / "e.json"
    proc = run(
        "assess", "--current", data, "--reference", data, "--label", "label", "--prediction", "prediction",
        "--sensitive", "sex,race", "--output", out, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1)
    cli = json.loads(out.read_text())
    py = ev.to_dict()
    for e in (cli, py):
        for k in ("id", "started_at", "finished_at", "command_line"):
            e["run"][k] = None
    assert py == cli
    assert ev.passed == (proc.returncode == 0)
    assert set(ev.findings["status"]) <= {"pass", "warn", "fail", "insufficient_data", "error"}
    paths = ev.write(str(tmp_path / "exports"), ledger=str(tmp_path / "l.jsonl"))
    assert set(paths) == {"json", "register", "oscal", "junit", "markdown", "attestation", "html"}
    assert all(Path(p).stat().st_size > 0 for p in paths.values())
    assert run("ledger", "verify", tmp_path / "l.jsonl").returncode == 0
    assert "<svg" in ev.html()


def test_errors_name_what_is_wrong(adult, tmp_path):
    with pytest.raises(fairgauge.ColumnNotFoundError, match="no column `nope`") as e:
        fairgauge.fairness(adult, label="nope", prediction="p", sensitive="sex")
    assert isinstance(e.value, KeyError) and isinstance(e.value, fairgauge.FairgaugeError)
    with pytest.raises(fairgauge.ColumnNotFoundError, match="nope"):
        fairgauge.fairness(str(ADULT), label="nope", sensitive="sex")
    with pytest.raises(fairgauge.DataError, match=r"binary|two"):
        fairgauge.fairness(adult, label="race", prediction="p", sensitive="sex")
    with pytest.raises(fairgauge.OptionError, match="unknown method"):
        fairgauge.drift(adult, adult, method="magic")
    bad = tmp_path / "p.toml"
    bad.write_text("version = 1\n[drift]\npsi_fail = 'high'\n")
    with pytest.raises(fairgauge.PolicyError, match="line 3"):
        fairgauge.assess(adult, policy=str(bad))
    rules = tmp_path / "r.toml"
    rules.write_text("version = 1\n[columns.age]\nmaximum = 3\n")
    with pytest.raises(fairgauge.RulesError, match="maximum"):
        fairgauge.quality(adult, rules=str(rules))
    with pytest.raises(fairgauge.DataError, match="cannot read a int"):
        fairgauge.quality(42)
    with pytest.raises(fairgauge.OptionError, match="y_pred has 2"):
        fgm.selection_rate([1, 0, 1], [1, 0])
    with pytest.raises(fairgauge.FairgaugeIOError, match=r"missing\.csv"):
        fairgauge.quality(str(tmp_path / "missing.csv"))


def test_a_rust_panic_is_an_exception_not_a_crash():
    with pytest.raises(fairgauge.InternalError, match="deliberate panic"):
        call(fairgauge._fairgauge._panic_for_test)
    # The interpreter is still fine.
    assert fgm.count([1], [1]) == 1


def test_the_gil_is_released_while_rust_computes():
    # While one thread is inside Rust, another keeps running Python: without the GIL released
    # the loop below could not run at all until the Rust call returned.
    done = threading.Event()
    progress = 0

    def rust():
        fairgauge._fairgauge._sleep_for_test(1.0)
        done.set()

    t = threading.Thread(target=rust)
    t.start()
    while not done.is_set():
        progress += 1
    t.join()
    assert progress > 1000


def test_ctrl_c_interrupts_a_long_computation():
    import os
    import signal

    # Python's own Ctrl-C handler, whatever the launching shell left: a shell that starts pytest
    # in the background without job control ignores SIGINT, and Python then installs none.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        before = fairgauge._fairgauge._sleeps_finished()
        timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            fairgauge._fairgauge._sleep_for_test(5.0)
        # Interrupted while Rust was still working (the 5-second sleep had not finished).
        assert fairgauge._fairgauge._sleeps_finished() == before
        timer.join()
    finally:
        signal.signal(signal.SIGINT, previous)


def test_walkthrough_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns = runpy.run_path(str(ROOT / "python" / "examples" / "walkthrough.py"), run_name="__main__")
    assert ns["evidence"].summary["overall"] in ("pass", "warn", "fail")


def test_in_memory_tables_are_imported_with_the_same_results_as_files(run, tmp_path):
    # A DataFrame is handed to Rust through the Arrow C stream interface (no file): the evidence
    # equals the file's except where it names the source, and the content fingerprint (format-
    # independent by definition) is the file's.
    data = tmp_path / "s.parquet"
    run("synth", "--rows", "20000", "--output", data)
    roles = dict(label="label", prediction="prediction", sensitive=["sex", "race"])
    from_file = fairgauge.assess(str(data), reference=str(data), **roles).to_dict()
    frame = pd.read_parquet(data)
    from_frame = fairgauge.assess(frame, reference=pl.read_parquet(data), **roles).to_dict()
    cur, ref = from_frame["datasets"]
    assert (cur["path"], cur["format"], cur["file_sha256"]) == ("<pandas.DataFrame>", "arrow-memory", None)
    assert (ref["path"], ref["file_sha256"]) == ("<polars.DataFrame>", None)
    for a, b in zip(from_file["datasets"], from_frame["datasets"], strict=True):
        assert a["content_fingerprint"] == b["content_fingerprint"]
        assert (a["rows"], a["columns"]) == (b["rows"], b["columns"])

    def strip(e):
        return [
            (f["id"], f["status"], f.get("value"), f.get("threshold"))
            for f in e["findings"]
            if f["category"] != "provenance"
        ]

    assert strip(from_frame) == strip(from_file)
    assert [r["id"] for r in from_frame["risks"]] == [r["id"] for r in from_file["risks"]]
    import jsonschema

    schema = json.loads((ROOT / "schemas" / "evidence.schema.json").read_text())
    jsonschema.validate(from_frame, schema)
    ev = fairgauge.assess(frame, **roles)
    paths = ev.write(str(tmp_path / "exports"), formats=["attestation", "oscal", "markdown"])
    subject = json.loads(Path(paths["attestation"]).read_text())["subject"][0]
    assert subject["digest"] == {"fairgauge-content-v1": cur["content_fingerprint"].removeprefix("sha256:")}


def test_arrow_inputs_of_every_shape():
    rng = np.random.default_rng(3)
    n = 5000
    df = pd.DataFrame(
        {
            "g": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "y": rng.integers(0, 2, n),
            "p": rng.integers(0, 2, n),
        }
    )
    expected = fairgauge.fairness(df.astype({"g": str}), label="y", prediction="p", sensitive="g").to_dict()
    table = pa.Table.from_pandas(df, preserve_index=False)
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=777))
    plf = pl.from_pandas(df)
    inputs = {
        "pandas categorical": df,
        "pyarrow dictionary, 7 batches": chunked,
        "record batch reader": chunked.to_reader(),
        "polars categorical": plf,
        "polars, 3 chunks": pl.concat([plf[:100], plf[100:2000], plf[2000:]], rechunk=False),
        "polars enum": plf.with_columns(pl.col("g").cast(pl.Enum(["a", "b", "c"]))),
        "large strings": table.cast(pa.schema([("g", pa.large_string()), ("y", pa.int64()), ("p", pa.int64())])),
        "duckdb relation": duckdb.from_arrow(table),
    }
    for what, x in inputs.items():
        r = fairgauge.fairness(x, label="y", prediction="p", sensitive="g").to_dict()
        r["input"] = expected["input"]
        assert r == expected, what


def test_bad_arrow_inputs_raise_data_errors():
    lists = pa.table({"g": [["a"], ["b"]], "y": [0, 1], "p": [1, 0]})
    with pytest.raises(fairgauge.DataError, match=r"column `g` has Arrow type .*List"):
        fairgauge.fairness(lists, label="y", prediction="p", sensitive="g")

    class NotAStream:
        def __arrow_c_stream__(self, requested_schema=None):
            return "not a capsule"

    with pytest.raises(fairgauge.DataError, match="did not return a PyCapsule"):
        call(fairgauge._fairgauge.fairness, NotAStream(), "{}", "{}")

    class Failing:
        def __arrow_c_stream__(self, requested_schema=None):
            raise RuntimeError("producer broke")

    with pytest.raises(fairgauge.DataError, match="producer broke"):
        call(fairgauge._fairgauge.fairness, Failing(), "{}", "{}")
    with pytest.raises(fairgauge.DataError, match="expected a path or an object with __arrow_c_stream__"):
        call(fairgauge._fairgauge.fairness, 3.5, "{}", "{}")
    empty = pa.table({"g": pa.array([], pa.string()), "y": pa.array([], pa.int64()), "p": pa.array([], pa.int64())})
    with pytest.raises(fairgauge.DataError, match=r"<pyarrow.Table>: the table has no data rows"):
        fairgauge.fairness(empty, label="y", prediction="p", sensitive="g")
    q = fairgauge.quality(empty)
    assert q.to_dict()["dataset"]["rows"] == 0


def test_policy_drift_sketch_makes_assess_drift_approximate_and_says_so(run, tmp_path):
    ref, cur = tmp_path / "r.parquet", tmp_path / "c.parquet"
    run("synth", "--rows", "30000", "--seed", "1", "--output", ref)
    run("synth", "--rows", "30000", "--seed", "2", "--drift", "0.5", "--output", cur)
    policy = tmp_path / "p.toml"
    policy.write_text("version = 1\n[drift]\nsketch = 200\n")
    roles = dict(label="label", prediction="prediction", sensitive=["sex"])
    exact = fairgauge.assess(str(cur), reference=str(ref), **roles).to_dict()
    sketched = fairgauge.assess(str(cur), reference=str(ref), policy=str(policy), **roles).to_dict()
    numeric = [c for c in sketched["results"]["drift"]["columns"] if c["kind"] == "numeric"]
    assert numeric and all(not c["exact"] for c in numeric)
    assert all(c["exact"] for c in exact["results"]["drift"]["columns"])

    def drift_status(e):
        return {f["subject"]["column"]: f["status"] for f in e["findings"] if f["kind"] == "drift.psi"}

    # The planted income shift is found either way, and every column gets the same verdict.
    assert drift_status(sketched)["income"] != "pass"
    assert drift_status(sketched) == drift_status(exact)


def test_quality_sketch_bounds_memory_and_keeps_what_is_exact(run, tmp_path):
    """`quality(sketch=k)`: duplicates, conflicts, leakage, fingerprints and the profiles of
    columns with few distinct values equal the exact run's; a continuous column is approximate and
    says so, its median within the stated rank error (checked against numpy)."""
    ref, cur = tmp_path / "r.parquet", tmp_path / "c.parquet"
    run("synth", "--rows", "120000", "--seed", "1", "--output", ref)
    run("synth", "--rows", "120000", "--seed", "2", "--drift", "0.3", "--output", cur)
    df = pd.read_parquet(cur)
    # Planted: 500 duplicate rows, 300 rows that are also in the reference.
    df = pd.concat([df, df.iloc[:500], pd.read_parquet(ref).iloc[:300]], ignore_index=True)
    roles = dict(label="label", sensitive=["sex", "race"], reference=str(ref))
    exact = fairgauge.quality(df, **roles).to_dict()
    bounded = fairgauge.quality(df, sketch=1000, **roles).to_dict()
    for k in ("rows", "duplicates", "conflicting_labels", "leakage", "label", "fingerprints", "missingness_by_group"):
        assert bounded["dataset"][k] == exact["dataset"][k], k
    assert bounded["dataset"]["duplicates"]["extra_rows"] >= 500
    assert bounded["dataset"]["leakage"]["rows"] >= 300
    cols = {c["name"]: c for c in bounded["columns"]}
    assert cols["age"]["numeric_sketch"]["exact"]
    age_exact = next(c for c in exact["columns"] if c["name"] == "age")["numeric"]
    for k, v in age_exact.items():
        # Order statistics and counts exactly; mean and std up to rounding (merged moments).
        assert cols["age"]["numeric"][k] == (pytest.approx(v, rel=1e-12) if k in ("mean", "std") else v), k
    x1 = cols["x1"]
    assert not x1["numeric_sketch"]["exact"]
    eps = x1["numeric_sketch"]["rank_error"]
    assert 0 < eps < 0.005
    values = np.sort(df["x1"].to_numpy())
    med = x1["numeric"]["median"]
    rank = np.searchsorted(values, med) / len(values)
    assert abs(rank - 0.5) <= eps + 1 / len(values)
    assert "numeric_sketch" not in next(c for c in exact["columns"] if c["name"] == "x1")
    with pytest.raises(ValueError, match="at least 8"):
        fairgauge.quality(df, sketch=3)


def test_defaults_come_from_the_core_15():
    """The Python signatures and displays take their defaults from the Rust core (issue 15)."""
    import inspect

    from fairgauge import _fairgauge, _native
    from fairgauge import spark as fg_spark

    core = json.loads(_fairgauge.defaults())
    assert core["fairness"]["min_group_size"] == 30
    assert core["fairness"]["confidence"] == 0.95
    assert core["fairness"]["gei_alpha"] == 2.0
    for fn in (fairgauge.fairness, fg_spark.fairness):
        params = inspect.signature(fn).parameters
        for name in ("min_group_size", "confidence", "gei_alpha"):
            assert params[name].default == core["fairness"][name], (fn, name)
    # The notebook display marks breaches with the built-in policy's failure thresholds.
    assert _native.FAIRNESS_THRESHOLDS["selection_rate_ratio"] == {"warn": 0.9, "fail": 0.8, "direction": "below"}
    assert _native.FAIRNESS_THRESHOLDS["equal_opportunity_difference"]["fail"] == 0.1


def test_categorical_parquet_counts_as_its_text(tmp_path, run):
    """A Parquet column of categories (pandas' or polars' categorical) is counted by its category
    ids, and a text column by its short texts' bytes, each id's or text's value read once through
    the text rules (trimming, null tokens): the two reports are equal, and each group's row count
    is the one numpy counts, with nulls, padded, null-token and long (over 12 bytes) values, over
    several row groups."""
    rng = np.random.default_rng(11)
    n = 300_000
    names = np.array(["a", " a ", "NA", "b", "a group named at length", "unused"])
    values = names[rng.choice(5, n, p=[0.3, 0.2, 0.1, 0.3, 0.1])]
    g = pl.Series("g", values).set(pl.Series(rng.random(n) < 0.05), None)
    frame = pl.DataFrame({"y": rng.integers(0, 2, n), "p": rng.integers(0, 2, n), "g": g})
    as_text = tmp_path / "text.parquet"
    as_cats = tmp_path / "cats.parquet"
    frame.write_parquet(as_text, row_group_size=70_000)
    frame.with_columns(pl.col("g").cast(pl.Categorical)).write_parquet(as_cats, row_group_size=70_000)
    assert pl.read_parquet_schema(as_cats)["g"] == pl.Categorical
    args = ["--label", "y", "--prediction", "p", "--sensitive", "g", "--format", "json"]
    for rules in ([], ["--trim-whitespace", "--null-values", "NA"]):
        reports = [json.loads(run("fairness", path, *args, *rules, check=False).stdout) for path in (as_text, as_cats)]
        for r in reports:
            r.pop("input", None)
        assert reports[0] == reports[1], rules
        counts = {x["group"]: x["count"] for x in reports[1]["groups"]}
        kept = values[~g.is_null().to_numpy()]
        if rules:
            kept = np.char.strip(kept.astype(str))
        null = kept == "NA" if rules else np.zeros(len(kept), dtype=bool)
        want = {str(k): int(v) for k, v in zip(*np.unique(kept[~null], return_counts=True), strict=True)}
        want["<null>"] = int(g.is_null().sum() + null.sum())
        assert counts == want, rules
