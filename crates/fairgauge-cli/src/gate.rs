//! `--fail-on`: an analysis subcommand as a pipeline gate. Its report is judged as `assess`
//! would judge it (the default policy, or `--policy FILE`), the findings that stop the pipeline
//! are listed on stderr, and the run exits 1.

use std::path::Path;

use anyhow::Result;
use clap::ValueEnum;
use fairgauge::evidence::{Finding, FindingStatus};
use fairgauge::policy::Policy;

use crate::render::shown;
use crate::status::ExitStatus;

/// `--fail-on` of `fairness` and `quality`: the verdict that stops the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailLevel {
    /// Exit 1 when a finding fails (or could not be judged).
    Fail,
    /// Exit 1 when a finding warns or fails.
    Warn,
}

impl FailLevel {
    /// Exit 1 (listing them) when `findings` hold one this level stops at: `fail` and `error`,
    /// and `warn` too at [`FailLevel::Warn`].
    pub fn verdict(self, findings: &[Finding]) -> ExitStatus {
        let status = match self {
            FailLevel::Fail => FindingStatus::Fail,
            FailLevel::Warn => FindingStatus::Warn,
        };
        verdict(
            findings,
            |f| fairgauge::assess::fails_at(f, status),
            &flag(self),
        )
    }
}

/// `--fail-on VALUE`, as the command line spells the value.
pub fn flag(value: impl ValueEnum) -> String {
    let name = value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    format!("--fail-on {name}")
}

/// The policy whose thresholds judge the report: `path`, or the built-in default.
pub fn policy(path: Option<&Path>) -> Result<Policy> {
    Ok(Policy::load_or_builtin(path)?.0)
}

/// Exit 1 (with the stopping findings on stderr) when any finding in `findings` stops the
/// pipeline (`stops`), else 0. `flag` names the gate in the message (`--fail-on warn`).
pub fn verdict(findings: &[Finding], stops: impl Fn(&Finding) -> bool, flag: &str) -> ExitStatus {
    let stopping: Vec<&Finding> = findings.iter().filter(|f| stops(f)).collect();
    if stopping.is_empty() {
        return ExitStatus::Success;
    }
    let mut msg = format!(
        "fairgauge: {flag}: {} of {} findings stop the pipeline\n",
        stopping.len(),
        findings.len()
    );
    for f in stopping.iter().take(20) {
        msg.push_str(&format!(
            "  {:<17} {}  {}\n",
            f.status.as_str(),
            f.id,
            shown(&f.message)
        ));
    }
    if stopping.len() > 20 {
        msg.push_str(&format!("  … and {} more\n", stopping.len() - 20));
    }
    eprint!("{msg}");
    ExitStatus::Failure
}
