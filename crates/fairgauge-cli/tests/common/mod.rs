//! Helpers shared by the CLI test files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fairgauge"));
    c.current_dir(root());
    c
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run fairgauge")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// Asserts exit code 2 and that stderr is one line containing every `needle`.
pub fn fails_with(args: &[&str], needles: &[&str]) {
    let o = run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "args {args:?}: stderr {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "`{n}` not in: {err}");
    }
}

/// Runs and parses JSON output, asserting success.
pub fn json(args: &[&str]) -> serde_json::Value {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "args {args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Compares `got` with `tests/snapshots/NAME`; `UPDATE_SNAPSHOTS=1` rewrites the file instead.
pub fn assert_snapshot(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        got, want,
        "snapshot {name} differs; UPDATE_SNAPSHOTS=1 rewrites it"
    );
}

/// 200 rows: `y`, `p` (group `b` selected less often), `g`, and `x` with `missing` empty cells.
pub fn data(missing: usize) -> String {
    let mut s = String::from("y,p,g,x\n");
    for i in 0..200 {
        let (y, g) = (i % 2, if i % 4 < 2 { "a" } else { "b" });
        let p = if g == "a" { y } else { i32::from(i % 8 < 2) };
        let x = if (i as usize) < missing {
            String::new()
        } else {
            format!("{}", i % 7)
        };
        s.push_str(&format!("{y},{p},{g},{x}\n"));
    }
    s
}

/// A policy with one history rule: the missing share failing when it moves by more than 0.05
/// from the run before.
pub const MISSING_ANOMALY_POLICY: &str =
    "version = 1\n[[history.anomaly]]\nmetric = \"quality.missing\"\n\
     rule = \"absolute_change\"\nlimit = 0.05\nseverity = \"fail\"\n";
