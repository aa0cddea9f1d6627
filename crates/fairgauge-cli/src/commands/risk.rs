//! `fairgauge risk`: people's decisions on the risks a metric history holds (accept, mitigate,
//! transfer, avoid, close), and the living register they make with the runs.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use fairgauge::history::{DecisionKind, RegisterRow};

use crate::output::Format;
use crate::render::shown;
use crate::status::ExitStatus;

/// Arguments of `fairgauge risk`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    #[command(subcommand)]
    pub command: RiskCommand,
}

/// A decision, or the list.
#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// Accept the risk (until --until, when given: then it reopens).
    Accept(DecideArgs),
    /// Record that the risk is being reduced.
    Mitigate(DecideArgs),
    /// Record that the risk is shared (insurance, contract).
    Transfer(DecideArgs),
    /// Record that the activity is stopped.
    Avoid(DecideArgs),
    /// Close the risk (a later run that sees it again reopens it).
    Close(DecideArgs),
    /// Every risk the history's runs saw: first and last seen, runs, latest score, whether the
    /// latest run saw it, and the latest decision.
    List {
        /// The history (from `assess --history`): a SQLite file or a `postgresql://` URL.
        #[arg(long, value_name = "DB_OR_URL")]
        history: PathBuf,
        /// Text for the terminal, or JSON (a list of risks).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Arguments of a decision.
#[derive(Debug, Args)]
pub struct DecideArgs {
    /// The risk's id (`R-…`, as the evidence and the register give it).
    pub risk: String,
    /// The history the risk's runs are recorded in: a SQLite file or a `postgresql://` URL.
    #[arg(long, value_name = "DB_OR_URL")]
    pub history: PathBuf,
    /// Who decides.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// Why.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Until when the decision holds (YYYY-MM-DD, not in the past): the review date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

/// Runs the subcommand.
pub fn run(a: RiskArgs) -> Result<ExitStatus> {
    let (kind, d) = match a.command {
        RiskCommand::List { history, format } => {
            let rows = fairgauge::history::register(&history)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
                Format::Text => print!("{}", register_text(&rows)),
            }
            return Ok(ExitStatus::Success);
        }
        RiskCommand::Accept(d) => (DecisionKind::Accept, d),
        RiskCommand::Mitigate(d) => (DecisionKind::Mitigate, d),
        RiskCommand::Transfer(d) => (DecisionKind::Transfer, d),
        RiskCommand::Avoid(d) => (DecisionKind::Avoid, d),
        RiskCommand::Close(d) => (DecisionKind::Close, d),
    };
    let now = fairgauge::evidence::now_rfc3339();
    let recorded = fairgauge::history::record_decision(
        &d.history,
        &d.risk,
        kind,
        (&d.by, &d.reason),
        d.until.as_deref(),
        &now,
    )?;
    println!(
        "recorded: {} {} (system {}) by {}{}",
        recorded.decision.as_str(),
        recorded.risk_id,
        shown(&recorded.system_id),
        shown(&recorded.decided_by),
        recorded
            .review_date
            .map(|r| format!(", until {r}"))
            .unwrap_or_default()
    );
    Ok(ExitStatus::Success)
}

fn register_text(rows: &[RegisterRow]) -> String {
    let mut o = String::new();
    for r in rows {
        let score = match (r.score, &r.rating) {
            (Some(s), Some(rating)) => format!("{s:>2} {rating:<8}"),
            _ => format!("{:<11}", "—"),
        };
        let decision = match &r.decision {
            Some(d) => format!(
                "  {} by {}{}",
                d.decision.as_str(),
                shown(&d.decided_by),
                d.review_date
                    .as_deref()
                    .map(|u| format!(" until {u}"))
                    .unwrap_or_default()
            ),
            None => String::new(),
        };
        o.push_str(&format!(
            "{}  {}  {:<8}  {score}  {} … {}  {} run(s){decision}  {}\n",
            r.risk_id,
            shown(&r.system_id),
            r.state,
            r.first_seen,
            r.last_seen,
            r.runs_seen,
            r.title.as_deref().map(shown).unwrap_or_default(),
        ));
    }
    if rows.is_empty() {
        o.push_str("no risks\n");
    }
    o
}
