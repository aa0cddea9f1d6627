//! The rows of one group as a run-length histogram: sorted distinct scores, and at each the rows
//! counted by cell (the prediction, and on a labelled reference the label and the fold). It
//! merges by a linear merge, so every chunking and row order gives the same state, and every sum
//! over it is taken in score order, so estimates are bit-identical whatever the chunking.

use serde::{Deserialize, Serialize};

/// Cells of an unlabelled row: its prediction, `0` or `1`.
pub const ANALYSIS_CELLS: usize = 2;
/// Folds of the reference's cross-validated calibration check.
pub const FOLDS: usize = 2;
/// Cells of a labelled reference row: `fold · 4 + 2 · label + prediction`.
pub const REFERENCE_CELLS: usize = 4 * FOLDS;

/// The fold of a reference row from its data-row index (a hash, so that sorted tables split
/// evenly; the same row always lands in the same fold whatever the chunking).
pub fn fold_of(row: u64) -> usize {
    let mut z = row.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % FOLDS as u64) as usize
}

/// The cell of a labelled reference row.
pub fn reference_cell(fold: usize, label: bool, prediction: bool) -> u8 {
    (fold * 4 + 2 * label as usize + prediction as usize) as u8
}

/// Sorted distinct scores with the rows in each of `N` cells at each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCells<const N: usize> {
    /// Distinct scores, ascending (−0 is stored as +0).
    pub scores: Vec<f64>,
    /// Rows per cell at each score.
    #[serde(with = "cells_serde")]
    pub counts: Vec<[u64; N]>,
}

impl<const N: usize> Default for ScoreCells<N> {
    fn default() -> Self {
        ScoreCells {
            scores: Vec::new(),
            counts: Vec::new(),
        }
    }
}

impl<const N: usize> ScoreCells<N> {
    /// Builds from `(score, cell)` pairs, scores already checked to lie in `[0, 1]` and cells
    /// below `N`.
    pub fn from_rows(rows: &mut [(f64, u8)]) -> Self {
        // Non-negative scores sort by their IEEE bits as they do by value.
        rows.sort_unstable_by_key(|&(s, _)| (s + 0.0).to_bits());
        let mut out = ScoreCells::default();
        for &(s, c) in rows.iter() {
            let s = s + 0.0;
            if out.scores.last() != Some(&s) {
                out.scores.push(s);
                out.counts.push([0; N]);
            }
            let k = out.counts.len() - 1;
            out.counts[k][c as usize] += 1;
        }
        out
    }

    /// Adds a row whose score is at least every score so far (rows taken in score order).
    pub fn push_sorted(&mut self, s: f64, cell: u8) {
        if self.scores.last() != Some(&s) {
            self.scores.push(s);
            self.counts.push([0; N]);
        }
        let k = self.counts.len() - 1;
        self.counts[k][cell as usize] += 1;
    }

    /// Merges another histogram into this one, taking it whole when this one is empty.
    pub fn absorb(&mut self, other: ScoreCells<N>) {
        if self.scores.is_empty() {
            *self = other;
        } else {
            self.merge(&other);
        }
    }

    /// Merges another histogram into this one.
    pub fn merge(&mut self, other: &ScoreCells<N>) {
        if other.scores.is_empty() {
            return;
        }
        if self.scores.is_empty() {
            *self = other.clone();
            return;
        }
        let cap = self.scores.len() + other.scores.len();
        let mut out = ScoreCells {
            scores: Vec::with_capacity(cap),
            counts: Vec::with_capacity(cap),
        };
        // Each side is strictly increasing, so an equal score can only be the two heads.
        let (a, b) = (&*self, other);
        let (mut i, mut j) = (0, 0);
        while i < a.scores.len() && j < b.scores.len() {
            let (x, y) = (a.scores[i], b.scores[j]);
            if x < y {
                out.scores.push(x);
                out.counts.push(a.counts[i]);
                i += 1;
            } else if y < x {
                out.scores.push(y);
                out.counts.push(b.counts[j]);
                j += 1;
            } else {
                let mut c = a.counts[i];
                for (s, t) in c.iter_mut().zip(&b.counts[j]) {
                    *s += t;
                }
                out.scores.push(x);
                out.counts.push(c);
                i += 1;
                j += 1;
            }
        }
        out.scores.extend_from_slice(&a.scores[i..]);
        out.counts.extend_from_slice(&a.counts[i..]);
        out.scores.extend_from_slice(&b.scores[j..]);
        out.counts.extend_from_slice(&b.counts[j..]);
        *self = out;
    }

    /// Rows in all cells.
    pub fn rows(&self) -> u64 {
        self.counts.iter().map(|c| c.iter().sum::<u64>()).sum()
    }
}

/// serde for fixed-size count arrays of any length (serde derives arrays up to 32 only through
/// its own impls, which do not cover a const generic `N`).
mod cells_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, const N: usize>(
        v: &[[u64; N]],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let flat: Vec<&[u64]> = v.iter().map(|c| c.as_slice()).collect();
        flat.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<Vec<[u64; N]>, D::Error> {
        let flat: Vec<Vec<u64>> = Vec::deserialize(d)?;
        flat.into_iter()
            .map(|c| {
                <[u64; N]>::try_from(c.as_slice())
                    .map_err(|_| serde::de::Error::custom(format!("expected {N} counts")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_equals_one_build() {
        let rows: Vec<(f64, u8)> =
            vec![(0.3, 1), (0.1, 0), (0.3, 0), (-0.0, 1), (0.7, 1), (0.1, 1)];
        let whole = ScoreCells::<2>::from_rows(&mut rows.clone());
        assert_eq!(whole.scores, vec![0.0, 0.1, 0.3, 0.7]);
        assert_eq!(whole.counts, vec![[0, 1], [1, 1], [1, 1], [0, 1]]);
        let mut a = ScoreCells::<2>::from_rows(&mut rows[..2].to_vec());
        let mut b = ScoreCells::<2>::from_rows(&mut rows[2..].to_vec());
        a.merge(&b);
        assert_eq!(a, whole);
        b.merge(&ScoreCells::default());
        assert_eq!(b.rows(), 4);
        // Every split, merged either way round, gives the one build (equal scores at either
        // end, one side inside the other, disjoint sides).
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let rows: Vec<(f64, u8)> = (0..400)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 37) as f64 / 64.0, (x >> 40) as u8 % 2)
            })
            .collect();
        let whole = ScoreCells::<2>::from_rows(&mut rows.clone());
        for cut in [0, 1, 7, 150, 399, 400] {
            for lo in [0.0, 0.2, 0.5] {
                let (a, b): (Vec<_>, Vec<_>) = rows
                    .iter()
                    .enumerate()
                    .partition(|&(i, r)| i < cut || r.0 < lo);
                let mut ha =
                    ScoreCells::<2>::from_rows(&mut a.iter().map(|p| *p.1).collect::<Vec<_>>());
                let hb =
                    ScoreCells::<2>::from_rows(&mut b.iter().map(|p| *p.1).collect::<Vec<_>>());
                let mut hb2 = hb.clone();
                hb2.merge(&ha);
                ha.merge(&hb);
                assert_eq!(ha, whole, "cut {cut} lo {lo}");
                assert_eq!(hb2, whole, "cut {cut} lo {lo}");
            }
        }
    }

    #[test]
    fn folds_split_rows_evenly() {
        let ones = (0..10_000u64).filter(|&r| fold_of(r) == 1).count();
        assert!((4_800..=5_200).contains(&ones), "{ones}");
        assert_eq!(reference_cell(1, true, false), 6);
    }
}
