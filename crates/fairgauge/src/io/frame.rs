//! Every use of polars lives here (and, for Parquet pages read as dictionary codes, in
//! [`parquet_codes`]; CSV fields read as codes, in [`csv_codes`], use none), so a polars upgrade
//! touches two files: scanning a table lazily
//! (projection pushed down to the role columns), streaming it batch by batch, visiting a column's
//! values as text, numbers or booleans, and writing tables atomically.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::coded::{Coded, Values, NULL_CODE};
use crate::io::csv_codes;
use crate::io::parquet_codes;
use crate::io::source::{ColumnType, InputFormat, Memory, Resolved, Table};
use crate::io::write::readable_by_all;

/// Rows per streamed batch.
const BATCH_ROWS: usize = 1 << 18;

impl Table {
    /// An in-memory table, reported under `name` (for example `<pandas.DataFrame>`): every
    /// analysis reads it as it would read a file of the same columns, with no file digest.
    pub fn from_frame(name: &str, frame: DataFrame) -> Table {
        Table {
            path: name.into(),
            resolved: Resolved::in_memory(),
            frame: Some(Memory(frame)),
            shown: None,
        }
    }

    /// Column names, in file order.
    pub fn column_names(&self) -> Result<Vec<String>> {
        column_names(self)
    }
}

fn read_err(table: &Table, e: PolarsError) -> Error {
    if table.is_in_memory() {
        let msg = e.to_string();
        return Error::Read {
            path: table.path.clone(),
            message: format!(
                "cannot read the in-memory table: {}",
                msg.lines().next().unwrap_or("")
            ),
        };
    }
    if table.resolved.format == InputFormat::Csv {
        if let Err(err) = check_csv(table) {
            return err;
        }
    }
    let msg = e.to_string();
    let msg = msg.lines().next().unwrap_or("").to_string();
    Error::Read {
        path: table.path.clone(),
        message: format!("cannot read as {:?}: {msg}", table.resolved.format).to_lowercase(),
    }
}

fn path_str(table: &Table) -> Result<&str> {
    table.path.to_str().ok_or_else(|| Error::Io {
        path: table.path.clone(),
        message: "the path is not valid UTF-8".into(),
    })
}

fn dtype_of(t: ColumnType) -> DataType {
    match t {
        ColumnType::Str => DataType::String,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
    }
}

/// The lazy scan of a table, with its column names applied (before any projection).
fn scan(table: &Table) -> Result<LazyFrame> {
    if let Some(Memory(df)) = &table.frame {
        return Ok(df.clone().lazy());
    }
    let r = &table.resolved;
    let p = PlRefPath::new(path_str(table)?);
    let lf = match r.format {
        InputFormat::Csv => {
            let mut reader = LazyCsvReader::new(p)
                .with_has_header(r.has_header)
                .with_separator(r.separator)
                .with_quote_char(r.quote_char)
                .with_comment_prefix(r.comment_prefix.as_deref().map(PlSmallStr::from))
                .with_raise_if_empty(true);
            if r.trim_whitespace || r.all_text {
                // Values carry white space (or do not fit one type): read all as text; roles
                // trim and parse them.
                reader = reader.with_infer_schema_length(Some(0));
            } else {
                if !r.null_values.is_empty() && !r.nulls_in_rules {
                    reader = reader.with_null_values(Some(NullValues::AllColumns(
                        r.null_values
                            .iter()
                            .map(|s| PlSmallStr::from(s.as_str()))
                            .collect(),
                    )));
                }
                if !r.dtypes.is_empty() {
                    let mut fields = vec![];
                    for (c, t) in &r.dtypes {
                        // A headerless file's columns are `column_1`, `column_2`, … until renamed.
                        let name = match (&r.columns, r.has_header) {
                            (Some(names), false) => match names.iter().position(|n| n == c) {
                                Some(i) => format!("column_{}", i + 1),
                                None => {
                                    return Err(Error::InvalidOption(format!(
                                    "type override for `{c}`, which is not among the columns ({})",
                                    names.join(", ")
                                )))
                                }
                            },
                            _ => c.clone(),
                        };
                        fields.push(Field::new(PlSmallStr::from(name.as_str()), dtype_of(*t)));
                    }
                    let schema: Schema = fields.into_iter().collect();
                    reader = reader.with_dtype_overwrite(Some(Arc::new(schema)));
                }
            }
            reader.finish().map_err(|e| read_err(table, e))?
        }
        InputFormat::Parquet => {
            LazyFrame::scan_parquet(p, Default::default()).map_err(|e| read_err(table, e))?
        }
        InputFormat::Ipc => LazyFrame::scan_ipc(p, Default::default(), Default::default())
            .map_err(|e| read_err(table, e))?,
        InputFormat::Ndjson => LazyJsonLineReader::new(p)
            .finish()
            .map_err(|e| read_err(table, e))?,
    };
    let mut lf = lf;
    if let Some(names) = &r.columns {
        let schema = lf.collect_schema().map_err(|e| read_err(table, e))?;
        if schema.len() != names.len() {
            return Err(Error::Format {
                path: table.path.clone(),
                message: format!(
                    "{} column names given, but the file has {} columns",
                    names.len(),
                    schema.len()
                ),
            });
        }
        let old: Vec<PlSmallStr> = schema.iter_names().cloned().collect();
        let new: Vec<PlSmallStr> = names.iter().map(|s| PlSmallStr::from(s.as_str())).collect();
        lf = lf.rename(old, new, true);
    }
    // CSV types are set in the reader (so `007` stays text when asked); other formats are cast.
    let casts: Vec<Expr> = r
        .dtypes
        .iter()
        .filter(|_| r.format != InputFormat::Csv)
        .map(|(c, t)| col(c.as_str()).strict_cast(dtype_of(*t)))
        .collect();
    if !casts.is_empty() {
        lf = lf.with_columns(casts);
    }
    Ok(lf)
}

/// What kind of values a column holds, as the reader sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum ColumnKind {
    /// Integers or floats.
    Numeric,
    /// Booleans.
    Boolean,
    /// Text (including text that may hold numbers, as in a trimmed CSV).
    Text,
    /// Dates, times and anything else.
    Other,
}

/// Column names with their kinds and polars' name for the type.
pub(crate) fn column_kinds(table: &Table) -> Result<Vec<(String, ColumnKind, String)>> {
    let mut lf = scan(table)?;
    let schema = lf.collect_schema().map_err(|e| read_err(table, e))?;
    Ok(schema
        .iter()
        .map(|(name, dt)| {
            let kind = match dt {
                d if d.is_primitive_numeric() => ColumnKind::Numeric,
                DataType::Boolean => ColumnKind::Boolean,
                DataType::String | DataType::Null => ColumnKind::Text,
                _ => ColumnKind::Other,
            };
            (name.to_string(), kind, dt.to_string())
        })
        .collect())
}

/// The number of rows when the format stores it (Parquet, IPC: from metadata), to size buffers.
pub(crate) fn row_count_hint(table: &Table) -> Option<usize> {
    if let Some(Memory(df)) = &table.frame {
        return Some(df.height());
    }
    if !matches!(
        table.resolved.format,
        InputFormat::Parquet | InputFormat::Ipc
    ) {
        return None;
    }
    let df = scan(table).ok()?.select([len()]).collect().ok()?;
    let c = df.columns().first()?.cast(&DataType::UInt64).ok()?;
    c.u64().ok()?.get(0).map(|n| n as usize)
}

/// Column names of a table.
pub(crate) fn column_names(table: &Table) -> Result<Vec<String>> {
    let mut lf = scan(table)?;
    let schema = lf.collect_schema().map_err(|e| read_err(table, e))?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// A batch of rows of some columns: polars columns, and columns read as dictionary codes
/// ([`parquet_codes`](crate::io::parquet_codes), only for callers of [`for_each_coded_batch`]).
#[derive(Debug, Clone)]
pub struct Batch {
    df: DataFrame,
    coded: Vec<CodedSlice>,
    height: usize,
}

/// Rows `offset..offset + len` of a column read as codes.
#[derive(Debug, Clone)]
struct CodedSlice {
    name: String,
    column: Arc<Coded>,
    offset: usize,
    len: usize,
}

impl Batch {
    fn of(df: DataFrame) -> Batch {
        let height = df.height();
        Batch {
            df,
            coded: vec![],
            height,
        }
    }

    /// Adds the column `name` read as codes (as many rows as the batch).
    fn add_coded(&mut self, name: &str, column: Coded) {
        self.coded.push(CodedSlice {
            name: name.to_string(),
            column: Arc::new(column),
            offset: 0,
            len: self.height,
        });
    }
}

/// Receives a column's values, one call per row.
/// Rows of a text column handed to [`Visit::short_texts`] at a time.
const SHORT_TEXT_RUN: usize = 4096;

pub(crate) trait Visit {
    /// A text value (or null).
    fn text(&mut self, row: usize, v: Option<&str>);
    /// A numeric value (or null); NaN is passed as is.
    fn number(&mut self, row: usize, v: Option<f64>);
    /// A boolean value (or null).
    fn boolean(&mut self, row: usize, v: Option<bool>);
    /// A run of non-null numbers starting at `first_row` (a chunk without nulls); by default one
    /// [`Visit::number`] call each.
    fn numbers(&mut self, first_row: usize, values: &[f64]) {
        for (i, &x) in values.iter().enumerate() {
            self.number(first_row + i, Some(x));
        }
    }
    /// A run of a text column starting at `first_row`: `keys[i]` is equal for rows whose texts
    /// are equal and short (at most 12 bytes), `None` for a null or a longer text; `text(i)`
    /// gives row `first_row + i`'s text. By default one [`Visit::text`] call each (a visitor
    /// may remember what a key gave instead of reading its text again).
    fn short_texts<'t>(
        &mut self,
        first_row: usize,
        keys: &[Option<u128>],
        text: &dyn Fn(usize) -> Option<&'t str>,
    ) {
        for i in 0..keys.len() {
            self.text(first_row + i, text(i));
        }
    }
    /// A run of a categorical column starting at `first_row`: each row's category id (`None`:
    /// null), whose text `level` gives; by default one [`Visit::text`] call each, with the text
    /// (a visitor may remember what an id gave instead of reading its text again).
    fn categories<'m>(
        &mut self,
        first_row: usize,
        ids: &[Option<u32>],
        level: &dyn Fn(u32) -> Option<&'m str>,
    ) {
        for (i, id) in ids.iter().enumerate() {
            self.text(first_row + i, id.and_then(level));
        }
    }
    /// Whether a Date column is visited with [`Visit::dates`] (its days since 1970-01-01)
    /// rather than as text (`YYYY-MM-DD`, as polars writes a date).
    fn wants_dates(&self) -> bool {
        false
    }
    /// A run of a Date column starting at `first_row` (days since 1970-01-01; `None`: null),
    /// for a visitor that [`Visit::wants_dates`]; by default one [`Visit::number`] call each.
    fn dates(&mut self, first_row: usize, days: &[Option<i32>]) {
        for (i, d) in days.iter().enumerate() {
            self.number(first_row + i, d.map(f64::from));
        }
    }
    /// A run of a column read as dictionary codes ([`parquet_codes`]) starting at `first_row`:
    /// `codes[i]` indexes `values`, or is [`NULL_CODE`] for a null (only when `nulls`). By default visited as the
    /// polars column of the same values is: text as [`Visit::categories`], numbers as
    /// [`Visit::numbers`] (or [`Visit::number`] each when there are nulls). A visitor whose
    /// outcome for a row depends only on its value may work out each code's once instead.
    fn coded(&mut self, first_row: usize, codes: &[u32], values: &Values, _nulls: bool) {
        match values {
            Values::Text(texts) => {
                let level = |c: u32| texts.get(c as usize).map(|s| s.as_str());
                let mut ids = Vec::with_capacity(SHORT_TEXT_RUN);
                for (k, run) in codes.chunks(SHORT_TEXT_RUN).enumerate() {
                    ids.clear();
                    ids.extend(run.iter().map(|&c| (c != NULL_CODE).then_some(c)));
                    self.categories(first_row + k * SHORT_TEXT_RUN, &ids, &level);
                }
            }
            Values::Number(xs) if codes.contains(&NULL_CODE) => {
                for (i, &c) in codes.iter().enumerate() {
                    self.number(first_row + i, xs.get(c as usize).copied());
                }
            }
            Values::Number(xs) => {
                let mut run_values = Vec::with_capacity(SHORT_TEXT_RUN);
                for (k, run) in codes.chunks(SHORT_TEXT_RUN).enumerate() {
                    run_values.clear();
                    run_values.extend(run.iter().map(|&c| xs[c as usize]));
                    self.numbers(first_row + k * SHORT_TEXT_RUN, &run_values);
                }
            }
        }
    }
}

/// The first row of each distinct code of `codes` (as `(row, code)`, in row order): the rows a
/// visitor whose outcome depends on the value only must visit itself; the others repeat them.
/// `nulls`: whether `codes` may hold [`NULL_CODE`] (otherwise the scan stops once every value
/// has been met).
pub(crate) fn first_rows(codes: &[u32], values: &Values, nulls: bool) -> Vec<(usize, u32)> {
    let mut seen = vec![false; values.len() + 1];
    let distinct = values.len() + usize::from(nulls);
    let mut firsts = vec![];
    for (row, &c) in codes.iter().enumerate() {
        let slot = (c as usize).min(values.len());
        if !seen[slot] {
            seen[slot] = true;
            firsts.push((row, c));
            if firsts.len() == distinct {
                break;
            }
        }
    }
    firsts
}

/// Visits one value of a column read as codes: the value of `code` in `values` (or a null), as
/// the polars column of the same values would give it (`row`'s text or number).
pub(crate) fn visit_code<V: Visit + ?Sized>(v: &mut V, row: usize, code: u32, values: &Values) {
    match values {
        Values::Text(texts) => v.text(row, texts.get(code as usize).map(|s| s.as_str())),
        Values::Number(xs) => v.number(row, xs.get(code as usize).copied()),
    }
}

impl Batch {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.height
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.height == 0
    }

    /// Whether `column` was read as dictionary codes.
    #[cfg(test)]
    pub(crate) fn is_coded(&self, column: &str) -> bool {
        self.coded.iter().any(|c| c.name == column)
    }

    /// Rows `offset..offset + len`.
    pub fn slice(&self, offset: usize, len: usize) -> Batch {
        let len = len.min(self.height.saturating_sub(offset));
        let coded = self
            .coded
            .iter()
            .map(|c| CodedSlice {
                offset: c.offset + offset,
                len,
                ..c.clone()
            })
            .collect();
        Batch {
            df: self.df.slice(offset as i64, len),
            coded,
            height: len,
        }
    }

    /// Visits the values of one column.
    pub(crate) fn visit<V: Visit>(
        &self,
        column: &str,
        v: &mut V,
    ) -> std::result::Result<(), String> {
        if let Some(c) = self.coded.iter().find(|c| c.name == column) {
            c.visit(v);
            return Ok(());
        }
        let c = self.df.column(column).map_err(|e| e.to_string())?;
        let s = c.as_materialized_series();
        match s.dtype() {
            DataType::String => {
                let mut row = 0;
                for arr in s.str().map_err(|e| e.to_string())?.downcast_iter() {
                    use polars_arrow::array::Array as _;
                    let (views, validity) = (arr.views(), arr.validity());
                    for start in (0..arr.len()).step_by(SHORT_TEXT_RUN) {
                        let end = (start + SHORT_TEXT_RUN).min(arr.len());
                        // A text of at most 12 bytes lies in its 16-byte view: the view is a key.
                        let keys: Vec<Option<u128>> = (start..end)
                            .map(|i| {
                                let valid = validity.is_none_or(|b| b.get_bit(i));
                                (valid && views[i].length <= 12).then(|| views[i].as_u128())
                            })
                            .collect();
                        v.short_texts(row + start, &keys, &|j| arr.get(start + j));
                    }
                    row += arr.len();
                }
            }
            DataType::Boolean => {
                for (i, x) in s.bool().map_err(|e| e.to_string())?.iter().enumerate() {
                    v.boolean(i, x);
                }
            }
            d if d.is_primitive_numeric() => {
                let f = s.cast(&DataType::Float64).map_err(|e| e.to_string())?;
                let ca = f.f64().map_err(|e| e.to_string())?;
                if ca.null_count() == 0 {
                    let mut row = 0;
                    for arr in ca.downcast_iter() {
                        v.numbers(row, arr.values().as_slice());
                        row += arr.len();
                    }
                } else {
                    for (i, x) in ca.iter().enumerate() {
                        v.number(i, x);
                    }
                }
            }
            DataType::Null => {
                for i in 0..s.len() {
                    v.text(i, None);
                }
            }
            DataType::Date if v.wants_dates() => {
                let days = s.to_physical_repr();
                let mut row = 0;
                for arr in days.i32().map_err(|e| e.to_string())?.downcast_iter() {
                    let chunk: Vec<Option<i32>> = arr.iter().map(|x| x.copied()).collect();
                    v.dates(row, &chunk);
                    row += arr.len();
                }
            }
            // Categories (a Parquet dictionary read by polars) by their ids, without writing
            // each row's text out.
            DataType::Categorical(_, mapping) | DataType::Enum(_, mapping) => {
                let ids = s
                    .to_physical_repr()
                    .cast(&DataType::UInt32)
                    .map_err(|e| e.to_string())?;
                let ids = ids.u32().map_err(|e| e.to_string())?;
                let level = |id: u32| mapping.cat_to_str(id);
                let mut row = 0;
                for arr in ids.downcast_iter() {
                    let chunk: Vec<Option<u32>> = arr.iter().map(|x| x.copied()).collect();
                    v.categories(row, &chunk, &level);
                    row += arr.len();
                }
            }
            _ => {
                let t = s.cast(&DataType::String).map_err(|e| e.to_string())?;
                for (i, x) in t.str().map_err(|e| e.to_string())?.iter().enumerate() {
                    v.text(i, x);
                }
            }
        }
        Ok(())
    }
}

impl CodedSlice {
    fn visit<V: Visit>(&self, v: &mut V) {
        let codes = &self.column.codes[self.offset..self.offset + self.len];
        v.coded(0, codes, &self.column.values, self.column.nulls);
    }
}

/// Streams the named columns of a table batch by batch, in file order, calling
/// `f(batch, first_row)` for each. Parquet files are read a window of row groups at a time
/// ([`parquet_batches`]: memory bounded by the window, whatever the file's size); the other
/// formats go through polars' streaming engine, which reads ahead of the callback (CSV files are
/// memory-mapped unless `POLARS_FORCE_ASYNC=1`).
/// `f` may stop the scan early by returning an error, which is returned.
///
/// Returns the number of blank CSV lines: polars reads each as a row of nulls, which the caller
/// takes back out of its counts (pandas' `skip_blank_lines`; UCI Adult ends with one).
/// With `coded`, Parquet columns that can be are read as dictionary codes
/// ([`for_each_coded_batch`]).
pub(crate) fn scan_batches<F>(table: &Table, columns: &[String], coded: bool, f: F) -> Result<u64>
where
    F: FnMut(Batch, usize) -> Result<()> + Send + 'static,
{
    if table.frame.is_none()
        && table.resolved.format == InputFormat::Parquet
        && std::env::var_os("FAIRGAUGE_PARQUET_ENGINE").is_none_or(|v| v != "polars")
    {
        let mut f = f;
        return parquet_batches(table, columns, coded, &mut f).map(|_| 0);
    }
    if table.frame.is_none()
        && table.resolved.format == InputFormat::Ipc
        && std::env::var_os("FAIRGAUGE_IPC_ENGINE").is_none_or(|v| v != "polars")
    {
        let mut f = f;
        return ipc_batches(table, columns, &mut f).map(|_| 0);
    }
    let lf = scan(table)?;
    let lf = lf.select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>());
    struct Sink<F> {
        f: F,
        offset: usize,
        error: Option<Error>,
    }
    let sink = Arc::new(Mutex::new(Sink {
        f,
        offset: 0,
        error: None,
    }));
    let cb_sink = Arc::clone(&sink);
    let callback = PlanCallback::new(move |df: DataFrame| -> PolarsResult<bool> {
        let mut s = cb_sink.lock().unwrap_or_else(|p| p.into_inner());
        if s.error.is_some() {
            return Ok(true);
        }
        let offset = s.offset;
        s.offset += df.height();
        if let Err(e) = (s.f)(Batch::of(df), offset) {
            s.error = Some(e);
            return Ok(true);
        }
        Ok(false)
    });
    // polars fills a short CSV line with nulls; a side pass over the bytes finds ragged lines
    // (and unclosed quotes) so that no such line is read silently. It runs beside the scan.
    let (result, shape) = std::thread::scope(|scope| {
        let shape =
            (table.resolved.format == InputFormat::Csv).then(|| scope.spawn(|| check_csv(table)));
        let result = lf
            .sink_batches(callback, true, NonZeroUsize::new(BATCH_ROWS))
            .and_then(|lf| lf.collect_with_engine(Engine::Streaming));
        let shape = shape.map(|h| h.join().unwrap_or(Ok(0)));
        (result, shape)
    });
    let blank = match shape {
        Some(Err(e)) => return Err(e),
        Some(Ok(b)) => b,
        None => 0,
    };
    let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = s.error.take() {
        return Err(e);
    }
    result.map(|_| blank).map_err(|e| read_err(table, e))
}

/// The type overrides of the read options for `columns`, as casts (formats whose reader does not
/// take them: Parquet and IPC).
fn type_casts(table: &Table, columns: &[String]) -> Vec<Expr> {
    table
        .resolved
        .dtypes
        .iter()
        .filter(|(c, _)| columns.contains(c))
        .map(|(c, t)| col(c.as_str()).strict_cast(dtype_of(*t)))
        .collect()
}

/// Applies [`type_casts`] to a batch.
fn cast(table: &Table, df: DataFrame, casts: &[Expr]) -> Result<DataFrame> {
    if casts.is_empty() {
        return Ok(df);
    }
    df.lazy()
        .with_columns(casts)
        .collect()
        .map_err(|e| read_err(table, e))
}

/// The file's own names of `columns` when the read options give the columns other names (by
/// position): `own` are the file's names. Without given names, `columns` themselves.
fn own_names(table: &Table, columns: &[String], own: &[String]) -> Result<Vec<String>> {
    let Some(names) = &table.resolved.columns else {
        return Ok(columns.to_vec());
    };
    if own.len() != names.len() {
        return Err(Error::Format {
            path: table.path.clone(),
            message: format!(
                "{} column names given, but the file has {} columns",
                names.len(),
                own.len()
            ),
        });
    }
    columns
        .iter()
        .map(|c| match names.iter().position(|n| n == c) {
            Some(i) => Ok(own[i].clone()),
            None => Err(Error::ColumnNotFound {
                path: table.path.clone(),
                column: c.clone(),
                available: names.join(", "),
            }),
        })
        .collect()
}

/// Reads the named columns of a Parquet file a window of whole row groups at a time (at least
/// [`BATCH_ROWS`] rows, or one row group if larger), with the file's metadata read once: peak
/// memory is one window's columns (plus the caller's state), however many rows the file has.
/// Column names given for the file (`columns` in the read options) and type overrides apply as
/// in [`scan`]. `FAIRGAUGE_PARQUET_ENGINE=polars` uses polars' streaming engine instead.
fn parquet_batches(
    table: &Table,
    columns: &[String],
    coded: bool,
    f: &mut dyn FnMut(Batch, usize) -> Result<()>,
) -> Result<()> {
    let open = || {
        std::fs::File::open(&table.path).map_err(|e| Error::Io {
            path: table.path.clone(),
            message: format!("cannot open: {e}"),
        })
    };
    let mut head = ParquetReader::new(open()?);
    let metadata = head.get_metadata().map_err(|e| read_err(table, e))?.clone();
    let schema = head.schema().map_err(|e| read_err(table, e))?;
    // The file's own names of the wanted columns (names given in the options rename by position).
    let file_names = match &table.resolved.columns {
        Some(_) => {
            let own: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
            own_names(table, columns, &own)?
        }
        None => columns.to_vec(),
    };
    let casts = type_casts(table, columns);
    // `FAIRGAUGE_PARQUET_CODES=0` reads every column with polars (to compare the two readers);
    // `=trace` says on standard error which columns of each window were read as codes.
    let setting = std::env::var("FAIRGAUGE_PARQUET_CODES").unwrap_or_default();
    let coded = coded && setting != "0";
    let trace = coded && setting == "trace";
    // The type polars gives each column that may be read as codes; `None`: read by polars (as
    // is a column with a type override: the cast is polars').
    let dtypes: Vec<Option<DataType>> = file_names
        .iter()
        .zip(columns)
        .map(|(n, c)| match schema.get(n.as_str()) {
            Some(field) if coded && !table.resolved.dtypes.contains_key(c) => {
                Some(DataType::from_arrow_field(field))
            }
            _ => None,
        })
        .collect();
    // Windows of whole row groups: (first row, rows, row groups).
    let mut windows: Vec<(usize, usize, std::ops::Range<usize>)> = vec![];
    let (mut start, mut len, mut first) = (0usize, 0usize, 0usize);
    for (g, rg) in metadata.row_groups.iter().enumerate() {
        len += rg.num_rows();
        if len >= BATCH_ROWS {
            windows.push((start, len, first..g + 1));
            start += len;
            len = 0;
            first = g + 1;
        }
    }
    if len > 0 || windows.is_empty() {
        windows.push((start, len, first..metadata.row_groups.len()));
    }
    let mut dtypes = dtypes;
    for (start, len, groups) in windows {
        let codes = if coded && len > 0 {
            parquet_codes::read_window(&table.path, &metadata, &file_names, &dtypes, groups)
        } else {
            vec![None; columns.len()]
        };
        // A column left to polars in one window is left to polars in the next ones: a column
        // whose dictionary overflowed into plain pages (pyarrow starts a dictionary per row
        // group, and a column of many distinct values overflows each) would cost a read of its
        // pages again per window to find that out. A later row group that would have fit is
        // then read by polars too: slower, the same values.
        for (k, c) in codes.iter().enumerate() {
            if c.is_none() && len > 0 {
                dtypes[k] = None;
            }
        }
        // The columns not read as codes, read by polars.
        let rest: Vec<usize> = (0..columns.len()).filter(|&k| codes[k].is_none()).collect();
        if trace {
            let names = |coded: bool| {
                let mut n: Vec<&str> = (0..columns.len())
                    .filter(|&k| codes[k].is_some() == coded)
                    .map(|k| columns[k].as_str())
                    .collect();
                n.sort_unstable();
                n.join(",")
            };
            eprintln!(
                "parquet rows {start}+{len}: codes [{}] polars [{}]",
                names(true),
                names(false)
            );
        }
        let mut df = if rest.is_empty() {
            DataFrame::empty_with_height(len)
        } else {
            let mut reader = ParquetReader::new(open()?);
            reader.set_metadata(metadata.clone());
            reader
                .with_columns(Some(rest.iter().map(|&k| file_names[k].clone()).collect()))
                .with_slice(Some((start, len)))
                .finish()
                .map_err(|e| read_err(table, e))?
        };
        if rest.iter().any(|&k| file_names[k] != columns[k]) {
            let names: Vec<PlSmallStr> = rest
                .iter()
                .map(|&k| PlSmallStr::from(columns[k].as_str()))
                .collect();
            df.set_column_names(&names)
                .map_err(|e| read_err(table, e))?;
        }
        let mut batch = Batch::of(cast(table, df, &casts)?);
        for (k, c) in codes.into_iter().enumerate() {
            if let Some(c) = c {
                batch.add_coded(&columns[k], c);
            }
        }
        f(batch, start)?;
    }
    Ok(())
}

/// Reads the named columns of an Arrow IPC file a window of record batches at a time (batches are
/// gathered until a window holds at least [`BATCH_ROWS`] rows), instead of polars' engine, which
/// memory-maps the file and reads ahead without bound: peak memory is one window's columns
/// however many batches the file has. A file written as one record batch is still read whole.
/// Names given in the read options and type overrides apply as in [`scan`].
/// `FAIRGAUGE_IPC_ENGINE=polars` uses polars' streaming engine instead.
fn ipc_batches(
    table: &Table,
    columns: &[String],
    f: &mut dyn FnMut(Batch, usize) -> Result<()>,
) -> Result<()> {
    use polars_arrow::io::ipc::read::{read_file_metadata, FileReader};
    let mut file = std::fs::File::open(&table.path).map_err(|e| Error::Io {
        path: table.path.clone(),
        message: format!("cannot open: {e}"),
    })?;
    let metadata = read_file_metadata(&mut file).map_err(|e| read_err(table, e))?;
    let own: Vec<String> = metadata
        .schema
        .iter_names()
        .map(|n| n.to_string())
        .collect();
    // The file's own names of the wanted columns (names given in the options rename by position).
    let file_names = own_names(table, columns, &own)?;
    // (position in the file, position wanted), in file order as the reader returns them.
    let mut at: Vec<(usize, usize)> = file_names
        .iter()
        .enumerate()
        .map(|(k, n)| match own.iter().position(|o| o == n) {
            Some(p) => Ok((p, k)),
            None => Err(Error::ColumnNotFound {
                path: table.path.clone(),
                column: n.clone(),
                available: own.join(", "),
            }),
        })
        .collect::<Result<_>>()?;
    at.sort_unstable();
    if at.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Error::InvalidOption(format!(
            "{}: a column is asked for twice",
            table.path.display()
        )));
    }
    let fields: Vec<polars_arrow::datatypes::Field> = at
        .iter()
        .filter_map(|&(p, _)| metadata.schema.get_at_index(p).map(|(_, f)| f.clone()))
        .collect();
    let casts = type_casts(table, columns);
    let frame_of = |arrays: Vec<Box<dyn polars_arrow::array::Array>>| -> Result<DataFrame> {
        let mut cols: Vec<Option<Column>> = vec![None; columns.len()];
        for ((a, field), &(_, k)) in arrays.into_iter().zip(&fields).zip(&at) {
            let s = Series::try_from((field, a)).map_err(|e| read_err(table, e))?;
            cols[k] = Some(Column::from(
                s.with_name(PlSmallStr::from(columns[k].as_str())),
            ));
        }
        DataFrame::new_infer_height(cols.into_iter().flatten().collect())
            .map_err(|e| read_err(table, e))
    };
    let mut emit = |df: DataFrame, offset: usize| -> Result<()> {
        f(Batch::of(cast(table, df, &casts)?), offset)
    };
    let projection: Vec<usize> = at.iter().map(|x| x.0).collect();
    let reader = FileReader::new(file, metadata.clone(), Some(projection), None);
    let mut window: Option<DataFrame> = None;
    let mut offset = 0usize;
    for batch in reader {
        let batch = batch.map_err(|e| read_err(table, e))?;
        let df = frame_of(batch.into_arrays())?;
        let w = match window.take() {
            None => df,
            Some(mut w) => {
                w.vstack_mut(&df).map_err(|e| read_err(table, e))?;
                w
            }
        };
        if w.height() >= BATCH_ROWS {
            let h = w.height();
            emit(w, offset)?;
            offset += h;
        } else {
            window = Some(w);
        }
    }
    match window {
        Some(w) => emit(w, offset),
        // No rows (or every window sent): an empty table still has its columns.
        None if offset == 0 => {
            let empty = fields
                .iter()
                .map(|f| polars_arrow::array::new_empty_array(f.dtype().clone()))
                .collect();
            emit(frame_of(empty)?, 0)
        }
        None => Ok(()),
    }
}

/// Streams the named columns of a table and hands each batch to `f` on the calling thread
/// (polars reads on a thread of its own, two batches ahead). An error from `f` stops the scan and
/// is returned. Returns the number of blank CSV lines, as [`scan_batches`].
pub(crate) fn for_each_batch<F>(table: &Table, columns: &[String], f: F) -> Result<u64>
where
    F: FnMut(Batch, usize) -> Result<()>,
{
    stream_batches(table, columns, false, f)
}

/// As [`for_each_batch`], with the Parquet columns that are dictionary-encoded throughout read as
/// their codes ([`parquet_codes`]): for callers that only [`Batch::visit`] the batches (the
/// codes are not polars columns, so [`RowsWriter::push`] does not see them).
pub(crate) fn for_each_coded_batch<F>(table: &Table, columns: &[String], f: F) -> Result<u64>
where
    F: FnMut(Batch, usize) -> Result<()>,
{
    stream_batches(table, columns, true, f)
}

/// Bytes of CSV read and parsed at a time by [`csv_codes`] (about 110K rows of a 15-column table).
const CSV_BLOCK: usize = 16 << 20;

/// As [`for_each_coded_batch`], for a caller that can start over: `init` gives a fresh state and
/// `f` adds a batch to it; returns the state and the blank CSV lines to take out. A CSV file
/// whose dialect and columns allow it is read by [`csv_codes`] (each wanted field straight into
/// its column's codes, blocks parsed in parallel); when that reader meets something it leaves to
/// polars (a blank or ragged line, a quote inside an unquoted field, …, see there), the scan
/// starts over on a fresh state with polars' reader, which gives the same values or names what
/// is wrong.
/// `FAIRGAUGE_CSV_CODES=0` reads CSV with polars only (to compare the two readers); `=trace` says
/// on standard error whether the file was read as codes (`csv read as codes: true`) or started
/// over with polars (`false`).
pub(crate) fn fold_coded_batches<S, F>(
    table: &Table,
    columns: &[String],
    init: impl Fn() -> S,
    f: F,
) -> Result<(S, u64)>
where
    F: FnMut(&mut S, Batch, usize) -> Result<()>,
{
    fold_coded_blocks(table, columns, CSV_BLOCK, init, f)
}

/// [`fold_coded_batches`] with CSV read `block` bytes at a time.
pub(crate) fn fold_coded_blocks<S, F>(
    table: &Table,
    columns: &[String],
    block: usize,
    init: impl Fn() -> S,
    mut f: F,
) -> Result<(S, u64)>
where
    F: FnMut(&mut S, Batch, usize) -> Result<()>,
{
    if let Some(layout) = csv_layout(table, columns) {
        let mut state = init();
        let outcome = csv_codes::read(&table.path, &layout, block, &mut |coded, first| {
            let rows = coded.first().map_or(0, |c| c.codes.len());
            let mut batch = Batch::of(DataFrame::empty_with_height(rows));
            for (name, c) in columns.iter().zip(coded) {
                batch.add_coded(name, c);
            }
            f(&mut state, batch, first)
        })?;
        let trace = std::env::var_os("FAIRGAUGE_CSV_CODES").is_some_and(|v| v == "trace");
        if trace {
            eprintln!("csv read as codes: {}", outcome == csv_codes::Outcome::Done);
        }
        if outcome == csv_codes::Outcome::Done {
            return Ok((state, 0));
        }
    }
    let mut state = init();
    let blank = for_each_coded_batch(table, columns, |batch, first| f(&mut state, batch, first))?;
    Ok((state, blank))
}

/// How [`csv_codes`] reads `columns` of `table`: `None` when the table is not a CSV file it
/// reads (white space trimmed, comment lines, null tokens read by polars, every column as text)
/// or a column is not text, a 64-bit integer or a float as polars types it (its schema inferred
/// from the first rows, with the type overrides).
fn csv_layout(table: &Table, columns: &[String]) -> Option<csv_codes::Layout> {
    let r = &table.resolved;
    let nulls_by_reader = !r.null_values.is_empty() && !r.nulls_in_rules;
    let special = |b: u8| b == b'\n' || b == b'\r';
    if table.frame.is_some()
        || r.format != InputFormat::Csv
        || r.trim_whitespace
        || r.all_text
        || r.comment_prefix.is_some()
        || nulls_by_reader
        || special(r.separator)
        || r.quote_char.is_some_and(|q| q == r.separator || special(q))
        || std::env::var_os("FAIRGAUGE_CSV_CODES").is_some_and(|v| v == "0")
    {
        return None;
    }
    let schema = scan(table).ok()?.collect_schema().ok()?;
    let wanted = columns
        .iter()
        .map(|c| {
            let (pos, _, dtype) = schema.get_full(c.as_str())?;
            let kind = match dtype {
                DataType::String => csv_codes::Kind::Text,
                DataType::Int64 => csv_codes::Kind::Int,
                DataType::Float64 => csv_codes::Kind::Float,
                _ => return None,
            };
            Some((pos, kind))
        })
        .collect::<Option<Vec<_>>>()?;
    // (A column asked for twice is read by polars.)
    let mut positions: Vec<usize> = wanted.iter().map(|w| w.0).collect();
    positions.sort_unstable();
    if positions.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }
    Some(csv_codes::Layout {
        separator: r.separator,
        quote: r.quote_char,
        has_header: r.has_header,
        width: schema.len(),
        wanted,
    })
}

fn stream_batches<F>(table: &Table, columns: &[String], coded: bool, mut f: F) -> Result<u64>
where
    F: FnMut(Batch, usize) -> Result<()>,
{
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(Batch, usize)>(2);
        let reader_table = table.clone();
        let reader_columns = columns.to_vec();
        let reader = scope.spawn(move || {
            scan_batches(
                &reader_table,
                &reader_columns,
                coded,
                move |batch, offset| {
                    tx.send((batch, offset))
                        .map_err(|_| Error::InvalidOption("scan stopped".into()))
                },
            )
        });
        let mut failure: Option<Error> = None;
        for (batch, offset) in rx.iter() {
            if let Err(e) = f(batch, offset) {
                failure = Some(e);
                break;
            }
        }
        // Dropping the receiver makes the reader's next send fail, which stops the scan.
        drop(rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(Error::InvalidOption("the reader thread panicked".into())));
        match failure {
            Some(e) => Err(e),
            None => read,
        }
    })
}

/// Finds the first CSV record whose field count differs from the first record's, or a quoted
/// field that is never closed, to name its line in an error; `None` when the shape is regular.
/// Quoted fields may span lines; blank lines (counted and returned) and comment lines are
/// skipped. Only separators, quotes and newlines are visited (memchr), so it runs at memory speed
/// beside polars' parse. An unreadable file counts as regular (polars reports it).
fn check_csv(table: &Table) -> std::result::Result<u64, Error> {
    use std::io::Read;
    let r = &table.resolved;
    let Ok(mut file) = std::fs::File::open(&table.path) else {
        return Ok(0);
    };
    let quote = r.quote_char;
    let sep = r.separator;
    let comment = r
        .comment_prefix
        .as_deref()
        .map(str::as_bytes)
        .unwrap_or(&[]);
    let mut expected: Option<usize> = None;
    let mut line: u64 = 1; // physical line of the current position
    let mut record_line: u64 = 1; // line where the current record started
    let mut fields = 1usize;
    let mut in_quotes = false;
    let mut record_len: u64 = 0; // bytes of the record before the current chunk
    let mut head: Vec<u8> = Vec::with_capacity(comment.len()); // first bytes of the record
    let mut prev_byte = b'\n';
    let mut buf = vec![0u8; 1 << 20];
    let mut blank = 0u64;
    let mut end_record =
        |fields: usize, len: u64, head: &[u8], record_line: u64| -> Option<Error> {
            let is_comment = !comment.is_empty() && head.starts_with(comment);
            if len == 0 {
                blank += 1;
                return None;
            }
            if is_comment {
                return None;
            }
            match expected {
                None => expected = Some(fields),
                Some(e) if e != fields => {
                    return Some(Error::MalformedCsv {
                        path: table.path.clone(),
                        line: record_line,
                        message: format!(
                            "expected {e} fields (as on the first line), found {fields}"
                        ),
                    })
                }
                _ => {}
            }
            None
        };
    // A quote opens a quoted field only at the start of a field (polars reads a quote inside an
    // unquoted field literally); inside one, `""` is an escaped quote. Quotes in comment lines
    // are ignored.
    let mut base: u64 = 0; // file offset of the chunk
    let mut field_start: u64 = 0;
    let mut maybe_closed: Option<u64> = None; // offset of a quote seen inside a quoted field
    loop {
        let Ok(n) = file.read(&mut buf) else {
            return Ok(0);
        };
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        let mut start = 0usize; // where the current record's bytes begin in this chunk
        let fill_head = |head: &mut Vec<u8>, from: &[u8]| {
            let need = comment.len().saturating_sub(head.len());
            head.extend_from_slice(&from[..need.min(from.len())]);
        };
        fill_head(&mut head, chunk);
        let hits: Box<dyn Iterator<Item = usize>> = match quote {
            Some(q) => Box::new(memchr::memchr3_iter(sep, q, b'\n', chunk)),
            None => Box::new(memchr::memchr2_iter(sep, b'\n', chunk)),
        };
        for i in hits {
            let b = chunk[i];
            let pos = base + i as u64;
            if let Some(q) = maybe_closed.take() {
                if Some(b) == quote && pos == q + 1 {
                    continue; // `""`: an escaped quote, still inside the field
                }
                in_quotes = false;
            }
            if Some(b) == quote {
                let is_comment = !comment.is_empty() && head.starts_with(comment);
                if in_quotes {
                    maybe_closed = Some(pos);
                } else if pos == field_start && !is_comment {
                    in_quotes = true;
                }
                continue;
            }
            if b == b'\n' {
                line += 1;
                if in_quotes {
                    continue;
                }
                let before = if i > 0 { chunk[i - 1] } else { prev_byte };
                let len = record_len + (i - start) as u64 - u64::from(before == b'\r');
                if let Some(e) = end_record(fields, len, &head, record_line) {
                    return Err(e);
                }
                record_line = line;
                fields = 1;
                record_len = 0;
                start = i + 1;
                field_start = pos + 1;
                head.clear();
                fill_head(&mut head, &chunk[start..]);
            } else if !in_quotes {
                fields += 1;
                field_start = pos + 1;
            }
        }
        record_len += (n - start) as u64;
        prev_byte = chunk[n - 1];
        base += n as u64;
    }
    if maybe_closed.is_some() {
        in_quotes = false;
    }
    if in_quotes {
        return Err(Error::MalformedCsv {
            path: table.path.clone(),
            line: record_line,
            message: "a quoted field opened on this line is never closed".into(),
        });
    }
    // A last record without a final newline (`len` 0 is the empty remainder after the final
    // newline, not a line).
    let len = record_len.saturating_sub(u64::from(prev_byte == b'\r'));
    if len > 0 {
        if let Some(e) = end_record(fields, len, &head, record_line) {
            return Err(e);
        }
    }
    Ok(blank)
}

/// A column of owned values, for writing tables.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedColumn {
    /// Floats.
    F64(Vec<f64>),
    /// Integers.
    I64(Vec<i64>),
    /// Text.
    Str(Vec<String>),
    /// Booleans.
    Bool(Vec<bool>),
    /// Floats with nulls.
    OptF64(Vec<Option<f64>>),
    /// Integers with nulls.
    OptI64(Vec<Option<i64>>),
    /// Text with nulls.
    OptStr(Vec<Option<String>>),
}

/// A frame of named owned columns.
fn frame_of_columns(columns: Vec<(String, OwnedColumn)>) -> PolarsResult<DataFrame> {
    let cols: Vec<Column> = columns
        .into_iter()
        .map(|(name, c)| {
            let name = PlSmallStr::from(name.as_str());
            match c {
                OwnedColumn::F64(v) => Column::new(name, v),
                OwnedColumn::I64(v) => Column::new(name, v),
                OwnedColumn::Str(v) => Column::new(name, v),
                OwnedColumn::Bool(v) => Column::new(name, v),
                OwnedColumn::OptF64(v) => Column::new(name, v),
                OwnedColumn::OptI64(v) => Column::new(name, v),
                OwnedColumn::OptStr(v) => Column::new(name, v),
            }
        })
        .collect();
    DataFrame::new_infer_height(cols)
}

/// Writes named columns to `path` in `format`, atomically (a temporary file beside it, renamed).
pub fn write_table(
    path: &Path,
    format: InputFormat,
    columns: Vec<(String, OwnedColumn)>,
) -> Result<()> {
    let df = frame_of_columns(columns).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    write_frame(path, format, df)
}

/// The whole table as one batch (every column, every row).
pub(crate) fn read_all(table: &Table) -> Result<Batch> {
    let df = scan(table)?.collect().map_err(|e| read_err(table, e))?;
    Ok(Batch::of(df))
}

/// Writes `batch` with the `added` columns after its own (as many rows each) to `path` in
/// `format`, atomically.
pub(crate) fn write_extended(
    path: &Path,
    format: InputFormat,
    batch: Batch,
    added: Vec<(String, OwnedColumn)>,
) -> Result<()> {
    let io_err = |e: PolarsError| Error::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let extra = frame_of_columns(added).map_err(io_err)?;
    let df = batch.df.hstack(extra.columns()).map_err(io_err)?;
    write_frame(path, format, df)
}

/// Rows of a Parquet table held in memory (`name` in messages): the `keys` columns (text)
/// joined into one key, and six float columns.
pub(crate) fn keyed_rows(
    name: &str,
    bytes: &[u8],
    keys: &[&str],
    values: &[&str; 6],
) -> Result<Vec<(String, [f64; 6])>> {
    let err = |e: PolarsError| Error::Read {
        path: name.into(),
        message: e.to_string(),
    };
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(err)?;
    let mut rows: Vec<(String, [f64; 6])> = vec![(String::new(), [0.0; 6]); df.height()];
    for k in keys {
        let c = df.column(k).map_err(err)?.as_materialized_series();
        for (row, v) in rows.iter_mut().zip(c.str().map_err(err)?.iter()) {
            row.0.push_str(v.unwrap_or(""));
        }
    }
    for (j, k) in values.iter().enumerate() {
        let c = df.column(k).map_err(err)?.as_materialized_series();
        for (row, v) in rows.iter_mut().zip(c.f64().map_err(err)?.iter()) {
            row.1[j] = v.unwrap_or(f64::NAN);
        }
    }
    Ok(rows)
}

/// Writes a frame to `path` in `format`, atomically.
fn write_frame(path: &Path, format: InputFormat, mut df: DataFrame) -> Result<()> {
    let io_err = |message: String| Error::Io {
        path: path.to_path_buf(),
        message,
    };
    let dir = crate::io::write::staging_dir(path);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_err(e.to_string()))?;
    {
        let file = tmp.as_file_mut();
        let res = match format {
            InputFormat::Csv => CsvWriter::new(file).finish(&mut df),
            InputFormat::Parquet => ParquetWriter::new(file).finish(&mut df).map(|_| ()),
            // Record batches of 512² rows (polars writes one per chunk, and a fresh frame is
            // one chunk), so that a reader can stream the file a batch at a time.
            InputFormat::Ipc => {
                const BATCH: usize = 512 * 512;
                let mut chunked = df.slice(0, BATCH.min(df.height()));
                let mut at = BATCH;
                let mut res = Ok(());
                while at < df.height() && res.is_ok() {
                    res = chunked.vstack_mut(&df.slice(at as i64, BATCH)).map(|_| ());
                    at += BATCH;
                }
                res.and_then(|_| IpcWriter::new(file).finish(&mut chunked))
            }
            InputFormat::Ndjson => JsonWriter::new(file)
                .with_json_format(JsonFormat::JsonLines)
                .finish(&mut df),
        };
        res.map_err(|e| io_err(e.to_string()))?;
    }
    readable_by_all(tmp.as_file()).map_err(|e| io_err(e.to_string()))?;
    crate::io::write::put_in_place(tmp, path)
}

/// Writes a table that arrives in chunks of rows (each chunk: the same named columns) as
/// Parquet or CSV a chunk at a time, so memory holds one chunk, whatever the rows; through a
/// temporary file renamed into place. Other formats: [`write_table`] after gathering.
pub fn write_table_chunks(
    path: &Path,
    format: InputFormat,
    chunks: impl Iterator<Item = Result<Vec<(String, OwnedColumn)>>>,
) -> Result<()> {
    let io_err = |message: String| Error::Io {
        path: path.to_path_buf(),
        message,
    };
    let frame = |columns: Vec<(String, OwnedColumn)>| -> Result<DataFrame> {
        frame_of_columns(columns).map_err(|e| io_err(e.to_string()))
    };
    if !matches!(format, InputFormat::Parquet | InputFormat::Csv) {
        let mut all: Vec<(String, OwnedColumn)> = vec![];
        for chunk in chunks {
            let chunk = chunk?;
            if all.is_empty() {
                all = chunk;
                continue;
            }
            for ((_, a), (_, b)) in all.iter_mut().zip(chunk) {
                match (a, b) {
                    (OwnedColumn::F64(a), OwnedColumn::F64(b)) => a.extend(b),
                    (OwnedColumn::I64(a), OwnedColumn::I64(b)) => a.extend(b),
                    (OwnedColumn::Str(a), OwnedColumn::Str(b)) => a.extend(b),
                    (OwnedColumn::Bool(a), OwnedColumn::Bool(b)) => a.extend(b),
                    _ => return Err(io_err("chunks of different column types".into())),
                }
            }
        }
        return write_table(path, format, all);
    }
    let dir = crate::io::write::staging_dir(path);
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io_err(e.to_string()))?;
    {
        let file = std::io::BufWriter::new(tmp.as_file());
        let mut chunks = chunks.peekable();
        let first = match chunks.next() {
            Some(c) => frame(c?)?,
            None => return Err(io_err("no rows to write".into())),
        };
        let schema = first.schema().clone();
        let e = |e: PolarsError| io_err(e.to_string());
        if format == InputFormat::Parquet {
            // Row groups of the size `write_table` writes (polars' default, 512² rows): the
            // batched writer makes one row group of each batch it is given.
            const ROW_GROUP: usize = 512 * 512;
            let mut w = ParquetWriter::new(file).batched(&schema).map_err(e)?;
            let mut write = |df: &DataFrame| -> Result<()> {
                let mut at = 0;
                while at < df.height() {
                    let n = ROW_GROUP.min(df.height() - at);
                    w.write_batch(&df.slice(at as i64, n)).map_err(e)?;
                    at += n;
                }
                Ok(())
            };
            write(&first)?;
            for c in chunks {
                write(&frame(c?)?)?;
            }
            w.finish().map_err(e)?;
        } else {
            let mut w = CsvWriter::new(file).batched(&schema).map_err(e)?;
            w.write_batch(&first).map_err(e)?;
            for c in chunks {
                w.write_batch(&frame(c?)?).map_err(e)?;
            }
            w.finish().map_err(e)?;
        }
    }
    readable_by_all(tmp.as_file()).map_err(|e| io_err(e.to_string()))?;
    crate::io::write::put_in_place(tmp, path)
}

/// The table read whole into memory (every column, in file order), reported under its own name:
/// what `monitor` splits into windows.
pub(crate) fn load(table: &Table) -> Result<Table> {
    loaded(table, scan(table)?)
}

/// The table's `columns` read whole into memory (in the order given), reported under its own
/// name: what `estimate --time` splits into windows.
pub(crate) fn load_columns(table: &Table, columns: &[String]) -> Result<Table> {
    let exprs: Vec<Expr> = columns.iter().map(|c| col(c.as_str())).collect();
    loaded(table, scan(table)?.select(exprs))
}

fn loaded(table: &Table, lf: LazyFrame) -> Result<Table> {
    let df = lf.collect().map_err(|e| read_err(table, e))?;
    let mut t = Table::from_frame(&table.name().to_string_lossy(), df);
    t.path = table.path.clone();
    t.shown = table.shown.clone();
    Ok(t)
}

/// Rows taken from batches, without one column, written to an Arrow IPC file (LZ4) a record
/// batch of at least `flush_rows` rows at a time: memory holds the rows waiting, and the file's
/// writer only a block's offset per batch (polars' Parquet writer keeps every page's header for
/// the footer). Categorical columns are written as text: an IPC file has one dictionary per
/// column, and batches of a categorical can each bring their own.
pub(crate) struct RowsWriter {
    path: std::path::PathBuf,
    flush_rows: usize,
    writer: Option<polars::io::ipc::BatchedWriter<std::io::BufWriter<std::fs::File>>>,
    waiting: Vec<DataFrame>,
    waiting_rows: usize,
    /// Rows pushed so far.
    pub(crate) rows: u64,
}

impl RowsWriter {
    /// A writer of the file `path` (created on the first rows).
    pub(crate) fn new(path: std::path::PathBuf, flush_rows: usize) -> RowsWriter {
        RowsWriter {
            path,
            flush_rows,
            writer: None,
            waiting: vec![],
            waiting_rows: 0,
            rows: 0,
        }
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::Io {
            path: self.path.clone(),
            message: format!("temporary file of the bounded-memory mode: {e}"),
        }
    }

    /// Adds the rows `rows` of `batch` (indices into it), without the column `drop`.
    pub(crate) fn push(&mut self, batch: &Batch, rows: Vec<IdxSize>, drop: &str) -> Result<()> {
        let mut piece = batch
            .df
            .drop(drop)
            .and_then(|d| d.take(&IdxCa::from_vec("rows".into(), rows)))
            .map_err(|e| self.err(e))?;
        let categorical: Vec<PlSmallStr> = piece
            .columns()
            .iter()
            .filter(|c| c.dtype().is_categorical() || c.dtype().is_enum())
            .map(|c| c.name().clone())
            .collect();
        for name in categorical {
            let text = piece
                .column(&name)
                .and_then(|c| c.cast(&DataType::String))
                .map_err(|e| self.err(e))?;
            piece.with_column(text).map_err(|e| self.err(e))?;
        }
        if self.writer.is_none() {
            let file = std::fs::File::create(&self.path).map_err(|e| self.err(e))?;
            let arrow = piece.schema().to_arrow(CompatLevel::newest());
            let fields = polars_arrow::io::ipc::write::default_ipc_fields(arrow.iter_values());
            let w = IpcWriter::new(std::io::BufWriter::new(file))
                .with_compression(Some(IpcCompression::LZ4))
                .batched(piece.schema(), fields)
                .map_err(|e| self.err(e))?;
            self.writer = Some(w);
        }
        self.rows += piece.height() as u64;
        self.waiting_rows += piece.height();
        self.waiting.push(piece);
        if self.waiting_rows >= self.flush_rows {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let Some(mut df) = self.waiting.first().cloned() else {
            return Ok(());
        };
        for d in &self.waiting[1..] {
            df.vstack_mut(d).map_err(|e| self.err(e))?;
        }
        df.rechunk_mut();
        if let Some(w) = &mut self.writer {
            w.write_batch(&df).map_err(|e| self.err(e))?;
        }
        self.waiting.clear();
        self.waiting_rows = 0;
        Ok(())
    }

    /// Writes what waits and the file's footer.
    pub(crate) fn finish(mut self) -> Result<(std::path::PathBuf, u64)> {
        self.flush()?;
        if let Some(w) = &mut self.writer {
            w.finish().map_err(|e| Error::Io {
                path: self.path.clone(),
                message: format!("temporary file of the bounded-memory mode: {e}"),
            })?;
        }
        Ok((self.path, self.rows))
    }
}

/// The table's columns and types without its rows (read from the schema), reported under
/// `name`.
pub(crate) fn schema_only(table: &Table, name: &str) -> Result<Table> {
    let df = scan(table)?
        .slice(0, 0)
        .collect()
        .map_err(|e| read_err(table, e))?;
    Ok(Table::from_frame(name, df))
}

/// Rows of an in-memory table (indices in the order given; `None`: all of them), without the
/// columns `drop` (those it has), as an in-memory table reported under `name`.
pub(crate) fn take_rows(
    table: &Table,
    rows: Option<&[u32]>,
    drop: &[String],
    name: &str,
) -> Result<Table> {
    let Some(Memory(df)) = &table.frame else {
        return Err(Error::InvalidOption(
            "rows are taken from an in-memory table (load it first)".into(),
        ));
    };
    let keep: Vec<PlSmallStr> = df
        .get_column_names()
        .into_iter()
        .filter(|n| !drop.iter().any(|d| d.as_str() == n.as_str()))
        .cloned()
        .collect();
    let part = df
        .select(keep)
        .and_then(|d| match rows {
            Some(rows) => d.take(&IdxCa::from_vec(
                PlSmallStr::from("rows"),
                rows.iter().map(|&r| r as IdxSize).collect(),
            )),
            None => Ok(d),
        })
        .map_err(|e| read_err(table, e))?;
    Ok(Table::from_frame(name, part))
}
