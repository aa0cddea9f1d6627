"""Parquet columns read as dictionary codes (crates/fairgauge/src/io/parquet_codes.rs) give the
same reports as polars' reader (`FAIRGAUGE_PARQUET_CODES=0`), on files written by pyarrow, an
independent writer, in every shape the codes path takes or leaves to polars: dictionary pages
with nulls, data pages v1 and v2, several row groups, codecs, a dictionary that overflows into
plain pages mid-chunk, Arrow dictionary (categorical) columns, integers of every width."""

import json
import os
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def table(n, seed):
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["female", "male", "a value longer than twelve bytes"], dtype=object), n)
    sex[rng.random(n) < 0.05] = None
    race = rng.choice(np.array(["é", "b", "c", "d"], dtype=object), n)
    label = rng.integers(0, 2, n)
    prediction = (rng.random(n) < 0.3 + 0.2 * label).astype(np.int64)
    pred_mask = rng.random(n) < 0.02
    return {
        "sex": pa.array(sex, pa.string()),
        "race": pa.array(race, pa.string()),
        "label": pa.array(label, pa.int64()),
        "prediction": pa.array(prediction, pa.int64(), mask=pred_mask),
        "label32": pa.array(label, pa.int32()),
        "label_u32": pa.array(label, pa.uint32()),
        "label_text": pa.array(np.where(label == 1, "yes", "no"), pa.string()),
        "score": pa.array(rng.random(n), pa.float64()),
        "big": pa.array([f"id{i}" for i in rng.integers(0, n, n)], pa.string()),
    }


WRITERS = {
    "v1_snappy": dict(compression="snappy", data_page_version="1.0", row_group_size=7_000),
    "v2_zstd": dict(compression="zstd", data_page_version="2.0", row_group_size=10_000),
    "uncompressed_one_group": dict(compression="none"),
    # A dictionary page limit so small that `big` falls back to plain pages within a chunk.
    "dictionary_overflow": dict(compression="snappy", dictionary_pagesize_limit=2_000, row_group_size=8_000),
    "plain": dict(compression="snappy", use_dictionary=False),
    "small_pages": dict(compression="gzip", data_page_size=1_000, row_group_size=5_000),
}


def traced(fairgauge_bin, path, *roles):
    """Which columns of each window were read as codes and which by polars."""
    env = dict(os.environ, FAIRGAUGE_PARQUET_CODES="trace")
    proc = subprocess.run(
        [str(fairgauge_bin), "fairness", str(path), *roles, "--format", "json"], capture_output=True, text=True, env=env
    )
    lines = [line for line in proc.stderr.splitlines() if line.startswith("parquet rows")]
    assert lines, proc.stderr
    return [(line.split("codes [")[1].split("]")[0], line.split("polars [")[1].split("]")[0]) for line in lines]


# What each writer's file gives to the codes path: every window's (codes, polars) columns.
EXPECTED = {
    "v1_snappy": ("label,prediction,race,score,sex", ""),
    "v2_zstd": ("label,prediction,race,score,sex", ""),
    "uncompressed_one_group": ("label,prediction,race,score,sex", ""),
    "small_pages": ("label,prediction,race,score,sex", ""),
    "plain": ("", "label,prediction,race,score,sex"),
}


def fairness(fairgauge_bin, path, codes, *roles):
    env = dict(os.environ, FAIRGAUGE_PARQUET_CODES="1" if codes else "0")
    proc = subprocess.run(
        [str(fairgauge_bin), "fairness", str(path), *roles, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode in (0, 1), proc.stderr
    rep = json.loads(proc.stdout)
    rep.pop("input", None)
    return rep


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_codes_give_polars_reports(fairgauge_bin, tmp_path, writer):
    cols = table(23_456, 5)
    path = tmp_path / f"{writer}.parquet"
    pq.write_table(pa.table(cols), path, **WRITERS[writer])
    trace = traced(
        fairgauge_bin,
        path,
        "--label",
        "label",
        "--prediction",
        "prediction",
        "--score",
        "score",
        "--sensitive",
        "sex,race",
    )
    if writer in EXPECTED:
        assert set(trace) == {EXPECTED[writer]}, trace
    else:
        # The dictionary of `big` overflows into plain pages: its windows go to polars.
        big = traced(fairgauge_bin, path, "--label", "label", "--prediction", "prediction", "--sensitive", "big")
        assert ("label,prediction", "big") in big, big
    for roles in [
        ("--label", "label", "--prediction", "prediction", "--sensitive", "sex,race", "--intersect"),
        ("--label", "label32", "--score", "score", "--sensitive", "sex"),
        ("--label", "label_u32", "--prediction", "prediction", "--sensitive", "race", "--bootstrap", "50"),
        ("--label", "label_text", "--positive-label", "yes", "--prediction", "prediction", "--sensitive", "big"),
    ]:
        if roles[-1] == "big":
            # More groups than a sensitive attribute may have: the same error both ways.
            env = dict(os.environ)
            errs = []
            for codes in ("0", "1"):
                env["FAIRGAUGE_PARQUET_CODES"] = codes
                p = subprocess.run(
                    [str(fairgauge_bin), "fairness", str(path), *roles], capture_output=True, text=True, env=env
                )
                errs.append((p.returncode, p.stderr))
            assert errs[0] == errs[1]
            assert errs[0][0] == 2 and "distinct values" in errs[0][1]
            continue
        assert fairness(fairgauge_bin, path, True, *roles) == fairness(fairgauge_bin, path, False, *roles), roles


def test_arrow_dictionary_columns(fairgauge_bin, tmp_path):
    """A categorical column (an Arrow dictionary type, which polars reads as categorical) is left to
    polars; the plain string beside it is read as codes: the report is the same."""
    cols = table(9_000, 7)
    cols["sex"] = cols["sex"].dictionary_encode()
    path = tmp_path / "cat.parquet"
    pq.write_table(pa.table(cols), path, row_group_size=4_000)
    roles = ("--label", "label", "--prediction", "prediction", "--sensitive", "sex,race", "--intersect")
    assert fairness(fairgauge_bin, path, True, *roles) == fairness(fairgauge_bin, path, False, *roles)


def test_damaged_pages_give_polars_outcome(fairgauge_bin, tmp_path):
    """Pages that do not decode are left to polars: the same error (or report) either way."""
    path = tmp_path / "damaged.parquet"
    pq.write_table(pa.table(table(20_000, 9)), path, compression="snappy", row_group_size=5_000)
    meta = pq.ParquetFile(path).metadata
    col = meta.row_group(2).column(0)  # `sex` in the third row group
    start = col.dictionary_page_offset or col.data_page_offset
    data = bytearray(path.read_bytes())
    for k in range(start + col.total_compressed_size // 3, start + col.total_compressed_size - 4):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    roles = ["--label", "label", "--prediction", "prediction", "--sensitive", "sex,race"]
    outcomes = []
    for codes in ("0", "1"):
        env = dict(os.environ, FAIRGAUGE_PARQUET_CODES=codes)
        p = subprocess.run([str(fairgauge_bin), "fairness", str(path), *roles], capture_output=True, text=True, env=env)
        outcomes.append((p.returncode, p.stdout, p.stderr))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 2 and str(path) in outcomes[0][2], outcomes[0]


def test_a_column_left_to_polars_stays_with_polars(fairgauge_bin, tmp_path):
    """`score` overflows its dictionary into plain pages in the first row group only: from the
    window where that is found, the column is read by polars in every later window (finding it out
    again would read its pages for nothing), and the report is polars' own."""
    n, group = 600_000, 100_000
    rng = np.random.default_rng(11)
    score = np.where(np.arange(n) < group, rng.random(n), rng.choice([0.1, 0.5, 0.9], n))
    label = rng.integers(0, 2, n)
    cols = {
        "label": pa.array(label, pa.int64()),
        "sex": pa.array(rng.choice(["f", "m"], n), pa.string()),
        "score": pa.array(score, pa.float64()),
    }
    path = tmp_path / "overflow_once.parquet"
    pq.write_table(pa.table(cols), path, row_group_size=group, dictionary_pagesize_limit=20_000)
    roles = ("--label", "label", "--score", "score", "--sensitive", "sex")
    trace = traced(fairgauge_bin, path, *roles)
    assert trace == [("label,sex", "score")] * 2, trace
    assert fairness(fairgauge_bin, path, True, *roles) == fairness(fairgauge_bin, path, False, *roles)
    # The later row groups alone are read as codes: the dictionary was never the problem there.
    later = tmp_path / "later.parquet"
    pq.write_table(pa.table(cols).slice(3 * group), later, row_group_size=group, dictionary_pagesize_limit=20_000)
    assert traced(fairgauge_bin, later, *roles) == [("label,score,sex", "")]


@pytest.mark.parametrize("sketch", [False, True])
def test_drift_reads_codes_as_polars_values(fairgauge_bin, tmp_path, sketch):
    """Drift counts text columns read as codes once per distinct value and takes numbers in row
    order: the report equals polars' reader's (text with nulls, integers, floats, several row
    groups; exact and sketched)."""
    paths = []
    for name, seed in (("ref", 1), ("cur", 2)):
        cols = table(30_000, seed)
        cols.pop("big")
        path = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table(cols), path, **WRITERS["v1_snappy"])
        paths.append(str(path))
    runs = []
    for codes in ("0", "1"):
        env = dict(os.environ, FAIRGAUGE_PARQUET_CODES=codes)
        cmd = [str(fairgauge_bin), "drift", *paths, "--format", "json", *(["--sketch", "200"] if sketch else [])]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        assert proc.returncode in (0, 1), proc.stderr
        rep = json.loads(proc.stdout)
        rep.pop("input", None)
        rep.pop("reference", None)
        rep.pop("current", None)
        runs.append(rep)
    assert runs[0] == runs[1]
    assert any(c["kind"] == "categorical" for c in runs[1]["columns"])
    # And the text columns were read as codes.
    env = dict(os.environ, FAIRGAUGE_PARQUET_CODES="trace")
    proc = subprocess.run(
        [str(fairgauge_bin), "drift", *paths, "--format", "json"], capture_output=True, text=True, env=env
    )
    coded = [
        line.split("codes [")[1].split("]")[0] for line in proc.stderr.splitlines() if line.startswith("parquet rows")
    ]
    assert coded and all("race" in c.split(",") and "sex" in c.split(",") for c in coded), proc.stderr
