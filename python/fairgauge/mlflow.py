"""Evidence into MLflow: ``log_evidence(evidence)`` logs an assessment to an MLflow run — each
measured finding as a metric, the verdict counts and the overall verdict, the policy and system
as parameters, and the evidence document with every export (register CSV, OSCAL, JUnit,
Markdown, in-toto, HTML report) as artifacts::

    import mlflow, fairgauge
    from fairgauge.mlflow import log_evidence

    evidence = fairgauge.assess(test_df, reference=train_df, policy="fairgauge.toml")
    with mlflow.start_run():
        mlflow.log_metric("auc", auc)
        log_evidence(evidence)

Needs MLflow (``pip install "fairgauge[mlflow]"``, which installs ``mlflow-skinny``).

Metric names: ``<finding kind>/<column>/<attribute>/<group>`` with the subject's parts that are
set (``fairness.selection_rate_ratio/sex/Female``, ``drift.psi/age``), characters MLflow refuses
replaced by ``_``; summary metrics ``fairgauge.findings.<status>``, ``fairgauge.risks.<rating>`` and
``fairgauge.passed`` (1 or 0). Parameters ``fairgauge.system``, ``fairgauge.policy_sha256``,
``fairgauge.schema_version``, ``fairgauge.version``; tag ``fairgauge.overall``.
"""

from __future__ import annotations

import re
import tempfile
from typing import Any

from ._reports import Evidence

__all__ = ["log_evidence", "metric_name"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_\-. :/]")
_MAX_NAME = 250  # MLflow's limit on a metric name


def _mlflow() -> Any:
    try:
        import mlflow
    except ImportError:
        raise ImportError(
            "fairgauge.mlflow needs MLflow: pip install 'fairgauge[mlflow]' (or mlflow / mlflow-skinny)"
        ) from None
    return mlflow


def metric_name(finding: dict[str, Any]) -> str:
    """The MLflow metric name of a finding: its kind and the parts of its subject that are set."""
    s = finding.get("subject") or {}
    parts = [finding["kind"]] + [
        str(s[k]) for k in ("column", "attribute", "group", "reference_group") if s.get(k) is not None
    ]
    return _UNSAFE.sub("_", "/".join(parts))[:_MAX_NAME]


def _metrics(data: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in data["findings"]:
        v = f.get("value")
        if isinstance(v, (int, float)) and v == v and abs(v) != float("inf"):
            out[metric_name(f)] = float(v)
    s = data["summary"]
    for status, n in s["findings"].items():
        out[f"fairgauge.findings.{status}"] = float(n)
    for rating, n in s["risks"].items():
        out[f"fairgauge.risks.{rating}"] = float(n)
    out["fairgauge.passed"] = 1.0 if s["passed"] else 0.0
    return out


def log_evidence(
    evidence: Evidence,
    *,
    run_id: str | None = None,
    artifact_path: str = "fairgauge",
    formats: list[str] | None = None,
) -> str:
    """Logs `evidence` to the MLflow run `run_id`, else the active run, else a new run (ended
    afterwards). Writes the exports `formats` (default: all) under `artifact_path`. Returns the
    run's id."""
    mlflow = _mlflow()
    data = evidence.to_dict()
    active = mlflow.active_run()
    own = run_id is not None or active is None
    run = mlflow.start_run(run_id=run_id) if own else active
    try:
        mlflow.log_metrics(_metrics(data))
        mlflow.log_params(
            {
                "fairgauge.system": data["system"]["id"],
                "fairgauge.policy_sha256": data["run"]["policy_sha256"],
                "fairgauge.schema_version": data["schema_version"],
                "fairgauge.version": data["run"]["tool_version"],
            }
        )
        mlflow.set_tags({"fairgauge.overall": data["summary"]["overall"], "fairgauge.run_id": data["run"]["id"]})
        with tempfile.TemporaryDirectory(prefix="fairgauge-mlflow") as d:
            evidence.write(d, formats)
            mlflow.log_artifacts(d, artifact_path)
        return str(run.info.run_id)
    finally:
        if own:
            mlflow.end_run()
