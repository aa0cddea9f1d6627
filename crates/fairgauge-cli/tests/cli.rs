//! The `fairgauge` binary end to end: bad input gives exit code 2 and one clear message; good
//! input gives the JSON contract; text output is pinned by snapshots
//! (`UPDATE_SNAPSHOTS=1 cargo test` rewrites them).

mod common;

use std::process::Command;

use common::*;

const GOOD: &str = "y,p,s,g\n1,1,0.9,a\n0,0,0.2,a\n1,0,0.4,b\n0,1,0.7,b\n1,1,0.8,a\n0,0,0.1,b\n";

#[test]
fn missing_column_is_named() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", GOOD);
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "nope",
            "--sensitive",
            "g",
        ],
        &["no column `nope`", "columns are: y, p, s, g"],
    );
}

#[test]
fn label_with_three_values_lists_them() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,p,g\n1,1,a\n0,0,a\n2,1,b\n0,1,b\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["column `y`", "more than two values", "`0`, `1`, `2`"],
    );
}

#[test]
fn prediction_that_is_not_binary_or_lacks_the_positive_label() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,p,g\n1,1,a\n0,0,a\n1,2,b\n0,1,b\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["column `p`", "more than two values"],
    );
    let f = write(&d, "u.csv", "y,p,g\nyes,a,a\nno,b,a\nyes,a,b\nno,b,b\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["column `p`", "prediction value `a`", "positive label `yes`"],
    );
}

#[test]
fn score_outside_unit_interval_or_nan_names_the_row() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,s,g\n1,0.9,a\n0,1.5,a\n1,0.4,b\n0,0.2,b\n");
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
        ],
        &["column `s`", "score 1.5 at data row 2", "outside [0, 1]"],
    );
    let f = write(&d, "n.csv", "y,s,g\n1,0.9,a\n0,NaN,a\n1,0.4,b\n0,0.2,b\n");
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
        ],
        &["column `s`", "NaN at data row 2"],
    );
    let f = write(&d, "x.csv", "y,s,g\n1,0.9,a\n0,high,a\n1,0.4,b\n0,0.2,b\n");
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
        ],
        &["column `s`", "`high`", "not a number"],
    );
}

#[test]
fn empty_file_and_header_only() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "e.csv", "");
    fails_with(
        &["fairness", &f, "--label", "y", "--sensitive", "g"],
        &["the file is empty"],
    );
    let f = write(&d, "h.csv", "y,g\n");
    fails_with(
        &["fairness", &f, "--label", "y", "--sensitive", "g"],
        &["no data rows"],
    );
}

#[test]
fn one_group_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,p,g\n1,1,a\n0,0,a\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["`g` has only one group (a)"],
    );
}

#[test]
fn all_null_role_column_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,p,g\n1,,a\n0,,b\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["column `p`", "every value is null"],
    );
    let f = write(&d, "u.csv", "y,p,g\n1,1,\n0,0,\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["column `g`", "every value is null"],
    );
}

#[test]
fn malformed_csv_line_is_numbered() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,p,g\n1,1,a\n0,0,b\n1,1,a,extra\n0,1,b\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["line 4", "expected 3 fields"],
    );
}

#[test]
fn short_line_and_unclosed_quote_are_numbered() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,p,g\n1,1,a\n0,0\n1,1,b\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["line 3", "expected 3 fields", "found 2"],
    );
    let f = write(&d, "q.csv", "y,p,g\n1,1,a\n0,0,\"b\n1,1,b\n");
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ],
        &["line 3", "never closed"],
    );
}

#[test]
fn quoted_fields_may_hold_separators_and_newlines() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        &d,
        "t.csv",
        "y,p,g\n1,1,\"a, x\"\n0,0,\"a, x\"\n1,0,\"b\nline\"\n0,1,\"b\nline\"\n",
    );
    let o = run(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--min-group-size",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["a, x", "b\nline"]);
}

#[test]
fn crlf_comments_and_no_final_newline_are_regular() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        &d,
        "t.csv",
        "# exported 2026\r\ny,g\r\n1,a\r\n# a note, with, commas\r\n0,a\r\n1,b\r\n0,b",
    );
    let o = run(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--sensitive",
        "g",
        "--comment-prefix",
        "#",
        "--min-group-size",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"]["used"], 4);
    let f = write(&d, "u.csv", "y,g\r\n1,a\r\n0,a\r\n1");
    fails_with(
        &["fairness", &f, "--label", "y", "--sensitive", "g"],
        &["line 4", "found 1"],
    );
}

#[test]
fn type_override_keeps_leading_zeros() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,zip\n1,007\n0,007\n1,010\n0,010\n");
    let h = write(&d, "h.csv", "1,007\n0,007\n1,010\n0,010\n");
    let groups = |file: &str, extra: &[&str]| -> Vec<String> {
        let mut a = vec![
            "fairness",
            file,
            "--label",
            "y",
            "--sensitive",
            "zip",
            "--min-group-size",
            "1",
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        let o = run(&a);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["group"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(groups(&f, &[]), vec!["10", "7"]);
    assert_eq!(groups(&f, &["--dtype", "zip=str"]), vec!["007", "010"]);
    // Headerless, named by --column-names: the override follows the name.
    assert_eq!(
        groups(&h, &["--dtype", "zip=str", "--column-names", "y,zip"]),
        vec!["007", "010"]
    );
    fails_with(
        &[
            "fairness",
            &h,
            "--label",
            "y",
            "--sensitive",
            "zip",
            "--dtype",
            "nope=str",
            "--column-names",
            "y,zip",
        ],
        &["type override for `nope`"],
    );
}

#[test]
fn infinite_score_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,s,g\n1,0.9,a\n0,inf,a\n1,0.4,b\n0,0.2,b\n");
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
        ],
        &["column `s`", "inf at data row 2", "outside [0, 1]"],
    );
}

#[test]
fn prediction_values_must_be_label_values() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,p,g\n1,yes,a\n0,yes,a\n1,yes,b\n0,yes,b\n");
    for extra in [&[][..], &["--positive-label", "1"][..]] {
        let mut a = vec![
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
        ];
        a.extend_from_slice(extra);
        fails_with(
            &a,
            &["column `p`", "prediction value `yes`", "positive label `1`"],
        );
    }
}

#[test]
fn group_limit_holds_across_slices() {
    // ids 0–999 in the first 65,536 rows and 1000–1999 after: each slice is under the limit.
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from("y,id\n");
    for i in 0..131_072u32 {
        let id = if i < 65_536 {
            i % 1000
        } else {
            1000 + i % 1000
        };
        text.push_str(&format!("{},{}\n", i % 2, id));
    }
    let f = write(&d, "t.csv", &text);
    fails_with(
        &["fairness", &f, "--label", "y", "--sensitive", "id"],
        &["column `id`", "more than 1000 distinct values"],
    );
}

#[test]
fn quotes_in_comments_are_ignored_and_doubled_quotes_escape() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        &d,
        "t.csv",
        "# it\"s a comment\ny,g\n1,x\n0,x\n1,\"a \"\"b\"\"\"\n0,\"a \"\"b\"\"\"\n",
    );
    let v = json(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--sensitive",
        "g",
        "--comment-prefix",
        "#",
        "--min-group-size",
        "1",
        "--format",
        "json",
    ]);
    let names: Vec<&str> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["a \"b\"", "x"]);
}

#[test]
fn all_null_rows_are_counted_blank_lines_are_not() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        &d,
        "t.csv",
        "y,p,g\n1,1,a\n0,0,a\n\nNA,NA,NA\n1,0,b\n,,\n0,1,b\n\n",
    );
    let v = json(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--null-values",
        "NA",
        "--min-group-size",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(v["rows"]["seen"], 6);
    assert_eq!(v["rows"]["used"], 4);
    assert_eq!(v["rows"]["excluded_null_label"], 2);
}

#[test]
fn null_values_apply_to_every_format() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        &d,
        "t.ndjson",
        "{\"y\":\"1\",\"g\":\"a\"}\n{\"y\":\"?\",\"g\":\"a\"}\n{\"y\":\"0\",\"g\":\"b\"}\n",
    );
    let v = json(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--sensitive",
        "g",
        "--null-values",
        "?",
        "--min-group-size",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(v["rows"]["excluded_null_label"], 1);
}

#[test]
fn misspelled_reference_attribute_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", GOOD);
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--sensitive",
            "g",
            "--reference-group",
            "gg=b",
        ],
        &["reference group given for `gg`"],
    );
}

#[test]
fn huge_cardinality_attribute_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let mut text = String::from("y,p,id\n");
    for i in 0..1500 {
        text.push_str(&format!("{},{},{}\n", i % 2, (i / 2) % 2, i));
    }
    let f = write(&d, "t.csv", &text);
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "id",
        ],
        &["column `id`", "more than 1000 distinct values"],
    );
}

#[test]
fn unknown_extension_and_bad_options() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.weird", GOOD);
    fails_with(
        &["fairness", &f, "--label", "y", "--sensitive", "g"],
        &["cannot tell the format", "--input-format"],
    );
    let f = write(&d, "t.csv", GOOD);
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--sensitive",
            "g",
            "--confidence",
            "1.5",
        ],
        &["--confidence"],
    );
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--prediction",
            "y",
            "--sensitive",
            "g",
        ],
        &["column `y` is given for two roles"],
    );
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--sensitive",
            "g",
            "--reference-group",
            "zzz",
        ],
        &["reference group `zzz` not found"],
    );
    fails_with(
        &[
            "fairness",
            "/nonexistent/x.csv",
            "--label",
            "y",
            "--sensitive",
            "g",
        ],
        &["/nonexistent/x.csv", "cannot open"],
    );
    fails_with(
        &[
            "fairness",
            &f,
            "--label",
            "y",
            "--sensitive",
            "g",
            "--positive-label",
            "7",
        ],
        &["positive label `7` never occurs"],
    );
}

#[test]
fn unparseable_labels_need_a_positive_label() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "y,g\ngood,a\nbad,b\ngood,b\n");
    fails_with(
        &["fairness", &f, "--label", "y", "--sensitive", "g"],
        &[
            "cannot tell which label value is positive",
            "--positive-label",
        ],
    );
}

#[test]
fn headerless_file_with_columns_flag_and_null_values() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", "1;1;a\n0;NA;a\n1;0;b\n0;1;b\n1;1;b\n");
    let o = run(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--prediction",
        "p",
        "--sensitive",
        "g",
        "--column-names",
        "y,p,g",
        "--separator",
        ";",
        "--null-values",
        "NA",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"]["seen"], 5);
    assert_eq!(v["rows"]["excluded_null_prediction"], 1);
    assert_eq!(v["rows"]["used"], 4);
}

#[test]
fn json_contract_has_groups_disparities_and_summary() {
    let d = tempfile::tempdir().unwrap();
    let f = write(&d, "t.csv", GOOD);
    let out = d.path().join("out.json");
    let o = run(&[
        "fairness",
        &f,
        "--label",
        "y",
        "--prediction",
        "p",
        "--score",
        "s",
        "--sensitive",
        "g",
        "--min-group-size",
        "1",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let g = &v["groups"][0];
    for key in [
        "attribute",
        "group",
        "count",
        "share",
        "tp",
        "fp",
        "tn",
        "fn",
        "selection_rate",
        "tpr",
        "fpr",
        "tnr",
        "fnr",
        "ppv",
        "npv",
        "fdr",
        "for",
        "accuracy",
        "balanced_accuracy",
        "f1",
        "error_rate",
        "base_rate",
        "mean_score",
        "roc_auc",
        "brier_score",
        "ece",
        "ci",
        "insufficient_data",
    ] {
        assert!(g.get(key).is_some(), "groups[0].{key} missing: {g}");
    }
    assert!(v["disparities"].as_array().unwrap().len() > 10);
    assert!(v["summary"]["g"]["demographic_parity_difference"].is_number());
    // Group a: TP 2, FP 0, TN 1, FN 0 → FPR 0, PPV 1; 0/0 rates are null with a reason.
    let a = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "a")
        .unwrap();
    assert_eq!(a["fnr"], 0.0);
    assert_eq!(a["treatment_equality"], serde_json::Value::Null);
    assert!(a["undefined"]["treatment_equality"]
        .as_str()
        .unwrap()
        .contains("FP = 0"));
}

fn snapshot(name: &str, args: &[&str]) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_snapshot(name, &String::from_utf8(o.stdout).unwrap());
}

#[test]
fn adult_text_snapshot() {
    snapshot(
        "adult_fairness.txt",
        &[
            "fairness",
            "datasets/adult/adult.data",
            "--label",
            "income",
            "--sensitive",
            "sex,race",
            "--positive-label",
            ">50K",
        ],
    );
}

#[test]
fn adult_json_snapshot_is_deterministic() {
    snapshot(
        "adult_fairness_intersect.json",
        &[
            "fairness",
            "datasets/adult/adult.data",
            "--label",
            "income",
            "--sensitive",
            "sex,race",
            "--positive-label",
            ">50K",
            "--intersect",
            "--format",
            "json",
        ],
    );
}

#[test]
fn german_credit_reads_through_its_schema() {
    let o = run(&[
        "fairness",
        "datasets/german/german.data",
        "--label",
        "credit_risk",
        "--sensitive",
        "sex",
        "--positive-label",
        "good",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"]["used"], 1000);
    // 310 women (A92 + A95), 690 men; 700 good risks in all (UCI documentation)
    let groups = v["groups"].as_array().unwrap();
    let female = groups.iter().find(|g| g["group"] == "female").unwrap();
    assert_eq!(female["count"], 310);
    let pos: u64 = groups
        .iter()
        .map(|g| g["positives"].as_u64().unwrap())
        .sum();
    assert_eq!(pos, 700);
}

#[test]
fn bundled_datasets_match_their_checksums() {
    let sums = std::fs::read_to_string(root().join("datasets/SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 9);
    for line in sums.lines() {
        let (hash, file) = line.split_once("  ").unwrap();
        let out = Command::new("sha256sum")
            .arg(root().join("datasets").join(file))
            .output()
            .unwrap();
        let got = String::from_utf8_lossy(&out.stdout);
        assert!(got.starts_with(hash), "{file}: {got}");
    }
}
