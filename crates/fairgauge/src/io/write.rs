//! Writing files: atomically (a temporary file beside the target, then a rename, so nothing is
//! ever written half), with the usual permissions — except to a device or a pipe
//! (`--output /dev/null`, `/dev/stdout`, a shell's `>(…)`), which are written in place, since a
//! rename would put a file where the device was; CSV through one writer (the `csv` crate), and
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
    tmp: Staging,
    path: std::path::PathBuf,
}

/// Where a staged text waits: a temporary file, or (for a device or pipe, [`is_special`]) the
/// text itself, written in place on commit.
#[derive(Debug)]
enum Staging {
    File(tempfile::NamedTempFile),
    Text(String),
}

/// Whether `path` is written in place rather than replaced by a rename: a device or a pipe
/// (`/dev/null`, a shell's `>(…)`), or any existing path under `/dev` or `/proc` (`/dev/stdout`
/// is a link to the process's standard output, which may be a file the shell opened: renaming
/// over the link would replace the link, and the output would go nowhere).
pub fn is_special(path: &Path) -> bool {
    let Ok(m) = std::fs::metadata(path) else {
        return false;
    };
    !m.is_dir() && (!m.is_file() || path.starts_with("/dev") || path.starts_with("/proc"))
}

/// The folder a temporary file for `path` is made in: beside it, or the system's temporary
/// folder for a target written in place ([`is_special`]; `/dev` takes no files).
pub fn staging_dir(path: &Path) -> std::path::PathBuf {
    if is_special(path) {
        return std::env::temp_dir();
    }
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Puts a written temporary file in place: renamed over `path`, or, when `path` is a device or
/// pipe ([`is_special`]), copied into it (for writers that need a file of their own).
pub fn put_in_place(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    if is_special(path) {
        let mut from = tmp.reopen().map_err(|e| io_error(path, e))?;
        std::io::copy(&mut from, &mut open_special(path)?).map_err(|e| io_error(path, e))?;
        return Ok(());
    }
    tmp.persist(path).map_err(|e| io_error(path, e.error))?;
    Ok(())
}

/// Opens a device or pipe ([`is_special`]) for writing.
fn open_special(path: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| io_error(path, e))
}

/// Writes `text` to a temporary file beside `path` (see [`Staged`]).
pub fn stage(path: &Path, text: &str) -> Result<Staged> {
    if is_special(path) {
        return Ok(Staged {
            tmp: Staging::Text(text.to_string()),
            path: path.to_path_buf(),
        });
    }
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
        tmp: Staging::File(tmp),
        path: path.to_path_buf(),
    })
}

impl Staged {
    /// Renames the staged file over its destination (writes a device or pipe in place).
    pub fn commit(self) -> Result<()> {
        let path = self.path;
        match self.tmp {
            Staging::File(tmp) => {
                tmp.persist(&path).map_err(|e| io_error(&path, e.error))?;
            }
            Staging::Text(text) => {
                open_special(&path)?
                    .write_all(text.as_bytes())
                    .map_err(|e| io_error(&path, e))?;
            }
        }
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
    if is_special(path) {
        return fill(&mut open_special(path)?);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_pipes_are_special_files_are_not() {
        assert!(is_special(Path::new("/dev/null")));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.json");
        assert!(!is_special(&file)); // not there yet
        write_atomic(&file, "{}").unwrap();
        assert!(!is_special(&file) && !is_special(dir.path()));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}");
    }
}
