"""Sample weights in fairness (`fairness --weight`, `weight=`): rates equal Fairlearn 0.15's
`MetricFrame(..., sample_weight=)` with scikit-learn's metrics and Fairlearn's weighted summaries
to 1e-12; intervals equal statsmodels' Wilson and Newcombe intervals at Kish's effective sample
size, tests statsmodels' pooled z-test and scipy's chi-square on effective counts; the CLI, the
Python API (column name, numpy array, list, pandas Series) and `assess` agree; bad weights are
errors naming the row; Spark and Dask give the in-process numbers."""

import json
import math

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
from scipy.stats import chi2_contingency
from sklearn.metrics import accuracy_score, precision_score
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

TOL = 1e-12


def close(a, b, tol=TOL):
    assert a == pytest.approx(b, rel=tol, abs=tol), f"{a} != {b}"


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(20261205)
    n = 6000
    sex = rng.choice(["F", "M"], n, p=[0.35, 0.65])
    race = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(sex == "M", 0.4, 0.3)).astype(int)
    p = (rng.random(n) < np.where(y == 1, 0.7, 0.2) + np.where(race == "c", 0.05, 0.0)).astype(int)
    w = rng.gamma(2.0, 1.5, n)
    w[rng.random(n) < 0.02] = 0.0  # zero weights are allowed
    return pd.DataFrame({"sex": sex, "race": race, "y": y, "p": p, "w": w})


def group(report, attribute, name):
    return next(g for g in report["groups"] if g["attribute"] == attribute and g["group"] == name)


def kish(w):
    return w.sum() ** 2 / (w**2).sum()


def test_rates_and_summaries_equal_fairlearn_sample_weight(table):
    r = fairgauge.fairness(table, label="y", prediction="p", sensitive=["sex", "race"], weight="w").to_dict()
    y, p, w = table.y, table.p, table.w
    metrics = {
        "selection_rate": selection_rate,
        "tpr": true_positive_rate,
        "fpr": false_positive_rate,
        "ppv": lambda a, b, sample_weight: precision_score(a, b, sample_weight=sample_weight, zero_division=np.nan),
        "accuracy": accuracy_score,
    }
    for attr in ("sex", "race"):
        mf = MetricFrame(
            metrics=metrics,
            y_true=y,
            y_pred=p,
            sensitive_features=table[attr],
            sample_params={k: {"sample_weight": w} for k in metrics},
        )
        for name, row in mf.by_group.iterrows():
            g = group(r, attr, name)
            for m in metrics:
                close(g[m], row[m])
            # The weighted confusion is the sums of weights; n stays the row count.
            mask = table[attr] == name
            close(g["weighted"]["total"], w[mask].sum())
            close(g["weighted"]["effective_n"], kish(w[mask]))
            assert g["count"] == int(mask.sum())
        s = r["summary"][attr]
        sf = table[attr]
        close(
            s["demographic_parity_difference"],
            demographic_parity_difference(y, p, sensitive_features=sf, sample_weight=w),
        )
        close(s["demographic_parity_ratio"], demographic_parity_ratio(y, p, sensitive_features=sf, sample_weight=w))
        close(s["equalized_odds_difference"], equalized_odds_difference(y, p, sensitive_features=sf, sample_weight=w))
        close(s["equalized_odds_ratio"], equalized_odds_ratio(y, p, sensitive_features=sf, sample_weight=w))
    close(r["weights"]["total"], w.sum())
    close(r["weights"]["effective_n"], kish(w))
    assert r["roles"]["weight"] == "w"


def test_intervals_and_tests_at_the_effective_size(table):
    r = fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", weight="w").to_dict()
    y, p, w = table.y.to_numpy(), table.p.to_numpy(), table.w.to_numpy()

    def estimate(name, metric):
        m = table.sex.to_numpy() == name
        if metric == "tpr":
            m = m & (y == 1)
            x = p[m] == 1
        else:  # selection rate
            x = p[m] == 1
        ww = w[m]
        return (ww * x).sum() / ww.sum(), kish(ww)

    for metric in ("selection_rate", "tpr"):
        (pf, nf), (pm, nm) = estimate("F", metric), estimate("M", metric)
        lo, hi = proportion_confint(pf * nf, nf, alpha=0.05, method="wilson")
        ci = group(r, "sex", "F")["ci"][metric]
        close(ci[0], lo, 1e-10)
        close(ci[1], hi, 1e-10)
        d = next(d for d in r["disparities"] if d["metric"] == metric and d["group"] == "F")
        assert d["reference"] == "M" and d["test"] == "two_proportion_z"
        close(d["difference"], pf - pm)
        lo, hi = confint_proportions_2indep(pf * nf, nf, pm * nm, nm, method="newcomb", compare="diff")
        close(d["difference_ci"][0], lo, 1e-10)
        close(d["difference_ci"][1], hi, 1e-10)
        _, pval = proportions_ztest([pf * nf, pm * nm], [nf, nm])
        close(d["p_value"], pval, 1e-9)
        # The chi-square of independence on the effective counts.
        table2 = [[pf * nf, nf - pf * nf], [pm * nm, nm - pm * nm]]
        chi, pv, _, _ = chi2_contingency(table2, correction=False)
        t = r["summary"]["sex"]["independence"][metric]
        close(t["statistic"], chi, 1e-9)
        close(t["p_value"], pv, 1e-9)


def test_every_way_of_giving_weights_agrees(table, run_json, tmp_path):
    roles = dict(label="y", prediction="p", sensitive=["sex", "race"])
    by_name = fairgauge.fairness(table, **roles, weight="w").to_dict()
    plain = table.drop(columns="w")
    for given in (table.w.to_numpy(), list(table.w), table.w):
        got = fairgauge.fairness(plain, **roles, weight=given).to_dict()
        assert got["roles"]["weight"] == "sample_weight"
        assert got["groups"] == by_name["groups"]
        assert got["summary"] == by_name["summary"]
    # A data column already named sample_weight is not overwritten.
    clash = plain.assign(sample_weight=1.0)
    got = fairgauge.fairness(clash, **roles, weight=table.w.to_numpy()).to_dict()
    assert got["roles"]["weight"] == "sample_weight_1" and got["groups"] == by_name["groups"]
    path = tmp_path / "w.csv"
    table.to_csv(path, index=False)
    cli = run_json("fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "sex,race", "--weight", "w")
    for g, h in zip(cli["groups"], by_name["groups"], strict=True):
        for k in ("selection_rate", "tpr", "fpr", "weighted"):
            if isinstance(g[k], dict):
                for kk in g[k]:
                    close(g[k][kk], h[k][kk])
            else:
                close(g[k], h[k])
    # Without weights nothing about weights is written.
    unweighted = fairgauge.fairness(table, **roles).to_dict()
    assert "weights" not in unweighted and "weighted" not in unweighted["groups"][0]
    assert "weight" not in unweighted["roles"]


def test_assess_weights_the_fairness_findings(table, tmp_path):
    e = fairgauge.assess(table, label="y", prediction="p", sensitive="sex", weight="w").to_dict()
    assert e["roles"]["weight"] == "w"
    f = e["results"]["fairness"]
    direct = fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", weight="w").to_dict()
    assert f["summary"] == direct["summary"] and f["groups"] == direct["groups"]
    dpd = next(x for x in e["findings"] if x["metric"] == "demographic_parity_difference")
    close(dpd["value"], direct["summary"]["sex"]["demographic_parity_difference"])
    # The evidence validates against the schema with the weight role.
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((fairgauge_root() / "schemas" / "evidence.schema.json").read_text())
    jsonschema.validate(e, schema)


def fairgauge_root():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "shown"),
    # pandas holds a missing value as NaN and hands it to Arrow as null: both are refused.
    [(-1.0, "-1"), (float("nan"), "null"), (float("inf"), "inf"), (None, "null")],
)
def test_bad_weights_name_the_row(table, value, shown):
    t = table.head(50).copy()
    t["w"] = t["w"].astype(object)
    t.loc[17, "w"] = value
    with pytest.raises(FairgaugeError) as e:
        fairgauge.fairness(t, label="y", prediction="p", sensitive="sex", weight="w")
    msg = str(e.value)
    assert "data row 18" in msg and "`w`" in msg, msg
    assert shown in msg, msg


def test_bad_weight_arguments(table, run, tmp_path):
    roles = dict(label="y", prediction="p", sensitive="sex")
    with pytest.raises(fairgauge.DataError, match="has 3 values, the data has 6000 rows"):
        fairgauge.fairness(table, **roles, weight=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="needs the data in memory"):
        fairgauge.fairness(tmp_path / "x.csv", **roles, weight=np.ones(3))
    path = tmp_path / "t.csv"
    table.assign(text=["heavy"] * len(table), s=0.5).to_csv(path, index=False)
    proc = run(
        "fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "sex", "--weight", "text", check=False
    )
    assert proc.returncode == 2 and "weight `heavy` at data row 1" in proc.stderr, proc.stderr
    nan = tmp_path / "nan.csv"
    table.head(30).assign(w=[1.0] * 29 + [float("nan")]).to_csv(nan, index=False, na_rep="NaN")
    proc = run("fairness", nan, "--label", "y", "--prediction", "p", "--sensitive", "sex", "--weight", "w", check=False)
    assert proc.returncode == 2 and "data row 30" in proc.stderr, proc.stderr
    proc = run(
        "fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "sex", "--weight", "sex", check=False
    )
    assert proc.returncode == 2 and "two roles" in proc.stderr, proc.stderr


def test_weighted_score_metrics_equal_scikit_learn(table):
    from sklearn.metrics import brier_score_loss, roc_auc_score

    rng = np.random.default_rng(3)
    # Scores on a coarse grid, so that ties across labels occur.
    t = table.assign(s=np.round(np.clip(0.3 * table.y + rng.random(len(table)) * 0.7, 0, 1), 2))
    r = fairgauge.fairness(t, label="y", score="s", sensitive="sex", weight="w").to_dict()
    for name in ("F", "M"):
        m = t[t.sex == name]
        g = group(r, "sex", name)
        close(g["roc_auc"], roc_auc_score(m.y, m.s, sample_weight=m.w))
        close(g["brier_score"], brier_score_loss(m.y, m.s, sample_weight=m.w))
        close(g["mean_score"], np.average(m.s, weights=m.w))
        # The decision at the threshold, weighted.
        close(g["selection_rate"], np.average(m.s >= 0.5, weights=m.w))
        # ECE, 10 equal-width bins [k/10, (k+1)/10), weighted shares, means and positive shares.
        b = np.minimum((m.s * 10).astype(int), 9)
        ece = 0.0
        for k in range(10):
            sel = (b == k).to_numpy()
            wk = m.w.to_numpy()[sel]
            if wk.sum() > 0:
                gap = abs(np.average(m.s.to_numpy()[sel], weights=wk) - np.average(m.y.to_numpy()[sel], weights=wk))
                ece += wk.sum() / m.w.sum() * gap
        close(g["ece"], ece, 1e-10)


def test_zero_total_weight_in_a_group_is_undefined(table):
    t = table.copy()
    t.loc[t.sex == "F", "w"] = 0.0
    r = fairgauge.fairness(t, label="y", prediction="p", sensitive="sex", weight="w", min_group_size=1).to_dict()
    f = group(r, "sex", "F")
    assert f["selection_rate"] is None and "selection_rate" in f["undefined"]
    assert not any(math.isnan(v) for v in f["weighted"].values() if isinstance(v, float))


def test_reports_say_they_are_weighted(table, run, tmp_path):
    r = fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", weight="w")
    assert "weighted by `w`" in repr(r)
    bg = r.by_group
    assert {"weight_total", "effective_n", "weighted_tp", "weighted_fn"} <= set(bg.columns)
    assert bg["weight_total"].sum() == pytest.approx(table.w.sum(), rel=1e-12)
    path = tmp_path / "w.csv"
    table.to_csv(path, index=False)
    html = tmp_path / "r.html"
    args = ("--current", path, "--label", "y", "--prediction", "p", "--sensitive", "sex", "--weight", "w")
    run("assess", *args, "--html", html, check=False)
    page = html.read_text()
    assert "Rates are weighted by `w`: total weight" in page
    text = run("fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "sex", "--weight", "w").stdout
    assert "Rates are weighted by `w`" in text and "effective sample size" in text


def test_the_policy_names_the_weight(table, run, tmp_path):
    policy = (fairgauge_root() / "crates" / "fairgauge" / "src" / "evidence" / "default_policy.toml").read_text()
    policy = policy.replace("sensitive = []", 'sensitive = ["sex"]\nlabel = "y"\nprediction = "p"\nweight = "w"', 1)
    (tmp_path / "policy.toml").write_text(policy)
    path = tmp_path / "w.csv"
    table.to_csv(path, index=False)
    e = json.loads(
        run("assess", "--policy", tmp_path / "policy.toml", "--current", path, "--format", "json", check=False).stdout
    )
    assert e["roles"]["weight"] == "w"
    direct = fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", weight="w").to_dict()
    assert e["results"]["fairness"]["weights"] == direct["weights"]
