//! `fairgauge drift` end to end: bad input and edge cases.

mod common;

use common::*;

#[test]
fn column_missing_from_one_table_is_named() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "a,b\n1,x\n2,y\n");
    let c = write(&d, "c.csv", "a\n1\n3\n");
    fails_with(
        &["drift", &r, &c, "--columns", "a,b"],
        &["c.csv", "no column `b`", "columns are: a"],
    );
    // Without --columns the shared columns are compared and the other is listed as skipped.
    let v = json(&["drift", &r, &c, "--format", "json"]);
    assert_eq!(v["columns"].as_array().unwrap().len(), 1);
    assert!(v["skipped"]["b"]
        .as_str()
        .unwrap()
        .contains("missing from the current table"));
}

#[test]
fn type_mismatch_names_both_types_and_compares_categories() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "a\n1\n2\n3\n");
    let c = write(&d, "c.csv", "a\nx\ny\nz\n");
    let v = json(&["drift", &r, &c, "--format", "json"]);
    let col = &v["columns"][0];
    assert_eq!(col["kind"], "categorical");
    let w = col["warnings"][0].as_str().unwrap();
    assert!(
        w.contains("numbers (i64)") && w.contains("text (str)"),
        "{w}"
    );
    assert_eq!(col["new_categories"].as_array().unwrap().len(), 3);
}

#[test]
fn dtype_str_keeps_codes_categorical() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "code\n001\n002\n003\n001\n");
    let c = write(&d, "c.csv", "code\n001\n002\n003\n003\n");
    let v = json(&["drift", &r, &c, "--format", "json"]);
    assert_eq!(v["columns"][0]["kind"], "numeric");
    let v = json(&["drift", &r, &c, "--dtype", "code=str", "--format", "json"]);
    assert_eq!(v["columns"][0]["kind"], "categorical");
    assert_eq!(
        v["columns"][0]["new_categories"].as_array().unwrap().len(),
        0
    );
}

#[test]
fn undefined_method_marks_one_column_not_assessed() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "k,x\n1,1.0\n1,2.0\n1,3.5\n");
    let c = write(&d, "c.csv", "k,x\n1,1.5\n1,2.5\n1,3.0\n");
    let v = json(&["drift", &r, &c, "--method", "ttest", "--format", "json"]);
    let k = &v["columns"][0];
    assert_eq!(k["assessed"], false);
    assert!(k["warnings"].to_string().contains("not assessed"));
    assert_eq!(v["columns"][1]["assessed"], true);
    assert_eq!(v["dataset"]["columns"], 1);
}

#[test]
fn headerless_tables_take_column_names() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "1,x\n2,y\n");
    let c = write(&d, "c.csv", "1,x\n3,y\n");
    let v = json(&[
        "drift",
        &r,
        &c,
        "--column-names",
        "a,b",
        "--columns",
        "a",
        "--format",
        "json",
    ]);
    assert_eq!(v["columns"][0]["name"], "a");
    assert_eq!(v["reference"]["rows"], 2);
}

#[test]
fn empty_table_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "a\n1\n2\n");
    let c = write(&d, "c.csv", "a\n");
    fails_with(&["drift", &r, &c], &["c.csv", "no data rows"]);
}

#[test]
fn constant_all_null_and_infinite_columns_warn() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "k,n,v\n1,,1.5\n1,,2.5\n1,,inf\n1,,0.5\n");
    let c = write(&d, "c.csv", "k,n,v\n1,,1.0\n1,,2.0\n1,,3.0\n1,,-inf\n");
    let v = json(&["drift", &r, &c, "--format", "json"]);
    let col = |name: &str| {
        v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let k = col("k");
    assert_eq!(k["drifted"], false);
    assert!(k["warnings"].to_string().contains("single value"));
    let n = col("n");
    assert_eq!(n["reference_null_share"], 1.0);
    assert!(n["warnings"].to_string().contains("not assessed"));
    let vv = col("v");
    assert!(vv["warnings"].to_string().contains("infinite values"));
    assert_eq!(vv["reference_count"], 3);
    assert_eq!(v["dataset"]["columns"], 2);
}

#[test]
fn unknown_or_unfit_methods_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let r = write(&d, "r.csv", "a,s\n1,x\n2,y\n");
    let c = write(&d, "c.csv", "a,s\n1,x\n3,y\n");
    fails_with(
        &["drift", &r, &c, "--method", "magic"],
        &["unknown method", "ks, psi"],
    );
    fails_with(
        &["drift", &r, &c, "--method", "ks"],
        &["method ks needs numbers", "`s`"],
    );
    fails_with(&["drift", &r, &c, "--column-method", "zz=ks"], &["`zz`"]);
    fails_with(&["drift", &r, &c, "--exclude", "zz"], &["--exclude `zz`"]);
}

#[test]
fn adult_train_vs_test_json() {
    let v = json(&[
        "drift",
        "datasets/adult/adult.data",
        "datasets/adult/adult.test",
        "--format",
        "json",
    ]);
    assert_eq!(v["reference"]["rows"], 32561);
    assert_eq!(v["current"]["rows"], 16281);
    let cols = v["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 15);
    for c in cols {
        for key in [
            "name",
            "kind",
            "method",
            "statistic",
            "p_value",
            "threshold",
            "drifted",
            "effects",
            "reference_null_share",
            "current_null_share",
            "new_categories",
            "vanished_categories",
        ] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    assert!(v["dataset"]["share"].is_number());
}

#[test]
fn sketch_mode_stays_within_its_bound() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path().join("r.parquet");
    let c = d.path().join("c.parquet");
    let (r, c) = (r.to_str().unwrap(), c.to_str().unwrap());
    for (path, seed, drift) in [(r, "1", "0"), (c, "2", "0.3")] {
        let o = run(&[
            "synth", "--rows", "200000", "--seed", seed, "--drift", drift, "--output", path,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let cols = "income,age,x1,region";
    let exact = json(&[
        "drift",
        r,
        c,
        "--columns",
        cols,
        "--method",
        "ks",
        "--categorical-method",
        "chisquare",
        "--format",
        "json",
    ]);
    let sketch = json(&[
        "drift",
        r,
        c,
        "--columns",
        cols,
        "--method",
        "ks",
        "--categorical-method",
        "chisquare",
        "--sketch",
        "--format",
        "json",
    ]);
    for (e, s) in exact["columns"]
        .as_array()
        .unwrap()
        .iter()
        .zip(sketch["columns"].as_array().unwrap())
    {
        assert_eq!(e["name"], s["name"]);
        if e["kind"] == "numeric" {
            assert_eq!(s["exact"], false, "{s}");
            let bound = s["error_bound"].as_f64().unwrap();
            assert!(bound > 0.0 && bound < 0.03, "{bound}");
            let diff = (e["statistic"].as_f64().unwrap() - s["statistic"].as_f64().unwrap()).abs();
            assert!(diff <= bound, "{}: |D - D^| = {diff} > {bound}", e["name"]);
            let (em, sm) = (
                &e["effects"]["mean_reference"],
                &s["effects"]["mean_reference"],
            );
            assert!(
                (em.as_f64().unwrap() - sm.as_f64().unwrap()).abs()
                    < 1e-6 * em.as_f64().unwrap().abs().max(1.0)
            );
        } else {
            assert_eq!(s["exact"], true);
            assert_eq!(e["statistic"], s["statistic"]);
        }
        // The planted drift (income, region) is found either way; the others are quiet.
        assert_eq!(e["drifted"], s["drifted"], "{}", e["name"]);
    }
    // Methods that need every value say so instead of guessing.
    let v = json(&[
        "drift",
        r,
        c,
        "--columns",
        "x1",
        "--method",
        "mannwhitney",
        "--sketch",
        "--format",
        "json",
    ]);
    assert_eq!(v["columns"][0]["assessed"], false);
    assert!(v["columns"][0]["warnings"]
        .to_string()
        .contains("without --sketch"));
}
