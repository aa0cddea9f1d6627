//! `fairgauge quality` end to end: a hand-counted fixture, rules (inferred, applied, broken,
//! invalid), and bad or awkward input.

mod common;

use common::*;
use serde_json::Value;

const FIXTURE: &str = "id,age,sex,city,score,label
1,30,Male,Paris,0.5,1
2,,Female,paris,NaN,0
3,-999,male ,Paris,inf,1
4,45,N/A,,0.7,0
5,52,Female, Lyon,0.2,1
5,52,Female, Lyon,0.2,1
,,,,,
7,61,Female,Lyon,0.9,0

";

fn col<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn check<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn has_check(v: &Value, id: &str) -> bool {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == id)
}

#[test]
fn hand_counted_fixture() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "f.csv", FIXTURE);
    let v = json(&[
        "quality", &f, "--key", "id", "--label", "label", "--format", "json",
    ]);
    let ds = &v["dataset"];
    // The blank last line is not a row; the all-empty line is an empty row.
    assert_eq!(ds["rows"], 8);
    assert_eq!(ds["empty_rows"], 1);
    assert_eq!(check(&v, "dataset.empty_rows")["examples"][0]["row"], 7);
    assert_eq!(ds["duplicates"]["extra_rows"], 1);
    assert_eq!(ds["duplicates"]["groups"], 1);
    assert_eq!(
        ds["duplicates"]["examples"][0]["rows"],
        serde_json::json!([5, 6])
    );
    assert_eq!(ds["duplicate_keys"]["extra_rows"], 1);
    assert_eq!(check(&v, "dataset.duplicate_keys")["status"], "fail");
    assert_eq!(ds["label"]["counts"], serde_json::json!({"0": 3, "1": 4}));

    let age = col(&v, "age");
    assert_eq!(age["rows"], 7);
    assert_eq!(age["missing"]["nulls"], 1);
    assert_eq!(age["missing"]["suspected"][0]["value"], "-999");
    assert_eq!(age["missing"]["suspected"][0]["count"], 1);
    assert_eq!(age["missing"]["total"], 2);
    let share = age["missing"]["share"].as_f64().unwrap();
    assert!((share - 2.0 / 7.0).abs() < 1e-15);
    assert_eq!(check(&v, "column.age.missing")["status"], "fail");
    assert_eq!(check(&v, "column.age.missing")["examples"][0]["row"], 2);

    let sex = col(&v, "sex");
    assert_eq!(sex["missing"]["suspected"][0]["value"], "N/A");
    assert_eq!(sex["distinct"], 3);
    assert_eq!(sex["text"]["padded"], 1);
    assert_eq!(check(&v, "column.sex.padded_text")["examples"][0]["row"], 3);
    assert_eq!(sex["text"]["variants"].as_array().unwrap().len(), 1);
    assert_eq!(check(&v, "column.sex.case_variants")["status"], "warn");

    let city = col(&v, "city");
    assert_eq!(city["missing"]["nulls"], 1);
    assert_eq!(city["text"]["padded"], 2);
    assert_eq!(city["text"]["variants"].as_array().unwrap().len(), 2);
    // `Paris` and ` Lyon` both hold 2 rows: ties go by value.
    assert_eq!(city["top"][0]["value"], " Lyon");
    assert_eq!(city["top"][1]["value"], "Paris");
    assert_eq!(city["top"][1]["count"], 2);

    let score = col(&v, "score");
    assert_eq!(score["kind"], "numeric");
    assert_eq!(score["missing"]["nan"], 1);
    assert_eq!(score["infinite"], serde_json::json!([1, 0]));
    // Finite values 0.5, 0.7, 0.2, 0.2, 0.9: mean 0.5, median 0.5.
    assert_eq!(score["numeric"]["count"], 5);
    assert!((score["numeric"]["mean"].as_f64().unwrap() - 0.5).abs() < 1e-15);
    assert_eq!(score["numeric"]["median"], 0.5);
    assert_eq!(score["numeric"]["distinct"], 4);
    assert_eq!(check(&v, "column.score.infinite")["examples"][0]["row"], 3);

    // Scores: a column with nothing to remark scores 100.
    assert_eq!(col(&v, "label")["score"], 100.0);
    assert!(ds["score"].as_f64().unwrap() < 100.0);
    for c in v["checks"].as_array().unwrap() {
        assert!(["pass", "warn", "fail"].contains(&c["status"].as_str().unwrap()));
    }
}

#[test]
fn output_is_deterministic() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "f.csv", FIXTURE);
    let a = run(&[
        "quality",
        &f,
        "--format",
        "json",
        "--label",
        "label",
        "--sensitive",
        "sex",
    ]);
    let b = run(&[
        "quality",
        &f,
        "--format",
        "json",
        "--label",
        "label",
        "--sensitive",
        "sex",
    ]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn inferred_rules_accept_their_data_and_catch_a_corrupted_copy() {
    let d = tempfile::tempdir().unwrap();
    let mut clean = String::from("id,age,grade,email\n");
    for i in 0..200 {
        clean.push_str(&format!(
            "{i},{},{},user{i}@example.org\n",
            20 + i % 50,
            ["A", "B", "C"][i % 3]
        ));
    }
    let f = write(&d, "clean.csv", &clean);
    let rules = d.path().join("rules.toml");
    let rules_s = rules.to_string_lossy().into_owned();
    let o = run(&["quality", &f, "--infer", &rules_s]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&rules).unwrap();
    assert!(
        text.contains("[columns.age]") && text.contains("min = 20"),
        "{text}"
    );
    assert!(text.contains("allowed = [\"A\", \"B\", \"C\"]"), "{text}");
    assert!(text.contains("unique = true"), "{text}");
    // The data the rules came from passes them all.
    let v = json(&["quality", &f, "--rules", &rules_s, "--format", "json"]);
    let rule_checks: Vec<&Value> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("rule."))
        .collect();
    assert!(rule_checks.len() >= 10, "{rule_checks:?}");
    assert!(
        rule_checks.iter().all(|c| c["status"] == "pass"),
        "{rule_checks:?}"
    );
    // A corrupted copy: an age out of range (row 3), a new grade (row 5), a missing email
    // (row 8), a repeated id (rows 10 and 11: row 11 takes row 10's id).
    let mut lines: Vec<String> = clean.lines().map(String::from).collect();
    lines[3] = "2,200,C,user2@example.org".into();
    lines[5] = "4,24,Z,user4@example.org".into();
    lines[8] = "7,27,B,".into();
    lines[11] = "9,30,A,user10@example.org".into();
    let bad = write(&d, "bad.csv", &(lines.join("\n") + "\n"));
    let out = d.path().join("failing.csv");
    let out_s = out.to_string_lossy().into_owned();
    let v = json(&[
        "quality",
        &bad,
        "--rules",
        &rules_s,
        "--format",
        "json",
        "--failing-rows",
        &out_s,
    ]);
    let c = check(&v, "rule.age.max");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["count"], 1);
    assert_eq!(c["examples"][0]["row"], 3);
    assert_eq!(c["examples"][0]["value"], "200");
    let c = check(&v, "rule.grade.allowed");
    assert_eq!(
        (c["count"].clone(), c["examples"][0]["row"].clone()),
        (1.into(), 5.into())
    );
    let c = check(&v, "rule.email.not_null");
    assert_eq!(
        (c["count"].clone(), c["examples"][0]["row"].clone()),
        (1.into(), 8.into())
    );
    let c = check(&v, "rule.id.unique");
    assert_eq!(c["count"], 2);
    assert_eq!(check(&v, "rule.age.min")["status"], "pass");
    let failing = std::fs::read_to_string(&out).unwrap();
    let mut got: Vec<&str> = failing.lines().collect();
    got.sort();
    assert_eq!(
        got,
        [
            "allowed,grade,5,Z",
            "max,age,3,200",
            "not_null,email,8,",
            "rule,column,row,value",
            "unique,id,10,9",
            "unique,id,11,9",
        ]
    );
}

#[test]
fn invalid_rules_name_the_file_line_and_key() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "f.csv", "a,b\n1,x\n");
    let r = write(&d, "r.toml", "version = 1\n[columns.a]\nmaximum = 3\n");
    fails_with(
        &["quality", &f, "--rules", &r],
        &["r.toml", "line 3", "maximum"],
    );
    let r = write(&d, "r2.toml", "version = 1\n[columns.a]\nmin = \"low\"\n");
    fails_with(&["quality", &f, "--rules", &r], &["r2.toml", "line 3"]);
    let r = write(&d, "r3.toml", "version = 1\n[columns.b]\nregex = '(x'\n");
    fails_with(
        &["quality", &f, "--rules", &r],
        &[
            "r3.toml",
            "line 3",
            "regex",
            "(x",
            "not a valid regular expression",
        ],
    );
    let r = write(
        &d,
        "r4.toml",
        "version = 1\n[columns.zz]\nnot_null = true\n",
    );
    fails_with(
        &["quality", &f, "--rules", &r],
        &["r4.toml", "`zz`", "columns are: a, b"],
    );
    let r = write(
        &d,
        "r5.toml",
        "version = 1\n[columns.a]\ntype = \"decimal\"\n",
    );
    fails_with(
        &["quality", &f, "--rules", &r],
        &["r5.toml", "line 3", "decimal"],
    );
}

#[test]
fn bad_and_awkward_input() {
    let d = tempfile::tempdir().unwrap();
    // Header only: no rows, nothing to profile, but a report.
    let f = write(&d, "h.csv", "a,b\n");
    let v = json(&["quality", &f, "--format", "json"]);
    assert_eq!(v["dataset"]["rows"], 0);
    assert_eq!(col(&v, "a")["missing"]["share"], Value::Null);
    // An all-null column, one group, NaN and inf: no panic, clear facts.
    let f = write(&d, "n.csv", "a,b,g\n,1,x\n,NaN,x\n,inf,x\n");
    let v = json(&["quality", &f, "--format", "json", "--sensitive", "g"]);
    assert_eq!(col(&v, "a")["missing"]["nulls"], 3);
    assert_eq!(check(&v, "column.a.missing")["status"], "fail");
    assert_eq!(col(&v, "b")["numeric"]["count"], 1);
    // Ragged CSV: the line is named.
    let f = write(&d, "r.csv", "a,b\n1,2\n3\n");
    fails_with(&["quality", &f], &["r.csv", "line 3"]);
    // Missing columns for roles are named.
    let f = write(&d, "ok.csv", "a,b\n1,2\n");
    fails_with(
        &["quality", &f, "--label", "y"],
        &["no column `y`", "columns are: a, b"],
    );
    fails_with(&["quality", &f, "--key", "k"], &["no column `k`"]);
    // A non-existent file.
    fails_with(&["quality", "nope.csv"], &["nope.csv"]);
    // Huge cardinality: an identifier is flagged, and not tested as a proxy.
    let mut s = String::from("id,g\n");
    for i in 0..3000 {
        s.push_str(&format!("u{i},{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    let f = write(&d, "ids.csv", &s);
    let v = json(&["quality", &f, "--format", "json", "--sensitive", "g"]);
    assert_eq!(check(&v, "column.id.high_cardinality")["status"], "warn");
    // The mergeable HyperLogLog estimate holds within 4 standard errors of the exact count.
    let id = col(&v, "id");
    assert_eq!(id["distinct"], 3000);
    let est = id["distinct_sketch"]["estimate"].as_f64().unwrap();
    let rse = id["distinct_sketch"]["relative_standard_error"]
        .as_f64()
        .unwrap();
    assert!((est - 3000.0).abs() <= 4.0 * rse * 3000.0, "{est}");
    assert!(v["skipped"][0].as_str().unwrap().contains("`id`"));
    assert!(!has_check(&v, "dataset.proxy.g.id"));
    // A label with three values is reported as it is.
    let f = write(&d, "l.csv", "x,y\n1,a\n2,b\n3,c\n4,a\n");
    let v = json(&["quality", &f, "--format", "json", "--label", "y"]);
    assert_eq!(v["dataset"]["label"]["counts"]["a"], 2);
    // Hostile column names survive in JSON unchanged.
    let f = write(&d, "x.csv", "\"<script>alert(1)</script>\",b\n1,2\n");
    let v = json(&["quality", &f, "--format", "json"]);
    assert_eq!(v["columns"][0]["name"], "<script>alert(1)</script>");
}

#[test]
fn text_output_names_placeholders_duplicates_and_score() {
    let o = run(&["quality", "datasets/adult/adult.data", "--no-null-values"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = String::from_utf8(o.stdout).unwrap();
    assert!(t.contains("32561 rows × 15 columns"), "{t}");
    assert!(t.contains("duplicates: 24 extra rows in 23 groups"), "{t}");
    assert!(t.contains("?×1836"), "{t}");
    assert!(t.contains("?×1843"), "{t}");
    assert!(t.contains("?×583"), "{t}");
    assert!(t.contains("score "), "{t}");
}

#[test]
fn leakage_and_planted_proxy() {
    let d = tempfile::tempdir().unwrap();
    let mut train = String::from("k,zip,noise,race,y\n");
    let mut test = String::from("k,zip,noise,race,y\n");
    for i in 0..400 {
        let race = ["W", "B", "A"][i % 3];
        // zip follows race except every 10th row.
        let zip = if i % 10 == 0 {
            "z9"
        } else {
            ["z1", "z2", "z3"][i % 3]
        };
        let noise = ["p", "q"][(i / 3) % 2];
        train.push_str(&format!("{i},{zip},{noise},{race},{}\n", i % 2));
        // The first 7 test rows are train rows.
        let k = if i < 7 { i } else { 1000 + i };
        test.push_str(&format!("{k},{zip},{noise},{race},{}\n", i % 2));
    }
    let tr = write(&d, "train.csv", &train);
    let te = write(&d, "test.csv", &test);
    let v = json(&[
        "quality",
        &te,
        "--reference",
        &tr,
        "--sensitive",
        "race",
        "--label",
        "y",
        "--key",
        "k",
        "--format",
        "json",
    ]);
    assert_eq!(v["dataset"]["leakage"]["rows"], 7);
    assert_eq!(v["dataset"]["leakage"]["examples"][0], 1);
    assert_eq!(check(&v, "dataset.leakage")["status"], "fail");
    assert_eq!(check(&v, "dataset.proxy.race.zip")["status"], "fail");
    assert_eq!(check(&v, "dataset.proxy.race.noise")["status"], "pass");
    // Keys and labels are not features.
    assert!(!has_check(&v, "dataset.proxy.race.k"));
    assert!(!has_check(&v, "dataset.proxy.race.y"));
}

#[test]
fn review_regressions() {
    let d = tempfile::tempdir().unwrap();
    // Configured tokens in empty rows are not counted (the rows are empty, not missing values).
    let f = write(&d, "t.csv", "a,b\n1,x\nNA,NA\nNA,NA\n2,y\n");
    let v = json(&["quality", &f, "--null-values", "NA", "--format", "json"]);
    assert_eq!(v["dataset"]["empty_rows"], 2);
    assert_eq!(col(&v, "a")["rows"], 2);
    assert_eq!(col(&v, "b")["missing"]["total"], 0);
    // A table without rows fails.
    let f = write(&d, "h.csv", "a,b\n");
    let v = json(&["quality", &f, "--format", "json"]);
    assert_eq!(check(&v, "dataset.no_rows")["status"], "fail");
    // Bounds compare numbers stored as text as numbers: only `abc` breaks `min = 0`.
    let f = write(&d, "m.csv", "w\n1\n2\n3\n4\n5\n6\n7\n8\n9\nabc\n");
    let r = write(&d, "r.toml", "version = 1\n[columns.w]\nmin = 0\n");
    let v = json(&["quality", &f, "--rules", &r, "--format", "json"]);
    assert_eq!(check(&v, "rule.w.min")["count"], 1);
    assert_eq!(check(&v, "rule.w.min")["examples"][0]["value"], "abc");
    // A text after the rows polars infers types from is a finding, not a read error.
    let mut late = String::from("a,b\n");
    for i in 0..500 {
        late.push_str(&format!("{i},x\n"));
    }
    late.push_str("oops,y\n");
    let f = write(&d, "late.csv", &late);
    let v = json(&["quality", &f, "--format", "json"]);
    assert_eq!(col(&v, "a")["kind"], "numeric_text");
    let c = check(&v, "column.a.mixed_types");
    assert_eq!(c["examples"][0]["row"], 501);
    assert_eq!(c["examples"][0]["value"], "oops");
    // A placeholder token is left out of the distinct count once, not twice.
    let f = write(&d, "p.csv", "c\na\nb\nc\n-999\nd\n");
    let v = json(&["quality", &f, "--format", "json"]);
    assert_eq!(col(&v, "c")["distinct"], 4);
}
