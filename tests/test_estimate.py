"""Label-free estimates (`fairgauge estimate`, `fairgauge.estimate`): the report's shape, the
same numbers whatever the input's form, per-group recalibration removing a group's bias, and bad
input. The numbers themselves are checked against NannyML's CBPE in test_estimate_nannyml.py
and by hand in the core's tests."""

from __future__ import annotations

import json
from pathlib import Path

import fairgauge
import numpy as np
import pandas as pd
import polars as pl
import pytest

ROLES = dict(score="score", prediction="pred", label="y", sensitive="g")


def _table(n: int, seed: int, shift: float = 0.0, overconfident_b: float = 1.0) -> pd.DataFrame:
    """True probability logistic in x; group b's scores are `overconfident_b` times as steep
    in log-odds (1 is calibrated)."""
    rng = np.random.default_rng(seed)
    g = rng.choice(["a", "b"], n, p=[0.6, 0.4])
    x = rng.normal(shift, 1.0, n) - 0.4 * (g == "b")
    logit = 1.5 * x - 0.3
    y = rng.binomial(1, 1 / (1 + np.exp(-logit)))
    k = np.where(g == "b", overconfident_b, 1.0)
    s = 1 / (1 + np.exp(-k * logit))
    return pd.DataFrame({"score": s, "pred": (s >= 0.5).astype(int), "y": y, "g": g})


def _realised(d: pd.DataFrame) -> dict[str, float]:
    tp = int(((d.y == 1) & (d.pred == 1)).sum())
    fp = int(((d.y == 0) & (d.pred == 1)).sum())
    fn = int(((d.y == 1) & (d.pred == 0)).sum())
    tn = int(((d.y == 0) & (d.pred == 0)).sum())
    return {"tpr": tp / (tp + fn), "fpr": fp / (fp + tn), "ppv": tp / (tp + fp), "accuracy": (tp + tn) / len(d)}


def test_report_shape_and_frames():
    ref, data = _table(4000, 1), _table(2000, 2, 0.3)
    rep = fairgauge.estimate(data.drop(columns="y"), reference=ref, **ROLES)
    d = rep.to_dict()
    assert d["estimated"] is True and "CBPE" in d["method"]
    assert d["rows"] == {"analysis": 2000, "analysis_excluded": 0, "reference": 4000, "reference_excluded": 0}
    assert d["roles"]["positive_label"] == "1"
    [attr] = d["attributes"]
    assert [g["group"] for g in attr["groups"]] == ["a", "b"]
    for g in [d["overall"], *attr["groups"]]:
        for m in ("tpr", "tnr", "fpr", "ppv", "npv", "accuracy", "f1", "roc_auc", "prevalence"):
            v = g["estimated"][m]
            assert 0 <= v["lower"] <= v["value"] <= v["upper"] <= 1, (g["group"], m, v)
            assert v["sampling_error"] > 0
        assert len(g["reliability"]) == 10
        assert sum(b["rows"] for b in g["reliability"]) == g["reference_rows"]
    assert d["overall"]["estimated"]["fpr"]["value"] == pytest.approx(1 - d["overall"]["estimated"]["tnr"]["value"])
    names = {s["summary"] for s in attr["summaries"]}
    assert names == {"equal_opportunity_difference", "equalized_odds_difference", "predictive_parity_difference"}
    frame = rep.by_group
    assert frame.height == 3 and {"tpr", "tpr_lower", "tpr_upper", "roc_auc_sampling_error"} <= set(frame.columns)
    assert rep.calibration.height == 3 and rep.reliability.height == 30 and rep.summaries.height == 3
    assert "ESTIMATED" in repr(rep) and "ESTIMATED" in rep._repr_html_()


def test_same_numbers_from_every_form_and_the_cli(tmp_path, run):
    ref, data = _table(3000, 3), _table(1500, 4)
    ref.to_csv(tmp_path / "ref.csv", index=False)
    data.drop(columns="y").to_parquet(tmp_path / "data.parquet")
    from_frames = fairgauge.estimate(data, reference=pl.from_pandas(ref), **ROLES).to_dict()
    from_paths = fairgauge.estimate(tmp_path / "data.parquet", reference=tmp_path / "ref.csv", **ROLES).to_dict()
    cli = json.loads(
        run("estimate", tmp_path / "data.parquet", "--reference", tmp_path / "ref.csv", "--score", "score",
            "--prediction", "pred", "--label", "y", "--sensitive", "g", "--format", "json").stdout
    )  # fmt: skip
    for other in (from_paths, cli):
        assert other["overall"] == from_frames["overall"]
        assert other["attributes"] == from_frames["attributes"]
    # Decisions from the score at the threshold equal the same decisions given as a column.
    derived = fairgauge.estimate(data, reference=ref, score="score", label="y", sensitive="g", threshold=0.5)
    assert derived.to_dict()["attributes"] == from_frames["attributes"]
    text = run("estimate", tmp_path / "data.parquet", "--reference", tmp_path / "ref.csv", "--score", "score",
               "--prediction", "pred", "--label", "y", "--sensitive", "g").stdout  # fmt: skip
    assert text.startswith("ESTIMATED (no labels): 1500 rows")
    assert "equal_opportunity_difference" in text


def test_per_group_recalibration_removes_a_groups_bias():
    """Group b's scores are overconfident. Taken as they are, its estimates miss the realised
    rates by many standard errors; recalibrated on its own reference rows they fall within
    their intervals."""
    ref, data = _table(40000, 5, overconfident_b=3.0), _table(20000, 6, 0.3, overconfident_b=3.0)
    raw = fairgauge.estimate(data, reference=ref, calibration="none", **ROLES).to_dict()
    auto = fairgauge.estimate(data, reference=ref, **ROLES).to_dict()
    b_raw = raw["attributes"][0]["groups"][1]
    b_auto = auto["attributes"][0]["groups"][1]
    assert b_auto["calibration"]["applied"] == "group"
    assert b_auto["calibration"]["ece_group"] < b_auto["calibration"]["ece_raw"] / 3
    truth = _realised(data[data.g == "b"])
    for m in ("tpr", "ppv", "accuracy"):
        r, a = b_raw["estimated"][m], b_auto["estimated"][m]
        assert abs(r["value"] - truth[m]) > 4 * r["std_error"], (m, r, truth[m])
        assert a["lower"] <= truth[m] <= a["upper"], (m, a, truth[m])
        assert abs(a["value"] - truth[m]) < abs(r["value"] - truth[m]) / 3


def test_groups_the_reference_never_saw_and_groups_without_rows():
    ref, data = _table(3000, 7), _table(1000, 8)
    data.loc[:99, "g"] = "c"  # not in the reference
    ref.loc[:49, "g"] = "d"  # not in the data
    d = fairgauge.estimate(data, reference=ref, **ROLES).to_dict()
    groups = {g["group"]: g for g in d["attributes"][0]["groups"]}
    c, dd = groups["c"], groups["d"]
    assert c["reference_rows"] == 0 and c["rows"] == 100 and c["status"] == "insufficient_data"
    assert c["calibration"]["applied"] == d["overall"]["calibration"]["applied"]
    assert c["calibration"]["ece_raw"] is None and c["estimated"]["tpr"]["sampling_error"] is None
    assert dd["rows"] == 0 and dd["estimated"]["tpr"] is None and dd["status"] == "insufficient_data"
    assert {s["highest"] for s in d["attributes"][0]["summaries"]} <= {"a", "b"}


def test_nulls_are_left_out_and_counted(tmp_path):
    ref, data = _table(2000, 9), _table(1000, 10)
    data.loc[:9, "score"] = None
    data.loc[10:14, "g"] = None
    ref.loc[:19, "y"] = None
    d = fairgauge.estimate(data, reference=ref, **ROLES).to_dict()
    assert d["rows"]["analysis_excluded"] == 10 and d["rows"]["reference_excluded"] == 20
    assert d["overall"]["rows"] == 990 and d["attributes"][0]["rows_without_group"] == 5


BAD = {
    "score-above-1": ("data", lambda t: t.assign(score=t.score * 2), "outside [0, 1]"),
    "nan-score": ("data", lambda t: t.assign(score=np.where(t.index == 3, np.nan, t.score)), "score NaN at data row 4"),
    "no-labels": ("ref", lambda t: t.assign(y=None), "the reference needs labels"),
    "three-labels": ("ref", lambda t: t.assign(y=t.index % 3), "more than two values"),
    "no-positive": ("ref", lambda t: t.assign(y=np.where(t.y == 1, "good", "bad")), "which label value is positive"),
    "decision-3": ("data", lambda t: t.assign(pred=t.index % 3), "a binary decision"),
    "empty-data": ("data", lambda t: t.iloc[:0], "no data rows"),
    "empty-reference": ("ref", lambda t: t.iloc[:0], "no data rows"),
    "missing-column": ("data", lambda t: t.drop(columns="g"), "`g`"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_a_clear_error(tmp_path, run, case):
    which, change, message = BAD[case]
    ref, data = _table(300, 11), _table(200, 12)
    if which == "ref":
        ref = change(ref)
    else:
        data = change(data)
    ref.to_parquet(tmp_path / "ref.parquet")
    # polars keeps a NaN a NaN (pandas would write it as a null, which is left out).
    pl.from_pandas(data, nan_to_null=False).write_parquet(tmp_path / "data.parquet")
    proc = run("estimate", tmp_path / "data.parquet", "--reference", tmp_path / "ref.parquet", "--score", "score",
               "--prediction", "pred", "--label", "y", "--sensitive", "g", check=False)  # fmt: skip
    assert proc.returncode == 2, proc.stdout
    assert message.lower() in proc.stderr.lower(), proc.stderr
    assert "panicked" not in proc.stderr


def test_options_are_checked(run, tmp_path):
    ref = _table(300, 13)
    ref.to_parquet(tmp_path / "ref.parquet")
    base = ["estimate", tmp_path / "ref.parquet", "--reference", tmp_path / "ref.parquet", "--score", "score",
            "--label", "y"]  # fmt: skip
    for extra, message in [
        (["--threshold", "1.5"], "threshold must be in [0, 1]"),
        (["--confidence", "1"], "confidence must be strictly between 0 and 1"),
        (["--calibration", "platt"], "invalid value 'platt'"),
        (["--prediction", "score"], "given for two roles"),
    ]:
        proc = run(*base, *extra, check=False)
        assert proc.returncode == 2 and message in proc.stderr, (extra, proc.stderr)
    with pytest.raises(ValueError, match="calibration must be one of"):
        fairgauge.estimate(ref, reference=ref, score="score", label="y", calibration="platt")


def test_hostile_group_names_are_escaped_in_text(tmp_path, run):
    ref, data = _table(600, 14), _table(300, 15)
    for t in (ref, data):
        t["g"] = np.where(t.g == "a", "\x1b[31mred\u202e", "b")
    ref.to_parquet(tmp_path / "ref.parquet")
    data.to_parquet(tmp_path / "data.parquet")
    out = run("estimate", tmp_path / "data.parquet", "--reference", tmp_path / "ref.parquet", "--score", "score",
              "--label", "y", "--sensitive", "g").stdout  # fmt: skip
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[31mred\\u{202e}" in out


def test_assess_estimates_without_labels_when_the_policy_allows(tmp_path, run):
    """assess on a current table without its label column: with `estimate_without_labels` the
    fairness findings are estimated (CBPE) and say so in the evidence (valid against the
    schema), the register, OSCAL and the HTML report; without it, the missing label is an
    error of the request."""
    import jsonschema

    ref, data = _table(4000, 16), _table(2000, 17, overconfident_b=2.0)
    ref.to_parquet(tmp_path / "ref.parquet")
    data.drop(columns="y").to_parquet(tmp_path / "cur.parquet")
    policy = tmp_path / "policy.toml"
    policy.write_text("[fairness]\nestimate_without_labels = true\n")
    args = ["assess", "--current", tmp_path / "cur.parquet", "--reference", tmp_path / "ref.parquet", "--label",
            "y", "--score", "score", "--prediction", "pred", "--sensitive", "g"]  # fmt: skip
    proc = run(*args, "--policy", policy, "-o", tmp_path / "ev.json", "--register", tmp_path / "reg.csv",
               "--oscal", tmp_path / "oscal.json", "--html", tmp_path / "report.html", check=False)  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    e = json.loads((tmp_path / "ev.json").read_text())
    schema = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "evidence.schema.json").read_text())
    jsonschema.validate(e, schema)
    assert e["schema_version"] == "1.6.0"
    assert e["results"]["fairness"]["estimated"] is True
    fair = [f for f in e["findings"] if f["kind"].startswith("fairness.")]
    assert {f["kind"] for f in fair} == {"fairness.equal_opportunity_difference", "fairness.equalized_odds_difference"}
    for f in fair:
        assert f["estimated"]["estimator"] == "cbpe" and f["estimated"]["attribute"] == "g"
        assert "Estimated without labels" in f["message"]
        lo, hi = f["interval"]
        assert lo <= f["value"] <= hi
    summaries = {s["summary"]: s for s in e["results"]["fairness"]["attributes"][0]["summaries"]}
    assert fair[0]["value"] == summaries[fair[0]["kind"].split(".")[1]]["value"]
    register = (tmp_path / "reg.csv").read_text()
    assert "cbpe" in register
    assert "estimated" in (tmp_path / "oscal.json").read_text()
    assert "Fairness (estimated without labels)" in (tmp_path / "report.html").read_text()
    # Quality ran without the label's checks rather than failing on the missing column.
    assert "quality" in e["results"]
    # Without the policy's permission the missing label column is an error of the request.
    proc = run(*args, "-o", tmp_path / "ev2.json", check=False)
    assert proc.returncode == 2 and "no column `y`" in proc.stderr


def test_windows_of_a_date_column_equal_those_of_its_text(run_json, tmp_path):
    """A Parquet Date column is read as days (not written out as text and parsed again): the
    windows equal those of the same dates as text, nulls and days before 1970 included; only
    the columns the estimate reads are loaded, so an extra column of another type is no
    matter."""
    ref, data = _table(3000, 20), _table(1200, 21)
    days = pl.date_range(pl.date(1969, 11, 1), pl.date(1970, 2, 28), eager=True)
    day = [None if i % 97 == 5 else days[i % len(days)] for i in range(len(data))]
    dated = pl.from_pandas(data).with_columns(day=pl.Series(day, dtype=pl.Date), extra=pl.lit([1, 2]))
    dated.write_parquet(tmp_path / "dated.parquet")
    dated.with_columns(pl.col("day").cast(pl.String)).drop("extra").write_parquet(tmp_path / "text.parquet")
    ref.to_parquet(tmp_path / "ref.parquet")
    reports = [
        run_json("estimate", tmp_path / f"{name}.parquet", "--reference", tmp_path / "ref.parquet", "--score", "score",
                 "--prediction", "pred", "--label", "y", "--sensitive", "g", "--time", "day", "--every", "month")
        for name in ("dated", "text")
    ]  # fmt: skip
    a, b = ({k: v for k, v in r.items() if k != "input"} for r in reports)
    assert a == b
    assert [w["start"] for w in a["windows"]] == ["1969-11-01", "1969-12-01", "1970-01-01", "1970-02-01"]
    assert sum(w["rows"] for w in a["windows"]) == sum(d is not None for d in day)


def test_windows_equal_estimates_of_each_windows_rows(run, tmp_path):
    ref, data = _table(3000, 18), _table(1500, 19)
    data["t"] = pd.date_range("2026-01-01", periods=len(data), freq="2h").strftime("%Y-%m-%dT%H:%M:%S")
    rep = fairgauge.estimate(data, reference=ref, time="t", every="week", **ROLES)
    d = rep.to_dict()
    assert d["roles"]["time"] == "t" and d["roles"]["every"] == "week"
    assert sum(w["rows"] for w in d["windows"]) == len(data) and len(d["windows"]) == 19
    for w in d["windows"][:3]:
        rows = data[(data["t"] >= w["start"]) & (data["t"] < w["end"])]
        alone = fairgauge.estimate(rows.drop(columns="t"), reference=ref, **ROLES).to_dict()
        assert w["overall"] == alone["overall"] and w["attributes"] == alone["attributes"]
    assert rep.windows.height == 19 * 3
    data.to_parquet(tmp_path / "data.parquet")
    ref.to_parquet(tmp_path / "ref.parquet")
    base = ["estimate", tmp_path / "data.parquet", "--reference", tmp_path / "ref.parquet", "--score", "score",
            "--prediction", "pred", "--label", "y", "--sensitive", "g"]  # fmt: skip
    assert "by window of week (t):" in run(*base, "--time", "t", "--every", "week").stdout
    proc = run(*base, "--time", "t", check=False)
    assert proc.returncode == 2 and "--every" in proc.stderr
    proc = run(*base, "--time", "t", "--every", "fortnight", check=False)
    assert proc.returncode == 2 and "expected day, week, month, quarter" in proc.stderr
    proc = run(*base, "--time", "score", "--every", "week", check=False)
    assert proc.returncode == 2 and "no value of the time column" in proc.stderr
