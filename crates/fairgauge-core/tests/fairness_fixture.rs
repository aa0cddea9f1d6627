//! The fairness report on a hand-built table, against values from fairlearn 0.15.0, aif360 0.6.1,
//! statsmodels 0.15 and scipy 1.17, computed by `tests/reference/fixture_fairness.py` from the same
//! tuples (its printed output is pasted below, value by value).

use fairgauge_core::fairness::{
    CodedAttribute, FairnessBatch, FairnessOptions, FairnessReport, FairnessState, Metric,
    ReferenceSpec,
};
use fairgauge_core::stats::TestKind;

const TUPLES: &[(&str, &str, bool, bool, usize)] = &[
    ("A", "X", true, true, 12),
    ("A", "X", false, true, 6),
    ("A", "X", false, false, 35),
    ("A", "X", true, false, 7),
    ("A", "Y", true, true, 8),
    ("A", "Y", false, true, 4),
    ("A", "Y", false, false, 25),
    ("A", "Y", true, false, 3),
    ("B", "X", true, true, 3),
    ("B", "X", false, true, 9),
    ("B", "X", false, false, 12),
    ("B", "X", true, false, 6),
    ("B", "Y", true, true, 2),
    ("B", "Y", false, true, 6),
    ("B", "Y", false, false, 8),
    ("B", "Y", true, false, 4),
];

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} != {b} (tol {tol})");
}

fn state() -> FairnessState {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let race_levels = vec![Some("X".to_string()), Some("Y".to_string())];
    let (mut y, mut p, mut s, mut r) = (vec![], vec![], vec![], vec![]);
    for &(sx, rc, yy, pp, n) in TUPLES {
        for _ in 0..n {
            y.push(Some(yy));
            p.push(Some(pp));
            s.push(if sx == "A" { 0 } else { 1 });
            r.push(if rc == "X" { 0 } else { 1 });
        }
    }
    let mut st = FairnessState::new(vec!["sex".into(), "race".into()], true, false);
    st.update(&FairnessBatch {
        label: &y,
        prediction: Some(&p),
        score: None,
        attributes: vec![
            CodedAttribute {
                name: "sex",
                codes: &s,
                levels: &levels,
            },
            CodedAttribute {
                name: "race",
                codes: &r,
                levels: &race_levels,
            },
        ],
        weights: None,
        membership: None,
        row_offset: 0,
    })
    .unwrap();
    st
}

fn report(opts: &FairnessOptions) -> FairnessReport {
    state().finish(opts).unwrap()
}

fn summary(r: &FairnessReport, attr: &str, key: &str) -> f64 {
    r.summary[attr].metrics[key].unwrap_or_else(|| panic!("{attr}.{key} undefined"))
}

#[test]
fn summaries_match_fairlearn() {
    let r = report(&FairnessOptions {
        intersect: true,
        min_group_size: 10,
        ..Default::default()
    });
    let t = 1e-12;
    // fairlearn 0.15.0 (printed by tests/reference/fixture_fairness.py)
    close(
        summary(&r, "sex", "demographic_parity_difference"),
        0.10000000000000003,
        t,
        "dpd sex",
    );
    close(
        summary(&r, "sex", "demographic_parity_ratio"),
        0.7499999999999999,
        t,
        "dpr sex",
    );
    close(
        summary(&r, "sex", "equalized_odds_difference"),
        0.3333333333333333,
        t,
        "eod sex",
    );
    close(
        summary(&r, "sex", "equalized_odds_ratio"),
        0.3333333333333333,
        t,
        "eor sex",
    );
    close(
        summary(&r, "sex", "equal_opportunity_difference"),
        0.3333333333333333,
        t,
        "eopd sex",
    );
    close(
        summary(&r, "sex", "equal_opportunity_ratio"),
        0.5,
        t,
        "eopr sex",
    );
    close(
        summary(&r, "race", "demographic_parity_difference"),
        0.0,
        t,
        "dpd race",
    );
    close(
        summary(&r, "race", "demographic_parity_ratio"),
        1.0,
        t,
        "dpr race",
    );
    close(
        summary(&r, "race", "equalized_odds_difference"),
        0.05252100840336138,
        t,
        "eod race",
    );
    close(
        summary(&r, "race", "equalized_odds_ratio"),
        0.9107142857142857,
        t,
        "eor race",
    );
    close(
        summary(&r, "race", "equal_opportunity_difference"),
        0.05252100840336138,
        t,
        "eopd race",
    );
    close(
        summary(&r, "race", "equal_opportunity_ratio"),
        0.9107142857142857,
        t,
        "eopr race",
    );
    close(
        summary(&r, "sex&race", "demographic_parity_difference"),
        0.10000000000000003,
        t,
        "dpd sex&race",
    );
    close(
        summary(&r, "sex&race", "equalized_odds_ratio"),
        0.3218390804597701,
        t,
        "eor sex&race",
    );
}

#[test]
fn inequality_and_average_odds_match_aif360() {
    let r = report(&FairnessOptions::default());
    let t = 1e-12;
    // aif360 0.6.1 ClassificationMetric
    let ineq = r.inequality.clone().unwrap();
    close(
        ineq.generalized_entropy_index.unwrap(),
        0.13995837669094682,
        t,
        "gei2",
    );
    close(ineq.theil_index.unwrap(), 0.19080604187376557, t, "theil");
    close(
        summary(&r, "sex", "between_group_generalized_entropy_index"),
        0.0010405827263270803,
        t,
        "between gei",
    );
    close(
        summary(&r, "sex", "between_group_theil_index"),
        0.0010299183978989834,
        t,
        "between theil",
    );
    // unprivileged B vs privileged A (the majority reference)
    close(
        summary(&r, "sex", "average_odds_difference"),
        -0.023809523809523808,
        t,
        "aod",
    );
}

#[test]
fn disparities_tests_and_intervals_match_statsmodels_and_scipy() {
    let r = report(&FairnessOptions {
        intersect: true,
        min_group_size: 10,
        ..Default::default()
    });
    let d = r
        .disparities
        .iter()
        .find(|d| d.attribute == "sex" && d.metric == Metric::SelectionRate && d.group == "B")
        .unwrap();
    assert_eq!(d.reference, "A");
    close(d.difference.unwrap(), 0.1, 1e-15, "difference");
    close(d.ratio.unwrap(), 0.4 / 0.3, 1e-15, "ratio");
    assert_eq!(d.test, Some(TestKind::TwoProportionZ));
    // statsmodels 0.15.0 proportions_ztest([20, 30], [50, 100])
    close(d.p_value.unwrap(), 0.2206713619198467, 1e-12, "z p");
    // confint_proportions_2indep(20, 50, 30, 100, method="newcomb")
    let [lo, hi] = d.difference_ci.unwrap();
    close(lo, -0.05665932574206958, 1e-12, "newcombe lo");
    close(hi, 0.2602016064545064, 1e-12, "newcombe hi");
    // proportion_confint(20, 50, method="wilson")
    let g = r
        .groups
        .iter()
        .find(|g| g.attribute == "sex" && g.group == "B")
        .unwrap();
    let [lo, hi] = g.ci[&Metric::SelectionRate];
    close(lo, 0.2760838973025654, 1e-12, "wilson lo");
    close(hi, 0.5381856225241064, 1e-12, "wilson hi");
    // TPR of B&Y (2/6) vs the majority intersection A&X (12/19): an expected count < 5 → Fisher;
    // scipy 1.17.1 fisher_exact([[2, 4], [12, 7]]).pvalue
    let f = r
        .disparities
        .iter()
        .find(|d| d.attribute == "sex&race" && d.metric == Metric::Tpr && d.group == "B&Y")
        .unwrap();
    assert_eq!(f.reference, "A&X");
    assert_eq!(f.test, Some(TestKind::FisherExact));
    close(f.p_value.unwrap(), 0.35000000000000003, 1e-12, "fisher");
    // scipy chi2_contingency([[30, 70], [20, 30]], correction=False)
    let c = r.summary["sex"].independence[&Metric::SelectionRate];
    close(c.statistic, 1.4999999999999998, 1e-12, "chi2");
    close(c.p_value, 0.2206713619198433, 1e-12, "chi2 p");
}

#[test]
fn group_counts_and_rates_by_hand() {
    let r = report(&FairnessOptions::default());
    let b = r
        .groups
        .iter()
        .find(|g| g.attribute == "sex" && g.group == "B")
        .unwrap();
    // B: TP 5, FP 15, TN 20, FN 10
    assert_eq!(
        (b.tp, b.fp, b.tn, b.fn_),
        (Some(5), Some(15), Some(20), Some(10))
    );
    assert_eq!(b.count, 50);
    assert_eq!(b.share, 50.0 / 150.0);
    assert_eq!(b.metrics[&Metric::Tpr], Some(5.0 / 15.0));
    assert_eq!(b.metrics[&Metric::Fpr], Some(15.0 / 35.0));
    assert_eq!(b.metrics[&Metric::Ppv], Some(5.0 / 20.0));
    assert_eq!(b.metrics[&Metric::Npv], Some(20.0 / 30.0));
    assert_eq!(b.metrics[&Metric::TreatmentEquality], Some(10.0 / 15.0));
    assert!(!b.reference);
    let a = r
        .groups
        .iter()
        .find(|g| g.attribute == "sex" && g.group == "A")
        .unwrap();
    assert!(a.reference);
    assert_eq!(r.summary["sex"].reference_group.as_deref(), Some("A"));
}

#[test]
fn small_groups_are_kept_and_flagged_never_dropped() {
    // Intersections: A&X 60, A&Y 40, B&X 30, B&Y 20 rows.
    let r = report(&FairnessOptions {
        intersect: true,
        min_group_size: 35,
        ..Default::default()
    });
    let by = r.groups.iter().find(|g| g.group == "B&Y").unwrap();
    assert!(by.insufficient_data);
    assert_eq!(by.count, 20);
    assert_eq!(by.metrics[&Metric::Tpr], Some(2.0 / 6.0));
    let s = &r.summary["sex&race"];
    assert_eq!(
        s.insufficient_groups,
        vec!["B&X".to_string(), "B&Y".to_string()]
    );
    // Only A&X (TPR 12/19, FPR 6/41) and A&Y (TPR 8/11, FPR 4/29) are summarised.
    let want = (8.0f64 / 11.0 - 12.0 / 19.0).max(6.0 / 41.0 - 4.0 / 29.0);
    close(
        s.metrics["equalized_odds_difference"].unwrap(),
        want,
        1e-15,
        "eod",
    );
    assert!(r
        .disparities
        .iter()
        .any(|d| d.group == "B&Y" && d.insufficient_data));
}

#[test]
fn named_best_and_worst_references() {
    let r = report(&FairnessOptions {
        reference: ReferenceSpec::Named {
            by_attribute: [("sex".to_string(), "B".to_string())].into(),
            any: vec![],
        },
        ..Default::default()
    });
    assert_eq!(r.summary["sex"].reference_group.as_deref(), Some("B"));
    assert_eq!(r.summary["sex"].reference_rule, "named");
    assert_eq!(r.summary["race"].reference_rule, "majority");
    let d = r
        .disparities
        .iter()
        .find(|d| d.attribute == "sex" && d.metric == Metric::SelectionRate)
        .unwrap();
    assert_eq!((d.group.as_str(), d.reference.as_str()), ("A", "B"));
    close(d.ratio.unwrap(), 0.3 / 0.4, 1e-15, "ratio vs B");

    let best = report(&FairnessOptions {
        reference: ReferenceSpec::Best,
        ..Default::default()
    });
    // TPR: A 0.667 is best; FPR: A 0.143 is best (lower is better)
    for (m, want) in [
        (Metric::Tpr, "A"),
        (Metric::Fpr, "A"),
        (Metric::SelectionRate, "B"),
    ] {
        let d = best
            .disparities
            .iter()
            .find(|d| d.attribute == "sex" && d.metric == m)
            .unwrap();
        assert_eq!(d.reference, want, "{m:?}");
    }
    assert_eq!(best.summary["sex"].reference_group, None);
    let worst = report(&FairnessOptions {
        reference: ReferenceSpec::Worst,
        ..Default::default()
    });
    let d = worst
        .disparities
        .iter()
        .find(|d| d.attribute == "sex" && d.metric == Metric::Fpr)
        .unwrap();
    assert_eq!(d.reference, "B");

    let err = state()
        .finish(&FairnessOptions {
            reference: ReferenceSpec::Named {
                by_attribute: Default::default(),
                any: vec!["Z".into()],
            },
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("`Z`"), "{err}");
}

#[test]
fn representation_against_expected_shares() {
    let r = report(&FairnessOptions {
        expected_shares: [(
            "sex".to_string(),
            [("A".to_string(), 0.5), ("B".to_string(), 0.5)].into(),
        )]
        .into(),
        ..Default::default()
    });
    let a = r.representation.iter().find(|x| x.group == "A").unwrap();
    close(a.share, 100.0 / 150.0, 1e-15, "share");
    close(a.ratio, (100.0 / 150.0) / 0.5, 1e-15, "ratio");
    // scipy 1.17.1 chisquare([100, 50], [75, 75]).statistic = 16.666666666666668
    let t = r.summary["sex"].representation_test.unwrap();
    close(t.statistic, 16.666666666666668, 1e-12, "gof");
    close(t.p_value, REFERENCE_GOF_P, 1e-15, "gof p");
}
// scipy.stats.chisquare([100, 50], [75, 75]).pvalue
const REFERENCE_GOF_P: f64 = 4.455709060405612e-05;

#[test]
fn dataset_bias_without_prediction() {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let y = vec![
        Some(true),
        Some(false),
        Some(false),
        Some(true),
        Some(true),
        None,
    ];
    let codes = vec![0, 0, 0, 1, 1, 1];
    let mut st = FairnessState::new(vec!["g".into()], false, false);
    st.update(&FairnessBatch {
        label: &y,
        prediction: None,
        score: None,
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &codes,
            levels: &levels,
        }],
        weights: None,
        membership: None,
        row_offset: 0,
    })
    .unwrap();
    let r = st
        .finish(&FairnessOptions {
            min_group_size: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.mode, "dataset_bias");
    assert_eq!(r.rows.excluded_null_label, 1);
    assert_eq!(r.rows.used, 5);
    let b = r.groups.iter().find(|g| g.group == "B").unwrap();
    assert_eq!(b.metrics.len(), 1);
    assert_eq!(b.metrics[&Metric::BaseRate], Some(1.0));
    assert_eq!(b.tp, None);
    close(
        r.summary["g"].metrics["base_rate_difference"].unwrap(),
        1.0 - 1.0 / 3.0,
        1e-15,
        "brd",
    );
    assert!(!r.summary["g"]
        .metrics
        .contains_key("demographic_parity_difference"));
}

#[test]
fn one_group_and_no_rows_are_errors() {
    let levels = vec![Some("A".to_string())];
    let y = vec![Some(true), Some(false)];
    let codes = vec![0, 0];
    let mut st = FairnessState::new(vec!["g".into()], false, false);
    st.update(&FairnessBatch {
        label: &y,
        prediction: None,
        score: None,
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &codes,
            levels: &levels,
        }],
        weights: None,
        membership: None,
        row_offset: 0,
    })
    .unwrap();
    let e = st.finish(&FairnessOptions::default()).unwrap_err();
    assert!(e.to_string().contains("only one group"), "{e}");
    let empty = FairnessState::new(vec!["g".into()], false, false);
    assert!(empty.finish(&FairnessOptions::default()).is_err());
}

/// The dense count of plain batches (no score, weights or membership) equals the general row
/// loop (here the weighted one, every weight 1), nulls and all; a code without a level is an
/// error at its row only where the row is counted.
#[test]
fn dense_count_equals_the_row_loop() {
    let n = 5_000;
    let pick = |i: usize, k: usize| (i.wrapping_mul(2_654_435_761) >> 9) % k;
    let label: Vec<Option<bool>> = (0..n)
        .map(|i| (pick(i, 11) != 0).then_some(pick(i, 2) == 1))
        .collect();
    let pred: Vec<Option<bool>> = (0..n)
        .map(|i| (pick(i + 7, 13) != 0).then_some(pick(i, 3) == 1))
        .collect();
    let a: Vec<u32> = (0..n).map(|i| pick(i, 3) as u32).collect();
    let b: Vec<u32> = (0..n).map(|i| pick(i + 3, 4) as u32).collect();
    let la: Vec<Option<String>> = vec![Some("x".into()), Some("y".into()), None];
    let lb: Vec<Option<String>> = (0..4).map(|k| Some(format!("g{k}"))).collect();
    let ones = vec![1.0; n];
    let batch = |codes_a: &[u32],
                 weights: Option<&[f64]>,
                 prediction: Option<&[Option<bool>]>,
                 st: &mut FairnessState| {
        st.update(&FairnessBatch {
            label: &label,
            prediction,
            score: None,
            attributes: vec![
                CodedAttribute {
                    name: "a",
                    codes: codes_a,
                    levels: &la,
                },
                CodedAttribute {
                    name: "b",
                    codes: &b,
                    levels: &lb,
                },
            ],
            weights,
            membership: None,
            row_offset: 100,
        })
    };
    for prediction in [Some(pred.as_slice()), None] {
        let has = prediction.is_some();
        let mut dense = FairnessState::new(vec!["a".into(), "b".into()], has, false);
        batch(&a, None, prediction, &mut dense).unwrap();
        let mut rows = FairnessState::new(vec!["a".into(), "b".into()], has, false).weighted();
        batch(&a, Some(&ones), prediction, &mut rows).unwrap();
        let counts = |s: &FairnessState| -> Vec<_> {
            s.cells
                .iter()
                .map(|(k, c)| (k.clone(), c.confusion.counts()))
                .collect()
        };
        assert_eq!(counts(&dense), counts(&rows));
        assert_eq!(
            (
                dense.rows_seen,
                dense.excluded_null_label,
                dense.excluded_null_prediction
            ),
            (
                rows.rows_seen,
                rows.excluded_null_label,
                rows.excluded_null_prediction
            )
        );
        assert!(dense.excluded_null_label > 0 && (!has || dense.excluded_null_prediction > 0));
    }
    // A code without a level: no error on a row left out for its null label, else an error.
    let null_row = label.iter().position(|y| y.is_none()).unwrap();
    let counted_row = label.iter().position(|y| y.is_some()).unwrap();
    for (row, fails) in [(null_row, false), (counted_row, true)] {
        let mut bad = a.clone();
        bad[row] = 7;
        let mut st = FairnessState::new(vec!["a".into(), "b".into()], false, false);
        let res = batch(&bad, None, None, &mut st);
        assert_eq!(res.is_err(), fails, "row {row}");
        if let Err(e) = res {
            assert!(
                e.to_string().contains(&format!("at row {}", 100 + row)),
                "{e}"
            );
        }
    }
}
