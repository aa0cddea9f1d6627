//! Where data comes from: a file, its format (by extension or given), the CSV dialect, column
//! names for headerless files, type overrides and per-column text rules. A schema file beside the
//! data (`NAME.schema.toml` or `STEM.schema.toml`) supplies these for files that cannot describe
//! themselves, such as UCI Adult; options given explicitly take precedence over it.
//!
//! ```toml
//! # adult.schema.toml
//! format = "csv"
//! separator = ","
//! has_header = false
//! trim_whitespace = true
//! null_values = ["?"]
//! comment_prefix = "|"
//! columns = ["age", "workclass", "..."]
//! [dtypes]
//! age = "int"
//! [replace.income]
//! ">50K." = ">50K"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::io::text::TextRules;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Delimited text.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC (Feather v2).
    Ipc,
    /// Newline-delimited JSON.
    Ndjson,
}

impl InputFormat {
    /// Parses a format name (`csv`, `tsv`, `parquet`, `ipc`, `arrow`, `feather`, `ndjson`, `jsonl`).
    pub fn parse(s: &str) -> Option<InputFormat> {
        Some(match s.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => InputFormat::Csv,
            "parquet" | "pq" => InputFormat::Parquet,
            "ipc" | "arrow" | "feather" => InputFormat::Ipc,
            "ndjson" | "jsonl" | "json" => InputFormat::Ndjson,
            _ => return None,
        })
    }

    /// The format a file's extension implies.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(InputFormat::parse)
    }
}

/// A column type override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// Text.
    Str,
    /// 64-bit integer.
    Int,
    /// 64-bit float.
    Float,
    /// Boolean.
    Bool,
}

impl ColumnType {
    /// Parses `str`/`string`/`text`, `int`/`integer`, `float`/`double`, `bool`/`boolean`.
    pub fn parse(s: &str) -> Option<ColumnType> {
        Some(match s.to_ascii_lowercase().as_str() {
            "str" | "string" | "text" | "utf8" => ColumnType::Str,
            "int" | "integer" | "i64" => ColumnType::Int,
            "float" | "double" | "f64" => ColumnType::Float,
            "bool" | "boolean" => ColumnType::Bool,
            _ => return None,
        })
    }
}

/// How to read a table. `None` fields fall back to the schema file, then to defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// Format; by default from the extension (or the schema file).
    pub format: Option<InputFormat>,
    /// CSV field separator (default `,`; `\t` for `.tsv`).
    pub separator: Option<u8>,
    /// Whether the CSV's first line names the columns (default true).
    pub has_header: Option<bool>,
    /// CSV quote character (default `"`); `Some(None)` disables quoting.
    pub quote_char: Option<Option<u8>>,
    /// Lines starting with this are skipped.
    pub comment_prefix: Option<String>,
    /// Values read as null (after trimming when `trim_whitespace`).
    pub null_values: Option<Vec<String>>,
    /// Strip white space around CSV values (UCI files separate values by ", ").
    pub trim_whitespace: Option<bool>,
    /// Column names for a headerless file, or to rename a headed one.
    pub columns: Option<Vec<String>>,
    /// Type overrides.
    pub dtypes: BTreeMap<String, ColumnType>,
    /// Per-column value replacements.
    pub replace: BTreeMap<String, BTreeMap<String, String>>,
    /// An explicit schema file (otherwise one beside the data is used if present).
    pub schema_file: Option<PathBuf>,
    /// Do not look for a schema file beside the data.
    pub no_schema_file: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaFile {
    format: Option<String>,
    separator: Option<String>,
    has_header: Option<bool>,
    quote_char: Option<String>,
    comment_prefix: Option<String>,
    null_values: Option<Vec<String>>,
    trim_whitespace: Option<bool>,
    columns: Option<Vec<String>>,
    #[serde(default)]
    dtypes: BTreeMap<String, String>,
    #[serde(default)]
    replace: BTreeMap<String, BTreeMap<String, String>>,
    // Free-form provenance lines, ignored by the reader.
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
}

/// Parses a separator given as one character or an escape (`\t`, `tab`, `space`).
pub fn parse_separator(s: &str) -> Option<u8> {
    match s {
        "\\t" | "tab" | "\t" => Some(b'\t'),
        "space" | " " => Some(b' '),
        _ if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
        _ => None,
    }
}

/// The fully resolved way to read one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub(crate) format: InputFormat,
    pub(crate) separator: u8,
    pub(crate) has_header: bool,
    pub(crate) quote_char: Option<u8>,
    pub(crate) comment_prefix: Option<String>,
    pub(crate) null_values: Vec<String>,
    pub(crate) trim_whitespace: bool,
    pub(crate) columns: Option<Vec<String>>,
    pub(crate) dtypes: BTreeMap<String, ColumnType>,
    pub(crate) replace: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) schema_file: Option<PathBuf>,
    /// Null tokens are matched by [`Table::text_rules`] rather than by the CSV reader, so that
    /// they can be counted (quality profiling).
    pub(crate) nulls_in_rules: bool,
    /// Read every CSV column as text (quality profiling of columns whose values do not fit the
    /// type inferred from the first rows).
    pub(crate) all_text: bool,
}

impl Resolved {
    /// How an in-memory Arrow table is read: as it is, no dialect, no overrides.
    pub(crate) fn in_memory() -> Resolved {
        Resolved {
            format: InputFormat::Ipc,
            separator: b',',
            has_header: true,
            quote_char: None,
            comment_prefix: None,
            null_values: vec![],
            trim_whitespace: false,
            columns: None,
            dtypes: BTreeMap::new(),
            replace: BTreeMap::new(),
            schema_file: None,
            nulls_in_rules: false,
            all_text: false,
        }
    }
}

/// The columns of an in-memory table: polars columns that share the producer's Arrow buffers
/// where the layout allows (the Python binding imports them through the Arrow C stream
/// interface).
#[derive(Clone)]
pub(crate) struct Memory(pub(crate) polars::prelude::DataFrame);

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Memory({} rows × {} columns)",
            self.0.height(),
            self.0.width()
        )
    }
}

/// A table on disk (or in memory), ready to be scanned.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file; for an in-memory table, the name it is reported under.
    pub path: PathBuf,
    pub(crate) resolved: Resolved,
    /// The columns of an in-memory table ([`Table::from_frame`]); `None` for a file.
    pub(crate) frame: Option<Memory>,
    /// The name reports and evidence give the table when it is not `path` (`-` for standard
    /// input read through a temporary file); see [`Table::name`].
    pub(crate) shown: Option<PathBuf>,
}

fn schema_candidates(path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
    let mut out = vec![dir.join(format!("{name}.schema.toml"))];
    if stem != name {
        out.push(dir.join(format!("{stem}.schema.toml")));
    }
    out
}

fn load_schema(path: &Path) -> Result<SchemaFile> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        message: format!("cannot read schema file: {e}"),
    })?;
    toml::from_str(&text).map_err(|e| Error::Schema {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

impl Table {
    /// Opens a table: checks the file exists and is not empty, finds its schema file and resolves
    /// the format and CSV dialect.
    pub fn open(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Table> {
        let path = path.as_ref().to_path_buf();
        let meta = std::fs::metadata(&path).map_err(|e| Error::Io {
            path: path.clone(),
            message: format!("cannot open: {e}"),
        })?;
        if meta.is_dir() {
            return Err(Error::Io {
                path,
                message: "is a directory, expected a file".into(),
            });
        }
        if meta.len() == 0 {
            return Err(Error::Format {
                path,
                message: "the file is empty".into(),
            });
        }
        let schema_path = match &opts.schema_file {
            Some(p) => Some(p.clone()),
            None if opts.no_schema_file => None,
            None => schema_candidates(&path).into_iter().find(|p| p.is_file()),
        };
        let schema = match &schema_path {
            Some(p) => load_schema(p)?,
            None => SchemaFile::default(),
        };
        let schema_err = |message: String| Error::Schema {
            path: schema_path.clone().unwrap_or_default(),
            message,
        };
        let format = match (opts.format, &schema.format) {
            (Some(f), _) => f,
            (None, Some(s)) => InputFormat::parse(s)
                .ok_or_else(|| schema_err(format!("unknown format `{s}`")))?,
            (None, None) => InputFormat::from_path(&path).ok_or_else(|| Error::Format {
                path: path.clone(),
                message: "cannot tell the format from the extension; pass --input-format csv|parquet|ipc|ndjson or add a schema file".into(),
            })?,
        };
        let is_tsv = path.extension().and_then(|e| e.to_str()) == Some("tsv");
        let separator = match (opts.separator, &schema.separator) {
            (Some(s), _) => s,
            (None, Some(s)) => parse_separator(s)
                .ok_or_else(|| schema_err(format!("separator `{s}` is not one ASCII character")))?,
            (None, None) if is_tsv => b'\t',
            (None, None) => b',',
        };
        let quote_char = match (opts.quote_char, &schema.quote_char) {
            (Some(q), _) => q,
            (None, Some(q)) if q.is_empty() => None,
            (None, Some(q)) if q.len() == 1 && q.is_ascii() => Some(q.as_bytes()[0]),
            (None, Some(q)) => {
                return Err(schema_err(format!(
                    "quote_char `{q}` is not one ASCII character"
                )))
            }
            (None, None) => Some(b'"'),
        };
        let mut dtypes = BTreeMap::new();
        for (col, t) in &schema.dtypes {
            let ty = ColumnType::parse(t).ok_or_else(|| {
                schema_err(format!(
                    "column `{col}`: unknown type `{t}` (expected str, int, float or bool)"
                ))
            })?;
            dtypes.insert(col.clone(), ty);
        }
        dtypes.extend(opts.dtypes.clone());
        let mut replace = schema.replace.clone();
        replace.extend(opts.replace.clone());
        let resolved = Resolved {
            format,
            separator,
            // Naming the columns implies a headerless file unless said otherwise.
            has_header: opts
                .has_header
                .or(schema.has_header)
                .unwrap_or(opts.columns.is_none() && schema.columns.is_none()),
            quote_char,
            comment_prefix: opts.comment_prefix.clone().or(schema.comment_prefix),
            null_values: opts
                .null_values
                .clone()
                .or(schema.null_values)
                .unwrap_or_default(),
            trim_whitespace: opts
                .trim_whitespace
                .or(schema.trim_whitespace)
                .unwrap_or(false),
            columns: opts.columns.clone().or(schema.columns),
            dtypes,
            replace,
            schema_file: schema_path,
            nulls_in_rules: false,
            all_text: false,
        };
        Ok(Table {
            path,
            resolved,
            frame: None,
            shown: None,
        })
    }

    /// The table reported under another name than its file's (standard input, `-`, read through
    /// a temporary file): reports and evidence name it so; errors still name the file read.
    #[must_use]
    pub fn shown_as(mut self, name: impl Into<PathBuf>) -> Table {
        self.shown = Some(name.into());
        self
    }

    /// The name reports and evidence give the table: its path, or the name given with
    /// [`Table::shown_as`].
    pub fn name(&self) -> &Path {
        self.shown.as_deref().unwrap_or(&self.path)
    }

    /// The format the table is read as (an in-memory table counts as Arrow IPC).
    pub fn format(&self) -> InputFormat {
        self.resolved.format
    }

    /// Whether the table is held in memory rather than read from a file.
    pub fn is_in_memory(&self) -> bool {
        self.frame.is_some()
    }

    /// The format's name as the evidence records it: `csv`, `parquet`, `ipc`, `ndjson`, or
    /// `arrow-memory`.
    pub fn format_name(&self) -> String {
        if self.is_in_memory() {
            "arrow-memory".into()
        } else {
            format!("{:?}", self.resolved.format).to_lowercase()
        }
    }

    /// The schema file used, if any.
    pub fn schema_file(&self) -> Option<&Path> {
        self.resolved.schema_file.as_deref()
    }

    /// Text rules of a column (trimming, null tokens, replacements).
    pub fn text_rules(&self, column: &str) -> TextRules {
        TextRules {
            trim: self.resolved.trim_whitespace,
            // The CSV reader matches null tokens itself unless values are trimmed first; for the
            // other formats (and trimmed CSV) they are matched here.
            null_values: if self.resolved.trim_whitespace
                || self.resolved.format != InputFormat::Csv
                || self.resolved.nulls_in_rules
            {
                self.resolved.null_values.clone()
            } else {
                vec![]
            },
            replace: self
                .resolved
                .replace
                .get(column)
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// The same table with its null tokens matched as text (so they can be counted) rather than
    /// by the CSV reader; a CSV with type overrides keeps the reader's matching (its typed columns
    /// would not parse otherwise).
    pub fn with_countable_nulls(&self) -> Table {
        let mut t = self.clone();
        if t.resolved.format == InputFormat::Csv && t.resolved.dtypes.is_empty() {
            t.resolved.nulls_in_rules = true;
        }
        t
    }

    /// The same table with every CSV column read as text (numbers are recognised later).
    pub fn with_text_columns(&self) -> Table {
        let mut t = self.clone();
        if t.resolved.format == InputFormat::Csv && t.resolved.dtypes.is_empty() {
            t.resolved.all_text = true;
        }
        t
    }

    /// The same table with `column` read as text when the table is a CSV file without a type
    /// for it (so that codes such as ZIP codes keep their leading zeros, in the analysis and in
    /// a table written back).
    pub fn with_text_column(&self, column: &str) -> Table {
        let mut t = self.clone();
        if t.resolved.format == InputFormat::Csv && !t.resolved.all_text {
            t.resolved
                .dtypes
                .entry(column.to_string())
                .or_insert(ColumnType::Str);
        }
        t
    }

    /// The null tokens configured for the table.
    pub fn null_tokens(&self) -> &[String] {
        &self.resolved.null_values
    }

    /// Checks that every named column exists.
    pub fn require_columns(&self, wanted: &[&str]) -> Result<()> {
        let names = self.column_names()?;
        for w in wanted {
            if !names.iter().any(|n| n == w) {
                return Err(Error::ColumnNotFound {
                    path: self.path.clone(),
                    column: w.to_string(),
                    available: names.join(", "),
                });
            }
        }
        Ok(())
    }
}

/// Whether `s` is a PostgreSQL URL (`postgresql://…` or `postgres://…`, any case): where a
/// history file may be given, such a URL names a database on a server instead.
pub fn is_postgres_url(s: &str) -> bool {
    let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("postgresql://") || lower.starts_with("postgres://")
}
