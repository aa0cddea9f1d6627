"""The ranking task (`fairness --task ranking`, `task="ranking"`) against a direct pandas/numpy
implementation of the formulas (Singh & Joachims 2018's exposure with the logarithmic discount,
top-k selection, the exposure-to-relevance ratio, the groups' NDCG), written here from the
definitions: positions from `--rank`, or from `--score` with pandas' `rank(method="min")` for the
first place a tie takes; the groups' NDCG equal to scikit-learn's `ndcg_score` (ties averaged)
when every list is one group's. The CLI and Python agree; bad input is a clear error."""

import json
import re

import fairgauge
import numpy as np
import pandas as pd
import pytest
from fairgauge import FairgaugeError
from sklearn.metrics import ndcg_score

TOL = 1e-12


def close(a, b, tol=TOL):
    assert a == pytest.approx(b, rel=tol, abs=tol), f"{a} != {b}"


def v(p):
    return 1.0 / np.log2(1.0 + np.asarray(p, dtype=float))


@pytest.fixture(scope="module")
def table():
    """800 lists of 3 to 15 items; scores rounded so that ties occur; relevance 0 to 3; the protected
    group's items score a little lower."""
    rng = np.random.default_rng(20261206)
    sizes = rng.integers(3, 16, 800)
    q = np.repeat([f"q{i:04d}" for i in range(len(sizes))], sizes)
    n = len(q)
    sex = rng.choice(["F", "M"], n, p=[0.45, 0.55])
    race = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    rel = rng.integers(0, 4, n).astype(float)
    score = (rel + rng.normal(0, 1.2, n) - np.where(sex == "F", 0.4, 0.0)).round(1)
    df = pd.DataFrame({"q": q, "sex": sex, "race": race, "score": score, "rel": rel})
    # 1-based ranks by score, ties broken by row order (for --rank).
    df["rank"] = df.groupby("q")["score"].rank(method="first", ascending=False).astype(int)
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True)


def tie_mean(slots, first, count, k=None):
    """Mean discount (within k) of `count` slots from index `first` of `slots`."""
    s = np.asarray(slots[first : first + count], dtype=float)
    d = v(s) if k is None else np.where(s <= k, v(s), 0.0)
    return d.mean()


def expected(df, attr, by, ks, relevance=True, weight=None):
    """Per group: exposure, selection rates, mean relevance, exposure-to-relevance and NDCG; with
    `weight`, every sum weighted by that column and each list's NDCG the ratio of its weighted
    DCG to its weighted ideal DCG (the mean over lists unweighted)."""
    df = df.assign(w=df[weight].astype(float) if weight else 1.0)
    per_item = []
    per_list = []
    for _, lst in df.groupby("q"):
        lst = lst.copy()
        m = len(lst)
        if by == "rank":
            slots = np.sort(lst["rank"].to_numpy(float))
            first = lst["rank"].rank(method="min").astype(int).to_numpy() - 1
            count = np.ones(m, dtype=int)
        else:
            slots = np.arange(1, m + 1, dtype=float)
            first = lst["score"].rank(method="min", ascending=False).astype(int).to_numpy() - 1
            count = lst.groupby("score")["score"].transform("size").to_numpy()
        rfirst = lst["rel"].rank(method="min", ascending=False).astype(int).to_numpy() - 1
        rcount = lst.groupby("rel")["rel"].transform("size").to_numpy()
        lst["d"] = [tie_mean(slots, f, c) for f, c in zip(first, count, strict=True)]
        lst["i"] = [tie_mean(slots, f, c) for f, c in zip(rfirst, rcount, strict=True)]
        for k in ks:
            lst[f"d{k}"] = [tie_mean(slots, f, c, k) for f, c in zip(first, count, strict=True)]
            lst[f"i{k}"] = [tie_mean(slots, f, c, k) for f, c in zip(rfirst, rcount, strict=True)]
            lst[f"top{k}"] = [np.mean(slots[f : f + c] <= k) for f, c in zip(first, count, strict=True)]
        per_item.append(lst)
        wr = lst.w * lst.rel
        g = lst.assign(gd=wr * lst.d, gi=wr * lst.i)
        for k in ks:
            g[f"gd{k}"], g[f"gi{k}"] = wr * g[f"d{k}"], wr * g[f"i{k}"]
        per_list.append(g.groupby(attr).sum(numeric_only=True))
    items = pd.concat(per_item)
    lists = pd.concat(per_list)
    out = {}
    total = (items.w * items.d).sum()
    for name, grp in items.groupby(attr):
        w = grp.w.sum()
        e = {
            "count": len(grp),
            "share": w / items.w.sum(),
            "exposure": (grp.w * grp.d).sum() / w,
            "exposure_share": (grp.w * grp.d).sum() / total,
            **{f"selection_rate_at_{k}": (grp.w * grp[f"top{k}"]).sum() / w for k in ks},
        }
        if relevance:
            lg = lists.loc[[name]]
            ok = lg[lg.gi > 0]
            e["mean_relevance"] = (grp.w * grp.rel).sum() / w
            e["exposure_relevance_ratio"] = (grp.w * grp.d).sum() / (grp.w * grp.rel).sum()
            e["ndcg"] = (ok.gd / ok.gi).mean()
            for k in ks:
                okk = lg[lg[f"gi{k}"] > 0]
                e[f"ndcg_at_{k}"] = (okk[f"gd{k}"] / okk[f"gi{k}"]).mean()
        out[name] = e
    return out


def groups(d, attr):
    return {g["group"]: g for g in d["groups"] if g["attribute"] == attr}


@pytest.mark.parametrize("by", ["rank", "score"])
def test_group_metrics_equal_the_formulas(table, by):
    order = {"rank": "rank"} if by == "rank" else {"score": "score"}
    d = fairgauge.fairness(
        table, task="ranking", query="q", relevance="rel", sensitive=["sex", "race"], k=[1, 5], **order
    ).to_dict()
    assert d["task"] == "ranking" and d["ranked_by"] == by and d["lists"] == 800
    for attr in ("sex", "race"):
        want = expected(table, attr, by, [1, 5])
        got = groups(d, attr)
        assert set(got) == set(want)
        for name, e in want.items():
            for key, value in e.items():
                close(got[name][key], value)
        s = d["summary"][attr]
        for metric in ("exposure", "selection_rate_at_5", "ndcg", "ndcg_at_1", "exposure_relevance_ratio"):
            values = [e[metric] for e in want.values()]
            close(s[f"{metric}_difference"], max(values) - min(values))
            close(s[f"{metric}_ratio"], min(values) / max(values))
    # The protected group scores lower: less exposure, fewer top-5 places (by score).
    sex = groups(d, "sex")
    assert sex["F"]["exposure"] < sex["M"]["exposure"]
    ref = d["summary"]["sex"]["reference_group"]
    assert ref == "M"
    disp = next(x for x in d["disparities"] if x["attribute"] == "sex" and x["metric"] == "exposure")
    close(disp["ratio"], sex["F"]["exposure"] / sex["M"]["exposure"])
    close(disp["difference"], sex["F"]["exposure"] - sex["M"]["exposure"])


def test_weighted_group_metrics_equal_the_formulas(table):
    df = table.copy()
    rng = np.random.default_rng(5)
    df["w"] = rng.lognormal(0.0, 0.7, len(df)).round(3)
    d = fairgauge.fairness(
        df, task="ranking", query="q", score="score", relevance="rel", sensitive=["sex", "race"], k=[1, 5],
        weight="w",
    ).to_dict()  # fmt: skip
    for attr in ("sex", "race"):
        want = expected(df, attr, "score", [1, 5], weight="w")
        got = groups(d, attr)
        for name, e in want.items():
            for key, value in e.items():
                close(got[name][key], value)
            w = df.w[df[attr] == name]
            close(got[name]["weighted"]["total"], w.sum())
            close(got[name]["weighted"]["effective_n"], w.sum() ** 2 / (w**2).sum())
        s = d["summary"][attr]
        for metric in ("exposure", "selection_rate_at_5", "ndcg", "exposure_relevance_ratio"):
            values = [e[metric] for e in want.values()]
            close(s[f"{metric}_difference"], max(values) - min(values))
            close(s[f"{metric}_ratio"], min(values) / max(values))
    close(d["weights"]["total"], df.w.sum())
    # Unit weights are the unweighted report.
    ones = fairgauge.fairness(
        df.assign(w=1.0), task="ranking", query="q", score="score", sensitive="sex", weight="w"
    ).to_dict()
    plain = fairgauge.fairness(df, task="ranking", query="q", score="score", sensitive="sex").to_dict()
    ones.pop("weights"), ones.pop("input"), ones["roles"].pop("weight", None), plain.pop("input")
    for g in ones["groups"]:
        g.pop("weighted")
    assert ones["groups"] == plain["groups"] and ones["summary"] == plain["summary"]


def test_list_bootstrap_intervals(table, run, run_json, tmp_path):
    # Percentile intervals of every summary from resampled lists: deterministic, the same from
    # the CLI and Python and whatever the row order; wider with fewer lists.
    path = tmp_path / "r.parquet"
    table.to_parquet(path)
    roles = dict(task="ranking", query="q", score="score", relevance="rel", sensitive="sex", k=[5])
    py = fairgauge.fairness(str(path), **roles, bootstrap=200, seed=1).to_dict()
    cli = run_json(
        "fairness", path, "--task", "ranking", "--query", "q", "--score", "score", "--relevance", "rel",
        "--sensitive", "sex", "--k", "5", "--bootstrap", "200", "--seed", "1",
    )  # fmt: skip
    assert cli == py and py["bootstrap"] == {"replicates": 200, "seed": 1}
    s = py["summary"]["sex"]
    assert set(s["intervals"]) == {k for k, v in s.items() if k.endswith(("_difference", "_ratio")) and v is not None}
    for ci in s["intervals"].values():
        assert ci["low"] < ci["high"] and ci["defined"] == 200
    shuffled = fairgauge.fairness(table.sample(frac=1.0, random_state=2), **roles, bootstrap=200, seed=1).to_dict()
    assert shuffled["summary"] == py["summary"]
    few = table[table.q < "q0100"]
    small = fairgauge.fairness(few, **roles, bootstrap=200, seed=1).to_dict()["summary"]["sex"]["intervals"]
    width = lambda i: i["exposure_ratio"]["high"] - i["exposure_ratio"]["low"]  # noqa: E731
    assert width(small) > width(s["intervals"])
    # The text report prints each summary with its interval, and says where they come from.
    text = run(
        "fairness", path, "--task", "ranking", "--query", "q", "--score", "score", "--relevance", "rel",
        "--sensitive", "sex", "--k", "5", "--bootstrap", "200", "--seed", "1",
    ).stdout  # fmt: skip
    iv = s["intervals"]["exposure_ratio"]
    assert f"exposure ratio {s['exposure_ratio']:.4f} [{iv['low']:.4f}, {iv['high']:.4f}]" in text, text
    assert "95% percentile bootstrap intervals over lists, 200 replicates, seed 1" in text
    plain = run("fairness", path, "--task", "ranking", "--query", "q", "--score", "score", "--sensitive", "sex")
    assert "percentile bootstrap" not in plain.stdout and "[" not in plain.stdout.split("between groups")[1]


def test_ranks_with_gaps_keep_their_positions(table):
    # A shortlist cut from a longer ranking: every third item dropped, the others keep their rank.
    cut = table[table["rank"] % 3 != 2].reset_index(drop=True)
    d = fairgauge.fairness(
        cut, task="ranking", query="q", rank="rank", relevance="rel", sensitive="race", k=[2, 4]
    ).to_dict()
    want = expected(cut, "race", "rank", [2, 4])
    got = groups(d, "race")
    for name, e in want.items():
        for key, value in e.items():
            close(got[name][key], value)


def test_one_group_per_list_gives_scikit_learns_ndcg(table):
    # Query-side groups: every item of a list has its list's group, so a group's NDCG is the mean
    # of scikit-learn's ndcg_score over its lists (ties in the score averaged, as it does).
    df = table.copy()
    df["segment"] = df.q.str[-1].map(lambda c: "even" if int(c) % 2 == 0 else "odd")
    d = fairgauge.fairness(
        df, task="ranking", query="q", score="score", relevance="rel", sensitive="segment", k=[3]
    ).to_dict()
    got = groups(d, "segment")
    for name, grp in df.groupby("segment"):
        full, at3 = [], []
        for _, lst in grp.groupby("q"):
            if lst.rel.sum() == 0:
                continue
            full.append(ndcg_score([lst.rel], [lst.score]))
            at3.append(ndcg_score([lst.rel], [lst.score], k=3))
        close(got[name]["ndcg"], np.mean(full))
        close(got[name]["ndcg_at_3"], np.mean(at3))


def test_cli_equals_python_and_reads_as_text(table, run, run_json, tmp_path):
    path = tmp_path / "r.parquet"
    table.to_parquet(path)
    args = ["fairness", path, "--task", "ranking", "--query", "q", "--score", "score", "--sensitive", "sex,race"]
    cli = run_json(*args, "--relevance", "rel", "--k", "3,10", "--intersect")
    py = fairgauge.fairness(
        str(path), task="ranking", query="q", score="score", relevance="rel", sensitive=["sex", "race"],
        k=[3, 10], intersect=True,
    ).to_dict()  # fmt: skip
    assert cli == py and "sex&race" in cli["summary"] and cli["k"] == [3, 10]
    assert cli["roles"] == {"query": "q", "score": "score", "relevance": "rel", "sensitive": ["sex", "race"]}
    text = run(*args).stdout
    assert "task ranking" in text and "exposure" in text and "top 10" in text
    r = fairgauge.fairness(str(path), task="ranking", query="q", rank="rank", sensitive="sex")
    assert "exposure ratio" in repr(r) and "exposure" in r._repr_html_()
    assert {"exposure", "exposure_share", "selection_rate_at_10"} <= set(r.by_group.columns)
    assert r.disparities.height == 2  # exposure and top-10 selection of F against M
    assert json.loads(r.to_json()) == r.to_dict()
    # Rows in any order, the same report.
    shuffled = table.sample(frac=1.0, random_state=9)
    again = fairgauge.fairness(shuffled, task="ranking", query="q", rank="rank", sensitive="sex").to_dict()
    again.pop("input"), (base := r.to_dict()).pop("input")
    assert again == base


def test_bad_input_is_a_clear_error(table, run, tmp_path):
    good = tmp_path / "good.csv"
    table.to_csv(good, index=False)
    base = ["fairness", good, "--task", "ranking", "--sensitive", "sex"]
    p = run(*base, "--rank", "rank", check=False)
    assert p.returncode == 2 and "--query COL" in p.stderr, p.stderr
    p = run(*base, "--query", "q", check=False)
    assert p.returncode == 2 and "--rank COL (1 = top) or --score COL" in p.stderr, p.stderr
    p = run(*base, "--query", "q", "--rank", "rank", "--label", "rel", check=False)
    assert p.returncode == 2 and "--relevance COL instead of --label" in p.stderr, p.stderr
    p = run("fairness", good, "--label", "rel", "--sensitive", "sex", "--query", "q", check=False)
    assert p.returncode == 2 and "add --task ranking" in p.stderr, p.stderr
    # Ranks repeated within a list name the list and the rank.
    dup = table.copy()
    first = dup.index[(dup.q == "q0007") & (dup["rank"] == 2)][0]
    dup.loc[first, "rank"] = 1
    dpath = tmp_path / "dup.csv"
    dup.to_csv(dpath, index=False)
    out = tmp_path / "r.json"
    p = run("fairness", dpath, "--task", "ranking", "--sensitive", "sex", "--query", "q", "--rank", "rank",
            "--output", out, check=False)  # fmt: skip
    assert p.returncode == 2 and "rank 1 appears twice in list `q0007`" in p.stderr, p.stderr
    assert not out.exists()
    # A rank that is not a whole number, text in the score, a negative relevance: each names its row.
    bad = table.astype({"rank": float, "score": object})
    bad.loc[4, "rank"] = 2.5
    bad.loc[6, "score"] = "high"
    bad.loc[8, "rel"] = -1.0
    bpath = tmp_path / "bad.csv"
    bad.to_csv(bpath, index=False)
    p = run(*[bpath if x == good else x for x in base], "--query", "q", "--rank", "rank", check=False)
    assert p.returncode == 2 and "rank 2.5 at row 5" in p.stderr, p.stderr
    p = run(*[bpath if x == good else x for x in base], "--query", "q", "--score", "score", check=False)
    assert p.returncode == 2 and "`high` at data row 7" in p.stderr, p.stderr
    with pytest.raises(FairgaugeError, match="relevance -1 at row 9"):
        fairgauge.fairness(
            bad.assign(rank=table["rank"]), task="ranking", query="q", rank="rank", sensitive="sex", relevance="rel"
        )
    # A pandas column of text and numbers is a DataError naming the conversion, not pyarrow's own.
    with pytest.raises(fairgauge.DataError, match="mixed types"):
        fairgauge.fairness(bad, task="ranking", query="q", score="score", sensitive="sex")
    p = run(*base, "--query", "q", "--rank", "rank", "--k", "0", check=False)
    assert p.returncode == 2 and "at least 1" in p.stderr, p.stderr
    p = run(*base, "--query", "q", "--rank", "rank", "--weight", "score", check=False)
    assert p.returncode == 2 and "is not a number ≥ 0" in p.stderr and "data row" in p.stderr, p.stderr
    p = run("assess", "--current", good, "--task", "ranking", "--label", "rel", "--sensitive", "sex", check=False)
    assert "a ranking's truth is its relevance" in p.stdout + p.stderr, p.stderr
    # k longer than every list is a warning, not an error.
    r = fairgauge.fairness(table, task="ranking", query="q", rank="rank", sensitive="sex", k=50)
    assert any("k = 50" in w for w in r.warnings) and "warning" in repr(r)
    with pytest.raises(ValueError, match="add task='ranking'"):
        fairgauge.fairness(table, label="rel", sensitive="sex", query="q")
    with pytest.raises(ValueError, match="needs query="):
        fairgauge.fairness(table, task="ranking", rank="rank", sensitive="sex")
    with pytest.raises(ValueError, match="k is a whole cut-off"):
        fairgauge.fairness(table, task="ranking", query="q", rank="rank", sensitive="sex", k=[0])
    with pytest.raises(ValueError, match="k is a whole cut-off"):
        fairgauge.fairness(table, task="ranking", query="q", rank="rank", sensitive="sex", k=2.5)
    numpy_k = fairgauge.fairness(table, task="ranking", query="q", rank="rank", sensitive="sex", k=np.int64(3))
    assert numpy_k.to_dict()["k"] == [3]
    with pytest.raises(ValueError, match="a ranking's top is chosen with k="):
        fairgauge.fairness(table, task="ranking", query="q", score="score", sensitive="sex", threshold=0.5)
    p = run(*base, "--query", "q", "--score", "score", "--threshold", "0.5", check=False)
    assert p.returncode == 2 and "chosen with --k" in p.stderr, p.stderr
    with pytest.raises(FairgaugeError, match="relevance role needs values"):
        fairgauge.fairness(
            table.assign(rel=np.nan), task="ranking", query="q", rank="rank", sensitive="sex", relevance="rel"
        )
    one = table.assign(sex="F")
    with pytest.raises(FairgaugeError, match="only one group"):
        fairgauge.fairness(one, task="ranking", query="q", rank="rank", sensitive="sex")
    nulls = table.assign(q=None)
    with pytest.raises(FairgaugeError, match="every value is null"):
        fairgauge.fairness(nulls, task="ranking", query="q", rank="rank", sensitive="sex")


def test_assess_judges_the_exposure_ratio_and_the_policys_ranking_thresholds(table, run, tmp_path):
    import csv
    from pathlib import Path

    import jsonschema
    from test_exports import validate_oscal

    roles = dict(task="ranking", query="q", score="score", relevance="rel", sensitive=["sex", "race"], k=[5, 10])
    schema = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "evidence.schema.json").read_text())
    ev = fairgauge.assess(table, **roles)
    d = ev.to_dict()
    jsonschema.Draft202012Validator(schema).validate(d)
    assert d["roles"]["task"] == "ranking" and d["roles"]["query"] == "q" and d["roles"]["k"] == [5, 10]
    report = fairgauge.fairness(table, **roles).to_dict()
    assert d["results"]["fairness"]["summary"] == report["summary"]
    bias = {(f["kind"], f["subject"]["attribute"]): f for f in d["findings"] if f["kind"].startswith("fairness.")}
    # The default policy judges the exposure ratio (below 0.9 warn, 0.8 fail) per attribute.
    for attr in ("sex", "race"):
        f = bias[("fairness.exposure_ratio", attr)]
        v = report["summary"][attr]["exposure_ratio"]
        assert f["value"] == v
        assert f["status"] == ("fail" if v < 0.8 else "warn" if v < 0.9 else "pass")
        assert "fail below 0.8" in f["message"] and "Singh & Joachims" in f["message"]
    assert ("fairness.ndcg_ratio", "sex") not in bias  # not in the default policy
    risks = {r["title"] for r in d["risks"]}
    sex_status = bias[("fairness.exposure_ratio", "sex")]["status"]
    assert "Unequal exposure in rankings by sex" in risks or sex_status == "pass"
    paths = ev.write(tmp_path / "out", ["json", "register", "oscal", "html"])
    validate_oscal(Path(paths["oscal"]))
    with open(paths["register"], newline="") as fh:
        assert list(csv.DictReader(fh)) is not None
    html = Path(paths["html"]).read_text()
    for attr in ("sex", "race"):
        assert f'aria-label="Mean exposure (position discount) by {attr}: ' in html
        assert f'aria-label="Selection rate into the top 5 by {attr}: ' in html
        assert f'aria-label="NDCG by {attr}: ' in html
    # A policy of the system's own: the top-5 selection ratio and NDCG ratio, set to fail.
    policy = tmp_path / "p.toml"
    policy.write_text(
        '[data]\nquery = "q"\nscore = "score"\nrelevance = "rel"\nsensitive = ["sex"]\ntask = "ranking"\nk = [5]\n'
        '[fairness.thresholds.selection_rate_at_5_ratio]\nwarn = 0.999\nfail = 0.998\ndirection = "below"\n'
        '[fairness.thresholds.ndcg_difference]\nwarn = 0.5\nfail = 0.9\ndirection = "above"\n'
    )
    data = tmp_path / "t.parquet"
    table.to_parquet(data)
    out = tmp_path / "e.json"
    p = run("assess", "--current", data, "--policy", policy, "--output", out, check=False)
    assert p.returncode == 1, p.stderr
    e = json.loads(out.read_text())
    top = next(f for f in e["findings"] if f["kind"] == "fairness.selection_rate_at_5_ratio")
    one = fairgauge.fairness(table, task="ranking", query="q", score="score", relevance="rel", sensitive="sex", k=5)
    close(top["value"], one.to_dict()["summary"]["sex"]["selection_rate_at_5_ratio"])
    assert top["status"] == "fail" and "Unequal exposure in rankings by sex" in {r["title"] for r in e["risks"]}
    nd = next(f for f in e["findings"] if f["kind"] == "fairness.ndcg_difference")
    assert nd["status"] == "pass" and "Unequal ranking quality by sex" not in {r["title"] for r in e["risks"]}
    # --fail-on on the analysis alone judges the same way; the CLI flags override the policy's.
    args = ["fairness", data, "--task", "ranking", "--query", "q", "--score", "score", "--sensitive", "sex"]
    assert run(*args, "--k", "5", "--fail-on", "fail", "--policy", policy, check=False).returncode == 1
    assert run(*args, "--k", "5", "--fail-on", "fail", check=False).returncode in (0, 1)
    p = run("assess", "--current", data, "--policy", policy, "--k", "3", "--output", out, check=False)
    e = json.loads(out.read_text())
    assert e["roles"]["k"] == [3] and not any(f["kind"] == "fairness.selection_rate_at_5_ratio" for f in e["findings"])
    # Python's judge gives the CLI's findings.
    judged = json.loads(fairgauge._fairgauge.judge("fairness", json.dumps(report), None))
    from_assess = [f["id"] for f in d["findings"] if f["kind"].startswith("fairness.")]
    assert sorted(f["id"] for f in judged) == sorted(from_assess)
    # The policy's bootstrap resamples lists: intervals in the evidence, no error finding.
    booted = tmp_path / "boot.toml"
    booted.write_text(policy.read_text() + "[fairness]\nbootstrap = 20\n")
    run("assess", "--current", data, "--policy", booted, "--output", out, check=False)
    e = json.loads(out.read_text())
    assert not [f for f in e["findings"] if f["kind"] == "fairness.error"]
    iv = e["results"]["fairness"]["summary"]["sex"]["intervals"]["selection_rate_at_5_ratio"]
    assert iv["low"] < iv["high"] and iv["defined"] == 20
    top = next(f for f in e["findings"] if f["kind"] == "fairness.selection_rate_at_5_ratio")
    assert top["interval"] == [iv["low"], iv["high"]] and "20 replicates" in top["message"]
    # The HTML report writes each summary with its interval, and what the intervals are.
    html_path = tmp_path / "boot.html"
    run("assess", "--current", data, "--policy", booted, "--output", out, "--html", html_path, check=False)
    page = html_path.read_text()
    assert "percentile bootstrap over lists, 20 replicates." in page
    assert re.search(r"selection rate at 5 ratio [0-9.]+ \[[0-9.]+, [0-9.]+\]", page), page
    assert "percentile bootstrap" not in html
    # A threshold name for another cut-off form is an error naming it.
    bad = tmp_path / "bad.toml"
    bad.write_text('[fairness.thresholds.selection_rate_at_k_ratio]\nwarn = 0.9\nfail = 0.8\ndirection = "below"\n')
    p = run(*args, "--fail-on", "fail", "--policy", bad, check=False)
    assert p.returncode == 2 and "selection_rate_at_k_ratio: unknown metric" in p.stderr, p.stderr
