//! The plumbing of every call from Python: the GIL released while Rust computes, errors and
//! panics turned into `RustError(kind, message)`, and options and reports as JSON.

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use serde::Deserialize;
use std::panic::AssertUnwindSafe;

pyo3::create_exception!(
    _fairgauge,
    RustError,
    PyException,
    "An error from fairgauge's Rust core: args are (kind, message)."
);

pub(crate) type Failure = (&'static str, String);

pub(crate) fn kind_of(e: &fairgauge::Error) -> &'static str {
    use fairgauge::Error as E;
    match e {
        E::Io { .. } | E::History { .. } => "io",
        E::ColumnNotFound { .. } => "column_not_found",
        E::Schema { .. } => "schema",
        E::Rules { .. } => "rules",
        E::Policy { .. } => "policy",
        E::Ledger { .. } | E::Attestation { .. } => "ledger",
        E::Key { .. } => "option",
        E::InvalidOption(_) => "option",
        _ => "data",
    }
}

pub(crate) fn fail(e: fairgauge::Error) -> Failure {
    (kind_of(&e), e.to_string())
}

pub(crate) fn bad_option(message: String) -> Failure {
    ("option", message)
}

pub(crate) fn outcome<T>(r: std::thread::Result<Result<T, Failure>>) -> PyResult<T> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err((kind, message))) => Err(RustError::new_err((kind, message))),
        Err(p) => {
            let what = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(RustError::new_err((
                "internal",
                format!("internal error in fairgauge (please report it): {what}"),
            )))
        }
    }
}

/// Runs `f` on a worker thread without the GIL, checking for signals every 100 ms so that
/// Ctrl-C interrupts the wait (the worker finishes in the background and its result is
/// dropped). Errors and panics become `RustError`.
pub(crate) fn run<T: Send + 'static>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("fairgauge".into())
        .spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(f)));
        })
        .map_err(|e| RustError::new_err(("internal", format!("cannot start a thread: {e}"))))?;
    let mut rx = rx;
    loop {
        // The receiver moves into the GIL-free closure and back (it is Send, not Sync).
        let (r, back) = py.detach(move || {
            let r = rx.recv_timeout(std::time::Duration::from_millis(100));
            (r, rx)
        });
        rx = back;
        match r {
            Ok(r) => return outcome(r),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(RustError::new_err((
                    "internal",
                    "the worker thread ended without a result".to_string(),
                )))
            }
        }
    }
}

/// Runs `f` on this thread without the GIL (for short calls on borrowed buffers).
pub(crate) fn run_here<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, Failure> + Send,
) -> PyResult<T> {
    outcome(py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(f))))
}

pub(crate) fn parse<'a, T: Deserialize<'a>>(what: &str, json: &'a str) -> Result<T, Failure> {
    serde_json::from_str(json).map_err(|e| bad_option(format!("{what}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(|e| ("internal", e.to_string()))
}
