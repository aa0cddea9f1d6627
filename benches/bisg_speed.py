"""BISG speed: `fairgauge bisg` against surgeo 1.1.2's `SurgeoModel` on the same rows.

N rows (default 1,000,000) of real surnames and ZCTAs drawn from the bundled tables (seeded), a
tenth spelt with suffixes or lower case, written as Parquet. Timed end to end as users run them
(median of 3): the CLI reading the Parquet file and writing the table with the probabilities
(process start and table loading included: issue 19's target is 1M rows in 2 s), and surgeo
computing the probabilities of the same two columns already in memory (its reading excluded).

    python benches/bisg_speed.py [--rows 1000000] [--bin target/release/fairgauge]
"""

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def people(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    names = pd.read_parquet(ROOT / "datasets/bisg/prob_race_given_surname_2010.parquet", columns=["name"])["name"]
    zctas = pd.read_parquet(ROOT / "datasets/bisg/prob_zcta_given_race_2010.parquet", columns=["zcta5"])["zcta5"]
    surname = names.to_numpy()[rng.integers(0, len(names), n)].astype(object)
    odd = rng.random(n) < 0.1
    surname[odd] = [s.lower() + " jr" for s in surname[odd]]
    zip_ = zctas.to_numpy()[rng.integers(0, len(zctas), n)]
    return pd.DataFrame({"id": np.arange(n), "surname": surname, "zip": zip_})


def median_time(f, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--bin", default=str(ROOT / "target/release/fairgauge"))
    a = ap.parse_args()
    df = people(a.rows)
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "people.parquet", Path(d) / "out.parquet"
        df.to_parquet(src, index=False)
        cmd = [a.bin, "bisg", str(src), "--surname", "surname", "--zip", "zip", "-o", str(out), "--format", "json"]
        ours = median_time(lambda: subprocess.run(cmd, check=True, capture_output=True))
    import surgeo

    model = surgeo.SurgeoModel()
    theirs = median_time(lambda: model.get_probabilities(df["surname"], df["zip"]))
    print(f"rows: {a.rows:,}")
    print(f"fairgauge bisg (CLI, Parquet in and out): {ours:.2f} s")
    print(f"surgeo SurgeoModel.get_probabilities (in memory): {theirs:.2f} s")
    print(f"ratio: fairgauge {theirs / ours:.1f}x faster")


if __name__ == "__main__":
    main()
