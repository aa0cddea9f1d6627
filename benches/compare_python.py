"""Time the Python package against Fairlearn and against the CLI, on the same synthetic rows, in one
run; check the numbers agree and print the ratios.

    python benches/compare_python.py --rows 10000000 [--fairgauge target/release/fairgauge]

- `fairgauge.fairness(df, …)` on a pandas DataFrame (sex and race, label and prediction) against
  Fairlearn's MetricFrame (selection rate, TPR, FPR by sex and race) on the same DataFrame;
- `fairgauge.metrics.equalized_odds_difference` against Fairlearn's, on the same arrays;
- `fairgauge.metrics.MetricFrame` against Fairlearn's with scikit-learn's metrics (the fast paths:
  MAE, MSE, R² of `income` against `x1`; accuracy, macro F1 and micro precision of the label
  against the prediction), by sex and race, on the same arrays;
- the Python layer's overhead: `fairgauge.fairness` on the pandas DataFrame, on a polars DataFrame
  (both handed over through the Arrow C stream interface) and on the Parquet path, against
  `fairgauge fairness` (the CLI) on the Parquet file of the same rows, end to end.
Each timing is the best of `--repeat` runs (Fairlearn: one run).
"""

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import fairgauge
import numpy as np
import pandas as pd
from fairgauge import metrics as fgm
from fairlearn import metrics as flm

ROOT = Path(__file__).resolve().parent.parent


def best(fn, repeat):
    t_best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best, out


def metric_frames(df, repeat):
    """fairgauge.metrics.MetricFrame against Fairlearn's with scikit-learn's regression and
    averaged classification metrics (the fast paths), by sex and race: the same numbers, and the
    time of each (ours the best of `repeat`, Fairlearn's one run)."""
    import functools

    from sklearn.metrics import (
        accuracy_score,
        f1_score,
        mean_absolute_error,
        mean_squared_error,
        precision_score,
        r2_score,
    )

    sf = df[["sex", "race"]]
    runs = {
        "regression (MAE, MSE, R²; income vs x1)": (
            {"mae": mean_absolute_error, "mse": mean_squared_error, "r2": r2_score},
            df["income"].to_numpy(),
            df["x1"].to_numpy(),
        ),
        "classification (accuracy, macro F1, micro precision)": (
            {
                "accuracy": accuracy_score,
                "macro_f1": functools.partial(f1_score, average="macro"),
                "micro_precision": functools.partial(precision_score, average="micro"),
            },
            df["label"].to_numpy(),
            df["prediction"].to_numpy(),
        ),
    }
    out = {}
    for what, (metrics, y, p) in runs.items():

        def frame(metrics=metrics, y=y, p=p):
            return fgm.MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=sf)

        t_ours, ours = best(frame, repeat)
        t0 = time.perf_counter()
        theirs = flm.MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=sf)
        _ = theirs.by_group
        t_theirs = time.perf_counter() - t0
        np.testing.assert_allclose(ours.by_group.to_numpy(float), theirs.by_group.to_numpy(float), rtol=1e-10)
        out[what] = (t_ours, t_theirs)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fairgauge", default=os.environ.get("FAIRGAUGE_BIN", str(ROOT / "target/release/fairgauge")))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        pq = Path(d) / "s.parquet"
        subprocess.run([a.fairgauge, "synth", "--rows", str(a.rows), "--output", str(pq)], check=True)
        df = pd.read_parquet(pq, columns=["sex", "race", "label", "prediction", "income", "x1"])
        cols = ["--label", "label", "--prediction", "prediction", "--sensitive", "sex,race", "--format", "json"]
        t_cli, _ = best(
            lambda: subprocess.run([a.fairgauge, "fairness", str(pq), *cols], check=True, capture_output=True),
            a.repeat,
        )
        t_py, rep = best(
            lambda: fairgauge.fairness(df, label="label", prediction="prediction", sensitive=["sex", "race"]),
            a.repeat,
        )
        t_path, rep_path = best(
            lambda: fairgauge.fairness(str(pq), label="label", prediction="prediction", sensitive=["sex", "race"]),
            a.repeat,
        )
        import polars as pl

        pdf = pl.read_parquet(pq, columns=["sex", "race", "label", "prediction"])
        t_pl, rep_pl = best(
            lambda: fairgauge.fairness(pdf, label="label", prediction="prediction", sensitive=["sex", "race"]),
            a.repeat,
        )
        assert rep_pl.to_dict()["groups"] == rep.to_dict()["groups"] == rep_path.to_dict()["groups"]
        y, p = df["label"].to_numpy(), df["prediction"].to_numpy()
        t_eod, eod = best(lambda: fgm.equalized_odds_difference(y, p, sensitive_features=df["sex"]), a.repeat)
        t0 = time.perf_counter()
        fl_eod = flm.equalized_odds_difference(y, p, sensitive_features=df["sex"])
        t_fl_eod = time.perf_counter() - t0
        assert abs(eod - fl_eod) < 1e-12, (eod, fl_eod)
        frames = metric_frames(df, a.repeat)
        t0 = time.perf_counter()
        mf = flm.MetricFrame(
            metrics={
                "selection_rate": flm.selection_rate,
                "tpr": flm.true_positive_rate,
                "fpr": flm.false_positive_rate,
            },
            y_true=y,
            y_pred=p,
            sensitive_features=df[["sex", "race"]],
        )
        _ = mf.by_group
        mf_sex = flm.MetricFrame(metrics=flm.selection_rate, y_true=y, y_pred=p, sensitive_features=df["sex"])
        t_fl = time.perf_counter() - t0
        ours = {g["group"]: g["selection_rate"] for g in rep["groups"] if g["attribute"] == "sex"}
        for g, v in mf_sex.by_group.items():
            assert abs(ours[g] - v) < 1e-12, (g, ours[g], v)
        print(f"rows: {a.rows:,}")
        print(f"fairgauge fairness CLI (Parquet)      {t_cli:9.3f} s")
        for what, t in (("pandas in", t_py), ("polars in", t_pl), ("Parquet path", t_path)):
            print(f"fairgauge.fairness ({what:12})     {t:9.3f} s   over the CLI {100 * (t / t_cli - 1):+.1f}%")
        print(f"Fairlearn MetricFrame (3 metrics, sex x race, and sex)  {t_fl:9.3f} s   ratio {t_fl / t_py:,.0f}x")
        print(f"fairgauge.metrics.equalized_odds_difference  {t_eod:9.4f} s")
        print(f"fairlearn equalized_odds_difference          {t_fl_eod:9.4f} s   ratio {t_fl_eod / t_eod:,.0f}x")
        print(f"equalized odds difference: {eod:.15f} (identical to Fairlearn's within 1e-12)")
        for what, (t_ours, t_theirs) in frames.items():
            ratio = t_theirs / t_ours
            print(f"MetricFrame, {what:44} fairgauge {t_ours:8.3f} s  Fairlearn {t_theirs:8.3f} s  ratio {ratio:,.0f}x")
        np.testing.assert_allclose(eod, fl_eod, rtol=0, atol=1e-12)


if __name__ == "__main__":
    main()
