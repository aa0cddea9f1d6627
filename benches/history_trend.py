"""How the metric history scales: a history of N runs (default 10,000; one real `assess` run of
`synth` data, its rows copied under new run ids and later times), then, timed end to end as a
user runs them (process start included, median of 5):

- `fairgauge history trend DB FINDING` — one metric's series across every run (issue 18's
  target: under 100 ms at 10,000 runs);
- `fairgauge assess --history DB` — a run judged against all of them (anomalies, risk lives).

    python benches/history_trend.py [--runs 10000] [--bin target/release/fairgauge]
        [--postgres postgresql://user@host:port]

With `--postgres` (a server URL without a database; default $FAIRGAUGE_POSTGRES_URL when set),
the same history is copied into a new database there (with psycopg) and the same commands are
timed against it.
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd):
    """Runs a fairgauge command; exit 1 (a check failed) is a result, 2 an error."""
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode > 1:
        raise SystemExit(f"{cmd} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def timed(cmd, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run(cmd)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def grow(db, runs):
    """Copies the one recorded run (its run, metrics and risks rows) until there are `runs`."""
    con = sqlite3.connect(db)
    (run_id,) = con.execute("SELECT run_id FROM runs").fetchone()
    base = con.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    metrics = con.execute("SELECT * FROM metrics WHERE run_id = ?", (run_id,)).fetchall()
    risks = con.execute("SELECT * FROM risks WHERE run_id = ?", (run_id,)).fetchall()
    insert = {
        table: f"INSERT INTO {table} VALUES ({','.join('?' * len(con.execute(f'SELECT * FROM {table}').description))})"
        for table in ("runs", "metrics", "risks")
    }
    for i in range(1, runs):
        new = str(uuid.UUID(int=i, version=4))
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(946684800 + i * 3600))
        con.execute(insert["runs"], (new, *base[1:3], stamp, stamp, *base[5:]))
        con.executemany(insert["metrics"], [(new, *m[1:]) for m in metrics])
        con.executemany(insert["risks"], [(new, *r[1:]) for r in risks])
    con.commit()
    return len(metrics)


def to_postgres(db, base, assess):
    """A new database on the server `base` with the SQLite history `db` copied in (after one run
    of `assess` there, which creates the schema); returns its URL."""
    import psycopg

    name = "fairgauge_bench_history"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    url = f"{base}/{name}"
    run([*assess[:-4], "--history", url, *assess[-2:]])
    src = sqlite3.connect(db)
    with psycopg.connect(url) as pg:
        for table in ("runs", "metrics", "risks"):
            cur = src.execute(f"SELECT * FROM {table} ORDER BY rowid")
            cols = ", ".join(c[0] for c in cur.description)
            with pg.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                for row in cur:
                    cp.write_row(row)
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")
    return url


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--postgres", default=os.environ.get("FAIRGAUGE_POSTGRES_URL"))
    ap.add_argument("--bin", default=os.environ.get("FAIRGAUGE_BIN", str(ROOT / "target" / "release" / "fairgauge")))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        data, db = d / "data.csv", d / "history.db"
        run([a.bin, "synth", "--rows", "20000", "--output", data])
        roles = ["--label", "label", "--prediction", "prediction", "--sensitive", "sex,race"]
        assess = [a.bin, "assess", "--current", data, *roles, "--history", db, "--output", d / "e.json"]
        run(assess)
        per_run = grow(db, a.runs)
        (finding,) = sqlite3.connect(db).execute("SELECT finding_id FROM metrics LIMIT 1").fetchone()
        trend = timed([a.bin, "history", "trend", db, finding, "--format", "json"])
        points = run([a.bin, "history", "trend", db, finding, "--format", "json"]).stdout.count(b'"run_id"')
        judged = timed([*assess[:-2], "--output", d / "e2.json"], repeat=3)
        print(f"history: {a.runs} runs x {per_run} measurements = {a.runs * per_run:,} rows, "
              f"{db.stat().st_size / 1e6:.0f} MB")  # fmt: skip
        print(f"history trend (one series, {points} points): {trend * 1000:.0f} ms")
        print(f"assess --history (judged against {a.runs} earlier runs, then recorded): {judged:.2f} s")
        if a.postgres:
            url = to_postgres(db, a.postgres.rstrip("/"), assess)
            trend = timed([a.bin, "history", "trend", url, finding, "--format", "json"])
            judged = timed([*assess[:-4], "--history", url, "--output", d / "e3.json"], repeat=3)
            print(f"on PostgreSQL: history trend {trend * 1000:.0f} ms; assess --history {judged:.2f} s")


if __name__ == "__main__":
    main()
