"""A new user's first hour with the Python package: the `fairgauge` command it installs and
``python -m fairgauge`` (the same output and exit codes as the binary), the positive label
inferred as the CLI infers it, ``os.PathLike`` paths, useful ``repr``s, numpy arrays and dicts of
arrays as tables, and notebook displays that use a given policy's thresholds."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import fairgauge
import numpy as np
import polars as pl
import pytest
from frames import two_groups

ROOT = Path(__file__).resolve().parent.parent


def _groups(b_tpr: float) -> pl.DataFrame:
    return two_groups(b_tpr)


def _console_script() -> Path:
    exe = Path(sys.executable).parent / "fairgauge"
    assert exe.exists(), f"pip install . should put the fairgauge command beside {sys.executable}"
    return exe


@pytest.mark.parametrize("how", ["script", "module"])
def test_the_package_ships_the_command_line(how, run, tmp_path):
    data = tmp_path / "d.csv"
    _groups(0.5).write_csv(data)
    cmd = [str(_console_script())] if how == "script" else [sys.executable, "-m", "fairgauge"]
    args = ["fairness", str(data), "--label", "y", "--prediction", "p", "--sensitive", "g", "--format", "json"]
    got = subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=ROOT)
    assert got.returncode == 0, got.stderr
    want = run(*args)
    assert json.loads(got.stdout) == json.loads(want.stdout)
    # Exit codes are the binary's: 1 for a gate that fails, 2 for bad usage, 0 for --version.
    gate = subprocess.run([*cmd, *args, "--fail-on", "fail"], capture_output=True, text=True)
    assert gate.returncode == 1, gate.stderr
    assert "--fail-on fail" in gate.stderr
    bad = subprocess.run([*cmd, "fairness", str(data), "--label", "nope", "--sensitive", "g"], capture_output=True)
    assert bad.returncode == 2
    assert b"nope" in bad.stderr
    version = subprocess.run([*cmd, "--version"], capture_output=True, text=True)
    assert version.returncode == 0
    assert version.stdout.strip() == f"fairgauge {fairgauge.__version__}"


def test_the_command_is_on_path_when_the_environment_is_active():
    found = shutil.which("fairgauge", path=str(Path(sys.executable).parent))
    assert found is not None


def test_positive_label_is_inferred_as_the_cli_does(run, tmp_path):
    df = pl.DataFrame(
        {
            "approved": ["yes", "no"] * 60,
            "decision": ["yes", "yes", "no", "no"] * 30,
            "gender": ["f"] * 60 + ["m"] * 60,
        }
    )
    r = fairgauge.fairness(df, label="approved", prediction="decision", sensitive="gender")
    assert r["roles"]["positive_label"] == "yes"
    path = tmp_path / "yes_no.csv"
    df.write_csv(path)
    cli = json.loads(
        run("fairness", path, "--label", "approved", "--prediction", "decision", "--sensitive", "gender",
            "--format", "json").stdout
    )  # fmt: skip
    assert r["groups"] == cli["groups"]
    # A label that fits none of the usual positive values still needs it named.
    odd = df.with_columns(pl.col("approved").replace({"yes": "granted", "no": "denied"}))
    with pytest.raises(fairgauge.DataError, match="positive"):
        fairgauge.fairness(odd, label="approved", sensitive="gender")


def test_every_path_argument_takes_a_pathlike(tmp_path):
    data = tmp_path / "d.csv"
    _groups(0.5).write_csv(data)
    policy = tmp_path / "policy.toml"
    policy.write_text("version = 1\n[fairness.thresholds]\nequal_opportunity_difference = { warn = 0.6, fail = 0.9 }\n")
    rules = tmp_path / "rules.toml"
    rules.write_text('version = 1\n[columns.g]\nallowed = ["a", "b"]\n')
    r = fairgauge.fairness(data, label="y", prediction="p", sensitive="g", policy=policy)
    assert r.summary["g"]["groups"] == 2
    q = fairgauge.quality(data, rules=rules)
    assert any(c["id"].startswith("rule.") for c in q["checks"])
    e = fairgauge.assess(data, policy=policy, rules=rules, label="y", prediction="p", sensitive="g")
    paths = e.write(tmp_path / "out", ["json"], ledger=tmp_path / "ledger.jsonl")
    assert Path(paths["json"]).exists()
    assert (tmp_path / "ledger.jsonl").read_text().count("\n") == 1


def test_reports_have_a_useful_repr():
    df = _groups(0.5)
    r = fairgauge.fairness(df, label="y", prediction="p", sensitive="g")
    text = repr(r)
    assert text.startswith("<FairnessReport: 400 rows")
    assert "g: 2 groups" in text
    assert f"equalized odds difference {r.summary['g']['equalized_odds_difference']:.3f}" in text
    d = fairgauge.drift(df, df.with_columns(pl.col("y") * 0))
    assert repr(d).startswith("<DriftReport: ") and "columns drifted" in repr(d)
    q = fairgauge.quality(df)
    assert repr(q).startswith(f"<QualityReport: score {q.score}/100")
    e = fairgauge.assess(df, label="y", prediction="p", sensitive="g")
    assert repr(e).startswith("<Evidence: ") and e.summary["overall"] in repr(e)
    assert "object at 0x" not in text + repr(d) + repr(q) + repr(e)


def test_numpy_arrays_and_dicts_of_arrays_are_tables():
    df = _groups(0.5)
    want = fairgauge.fairness(df, label="y", prediction="p", sensitive="g")
    as_dict = {c: df[c].to_numpy() for c in df.columns}
    assert fairgauge.fairness(as_dict, label="y", prediction="p", sensitive="g")["groups"] == want["groups"]
    lists = {c: df[c].to_list() for c in df.columns}
    assert fairgauge.fairness(lists, label="y", prediction="p", sensitive="g")["groups"] == want["groups"]
    structured = np.array(
        list(zip(df["y"], df["p"], df["g"], strict=True)), dtype=[("y", "i8"), ("p", "i8"), ("g", "U1")]
    )
    assert fairgauge.fairness(structured, label="y", prediction="p", sensitive="g")["groups"] == want["groups"]
    # A 2-D array's columns are named as polars names them.
    grid = np.column_stack([df["y"].to_numpy(), df["p"].to_numpy(), (df["g"] == "b").cast(int).to_numpy()])
    r = fairgauge.fairness(grid, label="column_0", prediction="column_1", sensitive="column_2")
    assert [g["count"] for g in r["groups"]] == [g["count"] for g in want["groups"]]
    with pytest.raises(fairgauge.DataError, match="one length"):
        fairgauge.quality({"a": [1, 2, 3], "b": [1, 2]})
    with pytest.raises(fairgauge.DataError, match="shape"):
        fairgauge.quality(np.zeros((2, 2, 2)))
    with pytest.raises(fairgauge.DataError, match="column names"):
        fairgauge.quality({1: [1, 2]})


def test_the_notebook_display_uses_the_policys_thresholds(tmp_path):
    df = _groups(0.75)  # a TPR gap of 0.25
    default = fairgauge.fairness(df, label="y", prediction="p", sensitive="g")
    assert "breach" in default._repr_html_().split("</thead>")[1]
    loose = tmp_path / "loose.toml"
    loose.write_text(
        "version = 1\n[fairness.thresholds]\nequal_opportunity_difference = { warn = 0.3, fail = 0.4 }\n"
        "selection_rate_ratio = { warn = 0.5, fail = 0.4 }\n"
    )
    r = fairgauge.fairness(df, label="y", prediction="p", sensitive="g", policy=loose)
    html = r._repr_html_()
    assert "breach" not in html.split("</thead>")[1]
    assert "gap above 0.4/" in html and "built-in" not in html


def test_evidence_written_from_python_keeps_every_number_to_the_last_bit(tmp_path):
    # JSON numbers pass Python -> Rust -> file: the written evidence is the evidence returned.
    e = fairgauge.assess(_groups(0.5), label="y", prediction="p", sensitive="g")
    path = e.write(tmp_path, ["json"])["json"]
    assert json.loads(Path(path).read_text()) == e.to_dict()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_outputs_to_a_pipe_are_written_in_place(fairgauge_bin, tmp_path):
    """`--output` names a file written atomically (a temporary file renamed over it); a pipe or a
    device (`/dev/null`, `/dev/stdout`, a shell's `>(…)`) is written in place instead, since a
    rename would put a file where the pipe was (as root, `--output /dev/null` once replaced the
    device with a file)."""
    import stat
    import threading

    def run(*args):
        # A timeout: a writer that opened the pipe with no reader would wait for ever.
        subprocess.run([str(fairgauge_bin), *map(str, args)], check=True, capture_output=True, timeout=120)

    def read_through(fifo):
        got = {}

        def read():
            with open(fifo, "rb") as f:
                got["bytes"] = f.read()

        t = threading.Thread(target=read, daemon=True)
        t.start()
        return t, got

    data = tmp_path / "d.csv"
    data.write_text("g,y,p\n" + "".join(f"{'ab'[i % 2]},{i % 3 == 0:d},{i % 4 == 0:d}\n" for i in range(200)))
    report = tmp_path / "report.json"
    os.mkfifo(report)
    t, got = read_through(report)
    run("fairness", data, "--label", "y", "--prediction", "p", "--sensitive", "g", "--format", "json",
        "--output", report)  # fmt: skip
    t.join(timeout=60)
    assert stat.S_ISFIFO(os.stat(report).st_mode)
    assert {g["group"] for g in json.loads(got["bytes"])["groups"]} == {"a", "b"}
    # A table (written by polars into a file of its own first) goes through the pipe too.
    table = tmp_path / "t.csv"
    os.mkfifo(table)
    t, got = read_through(table)
    run("synth", "--rows", "50", "--output", table)
    t.join(timeout=60)
    assert stat.S_ISFIFO(os.stat(table).st_mode)
    assert len(got["bytes"].decode().splitlines()) == 51


def test_outputs_to_dev_stdout_reach_standard_output(fairgauge_bin, tmp_path):
    """`--output /dev/stdout` (a link to the process's standard output) is written in place."""
    data = tmp_path / "d.csv"
    data.write_text("g,y,p\n" + "".join(f"{'ab'[i % 2]},{i % 3 == 0:d},{i % 4 == 0:d}\n" for i in range(200)))
    args = ["fairness", data, "--label", "y", "--prediction", "p", "--sensitive", "g", "--format", "json"]
    out = subprocess.run([str(fairgauge_bin), *map(str, args), "--output", "/dev/stdout"], check=True,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert {g["group"] for g in json.loads(out.stdout)["groups"]} == {"a", "b"}
