"""Bootstrap intervals of the parity summaries (`fairness --bootstrap B --seed S`, `bootstrap=`):
the same centre and width as Fairlearn 0.15's `MetricFrame(n_boot=…, ci_quantiles=…)` on the same
data within Monte Carlo error (both are the row bootstrap with percentile intervals); the same
bytes from the CLI and Python, for the same seed; the policy's `[fairness] bootstrap` puts the
interval on the findings. Coverage by simulation is a Rust test
(`crates/fairgauge-core/tests/fairness_bootstrap.rs`)."""

import json

import fairgauge
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate, true_positive_rate


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(7)
    n = 5000
    sex = rng.choice(["F", "M"], n, p=[0.4, 0.6])
    y = (rng.random(n) < np.where(sex == "F", 0.35, 0.45)).astype(int)
    p = (rng.random(n) < np.where(y == 1, np.where(sex == "F", 0.75, 0.85), 0.1)).astype(int)
    return pd.DataFrame({"sex": sex, "y": y, "p": p})


def fairlearn_summaries(data, sample_weight=None):
    """Fairlearn's 95 % bootstrap intervals (500 replicates) and point values of the demographic
    parity and equal opportunity differences and ratios: `(name, low, high, point)`."""
    params = {} if sample_weight is None else {"sample_params": {"sample_weight": sample_weight}}
    for metric, names in (
        (selection_rate, ("demographic_parity_difference", "demographic_parity_ratio")),
        (true_positive_rate, ("equal_opportunity_difference", "equal_opportunity_ratio")),
    ):
        mf = MetricFrame(
            metrics=metric,
            y_true=data.y,
            y_pred=data.p,
            sensitive_features=data.sex,
            n_boot=500,
            ci_quantiles=[0.025, 0.975],
            random_state=3,
            **params,
        )
        for name, ci, point in zip(
            names, (mf.difference_ci(), mf.ratio_ci()), (mf.difference(), mf.ratio()), strict=True
        ):
            yield name, float(ci[0]), float(ci[1]), point


def assert_within_monte_carlo_error(summary, data, sample_weight=None):
    """Our intervals (4,000 replicates) against Fairlearn's: the summary's standard deviation s
    from our interval; a 2.5 % quantile of 500 replicates has a Monte Carlo standard error of
    about 0.12 s, so the ends (and centres) agree within 0.5 s; the point values to 1e-12."""
    for name, lo, hi, point in fairlearn_summaries(data, sample_weight):
        mine = summary["intervals"][name]
        assert mine["defined"] == 4000
        sigma = (mine["high"] - mine["low"]) / 3.92
        assert abs((mine["low"] + mine["high"]) / 2 - (lo + hi) / 2) < 0.5 * sigma, (name, mine, lo, hi)
        assert abs(mine["low"] - lo) < 0.5 * sigma and abs(mine["high"] - hi) < 0.5 * sigma, (name, mine, lo, hi)
        assert summary[name] == pytest.approx(point, abs=1e-12)


def test_intervals_match_fairlearn_n_boot_within_monte_carlo_error(table):
    r = fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", bootstrap=4000, seed=11).to_dict()
    assert r["bootstrap"] == {"replicates": 4000, "seed": 11}
    assert_within_monte_carlo_error(r["summary"]["sex"], table)


def test_same_seed_same_bytes_in_the_cli_and_python(table, run_json, tmp_path):
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    roles = ("--label", "y", "--prediction", "p", "--sensitive", "sex")
    cli = run_json("fairness", path, *roles, "--bootstrap", "300", "--seed", "5")
    again = run_json("fairness", path, *roles, "--bootstrap", "300", "--seed", "5")
    py = fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", bootstrap=300, seed=5).to_dict()
    assert cli["summary"] == again["summary"] == py["summary"]
    other = run_json("fairness", path, *roles, "--bootstrap", "300", "--seed", "6")
    assert other["summary"]["sex"]["intervals"] != cli["summary"]["sex"]["intervals"]
    plain = run_json("fairness", path, *roles)
    assert "intervals" not in plain["summary"]["sex"] and "bootstrap" not in plain


def test_bad_bootstrap_arguments(table, run, tmp_path):
    for bad in (1, 0, 2.5, True):
        with pytest.raises(ValueError, match="bootstrap"):
            fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", bootstrap=bad)
    with pytest.raises(ValueError, match="seed"):
        fairgauge.fairness(table, label="y", prediction="p", sensitive="sex", bootstrap=10, seed=-1)
    path = tmp_path / "t.csv"
    table.assign(w=1.0).to_csv(path, index=False)
    roles = ("--label", "y", "--prediction", "p", "--sensitive", "sex")
    proc = run("fairness", path, *roles, "--bootstrap", "1", check=False)
    assert proc.returncode == 2 and "between 2 and" in proc.stderr, proc.stderr
    proc = run("fairness", path, *roles, "--seed", "3", check=False)
    assert proc.returncode == 2 and "--bootstrap" in proc.stderr, proc.stderr


def test_weighted_intervals_match_fairlearn_n_boot_with_sample_weight(table):
    """With sample weights each row draws a Poisson(1) weight per replicate; Fairlearn draws rows
    with replacement and weights them: the same row bootstrap of the weighted summaries, within
    Monte Carlo error."""
    w = np.random.default_rng(3).uniform(0.2, 3.0, len(table))
    data = table.assign(w=w)
    r = fairgauge.fairness(data, label="y", prediction="p", sensitive="sex", weight="w", bootstrap=4000, seed=2)
    assert_within_monte_carlo_error(r.to_dict()["summary"]["sex"], data, data.w.to_numpy())


def test_weighted_intervals_do_not_depend_on_row_order_or_chunking(table, run_json, tmp_path):
    data = table.assign(w=np.random.default_rng(4).uniform(0.5, 2.0, len(table)))
    roles = dict(label="y", prediction="p", sensitive="sex", weight="w", bootstrap=300, seed=5)
    a = fairgauge.fairness(data, **roles).to_dict()["summary"]
    b = fairgauge.fairness(data.sample(frac=1.0, random_state=1), **roles).to_dict()["summary"]
    # The draws follow each cell's weights sorted: the intervals to the last bit (the point
    # values are sums in row order, equal to rounding).
    assert a["sex"]["intervals"] == b["sex"]["intervals"]
    assert a["sex"]["demographic_parity_difference"] == pytest.approx(b["sex"]["demographic_parity_difference"])
    path = tmp_path / "w.csv"
    data.to_csv(path, index=False)
    cli = run_json("fairness", path, "--label", "y", "--prediction", "p", "--sensitive", "sex", "--weight", "w",
                   "--bootstrap", "300", "--seed", "5")  # fmt: skip
    assert cli["summary"] == a


def test_the_policy_puts_the_interval_on_the_findings(table, run, tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    policy = (root / "crates" / "fairgauge" / "src" / "evidence" / "default_policy.toml").read_text()
    policy = policy.replace("require_significance = true", "require_significance = true\nbootstrap = 200\nseed = 9", 1)
    (tmp_path / "policy.toml").write_text(policy)
    path = tmp_path / "t.csv"
    table.to_csv(path, index=False)
    args = ("--current", path, "--label", "y", "--prediction", "p", "--sensitive", "sex", "--format", "json")
    e = json.loads(run("assess", "--policy", tmp_path / "policy.toml", *args, check=False).stdout)
    f = next(x for x in e["findings"] if x["metric"] == "demographic_parity_difference")
    iv = e["results"]["fairness"]["summary"]["sex"]["intervals"]["demographic_parity_difference"]
    assert f["interval"] == [iv["low"], iv["high"]]
    assert "bootstrap interval" in f["message"] and "200 replicates" in f["message"]
    plain = json.loads(run("assess", *args, check=False).stdout)
    g = next(x for x in plain["findings"] if x["metric"] == "demographic_parity_difference")
    assert "interval" not in g
