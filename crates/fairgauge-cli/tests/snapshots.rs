//! The text output of every subcommand on the bundled data (UCI Adult, German Credit) and on
//! seeded `synth` data, pinned by snapshots in `tests/snapshots/` (`UPDATE_SNAPSHOTS=1`
//! rewrites them). What changes from run to run is replaced before comparing: the temporary
//! folder (`<tmp>`), run ids (`<uuid>`), times (`<time>`), and the digests and key ids that
//! cover a time or a random key (`<digest>`, `<key id>`).

mod common;

use std::process::Output;

use common::*;
use regex::Regex;

/// Runs `fairgauge ARGS` (from the repository's root) and returns its exit code, standard
/// output and standard error as one normalised text.
fn transcript(dir: &tempfile::TempDir, args: &[&str]) -> String {
    let o: Output = run(args);
    let text = format!(
        "$ fairgauge {}\nexit {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    normalise(&text, dir)
}

fn normalise(text: &str, dir: &tempfile::TempDir) -> String {
    let text = text.replace(&dir.path().display().to_string(), "<tmp>");
    let uuid = Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    let time = Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)");
    let key = Regex::new(r"ed25519:[0-9a-f]{16}");
    let head = Regex::new(r"head sha256:[0-9a-f]{64}");
    let text = uuid.unwrap().replace_all(&text, "<uuid>");
    let text = time.unwrap().replace_all(&text, "<time>");
    let text = key.unwrap().replace_all(&text, "ed25519:<key id>");
    head.unwrap()
        .replace_all(&text, "head sha256:<digest>")
        .into_owned()
}

/// A temporary folder with `current.parquet` (seed 42) and `reference.parquet` (seed 7, with
/// planted drift) from `fairgauge synth`.
fn synth_pair() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("current.parquet", vec![]),
        ("reference.parquet", vec!["--seed", "7", "--drift", "0.3"]),
    ] {
        let out = dir.path().join(name).display().to_string();
        let mut args = vec!["synth", "--rows", "5000", "--output", &out];
        args.extend(extra);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    dir
}

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

const ADULT: &str = "datasets/adult/adult.data";
const ADULT_TEST: &str = "datasets/adult/adult.test";

#[test]
fn fairness_german_text() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "fairness",
        "datasets/german/german.data",
        "--label",
        "credit_risk",
        "--sensitive",
        "sex",
        "--positive-label",
        "good",
    ];
    assert_snapshot("fairness_german.txt", &transcript(&dir, &args));
}

#[test]
fn fairness_synth_score_text() {
    let dir = synth_pair();
    let data = path(&dir, "current.parquet");
    let args = [
        "fairness",
        &data,
        "--label",
        "label",
        "--score",
        "score",
        "--sensitive",
        "sex,race",
        "--intersect",
    ];
    assert_snapshot("fairness_synth_score.txt", &transcript(&dir, &args));
}

#[test]
fn drift_adult_text() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["drift", ADULT, ADULT_TEST];
    assert_snapshot("drift_adult.txt", &transcript(&dir, &args));
}

#[test]
fn drift_synth_text_exact_and_sketched() {
    let dir = synth_pair();
    let (r, c) = (
        path(&dir, "reference.parquet"),
        path(&dir, "current.parquet"),
    );
    let exact = [
        "drift",
        &r,
        &c,
        "--sensitive",
        "sex",
        "--label",
        "label",
        "--prediction",
        "prediction",
    ];
    assert_snapshot("drift_synth.txt", &transcript(&dir, &exact));
    let sketched = ["drift", &r, &c, "--sketch", "64"];
    assert_snapshot("drift_synth_sketch.txt", &transcript(&dir, &sketched));
}

#[test]
fn quality_adult_text() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "quality",
        ADULT_TEST,
        "--reference",
        ADULT,
        "--label",
        "income",
        "--sensitive",
        "sex,race",
    ];
    assert_snapshot("quality_adult.txt", &transcript(&dir, &args));
}

#[test]
fn quality_synth_text_exact_and_bounded() {
    let dir = synth_pair();
    let (r, c) = (
        path(&dir, "reference.parquet"),
        path(&dir, "current.parquet"),
    );
    let exact = [
        "quality",
        &c,
        "--reference",
        &r,
        "--label",
        "label",
        "--sensitive",
        "sex,race",
    ];
    assert_snapshot("quality_synth.txt", &transcript(&dir, &exact));
    let mut bounded = exact.to_vec();
    bounded.extend(["--sketch", "16"]);
    assert_snapshot("quality_synth_sketch.txt", &transcript(&dir, &bounded));
}

#[test]
fn quality_rules_text() {
    let dir = tempfile::tempdir().unwrap();
    let rules = path(&dir, "rules.toml");
    let infer = ["quality", ADULT, "--infer", &rules];
    let mut text = transcript(&dir, &infer);
    text.push_str(&std::fs::read_to_string(&rules).unwrap());
    let failing = path(&dir, "failing.csv");
    let judged = [
        "quality",
        ADULT_TEST,
        "--rules",
        &rules,
        "--failing-rows",
        &failing,
    ];
    text.push_str(&transcript(&dir, &judged));
    let rows = std::fs::read_to_string(&failing).unwrap();
    text.push_str(&rows.lines().take(20).collect::<Vec<_>>().join("\n"));
    assert_snapshot("quality_rules.txt", &text);
}

#[test]
fn assess_adult_text() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "assess",
        "--current",
        ADULT_TEST,
        "--reference",
        ADULT,
        "--label",
        "income",
        "--sensitive",
        "sex,race",
        "--positive-label",
        ">50K",
    ];
    assert_snapshot("assess_adult.txt", &transcript(&dir, &args));
}

#[test]
fn init_assess_report_and_ledger_text() {
    let dir = synth_pair();
    let (r, c) = (
        path(&dir, "reference.parquet"),
        path(&dir, "current.parquet"),
    );
    let policy = path(&dir, "policy.toml");
    let mut text = transcript(&dir, &["init", &c, "--reference", &r, "--output", &policy]);
    text.push_str(&std::fs::read_to_string(&policy).unwrap());
    let (key, public) = (path(&dir, "ledger.key"), path(&dir, "ledger.pub"));
    let keygen = ["ledger", "keygen", "--private", &key, "--public", &public];
    text.push_str(&transcript(&dir, &keygen));
    let (evidence, ledger) = (path(&dir, "evidence.json"), path(&dir, "ledger.jsonl"));
    let assess = [
        "assess",
        "--current",
        &c,
        "--reference",
        &r,
        "--label",
        "label",
        "--prediction",
        "prediction",
        "--sensitive",
        "sex,race",
        "--positive-label",
        "1",
        "--output",
        &evidence,
        "--ledger",
        &ledger,
        "--sign-key",
        &key,
    ];
    text.push_str(&transcript(&dir, &assess));
    let html = path(&dir, "report.html");
    let report = ["report", &evidence, "--html", &html, "--ledger", &ledger];
    text.push_str(&transcript(&dir, &report));
    let verify = ["ledger", "verify", &ledger, "--public-key", &public];
    text.push_str(&transcript(&dir, &verify));
    assert_snapshot("init_assess_report_ledger.txt", &text);
}

#[test]
fn demo_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = path(&dir, "demo");
    assert_snapshot("demo.txt", &transcript(&dir, &["demo", "--out", &out]));
}

#[test]
fn synth_text_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = path(&dir, "synth.csv");
    let mut text = transcript(&dir, &["synth", "--rows", "12", "--output", &out]);
    text.push_str(&std::fs::read_to_string(&out).unwrap());
    assert_snapshot("synth.txt", &text);
}
