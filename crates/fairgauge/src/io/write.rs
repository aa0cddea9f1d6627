//! Writing files: atomically (a temporary file beside the target, then a rename, so nothing is
//! ever written half), with the usual permissions, and one CSV field's quoting (RFC 4180).

use crate::error::{Error, Result};

/// Writes `text` to `path` atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &std::path::Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    readable_by_all(tmp.as_file()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Temporary files are created private (0600); a written table gets the usual 0644.
pub fn readable_by_all(f: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = f;
    Ok(())
}

/// One CSV field (RFC 4180): quoted, inner quotes doubled, when it holds a comma, a quote or a
/// line break, or has leading or trailing white space (which readers that trim would lose).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
