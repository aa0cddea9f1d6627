//! Writing files: atomically (a temporary file beside the target, then a rename, so nothing is
//! ever written half), with the usual permissions; CSV through one writer (the `csv` crate), and
//! text defused against spreadsheet formula injection.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `text` to `path` atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    readable_by_all(tmp.as_file()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Temporary files are created private (0600); a written table gets the usual 0644.
pub fn readable_by_all(f: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = f;
    Ok(())
}

/// Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return; OWASP, "CSV Injection") with a `'` in front, so that it is shown as text; a
/// number (`-3`, `+1e5`) is not a formula and is left as it is.
pub fn defused(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.trim().parse::<f64>().is_err() {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The CSV writer every CSV fairgauge writes goes through (the `csv` crate, RFC 4180: a field is
/// quoted when it holds a comma, a quote or a line break, inner quotes doubled); `\r\n` line
/// ends when `crlf` (the register, as RFC 4180 asks), `\n` otherwise.
pub fn csv_writer<W: Write>(w: W, crlf: bool) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(w)
}

/// Writes a CSV file atomically, a record at a time: `fill` writes the records into a temporary
/// file beside `path`, which replaces `path` once everything is written; returns what `fill`
/// returns.
pub fn write_csv_atomic<T>(
    path: &Path,
    crlf: bool,
    fill: impl FnOnce(&mut csv::Writer<BufWriter<&mut File>>) -> Result<T>,
) -> Result<T> {
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let out = {
        let mut w = csv_writer(BufWriter::new(tmp.as_file_mut()), crlf);
        let out = fill(&mut w)?;
        w.flush().map_err(io)?;
        out
    };
    readable_by_all(tmp.as_file()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(out)
}

/// A CSV writer's error as the crate's, naming the file.
pub fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    }
}
