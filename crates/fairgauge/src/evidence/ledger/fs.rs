//! The ledger's file handling: sidecar names, atomic replacement (temporary file, fsync,
//! rename, directory fsync), modes, and the errors that name a file.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// `path` with `suffix` appended to its file name (`ledger.jsonl` → `ledger.jsonl.lock`).
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Replaces `target` with `bytes` atomically: a temporary file in the same directory, written,
/// given `mode`, fsynced and renamed over `target`, then the directory fsynced. A crash leaves
/// the old file or the new one. Errors name `shown` (the path the user gave).
pub fn replace(
    shown: &Path,
    target: &Path,
    bytes: &[u8],
    mode: u32,
    what: &str,
) -> crate::error::Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write_err = |e: std::io::Error| io_err(shown, &format!("cannot write {what}"), &e);
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(write_err)?;
    tmp.write_all(bytes).map_err(write_err)?;
    set_mode(tmp.as_file(), mode).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    tmp.persist(target).map_err(|e| write_err(e.error))?;
    sync_dir(dir).map_err(|e| io_err(dir, &format!("cannot sync {what}'s directory"), &e))
}

/// Sets a file's permission bits (Unix only).
pub fn set_mode(f: &File, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (f, mode);
    Ok(())
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Whether `s` is `sha256:` followed by 64 lower-case hex digits.
pub fn is_sha256(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    })
}

/// An [`Error::Ledger`] about `path`.
pub fn ledger_err(path: &Path, message: String) -> Error {
    Error::Ledger {
        path: path.to_path_buf(),
        message,
    }
}

/// An [`Error::Io`] about `path`: `what` failed with `e`.
pub fn io_err(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        message: format!("{what}: {e}"),
    }
}
