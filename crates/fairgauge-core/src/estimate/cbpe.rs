//! Confidence-based performance estimation (CBPE; NannyML's method, after Guo et al. 2017 on
//! calibration): on unlabelled rows with calibrated probabilities `p` of the positive label and
//! decisions `ŷ`, each row is expected to be a true positive with probability `p ŷ`, a false
//! positive `(1 − p) ŷ`, a false negative `p (1 − ŷ)` and a true negative `(1 − p)(1 − ŷ)`.
//! The expected confusion matrix is the sum of these, and each rate is its ratio:
//! TPR = TP / (TP + FN), TNR = TN / (TN + FP), FPR = 1 − TNR, PPV = TP / (TP + FP),
//! NPV = TN / (TN + FN), accuracy = (TP + TN) / n, F1 = 2 TP / (2 TP + FP + FN), and the
//! expected prevalence `Σ p / n`. ROC AUC is the Mann–Whitney probability with each row a
//! positive of weight `p` and a negative of weight `1 − p` (ties in `p` count one half), which is
//! the area under the ROC curve whose points are the expected TPR and FPR at each threshold.
//! A rate whose denominator is zero is `None`.
//!
//! **Intervals** are for the metric the labels will show (the realised metric), around the
//! estimate: `value ± z √(V_label + V_calibration)`, clipped to `[0, 1]`. `V_label` is the
//! variance of the realised metric when each label is an independent Bernoulli(`p`) draw, by the
//! delta method: `Σ p (1 − p) g²` with `g` the metric's derivative with respect to the row's
//! label. `V_calibration` is the variance the calibrator's own fit adds: each isotonic block's
//! fitted value `f` is a positive share of `m` reference rows, variance `f (1 − f) / m`, and the
//! metric moves with it by `Σ g · ∂p/∂f` over the rows it calibrates. Raw scores (no
//! calibrator) add none: they are taken as calibrated, which the reference check supports.

use super::calibration::Calibrator;
use super::cells::{ScoreCells, ANALYSIS_CELLS};
use crate::stats::sum::NeumaierSum;
use serde::{Deserialize, Serialize};

/// An unlabelled histogram: cells by prediction (`0`, `1`).
pub type Analysis = ScoreCells<ANALYSIS_CELLS>;

/// The expected confusion matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExpectedConfusion {
    /// Expected true positives `Σ p ŷ`.
    pub tp: f64,
    /// Expected false positives `Σ (1 − p) ŷ`.
    pub fp: f64,
    /// Expected false negatives `Σ p (1 − ŷ)`.
    pub fn_: f64,
    /// Expected true negatives `Σ (1 − p)(1 − ŷ)`.
    pub tn: f64,
}

/// One estimated metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EstimatedValue {
    /// The estimate.
    pub value: f64,
    /// The interval's lower end.
    pub lower: f64,
    /// The interval's upper end.
    pub upper: f64,
    /// The standard error `√(V_label + V_calibration)`.
    pub std_error: f64,
    /// NannyML's sampling error at this many rows ([`super::sampling`]), where the reference
    /// allows it.
    pub sampling_error: Option<f64>,
}

/// The estimated metrics of a group; `None` where undefined.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EstimatedMetrics {
    /// True positive rate (recall).
    pub tpr: Option<EstimatedValue>,
    /// True negative rate (specificity).
    pub tnr: Option<EstimatedValue>,
    /// False positive rate.
    pub fpr: Option<EstimatedValue>,
    /// Positive predictive value (precision).
    pub ppv: Option<EstimatedValue>,
    /// Negative predictive value.
    pub npv: Option<EstimatedValue>,
    /// Accuracy.
    pub accuracy: Option<EstimatedValue>,
    /// F1 score.
    pub f1: Option<EstimatedValue>,
    /// ROC AUC.
    pub roc_auc: Option<EstimatedValue>,
    /// Expected share of positive labels.
    pub prevalence: Option<EstimatedValue>,
}

/// The metric names in report order.
pub const METRICS: [&str; 9] = [
    "tpr",
    "tnr",
    "fpr",
    "ppv",
    "npv",
    "accuracy",
    "f1",
    "roc_auc",
    "prevalence",
];

impl EstimatedMetrics {
    /// Sets each metric's sampling error from `error(name)`.
    pub fn set_sampling_errors(&mut self, error: impl Fn(&str) -> Option<f64>) {
        for (name, v) in [
            ("tpr", &mut self.tpr),
            ("tnr", &mut self.tnr),
            ("fpr", &mut self.fpr),
            ("ppv", &mut self.ppv),
            ("npv", &mut self.npv),
            ("accuracy", &mut self.accuracy),
            ("f1", &mut self.f1),
            ("roc_auc", &mut self.roc_auc),
            ("prevalence", &mut self.prevalence),
        ] {
            if let Some(v) = v {
                v.sampling_error = error(name);
            }
        }
    }

    /// A metric by its name in [`METRICS`].
    pub fn get(&self, name: &str) -> Option<EstimatedValue> {
        match name {
            "tpr" => self.tpr,
            "tnr" => self.tnr,
            "fpr" => self.fpr,
            "ppv" => self.ppv,
            "npv" => self.npv,
            "accuracy" => self.accuracy,
            "f1" => self.f1,
            "roc_auc" => self.roc_auc,
            "prevalence" => self.prevalence,
            _ => None,
        }
    }
}

/// The estimates of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupEstimate {
    /// Rows estimated.
    pub rows: u64,
    /// Share of positive decisions (observed, not estimated).
    pub selection_rate: f64,
    /// The expected confusion matrix.
    pub confusion: ExpectedConfusion,
    /// The metrics with their intervals.
    pub metrics: EstimatedMetrics,
}

/// One distinct score of the analysis after calibration.
struct Level {
    p: f64,
    /// Rows predicted negative and positive.
    c: [f64; 2],
    /// The isotonic blocks `p` depends on, with the weights (`None` for raw scores).
    parts: Option<[(usize, f64); 2]>,
}

/// Estimates a group's metrics from its analysis histogram under `cal`, intervals at `z`.
/// `None` when the group has no rows.
pub fn estimate(a: &Analysis, cal: &Calibrator, z: f64) -> Option<GroupEstimate> {
    let rows = a.rows();
    if rows == 0 {
        return None;
    }
    let levels: Vec<Level> = a
        .scores
        .iter()
        .zip(&a.counts)
        .map(|(&s, c)| {
            let (p, parts) = match cal {
                Calibrator::Identity => (s, None),
                Calibrator::Isotonic(i) => {
                    let (p, parts) = i.locate(s);
                    (p, Some(parts))
                }
            };
            Level {
                p,
                c: [c[0] as f64, c[1] as f64],
                parts,
            }
        })
        .collect();
    let mut sums = [NeumaierSum::default(); 4];
    for l in &levels {
        sums[0].add(l.c[1] * l.p);
        sums[1].add(l.c[1] * (1.0 - l.p));
        sums[2].add(l.c[0] * l.p);
        sums[3].add(l.c[0] * (1.0 - l.p));
    }
    let m = ExpectedConfusion {
        tp: sums[0].value(),
        fp: sums[1].value(),
        fn_: sums[2].value(),
        tn: sums[3].value(),
    };
    let n = rows as f64;
    let positives: f64 = levels.iter().map(|l| l.c[1]).sum();
    let blocks: &[(f64, f64)] = match cal {
        Calibrator::Isotonic(i) => &i.blocks,
        Calibrator::Identity => &[],
    };
    // What every ratio's variance needs, summed once: per decision, Σ c p (1 − p); per
    // calibrator block and decision, Σ c · ∂p/∂f.
    let mut label_var = [NeumaierSum::default(); 2];
    let mut block_sums = vec![[0.0f64; 2]; blocks.len()];
    for l in &levels {
        for (v, c) in label_var.iter_mut().zip(l.c) {
            v.add(c * l.p * (1.0 - l.p));
        }
        if let Some(parts) = l.parts {
            for (b, w) in parts {
                block_sums[b][0] += l.c[0] * w;
                block_sums[b][1] += l.c[1] * w;
            }
        }
    }
    let ctx = Ctx {
        levels: &levels,
        blocks,
        label_var: [label_var[0].value(), label_var[1].value()],
        block_sums: &block_sums,
        z,
    };
    let ratio =
        |num: f64, den: f64, beta: [f64; 2], delta: [f64; 2]| ctx.ratio(num, den, beta, delta);
    let pos = m.tp + m.fn_;
    let neg = m.tn + m.fp;
    let tnr = ratio(m.tn, neg, [-1.0, 0.0], [-1.0, -1.0]);
    let metrics = EstimatedMetrics {
        tpr: ratio(m.tp, pos, [0.0, 1.0], [1.0, 1.0]),
        tnr,
        fpr: tnr.map(|t| EstimatedValue {
            value: 1.0 - t.value,
            lower: 1.0 - t.upper,
            upper: 1.0 - t.lower,
            std_error: t.std_error,
            sampling_error: None,
        }),
        ppv: ratio(m.tp, m.tp + m.fp, [0.0, 1.0], [0.0, 0.0]),
        npv: ratio(m.tn, m.tn + m.fn_, [-1.0, 0.0], [0.0, 0.0]),
        accuracy: ratio(m.tp + m.tn, n, [-1.0, 1.0], [0.0, 0.0]),
        f1: ratio(
            2.0 * m.tp,
            2.0 * m.tp + m.fp + m.fn_,
            [0.0, 2.0],
            [1.0, 1.0],
        ),
        roc_auc: ctx.roc_auc(),
        prevalence: ratio(pos, n, [1.0, 1.0], [0.0, 0.0]),
    };
    Some(GroupEstimate {
        rows,
        selection_rate: positives / n,
        confusion: m,
        metrics,
    })
}

struct Ctx<'a> {
    levels: &'a [Level],
    blocks: &'a [(f64, f64)],
    /// Per decision `ŷ`, `Σ c p (1 − p)`.
    label_var: [f64; 2],
    /// Per calibrator block and decision, `Σ c · ∂p/∂f`.
    block_sums: &'a [[f64; 2]],
    z: f64,
}

impl Ctx<'_> {
    /// A ratio `num / den` whose numerator and denominator move with a row's label by
    /// `beta[ŷ]` and `delta[ŷ]`: derivative `g[ŷ] = (β − r δ) / den`, the same for every row
    /// with the same decision, so the variances come from the sums made once.
    fn ratio(&self, num: f64, den: f64, beta: [f64; 2], delta: [f64; 2]) -> Option<EstimatedValue> {
        if den <= 0.0 {
            return None;
        }
        let r = num / den;
        let g = [
            (beta[0] - r * delta[0]) / den,
            (beta[1] - r * delta[1]) / den,
        ];
        let v_label = g[0] * g[0] * self.label_var[0] + g[1] * g[1] * self.label_var[1];
        let v_cal: f64 = self
            .blocks
            .iter()
            .zip(self.block_sums)
            .map(|(&(f, m), s)| {
                let d = g[0] * s[0] + g[1] * s[1];
                f * (1.0 - f) / m * d * d
            })
            .sum();
        Some(self.finish(r, v_label + v_cal))
    }

    fn finish(&self, value: f64, variance: f64) -> EstimatedValue {
        let se = variance.sqrt();
        EstimatedValue {
            value,
            lower: (value - self.z * se).max(0.0),
            upper: (value + self.z * se).min(1.0),
            std_error: se,
            sampling_error: None,
        }
    }

    /// `value ± z √(V_label + V_calibration)` for a metric whose derivative with respect to a
    /// row's label is `g(level)` whatever the row's decision (ROC AUC's).
    fn interval(&self, value: f64, g: impl Fn(usize) -> f64) -> EstimatedValue {
        let mut v_label = NeumaierSum::default();
        let mut by_block = vec![0.0; self.blocks.len()];
        for (i, l) in self.levels.iter().enumerate() {
            let (rows, gi) = (l.c[0] + l.c[1], g(i));
            v_label.add(rows * l.p * (1.0 - l.p) * gi * gi);
            if let Some(parts) = l.parts {
                for (b, w) in parts {
                    by_block[b] += rows * gi * w;
                }
            }
        }
        let v_cal: f64 = self
            .blocks
            .iter()
            .zip(&by_block)
            .map(|(&(f, m), &d)| f * (1.0 - f) / m * d * d)
            .sum();
        self.finish(value, v_label.value() + v_cal)
    }

    /// The expected ROC AUC: levels of equal `p` pooled, each a positive of weight `Σ p` and a
    /// negative of weight `Σ (1 − p)`, `Σ_j P_j (N_below + ½ N_j) / (P · N)`.
    fn roc_auc(&self) -> Option<EstimatedValue> {
        // Pool equal calibrated probabilities (they are adjacent: calibration is monotone).
        let mut pooled: Vec<(f64, f64, f64)> = Vec::new(); // (p, P_j, N_j)
        let mut level_of = Vec::with_capacity(self.levels.len());
        for l in self.levels {
            let c = l.c[0] + l.c[1];
            match pooled.last_mut() {
                Some(last) if last.0 == l.p => {
                    last.1 += c * l.p;
                    last.2 += c * (1.0 - l.p);
                }
                _ => pooled.push((l.p, c * l.p, c * (1.0 - l.p))),
            }
            level_of.push(pooled.len() - 1);
        }
        let big_p: f64 = pooled.iter().map(|x| x.1).sum();
        let big_n: f64 = pooled.iter().map(|x| x.2).sum();
        if !(big_p > 0.0 && big_n > 0.0) {
            return None;
        }
        let mut below = Vec::with_capacity(pooled.len());
        let mut sum = 0.0;
        let mut n_below = 0.0;
        for &(_, pj, nj) in &pooled {
            below.push(n_below);
            sum += pj * (n_below + 0.5 * nj);
            n_below += nj;
        }
        let auc = sum / (big_p * big_n);
        let mut above = vec![0.0; pooled.len()];
        let mut acc = 0.0;
        for j in (0..pooled.len()).rev() {
            above[j] = acc;
            acc += pooled[j].1;
        }
        let g = |i: usize| {
            let l = &self.levels[i];
            let j = level_of[i];
            let (_, pj, nj) = pooled[j];
            let du = below[j] + 0.5 * (nj - (1.0 - l.p)) - above[j] - 0.5 * (pj - l.p);
            (du - auc * (big_n - big_p)) / (big_p * big_n)
        };
        Some(self.interval(auc, g))
    }
}

#[cfg(test)]
mod tests {
    use super::super::isotonic::Isotonic;
    use super::*;

    fn analysis(rows: &[(f64, bool)]) -> Analysis {
        let mut v: Vec<(f64, u8)> = rows.iter().map(|&(s, y)| (s, y as u8)).collect();
        ScoreCells::from_rows(&mut v)
    }

    #[test]
    fn expected_confusion_and_rates_by_hand() {
        // p = .9 (ŷ 1), .6 (ŷ 1), .3 (ŷ 0), .2 (ŷ 0):
        // TP = 1.5, FP = .5, FN = .5, TN = 1.5.
        let a = analysis(&[(0.9, true), (0.6, true), (0.3, false), (0.2, false)]);
        let e = estimate(&a, &Calibrator::Identity, 1.96).unwrap();
        let m = e.confusion;
        assert!((m.tp - 1.5).abs() < 1e-15 && (m.fp - 0.5).abs() < 1e-15);
        assert!((m.fn_ - 0.5).abs() < 1e-15 && (m.tn - 1.5).abs() < 1e-15);
        let x = e.metrics;
        assert!((x.tpr.unwrap().value - 0.75).abs() < 1e-15);
        assert!((x.tnr.unwrap().value - 0.75).abs() < 1e-15);
        assert!((x.fpr.unwrap().value - 0.25).abs() < 1e-15);
        assert!((x.ppv.unwrap().value - 0.75).abs() < 1e-15);
        assert!((x.accuracy.unwrap().value - 0.75).abs() < 1e-15);
        assert!((x.f1.unwrap().value - 0.75).abs() < 1e-15);
        assert!((x.prevalence.unwrap().value - 0.5).abs() < 1e-15);
        assert_eq!(e.selection_rate, 0.5);
        // AUC: P = (.2, .3, .6, .9), N = (.8, .7, .4, .1), ascending p.
        // Σ P_j (N_below + ½ N_j) = .2·.4 + .3·1.15 + .6·1.7 + .9·1.95 = 3.2; / (2 · 2) = .8.
        assert!((x.roc_auc.unwrap().value - 0.8).abs() < 1e-15);
        // Accuracy's variance: Σ p(1−p) / n² = (.09 + .24 + .21 + .16) / 16 = .04375.
        let acc = x.accuracy.unwrap();
        assert!((acc.std_error - 0.04375f64.sqrt()).abs() < 1e-15);
        assert!((acc.lower - (0.75 - 1.96 * acc.std_error)).abs() < 1e-15);
        // PPV's: Σ_{ŷ=1} p(1−p) / 2² = (.09 + .24) / 4.
        assert!((x.ppv.unwrap().std_error - (0.33f64 / 4.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn auc_variance_matches_a_simulation_of_the_labels() {
        // Realised AUCs of labels drawn Bernoulli(p) spread as the delta method says (±15 %).
        let scores: Vec<f64> = (0..400).map(|i| (i as f64 + 0.5) / 400.0).collect();
        let a = analysis(&scores.iter().map(|&s| (s, s >= 0.5)).collect::<Vec<_>>());
        let e = estimate(&a, &Calibrator::Identity, 1.96).unwrap();
        let se = e.metrics.roc_auc.unwrap().std_error;
        let mut state = 7u64;
        let mut draws = Vec::new();
        for _ in 0..2000 {
            let mut pairs: Vec<(f64, bool)> = scores
                .iter()
                .map(|&s| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (s, ((state >> 11) as f64 / (1u64 << 53) as f64) < s)
                })
                .collect();
            let h = crate::fairness::scores::ScoreHistogram::from_pairs(&mut pairs);
            draws.push(h.roc_auc().unwrap());
        }
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let sd = (draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (draws.len() - 1) as f64)
            .sqrt();
        assert!(
            (mean - e.metrics.roc_auc.unwrap().value).abs() < 0.005,
            "{mean}"
        );
        assert!((sd / se - 1.0).abs() < 0.15, "{sd} vs {se}");
    }

    #[test]
    fn calibration_variance_comes_from_the_reference_blocks() {
        // One block of 100 reference rows at .5: every analysis row gets .5, and accuracy moves
        // with the block's value by ∂acc/∂f = Σ (2ŷ − 1)/n = 0 for balanced decisions, by 1 for
        // all-positive decisions: V_cal = .25 / 100.
        let iso = Isotonic::fit(&[0.1, 0.9], &[(25, 25), (25, 25)]).unwrap();
        let cal = Calibrator::Isotonic(iso);
        let a = analysis(&[(0.1, true), (0.9, true)]);
        let e = estimate(&a, &cal, 1.96).unwrap();
        let acc = e.metrics.accuracy.unwrap();
        let v_label: f64 = 2.0 * 0.25 / 4.0;
        assert!((acc.std_error - (v_label + 0.25 / 100.0).sqrt()).abs() < 1e-15);
        assert!(estimate(&Analysis::default(), &cal, 1.96).is_none());
    }
}
