//! The `fairgauge` command line as a library: [`run`] parses the arguments and runs one
//! subcommand (one module per subcommand); errors become one clear line on stderr and exit code
//! 2, a broken pipe exits 0. The `fairgauge` binary and the Python package's `fairgauge` command
//! (`python -m fairgauge`) both call it.

use std::ffi::OsString;
use std::io::Write;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod commands;
mod gate;
mod output;
mod read_args;
mod render;
mod status;

pub use status::ExitStatus;

/// Measure the bias and data-integrity risks of AI systems and turn them into evidence.
#[derive(Debug, Parser)]
#[command(name = "fairgauge", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Per-group rates, disparities and fairness summaries of a classifier's decisions (or of a
    /// dataset's labels) across sensitive attributes.
    Fairness(Box<commands::fairness::FairnessArgs>),
    /// Per-column and dataset drift between a reference and a current table.
    Drift(Box<commands::drift::DriftArgs>),
    /// Data quality and integrity: column profiles, placeholders, rules, duplicates, leakage,
    /// proxies for sensitive attributes, fingerprints and a 0–100 score.
    Quality(Box<commands::quality::QualityArgs>),
    /// Assess data against a policy: fairness, drift and quality judged into findings, grouped
    /// into risks with their controls, written as evidence and exports. Exit 1 when a finding
    /// fails.
    Assess(Box<commands::assess::AssessArgs>),
    /// Follow data over time: rows put in windows by a time column (day, week, month, quarter
    /// or N rows), each assessed against a baseline with the policy; alerts for breaches and for
    /// rates that moved from the baseline. Exit 1 when there is an alert.
    Monitor(Box<commands::monitor::MonitorArgs>),
    /// Estimate a model's performance per group on data without labels (TPR, FPR, PPV, accuracy,
    /// F1, ROC AUC with intervals), from its scores calibrated on a labelled reference.
    Estimate(Box<commands::estimate::EstimateArgs>),
    /// Estimate race and ethnicity probabilities from surname and ZIP code or tract (BISG, with
    /// the bundled Census 2010 tables) and write the table with them added.
    Bisg(Box<commands::bisg::BisgArgs>),
    /// Run the whole assessment on bundled UCI Adult data and write every export.
    Demo(commands::demo::DemoArgs),
    /// Write a starter policy with roles guessed from the data and every default, commented.
    Init(Box<commands::init::InitArgs>),
    /// Verify a tamper-evident ledger, or make a signing key.
    Ledger(commands::ledger::LedgerArgs),
    /// Read the metric history `assess --history` writes: runs, one run's measurements, or
    /// every measurement as CSV or Parquet.
    History(commands::history::HistoryArgs),
    /// Record a decision on a risk of the history (accept, mitigate, transfer, avoid, close;
    /// later evidence and the register carry it), or list the risks its runs saw.
    Risk(commands::risk::RiskArgs),
    /// Render an evidence document as a self-contained HTML report.
    Report(commands::report::ReportArgs),
    /// Write a seeded synthetic table with planted group disparity and drift.
    Synth(commands::synth::SynthArgs),
    /// Check policy and rules files (TOML) without running anything; exit 1 when one is invalid.
    Validate(commands::validate::ValidateArgs),
    /// Print a shell completion script: `fairgauge completions bash > ~/.local/share/bash-completion/completions/fairgauge`.
    Completions(commands::completions::CompletionsArgs),
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The command line's parser: every subcommand accepts negative numbers as option values
/// (`--threshold -0.5`).
fn command() -> clap::Command {
    fn negatives(c: clap::Command) -> clap::Command {
        c.allow_negative_numbers(true).mut_subcommands(negatives)
    }
    negatives(Cli::command())
}

/// Parses `args` (the program name first) and runs the subcommand; returns the exit code:
/// 0 success, 1 a check failed, 2 bad usage or bad data. Never exits the process, so the
/// Python package can call it.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // polars reads a local CSV (or NDJSON) file through a memory map unless this is set, so the
    // whole file becomes resident as it is scanned (10M rows of CSV: 1.49 GB peak RSS for a
    // fairness run); with it, the file is read in chunks (0.22 GB, and as fast). Set before any
    // thread starts; polars reads it once. An explicit setting in the environment wins.
    if std::env::var_os("POLARS_FORCE_ASYNC").is_none() {
        std::env::set_var("POLARS_FORCE_ASYNC", "1");
    }
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let command_line: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cli = match command()
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Fairness(a) => commands::fairness::run(*a),
        Command::Drift(a) => commands::drift::run(*a),
        Command::Quality(a) => commands::quality::run(*a),
        Command::Assess(a) => commands::assess::run(*a, &command_line),
        Command::Monitor(a) => commands::monitor::run(*a, &command_line),
        Command::Estimate(a) => commands::estimate::run(*a),
        Command::Bisg(a) => commands::bisg::run(*a),
        Command::Demo(a) => commands::demo::run(a),
        Command::Init(a) => commands::init::run(*a),
        Command::Ledger(a) => commands::ledger::run(a),
        Command::History(a) => commands::history::run(a),
        Command::Risk(a) => commands::risk::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Synth(a) => commands::synth::run(a),
        Command::Validate(a) => commands::validate::run(a),
        Command::Completions(a) => commands::completions::run(a, command()),
    };
    match result {
        Ok(status) => status.code(),
        Err(e) if is_broken_pipe(&e) => ExitStatus::Success.code(),
        Err(e) => {
            let mut msg = format!("error: {e}");
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(&format!(": {c}"));
                }
            }
            let _ = writeln!(std::io::stderr(), "{}", render::shown(&msg));
            ExitStatus::Error.code()
        }
    }
}
