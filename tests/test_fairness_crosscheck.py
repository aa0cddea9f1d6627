"""fairgauge fairness against independent references: pandas, fairlearn 0.15, aif360 0.6,
scikit-learn, statsmodels and scipy, on the bundled UCI Adult data and on synthetic decisions.

Tolerance 1e-9 everywhere: every quantity here has an exact definition.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from fairlearn import metrics as flm
from scipy import stats
from sklearn.metrics import brier_score_loss, roc_auc_score
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

TOL = 1e-9
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


def approx(x):
    return pytest.approx(x, abs=TOL, rel=TOL)


def groups(report, attribute):
    return {g["group"]: g for g in report["groups"] if g["attribute"] == attribute}


@pytest.fixture(scope="module")
def adult():
    df = pd.read_csv(
        ROOT / "datasets/adult/adult.data", header=None, names=ADULT_COLUMNS, skipinitialspace=True, na_values="?"
    )
    return df


def test_adult_dataset_bias_matches_pandas_and_fairlearn(run_json, adult):
    rep = run_json(
        "fairness",
        "datasets/adult/adult.data",
        "--label",
        "income",
        "--sensitive",
        "sex,race",
        "--positive-label",
        ">50K",
        "--min-group-size",
        "0",
    )
    assert rep["mode"] == "dataset_bias"
    assert rep["rows"]["seen"] == len(adult) == 32561
    y = (adult["income"] == ">50K").astype(int)
    for attr in ["sex", "race"]:
        got = groups(rep, attr)
        want = y.groupby(adult[attr]).agg(["mean", "count"])
        assert set(got) == set(want.index)
        for g, row in want.iterrows():
            assert got[g]["count"] == row["count"]
            assert got[g]["base_rate"] == approx(row["mean"])
            lo, hi = proportion_confint(int(y[adult[attr] == g].sum()), int(row["count"]), method="wilson")
            assert got[g]["ci"]["base_rate"] == [approx(lo), approx(hi)]
        # Fairlearn's demographic parity of "decisions equal to the labels" is the base-rate gap.
        dpd = flm.demographic_parity_difference(y, y, sensitive_features=adult[attr])
        dpr = flm.demographic_parity_ratio(y, y, sensitive_features=adult[attr])
        assert rep["summary"][attr]["base_rate_difference"] == approx(dpd)
        assert rep["summary"][attr]["base_rate_ratio"] == approx(dpr)


def test_adult_test_split_reads_through_the_schema(run_json):
    rep = run_json(
        "fairness", "datasets/adult/adult.test", "--label", "income", "--sensitive", "sex", "--positive-label", ">50K"
    )
    assert rep["rows"]["seen"] == 16281
    assert sorted(rep["roles"]["label_values"]) == ["<=50K", ">50K"]


@pytest.fixture(scope="module")
def synth(run, tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "synth.csv"
    run("synth", "--rows", "20000", "--seed", "7", "--disparity", "0.15", "--output", path)
    return path, pd.read_csv(path)


def test_synth_is_deterministic(run, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    run("synth", "--rows", "3000", "--seed", "3", "--output", a)
    run("synth", "--rows", "3000", "--seed", "3", "--output", b)
    assert a.read_bytes() == b.read_bytes()


def test_group_metrics_match_fairlearn_and_sklearn(run_json, synth):
    path, df = synth
    rep = run_json(
        "fairness",
        path,
        "--label",
        "label",
        "--prediction",
        "prediction",
        "--score",
        "score",
        "--sensitive",
        "sex,race",
        "--intersect",
        "--min-group-size",
        "0",
    )
    y, p, s = df["label"], df["prediction"], df["score"]
    funcs = {
        "selection_rate": flm.selection_rate,
        "tpr": flm.true_positive_rate,
        "fpr": flm.false_positive_rate,
        "tnr": flm.true_negative_rate,
        "fnr": flm.false_negative_rate,
        "count": flm.count,
    }
    for attrs in (["sex"], ["race"], ["sex", "race"]):
        name = "&".join(attrs)
        sf = df[attrs] if len(attrs) > 1 else df[attrs[0]]
        mf = flm.MetricFrame(metrics=funcs, y_true=y, y_pred=p, sensitive_features=sf)
        got = groups(rep, name)
        for key, row in mf.by_group.iterrows():
            g = "&".join(key) if isinstance(key, tuple) else key
            for m in ["selection_rate", "tpr", "fpr", "tnr", "fnr"]:
                assert got[g][m] == approx(row[m]), (name, g, m)
            assert got[g]["count"] == row["count"]
            mask = (sf == pd.Series(key, index=attrs)).all(axis=1) if len(attrs) > 1 else (sf == key)
            yy, pp, ss = y[mask], p[mask], s[mask]
            assert got[g]["roc_auc"] == approx(roc_auc_score(yy, ss))
            assert got[g]["brier_score"] == approx(brier_score_loss(yy, ss))
            assert got[g]["mean_score"] == approx(ss.mean())
            tp = int(((yy == 1) & (pp == 1)).sum())
            fp = int(((yy == 0) & (pp == 1)).sum())
            assert got[g]["ppv"] == approx(tp / (tp + fp))
            # ECE with 10 equal-width bins [k/10, (k+1)/10), the last closed.
            bins = np.minimum((ss.values * 10).astype(int), 9)
            ece = sum(
                (bins == k).sum() / len(ss) * abs(ss.values[bins == k].mean() - yy.values[bins == k].mean())
                for k in range(10)
                if (bins == k).any()
            )
            assert got[g]["ece"] == approx(ece)
        summary = rep["summary"][name]
        for fn in [
            "demographic_parity_difference",
            "demographic_parity_ratio",
            "equalized_odds_difference",
            "equalized_odds_ratio",
            "equal_opportunity_difference",
            "equal_opportunity_ratio",
        ]:
            want = getattr(flm, fn)(y, p, sensitive_features=sf)
            assert summary[fn] == approx(want), (name, fn)


def test_disparity_tests_match_statsmodels_and_scipy(run_json, synth):
    path, df = synth
    rep = run_json(
        "fairness",
        path,
        "--label",
        "label",
        "--prediction",
        "prediction",
        "--sensitive",
        "race",
        "--reference-group",
        "White",
        "--min-group-size",
        "0",
    )
    y, p = df["label"] == 1, df["prediction"] == 1
    ref = df["race"] == "White"
    for d in rep["disparities"]:
        if d["metric"] not in ("selection_rate", "tpr"):
            continue
        g = df["race"] == d["group"]
        base = pd.Series(True, index=df.index) if d["metric"] == "selection_rate" else y
        x1, n1 = int((p & g & base).sum()), int((g & base).sum())
        x2, n2 = int((p & ref & base).sum()), int((ref & base).sum())
        assert d["reference"] == "White"
        assert d["difference"] == approx(x1 / n1 - x2 / n2)
        assert d["ratio"] == approx((x1 / n1) / (x2 / n2))
        lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
        assert d["difference_ci"] == [approx(lo), approx(hi)]
        table = np.array([[x1, n1 - x1], [x2, n2 - x2]])
        expected = stats.contingency.expected_freq(table)
        if expected.min() < 5:
            assert d["test"] == "fisher_exact"
            assert d["p_value"] == approx(stats.fisher_exact(table).pvalue)
        else:
            assert d["test"] == "two_proportion_z"
            assert d["p_value"] == approx(proportions_ztest([x1, x2], [n1, n2])[1])
    chi = rep["summary"]["race"]["independence"]["selection_rate"]
    table = pd.crosstab(df["race"], df["prediction"]).values
    want = stats.chi2_contingency(table, correction=False)
    assert chi["statistic"] == approx(want.statistic)
    assert chi["p_value"] == approx(want.pvalue)
    assert chi["df"] == want.dof


def test_inequality_matches_aif360(run_json, synth):
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    path, df = synth
    rep = run_json(
        "fairness",
        path,
        "--label",
        "label",
        "--prediction",
        "prediction",
        "--sensitive",
        "sex",
        "--reference-group",
        "Male",
        "--min-group-size",
        "0",
    )
    num = pd.DataFrame({"sex": (df["sex"] == "Male").astype(float), "label": df["label"].astype(float)})
    truth = BinaryLabelDataset(df=num, label_names=["label"], protected_attribute_names=["sex"])
    pred = truth.copy()
    pred.labels = df["prediction"].values.reshape(-1, 1).astype(float)
    m = ClassificationMetric(truth, pred, unprivileged_groups=[{"sex": 0.0}], privileged_groups=[{"sex": 1.0}])
    assert rep["inequality"]["generalized_entropy_index"] == approx(m.generalized_entropy_index(alpha=2))
    assert rep["inequality"]["theil_index"] == approx(m.theil_index())
    s = rep["summary"]["sex"]
    between = m.between_all_groups_generalized_entropy_index(alpha=2)
    assert s["between_group_generalized_entropy_index"] == approx(between)
    assert s["between_group_theil_index"] == approx(m.between_all_groups_theil_index())
    assert s["average_odds_difference"] == approx(m.average_odds_difference())
    female = next(d for d in rep["disparities"] if d["metric"] == "selection_rate")
    assert female["difference"] == approx(m.statistical_parity_difference())
    assert female["ratio"] == approx(m.disparate_impact())


def test_score_threshold_gives_the_same_decisions(run_json, synth):
    path, _ = synth
    with_pred = run_json("fairness", path, "--label", "label", "--prediction", "prediction", "--sensitive", "sex")
    from_score = run_json(
        "fairness", path, "--label", "label", "--score", "score", "--threshold", "0.5", "--sensitive", "sex"
    )
    for a, b in zip(with_pred["groups"], from_score["groups"], strict=True):
        for m in ["tp", "fp", "tn", "fn", "selection_rate", "tpr", "fpr"]:
            assert a[m] == b[m]


def test_formats_give_identical_reports(run, run_json, tmp_path):
    reports = []
    for ext in ["csv", "parquet", "arrow", "ndjson"]:
        out = tmp_path / f"t.{ext}"
        run("synth", "--rows", "5000", "--seed", "11", "--output", out)
        rep = run_json(
            "fairness", out, "--label", "label", "--prediction", "prediction", "--sensitive", "sex,race", "--intersect"
        )
        rep.pop("input")
        reports.append(rep)
    for r in reports[1:]:
        assert r == reports[0]
