"""The metric history on a PostgreSQL server from Python: `assess(history="postgresql://…")` reads
the earlier runs there, `Evidence.write` records into it, and `fairgauge.history(url)` reads back
what psycopg (an independent client) reads from the tables.

Needs FAIRGAUGE_POSTGRES_URL, a server URL without a database whose user may create databases
(`.ci/run` starts one); skipped without it unless FAIRGAUGE_REQUIRE_POSTGRES=1."""

import os
import uuid

import fairgauge
import pytest
from frames import two_groups

BASE = os.environ.get("FAIRGAUGE_POSTGRES_URL", "").rstrip("/")
if not BASE:
    if os.environ.get("FAIRGAUGE_REQUIRE_POSTGRES") == "1":
        raise RuntimeError("FAIRGAUGE_REQUIRE_POSTGRES=1 but FAIRGAUGE_POSTGRES_URL is not set")
    pytest.skip("FAIRGAUGE_POSTGRES_URL is not set", allow_module_level=True)
psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def url():
    """A new, empty database on the server, dropped after the test."""
    name = f"fg_py_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield f"{BASE}/{name}"
    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_runs_and_measurements_round_trip_through_postgres(tmp_path, url):
    evidences = []
    for i, b_tpr in enumerate((0.9, 0.4)):
        e = fairgauge.assess(two_groups(b_tpr), label="y", prediction="p", sensitive="g", history=url)
        assert e.to_dict()["results"]["history"]["earlier_runs"] == i
        e.write(tmp_path / f"run-{i}", ["json"])
        evidences.append(e.to_dict())
    with psycopg.connect(url) as con:
        assert con.execute("SELECT version FROM fairgauge_schema").fetchall() == [(2,)]
        runs = [r for (r,) in con.execute("SELECT run_id FROM runs ORDER BY rowid")]
        assert runs == [ev["run"]["id"] for ev in evidences]
        for ev in evidences:
            rows = {
                r[0]: r[1:]
                for r in con.execute(
                    "SELECT finding_id, value, lower, status FROM metrics WHERE run_id = %s", (ev["run"]["id"],)
                )
            }
            assert set(rows) == {f["id"] for f in ev["findings"]}
            for f in ev["findings"]:
                value, lower, status = rows[f["id"]]
                assert value == f["value"]  # exact: the same double, or both missing
                assert lower == (f["interval"][0] if f.get("interval") else None)
                assert status == f["status"]
        want = con.execute(
            "SELECT m.run_id, m.finding_id, m.value FROM metrics m JOIN runs r USING (run_id) "
            'ORDER BY r.finished_at, r.rowid, m.window_start, m.finding_id COLLATE "C"'
        ).fetchall()
    h = fairgauge.history(url)
    assert h.runs["run_id"].to_list() == runs
    assert list(h.metrics.select("run_id", "finding_id", "value").iter_rows()) == want
    assert h.risks.height > 0


def test_an_unreachable_server_is_a_clear_error():
    with pytest.raises(fairgauge.FairgaugeError, match="cannot connect to the PostgreSQL server") as err:
        _ = fairgauge.history("postgresql://ana:s3cret@127.0.0.1:1/fg").runs
    assert "s3cret" not in str(err.value) and "ana:***@" in str(err.value)
