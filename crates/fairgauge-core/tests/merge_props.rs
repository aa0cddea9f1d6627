//! Property tests: one pass, any chunking, the parallel path, serialised-and-merged parts and any
//! row order all give the same state and byte-identical reports.

use fairgauge_core::fairness::{CodedAttribute, FairnessBatch, FairnessOptions, FairnessState};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Row {
    y: Option<bool>,
    p: Option<bool>,
    s: Option<f64>,
    a: u32,
    b: u32,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::option::weighted(0.95, any::<bool>()),
        prop::option::weighted(0.95, any::<bool>()),
        prop::option::weighted(0.95, (0u32..=20).prop_map(|k| k as f64 / 20.0)),
        0u32..3,
        0u32..4,
    )
        .prop_map(|(y, p, s, a, b)| Row { y, p, s, a, b })
}

fn levels(prefix: &str, n: usize) -> Vec<Option<String>> {
    (0..n)
        .map(|i| {
            if i == 0 {
                None
            } else {
                Some(format!("{prefix}{i}"))
            }
        })
        .collect()
}

/// Counts `rows` in one state; each call uses its own (permuted) dictionary so that the merge must
/// work on values, not codes.
fn count(rows: &[Row], state: &mut FairnessState, permute: bool, parallel: bool) {
    let la = levels("a", 3);
    let lb = levels("b", 4);
    let (la2, lb2): (Vec<_>, Vec<_>) = if permute {
        (
            la.iter().rev().cloned().collect(),
            lb.iter().rev().cloned().collect(),
        )
    } else {
        (la.clone(), lb.clone())
    };
    let map = |c: u32, n: u32| if permute { n - 1 - c } else { c };
    let y: Vec<_> = rows.iter().map(|r| r.y).collect();
    let p: Vec<_> = rows.iter().map(|r| r.p).collect();
    let s: Vec<_> = rows.iter().map(|r| r.s).collect();
    let a: Vec<_> = rows.iter().map(|r| map(r.a, 3)).collect();
    let b: Vec<_> = rows.iter().map(|r| map(r.b, 4)).collect();
    let batch = FairnessBatch {
        label: &y,
        prediction: Some(&p),
        score: Some(&s),
        attributes: vec![
            CodedAttribute {
                name: "a",
                codes: &a,
                levels: &la2,
            },
            CodedAttribute {
                name: "b",
                codes: &b,
                levels: &lb2,
            },
        ],
        weights: None,
        membership: None,
        row_offset: 0,
    };
    if parallel {
        state.update_parallel(&batch).unwrap();
    } else {
        state.update(&batch).unwrap();
    }
}

fn fresh() -> FairnessState {
    FairnessState::new(vec!["a".into(), "b".into()], true, true)
}

fn report_json(st: &FairnessState) -> Option<String> {
    st.finish(&FairnessOptions {
        intersect: true,
        min_group_size: 2,
        ..Default::default()
    })
    .ok()
    .map(|r| serde_json::to_string(&r).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn chunking_and_order_do_not_matter(
        rows in prop::collection::vec(row(), 0..400),
        cuts in prop::collection::vec(0usize..400, 0..6),
        seed in any::<u64>(),
    ) {
        let mut one = fresh();
        count(&rows, &mut one, false, false);

        // k chunks, each with its own dictionary order, serialised and merged in reverse order.
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(rows.len())).collect();
        cuts.push(0);
        cuts.push(rows.len());
        cuts.sort_unstable();
        let mut parts = vec![];
        for (i, w) in cuts.windows(2).enumerate() {
            let mut st = fresh();
            count(&rows[w[0]..w[1]], &mut st, i % 2 == 1, false);
            parts.push(serde_json::to_string(&st).unwrap());
        }
        let mut merged = fresh();
        for p in parts.iter().rev() {
            let st: FairnessState = serde_json::from_str(p).unwrap();
            merged.merge(&st).unwrap();
        }
        prop_assert_eq!(&merged, &one);

        // Shuffled rows (seeded Fisher–Yates) give the same state and report.
        let mut shuffled = rows.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut sh = fresh();
        count(&shuffled, &mut sh, true, false);
        prop_assert_eq!(&sh, &one);
        prop_assert_eq!(report_json(&sh), report_json(&one));
    }
}

#[test]
fn parallel_update_equals_single_pass() {
    // 300k rows so the parallel path splits into several chunks.
    let rows: Vec<Row> = (0..300_000u32)
        .map(|i| Row {
            y: if i % 97 == 0 { None } else { Some(i % 3 == 0) },
            p: Some(i % 5 < 2),
            s: Some(((i * 7919) % 1000) as f64 / 1000.0),
            a: i % 3,
            b: (i / 7) % 4,
        })
        .collect();
    let mut one = fresh();
    count(&rows, &mut one, false, false);
    let mut par = fresh();
    count(&rows, &mut par, false, true);
    assert_eq!(par, one);
    assert_eq!(report_json(&par), report_json(&one));
}
