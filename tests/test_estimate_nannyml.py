"""Label-free estimates (`fairgauge.estimate`) against NannyML 0.13.1's CBPE, the independent
reference, for the whole population and chunk by chunk, and for a group against NannyML fitted
on that group's reference alone (what our per-group calibration does).

NannyML lives in an environment of its own (tests/requirements-nannyml.txt; scripts/test-all runs
this file there when FAIRGAUGE_NANNYML=1, which .ci/run sets). Skipped where NannyML is not
installed unless FAIRGAUGE_REQUIRE_NANNYML=1.

Where the method is the same the numbers agree to 1e-9: the expected confusion matrix, recall,
specificity, precision, accuracy, F1, every sampling error and the bounds at three sampling errors. ROC AUC differs by
NannyML's rounding of its cumulative expected counts to five decimals before the trapezoid
(``np.round(tps, 5)``): ours is the unrounded area, equal to 1e-12 to NannyML's formula without
the rounding, and within 1e-7 of NannyML's value.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")  # NannyML's usage telemetry off

if os.environ.get("FAIRGAUGE_REQUIRE_NANNYML") != "1":
    pytest.importorskip("nannyml")
import fairgauge
import nannyml as nml
from sklearn.metrics import auc

TOL = 1e-9
CHUNK = 1000
# NannyML's names for our metrics.
NAMES = {"recall": "tpr", "specificity": "tnr", "precision": "ppv", "accuracy": "accuracy", "f1": "f1"}


def _table(n: int, rng: np.random.Generator, shift: float, slope: float) -> pd.DataFrame:
    """Rows whose true probability is logistic in x; the model's score uses `slope` (1.5 is
    calibrated, more is overconfident). Group `b` sits lower on x."""
    g = rng.choice(["a", "b"], n, p=[0.65, 0.35])
    x = rng.normal(shift, 1.0, n) - 0.4 * (g == "b")
    y = rng.binomial(1, 1 / (1 + np.exp(-(1.5 * x - 0.3))))
    s = 1 / (1 + np.exp(-(slope * x - 0.3)))
    return pd.DataFrame({"score": s, "pred": (s >= 0.5).astype(int), "y": y, "g": g})


def _reference(rng: np.random.Generator, slope: float) -> pd.DataFrame:
    ref = _table(5000, rng, 0.0, slope)
    # The lowest score's row belongs to the majority label: NannyML drops a minority row at the
    # lowest rank from its AUC sampling error (see fairgauge_core::estimate::sampling).
    low = int(ref["score"].idxmin())
    ref.loc[low, "y"] = int(ref["y"].mean() > 0.5)
    return ref


def _nannyml(ref: pd.DataFrame, data: pd.DataFrame, calibrate: bool | None = None) -> tuple[pd.DataFrame, bool]:
    est = nml.CBPE(
        y_pred_proba="score",
        y_pred="pred",
        y_true="y",
        metrics=["roc_auc", "f1", "precision", "recall", "specificity", "accuracy", "confusion_matrix"],
        chunk_size=CHUNK,
        problem_type="classification_binary",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(ref[["score", "pred", "y"]])
        if calibrate is not None:
            if calibrate and not est.needs_calibration:
                est.calibrator.fit(ref["score"], ref["y"])
            est.needs_calibration = calibrate
        res = est.estimate(data[["score", "pred"]]).filter(period="analysis").to_df()
    return res, bool(est.needs_calibration)


def _ours(ref: pd.DataFrame, chunk: pd.DataFrame, calibration: str) -> dict:
    rep = fairgauge.estimate(
        chunk, reference=ref, score="score", prediction="pred", label="y", sensitive="g", calibration=calibration
    )
    return rep.to_dict()


def _unrounded_auc(c: np.ndarray, s: np.ndarray) -> float:
    """NannyML's estimate_roc_auc without its np.round(…, 5)."""
    o = np.argsort(s, kind="stable")[::-1]
    tps = np.concatenate([[0.0], np.cumsum(c[o])])
    fps = np.arange(len(c) + 1) - tps
    return float(auc(fps / fps[-1], tps / tps[-1]))


def _check_entry(entry: dict, row: pd.Series, n: int) -> None:
    est = entry["estimated"]
    for theirs, ours in NAMES.items():
        v = est[ours]
        assert v["value"] == pytest.approx(row[(theirs, "value")], abs=TOL), theirs
        assert v["sampling_error"] == pytest.approx(row[(theirs, "sampling_error")], abs=TOL), theirs
        upper = min(1.0, v["value"] + 3 * v["sampling_error"])
        lower = max(0.0, v["value"] - 3 * v["sampling_error"])
        assert upper == pytest.approx(row[(theirs, "upper_confidence_boundary")], abs=TOL), theirs
        assert lower == pytest.approx(row[(theirs, "lower_confidence_boundary")], abs=TOL), theirs
    m = entry["expected_confusion"]
    for theirs, ours in [("true_positive", "tp"), ("false_positive", "fp"), ("false_negative", "fn_"),
                         ("true_negative", "tn")]:  # fmt: skip
        assert m[ours] == pytest.approx(row[(theirs, "value")], rel=TOL), theirs
    assert entry["rows"] == n
    a = est["roc_auc"]
    assert a["value"] == pytest.approx(row[("roc_auc", "value")], abs=1e-7)
    assert a["sampling_error"] == pytest.approx(row[("roc_auc", "sampling_error")], abs=TOL)


@pytest.mark.parametrize(
    ("slope", "calibrate"),
    [(1.5, False), (1.5, None), (3.0, None)],
    ids=["raw-scores", "calibrated-scores-nannyml-decides", "overconfident"],
)
def test_whole_population_equals_cbpe_chunk_by_chunk(slope, calibrate):
    """`calibrate=False` turns NannyML's calibration off (ours: calibration="none"); `None` lets
    NannyML decide and gives ours the same choice."""
    rng = np.random.default_rng(20261207)
    ref = _reference(rng, slope)
    data = _table(3000, rng, 0.3, slope)
    theirs, needs = _nannyml(ref, data, calibrate)
    if slope == 3.0:
        assert needs, "NannyML calibrates overconfident scores"
    calibration = "isotonic" if needs else "none"
    assert len(theirs) == 3
    for k in range(3):
        chunk = data.iloc[k * CHUNK : (k + 1) * CHUNK]
        ours = _ours(ref, chunk, calibration)
        overall = ours["overall"]
        assert overall["calibration"]["applied"] == ("population" if needs else "none")
        _check_entry(overall, theirs.iloc[k], CHUNK)
        # Our AUC is NannyML's formula without the rounding, to 1e-12.
        if needs:
            from sklearn.isotonic import IsotonicRegression

            iso = IsotonicRegression(out_of_bounds="clip").fit(ref["score"], ref["y"])
            c = iso.predict(chunk["score"])
        else:
            c = chunk["score"].to_numpy()
        want = _unrounded_auc(c, chunk["score"].to_numpy())
        assert overall["estimated"]["roc_auc"]["value"] == pytest.approx(want, abs=1e-12)


def test_auto_calibration_calibrates_what_nannyml_calibrates():
    """Overconfident scores: both calibrate. Calibrated scores: ours keeps them (its out-of-fold
    isotonic fit calibrates no better); NannyML's rule (ten shuffle splits, equal-count bins,
    calibrate on any improvement) calibrates these too, which is harmless but not needed."""
    rng = np.random.default_rng(7)
    for slope, calibrate in [(1.5, False), (4.0, True)]:
        ref = _reference(rng, slope)
        data = _table(1000, rng, 0.0, slope)
        _, needs = _nannyml(ref, data)
        ours = _ours(ref, data, "auto")["overall"]["calibration"]
        if calibrate:
            assert needs
        assert (ours["applied"] == "population") == calibrate, ours
        if not calibrate:
            assert ours["ece_raw"] <= ours["ece_population"]


def test_a_group_calibrated_on_its_own_equals_cbpe_fitted_on_that_group():
    rng = np.random.default_rng(11)
    ref = _reference(rng, 1.5)
    data = _table(1000, rng, 0.3, 1.5)
    # Group b's scores are overconfident: its own calibrator is chosen.
    for t in (ref, data):
        b = t["g"] == "b"
        t.loc[b, "score"] = 1 / (1 + np.exp(-3.0 * np.log(t.loc[b, "score"] / (1 - t.loc[b, "score"]))))
        t["pred"] = (t["score"] >= 0.5).astype(int)
    ours = _ours(ref, data, "auto")
    [attr] = ours["attributes"]
    entry = next(g for g in attr["groups"] if g["group"] == "b")
    assert entry["calibration"]["applied"] == "group"
    rb, db = ref[ref["g"] == "b"].reset_index(drop=True), data[data["g"] == "b"].reset_index(drop=True)
    est = nml.CBPE(
        y_pred_proba="score",
        y_pred="pred",
        y_true="y",
        metrics=["roc_auc", "f1", "precision", "recall", "specificity", "accuracy", "confusion_matrix"],
        chunk_size=len(db),
        problem_type="classification_binary",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(rb[["score", "pred", "y"]])
        if not est.needs_calibration:
            est.calibrator.fit(rb["score"], rb["y"])
            est.needs_calibration = True
        theirs = est.estimate(db[["score", "pred"]]).filter(period="analysis").to_df()
    _check_entry(entry, theirs.iloc[0], len(db))


def test_monthly_windows_equal_cbpe_by_period():
    """`time=`/`every="month"` against NannyML's `chunk_period="M"` on the same timestamps."""
    rng = np.random.default_rng(3)
    ref = _reference(rng, 3.0)
    data = _table(3000, rng, 0.3, 3.0)
    data["t"] = pd.date_range("2026-01-01", periods=len(data), freq="5h")
    est = nml.CBPE(
        y_pred_proba="score",
        y_pred="pred",
        y_true="y",
        metrics=["roc_auc", "f1", "precision", "recall", "specificity", "accuracy", "confusion_matrix"],
        timestamp_column_name="t",
        chunk_period="M",
        problem_type="classification_binary",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = ref.copy()
        r["t"] = pd.date_range("2025-01-01", periods=len(r), freq="h")
        est.fit(r[["score", "pred", "y", "t"]])
        theirs = est.estimate(data[["score", "pred", "t"]]).filter(period="analysis").to_df()
    calibration = "isotonic" if est.needs_calibration else "none"
    ours = fairgauge.estimate(
        data, reference=ref, score="score", prediction="pred", label="y", calibration=calibration, time="t",
        every="month",
    ).to_dict()  # fmt: skip
    windows = ours["windows"]
    assert len(windows) == len(theirs) == 21
    for w, (_, row) in zip(windows, theirs.iterrows(), strict=True):
        assert w["start"] == str(row[("chunk", "start_date")].date())
        _check_entry(w["overall"], row, w["rows"])
