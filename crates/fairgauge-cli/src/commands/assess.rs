//! `fairgauge assess`: fairness, drift and quality against a policy, written as evidence and its
//! exports; exit 1 when a finding fails.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use fairgauge::assess::{assess, AssessInput};
use fairgauge::evidence::Evidence;
use fairgauge::policy::{Policy, PolicySource, Roles};
use fairgauge::rules::RuleSet;

use crate::output::Format;
use crate::read_args::{Opened, ReadArgs};
use crate::status::ExitStatus;

/// Where to write the evidence and its exports.
#[derive(Debug, Clone, Default, Args)]
pub struct Outputs {
    /// The evidence document (JSON).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Risk-register CSV.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// OSCAL assessment-results JSON.
    #[arg(long, value_name = "FILE")]
    pub oscal: Option<PathBuf>,
    /// JUnit XML (one test case per check).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Markdown summary.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// in-toto Statement v1 (subjects: the datasets' digests; predicate: the evidence).
    #[arg(long, value_name = "FILE")]
    pub attestation: Option<PathBuf>,
    /// The in-toto statement in a DSSE envelope signed with --sign-key (what in-toto and
    /// securesystemslib verify; `fairgauge ledger verify-envelope` too).
    #[arg(long, value_name = "FILE", requires = "sign_key")]
    pub attestation_envelope: Option<PathBuf>,
    /// Append a record of this run to a tamper-evident ledger (JSON lines); the evidence records
    /// its position and every export the ledger's head.
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Sign the ledger record (and the checkpoint `<ledger>.checkpoint`) and the DSSE envelope
    /// with this Ed25519 key (from `fairgauge ledger keygen` or openssl).
    #[arg(long, value_name = "FILE")]
    pub sign_key: Option<PathBuf>,
    /// A self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Record the run and every finding's measurement in a metric history (a SQLite file,
    /// created when missing, or a `postgresql://` URL; see docs/history.md), to follow each
    /// metric across runs.
    #[arg(long, value_name = "DB_OR_URL")]
    pub history: Option<PathBuf>,
}

/// The data's roles on the command line, each overriding the policy's `[data]`.
#[derive(Debug, Clone, Default, Args)]
pub struct RoleArgs {
    /// Label column (overrides the policy).
    #[arg(long, value_name = "COL")]
    pub label: Option<String>,
    /// Prediction column (overrides the policy).
    #[arg(long, value_name = "COL")]
    pub prediction: Option<String>,
    /// Score column (overrides the policy).
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,
    /// Sensitive attributes, comma-separated (override the policy).
    #[arg(long, value_delimiter = ',', value_name = "COL,…")]
    pub sensitive: Option<Vec<String>>,
    /// A sensitive attribute known only as probabilities, repeatable (overrides the policy's
    /// `data.sensitive_probabilities`): NAME=COL,COL,… or NAME=GROUP:COL,…, as `fairgauge bisg`
    /// writes them; findings on it are marked estimated.
    #[arg(long, value_name = "NAME=COL,COL…")]
    pub sensitive_probabilities: Option<Vec<String>>,
    /// With --sensitive-probabilities: the threshold estimator's threshold (overrides
    /// `data.assign_threshold`; default 0.8).
    #[arg(long, value_name = "P")]
    pub assign_threshold: Option<f64>,
    /// With --sensitive-probabilities: bound the summaries over the strata of these proxy
    /// columns, without assuming the outcome independent of membership given them (overrides
    /// `data.bounds_by`).
    #[arg(long, value_delimiter = ',', value_name = "COL,…")]
    pub bounds_by: Option<Vec<String>>,
    /// Positive label value (overrides the policy).
    #[arg(long, value_name = "V")]
    pub positive_label: Option<String>,
    /// Sample-weight column for fairness (overrides the policy's `data.weight`): weighted rates
    /// as Fairlearn's `sample_weight`, intervals at Kish's effective size.
    #[arg(long, value_name = "COL")]
    pub weight: Option<String>,
    /// Reference group rule (overrides the policy).
    #[arg(long, value_name = "NAME")]
    pub reference_group: Option<String>,
    /// The fairness task, `binary`, `multiclass`, `regression` or `ranking` (overrides the
    /// policy's `data.task`).
    #[arg(long, value_enum, value_name = "TASK")]
    pub task: Option<crate::commands::fairness::TaskArg>,
    /// Ranking: the column naming each item's list (overrides the policy's `data.query`).
    #[arg(long, value_name = "COL")]
    pub query: Option<String>,
    /// Ranking: the column of 1-based ranks (overrides `data.rank`; or order by --score).
    #[arg(long, value_name = "COL")]
    pub rank: Option<String>,
    /// Ranking: the column of relevance, numbers ≥ 0 (overrides `data.relevance`).
    #[arg(long, value_name = "COL")]
    pub relevance: Option<String>,
    /// Ranking: the top-k cut-offs, comma-separated (overrides `data.k`; default 10).
    #[arg(long, value_name = "K[,K…]", value_delimiter = ',')]
    pub k: Option<Vec<u32>>,
    /// Key columns (override the policy).
    #[arg(long, value_delimiter = ',', value_name = "COL,…")]
    pub key: Option<Vec<String>>,
}

impl RoleArgs {
    /// The policy's roles with the command line's on top.
    pub fn over(&self, policy_roles: &Roles) -> Roles {
        let a = self;
        let mut roles = policy_roles.clone();
        for (given, role) in [
            (&a.label, &mut roles.label),
            (&a.prediction, &mut roles.prediction),
            (&a.score, &mut roles.score),
            (&a.positive_label, &mut roles.positive_label),
            (&a.weight, &mut roles.weight),
            (&a.query, &mut roles.query),
            (&a.rank, &mut roles.rank),
            (&a.relevance, &mut roles.relevance),
        ] {
            if given.is_some() {
                role.clone_from(given);
            }
        }
        if let Some(s) = &a.sensitive {
            roles.sensitive = s.clone();
        }
        if let Some(s) = &a.sensitive_probabilities {
            roles.sensitive_probabilities = s.clone();
        }
        if a.assign_threshold.is_some() {
            roles.assign_threshold = a.assign_threshold;
        }
        if let Some(b) = &a.bounds_by {
            roles.bounds_by = b.clone();
        }
        if let Some(t) = a.task {
            roles.task = t.into();
        }
        if let Some(k) = &a.k {
            roles.k = k.clone();
        }
        if let Some(r) = &a.reference_group {
            roles.reference_group = r.clone();
        }
        if let Some(k) = &a.key {
            roles.key = k.clone();
        }
        roles
    }
}

/// Arguments of `fairgauge assess`.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The policy (TOML); without it the built-in default applies.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The data assessed.
    #[arg(long, value_name = "DATA")]
    pub current: PathBuf,
    /// The reference data (drift, leakage).
    #[arg(long, value_name = "REF")]
    pub reference: Option<PathBuf>,
    #[command(flatten)]
    pub roles: RoleArgs,
    /// Quality rules (TOML; overrides the policy's `quality.rules`).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// What to print on standard output: a text summary, or the evidence JSON.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub outputs: Outputs,
    #[command(flatten)]
    pub read: ReadArgs,
}

impl Outputs {
    /// Refuses a signing key with nothing to sign (before any work is done).
    pub fn check(&self) -> Result<()> {
        if self.sign_key.is_some() && self.ledger.is_none() && self.attestation_envelope.is_none() {
            anyhow::bail!(
                "--sign-key signs the ledger record or the DSSE envelope: give --ledger FILE or \
                 --attestation-envelope FILE with it"
            );
        }
        Ok(())
    }
}

/// Writes the evidence and every export asked for; returns the evidence as written (filed in the
/// ledger when there is one).
pub fn write_outputs(e: &Evidence, out: &Outputs) -> Result<Evidence> {
    out.check()?;
    let paths = fairgauge::export::OutputPaths {
        evidence: out.output.clone(),
        register: out.register.clone(),
        oscal: out.oscal.clone(),
        junit: out.junit.clone(),
        markdown: out.markdown.clone(),
        attestation: out.attestation.clone(),
        attestation_envelope: out.attestation_envelope.clone(),
        ledger: out.ledger.clone(),
        sign_key: out.sign_key.clone(),
        html: out.html.clone(),
    };
    let (_, written) =
        fairgauge::export::write_all(e, &paths).with_context(|| match &out.ledger {
            Some(l) => format!("while writing the outputs (ledger {})", l.display()),
            None => "while writing the outputs".to_string(),
        })?;
    if let Some(h) = &out.history {
        fairgauge::history::record_run(h, &written)?;
    }
    Ok(written)
}

/// The history a policy run records into — the flag's, else the policy's `[history] path` —
/// and what it knows of the policy's system.
pub fn open_history(
    flag: Option<&Path>,
    (policy, source): (&Policy, &PolicySource),
) -> Result<Option<(PathBuf, fairgauge::history::Past)>> {
    let Some(path) = policy.history_path(source, flag) else {
        return Ok(None);
    };
    let past = fairgauge::history::load_past(&path, policy)?;
    Ok(Some((path, past)))
}

/// What a policy run reads: the data and the reference (one of them may be standard input),
/// and the quality rules — the flag's, else the policy's (relative to the policy file).
pub fn open_inputs(
    read: &ReadArgs,
    data: &Path,
    reference: Option<&Path>,
    rules: Option<&Path>,
    (policy, source): (&Policy, &PolicySource),
) -> Result<(Opened, Option<Opened>, Option<RuleSet>)> {
    let opts = read.to_options(None)?;
    if let Some(r) = reference {
        crate::read_args::one_stdin(&[data, r])?;
    }
    let data = read.open(data, &opts)?;
    let reference = reference.map(|r| read.open(r, &opts)).transpose()?;
    let rules_path = rules
        .map(Path::to_path_buf)
        .or_else(|| policy.rules_path(source));
    let rules = rules_path.as_deref().map(RuleSet::load).transpose()?;
    Ok((data, reference, rules))
}

/// Runs the subcommand; `command_line` (the program and its arguments) is recorded in the
/// evidence.
pub fn run(mut a: AssessArgs, command_line: &[String]) -> Result<ExitStatus> {
    a.outputs.check()?;
    let (policy, source) = Policy::load_or_builtin(a.policy.as_deref())?;
    let history = open_history(a.outputs.history.as_deref(), (&policy, &source))?;
    a.outputs.history = history.as_ref().map(|(p, _)| p.clone());
    let roles = a.roles.over(&policy.data);
    let (current, reference, rules) = open_inputs(
        &a.read,
        &a.current,
        a.reference.as_deref(),
        a.rules.as_deref(),
        (&policy, &source),
    )?;
    let input = AssessInput {
        current: &current,
        reference: reference.as_deref(),
        policy: &policy,
        policy_source: &source,
        roles,
        rules,
        command_line: command_line.to_vec(),
        history: history.as_ref().map(|(_, past)| past),
    };
    let evidence = write_outputs(&assess(&input)?, &a.outputs)?;
    match a.format {
        Format::Json if a.outputs.output.is_none() => {
            crate::output::emit(&fairgauge::export::evidence_json(&evidence), None)?;
        }
        _ => crate::output::emit(&crate::render::evidence_text(&evidence), None)?,
    }
    Ok(if evidence.summary.passed {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
