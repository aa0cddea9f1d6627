//! The regression task against hand-computed fixtures: per-group error and bias, R², the
//! summaries and bounded group loss, the threshold's binary counts; chunking; bad values.

use fairgauge_core::fairness::regression::{RegressionBatch, RegressionReport, RegressionState};
use fairgauge_core::fairness::{CodedAttribute, FairnessOptions, ReferenceSpec};

/// Group A: (1, 2), (2, 2), (3, 5); group B: (1, 1), (3, 2), (5, 6), (7, 7).
const ROWS: [(u32, f64, f64); 7] = [
    (0, 1.0, 2.0),
    (1, 1.0, 1.0),
    (0, 2.0, 2.0),
    (1, 3.0, 2.0),
    (0, 3.0, 5.0),
    (1, 5.0, 6.0),
    (1, 7.0, 7.0),
];

fn state(chunk: usize, threshold: Option<f64>) -> RegressionState {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let codes: Vec<u32> = ROWS.iter().map(|r| r.0).collect();
    let y: Vec<Option<f64>> = ROWS.iter().map(|r| Some(r.1)).collect();
    let p: Vec<Option<f64>> = ROWS.iter().map(|r| Some(r.2)).collect();
    let mut st = RegressionState::new(vec!["g".into()], threshold);
    for start in (0..ROWS.len()).step_by(chunk) {
        let end = (start + chunk).min(ROWS.len());
        let mut part = RegressionState::new(vec!["g".into()], threshold);
        part.update(&RegressionBatch {
            label: &y[start..end],
            prediction: &p[start..end],
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &codes[start..end],
                levels: &levels,
            }],
            weights: None,
            row_offset: start,
        })
        .unwrap();
        st.merge(&part).unwrap();
    }
    st
}

fn opts() -> FairnessOptions {
    FairnessOptions {
        min_group_size: 1,
        ..Default::default()
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

fn report() -> RegressionReport {
    state(7, Some(3.0)).finish(&opts()).unwrap()
}

#[test]
fn group_metrics_by_hand() {
    let r = report();
    let (a, b) = (&r.groups[0], &r.groups[1]);
    assert_eq!((a.group.as_str(), a.count, b.count), ("A", 3, 4));
    // A: errors 1, 0, 2; labels 1, 2, 3 (Σ(y − ȳ)² = 2).
    close(a.metrics["mean_label"], 2.0);
    close(a.metrics["mean_prediction"], 3.0);
    close(a.metrics["mean_error"], 1.0);
    close(a.metrics["mae"], 1.0);
    close(a.metrics["rmse"], (5.0f64 / 3.0).sqrt());
    close(a.metrics["r2"], 1.0 - 5.0 / 2.0);
    // B: errors 0, −1, 1, 0; labels 1, 3, 5, 7 (Σ(y − ȳ)² = 20).
    close(b.metrics["mean_error"], 0.0);
    close(b.metrics["mae"], 0.5);
    close(b.metrics["r2"], 0.9);
    assert!(b.reference && !a.reference);
    assert!(a.ks_statistic.is_some() && b.ks_statistic.is_none());
}

#[test]
fn summaries_disparities_and_bounded_group_loss_by_hand() {
    let r = report();
    let s = &r.summary["g"];
    assert_eq!(s.reference_group, "B");
    close(s.metrics["mae_difference"].unwrap(), 0.5);
    close(s.metrics["mae_ratio"].unwrap(), 0.5);
    close(s.metrics["bounded_group_loss_mae"].unwrap(), 1.0);
    close(
        s.metrics["bounded_group_loss_rmse"].unwrap(),
        (5.0f64 / 3.0).sqrt(),
    );
    close(s.metrics["mean_error_difference"].unwrap(), 1.0);
    assert!(!s.metrics.contains_key("mean_error_ratio"));
    let d = |m: &str| r.disparities.iter().find(|d| d.metric == m).unwrap();
    close(d("mean_prediction").difference, -1.0);
    let ci = d("mean_prediction").difference_ci.unwrap();
    assert!(ci[0] < -1.0 && -1.0 < ci[1]);
    close(d("mae").ratio.unwrap(), 2.0);
    assert!(d("mae").p_value.is_none());
}

#[test]
fn threshold_gives_the_binary_report() {
    let r = report();
    let b = r.above_threshold.as_ref().unwrap();
    // At or above 3: A has TP 1, TN 2; B has TP 2, FN 1, TN 1.
    let a = &b.groups[0];
    assert_eq!(
        (a.tp, a.fp, a.tn, a.fn_),
        (Some(1), Some(0), Some(2), Some(0))
    );
    let bg = &b.groups[1];
    assert_eq!(
        (bg.tp, bg.fp, bg.tn, bg.fn_),
        (Some(2), Some(0), Some(1), Some(1))
    );
    close(
        b.summary["g"].metrics["demographic_parity_difference"].unwrap(),
        0.5 - 1.0 / 3.0,
    );
}

#[test]
fn chunking_changes_nothing_but_rounding() {
    let whole = report();
    for chunk in [1, 2, 3] {
        let r = state(chunk, Some(3.0)).finish(&opts()).unwrap();
        for (x, y) in r.groups.iter().zip(&whole.groups) {
            assert_eq!(x.count, y.count);
            assert_eq!(x.ks_statistic, y.ks_statistic);
            for (k, v) in &x.metrics {
                close(*v, y.metrics[k]);
            }
        }
        assert_eq!(r.above_threshold, whole.above_threshold);
    }
}

#[test]
fn bad_values_and_options_are_errors() {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let mut st = RegressionState::new(vec!["g".into()], None);
    let e = st
        .update(&RegressionBatch {
            label: &[Some(1.0), Some(f64::NAN)],
            prediction: &[Some(1.0), Some(2.0)],
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &[0, 1],
                levels: &levels,
            }],
            weights: None,
            row_offset: 40,
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("NaN") && e.contains("row 41"), "{e}");
    let best = FairnessOptions {
        reference: ReferenceSpec::Best,
        ..opts()
    };
    assert!(state(7, None).finish(&best).is_err());
    let named = FairnessOptions {
        reference: ReferenceSpec::parse("g=A").unwrap(),
        ..opts()
    };
    let r = state(7, None).finish(&named).unwrap();
    assert_eq!(r.summary["g"].reference_group, "A");
    assert_eq!(r.summary["g"].reference_rule, "named");
    let unknown = FairnessOptions {
        reference: ReferenceSpec::parse("g=Z").unwrap(),
        ..opts()
    };
    assert!(state(7, None).finish(&unknown).is_err());
}

#[test]
fn named_references_must_name_something_and_huge_values_are_refused() {
    let any = FairnessOptions {
        reference: ReferenceSpec::parse("Femal").unwrap(),
        ..opts()
    };
    let e = state(7, None).finish(&any).unwrap_err().to_string();
    assert!(e.contains("`Femal` not found"), "{e}");
    let attr = FairnessOptions {
        reference: ReferenceSpec::parse("raec=A").unwrap(),
        ..opts()
    };
    let e = state(7, None).finish(&attr).unwrap_err().to_string();
    assert!(
        e.contains("`raec`, which is not a sensitive attribute"),
        "{e}"
    );
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let mut st = RegressionState::new(vec!["g".into()], None);
    let e = st
        .update(&RegressionBatch {
            label: &[Some(1e200), Some(1.0)],
            prediction: &[Some(1.0), Some(1.0)],
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &[0, 1],
                levels: &levels,
            }],
            weights: None,
            row_offset: 0,
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("too large to square"), "{e}");
}

#[test]
fn a_constant_pair_of_groups_leaves_welch_undefined_not_the_report() {
    // Both groups' predictions constant: Welch is undefined for the mean prediction only.
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let mut st = RegressionState::new(vec!["g".into()], None);
    st.update(&RegressionBatch {
        label: &[Some(1.0), Some(2.0), Some(3.0), Some(4.0)],
        prediction: &[Some(5.0), Some(5.0), Some(7.0), Some(7.0)],
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &[0, 0, 1, 1],
            levels: &levels,
        }],
        weights: None,
        row_offset: 0,
    })
    .unwrap();
    let r = st.finish(&opts()).unwrap();
    let d = r
        .disparities
        .iter()
        .find(|d| d.metric == "mean_prediction")
        .unwrap();
    assert!(d.p_value.is_none() && d.undefined.is_some());
    assert!(r
        .groups
        .iter()
        .all(|g| g.wasserstein_normed.is_none() || !g.reference));
}

/// A state of `ROWS` where row `i` has weight `weights[i]`, or (`repeat`) the same rows each
/// repeated that many times without weights.
fn weighted_or_repeated(
    weights: &[u32],
    repeat: bool,
    threshold: Option<f64>,
    keep_labels: bool,
) -> RegressionState {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let (mut codes, mut y, mut p, mut w) = (vec![], vec![], vec![], vec![]);
    for (r, &k) in ROWS.iter().zip(weights) {
        for _ in 0..if repeat { k } else { 1 } {
            codes.push(r.0);
            y.push(Some(r.1));
            p.push(Some(r.2));
            w.push(f64::from(k));
        }
    }
    let mut st = RegressionState::new(vec!["g".into()], threshold);
    st.keep_labels = keep_labels;
    if !repeat {
        st = st.weighted();
    }
    st.update(&RegressionBatch {
        label: &y,
        prediction: &p,
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &codes,
            levels: &levels,
        }],
        weights: (!repeat).then_some(w.as_slice()),
        row_offset: 0,
    })
    .unwrap();
    st
}

#[test]
fn whole_sample_weights_are_repeated_rows() {
    // Weights 2, 1, 3, 1, 2, 1, 4: every weighted metric, summary and distance is the one of
    // the table with each row repeated that many times (Welch uses Kish's effective size, so
    // its intervals are the weighted ones and differ).
    let weights = [2, 1, 3, 1, 2, 1, 4];
    let w = weighted_or_repeated(&weights, false, Some(3.0), false)
        .finish(&opts())
        .unwrap();
    let r = weighted_or_repeated(&weights, true, Some(3.0), false)
        .finish(&opts())
        .unwrap();
    for (a, b) in w.groups.iter().zip(&r.groups) {
        assert_eq!(a.group, b.group);
        for (k, v) in &b.metrics {
            assert!(
                (a.metrics[k] - v).abs() < 1e-12,
                "{} {k}: {} vs {v}",
                a.group,
                a.metrics[k]
            );
        }
        for (x, y) in [
            (a.ks_statistic, b.ks_statistic),
            (a.wasserstein_normed, b.wasserstein_normed),
        ] {
            assert_eq!(x.is_some(), y.is_some());
            if let (Some(x), Some(y)) = (x, y) {
                assert!((x - y).abs() < 1e-12, "{x} vs {y}");
            }
        }
        // Shares of weight are the repeated table's shares of rows.
        assert!((a.share - b.share).abs() < 1e-15);
    }
    for (k, v) in &r.summary["g"].metrics {
        let x = w.summary["g"].metrics[k];
        assert_eq!(x.is_some(), v.is_some(), "{k}");
        if let (Some(x), Some(v)) = (x, v) {
            assert!((x - v).abs() < 1e-12, "{k}: {x} vs {v}");
        }
    }
    // The threshold's binary report is weighted too: the same rates as the repeated rows.
    let (wa, ra) = (
        w.above_threshold.as_ref().unwrap(),
        r.above_threshold.as_ref().unwrap(),
    );
    for (a, b) in wa.groups.iter().zip(&ra.groups) {
        for (m, v) in &b.metrics {
            let x = a.metrics[m];
            assert_eq!(x.is_some(), v.is_some());
            if let (Some(x), Some(v)) = (x, v) {
                assert!((x - v).abs() < 1e-12, "{m:?}");
            }
        }
    }
    // The weights are recorded: 14 in all; group A (rows 0, 2, 4) 2 + 3 + 2 = 7.
    assert_eq!(w.weights.unwrap().total, 14.0);
    let a = w.groups.iter().find(|g| g.group == "A").unwrap();
    assert_eq!(a.weighted.unwrap().total, 7.0);
    assert!((a.weighted.unwrap().effective_n - 49.0 / 17.0).abs() < 1e-12);
    assert_eq!(a.count, 3);
    // Welch on the weighted means uses the effective sizes: a wider interval than the
    // repeated table's.
    let ci = |rep: &RegressionReport| {
        let d = rep
            .disparities
            .iter()
            .find(|d| d.metric == "mean_error")
            .unwrap();
        let [lo, hi] = d.difference_ci.unwrap();
        hi - lo
    };
    assert!(ci(&w) > ci(&r));
}

#[test]
fn zero_weights_and_missing_weights() {
    // Group A's weights all 0: its metrics are undefined (named), it is not eligible, and the
    // other group's are its own.
    let w = weighted_or_repeated(&[0, 1, 0, 1, 0, 1, 1], false, None, false)
        .finish(&opts())
        .unwrap();
    let a = w.groups.iter().find(|g| g.group == "A").unwrap();
    assert!(a.metrics.is_empty() && a.insufficient_data);
    assert!(a.undefined["metrics"].contains("0"), "{:?}", a.undefined);
    assert!(w.disparities.is_empty());
    // Every weight 0: an error, not a report of NaN.
    let e = weighted_or_repeated(&[0; 7], false, None, false)
        .finish(&opts())
        .unwrap_err()
        .to_string();
    assert!(e.contains("every sample weight"), "{e}");
    // A weighted state refuses a batch without weights, and a negative weight names its row.
    let mut st = RegressionState::new(vec!["g".into()], None).weighted();
    let levels = vec![Some("A".to_string())];
    let batch = |weights| RegressionBatch {
        label: &[Some(1.0), Some(2.0)],
        prediction: &[Some(1.0), Some(2.0)],
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &[0, 0],
            levels: &levels,
        }],
        weights,
        row_offset: 10,
    };
    assert!(st.update(&batch(None)).is_err());
    let e = st
        .update(&batch(Some(&[1.0, -2.0])))
        .unwrap_err()
        .to_string();
    assert!(e.contains("11") && e.contains("-2"), "{e}");
    let e = st
        .update(&batch(Some(&[f64::NAN, 1.0])))
        .unwrap_err()
        .to_string();
    assert!(e.contains("10") && e.contains("NaN"), "{e}");
}

#[test]
fn weighted_bootstrap_scales_with_the_weights_and_needs_the_labels() {
    let boot = |w: &[u32], keep: bool| {
        let st = weighted_or_repeated(w, false, None, keep);
        st.finish(&FairnessOptions {
            bootstrap: Some(fairgauge_core::fairness::Bootstrap {
                replicates: 40,
                seed: 3,
            }),
            ..opts()
        })
    };
    // Doubling every weight changes no metric in any replicate: the same intervals, bit for bit.
    let one = boot(&[1, 2, 1, 3, 1, 1, 2], true).unwrap();
    let two = boot(&[2, 4, 2, 6, 2, 2, 4], true).unwrap();
    assert!(!one.summary["g"].intervals.is_empty());
    assert_eq!(one.summary["g"].intervals, two.summary["g"].intervals);
    // Counted without the labels, the bootstrap is refused.
    assert!(boot(&[1, 1, 1, 1, 1, 1, 1], false).is_err());
}
