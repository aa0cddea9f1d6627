"""How the two estimators of a disparity behave when the sensitive attribute is known only as
probabilities (docs/bisg.md): a simulation in the setting of Chen, Kallus, Mao, Svacha & Udell
(2019), run through `fairgauge.fairness` itself.

A population of N people in P places; each place has its own share of groups A and B (Beta
distributed), each person's group is drawn from their place's share, and their probability of
being in B is that share (calibrated: the proxy is the place). Approval depends on the group
(`group only`), or on the group and, in the same direction, on the place (`group and place`, as
when neighbourhoods differ in income). For each, the true selection-rate difference A - B (from the
true group), the weighted estimate and the threshold estimate (p ≥ 0.8), averaged over seeds, and
the bounds on it over the places as strata (`bounds_by="place"`, Kallus, Mao & Zhou 2022: every
coupling of group and approval within a place allowed), with how often the truth fell inside.

    python benches/membership_bias.py [--people 200000] [--places 400] [--seeds 5]
"""

import argparse

import fairgauge
import numpy as np
import pandas as pd


def population(rng: np.random.Generator, n: int, places: int, place_effect: float) -> pd.DataFrame:
    share_b = rng.beta(0.4, 1.2, size=places)
    place = rng.integers(0, places, size=n)
    p_b = share_b[place]
    b = rng.random(n) < p_b
    # Approval: 0.60 for A, 0.45 for B; with a place effect, places with more B approve less too.
    rate = np.where(b, 0.45, 0.60) - place_effect * (p_b - share_b.mean())
    approved = rng.random(n) < np.clip(rate, 0.01, 0.99)
    return pd.DataFrame(
        {
            "y": approved.astype(int),
            "pred": approved.astype(int),
            "group": np.where(b, "B", "A"),
            "p_A": 1 - p_b,
            "p_B": p_b,
            "place": place,
        }
    )


def difference(report, attribute: str) -> float:
    rates = {g["group"]: g["selection_rate"] for g in report.to_dict()["groups"] if g["attribute"] == attribute}
    return rates["A"] - rates["B"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--places", type=int, default=400)
    ap.add_argument("--seeds", type=int, default=5)
    a = ap.parse_args()
    print("| approval depends on | true A - B | weighted | threshold (p ≥ 0.8) | bounds by place | truth inside |")
    print("|---|---|---|---|---|---|")
    for label, effect in (("group only", 0.0), ("group and place", 0.3)):
        out = []
        for seed in range(a.seeds):
            df = population(np.random.default_rng(seed), a.people, a.places, effect)
            args = dict(label="y", prediction="pred", min_group_size=1)
            true = fairgauge.fairness(df, sensitive="group", **args)
            probs = {"group": ["p_A", "p_B"]}
            est = fairgauge.fairness(df, sensitive_probabilities=probs, bounds_by="place", **args)
            b = est.bounds.filter(outcome="selection_rate", group="B")
            # The bounds are of B - A (A is the reference, the larger group): turned to A - B.
            lo, hi = -b["difference_upper"][0], -b["difference_lower"][0]
            t = difference(true, "group")
            out.append((t, difference(est, "group"), difference(est, "group_assigned"), lo, hi, lo <= t <= hi))
        t, w, h, lo, hi, inside = np.mean(out, axis=0)
        print(f"| {label} | {t:.4f} | {w:.4f} | {h:.4f} | [{lo:.4f}, {hi:.4f}] | {inside:.0%} |")


if __name__ == "__main__":
    main()
