//! `fairgauge synth`: a seeded synthetic table with planted disparity and drift.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::source::InputFormat;
use fairgauge::synth::{write_synth, SynthOptions};

use crate::status::ExitStatus;

/// Arguments of `fairgauge synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of rows.
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    /// Output file (.csv, .parquet, .arrow or .ndjson).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Output format, when the extension does not tell.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Random seed: the same seed gives the same table.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Planted TPR gap: non-Male groups of `sex` get TPR 0.80 − D (race: 0.80 − D/2).
    #[arg(long, default_value_t = 0.1)]
    pub disparity: f64,
    /// Planted drift: `income` shifts by S log-sd, `region`'s first category gains S·10 points.
    #[arg(long, default_value_t = 0.0)]
    pub drift: f64,
    /// Number of extra standard-normal feature columns x1…xk.
    #[arg(long, default_value_t = 4)]
    pub features: usize,
}

/// Runs the subcommand.
pub fn run(a: SynthArgs) -> Result<ExitStatus> {
    let format = match &a.format {
        Some(f) => match InputFormat::parse(f) {
            Some(f) => Some(f),
            None => bail!("--format `{f}`: expected csv, parquet, ipc or ndjson"),
        },
        None => None,
    };
    let o = SynthOptions {
        rows: a.rows,
        seed: a.seed,
        disparity: a.disparity,
        drift: a.drift,
        features: a.features,
    };
    write_synth(&o, &a.output, format)?;
    eprintln!("wrote {} rows to {}", a.rows, a.output.display());
    Ok(ExitStatus::Success)
}
