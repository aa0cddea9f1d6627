"""CSV columns read as codes (crates/fairgauge/src/io/csv_codes.rs) give the same reports as
polars' reader (`FAIRGAUGE_CSV_CODES=0`), on files written by pandas, an independent writer, in
each shape the codes path reads or leaves to polars: LF and CRLF line ends, text quoted where
needed or always, fields with separators, quotes and newlines inside quotes, nulls, a blank line
and quoted numbers (both left to polars, which starts the scan over), for the binary task, with
weights, with a score and a threshold, and for regression."""

import csv
import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest


def frame(n=60_000, seed=5, odd_text=False):
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["female", "male", "a value longer than sixteen bytes"], dtype=object), n)
    sex[rng.random(n) < 0.05] = None
    races = ["é", "b", "c", "d"] + (["with, comma", 'with "quote"', "with\nnewline"] if odd_text else [])
    label = rng.integers(0, 2, n)
    prediction = (rng.random(n) < 0.3 + 0.2 * label).astype(float)
    prediction[rng.random(n) < 0.02] = np.nan
    return pd.DataFrame(
        {
            "sex": sex,
            "race": rng.choice(np.array(races, dtype=object), n),
            "label": label,
            "prediction": pd.array(prediction, dtype="Int64"),
            "score": np.round(rng.random(n), 4),
            "weight": np.round(rng.gamma(2.0, 1.0, n), 3),
            "income": rng.integers(1_000, 90_000, n),
            "estimate": np.round(rng.normal(40_000, 9_000, n), 2),
        }
    )


def write(path, variant):
    df = frame(odd_text=variant in ("odd_text", "odd_text_crlf"))
    kw = {"index": False}
    if variant.endswith("crlf"):
        kw["lineterminator"] = "\r\n"
    if variant == "quoted_text":
        kw["quoting"] = csv.QUOTE_NONNUMERIC
    if variant == "quoted_numbers":
        kw["quoting"] = csv.QUOTE_ALL
    df.to_csv(path, **kw)
    if variant == "blank_line":
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join([*lines[:40_000], "\n", *lines[40_000:]]))


# Whether each variant is read as codes (otherwise it is started over with polars).
VARIANTS = {
    "lf": True,
    "crlf": True,
    "quoted_text": True,
    "odd_text": True,
    "odd_text_crlf": True,
    "blank_line": False,
    "quoted_numbers": True,
}

ROLES = {
    "binary": ["--label", "label", "--prediction", "prediction", "--sensitive", "sex,race", "--intersect"],
    "weighted": ["--label", "label", "--prediction", "prediction", "--sensitive", "race", "--weight", "weight"],
    "score": ["--label", "label", "--score", "score", "--threshold", "0.4", "--sensitive", "sex"],
    "regression": ["--task", "regression", "--label", "income", "--prediction", "estimate", "--sensitive", "race"],
}


def fairness(fairgauge_bin, path, setting, roles):
    env = dict(os.environ, FAIRGAUGE_CSV_CODES=setting)
    proc = subprocess.run(
        [str(fairgauge_bin), "fairness", str(path), *roles, "--format", "json"], capture_output=True, text=True, env=env
    )
    traced = [line for line in proc.stderr.splitlines() if line.startswith("csv read as codes")]
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("csv read as codes")]
    out = json.loads(proc.stdout) if proc.returncode in (0, 1) else None
    return (proc.returncode, out, errors), traced


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_codes_give_polars_reports(fairgauge_bin, tmp_path, variant):
    path = tmp_path / f"{variant}.csv"
    write(path, variant)
    for name, roles in ROLES.items():
        plain, _ = fairness(fairgauge_bin, path, "0", roles)
        coded, traced = fairness(fairgauge_bin, path, "trace", roles)
        assert traced == [f"csv read as codes: {str(VARIANTS[variant]).lower()}"], (name, traced)
        assert coded == plain, name
        assert plain[0] in (0, 1), (name, plain)


def write_with_empty(path, data_row, *columns):
    """The `lf` file with the named fields of one data row (1-based) emptied (null to both readers)."""
    write(path, "lf")
    lines = path.read_text().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    fields = lines[data_row].rstrip("\n").split(",")
    for c in columns:
        fields[header.index(c)] = ""
    lines[data_row] = ",".join(fields) + "\n"
    path.write_text("".join(lines))


def test_a_blank_line_counts_for_nothing_with_weights(fairgauge_bin, tmp_path):
    # polars reads a blank line as a row of nulls; with --weight that row's null weight was an
    # error, though the row is left out for its null label. Now the groups and counts equal the
    # file's without the blank line, for each reader and each task that takes weights.
    clean, blank = tmp_path / "clean.csv", tmp_path / "blank.csv"
    write(clean, "lf")
    write(blank, "blank_line")
    weighted = {
        "binary": ROLES["weighted"],
        "regression": [*ROLES["regression"], "--weight", "weight"],
        "multiclass": ["--task", "multiclass", "--label", "race", "--prediction", "sex", "--sensitive", "label"],
    }
    weighted["multiclass"] += ["--weight", "weight"]
    for name, roles in weighted.items():
        for setting in ("0", "1"):
            (rc_c, out_c, err_c), _ = fairness(fairgauge_bin, clean, setting, roles)
            (rc_b, out_b, err_b), _ = fairness(fairgauge_bin, blank, setting, roles)
            assert rc_c in (0, 1) and rc_b == rc_c, (name, setting, err_c, err_b)
            assert out_b["groups"] == out_c["groups"], (name, setting)
            assert out_b["rows"] == out_c["rows"], (name, setting)
    # A row (not blank) with an empty label and an empty weight: left out for its label, so its
    # null weight is no error either, and the codes reader reads it (no fallback to polars).
    path = tmp_path / "null_label_and_weight.csv"
    write_with_empty(path, 7, "label", "weight")
    plain, _ = fairness(fairgauge_bin, path, "0", ROLES["weighted"])
    coded, traced = fairness(fairgauge_bin, path, "trace", ROLES["weighted"])
    assert traced == ["csv read as codes: true"], traced
    assert coded == plain and plain[0] in (0, 1), plain


def test_a_null_weight_on_a_counted_row_is_still_named(fairgauge_bin, tmp_path):
    path = tmp_path / "null_weight.csv"
    write_with_empty(path, 5, "weight")
    for setting in ("0", "1"):
        (rc, _, errors), _ = fairness(fairgauge_bin, path, setting, ROLES["weighted"])
        assert rc == 2 and any("weight null at data row 5" in e for e in errors), (setting, errors)


def test_a_malformed_line_is_still_named(fairgauge_bin, tmp_path):
    path = tmp_path / "ragged.csv"
    write(path, "lf")
    lines = path.read_text().splitlines(keepends=True)
    lines[30_000] = lines[30_000].rstrip("\n") + ",extra\n"
    path.write_text("".join(lines))
    cmd = [str(fairgauge_bin), "fairness", str(path), *ROLES["binary"], "--format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "line 30001" in proc.stderr, proc.stderr
