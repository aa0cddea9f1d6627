//! Row hashes and content fingerprints that do not depend on row order, column order, file format
//! or chunking.
//!
//! **Cell hash.** Each cell is hashed with XXH3-128 (seeded by the column name's XXH3-64, so the
//! same value in two columns hashes differently) over a canonical form of its value, so that the
//! same data read from CSV, Parquet or IPC hashes the same:
//! - a number, or a text that is a plain decimal number (`39`, `-0.5`, `1e3`), is hashed as a
//!   number: integers of magnitude below 2^53 as a 64-bit integer (so `39`, `39.0` and `39` stored
//!   as int64 agree), other finite values by their IEEE-754 bits (`-0.0` as `0.0`), every NaN alike,
//!   `inf` and `-inf` by their bits;
//! - a boolean as the text `true` or `false` (CSV readers infer booleans from that text);
//! - any other text by its UTF-8 bytes;
//! - a null by a fixed marker.
//!
//! **Row hash.** The wrapping sum (mod 2^128) of a row's cell hashes, passed once more through
//! XXH3-128: the sum makes it independent of column order, the final mix keeps the row's cells
//! together (without it, the fingerprint below would be the sum of all cells, blind to values
//! swapped between rows).
//!
//! **Content fingerprint** (`content-v1`): SHA-256 over the tag `fairgauge-content-v1`, the row
//! count and the wrapping sum of all row hashes (each little-endian). A sum is a multiset hash:
//! it ignores row order and chunking, counts duplicate rows, and merges across processes by
//! addition. It is a change detector for provenance, not a cryptographic commitment (the file's
//! SHA-256 is that): the 128-bit non-cryptographic row hashes could be forged by someone aiming
//! to.
//!
//! **Schema fingerprint** (`schema-v1`): SHA-256 over `name\ttype\n` for every column in file
//! order.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::{xxh3_128_with_seed, xxh3_64};

const TAG_TEXT: u64 = 0x7465_7874_0000_0001;
const TAG_NUMBER: u64 = 0x6e75_6d62_0000_0002;
const TAG_NULL: u64 = 0x6e75_6c6c_0000_0003;
const TAG_ROW: u64 = 0x726f_7773_0000_0004;
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

/// The seed of a column: XXH3-64 of its name.
#[must_use]
pub fn column_seed(name: &str) -> u64 {
    xxh3_64(name.as_bytes())
}

/// The number a text spells, when it is a plain decimal number: digits with an optional sign,
/// decimal point and exponent (`inf`, `nan`, `0x1F` and padded text stay text).
#[must_use]
pub fn numeric_text(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Hash of a numeric cell.
#[must_use]
pub fn hash_number(seed: u64, x: f64) -> u128 {
    let seed = seed ^ TAG_NUMBER;
    if x.is_nan() {
        return xxh3_128_with_seed(b"nan", seed);
    }
    if x.fract() == 0.0 && x.abs() < MAX_EXACT_INT {
        // `as` is exact here (an integral value below 2^53); -0.0 becomes 0.
        let i = x as i64;
        return xxh3_128_with_seed(&i.to_le_bytes(), seed);
    }
    let mut buf = [0u8; 9];
    buf[0] = b'f';
    buf[1..].copy_from_slice(&x.to_bits().to_le_bytes());
    xxh3_128_with_seed(&buf, seed)
}

/// Hash of a text cell (a plain decimal number is hashed as the number).
#[must_use]
pub fn hash_text(seed: u64, s: &str) -> u128 {
    match numeric_text(s) {
        Some(x) => hash_number(seed, x),
        None => xxh3_128_with_seed(s.as_bytes(), seed ^ TAG_TEXT),
    }
}

/// Hash of a boolean cell (as the text `true` / `false`).
#[must_use]
pub fn hash_bool(seed: u64, b: bool) -> u128 {
    hash_text(seed, if b { "true" } else { "false" })
}

/// Hash of a null cell.
#[must_use]
pub fn hash_null(seed: u64) -> u128 {
    xxh3_128_with_seed(b"", seed ^ TAG_NULL)
}

/// A row's hash from the wrapping sum of its cell hashes.
#[must_use]
pub fn finish_row(cell_sum: u128) -> u128 {
    xxh3_128_with_seed(&cell_sum.to_le_bytes(), TAG_ROW)
}

/// A mergeable content fingerprint: row count and the wrapping sum of row hashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentFingerprint {
    /// Rows added.
    pub rows: u64,
    /// Wrapping sum of the row hashes (as a decimal string in JSON would lose nothing; serde
    /// writes it as a number, which `serde_json` supports for u128).
    pub sum: u128,
}

impl ContentFingerprint {
    /// Adds one row hash.
    pub fn add(&mut self, row_hash: u128) {
        self.rows += 1;
        self.sum = self.sum.wrapping_add(row_hash);
    }

    /// Adds another fingerprint's rows (order does not matter).
    pub fn merge(&mut self, o: &ContentFingerprint) {
        self.rows += o.rows;
        self.sum = self.sum.wrapping_add(o.sum);
    }

    /// `sha256:` and the hex digest defined in the module documentation.
    #[must_use]
    pub fn finish(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"fairgauge-content-v1");
        h.update(self.rows.to_le_bytes());
        h.update(self.sum.to_le_bytes());
        format!("sha256:{}", hex(&h.finalize()))
    }
}

/// `sha256:` and the hex digest of `name\ttype\n` for each column, in order.
#[must_use]
pub fn schema_fingerprint<'a>(columns: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut h = Sha256::new();
    for (name, ty) in columns {
        h.update(name.as_bytes());
        h.update(b"\t");
        h.update(ty.as_bytes());
        h.update(b"\n");
    }
    format!("sha256:{}", hex(&h.finalize()))
}

/// Lower-case hex of bytes.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// `sha256:` and the hex SHA-256 of a byte stream, read in 1 MiB blocks.
pub fn sha256_reader<R: std::io::Read>(mut r: R) -> std::io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("sha256:{}", hex(&h.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[(&str, &str)]) -> u128 {
        finish_row(
            cells
                .iter()
                .map(|(c, v)| hash_text(column_seed(c), v))
                .fold(0u128, u128::wrapping_add),
        )
    }

    #[test]
    fn numbers_hash_alike_whatever_their_spelling_or_type() {
        let s = column_seed("age");
        assert_eq!(hash_text(s, "39"), hash_number(s, 39.0));
        assert_eq!(hash_text(s, "39.0"), hash_number(s, 39.0));
        assert_eq!(hash_text(s, "3.9e1"), hash_number(s, 39.0));
        assert_eq!(hash_number(s, -0.0), hash_number(s, 0.0));
        assert_ne!(hash_number(s, 39.5), hash_number(s, 39.0));
        assert_ne!(hash_text(s, " 39"), hash_number(s, 39.0));
        assert_ne!(hash_text(s, "inf"), hash_number(s, f64::INFINITY));
        assert_eq!(hash_number(s, f64::NAN), hash_number(s, -f64::NAN));
        assert_eq!(hash_bool(s, true), hash_text(s, "true"));
        assert_ne!(hash_null(s), hash_text(s, ""));
        assert_ne!(
            hash_text(column_seed("a"), "x"),
            hash_text(column_seed("b"), "x")
        );
    }

    #[test]
    fn rows_ignore_column_order_but_keep_cells_together() {
        let a = row(&[("x", "1"), ("y", "a")]);
        let b = row(&[("y", "a"), ("x", "1")]);
        assert_eq!(a, b);
        // Swapping values between two rows changes the fingerprint.
        let mut f1 = ContentFingerprint::default();
        f1.add(row(&[("x", "1"), ("y", "a")]));
        f1.add(row(&[("x", "2"), ("y", "b")]));
        let mut f2 = ContentFingerprint::default();
        f2.add(row(&[("x", "1"), ("y", "b")]));
        f2.add(row(&[("x", "2"), ("y", "a")]));
        assert_ne!(f1.finish(), f2.finish());
        // Row order and chunking do not matter.
        let mut f3 = ContentFingerprint::default();
        f3.add(row(&[("x", "2"), ("y", "b")]));
        let mut f4 = ContentFingerprint::default();
        f4.add(row(&[("x", "1"), ("y", "a")]));
        f3.merge(&f4);
        assert_eq!(f1.finish(), f3.finish());
        // A duplicate row counts.
        let mut f5 = f1;
        f5.add(row(&[("x", "2"), ("y", "b")]));
        assert_ne!(f1.finish(), f5.finish());
    }

    #[test]
    fn digests_are_fixed() {
        // sha256 of the empty input, a published test vector.
        assert_eq!(
            sha256_reader(&b""[..]).unwrap(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // echo -n 'abc' | sha256sum
        assert_eq!(
            sha256_reader(&b"abc"[..]).unwrap(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(
            schema_fingerprint([("a", "i64"), ("b", "str")]),
            schema_fingerprint([("a", "str"), ("b", "i64")])
        );
    }

    #[test]
    fn numeric_text_is_strict() {
        assert_eq!(numeric_text("12"), Some(12.0));
        assert_eq!(numeric_text("-1.5e2"), Some(-150.0));
        assert_eq!(numeric_text("nan"), None);
        assert_eq!(numeric_text("1e999"), None);
        assert_eq!(numeric_text(" 1"), None);
        assert_eq!(numeric_text(""), None);
        assert_eq!(numeric_text("-"), None);
        assert_eq!(numeric_text("1-2"), None);
    }
}
