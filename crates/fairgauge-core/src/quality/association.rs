//! Association between two columns of one table.
//!
//! * Categorical × categorical: a [`Contingency`] table of counts, with Pearson's chi-square,
//!   Cramér's V, mutual information, the margin entropies and Theil's uncertainty coefficient.
//! * Categorical × numeric: per-group [`Moments`] (mergeable) and the
//!   [`correlation_ratio`] η.
//!
//! Each quantity names the scipy 1.17 / sklearn 1.9 / numpy call it reproduces; the tests in
//! `tests/quality_association.rs` paste their output for the same tables.

pub use crate::stats::moments::Moments;
use crate::stats::sum::neumaier_sum;

/// Dense `rows × cols` contingency table of counts, row-major: the count of cell `(r, c)` is
/// `counts[r * cols + c]`.
///
/// The fields are public; a `counts` vector shorter than `rows × cols` reads as zeros in the
/// missing cells and extra entries are ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct Contingency {
    /// Number of row categories.
    pub rows: usize,
    /// Number of column categories.
    pub cols: usize,
    /// The `rows × cols` counts, row-major.
    pub counts: Vec<u64>,
}

/// The non-empty part of a table: margins of the non-empty rows and columns, the kept cells
/// as `(n_ij, row index, col index)` into those margins, and the total.
struct Reduced {
    row_sums: Vec<u64>,
    col_sums: Vec<u64>,
    cells: Vec<(u64, usize, usize)>,
    total: u64,
}

impl Contingency {
    /// Table of `rows × cols` zero counts.
    #[must_use]
    pub fn new(rows: usize, cols: usize) -> Self {
        Contingency {
            rows,
            cols,
            counts: vec![0; rows.saturating_mul(cols)],
        }
    }

    /// Adds `n` to cell `(r, c)` (saturating at `u64::MAX`). A cell outside the table is a
    /// caller bug: debug builds assert, release builds ignore it.
    pub fn add(&mut self, r: usize, c: usize, n: u64) {
        debug_assert!(
            r < self.rows && c < self.cols,
            "Contingency::add: cell ({r}, {c}) outside a {} x {} table",
            self.rows,
            self.cols
        );
        if r >= self.rows || c >= self.cols {
            return;
        }
        if let Some(cell) = self.counts.get_mut(r * self.cols + c) {
            *cell = cell.saturating_add(n);
        }
    }

    /// Count of cell `(r, c)`, zero outside `counts`.
    fn cell(&self, r: usize, c: usize) -> u64 {
        self.counts.get(r * self.cols + c).copied().unwrap_or(0)
    }

    /// Total count `n = Σᵢⱼ nᵢⱼ` (saturating).
    #[must_use]
    pub fn total(&self) -> u64 {
        self.row_sums()
            .iter()
            .fold(0u64, |acc, &x| acc.saturating_add(x))
    }

    /// Row margins `nᵢ. = Σⱼ nᵢⱼ` (saturating), for all rows.
    fn row_sums(&self) -> Vec<u64> {
        (0..self.rows)
            .map(|r| (0..self.cols).fold(0u64, |acc, c| acc.saturating_add(self.cell(r, c))))
            .collect()
    }

    /// Column margins `n.ⱼ = Σᵢ nᵢⱼ` (saturating), for all columns.
    fn col_sums(&self) -> Vec<u64> {
        (0..self.cols)
            .map(|c| (0..self.rows).fold(0u64, |acc, r| acc.saturating_add(self.cell(r, c))))
            .collect()
    }

    /// The table without its empty rows and columns; `None` when the total is zero.
    fn reduced(&self) -> Option<Reduced> {
        let rows_all = self.row_sums();
        let cols_all = self.col_sums();
        let keep = |sums: &[u64]| -> (Vec<u64>, Vec<Option<usize>>) {
            let mut kept = Vec::new();
            let index = sums
                .iter()
                .map(|&s| {
                    (s > 0).then(|| {
                        kept.push(s);
                        kept.len() - 1
                    })
                })
                .collect();
            (kept, index)
        };
        let (row_sums, row_index) = keep(&rows_all);
        let (col_sums, col_index) = keep(&cols_all);
        let total = row_sums.iter().fold(0u64, |a, &x| a.saturating_add(x));
        if total == 0 {
            return None;
        }
        let mut cells = Vec::new();
        for (r, ri) in row_index.iter().enumerate() {
            let Some(ri) = *ri else { continue };
            for (c, ci) in col_index.iter().enumerate() {
                let Some(ci) = *ci else { continue };
                cells.push((self.cell(r, c), ri, ci));
            }
        }
        Some(Reduced {
            row_sums,
            col_sums,
            cells,
            total,
        })
    }

    /// Pearson's chi-square statistic of independence and its degrees of freedom,
    /// `X² = Σᵢⱼ (nᵢⱼ − Eᵢⱼ)² / Eᵢⱼ` with `Eᵢⱼ = nᵢ. n.ⱼ / n`, `dof = (R − 1)(C − 1)`, over the
    /// `R` rows and `C` columns with non-zero margins (empty ones dropped, as
    /// `scipy.stats.chi2_contingency` requires). As
    /// `scipy.stats.chi2_contingency(table, correction=False)` (`statistic`, `dof`); note
    /// that scipy applies Yates' correction by default when `dof = 1`.
    ///
    /// `Some((0, 0))` when a single row or column remains; `None` when the table is empty.
    #[must_use]
    pub fn chi2(&self) -> Option<(f64, u64)> {
        let t = self.reduced()?;
        let (r, c) = (t.row_sums.len(), t.col_sums.len());
        if r < 2 || c < 2 {
            return Some((0.0, 0));
        }
        let n = t.total as f64;
        let stat = neumaier_sum(t.cells.iter().map(|&(o, i, j)| {
            let e = t.row_sums[i] as f64 * t.col_sums[j] as f64 / n;
            let d = o as f64 - e;
            d * d / e
        }));
        Some((stat.max(0.0), ((r - 1) * (c - 1)) as u64))
    }

    /// Cramér's V (Cramér 1946), `V = √(X² / (n (min(R, C) − 1)))` with `X²` from
    /// [`chi2`](Self::chi2), without bias correction, over the non-empty rows and columns;
    /// as `scipy.stats.contingency.association(table, method="cramer")` on the table with its
    /// empty rows and columns dropped (scipy rejects them). Clamped to `[0, 1]`.
    ///
    /// `None` when the table is empty or fewer than two non-empty rows or columns remain.
    #[must_use]
    pub fn cramers_v(&self) -> Option<f64> {
        let t = self.reduced()?;
        let k = t.row_sums.len().min(t.col_sums.len());
        if k < 2 {
            return None;
        }
        let (chi2, _) = self.chi2()?;
        let phi2 = chi2 / t.total as f64;
        Some((phi2 / (k - 1) as f64).sqrt().clamp(0.0, 1.0))
    }

    /// Mutual information of the row and column variables in nats,
    /// `I = Σᵢⱼ pᵢⱼ ln(pᵢⱼ / (pᵢ. p.ⱼ))` over the non-zero cells, with `pᵢⱼ = nᵢⱼ / n`; as
    /// `sklearn.metrics.mutual_info_score(None, None, contingency=table)`. Each term is
    /// computed as `pᵢⱼ ln1p((nᵢⱼ n − nᵢ. n.ⱼ) / (nᵢ. n.ⱼ))` from exact integer products,
    /// so an independent table gives exactly 0. Clamped to `≥ 0`.
    ///
    /// `Some(0)` when a single non-empty row or column remains; `None` when the table is
    /// empty.
    #[must_use]
    pub fn mutual_information(&self) -> Option<f64> {
        let t = self.reduced()?;
        if t.row_sums.len() < 2 || t.col_sums.len() < 2 {
            return Some(0.0);
        }
        let n = t.total;
        let nf = n as f64;
        let mi = neumaier_sum(
            t.cells
                .iter()
                .filter(|&&(o, _, _)| o > 0)
                .map(|&(o, i, j)| {
                    let joint = u128::from(o) * u128::from(n);
                    let outer = u128::from(t.row_sums[i]) * u128::from(t.col_sums[j]);
                    let diff = if joint >= outer {
                        (joint - outer) as f64
                    } else {
                        -((outer - joint) as f64)
                    };
                    let ratio_m1 = diff / outer as f64;
                    (o as f64 / nf) * ratio_m1.ln_1p()
                }),
        );
        Some(mi.max(0.0))
    }

    /// Entropy in nats of the column margin, `H(C) = −Σⱼ p.ⱼ ln p.ⱼ` over the non-empty
    /// columns, `p.ⱼ = n.ⱼ / n`; as `scipy.stats.entropy(table.sum(axis=0))`. `0` for an
    /// empty table.
    #[must_use]
    pub fn col_entropy(&self) -> f64 {
        entropy(&self.col_sums())
    }

    /// Entropy in nats of the row margin, `H(R) = −Σᵢ pᵢ. ln pᵢ.`; as
    /// `scipy.stats.entropy(table.sum(axis=1))`. `0` for an empty table.
    #[must_use]
    pub fn row_entropy(&self) -> f64 {
        entropy(&self.row_sums())
    }

    /// Theil's uncertainty coefficient `U(C | R) = I(R; C) / H(C)` (Theil 1970): the share of
    /// the column variable's entropy explained by the row variable, in `[0, 1]` (clamped).
    /// Asymmetric: swap rows and columns for `U(R | C)`. Equals
    /// `mutual_info_score(contingency=table) / scipy.stats.entropy(table.sum(axis=0))`.
    ///
    /// `None` when the table is empty or `H(C) = 0` (a single non-empty column).
    #[must_use]
    pub fn uncertainty_coefficient(&self) -> Option<f64> {
        let h = self.col_entropy();
        if h <= 0.0 {
            return None;
        }
        let mi = self.mutual_information()?;
        Some((mi / h).clamp(0.0, 1.0))
    }
}

/// Entropy in nats of a count vector, `−Σ pₖ ln pₖ` over `pₖ = cₖ / Σc > 0`; `0` when all
/// counts are zero.
fn entropy(counts: &[u64]) -> f64 {
    let total = counts.iter().fold(0u64, |a, &x| a.saturating_add(x));
    if total == 0 {
        return 0.0;
    }
    let n = total as f64;
    let h = -neumaier_sum(counts.iter().filter(|&&c| c > 0).map(|&c| {
        let p = c as f64 / n;
        p * p.ln()
    }));
    h.max(0.0)
}

/// Correlation ratio `η = √(SS_between / SS_total)` of a numeric variable across the groups
/// of a categorical one (Pearson 1903; Fisher 1925), from per-group moments:
/// `SS_between = Σ_g n_g (mean_g − mean)²`, `SS_total = Σ_g m2_g + SS_between`, with the
/// grand mean `mean = Σ_g n_g mean_g / n`. `η²` is the share of the variance explained by the
/// groups (one-way ANOVA's R²); η is in `[0, 1]` (clamped), 0 when all group means are equal
/// and 1 when every group is constant. Equals the direct numpy computation
/// `sqrt(sum(n_g * (y_g.mean() - y.mean())**2) / sum((y - y.mean())**2))`.
///
/// Groups with `n = 0` are ignored. `None` when the total count is below 2 or
/// `SS_total = 0` (all values equal).
#[must_use]
pub fn correlation_ratio(groups: &[Moments]) -> Option<f64> {
    let n = groups.iter().fold(0u64, |a, g| a.saturating_add(g.n));
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let live = || groups.iter().filter(|g| g.n > 0);
    let mean = neumaier_sum(live().map(|g| g.n as f64 * g.mean)) / nf;
    let between = neumaier_sum(live().map(|g| {
        let d = g.mean - mean;
        g.n as f64 * d * d
    }));
    let within = neumaier_sum(live().map(|g| g.m2.max(0.0)));
    let total = between + within;
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    Some((between / total).sqrt().clamp(0.0, 1.0))
}
