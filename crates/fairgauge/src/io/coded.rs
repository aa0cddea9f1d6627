//! A column of a window read as codes: each row an index into the window's distinct values, as
//! the dictionary-code readers give them (Parquet dictionaries in `parquet_codes`, CSV fields in
//! `csv_codes`). Visitors then work on each distinct value once.

/// The code of a null row.
pub(crate) const NULL_CODE: u32 = u32::MAX;

/// A column's distinct values in a window of rows (in the order first met), as polars would type
/// them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    /// Text (polars `String`).
    Text(Vec<String>),
    /// Numbers (polars integer or float types; visited as `f64`, as polars' cast gives them).
    Number(Vec<f64>),
}

impl Values {
    /// The number of distinct values.
    pub(crate) fn len(&self) -> usize {
        match self {
            Values::Text(t) => t.len(),
            Values::Number(x) => x.len(),
        }
    }
}

/// A column of a window as codes: `codes[row]` indexes `values`, or is [`NULL_CODE`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Coded {
    pub(crate) values: Values,
    pub(crate) codes: Vec<u32>,
    /// Whether any row is null.
    pub(crate) nulls: bool,
}
