//! One module per subcommand: its arguments (clap derive, doc comments as help) and its `run`.

pub mod assess;
pub mod bisg;
pub mod completions;
pub mod demo;
pub mod drift;
pub mod estimate;
pub mod fairness;
pub mod history;
pub mod init;
pub mod ledger;
pub mod monitor;
pub mod quality;
pub mod report;
pub mod risk;
pub mod synth;
pub mod validate;
