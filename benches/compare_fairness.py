"""Time `fairgauge fairness` against Fairlearn's MetricFrame on the same synthetic rows, in one run,
check that the numbers agree, and print the ratio.

    python benches/compare_fairness.py --rows 1000000 [--fairgauge target/release/fairgauge]

Fairlearn is timed on an in-memory pandas DataFrame (reading the CSV is not counted against it);
fairgauge is timed end to end from the file (CSV and Parquet), as a user runs it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from fairlearn import metrics as flm

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, repeat=1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--fairgauge", default=os.environ.get("FAIRGAUGE_BIN", str(ROOT / "target/release/fairgauge")))
    ap.add_argument("--skip-fairlearn", action="store_true", help="only time fairgauge")
    ap.add_argument("--boot", type=int, default=200, help="bootstrap replicates for fairgauge")
    ap.add_argument(
        "--fairlearn-boot", type=int, default=5, help="bootstrap replicates for Fairlearn (each resamples every row)"
    )
    a = ap.parse_args()
    fg = a.fairgauge
    with tempfile.TemporaryDirectory() as d:
        csv, pq = Path(d) / "s.csv", Path(d) / "s.parquet"
        for p in (csv, pq):
            subprocess.run([fg, "synth", "--rows", str(a.rows), "--output", str(p)], check=True, capture_output=True)
        args = [
            "fairness",
            "--label",
            "label",
            "--prediction",
            "prediction",
            "--sensitive",
            "sex,race",
            "--intersect",
            "--format",
            "json",
            "--min-group-size",
            "0",
        ]

        def run_fg(path, extra=()):
            r = subprocess.run([fg, args[0], str(path), *args[1:], *extra], check=True, capture_output=True, text=True)
            return json.loads(r.stdout)

        t_pq, rep = timed(lambda: run_fg(pq), repeat=3)
        t_csv, _ = timed(lambda: run_fg(csv), repeat=3)
        print(f"rows: {a.rows:,}")
        print(f"fairgauge fairness (Parquet, full report, sex, race, sex&race): {t_pq:8.3f} s")
        print(f"fairgauge fairness (CSV):                                      {t_csv:8.3f} s")
        t_w, _ = timed(lambda: run_fg(pq, ["--weight", "score"]), repeat=3)
        t_b, boot = timed(lambda: run_fg(pq, ["--bootstrap", str(a.boot)]), repeat=3)
        print(f"fairgauge fairness, sample weights (Parquet):  {t_w:8.3f} s  ({t_w / t_pq:.2f}x the run without)")
        print(f"fairgauge fairness, --bootstrap {a.boot} (Parquet): {t_b:8.3f} s  ({t_b / t_pq:.2f}x the run without)")
        if a.skip_fairlearn:
            return
        df = pd.read_csv(csv)
        metrics = {
            "selection_rate": flm.selection_rate,
            "tpr": flm.true_positive_rate,
            "fpr": flm.false_positive_rate,
            "tnr": flm.true_negative_rate,
            "fnr": flm.false_negative_rate,
            "count": flm.count,
        }

        def run_fl():
            out = {}
            for attrs in (["sex"], ["race"], ["sex", "race"]):
                sf = df[attrs] if len(attrs) > 1 else df[attrs[0]]
                out["&".join(attrs)] = flm.MetricFrame(
                    metrics=metrics, y_true=df["label"], y_pred=df["prediction"], sensitive_features=sf
                ).by_group
            return out

        t_fl, fl = timed(run_fl)
        print(f"fairlearn MetricFrame (6 metrics, same 3 groupings, in memory): {t_fl:8.3f} s")
        # The numbers must agree.
        worst = 0.0
        for g in rep["groups"]:
            row = fl[g["attribute"]]
            key = tuple(g["group"].split("&")) if "&" in g["attribute"] else g["group"]
            for m in ["selection_rate", "tpr", "fpr", "tnr", "fnr"]:
                worst = max(worst, abs(g[m] - row.loc[key, m]))
        print(f"largest difference between fairgauge and fairlearn: {worst:.2e}")
        if worst > 1e-9:
            sys.exit("numbers disagree")
        print(f"ratio fairlearn / fairgauge (Parquet): {t_fl / t_pq:,.0f}x; (CSV): {t_fl / t_csv:,.0f}x")

        # Sample weights: Fairlearn's selection rate with sample_weight, the same three groupings.
        def run_fl_weighted():
            for attrs in (["sex"], ["race"], ["sex", "race"]):
                sf = df[attrs] if len(attrs) > 1 else df[attrs[0]]
                _ = flm.MetricFrame(
                    metrics={"selection_rate": flm.selection_rate},
                    y_true=df["label"],
                    y_pred=df["prediction"],
                    sensitive_features=sf,
                    sample_params={"selection_rate": {"sample_weight": df["score"]}},
                ).by_group

        t_flw, _ = timed(run_fl_weighted)
        print(
            f"fairlearn MetricFrame, weighted selection rate, 3 groupings: {t_flw:8.3f} s "
            f"({t_flw / t_w:,.0f}x fairgauge weighted)"
        )

        # The bootstrap: Fairlearn resamples every row per replicate; measured with few replicates.
        def run_fl_boot():
            flm.MetricFrame(
                metrics=flm.selection_rate,
                y_true=df["label"],
                y_pred=df["prediction"],
                sensitive_features=df["sex"],
                n_boot=a.fairlearn_boot,
                ci_quantiles=[0.025, 0.975],
                random_state=0,
            ).difference_ci()

        t_flb, _ = timed(run_fl_boot)
        per = t_flb / a.fairlearn_boot
        print(
            f"fairlearn MetricFrame(n_boot={a.fairlearn_boot}), selection rate by sex: {t_flb:8.3f} s measured, "
            f"{per:.3f} s a replicate; fairgauge's {a.boot} replicates of every summary of 3 groupings cost "
            f"{max(t_b - t_pq, 0.0):.3f} s over the run without"
        )
        dp = boot["summary"]["sex"]["intervals"]["demographic_parity_difference"]
        print(f"interval of the demographic parity difference by sex (fairgauge): {dp}")
        multiclass(fg, Path(d), df, t_pq)
        regression(fg, pq, df, t_pq)


def regression(fg, pq, df, t_binary):
    """`--task regression` (the synthetic `income` against `x1` as a stand-in prediction, as the
    criterion bench) against Fairlearn's MetricFrame with scikit-learn's MAE, RMSE and R², the
    same three groupings. fairgauge also computes the means, Welch disparities and the KS and
    Wasserstein tests per group, which Fairlearn does not."""
    import numpy as np
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    cmd = [fg, "fairness", str(pq), "--task", "regression", "--label", "income", "--prediction", "x1"]
    cmd += ["--sensitive", "sex,race", "--intersect", "--format", "json", "--min-group-size", "0"]
    t_rg, rep = timed(lambda: json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout), 3)
    print(f"fairgauge fairness --task regression (Parquet): {t_rg:8.3f} s ({t_rg / t_binary:.2f}x binary)")
    metrics = {
        "mae": mean_absolute_error,
        "rmse": lambda a, b: float(np.sqrt(mean_squared_error(a, b))),
        "r2": r2_score,
    }

    def run_fl():
        out = {}
        for attrs in (["sex"], ["race"], ["sex", "race"]):
            sf = df[attrs] if len(attrs) > 1 else df[attrs[0]]
            out["&".join(attrs)] = flm.MetricFrame(
                metrics=metrics, y_true=df["income"], y_pred=df["x1"], sensitive_features=sf
            ).by_group
        return out

    t_fl, fl = timed(run_fl)
    worst = 0.0
    for g in rep["groups"]:
        key = tuple(g["group"].split("&")) if "&" in g["attribute"] else g["group"]
        for m in metrics:
            worst = max(worst, abs(g[m] - fl[g["attribute"]].loc[key, m]) / max(1.0, abs(g[m])))
    print(f"fairlearn MetricFrame, MAE, RMSE, R², 3 groupings (in memory): {t_fl:8.3f} s")
    print(f"largest relative difference between fairgauge and fairlearn (regression): {worst:.2e}")
    if worst > 1e-9:
        sys.exit("regression numbers disagree")
    print(f"ratio fairlearn / fairgauge (regression, Parquet): {t_fl / t_rg:,.1f}x")


def multiclass(fg, d, df, t_binary):
    """`--task multiclass` with 10 classes (true `(floor(10 score) + 3 label) mod 10`, predicted
    `floor(10 score) mod 10`, as the criterion bench) against Fairlearn's MetricFrame on each
    class's one-vs-rest columns plus scikit-learn's macro F1, the same three groupings."""
    import functools

    from sklearn.metrics import f1_score, precision_score

    pred = (df["score"] * 10).astype("int64") % 10
    mc = pd.DataFrame({"sex": df["sex"], "race": df["race"], "tier": (pred + 3 * df["label"]) % 10, "tier_pred": pred})
    path = d / "classes.parquet"
    mc.to_parquet(path)
    cmd = [fg, "fairness", str(path), "--task", "multiclass", "--label", "tier", "--prediction", "tier_pred"]
    cmd += ["--sensitive", "sex,race", "--intersect", "--format", "json", "--min-group-size", "0"]
    t_mc, rep = timed(lambda: json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout), 3)
    print(f"fairgauge fairness --task multiclass, 10 classes (Parquet): {t_mc:8.3f} s ({t_mc / t_binary:.2f}x binary)")
    metrics = {
        "selection_rate": flm.selection_rate,
        "tpr": flm.true_positive_rate,
        "fpr": flm.false_positive_rate,
        "ppv": functools.partial(precision_score, zero_division=float("nan")),
    }

    def run_fl():
        out = {}
        for attrs in (["sex"], ["race"], ["sex", "race"]):
            sf = mc[attrs] if len(attrs) > 1 else mc[attrs[0]]
            name = "&".join(attrs)
            out[name, "macro"] = flm.MetricFrame(
                metrics=functools.partial(f1_score, average="macro", zero_division=0),
                y_true=mc["tier"],
                y_pred=mc["tier_pred"],
                sensitive_features=sf,
            ).by_group
            for c in range(10):
                out[name, c] = flm.MetricFrame(
                    metrics=metrics, y_true=mc["tier"] == c, y_pred=mc["tier_pred"] == c, sensitive_features=sf
                ).by_group
        return out

    t_fl, fl = timed(run_fl)
    worst = 0.0
    for g in rep["groups"]:
        key = tuple(g["group"].split("&")) if "&" in g["attribute"] else g["group"]
        worst = max(worst, abs(g["macro"]["f1"] - fl[g["attribute"], "macro"].loc[key]))
        for c in range(10):
            for m in metrics:
                worst = max(worst, abs(g["classes"][str(c)][m] - fl[g["attribute"], c].loc[key, m]))
    print(f"fairlearn MetricFrame, 10 classes x 4 one-vs-rest rates + macro F1, 3 groupings: {t_fl:8.3f} s")
    print(f"largest difference between fairgauge and fairlearn (multiclass): {worst:.2e}")
    if worst > 1e-9:
        sys.exit("multiclass numbers disagree")
    print(f"ratio fairlearn / fairgauge (multiclass, Parquet): {t_fl / t_mc:,.0f}x")


if __name__ == "__main__":
    main()
