//! `fairgauge bisg`: race and ethnicity probabilities from surname and place (BISG), added to a
//! table as `p_white`, `p_black`, `p_api`, `p_native`, `p_multiple`, `p_hispanic` and
//! `bisg_basis`.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::core::membership::bisg::PlaceKind;
use fairgauge::membership::bisg::{write_bisg, BisgSpec};
use fairgauge::source::InputFormat;

use crate::output::{emit_report, Format};
use crate::read_args::ReadArgs;
use crate::render::bisg_text;
use crate::status::ExitStatus;

/// Arguments of `fairgauge bisg`.
#[derive(Debug, Args)]
pub struct BisgArgs {
    /// The table (CSV, Parquet, Arrow IPC or NDJSON; `-` for standard input).
    pub data: PathBuf,
    /// The surname column.
    #[arg(long, value_name = "COL")]
    pub surname: String,
    /// The ZIP code column (five digits; ZIP+4 keeps its first five; numbers are zero-filled).
    #[arg(long, value_name = "COL", conflicts_with = "tract")]
    pub zip: Option<String>,
    /// The census tract column: the 11-digit FIPS code (state, county, tract).
    #[arg(long, value_name = "COL")]
    pub tract: Option<String>,
    /// Where to write the table with the probabilities added (.csv, .parquet, .arrow, .ndjson).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// The output's format when its extension does not tell.
    #[arg(long, value_name = "FORMAT")]
    pub output_format: Option<String>,
    /// What is printed: text for the terminal, or JSON (the counts).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub read: ReadArgs,
}

fn output_format(a: &BisgArgs) -> Result<InputFormat> {
    if let Some(f) = &a.output_format {
        return match InputFormat::parse(f) {
            Some(f) => Ok(f),
            None => bail!("--output-format `{f}`: expected csv, parquet, ipc or ndjson"),
        };
    }
    match InputFormat::from_path(&a.output) {
        Some(f) => Ok(f),
        None => bail!(
            "--output {}: cannot tell the format from the extension; give --output-format",
            a.output.display()
        ),
    }
}

/// Runs the subcommand.
pub fn run(a: BisgArgs) -> Result<ExitStatus> {
    let format = output_format(&a)?;
    let opts = a.read.to_options(None)?;
    let table = a.read.open(&a.data, &opts)?;
    let place = match (&a.zip, &a.tract) {
        (Some(z), _) => Some((PlaceKind::Zcta, z.clone())),
        (None, Some(t)) => Some((PlaceKind::Tract, t.clone())),
        (None, None) => None,
    };
    let spec = BisgSpec {
        surname: a.surname.clone(),
        place,
    };
    let summary = write_bisg(&table, &spec, &a.output, format)?;
    emit_report(&summary, a.format, |s| bisg_text(s, &a.output), None)?;
    Ok(ExitStatus::Success)
}
