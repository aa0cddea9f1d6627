//! Tables from Python through the Arrow C stream interface
//! (<https://arrow.apache.org/docs/format/CStreamInterface.html>, PyCapsule protocol
//! <https://arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface.html>): any object
//! with `__arrow_c_stream__` (pyarrow Tables and RecordBatchReaders, polars DataFrames, duckdb
//! results, pandas through pyarrow) becomes polars columns that share the producer's buffers.
//! Nothing is copied except where polars' layout differs from the producer's (Arrow `string` /
//! `large_string` become string views). The import holds the GIL, since some producers call back
//! into Python; it costs microseconds per batch.
//!
//! This module holds the crate's only unsafe code, each block with its argument.

use std::ffi::CStr;
use std::panic::AssertUnwindSafe;

use polars::prelude::{Column, DataFrame, PolarsError, PolarsResult, Series};
use polars_arrow::array::{Array, StructArray};
use polars_arrow::datatypes::{ArrowDataType, Field};
use polars_arrow::ffi::{ArrowArrayStream, ArrowArrayStreamReader};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use rayon::prelude::*;

use crate::call::Failure;

const STREAM_CAPSULE: &CStr = c"arrow_array_stream";

/// Rows per piece of a string column converted to string views in parallel.
const PIECE_ROWS: usize = 1 << 20;

fn data_err(message: String) -> Failure {
    ("data", message)
}

/// Whether fairgauge's polars build reads columns of this Arrow type (others would need polars
/// features that are not compiled in: decimals, nested and dictionary types, times of day).
fn supported(dtype: &ArrowDataType) -> bool {
    use ArrowDataType as T;
    matches!(
        dtype,
        T::Null
            | T::Boolean
            | T::Int8
            | T::Int16
            | T::Int32
            | T::Int64
            | T::UInt8
            | T::UInt16
            | T::UInt32
            | T::UInt64
            | T::Float32
            | T::Float64
            | T::Utf8
            | T::LargeUtf8
            | T::Utf8View
            | T::Binary
            | T::LargeBinary
            | T::BinaryView
            | T::Date32
            | T::Date64
            | T::Timestamp(_, _)
            | T::Duration(_)
    )
}

/// Imports `obj.__arrow_c_stream__()` into a DataFrame. `what` names the object in errors.
pub(crate) fn import(obj: &Bound<'_, PyAny>, what: &str) -> Result<DataFrame, Failure> {
    let capsule = obj
        .call_method0("__arrow_c_stream__")
        .map_err(|e| data_err(format!("{what}: __arrow_c_stream__() failed: {e}")))?;
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        data_err(format!(
            "{what}: __arrow_c_stream__() did not return a PyCapsule"
        ))
    })?;
    // The name checked as the PyCapsule interface prescribes; a null pointer is refused too.
    if !capsule.is_valid_checked(Some(STREAM_CAPSULE)) {
        return Err(data_err(format!(
            "{what}: __arrow_c_stream__() returned a capsule not named `arrow_array_stream`, or \
             an empty one"
        )));
    }
    let ptr = capsule
        .pointer_checked(Some(STREAM_CAPSULE))
        .map_err(|e| data_err(format!("{what}: the Arrow stream capsule is empty: {e}")))?
        .as_ptr()
        .cast::<ArrowArrayStream>();
    // SAFETY: a capsule named `arrow_array_stream` holds a valid `struct ArrowArrayStream`
    // (the PyCapsule interface), which is `#[repr(C)]` in polars-arrow. Moving it out and leaving
    // a released (empty) stream in its place transfers ownership to us, as the interface
    // prescribes: the capsule's destructor then sees `release == NULL` and does nothing.
    let stream = unsafe { std::ptr::replace(ptr, ArrowArrayStream::empty()) };
    let caught = std::panic::catch_unwind(AssertUnwindSafe(|| read_stream(stream, what)));
    match caught {
        Ok(r) => r,
        Err(_) => Err(data_err(format!(
            "{what}: the Arrow data could not be converted (a column type fairgauge does not read?)"
        ))),
    }
}

fn read_stream(stream: ArrowArrayStream, what: &str) -> Result<DataFrame, Failure> {
    // SAFETY: `stream` came from a producer that follows the C stream interface (above); the
    // reader checks the callbacks are present and the schema imports.
    let mut reader = unsafe { ArrowArrayStreamReader::try_new(Box::new(stream)) }
        .map_err(|e| data_err(format!("{what}: cannot read the Arrow stream: {e}")))?;
    let fields: Vec<Field> = match reader.field().dtype() {
        ArrowDataType::Struct(fields) => fields.clone(),
        other => {
            return Err(data_err(format!(
                "{what}: the Arrow stream holds {other:?} arrays, expected record batches (struct)"
            )))
        }
    };
    if let Some(f) = fields.iter().find(|f| !supported(f.dtype())) {
        return Err(data_err(format!(
            "{what}: column `{}` has Arrow type {:?}, which fairgauge does not read; cast it to \
             text, a number, a boolean or a date/time first (categoricals are decoded by the \
             Python layer)",
            f.name,
            f.dtype()
        )));
    }
    let mut chunks: Vec<Vec<Box<dyn Array>>> = vec![Vec::new(); fields.len()];
    let mut rows = 0usize;
    loop {
        // SAFETY: as above; each array the producer hands over follows the C data interface.
        let next = unsafe { reader.next() };
        let Some(batch) = next else { break };
        let batch =
            batch.map_err(|e| data_err(format!("{what}: reading an Arrow batch failed: {e}")))?;
        let Some(batch) = batch.as_any().downcast_ref::<StructArray>() else {
            return Err(data_err(format!(
                "{what}: an Arrow batch is not a struct array"
            )));
        };
        if batch.validity().is_some_and(|v| v.unset_bits() > 0) {
            return Err(data_err(format!(
                "{what}: an Arrow batch has null rows, which a record batch cannot have"
            )));
        }
        rows += batch.len();
        for (i, values) in batch.values().iter().enumerate() {
            if values.len() != batch.len() {
                return Err(data_err(format!(
                    "{what}: column `{}` has {} values in a batch of {} rows",
                    fields[i].name,
                    values.len(),
                    batch.len()
                )));
            }
            chunks[i].push(values.clone());
        }
    }
    // Arrow `string` / `large_string` become polars' string views: a pass over every value,
    // run in parallel over pieces of the columns (the rest is shared as it is).
    let jobs: Vec<(usize, Box<dyn Array>)> = chunks
        .into_iter()
        .enumerate()
        .flat_map(|(i, arrays)| {
            let split = matches!(
                fields[i].dtype(),
                ArrowDataType::Utf8 | ArrowDataType::LargeUtf8
            );
            arrays.into_iter().flat_map(move |a| {
                let n = a.len();
                let step = if split { PIECE_ROWS } else { n.max(1) };
                (0..n.max(1))
                    .step_by(step)
                    .map(|o| (i, a.sliced(o, step.min(n - o))))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let pieces: Vec<(usize, PolarsResult<Series>)> = jobs
        .into_par_iter()
        .map(|(i, a)| (i, Series::try_from((&fields[i], a))))
        .collect();
    let bad = |i: usize, e: PolarsError| {
        data_err(format!(
            "{what}: column `{}` cannot be read: {e}",
            fields[i].name
        ))
    };
    let mut columns: Vec<Option<Series>> = vec![None; fields.len()];
    for (i, s) in pieces {
        let s = s.map_err(|e| bad(i, e))?;
        match &mut columns[i] {
            Some(acc) => {
                acc.append_owned(s).map_err(|e| bad(i, e))?;
            }
            slot => *slot = Some(s),
        }
    }
    let columns = fields
        .iter()
        .zip(columns)
        .enumerate()
        .map(|(i, (f, s))| match s {
            Some(s) => Ok(Column::from(s)),
            None => Series::try_from((f, polars_arrow::array::new_empty_array(f.dtype().clone())))
                .map(Column::from)
                .map_err(|e| bad(i, e)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    DataFrame::new(rows, columns)
        .map_err(|e| data_err(format!("{what}: the columns do not form a table: {e}")))
}
