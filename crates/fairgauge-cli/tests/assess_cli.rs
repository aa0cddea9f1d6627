//! `fairgauge assess`, `demo`, `init` and `ledger` end to end.

mod common;

use common::*;
use serde_json::Value;

fn read(p: &std::path::Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The evidence with the run's id, timestamps and command line blanked.
fn normalised(text: &str) -> Value {
    let mut v: Value = serde_json::from_str(text).unwrap();
    let run = v["run"].as_object_mut().unwrap();
    for k in ["id", "started_at", "finished_at", "command_line"] {
        run.insert(k.into(), Value::Null);
    }
    v
}

#[test]
fn demo_writes_every_export_and_its_ledger_verifies() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("demo");
    let out_s = out.to_string_lossy().into_owned();
    let o = run(&["demo", "--out", &out_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in [
        "evidence.json",
        "register.csv",
        "oscal.json",
        "junit.xml",
        "summary.md",
        "attestation.json",
        "ledger.jsonl",
        "policy.toml",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let e: Value = serde_json::from_str(&read(&out.join("evidence.json"))).unwrap();
    assert_eq!(e["schema_version"], "1.6.0");
    assert_eq!(e["system"]["id"], "adult-income-demo");
    assert_eq!(e["datasets"].as_array().unwrap().len(), 2);
    assert_eq!(e["datasets"][0]["rows"], 16281);
    assert_eq!(e["datasets"][1]["rows"], 32561);
    let kinds: Vec<&str> = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for k in [
        "fairness.selection_rate_ratio",
        "drift.psi",
        "quality.missing",
        "provenance.fingerprints",
    ] {
        assert!(kinds.contains(&k), "{k} not among the findings");
    }
    for key in ["fairness", "drift", "quality"] {
        assert!(e["results"][key].is_object(), "results.{key}");
    }
    // The rule-based model selects far fewer women: the four-fifths rule fails for sex.
    let f = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["kind"] == "fairness.selection_rate_ratio" && f["subject"]["attribute"] == "sex"
        })
        .unwrap();
    assert_eq!(f["status"], "fail");
    assert!(f["risk_id"].as_str().unwrap().starts_with("R-"));
    let o = run(&[
        "ledger",
        "verify",
        &out.join("ledger.jsonl").to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok, 1 records"));
    // A second run appends, and the ledger still verifies.
    let o = run(&["demo", "--out", &out_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&[
        "ledger",
        "verify",
        &out.join("ledger.jsonl").to_string_lossy(),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok, 2 records"));
}

#[test]
fn same_input_same_evidence() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("s.parquet");
    let o = run(&[
        "synth",
        "--rows",
        "20000",
        "--output",
        &data.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut texts = vec![];
    for i in 0..2 {
        let dir = d.path().join(format!("run{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
        let o = run(&[
            "assess",
            "--current",
            &data.to_string_lossy(),
            "--reference",
            &data.to_string_lossy(),
            "--label",
            "label",
            "--prediction",
            "prediction",
            "--sensitive",
            "sex,race",
            "--output",
            &p("evidence.json"),
            "--register",
            &p("register.csv"),
            "--junit",
            &p("junit.xml"),
            "--markdown",
            &p("summary.md"),
            "--oscal",
            &p("oscal.json"),
            "--attestation",
            &p("attestation.json"),
        ]);
        assert!(
            matches!(o.status.code(), Some(0) | Some(1)),
            "{}",
            stderr(&o)
        );
        texts.push(dir);
    }
    let (a, b) = (&texts[0], &texts[1]);
    // The same file as current and reference: one fingerprint, whichever pass computed it.
    let e0: Value = serde_json::from_str(&read(&a.join("evidence.json"))).unwrap();
    for k in [
        "file_sha256",
        "content_fingerprint",
        "schema_fingerprint",
        "rows",
    ] {
        assert_eq!(e0["datasets"][0][k], e0["datasets"][1][k], "{k}");
    }
    assert_eq!(
        normalised(&read(&a.join("evidence.json"))),
        normalised(&read(&b.join("evidence.json")))
    );
    // Exports differ at most where the run id and timestamps appear.
    let ea: Value = serde_json::from_str(&read(&a.join("evidence.json"))).unwrap();
    let eb: Value = serde_json::from_str(&read(&b.join("evidence.json"))).unwrap();
    // The evidence file's digest and path differ too (it holds the run id; each run writes its
    // own directory).
    let scrub = |s: String, e: &Value, dir: &std::path::Path| {
        let mut s = s;
        for k in ["id", "started_at", "finished_at"] {
            s = s.replace(e["run"][k].as_str().unwrap(), "<run>");
        }
        let digest = fairgauge::core::fingerprint::sha256_reader(
            std::fs::File::open(dir.join("evidence.json")).unwrap(),
        )
        .unwrap();
        s.replace(&digest, "<digest>")
            .replace(&dir.display().to_string(), "<dir>")
    };
    for f in ["junit.xml", "summary.md", "oscal.json", "register.csv"] {
        assert_eq!(
            scrub(read(&a.join(f)), &ea, a),
            scrub(read(&b.join(f)), &eb, b),
            "{f} differs beyond run id and timestamps"
        );
    }
}

#[test]
fn planted_breach_fails_with_its_risk_and_controls_in_every_export() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("biased.parquet");
    let o = run(&[
        "synth",
        "--rows",
        "50000",
        "--disparity",
        "0.3",
        "--output",
        &data.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    let o = run(&[
        "assess",
        "--current",
        &data.to_string_lossy(),
        "--label",
        "label",
        "--prediction",
        "prediction",
        "--sensitive",
        "sex",
        "--output",
        &p("e.json"),
        "--register",
        &p("r.csv"),
        "--junit",
        &p("j.xml"),
        "--markdown",
        &p("s.md"),
        "--oscal",
        &p("o.json"),
        "--attestation",
        &p("a.json"),
        "--ledger",
        &p("l.jsonl"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a failing finding exits 1: {}",
        stderr(&o)
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.contains("overall: FAIL"), "{text}");
    let e: Value = serde_json::from_str(&read(&d.path().join("e.json"))).unwrap();
    let f = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["kind"] == "fairness.equal_opportunity_difference"
                && f["subject"]["group"] == "Female"
                && f["status"] == "fail"
        })
        .expect("the planted TPR gap fails");
    let v = f["value"].as_f64().unwrap();
    assert!((v - 0.3).abs() < 0.03, "gap {v}");
    let ids: Vec<&str> = f["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for c in [
        "ISO42001:A.5.4",
        "NIST-AI-RMF:MEASURE-2.11",
        "EU-AI-Act:Art.10(2)(f)",
        "ISO42001:10.2",
    ] {
        assert!(ids.contains(&c), "{c} not in {ids:?}");
    }
    let risk_id = f["risk_id"].as_str().unwrap();
    let risk = e["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == risk_id)
        .unwrap();
    assert_eq!(risk["title"], "Disparate true positive rates by sex");
    // A 0.3 gap is three times the 0.1 threshold and significant: likelihood 4, impact 4 + 1.
    assert_eq!(risk["likelihood"], 4);
    assert_eq!(risk["impact"], 5);
    assert_eq!(risk["rating"], "critical");
    assert_eq!(risk["treatment"], "avoid");
    // The finding, its risk and its controls reach every export.
    let reg = read(&d.path().join("r.csv"));
    assert!(
        reg.contains(risk_id) && reg.contains("ISO42001:A.5.4"),
        "{reg}"
    );
    let junit = read(&d.path().join("j.xml"));
    assert!(
        junit.contains("<failure") && junit.contains("equal_opportunity_difference"),
        "{junit}"
    );
    let md = read(&d.path().join("s.md"));
    assert!(
        md.contains(risk_id) && md.contains("Disparate true positive rates by sex"),
        "{md}"
    );
    let oscal = read(&d.path().join("o.json"));
    assert!(
        oscal.contains("not-satisfied") && oscal.contains("Disparate true positive rates by sex")
    );
    let att: Value = serde_json::from_str(&read(&d.path().join("a.json"))).unwrap();
    assert_eq!(att["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(att["predicate"]["findings"], e["findings"]);
    let o = run(&["ledger", "verify", &p("l.jsonl")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn bad_policies_and_roles_are_named() {
    let d = tempfile::tempdir().unwrap();
    let data = write(&d, "d.csv", "y,p,g\n1,1,a\n0,1,b\n1,0,a\n0,0,b\n");
    let pol = write(&d, "p.toml", "version = 1\n[drift]\npsi_fail = \"high\"\n");
    fails_with(
        &["assess", "--policy", &pol, "--current", &data],
        &["p.toml", "line 3", "psi_fail"],
    );
    let pol = write(
        &d,
        "p2.toml",
        "version = 1\n[quality]\nmissing = [0.5, 0.2]\n",
    );
    fails_with(
        &["assess", "--policy", &pol, "--current", &data],
        &["p2.toml", "quality.missing"],
    );
    let pol = write(
        &d,
        "p3.toml",
        "version = 1\n[controls]\n\"fairness.selection_rate_ratio\" = [\"ISO42001:A.42\"]\n",
    );
    fails_with(
        &["assess", "--policy", &pol, "--current", &data],
        &["unknown control id `ISO42001:A.42`"],
    );
    let pol = write(&d, "p4.toml", "version = 1\n[sistem]\nid = \"x\"\n");
    fails_with(
        &["assess", "--policy", &pol, "--current", &data],
        &["p4.toml", "sistem"],
    );
    fails_with(
        &[
            "assess",
            "--current",
            &data,
            "--label",
            "y",
            "--prediction",
            "nope",
            "--sensitive",
            "g",
        ],
        &["no column `nope`"],
    );
}

#[test]
fn edited_ledger_is_refused_with_its_position() {
    let d = tempfile::tempdir().unwrap();
    let data = write(&d, "d.csv", "y,p,g\n1,1,a\n0,1,b\n1,0,a\n0,0,b\n");
    let ledger = d.path().join("l.jsonl");
    let l = ledger.to_string_lossy().into_owned();
    for _ in 0..3 {
        let o = run(&["assess", "--current", &data, "--ledger", &l]);
        assert!(
            matches!(o.status.code(), Some(0) | Some(1)),
            "{}",
            stderr(&o)
        );
    }
    let o = run(&["ledger", "verify", &l]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = read(&ledger);
    let lines: Vec<&str> = text.lines().collect();
    let mut v: Value = serde_json::from_str(lines[1]).unwrap();
    v["system_id"] = Value::String("someone-else".into());
    let tampered = format!(
        "{}\n{}\n{}\n",
        lines[0],
        serde_json::to_string(&v).unwrap(),
        lines[2]
    );
    std::fs::write(&ledger, tampered).unwrap();
    let o = run(&["ledger", "verify", &l]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("record 2"), "{}", stderr(&o));
}

#[test]
fn init_guesses_roles_and_writes_a_loadable_policy() {
    let d = tempfile::tempdir().unwrap();
    let data = write(
        &d,
        "loans.csv",
        "age,sex,race,income,prediction\n30,F,a,1,1\n",
    );
    let out = d.path().join("policy.toml");
    let o = run(&["init", &data, "--output", &out.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = read(&out);
    assert!(text.contains("label = \"income\""), "{text}");
    assert!(text.contains("prediction = \"prediction\""), "{text}");
    assert!(text.contains("sensitive = [\"sex\", \"race\"]"), "{text}");
    assert!(text.contains("id = \"loans\""), "{text}");
    assert!(
        text.contains("four-fifths"),
        "every default is written out, commented"
    );
    // It loads as a policy, and assess runs with it.
    let o = run(&[
        "assess",
        "--policy",
        &out.to_string_lossy(),
        "--current",
        &data,
    ]);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&o)
    );
    // It is not overwritten without --force.
    fails_with(
        &["init", &data, "--output", &out.to_string_lossy()],
        &["exists", "--force"],
    );
}

#[test]
fn several_rules_on_one_column_have_their_own_findings() {
    let d = tempfile::tempdir().unwrap();
    let data = write(&d, "d.csv", "w,y\n1,1\n2,0\n3,1\n");
    let rules = write(
        &d,
        "r.toml",
        "version = 1\n[columns.w]\ntype = \"integer\"\nnot_null = true\nmax = 0\n",
    );
    let out = d.path().join("e.json");
    let o = run(&[
        "assess",
        "--current",
        &data,
        "--rules",
        &rules,
        "--output",
        &out.to_string_lossy(),
    ]);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&o)
    );
    let e: Value = serde_json::from_str(&read(&out)).unwrap();
    let ids: Vec<&str> = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate finding ids");
    let kinds: Vec<&str> = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["subject"]["column"] == "w")
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for k in [
        "quality.rule_type",
        "quality.rule_not_null",
        "quality.rule_max",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    // Only the failing rule feeds the risk.
    let risk = e["risks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "Rule violations in w")
        .unwrap();
    assert_eq!(risk["findings"].as_array().unwrap().len(), 1);
}
