//! The ranking task against hand-computed fixtures: exposure and its share, top-k selection,
//! the exposure-to-relevance ratio and the groups' NDCG, with ranks and with tied scores;
//! chunking and order do not change a byte; bad values name their row or list.

use fairgauge_core::fairness::ranking::{RankBy, RankingBatch, RankingReport, RankingState};
use fairgauge_core::fairness::{CodedAttribute, FairnessOptions, ReferenceSpec};

/// (list, group, rank or score, relevance).
type Row = (&'static str, u32, f64, f64);

/// q1: A@1 (rel 3), B@2 (2), A@3 (0), B@4 (1); q2: B@1 (1), A@2 (2) — rows not in list order.
const RANKED: [Row; 6] = [
    ("q2", 1, 1.0, 1.0),
    ("q1", 0, 1.0, 3.0),
    ("q1", 1, 4.0, 1.0),
    ("q1", 1, 2.0, 2.0),
    ("q2", 0, 2.0, 2.0),
    ("q1", 0, 3.0, 0.0),
];

fn v(p: f64) -> f64 {
    1.0 / (1.0 + p).log2()
}

fn state(rows: &[Row], by: RankBy, relevance: bool, k: &[u32], chunk: usize) -> RankingState {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let mut st = RankingState::new(vec!["g".into()], by, relevance, k).unwrap();
    for start in (0..rows.len()).step_by(chunk) {
        let rows = &rows[start..(start + chunk).min(rows.len())];
        let mut names: Vec<String> = vec![];
        let query: Vec<Option<u32>> = rows
            .iter()
            .map(|r| {
                let i = names.iter().position(|n| n == r.0).unwrap_or_else(|| {
                    names.push(r.0.to_string());
                    names.len() - 1
                });
                Some(i as u32)
            })
            .collect();
        let codes: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let position: Vec<Option<f64>> = rows.iter().map(|r| Some(r.2)).collect();
        let rel: Vec<Option<f64>> = rows.iter().map(|r| Some(r.3)).collect();
        let mut part = RankingState::new(vec!["g".into()], by, relevance, k).unwrap();
        part.update(&RankingBatch {
            query: &query,
            query_levels: &names,
            position: &position,
            relevance: relevance.then_some(&rel[..]),
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &codes,
                levels: &levels,
            }],
            weight: None,
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

fn metric(r: &RankingReport, group: &str, m: &str) -> f64 {
    let g = r.groups.iter().find(|g| g.group == group).unwrap();
    *g.metrics
        .get(m)
        .unwrap_or_else(|| panic!("{m} missing: {:?}", g.undefined))
}

#[test]
fn exposure_selection_and_ndcg_by_hand() {
    let r = state(&RANKED, RankBy::Rank, true, &[2], 6)
        .finish(&opts())
        .unwrap();
    assert_eq!((r.lists, r.longest_list, r.rows.used), (2, 4, 6));
    let (ea, eb) = (v(1.0) + v(3.0) + v(2.0), v(2.0) + v(4.0) + v(1.0));
    close(metric(&r, "A", "exposure"), ea / 3.0);
    close(metric(&r, "B", "exposure"), eb / 3.0);
    close(metric(&r, "A", "exposure_share"), ea / (ea + eb));
    close(metric(&r, "A", "selection_rate_at_2"), 2.0 / 3.0);
    close(metric(&r, "B", "selection_rate_at_2"), 2.0 / 3.0);
    close(metric(&r, "A", "mean_relevance"), 5.0 / 3.0);
    close(metric(&r, "A", "exposure_relevance_ratio"), ea / 5.0);
    close(metric(&r, "B", "exposure_relevance_ratio"), eb / 4.0);
    // q1's ideal order: A(3), B(2), B(1), A(0); q2's: A(2), B(1).
    let a_q1 = (3.0 * v(1.0)) / (3.0 * v(1.0));
    let b_q1 = (2.0 * v(2.0) + v(4.0)) / (2.0 * v(2.0) + v(3.0));
    let (a_q2, b_q2) = (2.0 * v(2.0) / (2.0 * v(1.0)), v(1.0) / v(2.0));
    close(metric(&r, "A", "ndcg"), (a_q1 + a_q2) / 2.0);
    close(metric(&r, "B", "ndcg"), (b_q1 + b_q2) / 2.0);
    // @2: q1 A: 3·v1 / 3·v1; B: 2·v2 / 2·v2; q2 A: 2·v2 / 2·v1, B: v1 / v2.
    close(metric(&r, "A", "ndcg_at_2"), (1.0 + v(2.0)) / 2.0);
    close(metric(&r, "B", "ndcg_at_2"), (1.0 + 1.0 / v(2.0)) / 2.0);
    // A is the reference (equal sizes: the first); B against it.
    let d = r
        .disparities
        .iter()
        .find(|d| d.metric == "exposure" && d.group == "B")
        .unwrap();
    assert_eq!(d.reference, "A");
    close(d.difference, (eb - ea) / 3.0);
    close(d.ratio.unwrap(), eb / ea);
    let s = &r.summary["g"];
    close(s.metrics["exposure_ratio"].unwrap(), eb / ea);
    close(s.metrics["exposure_difference"].unwrap(), (ea - eb) / 3.0);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn chunks_and_row_order_change_no_byte() {
    let one = state(&RANKED, RankBy::Rank, true, &[1, 3], 6)
        .finish(&opts())
        .unwrap();
    let mut reversed = RANKED;
    reversed.reverse();
    for (rows, chunk) in [(RANKED, 1), (RANKED, 4), (reversed, 2)] {
        let other = state(&rows, RankBy::Rank, true, &[3, 1], chunk)
            .finish(&opts())
            .unwrap();
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&other).unwrap()
        );
    }
}

#[test]
fn tied_scores_share_their_positions() {
    // One list by score: A 0.9, B 0.5, A 0.5, B 0.1; the tie takes positions 2 and 3.
    let rows: [Row; 4] = [
        ("q", 0, 0.9, 1.0),
        ("q", 1, 0.5, 1.0),
        ("q", 0, 0.5, 0.0),
        ("q", 1, 0.1, 0.0),
    ];
    let r = state(&rows, RankBy::Score, true, &[2], 4)
        .finish(&opts())
        .unwrap();
    let tie = (v(2.0) + v(3.0)) / 2.0;
    close(metric(&r, "A", "exposure"), (v(1.0) + tie) / 2.0);
    close(metric(&r, "B", "exposure"), (tie + v(4.0)) / 2.0);
    close(metric(&r, "A", "selection_rate_at_2"), (1.0 + 0.5) / 2.0);
    close(metric(&r, "B", "selection_rate_at_2"), 0.5 / 2.0);
    // Ideal: the two relevance-1 items tie for positions 1 and 2.
    let ideal = (v(1.0) + v(2.0)) / 2.0;
    close(metric(&r, "A", "ndcg"), v(1.0) / ideal);
    close(metric(&r, "B", "ndcg"), tie / ideal);
    // @2: B's item is half in the top 2 (v(2)/2), its ideal entirely.
    close(metric(&r, "B", "ndcg_at_2"), (v(2.0) / 2.0) / ideal);
}

#[test]
fn one_group_per_list_gives_the_lists_ndcg() {
    // Each list is one group's: the group's NDCG is the mean of its lists' NDCG.
    let rows: [Row; 5] = [
        ("a", 0, 1.0, 0.0),
        ("a", 0, 2.0, 2.0),
        ("a", 0, 3.0, 1.0),
        ("b", 1, 1.0, 1.0),
        ("b", 1, 2.0, 0.0),
    ];
    let r = state(&rows, RankBy::Rank, true, &[10], 5)
        .finish(&opts())
        .unwrap();
    let dcg = 2.0 * v(2.0) + v(3.0);
    let idcg = 2.0 * v(1.0) + v(2.0);
    close(metric(&r, "A", "ndcg"), dcg / idcg);
    close(metric(&r, "B", "ndcg"), 1.0);
    assert_eq!(r.warnings.len(), 1, "k = 10 is longer than every list");
    assert!(r.warnings[0].contains("k = 10"));
}

#[test]
fn without_relevance_only_exposure_and_selection() {
    let r = state(&RANKED, RankBy::Rank, false, &[], 6)
        .finish(&opts())
        .unwrap();
    assert_eq!(r.k, vec![10]);
    let g = &r.groups[0];
    let mut keys: Vec<&String> = g.metrics.keys().collect();
    keys.sort();
    assert_eq!(keys, ["exposure", "exposure_share", "selection_rate_at_10"]);
    assert!(g.ndcg_lists.is_none());
}

#[test]
fn bad_ranks_relevance_and_options_are_refused() {
    let mut rows = RANKED;
    rows[3].2 = 1.0; // q1 now has rank 1 twice
    let e = state(&rows, RankBy::Rank, true, &[2], 6)
        .finish(&opts())
        .unwrap_err()
        .to_string();
    assert!(e.contains("rank 1 appears twice in list `q1`"), "{e}");

    let bad = |rank: f64, rel: f64| {
        let levels = vec![Some("A".to_string())];
        let mut st = RankingState::new(vec!["g".into()], RankBy::Rank, true, &[1]).unwrap();
        st.update(&RankingBatch {
            query: &[Some(0), Some(0)],
            query_levels: &["q".to_string()],
            position: &[Some(1.0), Some(rank)],
            relevance: Some(&[Some(1.0), Some(rel)]),
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &[0, 0],
                levels: &levels,
            }],
            weight: None,
            row_offset: 10,
        })
        .unwrap_err()
        .to_string()
    };
    let e = bad(2.5, 1.0);
    assert!(e.contains("rank 2.5 at row 12"), "{e}");
    let e = bad(0.0, 1.0);
    assert!(e.contains("rank 0 at row 12"), "{e}");
    let e = bad(2.0, -1.0);
    assert!(e.contains("relevance -1 at row 12"), "{e}");
    let e = bad(2.0, f64::NAN);
    assert!(e.contains("relevance NaN at row 12"), "{e}");
    let e = bad(2.0, 1e200);
    assert!(
        e.contains("relevance 1e200 at row 12 is not a number in [0, 1e150]"),
        "{e}"
    );
    let e = bad(5e9, 1.0);
    assert!(e.contains("too large"), "{e}");

    assert!(RankingState::new(vec!["g".into()], RankBy::Rank, false, &[0]).is_err());
    let st = state(&RANKED, RankBy::Rank, true, &[2], 6);
    let e = st
        .finish(&FairnessOptions {
            reference: ReferenceSpec::Best,
            ..opts()
        })
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ranking compares every group with one reference"),
        "{e}"
    );
    let named = |s: &str| FairnessOptions {
        reference: ReferenceSpec::parse(s).unwrap(),
        ..opts()
    };
    let r = st.finish(&named("B")).unwrap();
    assert_eq!(r.summary["g"].reference_group, "B");
    assert!(st.finish(&named("C")).is_err());
    assert!(st.finish(&named("sex=A")).is_err());
}

#[test]
fn one_group_is_an_error_and_nulls_are_counted() {
    let levels = vec![Some("A".to_string())];
    let mut st = RankingState::new(vec!["g".into()], RankBy::Rank, true, &[1]).unwrap();
    st.update(&RankingBatch {
        query: &[Some(0), None, Some(0), Some(0)],
        query_levels: &["q".to_string()],
        position: &[Some(1.0), Some(2.0), None, Some(3.0)],
        relevance: Some(&[Some(1.0), Some(1.0), Some(1.0), None]),
        weight: None,
        attributes: vec![CodedAttribute {
            name: "g",
            codes: &[0, 0, 0, 0],
            levels: &levels,
        }],
        row_offset: 0,
    })
    .unwrap();
    assert_eq!(
        (
            st.rows_seen,
            st.excluded_null_query,
            st.excluded_null_position,
            st.excluded_null_relevance,
            st.rows_used()
        ),
        (4, 1, 1, 1, 1)
    );
    let e = st.finish(&opts()).unwrap_err().to_string();
    assert!(e.contains("one group"), "{e}");
}

#[test]
fn a_state_that_refers_to_nothing_is_refused_not_a_panic() {
    let mut st = state(&RANKED, RankBy::Rank, true, &[2], 6);
    st.items[0].query = 99;
    let e = st.finish(&opts()).unwrap_err().to_string();
    assert!(e.contains("refers to list 99"), "{e}");
    let mut acc = state(&RANKED, RankBy::Rank, true, &[2], 6);
    assert!(acc.merge(&st).is_err());
    let mut st = state(&RANKED, RankBy::Rank, true, &[2], 6);
    st.k = vec![3, 2];
    assert!(st.finish(&opts()).is_err());
}

#[test]
fn a_serialised_state_merges_like_the_original() {
    let st = state(&RANKED, RankBy::Rank, true, &[2], 3);
    let json = serde_json::to_string(&st).unwrap();
    let mut back: RankingState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, st);
    back.merge(&state(&RANKED[..2], RankBy::Rank, true, &[2], 2))
        .unwrap();
    assert_eq!(
        back.queries.len(),
        2,
        "lists are matched by value after a round trip"
    );
    assert_eq!(back.keys.len(), 2);
}

/// `rows` with sample weights `w`, counted `chunk` rows at a time, by rank with relevance.
fn weighted_state(rows: &[Row], w: &[f64], k: &[u32], chunk: usize) -> RankingState {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let names: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
    let mut st = RankingState::new(vec!["g".into()], RankBy::Rank, true, k)
        .unwrap()
        .weighted();
    for start in (0..rows.len()).step_by(chunk) {
        let end = (start + chunk).min(rows.len());
        let query: Vec<Option<u32>> = (0..end - start).map(|i| Some(i as u32)).collect();
        let codes: Vec<u32> = rows[start..end].iter().map(|r| r.1).collect();
        let position: Vec<Option<f64>> = rows[start..end].iter().map(|r| Some(r.2)).collect();
        let rel: Vec<Option<f64>> = rows[start..end].iter().map(|r| Some(r.3)).collect();
        st.update(&RankingBatch {
            query: &query,
            query_levels: &names[start..end],
            position: &position,
            relevance: Some(&rel),
            weight: Some(&w[start..end]),
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &codes,
                levels: &levels,
            }],
            row_offset: start,
        })
        .unwrap();
    }
    st
}

#[test]
fn weighted_exposure_selection_and_ndcg_by_hand() {
    // RANKED's rows weigh: q2 B@1 1, q1 A@1 2, q1 B@4 0.5, q1 B@2 3, q2 A@2 1, q1 A@3 0.
    let w = [1.0, 2.0, 0.5, 3.0, 1.0, 0.0];
    let r = weighted_state(&RANKED, &w, &[2], 6)
        .finish(&opts())
        .unwrap();
    let (wa, wb) = (2.0 + 1.0 + 0.0, 1.0 + 0.5 + 3.0);
    let ea = 2.0 * v(1.0) + 1.0 * v(2.0) + 0.0 * v(3.0);
    let eb = 1.0 * v(1.0) + 0.5 * v(4.0) + 3.0 * v(2.0);
    close(metric(&r, "A", "exposure"), ea / wa);
    close(metric(&r, "B", "exposure"), eb / wb);
    close(metric(&r, "A", "exposure_share"), ea / (ea + eb));
    close(metric(&r, "A", "selection_rate_at_2"), (2.0 + 1.0) / wa);
    close(metric(&r, "B", "selection_rate_at_2"), (1.0 + 3.0) / wb);
    // Relevance: A 3·2 + 2·1 + 0; B 1·1 + 1·0.5 + 2·3.
    close(metric(&r, "A", "mean_relevance"), 8.0 / wa);
    close(metric(&r, "B", "exposure_relevance_ratio"), eb / 7.5);
    // NDCG per list: weighted DCG over weighted ideal DCG (q1's ideal: A(3)@1, B(2)@2,
    // B(1)@3, A(0)@4; q2's: A(2)@1, B(1)@2); the mean over lists unweighted.
    let a_q1 = (2.0 * 3.0 * v(1.0)) / (2.0 * 3.0 * v(1.0));
    let b_q1 = (3.0 * 2.0 * v(2.0) + 0.5 * v(4.0)) / (3.0 * 2.0 * v(2.0) + 0.5 * v(3.0));
    let (a_q2, b_q2) = ((2.0 * v(2.0)) / (2.0 * v(1.0)), v(1.0) / v(2.0));
    close(metric(&r, "A", "ndcg"), (a_q1 + a_q2) / 2.0);
    close(metric(&r, "B", "ndcg"), (b_q1 + b_q2) / 2.0);
    // Shares and the reference by weight (B weighs more), Kish's sizes.
    let a = r.groups.iter().find(|g| g.group == "A").unwrap();
    let b = r.groups.iter().find(|g| g.group == "B").unwrap();
    assert_eq!((a.count, b.count), (3, 3));
    close(a.share, wa / (wa + wb));
    assert!(b.reference && !a.reference);
    let wt = a.weighted.unwrap();
    close(wt.total, wa);
    close(wt.effective_n, wa * wa / (4.0 + 1.0));
    let all = r.weights.unwrap();
    close(all.total, wa + wb);
    close(
        all.effective_n,
        (wa + wb).powi(2) / (1.0 + 4.0 + 0.25 + 9.0 + 1.0),
    );
}

#[test]
fn unit_weights_are_the_unweighted_report_and_bad_weights_name_their_row() {
    let plain = state(&RANKED, RankBy::Rank, true, &[1, 3], 6)
        .finish(&opts())
        .unwrap();
    let ones = weighted_state(&RANKED, &[1.0; 6], &[1, 3], 2)
        .finish(&opts())
        .unwrap();
    let mut json = serde_json::to_value(&ones).unwrap();
    json.as_object_mut().unwrap().remove("weights");
    for g in json["groups"].as_array_mut().unwrap() {
        g.as_object_mut().unwrap().remove("weighted").unwrap();
    }
    assert_eq!(json, serde_json::to_value(&plain).unwrap());
    // A group of zero weight has no metrics and is left out of the summaries.
    let r = weighted_state(&RANKED, &[1.0, 0.0, 1.0, 1.0, 0.0, 0.0], &[2], 6)
        .finish(&opts())
        .unwrap();
    let a = r.groups.iter().find(|g| g.group == "A").unwrap();
    assert!(a.metrics.is_empty() && a.undefined.contains_key("metrics"));
    assert!(a.insufficient_data);
    // Every weight 0 is an error; so is a weight that is not a finite number ≥ 0.
    let e = weighted_state(&RANKED, &[0.0; 6], &[2], 6)
        .finish(&opts())
        .unwrap_err()
        .to_string();
    assert!(e.contains("every sample weight"), "{e}");
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let mut st = RankingState::new(vec!["g".into()], RankBy::Rank, false, &[1])
            .unwrap()
            .weighted();
        let levels = vec![Some("A".to_string())];
        let e = st
            .update(&RankingBatch {
                query: &[Some(0), Some(0)],
                query_levels: &["q".to_string()],
                position: &[Some(1.0), Some(2.0)],
                relevance: None,
                weight: Some(&[1.0, bad]),
                attributes: vec![CodedAttribute {
                    name: "g",
                    codes: &[0, 0],
                    levels: &levels,
                }],
                row_offset: 4,
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains(&format!("weight {bad} at row 6")), "{e}");
    }
    // Weighted and unweighted states do not merge.
    let mut plain_state = state(&RANKED, RankBy::Rank, true, &[2], 6);
    assert!(plain_state
        .merge(&weighted_state(&RANKED, &[1.0; 6], &[2], 6))
        .is_err());
}

/// Forty lists of four items (groups A and B, relevance 0–3), by rank.
fn many_lists() -> Vec<(String, u32, f64, f64)> {
    (0..160u32)
        .map(|i| {
            let h = i.wrapping_mul(2_654_435_761) >> 7;
            (
                format!("list{}", i / 4),
                (h % 3 == 0) as u32,
                (i % 4 + 1) as f64,
                (h % 4) as f64,
            )
        })
        .collect()
}

fn state_of(rows: &[(String, u32, f64, f64)], chunk: usize) -> RankingState {
    let levels = vec![Some("A".to_string()), Some("B".to_string())];
    let mut st = RankingState::new(vec!["g".into()], RankBy::Rank, true, &[2]).unwrap();
    for start in (0..rows.len()).step_by(chunk) {
        let part = &rows[start..(start + chunk).min(rows.len())];
        let names: Vec<String> = part.iter().map(|r| r.0.clone()).collect();
        let query: Vec<Option<u32>> = (0..part.len()).map(|i| Some(i as u32)).collect();
        let codes: Vec<u32> = part.iter().map(|r| r.1).collect();
        let position: Vec<Option<f64>> = part.iter().map(|r| Some(r.2)).collect();
        let rel: Vec<Option<f64>> = part.iter().map(|r| Some(r.3)).collect();
        st.update(&RankingBatch {
            query: &query,
            query_levels: &names,
            position: &position,
            relevance: Some(&rel),
            weight: None,
            attributes: vec![CodedAttribute {
                name: "g",
                codes: &codes,
                levels: &levels,
            }],
            row_offset: start,
        })
        .unwrap();
    }
    st
}

#[test]
fn the_list_bootstrap_is_the_same_bytes_whatever_the_chunking() {
    use fairgauge_core::fairness::Bootstrap;
    let rows = many_lists();
    let boot = |seed| FairnessOptions {
        bootstrap: Some(Bootstrap {
            replicates: 200,
            seed,
        }),
        ..opts()
    };
    let one = state_of(&rows, rows.len()).finish(&boot(7)).unwrap();
    let mut reversed = rows.clone();
    reversed.reverse();
    for (r, chunk) in [(&rows, 1), (&rows, 37), (&reversed, 16)] {
        let other = state_of(r, chunk).finish(&boot(7)).unwrap();
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&other).unwrap()
        );
    }
    // The point estimates are the report's without a bootstrap; every summary has an interval
    // (each replicate is checked against a report of the resampled lists in the module's own
    // tests), and another seed moves the interval.
    let plain = state_of(&rows, 160).finish(&opts()).unwrap();
    assert_eq!(plain.groups, one.groups);
    let s = &one.summary["g"];
    assert_eq!(s.intervals.len(), s.metrics.len());
    for (name, value) in &s.metrics {
        assert!(value.is_some(), "{name}");
        let ci = &s.intervals[name];
        assert!(ci.low < ci.high && ci.defined == 200, "{name}: {ci:?}");
    }
    let other = state_of(&rows, 160).finish(&boot(8)).unwrap();
    assert_ne!(
        other.summary["g"].intervals["exposure_ratio"],
        s.intervals["exposure_ratio"]
    );
    assert_eq!(one.bootstrap.unwrap().replicates, 200);
}
