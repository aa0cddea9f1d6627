//! The `fairgauge` binary: the command line of [`fairgauge_cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(fairgauge_cli::run(std::env::args_os()))
}
