//! Evidence that proves its own completeness: the evidence records where it is filed in the
//! ledger and every export the ledger's head after the append, so `ledger verify --evidence`
//! catches a deleted or rewritten last record from any of them; signed checkpoints (size and
//! head) catch a truncation; the in-toto statement signed in a DSSE envelope verifies, and a
//! tampered one does not.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use serde_json::Value;

/// 200 rows, two groups, labels and predictions equal: every check passes.
fn data_csv() -> String {
    let mut s = String::from("y,p,g\n");
    for i in 0..200 {
        let y = i % 2;
        s.push_str(&format!("{y},{y},{}\n", if i % 4 < 2 { "a" } else { "b" }));
    }
    s
}

struct Dir {
    d: tempfile::TempDir,
}

impl Dir {
    fn new() -> Self {
        Dir {
            d: tempfile::tempdir().unwrap(),
        }
    }
    fn p(&self, n: &str) -> String {
        self.d.path().join(n).to_string_lossy().into_owned()
    }
    fn read(&self, n: &str) -> String {
        std::fs::read_to_string(self.p(n)).unwrap()
    }
    /// `assess` of the bundled rows (`d.csv`) with `args` after the roles; asserts it ran.
    fn assess_with(&self, args: &[&str]) {
        let data = write(&self.d, "d.csv", &data_csv());
        let mut all = vec![
            "assess",
            "--current",
            &data,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ];
        all.extend_from_slice(args);
        let o = run(&all);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    }
    /// `assess` writing every export with the prefix `run` and appending to `ledger`, with
    /// `extra` flags.
    fn assess(&self, run_name: &str, ledger: &str, extra: &[&str]) {
        let f = |ext: &str| self.p(&format!("{run_name}.{ext}"));
        let (e, reg, osc, ju, md, html) = (
            f("json"),
            f("csv"),
            f("oscal.json"),
            f("xml"),
            f("md"),
            f("html"),
        );
        let mut args = vec![
            "--output",
            &e,
            "--register",
            &reg,
            "--oscal",
            &osc,
            "--junit",
            &ju,
            "--markdown",
            &md,
            "--html",
            &html,
            "--ledger",
            ledger,
        ];
        args.extend_from_slice(extra);
        self.assess_with(&args);
    }
    fn records(&self, ledger: &str) -> Vec<Value> {
        self.read(ledger)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
    fn keep_records(&self, ledger: &str, n: usize) {
        let text = self.read(ledger);
        let kept: String = text.lines().take(n).map(|l| format!("{l}\n")).collect();
        std::fs::write(self.p(ledger), kept).unwrap();
    }
    fn verify(&self, ledger: &str, extra: &[&str]) -> (Option<i32>, String, String) {
        let l = self.p(ledger);
        let mut args = vec!["ledger", "verify", &l];
        args.extend_from_slice(extra);
        let o = run(&args);
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr(&o),
        )
    }
}

const EXPORTS: [&str; 5] = ["csv", "oscal.json", "xml", "md", "html"];

#[test]
fn the_evidence_records_its_position_and_every_export_the_head() {
    let d = Dir::new();
    let ledger = d.p("l.jsonl");
    d.assess("r1", &ledger, &[]);
    d.assess("r2", &ledger, &[]);
    let recs = d.records("l.jsonl");
    let head2 = format!("record 2 {}", recs[1]["record_sha256"].as_str().unwrap());

    // The evidence: its record's position and the head before it.
    let e: Value = serde_json::from_str(&d.read("r2.json")).unwrap();
    assert_eq!(e["schema_version"], "1.6.0");
    assert_eq!(e["run"]["ledger"]["seq"], 2);
    assert_eq!(e["run"]["ledger"]["prev_sha256"], recs[0]["record_sha256"]);
    let e1: Value = serde_json::from_str(&d.read("r1.json")).unwrap();
    assert_eq!(
        e1["run"]["ledger"]["prev_sha256"],
        fairgauge::ledger::GENESIS
    );

    // Every export names the head after its append, each in its own place.
    let register = d.read("r2.csv");
    let mut rows = register.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == "ledger_head").unwrap();
    for row in rows {
        // Without a history the life columns after the head are empty.
        assert!(
            row.ends_with(&format!(",{head2}{}", ",".repeat(header.len() - 1 - at))),
            "{row}"
        );
    }
    let oscal: Value = serde_json::from_str(&d.read("r2.oscal.json")).unwrap();
    let props = oscal["assessment-results"]["results"][0]["props"]
        .as_array()
        .unwrap();
    assert!(
        props
            .iter()
            .any(|p| p["name"] == "ledger-head" && p["value"] == head2.as_str()),
        "{props:?}"
    );
    assert!(d.read("r2.xml").contains(&format!(
        "<property name=\"ledger_head\" value=\"{head2}\"/>"
    )));
    assert!(d
        .read("r2.md")
        .contains(&format!("- **Ledger head:** `{head2}`")));
    assert!(d.read("r2.html").replace("<wbr>", "").contains(&head2));

    // All of them verify against the ledger.
    let mut args: Vec<String> = vec!["--evidence".into(), d.p("r1.json"), d.p("r2.json")];
    args.extend(EXPORTS.iter().map(|x| d.p(&format!("r2.{x}"))));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (c, out, err) = d.verify("l.jsonl", &args);
    assert_eq!(c, Some(0), "{err}");
    assert_eq!(out.matches(": record 2 (").count(), 6, "{out}");
    assert!(out.contains("r1.json: record 1 ("), "{out}");
}

#[test]
fn a_deleted_or_rewritten_last_record_is_caught_from_any_export() {
    let d = Dir::new();
    let ledger = d.p("l.jsonl");
    d.assess("r1", &ledger, &[]);
    d.assess("r2", &ledger, &[]);
    d.keep_records("l.jsonl", 1);
    assert_eq!(
        d.verify("l.jsonl", &[]).0,
        Some(0),
        "the chain alone is fine"
    );
    let (c, _, err) = d.verify("l.jsonl", &["--evidence", &d.p("r2.json")]);
    assert_eq!(c, Some(1), "{err}");
    assert!(
        err.contains("filed as record 2, but the ledger has 1"),
        "{err}"
    );
    for x in EXPORTS {
        let f = d.p(&format!("r2.{x}"));
        let (c, _, err) = d.verify("l.jsonl", &["--evidence", &f]);
        assert_eq!(c, Some(1), "{x}: {err}");
        assert!(
            err.contains("names record 2, but the ledger has 1"),
            "{x}: {err}"
        );
    }
    // Another run takes record 2's place: a valid chain, but not the head the exports name.
    d.assess("r3", &ledger, &[]);
    assert_eq!(d.verify("l.jsonl", &[]).0, Some(0));
    for x in EXPORTS {
        let f = d.p(&format!("r2.{x}"));
        let (c, _, err) = d.verify("l.jsonl", &["--evidence", &f]);
        assert_eq!(c, Some(1), "{x}: {err}");
        assert!(err.contains("rewritten from record 2"), "{x}: {err}");
    }
    // A file that records nothing to check is bad usage.
    let other = write(&d.d, "notes.txt", "nothing here\n");
    let (c, _, err) = d.verify("l.jsonl", &["--evidence", &other]);
    assert_eq!(c, Some(2), "{err}");
    assert!(err.contains("records a ledger head"), "{err}");
}

fn keygen(d: &Dir) -> (String, String) {
    let (k, p) = (d.p("k.pem"), d.p("k.pub"));
    let o = run(&["ledger", "keygen", "--private", &k, "--public", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (k, p)
}

#[test]
fn signed_checkpoints_catch_a_truncation() {
    let d = Dir::new();
    let (key, public) = keygen(&d);
    let ledger = d.p("l.jsonl");
    d.assess("r1", &ledger, &["--sign-key", &key]);
    d.assess("r2", &ledger, &["--sign-key", &key]);
    let recs = d.records("l.jsonl");
    let head = recs[1]["record_sha256"].as_str().unwrap();

    // The C2SP signed note: origin, size, base64 head, a blank line, one signature line.
    let note = d.read("l.jsonl.checkpoint");
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!(lines.len(), 5, "{note}");
    assert_eq!(lines[0], "fairgauge.invalid/ledger/l.jsonl");
    assert_eq!(lines[1], "2");
    let raw = B64.decode(lines[2]).unwrap();
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(format!("sha256:{hex}"), head);
    assert_eq!(lines[3], "");
    let key_id = recs[1]["key_id"].as_str().unwrap();
    assert!(
        lines[4].starts_with(&format!("\u{2014} {key_id} ")),
        "{note}"
    );
    assert_eq!(
        B64.decode(lines[4].rsplit(' ').next().unwrap())
            .unwrap()
            .len(),
        68
    );

    let (c, out, err) = d.verify("l.jsonl", &["--public-key", &public]);
    assert_eq!(c, Some(0), "{err}");
    assert!(
        out.contains("size 2") && out.contains("signature verified"),
        "{out}"
    );
    let (c, out, _) = d.verify("l.jsonl", &[]);
    assert_eq!(c, Some(0));
    assert!(out.contains("signature not checked"), "{out}");

    // A copy kept elsewhere, then the last record deleted: both checkpoints show it.
    std::fs::copy(d.p("l.jsonl.checkpoint"), d.p("kept.checkpoint")).unwrap();
    d.keep_records("l.jsonl", 1);
    let (c, _, err) = d.verify("l.jsonl", &["--public-key", &public]);
    assert_eq!(c, Some(1), "{err}");
    assert!(
        err.contains("names record 2, but the ledger has 1"),
        "{err}"
    );
    let (c, _, err) = d.verify(
        "l.jsonl",
        &[
            "--checkpoint",
            &d.p("kept.checkpoint"),
            "--public-key",
            &public,
        ],
    );
    assert_eq!(c, Some(1), "{err}");

    // A forged checkpoint (size 1, the same signature) fails its signature; without the key,
    // its head does not match record 1.
    let forged = note.replacen("\n2\n", "\n1\n", 1);
    let forged_path = write(&d.d, "forged.checkpoint", &forged);
    let (c, _, err) = d.verify(
        "l.jsonl",
        &["--checkpoint", &forged_path, "--public-key", &public],
    );
    assert_eq!(c, Some(1), "{err}");
    assert!(err.contains("signature does not verify"), "{err}");
    let (c, _, err) = d.verify("l.jsonl", &["--checkpoint", &forged_path]);
    assert_eq!(c, Some(1), "{err}");
    assert!(err.contains("rewritten from record 1"), "{err}");
    // Not a note at all.
    let junk = write(&d.d, "junk.checkpoint", "hello\n");
    let (c, _, err) = d.verify("l.jsonl", &["--checkpoint", &junk]);
    assert_eq!(c, Some(1), "{err}");
    assert!(err.contains("not a fairgauge checkpoint"), "{err}");
}

#[test]
fn dsse_envelope_verifies_and_tampering_is_caught() {
    let d = Dir::new();
    let (key, public) = keygen(&d);
    let env = d.p("env.json");
    d.assess_with(&["--attestation-envelope", &env, "--sign-key", &key]);
    let data = d.p("d.csv");
    let o = run(&["ledger", "verify-envelope", &env, "--public-key", &public]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("https://fairgauge.dev/evidence/v1") && out.contains("current:d.csv sha256:"),
        "{out}"
    );

    // The envelope's shape, and the statement inside.
    let e: Value = serde_json::from_str(&d.read("env.json")).unwrap();
    assert_eq!(e["payloadType"], "application/vnd.in-toto+json");
    let body = B64.decode(e["payload"].as_str().unwrap()).unwrap();
    let statement: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");

    // A changed payload (a subject's digest) fails.
    let mut tampered = statement.clone();
    tampered["subject"][0]["digest"]["sha256"] = Value::from("0".repeat(64));
    let mut bad = e.clone();
    bad["payload"] = Value::from(B64.encode(serde_json::to_vec(&tampered).unwrap()));
    let bad_path = write(&d.d, "bad.json", &bad.to_string());
    let o = run(&[
        "ledger",
        "verify-envelope",
        &bad_path,
        "--public-key",
        &public,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no signature verifies"),
        "{}",
        stderr(&o)
    );
    // Another key fails; a malformed key file is bad usage.
    let (k2, p2) = (d.p("k2.pem"), d.p("k2.pub"));
    assert_eq!(
        run(&["ledger", "keygen", "--private", &k2, "--public", &p2])
            .status
            .code(),
        Some(0)
    );
    let o = run(&["ledger", "verify-envelope", &env, "--public-key", &p2]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let junk = write(&d.d, "junk.pub", "not a key\n");
    let o = run(&["ledger", "verify-envelope", &env, "--public-key", &junk]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // The envelope needs a key, and a key needs something to sign.
    let o = run(&["assess", "--current", &data, "--attestation-envelope", &env]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--sign-key"), "{}", stderr(&o));
    fails_with(
        &[
            "assess",
            "--current",
            &data,
            "--label",
            "y",
            "--sign-key",
            &key,
        ],
        &["--sign-key signs the ledger record or the DSSE envelope"],
    );
}

#[test]
fn an_envelope_or_statement_stands_for_its_evidence_in_ledger_verify() {
    let d = Dir::new();
    let (key, _) = keygen(&d);
    let ledger = d.p("l.jsonl");
    let (st, env) = (d.p("st.json"), d.p("env.json"));
    d.assess(
        "r1",
        &ledger,
        &[
            "--sign-key",
            &key,
            "--attestation",
            &st,
            "--attestation-envelope",
            &env,
        ],
    );
    let (c, out, err) = d.verify("l.jsonl", &["--evidence", &st, &env]);
    assert_eq!(c, Some(0), "{err}");
    assert_eq!(out.matches(": record 1 (").count(), 2, "{out}");
}

/// What the review found: a proof through a symlinked ledger, a damaged evidence file, a group
/// named like a ledger head, a URL-safe envelope, a size written `+2` or `02`.
#[test]
fn symlinks_damage_spoofed_heads_and_encodings() {
    let d = Dir::new();
    let (key, public) = keygen(&d);
    std::fs::create_dir(d.p("real")).unwrap();
    std::os::unix::fs::symlink(d.p("real/l.jsonl"), d.p("l.jsonl")).unwrap();
    // The first run creates the real file; the link then points at it.
    std::fs::write(d.p("real/l.jsonl"), "").unwrap();
    let env = d.p("env.json");
    d.assess("r1", &d.p("l.jsonl"), &["--sign-key", &key]);
    d.assess(
        "r2",
        &d.p("l.jsonl"),
        &["--sign-key", &key, "--attestation-envelope", &env],
    );
    assert!(std::path::Path::new(&d.p("real/l.jsonl.checkpoint")).exists());
    assert_eq!(d.verify("l.jsonl", &["--public-key", &public]).0, Some(0));
    // Truncated through the link: the checkpoint beside the real file shows it.
    d.keep_records("real/l.jsonl", 1);
    let (c, _, err) = d.verify("l.jsonl", &[]);
    assert_eq!(c, Some(1), "{err}");
    assert!(err.contains("checkpoint"), "{err}");

    // A damaged evidence file is a broken proof (1), not bad usage.
    let text = d.read("r1.json");
    let cut = write(&d.d, "cut.json", &text[..200]);
    let (c, _, err) = d.verify("real/l.jsonl", &["--evidence", &cut]);
    assert_eq!(c, Some(1), "{err}");
    assert!(err.contains("is damaged: not valid JSON"), "{err}");

    // A URL-safe, unpadded envelope verifies as well.
    let mut e: Value = serde_json::from_str(&d.read("env.json")).unwrap();
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let raw = B64.decode(e["payload"].as_str().unwrap()).unwrap();
    e["payload"] = Value::from(url.encode(raw));
    let sig = B64
        .decode(e["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    e["signatures"][0]["sig"] = Value::from(url.encode(sig));
    let url_env = write(&d.d, "url.json", &e.to_string());
    let o = run(&[
        "ledger",
        "verify-envelope",
        &url_env,
        "--public-key",
        &public,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // A checkpoint's size must be plain decimal.
    let note = d.read("real/l.jsonl.checkpoint");
    for size in ["+2", "02"] {
        let bad = write(
            &d.d,
            "s.checkpoint",
            &note.replacen("\n2\n", &format!("\n{size}\n"), 1),
        );
        let (c, _, err) = d.verify("real/l.jsonl", &["--checkpoint", &bad]);
        assert_eq!(c, Some(1), "{err}");
        assert!(err.contains("not a decimal number"), "{size}: {err}");
    }
}

/// A group named like a ledger head cannot stand for one: heads are read from their own fields.
#[test]
fn a_group_named_like_a_head_proves_nothing() {
    let d = Dir::new();
    let fake = format!("record 9 sha256:{}", "0".repeat(64));
    let mut csv = String::from("y,p,g\n");
    for i in 0..200 {
        let y = i % 2;
        let g = if i % 4 < 2 { "a" } else { fake.as_str() };
        csv.push_str(&format!("{y},{y},{g}\n"));
    }
    let data = write(&d.d, "fake.csv", &csv);
    let f = |x: &str| d.p(&format!("f.{x}"));
    let (reg, md, html, ju, osc) = (f("csv"), f("md"), f("html"), f("xml"), f("oscal.json"));
    let o = run(&[
        "assess",
        "--current",
        &data,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--register",
        &reg,
        "--markdown",
        &md,
        "--html",
        &html,
        "--junit",
        &ju,
        "--oscal",
        &osc,
        "--ledger",
        &d.p("l.jsonl"),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    assert!(
        d.read("f.html").contains("record 9"),
        "the fake name is in the report"
    );
    for file in [reg, md, html, ju, osc] {
        let (c, out, err) = d.verify("l.jsonl", &["--evidence", &file]);
        assert_eq!(c, Some(0), "{file}: {err}");
        assert!(out.contains(": record 1 ("), "{file}: {out}");
    }
}
