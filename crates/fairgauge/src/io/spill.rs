//! Row hashes on disk, for the bounded-memory quality mode: duplicates, duplicate keys,
//! conflicting labels and train/test leakage compare every row's 128-bit hash with every other
//! row's, which in memory costs 16 bytes a row (and more for a hash set). A [`HashSpill`] writes
//! each `(hash, row, tag)` record to one of [`BUCKETS`] temporary files chosen by the hash's top
//! bits, so equal hashes meet in the same file; the files are then read back one at a time, and
//! what is held is one bucket, about `1/64` of the records (26 bytes each on disk, 32 in
//! memory). The results are exact; only the memory is bounded, by the disk it takes instead.
//!
//! The files live in a temporary directory (under `$TMPDIR`) removed when the spill is dropped.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use crate::error::{Error, Result};

/// Number of bucket files of a spill (the top 6 bits of the hash).
pub const BUCKETS: usize = 64;

const RECORD: usize = 26;

/// One spilled record: a row's hash, its 0-based row number and a small tag (a label code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rec {
    /// The 128-bit hash.
    pub h: u128,
    /// 0-based row number.
    pub row: u64,
    /// Caller's tag.
    pub tag: u16,
}

/// Records being written to bucket files.
pub struct HashSpill {
    dir: tempfile::TempDir,
    files: Vec<BufWriter<File>>,
    len: u64,
}

impl std::fmt::Debug for HashSpill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HashSpill({} records in {})",
            self.len,
            self.dir.path().display()
        )
    }
}

fn io(path: PathBuf, e: std::io::Error) -> Error {
    Error::Io {
        path,
        message: format!("temporary file of the bounded-memory mode: {e}"),
    }
}

fn bucket_of(h: u128) -> usize {
    (h >> 122) as usize
}

impl HashSpill {
    /// A new, empty spill in a fresh temporary directory.
    pub fn new() -> Result<HashSpill> {
        let dir = tempfile::Builder::new()
            .prefix("fairgauge-spill-")
            .tempdir()
            .map_err(|e| io(std::env::temp_dir(), e))?;
        let files = (0..BUCKETS)
            .map(|i| {
                let p = dir.path().join(format!("{i:02}"));
                File::create(&p)
                    .map(|f| BufWriter::with_capacity(1 << 16, f))
                    .map_err(|e| io(p, e))
            })
            .collect::<Result<_>>()?;
        Ok(HashSpill { dir, files, len: 0 })
    }

    /// Appends a record.
    pub fn push(&mut self, h: u128, row: u64, tag: u16) -> Result<()> {
        let mut b = [0u8; RECORD];
        b[..16].copy_from_slice(&h.to_le_bytes());
        b[16..24].copy_from_slice(&row.to_le_bytes());
        b[24..].copy_from_slice(&tag.to_le_bytes());
        let i = bucket_of(h);
        self.files[i]
            .write_all(&b)
            .map_err(|e| io(self.dir.path().join(format!("{i:02}")), e))?;
        self.len += 1;
        Ok(())
    }

    /// Number of records.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no record was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Flushes the files for reading.
    pub fn finish(mut self) -> Result<SpillReader> {
        for (i, f) in self.files.iter_mut().enumerate() {
            f.flush()
                .map_err(|e| io(self.dir.path().join(format!("{i:02}")), e))?;
        }
        self.files.clear();
        Ok(SpillReader {
            dir: self.dir,
            len: self.len,
        })
    }
}

/// A finished spill, read a bucket at a time.
pub struct SpillReader {
    dir: tempfile::TempDir,
    len: u64,
}

impl std::fmt::Debug for SpillReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SpillReader({} records)", self.len)
    }
}

impl SpillReader {
    /// Number of records.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records of bucket `i` (< [`BUCKETS`]), in the order written.
    pub fn bucket(&self, i: usize) -> Result<Vec<Rec>> {
        let p = self.dir.path().join(format!("{i:02}"));
        let f = File::open(&p).map_err(|e| io(p.clone(), e))?;
        let size = f.metadata().map_err(|e| io(p.clone(), e))?.len() as usize;
        let mut r = BufReader::with_capacity(1 << 16, f);
        let mut out = Vec::with_capacity(size / RECORD);
        let mut b = [0u8; RECORD];
        for _ in 0..size / RECORD {
            r.read_exact(&mut b).map_err(|e| io(p.clone(), e))?;
            let mut h = [0u8; 16];
            h.copy_from_slice(&b[..16]);
            let mut row = [0u8; 8];
            row.copy_from_slice(&b[16..24]);
            out.push(Rec {
                h: u128::from_le_bytes(h),
                row: u64::from_le_bytes(row),
                tag: u16::from_le_bytes([b[24], b[25]]),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_by_bucket_in_order() {
        let mut s = HashSpill::new().unwrap();
        let hs: Vec<u128> = (0..1000u128)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
            .collect();
        for (r, &h) in hs.iter().enumerate() {
            s.push(h, r as u64, (r % 3) as u16).unwrap();
        }
        assert_eq!(s.len(), 1000);
        let rd = s.finish().unwrap();
        let mut all = vec![];
        for i in 0..BUCKETS {
            let b = rd.bucket(i).unwrap();
            assert!(b.iter().all(|r| bucket_of(r.h) == i));
            assert!(b.windows(2).all(|w| w[0].row < w[1].row));
            all.extend(b);
        }
        all.sort_by_key(|r| r.row);
        assert_eq!(all.len(), 1000);
        for (r, rec) in all.iter().enumerate() {
            assert_eq!((rec.h, rec.row, rec.tag), (hs[r], r as u64, (r % 3) as u16));
        }
    }
}
