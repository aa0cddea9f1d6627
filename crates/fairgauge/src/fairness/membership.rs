//! Sensitive attributes known only as each row's probability of each group (`--sensitive-probabilities
//! race=p_white,p_black,…`, as `fairgauge bisg` writes them). Two estimators side by side:
//!
//! - **weighted**: each row counts towards every group with its probability (times its sample
//!   weight), the core's [`FairnessState::with_membership`]; rates are ratios of weighted sums,
//!   intervals and tests use each group's Kish effective size;
//! - **threshold** (`race_assigned`): a row is assigned its most likely group when that
//!   probability is at least the threshold (default 0.8), else left out.
//!
//! Chen, Kallus, Mao, Svacha & Udell (2019), "Fairness under unawareness: assessing disparity
//! when protected class is unobserved" (FAT* '19): the weighted estimator's bias is the
//! conditional covariance of the outcome with true membership given the proxies, and tends to
//! understate disparities; the threshold estimator's tends to overstate them, by an amount that
//! varies with the threshold. Both are reported, with that caveat.
//!
//! With `--bounds-by COL[,COL]` (columns the probabilities were computed from, such as the ZIP
//! code), the base and selection rates and their differences are also bounded without that
//! independence: the core's [`fairgauge_core::membership::bounds`] (Kallus, Mao & Zhou 2022).

use std::collections::{BTreeMap, BTreeSet};

use fairgauge_core::fairness::{
    CodedAttribute, FairnessBatch, FairnessOptions, FairnessReport, Membership,
};
use fairgauge_core::membership::bounds::{BoundsRow, BoundsState};
use rustc_hash::FxHashMap;

use super::part::{Ctx, MembershipPart};
use super::spec::{AttributeBounds, FairnessSpec, MembershipInfo, ProbabilisticSpec};
use super::visit::CategoryVisitor;
use crate::error::{Error, Result};
use crate::io::frame::Batch;

/// Reads a probability column: numbers as they are, null as NaN; the first value that is not a
/// number (text, a boolean) is kept as `(row, value shown)` for the error.
struct Probabilities<'a> {
    rules: &'a crate::io::text::TextRules,
    out: Vec<f64>,
    bad: Option<(usize, String)>,
}

impl crate::io::frame::Visit for Probabilities<'_> {
    fn text(&mut self, row: usize, v: Option<&str>) {
        let parsed = match v.and_then(|s| self.rules.apply(s)) {
            None => Some(f64::NAN),
            Some(s) => s.trim().parse::<f64>().ok(),
        };
        if parsed.is_none() && self.bad.is_none() {
            self.bad = Some((row, v.unwrap_or_default().to_string()));
        }
        self.out.push(parsed.unwrap_or(f64::NAN));
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        self.out.push(v.unwrap_or(f64::NAN));
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        if let (Some(b), None) = (v, &self.bad) {
            self.bad = Some((row, b.to_string()));
        }
        self.out.push(f64::NAN);
    }
    fn numbers(&mut self, _first_row: usize, values: &[f64]) {
        self.out.extend_from_slice(values);
    }
}

/// How far a row's probabilities may sum from 1 (the Census surname list's rows, rounded to four
/// decimals, are within 2e-4).
pub const SUM_TOLERANCE: f64 = 1e-3;

/// Checks the spec's attributes known as probabilities (before any row is read).
pub(crate) fn check_spec(spec: &FairnessSpec) -> Result<()> {
    for p in &spec.probabilistic {
        if spec.task != super::spec::Task::Binary {
            return Err(Error::InvalidOption(format!(
                "sensitive probabilities (`{}`) are supported for the binary task only",
                p.name
            )));
        }
        if !(p.assign_threshold > 0.0 && p.assign_threshold <= 1.0) {
            return Err(Error::InvalidOption(format!(
                "the assignment threshold must be in (0, 1], given {}",
                p.assign_threshold
            )));
        }
        if spec.sensitive.contains(&p.name) || spec.sensitive.contains(&p.assigned_name()) {
            return Err(Error::InvalidOption(format!(
                "`{}` is both a sensitive column and the name of sensitive probabilities",
                p.name
            )));
        }
    }
    Ok(())
}

/// Checks the strata columns of the bounds: none is a role or a probability column (`roles`),
/// none is given twice for one attribute.
pub(crate) fn check_strata(spec: &FairnessSpec, roles: &BTreeSet<&String>) -> Result<()> {
    for p in &spec.probabilistic {
        let mut seen = BTreeSet::new();
        for c in &p.bounds_by {
            if c.is_empty() || !seen.insert(c) {
                return Err(Error::InvalidOption(format!(
                    "--bounds-by {:?}: each stratum column once, none empty",
                    p.bounds_by
                )));
            }
            if roles.contains(c) {
                return Err(Error::InvalidOption(format!(
                    "column `{c}` is both a stratum of the bounds (--bounds-by) and a role or probability column; strata are the proxies the probabilities were computed from (a ZIP code, a tract)"
                )));
            }
        }
    }
    Ok(())
}

impl Ctx<'_> {
    /// The slice's strata: their keys (each column's value, or `null`, as `<length>:<value>`
    /// joined, so that no two combinations share a key) and each row's index into them.
    fn strata_keys(&self, batch: &Batch, columns: &[String]) -> Result<(Vec<String>, Vec<u32>)> {
        let mut visitors = Vec::with_capacity(columns.len());
        for c in columns {
            let mut v = CategoryVisitor::new(&self.rules[c], batch.len());
            self.visit(batch, c, &mut v)?;
            visitors.push(v);
        }
        let mut index: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
        let mut keys = vec![];
        let mut rows = Vec::with_capacity(batch.len());
        for i in 0..batch.len() {
            let codes: Vec<u32> = visitors.iter().map(|v| v.codes[i]).collect();
            let id = *index.entry(codes).or_insert_with_key(|codes| {
                let key: String = visitors
                    .iter()
                    .zip(codes)
                    .map(|(v, &c)| match v.levels[c as usize].as_deref() {
                        Some(s) => format!("{}:{s}", s.len()),
                        None => "null".to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(",");
                keys.push(key);
                keys.len() as u32 - 1
            });
            rows.push(id);
        }
        Ok((keys, rows))
    }

    /// Counts a slice's rows with probabilities, a label and (with one) a prediction into the
    /// strata's sums of the bounds.
    fn count_strata(
        &self,
        bounds: &mut BoundsState,
        base: &FairnessBatch<'_>,
        p: &ProbabilisticSpec,
        probs: &[f64],
        (keys, rows): (&[String], &[u32]),
    ) -> Result<()> {
        let k = p.groups.len();
        for (i, &id) in rows.iter().enumerate() {
            let row = &probs[i * k..(i + 1) * k];
            let Some(label) = base.label[i] else { continue };
            let prediction = match base.prediction.map(|v| v[i]) {
                Some(None) => continue,
                Some(Some(x)) => Some(x),
                None => None,
            };
            if row[0].is_nan() {
                continue;
            }
            let positive = [label, prediction.unwrap_or(false)];
            bounds
                .push(BoundsRow {
                    stratum: &keys[id as usize],
                    weight: base.weights.map_or(1.0, |w| w[i]),
                    probabilities: row,
                    positive: &positive[..bounds.outcomes.len()],
                    decision: prediction.map(|d| (label, d)),
                })
                .map_err(|e| self.core_error(e))?;
        }
        Ok(())
    }

    /// A slice's probability columns of `p`, row after row (`K` per row), with a row of NaN
    /// where every probability is null or NaN. A row with some but not all, a value outside
    /// `[0, 1]`, or a sum further than [`SUM_TOLERANCE`] from 1 is an error naming its data row.
    fn read_probabilities(
        &self,
        batch: &Batch,
        p: &ProbabilisticSpec,
        first_row: usize,
    ) -> Result<Vec<f64>> {
        let n = batch.len();
        let k = p.groups.len();
        let mut cols: Vec<Vec<f64>> = Vec::with_capacity(k);
        for c in p.columns() {
            let mut v = Probabilities {
                rules: &self.rules[c],
                out: Vec::with_capacity(n),
                bad: None,
            };
            self.visit(batch, c, &mut v)?;
            if let Some(bad) = v.bad {
                let needs = "group probabilities are in [0, 1]";
                return Err(self.not_a_number(c, bad, first_row, needs));
            }
            cols.push(v.out);
        }
        // Row after row, in one sequential pass (column by column would scatter the stores).
        let mut out = Vec::with_capacity(n * k);
        for i in 0..n {
            out.extend(cols.iter().map(|c| c[i]));
        }
        for (i, row) in out.chunks_exact(k).enumerate() {
            self.check_row(p, row, first_row + i + 1)?;
        }
        Ok(out)
    }

    /// A row of probabilities (NaN for null): none, or all in `[0, 1]` summing to 1.
    fn check_row(&self, p: &ProbabilisticSpec, row: &[f64], data_row: usize) -> Result<()> {
        // One pass for the usual row (NaN fails the range test); the error's details after.
        let (mut sum, mut in_range) = (0.0, true);
        for &x in row {
            in_range &= (0.0..=1.0).contains(&x);
            sum += x;
        }
        if in_range && (sum - 1.0).abs() <= SUM_TOLERANCE {
            return Ok(());
        }
        if row.iter().all(|x| x.is_nan()) {
            return Ok(());
        }
        let name = |j: usize| p.groups[j].1.as_str();
        if let Some(j) = row.iter().position(|x| x.is_nan()) {
            return Err(self.bad(
                name(j),
                format!("null at data row {data_row}, where the row's other group probabilities are given"),
            ));
        }
        if let Some(j) = row.iter().position(|x| !(0.0..=1.0).contains(x)) {
            return Err(self.bad(
                name(j),
                format!(
                    "probability {} at data row {data_row} is outside [0, 1]",
                    row[j]
                ),
            ));
        }
        Err(self.bad(
            name(0),
            format!(
                "the probabilities of `{}` at data row {data_row} sum to {sum}, not 1 (within {SUM_TOLERANCE}): {}",
                p.name,
                p.columns().cloned().collect::<Vec<_>>().join(", ")
            ),
        ))
    }

    /// Counts one slice's rows (`base`: its roles and ordinary attributes, as counted for the
    /// ordinary state) for every attribute known as probabilities.
    pub(crate) fn membership_slice(
        &self,
        batch: &Batch,
        base: &FairnessBatch<'_>,
    ) -> Result<Vec<MembershipPart>> {
        let mut parts = Vec::with_capacity(self.spec.probabilistic.len());
        for p in &self.spec.probabilistic {
            let probs = self.read_probabilities(batch, p, base.row_offset)?;
            let mut part = MembershipPart::empty(self.spec, p);
            let levels: Vec<Option<String>> =
                p.groups.iter().map(|(g, _)| Some(g.clone())).collect();
            let zeros = vec![0u32; base.len()];
            let mut attributes = vec![CodedAttribute {
                name: &p.name,
                codes: &zeros,
                levels: &levels,
            }];
            attributes.extend(base.attributes.iter().copied());
            let weighted = FairnessBatch {
                attributes,
                membership: Some(Membership {
                    attribute: 0,
                    probs: &probs,
                }),
                ..base.clone()
            };
            part.weighted
                .update(&weighted)
                .map_err(|e| self.core_error(e))?;
            self.count_assigned(&mut part, base, p, &probs, &levels)?;
            if let Some(bounds) = part.bounds.as_mut() {
                let (keys, rows) = self.strata_keys(batch, &p.bounds_by)?;
                self.count_strata(bounds, base, p, &probs, (&keys, &rows))?;
            }
            parts.push(part);
        }
        Ok(parts)
    }

    /// The threshold estimator: the rows whose largest probability reaches the threshold, by
    /// that group (the first of equal largest).
    fn count_assigned(
        &self,
        part: &mut MembershipPart,
        base: &FairnessBatch<'_>,
        p: &ProbabilisticSpec,
        probs: &[f64],
        levels: &[Option<String>],
    ) -> Result<()> {
        let k = p.groups.len();
        let (mut rows, mut codes) = (vec![], vec![]);
        for i in 0..base.len() {
            let row = &probs[i * k..(i + 1) * k];
            if row[0].is_nan() {
                continue;
            }
            let (g, max) =
                row.iter()
                    .enumerate()
                    .fold((0, f64::MIN), |b, (j, &x)| if x > b.1 { (j, x) } else { b });
            if max >= p.assign_threshold {
                rows.push(i);
                codes.push(g as u32);
            } else {
                part.unassigned += 1;
            }
        }
        let pick = |v: &[Option<bool>]| rows.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let label = pick(base.label);
        let prediction = base.prediction.map(pick);
        let score: Option<Vec<Option<f64>>> =
            base.score.map(|s| rows.iter().map(|&i| s[i]).collect());
        let weights: Option<Vec<f64>> = base.weights.map(|w| rows.iter().map(|&i| w[i]).collect());
        let name = p.assigned_name();
        let assigned = FairnessBatch {
            label: &label,
            prediction: prediction.as_deref(),
            score: score.as_deref(),
            attributes: vec![CodedAttribute {
                name: &name,
                codes: &codes,
                levels,
            }],
            weights: weights.as_deref(),
            membership: None,
            row_offset: base.row_offset,
        };
        part.assigned
            .update(&assigned)
            .map_err(|e| self.core_error(e))
    }
}

/// The caveat every report of an attribute known as probabilities carries.
pub fn caveat(p: &ProbabilisticSpec) -> String {
    format!(
        "`{name}` is estimated, not observed. The weighted estimate of a group's rate is biased by \
         the covariance, given the proxies (surname, place), between the outcome and true \
         membership, and tends to understate disparities; the threshold estimate \
         (`{assigned}`, p ≥ {t}) tends to overstate them, by an amount that varies with the \
         threshold (Chen, Kallus, Mao, Svacha & Udell 2019, \"Fairness under unawareness\"). \
         When both biases go these ways the two bracket the true disparity. Tests between \
         weighted groups treat them as independent samples, which rows counted in several \
         groups are not.",
        name = p.name,
        assigned = p.assigned_name(),
        t = p.assign_threshold,
    )
}

const METHOD: &str = "each row counts towards every group with its probability (times its \
    sample weight): rates are ratios of weighted sums, intervals and tests use each group's \
    Kish effective size, and a group is insufficient_data below min_group_size effective rows";

/// Adds the attributes known as probabilities to `base` (the ordinary attributes' report, if
/// any): the weighted groups (and intersections) and the threshold estimator's.
pub(crate) fn finish_membership(
    ctx: &Ctx<'_>,
    parts: &[MembershipPart],
    opts: &FairnessOptions,
    base: Option<FairnessReport>,
) -> Result<(FairnessReport, Vec<MembershipInfo>)> {
    let mut out = base;
    let mut infos = vec![];
    for (p, part) in ctx.spec.probabilistic.iter().zip(parts) {
        let weighted = part.weighted.finish(opts).map_err(|e| ctx.core_error(e))?;
        let plain = FairnessOptions {
            intersect: false,
            ..opts.clone()
        };
        let (assigned, not_reported) = match part.assigned.finish(&plain) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.to_string())),
        };
        infos.push(MembershipInfo {
            attribute: p.name.clone(),
            columns: p.groups.iter().cloned().collect::<BTreeMap<_, _>>(),
            rows_with_probabilities: part.weighted.membership_rows,
            rows_without_probabilities: part.weighted.excluded_no_membership,
            assigned_attribute: p.assigned_name(),
            assign_threshold: p.assign_threshold,
            rows_assigned: part.assigned.rows_seen,
            rows_unassigned: part.unassigned,
            assigned_not_reported: not_reported,
            method: METHOD.into(),
            caveat: caveat(p),
            bounds: bounds(ctx, p, part, &weighted)?,
        });
        let mut report = match out.take() {
            None => FairnessReport {
                attributes: vec![p.name.clone()],
                ..weighted
            },
            Some(mut r) => {
                append(&mut r, weighted, &p.name);
                r
            }
        };
        if let Some(a) = assigned {
            append(&mut report, a, &p.assigned_name());
        }
        out = Some(report);
    }
    out.map(|r| (r, infos))
        .ok_or_else(|| Error::InvalidOption("at least one sensitive attribute is needed".into()))
}

const BOUNDS_METHOD: &str = "within each stratum of the proxies, the groups' shares (the mean \
    of the rows' probabilities) and the share of positive outcomes are taken as known and every \
    coupling of the two is allowed (Kallus, Mao & Zhou 2022): a group's rate is bounded by the \
    Fréchet bounds summed over strata, a difference by the coupling that sets the two groups \
    furthest apart in each stratum. A group's TPR and FPR (with a decision) are bounded by the \
    couplings that give it the most and the fewest of the rate's numerator cell (sharp; their \
    differences and ranges take each group's extremes apart: valid, not always sharp). The \
    bounds hold whether or not the outcome depends on membership given the proxies, take each \
    stratum's observed shares as its true ones (strata of one row contribute no width), and \
    carry no sampling error";

/// The bounds of `p` (with `--bounds-by`), differences against the weighted report's reference
/// group of the attribute.
fn bounds(
    ctx: &Ctx<'_>,
    p: &ProbabilisticSpec,
    part: &MembershipPart,
    weighted: &FairnessReport,
) -> Result<Option<AttributeBounds>> {
    let Some(state) = &part.bounds else {
        return Ok(None);
    };
    let reference = weighted
        .disparities
        .iter()
        .find(|d| d.attribute == p.name)
        .map(|d| d.reference.as_str());
    // The ranges across groups over the groups the report's summaries judge.
    let left_out: Vec<String> = weighted
        .summary
        .get(&p.name)
        .map(|s| s.insufficient_groups.clone())
        .unwrap_or_default();
    let report = state
        .finish_over(reference, &left_out)
        .map_err(|e| ctx.core_error(e))?;
    Ok(Some(AttributeBounds {
        by: p.bounds_by.clone(),
        method: BOUNDS_METHOD.into(),
        report,
    }))
}

/// Appends another report's groups, disparities and summaries (attribute `name`).
fn append(to: &mut FairnessReport, from: FairnessReport, name: &str) {
    to.attributes.push(name.to_string());
    to.groups.extend(from.groups);
    to.disparities.extend(from.disparities);
    to.summary.extend(from.summary);
}
