"""Shared fixtures: the fairgauge binary and a runner for it."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fairgauge_bin() -> Path:
    path = Path(os.environ.get("FAIRGAUGE_BIN", ROOT / "target" / "release" / "fairgauge"))
    if not path.is_absolute():
        path = ROOT / path
    assert path.exists(), f"build the CLI first (cargo build --release): {path} is missing"
    return path


@pytest.fixture(scope="session")
def run(fairgauge_bin):
    def _run(*args, check=True):
        proc = subprocess.run([str(fairgauge_bin), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
        if check and proc.returncode != 0:
            raise AssertionError(f"fairgauge {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}")
        return proc

    return _run


@pytest.fixture(scope="session")
def run_json(run):
    def _run_json(*args):
        return json.loads(run(*args, "--format", "json").stdout)

    return _run_json


@pytest.fixture
def core_passes(monkeypatch):
    """The tasks of the Rust core passes `fairgauge.metrics.MetricFrame` makes for its fast paths
    (a list the test reads and may clear)."""
    import fairgauge.metrics as fgm

    calls = []
    one_pass = fgm._core_pass

    def counted(task, *args):
        calls.append(task)
        return one_pass(task, *args)

    monkeypatch.setattr(fgm, "_core_pass", counted)
    return calls
