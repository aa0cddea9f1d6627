//! The options every subcommand that reads a table shares, and opening a table: a file, or
//! `-` for standard input.

use std::ops::Deref;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use fairgauge::source::{parse_separator, ColumnType, InputFormat, ReadOptions, Table};

/// An input format, as `--input-format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Delimited text (also `tsv`, `txt`).
    #[value(alias = "tsv", alias = "txt")]
    Csv,
    /// Apache Parquet (also `pq`).
    #[value(alias = "pq")]
    Parquet,
    /// Arrow IPC (also `arrow`, `feather`).
    #[value(alias = "arrow", alias = "feather")]
    Ipc,
    /// Newline-delimited JSON (also `jsonl`, `json`).
    #[value(alias = "jsonl", alias = "json")]
    Ndjson,
}

impl FormatArg {
    fn format(self) -> InputFormat {
        match self {
            FormatArg::Csv => InputFormat::Csv,
            FormatArg::Parquet => InputFormat::Parquet,
            FormatArg::Ipc => InputFormat::Ipc,
            FormatArg::Ndjson => InputFormat::Ndjson,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            FormatArg::Csv => "csv",
            FormatArg::Parquet => "parquet",
            FormatArg::Ipc => "arrow",
            FormatArg::Ndjson => "ndjson",
        }
    }
}

/// How to read the input.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// Input format (default: from the extension or a schema file; CSV for `-`, standard input).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<FormatArg>,
    /// Column names, comma-separated, for headerless files (every table read).
    #[arg(long, value_name = "A,B,C", value_delimiter = ',')]
    pub column_names: Option<Vec<String>>,
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
    /// The reader options these flags give; `deprecated_names` is the old `--columns` spelling
    /// of `--column-names` (`fairness`, `quality`), used when `--column-names` is not given.
    pub fn to_options(&self, deprecated_names: Option<Vec<String>>) -> Result<ReadOptions> {
        let mut o = ReadOptions {
            format: self.input_format.map(FormatArg::format),
            ..Default::default()
        };
        let names = self.column_names.clone().or(deprecated_names);
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

/// The old spelling `--columns` of `--column-names` in `fairness` and `quality`: still read, with
/// a warning (in `drift`, `--columns` selects the columns compared).
pub fn deprecated_columns(names: &Option<Vec<String>>, subcommand: &str) -> Option<Vec<String>> {
    if names.is_some() {
        eprintln!(
            "warning: `{subcommand} --columns` is deprecated: it names a headerless file's \
             columns, which is --column-names (in `drift`, --columns selects the columns compared)"
        );
    }
    names.clone()
}

/// A table opened for reading; for `-`, standard input copied to a temporary file that lives as
/// long as the table.
#[derive(Debug)]
pub struct Opened {
    table: Table,
    _stdin: Option<tempfile::TempDir>,
}

impl Deref for Opened {
    type Target = Table;
    fn deref(&self) -> &Table {
        &self.table
    }
}

/// Refuses `-` for more than one of `paths`: standard input can be read once.
pub fn one_stdin(paths: &[&Path]) -> Result<()> {
    if paths.iter().filter(|p| is_stdin(p)).count() > 1 {
        bail!("`-` (standard input) can be given for one table only");
    }
    Ok(())
}

fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

impl ReadArgs {
    /// Opens `path` with `opts`; `-` reads standard input (CSV unless --input-format says
    /// otherwise) through a temporary file named `stdin.<format>`.
    pub fn open(&self, path: &Path, opts: &ReadOptions) -> Result<Opened> {
        if !is_stdin(path) {
            return Ok(Opened {
                table: Table::open(path, opts)?,
                _stdin: None,
            });
        }
        let format = self.input_format.unwrap_or(FormatArg::Csv);
        let dir = tempfile::Builder::new()
            .prefix("fairgauge-stdin")
            .tempdir()
            .context("cannot make a temporary folder for standard input")?;
        let file = dir.path().join(format!("stdin.{}", format.extension()));
        // Copied a buffer at a time: standard input may be larger than memory.
        let copied = std::fs::File::create(&file)
            .and_then(|mut out| std::io::copy(&mut std::io::stdin().lock(), &mut out))
            .with_context(|| format!("cannot copy standard input to {}", file.display()))?;
        if copied == 0 {
            bail!(
                "`-`: standard input is empty (expected a {} table)",
                format.extension()
            );
        }
        let mut opts = opts.clone();
        opts.format = Some(format.format());
        Ok(Opened {
            table: Table::open(&file, &opts)?.shown_as("-"),
            _stdin: Some(dir),
        })
    }
}
