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
    atomically(path, |f| {
        f.write_all(text.as_bytes()).map_err(|e| io_error(path, e))
    })
}

/// A text written in full to a temporary file beside its destination, not yet in place: a
/// failure to write (a full disk) shows before anything depends on the file, and
/// [`Staged::commit`] then renames it over the destination. Dropped uncommitted, the temporary
/// file is removed.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

/// Writes `text` to a temporary file beside `path` (see [`Staged`]).
pub fn stage(path: &Path, text: &str) -> Result<Staged> {
    let io = |e: std::io::Error| io_error(path, e);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    readable_by_all(tmp.as_file()).map_err(io)?;
    Ok(Staged {
        tmp,
        path: path.to_path_buf(),
    })
}

impl Staged {
    /// Renames the staged file over its destination.
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| io_error(&path, e.error))?;
        Ok(())
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    }
}

/// Runs `fill` on a temporary file beside `path` (private while written), then makes it
/// readable by all and renames it over `path`: `path` is the old file or the whole new one,
/// never half of it. Returns what `fill` returns.
fn atomically<T>(path: &Path, fill: impl FnOnce(&mut File) -> Result<T>) -> Result<T> {
    let io = |e: std::io::Error| io_error(path, e);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let out = fill(tmp.as_file_mut())?;
    readable_by_all(tmp.as_file()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(out)
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
    atomically(path, |f| {
        let mut w = csv_writer(BufWriter::new(f), crlf);
        let out = fill(&mut w)?;
        w.flush().map_err(|e| io_error(path, e))?;
        Ok(out)
    })
}

/// A CSV writer's error, naming the file.
pub fn csv_error(path: &Path, e: csv::Error) -> Error {
    io_error(path, e.into())
}
