//! fairgauge: bias and data-integrity measurements for AI systems.
//!
//! This crate is what a Rust user embeds: it reads tables (CSV, Parquet, Arrow IPC, NDJSON) with
//! polars, maps columns to roles, streams batches into the mergeable states of
//! [`fairgauge_core`] and returns serde-serialisable reports.
//!
//! ```no_run
//! use fairgauge::{fairness::{FairnessSpec, run_fairness}, source::{ReadOptions, Table}};
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
//! };
//! let out = run_fairness(&table, &spec, &FairnessOptions::default(), None)?;
//! println!("{}", serde_json::to_string_pretty(&out)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod assess;
pub mod controls;
pub mod demo;
pub mod drift;
pub mod error;
pub mod evidence;
pub mod export;
pub mod fairness;
mod frame;
pub mod ledger;
mod part_codec;
pub mod policy;
pub mod quality;
pub mod report;
pub mod rules;
pub mod source;
pub mod spill;
pub mod synth;
pub mod text;

pub use error::{Error, Result};
pub use fairgauge_core as core;

pub use frame::{readable_by_all, write_table, Batch, OwnedColumn};
