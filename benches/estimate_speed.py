"""Label-free estimates against today's fairness run on the same data (issue 19's target: at
most 2x, calibration on a 1M-row reference included).

N rows (default 10,000,000) and a reference of M rows (default 1,000,000) of one synthetic
population (two attributes: `sex` with two groups, `race` with four; a score that is the true
probability to six decimals; decisions at 0.5), as Parquet. Timed end to end (median of 3,
process start included):

- `fairgauge fairness --label y --prediction pred --sensitive sex,race` (labelled, no score),
- the same with `--score score` (per-group ROC AUC, Brier and ECE from the scores), and
- `fairgauge estimate DATA --reference REF --score score --prediction pred --label y
  --sensitive sex,race` (the labels of DATA are not read).

    python benches/estimate_speed.py [--rows 10000000] [--reference 1000000] [--bin target/release/fairgauge]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent


def median_time(cmd: list[str], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def write(n: int, seed: int, path: Path) -> None:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["f", "m"]), n, p=[0.4, 0.6])
    race = rng.choice(np.array(["w", "x", "y", "z"]), n)
    x = rng.normal(0.0, 1.0, n) - 0.4 * (sex == "f")
    p = 1 / (1 + np.exp(-(1.5 * x - 0.3)))
    y = (rng.random(n) < p).astype(np.int8)
    s = np.round(p, 6)
    frame = pl.DataFrame({"score": s, "pred": (s >= 0.5).astype(np.int8), "y": y, "sex": sex, "race": race})
    frame.write_parquet(path, row_group_size=1 << 20)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--reference", type=int, default=1_000_000)
    ap.add_argument("--bin", default=str(ROOT / "target/release/fairgauge"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data, ref = Path(d) / "data.parquet", Path(d) / "ref.parquet"
        write(a.rows, 1, data)
        write(a.reference, 2, ref)
        base = [a.bin, "fairness", str(data), "--label", "y", "--prediction", "pred", "--sensitive", "sex,race"]
        fairness = median_time([*base, "--format", "json"])
        with_score = median_time([*base, "--score", "score", "--format", "json"])
        estimate = median_time(
            [a.bin, "estimate", str(data), "--reference", str(ref), "--score", "score", "--prediction", "pred",
             "--label", "y", "--sensitive", "sex,race", "--format", "json"]
        )  # fmt: skip
    print(f"rows: {a.rows:,}; reference: {a.reference:,}")
    print(f"fairness (labels, decisions)          {fairness:7.2f} s")
    print(f"fairness (labels, decisions, scores)  {with_score:7.2f} s")
    print(f"estimate (no labels; reference)       {estimate:7.2f} s")
    print(f"estimate / fairness                   {estimate / fairness:7.2f}x  (target <= 2x)")
    print(f"estimate / fairness with scores       {estimate / with_score:7.2f}x")


if __name__ == "__main__":
    main()
