//! Groups known as probabilities (BISG): every row counts towards every group with its
//! probability. Hand-computed fixtures, the effective sizes, and the invariants (slices merged,
//! the parallel path, an intersection with an ordinary attribute).

use fairgauge_core::fairness::{
    CodedAttribute, FairnessBatch, FairnessOptions, FairnessState, Membership, Metric,
};

fn levels(names: &[&str]) -> Vec<Option<String>> {
    names.iter().map(|s| Some(s.to_string())).collect()
}

/// Rows `(label, prediction, P(A), P(B))`, the last with no probabilities.
const ROWS: [(bool, bool, f64, f64); 5] = [
    (true, true, 0.75, 0.25),
    (true, false, 0.5, 0.5),
    (false, true, 0.25, 0.75),
    (false, false, 1.0, 0.0),
    (true, true, f64::NAN, f64::NAN),
];

fn state(
    rows: &[(bool, bool, f64, f64)],
    sex: Option<&[u32]>,
    weights: Option<&[f64]>,
) -> FairnessState {
    let y: Vec<Option<bool>> = rows.iter().map(|r| Some(r.0)).collect();
    let p: Vec<Option<bool>> = rows.iter().map(|r| Some(r.1)).collect();
    let probs: Vec<f64> = rows.iter().flat_map(|r| [r.2, r.3]).collect();
    let groups = levels(&["A", "B"]);
    let sexes = levels(&["F", "M"]);
    let zeros = vec![0u32; rows.len()];
    let mut attributes = vec![CodedAttribute {
        name: "race",
        codes: &zeros,
        levels: &groups,
    }];
    let mut names = vec!["race".to_string()];
    if let Some(s) = sex {
        attributes.push(CodedAttribute {
            name: "sex",
            codes: s,
            levels: &sexes,
        });
        names.push("sex".into());
    }
    let mut st = FairnessState::new(names, true, false).with_membership(0);
    st.update(&FairnessBatch {
        label: &y,
        prediction: Some(&p),
        score: None,
        attributes,
        weights,
        membership: Some(Membership {
            attribute: 0,
            probs: &probs,
        }),
        row_offset: 0,
    })
    .unwrap();
    st
}

fn opts() -> FairnessOptions {
    FairnessOptions {
        min_group_size: 1,
        ..Default::default()
    }
}

fn group<'a>(
    r: &'a fairgauge_core::fairness::FairnessReport,
    attr: &str,
    g: &str,
) -> &'a fairgauge_core::fairness::GroupMetrics {
    r.groups
        .iter()
        .find(|x| x.attribute == attr && x.group == g)
        .unwrap()
}

#[test]
fn each_row_counts_towards_every_group_with_its_probability() {
    let r = state(&ROWS, None, None).finish(&opts()).unwrap();
    assert_eq!(
        (r.rows.seen, r.rows.used, r.rows.excluded_no_membership),
        (5, 4, 1)
    );
    // A: TP 0.75, FN 0.5, FP 0.25, TN 1.0.
    let a = group(&r, "race", "A");
    let m = |g: &fairgauge_core::fairness::GroupMetrics, k: Metric| g.metrics[&k].unwrap();
    assert!((m(a, Metric::Tpr) - 0.6).abs() < 1e-15);
    assert!((m(a, Metric::Fpr) - 0.2).abs() < 1e-15);
    assert!((m(a, Metric::SelectionRate) - 0.4).abs() < 1e-15);
    let wa = a.weighted.as_ref().unwrap();
    assert_eq!(wa.total, 2.5);
    // Kish: (Σp)² / Σp² = 6.25 / (0.5625 + 0.25 + 0.0625 + 1).
    assert!((wa.effective_n - 6.25 / 1.875).abs() < 1e-12);
    assert_eq!(a.count, 4);
    // B: TP 0.25, FN 0.5, FP 0.75, TN 0; the row with P(B) = 0 is not among its rows.
    let b = group(&r, "race", "B");
    assert!((m(b, Metric::Tpr) - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(m(b, Metric::Fpr), 1.0);
    assert!((m(b, Metric::SelectionRate) - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(b.count, 3);
    // Shares are expected shares: 2.5 and 1.5 of 4.
    assert_eq!((a.share, b.share), (0.625, 0.375));
    // The majority is the larger expected group.
    assert!(a.reference);
}

#[test]
fn sample_weights_multiply_the_probabilities() {
    let w = [2.0, 1.0, 1.0, 1.0, 1.0];
    let r = state(&ROWS, None, Some(&w)).finish(&opts()).unwrap();
    // A: TP 1.5, FN 0.5 → TPR 0.75; B: TP 0.5, FN 0.5 → 0.5.
    let tpr = |g: &str| group(&r, "race", g).metrics[&Metric::Tpr].unwrap();
    assert_eq!((tpr("A"), tpr("B")), (0.75, 0.5));
}

#[test]
fn small_expected_groups_are_insufficient_by_their_effective_size() {
    let r = state(&ROWS, None, None)
        .finish(&FairnessOptions {
            min_group_size: 3,
            ..Default::default()
        })
        .unwrap();
    // A: effective size 3.33 ≥ 3; B: (1.5)² / (0.0625 + 0.25 + 0.5625) = 2.57 < 3, with 3 rows.
    assert!(!group(&r, "race", "A").insufficient_data);
    assert!(group(&r, "race", "B").insufficient_data);
}

#[test]
fn slices_merged_and_intersections_with_ordinary_attributes() {
    let sex = [0u32, 1, 0, 1, 0];
    let whole = state(&ROWS, Some(&sex), None);
    let mut halves = state(&ROWS[..2], Some(&sex[..2]), None);
    halves
        .merge(&state(&ROWS[2..], Some(&sex[2..]), None))
        .unwrap();
    assert_eq!(whole, halves);
    // race&sex = A&F: rows 1 and 3 with 0.75 and 0.25 (TP and FP); A&M: rows 2 and 4.
    let r = whole
        .finish(&FairnessOptions {
            intersect: true,
            ..opts()
        })
        .unwrap();
    let af = group(&r, "race&sex", "A&F");
    assert_eq!(af.weighted.as_ref().unwrap().total, 1.0);
    assert_eq!(af.metrics[&Metric::SelectionRate], Some(1.0));
    let am = group(&r, "race&sex", "A&M");
    assert_eq!(am.weighted.as_ref().unwrap().total, 1.5);
    // The ordinary attribute alone is not reported by a membership state (its rows are split
    // over the probabilistic groups: an ordinary state reports it).
    assert!(r.groups.iter().all(|g| g.attribute != "sex"));
    assert_eq!(r.attributes, ["race", "sex"]);
    assert!(r.weights.is_none());
}

#[test]
fn the_parallel_path_equals_the_serial_one() {
    let n = 200_000;
    let rows: Vec<(bool, bool, f64, f64)> = (0..n)
        .map(|i| {
            let p = (i % 7) as f64 / 8.0;
            (i % 3 == 0, i % 5 < 2, p, 1.0 - p)
        })
        .collect();
    let y: Vec<Option<bool>> = rows.iter().map(|r| Some(r.0)).collect();
    let pr: Vec<Option<bool>> = rows.iter().map(|r| Some(r.1)).collect();
    let probs: Vec<f64> = rows.iter().flat_map(|r| [r.2, r.3]).collect();
    let groups = levels(&["A", "B"]);
    let zeros = vec![0u32; n];
    let batch = FairnessBatch {
        label: &y,
        prediction: Some(&pr),
        score: None,
        attributes: vec![CodedAttribute {
            name: "race",
            codes: &zeros,
            levels: &groups,
        }],
        weights: None,
        membership: Some(Membership {
            attribute: 0,
            probs: &probs,
        }),
        row_offset: 0,
    };
    let mut serial = FairnessState::new(vec!["race".into()], true, false).with_membership(0);
    serial.update(&batch).unwrap();
    let mut parallel = FairnessState::new(vec!["race".into()], true, false).with_membership(0);
    parallel.update_parallel(&batch).unwrap();
    let (a, b) = (
        serial.finish(&opts()).unwrap(),
        parallel.finish(&opts()).unwrap(),
    );
    for (x, y) in a.groups.iter().zip(&b.groups) {
        for (m, v) in &x.metrics {
            let (v, w) = (v.unwrap(), y.metrics[m].unwrap());
            assert!(
                (v - w).abs() <= 1e-12 * v.abs().max(1.0),
                "{m:?}: {v} vs {w}"
            );
        }
    }
    assert_eq!(serial.membership_rows, parallel.membership_rows);
}

#[test]
fn a_batch_without_membership_is_refused_by_a_membership_state() {
    let y = [Some(true)];
    let codes = [0u32];
    let groups = levels(&["A", "B"]);
    let mut st = FairnessState::new(vec!["race".into()], false, false).with_membership(0);
    let err = st
        .update(&FairnessBatch {
            label: &y,
            prediction: None,
            score: None,
            attributes: vec![CodedAttribute {
                name: "race",
                codes: &codes,
                levels: &groups,
            }],
            weights: None,
            membership: None,
            row_offset: 0,
        })
        .unwrap_err();
    assert!(err.to_string().contains("differ"), "{err}");
}
