//! Writing what a subcommand produced: the output format, JSON or text to stdout or a file
//! (atomically), and the progress spinner on a terminal.

use clap::ValueEnum;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use fairgauge::fairness::Progress;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Text,
    /// The machine contract: `groups`, `disparities`, `summary`.
    Json,
}

/// Writes a report as pretty JSON or as text (`render`), to `path` or stdout.
pub fn emit_report<T: serde::Serialize>(
    report: &T,
    format: Format,
    render: impl FnOnce(&T) -> String,
    path: Option<&Path>,
) -> Result<()> {
    let text = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report)?;
            s.push('\n');
            s
        }
        Format::Text => render(report),
    };
    emit(&text, path)
}

/// Writes `text` to `path` atomically (a temporary file beside it, then a rename), or to stdout.
pub fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
        Some(p) => {
            fairgauge::export::write_atomic(p, text)?;
            Ok(())
        }
    }
}

/// A spinner with the row count on a terminal's stderr; nothing otherwise.
pub struct Bar(Option<indicatif::ProgressBar>);

/// Starts a [`Bar`].
pub fn progress_bar() -> Bar {
    use std::io::IsTerminal;
    Bar(std::io::stderr().is_terminal().then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} rows ({per_sec}, {elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    }))
}

impl Bar {
    /// The callback that reports rows read.
    pub fn callback(&self) -> Option<Progress> {
        self.0.clone().map(|pb| {
            std::sync::Arc::new(move |rows: u64| pb.set_message(format!("{rows}"))) as Progress
        })
    }

    /// Clears the spinner.
    pub fn finish(self) {
        if let Some(pb) = self.0 {
            pb.finish_and_clear();
        }
    }
}
