//! `quality::association` against scipy 1.17.1, sklearn 1.9.1 and numpy 2.4.6.
//!
//! Contingency fixtures, produced with `/work/venv/bin/python` (values printed with `repr`):
//!
//! ```python
//! import numpy as np
//! from scipy.stats import chi2_contingency, entropy
//! from scipy.stats.contingency import association
//! from sklearn.metrics import mutual_info_score
//! # random_four_by_five = np.random.default_rng(99).integers(0, 40, (4, 5))
//! t = np.array(table)
//! nz = t[t.sum(1) > 0][:, t.sum(0) > 0]        # scipy rejects empty rows / columns
//! res = chi2_contingency(nz, correction=False); chi2 = (res.statistic, res.dof)
//! cramers_v = association(nz, method='cramer')
//! mutual_information = mutual_info_score(None, None, contingency=t)
//! col_entropy = entropy(t.sum(0)); row_entropy = entropy(t.sum(1))
//! uncertainty = mutual_information / col_entropy
//! ```
//!
//! Tolerance 1e-12 relative (1e-15 absolute for values that are 0).

use fairgauge_core::quality::{correlation_ratio, Contingency, Moments};

struct Table {
    name: &'static str,
    rows: usize,
    cols: usize,
    counts: &'static [u64],
    chi2: (f64, u64),
    cramers_v: f64,
    mutual_information: f64,
    col_entropy: f64,
    row_entropy: f64,
    uncertainty: f64,
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-12 * want.abs() || (got - want).abs() <= 1e-15
}

fn table(rows: usize, cols: usize, counts: &[u64]) -> Contingency {
    let mut t = Contingency::new(rows, cols);
    for (k, &n) in counts.iter().enumerate() {
        t.add(k / cols, k % cols, n);
    }
    t
}

#[test]
fn contingency_matches_scipy_and_sklearn() {
    for f in TABLES {
        let name = f.name;
        let t = table(f.rows, f.cols, f.counts);
        assert_eq!(t.counts, f.counts, "{name}: add");
        assert_eq!(t.total(), f.counts.iter().sum::<u64>(), "{name}: total");
        let (chi2, dof) = t.chi2().unwrap();
        assert!(close(chi2, f.chi2.0), "{name}: chi2 {chi2} vs {}", f.chi2.0);
        assert_eq!(dof, f.chi2.1, "{name}: dof");
        let v = t.cramers_v().unwrap();
        assert!(close(v, f.cramers_v), "{name}: V {v} vs {}", f.cramers_v);
        let mi = t.mutual_information().unwrap();
        assert!(
            close(mi, f.mutual_information),
            "{name}: MI {mi} vs {}",
            f.mutual_information
        );
        let h = t.col_entropy();
        assert!(
            close(h, f.col_entropy),
            "{name}: H(C) {h} vs {}",
            f.col_entropy
        );
        let h = t.row_entropy();
        assert!(
            close(h, f.row_entropy),
            "{name}: H(R) {h} vs {}",
            f.row_entropy
        );
        let u = t.uncertainty_coefficient().unwrap();
        assert!(
            close(u, f.uncertainty),
            "{name}: U {u} vs {}",
            f.uncertainty
        );
    }
}

#[test]
fn exact_values_at_the_ends() {
    // Perfect association: V = 1 exactly (clamped); independence: chi2, V, MI exactly 0.
    let perfect = table(3, 3, &[10, 0, 0, 0, 7, 0, 0, 0, 4]);
    assert_eq!(perfect.cramers_v(), Some(1.0));
    let independent = table(2, 3, &[10, 20, 30, 20, 40, 60]);
    assert_eq!(independent.chi2(), Some((0.0, 2)));
    assert_eq!(independent.cramers_v(), Some(0.0));
    assert_eq!(independent.mutual_information(), Some(0.0));
    assert_eq!(independent.uncertainty_coefficient(), Some(0.0));
    // Columns determined by rows (each row one column): U(C | R) = 1.
    let determined = table(3, 3, &[5, 0, 0, 0, 0, 9, 2, 0, 0]);
    assert!(close(determined.uncertainty_coefficient().unwrap(), 1.0));
}

#[test]
fn degenerate_tables() {
    // Empty table.
    let empty = Contingency::new(3, 2);
    assert_eq!(empty.total(), 0);
    assert_eq!(empty.chi2(), None);
    assert_eq!(empty.cramers_v(), None);
    assert_eq!(empty.mutual_information(), None);
    assert_eq!((empty.col_entropy(), empty.row_entropy()), (0.0, 0.0));
    assert_eq!(empty.uncertainty_coefficient(), None);
    let zero_size = Contingency::new(0, 0);
    assert_eq!(zero_size.chi2(), None);

    // A single non-empty row (the other empty): chi2 0 with 0 dof, V undefined, MI 0, U 0.
    // scipy: chi2_contingency([[3, 4, 5]], correction=False) -> statistic 0.0, dof 0;
    // sklearn mutual_info_score(contingency=[[3, 4, 5], [0, 0, 0]]) -> 0.0.
    let one_row = table(2, 3, &[3, 4, 5, 0, 0, 0]);
    assert_eq!(one_row.chi2(), Some((0.0, 0)));
    assert_eq!(one_row.cramers_v(), None);
    assert_eq!(one_row.mutual_information(), Some(0.0));
    assert_eq!(one_row.uncertainty_coefficient(), Some(0.0));
    assert_eq!(one_row.row_entropy(), 0.0);
    // A single non-empty column: H(C) = 0, so U is undefined.
    let one_col = table(3, 2, &[3, 0, 4, 0, 5, 0]);
    assert_eq!(one_col.chi2(), Some((0.0, 0)));
    assert_eq!(one_col.cramers_v(), None);
    assert_eq!(one_col.mutual_information(), Some(0.0));
    assert_eq!(one_col.col_entropy(), 0.0);
    assert_eq!(one_col.uncertainty_coefficient(), None);

    // add accumulates (and saturates).
    let mut t = Contingency::new(1, 1);
    t.add(0, 0, 2);
    t.add(0, 0, 3);
    assert_eq!(t.counts, vec![5]);
    t.add(0, 0, u64::MAX);
    assert_eq!(t.total(), u64::MAX);
    // Public fields with a short count vector read as zeros, without panicking.
    let short = Contingency {
        rows: 2,
        cols: 2,
        counts: vec![1, 2, 3],
    };
    assert_eq!(short.total(), 6);
    assert!(short.chi2().is_some());
}

/// Four groups, `np.random.default_rng(31)`: `normal(10, 2, 7)`, `normal(12, 2, 11)`,
/// `normal(9, 3, 5)`, `normal(10.5, 1, 9)` (printed with `repr`).
const GROUPS: [&[f64]; 4] = [
    &[
        9.20939742282686,
        10.52782977003146,
        11.214256537591135,
        8.055680400545596,
        11.535328506279784,
        10.51011624354868,
        11.56595974126018,
    ],
    &[
        12.544836468144736,
        14.324016251061135,
        10.124487242466255,
        15.552199467635486,
        14.404779688270574,
        10.800084303085997,
        13.320332626120713,
        12.8895347689751,
        8.508472868765498,
        13.190432491251327,
        10.829201758189424,
    ],
    &[
        8.249959399244597,
        7.1928406826668905,
        7.715747979707766,
        9.215204105287466,
        9.290157372168597,
    ],
    &[
        8.94084815860772,
        10.231293966350606,
        9.155188852592202,
        9.229222140940895,
        10.153046399269162,
        11.35530027587691,
        11.130856504033003,
        9.895341952584134,
        9.789579176001665,
    ],
];

#[test]
fn correlation_ratio_matches_numpy() {
    let moments: Vec<Moments> = GROUPS
        .iter()
        .map(|g| {
            let mut m = Moments::default();
            g.iter().for_each(|&x| m.push(x));
            m
        })
        .collect();
    // numpy: y = np.concatenate(groups);
    //   np.sqrt(sum(len(g) * (g.mean() - y.mean())**2 for g in groups) / np.sum((y - y.mean())**2))
    let eta = correlation_ratio(&moments).unwrap();
    assert!(close(eta, 0.7106275320923588), "eta {eta}");
    // numpy: [np.var(g, ddof=1) for g in groups]
    let var = [
        1.708096514156007,
        4.473812819169092,
        0.845573286872978,
        0.7094813274252147,
    ];
    for (m, &w) in moments.iter().zip(&var) {
        assert!(
            close(m.variance().unwrap(), w),
            "{} vs {w}",
            m.variance().unwrap()
        );
    }
    // Merging the groups gives the moments of y: np.var(y, ddof=1), y.mean().
    let mut all = Moments::default();
    moments.iter().for_each(|m| all.merge(m));
    assert_eq!(all.n, 32);
    assert!(close(all.variance().unwrap(), 4.173590741396958));
    assert!(close(all.mean, 10.645360422543174));
    // Empty groups are ignored; order does not matter beyond rounding.
    let mut with_empty = moments.clone();
    with_empty.insert(1, Moments::default());
    with_empty.reverse();
    assert!(close(correlation_ratio(&with_empty).unwrap(), eta));
}

#[test]
fn correlation_ratio_ends() {
    let of = |g: &[f64]| {
        let mut m = Moments::default();
        g.iter().for_each(|&x| m.push(x));
        m
    };
    // Constant groups with different means: eta = 1.
    assert_eq!(
        correlation_ratio(&[of(&[1.0; 3]), of(&[4.0; 2])]),
        Some(1.0)
    );
    // Equal group means: eta = 0.
    assert_eq!(
        correlation_ratio(&[of(&[1.0, 3.0]), of(&[0.0, 4.0])]),
        Some(0.0)
    );
    // All values equal, or fewer than two values: undefined.
    assert_eq!(correlation_ratio(&[of(&[2.0; 3]), of(&[2.0; 4])]), None);
    assert_eq!(correlation_ratio(&[of(&[2.0])]), None);
    assert_eq!(correlation_ratio(&[]), None);
    assert_eq!(Moments::default().variance(), None);
    assert_eq!(of(&[5.0]).variance(), None);
}

/// splitmix64 (Steele, Lea & Flood 2014) as a uniform [0, 1) generator.
fn uniforms(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 * 2f64.powi(-53)
        })
        .collect()
}

/// Moments of `x` by pushing every value, and by pushing two parts split at `split` and
/// merging.
fn pushed_and_merged(x: &[f64], split: usize) -> (Moments, Moments) {
    let mut all = Moments::default();
    x.iter().for_each(|&v| all.push(v));
    let (a, b) = x.split_at(split);
    let (mut ma, mut mb) = (Moments::default(), Moments::default());
    a.iter().for_each(|&v| ma.push(v));
    b.iter().for_each(|&v| mb.push(v));
    ma.merge(&mb);
    (all, ma)
}

#[test]
fn merged_halves_equal_pushing_all() {
    for (seed, n, loc, scale) in [
        (1u64, 1001usize, 0.0, 1.0),
        (2, 20_000, 1e3, 1.0),
        (3, 7, -5.0, 100.0),
        (4, 50_000, 0.0, 1e-6),
    ] {
        let x: Vec<f64> = uniforms(seed, n).iter().map(|u| loc + scale * u).collect();
        for split in [0, 1, n / 3, n / 2, n - 1, n] {
            let (all, merged) = pushed_and_merged(&x, split);
            assert_eq!(merged.n, all.n);
            assert!(
                (merged.mean - all.mean).abs() <= 1e-12 * all.mean.abs(),
                "seed {seed} split {split}: mean {} vs {}",
                merged.mean,
                all.mean
            );
            assert!(
                (merged.m2 - all.m2).abs() <= 1e-12 * all.m2,
                "seed {seed} split {split}: m2 {} vs {}",
                merged.m2,
                all.m2
            );
        }
    }
}

#[test]
fn ill_conditioned_moments_stay_close_to_exact() {
    // x = 1e6 + 1e-2 * u (mean / sd ≈ 3.5e8): Welford and Chan et al. lose digits here, both
    // ways (m2 to about 1e-9 relative, so pushed and merged differ by more than 1e-12; the
    // mean to about 2e-15). The exact m2 and mean of these doubles, from Python's fractions.Fraction
    // (x = [1e6 + 1e-2 * u for u in uniforms(2, 20000)], same generator;
    //  m2 = sum((F(v) - mean)**2), mean = sum(map(F, x)) / len(x)):
    let (exact_m2, exact_mean) = (0.16735822956893226, 1000000.0050046165);
    let x: Vec<f64> = uniforms(2, 20_000).iter().map(|u| 1e6 + 1e-2 * u).collect();
    for split in [1, 6_667, 10_000, 19_999] {
        let (all, merged) = pushed_and_merged(&x, split);
        for m in [all, merged] {
            assert!(
                (m.m2 - exact_m2).abs() <= 1e-8 * exact_m2,
                "split {split}: m2 {}",
                m.m2
            );
            assert!(
                (m.mean - exact_mean).abs() <= 1e-14 * exact_mean,
                "split {split}: mean {} vs {exact_mean}",
                m.mean
            );
        }
    }
}

const TABLES: &[Table] = &[
    Table {
        name: "two_by_two",
        rows: 2,
        cols: 2,
        counts: &[12, 5, 7, 16],
        chi2: (6.319891801114041, 1),
        cramers_v: 0.39748873572448695,
        mutual_information: 0.08109331279318216,
        col_entropy: 0.6918966592050799,
        row_entropy: 0.6818546087307834,
        uncertainty: 0.11720437107811775,
    },
    Table {
        name: "three_by_four_empty_row",
        rows: 3,
        cols: 4,
        counts: &[10, 3, 0, 7, 0, 0, 0, 0, 4, 9, 6, 2],
        chi2: (14.333342781557068, 3),
        cramers_v: 0.5912645147304553,
        mutual_information: 0.20769966596260342,
        col_entropy: 1.3406144954003094,
        row_entropy: 0.6928497090635346,
        uncertainty: 0.15492870372148557,
    },
    Table {
        name: "three_by_three_empty_col",
        rows: 3,
        cols: 3,
        counts: &[5, 0, 2, 1, 0, 8, 6, 0, 3],
        chi2: (7.702482702482704, 2),
        cramers_v: 0.555066940196683,
        mutual_information: 0.17010682719646497,
        col_entropy: 0.6923469670899615,
        row_entropy: 1.0920192874506351,
        uncertainty: 0.24569592311706018,
    },
    Table {
        name: "perfect_diagonal",
        rows: 3,
        cols: 3,
        counts: &[10, 0, 0, 0, 7, 0, 0, 0, 4],
        chi2: (42.0, 4),
        cramers_v: 1.0,
        mutual_information: 1.035360560684984,
        col_entropy: 1.0353605606849843,
        row_entropy: 1.0353605606849843,
        uncertainty: 0.9999999999999998,
    },
    Table {
        name: "perfect_two_by_three",
        rows: 2,
        cols: 3,
        counts: &[5, 0, 0, 0, 3, 6],
        chi2: (14.0, 2),
        cramers_v: 1.0,
        mutual_information: 0.6517565611726528,
        col_entropy: 1.060944240790747,
        row_entropy: 0.6517565611726531,
        uncertainty: 0.6143174505446989,
    },
    Table {
        name: "independent",
        rows: 2,
        cols: 3,
        counts: &[10, 20, 30, 20, 40, 60],
        chi2: (0.0, 2),
        cramers_v: 0.0,
        mutual_information: 0.0,
        col_entropy: 1.0114042647073518,
        row_entropy: 0.6365141682948128,
        uncertainty: 0.0,
    },
    Table {
        name: "random_four_by_five",
        rows: 4,
        cols: 5,
        counts: &[
            38, 20, 30, 22, 7, 20, 37, 38, 38, 24, 12, 22, 25, 11, 38, 22, 14, 18, 4, 24,
        ],
        chi2: (66.52726546776397, 12),
        cramers_v: 0.21861513160591564,
        mutual_information: 0.07540548991841003,
        col_entropy: 1.6018726649936912,
        row_entropy: 1.3596559043467158,
        uncertainty: 0.047073335831413925,
    },
    Table {
        name: "large_counts",
        rows: 2,
        cols: 2,
        counts: &[123456789, 987654, 4567890, 1234567],
        chi2: (13869471.932353476, 1),
        cramers_v: 0.32632193327745695,
        mutual_information: 0.019086880720808705,
        col_entropy: 0.08637172448834882,
        row_entropy: 0.18214300342277787,
        uncertainty: 0.22098529158559807,
    },
];
