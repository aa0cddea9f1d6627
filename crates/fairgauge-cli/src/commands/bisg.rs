//! `fairgauge bisg`: race and ethnicity probabilities from surname and place (BISG), added to a
//! table as `p_white`, `p_black`, `p_api`, `p_native`, `p_multiple`, `p_hispanic` and
//! `bisg_basis`.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::core::membership::bisg::PlaceKind;
use fairgauge::membership::bisg::{write_bisg, BisgSpec, BisgSummary};
use fairgauge::present::share_percent;
use fairgauge::source::InputFormat;

use crate::output::{emit_report, Format};
use crate::read_args::ReadArgs;
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
    emit_report(&summary, a.format, |s| render(s, &a.output), None)?;
    Ok(ExitStatus::Success)
}

/// The counts as a few lines: rows by basis, then why surnames or places were not used.
fn render(s: &BisgSummary, out: &std::path::Path) -> String {
    let c = &s.counts;
    let of = |n: u64| format!("{n} ({})", share_percent(n as f64 / c.rows.max(1) as f64));
    let mut lines = vec![format!(
        "wrote {} rows to {} with p_white, p_black, p_api, p_native, p_multiple, p_hispanic, bisg_basis",
        c.rows,
        out.display()
    )];
    if s.place_column.is_some() {
        lines.push(format!("  surname and place  {}", of(c.surname_and_place)));
    }
    lines.push(format!("  surname only       {}", of(c.surname_only)));
    if s.place_column.is_some() {
        lines.push(format!("  place only         {}", of(c.place_only)));
    }
    lines.push(format!("  no estimate        {}", of(c.neither)));
    let noun = s.place_kind.map(PlaceKind::noun).unwrap_or("place");
    let notes = [
        (
            c.surname_by_part,
            "surnames matched by one part of a compound name".to_string(),
        ),
        (
            c.surname_not_listed,
            "surnames not on the Census list".to_string(),
        ),
        (c.surname_missing, "surnames empty or null".to_string()),
        (
            c.place_malformed,
            format!("{noun}s not of the expected form (surname used alone)"),
        ),
        (
            c.place_not_listed,
            format!("{noun}s not in the Census table or without residents (surname used alone)"),
        ),
        (c.place_missing, format!("{noun}s empty or null")),
        (
            c.place_without_surname_groups,
            format!("{noun}s with none of the surname's groups (surname used alone)"),
        ),
    ];
    for (n, what) in notes {
        if n > 0 {
            lines.push(format!("  note: {} {what}", of(n)));
        }
    }
    lines.push(format!("method: {}", s.method));
    lines.join("\n") + "\n"
}
