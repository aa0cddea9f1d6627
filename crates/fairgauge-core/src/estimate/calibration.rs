//! Calibration of scores on the labelled reference, per group: the reliability table and the
//! expected calibration error of the raw scores, of the population's isotonic calibrator and of
//! the group's own, each calibrator judged on rows it was not fitted on (two folds, each fitted
//! on the other), and the choice of the one with the smallest error (ties go to the simpler:
//! raw, then population, then group).

use super::cells::{ScoreCells, FOLDS, REFERENCE_CELLS};
use super::isotonic::Isotonic;
use crate::fairness::scores::{CalibrationBins, ECE_BINS};
use serde::{Deserialize, Serialize};

/// A labelled reference histogram (cells `fold · 4 + 2 · label + prediction`).
pub type Reference = ScoreCells<REFERENCE_CELLS>;

/// Which calibration a group's estimates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationKind {
    /// The scores as they are.
    None,
    /// The isotonic calibrator fitted on the whole reference.
    Population,
    /// The isotonic calibrator fitted on the group's own reference rows.
    Group,
}

impl CalibrationKind {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            CalibrationKind::None => "none",
            CalibrationKind::Population => "population",
            CalibrationKind::Group => "group",
        }
    }
}

/// A map from score to probability.
#[derive(Debug, Clone, PartialEq)]
pub enum Calibrator {
    /// The score itself.
    Identity,
    /// A fitted isotonic map.
    Isotonic(Isotonic),
}

impl Calibrator {
    /// The calibrated probability of score `s`.
    pub fn map(&self, s: f64) -> f64 {
        match self {
            Calibrator::Identity => s,
            Calibrator::Isotonic(i) => i.predict(s),
        }
    }
}

/// One bin of a reliability table (10 equal-width bins of the score, as the ECE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// The bin's lower edge.
    pub lower: f64,
    /// The bin's upper edge.
    pub upper: f64,
    /// Reference rows in the bin.
    pub rows: u64,
    /// Their mean (calibrated) score.
    pub mean_score: Option<f64>,
    /// Their share of positive labels.
    pub positive_share: Option<f64>,
}

/// `(negatives, positives)` at each score of `r`, over the folds `keep` allows.
pub fn label_counts(r: &Reference, keep: impl Fn(usize) -> bool) -> Vec<(u64, u64)> {
    r.counts
        .iter()
        .map(|c| {
            let mut out = (0, 0);
            for f in (0..FOLDS).filter(|&f| keep(f)) {
                out.0 += c[4 * f] + c[4 * f + 1];
                out.1 += c[4 * f + 2] + c[4 * f + 3];
            }
            out
        })
        .collect()
}

/// Adds the rows `counts` at `scores` to `bins` at their mapped score.
fn add_to_bins(
    bins: &mut CalibrationBins,
    scores: &[f64],
    counts: &[(u64, u64)],
    map: impl Fn(f64) -> f64,
) {
    for (&s, &(neg, pos)) in scores.iter().zip(counts) {
        if neg + pos > 0 {
            bins.add(map(s), neg as f64, pos as f64);
        }
    }
}

fn ece_of(bins: &CalibrationBins) -> Option<f64> {
    bins.ece(bins.amount.iter().sum())
}

fn bins_of(r: &Reference, cal: &Calibrator) -> CalibrationBins {
    let mut bins = CalibrationBins::default();
    add_to_bins(&mut bins, &r.scores, &label_counts(r, |_| true), |s| {
        cal.map(s)
    });
    bins
}

/// The reliability table of `r` under `cal`.
pub fn reliability(r: &Reference, cal: &Calibrator) -> Vec<ReliabilityBin> {
    let bins = bins_of(r, cal);
    (0..ECE_BINS)
        .map(|k| {
            let rows = bins.amount[k];
            ReliabilityBin {
                lower: k as f64 / ECE_BINS as f64,
                upper: (k + 1) as f64 / ECE_BINS as f64,
                rows: rows as u64,
                mean_score: (rows > 0.0).then(|| bins.sum_score[k] / rows),
                positive_share: (rows > 0.0).then(|| bins.positive[k] / rows),
            }
        })
        .collect()
}

/// The expected calibration error of `r` under `cal` (10 equal-width bins of the calibrated
/// score, as [`CalibrationBins::ece`]: `Σ_b (n_b / n) |mean_b − positive share_b|`).
pub fn ece(r: &Reference, cal: &Calibrator) -> Option<f64> {
    ece_of(&bins_of(r, cal))
}

/// The out-of-fold calibrators of a reference: for each fold, the isotonic fit on the other
/// folds. `None` when a fold leaves nothing to fit on.
pub fn fold_fits(fit: &Reference) -> Option<Vec<Isotonic>> {
    (0..FOLDS)
        .map(|k| Isotonic::fit(&fit.scores, &label_counts(fit, |f| f != k)))
        .collect()
}

/// The ECE of out-of-fold calibrators `fits` (from [`fold_fits`]) on `eval`: each fold's rows
/// mapped by the calibrator fitted without them, the bins pooled over the folds. `None` when a
/// fold has nothing to judge.
pub fn out_of_fold_ece(fits: &[Isotonic], eval: &Reference) -> Option<f64> {
    let mut bins = CalibrationBins::default();
    for (k, iso) in fits.iter().enumerate() {
        let held = label_counts(eval, |f| f == k);
        if held.iter().all(|&(a, b)| a + b == 0) {
            return None;
        }
        add_to_bins(&mut bins, &eval.scores, &held, |s| iso.predict(s));
    }
    ece_of(&bins)
}

/// The ECE of an isotonic calibrator fitted on `fit`, judged out of fold on `eval`.
pub fn cross_fitted_ece(fit: &Reference, eval: &Reference) -> Option<f64> {
    out_of_fold_ece(&fold_fits(fit)?, eval)
}

/// The whole reference with its out-of-fold calibrators, fitted once for every group's check.
#[derive(Debug)]
pub struct Population<'a> {
    /// The whole reference.
    pub reference: &'a Reference,
    folds: Option<Vec<Isotonic>>,
}

impl<'a> Population<'a> {
    /// Fits the out-of-fold calibrators of `reference`.
    pub fn new(reference: &'a Reference) -> Population<'a> {
        Population {
            reference,
            folds: fold_fits(reference),
        }
    }
}

/// What the calibration check found for one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationCheck {
    /// The calibration chosen.
    pub applied: CalibrationKind,
    /// ECE of the raw scores on the group's reference rows.
    pub ece_raw: Option<f64>,
    /// Out-of-fold ECE of the population's isotonic calibrator on the group's rows.
    pub ece_population: Option<f64>,
    /// Out-of-fold ECE of the group's own isotonic calibrator.
    pub ece_group: Option<f64>,
}

/// Checks and chooses the calibration of a group given the whole reference; `group` `None`
/// checks the population itself (the group candidate is then left out). `allowed` limits the
/// candidates (the caller's `--calibration`).
pub fn choose(
    population: &Population,
    group: Option<&Reference>,
    allowed: Allowed,
) -> CalibrationCheck {
    let eval = group.unwrap_or(population.reference);
    let ece_raw = ece(eval, &Calibrator::Identity);
    let ece_population = population
        .folds
        .as_deref()
        .and_then(|f| out_of_fold_ece(f, eval));
    let ece_group = group.and_then(|g| cross_fitted_ece(g, g));
    let mut best = (CalibrationKind::None, ece_raw);
    let better = |e: Option<f64>, b: Option<f64>| match (e, b) {
        (Some(e), Some(b)) => e < b,
        (Some(_), None) => true,
        _ => false,
    };
    if allowed != Allowed::None {
        if allowed == Allowed::Isotonic || better(ece_population, best.1) {
            best = (CalibrationKind::Population, ece_population);
        }
        if better(ece_group, best.1) {
            best = (CalibrationKind::Group, ece_group);
        }
    }
    CalibrationCheck {
        applied: best.0,
        ece_raw,
        ece_population,
        ece_group,
    }
}

/// Which calibrations may be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allowed {
    /// Whichever has the smallest out-of-fold ECE (raw scores included).
    Auto,
    /// Always an isotonic calibrator (the group's own where it has the smaller error).
    Isotonic,
    /// Raw scores only.
    None,
}

/// The calibrator of a choice: the group's or the population's isotonic fit on all their
/// reference rows, or the identity.
pub fn calibrator(kind: CalibrationKind, population: &Reference, group: &Reference) -> Calibrator {
    let fit = |r: &Reference| {
        Isotonic::fit(&r.scores, &label_counts(r, |_| true))
            .map_or(Calibrator::Identity, Calibrator::Isotonic)
    };
    match kind {
        CalibrationKind::None => Calibrator::Identity,
        CalibrationKind::Population => fit(population),
        CalibrationKind::Group => fit(group),
    }
}

#[cfg(test)]
mod tests {
    use super::super::cells::reference_cell;
    use super::*;

    fn reference(rows: &[(f64, bool, u64)]) -> Reference {
        let mut v: Vec<(f64, u8)> = rows
            .iter()
            .map(|&(s, y, row)| {
                (
                    s,
                    reference_cell(super::super::cells::fold_of(row), y, s >= 0.5),
                )
            })
            .collect();
        ScoreCells::from_rows(&mut v)
    }

    #[test]
    fn ece_and_reliability_by_hand() {
        // Scores .15 (labels 0, 1) and .85 (1, 1): bin 1 mean .15 share .5, bin 8 mean .85
        // share 1; ECE = ½ · .35 + ½ · .15 = .25.
        let r = reference(&[
            (0.15, false, 0),
            (0.15, true, 1),
            (0.85, true, 2),
            (0.85, true, 3),
        ]);
        let e = ece(&r, &Calibrator::Identity).unwrap();
        assert!((e - 0.25).abs() < 1e-15);
        let t = reliability(&r, &Calibrator::Identity);
        assert_eq!(t[1].rows, 2);
        assert_eq!(t[1].positive_share, Some(0.5));
        assert_eq!(t[8].mean_score, Some(0.85));
        assert_eq!(t[0].mean_score, None);
    }

    #[test]
    fn a_miscalibrated_group_gets_its_own_calibrator() {
        // The population is calibrated; the group's scores say .2 where half are positive.
        let mut rows = Vec::new();
        let mut row = 0u64;
        for i in 0..2000u64 {
            for &(s, share) in &[(0.2, 0.2), (0.8, 0.8)] {
                let y = (i % 10) as f64 / 10.0 < share;
                rows.push((s, y, row));
                row += 1;
            }
        }
        let population = reference(&rows);
        let mut g = Vec::new();
        for i in 0..2000u64 {
            g.push((0.2, i % 2 == 0, row));
            row += 1;
        }
        let group = reference(&g);
        let pop = Population::new(&population);
        let pop_check = choose(&pop, None, Allowed::Auto);
        assert_eq!(pop_check.applied, CalibrationKind::None);
        let check = choose(&pop, Some(&group), Allowed::Auto);
        assert_eq!(check.applied, CalibrationKind::Group);
        assert!((check.ece_raw.unwrap() - 0.3).abs() < 1e-12);
        assert!(check.ece_group.unwrap() < 0.05);
        let none = choose(&pop, Some(&group), Allowed::None);
        assert_eq!(none.applied, CalibrationKind::None);
        let cal = calibrator(CalibrationKind::Group, &population, &group);
        assert!((cal.map(0.2) - 0.5).abs() < 1e-12);
    }
}
