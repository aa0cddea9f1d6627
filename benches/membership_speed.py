"""Fairness with a sensitive attribute known as probabilities against the same run with the
attribute observed (issue 19's target: at most 1.5x).

N rows (default 10,000,000) of `fairgauge synth` data, with five probability columns
`p_white` … `p_other` added (each row: 0.7 on its `race` and 0.3 spread by a seeded Dirichlet),
as Parquet. Timed end to end (median of 3, process start included):

- `fairgauge fairness --sensitive race` (the labelled run), and
- `fairgauge fairness --sensitive-probabilities race=p_white,…` (weighted and threshold
  estimators).

    python benches/membership_speed.py [--rows 10000000] [--bin target/release/fairgauge]
"""

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
GROUPS = ["White", "Black", "Hispanic", "Asian", "Other"]


def median_time(cmd: list[str], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--bin", default=str(ROOT / "target/release/fairgauge"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src, data = Path(d) / "synth.parquet", Path(d) / "probs.parquet"
        subprocess.run([a.bin, "synth", "--rows", str(a.rows), "-o", str(src)], check=True, capture_output=True)
        t = pq.read_table(src, columns=["label", "prediction", "sex", "race"])
        race = t.column("race").to_numpy(zero_copy_only=False)
        rng = np.random.default_rng(3)
        probs = 0.3 * rng.dirichlet(np.ones(len(GROUPS)), size=len(race))
        for j, g in enumerate(GROUPS):
            probs[race == g, j] += 0.7
        for j, g in enumerate(GROUPS):
            t = t.append_column(f"p_{g.lower()}", pa.array(probs[:, j]))
        pq.write_table(t, data)
        base = [a.bin, "fairness", str(data), "--label", "label", "--prediction", "prediction", "--format", "json"]
        labelled = median_time([*base, "--sensitive", "race"])
        spec = "race=" + ",".join(f"p_{g.lower()}" for g in GROUPS)
        weighted = median_time([*base, "--sensitive-probabilities", spec])
    print(f"rows: {a.rows:,}")
    print(f"fairness --sensitive race (labelled): {labelled:.2f} s")
    print(f"fairness --sensitive-probabilities race=… (weighted + threshold): {weighted:.2f} s")
    print(f"ratio: {weighted / labelled:.2f}x the labelled run (target <= 1.5x)")


if __name__ == "__main__":
    main()
