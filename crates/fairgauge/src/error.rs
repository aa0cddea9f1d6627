//! The error type of the `fairgauge` crate: every variant names the file, column, row or value
//! at fault and says what was expected.

use std::path::PathBuf;

/// Errors from reading data and running assessments.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The input format could not be told or is not supported.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A CSV line does not parse.
    #[error("{path}: line {line}: {message}")]
    MalformedCsv {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// What is wrong with it.
        message: String,
    },
    /// A named column is not in the table.
    #[error("{path}: no column `{column}`; columns are: {available}")]
    ColumnNotFound {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The columns there are.
        available: String,
    },
    /// A column's values do not fit its role.
    #[error("{path}: column `{column}`: {message}")]
    BadColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A schema file is invalid.
    #[error("schema file {path}: {message}")]
    Schema {
        /// The schema file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A policy file is invalid.
    #[error("policy {path}: {message}")]
    Policy {
        /// The policy file.
        path: PathBuf,
        /// The line, the key and what was expected.
        message: String,
    },
    /// A ledger is broken or cannot be written.
    #[error("ledger {path}: {message}")]
    Ledger {
        /// The ledger file.
        path: PathBuf,
        /// The first bad record and what is wrong with it.
        message: String,
    },
    /// The metric history database cannot be used (newer schema, not a history, locked).
    #[error("history {path}: {message}")]
    History {
        /// The database file, or its PostgreSQL URL with the password shown as `***`.
        path: PathBuf,
        /// What is wrong, and that the file was left as it is.
        message: String,
    },
    /// A signed attestation (a DSSE envelope) does not verify or is malformed.
    #[error("attestation {path}: {message}")]
    Attestation {
        /// The envelope file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A key file (an Ed25519 private or public key) cannot be read or is malformed: bad usage,
    /// not a broken ledger.
    #[error("{message}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong, naming the file.
        message: String,
    },
    /// A rules file is invalid.
    #[error("rules file {path}: {message}")]
    Rules {
        /// The rules file.
        path: PathBuf,
        /// The line, the key and what was expected.
        message: String,
    },
    /// An option is invalid.
    #[error("{0}")]
    InvalidOption(String),
    /// An error from the statistics.
    #[error("{context}{source}")]
    Core {
        /// Where it happened (file name and a colon, or empty).
        context: String,
        /// The statistics error.
        #[source]
        source: fairgauge_core::Error,
    },
    /// An error from polars that fits none of the above.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// polars' message.
        message: String,
    },
}

impl From<fairgauge_core::Error> for Error {
    fn from(source: fairgauge_core::Error) -> Self {
        Error::Core {
            context: String::new(),
            source,
        }
    }
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
