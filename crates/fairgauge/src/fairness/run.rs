//! Running fairness on a table, or finishing parts counted elsewhere: the roles validated (a
//! binary label and prediction), the report finished.

use super::multiclass::finish_multiclass;
use super::part::{Ctx, FairnessPart};
use super::parts::*;
use super::ranking::finish_ranking;
use super::regression::finish_regression;
use super::spec::*;
use crate::error::{Error, Result};
use crate::io::source::Table;
use crate::io::Progress;
use fairgauge_core::fairness::FairnessOptions;

/// Runs a fairness assessment of `table` (the binary task; [`run_task`] runs any task).
pub fn run_fairness(
    table: &Table,
    spec: &FairnessSpec,
    opts: &FairnessOptions,
    progress: Option<Progress>,
) -> Result<FairnessOutput> {
    let part = fairness_part(table, spec, progress)?;
    finish_fairness(table, spec, opts, part)
}

/// Runs a fairness assessment of `table` for the spec's task (binary or multiclass).
pub fn run_task(
    table: &Table,
    spec: &FairnessSpec,
    opts: &FairnessOptions,
    progress: Option<Progress>,
) -> Result<TaskOutput> {
    // The bootstrap of a regression resamples rows: their labels must be kept.
    let keeping;
    let spec = if opts.bootstrap.is_some() && !spec.keep_labels {
        keeping = FairnessSpec {
            keep_labels: true,
            ..spec.clone()
        };
        &keeping
    } else {
        spec
    };
    let part = fairness_part(table, spec, progress)?;
    finish_task(table, spec, opts, part)
}

/// Finishes merged parts into the report of the spec's task.
pub fn finish_task(
    table: &Table,
    spec: &FairnessSpec,
    opts: &FairnessOptions,
    part: FairnessPart,
) -> Result<TaskOutput> {
    let ctx = context(table, spec)?;
    Ok(match spec.task {
        Task::Binary => TaskOutput::Binary(Box::new(finish(&ctx, part, opts)?)),
        Task::Multiclass => TaskOutput::Multiclass(Box::new(finish_multiclass(&ctx, part, opts)?)),
        Task::Regression => TaskOutput::Regression(Box::new(finish_regression(&ctx, part, opts)?)),
        Task::Ranking => TaskOutput::Ranking(Box::new(finish_ranking(&ctx, part, opts)?)),
    })
}

/// Finishes merged parts into the report of the table they came from (`table` names it in the
/// report and in errors; its rows are not read). The binary task's report;
/// [`finish_task`] finishes any task.
pub fn finish_fairness(
    table: &Table,
    spec: &FairnessSpec,
    opts: &FairnessOptions,
    part: FairnessPart,
) -> Result<FairnessOutput> {
    if spec.task != Task::Binary {
        return Err(Error::InvalidOption(format!(
            "the {} task's report comes from run_task / finish_task",
            spec.task.name()
        )));
    }
    let ctx = context(table, spec)?;
    finish(&ctx, part, opts)
}

pub(crate) fn finish(
    ctx: &Ctx<'_>,
    a: FairnessPart,
    opts: &FairnessOptions,
) -> Result<FairnessOutput> {
    let spec = ctx.spec;
    let table = ctx.table;
    if a.state.rows_seen == 0 {
        return Err(Error::Format {
            path: table.path.clone(),
            message: "the table has no data rows".into(),
        });
    }
    if a.label.non_null == 0 {
        return Err(ctx.bad(
            &spec.label,
            "every value is null; the label role needs values".into(),
        ));
    }
    if let Some(p) = &spec.prediction {
        if a.prediction.non_null == 0 {
            return Err(ctx.bad(
                p,
                "every value is null; the prediction role needs values".into(),
            ));
        }
    }
    if let Some(s) = &spec.score {
        if a.score_non_null == 0 {
            return Err(ctx.bad(s, "every value is null; the score role needs values".into()));
        }
    }
    for (name, &nn) in spec.sensitive.iter().zip(&a.sensitive_non_null) {
        if nn == 0 {
            return Err(ctx.bad(
                name,
                "every value is null; a sensitive attribute needs values".into(),
            ));
        }
    }
    check_binary(ctx, &a)?;
    let positive = a
        .label
        .positive(ctx.positive.as_deref())
        .map_err(|m| ctx.bad(&spec.label, m))?;
    if let Some(p) = &spec.prediction {
        // Every prediction value must be the positive label or one of the label's values, so that
        // the mapping cannot depend on whether the positive label was given or inferred.
        for v in &a.prediction.values {
            if v != &positive && !a.label.values.contains(v) {
                return Err(ctx.bad(
                    p,
                    format!(
                        "prediction value `{v}` is neither the positive label `{positive}` nor one of the label's values ({})",
                        a.label.list()
                    ),
                ));
            }
        }
        if a.prediction.values.len() == 2 && !a.prediction.values.contains(&positive) {
            return Err(ctx.bad(
                p,
                format!(
                    "the prediction's values {} do not include the positive label `{positive}`",
                    a.prediction.list()
                ),
            ));
        }
    }
    let base = if spec.sensitive.is_empty() {
        None
    } else {
        Some(a.state.finish(opts).map_err(|e| ctx.core_error(e))?)
    };
    let (report, membership) = match (base, spec.probabilistic.is_empty()) {
        (Some(r), true) => (r, vec![]),
        (base, _) => super::membership::finish_membership(ctx, &a.membership, opts, base)?,
    };
    Ok(FairnessOutput {
        membership,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        input: InputInfo {
            path: table.name().to_path_buf(),
            format: table.format_name(),
            schema_file: table.schema_file().map(|p| p.to_path_buf()),
        },
        roles: ResolvedRoles {
            label: spec.label.clone(),
            prediction: spec.prediction.clone(),
            score: spec.score.clone(),
            threshold: (spec.prediction.is_none() && spec.score.is_some())
                .then_some(spec.threshold),
            sensitive: spec.sensitive.clone(),
            weight: spec.weight.clone(),
            positive_label: positive,
            label_values: a.label.values.iter().cloned().collect(),
            prediction_values: a.prediction.values.iter().cloned().collect(),
        },
        report,
    })
}
