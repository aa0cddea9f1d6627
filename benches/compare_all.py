"""Every peer against fairgauge on the same synthetic data, in one run: time, peak memory (each tool
in its own child process, peak RSS from getrusage) and the ratio, with the numbers checked to agree.

    python benches/compare_all.py --rows 1000000 [--drift-rows N] [--evidently-python PY] [--skip-slow]

With `--rows 10000000 --drift-rows 1000000` one run measures every target of the scale issue at
its own size: fairness, KS, quality and assess at 10M rows, drift (against Evidently) at 1M.

Fairness (sex and race; label and prediction): fairgauge CLI from Parquet, fairgauge Python from
pandas, Fairlearn MetricFrame (what fairgauge reports: selection rate, TPR, FPR, TNR, FNR and count by
sex, by race and by sex x race, as in compare_fairness.py), AIF360 ClassificationMetric (by sex),
polars reading the Parquet and counting the same cells with a group_by. Drift (reference vs a
drifted current, every column): fairgauge drift, Evidently DataDriftPreset (with
--evidently-python, a venv with evidently 0.7.23), and exact KS of one column against scipy.
CSV: fairgauge fairness on the current table written as CSV against polars' `read_csv` of the
same four columns. Quality: fairgauge quality against polars' null counts, n_unique, min and max. `--skip-slow` leaves
out Fairlearn and AIF360 (minutes at 10M rows).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each snippet prints one JSON line: {"seconds": …, "check": …}; the wrapper adds the peak RSS.
WRAP = (
    "import json, resource, subprocess, sys, time;"
    "t = time.perf_counter();"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
    "w = time.perf_counter() - t;"
    "sys.stderr.write(p.stderr);"
    "print(json.dumps({'wall': w, 'rc': p.returncode, 'out': p.stdout[-100000:],"
    " 'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"
)

FAIRLEARN = r"""
import json, sys, time, pandas as pd
from fairlearn import metrics as flm
df = pd.read_parquet(sys.argv[1], columns=["sex", "race", "label", "prediction"])
t = time.perf_counter()
# What `fairgauge fairness` reports: rates per group of sex, of race and of sex x race.
metrics = {"selection_rate": flm.selection_rate, "tpr": flm.true_positive_rate, "fpr": flm.false_positive_rate,
           "tnr": flm.true_negative_rate, "fnr": flm.false_negative_rate, "count": flm.count}
out = {}
for sf in (["sex"], ["race"], ["sex", "race"]):
    out["&".join(sf)] = flm.MetricFrame(metrics=metrics, y_true=df["label"], y_pred=df["prediction"],
                                        sensitive_features=df[sf]).by_group
sex = out["sex"]["selection_rate"]
print(json.dumps({"seconds": time.perf_counter() - t, "check": {k: float(v) for k, v in sex.items()}}))
"""

AIF360 = r"""
import json, sys, time, pandas as pd
from aif360.datasets import BinaryLabelDataset
from aif360.metrics import ClassificationMetric
df = pd.read_parquet(sys.argv[1], columns=["sex", "label", "prediction"])
t = time.perf_counter()
num = pd.DataFrame({"sex": (df["sex"] == "Male").astype(float), "label": df["label"].astype(float)})
truth = BinaryLabelDataset(df=num, label_names=["label"], protected_attribute_names=["sex"])
pred = truth.copy(); pred.labels = df["prediction"].to_numpy(float).reshape(-1, 1)
m = ClassificationMetric(truth, pred, unprivileged_groups=[{"sex": 0.0}], privileged_groups=[{"sex": 1.0}])
v = m.disparate_impact()
print(json.dumps({"seconds": time.perf_counter() - t, "check": v}))
"""

POLARS_GROUP_BY = r"""
import json, sys, time, polars as pl
t = time.perf_counter()
out = pl.scan_parquet(sys.argv[1]).group_by(["sex", "race", "label", "prediction"]).agg(pl.len()).collect()
print(json.dumps({"seconds": time.perf_counter() - t, "check": int(out["len"].sum())}))
"""

POLARS_PROFILE = r"""
import json, sys, time, polars as pl
t = time.perf_counter()
lf = pl.scan_parquet(sys.argv[1]); schema = lf.collect_schema()
exprs = []
for n, dt in schema.items():
    exprs += [pl.col(n).null_count().alias(n + "_nulls"), pl.col(n).n_unique().alias(n + "_unique")]
    if dt.is_numeric():
        exprs += [pl.col(n).min().alias(n + "_min"), pl.col(n).max().alias(n + "_max")]
lf.select(exprs).collect()
print(json.dumps({"seconds": time.perf_counter() - t, "check": None}))
"""

FAIRGAUGE_PY = r"""
import json, sys, time, pandas as pd, fairgauge
df = pd.read_parquet(sys.argv[1], columns=["sex", "race", "label", "prediction"])
t = time.perf_counter()
r = fairgauge.fairness(df, label="label", prediction="prediction", sensitive=["sex", "race"])
sex = {g["group"]: g["selection_rate"] for g in r["groups"] if g["attribute"] == "sex"}
print(json.dumps({"seconds": time.perf_counter() - t, "check": sex}))
"""

EVIDENTLY = r"""
import json, sys, time, pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
ref = pd.read_parquet(sys.argv[1]); cur = pd.read_parquet(sys.argv[2])
t = time.perf_counter()
Report([DataDriftPreset()]).run(cur, ref).dict()
print(json.dumps({"seconds": time.perf_counter() - t, "check": None}))
"""

POLARS_READ_CSV = r"""
import json, sys, time, polars as pl
t = time.perf_counter()
out = pl.read_csv(sys.argv[1], columns=["sex", "race", "label", "prediction"])
print(json.dumps({"seconds": time.perf_counter() - t, "check": out.height}))
"""

SCIPY_KS = r"""
import json, sys, time, pandas as pd
from scipy import stats
a = pd.read_parquet(sys.argv[1], columns=["x1"])["x1"].to_numpy()
b = pd.read_parquet(sys.argv[2], columns=["x1"])["x1"].to_numpy()
t = time.perf_counter()
r = stats.ks_2samp(a, b)
print(json.dumps({"seconds": time.perf_counter() - t, "check": [r.statistic, r.pvalue]}))
"""


# Every tool, peers and fairgauge alike, whose first run takes under SHORT seconds runs REPEAT times
# in all and is reported by its fastest run (short runs on this 2-core machine vary by tens of
# per cent with what ran before them); slower ones run once.
SHORT = 10.0
REPEAT = 3


def run_once(cmd):
    """Runs cmd in a child of a wrapper child: (wall s, peak RSS MB, stdout)."""
    p = subprocess.run([sys.executable, "-c", WRAP, *map(str, cmd)], capture_output=True, text=True)
    res = json.loads(p.stdout)
    # fairgauge assess exits 1 when a finding fails (the synthetic data has planted bias and drift).
    if res["rc"] not in (0, 1) or (res["rc"] == 1 and "assess" not in map(str, cmd)):
        sys.exit(f"{cmd[:3]} failed:\n{p.stderr[-3000:]}")
    return res["wall"], res["peak_mb"], res["out"]


def run(cmd):
    """(fastest wall s, peak RSS MB of the first run, stdout of the first run)."""
    wall, peak, out = run_once(cmd)
    if wall < SHORT:
        for _ in range(REPEAT - 1):
            wall = min(wall, run_once(cmd)[0])
    return wall, peak, out


def snippet(python, code, *args):
    """A peer's code: (its result with the fastest in-process "seconds", wall s, peak MB)."""
    wall, peak, out = run_once([python, "-c", code, *args])
    res = json.loads(out.strip().splitlines()[-1])
    if res["seconds"] < SHORT:
        for _ in range(REPEAT - 1):
            w, _, o = run_once([python, "-c", code, *args])
            again = json.loads(o.strip().splitlines()[-1])
            wall = min(wall, w)
            res["seconds"] = min(res["seconds"], again["seconds"])
    return res, wall, peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--fairgauge", default=os.environ.get("FAIRGAUGE_BIN", str(ROOT / "target/release/fairgauge")))
    ap.add_argument("--evidently-python", default=None)
    ap.add_argument("--skip-slow", action="store_true")
    ap.add_argument("--drift-rows", type=int, default=None, help="rows of the drift comparison (default: --rows)")
    a = ap.parse_args()
    fg, py = a.fairgauge, sys.executable
    rows = []  # (family, tool, seconds, peak MB, baseline key)
    with tempfile.TemporaryDirectory() as d:
        ref, cur = Path(d) / "ref.parquet", Path(d) / "cur.parquet"
        dref, dcur = ref, cur
        if a.drift_rows and a.drift_rows != a.rows:
            dref, dcur = Path(d) / "dref.parquet", Path(d) / "dcur.parquet"
        for p, drift, seed, n in (
            (ref, "0", "1", a.rows),
            (cur, "0.2", "2", a.rows),
            (dref, "0", "1", a.drift_rows or a.rows),
            (dcur, "0.2", "2", a.drift_rows or a.rows),
        ):
            if p.exists():
                continue
            synth = [fg, "synth", "--rows", str(n), "--features", "16", "--drift", drift, "--seed", seed]
            subprocess.run([*synth, "--output", str(p)], check=True, capture_output=True)

        roles = ["--label", "label", "--prediction", "prediction", "--sensitive", "sex,race", "--format", "json"]
        t, m, out = run([fg, "fairness", cur, *roles])
        ours = {g["group"]: g["selection_rate"] for g in json.loads(out)["groups"] if g["attribute"] == "sex"}
        rows.append(("fairness", "fairgauge CLI (Parquet, end to end)", t, m, "fg"))
        res, t, m = snippet(py, FAIRGAUGE_PY, cur)
        assert all(abs(res["check"][g] - v) < 1e-12 for g, v in ours.items())
        rows.append(("fairness", "fairgauge Python (pandas in)", res["seconds"], m, None))
        res, t, m = snippet(py, POLARS_GROUP_BY, cur)
        assert res["check"] == a.rows
        rows.append(("fairness", "polars group_by of the same cells", res["seconds"], m, None))
        if not a.skip_slow:
            res, t, m = snippet(py, FAIRLEARN, cur)
            assert all(abs(res["check"][g] - v) < 1e-12 for g, v in ours.items()), (res["check"], ours)
            rows.append(("fairness", "Fairlearn MetricFrame (6 metrics; sex, race, both)", res["seconds"], m, None))
            res, t, m = snippet(py, AIF360, cur)
            female = ours["Female"] / ours["Male"]
            assert abs(res["check"] - female) < 1e-12, (res["check"], female)
            rows.append(("fairness", "AIF360 ClassificationMetric (sex)", res["seconds"], m, None))

        # CSV: the same table as text, against polars reading the same columns.
        cur_csv = Path(d) / "cur.csv"
        synth = [fg, "synth", "--rows", str(a.rows), "--features", "16", "--drift", "0.2", "--seed", "2"]
        subprocess.run([*synth, "--output", str(cur_csv)], check=True, capture_output=True)
        t, m, out = run([fg, "fairness", cur_csv, *roles])
        csv_ours = {g["group"]: g["selection_rate"] for g in json.loads(out)["groups"] if g["attribute"] == "sex"}
        assert csv_ours == ours, (csv_ours, ours)
        rows.append(("csv", "fairgauge CLI (CSV, end to end)", t, m, "fg"))
        res, t, m = snippet(py, POLARS_READ_CSV, cur_csv)
        assert res["check"] == a.rows
        rows.append(("csv", "polars read_csv of the same 4 columns", res["seconds"], m, None))
        cur_csv.unlink()

        t, m, out = run([fg, "drift", dref, dcur, "--format", "json"])
        rows.append(("drift", f"fairgauge drift ({a.drift_rows or a.rows:,} rows, 27 columns, auto)", t, m, "fg"))
        if a.evidently_python:
            res, t, m = snippet(a.evidently_python, EVIDENTLY, dref, dcur)
            rows.append(("drift", "Evidently DataDriftPreset (in memory)", res["seconds"], m, None))
        t, m, out = run([fg, "drift", ref, cur, "--columns", "x1", "--method", "ks", "--format", "json"])
        d_ours = json.loads(out)["columns"][0]["statistic"]
        rows.append(("ks", "fairgauge drift --method ks (one column, end to end)", t, m, "fg"))
        res, t, m = snippet(py, SCIPY_KS, ref, cur)
        assert abs(res["check"][0] - d_ours) < 1e-12
        rows.append(("ks", "scipy ks_2samp (in memory)", res["seconds"], m, None))

        t, m, out = run([fg, "quality", cur, "--label", "label", "--sensitive", "sex,race", "--format", "json"])
        rows.append(("quality", "fairgauge quality (every check, end to end)", t, m, "fg"))
        t, m, _ = run([fg, "quality", cur, "--label", "label", "--sensitive", "sex,race", "--sketch", "1000",
                       "--format", "json"])  # fmt: skip
        rows.append(("quality", "the same, bounded memory (--sketch 1000)", t, m, None))
        res, t, m = snippet(py, POLARS_PROFILE, cur)
        rows.append(("quality", "polars null counts, n_unique, min, max", res["seconds"], m, None))

        # assess: no peer does it; the target is wall time (exact, and with sketched drift).
        sketch = Path(d) / "sketch.toml"
        sketch.write_text("version = 1\n[drift]\nsketch = 200\n")
        assess = [fg, "assess", "--current", cur, "--reference", ref, "--label", "label", "--prediction",
                  "prediction", "--sensitive", "sex,race", "--output", Path(d) / "e.json"]  # fmt: skip
        t, m, _ = run([*assess])
        rows.append(("assess", "fairgauge assess (quality, leakage, fairness, drift)", t, m, "fg"))
        t, m, _ = run([*assess, "--policy", sketch])
        rows.append(("assess", "the same with [drift] sketch = 200", t, m, None))
        bounded = Path(d) / "bounded.toml"
        bounded.write_text("version = 1\n[drift]\nsketch = 200\n[quality]\nsketch = 1000\n")
        t, m, _ = run([*assess, "--policy", bounded])
        rows.append(("assess", "bounded memory: [drift] sketch = 200, [quality] sketch = 1000", t, m, None))

    print(f"rows: {a.rows:,} (27 columns)")
    base = {fam: s for fam, _, s, _, k in rows if k == "fg"}
    for fam, tool, s, m, k in rows:
        ratio = "" if k else f"{s / base[fam]:8.1f}x fairgauge's time"
        print(f"{fam:9} {tool:58} {s:9.3f} s {m:8.0f} MB  {ratio}")


if __name__ == "__main__":
    main()
