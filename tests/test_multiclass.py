"""The multiclass task (`fairness --task multiclass`, `task="multiclass"`): per-group confusion
matrices equal scikit-learn's `confusion_matrix`; accuracy and the macro and micro averages equal
scikit-learn's `accuracy_score` / `precision_recall_fscore_support(average=…)` per group (Fairlearn's
`MetricFrame` with those metrics); each class's one-vs-rest rates and parity summaries equal
Fairlearn 0.15 on `y == c, p == c`; intervals equal statsmodels' Wilson interval; weights equal
`sample_weight`, all to 1e-12. The CLI and Python agree; bad input is a clear error."""

import functools
import json

import fairgauge
import numpy as np
import pandas as pd
import pytest
from fairgauge import FairgaugeError
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score
from statsmodels.stats.proportion import proportion_confint

TOL = 1e-12
CLASSES = ["High", "Low", "Medium"]


def close(a, b, tol=TOL):
    assert a == pytest.approx(b, rel=tol, abs=tol), f"{a} != {b}"


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(20261206)
    n = 8000
    sex = rng.choice(["F", "M"], n, p=[0.4, 0.6])
    race = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    # The true tier depends on sex; the model is right 70% of the time, and shifts race c upward.
    p_high = np.where(sex == "M", 0.35, 0.25)
    u = rng.random(n)
    y = np.where(u < p_high, "High", np.where(u < p_high + 0.4, "Medium", "Low"))
    wrong = rng.random(n) < 0.3
    other = rng.choice(CLASSES, n)
    pred = np.where(wrong, other, y)
    pred = np.where((race == "c") & (rng.random(n) < 0.1), "High", pred)
    w = rng.gamma(2.0, 1.5, n)
    return pd.DataFrame({"sex": sex, "race": race, "tier": y, "pred": pred, "w": w})


ROLES = dict(label="tier", prediction="pred", sensitive=["sex", "race"], task="multiclass")


def group(report, attribute, name):
    return next(g for g in report["groups"] if g["attribute"] == attribute and g["group"] == name)


def macro(fn):
    return functools.partial(fn, average="macro", zero_division=0)


def micro(fn):
    return functools.partial(fn, average="micro", zero_division=0)


@pytest.mark.parametrize("weighted", [False, True])
def test_matrices_accuracy_and_averages_equal_scikit_learn(table, weighted):
    r = fairgauge.fairness(table, **ROLES, weight="w" if weighted else None)
    d = r.to_dict()
    assert d["task"] == "multiclass" and d["classes"] == CLASSES == r.classes
    w = table.w if weighted else None
    metrics = {
        "accuracy": accuracy_score,
        "macro_precision": macro(precision_score),
        "macro_recall": macro(recall_score),
        "macro_f1": macro(f1_score),
        "micro_precision": micro(precision_score),
        "micro_f1": micro(f1_score),
    }
    for attr in ("sex", "race"):
        mf = MetricFrame(
            metrics=metrics,
            y_true=table.tier,
            y_pred=table.pred,
            sensitive_features=table[attr],
            sample_params={k: {"sample_weight": w} for k in metrics} if weighted else None,
        )
        for name, row in mf.by_group.iterrows():
            g = group(d, attr, name)
            close(g["accuracy"], row["accuracy"])
            for avg in ("macro", "micro"):
                close(g[avg]["precision"], row[f"{avg}_precision"])
                close(g[avg]["f1"], row[f"{avg}_f1"])
            close(g["macro"]["recall"], row["macro_recall"])
            rows = table[table[attr] == name]
            cm = confusion_matrix(rows.tier, rows.pred, labels=CLASSES)
            assert (r.confusion_matrix(attr, name) == cm).all()
            assert g["confusion_matrix"] == cm.tolist()
            if weighted:
                wcm = confusion_matrix(rows.tier, rows.pred, labels=CLASSES, sample_weight=rows.w)
                np.testing.assert_allclose(g["weighted"]["confusion_matrix"], wcm, rtol=TOL)
                close(g["weighted"]["effective_n"], rows.w.sum() ** 2 / (rows.w**2).sum())


@pytest.mark.parametrize("weighted", [False, True])
def test_one_vs_rest_rates_and_summaries_equal_fairlearn(table, weighted):
    d = fairgauge.fairness(table, **ROLES, weight="w" if weighted else None, min_group_size=1).to_dict()
    kw = {"sample_weight": table.w} if weighted else {}
    rates = {"selection_rate": selection_rate, "tpr": true_positive_rate, "fpr": false_positive_rate}
    for c in CLASSES:
        yt, yp = (table.tier == c).astype(int), (table.pred == c).astype(int)
        for attr in ("sex", "race"):
            sf = table[attr]
            mf = MetricFrame(
                metrics={
                    **rates,
                    "ppv": functools.partial(precision_score, zero_division=np.nan),
                },
                y_true=yt,
                y_pred=yp,
                sensitive_features=sf,
                sample_params={k: kw for k in [*rates, "ppv"]} if weighted else None,
            )
            for name, row in mf.by_group.iterrows():
                got = group(d, attr, name)["classes"][c]
                for m in ("selection_rate", "tpr", "fpr", "ppv"):
                    close(got[m], row[m])
            s = d["summary"][attr]["classes"][c]
            for key, fn in (
                ("demographic_parity_difference", demographic_parity_difference),
                ("demographic_parity_ratio", demographic_parity_ratio),
                ("equalized_odds_difference", equalized_odds_difference),
                ("equalized_odds_ratio", equalized_odds_ratio),
            ):
                close(s[key], fn(yt, yp, sensitive_features=sf, **kw))
            tpr = MetricFrame(
                metrics=true_positive_rate,
                y_true=yt,
                y_pred=yp,
                sensitive_features=sf,
                sample_params=kw or None,
            )
            close(s["equal_opportunity_difference"], tpr.difference())
            close(s["equal_opportunity_ratio"], tpr.ratio())
    # The worst class of each summary is the class with the largest difference / smallest ratio.
    for s in d["summary"].values():
        for key, w in s["worst_class"].items():
            values = {c: s["classes"][c][key] for c in CLASSES if s["classes"][c][key] is not None}
            pick = max if key.endswith("_difference") else min
            assert w["value"] == pick(values.values())
            assert w["class"] == next(c for c in CLASSES if values.get(c) == w["value"])


def test_metric_frame_fast_path_equals_fairlearn_with_averaged_metrics(table, core_passes):
    import fairgauge.metrics as fgm
    from fairlearn.metrics import MetricFrame as FairlearnFrame

    metrics = {
        "accuracy": accuracy_score,
        "macro_f1": macro(f1_score),
        "micro_precision": micro(precision_score),
        "macro_recall": functools.partial(recall_score, average="macro"),
    }
    calls = core_passes
    for sf in (table.sex, table[["sex", "race"]]):
        calls.clear()
        ours = fgm.MetricFrame(metrics=metrics, y_true=table.tier, y_pred=table.pred, sensitive_features=sf)
        theirs = FairlearnFrame(metrics=metrics, y_true=table.tier, y_pred=table.pred, sensitive_features=sf)
        assert calls == ["multiclass"]  # the four metrics from one pass of the core
        np.testing.assert_allclose(ours.by_group.to_numpy(float), theirs.by_group.to_numpy(float), rtol=1e-12)
        np.testing.assert_allclose(ours.overall.to_numpy(float), theirs.overall.to_numpy(float), rtol=1e-12)
        np.testing.assert_allclose(ours.ratio().to_numpy(float), theirs.ratio().to_numpy(float), rtol=1e-12)
    # Another averaging (weighted) or another zero_division takes scikit-learn's own function.
    calls.clear()
    other = {
        "w": functools.partial(f1_score, average="weighted"),
        "z": functools.partial(f1_score, average="macro", zero_division=1),
    }
    fgm.MetricFrame(metrics=other, y_true=table.tier, y_pred=table.pred, sensitive_features=table.sex)
    assert calls == []


def test_wilson_intervals_per_class(table):
    d = fairgauge.fairness(table, **ROLES).to_dict()
    g = group(d, "race", "c")
    rows = table[table.race == "c"]
    for c in CLASSES:
        k = int((rows.pred == c).sum())
        lo, hi = proportion_confint(k, len(rows), alpha=0.05, method="wilson")
        close(g["classes"][c]["ci"]["selection_rate"][0], lo)
        close(g["classes"][c]["ci"]["selection_rate"][1], hi)
        assert g["classes"][c]["predicted"] == k
        assert g["classes"][c]["support"] == int((rows.tier == c).sum())


def test_cli_equals_python_and_reads_as_text(table, run, run_json, tmp_path):
    path = tmp_path / "tiers.csv"
    table.to_csv(path, index=False)
    args = ["fairness", path, "--label", "tier", "--prediction", "pred", "--sensitive", "sex,race"]
    args += ["--task", "multiclass"]
    cli = run_json(*args, "--intersect")
    py = fairgauge.fairness(str(path), **ROLES, intersect=True).to_dict()
    assert cli == py
    assert "sex&race" in cli["summary"]
    text = run(*args).stdout
    assert "task multiclass" in text and "3 classes (High, Low, Medium)" in text
    assert "worst class: demographic parity difference" in text
    r = fairgauge.fairness(str(path), **ROLES)
    assert "3 classes" in repr(r) and "worst class" in r._repr_html_()
    assert set(r.by_class.columns) >= {"class", "selection_rate", "tpr_ci_low", "support"}
    assert r.by_class.height == 5 * 3 and r.by_group.height == 5


def test_bootstrap_gives_worst_class_intervals(table, run_json, tmp_path):
    a = fairgauge.fairness(table, **ROLES, bootstrap=200, seed=3).to_dict()
    b = fairgauge.fairness(table.sample(frac=1.0, random_state=1), **ROLES, bootstrap=200, seed=3).to_dict()
    # The same counts in another row order: the same intervals, bit for bit.
    assert a["summary"] == b["summary"] and a["bootstrap"] == {"replicates": 200, "seed": 3}
    s = a["summary"]["race"]
    worst = s["worst_class"]["demographic_parity_difference"]
    iv = worst["interval"]
    assert iv["low"] < worst["value"] < iv["high"] and iv["defined"] == 200
    per = s["classes"][worst["class"]]["intervals"]["demographic_parity_difference"]
    assert per["low"] <= worst["value"] <= per["high"]


def test_weighted_bootstrap_matches_fairlearn_per_class_and_ignores_row_order(table):
    """With sample weights each row draws a Poisson(1) weight per replicate: the intervals of a
    class's demographic parity difference agree with Fairlearn's `MetricFrame(n_boot=…)` on
    `y == c, p == c` with `sample_weight` within Monte Carlo error, and do not depend on the row
    order."""
    roles = dict(ROLES, sensitive="sex", weight="w")
    a = fairgauge.fairness(table, **roles, bootstrap=2000, seed=5).to_dict()
    s = a["summary"]["sex"]
    for c in CLASSES:
        mine = s["classes"][c]["intervals"]["demographic_parity_difference"]
        mf = MetricFrame(
            metrics=selection_rate,
            y_true=(table.tier == c).astype(int),
            y_pred=(table.pred == c).astype(int),
            sensitive_features=table.sex,
            sample_params={"sample_weight": table.w.to_numpy()},
            n_boot=400,
            ci_quantiles=[0.025, 0.975],
            random_state=2,
        )
        lo, hi = (float(x) for x in mf.difference_ci())
        sigma = (mine["high"] - mine["low"]) / 3.92
        assert abs(mine["low"] - lo) < 0.5 * sigma and abs(mine["high"] - hi) < 0.5 * sigma, (c, mine, lo, hi)
    worst = s["worst_class"]["demographic_parity_difference"]
    assert worst["interval"]["defined"] == 2000
    b = fairgauge.fairness(table.sample(frac=1.0, random_state=3), **roles, bootstrap=2000, seed=5).to_dict()
    for c in CLASSES:
        assert b["summary"]["sex"]["classes"][c]["intervals"] == s["classes"][c]["intervals"]


def test_numeric_classes_sort_numerically(run_json, tmp_path):
    path = tmp_path / "n.csv"
    rng = np.random.default_rng(1)
    y = rng.choice([1, 2, 10], 300)
    pd.DataFrame({"g": rng.choice(["x", "y"], 300), "y": y, "p": np.roll(y, 1)}).to_csv(path, index=False)
    d = run_json("fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "g", "--task", "multiclass")
    assert d["classes"] == ["1", "2", "10"]


def test_bad_input_is_a_clear_error(table, run, tmp_path):
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    base = ["fairness", path, "--label", "tier", "--sensitive", "sex"]
    # The binary task says which task fits.
    p = run(*base, "--prediction", "pred", check=False)
    assert p.returncode == 2 and "--task multiclass" in p.stderr, p.stderr
    p = run(*base, "--task", "multiclass", check=False)
    assert p.returncode == 2 and "needs the predicted class (--prediction COL)" in p.stderr
    p = run(*base, "--task", "multiclass", "--prediction", "pred", "--positive-label", "High", check=False)
    assert p.returncode == 2 and "--positive-label is for the binary task" in p.stderr
    p = run(*base, "--task", "regression", "--prediction", "pred", check=False)
    assert p.returncode == 2 and "multiclass" in p.stderr
    # One class only; too many classes; all-null prediction: errors naming what is wrong.
    one = tmp_path / "one.csv"
    pd.DataFrame({"sex": ["F", "M"] * 20, "tier": ["Low"] * 40, "pred": ["Low", "High"] * 20}).to_csv(one, index=False)
    mc = ["--label", "tier", "--prediction", "pred", "--sensitive", "sex", "--task", "multiclass"]
    p = run("fairness", one, *mc, check=False)
    assert p.returncode == 2 and "one class only (`Low`)" in p.stderr, p.stderr
    many = tmp_path / "many.csv"
    pd.DataFrame({"sex": ["F", "M"] * 101, "tier": range(202), "pred": range(202)}).to_csv(many, index=False)
    p = run("fairness", many, *mc, check=False)
    assert p.returncode == 2 and "at most 100 classes" in p.stderr and "`tier`" in p.stderr, p.stderr
    out = tmp_path / "out.json"
    p = run("fairness", many, *mc, "--output", out, check=False)
    assert p.returncode == 2 and not out.exists()
    with pytest.raises(FairgaugeError, match="one class only"):
        fairgauge.fairness(str(one), label="tier", prediction="pred", sensitive="sex", task="multiclass")
    with pytest.raises(ValueError, match="task is 'binary', 'multiclass', 'regression' or 'ranking'"):
        fairgauge.fairness(table, label="tier", prediction="pred", sensitive="sex", task="ordinal")


def test_a_class_only_predicted_is_a_warning(run, tmp_path):
    path = tmp_path / "w.csv"
    pd.DataFrame(
        {"sex": ["F", "M"] * 30, "tier": ["Low", "High", "High"] * 20, "pred": ["Low", "High", "Mid"] * 20}
    ).to_csv(path, index=False)
    args = ["fairness", path, "--label", "tier", "--prediction", "pred", "--sensitive", "sex", "--task", "multiclass"]
    d = json.loads(run(*args, "--format", "json").stdout)
    assert d["classes"] == ["High", "Low", "Mid"]
    assert d["warnings"] == ["class `Mid` is predicted for 20 rows but never occurs as a true label"]
    assert "warning: class `Mid`" in run(*args).stdout


def test_assess_judges_every_class(table, run, tmp_path):
    import csv
    from pathlib import Path

    import jsonschema
    from test_exports import validate_oscal

    schema = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "evidence.schema.json").read_text())
    ev = fairgauge.assess(table, label="tier", prediction="pred", sensitive=["sex", "race"], task="multiclass")
    d = ev.to_dict()
    jsonschema.Draft202012Validator(schema).validate(d)
    assert d["roles"]["task"] == "multiclass" and d["results"]["fairness"]["task"] == "multiclass"
    bias = [f for f in d["findings"] if f["kind"].startswith("fairness.")]
    assert {f["subject"]["class"] for f in bias if "class" in f["subject"]} == set(CLASSES)
    assert len({f["id"] for f in d["findings"]}) == len(d["findings"])
    # Race c is selected into High more often: its impact ratio finding names the class.
    high = next(
        f
        for f in bias
        if f["kind"] == "fairness.selection_rate_ratio"
        and f["subject"].get("class") == "High"
        and f["subject"]["group"] == "c"
    )
    assert "selection rate of class High" in high["message"]
    titles = {r["title"] for r in d["risks"]}
    assert "Disparate selection of class High by race" in titles
    # The findings are the ones the report gives under the same policy (fairgauge.testing's judge).
    report = fairgauge.fairness(table, label="tier", prediction="pred", sensitive=["sex", "race"], task="multiclass")
    judged = json.loads(fairgauge._fairgauge.judge("fairness", report.to_json(), None))
    assert sorted(f["id"] for f in judged) == sorted(f["id"] for f in bias)
    paths = ev.write(tmp_path / "out", ["json", "register", "oscal", "html"])
    with open(paths["register"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any(r["name"] == "Disparate selection of class High by race" for r in rows)
    validate_oscal(Path(paths["oscal"]))
    page = Path(paths["html"]).read_text()
    assert "Selection rate of each class by race" in page and "<th>Medium</th>" in page
    # The CLI with the policy's data.task gives the same findings.
    policy = tmp_path / "p.toml"
    policy.write_text('[data]\nlabel = "tier"\nprediction = "pred"\nsensitive = ["sex", "race"]\ntask = "multiclass"\n')
    data = tmp_path / "t.parquet"
    table.to_parquet(data)
    out = tmp_path / "cli.json"
    run("assess", "--current", data, "--policy", policy, "--output", out, check=False)
    cli = json.loads(out.read_text())
    assert sorted(f["id"] for f in cli["findings"] if f["kind"].startswith("fairness.")) == sorted(
        f["id"] for f in bias
    )


def test_hostile_class_names_are_escaped_in_html(tmp_path):
    from pathlib import Path

    rng = np.random.default_rng(5)
    n = 600
    classes = ["<script>alert(1)</script>", "a&b", 'q"uote']
    y = rng.choice(classes, n)
    df = pd.DataFrame({"sex": rng.choice(["F", "M"], n), "y": y, "p": np.where(rng.random(n) < 0.7, y, classes[0])})
    ev = fairgauge.assess(df, label="y", prediction="p", sensitive="sex", task="multiclass")
    page = Path(ev.write(tmp_path, ["html"])["html"]).read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "a&amp;b" in page
