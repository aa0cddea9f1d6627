"""fairgauge's fairness run against Python polars on the same Parquet, in one run, printing ratios:
the regression guard of issue 20 (CI runs it at 1M rows in well under a minute; it reports, it does
not fail).

    python benches/fairness_vs_polars.py [--rows 1000000] [--repeat 5] [--bin target/release/fairgauge]

- fairgauge: `fairgauge fairness DATA --label label --prediction prediction --sensitive sex,race
  --intersect --format json`, end to end (process start, reading, counting, the report), as read
  by the dictionary-code reader (default) and by polars' reader (`FAIRGAUGE_PARQUET_CODES=0`);
- polars: `pl.scan_parquet(DATA).group_by(["sex", "race", "label", "prediction"]).agg(pl.len())`,
  timed inside one Python process after `import polars` (reading and counting only, no start-up);
  the same cells fairgauge counts.

- CSV: the same command on the same table written as CSV, as read as codes (default) and by
  polars' reader (`FAIRGAUGE_CSV_CODES=0`), against `pl.read_csv(DATA, columns=[the four])`
  (reading only: the issue's CSV target is at most 1.5 times it).

Best of `--repeat` runs each, on `fairgauge synth` data (10 row groups of the rows / 10 when
`--rows` ≥ 1M; the role columns dictionary-encoded).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

POLARS = """
import sys, time, polars as pl
best = float("inf")
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    out = pl.scan_parquet(sys.argv[1]).group_by(["sex", "race", "label", "prediction"]).agg(pl.len()).collect()
    best = min(best, time.perf_counter() - t)
print(best, out.height, pl.__version__)
"""

POLARS_CSV = """
import sys, time, polars as pl
best = float("inf")
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    out = pl.read_csv(sys.argv[1], columns=["sex", "race", "label", "prediction"])
    best = min(best, time.perf_counter() - t)
print(best, out.height)
"""


def best_cli(cmd, repeat, env):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        best = min(best, time.perf_counter() - t)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--bin", default=os.environ.get("FAIRGAUGE_BIN", str(ROOT / "target" / "release" / "fairgauge")))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "synth.parquet"
        subprocess.run([a.bin, "synth", "--rows", str(a.rows), "--output", str(data)], check=True, capture_output=True)
        cmd = [a.bin, "fairness", str(data), "--label", "label", "--prediction", "prediction"]
        cmd += ["--sensitive", "sex,race", "--intersect", "--format", "json"]
        env = dict(os.environ)
        env.pop("FAIRGAUGE_PARQUET_CODES", None)
        codes = best_cli(cmd, a.repeat, env)
        polars_reader = best_cli(cmd, a.repeat, dict(env, FAIRGAUGE_PARQUET_CODES="0"))
        out = subprocess.run([sys.executable, "-c", POLARS, str(data), str(a.repeat)], check=True, capture_output=True)
        pl_seconds, cells, version = out.stdout.decode().split()
        pl_seconds = float(pl_seconds)
        text = Path(d) / "synth.csv"
        subprocess.run([a.bin, "synth", "--rows", str(a.rows), "--output", str(text)], check=True, capture_output=True)
        csv_cmd = [a.bin, "fairness", str(text), *cmd[3:]]
        csv_codes = best_cli(csv_cmd, a.repeat, env)
        csv_polars_reader = best_cli(csv_cmd, a.repeat, dict(env, FAIRGAUGE_CSV_CODES="0"))
        script = [sys.executable, "-c", POLARS_CSV, str(text), str(a.repeat)]
        out = subprocess.run(script, check=True, capture_output=True)
        csv_polars = float(out.stdout.decode().split()[0])
    rows = [
        ("fairgauge fairness (dictionary codes)", codes),
        ("fairgauge fairness (polars' reader)", polars_reader),
        (f"python polars {version} scan + group_by ({cells} cells)", pl_seconds),
    ]
    print(f"{a.rows:,} rows, sex x race, best of {a.repeat}")
    for name, s in rows:
        print(f"  {name:<55} {s:8.3f} s  {s / pl_seconds:5.2f}x polars")
    print("CSV, the same table")
    for name, s in [
        ("fairgauge fairness (CSV read as codes)", csv_codes),
        ("fairgauge fairness (polars' CSV reader)", csv_polars_reader),
        ("python polars read_csv of the 4 columns", csv_polars),
    ]:
        print(f"  {name:<55} {s:8.3f} s  {s / csv_polars:5.2f}x polars read_csv")
    times = {"rows": a.rows, "codes": codes, "polars_reader": polars_reader, "polars": pl_seconds}
    times |= {"csv_codes": csv_codes, "csv_polars_reader": csv_polars_reader, "polars_read_csv": csv_polars}
    print(json.dumps(times))


if __name__ == "__main__":
    main()
