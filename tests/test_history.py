"""The metric history from Python: `Evidence.write(..., history=)` records each run and its
findings' measurements, read back with Python's own sqlite3 and compared with the evidence."""

import json
import sqlite3

import fairgauge
import pytest
from frames import two_groups


def test_write_records_runs_and_measurements(tmp_path):
    db = tmp_path / "history.db"
    evidences = []
    for b_tpr in (0.9, 0.5):
        e = fairgauge.assess(two_groups(b_tpr), label="y", prediction="p", sensitive="g")
        e.write(tmp_path / f"run-{b_tpr}", ["json"], history=db)
        evidences.append(e.to_dict())
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    for ev in evidences:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT finding_id, value, status, family FROM metrics WHERE run_id = ?", (ev["run"]["id"],)
            )
        }
        assert set(rows) == {f["id"] for f in ev["findings"]}
        for f in ev["findings"]:
            value, status, family = rows[f["id"]]
            assert value == f["value"]  # exact: the same double, or both missing
            assert status == f["status"] and f["kind"].startswith(family + ".")
    # The same check across the two runs is one series (one finding id, two values).
    (n,) = con.execute(
        "SELECT count(*) FROM metrics WHERE metric = 'equal_opportunity_difference' GROUP BY finding_id"
    ).fetchone()
    assert n == 2
    written = json.loads((tmp_path / "run-0.5" / "evidence.json").read_text())
    assert con.execute("SELECT overall FROM runs WHERE run_id = ?", (written["run"]["id"],)).fetchone() == (
        written["summary"]["overall"],
    )


def test_a_newer_history_is_refused(tmp_path):
    db = tmp_path / "history.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 7")
    con.execute("CREATE TABLE runs (x)")
    con.commit()
    con.close()
    e = fairgauge.assess(two_groups(1.0), label="y", prediction="p", sensitive="g")
    with pytest.raises(fairgauge.FairgaugeError, match="newer fairgauge"):
        e.write(tmp_path / "out", ["json"], history=db)


def test_export_is_the_database_as_a_long_table(tmp_path, run):
    """`history export` in CSV and Parquet, read by polars, equals the database read by sqlite3."""
    import polars as pl

    db = tmp_path / "history.db"
    for b_tpr in (0.9, 0.5, 0.7):
        e = fairgauge.assess(two_groups(b_tpr), label="y", prediction="p", sensitive="g")
        e.write(tmp_path / f"run-{b_tpr}", ["json"], history=db)
    run("history", "export", db, "--format", "parquet", "--output", tmp_path / "m.parquet")
    run("history", "export", db, "--format", "csv", "--output", tmp_path / "m.csv")
    query = (
        "SELECT m.run_id, r.finished_at, m.finding_id, m.value, m.lower, m.status FROM metrics m "
        "JOIN runs r USING (run_id) ORDER BY r.finished_at, r.rowid, m.finding_id"
    )
    want = sqlite3.connect(db).execute(query).fetchall()
    for f in ("m.parquet", "m.csv"):
        df = pl.read_parquet(tmp_path / f) if f.endswith("parquet") else pl.read_csv(tmp_path / f)
        got = list(df.select("run_id", "finished_at", "finding_id", "value", "lower", "status").iter_rows())
        assert got == want, f


def test_assess_with_a_history_judges_against_it_and_write_records_there(tmp_path):
    """`assess(history=)` reads the system's earlier runs (anomalies, each risk's life) and
    `Evidence.write` records the run in that history without being told again."""
    db = tmp_path / "history.db"
    first = fairgauge.assess(two_groups(0.9), label="y", prediction="p", sensitive="g", history=db)
    assert first.to_dict()["results"]["history"]["earlier_runs"] == 0
    assert not db.exists(), "assess only reads the history"
    first.write(tmp_path / "one", ["json"])
    second = fairgauge.assess(two_groups(0.3), label="y", prediction="p", sensitive="g", history=db)
    data = second.to_dict()
    assert data["results"]["history"]["earlier_runs"] == 1
    seen_before = {r["id"] for r in first.to_dict()["risks"]}
    lives = {r["id"]: r["life"] for r in data["risks"]}
    assert lives and seen_before & set(lives)
    for rid, life in lives.items():
        if rid in seen_before:
            assert life["status"] in {"open", "worsening", "improving"} and life["runs_seen"] == 2
        else:
            assert life["status"] == "new" and life["runs_seen"] == 1
    frame = second.risks
    assert {"life_status", "runs_seen", "decision"} <= set(frame.columns)
    assert sorted(frame["life_status"].to_list()) == sorted(life["status"] for life in lives.values())
    second.write(tmp_path / "two", ["json"])
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)


def test_history_reader_gives_runs_metrics_and_the_living_register(tmp_path, run):
    """`fairgauge.history(db)` reads what sqlite3 reads: the runs in order, every measurement,
    and the register `fairgauge risk list` prints, with the decision recorded by the CLI."""
    db = tmp_path / "history.db"
    for b_tpr in (0.9, 0.5):
        e = fairgauge.assess(two_groups(b_tpr), label="y", prediction="p", sensitive="g", history=db)
        e.write(tmp_path / f"run-{b_tpr}", ["json"])
    h = fairgauge.history(db)
    con = sqlite3.connect(db)
    assert h.runs["run_id"].to_list() == [r for (r,) in con.execute("SELECT run_id FROM runs ORDER BY rowid")]
    assert h.metrics.height == con.execute("SELECT count(*) FROM metrics").fetchone()[0]
    risk = e.to_dict()["risks"][0]["id"]
    run("risk", "accept", risk, "--history", db, "--by", "Ana", "--reason", "known", "--until", "2099-01-31")
    listed = json.loads(run("risk", "list", "--history", db, "--format", "json").stdout)
    frame = h.risks
    assert frame["risk_id"].to_list() == [r["risk_id"] for r in listed]
    row = frame.filter(frame["risk_id"] == risk)
    assert row["decision"].to_list() == ["accept"] and row["review_date"].to_list() == ["2099-01-31"]
    assert row["runs_seen"].to_list() == [con.execute(
        "SELECT count(DISTINCT run_id) FROM metrics WHERE risk_id = ?", (risk,)).fetchone()[0]]  # fmt: skip
