//! `fairgauge init`: a starter policy with the roles guessed from the data and every default
//! written out, commented.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::policy::{Policy, Roles};

use crate::read_args::ReadArgs;
use crate::status::ExitStatus;

/// Arguments of `fairgauge init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The data the policy is for.
    pub data: PathBuf,
    /// The reference data (only checked to exist and share the columns).
    #[arg(long, value_name = "REF")]
    pub reference: Option<PathBuf>,
    /// Where to write the policy.
    #[arg(long, short, default_value = "policy.toml", value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

const LABELS: [&str; 10] = [
    "label",
    "target",
    "y",
    "y_true",
    "class",
    "outcome",
    "income",
    "credit_risk",
    "default",
    "approved",
];
const PREDICTIONS: [&str; 6] = [
    "prediction",
    "predicted",
    "pred",
    "y_pred",
    "decision",
    "yhat",
];
const SCORES: [&str; 6] = [
    "score",
    "proba",
    "probability",
    "y_score",
    "y_proba",
    "risk_score",
];
const SENSITIVE: [&str; 14] = [
    "sex",
    "gender",
    "race",
    "ethnicity",
    "religion",
    "nationality",
    "native-country",
    "native_country",
    "disability",
    "age_group",
    "age-group",
    "marital-status",
    "marital_status",
    "personal_status",
];

/// Guesses roles from column names (case-insensitive). Where several columns fit a role, the
/// name earlier in its list wins (a column `label` over a column `income`), whatever the column
/// order.
pub fn guess_roles(columns: &[String]) -> Roles {
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| columns.iter().find(|c| n.eq_ignore_ascii_case(c)))
            .cloned()
    };
    Roles {
        label: find(&LABELS),
        prediction: find(&PREDICTIONS),
        score: find(&SCORES),
        sensitive: columns
            .iter()
            .filter(|c| SENSITIVE.iter().any(|n| n.eq_ignore_ascii_case(c)))
            .cloned()
            .collect(),
        ..Default::default()
    }
}

/// Runs the subcommand.
pub fn run(a: InitArgs) -> Result<ExitStatus> {
    if a.output.exists() && !a.force {
        bail!(
            "{} exists; pass --force to overwrite it",
            a.output.display()
        );
    }
    let opts = a.read.to_options(None)?;
    if let Some(r) = &a.reference {
        crate::read_args::one_stdin(&[&a.data, r])?;
    }
    let table = a.read.open(&a.data, &opts)?;
    let columns = table.column_names()?;
    if let Some(r) = &a.reference {
        let rt = a.read.open(r, &opts)?;
        let rc = rt.column_names()?;
        let missing: Vec<&String> = columns.iter().filter(|c| !rc.contains(c)).collect();
        if !missing.is_empty() {
            eprintln!(
                "note: the reference lacks {} of the data's columns ({}); drift compares the others",
                missing.len(),
                missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            );
        }
    }
    let roles = guess_roles(&columns);
    let stem = a
        .data
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("system")
        .to_string();
    let text = Policy::starter(&stem, &roles);
    // The starter must load as a policy (it is tested, and checked here too).
    Policy::parse(&text, &a.output)?;
    crate::output::emit(&text, Some(&a.output))?;
    eprintln!(
        "wrote {}: label {}, prediction {}, score {}, sensitive [{}] (guessed from column names; edit to fit)",
        a.output.display(),
        roles.label.as_deref().unwrap_or("(none)"),
        roles.prediction.as_deref().unwrap_or("(none)"),
        roles.score.as_deref().unwrap_or("(none)"),
        roles.sensitive.join(", ")
    );
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::guess_roles;

    #[test]
    fn the_most_specific_name_wins_whatever_the_column_order() {
        let cols: Vec<String> = ["sex", "income", "label", "prediction", "score"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = guess_roles(&cols);
        assert_eq!(r.label.as_deref(), Some("label"));
        assert_eq!(r.prediction.as_deref(), Some("prediction"));
        // UCI Adult has no `label` column: its `income` is the label.
        let adult: Vec<String> = ["age", "sex", "income"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(guess_roles(&adult).label.as_deref(), Some("income"));
    }
}
