"""The regression task (`fairness --task regression`, `task="regression"`): per-group MAE, RMSE,
R² and means equal scikit-learn's metrics on each group (Fairlearn's `MetricFrame`), summaries
equal `MetricFrame(...).difference()` / `.ratio()` / `.group_max()` (the bounded group loss), the
distribution tests equal scipy's `ks_2samp` and `wasserstein_distance`, Welch's test and interval
equal scipy's `ttest_ind(equal_var=False)` and `t.ppf`; with a threshold, the binary rates equal
Fairlearn's on `y >= T, p >= T`. The CLI and Python agree; bad input is a clear error."""

import json

import fairgauge
import numpy as np
import pandas as pd
import pytest
from fairgauge import FairgaugeError
from fairlearn.metrics import MetricFrame, demographic_parity_difference, selection_rate, true_positive_rate
from scipy import stats
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

TOL = 1e-10


def close(a, b, tol=TOL):
    assert a == pytest.approx(b, rel=tol, abs=tol), f"{a} != {b}"


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(20261207)
    n = 6000
    sex = rng.choice(["F", "M"], n, p=[0.4, 0.6])
    race = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y = rng.normal(50, 10, n) + np.where(sex == "M", 3.0, 0.0)
    p = y + rng.normal(0, 5, n) + np.where(race == "c", 2.0, 0.0)
    return pd.DataFrame({"sex": sex, "race": race, "y": y.round(3), "p": p.round(3)})


ROLES = dict(label="y", prediction="p", sensitive=["sex", "race"], task="regression")


def rmse(a, b, sample_weight=None):
    return np.sqrt(mean_squared_error(a, b, sample_weight=sample_weight))


def test_group_metrics_and_summaries_equal_scikit_learn_and_fairlearn(table):
    d = fairgauge.fairness(table, **ROLES).to_dict()
    assert d["task"] == "regression"
    metrics = {
        "mae": mean_absolute_error,
        "rmse": rmse,
        "r2": r2_score,
        "mean_label": lambda y, p: float(np.mean(y)),
        "mean_prediction": lambda y, p: float(np.mean(p)),
        "mean_error": lambda y, p: float(np.mean(np.asarray(p) - np.asarray(y))),
    }
    for attr in ("sex", "race"):
        mf = MetricFrame(metrics=metrics, y_true=table.y, y_pred=table.p, sensitive_features=table[attr])
        for name, row in mf.by_group.iterrows():
            g = next(g for g in d["groups"] if g["attribute"] == attr and g["group"] == name)
            for m in metrics:
                close(g[m], row[m])
        s = d["summary"][attr]
        diff, ratio, worst = mf.difference(), mf.ratio(), mf.group_max()
        for m in metrics:
            close(s[f"{m}_difference"], diff[m])
        for m in ("mae", "rmse", "mean_label", "mean_prediction"):
            close(s[f"{m}_ratio"], ratio[m])
        close(s["bounded_group_loss_mae"], worst["mae"])
        close(s["bounded_group_loss_rmse"], worst["rmse"])


def test_distribution_tests_and_welch_equal_scipy(table):
    d = fairgauge.fairness(table, **ROLES).to_dict()
    ref = table[table.race == "a"]
    assert d["summary"]["race"]["reference_group"] == "a"
    for name in ("b", "c"):
        grp = table[table.race == name]
        g = next(g for g in d["groups"] if g["attribute"] == "race" and g["group"] == name)
        ks = stats.ks_2samp(ref.p, grp.p)
        close(g["ks_statistic"], ks.statistic)
        close(g["ks_p_value"], ks.pvalue, 1e-9)
        close(g["wasserstein_normed"], stats.wasserstein_distance(ref.p, grp.p) / np.std(ref.p))
        for metric, col in (("mean_prediction", "p"), ("mean_label", "y")):
            dis = next(
                x for x in d["disparities"] if x["attribute"] == "race" and x["group"] == name and x["metric"] == metric
            )
            t = stats.ttest_ind(grp[col], ref[col], equal_var=False)
            close(dis["p_value"], t.pvalue, 1e-9)
            diff = grp[col].mean() - ref[col].mean()
            close(dis["difference"], diff)
            se = np.sqrt(grp[col].var(ddof=1) / len(grp) + ref[col].var(ddof=1) / len(ref))
            lo, hi = diff - stats.t.ppf(0.975, t.df) * se, diff + stats.t.ppf(0.975, t.df) * se
            close(dis["difference_ci"][0], lo, 1e-8)
            close(dis["difference_ci"][1], hi, 1e-8)
        mae = next(
            x for x in d["disparities"] if x["attribute"] == "race" and x["group"] == name and x["metric"] == "mae"
        )
        close(mae["ratio"], mean_absolute_error(grp.y, grp.p) / mean_absolute_error(ref.y, ref.p))


def test_threshold_gives_binary_rates(table):
    r = fairgauge.fairness(table, **ROLES, threshold=55)
    b = r.to_dict()["above_threshold"]
    yt, yp = (table.y >= 55).astype(int), (table.p >= 55).astype(int)
    mf = MetricFrame(
        metrics={"selection_rate": selection_rate, "tpr": true_positive_rate},
        y_true=yt,
        y_pred=yp,
        sensitive_features=table.sex,
    )
    for name, row in mf.by_group.iterrows():
        g = next(g for g in b["groups"] if g["attribute"] == "sex" and g["group"] == name)
        close(g["selection_rate"], row["selection_rate"])
        close(g["tpr"], row["tpr"])
    close(
        b["summary"]["sex"]["demographic_parity_difference"],
        demographic_parity_difference(yt, yp, sensitive_features=table.sex),
    )
    assert r.above_threshold.by_group.height == 5
    assert fairgauge.fairness(table, **ROLES).above_threshold is None


def test_cli_equals_python_and_reads_as_text(table, run, run_json, tmp_path):
    path = tmp_path / "r.parquet"
    table.to_parquet(path)
    args = ["fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "sex,race", "--task", "regression"]
    cli = run_json(*args, "--threshold", "55", "--intersect")
    py = fairgauge.fairness(str(path), **ROLES, threshold=55, intersect=True).to_dict()
    assert cli == py and "sex&race" in cli["summary"]
    text = run(*args).stdout
    assert "task regression" in text and "bounded group loss: MAE" in text
    r = fairgauge.fairness(str(path), **ROLES)
    assert "bounded group loss" in repr(r) and "MAE" in r._repr_html_()
    assert {"mae", "rmse", "r2", "ks_statistic"} <= set(r.by_group.columns)
    assert r.disparities.height == 3 * 5  # 3 groups besides the references, 5 metrics each


def test_bootstrap_intervals_match_fairlearn_n_boot_within_monte_carlo_error(table):
    # Ours is the Poisson bootstrap (each row weighs Poisson(1)), Fairlearn's resamples N rows:
    # the same distribution up to the replicate's total, so centre and ends agree within Monte
    # Carlo error; the point estimates are Fairlearn's to the last digits.
    r = fairgauge.fairness(table, **{**ROLES, "sensitive": "sex"}, bootstrap=4000, seed=5).to_dict()
    assert r["bootstrap"] == {"replicates": 4000, "seed": 5}
    ours = r["summary"]["sex"]["intervals"]
    for metric, name, summary in (
        (mean_absolute_error, "mae_difference", "difference"),
        (mean_absolute_error, "mae_ratio", "ratio"),
        (rmse, "rmse_ratio", "ratio"),
        (mean_absolute_error, "bounded_group_loss_mae", "group_max"),
        (rmse, "bounded_group_loss_rmse", "group_max"),
    ):
        mf = MetricFrame(
            metrics=metric,
            y_true=table.y,
            y_pred=table.p,
            sensitive_features=table.sex,
            n_boot=500,
            ci_quantiles=[0.025, 0.975],
            random_state=3,
        )
        theirs = getattr(mf, f"{summary}_ci")()
        lo, hi = float(theirs[0]), float(theirs[1])
        mine = ours[name]
        assert mine["defined"] == 4000
        # A 2.5 % quantile of 500 replicates has a Monte Carlo error of about 0.12 sd.
        sigma = (mine["high"] - mine["low"]) / 3.92
        assert abs(mine["low"] - lo) < 0.5 * sigma and abs(mine["high"] - hi) < 0.5 * sigma, (name, mine, lo, hi)
        close(r["summary"]["sex"][name], float(getattr(mf, summary)()))
    # The CLI draws the same bytes for the same seed, and another seed others.
    again = fairgauge.fairness(table, **{**ROLES, "sensitive": "sex"}, bootstrap=4000, seed=5).to_dict()
    assert again["summary"]["sex"]["intervals"] == ours
    other = fairgauge.fairness(table, **{**ROLES, "sensitive": "sex"}, bootstrap=4000, seed=6).to_dict()
    assert other["summary"]["sex"]["intervals"] != ours


def test_bootstrap_is_the_same_bytes_in_the_cli_and_from_shuffled_rows(table, run_json, tmp_path):
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    args = ["--label", "y", "--prediction", "p", "--sensitive", "sex,race", "--task", "regression"]
    cli = run_json("fairness", path, *args, "--bootstrap", "300", "--seed", "9")
    shuffled = table.sample(frac=1.0, random_state=1).reset_index(drop=True)
    py = fairgauge.fairness(shuffled, **ROLES, bootstrap=300, seed=9).to_dict()
    for attr in ("sex", "race"):
        assert cli["summary"][attr]["intervals"] == py["summary"][attr]["intervals"]
    assert len(cli["summary"]["race"]["intervals"]) == 12


def test_metric_frame_fast_path_equals_fairlearn_with_scikit_learns_metrics(table, core_passes):
    import fairgauge.metrics as fgm
    from fairlearn.metrics import MetricFrame as FairlearnFrame
    from sklearn.metrics import mean_squared_error, root_mean_squared_error

    metrics = {
        "mae": mean_absolute_error,
        "mse": mean_squared_error,
        "rmse": root_mean_squared_error,
        "r2": r2_score,
    }
    calls = core_passes
    for sf in (table.sex, table[["sex", "race"]]):
        calls.clear()
        ours = fgm.MetricFrame(metrics=metrics, y_true=table.y, y_pred=table.p, sensitive_features=sf)
        theirs = FairlearnFrame(metrics=metrics, y_true=table.y, y_pred=table.p, sensitive_features=sf)
        assert calls == ["regression"]  # the four metrics from one pass of the core
        np.testing.assert_allclose(ours.by_group.to_numpy(float), theirs.by_group.to_numpy(float), rtol=1e-12)
        np.testing.assert_allclose(ours.overall.to_numpy(float), theirs.overall.to_numpy(float), rtol=1e-12)
        np.testing.assert_allclose(ours.difference().to_numpy(float), theirs.difference().to_numpy(float), rtol=1e-10)
        np.testing.assert_allclose(ours.ratio().to_numpy(float), theirs.ratio().to_numpy(float), rtol=1e-12)
    # Sample weights take scikit-learn's own function per group (the core's regression has none yet).
    calls.clear()
    w = np.linspace(0.5, 2.0, len(table))
    ours = fgm.MetricFrame(
        metrics=mean_absolute_error, y_true=table.y, y_pred=table.p, sensitive_features=table.sex,
        sample_params={"sample_weight": w},
    )  # fmt: skip
    theirs = FairlearnFrame(
        metrics=mean_absolute_error, y_true=table.y, y_pred=table.p, sensitive_features=table.sex,
        sample_params={"sample_weight": w},
    )  # fmt: skip
    assert calls == []
    np.testing.assert_allclose(ours.by_group.to_numpy(float), theirs.by_group.to_numpy(float), rtol=1e-12)
    # Data the core refuses (a NaN) gets scikit-learn's own error, not another.
    bad = table.y.to_numpy(copy=True)
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fgm.MetricFrame(metrics=mean_absolute_error, y_true=bad, y_pred=table.p, sensitive_features=table.sex)


def test_sample_weights_equal_scikit_learn_fairlearn_and_scipy(table, run, run_json, tmp_path):
    from fairlearn.metrics import MetricFrame as FairlearnFrame

    w = np.random.default_rng(5).gamma(2.0, 1.0, len(table)).round(2)
    df = table.assign(w=w)
    d = fairgauge.fairness(df, **ROLES, weight="w").to_dict()
    metrics = {
        "mae": mean_absolute_error,
        "rmse": rmse,
        "r2": r2_score,
        "mean_label": lambda y, p, sample_weight: float(np.average(y, weights=sample_weight)),
        "mean_prediction": lambda y, p, sample_weight: float(np.average(p, weights=sample_weight)),
        "mean_error": lambda y, p, sample_weight: float(np.average(np.asarray(p) - y, weights=sample_weight)),
    }
    params = {m: {"sample_weight": df.w} for m in metrics}
    for attr in ("sex", "race"):
        mf = FairlearnFrame(
            metrics=metrics, y_true=df.y, y_pred=df.p, sensitive_features=df[attr], sample_params=params
        )
        groups = {g["group"]: g for g in d["groups"] if g["attribute"] == attr}
        for name, row in mf.by_group.iterrows():
            g = groups[name]
            for m in metrics:
                close(g[m], row[m])
            mask = df[attr] == name
            close(g["weighted"]["total"], df.w[mask].sum())
            close(g["weighted"]["effective_n"], df.w[mask].sum() ** 2 / (df.w[mask] ** 2).sum())
            close(g["share"], df.w[mask].sum() / df.w.sum())
        s = d["summary"][attr]
        for m in ("mae", "rmse", "r2", "mean_error"):
            close(s[f"{m}_difference"], mf.difference()[m])
        close(s["mae_ratio"], mf.ratio()["mae"])
        close(s["bounded_group_loss_rmse"], mf.group_max()["rmse"])
        # The predictions' weighted distributions against the reference group's: scipy's
        # weighted Wasserstein over the reference's weighted sd, and the weighted ECDFs' gap.
        ref = next(g for g in groups.values() if g["reference"])["group"]
        rm = df[attr] == ref
        rp, rw = df.p[rm].to_numpy(), df.w[rm].to_numpy()
        mean = np.average(rp, weights=rw)
        sd = np.sqrt(np.average((rp - mean) ** 2, weights=rw))
        for name, g in groups.items():
            if name == ref:
                continue
            m = df[attr] == name
            gp, gw = df.p[m].to_numpy(), df.w[m].to_numpy()
            close(g["wasserstein_normed"], stats.wasserstein_distance(rp, gp, rw, gw) / sd, 1e-9)
            grid = np.union1d(rp, gp)
            fr = np.array([rw[rp <= x].sum() for x in grid]) / rw.sum()
            fg = np.array([gw[gp <= x].sum() for x in grid]) / gw.sum()
            close(g["ks_statistic"], np.abs(fr - fg).max(), 1e-12)
    assert d["weights"]["total"] == pytest.approx(w.sum(), rel=1e-12)
    # The CLI reads the same weights: the same report, and says so in its text.
    path = tmp_path / "w.parquet"
    df.to_parquet(path)
    args = ["--label", "y", "--prediction", "p", "--sensitive", "sex,race", "--task", "regression", "--weight", "w"]
    cli = run_json("fairness", path, *args)
    assert cli["summary"] == d["summary"]
    assert "Metrics are weighted by `w`" in run("fairness", path, *args).stdout
    # With the bootstrap: intervals from the weighted rows, the same bytes for the same seed.
    b1 = fairgauge.fairness(df, **ROLES, weight="w", bootstrap=100, seed=1).to_dict()
    b2 = fairgauge.fairness(df.sample(frac=1.0, random_state=2), **ROLES, weight="w", bootstrap=100, seed=1)
    assert b1["summary"]["race"]["intervals"] == b2.to_dict()["summary"]["race"]["intervals"]
    iv = b1["summary"]["sex"]["intervals"]["mae_ratio"]
    assert iv["low"] <= b1["summary"]["sex"]["mae_ratio"] <= iv["high"]


def test_bad_input_is_a_clear_error(table, run, tmp_path):
    bad = table.astype({"y": object})
    bad.loc[17, "y"] = "abc"
    path = tmp_path / "bad.csv"
    bad.to_csv(path, index=False)
    mc = ["--label", "y", "--prediction", "p", "--sensitive", "sex", "--task", "regression"]
    p = run("fairness", path, *mc, check=False)
    assert p.returncode == 2 and "`abc` at data row 18 is not a finite number" in p.stderr, p.stderr
    good = tmp_path / "good.csv"
    table.to_csv(good, index=False)
    p = run("fairness", good, "--label", "y", "--sensitive", "sex", "--task", "regression", check=False)
    assert p.returncode == 2 and "needs the predicted value (--prediction COL)" in p.stderr
    p = run("fairness", good, *mc, "--weight", "race", check=False)
    assert p.returncode == 2 and "race" in p.stderr, p.stderr
    neg = table.assign(w=1.0)
    neg.loc[41, "w"] = -0.5
    npath = tmp_path / "neg.csv"
    neg.to_csv(npath, index=False)
    p = run("fairness", npath, *mc, "--weight", "w", check=False)
    assert p.returncode == 2 and "-0.5" in p.stderr and "42" in p.stderr, p.stderr
    p = run("fairness", good, *mc, "--bootstrap", "1", check=False)
    assert p.returncode == 2 and "between 2 and 100000 replicates" in p.stderr
    p = run("fairness", good, *mc, "--reference-group", "best", check=False)
    assert p.returncode == 2 and "one reference group" in p.stderr
    # The binary task on a numeric label says which task fits.
    p = run("fairness", good, "--label", "y", "--prediction", "p", "--sensitive", "sex", check=False)
    assert p.returncode == 2 and "--task" in p.stderr
    with pytest.raises(FairgaugeError, match="not a finite number"):
        fairgauge.fairness(str(path), **{**ROLES, "sensitive": "sex"})
    one = pd.DataFrame({"sex": ["F"] * 10, "y": range(10), "p": range(10)})
    with pytest.raises(FairgaugeError, match="only one group"):
        fairgauge.fairness(one, **{**ROLES, "sensitive": "sex"})


def test_assess_judges_the_error_ratios_and_the_policys_differences(table, run, tmp_path):
    import csv
    from pathlib import Path

    import jsonschema
    from test_exports import validate_oscal

    schema = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "evidence.schema.json").read_text())
    ev = fairgauge.assess(table, **ROLES)
    d = ev.to_dict()
    jsonschema.Draft202012Validator(schema).validate(d)
    assert d["roles"]["task"] == "regression" and d["results"]["fairness"]["task"] == "regression"
    bias = {(f["kind"], f["subject"]["attribute"]): f for f in d["findings"] if f["kind"].startswith("fairness.")}
    # The default policy judges the MAE and RMSE ratios (below 0.9 warn, 0.8 fail) per attribute.
    report = fairgauge.fairness(table, **ROLES).to_dict()
    for attr in ("sex", "race"):
        for name in ("mae_ratio", "rmse_ratio"):
            f = bias[(f"fairness.{name}", attr)]
            v = report["summary"][attr][name]
            assert f["value"] == v
            assert f["status"] == ("fail" if v < 0.8 else "warn" if v < 0.9 else "pass")
            assert "fail below 0.8" in f["message"]
    assert ("fairness.mean_error_difference", "race") not in bias  # in the label's units: not by default
    titles = {r["title"] for r in d["risks"]}
    assert "Unequal error by race" in titles or all(
        bias[(f"fairness.{n}", "race")]["status"] == "pass" for n in ("mae_ratio", "rmse_ratio")
    )
    judged = json.loads(fairgauge._fairgauge.judge("fairness", json.dumps(report), None))
    from_assess = [f["id"] for f in d["findings"] if f["kind"].startswith("fairness.")]
    assert sorted(f["id"] for f in judged) == sorted(from_assess)
    paths = ev.write(tmp_path / "out", ["json", "register", "oscal", "html"])
    validate_oscal(Path(paths["oscal"]))
    with open(paths["register"], newline="") as fh:
        assert list(csv.DictReader(fh)) is not None
    html = Path(paths["html"]).read_text()
    assert "Regression: error and bias per group" in html
    # Error bars per group, on an axis in the label's units, the reference outlined.
    for attr in ("sex", "race"):
        assert f'aria-label="Mean absolute error by {attr}: ' in html
        assert f'aria-label="Root mean squared error by {attr}: ' in html
    mae_f = next(g for g in report["groups"] if g["attribute"] == "sex" and g["group"] == "F")["mae"]
    assert f"F: {mae_f:.4g}" in html or f"F: {mae_f:.3f}" in html
    # A policy in the label's units: race c's predictions are 2 higher, so the mean error gap fails.
    policy = tmp_path / "p.toml"
    policy.write_text(
        '[data]\nlabel = "y"\nprediction = "p"\nsensitive = ["sex", "race"]\ntask = "regression"\n'
        '[fairness.thresholds.mean_error_difference]\nwarn = 0.5\nfail = 1.0\ndirection = "above"\n'
    )
    data = tmp_path / "t.parquet"
    table.to_parquet(data)
    out = tmp_path / "e.json"
    p = run("assess", "--current", data, "--policy", policy, "--output", out, check=False)
    assert p.returncode == 1, p.stderr
    e = json.loads(out.read_text())
    kind = "fairness.mean_error_difference"
    gap = next(f for f in e["findings"] if f["kind"] == kind and f["subject"]["attribute"] == "race")
    close(gap["value"], report["summary"]["race"]["mean_error_difference"])
    assert gap["status"] == "fail" and "Unequal error by race" in {r["title"] for r in e["risks"]}
    # The policy's bootstrap puts the summary's interval on the finding.
    booted = tmp_path / "boot.toml"
    boot = "[fairness]\nbootstrap = 200\nseed = 4\n[fairness.thresholds"
    booted.write_text(policy.read_text().replace("[fairness.thresholds", boot, 1))
    run("assess", "--current", data, "--policy", booted, "--output", out, check=False)
    e = json.loads(out.read_text())
    gap = next(f for f in e["findings"] if f["kind"] == kind and f["subject"]["attribute"] == "race")
    iv = e["results"]["fairness"]["summary"]["race"]["intervals"]["mean_error_difference"]
    assert gap["interval"] == [iv["low"], iv["high"]] and iv["low"] <= gap["value"] <= iv["high"]
    assert "95% bootstrap interval" in gap["message"] and "200 replicates" in gap["message"]
    # --fail-on on the analysis alone judges the same way.
    args = ["fairness", data, "--label", "y", "--prediction", "p", "--sensitive", "race", "--task", "regression"]
    assert run(*args, "--fail-on", "fail", "--policy", policy, check=False).returncode == 1
    # A threshold name the policy does not know is an error naming it.
    bad = tmp_path / "bad.toml"
    bad.write_text('[fairness.thresholds.mean_error_ratio]\nwarn = 0.9\nfail = 0.8\ndirection = "below"\n')
    p = run(*args, "--fail-on", "fail", "--policy", bad, check=False)
    assert p.returncode == 2 and "mean_error_ratio: unknown metric" in p.stderr, p.stderr


def test_json_round_trips(table):
    r = fairgauge.fairness(table, **ROLES)
    assert json.loads(r.to_json()) == r.to_dict()
