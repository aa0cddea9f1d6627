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
    with pytest.raises(fairgauge.OptionError, match="bootstrap"):
        fairgauge.fairness(table, label="y", prediction="pred", sensitive_probabilities={"race": P}, bootstrap=50)
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
    assert e["schema_version"] == "1.5.0"
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
