//! The multiclass task (`--task multiclass`): the label and prediction read as classes (every
//! value its own class, nulls left out and counted), counted into the core's
//! [`MulticlassState`] a slice at a time, and finished into a [`MulticlassOutput`].

use super::part::{Ctx, FairnessPart};
use super::spec::*;
use super::visit::*;
use crate::error::{Error, Result};
use crate::io::frame::Batch;
use fairgauge_core::fairness::multiclass::{MulticlassBatch, MulticlassState, MAX_CLASSES};
use fairgauge_core::fairness::{CodedAttribute, FairnessOptions};

/// The roles the multiclass task accepts: a prediction, no score, no positive label.
pub(crate) fn check_spec(spec: &FairnessSpec) -> Result<()> {
    if spec.prediction.is_none() {
        return Err(Error::InvalidOption(
            "the multiclass task needs the predicted class (--prediction COL)".into(),
        ));
    }
    if spec.score.is_some() {
        return Err(Error::InvalidOption(
            "a score is the probability of one positive label; the multiclass task takes the predicted class (--prediction) and no --score".into(),
        ));
    }
    if spec.positive_label.is_some() {
        return Err(Error::InvalidOption(
            "the multiclass task judges every class one-vs-rest; --positive-label is for the binary task".into(),
        ));
    }
    Ok(())
}

/// Reads a class column of a slice; more than [`MAX_CLASSES`] classes is an error at once.
fn classes<'r>(
    ctx: &'r Ctx<'_>,
    batch: &Batch,
    column: &str,
    first_row: usize,
) -> Result<CategoryVisitor<'r>> {
    let mut v = CategoryVisitor::new(&ctx.rules[column], batch.len());
    ctx.visit(batch, column, &mut v)?;
    let n = v.levels.iter().filter(|l| l.is_some()).count();
    if n > MAX_CLASSES {
        return Err(ctx.bad(
            column,
            format!(
                "{n} distinct values in data rows {}–{}; the multiclass task supports at most {MAX_CLASSES} classes (is this a numeric outcome?)",
                first_row + 1,
                first_row + batch.len()
            ),
        ));
    }
    Ok(v)
}

impl Ctx<'_> {
    /// Counts one slice of a multiclass run.
    pub(crate) fn multiclass_slice(&self, batch: &Batch, first_row: usize) -> Result<FairnessPart> {
        let spec = self.spec;
        let prediction = spec.prediction.as_deref().unwrap_or_default();
        let label = classes(self, batch, &spec.label, first_row)?;
        let predicted = classes(self, batch, prediction, first_row)?;
        let weights = match &spec.weight {
            Some(w) => {
                let null = |i: usize| label.levels[label.codes[i] as usize].is_none();
                Some(self.read_weights(batch, w, first_row, &null)?)
            }
            None => None,
        };
        let attrs = self.read_attributes(batch)?;
        let mut state = MulticlassState::new(spec.sensitive.clone());
        if weights.is_some() {
            state = state.weighted();
            // The bootstrap with sample weights draws a weight for every row.
            if spec.keep_labels {
                state = state.keeping_weights();
            }
        }
        let input = MulticlassBatch {
            label: CodedAttribute {
                name: &spec.label,
                codes: &label.codes,
                levels: &label.levels,
            },
            prediction: CodedAttribute {
                name: prediction,
                codes: &predicted.codes,
                levels: &predicted.levels,
            },
            attributes: self.coded(&attrs),
            weights: weights.as_deref(),
            row_offset: first_row,
        };
        state.update(&input).map_err(|e| self.core_error(e))?;
        let mut part = FairnessPart::empty(spec);
        part.multiclass = Some(state);
        part.label = distinct(&label);
        part.prediction = distinct(&predicted);
        part.sensitive_non_null = attrs.iter().map(|a| a.non_null).collect();
        Ok(part)
    }
}

/// The values a class column held (capped, for messages) and its non-null count.
fn distinct(v: &CategoryVisitor<'_>) -> Distinct {
    let mut d = Distinct {
        non_null: v.non_null,
        ..Default::default()
    };
    for l in v.levels.iter().flatten() {
        if d.values.len() < DISTINCT_CAP {
            d.values.insert(l.clone());
        }
    }
    d
}

/// Finishes a multiclass part into its report.
pub(crate) fn finish_multiclass(
    ctx: &Ctx<'_>,
    part: FairnessPart,
    opts: &FairnessOptions,
) -> Result<MulticlassOutput> {
    let state = part.multiclass.as_ref().ok_or_else(|| {
        Error::InvalidOption("the parts were counted for the binary task, not multiclass".into())
    })?;
    ctx.check_rows(state.rows_seen, &part, "the multiclass task needs classes")?;
    let report = state.finish(opts).map_err(|e| ctx.core_error(e))?;
    Ok(MulticlassOutput {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        input: ctx.input_info(),
        roles: ctx.task_roles(),
        report,
    })
}
