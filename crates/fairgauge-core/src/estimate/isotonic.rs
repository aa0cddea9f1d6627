//! Isotonic calibration: the non-decreasing step function of the score that best fits the
//! labels in least squares (pool-adjacent-violators, Ayer et al. 1955; Barlow et al. 1972), and
//! its piecewise-linear interpolation between the fitted points, scores outside the fitted range
//! clipped to it.
//!
//! This is scikit-learn's `IsotonicRegression(out_of_bounds="clip")` (the calibrator of
//! NannyML's CBPE) step for step, so that the calibrated probabilities agree to rounding: equal
//! scores are pooled first into their positive share with their row count as weight
//! (`_make_unique`), pooled blocks are merged left to right with backtracking and ties pooled
//! (scikit-learn 1.9 hands this to `scipy.optimize.isotonic_regression`, the same solution),
//! interior points of a flat run are dropped, and a score is mapped by `np.interp`'s formula
//! `(y_hi − y_lo) / (x_hi − x_lo) · (x − x_lo) + y_lo` with `lo` the last knot `≤ x` (a knot maps
//! to its own value). One difference is kept on purpose: scikit-learn pools scores closer than
//! 1e-15 as equal; here only equal scores are pooled.

/// A fitted isotonic calibrator: the knots of its piecewise-linear map.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotonic {
    /// Knot scores, ascending.
    pub x: Vec<f64>,
    /// Calibrated probability at each knot, non-decreasing.
    pub y: Vec<f64>,
    /// The block (run of equal fitted values) of each knot.
    pub block: Vec<usize>,
    /// Each block's fitted value and its reference rows.
    pub blocks: Vec<(f64, f64)>,
}

impl Isotonic {
    /// Fits to distinct ascending `scores` with `(negatives, positives)` reference rows at each.
    /// `None` without rows.
    pub fn fit(scores: &[f64], counts: &[(u64, u64)]) -> Option<Isotonic> {
        let mut x = Vec::with_capacity(scores.len());
        let mut y = Vec::with_capacity(scores.len());
        let mut w = Vec::with_capacity(scores.len());
        for (&s, &(neg, pos)) in scores.iter().zip(counts) {
            let n = neg + pos;
            if n > 0 {
                x.push(s);
                y.push(pos as f64 / n as f64);
                w.push(n as f64);
            }
        }
        if x.is_empty() {
            return None;
        }
        let rows = w.clone();
        pava(&mut y, &mut w);
        // Blocks: runs of equal fitted values, with their rows.
        let mut block = Vec::with_capacity(x.len());
        let mut blocks: Vec<(f64, f64)> = Vec::new();
        for (i, &v) in y.iter().enumerate() {
            if i == 0 || v != y[i - 1] {
                blocks.push((v, 0.0));
            }
            let b = blocks.len() - 1;
            block.push(b);
            blocks[b].1 += rows[i];
        }
        // Drop the interior points of flat runs (they do not change the interpolation).
        let n = y.len();
        let keep: Vec<bool> = (0..n)
            .map(|i| i == 0 || i + 1 == n || y[i] != y[i - 1] || y[i] != y[i + 1])
            .collect();
        let pick = |v: &[f64]| -> Vec<f64> {
            v.iter()
                .zip(&keep)
                .filter(|(_, &k)| k)
                .map(|(&a, _)| a)
                .collect()
        };
        let block = block
            .iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|(&b, _)| b)
            .collect();
        Some(Isotonic {
            x: pick(&x),
            y: pick(&y),
            block,
            blocks,
        })
    }

    /// The calibrated probability of score `s`.
    pub fn predict(&self, s: f64) -> f64 {
        self.locate(s).0
    }

    /// The calibrated probability of `s` and how it depends on the blocks' fitted values:
    /// `(value, [(block, weight)…])`, the value being `Σ weight · block value`.
    pub fn locate(&self, s: f64) -> (f64, [(usize, f64); 2]) {
        let n = self.x.len();
        if n == 1 {
            return (self.y[0], [(self.block[0], 1.0), (self.block[0], 0.0)]);
        }
        let s = s.clamp(self.x[0], self.x[n - 1]);
        // np.interp: the last knot ≤ s; a knot itself maps to its value exactly.
        let lo = self.x.partition_point(|&k| k <= s) - 1;
        if lo == n - 1 {
            return (self.y[lo], [(self.block[lo], 1.0), (self.block[lo], 0.0)]);
        }
        let hi = lo + 1;
        let slope = (self.y[hi] - self.y[lo]) / (self.x[hi] - self.x[lo]);
        let v = slope * (s - self.x[lo]) + self.y[lo];
        let t = (s - self.x[lo]) / (self.x[hi] - self.x[lo]);
        (v, [(self.block[lo], 1.0 - t), (self.block[hi], t)])
    }

    /// The fitted value of a block and the reference rows behind it.
    pub fn block(&self, b: usize) -> (f64, f64) {
        self.blocks[b]
    }
}

/// Pool-adjacent-violators in place, as scikit-learn's
/// `_inplace_contiguous_isotonic_regression`: a run that does not increase (ties included) is
/// pooled into its weighted mean, then the scan backtracks to the previous block.
fn pava(y: &mut [f64], w: &mut [f64]) {
    let n = y.len();
    let mut target: Vec<usize> = (0..n).collect();
    let mut i = 0;
    while i < n {
        let mut k = target[i] + 1;
        if k == n {
            break;
        }
        if y[i] < y[k] {
            i = k;
            continue;
        }
        let mut sum_wy = w[i] * y[i];
        let mut sum_w = w[i];
        loop {
            let prev_y = y[k];
            sum_wy += w[k] * y[k];
            sum_w += w[k];
            k = target[k] + 1;
            if k == n || prev_y < y[k] {
                y[i] = sum_wy / sum_w;
                w[i] = sum_w;
                target[i] = k - 1;
                target[k - 1] = i;
                if i > 0 {
                    i = target[i - 1];
                }
                break;
            }
        }
    }
    let mut i = 0;
    while i < n {
        let k = target[i] + 1;
        let v = y[i];
        for x in &mut y[i + 1..k] {
            *x = v;
        }
        i = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_violators_by_hand() {
        // Positive shares 0/2, 1/1, 0/1, 2/2 at scores .1 .2 .3 .4: .2 and .3 violate and pool
        // into 1/2 (weights 1 and 1); the result 0, .5, .5, 1 is non-decreasing.
        let iso = Isotonic::fit(&[0.1, 0.2, 0.3, 0.4], &[(2, 0), (0, 1), (1, 0), (0, 2)]).unwrap();
        assert_eq!(iso.x, vec![0.1, 0.2, 0.3, 0.4]);
        assert_eq!(iso.y, vec![0.0, 0.5, 0.5, 1.0]);
        assert_eq!(iso.blocks, vec![(0.0, 2.0), (0.5, 2.0), (1.0, 2.0)]);
        // Interpolated between knots, clipped outside.
        assert!((iso.predict(0.15) - 0.25).abs() < 1e-15);
        assert_eq!(iso.predict(0.0), 0.0);
        assert_eq!(iso.predict(0.9), 1.0);
        assert_eq!(iso.predict(0.25), 0.5);
        let (v, parts) = iso.locate(0.35);
        assert!((v - 0.75).abs() < 1e-15);
        assert_eq!(parts[0].0, 1);
        assert_eq!(parts[1].0, 2);
        assert!((parts[1].1 - 0.5).abs() < 1e-12);
    }

    #[test]
    fn flat_runs_keep_their_ends_and_backtracking_pools_earlier_blocks() {
        // 3/4 at .1, then 1/2, 0/1 and 1/1: .1..=.3 pool into (3+1+0)/7 = 4/7 after backtracking.
        let iso = Isotonic::fit(
            &[0.1, 0.2, 0.3, 0.4, 0.5],
            &[(1, 3), (1, 1), (1, 0), (0, 1), (0, 0)],
        )
        .unwrap();
        assert_eq!(iso.x, vec![0.1, 0.3, 0.4]);
        assert_eq!(iso.y, vec![4.0 / 7.0, 4.0 / 7.0, 1.0]);
        assert_eq!(iso.block, vec![0, 0, 1]);
        assert_eq!(iso.blocks, vec![(4.0 / 7.0, 7.0), (1.0, 1.0)]);
        assert!(Isotonic::fit(&[0.2], &[(0, 0)]).is_none());
        let one = Isotonic::fit(&[0.2], &[(1, 1)]).unwrap();
        assert_eq!(one.predict(0.9), 0.5);
    }
}
