//! Sample weights in the fairness state: whole-number weights give the rates of the table with
//! each row repeated that many times (the definition of a frequency weight), unit weights give
//! the unweighted report to the bit, Kish's effective size by hand, and bad weights are errors
//! naming the row. Fairlearn's `sample_weight` results are compared from pytest
//! (`tests/test_weights.py`).

use fairgauge_core::fairness::{
    CodedAttribute, FairnessBatch, FairnessOptions, FairnessReport, FairnessState, Metric,
};
use fairgauge_core::Error;

/// One row: sex code, race code, label, prediction.
type Row = (u32, u32, bool, bool);

/// Rows, and a weight in {0.25, 0.5, …, 3} per row.
fn rows(n: usize) -> (Vec<Row>, Vec<f64>) {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut out = vec![];
    let mut w = vec![];
    for _ in 0..n {
        let r = next();
        let sex = (r % 2) as u32;
        let race = ((r >> 8) % 3) as u32;
        let label = (r >> 16) % 100 < 30 + 10 * sex as u64;
        let pred = (r >> 24) % 100 < if label { 70 } else { 20 } + 5 * race as u64;
        out.push((sex, race, label, pred));
        w.push(((next() % 12) + 1) as f64 * 0.25);
    }
    (out, w)
}

fn state(
    rows: &[(u32, u32, bool, bool)],
    weights: Option<&[f64]>,
    parallel: bool,
) -> FairnessState {
    let sex_levels = vec![Some("F".to_string()), Some("M".to_string())];
    let race_levels = vec![
        Some("a".to_string()),
        Some("b".to_string()),
        Some("c".to_string()),
    ];
    let y: Vec<Option<bool>> = rows.iter().map(|r| Some(r.2)).collect();
    let p: Vec<Option<bool>> = rows.iter().map(|r| Some(r.3)).collect();
    let s: Vec<u32> = rows.iter().map(|r| r.0).collect();
    let c: Vec<u32> = rows.iter().map(|r| r.1).collect();
    let mut st = FairnessState::new(vec!["sex".into(), "race".into()], true, false);
    if weights.is_some() {
        st = st.weighted();
    }
    let batch = FairnessBatch {
        label: &y,
        prediction: Some(&p),
        score: None,
        attributes: vec![
            CodedAttribute {
                name: "sex",
                codes: &s,
                levels: &sex_levels,
            },
            CodedAttribute {
                name: "race",
                codes: &c,
                levels: &race_levels,
            },
        ],
        weights,
        membership: None,
        row_offset: 0,
    };
    if parallel {
        st.update_parallel(&batch).unwrap();
    } else {
        st.update(&batch).unwrap();
    }
    st
}

fn opts() -> FairnessOptions {
    FairnessOptions {
        intersect: true,
        min_group_size: 1,
        ..Default::default()
    }
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1.0),
        "{what}: {a} != {b}"
    );
}

fn same_rates(a: &FairnessReport, b: &FairnessReport) {
    assert_eq!(a.groups.len(), b.groups.len());
    for (g, h) in a.groups.iter().zip(&b.groups) {
        assert_eq!((&g.attribute, &g.group), (&h.attribute, &h.group));
        for (m, v) in &g.metrics {
            match (v, h.metrics[m]) {
                (Some(x), Some(y)) => close(*x, y, &format!("{} {} {m:?}", g.attribute, g.group)),
                (x, y) => assert_eq!(*x, y, "{} {} {m:?}", g.attribute, g.group),
            }
        }
    }
    for (k, s) in &a.summary {
        for (name, v) in &s.metrics {
            match (v, b.summary[k].metrics[name]) {
                (Some(x), Some(y)) => close(*x, y, &format!("{k} {name}")),
                (x, y) => assert_eq!(*x, y, "{k} {name}"),
            }
        }
    }
    let (ia, ib) = (
        a.inequality.as_ref().unwrap(),
        b.inequality.as_ref().unwrap(),
    );
    close(
        ia.generalized_entropy_index.unwrap(),
        ib.generalized_entropy_index.unwrap(),
        "GE(2)",
    );
    close(ia.theil_index.unwrap(), ib.theil_index.unwrap(), "Theil");
}

#[test]
fn whole_weights_are_repeated_rows() {
    let (r, _) = rows(3000);
    // Weights 1..=4; the unweighted table repeats each row that many times.
    let w: Vec<f64> = (0..r.len()).map(|i| (i % 4 + 1) as f64).collect();
    let mut repeated = vec![];
    for (row, &k) in r.iter().zip(&w) {
        for _ in 0..k as usize {
            repeated.push(*row);
        }
    }
    let weighted = state(&r, Some(&w), false).finish(&opts()).unwrap();
    let plain = state(&repeated, None, false).finish(&opts()).unwrap();
    same_rates(&weighted, &plain);
    // The weighted confusion is the repeated table's counts.
    for (g, h) in weighted.groups.iter().zip(&plain.groups) {
        let gw = g.weighted.as_ref().unwrap();
        assert_eq!(gw.tp, h.tp.map(|x| x as f64));
        assert_eq!(gw.fn_, h.fn_.map(|x| x as f64));
        assert_eq!(gw.total, h.count as f64);
        // ...but the evidence is weaker than the repeated table pretends: n_eff < rows · mean w.
        assert!(gw.effective_n < gw.total);
        assert!(gw.effective_n <= g.count as f64);
    }
    let total: f64 = w.iter().sum();
    let sq: f64 = w.iter().map(|x| x * x).sum();
    let used = weighted.weights.as_ref().unwrap();
    assert_eq!(used.total, total);
    close(used.effective_n, total * total / sq, "effective n");
}

#[test]
fn unit_weights_give_the_unweighted_report() {
    let (r, _) = rows(2000);
    let ones = vec![1.0; r.len()];
    let a = state(&r, Some(&ones), false).finish(&opts()).unwrap();
    let b = state(&r, None, false).finish(&opts()).unwrap();
    for (g, h) in a.groups.iter().zip(&b.groups) {
        assert_eq!(g.metrics, h.metrics);
        assert_eq!(g.ci, h.ci, "{} {}", g.attribute, g.group);
        assert_eq!(g.weighted.as_ref().unwrap().effective_n, g.count as f64);
        assert!(h.weighted.is_none());
    }
    for (d, e) in a.disparities.iter().zip(&b.disparities) {
        assert_eq!(d.difference, e.difference);
        assert_eq!(d.ratio, e.ratio);
        assert_eq!(d.difference_ci, e.difference_ci);
    }
    for (k, s) in &a.summary {
        assert_eq!(s.metrics, b.summary[k].metrics);
        for (m, t) in &s.independence {
            let u = &b.summary[k].independence[m];
            close(t.statistic, u.statistic, &format!("{k} {m:?} chi-square"));
        }
    }
    assert!(b.weights.is_none());
}

#[test]
fn wilson_at_the_effective_size_by_hand() {
    // One group: TP weights 1, 3; FN weight 2 → TPR = 4/6, n_eff = 6² / 14.
    let rows = vec![
        (0, 0, true, true),
        (0, 1, true, true),
        (0, 0, true, false),
        (1, 0, true, true),
        (1, 1, false, false),
    ];
    let w = [1.0, 3.0, 2.0, 1.0, 1.0];
    let r = state(&rows, Some(&w), false).finish(&opts()).unwrap();
    let g = r
        .groups
        .iter()
        .find(|g| g.attribute == "sex" && g.group == "F")
        .unwrap();
    let p: f64 = 4.0 / 6.0;
    let n: f64 = 36.0 / 14.0;
    let z: f64 = 1.959963984540054;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    close(g.metrics[&Metric::Tpr].unwrap(), p, "TPR");
    close(g.ci[&Metric::Tpr][0], centre - half, "lower");
    close(g.ci[&Metric::Tpr][1], centre + half, "upper");
}

#[test]
fn parallel_and_merged_states_equal_one_pass() {
    // Weights are multiples of 1/4, so every sum is exact and the order of addition cannot show.
    let (r, w) = rows(200_000);
    let one = state(&r, Some(&w), false);
    let par = state(&r, Some(&w), true);
    assert_eq!(one, par);
    let mut merged = state(&r[..77_777], Some(&w[..77_777]), false);
    merged
        .merge(&state(&r[77_777..], Some(&w[77_777..]), false))
        .unwrap();
    assert_eq!(one, merged);
    // A weighted state does not merge with an unweighted one.
    assert!(one.clone().merge(&state(&r[..10], None, false)).is_err());
}

#[test]
fn bad_weights_name_the_row() {
    let (r, mut w) = rows(10);
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        w[7] = bad;
        let y: Vec<Option<bool>> = r.iter().map(|x| Some(x.2)).collect();
        let codes: Vec<u32> = r.iter().map(|x| x.0).collect();
        let levels = vec![Some("F".to_string()), Some("M".to_string())];
        let mut st = FairnessState::new(vec!["sex".into()], false, false).weighted();
        let e = st
            .update(&FairnessBatch {
                label: &y,
                prediction: None,
                score: None,
                attributes: vec![CodedAttribute {
                    name: "sex",
                    codes: &codes,
                    levels: &levels,
                }],
                weights: Some(&w),
                membership: None,
                row_offset: 100,
            })
            .unwrap_err();
        assert!(matches!(e, Error::InvalidWeight { row: 107, .. }), "{e}");
    }
}

#[test]
fn weighted_score_metrics_are_repeated_rows() {
    // Scores on a grid of 50 values (ties across labels), weights 1..=3.
    let (r, _) = rows(4000);
    let w: Vec<f64> = (0..r.len()).map(|i| (i % 3 + 1) as f64).collect();
    let score = |i: usize| ((i * 7919) % 50) as f64 / 49.0;
    let build = |idx: &[usize], weights: Option<&[f64]>| {
        let levels = vec![Some("F".to_string()), Some("M".to_string())];
        let y: Vec<Option<bool>> = idx.iter().map(|&i| Some(r[i].2)).collect();
        let p: Vec<Option<bool>> = idx.iter().map(|&i| Some(r[i].3)).collect();
        let s: Vec<Option<f64>> = idx.iter().map(|&i| Some(score(i))).collect();
        let c: Vec<u32> = idx.iter().map(|&i| r[i].0).collect();
        let mut st = FairnessState::new(vec!["sex".into()], true, true);
        if weights.is_some() {
            st = st.weighted();
        }
        st.update(&FairnessBatch {
            label: &y,
            prediction: Some(&p),
            score: Some(&s),
            attributes: vec![CodedAttribute {
                name: "sex",
                codes: &c,
                levels: &levels,
            }],
            weights,
            membership: None,
            row_offset: 0,
        })
        .unwrap();
        st.finish(&opts()).unwrap()
    };
    let all: Vec<usize> = (0..r.len()).collect();
    let repeated: Vec<usize> = all
        .iter()
        .flat_map(|&i| std::iter::repeat_n(i, w[i] as usize))
        .collect();
    let weighted = build(&all, Some(&w));
    let plain = build(&repeated, None);
    for (g, h) in weighted.groups.iter().zip(&plain.groups) {
        for m in [
            Metric::MeanScore,
            Metric::RocAuc,
            Metric::BrierScore,
            Metric::Ece,
        ] {
            close(
                g.metrics[&m].unwrap(),
                h.metrics[&m].unwrap(),
                &format!("{} {m:?}", g.group),
            );
        }
    }
}

#[test]
fn zero_weight_groups_are_undefined_not_zero() {
    // Group M's rows all weigh 0: its rates are undefined, with the reason.
    let rows = vec![
        (0, 0, true, true),
        (0, 1, false, false),
        (1, 0, true, true),
        (1, 1, false, true),
    ];
    let w = [1.0, 2.0, 0.0, 0.0];
    let r = state(&rows, Some(&w), false).finish(&opts()).unwrap();
    let m = r
        .groups
        .iter()
        .find(|g| g.attribute == "sex" && g.group == "M")
        .unwrap();
    assert_eq!(m.metrics[&Metric::SelectionRate], None);
    assert!(m.undefined.contains_key(&Metric::SelectionRate));
    assert!(!m.ci.contains_key(&Metric::SelectionRate));
}
