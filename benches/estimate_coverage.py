"""Do the label-free estimates' intervals cover the values the labels then show? A simulation
through `fairgauge.estimate` itself (docs/estimate.md holds its output).

Each replicate draws a labelled reference and an unlabelled table of the same population: two
groups, a feature x (group b lower), a true probability logistic in x, labels drawn from it, and
the model's scores, which are the true probability (calibrated) or, for group b, three times as
steep in log-odds (overconfident). Each replicate estimates per group, then reveals the table's
labels and counts whether each realised rate falls in its 95 % interval, and how far the estimate
was from it (bias, in the realised metric's units).

    python benches/estimate_coverage.py [--replicates 500] [--reference 5000] [--rows 4000]
"""

from __future__ import annotations

import argparse

import fairgauge
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

METRICS = ("tpr", "fpr", "ppv", "npv", "accuracy", "f1", "roc_auc")


def table(rng: np.random.Generator, n: int, steep_b: float, shift: float) -> pd.DataFrame:
    g = rng.choice(["a", "b"], n, p=[0.6, 0.4])
    x = rng.normal(shift, 1.0, n) - 0.4 * (g == "b")
    logit = 1.5 * x - 0.3
    y = rng.binomial(1, 1 / (1 + np.exp(-logit)))
    s = 1 / (1 + np.exp(-np.where(g == "b", steep_b, 1.0) * logit))
    return pd.DataFrame({"score": s, "pred": (s >= 0.5).astype(int), "y": y, "g": g})


def realised(d: pd.DataFrame) -> dict[str, float]:
    y, p = d["y"].to_numpy(), d["pred"].to_numpy()
    tp, fp = int(((y == 1) & (p == 1)).sum()), int(((y == 0) & (p == 1)).sum())
    fn, tn = int(((y == 1) & (p == 0)).sum()), int(((y == 0) & (p == 0)).sum())
    return {
        "tpr": tp / (tp + fn),
        "fpr": fp / (fp + tn),
        "ppv": tp / (tp + fp),
        "npv": tn / (tn + fn),
        "accuracy": (tp + tn) / len(d),
        "f1": 2 * tp / (2 * tp + fp + fn),
        "roc_auc": roc_auc_score(y, d["score"]),
    }


SCENARIOS = [
    ("calibrated scores, calibration auto", 1.0, "auto"),
    ("calibrated scores, isotonic always", 1.0, "isotonic"),
    ("group b overconfident, calibration none", 3.0, "none"),
    ("group b overconfident, calibration auto", 3.0, "auto"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=500)
    ap.add_argument("--reference", type=int, default=5000)
    ap.add_argument("--rows", type=int, default=4000)
    a = ap.parse_args()
    print(f"{a.replicates} replicates; reference {a.reference} labelled rows, {a.rows} unlabelled rows (shifted)")
    print("share of realised values inside the 95 % interval (mean |estimate - realised| in brackets)\n")
    print("| scenario | group | " + " | ".join(METRICS) + " |")
    print("|---|---|" + "---|" * len(METRICS))
    for name, steep, calibration in SCENARIOS:
        rng = np.random.default_rng(20261207)
        inside = {(g, m): 0 for g in "ab" for m in METRICS}
        error = {(g, m): 0.0 for g in "ab" for m in METRICS}
        applied: dict[str, int] = {}
        for _ in range(a.replicates):
            ref = table(rng, a.reference, steep, 0.0)
            data = table(rng, a.rows, steep, 0.3)
            rep = fairgauge.estimate(
                data.drop(columns="y"), reference=ref, score="score", prediction="pred", label="y", sensitive="g",
                calibration=calibration,
            ).to_dict()  # fmt: skip
            for entry in rep["attributes"][0]["groups"]:
                g = entry["group"]
                applied[entry["calibration"]["applied"]] = applied.get(entry["calibration"]["applied"], 0) + 1
                truth = realised(data[data["g"] == g])
                for m in METRICS:
                    v = entry["estimated"][m]
                    inside[(g, m)] += v["lower"] <= truth[m] <= v["upper"]
                    error[(g, m)] += abs(v["value"] - truth[m])
        for g in "ab":
            cells = [
                f"{100 * inside[(g, m)] / a.replicates:.1f} % ({error[(g, m)] / a.replicates:.4f})" for m in METRICS
            ]
            print(f"| {name} | {g} | " + " | ".join(cells) + " |")
        print(f"<!-- {name}: calibration applied per group {applied} -->")


if __name__ == "__main__":
    main()
