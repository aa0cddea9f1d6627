"""Integer columns of every width pandas, pyarrow and polars write (8 to 64 bits, signed and
unsigned) read as their values: the reports on a table whose columns are `uint8` equal those on
the same values as `int64`, in Parquet, Arrow IPC and in memory (pandas). Until the polars build
had its 8- and 16-bit unsigned types, a `uint8` column (pandas' choice for small counts and
flags) failed with "cannot create series from uint8"."""

import json

import fairgauge
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

WIDTHS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
# What names the input or its types, not what was measured from the values.
ABOUT_INPUT = {"input", "reference", "current", "tool_version", "path", "file_sha256", "schema", "dtype"}
# How quality names each width.
SHORT = {"int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16"}
SHORT |= {"uint32": "u32", "uint64": "u64"}


def frame(width):
    rng = np.random.default_rng(11)
    n = 3_000
    label = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "label": label.astype(width),
            "prediction": (rng.random(n) < 0.3 + 0.3 * label).astype(width),
            "group": rng.integers(1, 4, n).astype(width),
            "age": rng.integers(18, 90, n).astype(width),
            "x": rng.normal(size=n),
        }
    )


def measured(d):
    """The report without what names the input or its types."""
    if isinstance(d, dict):
        return {k: measured(v) for k, v in d.items() if k not in ABOUT_INPUT}
    if isinstance(d, list):
        return [measured(v) for v in d]
    return d


def write(df, path):
    table = pa.Table.from_pandas(df, preserve_index=False)
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        feather.write_feather(table, path)


@pytest.mark.parametrize("suffix", [".parquet", ".arrow"])
def test_every_integer_width_reads_as_its_values(run_json, tmp_path, suffix):
    base = tmp_path / f"int64{suffix}"
    write(frame("int64"), base)
    roles = ["--label", "label", "--prediction", "prediction", "--sensitive", "group"]
    want = {
        "fairness": measured(run_json("fairness", base, *roles)),
        "drift": measured(run_json("drift", base, base)),
        "quality": measured(run_json("quality", base, "--label", "label", "--sensitive", "group")),
    }
    assert want["fairness"]["groups"] and want["drift"]["columns"]
    for width in WIDTHS:
        path = tmp_path / f"{width}{suffix}"
        write(frame(width), path)
        quality = run_json("quality", path, "--label", "label", "--sensitive", "group")
        assert [c["dtype"] for c in quality["columns"][:4]] == [SHORT[width]] * 4
        got = {
            "fairness": measured(run_json("fairness", path, *roles)),
            "drift": measured(run_json("drift", base, path)),
            "quality": measured(quality),
        }
        for k in want:
            assert got[k] == want[k], (width, k)


@pytest.mark.parametrize("width", ["uint8", "uint16", "int8"])
def test_pandas_frames_of_small_integers(width):
    want = fairgauge.fairness(frame("int64"), label="label", prediction="prediction", sensitive="group").to_dict()
    got = fairgauge.fairness(frame(width), label="label", prediction="prediction", sensitive="group").to_dict()
    assert json.dumps(measured(got), sort_keys=True) == json.dumps(measured(want), sort_keys=True)
