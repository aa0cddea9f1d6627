//! The regression task (`--task regression`): the label and prediction read as numbers (a value
//! that is not a number is an error naming it and its row; nulls are left out and counted),
//! counted into the core's [`RegressionState`] a slice at a time, and finished into a
//! [`RegressionOutput`].

use super::part::{Ctx, FairnessPart};
use super::spec::*;
use crate::error::{Error, Result};
use crate::io::frame::Batch;
use fairgauge_core::fairness::regression::{RegressionBatch, RegressionState};
use fairgauge_core::fairness::FairnessOptions;

/// The roles the regression task accepts: a prediction, optional sample weights, no score, no
/// positive label.
pub(crate) fn check_spec(spec: &FairnessSpec) -> Result<()> {
    if spec.prediction.is_none() {
        return Err(Error::InvalidOption(
            "the regression task needs the predicted value (--prediction COL)".into(),
        ));
    }
    if spec.score.is_some() || spec.positive_label.is_some() {
        return Err(Error::InvalidOption(
            "the regression task takes a numeric --label and --prediction; --score and --positive-label are for the binary task".into(),
        ));
    }
    if let Some(t) = spec.above_threshold {
        if !t.is_finite() {
            return Err(Error::InvalidOption(format!(
                "the threshold must be a finite number, given {t}"
            )));
        }
    }
    Ok(())
}

impl Ctx<'_> {
    /// Counts one slice of a regression run.
    pub(crate) fn regression_slice(&self, batch: &Batch, first_row: usize) -> Result<FairnessPart> {
        let spec = self.spec;
        let prediction = spec.prediction.as_deref().unwrap_or_default();
        let needs = "the regression task needs numbers; for classes use --task multiclass";
        let label = self.numbers(batch, &spec.label, first_row, needs)?;
        let predicted = self.numbers(batch, prediction, first_row, needs)?;
        let weights = match &spec.weight {
            Some(w) => Some(self.read_weights(batch, w, first_row, &|i| label[i].is_none())?),
            None => None,
        };
        let attrs = self.read_attributes(batch)?;
        let mut state = RegressionState::new(spec.sensitive.clone(), spec.above_threshold);
        state.keep_labels = spec.keep_labels;
        if weights.is_some() {
            state = state.weighted();
        }
        let input = RegressionBatch {
            label: &label,
            prediction: &predicted,
            attributes: self.coded(&attrs),
            weights: weights.as_deref(),
            row_offset: first_row,
        };
        state.update(&input).map_err(|e| self.core_error(e))?;
        let mut part = FairnessPart::empty(spec);
        part.regression = Some(state);
        part.label.non_null = label.iter().filter(|x| x.is_some()).count() as u64;
        part.prediction.non_null = predicted.iter().filter(|x| x.is_some()).count() as u64;
        part.sensitive_non_null = attrs.iter().map(|a| a.non_null).collect();
        Ok(part)
    }
}

/// Finishes a regression part into its report.
pub(crate) fn finish_regression(
    ctx: &Ctx<'_>,
    part: FairnessPart,
    opts: &FairnessOptions,
) -> Result<RegressionOutput> {
    let state = part.regression.as_ref().ok_or_else(|| {
        Error::InvalidOption("the parts were counted for another task, not regression".into())
    })?;
    ctx.check_rows(state.rows_seen, &part, "the regression task needs numbers")?;
    let report = state.finish(opts).map_err(|e| ctx.core_error(e))?;
    Ok(RegressionOutput {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        input: ctx.input_info(),
        roles: ctx.task_roles(),
        report,
    })
}
