"""The integrations people expect, each exercised for real: ``fairgauge.testing`` assertions,
``fairgauge.mlflow.log_evidence`` against a real MLflow tracking store (SQLite), the GitHub
Action's script with GitHub's environment files, and the pre-commit hook (its manifest checked by
pre-commit's own schema, its command run on good and bad files)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import fairgauge
import polars as pl
import pytest
import yaml
from fairgauge.testing import FairgaugeAssertionError, assert_fair, assert_no_drift
from frames import two_groups

ROOT = Path(__file__).resolve().parent.parent


def _groups(b_tpr: float) -> pl.DataFrame:
    return two_groups(b_tpr)


# fairgauge.testing


def test_assert_fair_passes_fair_data_and_names_the_failing_findings(tmp_path):
    report = assert_fair(_groups(1.0), label="y", prediction="p", sensitive="g")
    assert report.summary["g"]["equalized_odds_difference"] == 0
    with pytest.raises(FairgaugeAssertionError) as e:
        assert_fair(_groups(0.5), label="y", prediction="p", sensitive="g")
    assert isinstance(e.value, AssertionError)
    msg = str(e.value)
    assert "assert_fair" in msg and "built-in policy" in msg and "g = b" in msg and "true positive rate" in msg
    assert {f["status"] for f in e.value.findings} == {"fail"}
    # The same findings as the CLI's --fail-on.
    data = tmp_path / "d.csv"
    _groups(0.5).write_csv(data)
    cli = subprocess.run(
        [sys.executable, "-m", "fairgauge", "fairness", str(data), "--label", "y", "--prediction", "p",
         "--sensitive", "g", "--fail-on", "fail"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert cli.returncode == 1
    assert all(f["id"] in cli.stderr for f in e.value.findings)
    # A looser policy, and warnings as failures.
    loose = tmp_path / "loose.toml"
    loose.write_text(
        "version = 1\n[fairness.thresholds]\nequal_opportunity_difference = { warn = 0.3, fail = 0.6 }\n"
        "equalized_odds_difference = { warn = 0.3, fail = 0.6 }\n"
        "demographic_parity_difference = { warn = 0.2, fail = 0.6 }\n"
        "selection_rate_ratio = { warn = 0.6, fail = 0.4 }\n"
    )
    assert_fair(_groups(0.5), label="y", prediction="p", sensitive="g", policy=loose)
    with pytest.raises(FairgaugeAssertionError, match="warn"):
        assert_fair(_groups(0.5), label="y", prediction="p", sensitive="g", policy=loose, fail_on="warn")
    with pytest.raises(ValueError, match="fail_on"):
        assert_fair(_groups(1.0), label="y", sensitive="g", fail_on="never")


def test_assert_no_drift_on_a_dataset_or_column():
    ref = _groups(1.0)
    assert_no_drift(ref, ref)
    moved = ref.with_columns(pl.col("x") + 600)
    # One column of four moved: not a dataset drift at the default share, but a column drift.
    assert_no_drift(ref, moved, fail_on="dataset")
    with pytest.raises(FairgaugeAssertionError, match="`x`"):
        assert_no_drift(ref, moved, fail_on="column")
    with pytest.raises(FairgaugeAssertionError, match="drifted"):
        assert_no_drift(ref, moved, columns=["x"])


# MLflow


def test_log_evidence_to_a_real_mlflow_store(tmp_path, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    from fairgauge.mlflow import log_evidence, metric_name

    monkeypatch.chdir(tmp_path)
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    evidence = fairgauge.assess(_groups(0.5), label="y", prediction="p", sensitive="g")
    with mlflow.start_run() as active:
        mlflow.log_metric("auc", 0.9)
        run_id = log_evidence(evidence)
    assert run_id == active.info.run_id
    client = mlflow.tracking.MlflowClient()
    run = client.get_run(run_id)
    metrics = run.data.metrics
    assert metrics["auc"] == 0.9
    measured = [f for f in evidence.to_dict()["findings"] if f.get("value") is not None]
    assert measured
    for f in measured:
        assert metrics[metric_name(f)] == pytest.approx(f["value"], abs=0, rel=1e-15)
    assert metrics["fairgauge.passed"] == 0.0
    assert metrics["fairgauge.findings.fail"] == evidence.summary["findings"]["fail"]
    assert run.data.params["fairgauge.schema_version"] == evidence["schema_version"]
    assert run.data.tags["fairgauge.overall"] == "fail"
    names = {Path(a.path).name for a in client.list_artifacts(run_id, "fairgauge")}
    assert {"evidence.json", "register.csv", "oscal.json", "junit.xml", "summary.md", "report.html"} <= names
    local = client.download_artifacts(run_id, "fairgauge/evidence.json", str(tmp_path / "dl"))
    assert json.loads(Path(local).read_text())["findings"] == evidence.to_dict()["findings"]
    # Without an active run, a run of its own, ended afterwards.
    own = log_evidence(evidence, formats=["json"])
    assert own != run_id and mlflow.active_run() is None
    assert [Path(a.path).name for a in client.list_artifacts(own, "fairgauge")] == ["evidence.json"]


# GitHub Action


def test_the_github_action_script_with_githubs_environment_files(tmp_path, fairgauge_bin):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "assess")
    assert "scripts/github-action" in step["run"]
    assert set(step["env"]) >= {"FG_CURRENT", "FG_REFERENCE", "FG_POLICY", "FG_OUTPUT_DIR"}
    data = tmp_path / "d.csv"
    _groups(0.5).write_csv(data)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {
        **os.environ,
        "FAIRGAUGE": str(fairgauge_bin),
        "FG_CURRENT": str(data),
        "FG_ARGS": "--label y --prediction p --sensitive g",
        "FG_OUTPUT_DIR": str(tmp_path / "evidence"),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
    }
    proc = subprocess.run([ROOT / "scripts" / "github-action"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["passed"] == "false"
    evidence = json.loads(Path(outputs["evidence"]).read_text())
    assert evidence["summary"]["overall"] == "fail"
    assert Path(outputs["report"]).stat().st_size > 0 and Path(outputs["junit"]).exists()
    assert summary.read_text() == (tmp_path / "evidence" / "summary.md").read_text()
    # Data that cannot be assessed: exit 2, nothing claimed.
    bad = {**env, "FG_CURRENT": str(tmp_path / "missing.csv"), "GITHUB_OUTPUT": str(tmp_path / "o2.txt")}
    proc = subprocess.run([ROOT / "scripts" / "github-action"], env=bad, capture_output=True, text=True)
    assert proc.returncode == 2
    assert not (tmp_path / "o2.txt").exists()


# pre-commit


def test_the_pre_commit_hook(tmp_path):
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "fairgauge-validate"
    good = tmp_path / "policy.toml"
    good.write_text(fairgauge._fairgauge.default_policy())
    rules = tmp_path / "rules.toml"
    rules.write_text('version = 1\n[columns.g]\nallowed = ["a", "b"]\n')
    bad = tmp_path / "bad.policy.toml"
    bad.write_text('version = 1\n[drift]\npsi_fail = "high"\n')
    bad_rules = tmp_path / "bad_rules.toml"
    bad_rules.write_text("version = 1\n[columns.g]\nminimum = 3\n")
    import re

    for f in (good, rules, bad, bad_rules):
        assert re.search(hook["files"], f.name), f.name
    cmd = [sys.executable, "-m", "fairgauge", *hook["entry"].split()[1:]]
    ok = subprocess.run([*cmd, str(good), str(rules)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "policy.toml: ok (policy)" in ok.stdout and "rules.toml: ok (rules)" in ok.stdout
    ko = subprocess.run([*cmd, str(good), str(bad), str(bad_rules)], capture_output=True, text=True)
    assert ko.returncode == 1
    assert "bad.policy.toml" in ko.stderr and "psi_fail" in ko.stderr
    assert "bad_rules.toml" in ko.stderr and "minimum" in ko.stderr
