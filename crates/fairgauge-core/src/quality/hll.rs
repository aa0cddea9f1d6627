//! HyperLogLog: a mergeable approximate distinct counter of fixed size.
//!
//! Flajolet, Fusy, Gandouet & Meunier (2007), "HyperLogLog: the analysis of a near-optimal
//! cardinality estimation algorithm", with 64-bit hashes as in Heule, Nunkesser & Hall (2013),
//! "HyperLogLog in Practice" (so no large-range correction is needed). `m = 2^p` registers of
//! one byte each; the relative standard error of the estimate is about `1.04 / √m` (0.81 % at
//! the default `p = 14`, 16 KiB).
//!
//! The sketch is a pure function of the *set* of inserted hashes: inserting in any order, or
//! merging sketches of parts in any order, gives identical registers.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Smallest accepted precision (16 registers).
const MIN_PRECISION: u8 = 4;
/// Largest accepted precision (262 144 registers).
const MAX_PRECISION: u8 = 18;

/// HyperLogLog sketch with `m = 2^precision` registers.
///
/// Register `j` holds the largest `ρ(w)` seen among hashes whose top `precision` bits are
/// `j`, where `w` is the remaining `64 − precision` bits and `ρ(w)` is the position of its
/// leftmost 1-bit (`leading_zeros + 1`, and `64 − precision + 1` when `w = 0`).
///
/// Deserialisation checks that the precision is in `4..=18`, that there are exactly
/// `2^precision` registers and that none exceeds `65 − precision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HyperLogLogRepr")]
pub struct HyperLogLog {
    precision: u8,
    registers: Vec<u8>,
}

/// The unchecked serialised form of [`HyperLogLog`].
#[derive(Deserialize)]
struct HyperLogLogRepr {
    precision: u8,
    registers: Vec<u8>,
}

impl TryFrom<HyperLogLogRepr> for HyperLogLog {
    type Error = Error;

    fn try_from(raw: HyperLogLogRepr) -> Result<Self> {
        let empty = HyperLogLog::new(raw.precision)?;
        if raw.registers.len() != empty.registers.len() {
            return Err(Error::InvalidArgument(format!(
                "HyperLogLog of precision {} needs {} registers, got {}",
                raw.precision,
                empty.registers.len(),
                raw.registers.len()
            )));
        }
        let max_rank = 65 - raw.precision;
        if let Some(r) = raw.registers.iter().find(|&&r| r > max_rank) {
            return Err(Error::InvalidArgument(format!(
                "HyperLogLog register {r} exceeds {max_rank}, the largest rank at precision {}",
                raw.precision
            )));
        }
        Ok(HyperLogLog {
            precision: raw.precision,
            registers: raw.registers,
        })
    }
}

impl HyperLogLog {
    /// Precision used when the caller does not choose: `p = 14`, 16 384 registers (16 KiB),
    /// relative standard error 0.81 % (Heule et al. 2013 use the same default).
    pub const DEFAULT_PRECISION: u8 = 14;

    /// Empty sketch with `2^precision` zero registers.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `4 ≤ precision ≤ 18`.
    pub fn new(precision: u8) -> Result<Self> {
        if !(MIN_PRECISION..=MAX_PRECISION).contains(&precision) {
            return Err(Error::InvalidArgument(format!(
                "HyperLogLog precision must be in {MIN_PRECISION}..={MAX_PRECISION}, got {precision}"
            )));
        }
        Ok(HyperLogLog {
            precision,
            registers: vec![0; 1usize << precision],
        })
    }

    /// Adds one element by its 64-bit hash. The caller supplies a well-mixed hash (every bit
    /// close to a fair coin, e.g. splitmix64 or xxh3 of the value); equal values must hash
    /// equally. The top `precision` bits choose the register, the rest give the rank.
    pub fn insert_hash(&mut self, hash: u64) {
        let p = u32::from(self.precision);
        let index = (hash >> (64 - p)) as usize;
        let w = hash << p;
        // ρ(w) ≤ 64 − p + 1 ≤ 61, so the cast cannot truncate.
        let rank = (w.leading_zeros().min(64 - p) + 1) as u8;
        if let Some(r) = self.registers.get_mut(index) {
            if rank > *r {
                *r = rank;
            }
        }
    }

    /// Merges `other` into `self`: the register-wise maximum, which is exactly the sketch of
    /// the union of the two inserted sets.
    ///
    /// # Errors
    /// [`Error::IncompatibleStates`] when the precisions differ.
    pub fn merge(&mut self, other: &HyperLogLog) -> Result<()> {
        if self.precision != other.precision || self.registers.len() != other.registers.len() {
            return Err(Error::IncompatibleStates(format!(
                "HyperLogLog precisions differ ({} vs {})",
                self.precision, other.precision
            )));
        }
        for (a, &b) in self.registers.iter_mut().zip(&other.registers) {
            if b > *a {
                *a = b;
            }
        }
        Ok(())
    }

    /// Estimated number of distinct hashes inserted.
    ///
    /// Raw estimate `E = α_m m² / Σⱼ 2^(−M[j])` with `α₁₆ = 0.673`, `α₃₂ = 0.697`,
    /// `α₆₄ = 0.709` and `α_m = 0.7213 / (1 + 1.079 / m)` for `m ≥ 128` (Flajolet et al.
    /// 2007, Fig. 3). When `E ≤ 2.5 m` and `V > 0` registers are zero, the linear-counting
    /// estimate `m ln(m / V)` is returned instead (Flajolet et al. 2007; Whang et al. 1990).
    /// With 64-bit hashes no large-range correction is needed (Heule et al. 2013). Exactly `0`
    /// for an empty sketch.
    #[must_use]
    pub fn estimate(&self) -> f64 {
        let m = self.registers.len() as f64;
        // Histogram of register values, then Σ 2^(−k)·count[k] in a fixed order.
        let mut hist = [0u64; 66];
        for &r in &self.registers {
            if let Some(h) = hist.get_mut(usize::from(r)) {
                *h += 1;
            }
        }
        let zeros = hist[0];
        let inverse_sum: f64 = hist
            .iter()
            .enumerate()
            .rev()
            .map(|(k, &c)| c as f64 * (-(k as f64)).exp2())
            .sum();
        let raw = alpha(self.registers.len()) * m * m / inverse_sum;
        if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        }
    }

    /// Relative standard error of [`estimate`](Self::estimate), `1.04 / √m` (Flajolet et al.
    /// 2007, Theorem 1).
    #[must_use]
    pub fn relative_standard_error(&self) -> f64 {
        1.04 / (self.registers.len() as f64).sqrt()
    }

    /// The precision `p` (the sketch has `2^p` registers).
    #[must_use]
    pub fn precision(&self) -> u8 {
        self.precision
    }
}

/// The bias constant `α_m` of Flajolet et al. (2007), Fig. 3.
fn alpha(m: usize) -> f64 {
    match m {
        16 => 0.673,
        32 => 0.697,
        64 => 0.709,
        _ => 0.7213 / (1.0 + 1.079 / m as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_and_index() {
        let mut h = HyperLogLog::new(4).unwrap();
        // Top 4 bits 0b1010 → register 10; next bit set → ρ = 1.
        h.insert_hash(0b1010_1000u64 << 56);
        assert_eq!(h.registers[10], 1);
        // w = 0 → ρ = 64 − 4 + 1 = 61.
        h.insert_hash(0b0011u64 << 60);
        assert_eq!(h.registers[3], 61);
        // 3 zeros then a 1 → ρ = 4.
        h.insert_hash((0b0011u64 << 60) | (1u64 << 56));
        assert_eq!(h.registers[3], 61);
        h.insert_hash(1u64 << 56);
        assert_eq!(h.registers[0], 4);
    }
}
