//! A pipeline's first hour: `--fail-on` gates on `fairness`, `drift` and `quality`; `-` for
//! standard input; negative numbers as option values; `--column-names` and its deprecated
//! spelling; `--input-format` as an enum; shell completions; data that would drive the terminal
//! shown escaped; `ledger verify` exit codes.

mod common;

use common::*;
use std::io::Write;
use std::process::Stdio;

/// Two groups of 200 rows, half positive; group `a`'s positives are all predicted positive,
/// group `b`'s only `b_tpr` of them (a TPR gap of 1 − b_tpr).
fn groups_csv(b_tpr: f64) -> String {
    let mut s = String::from("y,p,g\n");
    for (g, tpr) in [("a", 1.0), ("b", b_tpr)] {
        for i in 0..200 {
            let y = i % 2;
            let p = if y == 1 {
                u8::from(((i / 2) as f64) < tpr * 100.0)
            } else {
                0
            };
            s.push_str(&format!("{y},{p},{g}\n"));
        }
    }
    s
}

/// `assess` of `data` (y, p, g) writing evidence to `evidence` and appending to `ledger`, with
/// `extra` flags; asserts it ran (exit 0 or 1).
fn assess_to_ledger(data: &str, evidence: &str, ledger: &str, extra: &[&str]) {
    let mut args = vec![
        "assess",
        "--current",
        data,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--output",
        evidence,
        "--ledger",
        ledger,
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
}

fn code(args: &[&str]) -> (Option<i32>, String) {
    let o = run(args);
    (o.status.code(), stderr(&o))
}

#[test]
fn fairness_fail_on_gates_with_the_default_or_a_given_policy() {
    let d = tempfile::tempdir().unwrap();
    let unfair = write(&d, "unfair.csv", &groups_csv(0.5));
    let fair = write(&d, "fair.csv", &groups_csv(1.0));
    let base = ["--label", "y", "--prediction", "p", "--sensitive", "g"];
    let with = |file: &str, extra: &[&str]| {
        let mut a = vec!["fairness", file];
        a.extend_from_slice(&base);
        a.extend_from_slice(extra);
        code(&a.iter().map(|s| &**s).collect::<Vec<_>>())
    };
    // Without --fail-on the report is all there is: exit 0.
    assert_eq!(with(&unfair, &[]).0, Some(0));
    let (c, err) = with(&unfair, &["--fail-on", "fail"]);
    assert_eq!(c, Some(1), "{err}");
    assert!(
        err.contains("--fail-on fail") && err.contains("true positive rate"),
        "{err}"
    );
    assert!(err.contains("g = b"), "the failing group is named: {err}");
    assert_eq!(with(&fair, &["--fail-on", "warn"]).0, Some(0));
    // A policy whose TPR gap threshold is loose lets the same data pass.
    let loose = write(
        &d,
        "loose.toml",
        "version = 1\n[fairness.thresholds]\nequal_opportunity_difference = { warn = 0.6, fail = 0.9 }\n\
         equalized_odds_difference = { warn = 0.6, fail = 0.9 }\n\
         demographic_parity_difference = { warn = 0.6, fail = 0.9 }\n\
         selection_rate_ratio = { warn = 0.2, fail = 0.1 }\n",
    );
    let (c, err) = with(&unfair, &["--fail-on", "fail", "--policy", &loose]);
    assert_eq!(c, Some(0), "{err}");
    // --policy without --fail-on is a usage error; so is an unknown level.
    assert_eq!(with(&unfair, &["--policy", &loose]).0, Some(2));
    let (c, err) = with(&unfair, &["--fail-on", "sometimes"]);
    assert_eq!(c, Some(2));
    assert!(err.contains("fail") && err.contains("warn"), "{err}");
}

#[test]
fn drift_fail_on_dataset_or_column() {
    let d = tempfile::tempdir().unwrap();
    let rows = |shift: i32| {
        let mut s = String::from("x,k\n");
        for i in 0..1000 {
            s.push_str(&format!("{},{}\n", i + shift, ["u", "v"][i as usize % 2]));
        }
        s
    };
    let r = write(&d, "r.csv", &rows(0));
    let moved = write(&d, "c.csv", &rows(600));
    let same = write(&d, "same.csv", &rows(0));
    let (c, err) = code(&["drift", &r, &moved, "--fail-on", "column"]);
    assert_eq!(c, Some(1), "{err}");
    assert!(
        err.contains("--fail-on column") && err.contains("`x`"),
        "{err}"
    );
    // One of two columns drifted: the dataset drifts at the default share 0.5.
    assert_eq!(
        code(&["drift", &r, &moved, "--fail-on", "dataset"]).0,
        Some(1)
    );
    let lenient = write(&d, "p.toml", "version = 1\n[drift]\ndataset_share = 0.9\n");
    let (c, err) = code(&[
        "drift",
        &r,
        &moved,
        "--fail-on",
        "dataset",
        "--policy",
        &lenient,
    ]);
    assert_eq!(c, Some(0), "{err}");
    assert_eq!(
        code(&["drift", &r, &same, "--fail-on", "column"]).0,
        Some(0)
    );
}

#[test]
fn quality_fail_on_fail_or_warn() {
    let d = tempfile::tempdir().unwrap();
    let mut s = String::from("a,b\n");
    for i in 0..100 {
        let b = if i % 2 == 0 {
            String::new()
        } else {
            i.to_string()
        };
        s.push_str(&format!("{i},{b}\n"));
    }
    let holes = write(&d, "holes.csv", &s);
    let (c, err) = code(&["quality", &holes, "--fail-on", "fail"]);
    assert_eq!(c, Some(1), "{err}");
    assert!(err.contains("missing"), "{err}");
    // A policy that tolerates missing values: the same table passes the gate.
    let p = write(
        &d,
        "p.toml",
        "version = 1\n[quality]\nmissing = [0.6, 0.9]\n",
    );
    let (c, err) = code(&["quality", &holes, "--fail-on", "fail", "--policy", &p]);
    assert_eq!(c, Some(0), "{err}");
    let clean = write(&d, "clean.csv", "a,b\n1,x\n2,y\n3,z\n");
    assert_eq!(code(&["quality", &clean, "--fail-on", "fail"]).0, Some(0));
}

fn with_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused before it reads (`drift - -`) may exit before the input is written:
    // the broken pipe is then the test's race, not a failure (the exit code is checked).
    match child.stdin.take().unwrap().write_all(input) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.unwrap(),
    }
    child.wait_with_output().unwrap()
}

#[test]
fn dash_reads_csv_or_ndjson_from_standard_input() {
    let d = tempfile::tempdir().unwrap();
    let csv = groups_csv(0.5);
    let file = write(&d, "f.csv", &csv);
    let args = [
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--format",
        "json",
    ];
    let from_file = json(&[&["fairness", &file][..], &args].concat());
    let o = with_stdin(&[&["fairness", "-"][..], &args].concat(), csv.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let from_stdin: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(from_stdin["groups"], from_file["groups"]);
    assert_eq!(from_stdin["summary"], from_file["summary"]);
    // Reported as `-`, not as the temporary file it went through.
    assert_eq!(from_stdin["input"]["path"], "-");
    // NDJSON with --input-format.
    let nd: String = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{{\"y\":{},\"p\":{},\"g\":\"{}\"}}\n", f[0], f[1], f[2])
        })
        .collect();
    let o = with_stdin(
        &[&["fairness", "-", "--input-format", "ndjson"][..], &args].concat(),
        nd.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"], from_file["summary"]);
    // Empty standard input, and `-` twice, are errors.
    let o = with_stdin(&[&["fairness", "-"][..], &args].concat(), b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("standard input is empty"),
        "{}",
        stderr(&o)
    );
    let o = with_stdin(&["drift", "-", "-"], csv.as_bytes());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("one table only"), "{}", stderr(&o));
    // Drift of a file against standard input.
    let o = with_stdin(&["drift", &file, "-", "--format", "json"], csv.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["current"]["path"], "-");
    // Quality, and the evidence of `assess`: the dataset is `-`, its digest that of the bytes.
    let o = with_stdin(&["quality", "-", "--format", "json"], csv.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["dataset"]["path"], "-");
    let o = with_stdin(
        &[
            &["assess", "--current", "-"][..],
            &args[..6],
            &["--format", "json"],
        ]
        .concat(),
        csv.as_bytes(),
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["datasets"][0]["path"], "-");
    let from_file = json(&["quality", &file, "--format", "json"]);
    assert!(e["datasets"][0]["file_sha256"].is_string(), "{e}");
    assert_eq!(
        e["datasets"][0]["file_sha256"],
        from_file["dataset"]["fingerprints"]["file_sha256"]
    );
}

#[test]
fn negative_numbers_are_option_values() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "s.csv", "y,s,g\n1,0.9,a\n0,0.2,b\n1,0.7,a\n0,0.1,b\n");
    // Reaches the threshold's own check (not a parse error about an unknown `-0` flag).
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--score",
            "s",
            "--sensitive",
            "g",
            "--threshold",
            "-0.5",
        ],
        &["threshold", "-0.5"],
    );
    let r = write(&d, "r.csv", "x\n-1\n-2\n-3\n");
    fails_with(
        &["drift", &r, &r, "--threshold", "-1"],
        &["threshold must be a non-negative number, given -1"],
    );
}

#[test]
fn column_names_everywhere_and_the_old_spelling_warns() {
    let d = tempfile::tempdir().unwrap();
    let h = write(
        &d,
        "h.csv",
        &groups_csv(0.5)
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let args = [
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--format",
        "json",
    ];
    let new = json(&[&["fairness", &h, "--column-names", "y,p,g"][..], &args].concat());
    let o = run(&[&["fairness", &h, "--columns", "y,p,g"][..], &args].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("deprecated") && stderr(&o).contains("--column-names"));
    let old: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(old["summary"], new["summary"]);
    let q = json(&["quality", &h, "--column-names", "y,p,g", "--format", "json"]);
    assert_eq!(q["columns"][2]["name"], "g");
    // --input-format is an enum: an unknown format lists the known ones.
    let (c, err) = code(&[
        "fairness",
        &h,
        "--label",
        "y",
        "--sensitive",
        "g",
        "--input-format",
        "xls",
    ]);
    assert_eq!(c, Some(2));
    assert!(err.contains("parquet") && err.contains("ndjson"), "{err}");
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let text = String::from_utf8_lossy(&o.stdout);
        for needle in [
            "fairness",
            "drift",
            "quality",
            "assess",
            "input-format",
            "parquet",
        ] {
            assert!(text.contains(needle), "{shell} completion lacks {needle}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn data_that_would_drive_the_terminal_is_shown_escaped() {
    let d = tempfile::tempdir().unwrap();
    let mut s = String::from("y,p,g\n");
    for i in 0..80 {
        let g = if i % 2 == 0 {
            "\u{1b}[31mred\u{1b}[0m"
        } else {
            "plain\u{202e}txt"
        };
        s.push_str(&format!("{},{},\"{g}\"\n", i % 3 % 2, (i / 3) % 2));
    }
    let f = write(&d, "esc.csv", &s);
    let o = run(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("\\x1b[31mred\\x1b[0m"), "{text}");
    assert!(text.contains("plain\\u{202e}txt"), "{text}");
    // JSON keeps the data as it is.
    let v = json(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--format",
        "json",
    ]);
    assert!(v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["group"] == "\u{1b}[31mred\u{1b}[0m"));
    // An error naming a hostile column is escaped too.
    let o = run(&["fairness", &f, "--label", "\u{1b}[2Jy", "--sensitive", "g"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        !stderr(&o).contains('\u{1b}') && stderr(&o).contains("\\x1b[2Jy"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ledger_verify_exits_1_for_a_broken_chain_and_2_for_bad_usage() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let data = write(&d, "d.csv", &groups_csv(0.5));
    assess_to_ledger(&data, &p("e.json"), &p("l.jsonl"), &[]);
    assert_eq!(
        run(&["ledger", "verify", &p("l.jsonl")]).status.code(),
        Some(0)
    );
    // A malformed public key file is bad usage (2), and names the file.
    let bad_key = write(&d, "bad.pub", "not a key\n");
    let (c, err) = code(&["ledger", "verify", &p("l.jsonl"), "--public-key", &bad_key]);
    assert_eq!(c, Some(2), "{err}");
    assert!(err.contains("bad.pub"), "{err}");
    // So is a missing ledger file.
    assert_eq!(code(&["ledger", "verify", &p("none.jsonl")]).0, Some(2));
    // A tampered record breaks the chain: 1.
    let text = std::fs::read_to_string(p("l.jsonl")).unwrap();
    let tampered = text.replacen("\"sha256:", "\"sha256:0", 1);
    std::fs::write(p("l.jsonl"), tampered).unwrap();
    let (c, err) = code(&["ledger", "verify", &p("l.jsonl")]);
    assert_eq!(c, Some(1), "{err}");
}

/// Keys are PEM that openssl reads and writes: a key pair from `openssl genpkey` signs the
/// ledger, and a signature made with `fairgauge ledger keygen`'s key verifies with `openssl
/// pkeyutl` over the record's digest (the signed message).
#[test]
fn ledger_keys_are_pem_that_openssl_uses() {
    let have = std::process::Command::new("openssl")
        .arg("version")
        .output();
    if !have.is_ok_and(|o| o.status.success()) {
        eprintln!("openssl not installed: skipped");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let openssl = |args: &[&str]| {
        let o = std::process::Command::new("openssl")
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
    };
    openssl(&["genpkey", "-algorithm", "ed25519", "-out", &p("o.key")]);
    openssl(&["pkey", "-in", &p("o.key"), "-pubout", "-out", &p("o.pub")]);
    let data = write(&d, "d.csv", &groups_csv(1.0));
    let assess = |key: &str, ledger: &str| {
        assess_to_ledger(&data, &p("e.json"), ledger, &["--sign-key", key]);
    };
    assess(&p("o.key"), &p("l1.jsonl"));
    let (c, err) = code(&[
        "ledger",
        "verify",
        &p("l1.jsonl"),
        "--public-key",
        &p("o.pub"),
    ]);
    assert_eq!(c, Some(0), "{err}");
    // fairgauge's own keys: openssl reads both, and verifies the record's signature.
    let o = run(&[
        "ledger",
        "keygen",
        "--private",
        &p("f.key"),
        "--public",
        &p("f.pub"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    openssl(&["pkey", "-in", &p("f.key"), "-noout"]);
    openssl(&["pkey", "-pubin", "-in", &p("f.pub"), "-noout"]);
    assess(&p("f.key"), &p("l2.jsonl"));
    let text = std::fs::read_to_string(p("l2.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let message = record["record_sha256"].as_str().unwrap();
    let sig_hex = record["signature"].as_str().unwrap();
    let sig: Vec<u8> = (0..sig_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&sig_hex[i..i + 2], 16).unwrap())
        .collect();
    std::fs::write(p("msg"), message).unwrap();
    std::fs::write(p("sig"), sig).unwrap();
    openssl(&[
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        &p("f.pub"),
        "-rawin",
        "-in",
        &p("msg"),
        "-sigfile",
        &p("sig"),
    ]);
}

/// Deleting the ledger's last record leaves a valid chain; `ledger verify --evidence` shows it.
#[test]
fn ledger_verify_with_evidence_detects_a_deleted_last_record() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let data = write(&d, "d.csv", &groups_csv(1.0));
    for run_name in ["e1.json", "e2.json"] {
        assess_to_ledger(&data, &p(run_name), &p("l.jsonl"), &[]);
    }
    let o = run(&[
        "ledger",
        "verify",
        &p("l.jsonl"),
        "--evidence",
        &p("e1.json"),
        &p("e2.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("e1.json: record 1") && out.contains("e2.json: record 2"),
        "{out}"
    );
    // Drop the last record: the chain still verifies, the evidence does not.
    let text = std::fs::read_to_string(p("l.jsonl")).unwrap();
    let first = text.lines().next().unwrap();
    std::fs::write(p("l.jsonl"), format!("{first}\n")).unwrap();
    assert_eq!(code(&["ledger", "verify", &p("l.jsonl")]).0, Some(0));
    let (c, err) = code(&[
        "ledger",
        "verify",
        &p("l.jsonl"),
        "--evidence",
        &p("e1.json"),
        &p("e2.json"),
    ]);
    assert_eq!(c, Some(1), "{err}");
    assert!(
        err.contains("e2.json") && err.contains("no record"),
        "{err}"
    );
    // An edited evidence file has no record either; a missing one is bad usage.
    let e1 = std::fs::read_to_string(p("e1.json")).unwrap();
    std::fs::write(p("e1.json"), e1.replacen("\"rows\": ", "\"rows\":  ", 1)).unwrap();
    assert_eq!(
        code(&[
            "ledger",
            "verify",
            &p("l.jsonl"),
            "--evidence",
            &p("e1.json")
        ])
        .0,
        Some(1)
    );
    assert_eq!(
        code(&[
            "ledger",
            "verify",
            &p("l.jsonl"),
            "--evidence",
            &p("none.json")
        ])
        .0,
        Some(2)
    );
}
