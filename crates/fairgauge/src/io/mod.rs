//! Reading and writing: where a table comes from ([`source`]), the polars adapter that streams
//! its columns in batches (`frame`), Parquet columns read as dictionary codes (`parquet_codes`) and CSV columns read as codes
//! (`csv_codes`), both as `coded` columns, text normalisation shared by every analysis ([`text`]),
//! temporary hash files for the bounded mode ([`spill`]), time windows of a table's rows
//! ([`windows`]), the binary encoding of partial states
//! (`part_codec`) and atomic writes ([`write`](mod@write)). Nothing here knows about fairness, drift or
//! quality: the analyses above import from here, never the reverse.

pub(crate) mod coded;
pub(crate) mod csv_codes;
pub(crate) mod frame;
pub(crate) mod parquet_codes;
pub(crate) mod part_codec;
pub mod source;
pub mod spill;
pub mod text;
pub(crate) mod window_files;
pub mod windows;
pub mod write;

/// Progress callback: rows processed so far.
pub type Progress = std::sync::Arc<dyn Fn(u64) + Send + Sync>;
