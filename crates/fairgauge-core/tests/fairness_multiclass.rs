//! The multiclass task against hand-computed fixtures: per-group confusion matrices, one-vs-rest
//! rates, macro and micro averages, per-class parity summaries and their worst class; chunking
//! and merging; weights; the bootstrap; bad input.

use fairgauge_core::fairness::multiclass::{
    class_order, MulticlassBatch, MulticlassReport, MulticlassState,
};
use fairgauge_core::fairness::{Bootstrap, CodedAttribute, FairnessOptions, Metric};

/// Rows from per-group matrices: `(group, [[true a → predicted a, b, c], …])` over classes
/// a, b, c.
fn rows(groups: &[(&str, [[u32; 3]; 3])]) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let (mut g, mut l, mut p) = (vec![], vec![], vec![]);
    for (gi, (_, m)) in groups.iter().enumerate() {
        for (t, row) in m.iter().enumerate() {
            for (q, &n) in row.iter().enumerate() {
                for _ in 0..n {
                    g.push(gi as u32);
                    l.push(t as u32);
                    p.push(q as u32);
                }
            }
        }
    }
    (g, l, p)
}

/// The fixture: group A (10 rows) and B (6 rows).
const FIXTURE: [(&str, [[u32; 3]; 3]); 2] = [
    ("A", [[3, 1, 0], [1, 2, 1], [0, 0, 2]]),
    ("B", [[1, 0, 0], [0, 2, 1], [1, 0, 1]]),
];

fn levels(names: &[&str]) -> Vec<Option<String>> {
    names.iter().map(|s| Some(s.to_string())).collect()
}

fn state_of(
    g: &[u32],
    l: &[u32],
    p: &[u32],
    weights: Option<&[f64]>,
    chunk: usize,
) -> MulticlassState {
    let classes = levels(&["a", "b", "c"]);
    let groups = levels(&["A", "B"]);
    let mut st = MulticlassState::new(vec!["g".into()]);
    if weights.is_some() {
        st = st.weighted();
    }
    let mut start = 0;
    while start < g.len() {
        let end = (start + chunk).min(g.len());
        let mut part = MulticlassState::new(vec!["g".into()]);
        if weights.is_some() {
            part = part.weighted();
        }
        part.update(&MulticlassBatch {
            label: CodedAttribute {
                name: "y",
                codes: &l[start..end],
                levels: &classes,
            },
            prediction: CodedAttribute {
                name: "p",
                codes: &p[start..end],
                levels: &classes,
            },
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &g[start..end],
                levels: &groups,
            }],
            weights: weights.map(|w| &w[start..end]),
            row_offset: start,
        })
        .unwrap();
        st.merge(&part).unwrap();
        start = end;
    }
    st
}

fn opts() -> FairnessOptions {
    FairnessOptions {
        min_group_size: 1,
        ..Default::default()
    }
}

fn report() -> MulticlassReport {
    let (g, l, p) = rows(&FIXTURE);
    state_of(&g, &l, &p, None, usize::MAX)
        .finish(&opts())
        .unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn matrices_accuracy_and_averages_by_hand() {
    let r = report();
    assert_eq!(r.classes, ["a", "b", "c"]);
    let a = &r.groups[0];
    assert_eq!((a.group.as_str(), a.count), ("A", 10));
    assert_eq!(
        a.confusion_matrix,
        vec![vec![3, 1, 0], vec![1, 2, 1], vec![0, 0, 2]]
    );
    assert_eq!(a.confusion()[[1, 2]], 1);
    close(a.accuracy.unwrap(), 0.7);
    // Macro: precision (3/4 + 2/3 + 2/3) / 3, recall (3/4 + 1/2 + 1) / 3, F1 (3/4 + 4/7 + 4/5) / 3.
    close(
        a.macro_avg.precision.unwrap(),
        (0.75 + 2.0 / 3.0 + 2.0 / 3.0) / 3.0,
    );
    close(a.macro_avg.recall.unwrap(), (0.75 + 0.5 + 1.0) / 3.0);
    close(a.macro_avg.f1.unwrap(), (0.75 + 4.0 / 7.0 + 0.8) / 3.0);
    close(a.micro_avg.precision.unwrap(), 0.7);
    close(a.micro_avg.f1.unwrap(), 0.7);
    let b = &r.groups[1];
    close(b.accuracy.unwrap(), 4.0 / 6.0);
    close(b.macro_avg.f1.unwrap(), (2.0 / 3.0 + 0.8 + 0.5) / 3.0);
}

#[test]
fn one_vs_rest_rates_by_hand() {
    let r = report();
    let a = &r.groups[0].classes;
    // Class b in group A: TP 2, FP 1, FN 2, TN 5.
    let b = &a["b"];
    assert_eq!((b.support, b.predicted), (4, 3));
    close(b.metrics[&Metric::SelectionRate].unwrap(), 0.3);
    close(b.metrics[&Metric::Tpr].unwrap(), 0.5);
    close(b.metrics[&Metric::Fpr].unwrap(), 1.0 / 6.0);
    close(b.metrics[&Metric::Ppv].unwrap(), 2.0 / 3.0);
    let ci = b.ci[&Metric::SelectionRate];
    assert!(ci[0] < 0.3 && 0.3 < ci[1]);
    // Class c in group B: TP 1, FP 1, FN 1, TN 3.
    let c = &r.groups[1].classes["c"];
    close(c.metrics[&Metric::Tpr].unwrap(), 0.5);
    close(c.metrics[&Metric::Fpr].unwrap(), 0.25);
    assert!(!c.metrics.contains_key(&Metric::Accuracy));
}

#[test]
fn per_class_summaries_and_worst_class_by_hand() {
    let r = report();
    let s = &r.summary["g"];
    assert_eq!(s.reference_group.as_deref(), Some("A"));
    close(s.metrics["accuracy_difference"].unwrap(), 0.7 - 4.0 / 6.0);
    let dp = |c: &str| s.classes[c].metrics["demographic_parity_difference"].unwrap();
    close(dp("a"), 0.4 - 1.0 / 3.0);
    close(dp("b"), 1.0 / 3.0 - 0.3);
    let eo = |c: &str| s.classes[c].metrics["equalized_odds_difference"].unwrap();
    close(eo("a"), 0.25);
    close(eo("b"), 1.0 / 6.0);
    close(eo("c"), 0.5);
    let w = &s.worst_class;
    assert_eq!(w["demographic_parity_difference"].class, "a");
    assert_eq!(w["equalized_odds_difference"].class, "c");
    close(w["equalized_odds_difference"].value, 0.5);
    assert_eq!(w["equal_opportunity_difference"].class, "c");
    // Ratios: the smallest is the worst. DP ratio of a is (1/3) / 0.4.
    assert_eq!(w["demographic_parity_ratio"].class, "a");
    close(w["demographic_parity_ratio"].value, (1.0 / 3.0) / 0.4);
    // Disparities: 4 rates × 3 classes for group B against the reference A.
    assert_eq!(r.disparities.len(), 12);
    let d = r
        .disparities
        .iter()
        .find(|d| d.class == "c" && d.disparity.group == "B" && d.disparity.metric == Metric::Tpr)
        .unwrap();
    close(d.disparity.difference.unwrap(), -0.5);
}

#[test]
fn chunking_and_merging_do_not_change_the_state() {
    let (g, l, p) = rows(&FIXTURE);
    let whole = state_of(&g, &l, &p, None, usize::MAX);
    for chunk in [1, 3, 7] {
        assert_eq!(state_of(&g, &l, &p, None, chunk), whole);
    }
}

#[test]
fn whole_weights_equal_repeated_rows() {
    let (g, l, p) = rows(&FIXTURE);
    let w: Vec<f64> = (0..g.len()).map(|i| (i % 3 + 1) as f64).collect();
    let weighted = state_of(&g, &l, &p, Some(&w), 4).finish(&opts()).unwrap();
    let (mut g2, mut l2, mut p2) = (vec![], vec![], vec![]);
    for i in 0..g.len() {
        for _ in 0..(i % 3 + 1) {
            g2.push(g[i]);
            l2.push(l[i]);
            p2.push(p[i]);
        }
    }
    let repeated = state_of(&g2, &l2, &p2, None, usize::MAX)
        .finish(&opts())
        .unwrap();
    for (a, b) in weighted.groups.iter().zip(&repeated.groups) {
        close(a.accuracy.unwrap(), b.accuracy.unwrap());
        close(a.macro_avg.f1.unwrap(), b.macro_avg.f1.unwrap());
        for c in ["a", "b", "c"] {
            for m in [Metric::SelectionRate, Metric::Tpr, Metric::Fpr, Metric::Ppv] {
                let (x, y) = (a.classes[c].metrics[&m], b.classes[c].metrics[&m]);
                close(x.unwrap(), y.unwrap());
            }
        }
        let wm = &a.weighted.as_ref().unwrap().confusion_matrix;
        let total: f64 = wm.iter().flatten().sum();
        close(total, b.count as f64);
    }
    let (ws, rs) = (&weighted.summary["g"], &repeated.summary["g"]);
    for c in ["a", "b", "c"] {
        let key = "equalized_odds_difference";
        close(
            ws.classes[c].metrics[key].unwrap(),
            rs.classes[c].metrics[key].unwrap(),
        );
    }
}

#[test]
fn bootstrap_is_deterministic_and_brackets_the_estimate() {
    // A larger table: the fixture repeated 40 times.
    let mut big = vec![];
    for _ in 0..40 {
        big.extend(FIXTURE);
    }
    let groups: Vec<(&str, [[u32; 3]; 3])> = big;
    let (g, l, p) = rows(&groups);
    let g: Vec<u32> = g.iter().map(|x| x % 2).collect();
    let o = FairnessOptions {
        bootstrap: Some(Bootstrap {
            replicates: 300,
            seed: 7,
        }),
        ..opts()
    };
    let one = state_of(&g, &l, &p, None, usize::MAX).finish(&o).unwrap();
    let chunked = state_of(&g, &l, &p, None, 97).finish(&o).unwrap();
    assert_eq!(one, chunked);
    let s = &one.summary["g"];
    let w = &s.worst_class["equalized_odds_difference"];
    let iv = w.interval.as_ref().unwrap();
    assert!(
        iv.low <= w.value && w.value <= iv.high,
        "{iv:?} {}",
        w.value
    );
    let per = &s.classes["c"].intervals["equalized_odds_difference"];
    assert_eq!(per.defined, 300);
    // The worst over classes is at least each class's value in every replicate.
    assert!(iv.high >= per.high - 1e-12);
    let other = FairnessOptions {
        bootstrap: Some(Bootstrap {
            replicates: 300,
            seed: 8,
        }),
        ..opts()
    };
    let reseeded = state_of(&g, &l, &p, None, usize::MAX)
        .finish(&other)
        .unwrap();
    assert_ne!(one.summary, reseeded.summary);
}

#[test]
fn one_class_too_many_classes_and_unseen_predictions() {
    let one = state_of(&[0, 1, 0, 1], &[0, 0, 0, 0], &[0, 1, 1, 0], None, 8);
    let e = one.finish(&opts()).unwrap_err().to_string();
    assert!(e.contains("one class only (`a`)"), "{e}");

    // Class c is predicted but never true: a warning.
    let r = state_of(&[0, 1, 0, 1], &[0, 1, 1, 0], &[2, 1, 0, 0], None, 8)
        .finish(&opts())
        .unwrap();
    assert_eq!(r.classes, ["a", "b", "c"]);
    assert!(
        r.warnings[0].contains("class `c` is predicted for 1 rows"),
        "{:?}",
        r.warnings
    );
    let c = &r.groups[0].classes["c"];
    assert_eq!(c.metrics[&Metric::Tpr], None);
    assert!(c.undefined.contains_key(&Metric::Tpr));

    let n = 101;
    let classes: Vec<Option<String>> = (0..n).map(|i| Some(format!("k{i}"))).collect();
    let codes: Vec<u32> = (0..n as u32).collect();
    let groups = levels(&["A", "B"]);
    let gcodes: Vec<u32> = (0..n as u32).map(|i| i % 2).collect();
    let mut st = MulticlassState::new(vec!["g".into()]);
    st.update(&MulticlassBatch {
        label: CodedAttribute {
            name: "y",
            codes: &codes,
            levels: &classes,
        },
        prediction: CodedAttribute {
            name: "p",
            codes: &codes,
            levels: &classes,
        },
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &gcodes,
            levels: &groups,
        }],
        weights: None,
        row_offset: 0,
    })
    .unwrap();
    let e = st.finish(&opts()).unwrap_err().to_string();
    assert!(
        e.contains("101 classes") && e.contains("at most 100"),
        "{e}"
    );
}

#[test]
fn null_classes_are_left_out_and_counted() {
    let classes = vec![Some("a".to_string()), Some("b".to_string()), None];
    let groups = levels(&["A", "B"]);
    let mut st = MulticlassState::new(vec!["g".into()]);
    st.update(&MulticlassBatch {
        label: CodedAttribute {
            name: "y",
            codes: &[0, 1, 2, 0, 1, 0],
            levels: &classes,
        },
        prediction: CodedAttribute {
            name: "p",
            codes: &[0, 1, 0, 2, 1, 1],
            levels: &classes,
        },
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &[0, 0, 1, 1, 1, 0],
            levels: &groups,
        }],
        weights: None,
        row_offset: 0,
    })
    .unwrap();
    assert_eq!(
        (
            st.rows_seen,
            st.excluded_null_label,
            st.excluded_null_prediction,
            st.rows_used()
        ),
        (6, 1, 1, 4)
    );
}

#[test]
fn classes_sort_as_scikit_learn_does() {
    let s = |v: &[&str]| class_order(v.iter().map(|x| x.to_string()).collect());
    assert_eq!(s(&["10", "2", "1"]), ["1", "2", "10"]);
    assert_eq!(s(&["b", "10", "a"]), ["10", "a", "b"]);
    assert_eq!(s(&["-1", "0.5", "0"]), ["-1", "0", "0.5"]);
}

#[test]
fn negative_weights_name_the_row() {
    let classes = levels(&["a", "b"]);
    let groups = levels(&["A", "B"]);
    let mut st = MulticlassState::new(vec!["g".into()]).weighted();
    let e = st
        .update(&MulticlassBatch {
            label: CodedAttribute {
                name: "y",
                codes: &[0, 1],
                levels: &classes,
            },
            prediction: CodedAttribute {
                name: "p",
                codes: &[0, 1],
                levels: &classes,
            },
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &[0, 1],
                levels: &groups,
            }],
            weights: Some(&[1.0, -2.0]),
            row_offset: 10,
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("-2") && e.contains("row 11"), "{e}");
}

#[test]
fn groups_whose_names_collide_keep_their_own_matrices() {
    // (R&D, x) and (R, D&x) are both shown as `R&D&x`; each keeps its own counts.
    let classes = levels(&["a", "b"]);
    let dept = levels(&["R&D", "R"]);
    let team = levels(&["x", "D&x"]);
    let mut st = MulticlassState::new(vec!["dept".into(), "team".into()]);
    st.update(&MulticlassBatch {
        label: CodedAttribute {
            name: "y",
            codes: &[0, 0, 0, 1, 1, 0, 1],
            levels: &classes,
        },
        prediction: CodedAttribute {
            name: "p",
            codes: &[0, 1, 0, 1, 0, 0, 1],
            levels: &classes,
        },
        attributes: vec![
            CodedAttribute {
                name: "dept",
                codes: &[0, 0, 0, 1, 1, 0, 1],
                levels: &dept,
            },
            CodedAttribute {
                name: "team",
                codes: &[0, 0, 1, 1, 1, 0, 0],
                levels: &team,
            },
        ],
        weights: None,
        row_offset: 0,
    })
    .unwrap();
    let o = FairnessOptions {
        intersect: true,
        ..opts()
    };
    let r = st.finish(&o).unwrap();
    for g in &r.groups {
        let total: u64 = g.confusion_matrix.iter().flatten().sum();
        assert_eq!(total, g.count, "{} {}", g.attribute, g.group);
        let support: u64 = g.classes.values().map(|c| c.support).sum();
        assert_eq!(support, g.count);
    }
}
