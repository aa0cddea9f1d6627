"""A run judged against its system's history (`assess --history`), checked against independent
computations: each anomaly rule's expected range recomputed with numpy from the earlier values
read back with Python's sqlite3 (or from `history export` read by pandas); each risk's life
(new, open, worsening, improving, resolved; first and last seen, runs seen, trend) recomputed from
the database's `risks` and `metrics` tables; people's decisions (`fairgauge risk ...`) and their
review dates applied in the next run, and carried into the risk register (read by the csv
module), the OSCAL assessment results (validated with compliance-trestle) and the evidence
(validated with jsonschema against schemas/evidence.schema.json)."""

import copy
import csv
import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from test_exports import validate_oscal

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "evidence.schema.json").read_text())
ROLES = ["--label", "label", "--prediction", "prediction", "--sensitive", "sex,race"]
MONITORING = {"ISO42001:9.1", "ISO42001:A.6.2.6", "NIST-AI-RMF:MEASURE-3.1", "NIST-AI-RMF:MANAGE-4.1"}
LIFE_COLUMNS = [
    "life_status",
    "first_seen",
    "last_seen",
    "runs_seen",
    "decision",
    "decided_by",
    "decided_at",
    "decision_reason",
    "review_date",
    "decision_in_force",
]
FAR_FUTURE = "2099-12-31"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(run, tmp_path_factory):
    """`table(seed, disparity)`: a `fairgauge synth` table of 5000 rows (written once)."""
    d = tmp_path_factory.mktemp("tables")

    def _table(seed, disparity, rows=5000):
        path = d / f"synth-{seed}-{disparity}-{rows}.csv"
        if not path.exists():
            run("synth", "--rows", rows, "--seed", seed, "--disparity", disparity, "-o", path)
        return path

    return _table


def assess(run, data, db, out, *extra):
    """Runs `assess --history db` (exit 0 or 1: a failing finding is no error); the evidence."""
    proc = run("assess", "--current", data, *ROLES, "--history", db, "-o", out, *extra, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(Path(out).read_text())


def write_policy(path, rules):
    """A policy file of `version = 1` and the anomaly rules `rules` (dicts of TOML scalars)."""
    lines = ["version = 1"]
    for rule in rules:
        lines.append("[[history.anomaly]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in rule.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def query(db, sql, *params):
    with closing(sqlite3.connect(db)) as con:
        return con.execute(sql, params).fetchall()


def ordered_runs(db):
    """The run ids, oldest first, as fairgauge orders them (end time, then insertion)."""
    return [r for (r,) in query(db, "SELECT run_id FROM runs ORDER BY finished_at, rowid")]


def earlier_points(db, finding_id, run_id):
    """The finding's (value, lower, upper) in the runs before `run_id`, oldest first (values
    that are missing, NaN in the evidence, are left out)."""
    rows = query(
        db,
        "SELECT m.run_id, m.value, m.lower, m.upper FROM metrics m JOIN runs r USING (run_id) "
        "WHERE m.finding_id = ? AND m.window_start IS NULL ORDER BY r.finished_at, r.rowid",
        finding_id,
    )
    ids = [r[0] for r in rows]
    cut = ids.index(run_id) if run_id in ids else len(ids)
    return [r[1:] for r in rows[:cut] if r[1] is not None]


def outside(x, lo, hi):
    """Outside [lo, hi] by more than rounding (relative 1e-12), and not within 1e-9 of a bound
    (None: too close to call)."""
    if min(abs(x - lo), abs(x - hi)) <= 1e-9:
        return None
    slack = 1e-12 * max(abs(x), abs(lo), abs(hi))
    return x < lo - slack or x > hi + slack


def judged_findings(e):
    return [f for f in e["findings"] if not f["kind"].endswith(".anomaly")]


def check_anomaly_finding(e, a, status):
    """The anomaly finding `a["finding"]` is about the same subject and metric as the finding it
    judges, with the rule's status and the monitoring controls."""
    by_id = {f["id"]: f for f in e["findings"]}
    anomaly, judged = by_id[a["finding"]], by_id[a["of"]]
    assert anomaly["id"] != judged["id"]
    assert anomaly["kind"] == judged["kind"].split(".")[0] + ".anomaly"
    assert anomaly["subject"] == judged["subject"] and anomaly["metric"] == judged["metric"]
    assert anomaly["status"] == status
    assert MONITORING <= {c["id"] for c in anomaly["controls"]}
    assert a["value"] == judged["value"]


def backdate(db, run_id, day):
    """Moves a recorded run's end to 2001-01-<day> (so each run of a history ends at its own
    second, in order)."""
    with closing(sqlite3.connect(db)) as con:
        con.execute("UPDATE runs SET finished_at = ? WHERE run_id = ?", (f"2001-01-{day:02d}T00:00:00Z", run_id))
        con.commit()


def decisions_table(db):
    return query(db, "SELECT * FROM decisions ORDER BY decision_id")


def read_register(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------------------------
# Anomalies
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mean_sd_histories(run, table, tmp_path_factory):
    """Two identical histories: five runs at disparity 0.05, then one at 0.4, judged by a single
    mean_sd rule (k 2, last 3 runs) on the equal opportunity difference."""
    d = tmp_path_factory.mktemp("mean_sd")
    policy = write_policy(
        d / "policy.toml", [{"metric": "equal_opportunity_difference", "rule": "mean_sd", "k": 2, "runs": 3}]
    )
    histories = []
    for name in ("a", "b"):
        db = d / f"{name}.db"
        evs = [assess(run, table(s, 0.05), db, d / f"{name}-{s}.json", "--policy", policy) for s in (1, 2, 3, 4, 5)]
        evs.append(assess(run, table(9, 0.4), db, d / f"{name}-hi.json", "--policy", policy))
        histories.append((db, evs))
    return histories


def test_mean_sd_ranges_equal_numpy_over_the_last_runs(mean_sd_histories):
    """For every run and every equal-opportunity finding with at least two earlier values, the
    expected range is mean ± 2·sd (numpy, ddof=1) of the last 3 earlier values read from sqlite;
    the anomalies are exactly the findings outside it; the user's rule replaced the default
    interval rule; the jump to disparity 0.4 is flagged for sex; anomaly ids are stable (the same
    id for the same judged finding and rule in every run and in an identical history)."""
    (db, evs), (_, evs_b) = mean_sd_histories
    ids_by_of = {}
    for i, e in enumerate(evs):
        h = e["results"]["history"]
        assert h["earlier_runs"] == i
        want, judged = {}, 0
        for f in judged_findings(e):
            if f["metric"] != "equal_opportunity_difference" or f.get("value") is None:
                continue
            earlier = [v for v, _, _ in earlier_points(db, f["id"], e["run"]["id"])]
            if len(earlier) < 2:
                continue
            judged += 1
            last = np.array(earlier[-3:])
            mean, sd = last.mean(), last.std(ddof=1)
            want[f["id"]] = (mean - 2 * sd, mean + 2 * sd, len(last), outside(f["value"], mean - 2 * sd, mean + 2 * sd))
        assert h["judged"] == judged
        if i >= 2:
            assert judged == 5  # race: 4 groups vs White, sex: Female vs Male
        got = {a["of"]: a for a in h["anomalies"]}
        assert len(got) == len(h["anomalies"])
        assert {a["rule"] for a in h["anomalies"]} <= {"mean_sd"}
        flagged = {fid for fid, w in want.items() if w[3]}
        clear = {fid for fid, w in want.items() if w[3] is False}
        assert flagged <= set(got) and not (clear & set(got)) and set(got) <= set(want)
        for fid, a in got.items():
            lo, hi, n, _ = want[fid]
            assert a["expected"] == pytest.approx([lo, hi], abs=1e-12, rel=0)
            assert a["runs_used"] == n
            check_anomaly_finding(e, a, "warn")
            assert ids_by_of.setdefault(fid, a["finding"]) == a["finding"]
    last = evs[-1]
    subjects = {f["id"]: f["subject"] for f in last["findings"]}
    assert any(subjects[a["of"]]["attribute"] == "sex" for a in last["results"]["history"]["anomalies"])
    # The identical history: other run ids, the same anomaly findings.
    assert evs_b[-1]["run"]["id"] != last["run"]["id"]
    pairs = {(a["of"], a["finding"]) for a in last["results"]["history"]["anomalies"]}
    assert pairs == {(a["of"], a["finding"]) for a in evs_b[-1]["results"]["history"]["anomalies"]}
    assert pairs


def test_absolute_and_relative_change_from_the_previous_run(run, table, tmp_path):
    """Two rules at once: absolute_change (limit 0.02, severity fail) on `fairness.*` and
    relative_change (limit 0.05) on `selection_rate_ratio`. Expected ranges, recomputed from the
    previous run's values as `history export --format csv` gives them (read by pandas), are
    prev ± 0.02 and prev ± 0.05·|prev|; anomalies are exactly the values outside, with the rule's
    status; quality findings are not judged; one finding flagged by both rules gets two ids."""
    db = tmp_path / "h.db"
    policy = write_policy(
        tmp_path / "policy.toml",
        [
            {"metric": "fairness.*", "rule": "absolute_change", "limit": 0.02, "severity": "fail"},
            {"metric": "selection_rate_ratio", "rule": "relative_change", "limit": 0.05},
        ],
    )
    first = assess(run, table(1, 0.05), db, tmp_path / "1.json", "--policy", policy)
    e = assess(run, table(2, 0.05), db, tmp_path / "2.json", "--policy", policy)
    run("history", "export", db, "--format", "csv", "-o", tmp_path / "m.csv")
    m = pd.read_csv(tmp_path / "m.csv")
    prev_rows = m[(m["run_id"] == first["run"]["id"]) & m["window_start"].isna()]
    prev = dict(zip(prev_rows["finding_id"], prev_rows["value"], strict=True))
    want = {}
    for f in judged_findings(e):
        p = prev.get(f["id"])
        if f.get("value") is None or p is None or np.isnan(p):
            continue
        x = f["value"]
        if f["kind"].startswith("fairness."):
            want[(f["id"], "absolute_change")] = (p - 0.02, p + 0.02, outside(x, p - 0.02, p + 0.02))
        if f["metric"] == "selection_rate_ratio":
            half = 0.05 * abs(p)
            want[(f["id"], "relative_change")] = (p - half, p + half, outside(x, p - half, p + half))
    h = e["results"]["history"]
    assert h["earlier_runs"] == 1 and h["judged"] == len(want)
    got = {(a["of"], a["rule"]): a for a in h["anomalies"]}
    assert len(got) == len(h["anomalies"])
    assert {k for k, w in want.items() if w[2]} <= set(got) <= set(want)
    assert not {k for k, w in want.items() if w[2] is False} & set(got)
    for rule in ("absolute_change", "relative_change"):
        n_judged = sum(1 for k in want if k[1] == rule)
        n_flagged = sum(1 for k in got if k[1] == rule)
        assert 0 < n_flagged < n_judged, rule  # the data exercise both outcomes
    for (_, rule), a in got.items():
        lo, hi, _ = want[(a["of"], rule)]
        assert a["expected"] == pytest.approx([lo, hi], abs=1e-12, rel=0)
        assert a["runs_used"] == 1
        check_anomaly_finding(e, a, "fail" if rule == "absolute_change" else "warn")
    both = {of for of, rule in got if rule == "absolute_change"} & {of for of, rule in got if rule == "relative_change"}
    assert both
    for of in both:
        assert got[(of, "absolute_change")]["finding"] != got[(of, "relative_change")]["finding"]
    assert len({a["finding"] for a in h["anomalies"]}) == len(h["anomalies"])
    assert e["summary"]["overall"] == "fail"


def test_default_interval_rule_flags_disjoint_intervals_from_the_last_run(run, table, tmp_path):
    """The default policy's rule (interval, runs 1): over three runs (disparity 0.1, 0.4, 0.1)
    every finding with an interval whose previous run recorded one is judged, against that run's
    [lower, upper] from sqlite only (not the older runs'), and is an anomaly iff the intervals are
    disjoint; findings without an interval are not judged."""
    db = tmp_path / "h.db"
    evs = [assess(run, table(s, d), db, tmp_path / f"{s}.json") for s, d in ((11, 0.1), (12, 0.4), (13, 0.1))]
    assert evs[0]["results"]["history"] == {"earlier_runs": 0, "judged": 0, "anomalies": [], "series": []}
    for e in evs[1:]:
        want = {}
        for f in judged_findings(e):
            if f.get("value") is None or "interval" not in f:
                continue
            earlier = [(lo, hi) for _, lo, hi in earlier_points(db, f["id"], e["run"]["id"]) if lo is not None]
            if not earlier:
                continue
            (plo, phi), (lo, hi) = earlier[-1], f["interval"]
            want[f["id"]] = ([plo, phi], hi < plo or lo > phi)
        h = e["results"]["history"]
        assert h["judged"] == len(want) > 0
        got = {a["of"]: a for a in h["anomalies"]}
        assert set(got) == {fid for fid, (_, anomalous) in want.items() if anomalous}
        for fid, a in got.items():
            assert a["rule"] == "interval" and a["runs_used"] == 1
            assert a["expected"] == want[fid][0]
            check_anomaly_finding(e, a, "warn")
    # The jump to 0.4 moves some intervals clear of the last run's, not all of them.
    assert 0 < len(evs[1]["results"]["history"]["anomalies"]) < evs[1]["results"]["history"]["judged"]


@pytest.mark.parametrize(
    ("rules", "index"),
    [
        ([{"metric": "*", "rule": "zscore"}], 0),
        ([{"metric": "*", "rule": "interval"}, {"metric": "fairness.*", "rule": "absolute_change"}], 1),
        ([{"metric": "*", "rule": "mean_sd", "runs": 1}], 0),
        ([{"metric": "*", "rule": "interval", "severity": "info"}], 0),
    ],
    ids=["unknown-rule", "missing-limit", "mean_sd-one-run", "severity-info"],
)
def test_a_bad_anomaly_rule_exits_2_naming_it(run, table, tmp_path, rules, index):
    """A policy with a bad anomaly rule exits 2 with a message naming `history.anomaly[i]` (the
    index of the bad one, not of the first), and writes neither the evidence nor the history."""
    policy = write_policy(tmp_path / "bad.toml", rules)
    db, out = tmp_path / "h.db", tmp_path / "ev.json"
    proc = run(
        "assess", "--current", table(1, 0.05), *ROLES, "--history", db, "-o", out, "--policy", policy, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert f"history.anomaly[{index}]" in proc.stderr
    assert f"history.anomaly[{1 - index}]" not in proc.stderr
    assert not db.exists() and not out.exists()


# --------------------------------------------------------------------------------------------
# Risk life
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lives(run, table, tmp_path_factory):
    """Four runs (disparity 0.1, 0.4, 0.4, 0.0), each moved to its own day after it is recorded;
    before the last, every risk of the third run is closed. The last run writes a register and
    OSCAL."""
    d = tmp_path_factory.mktemp("lives")
    db = d / "h.db"
    evs = []
    for day, (seed, disparity) in enumerate(((11, 0.1), (12, 0.4), (13, 0.4), (14, 0.0)), start=1):
        extra = ["--register", d / "register.csv", "--oscal", d / "oscal.json"] if day == 4 else []
        if day == 4:
            for r in evs[-1]["risks"]:
                run("risk", "close", r["id"], "--history", db, "--by", "auditor", "--reason", "fixed upstream")
        evs.append(assess(run, table(seed, disparity), db, d / f"{day}.json", *extra))
        backdate(db, evs[-1]["run"]["id"], day)
    return d, db, evs


def seen_by(db):
    """Each run's risks from the `risks` table: {run_id: {risk_id: (score, metric, value)}}."""
    out = {}
    for run_id, risk_id, score, metric, value in query(db, "SELECT run_id, risk_id, score, metric, value FROM risks"):
        out.setdefault(run_id, {})[risk_id] = (score, metric, value)
    return out


def test_risk_life_equals_the_history_tables(lives):
    """Each run's risks' life recomputed from the database: the runs that saw a risk (the `risks`
    table, which agrees with the metrics' risk ids), status new / worsening / improving / open
    from the score in the last run that saw it, runs_seen, first_seen (the first such run's end),
    the trend's times, scores and driving metrics; the risks earlier runs saw and the last one
    does not are its resolved_risks, as last seen, closed by the decision in force."""
    _, db, evs = lives
    order = ordered_runs(db)
    assert order == [e["run"]["id"] for e in evs]
    ends = dict(query(db, "SELECT run_id, finished_at FROM runs"))
    seen = seen_by(db)
    for run_id in order:
        from_metrics = {
            r
            for (r,) in query(
                db, "SELECT DISTINCT risk_id FROM metrics WHERE run_id = ? AND risk_id IS NOT NULL", run_id
            )
        }
        assert set(seen.get(run_id, {})) == from_metrics
    statuses = set()
    for k, e in enumerate(evs):
        before = order[:k]
        now = e["run"]["finished_at"]
        assert {r["id"] for r in e["risks"]} == set(seen[order[k]])
        for r in e["risks"]:
            earlier = [rid for rid in before if r["id"] in seen.get(rid, {})]
            life = r["life"]
            if not earlier:
                want = "new"
            else:
                prev = seen[earlier[-1]][r["id"]][0]
                want = "worsening" if r["score"] > prev else "improving" if r["score"] < prev else "open"
            assert life["status"] == want, r["id"]
            statuses.add(want)
            assert life["runs_seen"] == len(earlier) + 1
            assert life["first_seen"] == (ends[earlier[0]] if earlier else now)
            assert life["last_seen"] == now
            trend = [(ends[rid], *seen[rid][r["id"]]) for rid in earlier]
            got = [(t["finished_at"], t["score"], t["metric"], t["value"]) for t in life["trend"]]
            assert got[:-1] == trend
            assert got[-1][:2] == (now, r["score"])
            assert r["score"] == seen[order[k]][r["id"]][0]
        # Resolved: seen by an earlier run, not by this one.
        gone = {rid for run_id in order[:k] for rid in seen.get(run_id, {})} - set(seen[order[k]])
        assert {r["id"] for r in e.get("resolved_risks", [])} == gone
    assert statuses == {"new", "worsening", "open", "improving"}
    last = evs[-1]
    assert last["resolved_risks"]
    closed = {r["id"] for r in evs[2]["risks"]}
    for r in last["resolved_risks"]:
        runs_of = [rid for rid in order[:3] if r["id"] in seen.get(rid, {})]
        life = r["life"]
        assert life["status"] == "resolved"
        assert life["runs_seen"] == len(runs_of)
        assert (life["first_seen"], life["last_seen"]) == (ends[runs_of[0]], ends[runs_of[-1]])
        assert [t["finished_at"] for t in life["trend"]] == [ends[rid] for rid in runs_of]
        assert r["score"] == seen[runs_of[-1]][r["id"]][0]
        # Closed, and still away: the decision holds.
        assert r["id"] in closed
        assert life["decision"]["decision"] == "close" and life["decision"]["in_force"] is True
        assert r["status"] == "closed"
    for r in last["risks"]:
        if r["id"] in closed:  # closed, and came back: open again
            assert r["life"]["decision"]["in_force"] is False and r["status"] == "open"


def test_risk_list_equals_the_history_tables(run, lives):
    """`risk list --format json`: per risk, the runs that saw it (count, first and last end) from
    the metrics table, `resolved` exactly for the risks the last run's evidence lists as
    resolved, and the latest decision recorded."""
    _, db, evs = lives
    rows = json.loads(run("risk", "list", "--history", db, "--format", "json").stdout)
    want = {}
    for risk_id, first, last, n in query(
        db,
        "SELECT m.risk_id, min(r.finished_at), max(r.finished_at), count(DISTINCT m.run_id) "
        "FROM metrics m JOIN runs r USING (run_id) WHERE m.risk_id IS NOT NULL GROUP BY m.risk_id",
    ):
        want[risk_id] = (first, last, n)
    assert {r["risk_id"] for r in rows} == set(want)
    resolved = {r["id"] for r in evs[-1]["resolved_risks"]}
    decided = dict(query(db, "SELECT risk_id, decided_by FROM decisions"))
    for r in rows:
        assert (r["first_seen"], r["last_seen"], r["runs_seen"]) == want[r["risk_id"]]
        assert r["state"] == ("resolved" if r["risk_id"] in resolved else "open")
        assert r["system_id"] == "unnamed-system"
        if r["risk_id"] in decided:
            assert r["decision"]["decision"] == "close" and r["decision"]["decided_by"] == decided[r["risk_id"]]
        else:
            assert r["decision"] is None


def test_risk_list_state_follows_the_run_order_when_runs_end_in_the_same_second(run, table, tmp_path):
    """Two runs that end in the same second (as quick runs do): the evidence orders them by
    insertion and lists the risks the second one no longer sees as resolved; `risk list` must
    agree and call those risks `resolved`, not `open`."""
    db = tmp_path / "h.db"
    assess(run, table(12, 0.4), db, tmp_path / "1.json")
    e = assess(run, table(14, 0.0), db, tmp_path / "2.json")
    with closing(sqlite3.connect(db)) as con:
        con.execute("UPDATE runs SET finished_at = '2001-01-01T00:00:00Z'")
        con.commit()
    resolved = {r["id"] for r in e["resolved_risks"]}
    assert resolved
    rows = json.loads(run("risk", "list", "--history", db, "--format", "json").stdout)
    state = {r["risk_id"]: r["state"] for r in rows}
    assert {rid for rid, s in state.items() if s == "resolved"} == resolved


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def decided(run, table, tmp_path_factory):
    """Two runs at disparity 0.4; then the error cases; then a decision on each of six risks
    (accept until 2099 after a mitigate, close, mitigate, an expired acceptance written with
    sqlite3, transfer until 2099, avoid); then a third run writing a register and OSCAL."""
    d = tmp_path_factory.mktemp("decided")
    db = d / "h.db"
    assess(run, table(21, 0.4), db, d / "1.json")
    second = assess(run, table(22, 0.4), db, d / "2.json")
    risks = sorted(r["id"] for r in second["risks"])
    assert len(risks) >= 6, risks
    errors = []
    for args in (
        ("accept", "R-000000000000", "--by", "auditor", "--reason", "ok"),
        ("accept", risks[0], "--by", "auditor", "--reason", "ok", "--until", "2020-01-01"),
        ("accept", risks[0], "--by", "auditor", "--reason", "ok", "--until", "next-week"),
        ("accept", risks[0], "--by", "auditor", "--reason", "ok", "--until", "2099-02-30"),
        ("mitigate", risks[0], "--by", "", "--reason", "ok"),
        ("close", risks[0], "--by", "auditor", "--reason", "   "),
    ):
        before = decisions_table(db)
        proc = run("risk", *args, "--history", db, check=False)
        errors.append((args, proc.returncode, decisions_table(db) == before))
    plan = [
        ("mitigate", risks[0], None),
        ("accept", risks[0], FAR_FUTURE),
        ("close", risks[1], None),
        ("mitigate", risks[2], None),
        ("transfer", risks[4], "2099-06-30"),
        ("avoid", risks[5], None),
    ]
    for decision, risk_id, until in plan:
        n = len(decisions_table(db))
        extra = ["--until", until] if until else []
        run(
            "risk",
            decision,
            risk_id,
            "--history",
            db,
            "--by",
            f"{decision}-owner",
            "--reason",
            f"because {decision}",
            *extra,
        )
        assert len(decisions_table(db)) == n + 1
    with closing(sqlite3.connect(db)) as con:
        con.execute(
            "INSERT INTO decisions (risk_id, system_id, decision, decided_by, reason, decided_at, review_date) "
            "VALUES (?, 'unnamed-system', 'accept', 'x', 'y', '2020-01-01T00:00:00Z', '2020-06-30')",
            (risks[3],),
        )
        con.commit()
    third = assess(run, table(23, 0.4), db, d / "3.json", "--register", d / "register.csv", "--oscal", d / "oscal.json")
    return {"dir": d, "db": db, "second": second, "third": third, "risks": risks, "errors": errors}


def test_bad_decisions_exit_2_and_write_nothing(decided):
    """An unknown risk, a past, non-date or impossible --until, an empty --by or a blank --reason:
    exit 2 and the decisions table is unchanged."""
    for args, rc, unchanged in decided["errors"]:
        assert rc == 2, args
        assert unchanged, args


def test_decisions_in_force_set_status_and_treatment(run, decided):
    """In the next run each risk's life carries the latest decision recorded on it (as the
    decisions table has it); a decision in force sets status and treatment (accept → accepted,
    mitigate → remediating, transfer → transferred, avoid → avoided); an acceptance whose review
    date has passed, and a close on a risk the run still sees, are not in force: status open and
    the treatment of the run before the decisions."""
    db, risks = decided["db"], decided["risks"]
    before = {r["id"]: r for r in decided["second"]["risks"]}
    now = {r["id"]: r for r in decided["third"]["risks"]}
    assert set(risks) <= set(now)
    latest = {}
    for risk_id, decision, by, reason, at, review in query(
        db, "SELECT risk_id, decision, decided_by, reason, decided_at, review_date FROM decisions ORDER BY decision_id"
    ):
        latest[risk_id] = {
            "decision": decision,
            "decided_by": by,
            "reason": reason,
            "decided_at": at,
            "review_date": review,
        }
    want = {
        risks[0]: ("accept", True, "accepted", "accept", FAR_FUTURE),
        risks[1]: ("close", False, "open", None, None),
        risks[2]: ("mitigate", True, "remediating", "mitigate", None),
        risks[3]: ("accept", False, "open", None, "2020-06-30"),
        risks[4]: ("transfer", True, "transferred", "transfer", "2099-06-30"),
        risks[5]: ("avoid", True, "avoided", "avoid", None),
    }
    for risk_id, (decision, in_force, status, treatment, review) in want.items():
        r = now[risk_id]
        d = r["life"]["decision"]
        assert d == {**latest[risk_id], "in_force": in_force}, risk_id
        assert (d["decision"], d["review_date"]) == (decision, review)
        assert r["status"] == status, risk_id
        assert r["treatment"] == (treatment or before[risk_id]["treatment"]), risk_id
    assert latest[risks[0]]["decided_by"] == "accept-owner" and latest[risks[0]]["reason"] == "because accept"
    for risk_id in set(now) - set(want):
        assert "decision" not in now[risk_id]["life"] and now[risk_id]["status"] == "open"
    rows = {r["risk_id"]: r for r in json.loads(run("risk", "list", "--history", db, "--format", "json").stdout)}
    for risk_id in want:
        assert rows[risk_id]["decision"]["decision"] == latest[risk_id]["decision"]
        assert rows[risk_id]["decision"]["review_date"] == latest[risk_id]["review_date"]
        assert rows[risk_id]["state"] == "open" and rows[risk_id]["runs_seen"] == 3


# --------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["lives", "decided"])
def test_register_life_columns_equal_the_evidence(which, lives, decided):
    """The register CSV (csv module): 34 columns, the 10 life columns then `estimated`; one row per risk
    then per resolved risk, in the evidence's order; status, treatment, life and decision columns
    equal the evidence; next_review_date is the decision's review date when in force, else the
    run's date + 90 days."""
    if which == "lives":
        d, _, evs = lives
        e = evs[-1]
    else:
        d, e = decided["dir"], decided["third"]
    with open(d / "register.csv", newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert len(header) == 34 and header[-11:-1] == LIFE_COLUMNS and header[-1] == "estimated"
    rows = read_register(d / "register.csv")
    risks = e["risks"] + e.get("resolved_risks", [])
    assert [row["ref_id"] for row in rows] == [r["id"] for r in risks]
    if which == "lives":
        assert any(row["life_status"] == "resolved" for row in rows)
    default_review = (dt.date.fromisoformat(e["run"]["finished_at"][:10]) + dt.timedelta(days=90)).isoformat()
    for row, r in zip(rows, risks, strict=True):
        life = r["life"]
        assert (row["status"], row["treatment"]) == (r["status"], r["treatment"])
        assert [row[c] for c in LIFE_COLUMNS[:4]] == [
            life["status"],
            life["first_seen"],
            life["last_seen"],
            str(life["runs_seen"]),
        ]
        d_ = life.get("decision")
        if d_ is None:
            assert all(row[c] == "" for c in LIFE_COLUMNS[4:])
            assert row["next_review_date"] == default_review
            continue
        assert [row[c] for c in LIFE_COLUMNS[4:]] == [
            d_["decision"],
            d_["decided_by"],
            d_["decided_at"],
            d_["reason"],
            d_["review_date"] or "",
            "true" if d_["in_force"] else "false",
        ]
        if d_["in_force"] and d_["review_date"]:
            assert row["next_review_date"] == d_["review_date"]
        else:
            assert row["next_review_date"] == default_review
    if which == "decided":
        accepted = next(row for row in rows if row["status"] == "accepted")
        assert accepted["next_review_date"] == FAR_FUTURE and accepted["decision_in_force"] == "true"
        expired = next(row for row in rows if row["review_date"] == "2020-06-30")
        assert expired["decision_in_force"] == "false" and expired["next_review_date"] == default_review


OSCAL_STATUS = {
    "open": "open",
    "accepted": "deviation-approved",
    "transferred": "deviation-approved",
    "avoided": "remediating",
    "remediating": "remediating",
    "closed": "closed",
}


@pytest.mark.parametrize("which", ["lives", "decided"])
def test_oscal_risk_log_validates_and_carries_the_decisions(which, lives, decided):
    """The OSCAL assessment results validate (compliance-trestle, via test_exports); every risk
    and every resolved risk is there, each with a risk-log: a "Seen by assessments" entry from
    its first_seen, and for a decision a "Decision: <word>" entry with its props (decision,
    decided-by, in-force, review-date); the risk's status is OSCAL's word for the evidence's."""
    if which == "lives":
        d, _, evs = lives
        e = evs[-1]
    else:
        d, e = decided["dir"], decided["third"]
    validate_oscal(d / "oscal.json")
    body = json.loads((d / "oscal.json").read_text())["assessment-results"]
    oscal = {}
    for result in body["results"]:
        for risk in result.get("risks", []):
            props = {p["name"]: p["value"] for p in risk.get("props", [])}
            oscal[props["risk-id"]] = risk
    risks = e["risks"] + e.get("resolved_risks", [])
    assert set(oscal) == {r["id"] for r in risks}
    decisions = 0
    for r in risks:
        o, life = oscal[r["id"]], r["life"]
        assert o["status"] == OSCAL_STATUS[r["status"]], r["id"]
        entries = {x["title"]: x for x in o["risk-log"]["entries"]}
        seen = entries["Seen by assessments"]
        assert seen["start"] == life["first_seen"]
        d_ = life.get("decision")
        if d_ is None:
            assert len(entries) == 1
            continue
        decisions += 1
        entry = entries[f"Decision: {d_['decision']}"]
        props = {p["name"]: p["value"] for p in entry["props"]}
        want = {"decision": d_["decision"], "decided-by": d_["decided_by"], "in-force": str(d_["in_force"]).lower()}
        if d_["review_date"]:
            want["review-date"] = d_["review_date"]
        assert props == want, r["id"]
        assert entry["start"] == d_["decided_at"]
    assert decisions >= (3 if which == "lives" else 6)
    statuses = {o["status"] for o in oscal.values()}
    assert ("closed" if which == "lives" else "deviation-approved") in statuses


def test_evidence_with_history_validates_against_the_schema(mean_sd_histories, lives, decided):
    """Evidence with anomalies, risk lives, resolved risks and decisions validates against
    schemas/evidence.schema.json (Draft 2020-12), and the schema holds the new parts to their
    words: a life status, a decision word, a non-date review date or a zero runs_seen fail."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    docs = [mean_sd_histories[0][1][-1], lives[2][-1], decided["third"]]
    for e in docs:
        assert e["schema_version"] == "1.6.0"
        validator.validate(e)
    e = lives[2][-1]
    assert e["resolved_risks"] and e["results"]["history"]["earlier_runs"] == 3
    anomalous, decided_ev = mean_sd_histories[0][1][-1], decided["third"]
    i = next(i for i, r in enumerate(decided_ev["risks"]) if "decision" in r["life"])
    for base, mutate in (
        (e, lambda x: x["resolved_risks"][0]["life"].update(status="gone")),
        (e, lambda x: x["resolved_risks"][0]["life"].update(runs_seen=0)),
        (decided_ev, lambda x: x["risks"][i]["life"]["decision"].update(decision="ignore")),
        (decided_ev, lambda x: x["risks"][i]["life"]["decision"].update(review_date="soon")),
        (anomalous, lambda x: x["results"]["history"]["anomalies"][0].update(rule="zscore")),
    ):
        bad = copy.deepcopy(base)
        mutate(bad)
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(bad)
