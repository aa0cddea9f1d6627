"""Streaming in bounded memory: the peak RSS of `fairgauge fairness` and of `fairgauge drift
--sketch` on Parquet does not grow with the number of rows (5M vs 10M rows of `fairgauge synth`
data, past the first few row groups in flight), and stays under a fixed cap. Peak RSS is the
child's `ru_maxrss` from wait4."""

import subprocess
import sys

import pytest

MB = 1024 * 1024
SIZES = (5_000_000, 10_000_000)


# A child's ru_maxrss includes the resident size of the process it was forked from (Linux keeps the
# high-water mark across exec), so the measured command is started by a small launcher process
# rather than by this (large) test process.
LAUNCHER = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(p.pid, 0)
sys.stderr.write(p.stderr.read().decode())
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024)
"""


def peak_rss(cmd):
    """Runs `cmd`; returns (exit code, peak RSS in bytes, stderr)."""
    proc = subprocess.run([sys.executable, "-c", LAUNCHER, *map(str, cmd)], capture_output=True, text=True)
    code, peak = proc.stdout.split()
    return int(code), int(peak), proc.stderr


@pytest.fixture(scope="module")
def tables(run, tmp_path_factory):
    d = tmp_path_factory.mktemp("stream")
    out = {}
    for rows in SIZES:
        ref, cur = d / f"ref{rows}.parquet", d / f"cur{rows}.parquet"
        run("synth", "--rows", rows, "--seed", "1", "--output", ref)
        run("synth", "--rows", rows, "--seed", "2", "--drift", "0.2", "--output", cur)
        out[rows] = (ref, cur)
    return out


@pytest.mark.parametrize(
    ("what", "cap_mb"),
    [("fairness", 200), ("drift --sketch", 400)],
)
def test_peak_memory_does_not_grow_with_rows(fairgauge_bin, tables, what, cap_mb):
    peaks = {}
    for rows, (ref, cur) in tables.items():
        if what == "fairness":
            cmd = [fairgauge_bin, "fairness", cur, "--label", "label", "--prediction", "prediction",
                   "--sensitive", "sex,race", "--format", "json"]  # fmt: skip
        else:
            cmd = [fairgauge_bin, "drift", ref, cur, "--sketch", "200", "--format", "json"]
        code, peak, err = peak_rss(cmd)
        assert code in (0, 1), err
        peaks[rows] = peak
    small, large = peaks[SIZES[0]], peaks[SIZES[1]]
    # Twice the rows: the same memory, give or take allocator noise.
    assert large <= small * 1.15 + 30 * MB, f"{what}: {small / MB:.0f} MB at 5M rows, {large / MB:.0f} MB at 10M"
    assert large <= cap_mb * MB, f"{what}: {large / MB:.0f} MB at 10M rows (cap {cap_mb} MB)"
