//! The sampling errors NannyML's CBPE reports (NannyML 0.13, `sampling_error/binary_classification.py`):
//! the standard deviation of the metric over chunks of `n` rows, from components computed once
//! on the labelled reference. With the reference's true positives `a`, false positives `b`,
//! false negatives `c`, true negatives `d` (`N` rows) and `sd(k, m) = √(q (1 − q))`, `q = k / m`
//! (the population standard deviation of `k` ones among `m`):
//!
//! | metric | error at `n` rows |
//! |---|---|
//! | TPR (recall) | `sd(a, a + c) / √(n (a + c) / N)` |
//! | TNR (specificity), FPR | `sd(d, d + b) / √(n (d + b) / N)` |
//! | PPV (precision) | `sd(a, a + b) / √(n (a + b) / N)` |
//! | NPV (not in NannyML; the same rule) | `sd(d, d + c) / √(n (d + c) / N)` |
//! | accuracy | `sd(a + d, N) / √n` |
//! | prevalence (not in NannyML; the same rule) | `sd(a + c, N) / √n` |
//! | F1 | `K · sd(a, L) / √(n L / N)`, `L = a + b + c`, `K = L / (a + (b + c) / 2)` |
//! | ROC AUC | `sd(u) / √(n m / N)` |
//!
//! For ROC AUC the minority label's `m` rows (the positives unless they are more than half)
//! each get `u` = the share of the majority's rows scored below it (ranked the other way when
//! the negatives are the minority), and `sd(u)` is the population standard deviation of those.
//! Two differences from NannyML, both where its result depends on an accident: majority rows
//! tied with a minority row count one half (NannyML's order among ties is numpy's unstable
//! sort), and a minority row with the lowest score of all is kept (NannyML drops it and then
//! counts one majority row too many below every other minority row).

use super::calibration::{label_counts, Reference};
use super::cells::FOLDS;
use serde::{Deserialize, Serialize};

/// The reference's components of the sampling errors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SamplingComponents {
    /// Reference true positives, false positives, false negatives, true negatives.
    pub counts: [u64; 4],
    /// ROC AUC's `(sd(u), m / N)`, when both labels occur.
    pub auc: Option<(f64, f64)>,
}

fn sd(k: u64, m: u64) -> Option<f64> {
    (m > 0).then(|| {
        let q = k as f64 / m as f64;
        (q * (1.0 - q)).sqrt()
    })
}

impl SamplingComponents {
    /// The components of a labelled reference histogram.
    pub fn of(r: &Reference) -> SamplingComponents {
        let mut counts = [0u64; 4];
        for c in &r.counts {
            for f in 0..FOLDS {
                counts[0] += c[4 * f + 3];
                counts[1] += c[4 * f + 1];
                counts[2] += c[4 * f + 2];
                counts[3] += c[4 * f];
            }
        }
        SamplingComponents {
            counts,
            auc: auc_components(&label_counts(r, |_| true)),
        }
    }

    /// The sampling error of `metric` (a name of [`super::cbpe::METRICS`]) at `n` rows.
    pub fn error(&self, metric: &str, n: u64) -> Option<f64> {
        let [a, b, c, d] = self.counts;
        let total = a + b + c + d;
        if n == 0 || total == 0 {
            return None;
        }
        let (n, nf) = (n as f64, total as f64);
        let part = |k: u64, m: u64| -> Option<f64> {
            let s = sd(k, m)?;
            Some(s / (n * m as f64 / nf).sqrt())
        };
        match metric {
            "tpr" => part(a, a + c),
            "tnr" | "fpr" => part(d, d + b),
            "ppv" => part(a, a + b),
            "npv" => part(d, d + c),
            "accuracy" => Some(sd(a + d, total)? / n.sqrt()),
            "prevalence" => Some(sd(a + c, total)? / n.sqrt()),
            "f1" => {
                let l = a + b + c;
                let k = l as f64 / (a as f64 + 0.5 * (b + c) as f64);
                Some(k * part(a, l)?)
            }
            "roc_auc" => {
                let (s, frac) = self.auc?;
                Some(s / (n * frac).sqrt())
            }
            _ => None,
        }
    }
}

/// ROC AUC's components from `(negatives, positives)` at each distinct score, ascending.
fn auc_components(counts: &[(u64, u64)]) -> Option<(f64, f64)> {
    let neg: u64 = counts.iter().map(|c| c.0).sum();
    let pos: u64 = counts.iter().map(|c| c.1).sum();
    if neg == 0 || pos == 0 {
        return None;
    }
    // (minority, majority) rows at each score, ordered so that "below" means lower rank.
    let flip = pos > neg;
    let levels: Vec<(u64, u64)> = if flip {
        counts.iter().rev().map(|&(n, p)| (n, p)).collect()
    } else {
        counts.iter().map(|&(n, p)| (p, n)).collect()
    };
    let (minority, majority) = if flip { (neg, pos) } else { (pos, neg) };
    let share = |below: u64, tied: u64| (below as f64 + 0.5 * tied as f64) / majority as f64;
    let mut below = 0u64;
    let mut sum = 0.0;
    for &(m, maj) in &levels {
        sum += m as f64 * share(below, maj);
        below += maj;
    }
    let mean = sum / minority as f64;
    let mut below = 0u64;
    let mut ss = 0.0;
    for &(m, maj) in &levels {
        let dev = share(below, maj) - mean;
        ss += m as f64 * dev * dev;
        below += maj;
    }
    let total = (neg + pos) as f64;
    Some(((ss / minority as f64).sqrt(), minority as f64 / total))
}

#[cfg(test)]
mod tests {
    use super::super::cells::{reference_cell, ScoreCells};
    use super::*;

    fn reference(rows: &[(f64, bool, bool)]) -> Reference {
        let mut v: Vec<(f64, u8)> = rows
            .iter()
            .map(|&(s, y, d)| (s, reference_cell(0, y, d)))
            .collect();
        ScoreCells::from_rows(&mut v)
    }

    #[test]
    fn errors_by_hand() {
        // Scores and (label, decision): .1 (0,0) .2 (1,0) .3 (0,0) .6 (0,1) .7 (1,1) .9 (1,1).
        // a = 2, b = 1, c = 1, d = 2, N = 6.
        let r = reference(&[
            (0.1, false, false),
            (0.2, true, false),
            (0.3, false, false),
            (0.6, false, true),
            (0.7, true, true),
            (0.9, true, true),
        ]);
        let s = SamplingComponents::of(&r);
        assert_eq!(s.counts, [2, 1, 1, 2]);
        // Recall: sd(2, 3) = √(2/9); at n = 12: / √(12 · 3/6) = / √6.
        let want = (2.0f64 / 9.0).sqrt() / 6f64.sqrt();
        assert!((s.error("tpr", 12).unwrap() - want).abs() < 1e-15);
        // Accuracy: sd(4, 6) / √12.
        let want = (2.0f64 / 9.0).sqrt() / 12f64.sqrt();
        assert!((s.error("accuracy", 12).unwrap() - want).abs() < 1e-15);
        // F1: L = 4, K = 4 / 3, sd(2, 4) = .5, / √(12 · 4/6).
        let want = 4.0 / 3.0 * 0.5 / 8f64.sqrt();
        assert!((s.error("f1", 12).unwrap() - want).abs() < 1e-15);
        // AUC: 3 positives (not more than half): below shares of negatives (3): .2 → 1/3,
        // .7 → 1, .9 → 1; mean 7/9; sd = √(((1/3 − 7/9)² + 2 (2/9)²) / 3) = √(24/243).
        let (sd_u, frac) = s.auc.unwrap();
        assert!((sd_u - (24.0f64 / 243.0).sqrt()).abs() < 1e-15);
        assert_eq!(frac, 0.5);
        assert!(s.error("roc_auc", 0).is_none());
    }

    #[test]
    fn auc_ranks_the_negatives_when_they_are_fewer() {
        // Two negatives among five, so the negatives are ranked by 1 − score: each gets the share
        // of the three positives scored above it. Scores .1 (1), .4 (0), .5 (1), .8 (0), .9 (1):
        // the negative at .8 has one positive above (1/3), the one at .4 two (2/3); sd = 1/6.
        let r = reference(&[
            (0.1, true, false),
            (0.4, false, false),
            (0.5, true, true),
            (0.8, false, true),
            (0.9, true, true),
        ]);
        let (sd_u, frac) = SamplingComponents::of(&r).auc.unwrap();
        assert!((sd_u - 1.0 / 6.0).abs() < 1e-15);
        assert_eq!(frac, 0.4);
    }
}
