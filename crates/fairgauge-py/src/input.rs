//! Tables from Python: a path with its read options, or any object with `__arrow_c_stream__`.

use crate::call::{bad_option, fail, Failure, RustError};
use fairgauge::source::{ColumnType, InputFormat, ReadOptions, Table};
use polars::prelude::DataFrame;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Deserialize;
use std::collections::BTreeMap;

/// How to read a table (JSON from Python).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Read {
    pub(crate) format: Option<String>,
    pub(crate) separator: Option<String>,
    pub(crate) has_header: Option<bool>,
    pub(crate) null_values: Option<Vec<String>>,
    pub(crate) columns: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) dtypes: BTreeMap<String, String>,
    pub(crate) trim_whitespace: Option<bool>,
    #[serde(default)]
    pub(crate) no_schema: bool,
    /// The name an in-memory table is reported under (`<pandas.DataFrame>`).
    pub(crate) name: Option<String>,
}

impl Read {
    fn options(&self) -> Result<ReadOptions, Failure> {
        let mut o = ReadOptions {
            has_header: self.has_header,
            null_values: self.null_values.clone(),
            columns: self.columns.clone(),
            trim_whitespace: self.trim_whitespace,
            no_schema_file: self.no_schema,
            ..Default::default()
        };
        if let Some(f) = &self.format {
            o.format = Some(InputFormat::parse(f).ok_or_else(|| {
                bad_option(format!(
                    "format `{f}`: expected csv, parquet, ipc or ndjson"
                ))
            })?);
        }
        if let Some(s) = &self.separator {
            o.separator = Some(fairgauge::source::parse_separator(s).ok_or_else(|| {
                bad_option(format!("separator `{s}`: expected one ASCII character"))
            })?);
        }
        for (c, t) in &self.dtypes {
            let ty = ColumnType::parse(t).ok_or_else(|| {
                bad_option(format!(
                    "dtype of `{c}`: unknown type `{t}` (expected str, int, float or bool)"
                ))
            })?;
            o.dtypes.insert(c.clone(), ty);
        }
        Ok(o)
    }
}

/// A table argument: a file path, or an in-memory table imported from Python.
#[derive(Debug)]
pub(crate) enum Input {
    Path(String),
    Frame(DataFrame),
}

/// Reads a table argument with the GIL held: a `str` is a path; anything with
/// `__arrow_c_stream__` is imported (zero-copy where the layout allows).
pub(crate) fn input(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Input> {
    if let Ok(s) = obj.extract::<String>() {
        return Ok(Input::Path(s));
    }
    if obj.hasattr("__arrow_c_stream__")? {
        return crate::arrow_in::import(obj, what)
            .map(Input::Frame)
            .map_err(|(kind, message)| RustError::new_err((kind, message)));
    }
    let ty = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(RustError::new_err((
        "data",
        format!("{what}: expected a path or an object with __arrow_c_stream__, got a {ty}"),
    )))
}

pub(crate) fn input_opt(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Input>> {
    obj.map(|o| input(o, what)).transpose()
}

pub(crate) fn open(input: Input, read: &Read) -> Result<Table, Failure> {
    match input {
        Input::Path(p) => Table::open(p, &read.options()?).map_err(fail),
        Input::Frame(df) => Ok(Table::from_frame(
            read.name.as_deref().unwrap_or("<in-memory table>"),
            df,
        )),
    }
}

// Partial states, for engines that split a table (Spark's mapInArrow, Dask's partitions): each
// part is counted where it lives, sent as bytes, merged and finished on the driver with the same
// code as a single-machine run.

pub(crate) fn bytes_of(parts: &[Bound<'_, PyBytes>]) -> Vec<Vec<u8>> {
    parts.iter().map(|b| b.as_bytes().to_vec()).collect()
}
