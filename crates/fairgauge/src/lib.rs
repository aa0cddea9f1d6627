//! fairgauge: bias and data-integrity measurements for AI systems.
//!
//! This crate is what a Rust user embeds: it reads tables (CSV, Parquet, Arrow IPC, NDJSON) with
//! polars, maps columns to roles, streams batches into the mergeable states of
//! [`fairgauge_core`] and returns serde-serialisable reports.
//!
//! ```no_run
//! use fairgauge::{fairness::{FairnessSpec, Task, run_fairness}, source::{ReadOptions, Table}};
//! use fairgauge_core::fairness::FairnessOptions;
//!
//! let table = Table::open("datasets/adult/adult.data", &ReadOptions::default())?;
//! let spec = FairnessSpec {
//!     label: "income".into(),
//!     prediction: None,
//!     score: None,
//!     threshold: 0.5,
//!     sensitive: vec!["sex".into(), "race".into()],
//!     positive_label: Some(">50K".into()),
//!     weight: None,
//!     above_threshold: None,
//!     keep_labels: false,
//!     ranking: None,
//!     task: Task::Binary,
//!     probabilistic: vec![],
//! };
//! let out = run_fairness(&table, &spec, &FairnessOptions::default(), None)?;
//! println!("{}", serde_json::to_string_pretty(&out)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The flow, bottom to top; each layer imports only from the ones before it.
pub mod drift; // analyse: reference vs current
pub mod error; // one error type for the crate
pub mod estimate; // analyse: performance per group without labels (CBPE on calibrated scores)
pub mod evidence; // judge and write: policy, assessment, evidence, exports, ledger, HTML
pub mod fairness; // analyse: per-group rates and disparities
pub mod generate;
pub mod io; // read: tables, the polars adapter, atomic writes
pub mod membership; // analyse: sensitive groups as probabilities (BISG from surname and place)
pub mod monitor; // analyse and judge over time windows: assess per window, change alerts
pub mod present; // numbers and words as people read them (CLI, Markdown, HTML)
pub mod quality; // analyse: column profiles, dataset checks, rules // synthetic data and the demo's scored data

// Paths of the public API before the modules moved into their folders.
pub use evidence::html as report;
pub use evidence::{assess, controls, export, history, ledger, policy};
pub use generate::{demo, synth};
pub use io::{source, spill, text};
pub use quality::rules;

pub use error::{Error, Result};
pub use fairgauge_core as core;

pub use io::frame::{write_table, Batch, OwnedColumn};
pub use io::write::readable_by_all;
