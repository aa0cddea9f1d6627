"""Sensitive attributes known as probabilities (`--sensitive-probabilities`,
`sensitive_probabilities=`): the weighted estimator against Fairlearn's MetricFrame on the table
stacked once per group with the probability as sample weight (exact: 1e-12), its effective sizes
and Wilson intervals against numpy and statsmodels, the threshold estimator against MetricFrame on
the assigned rows, and bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import fairgauge
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate
from sklearn.metrics import precision_score, recall_score
from statsmodels.stats.proportion import proportion_confint

GROUPS = ["white", "black", "api", "hispanic"]
P = [f"p_{g}" for g in GROUPS]
TOL = 1e-12


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """4,000 rows: Dirichlet probabilities over four groups, a true group drawn from them, a
    label and decisions whose rate depends on the true group; a sex column, sample weights, and
    40 rows without probabilities."""
    rng = np.random.default_rng(19)
    n = 4000
    probs = rng.dirichlet([4.0, 1.5, 0.8, 1.2], size=n)
    true = np.array([rng.choice(4, p=p) for p in probs])
    y = rng.random(n) < np.array([0.5, 0.4, 0.55, 0.45])[true]
    pred = np.where(y, rng.random(n) < np.array([0.8, 0.6, 0.8, 0.7])[true], rng.random(n) < 0.2)
    df = pd.DataFrame(probs, columns=P)
    df.loc[:39, P] = np.nan
    df["y"] = y.astype(int)
    df["pred"] = pred.astype(int)
    df["sex"] = rng.choice(["F", "M"], size=n)
    df["w"] = rng.uniform(0.5, 2.0, size=n)
    return df


def stacked(df: pd.DataFrame, weight: str | None = None) -> pd.DataFrame:
    """The table once per group, each copy weighted by that group's probability (times the
    sample weight): what "each row counts towards every group with its probability" means."""
    known = df.dropna(subset=P)
    parts = []
    for g, c in zip(GROUPS, P, strict=True):
        part = known.assign(group=g, sw=known[c] * (known[weight] if weight else 1.0))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def by_group(report) -> dict[tuple[str, str], dict]:
    return {(g["attribute"], g["group"]): g for g in report.to_dict()["groups"]}


@pytest.mark.parametrize("weight", [None, "w"])
def test_weighted_rates_equal_fairlearn_on_the_stacked_table(table, weight):
    r = fairgauge.fairness(
        table, label="y", prediction="pred", sensitive_probabilities={"race": P}, weight=weight, min_group_size=1
    )
    s = stacked(table, weight)
    mf = MetricFrame(
        metrics={
            "tpr": recall_score,
            "fpr": false_positive_rate,
            "selection_rate": selection_rate,
            "ppv": precision_score,
        },
        y_true=s["y"],
        y_pred=s["pred"],
        sensitive_features=s["group"],
        sample_params={k: {"sample_weight": s["sw"]} for k in ("tpr", "fpr", "selection_rate", "ppv")},
    )
    groups = by_group(r)
    for g in GROUPS:
        ours = groups[("race", g)]
        for m in ("tpr", "fpr", "selection_rate", "ppv"):
            assert ours[m] == pytest.approx(mf.by_group.loc[g, m], abs=TOL), (g, m)
        # Expected share: the group's weight over all rows' weight.
        sub = s[s["group"] == g]
        assert ours["share"] == pytest.approx(sub["sw"].sum() / s["sw"].sum(), abs=TOL)
        assert ours["count"] == int((sub["sw"] > 0).sum())
    summary = r.summary["race"]
    assert summary["demographic_parity_difference"] == pytest.approx(mf.difference()["selection_rate"], abs=TOL)
    assert summary["equalized_odds_difference"] == pytest.approx(
        max(mf.difference()["tpr"], mf.difference()["fpr"]), abs=TOL
    )
    m = r.membership[0]
    assert (m["rows_with_probabilities"], m["rows_without_probabilities"]) == (3960, 40)
    assert r.to_dict()["rows"]["excluded_no_membership"] == 40


def test_effective_sizes_and_wilson_intervals(table):
    r = fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities={"race": P})
    s = stacked(table)
    for g in GROUPS:
        ours = by_group(r)[("race", g)]
        sub = s[s["group"] == g]
        n_eff = sub["sw"].sum() ** 2 / (sub["sw"] ** 2).sum()
        assert ours["weighted"]["effective_n"] == pytest.approx(n_eff, rel=1e-12)
        # TPR: the effective size of the denominator's rows (the positives).
        pos = sub[sub["y"] == 1]
        tpr = (pos["sw"] * pos["pred"]).sum() / pos["sw"].sum()
        m = pos["sw"].sum() ** 2 / (pos["sw"] ** 2).sum()
        lo, hi = proportion_confint(tpr * m, m, alpha=0.05, method="wilson")
        assert ours["ci"]["tpr"] == pytest.approx([lo, hi], abs=1e-12)


def test_groups_named_explicitly_and_intersections(table):
    named = {"race": {g: c for g, c in zip(GROUPS, P, strict=True)}}
    a = fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities=named)
    b = fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities={"race": P})
    assert a.to_dict()["groups"] == b.to_dict()["groups"]
    r = fairgauge.fairness(
        table, label="y", prediction="pred", sensitive="sex", sensitive_probabilities={"race": P}, intersect=True
    )
    groups = by_group(r)
    # sex alone is an ordinary attribute (each row once); race&sex splits each row by race.
    assert groups[("sex", "F")]["count"] == (table["sex"] == "F").sum()
    assert "weighted" not in groups[("sex", "F")]
    s = stacked(table)
    sub = s[(s["group"] == "black") & (s["sex"] == "M")]
    sel = (sub["sw"] * sub["pred"]).sum() / sub["sw"].sum()
    assert groups[("race&sex", "black&M")]["selection_rate"] == pytest.approx(sel, abs=TOL)
    assert r.to_dict()["rows"]["used"] == len(table)


@pytest.mark.parametrize("tau", [0.5, 0.8])
def test_threshold_estimator_equals_fairlearn_on_assigned_rows(table, tau):
    r = fairgauge.fairness(
        table,
        label="y",
        prediction="pred",
        sensitive_probabilities={"race": P},
        assign_threshold=tau,
        min_group_size=1,
    )
    known = table.dropna(subset=P)
    top = known[P].to_numpy()
    assigned = known[top.max(axis=1) >= tau].copy()
    assigned["group"] = np.array(GROUPS)[assigned[P].to_numpy().argmax(axis=1)]
    mf = MetricFrame(
        metrics={"tpr": recall_score, "selection_rate": selection_rate},
        y_true=assigned["y"],
        y_pred=assigned["pred"],
        sensitive_features=assigned["group"],
    )
    groups = by_group(r)
    for g in mf.by_group.index:
        ours = groups[("race_assigned", g)]
        assert ours["count"] == (assigned["group"] == g).sum()
        assert ours["tpr"] == pytest.approx(mf.by_group.loc[g, "tpr"], abs=TOL)
    m = r.membership[0]
    assert m["rows_assigned"] == len(assigned)
    assert m["rows_unassigned"] == len(known) - len(assigned)
    assert m["assign_threshold"] == tau
    assert "Chen, Kallus, Mao, Svacha & Udell 2019" in m["caveat"]


def test_cli_reads_bisg_output_and_says_how(run, tmp_path, table):
    src = tmp_path / "t.parquet"
    table.to_parquet(src, index=False)
    spec = "race=" + ",".join(P)
    out = json.loads(
        run(
            "fairness",
            src,
            "--label",
            "y",
            "--prediction",
            "pred",
            "--sensitive-probabilities",
            spec,
            "--format",
            "json",
        ).stdout
    )
    py = fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities={"race": P})
    assert [g["tpr"] for g in out["groups"]] == [g["tpr"] for g in py.to_dict()["groups"]]
    assert out["membership"][0]["columns"] == dict(zip(GROUPS, P, strict=True))
    text = run("fairness", src, "--label", "y", "--prediction", "pred", "--sensitive-probabilities", spec).stdout
    assert "`race` is known as probabilities" in text
    assert "race_assigned" in text and "Fairness under unawareness" in text


def test_fairgauge_bisg_then_fairness(tmp_path):
    people = pd.DataFrame(
        {
            "surname": ["Garcia", "Smith", "Nguyen", "Washington", "Lopez", "Kim"] * 50,
            "zip": ["60615", "63144", "94110", "10027", "00601", "94110"] * 50,
            "y": [1, 0, 1, 1, 0, 1] * 50,
            "pred": [1, 0, 0, 1, 1, 1] * 50,
        }
    )
    with_p = fairgauge.bisg(people, surname="surname", zip="zip")
    cols = [f"p_{r}" for r in ("white", "black", "api", "native", "multiple", "hispanic")]
    r = fairgauge.fairness(with_p, label="y", prediction="pred", sensitive_probabilities={"race": cols})
    names = {g["group"] for g in r.to_dict()["groups"] if g["attribute"] == "race"}
    assert names == {"white", "black", "api", "native", "multiple", "hispanic"}


def numpy_row_bootstrap(df: pd.DataFrame, replicates: int, weight: str | None = None) -> dict[str, np.ndarray]:
    """The row bootstrap written directly: each replicate draws the rows with probabilities
    with replacement, and every drawn row counts towards each group with its probability (times
    its sample weight). Returns each summary's replicates, and its value on the data itself at
    index -1."""
    known = df.dropna(subset=P)
    w = known[P].to_numpy() * (known[[weight]].to_numpy() if weight else 1.0)
    y, pred = known["y"].to_numpy(), known["pred"].to_numpy()
    n = len(known)
    rng = np.random.default_rng(23)
    counts = [np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(replicates)]
    out: dict[str, list[float]] = {}
    for c in [*counts, np.ones(n)]:
        ww = w * c[:, None]
        sel = (ww * pred[:, None]).sum(0) / ww.sum(0)
        tpr = (ww * (pred * y)[:, None]).sum(0) / (ww * y[:, None]).sum(0)
        fpr = (ww * (pred * (1 - y))[:, None]).sum(0) / (ww * (1 - y)[:, None]).sum(0)
        for name, v in (
            ("demographic_parity_difference", sel.max() - sel.min()),
            ("demographic_parity_ratio", sel.min() / sel.max()),
            ("equal_opportunity_difference", tpr.max() - tpr.min()),
            ("equalized_odds_difference", max(tpr.max() - tpr.min(), fpr.max() - fpr.min())),
        ):
            out.setdefault(name, []).append(v)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("weight", [None, "w"])
def test_bootstrap_intervals_equal_a_direct_row_bootstrap_within_monte_carlo_error(table, weight):
    """Each row is resampled as a whole (one Poisson(1) weight per replicate for all its groups):
    the same row bootstrap as drawing rows with replacement, so the percentile intervals agree
    with numpy's (2,000 replicates) within Monte Carlo error. The interval's standard deviation s
    comes from ours (4,000 replicates); a 2.5 % quantile of 2,000 replicates has a Monte Carlo
    error of about 0.06 s, of 4,000 about 0.04 s: ends agree within 0.4 s."""
    r = fairgauge.fairness(
        table, label="y", prediction="pred", sensitive_probabilities={"race": P}, weight=weight,
        bootstrap=4000, seed=8,
    ).to_dict()  # fmt: skip
    assert r["bootstrap"] == {"replicates": 4000, "seed": 8}
    ref = numpy_row_bootstrap(table, 2000, weight)
    summary = r["summary"]["race"]
    for name, reps in ref.items():
        mine = summary["intervals"][name]
        assert mine["defined"] == 4000
        lo, hi = np.quantile(reps[:-1], [0.025, 0.975])
        sigma = (mine["high"] - mine["low"]) / 3.92
        assert abs(mine["low"] - lo) < 0.4 * sigma and abs(mine["high"] - hi) < 0.4 * sigma, (name, mine, lo, hi)
        assert summary[name] == pytest.approx(reps[-1], abs=TOL)
    # The threshold estimator's groups are bootstrapped as ordinary groups: the same bytes as
    # an ordinary run on the assigned rows, their group in a column of the same name.
    r = fairgauge.fairness(
        table, label="y", prediction="pred", sensitive_probabilities={"race": P}, weight=weight,
        assign_threshold=0.5, min_group_size=5, bootstrap=300, seed=8,
    ).to_dict()  # fmt: skip
    known = table.dropna(subset=P)
    assigned = known[known[P].to_numpy().max(axis=1) >= 0.5].copy()
    assigned["race_assigned"] = np.array(GROUPS)[assigned[P].to_numpy().argmax(axis=1)]
    plain = fairgauge.fairness(
        assigned, label="y", prediction="pred", sensitive="race_assigned", weight=weight, min_group_size=5,
        bootstrap=300, seed=8,
    ).to_dict()  # fmt: skip
    intervals = r["summary"]["race_assigned"]["intervals"]
    assert "demographic_parity_difference" in intervals
    assert intervals == plain["summary"]["race_assigned"]["intervals"]


def test_bootstrap_with_probabilities_does_not_depend_on_row_order_and_equals_the_cli(table, run_json, tmp_path):
    roles = dict(label="y", prediction="pred", sensitive="sex", sensitive_probabilities={"race": P}, weight="w")
    opts = dict(intersect=True, bootstrap=200, seed=4, assign_threshold=0.5, min_group_size=5)
    a = fairgauge.fairness(table, **roles, **opts).to_dict()["summary"]
    b = fairgauge.fairness(table.sample(frac=1.0, random_state=2), **roles, **opts).to_dict()["summary"]
    for attribute in ("race", "race&sex", "race_assigned", "sex"):
        assert a[attribute]["intervals"] == b[attribute]["intervals"], attribute
    path = tmp_path / "p.csv"
    table.to_csv(path, index=False)
    cli = run_json("fairness", path, "--label", "y", "--prediction", "pred", "--sensitive", "sex",
                   "--sensitive-probabilities", "race=" + ",".join(P), "--weight", "w", "--intersect",
                   "--bootstrap", "200", "--seed", "4", "--assign-threshold", "0.5",
                   "--min-group-size", "5")  # fmt: skip
    assert cli["summary"] == a
    other = fairgauge.fairness(table, **roles, **{**opts, "seed": 5}).to_dict()["summary"]
    assert other["race"]["intervals"] != a["race"]["intervals"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.assign(p_white=d["p_white"] + 0.1), "sum to"),
        (lambda d: d.assign(p_black=np.where(d.index == 50, -0.01, d["p_black"])), "-0.01 at data row 51"),
        (lambda d: d.assign(p_api=np.where(d.index == 100, np.nan, d["p_api"])), "null at data row 101"),
        (lambda d: d.assign(p_api=d["p_api"].astype(str).where(d.index != 7, "high")), "value `high` at data row 8"),
    ],
)
def test_bad_probabilities_are_clear_errors(table, edit, message):
    bad = edit(table.copy())
    with pytest.raises(fairgauge.DataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        fairgauge.fairness(bad, label="y", prediction="pred", sensitive_probabilities={"race": P})


def test_bad_options_are_clear_errors(table):
    with pytest.raises(TypeError, match="sensitive="):
        fairgauge.fairness(table, label="y", prediction="pred")
    with pytest.raises(fairgauge.OptionError, match="binary task only"):
        fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities={"race": P}, task="multiclass")
    with pytest.raises(fairgauge.OptionError, match="at least two probability columns"):
        fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities={"race": ["p_white"]})
    with pytest.raises(fairgauge.OptionError, match=r"\(0, 1\]"):
        fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities={"race": P}, assign_threshold=0)


# --------------------------------------------------------------------------------------------
# assess: findings on attributes known as probabilities are marked estimated everywhere
# --------------------------------------------------------------------------------------------
SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "evidence.schema.json").read_text())


def test_assess_marks_estimated_findings_in_every_export(table, tmp_path):
    import csv

    import jsonschema

    ev = fairgauge.assess(
        table,
        label="y",
        prediction="pred",
        sensitive="sex",
        sensitive_probabilities={"race": P},
        assign_threshold=0.5,
    )
    paths = ev.write(tmp_path, formats=["json", "register", "oscal", "html"])
    e = json.loads(Path(paths["json"]).read_text())
    jsonschema.validate(e, SCHEMA)
    assert e["schema_version"] == "1.6.0"
    fairness = [f for f in e["findings"] if f["kind"].startswith("fairness.")]
    by_attr = {}
    for f in fairness:
        by_attr.setdefault(f["subject"].get("attribute"), set()).add((f.get("estimated") or {}).get("estimator"))
    assert by_attr["sex"] == {None}
    assert by_attr["race"] == {"weighted"}
    assert by_attr["race_assigned"] == {"threshold"}
    weighted = next(f for f in fairness if (f.get("estimated") or {}).get("estimator") == "weighted")
    assert weighted["estimated"]["attribute"] == "race"
    assert "Fairness under unawareness" in weighted["estimated"]["caveat"]
    assert "Estimated (weighted estimator)" in weighted["message"]
    assert e["results"]["fairness"]["membership"][0]["attribute"] == "race"
    # The register names the estimators behind each risk; OSCAL carries them as properties.
    with open(paths["register"], newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    risk_of = {f["risk_id"]: f for f in e["findings"] if f.get("risk_id")}
    for row in rows:
        f = risk_of.get(row["ref_id"])
        want = (f.get("estimated") or {}).get("estimator", "") if f else ""
        assert row["estimated"] == want or (want and want in row["estimated"])
    oscal = json.loads(Path(paths["oscal"]).read_text())
    props = [
        p
        for o in oscal["assessment-results"]["results"][0]["observations"]
        for p in o.get("props", [])
        if p["name"] in ("estimated", "estimated-attribute")
    ]
    assert {p["value"] for p in props} >= {"weighted", "threshold", "race"}
    # The HTML report draws estimated rates hollow, observed ones filled.
    html = Path(paths["html"]).read_text()
    race = html[html.index("<h3>By race</h3>") : html.index("<h3>By race_assigned</h3>")]
    sex = html[html.index("<h3>By sex</h3>") : html.index("<h3>By race</h3>")]
    assert 'class="c-bar"' in race and 'fill="none"' in race and "(estimated)" in race
    assert 'fill="none"' not in sex.split("<table")[0]
    assert "Estimated rates are drawn hollow" in html


def test_assess_reads_sensitive_probabilities_from_the_policy(run, table, tmp_path):
    src = tmp_path / "t.parquet"
    table.to_parquet(src, index=False)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[data]\nlabel = "y"\nprediction = "pred"\nsensitive = []\n'
        f'sensitive_probabilities = ["race={",".join(P)}"]\nassign_threshold = 0.5\n'
    )
    out = tmp_path / "e.json"
    proc = run("assess", "--policy", policy, "--current", src, "--output", out, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    e = json.loads(out.read_text())
    assert e["roles"]["sensitive_probabilities"] == [f"race={','.join(P)}"]
    est = [f for f in e["findings"] if f.get("estimated")]
    assert est and all(f["subject"]["attribute"] in ("race", "race_assigned") for f in est)
    bad = tmp_path / "bad.toml"
    bad.write_text('[data]\nlabel = "y"\nsensitive_probabilities = ["race"]\n')
    proc = run("assess", "--policy", bad, "--current", src, "--output", tmp_path / "x.json", check=False)
    assert "sensitive_probabilities" in (proc.stderr + proc.stdout)


def test_monitor_tests_changes_of_probabilistic_groups_with_kish_sizes(run, tmp_path):
    """`monitor --sensitive-probabilities`: each row counts towards every group with its
    probability, so a group's rate is a weighted rate and its change test uses Kish's effective
    size of the probabilities, as a numpy computation gives; a shift planted in group b's true
    members alerts from its week on, and nothing alerts before."""
    rng = np.random.default_rng(1)
    n = 60_000
    day = rng.integers(0, 84, n)
    probs = rng.dirichlet([2.0, 1.0, 1.0], n)
    true = (rng.random(n)[:, None] > probs.cumsum(axis=1)).sum(axis=1)
    y = (rng.random(n) < 0.3).astype(int)
    p = np.where(y == 1, 0.7, 0.2)
    p = np.where((true == 1) & (day >= 56), p * 0.6, p)
    start = dt.date(2024, 1, 1)
    df = pd.DataFrame(
        {
            "date": [start + dt.timedelta(days=int(d)) for d in day],
            "y": y,
            "pred": (rng.random(n) < p).astype(int),
            "p_a": probs[:, 0],
            "p_b": probs[:, 1],
            "p_c": probs[:, 2],
        }
    )
    src = tmp_path / "t.parquet"
    df.to_parquet(src, index=False)
    proc = run(
        "monitor", src, "--time", "date", "--every", "week", "--label", "y", "--prediction", "pred",
        "--positive-label", "1", "--sensitive-probabilities", "race=a:p_a,b:p_b,c:p_c", "--format", "json",
        check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    out = json.loads(proc.stdout)
    week = (day // 7) * 7
    base = week < 28

    def rate(mask, group):
        w, d = df[f"p_{group}"].to_numpy()[mask], df["pred"].to_numpy()[mask]
        return (w * d).sum() / w.sum(), w.sum() ** 2 / (w**2).sum()

    checked = 0
    for i, w in enumerate(out["windows"][4:], start=4):
        for c in w["changes"]:
            if c["metric"] != "selection_rate" or c["status"] == "insufficient_data" or "_assigned" in c["subject"]:
                continue
            g = c["subject"].split("=")[1]
            x, k = rate(week == 7 * i, g)
            x0, k0 = rate(base, g)
            assert c["value"] == pytest.approx(x, rel=1e-12)
            assert c["z"] == pytest.approx((x - x0) / np.sqrt(x0 * (1 - x0) * (1 / k + 1 / k0)), rel=1e-9)
            checked += 1
    assert checked == 3 * 8
    changes = [a for a in out["alerts"] if a["rule"] != "policy" and a["subject"].startswith("race=")]
    assert min(a["window"] for a in changes) == "2024-02-26"
    assert any(a["subject"] == "race=b" and a["window"] == "2024-02-26" for a in changes)


def test_blank_csv_lines_are_not_rows(run, tmp_path):
    # polars reads a blank CSV line as a row of nulls: not a row read, nor one without probabilities.
    src = tmp_path / "m.csv"
    src.write_text("y,pred,p_a,p_b\n1,1,0.75,0.25\n1,0,0.5,0.5\n0,1,0.25,0.75\n0,0,1.0,0.0\n\n")
    args = ["--label", "y", "--prediction", "pred", "--sensitive-probabilities", "race=p_a,p_b"]
    out = json.loads(run("fairness", src, *args, "--min-group-size", "1", "--format", "json").stdout)
    assert (out["rows"]["seen"], out["rows"]["used"], out["rows"]["excluded_null_label"]) == (4, 4, 0)
    assert out["membership"][0]["rows_without_probabilities"] == 0


# --------------------------------------------------------------------------------------------
# bounds without the independence assumption (bounds_by=, --bounds-by)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def strata_table() -> pd.DataFrame:
    """600 rows in 8 ZIP codes; each row's true group is drawn from its ZIP's composition, and the
    outcome depends on the true group (so the weighted estimator is biased). The probabilities are
    each ZIP's realised composition: the true coupling is then one the bounds allow."""
    rng = np.random.default_rng(7)
    n, zips = 600, 8
    comp = rng.dirichlet([2.0, 1.0, 1.0], size=zips)
    z = rng.integers(0, zips, n)
    true = np.array([rng.choice(3, p=comp[k]) for k in z])
    df = pd.DataFrame({"zip": [f"{k:05d}" for k in z]})
    realised = pd.crosstab(z, true, normalize="index").reindex(columns=range(3), fill_value=0.0)
    for j, g in enumerate(["white", "black", "hispanic"]):
        df[f"p_{g}"] = realised[j].to_numpy()[z]
    df["y"] = (rng.random(n) < np.array([0.6, 0.3, 0.4])[true]).astype(int)
    df["pred"] = (rng.random(n) < np.array([0.7, 0.35, 0.5])[true]).astype(int)
    df["w"] = rng.uniform(0.5, 2.0, n)
    df["true"] = np.array(["white", "black", "hispanic"])[true]
    return df


BOUND_GROUPS = ["white", "black", "hispanic"]
BOUND_P = [f"p_{g}" for g in BOUND_GROUPS]


def lp_bound(df: pd.DataFrame, outcome: str, coef: dict[str, float], weight: str | None, sense: int) -> float:
    """min (sense 1) or max (sense -1) of Σ_g coef_g Σ_s x_sg over every coupling: x_sg in [0, P_sg],
    Σ_g x_sg = Q_s, with P_sg the stratum's weighted probabilities rescaled to its weight and Q_s
    its weighted positives; solved by scipy's HiGHS, independent of fairgauge's greedy solution."""
    from scipy.optimize import linprog

    w = df[weight] if weight else pd.Series(1.0, index=df.index)
    strata = list(dict.fromkeys(df["zip"]))
    k = len(BOUND_GROUPS)
    c, bounds, a_eq, b_eq = [], [], [], []
    for i, s in enumerate(strata):
        rows = df["zip"] == s
        ws = w[rows].sum()
        masses = np.array([(df.loc[rows, p] * w[rows]).sum() for p in BOUND_P])
        masses *= ws / masses.sum()
        for j, g in enumerate(BOUND_GROUPS):
            c.append(sense * coef.get(g, 0.0))
            bounds.append((0.0, masses[j]))
        row = np.zeros(len(strata) * k)
        row[i * k : (i + 1) * k] = 1.0
        a_eq.append(row)
        b_eq.append((w[rows] * df.loc[rows, outcome]).sum())
    tight = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
    res = linprog(c, A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs", options=tight)
    assert res.status == 0
    return sense * res.fun


def group_weights(df: pd.DataFrame, weight: str | None) -> dict[str, float]:
    w = df[weight] if weight else pd.Series(1.0, index=df.index)
    out = {g: 0.0 for g in BOUND_GROUPS}
    for s in dict.fromkeys(df["zip"]):
        rows = df["zip"] == s
        masses = np.array([(df.loc[rows, p] * w[rows]).sum() for p in BOUND_P])
        masses *= w[rows].sum() / masses.sum()
        for g, m in zip(BOUND_GROUPS, masses, strict=True):
            out[g] += m
    return out


@pytest.mark.parametrize("weight", [None, "w"])
def test_bounds_equal_scipy_linear_programs(strata_table, weight):
    df = strata_table
    r = fairgauge.fairness(
        df, label="y", prediction="pred", sensitive_probabilities={"race": BOUND_P}, bounds_by="zip",
        weight=weight,
    )  # fmt: skip
    b = r.membership[0]["bounds"]
    assert b["by"] == ["zip"] and b["strata"] == 8 and b["rows"] == len(df)
    assert b["outcomes"] == ["base_rate", "selection_rate", "tpr", "fpr"] and b["reference"] == "white"
    n = group_weights(df, weight)
    col = {"base_rate": "y", "selection_rate": "pred"}
    tol = 1e-9
    for g in b["groups"]:
        name = g["group"]
        assert g["weight"] == pytest.approx(n[name], abs=1e-9)
        for outcome, y in col.items():
            rate = {name: 1 / n[name]}
            assert g["rates"][outcome]["lower"] == pytest.approx(lp_bound(df, y, rate, weight, 1), abs=tol)
            assert g["rates"][outcome]["upper"] == pytest.approx(lp_bound(df, y, rate, weight, -1), abs=tol)
            if name == "white":
                assert g["differences"][outcome] is None
                continue
            diff = {name: 1 / n[name], "white": -1 / n["white"]}
            assert g["differences"][outcome]["lower"] == pytest.approx(lp_bound(df, y, diff, weight, 1), abs=tol)
            assert g["differences"][outcome]["upper"] == pytest.approx(lp_bound(df, y, diff, weight, -1), abs=tol)
    # The range's upper bound: the largest difference over ordered pairs.
    for outcome, name in (("selection_rate", "demographic_parity_difference"), ("base_rate", "base_rate_difference")):
        pairs = [
            lp_bound(df, col[outcome], {a: 1 / n[a], c: -1 / n[c]}, weight, -1)
            for a in BOUND_GROUPS
            for c in BOUND_GROUPS
            if a != c
        ]
        assert b["summaries"][name]["upper"] == pytest.approx(max(pairs), abs=tol)
        assert 0.0 <= b["summaries"][name]["lower"] <= b["summaries"][name]["upper"]


CELLS = {"tp": (1, 1), "fn": (1, 0), "fp": (0, 1), "tn": (0, 0)}


def lp_error_rate(df: pd.DataFrame, group: str, rate: str, weight: str | None, sense: int) -> float:
    """min (sense 1) or max (sense -1) of a group's TPR (or FPR) over every coupling of its mass
    with the (label, decision) cells, as a linear-fractional program made linear by Charnes and
    Cooper's change of variables: y = t·x with the denominator Σ y = 1, the group's mass in
    stratum s split over the cells (y_sc ≤ t·m_sc, Σ_c y_sc = t·P_s); scipy's HiGHS solves it,
    independent of fairgauge's greedy allocation."""
    from scipy.optimize import linprog

    num, rest = ("tp", "fn") if rate == "tpr" else ("fp", "tn")
    w = df[weight] if weight else pd.Series(1.0, index=df.index)
    strata = list(dict.fromkeys(df["zip"]))
    cells = list(CELLS)
    nv = len(strata) * 4 + 1  # the y's, then t
    c, a_ub, b_ub, a_eq, b_eq = np.zeros(nv), [], [], [], []
    denominator = np.zeros(nv)
    for i, s in enumerate(strata):
        rows = df["zip"] == s
        masses = np.array([(df.loc[rows, p] * w[rows]).sum() for p in BOUND_P])
        p_s = masses[BOUND_GROUPS.index(group)] * w[rows].sum() / masses.sum()
        total = np.zeros(nv)
        for j, cell in enumerate(cells):
            y, d = CELLS[cell]
            m = w[rows & (df["y"] == y) & (df["pred"] == d)].sum()
            row = np.zeros(nv)
            row[i * 4 + j], row[-1] = 1.0, -m
            a_ub.append(row)
            b_ub.append(0.0)
            total[i * 4 + j] = 1.0
            if cell == num:
                c[i * 4 + j] = sense
            if cell in (num, rest):
                denominator[i * 4 + j] = 1.0
        total[-1] = -p_s
        a_eq.append(total)
        b_eq.append(0.0)
    a_eq.append(denominator)
    b_eq.append(1.0)
    tight = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
    res = linprog(c, A_ub=np.array(a_ub), b_ub=b_ub, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None),
                  method="highs", options=tight)  # fmt: skip
    assert res.status == 0
    return sense * res.fun


@pytest.mark.parametrize("weight", [None, "w"])
def test_error_rate_bounds_equal_scipy_linear_fractional_programs(strata_table, weight):
    df = strata_table
    r = fairgauge.fairness(
        df, label="y", prediction="pred", sensitive_probabilities={"race": BOUND_P}, bounds_by="zip",
        weight=weight,
    )  # fmt: skip
    b = r.membership[0]["bounds"]
    tol = 1e-9
    found = {}
    for g in b["groups"]:
        for rate in ("tpr", "fpr"):
            lo, hi = lp_error_rate(df, g["group"], rate, weight, 1), lp_error_rate(df, g["group"], rate, weight, -1)
            assert g["rates"][rate]["lower"] == pytest.approx(lo, abs=tol), (g["group"], rate)
            assert g["rates"][rate]["upper"] == pytest.approx(hi, abs=tol), (g["group"], rate)
            assert hi - lo > 0.05  # not trivially narrow
            found[g["group"], rate] = (lo, hi)
    # Differences and ranges take each group's extremes apart.
    black = next(g for g in b["groups"] if g["group"] == "black")
    assert black["differences"]["tpr"]["lower"] == pytest.approx(
        found["black", "tpr"][0] - found["white", "tpr"][1], abs=tol
    )
    eo = b["summaries"]["equal_opportunity_difference"]
    apart = [found[a, "tpr"][1] - found[c, "tpr"][0] for a in BOUND_GROUPS for c in BOUND_GROUPS if a != c]
    assert eo["upper"] == pytest.approx(max(apart), abs=tol)
    odds = b["summaries"]["equalized_odds_difference"]
    fpr = b["summaries"]["false_positive_rate_difference"]
    assert odds["upper"] == pytest.approx(max(eo["upper"], fpr["upper"]), abs=tol)
    assert odds["lower"] == pytest.approx(max(eo["lower"], fpr["lower"]), abs=tol)


def test_bounds_hold_the_truth_and_the_weighted_estimate(strata_table):
    df = strata_table
    r = fairgauge.fairness(df, label="y", prediction="pred", sensitive_probabilities={"race": BOUND_P}, bounds_by="zip")
    b = {(row["group"], row["outcome"]): row for row in r.bounds.iter_rows(named=True)}
    weighted = {g["group"]: g for g in r.to_dict()["groups"] if g["attribute"] == "race"}
    true = {g: df.loc[df["true"] == g] for g in BOUND_GROUPS}
    for g in BOUND_GROUPS:
        for outcome, y in (("base_rate", "y"), ("selection_rate", "pred")):
            row = b[(g, outcome)]
            truth = true[g][y].mean()
            assert row["lower"] - 1e-12 <= truth <= row["upper"] + 1e-12
            assert row["lower"] - 1e-12 <= weighted[g][outcome] <= row["upper"] + 1e-12
            if g != "white":
                d = truth - true["white"][y].mean()
                assert row["difference_lower"] - 1e-12 <= d <= row["difference_upper"] + 1e-12
    # The true error rates too (the true coupling is one the bounds allow).
    for g in BOUND_GROUPS:
        t = true[g]
        for outcome, truth in (("tpr", t.loc[t["y"] == 1, "pred"].mean()), ("fpr", t.loc[t["y"] == 0, "pred"].mean())):
            row = b[(g, outcome)]
            assert row["lower"] - 1e-12 <= truth <= row["upper"] + 1e-12, (g, outcome)
            assert row["lower"] - 1e-12 <= weighted[g][outcome] <= row["upper"] + 1e-12, (g, outcome)
    # The outcome depends on the true group beyond the ZIP: the weighted estimate understates the
    # true selection-rate gap, which the bounds still hold.
    gap = true["white"]["pred"].mean() - true["black"]["pred"].mean()
    assert weighted["white"]["selection_rate"] - weighted["black"]["selection_rate"] < gap


def test_bounds_from_the_cli_equal_python_and_bad_strata_are_errors(run, tmp_path, strata_table):
    src = tmp_path / "z.csv"
    strata_table.to_csv(src, index=False)
    spec = "race=" + ",".join(BOUND_P)
    roles = ["--label", "y", "--prediction", "pred", "--sensitive-probabilities", spec]
    out = json.loads(run("fairness", src, *roles, "--bounds-by", "zip", "--format", "json").stdout)
    probs = {"race": BOUND_P}
    py = fairgauge.fairness(src, label="y", prediction="pred", sensitive_probabilities=probs, bounds_by="zip")
    assert out["membership"][0]["bounds"] == py.membership[0]["bounds"]
    text = run("fairness", src, *roles, "--bounds-by", "zip").stdout
    assert "bounds over 8 strata of `zip`" in text
    bad = run("fairness", src, *roles, "--bounds-by", "y", check=False)
    assert bad.returncode == 2 and "both a stratum of the bounds" in bad.stderr
    missing = run("fairness", src, *roles, "--bounds-by", "zip_code", check=False)
    assert missing.returncode == 2 and "zip_code" in missing.stderr
    alone = run("fairness", src, "--label", "y", "--sensitive", "zip", "--bounds-by", "zip", check=False)
    assert alone.returncode == 2 and "--sensitive-probabilities" in alone.stderr
    with pytest.raises(fairgauge.OptionError, match="give sensitive_probabilities too"):
        fairgauge.fairness(strata_table, label="y", sensitive="zip", bounds_by="zip")
    # Without bounds_by, no bounds and an empty frame.
    plain = fairgauge.fairness(strata_table, label="y", prediction="pred", sensitive_probabilities={"race": BOUND_P})
    assert "bounds" not in plain.membership[0] and plain.bounds.is_empty()


def test_assess_findings_carry_the_bounds(run, strata_table, tmp_path):
    import jsonschema

    probs = {"race": BOUND_P}
    roles = {"label": "y", "prediction": "pred", "sensitive_probabilities": probs}
    fair = fairgauge.fairness(strata_table, **roles, bounds_by="zip")
    want = fair.membership[0]["bounds"]["summaries"]["demographic_parity_difference"]
    ev = fairgauge.assess(
        strata_table.drop(columns=["true", "w"]), label="y", prediction="pred", sensitive=[],
        sensitive_probabilities=probs, bounds_by="zip",
    )  # fmt: skip
    paths = ev.write(tmp_path, formats=["json", "html"])
    e = json.loads(Path(paths["json"]).read_text())
    jsonschema.validate(e, SCHEMA)
    dp_kind = "fairness.demographic_parity_difference"
    dp = next(f for f in e["findings"] if f["kind"] == dp_kind and f["subject"]["attribute"] == "race")
    assert dp["estimated"]["bounds"] == [want["lower"], want["upper"]]
    assert "the data allow" in dp["message"]
    # Only the weighted attribute's summaries are bounded: its parity and error-rate gaps, each
    # with the summary's bounds.
    summaries = fair.membership[0]["bounds"]["summaries"]
    bounded = [f for f in e["findings"] if "bounds" in (f.get("estimated") or {})]
    assert dp in bounded
    assert {f["kind"] for f in bounded} >= {
        "fairness.equal_opportunity_difference",
        "fairness.equalized_odds_difference",
    }
    for f in bounded:
        assert f["subject"]["attribute"] == "race" and f["estimated"]["estimator"] == "weighted"
        x = summaries[f["metric"]]
        assert f["estimated"]["bounds"] == [x["lower"], x["upper"]]
    assert "bounds over 8 strata of `zip`" in Path(paths["html"]).read_text()
    # The same from the CLI with the policy's [data] bounds_by.
    src = tmp_path / "z.parquet"
    strata_table.drop(columns=["true", "w"]).to_parquet(src, index=False)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[data]\nlabel = "y"\nprediction = "pred"\nsensitive = []\n'
        f'sensitive_probabilities = ["race={",".join(BOUND_P)}"]\nbounds_by = ["zip"]\n'
    )
    out = tmp_path / "cli.json"
    proc = run("assess", "--policy", policy, "--current", src, "--output", out, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    cli = json.loads(out.read_text())
    assert cli["roles"]["bounds_by"] == ["zip"]
    got = next(f for f in cli["findings"] if f["kind"] == dp_kind and f["subject"]["attribute"] == "race")
    assert got["estimated"]["bounds"] == dp["estimated"]["bounds"]
