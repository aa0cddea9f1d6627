//! `fairgauge quality`: column profiles, rules, duplicates, leakage, proxies, fingerprints and a
//! quality score.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::quality::{run_quality, QualitySpec};
use fairgauge::rules::RuleSet;

use crate::output::Format;
use crate::read_args::ReadArgs;
use crate::status::ExitStatus;

/// Arguments of `fairgauge quality`.
#[derive(Debug, Args)]
pub struct QualityArgs {
    /// The table to profile (CSV, Parquet, Arrow IPC or NDJSON).
    pub data: PathBuf,
    /// A reference table (e.g. the training data): rows of DATA also in it are reported as
    /// leakage (train/test overlap).
    #[arg(long, value_name = "REF")]
    pub reference: Option<PathBuf>,
    /// Rules to check (TOML; see `--infer`).
    #[arg(long, value_name = "FILE", conflicts_with = "infer")]
    pub rules: Option<PathBuf>,
    /// Write rules suggested from this (clean) table to FILE, to apply to new data with --rules.
    #[arg(long, value_name = "FILE")]
    pub infer: Option<PathBuf>,
    /// Columns that together identify a row (duplicate keys are reported).
    #[arg(long, value_delimiter = ',', value_name = "COL,…")]
    pub key: Vec<String>,
    /// The label column (label balance and conflicting labels).
    #[arg(long, value_name = "COL")]
    pub label: Option<String>,
    /// Sensitive attributes, comma-separated (missingness by group, proxies).
    #[arg(long, value_delimiter = ',', value_name = "COL,…")]
    pub sensitive: Vec<String>,
    /// Example rows kept per check.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub examples: usize,
    /// Bounded memory for tables larger than memory: profile numeric columns by KLL sketches
    /// of this K (exact while a column has at most 65,536 distinct values, else within the
    /// rank error the report states) and keep row hashes in temporary files ($TMPDIR).
    /// Duplicates, keys, conflicts, leakage and fingerprints stay exact.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(8..))]
    pub sketch: Option<u16>,
    /// Write every row that breaks a rule to FILE (CSV: rule, column, row, value).
    #[arg(long, value_name = "FILE", requires = "rules")]
    pub failing_rows: Option<PathBuf>,
    /// Gate a pipeline: exit 1 when a quality finding `assess` would make fails (`fail`), or
    /// warns or fails (`warn`). The stopping findings are listed on stderr.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<crate::gate::FailLevel>,
    /// A policy whose `[quality]` thresholds judge the checks (default: the built-in policy's,
    /// which are the defaults of this command).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Deprecated spelling of --column-names.
    #[arg(
        long,
        value_name = "A,B,C",
        value_delimiter = ',',
        hide = true,
        conflicts_with = "column_names"
    )]
    pub columns: Option<Vec<String>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Runs the subcommand.
pub fn run(a: QualityArgs) -> Result<ExitStatus> {
    if a.examples > 1000 {
        bail!("--examples must be at most 1000, given {}", a.examples);
    }
    let names = crate::read_args::deprecated_columns(&a.columns, "quality");
    let opts = a.read.to_options(names)?;
    let policy = crate::gate::policy(a.policy.as_deref())?;
    if let Some(r) = &a.reference {
        crate::read_args::one_stdin(&[&a.data, r])?;
    }
    let table = a.read.open(&a.data, &opts)?;
    let reference = a
        .reference
        .as_ref()
        .map(|r| a.read.open(r, &opts))
        .transpose()?;
    let rules = a.rules.as_deref().map(RuleSet::load).transpose()?;
    let spec = QualitySpec {
        label: a.label,
        sensitive: a.sensitive,
        key: a.key,
        rules,
        thresholds: fairgauge::assess::quality_spec(&policy, &Default::default(), None).thresholds,
        examples: a.examples,
        sketch: a.sketch,
    };
    let bar = crate::output::progress_bar();
    let result = run_quality(&table, reference.as_deref(), &spec, bar.callback());
    bar.finish();
    let report = result?;
    if let Some(path) = &a.infer {
        crate::output::emit(&report.infer_rules(), Some(path))?;
    }
    if let Some(path) = &a.failing_rows {
        fairgauge::quality::write_failing_rows(&table, &spec, &report, path)?;
    }
    crate::output::emit_report(
        &report,
        a.format,
        crate::render::quality_text,
        a.output.as_deref(),
    )?;
    Ok(match a.fail_on {
        Some(level) => level.verdict(&fairgauge::assess::judge_quality(&policy, &report)),
        None => ExitStatus::Success,
    })
}
