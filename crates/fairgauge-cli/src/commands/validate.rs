//! `fairgauge validate FILE…`: checks policy and rules files without running anything (the
//! pre-commit hook's command). A file with a `[columns]` table is a rules file, any other TOML a
//! policy; each is parsed and checked exactly as `assess` and `quality --rules` would.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use fairgauge::policy::Policy;
use fairgauge::rules::RuleSet;

use crate::render::shown;
use crate::status::ExitStatus;

/// Arguments of `fairgauge validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Policy or rules files (TOML).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Which kind of file `text` is: `rules` when it has a `[columns]` table, else `policy`.
fn kind_of(text: &str) -> &'static str {
    match text.parse::<toml::Table>() {
        Ok(t) if t.contains_key("columns") => "rules",
        _ => "policy",
    }
}

/// Checks each file; prints `FILE: ok (policy)` or the error naming the line and key; exit 1
/// when any file is invalid, 2 when one cannot be read.
pub fn run(a: ValidateArgs) -> Result<ExitStatus> {
    let mut status = ExitStatus::Success;
    for f in &a.files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", f.display()))?;
        let kind = kind_of(&text);
        let checked = match kind {
            "rules" => RuleSet::load(f).map(|_| ()),
            _ => Policy::load(f).map(|_| ()),
        };
        match checked {
            Ok(()) => println!("{}: ok ({kind})", shown(&f.display().to_string())),
            Err(e) => {
                eprintln!("error: {}", shown(&e.to_string()));
                status = ExitStatus::Failure;
            }
        }
    }
    Ok(status)
}
