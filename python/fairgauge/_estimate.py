"""``fairgauge.estimate``: a model's performance per group on data without labels, from its scores
calibrated on a labelled reference (confidence-based performance estimation, as NannyML's CBPE,
per group)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from . import _fairgauge
from ._input import table_source
from ._native import call
from ._reports import EstimateReport

CALIBRATIONS = ("auto", "isotonic", "none")


def estimate(
    data: Any,
    *,
    reference: Any,
    score: str,
    label: str,
    prediction: str | None = None,
    threshold: float = 0.5,
    sensitive: str | Sequence[str] = (),
    positive_label: str | None = None,
    calibration: str = "auto",
    confidence: float = 0.95,
    min_group_size: int = 30,
    time: str | None = None,
    every: str | int | None = None,
) -> EstimateReport:
    """Estimate TPR, TNR, FPR, PPV, NPV, accuracy, F1 and ROC AUC per group of `sensitive` on
    `data`, which needs no labels, from the model's `score` (its probability of the positive
    label) and decisions (`prediction`, or `score >= threshold`), as ``fairgauge estimate``.

    The scores are calibrated on the labelled `reference` (its `label` column), per group:
    ``calibration="auto"`` keeps whichever of the raw scores, the population's isotonic
    calibrator and the group's own has the smallest out-of-fold calibration error;
    ``"isotonic"`` always calibrates; ``"none"`` trusts the scores. Every value is an estimate,
    with an interval for the value the labels will show."""
    args, data_cols, ref_cols = _estimate_args(
        score, label, prediction, threshold, sensitive, positive_label, calibration, confidence, min_group_size,
        time, every,
    )  # fmt: skip
    with table_source(data, data_cols) as (dpath, dread), table_source(reference, ref_cols) as (rpath, rread):
        out = call(_fairgauge.estimate, dpath, json.dumps(dread), rpath, json.dumps(rread), json.dumps(args))
    return EstimateReport(json.loads(out))


def _estimate_args(
    score: str,
    label: str,
    prediction: str | None,
    threshold: float,
    sensitive: str | Sequence[str],
    positive_label: str | None,
    calibration: str,
    confidence: float,
    min_group_size: int,
    time: str | None,
    every: str | int | None,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """The estimate's options as the core reads them, and the columns read from the data and
    from the reference."""
    if calibration not in CALIBRATIONS:
        raise ValueError(f"calibration must be one of {', '.join(CALIBRATIONS)}, given {calibration!r}")
    groups = [sensitive] if isinstance(sensitive, str) else list(sensitive)
    args = {
        "score": score,
        "prediction": prediction,
        "threshold": float(threshold),
        "label": label,
        "sensitive": groups,
        "positive_label": None if positive_label is None else str(positive_label),
        "calibration": calibration,
        "confidence": float(confidence),
        "min_group_size": int(min_group_size),
        "time": time,
        "every": None if every is None else str(every),
    }
    role_cols = [score, *([prediction] if prediction else []), *groups]
    data_cols = [*role_cols, *([time] if time else [])]
    ref_cols = [*role_cols, label]
    return args, data_cols, ref_cols
