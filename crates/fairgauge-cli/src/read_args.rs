//! The options every subcommand that reads a table shares.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::source::{parse_separator, ColumnType, InputFormat, ReadOptions};

/// How to read the input.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// Input format (default: from the extension or a schema file): csv, parquet, ipc, ndjson.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// CSV field separator: one character, or `tab`.
    #[arg(long, value_name = "CHAR")]
    pub separator: Option<String>,
    /// The CSV has no header line (name its columns, or use a schema file).
    #[arg(long)]
    pub no_header: bool,
    /// Values read as null, comma-separated (e.g. `?,NA`).
    #[arg(long, value_name = "V,V", value_delimiter = ',')]
    pub null_values: Option<Vec<String>>,
    /// Read no value as null (overrides a schema file's `null_values`; `quality` then reports
    /// placeholders such as `?` as suspected).
    #[arg(long, conflicts_with = "null_values")]
    pub no_null_values: bool,
    /// Type override, repeatable: COL=str|int|float|bool.
    #[arg(long = "dtype", value_name = "COL=TYPE")]
    pub dtypes: Vec<String>,
    /// CSV quote character (`none` to disable quoting).
    #[arg(long, value_name = "CHAR")]
    pub quote_char: Option<String>,
    /// Skip lines starting with this prefix.
    #[arg(long, value_name = "PREFIX")]
    pub comment_prefix: Option<String>,
    /// Strip white space around CSV values.
    #[arg(long)]
    pub trim_whitespace: bool,
    /// Schema file (default: DATA.schema.toml or STEM.schema.toml beside the data, if present).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Ignore any schema file beside the data.
    #[arg(long, conflicts_with = "schema")]
    pub no_schema: bool,
}

impl ReadArgs {
    /// The reader options these flags give; `names` names the columns of a headerless file.
    pub fn to_options(&self, names: Option<Vec<String>>) -> Result<ReadOptions> {
        let mut o = ReadOptions::default();
        if let Some(f) = &self.input_format {
            match InputFormat::parse(f) {
                Some(f) => o.format = Some(f),
                None => bail!("--input-format `{f}`: expected csv, parquet, ipc or ndjson"),
            }
        }
        if let Some(s) = &self.separator {
            match parse_separator(s) {
                Some(b) => o.separator = Some(b),
                None => bail!("--separator `{s}`: expected one ASCII character or `tab`"),
            }
        }
        if self.no_header {
            o.has_header = Some(false);
        }
        o.columns = names;
        o.null_values = if self.no_null_values {
            Some(vec![])
        } else {
            self.null_values.clone()
        };
        for d in &self.dtypes {
            let Some((c, t)) = d.split_once('=') else {
                bail!("--dtype `{d}`: expected COL=TYPE");
            };
            let Some(ty) = ColumnType::parse(t) else {
                bail!("--dtype `{d}`: unknown type `{t}` (expected str, int, float or bool)");
            };
            o.dtypes.insert(c.to_string(), ty);
        }
        if let Some(q) = &self.quote_char {
            o.quote_char = Some(match q.as_str() {
                "none" | "" => None,
                q if q.len() == 1 && q.is_ascii() => Some(q.as_bytes()[0]),
                _ => bail!("--quote-char `{q}`: expected one ASCII character or `none`"),
            });
        }
        o.comment_prefix = self.comment_prefix.clone();
        if self.trim_whitespace {
            o.trim_whitespace = Some(true);
        }
        o.schema_file = self.schema.clone();
        o.no_schema_file = self.no_schema;
        Ok(o)
    }
}
