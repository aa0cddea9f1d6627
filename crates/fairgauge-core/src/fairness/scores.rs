//! Exact score statistics of one group: a run-length histogram of distinct scores with the count of
//! negative and positive labels at each, kept sorted. It merges by a linear merge, so every
//! chunking and row order gives the same state, and every sum is taken in score order at the end,
//! so results are bit-identical whatever the chunking.
//!
//! Its size is the number of distinct scores, not rows. From it come the mean score, ROC AUC
//! (Mann–Whitney form, ties counted one half), the Brier score and the expected calibration error.
//!
//! With sample weights it also keeps the sums of the weights of the negative and positive rows at
//! each score ([`ScoreWeights`]), and every statistic is its weighted form, as scikit-learn's with
//! `sample_weight`: the weighted mean, the weighted Mann–Whitney probability
//! `Σ_{i∈P, j∈N} w_i w_j ([s_i > s_j] + ½[s_i = s_j]) / (W_P W_N)`, `Σ w (s − y)² / Σ w`, and the
//! ECE with weighted bin shares, means and positive shares.

use serde::{Deserialize, Serialize};

/// Number of equal-width bins of the expected calibration error.
pub const ECE_BINS: usize = 10;

/// The ECE bin of a score: the `k` with `k/10 ≤ s < (k+1)/10` (edges computed as `k as f64 / 10`),
/// the last bin closed at 1. `⌊10 s⌋` alone can round across an edge (0.8999999999999999 · 10 = 9).
pub fn ece_bin(s: f64) -> usize {
    let bins = ECE_BINS as f64;
    let mut k = ((s * bins) as usize).min(ECE_BINS - 1);
    if k > 0 && s < k as f64 / bins {
        k -= 1;
    } else if k + 1 < ECE_BINS && s >= (k + 1) as f64 / bins {
        k += 1;
    }
    k
}

/// Sorted distinct scores with `(negatives, positives)` counts at each.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreHistogram {
    /// Distinct scores, ascending.
    pub scores: Vec<f64>,
    /// Rows with a negative label at each score.
    pub negatives: Vec<u64>,
    /// Rows with a positive label at each score.
    pub positives: Vec<u64>,
    /// With sample weights: their sums at each score (always written, `null` when unweighted).
    #[serde(default)]
    pub weights: Option<ScoreWeights>,
}

/// Sums of sample weights at each distinct score of a [`ScoreHistogram`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreWeights {
    /// Weight of the rows with a negative label at each score.
    pub negatives: Vec<f64>,
    /// Weight of the rows with a positive label at each score.
    pub positives: Vec<f64>,
}

impl ScoreHistogram {
    /// Builds from `(score, label)` pairs; scores must already be validated to lie in `[0, 1]`.
    pub fn from_pairs(pairs: &mut [(f64, bool)]) -> Self {
        // Scores are non-negative, so their IEEE bit patterns sort as the numbers do (−0 is
        // normalised to +0 first).
        pairs.sort_unstable_by_key(|&(s, l)| ((s + 0.0).to_bits(), l));
        let mut h = ScoreHistogram::default();
        for &(s, l) in pairs.iter() {
            let s = s + 0.0;
            if h.scores.last() != Some(&s) {
                h.scores.push(s);
                h.negatives.push(0);
                h.positives.push(0);
            }
            let i = h.scores.len() - 1;
            if l {
                h.positives[i] += 1;
            } else {
                h.negatives[i] += 1;
            }
        }
        h
    }

    /// Builds from `(score, label, weight)` triples: the histogram of [`ScoreHistogram::from_pairs`]
    /// with the weights summed at each score and label.
    pub fn from_weighted(rows: &mut [(f64, bool, f64)]) -> Self {
        rows.sort_unstable_by_key(|&(s, l, _)| ((s + 0.0).to_bits(), l));
        let mut h = ScoreHistogram::default();
        let mut w = ScoreWeights::default();
        for &(s, l, x) in rows.iter() {
            let s = s + 0.0;
            if h.scores.last() != Some(&s) {
                h.scores.push(s);
                h.negatives.push(0);
                h.positives.push(0);
                w.negatives.push(0.0);
                w.positives.push(0.0);
            }
            let i = h.scores.len() - 1;
            if l {
                h.positives[i] += 1;
                w.positives[i] += x;
            } else {
                h.negatives[i] += 1;
                w.negatives[i] += x;
            }
        }
        h.weights = Some(w);
        h
    }

    /// Merges another histogram into this one.
    pub fn merge(&mut self, other: &ScoreHistogram) {
        if other.scores.is_empty() {
            return;
        }
        if self.scores.is_empty() {
            *self = other.clone();
            return;
        }
        let cap = self.scores.len() + other.scores.len();
        let mut out = ScoreHistogram {
            scores: Vec::with_capacity(cap),
            negatives: Vec::with_capacity(cap),
            positives: Vec::with_capacity(cap),
            weights: None,
        };
        let weighted = self.weights.is_some() || other.weights.is_some();
        let mut ow = ScoreWeights::default();
        let weight_at = |h: &ScoreHistogram, i: usize| {
            h.weights
                .as_ref()
                .map_or((0.0, 0.0), |w| (w.negatives[i], w.positives[i]))
        };
        let (mut i, mut j) = (0, 0);
        while i < self.scores.len() || j < other.scores.len() {
            let take_self = j >= other.scores.len()
                || (i < self.scores.len() && self.scores[i] <= other.scores[j]);
            let (s, n, p, (wn, wp)) = if take_self {
                let t = (
                    self.scores[i],
                    self.negatives[i],
                    self.positives[i],
                    weight_at(self, i),
                );
                i += 1;
                t
            } else {
                let t = (
                    other.scores[j],
                    other.negatives[j],
                    other.positives[j],
                    weight_at(other, j),
                );
                j += 1;
                t
            };
            if out.scores.last() == Some(&s) {
                let k = out.scores.len() - 1;
                out.negatives[k] += n;
                out.positives[k] += p;
                ow.negatives[k] += wn;
                ow.positives[k] += wp;
            } else {
                out.scores.push(s);
                out.negatives.push(n);
                out.positives.push(p);
                ow.negatives.push(wn);
                ow.positives.push(wp);
            }
        }
        if weighted {
            out.weights = Some(ow);
        }
        *self = out;
    }

    fn totals(&self) -> (u64, u64) {
        (self.negatives.iter().sum(), self.positives.iter().sum())
    }

    /// The rows at each score as reals: the sums of weights, or the counts (whole numbers are
    /// exact in `f64`, so the one set of formulas below gives the counted results to the bit).
    fn amounts(&self) -> std::borrow::Cow<'_, ScoreWeights> {
        match &self.weights {
            Some(w) => std::borrow::Cow::Borrowed(w),
            None => std::borrow::Cow::Owned(ScoreWeights {
                negatives: self.negatives.iter().map(|&c| c as f64).collect(),
                positives: self.positives.iter().map(|&c| c as f64).collect(),
            }),
        }
    }

    /// Mean score `Σ s / n` (weighted: `Σ w s / Σ w`); `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        let w = self.amounts();
        let n: f64 = w.negatives.iter().sum::<f64>() + w.positives.iter().sum::<f64>();
        let sum: f64 = self
            .scores
            .iter()
            .zip(w.negatives.iter().zip(&w.positives))
            .map(|(&s, (&a, &b))| s * (a + b))
            .sum();
        (n > 0.0).then(|| sum / n)
    }

    /// ROC AUC as the Mann–Whitney probability `P(S⁺ > S⁻) + ½ P(S⁺ = S⁻)`
    /// (Hanley & McNeil 1982; equals `sklearn.metrics.roc_auc_score`). Computed exactly in integers
    /// and divided once. `None` without both classes.
    pub fn roc_auc(&self) -> Option<f64> {
        if let Some(w) = &self.weights {
            return weighted_roc_auc(w);
        }
        let (neg, pos) = self.totals();
        if neg == 0 || pos == 0 {
            return None;
        }
        // 2 · Σ_s pos_s · (neg_below + neg_s / 2)
        let mut twice: u128 = 0;
        let mut neg_below: u128 = 0;
        for (&n, &p) in self.negatives.iter().zip(&self.positives) {
            twice += p as u128 * (2 * neg_below + n as u128);
            neg_below += n as u128;
        }
        Some(twice as f64 / (2.0 * neg as f64 * pos as f64))
    }

    /// Brier score `Σ (s − y)² / n` (Brier 1950; `sklearn.metrics.brier_score_loss`; weighted:
    /// `Σ w (s − y)² / Σ w`).
    pub fn brier(&self) -> Option<f64> {
        let w = self.amounts();
        let n: f64 = w.negatives.iter().sum::<f64>() + w.positives.iter().sum::<f64>();
        let sum: f64 = self
            .scores
            .iter()
            .zip(w.negatives.iter().zip(&w.positives))
            .map(|(&s, (&a, &b))| a * s * s + b * (1.0 - s) * (1.0 - s))
            .sum();
        (n > 0.0).then(|| sum / n)
    }

    /// Expected calibration error with 10 equal-width bins (Naeini et al. 2015; Guo et al. 2017):
    /// `Σ_b (n_b / n) · |mean score_b − positive share_b|`, bin `b = min(⌊10 s⌋, 9)` so bins are
    /// `[k/10, (k+1)/10)` and the last one includes 1 (weighted: shares, means and positive shares
    /// over weights). `None` when empty.
    pub fn ece(&self) -> Option<f64> {
        let w = self.amounts();
        let n: f64 = w.negatives.iter().sum::<f64>() + w.positives.iter().sum::<f64>();
        let mut bins = CalibrationBins::default();
        for ((&s, &a), &b) in self.scores.iter().zip(&w.negatives).zip(&w.positives) {
            bins.add(s, a, b);
        }
        bins.ece(n)
    }
}

/// The sums behind the expected calibration error and a reliability table, per bin of
/// [`ece_bin`]: the rows' amount (count or weight), `Σ amount · score`, and the positives'
/// amount. The one definition of the ECE: [`ScoreHistogram::ece`] and the estimates' calibration
/// check both use it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CalibrationBins {
    /// Rows (or their weight) per bin.
    pub amount: [f64; ECE_BINS],
    /// `Σ amount · score` per bin.
    pub sum_score: [f64; ECE_BINS],
    /// Positive rows (or their weight) per bin.
    pub positive: [f64; ECE_BINS],
}

impl CalibrationBins {
    /// Adds `negatives` and `positives` (amounts) at score `s`.
    pub fn add(&mut self, s: f64, negatives: f64, positives: f64) {
        let k = ece_bin(s);
        self.amount[k] += negatives + positives;
        self.sum_score[k] += s * (negatives + positives);
        self.positive[k] += positives;
    }

    /// `Σ_b (n_b / n) · |mean score_b − positive share_b|` over the bins with rows, `n` the
    /// total amount; `None` when it is not positive.
    pub fn ece(&self, n: f64) -> Option<f64> {
        if n <= 0.0 {
            return None;
        }
        let mut ece = 0.0;
        for k in 0..ECE_BINS {
            if self.amount[k] > 0.0 {
                let c = self.amount[k];
                ece += (c / n) * (self.sum_score[k] / c - self.positive[k] / c).abs();
            }
        }
        Some(ece)
    }
}

/// The weighted Mann–Whitney probability over sums of weights, taken in score order (counts keep
/// their exact integer form in [`ScoreHistogram::roc_auc`]).
fn weighted_roc_auc(w: &ScoreWeights) -> Option<f64> {
    let neg: f64 = w.negatives.iter().sum();
    let pos: f64 = w.positives.iter().sum();
    if !(neg > 0.0 && pos > 0.0) {
        return None;
    }
    let mut sum = 0.0;
    let mut neg_below = 0.0;
    for (&n, &p) in w.negatives.iter().zip(&w.positives) {
        sum += p * (neg_below + 0.5 * n);
        neg_below += n;
    }
    Some(sum / (neg * pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_brier_ece_by_hand() {
        // scores/labels: (0.1,0) (0.4,0) (0.35,1) (0.8,1) (0.4,1)
        // AUC: positives 0.35 > 0.1 (1), 0.35 < 0.4 (0) ; 0.8 > both (2); 0.4 > 0.1, = 0.4 (1.5)
        //   = 4.5 / 6 = 0.75 (sklearn.metrics.roc_auc_score gives 0.75)
        let mut pairs = vec![
            (0.1, false),
            (0.4, false),
            (0.35, true),
            (0.8, true),
            (0.4, true),
        ];
        let h = ScoreHistogram::from_pairs(&mut pairs);
        assert_eq!(h.scores, vec![0.1, 0.35, 0.4, 0.8]);
        assert_eq!(h.roc_auc(), Some(0.75));
        // Brier: (0.01 + 0.16 + 0.4225 + 0.04 + 0.36) / 5 = 0.9925 / 5 = 0.1985
        assert!((h.brier().unwrap() - 0.1985).abs() < 1e-15);
        // mean = 2.05 / 5 = 0.41
        assert!((h.mean().unwrap() - 0.41).abs() < 1e-15);
        // ECE bins: [0.1,0.2): {0.1:0} |0.1-0|=0.1, n=1; [0.3,0.4): {0.35:1} |0.35-1|=0.65, n=1;
        // [0.4,0.5): {0.4:0,0.4:1} |0.4-0.5|=0.1, n=2; [0.8,0.9): {0.8:1} 0.2, n=1
        // = (0.1 + 0.65 + 0.2 + 0.2) / 5 = 0.23
        assert!((h.ece().unwrap() - 0.23).abs() < 1e-15);
    }

    #[test]
    fn merge_equals_single_pass() {
        let mut a = vec![(0.2, true), (0.5, false), (0.5, true)];
        let mut b = vec![(0.5, false), (0.1, false), (0.9, true)];
        let mut all: Vec<_> = a.iter().chain(b.iter()).copied().collect();
        let mut ha = ScoreHistogram::from_pairs(&mut a);
        let hb = ScoreHistogram::from_pairs(&mut b);
        ha.merge(&hb);
        assert_eq!(ha, ScoreHistogram::from_pairs(&mut all));
    }

    #[test]
    fn ece_bins_respect_their_edges() {
        assert_eq!(ece_bin(0.8999999999999999), 8);
        assert_eq!(ece_bin(0.9), 9);
        assert_eq!(ece_bin(0.3), 3);
        assert_eq!(ece_bin(0.0), 0);
        assert_eq!(ece_bin(1.0), 9);
        assert_eq!(ece_bin(0.09999999999999999), 0);
    }

    #[test]
    fn one_class_has_no_auc() {
        let h = ScoreHistogram::from_pairs(&mut [(0.3, true), (0.6, true)]);
        assert_eq!(h.roc_auc(), None);
        assert_eq!(ScoreHistogram::default().mean(), None);
    }
}
