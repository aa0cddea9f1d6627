"""Time `fairgauge drift` against Evidently's DataDriftPreset (and scipy's ks_2samp for exact KS)
on the same synthetic data, in one run, and print ratios and peak memory.

    python benches/compare_drift.py --rows 1000000 --fairgauge target/release/fairgauge

Evidently runs in its own virtual environment (it needs pandas < 3): pass its python with
--evidently-python. Each tool runs in a child process so its peak RSS is measured on its own.
Data: `fairgauge synth --features 16` gives 27 columns (18 numeric, 6 categorical, 3 model
columns); the current table has a planted drift of 0.3.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EVIDENTLY = r"""
import sys, time, pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
ref = pd.read_parquet(sys.argv[1]); cur = pd.read_parquet(sys.argv[2])
t = time.perf_counter()
snap = Report([DataDriftPreset()]).run(cur, ref)
snap.dict()
print(time.perf_counter() - t)
"""

SCIPY_KS = r"""
import sys, time, numpy as np, pandas as pd
from scipy import stats
a = pd.read_parquet(sys.argv[1], columns=["x1"])["x1"].values
b = pd.read_parquet(sys.argv[2], columns=["x1"])["x1"].values
t = time.perf_counter()
r = stats.ks_2samp(a, b)
print(time.perf_counter() - t, r.statistic, r.pvalue)
"""


def child(cmd):
    """Runs cmd, returns (wall seconds, peak RSS MB of the child, stdout)."""
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--ks-rows", type=int, default=10_000_000)
    ap.add_argument("--fairgauge", default=os.environ.get("FAIRGAUGE_BIN", str(ROOT / "target/release/fairgauge")))
    ap.add_argument("--evidently-python", default=None)
    ap.add_argument("--scipy-python", default=sys.executable)
    a = ap.parse_args()
    fg = a.fairgauge
    with tempfile.TemporaryDirectory() as d:
        ref, cur = Path(d) / "ref.parquet", Path(d) / "cur.parquet"
        subprocess.run(
            [fg, "synth", "--rows", str(a.rows), "--features", "16", "--seed", "1", "--output", str(ref)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                fg,
                "synth",
                "--rows",
                str(a.rows),
                "--features",
                "16",
                "--seed",
                "2",
                "--drift",
                "0.3",
                "--output",
                str(cur),
            ],
            check=True,
            capture_output=True,
        )
        print(f"drift: {a.rows:,} vs {a.rows:,} rows x 27 columns, method auto")
        # Peak RSS of children is a high-water mark over all children, so measure fairgauge first.
        out_json = str(Path(d) / "d.json")
        runs = [child([fg, "drift", str(ref), str(cur), "--format", "json", "--output", out_json]) for _ in range(3)]
        fg_t = sorted(r[0] for r in runs)[1]  # the median of three runs
        fg_mem = max(r[1] for r in runs)
        all_t = ", ".join(f"{r[0]:.2f}" for r in runs)
        print(
            f"  fairgauge drift (end to end, reads Parquet):     {fg_t:8.2f} s   peak {fg_mem:7.0f} MB"
            f"   (median of 3: {all_t})"
        )
        if a.evidently_python:
            ev_t, ev_mem, out = child([a.evidently_python, "-c", EVIDENTLY, str(ref), str(cur)])
            print(
                f"  Evidently DataDriftPreset (run only, in memory): {float(out.split()[0]):8.2f} s "
                f"(process {ev_t:.2f} s)   peak {ev_mem:7.0f} MB"
            )
            print(
                f"  ratio Evidently / fairgauge: {float(out.split()[0]) / fg_t:,.0f}x time, "
                f"{ev_mem / fg_mem:.1f}x memory"
            )
        kr, kc = Path(d) / "kr.parquet", Path(d) / "kc.parquet"
        subprocess.run(
            [fg, "synth", "--rows", str(a.ks_rows), "--features", "1", "--seed", "3", "--output", str(kr)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [fg, "synth", "--rows", str(a.ks_rows), "--features", "1", "--seed", "4", "--output", str(kc)],
            check=True,
            capture_output=True,
        )
        t = time.perf_counter()
        subprocess.run(
            [
                fg,
                "drift",
                str(kr),
                str(kc),
                "--columns",
                "x1",
                "--method",
                "ks",
                "--format",
                "json",
                "--output",
                str(Path(d) / "k.json"),
            ],
            check=True,
        )
        fg_ks = time.perf_counter() - t
        out = subprocess.run(
            [a.scipy_python, "-c", SCIPY_KS, str(kr), str(kc)], check=True, capture_output=True, text=True
        ).stdout.split()
        import json

        mine = json.loads((Path(d) / "k.json").read_text())["columns"][0]
        print(f"exact KS, {a.ks_rows:,} vs {a.ks_rows:,} values:")
        print(f"  fairgauge drift --method ks (end to end, incl. reading): {fg_ks:6.2f} s  D={mine['statistic']:.6g}")
        scipy_t, scipy_d = float(out[0]), float(out[1])
        print(f"  scipy ks_2samp (arrays in memory):                       {scipy_t:6.2f} s  D={scipy_d:.6g}")
        same = abs(mine["statistic"] - scipy_d) < 1e-12
        print(f"  ratio scipy / fairgauge: {scipy_t / fg_ks:.1f}x; same D: {same}")


if __name__ == "__main__":
    main()
