//! Confusion counts per group straight from label, prediction and group arrays, optionally
//! weighted: the kernel behind `fairgauge.metrics` (Fairlearn's signatures, with
//! `sample_weight`). Cells are ordered `[TP, FP, TN, FN]`.

use rayon::prelude::*;

use crate::stats::sum::NeumaierSum;

/// Rows per parallel chunk of the unweighted count.
const CHUNK: usize = 1 << 20;

/// The cell of a row: TP = (1, 1) → 0, FP = (0, 1) → 1, TN = (0, 0) → 2, FN = (1, 0) → 3.
fn cell(label: bool, prediction: bool) -> usize {
    match (label, prediction) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}

/// Per group, the confusion cells `[TP, FP, TN, FN]` of rows whose label (`y_true[i] != 0`) and
/// prediction (`y_pred[i] != 0`) are given, in group `groups[i]` (every code below `n_groups`,
/// every slice of one length: the caller checks). With `weights`, each row adds its weight
/// (Neumaier-compensated sums, in row order); without, each row adds 1 (exact integer counts,
/// counted in parallel).
pub fn confusion_by_group(
    y_true: &[u8],
    y_pred: &[u8],
    groups: &[u32],
    n_groups: usize,
    weights: Option<&[f64]>,
) -> Vec<[f64; 4]> {
    let at = |i: usize| (groups[i] as usize, cell(y_true[i] != 0, y_pred[i] != 0));
    let Some(w) = weights else {
        let counts = (0..y_true.len().div_ceil(CHUNK))
            .into_par_iter()
            .map(|k| {
                let mut c = vec![[0u64; 4]; n_groups];
                for i in k * CHUNK..((k + 1) * CHUNK).min(y_true.len()) {
                    let (g, j) = at(i);
                    c[g][j] += 1;
                }
                c
            })
            .reduce(
                || vec![[0u64; 4]; n_groups],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        for j in 0..4 {
                            x[j] += y[j];
                        }
                    }
                    a
                },
            );
        return counts
            .iter()
            .map(|c| [c[0] as f64, c[1] as f64, c[2] as f64, c[3] as f64])
            .collect();
    };
    let mut sums = vec![[NeumaierSum::default(); 4]; n_groups];
    for (i, &x) in w.iter().enumerate().take(y_true.len()) {
        let (g, j) = at(i);
        sums[g][j].add(x);
    }
    sums.iter()
        .map(|s| [s[0].value(), s[1].value(), s[2].value(), s[3].value()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_weights_by_group() {
        // group 0: (1,1) (0,1) (0,0); group 1: (1,0) (1,1)
        let t = [1, 0, 0, 1, 1];
        let p = [1, 1, 0, 0, 1];
        let g = [0, 0, 0, 1, 1];
        let c = confusion_by_group(&t, &p, &g, 2, None);
        assert_eq!(c, vec![[1.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]]);
        let w = [0.5, 2.0, 1.0, 3.0, 0.25];
        let c = confusion_by_group(&t, &p, &g, 2, Some(&w));
        assert_eq!(c, vec![[0.5, 2.0, 1.0, 0.0], [0.25, 0.0, 0.0, 3.0]]);
        // An empty group has zero counts.
        assert_eq!(confusion_by_group(&t, &p, &g, 3, None)[2], [0.0; 4]);
    }
}
