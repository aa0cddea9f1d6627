//! `fairgauge history`: read the metric history that `assess --history` writes — its runs, one
//! run's measurements, or every measurement as a long table for BI tools.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use fairgauge::history::{MetricRow, RunRow};

use crate::output::Format;
use crate::render::shown;
use crate::status::ExitStatus;

/// Arguments of `fairgauge history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: HistoryCommand,
}

/// What to read.
#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// The runs, oldest first: time, run id, system, verdict, metrics, ledger record.
    List {
        /// The history (from `assess --history`): a SQLite file or a `postgresql://` URL.
        #[arg(value_name = "DB_OR_URL")]
        db: PathBuf,
        /// Text for the terminal, or JSON (a list of runs).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// One run's measurements: status, metric, subject, value and interval.
    Show {
        /// The history: a SQLite file or a `postgresql://` URL.
        #[arg(value_name = "DB_OR_URL")]
        db: PathBuf,
        /// The run's id (`history list` shows them).
        run: String,
        /// Text for the terminal, or JSON (a list of measurements).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// One finding's series across runs and windows (its id from the evidence or `history
    /// show`): time, window, status, value and interval.
    Trend {
        /// The history: a SQLite file or a `postgresql://` URL.
        #[arg(value_name = "DB_OR_URL")]
        db: PathBuf,
        /// The finding's id (`F-…`), the same in every run.
        finding: String,
        /// Text for the terminal, or JSON (a list of measurements).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Every measurement as a long table (run, time, finding, family, kind, metric, subject,
    /// window, value, lower, upper, n, status).
    Export {
        /// The history: a SQLite file or a `postgresql://` URL.
        #[arg(value_name = "DB_OR_URL")]
        db: PathBuf,
        /// CSV or Parquet.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Where to write it.
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
    },
}

/// Formats of `history export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 4180 CSV.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Runs the subcommand.
pub fn run(a: HistoryArgs) -> Result<ExitStatus> {
    match a.command {
        HistoryCommand::List { db, format } => {
            let runs = fairgauge::history::runs(&db)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&runs)?),
                Format::Text => print!("{}", runs_text(&runs)),
            }
        }
        HistoryCommand::Show { db, run, format } => {
            let rows = fairgauge::history::metrics(&db, Some(&run))?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Text => print!("{}", metrics_text(&rows)),
            }
        }
        HistoryCommand::Trend {
            db,
            finding,
            format,
        } => {
            let rows = fairgauge::history::trend(&db, &finding)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Text => print!("{}", trend_text(&rows)),
            }
        }
        HistoryCommand::Export { db, format, output } => {
            let rows = fairgauge::history::metrics(&db, None)?;
            fairgauge::history::export_metrics(&rows, &output, format == ExportFormat::Parquet)?;
            eprintln!("wrote {} measurements to {}", rows.len(), output.display());
        }
    }
    Ok(ExitStatus::Success)
}

fn runs_text(runs: &[RunRow]) -> String {
    let mut o = String::new();
    for r in runs {
        o.push_str(&format!(
            "{}  {}  {}  {:<4}  {} metrics{}\n",
            r.finished_at,
            r.run_id,
            shown(&r.system_id),
            r.overall,
            r.metrics,
            r.ledger_seq
                .map(|s| format!("  ledger record {s}"))
                .unwrap_or_default()
        ));
    }
    if runs.is_empty() {
        o.push_str("no runs\n");
    }
    o
}

/// A measurement's value and interval to four decimals (`—` for none).
fn value_text(r: &MetricRow) -> String {
    let value = r.value.map_or_else(|| "—".into(), |x| format!("{x:.4}"));
    match (r.lower, r.upper) {
        (Some(lo), Some(hi)) => format!("{value} [{lo:.4}, {hi:.4}]"),
        _ => value,
    }
}

fn metrics_text(rows: &[MetricRow]) -> String {
    let mut o = String::new();
    for r in rows {
        let window = r
            .window_start
            .as_deref()
            .map(|w| format!("{}  ", shown(w)))
            .unwrap_or_default();
        o.push_str(&format!(
            "{window}{:<17}  {}  {}  {}\n",
            r.status.to_uppercase(),
            shown(&r.kind),
            shown(&r.subject),
            value_text(r)
        ));
    }
    o
}

fn trend_text(rows: &[MetricRow]) -> String {
    let mut o = match rows.first() {
        Some(r) => format!(
            "{} {}  {}\n",
            shown(&r.kind),
            shown(&r.subject),
            r.finding_id
        ),
        None => String::new(),
    };
    for r in rows {
        o.push_str(&format!(
            "{}  {:<10}  {:<17}  {}\n",
            r.finished_at,
            r.window_start.as_deref().map(shown).unwrap_or_default(),
            r.status.to_uppercase(),
            value_text(r)
        ));
    }
    o
}
