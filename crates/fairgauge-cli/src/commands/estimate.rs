//! `fairgauge estimate`: a model's performance per group on data without labels, from its scores
//! calibrated on a labelled reference (confidence-based performance estimation).

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use fairgauge::core::estimate::calibration::Allowed;
use fairgauge::estimate::{run_estimate, EstimateSpec};

use crate::output::{emit_report, Format};
use crate::read_args::ReadArgs;
use crate::render::estimate_text;
use crate::status::ExitStatus;

/// Which calibration may be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CalibrationArg {
    /// Per group, whichever of raw scores, the population's isotonic calibrator and the group's
    /// own has the smallest out-of-fold calibration error on the reference.
    Auto,
    /// Always an isotonic calibrator (the group's own where it calibrates better).
    Isotonic,
    /// The scores as they are.
    None,
}

/// Arguments of `fairgauge estimate`.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// The unlabelled table (CSV, Parquet, Arrow IPC or NDJSON; `-` for standard input).
    pub data: PathBuf,
    /// The labelled reference (e.g. the validation data) the scores are calibrated on.
    #[arg(long, value_name = "FILE")]
    pub reference: PathBuf,
    /// Column holding the model's probability of the positive label (both tables).
    #[arg(long, value_name = "COL")]
    pub score: String,
    /// Column holding the model's binary decision (both tables); without it a score at or above
    /// --threshold is positive.
    #[arg(long, value_name = "COL")]
    pub prediction: Option<String>,
    /// The decision threshold on the score when there is no --prediction.
    #[arg(
        long,
        default_value_t = 0.5,
        value_name = "T",
        conflicts_with = "prediction"
    )]
    pub threshold: f64,
    /// Column holding the true label in the reference (not read in DATA).
    #[arg(long, value_name = "COL")]
    pub label: String,
    /// Sensitive attributes, comma-separated (without them, only all rows are estimated).
    #[arg(long, value_name = "COL[,COL…]", value_delimiter = ',')]
    pub sensitive: Vec<String>,
    /// The label value that is the positive outcome. Default: the label value among 1, true,
    /// yes, y, t, positive.
    #[arg(long, value_name = "V")]
    pub positive_label: Option<String>,
    /// Which calibration may be applied to the scores.
    #[arg(long, value_enum, default_value_t = CalibrationArg::Auto)]
    pub calibration: CalibrationArg,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95, value_name = "C")]
    pub confidence: f64,
    /// Groups with fewer reference or unlabelled rows are marked insufficient_data (kept, but
    /// left out of the summaries).
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub min_group_size: u64,
    /// Also estimate each time window of DATA: the column that dates its rows (RFC 3339 dates
    /// or date-times, or a Date/Datetime column), with --every.
    #[arg(long, value_name = "COL", requires = "every")]
    pub time: Option<String>,
    /// The windows' width: day, week (ISO, from Monday), month, quarter, or N rows in time order.
    #[arg(long, value_name = "PERIOD", requires = "time")]
    pub every: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Runs the subcommand.
pub fn run(a: EstimateArgs) -> Result<ExitStatus> {
    let opts = a.read.to_options(None)?;
    crate::read_args::one_stdin(&[&a.reference, &a.data])?;
    let reference = a.read.open(&a.reference, &opts)?;
    let data = a.read.open(&a.data, &opts)?;
    let spec = EstimateSpec {
        score: a.score.clone(),
        prediction: a.prediction.clone(),
        threshold: a.threshold,
        label: a.label.clone(),
        sensitive: a.sensitive.clone(),
        positive_label: a.positive_label.clone(),
        calibration: match a.calibration {
            CalibrationArg::Auto => Allowed::Auto,
            CalibrationArg::Isotonic => Allowed::Isotonic,
            CalibrationArg::None => Allowed::None,
        },
        confidence: a.confidence,
        min_group_size: a.min_group_size,
        time: a.time.clone(),
        every: a.every.clone(),
    };
    let out = run_estimate(&data, &reference, &spec)?;
    emit_report(&out, a.format, estimate_text, a.output.as_deref())?;
    Ok(ExitStatus::Success)
}
