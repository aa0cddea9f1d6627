//! `fairgauge monitor`: the data put in time windows, each assessed against a baseline with the
//! policy, and alerts for what breaches the policy or moved from the baseline; exit 1 when there
//! is an alert.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use fairgauge::evidence::now_rfc3339;
use fairgauge::monitor::{monitor, write_metrics, Every, MonitorInput};
use fairgauge::policy::Policy;

use crate::commands::assess::{open_inputs, RoleArgs};
use crate::output::Format;
use crate::read_args::ReadArgs;
use crate::status::ExitStatus;

/// Arguments of `fairgauge monitor`.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// The data, with a time column (CSV, Parquet, Arrow IPC, NDJSON).
    #[arg(value_name = "DATA")]
    pub data: PathBuf,
    /// The time column: dates or date-times (RFC 3339; a Date or Datetime column).
    #[arg(long, value_name = "COL")]
    pub time: String,
    /// The windows: `day`, `week` (ISO, from Monday), `month`, `quarter`, or a number of rows
    /// per window in time order.
    #[arg(long, value_name = "day|week|month|quarter|N")]
    pub every: String,
    /// A reference table every window is compared with (drift, change alerts), instead of the
    /// first --baseline windows.
    #[arg(long, value_name = "REF")]
    pub reference: Option<PathBuf>,
    /// Windows that form the baseline without --reference (default: the policy's
    /// `monitor.baseline`, 4).
    #[arg(long, value_name = "K")]
    pub baseline: Option<usize>,
    /// The policy (TOML); without it the built-in default applies. With `[quality] sketch` in
    /// it and the data a file, the run keeps bounded memory (each window written to a temporary
    /// file and assessed in turn; windows of N rows are then refused).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub roles: RoleArgs,
    /// Quality rules (TOML; overrides the policy's `quality.rules`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Every measurement of every window as a long table (window, family, metric, subject,
    /// value, lower, upper, n): Parquet for a `.parquet` path, else CSV.
    #[arg(long, value_name = "FILE.csv|FILE.parquet")]
    pub metrics_out: Option<PathBuf>,
    /// Text for the terminal (a line per window, trends, alerts), or the report as JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The report as one self-contained HTML page: the windows, a chart per group rate over
    /// the windows with its interval band and the alerts marked, the alerts.
    #[arg(long, value_name = "FILE.html")]
    pub html: Option<PathBuf>,
    /// Record the run and every window's findings (with the window's start and rows) in a
    /// metric history (a SQLite file, created when missing, or a `postgresql://` URL;
    /// default: the policy's `[history] path`).
    #[arg(long, value_name = "DB_OR_URL")]
    pub history: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Runs the subcommand; `command_line` is passed to each window's assessment.
pub fn run(a: MonitorArgs, command_line: &[String]) -> Result<ExitStatus> {
    let every: Every = a.every.parse()?;
    let (policy, source) = Policy::load_or_builtin(a.policy.as_deref())?;
    let roles = a.roles.over(&policy.data);
    let (data, reference, rules) = open_inputs(
        &a.read,
        &a.data,
        a.reference.as_deref(),
        a.rules.as_deref(),
        (&policy, &source),
    )?;
    let input = MonitorInput {
        data: &data,
        reference: reference.as_deref(),
        time: a.time.clone(),
        every,
        baseline: a.baseline,
        policy: &policy,
        policy_source: &source,
        roles,
        rules,
        command_line: command_line.to_vec(),
    };
    let history = policy.history_path(&source, a.history.as_deref());
    let started_at = now_rfc3339();
    let report = monitor(&input)?;
    if let Some(p) = &a.metrics_out {
        write_metrics(&report.metrics(), p)?;
    }
    if let Some(p) = &a.html {
        let page = fairgauge::monitor::monitor_html(&report, &policy.system.name);
        fairgauge::io::write::write_atomic(p, &page)?;
    }
    crate::output::emit_report(
        &report,
        a.format,
        crate::render::monitor_text,
        a.output.as_deref(),
    )?;
    if let Some(h) = history {
        let run = report.windowed_run(&policy.system, &source.sha256, started_at);
        fairgauge::history::record_windows(&h, &run)?;
    }
    Ok(if report.alerts.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
