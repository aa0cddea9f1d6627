//! Counting rows into the core's mergeable state, a slice of a batch at a time and in parallel;
//! a table's part ([`FairnessPart`]) as the Spark and Dask engines send it.

use super::part::{Ctx, FairnessPart};
use super::spec::*;
use super::visit::*;
use crate::error::{Error, Result};
use crate::io::frame::{fold_coded_batches, Batch, Visit};
use crate::io::source::Table;
use crate::io::text::canonical_text;
use crate::io::Progress;
use fairgauge_core::fairness::multiclass::MulticlassState;
use fairgauge_core::fairness::regression::RegressionState;
use fairgauge_core::fairness::{CodedAttribute, FairnessBatch, FairnessState};
use rayon::prelude::*;
use std::collections::BTreeSet;

impl Ctx<'_> {
    pub(crate) fn bad(&self, column: &str, message: String) -> Error {
        Error::BadColumn {
            path: self.table.path.clone(),
            column: column.to_string(),
            message,
        }
    }

    /// A value that is not a number: `(row, value)` in a slice starting at data row
    /// `first_row`, `needs` saying what the column holds.
    pub(crate) fn not_a_number(
        &self,
        column: &str,
        (row, value): (usize, String),
        first_row: usize,
        needs: &str,
    ) -> Error {
        self.bad(
            column,
            format!(
                "value `{value}` at data row {} is not a number ({needs})",
                first_row + row + 1
            ),
        )
    }

    pub(crate) fn visit<V: Visit>(&self, batch: &Batch, column: &str, v: &mut V) -> Result<()> {
        batch
            .visit(column, v)
            .map_err(|m| self.bad(column, format!("cannot read values: {m}")))
    }

    pub(crate) fn process_slice(&self, batch: &Batch, first_row: usize) -> Result<FairnessPart> {
        match self.spec.task {
            Task::Multiclass => return self.multiclass_slice(batch, first_row),
            Task::Regression => return self.regression_slice(batch, first_row),
            Task::Ranking => return self.ranking_slice(batch, first_row),
            Task::Binary => {}
        }
        let n = batch.len();
        let spec = self.spec;
        let mut label = BinaryVisitor::new(&self.rules[&spec.label], self.positive.as_deref(), n);
        self.visit(batch, &spec.label, &mut label)?;
        let mut prediction = None;
        if let Some(p) = &spec.prediction {
            let mut v = BinaryVisitor::new(&self.rules[p], self.positive.as_deref(), n);
            self.visit(batch, p, &mut v)?;
            prediction = Some(v);
        }
        let mut score = None;
        if let Some(s) = &spec.score {
            let mut v = ScoreVisitor {
                rules: &self.rules[s],
                out: Vec::with_capacity(n),
                bad: None,
            };
            self.visit(batch, s, &mut v)?;
            if let Some(bad) = v.bad {
                return Err(self.not_a_number(
                    s,
                    bad,
                    first_row,
                    "scores are probabilities in [0, 1]",
                ));
            }
            for (i, x) in v.out.iter().enumerate() {
                if let Some(x) = x {
                    if !(0.0..=1.0).contains(x) {
                        return Err(self.bad(
                            s,
                            format!(
                                "score {x} at data row {} is outside [0, 1] (scores are probabilities; NaN is not allowed)",
                                first_row + i + 1
                            ),
                        ));
                    }
                }
            }
            score = Some(v);
        }
        let weights = match &spec.weight {
            Some(w) => Some(self.read_weights(batch, w, first_row, &|i| label.out[i].is_none())?),
            None => None,
        };
        let attrs = self.read_attributes(batch)?;
        // Without a prediction column, a score gives the prediction through the threshold.
        let derived: Option<Vec<Option<bool>>> = match (&prediction, &score) {
            (None, Some(s)) => Some(
                s.out
                    .iter()
                    .map(|x| x.map(|x| x >= spec.threshold))
                    .collect(),
            ),
            _ => None,
        };
        let pred_slice: Option<&[Option<bool>]> = match (&prediction, &derived) {
            (Some(p), _) => Some(&p.out),
            (None, Some(d)) => Some(d),
            _ => None,
        };
        let mut state = FairnessState::new(
            spec.sensitive.clone(),
            pred_slice.is_some(),
            score.is_some(),
        );
        if weights.is_some() {
            state = state.weighted();
            if keeps_weights(spec) {
                state = state.keeping_weights();
            }
        }
        let batch_in = FairnessBatch {
            label: &label.out,
            prediction: pred_slice,
            score: score.as_ref().map(|s| s.out.as_slice()),
            attributes: self.coded(&attrs),
            weights: weights.as_deref(),
            membership: None,
            row_offset: first_row,
        };
        // Without ordinary attributes the state only counts the rows (one cell).
        state.update(&batch_in).map_err(|e| self.core_error(e))?;
        let membership = self.membership_slice(batch, &batch_in)?;
        Ok(FairnessPart {
            membership,
            state,
            label: label.distinct,
            prediction: prediction.map(|p| p.distinct).unwrap_or_default(),
            score_non_null: score
                .map(|s| s.out.iter().filter(|x| x.is_some()).count() as u64)
                .unwrap_or(0),
            sensitive_non_null: attrs.iter().map(|a| a.non_null).collect(),
            multiclass: None,
            regression: None,
            ranking: None,
        })
    }
}

impl Ctx<'_> {
    /// What the multiclass and regression tasks need of a part before finishing: rows, and a
    /// label, a prediction and every sensitive attribute not entirely null (`needs` says what
    /// the label and prediction must hold, for the message).
    pub(crate) fn check_rows(
        &self,
        rows_seen: u64,
        part: &FairnessPart,
        needs: &str,
    ) -> Result<()> {
        let spec = self.spec;
        let prediction = spec.prediction.as_deref().unwrap_or_default();
        self.check_non_null(
            rows_seen,
            part,
            [
                (spec.label.as_str(), part.label.non_null),
                (prediction, part.prediction.non_null),
            ],
            needs,
        )
    }

    /// Rows, each `(role column, non-null values)` with a value, and every sensitive attribute
    /// not entirely null.
    pub(crate) fn check_non_null(
        &self,
        rows_seen: u64,
        part: &FairnessPart,
        roles: [(&str, u64); 2],
        needs: &str,
    ) -> Result<()> {
        if rows_seen == 0 {
            return Err(Error::Format {
                path: self.table.path.clone(),
                message: "the table has no data rows".into(),
            });
        }
        for (column, nn) in roles {
            if nn == 0 {
                return Err(self.bad(column, format!("every value is null; {needs}")));
            }
        }
        for (name, &nn) in self.spec.sensitive.iter().zip(&part.sensitive_non_null) {
            if nn == 0 {
                return Err(self.bad(
                    name,
                    "every value is null; a sensitive attribute needs values".into(),
                ));
            }
        }
        Ok(())
    }

    /// A numeric role column of a slice; the first value that is not a number (text, a
    /// boolean, NaN, ±inf) is an error naming it and its data row (`needs` says why numbers).
    pub(crate) fn numbers(
        &self,
        batch: &Batch,
        column: &str,
        first_row: usize,
        needs: &str,
    ) -> Result<Vec<Option<f64>>> {
        let mut v = ScoreVisitor {
            rules: &self.rules[column],
            out: Vec::with_capacity(batch.len()),
            bad: None,
        };
        self.visit(batch, column, &mut v)?;
        let bad = v.bad.or_else(|| {
            v.out
                .iter()
                .position(|x| x.is_some_and(|x| !x.is_finite()))
                .map(|i| (i, v.out[i].unwrap_or_default().to_string()))
        });
        match bad {
            Some((row, value)) => Err(self.bad(
                column,
                format!(
                    "value `{value}` at data row {} is not a finite number ({needs})",
                    first_row + row + 1
                ),
            )),
            None => Ok(v.out),
        }
    }

    /// The input as a report names it.
    pub(crate) fn input_info(&self) -> InputInfo {
        InputInfo {
            path: self.table.name().to_path_buf(),
            format: self.table.format_name(),
            schema_file: self.table.schema_file().map(|p| p.to_path_buf()),
        }
    }

    /// The core's error, naming the file.
    pub(crate) fn core_error(&self, e: fairgauge_core::Error) -> Error {
        Error::Core {
            context: format!("{}: ", self.table.path.display()),
            source: e,
        }
    }

    /// The roles of a multiclass or regression report.
    pub(crate) fn task_roles(&self) -> MulticlassRoles {
        MulticlassRoles {
            label: self.spec.label.clone(),
            prediction: self.spec.prediction.clone().unwrap_or_default(),
            sensitive: self.spec.sensitive.clone(),
            weight: self.spec.weight.clone(),
        }
    }

    /// The sensitive attributes of a slice, dictionary-encoded; more than [`MAX_GROUPS`]
    /// groups is an error.
    pub(crate) fn read_attributes(&self, batch: &Batch) -> Result<Vec<CategoryVisitor<'_>>> {
        let mut attrs = Vec::with_capacity(self.spec.sensitive.len());
        for a in &self.spec.sensitive {
            let mut v = CategoryVisitor::new(&self.rules[a], batch.len());
            self.visit(batch, a, &mut v)?;
            if v.levels.len() > MAX_GROUPS {
                return Err(self.bad(
                    a,
                    format!(
                        "more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups (is this an identifier or a continuous column? bin it first)"
                    ),
                ));
            }
            attrs.push(v);
        }
        Ok(attrs)
    }

    /// The sensitive attributes read by [`Ctx::read_attributes`] as the core takes them.
    pub(crate) fn coded<'b>(&'b self, attrs: &'b [CategoryVisitor<'_>]) -> Vec<CodedAttribute<'b>> {
        attrs
            .iter()
            .zip(&self.spec.sensitive)
            .map(|(v, name)| CodedAttribute {
                name,
                codes: &v.codes,
                levels: &v.levels,
            })
            .collect()
    }

    /// The weight column of a slice; the first value that is not a finite number `≥ 0` is an
    /// error naming the data row, except a null at a row `left_out` says the run leaves out
    /// anyway (its label or query is null: a blank CSV line is such a row to polars).
    pub(crate) fn read_weights(
        &self,
        batch: &Batch,
        column: &str,
        first_row: usize,
        left_out: &dyn Fn(usize) -> bool,
    ) -> Result<Vec<f64>> {
        let mut v = WeightVisitor {
            rules: &self.rules[column],
            out: Vec::with_capacity(batch.len()),
            bad: None,
            left_out,
        };
        self.visit(batch, column, &mut v)?;
        match v.bad {
            Some((row, value)) => Err(self.bad(
                column,
                format!(
                    "weight {value} at data row {} is not a number ≥ 0 (sample weights must be finite and non-negative; nulls are not allowed)",
                    first_row + row + 1
                ),
            )),
            None => Ok(v.out),
        }
    }
}

/// Whether the binary state keeps every row's sample weight: for the bootstrap with sample
/// weights, which draws a weight for every row (the multiclass state likewise).
fn keeps_weights(spec: &FairnessSpec) -> bool {
    spec.keep_labels && spec.task == Task::Binary
}

/// Rows per parallel slice of a batch.
pub(crate) const SLICE_ROWS: usize = 1 << 16;

pub(crate) fn context<'a>(table: &'a Table, spec: &'a FairnessSpec) -> Result<Ctx<'a>> {
    let ranking = super::ranking::role_columns(spec);
    let columns = std::iter::once(&spec.label)
        .chain(spec.prediction.iter())
        .chain(spec.score.iter())
        .chain(spec.weight.iter())
        .chain(spec.sensitive.iter())
        .chain(spec.probabilistic.iter().flat_map(|p| p.columns()))
        .chain(spec.probabilistic.iter().flat_map(|p| p.bounds_by.iter()))
        .chain(ranking.iter());
    Ok(Ctx {
        table,
        spec,
        positive: spec.positive_label.as_deref().map(canonical_text),
        rules: columns.map(|c| (c.clone(), table.text_rules(c))).collect(),
    })
}

impl FairnessPart {
    /// The part of no rows, for the given roles.
    pub fn empty(spec: &FairnessSpec) -> FairnessPart {
        let has_pred = spec.prediction.is_some() || spec.score.is_some();
        let mut state = FairnessState::new(spec.sensitive.clone(), has_pred, spec.score.is_some());
        if spec.weight.is_some() {
            state = state.weighted();
            if keeps_weights(spec) {
                state = state.keeping_weights();
            }
        }
        let multiclass = (spec.task == Task::Multiclass).then(|| {
            let s = MulticlassState::new(spec.sensitive.clone());
            match (spec.weight.is_some(), spec.keep_labels) {
                (true, true) => s.weighted().keeping_weights(),
                (true, false) => s.weighted(),
                _ => s,
            }
        });
        let regression = (spec.task == Task::Regression).then(|| {
            let mut s = RegressionState::new(spec.sensitive.clone(), spec.above_threshold);
            s.keep_labels = spec.keep_labels;
            if spec.weight.is_some() {
                s = s.weighted();
            }
            s
        });
        let ranking = (spec.task == Task::Ranking)
            .then(|| super::ranking::empty_state(spec))
            .flatten();
        FairnessPart {
            membership: spec
                .probabilistic
                .iter()
                .map(|p| super::part::MembershipPart::empty(spec, p))
                .collect(),
            state,
            label: Distinct::default(),
            prediction: Distinct::default(),
            score_non_null: 0,
            sensitive_non_null: vec![0; spec.sensitive.len()],
            multiclass,
            regression,
            ranking,
        }
    }

    /// Adds another part (of the same roles).
    pub fn merge(&mut self, other: FairnessPart) -> Result<()> {
        merge_parts(self, other)
    }

    /// The compact binary form ([`fairgauge_core::state_codec`], kind `FairnessPart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(fairgauge_core::state_codec::StateKind::FairnessPart, self)
    }

    /// Reads an encoded part; a foreign, newer or other-kind state is an error saying which.
    pub fn decode(bytes: &[u8]) -> Result<FairnessPart> {
        crate::io::part_codec::decode(
            fairgauge_core::state_codec::StateKind::FairnessPart,
            bytes,
            "a fairness part",
        )
    }
}

/// One part of a batch's slice parts (none for an empty batch), merged pairwise in parallel —
/// neighbours first, in row order, level by level — so that a batch costs the accumulator one
/// merge, not one per slice: score histograms hold a distinct score each, and merging each slice
/// into the growing accumulator cost the accumulator's size per slice.
pub(crate) fn merged_in_pairs(mut parts: Vec<FairnessPart>) -> Result<Option<FairnessPart>> {
    while parts.len() > 1 {
        parts = parts
            .into_par_iter()
            .chunks(2)
            .map(|pair| {
                let mut pair = pair.into_iter();
                let mut merged = pair.next();
                if let (Some(first), Some(second)) = (merged.as_mut(), pair.next()) {
                    merge_parts(first, second)?;
                }
                Ok(merged)
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
    }
    Ok(parts.pop())
}

pub(crate) fn merge_parts(acc: &mut FairnessPart, part: FairnessPart) -> Result<()> {
    acc.state.merge(&part.state)?;
    if acc.membership.len() != part.membership.len() {
        return Err(Error::InvalidOption(
            "cannot merge parts counted for different sensitive probabilities".into(),
        ));
    }
    for (a, b) in acc.membership.iter_mut().zip(&part.membership) {
        a.merge(b)?;
    }
    match (&mut acc.multiclass, &part.multiclass) {
        (Some(a), Some(b)) => a.merge(b)?,
        (None, None) => {}
        _ => {
            return Err(Error::InvalidOption(
                "cannot merge parts counted for different tasks".into(),
            ))
        }
    }
    match (&mut acc.regression, &part.regression) {
        (Some(a), Some(b)) => a.merge(b)?,
        (None, None) => {}
        _ => {
            return Err(Error::InvalidOption(
                "cannot merge parts counted for different tasks".into(),
            ))
        }
    }
    match (&mut acc.ranking, &part.ranking) {
        (Some(a), Some(b)) => a.merge(b)?,
        (None, None) => {}
        _ => {
            return Err(Error::InvalidOption(
                "cannot merge parts counted for different tasks".into(),
            ))
        }
    }
    acc.label.merge(&part.label);
    acc.prediction.merge(&part.prediction);
    acc.score_non_null += part.score_non_null;
    for (a, b) in acc
        .sensitive_non_null
        .iter_mut()
        .zip(part.sensitive_non_null)
    {
        *a += b;
    }
    Ok(())
}

/// Counts `table` (all of a table, or one part of a larger one) into a mergeable
/// [`FairnessPart`]. Role values are checked as in [`run_fairness`](crate::fairness::run::run_fairness); row numbers in errors count
/// from the part's first row.
pub fn fairness_part(
    table: &Table,
    spec: &FairnessSpec,
    progress: Option<Progress>,
) -> Result<FairnessPart> {
    if spec.sensitive.is_empty() && spec.probabilistic.is_empty() {
        return Err(Error::InvalidOption(
            "at least one sensitive attribute is needed (--sensitive COL[,COL…])".into(),
        ));
    }
    super::membership::check_spec(spec)?;
    if !(spec.threshold.is_finite() && (0.0..=1.0).contains(&spec.threshold)) {
        return Err(Error::InvalidOption(format!(
            "the threshold must be in [0, 1], given {}",
            spec.threshold
        )));
    }
    let mut columns: Vec<String> = if spec.task == Task::Ranking {
        super::ranking::check_spec(spec)?;
        super::ranking::role_columns(spec)
    } else {
        let mut c = vec![spec.label.clone()];
        c.extend(spec.prediction.iter().cloned());
        c.extend(spec.score.iter().cloned());
        c
    };
    columns.extend(spec.weight.iter().cloned());
    columns.extend(spec.sensitive.iter().cloned());
    columns.extend(spec.probabilistic.iter().flat_map(|p| p.columns().cloned()));
    let mut seen = BTreeSet::new();
    for c in &columns {
        if !seen.insert(c) {
            return Err(Error::InvalidOption(format!(
                "column `{c}` is given for two roles; label, prediction, score, weight, list, rank, relevance and sensitive attributes must be different columns"
            )));
        }
    }
    super::membership::check_strata(spec, &seen)?;
    for c in spec.probabilistic.iter().flat_map(|p| &p.bounds_by) {
        if !columns.contains(c) {
            columns.push(c.clone());
        }
    }

    match spec.task {
        Task::Multiclass => super::multiclass::check_spec(spec)?,
        Task::Regression => super::regression::check_spec(spec)?,
        Task::Binary | Task::Ranking => {}
    }
    table.require_columns(&columns.iter().map(|s| s.as_str()).collect::<Vec<_>>())?;
    let ctx = context(table, spec)?;
    // Batches are counted here, each split into slices counted in parallel; an error stops the
    // reader. A CSV read as codes that meets what polars reads otherwise starts over on a fresh
    // part (`fold_coded_batches`).
    // Pairwise merging regroups sums: only where every sum is a count (exact in any order). Float
    // sums (weights, probabilities, regression errors, ranking exposure) keep their row order, so
    // their last digits do not depend on how a batch is merged.
    let counts_only = matches!(spec.task, Task::Binary | Task::Multiclass)
        && spec.weight.is_none()
        && spec.probabilistic.is_empty();
    let init = || (FairnessPart::empty(spec), 0u64);
    let ((mut acc, _), blank) =
        fold_coded_batches(table, &columns, init, |state, batch, offset| {
            let (acc, rows_done) = state;
            let starts: Vec<usize> = (0..batch.len()).step_by(SLICE_ROWS).collect();
            let parts: Result<Vec<FairnessPart>> = starts
                .par_iter()
                .map(|&s| {
                    let len = SLICE_ROWS.min(batch.len() - s);
                    ctx.process_slice(&batch.slice(s, len), offset + s)
                })
                .collect();
            if counts_only {
                if let Some(part) = merged_in_pairs(parts?)? {
                    merge_parts(acc, part)?;
                }
            } else {
                for p in parts? {
                    merge_parts(acc, p)?;
                }
            }
            match spec.task {
                Task::Binary => check_binary(&ctx, acc)?,
                Task::Multiclass => check_classes(&ctx, acc)?,
                Task::Regression | Task::Ranking => {}
            }
            *rows_done += batch.len() as u64;
            if let Some(p) = &progress {
                p(*rows_done);
            }
            Ok(())
        })?;
    // polars reads each blank CSV line as a row of nulls: take them back out.
    acc.state.rows_seen = acc.state.rows_seen.saturating_sub(blank);
    acc.state.excluded_null_label = acc.state.excluded_null_label.saturating_sub(blank);
    for m in &mut acc.membership {
        m.weighted.rows_seen = m.weighted.rows_seen.saturating_sub(blank);
        let w = &mut m.weighted;
        w.excluded_null_label = w.excluded_null_label.saturating_sub(blank);
    }
    if let Some(m) = &mut acc.multiclass {
        m.rows_seen = m.rows_seen.saturating_sub(blank);
        m.excluded_null_label = m.excluded_null_label.saturating_sub(blank);
    }
    if let Some(r) = &mut acc.regression {
        r.rows_seen = r.rows_seen.saturating_sub(blank);
        r.excluded_null_label = r.excluded_null_label.saturating_sub(blank);
    }
    if let Some(r) = &mut acc.ranking {
        r.rows_seen = r.rows_seen.saturating_sub(blank);
        r.excluded_null_query = r.excluded_null_query.saturating_sub(blank);
    }
    Ok(acc)
}

/// Checks the classes seen so far (after every batch): at most
/// [`MAX_CLASSES`](fairgauge_core::fairness::multiclass::MAX_CLASSES) in the label and the
/// prediction together.
pub(crate) fn check_classes(ctx: &Ctx<'_>, a: &FairnessPart) -> Result<()> {
    use fairgauge_core::fairness::multiclass::MAX_CLASSES;
    let Some(m) = &a.multiclass else {
        return Ok(());
    };
    let (labels, predicted) = m.classes_seen();
    let all: BTreeSet<&String> = labels.iter().chain(&predicted).collect();
    if all.len() > MAX_CLASSES {
        return Err(ctx.bad(
            &ctx.spec.label,
            format!(
                "{} classes in the label and prediction together; the multiclass task supports at most {MAX_CLASSES}",
                all.len()
            ),
        ));
    }
    Ok(())
}

/// Checks the label and prediction values seen so far (called after every batch, so a wrong
/// column fails fast).
pub(crate) fn check_binary(ctx: &Ctx<'_>, a: &FairnessPart) -> Result<()> {
    let spec = ctx.spec;
    for (i, name) in spec.sensitive.iter().enumerate() {
        let distinct: BTreeSet<&Option<String>> = a.state.cells.keys().map(|k| &k[i]).collect();
        if distinct.len() > MAX_GROUPS {
            return Err(ctx.bad(
                name,
                format!(
                    "more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups (is this an identifier or a continuous column? bin it first)"
                ),
            ));
        }
    }
    if a.label.values.len() > 2 {
        return Err(ctx.bad(
            &spec.label,
            format!(
                "the label has more than two values ({}); binary classification needs two (for a classifier of up to {} classes use --task multiclass, for numbers --task regression; task= in Python)",
                a.label.list(),
                fairgauge_core::fairness::multiclass::MAX_CLASSES
            ),
        ));
    }
    if let Some(p) = &spec.prediction {
        if a.prediction.values.len() > 2 {
            return Err(ctx.bad(
                p,
                format!(
                    "the prediction has more than two values ({}); expected the positive label and one other value",
                    a.prediction.list()
                ),
            ));
        }
    }
    Ok(())
}
