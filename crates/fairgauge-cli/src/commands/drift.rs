//! `fairgauge drift`: per-column and dataset drift between a reference and a current table.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::drift::{run_drift, Correction, DriftSpec, Method};
use fairgauge::evidence::FindingStatus;

use crate::output::Format;
use crate::read_args::ReadArgs;
use crate::status::ExitStatus;

/// `--fail-on` of `drift`: what drifting stops the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftGate {
    /// The dataset drifted, as `assess` judges it.
    Dataset,
    /// Any column's drift failed.
    Column,
}

/// Arguments of `fairgauge drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference table (e.g. the training data).
    pub reference: PathBuf,
    /// The current table (e.g. this week's production inputs).
    pub current: PathBuf,
    /// Columns to compare, comma-separated (default: every column both tables have).
    #[arg(long, value_delimiter = ',', value_name = "COL,…")]
    pub columns: Option<Vec<String>>,
    /// Columns to leave out, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COL,…")]
    pub exclude: Vec<String>,
    /// Method for every column: auto (Evidently's choice by type and size), ks, psi, wasserstein,
    /// jensenshannon, hellinger, kl, anderson, cramer_von_mises, energy, mannwhitney, ttest,
    /// chisquare, gtest, fisher, ztest, tvd, linf.
    #[arg(long, default_value = "auto", value_name = "METHOD")]
    pub method: String,
    /// Method for numeric columns (overrides --method).
    #[arg(long, value_name = "METHOD")]
    pub numeric_method: Option<String>,
    /// Method for categorical columns (overrides --method).
    #[arg(long, value_name = "METHOD")]
    pub categorical_method: Option<String>,
    /// Method for one column, repeatable: COL=METHOD (overrides the others).
    #[arg(long = "column-method", value_name = "COL=METHOD")]
    pub column_methods: Vec<String>,
    /// Threshold for every column (default per method: 0.05 on p-values, 0.1 on distances).
    #[arg(long, value_name = "T")]
    pub threshold: Option<f64>,
    /// Multiple-testing correction across p-value methods.
    #[arg(long, default_value = "bh", value_parser = ["bh", "bonferroni", "none"])]
    pub correction: String,
    /// The dataset drifts when at least this share of columns drift.
    #[arg(long, default_value_t = 0.5, value_name = "SHARE")]
    pub dataset_threshold: f64,
    /// Bins (at reference quantiles) for histogram methods on numeric columns.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub bins: usize,
    /// Fairness drift: the label column (with --sensitive, and --prediction or --score).
    #[arg(long, value_name = "COL", requires = "sensitive")]
    pub label: Option<String>,
    /// Fairness drift: the model's decision column.
    #[arg(long, value_name = "COL", requires = "label")]
    pub prediction: Option<String>,
    /// Fairness drift: the model's score column (decision: score >= --score-threshold).
    #[arg(long, value_name = "COL", requires = "label")]
    pub score: Option<String>,
    /// Fairness drift: threshold on the score.
    #[arg(long, default_value_t = 0.5, value_name = "T")]
    pub score_threshold: f64,
    /// Fairness drift: sensitive attributes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COL,…", requires = "label")]
    pub sensitive: Vec<String>,
    /// Fairness drift: the positive label.
    #[arg(long, value_name = "V")]
    pub positive_label: Option<String>,
    /// Fairness drift: groups with fewer rows are left out of the summary tests.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub min_group_size: u64,
    /// Streaming mode: summarise numeric columns by KLL sketches of size K (default 200) instead
    /// of keeping every value; memory no longer grows with the rows. KS gets an error bound,
    /// histogram methods approximate counts; rank tests, energy and t-test need exact mode.
    #[arg(long, value_name = "K", num_args = 0..=1, default_missing_value = "200")]
    pub sketch: Option<u16>,
    /// Gate a pipeline: exit 1 when `assess` would judge the dataset drifted (`dataset`: the
    /// share of columns whose PSI passes the policy's warn threshold reaches its
    /// `dataset_share`), or any column's drift failed (`column`: PSI above the policy's fail
    /// threshold). The stopping findings are listed on stderr.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub fail_on: Option<DriftGate>,
    /// The policy whose `[drift]` thresholds --fail-on judges with (default: the built-in policy).
    #[arg(long, value_name = "FILE", requires = "fail_on")]
    pub policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

fn method(s: &str, flag: &str) -> Result<Method> {
    match Method::parse(s) {
        Some(m) => Ok(m),
        None => bail!(
            "{flag} `{s}`: unknown method; expected one of {}",
            Method::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Runs the subcommand.
pub fn run(a: DriftArgs) -> Result<ExitStatus> {
    let mut column_methods = BTreeMap::new();
    for cm in &a.column_methods {
        let Some((c, m)) = cm.split_once('=') else {
            bail!("--column-method `{cm}`: expected COL=METHOD");
        };
        column_methods.insert(c.to_string(), method(m, "--column-method")?);
    }
    let spec = DriftSpec {
        columns: a.columns,
        exclude: a.exclude,
        method: match a.method.as_str() {
            "auto" => None,
            m => Some(method(m, "--method")?),
        },
        numeric_method: a
            .numeric_method
            .as_deref()
            .map(|m| method(m, "--numeric-method"))
            .transpose()?,
        categorical_method: a
            .categorical_method
            .as_deref()
            .map(|m| method(m, "--categorical-method"))
            .transpose()?,
        column_methods,
        threshold: a.threshold,
        correction: match a.correction.as_str() {
            "bonferroni" => Correction::Bonferroni,
            "none" => Correction::None,
            _ => Correction::Bh,
        },
        dataset_threshold: Some(a.dataset_threshold),
        bins: Some(a.bins),
        sketch: a.sketch,
    };
    let opts = a.read.to_options(None)?;
    let policy = a
        .fail_on
        .map(|_| crate::gate::policy(a.policy.as_deref()))
        .transpose()?;
    crate::read_args::one_stdin(&[&a.reference, &a.current])?;
    let reference = a.read.open(&a.reference, &opts)?;
    let current = a.read.open(&a.current, &opts)?;
    // The label and prediction columns, whose drift is label or prediction drift: the command
    // line's, else the policy's.
    let base = policy.as_ref().map(|p| p.data.clone()).unwrap_or_default();
    let roles = fairgauge::policy::Roles {
        label: a.label.clone().or(base.label.clone()),
        prediction: a.prediction.clone().or(base.prediction.clone()),
        score: a.score.clone().or(base.score.clone()),
        ..base
    };
    let mut report = run_drift(&reference, &current, &spec)?;
    if let Some(label) = a.label {
        let fspec = fairgauge::fairness::FairnessSpec {
            label,
            prediction: a.prediction,
            score: a.score,
            threshold: a.score_threshold,
            sensitive: a.sensitive,
            positive_label: a.positive_label,
            weight: None,
            above_threshold: None,
            keep_labels: false,
            ranking: None,
            task: fairgauge::fairness::Task::Binary,
            probabilistic: vec![],
        };
        let fopts = fairgauge_core::fairness::FairnessOptions {
            min_group_size: a.min_group_size,
            ..Default::default()
        };
        report.fairness = Some(fairgauge::drift::fairness_drift(
            &reference, &current, &fspec, &fopts,
        )?);
    }
    crate::output::emit_report(
        &report,
        a.format,
        crate::render::drift_text,
        a.output.as_deref(),
    )?;
    Ok(match (a.fail_on, policy) {
        (Some(gate), Some(policy)) => {
            let findings = fairgauge::assess::judge_drift(&policy, &report, &roles);
            let kind = match gate {
                DriftGate::Dataset => "drift.dataset",
                DriftGate::Column => "drift.psi",
            };
            crate::gate::verdict(
                &findings,
                |f| f.kind == kind && fairgauge::assess::fails_at(f, FindingStatus::Fail),
                &crate::gate::flag(gate),
            )
        }
        _ => ExitStatus::Success,
    })
}
