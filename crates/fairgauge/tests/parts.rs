//! Partial states: a table split into k parts, each part counted, encoded, decoded, and merged
//! (fairness: in any order; drift: in row order) gives the single-pass report exactly.

use fairgauge::drift::{
    drift_part, finish_drift, plan_drift, run_drift, DriftPart, DriftSpec, Side,
};
use fairgauge::fairness::{
    fairness_part, finish_fairness, run_fairness, FairnessPart, FairnessSpec,
};
use fairgauge::source::Table;
use fairgauge_core::fairness::FairnessOptions;
use polars::prelude::*;

/// A deterministic table of `n` rows: three groups, a label, a prediction, two numbers, a
/// category with a null now and then.
fn table(n: usize, seed: u64) -> DataFrame {
    let mut x = seed;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as f64 / (1u64 << 31) as f64
    };
    let (mut g, mut y, mut p, mut a, mut b, mut c) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let u = next();
        g.push(["a", "b", "c"][(u * 3.0) as usize % 3]);
        y.push((next() < 0.4) as i64);
        p.push((next() < if g[i] == "b" { 0.3 } else { 0.5 }) as i64);
        a.push((next() * 80.0).floor() + 18.0);
        b.push(next().ln() * -2.0 + seed as f64 * 0.1);
        c.push(if i % 17 == 0 {
            None
        } else {
            Some(["x", "y", "z", "w"][i % 4])
        });
    }
    df!("g" => g, "y" => y, "p" => p, "age" => a, "income" => b, "cat" => c).unwrap()
}

fn slices(df: &DataFrame, k: usize) -> Vec<DataFrame> {
    let n = df.height();
    (0..k)
        .map(|i| df.slice((i * n / k) as i64, (i + 1) * n / k - i * n / k))
        .collect()
}

#[test]
fn fairness_parts_merge_in_any_order_into_the_single_pass_report() {
    let df = table(10_000, 7);
    let whole = Table::from_frame("<whole>", df.clone());
    let spec = FairnessSpec {
        label: "y".into(),
        prediction: Some("p".into()),
        score: None,
        threshold: 0.5,
        sensitive: vec!["g".into()],
        positive_label: None,
        weight: None,
        above_threshold: None,
        keep_labels: false,
        ranking: None,
        task: fairgauge::fairness::Task::Binary,
        probabilistic: vec![],
    };
    let opts = FairnessOptions::default();
    let single = run_fairness(&whole, &spec, &opts, None).unwrap();
    for k in [1, 3, 8] {
        let mut encoded: Vec<Vec<u8>> = slices(&df, k)
            .into_iter()
            .map(|s| {
                fairness_part(&Table::from_frame("<part>", s), &spec, None)
                    .unwrap()
                    .encode()
                    .unwrap()
            })
            .collect();
        encoded.reverse();
        let mut acc = FairnessPart::empty(&spec);
        for e in &encoded {
            acc.merge(FairnessPart::decode(e).unwrap()).unwrap();
        }
        let merged = finish_fairness(&whole, &spec, &opts, acc).unwrap();
        assert_eq!(
            serde_json::to_value(&merged.report).unwrap(),
            serde_json::to_value(&single.report).unwrap(),
            "k = {k}"
        );
        assert_eq!(merged.roles, single.roles);
    }
    // A drift part is not a fairness part.
    assert!(FairnessPart::decode(b"FGST\x01\x00\x06").is_err());
}

#[test]
fn drift_parts_merged_in_row_order_give_the_single_pass_report() {
    let (r, c) = (table(6_000, 1), table(4_000, 2));
    let (rt, ct) = (
        Table::from_frame("<ref>", r.clone()),
        Table::from_frame("<cur>", c.clone()),
    );
    for sketch in [None, Some(200)] {
        let spec = DriftSpec {
            sketch,
            ..Default::default()
        };
        let single = run_drift(&rt, &ct, &spec).unwrap();
        let plan = plan_drift(&rt, &ct, &spec).unwrap();
        let merged_side = |df: &DataFrame, side: Side, k: usize| {
            let mut acc = DriftPart::empty(&plan, side).unwrap();
            for s in slices(df, k) {
                let part = drift_part(&Table::from_frame("<part>", s), &plan, side).unwrap();
                acc.merge(DriftPart::decode(&part.encode().unwrap()).unwrap())
                    .unwrap();
            }
            acc
        };
        let merged = finish_drift(
            &rt,
            &ct,
            &plan,
            merged_side(&r, Side::Reference, 4),
            merged_side(&c, Side::Current, 3),
            &spec,
        )
        .unwrap();
        let (mut a, b) = (
            serde_json::to_value(&merged).unwrap(),
            serde_json::to_value(&single).unwrap(),
        );
        if sketch.is_some() {
            // Merged KLL sketches compact differently from one sketch fed row by row: statistics
            // agree within the stated bound, not bit for bit.
            for (x, y) in merged.columns.iter().zip(&single.columns) {
                assert_eq!((&x.name, x.exact), (&y.name, y.exact));
                if let (Some(bound), Some(s1), Some(s2)) = (x.error_bound, x.statistic, y.statistic)
                {
                    assert!(
                        (s1 - s2).abs() <= 2.0 * bound,
                        "{}: {s1} vs {s2} (bound {bound})",
                        x.name
                    );
                }
            }
            continue;
        }
        a["tool_version"] = b["tool_version"].clone();
        assert_eq!(a, b);
        // Sides cannot be swapped.
        let wrong = finish_drift(
            &rt,
            &ct,
            &plan,
            merged_side(&c, Side::Current, 2),
            merged_side(&r, Side::Reference, 2),
            &spec,
        );
        assert!(wrong.is_err());
    }
}

#[test]
fn quality_parts_merged_in_row_order_give_the_single_pass_report() {
    use fairgauge::quality::{
        finish_quality, plan_quality, quality_part, reference_part, run_quality, QualityPart,
        QualitySpec, ReferencePart,
    };
    let mut df = table(9_000, 3);
    // Planted duplicates and leakage: rows repeated within the table and from the reference.
    let reference = table(3_000, 3).slice(0, 3_000);
    df = df.vstack(&reference.slice(0, 40)).unwrap();
    df = df.vstack(&df.slice(100, 25)).unwrap();
    let (whole, rt) = (
        Table::from_frame("<whole>", df.clone()),
        Table::from_frame("<ref>", reference.clone()),
    );
    let spec = QualitySpec {
        label: Some("y".into()),
        sensitive: vec!["g".into()],
        key: vec![],
        rules: None,
        thresholds: Default::default(),
        examples: 5,
        sketch: None,
    };
    let single = run_quality(&whole, Some(&rt), &spec, None).unwrap();
    let plan = plan_quality(&whole, Some(&rt), &spec).unwrap();
    for k in [1, 4] {
        let mut parts = vec![];
        let mut first = 0u64;
        for s in slices(&df, k) {
            let n = s.height() as u64;
            let p = quality_part(&Table::from_frame("<part>", s), &plan, first).unwrap();
            parts.push(QualityPart::decode(&p.encode().unwrap()).unwrap());
            first += n;
        }
        let rparts: Vec<ReferencePart> = slices(&reference, 3)
            .into_iter()
            .map(|s| {
                let p = reference_part(&Table::from_frame("<part>", s), &plan).unwrap();
                ReferencePart::decode(&p.encode().unwrap()).unwrap()
            })
            .collect();
        let merged = finish_quality(&whole, Some(&rt), &plan, &spec, parts, rparts).unwrap();
        assert_eq!(
            serde_json::to_value(&merged).unwrap(),
            serde_json::to_value(&single).unwrap(),
            "k = {k}"
        );
        assert_eq!(merged.reference_facts(), single.reference_facts());
        assert!(merged.dataset.duplicates.extra_rows > 0 && merged.dataset.leakage.is_some());
    }
}

/// A scored table: each row's true probability from a uniform draw, its label drawn with it, its
/// score the probability made overconfident for group b (so b's calibration is chosen by the
/// out-of-fold errors, which depend on each reference row's fold), its decision at 0.5.
fn scored(n: usize, seed: u64) -> DataFrame {
    let mut x = seed;
    let mut next = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut g, mut s, mut y, mut d) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let b = next() < 0.4;
        let p: f64 = 0.05 + 0.9 * next();
        let steep = if b { 2.5 } else { 1.0 };
        let score = 1.0 / (1.0 + (-(steep * (p / (1.0 - p)).ln())).exp());
        g.push(if b { "b" } else { "a" });
        s.push(score);
        d.push((score >= 0.5) as i64);
        y.push((next() < p) as i64);
    }
    df!("g" => g, "score" => s, "pred" => d, "y" => y).unwrap()
}

#[test]
fn estimate_parts_equal_the_single_run() {
    use fairgauge::estimate::{finish_estimate, run_estimate, EstimatePart, EstimateSpec};
    let (reference, data) = (scored(6_000, 3), scored(3_000, 4));
    let mut spec = EstimateSpec::new("score", "y", &["g".to_string()]);
    spec.prediction = Some("pred".into());
    let whole = run_estimate(
        &Table::from_frame("<data>", data.clone()),
        &Table::from_frame("<reference>", reference.clone()),
        &spec,
    )
    .unwrap();
    let read = |df: &DataFrame, k: usize, labelled: bool| -> Vec<EstimatePart> {
        let mut first = 0;
        slices(df, k)
            .into_iter()
            .map(|s| {
                let n = s.height();
                let part =
                    EstimatePart::read(&Table::from_frame("<part>", s), &spec, labelled, first)
                        .unwrap();
                first += n;
                EstimatePart::decode(&part.encode().unwrap()).unwrap()
            })
            .collect()
    };
    let (d, r) = (read(&data, 3, false), read(&reference, 4, true));
    let got = finish_estimate(
        (&Table::from_frame("<data>", data.head(Some(0))), &d),
        (
            &Table::from_frame("<reference>", reference.head(Some(0))),
            &r,
        ),
        &spec,
    )
    .unwrap();
    assert_eq!(got.overall, whole.overall);
    assert_eq!(got.attributes, whole.attributes);
    assert_eq!(got.rows, whole.rows);
    // Parts of the wrong table, or of other attributes, are refused.
    assert!(finish_estimate(
        (&Table::from_frame("<data>", data.head(Some(0))), &r),
        (
            &Table::from_frame("<reference>", reference.head(Some(0))),
            &r
        ),
        &spec,
    )
    .is_err());
    let mut other = spec.clone();
    other.sensitive = vec![];
    assert!(finish_estimate(
        (&Table::from_frame("<data>", data.head(Some(0))), &d),
        (
            &Table::from_frame("<reference>", reference.head(Some(0))),
            &r
        ),
        &other,
    )
    .is_err());
}
