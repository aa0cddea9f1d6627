"""fairgauge quality against independent pandas / numpy / scipy 1.17 / scikit-learn computations:
UCI Adult (placeholders, duplicates, distinct values, numeric profiles, label balance, proxies,
missingness by group, conflicting labels) and seeded synthetic tables with planted defects
(leakage, proxies, conflicting labels, duplicate keys, placeholders, case variants, padding, rules,
fingerprints).

Tolerances: counts and verdicts are compared exactly; statistics with an exact definition (mean,
std, quantiles, MAD, Cramér's V, mutual information, η, shares) to 1e-9 relative (1e-12 absolute
near zero); chi-square p-values to 1e-9 relative (both below 1e-10 count as equal).
"""

import hashlib

import numpy as np
import pandas as pd
import pytest
import tomllib
from conftest import ROOT
from scipy import stats
from scipy.stats.contingency import association
from sklearn.metrics import mutual_info_score

ADULT = ROOT / "datasets/adult/adult.data"
with open(ROOT / "datasets/adult/adult.schema.toml", "rb") as _f:
    ADULT_SCHEMA = tomllib.load(_f)
ADULT_COLUMNS = ADULT_SCHEMA["columns"]
NULL_TOKEN = ADULT_SCHEMA["null_values"][0]  # "?"
LABEL = "income"
SENSITIVE = ["sex", "race"]
MIN_GROUP_ROWS = 30  # quality.rs MIN_GROUP_ROWS


def stat_eq(got, want):
    assert got == pytest.approx(want, rel=1e-9, abs=1e-12)


def p_eq(got, want):
    if got < 1e-10 and want < 1e-10:
        return
    assert got == pytest.approx(want, rel=1e-9)


def cols(rep):
    return {c["name"]: c for c in rep["columns"]}


def checks(rep):
    return {c["id"]: c for c in rep["checks"]}


@pytest.fixture(scope="module")
def adult():
    """Adult as the raw text the CLI reads (values trimmed, nothing read as missing)."""
    df = pd.read_csv(ADULT, header=None, names=ADULT_COLUMNS, skipinitialspace=True, keep_default_na=False, dtype=str)
    assert (df.apply(lambda s: s.str.strip()) == df).all().all()
    return df


@pytest.fixture(scope="module")
def adult_raw_rep(run_json):
    """`?` not configured: it must be found as a suspected placeholder."""
    return run_json("quality", ADULT, "--no-null-values", "--label", LABEL, "--sensitive", ",".join(SENSITIVE))


@pytest.fixture(scope="module")
def adult_rep(run_json):
    """`?` configured as null by the schema file."""
    return run_json("quality", ADULT, "--label", LABEL, "--sensitive", ",".join(SENSITIVE))


def placeholder_columns(df):
    return [c for c in df.columns if (df[c] == NULL_TOKEN).any()]


def is_number(s):
    try:
        float(s)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# 1. Adult: placeholders, rows, duplicates, distinct values, numeric profiles


def test_adult_placeholders_suspected_and_configured(adult, adult_raw_rep, adult_rep):
    qcols = placeholder_columns(adult)
    assert sorted(qcols) == ["native-country", "occupation", "workclass"]
    raw, conf = cols(adult_raw_rep), cols(adult_rep)
    for c in adult.columns:
        n = int((adult[c] == NULL_TOKEN).sum())
        suspected = {p["value"]: p["count"] for p in raw[c]["missing"]["suspected"]}
        if c in qcols:
            assert suspected[NULL_TOKEN] == n, c
            assert raw[c]["missing"]["configured"] == {}
            assert conf[c]["missing"]["configured"] == {NULL_TOKEN: n}, c
            assert NULL_TOKEN not in {p["value"] for p in conf[c]["missing"]["suspected"]}
            for r in (raw[c], conf[c]):
                assert r["missing"]["total"] == n + sum(
                    p["count"] for p in r["missing"]["suspected"] if p["value"] != NULL_TOKEN
                )
                stat_eq(r["missing"]["share"], r["missing"]["total"] / len(adult))
        else:
            assert NULL_TOKEN not in suspected
            assert conf[c]["missing"]["configured"] == {}
        for r in (raw[c], conf[c]):
            assert r["missing"]["nulls"] == 0 and r["missing"]["empty_strings"] == 0
            assert r["rows"] == len(adult)


def test_adult_rows_and_duplicates(adult, adult_raw_rep, adult_rep):
    dup_mask = adult.duplicated(keep=False)
    distinct_dup_rows = len(adult[dup_mask].drop_duplicates())
    sizes = adult[dup_mask].groupby(list(adult.columns)).size().sort_values(ascending=False)
    for rep in (adult_raw_rep, adult_rep):
        d = rep["dataset"]
        assert d["rows"] == len(adult)
        assert d["columns"] == len(ADULT_COLUMNS)
        assert d["empty_rows"] == 0
        assert d["duplicates"]["extra_rows"] == int(adult.duplicated().sum())
        assert d["duplicates"]["groups"] == distinct_dup_rows
        stat_eq(d["duplicates"]["share"], adult.duplicated().sum() / len(adult))
        # The largest group first, with its 1-based rows.
        top = d["duplicates"]["examples"][0]
        assert top["count"] == sizes.iloc[0]
        rows = adult.index[(adult == adult.iloc[top["rows"][0] - 1]).all(axis=1)] + 1
        assert top["rows"] == list(rows[: len(top["rows"])])
        assert [g["count"] for g in d["duplicates"]["examples"]] == list(sizes.iloc[: len(d["duplicates"]["examples"])])


def test_adult_distinct_values(adult, adult_raw_rep, adult_rep):
    """Distinct non-missing values: configured tokens and suspected placeholders left out."""
    for rep in (adult_raw_rep, adult_rep):
        got = cols(rep)
        missing = report_missing(rep)
        for c in adult.columns:
            present = adult[c][~missing(c, adult[c])]
            assert got[c]["distinct"] == present.nunique(), c
            assert got[c]["distinct_exact"] is True
            if got[c]["kind"] == "text":
                vc = present.value_counts()
                top = got[c]["top"][0]
                assert (top["value"], top["count"]) == (vc.index[0], vc.iloc[0]), c
                stat_eq(top["share"], vc.iloc[0] / len(present))


def numpy_profile(x):
    x = np.asarray(x, dtype=float)
    q1, q3 = np.quantile(x, 0.25), np.quantile(x, 0.75)
    iqr = q3 - q1
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    return {
        "count": len(x),
        "min": x.min(),
        "max": x.max(),
        "mean": np.mean(x),
        "std": np.std(x, ddof=1),
        "quantiles": [[q, np.quantile(x, q)] for q in [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]],
        "distinct": len(np.unique(x)),
        "iqr": iqr,
        "iqr_fences": [lo, hi],
        "iqr_outliers": int(((x < lo) | (x > hi)).sum()),
        "median": med,
        "mad": mad,
        "robust_z_outliers": None if mad == 0 else int((np.abs(0.6745 * (x - med) / mad) > 3.5).sum()),
        "mode_count": int(pd.Series(x).value_counts().max()),
        "mode": float(stats.mode(x).mode),
    }


def assert_profile(got, want, where):
    for k, v in want.items():
        if k == "quantiles":
            assert [q for q, _ in got[k]] == [q for q, _ in v], where
            for (_, a), (_, b) in zip(got[k], v, strict=True):
                stat_eq(a, b)
        elif k == "iqr_fences":
            stat_eq(got[k][0], v[0])
            stat_eq(got[k][1], v[1])
        elif v is None or isinstance(v, int):
            assert got[k] == v, (where, k)
        else:
            stat_eq(got[k], v)


def test_adult_numeric_profiles(adult, adult_rep):
    got = cols(adult_rep)
    numeric = [c for c in adult.columns if adult[c].map(is_number).all()]
    assert numeric == ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    for c in adult.columns:
        if c not in numeric:
            assert got[c]["kind"] == "text" and "numeric" not in got[c], c
            continue
        assert got[c]["kind"] == "numeric_text", c
        x = adult[c].astype(float).values
        assert_profile(got[c]["numeric"], numpy_profile(x), c)
        assert got[c]["integral"] is bool((x == np.round(x)).all())


# ---------------------------------------------------------------------------------------------
# 2. Adult with a label and sensitive attributes


def test_adult_label_counts(adult, adult_rep):
    lab = adult_rep["dataset"]["label"]
    vc = adult[LABEL].value_counts()
    assert lab["column"] == LABEL
    assert lab["counts"] == {k: int(v) for k, v in vc.items()}
    stat_eq(lab["minority_share"], vc.min() / vc.sum())
    stat_eq(lab["imbalance_ratio"], vc.max() / vc.min())


def eta(x, g):
    x = np.asarray(x, dtype=float)
    m = x.mean()
    between = sum(len(x[g == k]) * (x[g == k].mean() - m) ** 2 for k in np.unique(g))
    return np.sqrt(between / ((x - m) ** 2).sum())


def decile_bins(x):
    edges = np.unique(np.quantile(x, np.arange(1, 10) / 10))
    return np.searchsorted(edges, x, side="left")  # right-closed bins (e[i-1], e[i]]


def test_adult_proxies(adult, adult_rep):
    got = {(p["feature"], p["attribute"]): p for p in adult_rep["dataset"]["proxies"]}
    kinds = {c: r["kind"] for c, r in cols(adult_rep).items()}
    want_pairs = {(f, a) for a in SENSITIVE for f in adult.columns if f not in (a, LABEL)}
    assert set(got) == want_pairs
    ch = checks(adult_rep)
    missing = report_missing(adult_rep)
    for f, a in sorted(want_pairs):
        p = got[(f, a)]
        # Missing values (configured `?`, suspected placeholders) are left out of the association.
        d = adult[~missing(f, adult[f]) & ~missing(a, adult[a])]
        attr = d[a].values
        h_attr = stats.entropy(d[a].value_counts().values)
        if kinds[f] == "text":
            assert p["measure"] == "cramers_v"
            table = pd.crosstab(d[f], d[a]).values
            stat_eq(p["value"], association(table, method="cramer"))
            mi = mutual_info_score(d[f].values, attr)
        else:
            assert p["measure"] == "correlation_ratio"
            x = d[f].astype(float).values
            stat_eq(p["value"], eta(x, attr))
            mi = mutual_info_score(decile_bins(x), attr)
        stat_eq(p["mutual_information"], mi)
        stat_eq(p["uncertainty_coefficient"], mi / h_attr)
        c = ch[f"dataset.proxy.{a}.{f}"]
        assert c["value"] == p["value"]
        assert c["status"] == ("fail" if p["value"] >= 0.5 else "warn" if p["value"] >= 0.3 else "pass")


def group_missingness(df, attr, missing):
    """Per column: ({group: share}, p) over groups with at least MIN_GROUP_ROWS rows."""
    out = {}
    for c in df.columns:
        if c == attr:
            continue
        m = missing(c, df[c])
        t = m.groupby(df[attr]).agg(["sum", "size"])
        t = t[t["size"] >= MIN_GROUP_ROWS]
        if len(t) < 2 or t["sum"].sum() == 0:
            continue
        p = stats.chi2_contingency(np.array([t["sum"], t["size"] - t["sum"]]).T, correction=False).pvalue
        out[c] = ({g: s / n for g, s, n in zip(t.index, t["sum"], t["size"], strict=True)}, p)
    return out


def report_missing(rep):
    """A column's missing cells as the report defines them: configured tokens and suspected placeholders."""
    got = cols(rep)

    def missing(c, s):
        m = got[c]["missing"]
        return s.isin(set(m["configured"]) | {p["value"] for p in m["suspected"]}) | (s.str.strip() == "")

    return missing


def assert_missingness(rep, df, missing):
    got = {(m["attribute"], m["column"]): m for m in rep["dataset"]["missingness_by_group"]}
    want = {(a, c): v for a in SENSITIVE for c, v in group_missingness(df, a, missing).items()}
    assert set(got) == set(want)
    for k, (shares, p) in want.items():
        assert set(got[k]["shares"]) == set(shares), k
        for g, s in shares.items():
            stat_eq(got[k]["shares"][g], s)
        stat_eq(got[k]["spread"], max(shares.values()) - min(shares.values()))
        p_eq(got[k]["p_value"], p)


def test_adult_missingness_by_group(adult, adult_rep):
    # `?` configured, and hours-per-week's suspected `99`, are missing in the group comparison too.
    assert_missingness(adult_rep, adult, report_missing(adult_rep))
    assert set(placeholder_columns(adult)) <= {m["column"] for m in adult_rep["dataset"]["missingness_by_group"]}


def test_adult_missingness_by_group_counts_suspected_placeholders(adult, adult_raw_rep):
    assert_missingness(adult_raw_rep, adult, report_missing(adult_raw_rep))


def conflicting_rows(df, label):
    feats = [c for c in df.columns if c != label]
    n = df.groupby(feats, dropna=False)[label].transform("nunique")
    return df[n > 1]


def test_adult_conflicting_labels(adult, adult_raw_rep, adult_rep):
    rows = conflicting_rows(adult, LABEL)
    feats = [c for c in adult.columns if c != LABEL]
    for rep in (adult_raw_rep, adult_rep):
        cl = rep["dataset"]["conflicting_labels"]
        assert cl["rows"] == len(rows)
        assert cl["groups"] == len(rows.drop_duplicates(feats))
        stat_eq(cl["share"], len(rows) / len(adult))
        assert sorted(r for g in cl["examples"] for r in g["rows"]) == sorted(rows.index + 1)


# ---------------------------------------------------------------------------------------------
# 3. Synthetic tables with planted defects


def write_csv(df, path):
    df.to_csv(path, index=False)
    return path


def read_text(path):
    return pd.read_csv(path, keep_default_na=False, dtype=str)


def test_planted_leakage(run_json, tmp_path):
    rng = np.random.default_rng(101)
    n_train, n_test, k = 500, 300, 7

    def table(n, offset):
        return pd.DataFrame(
            {
                # Unique across both tables: no accidental overlap or duplicate.
                "u": offset + np.arange(n) + rng.random(n),
                "city": rng.choice(["Paris", "Lyon", "Nice"], n),
                "age": rng.integers(18, 90, n),
            }
        )

    train, test = table(n_train, 0), table(n_test, 10_000)
    where = np.sort(rng.choice(n_test, k, replace=False))
    test.iloc[where] = train.iloc[rng.choice(n_train, k, replace=False)].values
    write_csv(train, tmp_path / "train.csv")
    write_csv(test, tmp_path / "test.csv")
    # The reference with an extra column and its columns in another order: compared on the
    # columns both tables have.
    train.assign(extra=rng.random(n_train))[["extra", "age", "u", "city"]].to_csv(tmp_path / "train2.csv", index=False)
    a, b = read_text(tmp_path / "test.csv"), read_text(tmp_path / "train.csv")
    in_ref = a.merge(b.drop_duplicates(), how="left", indicator=True)["_merge"] == "both"
    assert in_ref.sum() == k and list(np.flatnonzero(in_ref)) == list(where)
    for ref in ("train.csv", "train2.csv"):
        rep = run_json("quality", tmp_path / "test.csv", "--reference", tmp_path / ref)
        leak = rep["dataset"]["leakage"]
        assert leak["rows"] == k
        assert sorted(leak["columns"]) == ["age", "city", "u"]
        stat_eq(leak["share"], k / n_test)
        assert leak["examples"] == list(where[:5] + 1)
        c = checks(rep)["dataset.leakage"]
        assert c["status"] == "fail" and c["count"] == k
        assert rep["dataset"]["duplicates"]["extra_rows"] == 0
    # The training table against itself leaks every row; against the test table, the k rows.
    assert (
        run_json("quality", tmp_path / "train.csv", "--reference", tmp_path / "train.csv")["dataset"]["leakage"]["rows"]
        == n_train
    )
    assert (
        run_json("quality", tmp_path / "train.csv", "--reference", tmp_path / "test.csv")["dataset"]["leakage"]["rows"]
        == k
    )


def test_planted_proxy_and_group_missingness(run_json, tmp_path):
    rng = np.random.default_rng(202)
    n = 3000
    races = np.array(["A", "B", "C", "D"])
    race_i = rng.choice(4, n, p=[0.5, 0.25, 0.15, 0.10])
    race = races[race_i].astype(object)
    # zip determines race 90% of the time: each race has its own 5 zips.
    own = np.array([f"z{5 * r + j:02d}" for r, j in zip(race_i, rng.integers(0, 5, n), strict=True)])
    anyzip = np.array([f"z{j:02d}" for j in rng.integers(0, 20, n)])
    zipc = np.where(rng.random(n) < 0.9, own, anyzip)
    color = rng.choice(["red", "green", "blue", "black", "white", "grey"], n)
    x = rng.normal(size=n)
    income = 1000.0 * race_i + rng.normal(scale=100, size=n)
    # A small race group (under 30 rows) is left out of missingness by group.
    race[:12] = "E"
    phone = rng.choice(["555-0100", "555-0199"], n).astype(object)
    phone[rng.random(n) < np.where(race == "A", 0.20, 0.05)] = ""
    phone[:12] = ""
    df = pd.DataFrame({"zip": zipc, "color": color, "x": x, "income": income, "phone": phone, "race": race})
    path = write_csv(df, tmp_path / "proxy.csv")
    rep = run_json("quality", path, "--sensitive", "race")
    got = {p["feature"]: p for p in rep["dataset"]["proxies"]}
    ch = checks(rep)
    d = read_text(path)
    for f in ["zip", "color"]:
        stat_eq(got[f]["value"], association(pd.crosstab(d[f], d["race"]).values, method="cramer"))
        stat_eq(got[f]["mutual_information"], mutual_info_score(d[f], d["race"]))
    for f in ["x", "income"]:
        stat_eq(got[f]["value"], eta(d[f].astype(float).values, d["race"].values))
    assert got["zip"]["value"] >= 0.5 and ch["dataset.proxy.race.zip"]["status"] == "fail"
    assert got["income"]["value"] >= 0.5 and ch["dataset.proxy.race.income"]["status"] == "fail"
    assert got["color"]["value"] < 0.3 and ch["dataset.proxy.race.color"]["status"] == "pass"
    assert got["x"]["value"] < 0.3 and ch["dataset.proxy.race.x"]["status"] == "pass"
    # phone: empty cells are nulls, so left out of the contingency.
    dp = d[d["phone"] != ""]
    stat_eq(got["phone"]["value"], association(pd.crosstab(dp["phone"], dp["race"]).values, method="cramer"))
    # Missingness by group: groups under 30 rows (E) left out.
    (m,) = [m for m in rep["dataset"]["missingness_by_group"] if m["column"] == "phone"]
    want, p = group_missingness(d[["phone", "race"]], "race", lambda c, s: s == "")["phone"]
    assert set(m["shares"]) == set(want) == {"A", "B", "C", "D"}
    for g, s in want.items():
        stat_eq(m["shares"][g], s)
    p_eq(m["p_value"], p)
    assert m["p_value"] < 0.05 and m["spread"] > 0.05
    assert ch["dataset.missingness_by_group.race"]["status"] == "warn"


def test_planted_conflicting_labels_and_duplicates(run_json, tmp_path):
    rng = np.random.default_rng(303)
    n, m, dups = 400, 6, 3
    base = pd.DataFrame(
        {
            "f": np.arange(n) + rng.random(n),
            "city": rng.choice(["Paris", "Lyon"], n),
            "label": rng.integers(0, 2, n),
        }
    )
    flipped = base.iloc[:m].assign(label=lambda t: 1 - t["label"])
    copies = base.iloc[m : m + dups]
    df = pd.concat([base, flipped, copies]).sample(frac=1, random_state=4).reset_index(drop=True)
    path = write_csv(df, tmp_path / "conflicts.csv")
    rep = run_json("quality", path, "--label", "label", "--examples", 10)
    cl = rep["dataset"]["conflicting_labels"]
    want = conflicting_rows(read_text(path), "label")
    assert cl["rows"] == len(want) == 2 * m
    assert cl["groups"] == m
    stat_eq(cl["share"], 2 * m / len(df))
    assert [g["count"] for g in cl["examples"]] == [2] * m
    assert sorted(r for g in cl["examples"] for r in g["rows"]) == sorted(want.index + 1)
    c = checks(rep)["dataset.conflicting_labels"]
    assert c["status"] == "fail" and c["count"] == 2 * m  # 12 / 409 > 1%
    # Exact copies are duplicates, not conflicts.
    assert rep["dataset"]["duplicates"]["extra_rows"] == dups == df.duplicated().sum()
    assert rep["dataset"]["duplicates"]["groups"] == dups
    assert rep["dataset"]["label"]["counts"] == {str(k): int(v) for k, v in df["label"].value_counts().items()}


def test_planted_duplicate_keys(run_json, tmp_path):
    rng = np.random.default_rng(404)
    n = 300
    df = pd.DataFrame({"id": np.arange(1, n + 1), "v": np.arange(n) + rng.random(n), "g": rng.choice(["a", "b"], n)})
    df.loc[100:104, "id"] = [1, 2, 3, 4, 5]  # five ids twice
    df.loc[[200, 201], "id"] = 10  # one id three times
    path = write_csv(df, tmp_path / "keys.csv")
    rep = run_json("quality", path, "--key", "id")
    dk = rep["dataset"]["duplicate_keys"]
    vc = df["id"].value_counts()
    assert dk["columns"] == ["id"]
    assert dk["extra_rows"] == n - df["id"].nunique() == 7
    assert dk["groups"] == (vc > 1).sum() == 6
    assert dk["examples"][0] == {"count": 3, "rows": [10, 201, 202]}
    assert checks(rep)["dataset.duplicate_keys"]["status"] == "fail"
    assert rep["dataset"]["duplicates"]["extra_rows"] == 0
    # Two key columns: (id, g) repeats only where both repeat.
    rep2 = run_json("quality", path, "--key", "id,g")
    assert rep2["dataset"]["duplicate_keys"]["extra_rows"] == len(df) - len(df[["id", "g"]].drop_duplicates())


def test_planted_placeholders_variants_and_padding(run_json, tmp_path):
    rng = np.random.default_rng(505)
    n = 400
    income = np.round(rng.lognormal(10, 0.5, n), 2)
    sentinel_rows = [3, 50, 77, 300]
    income[sentinel_rows] = -999
    city = rng.choice(["Paris", "Lyon", "Nice"], n).astype(object)
    city[[5, 6, 7]] = "N/A"
    city[[10, 11]] = "null"
    sex = rng.choice(["Male", "Female"], n).astype(object)
    sex[[20, 21, 22]] = "male "
    sex[30] = "MALE"
    df = pd.DataFrame({"income": income, "city": city, "sex": sex, "k": np.arange(n)})
    path = write_csv(df, tmp_path / "placeholders.csv")
    rep = run_json("quality", path)
    got, ch = cols(rep), checks(rep)
    d = read_text(path)

    (p,) = got["income"]["missing"]["suspected"]
    assert (p["value"], p["count"]) == ("-999", (df["income"] == -999).sum())
    assert "negative" in p["reason"]
    assert ch["column.income.placeholders"]["status"] == "warn"
    assert got["income"]["missing"]["total"] == len(sentinel_rows)

    city_susp = {p["value"]: p["count"] for p in got["city"]["missing"]["suspected"]}
    assert city_susp == {"N/A": (d["city"] == "N/A").sum(), "null": (d["city"] == "null").sum()}
    assert got["city"]["distinct"] == d["city"][~d["city"].isin(["N/A", "null"])].nunique() == 3
    assert ch["column.city.placeholders"]["count"] == 5

    norm = d["sex"].str.strip().str.lower()
    variants = d.loc[norm == "male", "sex"].value_counts()
    (group,) = got["sex"]["text"]["variants"]
    assert {v["value"]: v["count"] for v in group} == {k: int(v) for k, v in variants.items()}
    cv = ch["column.sex.case_variants"]
    assert cv["status"] == "warn" and cv["value"] == 1
    assert cv["count"] == variants.sum() - variants.max()
    padded = d["sex"] != d["sex"].str.strip()
    assert got["sex"]["text"]["padded"] == padded.sum() == 3
    pt = ch["column.sex.padded_text"]
    assert pt["status"] == "warn" and pt["count"] == padded.sum()
    assert [e["row"] for e in pt["examples"]] == list(np.flatnonzero(padded) + 1)
    assert all(e["value"] == "male " for e in pt["examples"])
    assert "column.city.case_variants" not in ch and "column.city.padded_text" not in ch


# ---------------------------------------------------------------------------------------------
# 4. Rules: inferred from clean data, checked on corrupted data


def rule_checks(rep):
    return {c["id"]: c for c in rep["checks"] if c["id"].startswith("rule.")}


def test_inferred_rules_hold_then_catch_corruption(run, run_json, tmp_path):
    rng = np.random.default_rng(606)
    n = 250
    clean = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "age": rng.integers(18, 91, n),
            "score": np.round(rng.random(n), 6) + np.arange(n),
            "color": rng.choice(["red", "green", "blue"], n),
        }
    )
    clean_path = write_csv(clean, tmp_path / "clean.csv")
    rules = tmp_path / "rules.toml"
    run("quality", clean_path, "--infer", rules)
    declared = tomllib.loads(rules.read_text())["columns"]
    assert declared["age"]["min"] == clean["age"].min() and declared["age"]["max"] == clean["age"].max()
    assert sorted(declared["color"]["allowed"]) == sorted(clean["color"].unique())
    assert declared["id"]["unique"] is True and declared["color"]["not_null"] is True

    rep = run_json("quality", clean_path, "--rules", rules)
    rc = rule_checks(rep)
    assert rc and all(c["status"] == "pass" and c["count"] == 0 for c in rc.values()), rc

    bad = clean.astype(object).copy()
    too_old, new_cat, null_at = [16], [40, 41], [90]  # 0-based data rows
    bad.loc[too_old, "age"] = clean["age"].max() + 60
    bad.loc[new_cat, "color"] = "purple"
    bad.loc[null_at, "color"] = ""
    bad_path = write_csv(bad, tmp_path / "bad.csv")
    out = tmp_path / "failing.csv"
    rep = run_json("quality", bad_path, "--rules", rules, "--failing-rows", out)
    rc = rule_checks(rep)
    failing = {k: v for k, v in rc.items() if v["status"] == "fail"}
    assert set(failing) == {"rule.age.max", "rule.color.allowed", "rule.color.not_null"}
    for cid, rows, value in [
        ("rule.age.max", too_old, str(clean["age"].max() + 60)),
        ("rule.color.allowed", new_cat, "purple"),
        ("rule.color.not_null", null_at, None),
    ]:
        c = rc[cid]
        assert c["count"] == len(rows), cid
        stat_eq(c["value"], len(rows) / n)
        assert [e["row"] for e in c["examples"]] == [r + 1 for r in rows], cid
        assert all(e["value"] == value for e in c["examples"]), cid
    assert all(c["count"] == 0 for k, c in rc.items() if k not in failing)

    fr = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert list(fr.columns) == ["rule", "column", "row", "value"]
    got = sorted(zip(fr["rule"], fr["column"], fr["row"].astype(int), strict=True))
    want = sorted(
        [("max", "age", r + 1) for r in too_old]
        + [("allowed", "color", r + 1) for r in new_cat]
        + [("not_null", "color", r + 1) for r in null_at]
    )
    assert got == want
    assert list(fr["row"].astype(int)) == sorted(fr["row"].astype(int))  # file order


# ---------------------------------------------------------------------------------------------
# 5. Fingerprints


def fingerprints(run_json, path):
    return run_json("quality", path)["dataset"]["fingerprints"]


def test_content_fingerprint_ignores_row_and_column_order(run, run_json, tmp_path):
    a = tmp_path / "synth.csv"
    run("synth", "--rows", 3000, "--seed", 11, "--output", a)
    df = read_text(a)
    shuffled = df.sample(frac=1, random_state=5)[df.columns[::-1]]
    b = write_csv(shuffled, tmp_path / "shuffled.csv")
    changed = df.copy()
    changed.loc[1234, "age"] = str(int(changed.loc[1234, "age"]) + 1)
    c = write_csv(changed, tmp_path / "changed.csv")
    fa, fb, fc = (fingerprints(run_json, p) for p in (a, b, c))
    for f, p in [(fa, a), (fb, b), (fc, c)]:
        assert f["file_sha256"] == "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()
    assert fa["file_sha256"] != fb["file_sha256"]
    assert fa["content"] == fb["content"]
    assert fc["content"] != fa["content"]
    # Parquet of the same seeded rows: same content.
    pq = tmp_path / "synth.parquet"
    run("synth", "--rows", 3000, "--seed", 11, "--output", pq)
    fp = fingerprints(run_json, pq)
    assert fp["content"] == fa["content"]
    assert fp["file_sha256"] == "sha256:" + hashlib.sha256(pq.read_bytes()).hexdigest()
    # Adult, as published.
    f = fingerprints(run_json, ADULT)
    assert f["file_sha256"] == "sha256:" + hashlib.sha256(ADULT.read_bytes()).hexdigest()


def test_content_fingerprint_parquet_vs_shuffled_csv(run, run_json, tmp_path):
    pytest.importorskip("pyarrow")
    pq = tmp_path / "synth.parquet"
    run("synth", "--rows", 3000, "--seed", 12, "--output", pq)
    df = pd.read_parquet(pq)
    csv = write_csv(df.sample(frac=1, random_state=6)[df.columns[::-1]], tmp_path / "from_parquet.csv")
    assert fingerprints(run_json, csv)["content"] == fingerprints(run_json, pq)["content"]
