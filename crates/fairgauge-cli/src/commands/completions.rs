//! `fairgauge completions SHELL`: a completion script for bash, zsh, fish, PowerShell or elvish,
//! with every subcommand, option and enumerated value (`--format`, `--input-format`, …).

use anyhow::Result;
use clap::Args;
use clap_complete::Shell;

use crate::status::ExitStatus;

/// Arguments of `fairgauge completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for `cmd` to standard output.
pub fn run(a: CompletionsArgs, mut cmd: clap::Command) -> Result<ExitStatus> {
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "fairgauge", &mut out);
    crate::output::emit(&String::from_utf8_lossy(&out), None)?;
    Ok(ExitStatus::Success)
}
