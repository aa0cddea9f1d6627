//! Percentile bootstrap intervals of the parity summaries (Efron & Tibshirani 1993, *An
//! Introduction to the Bootstrap*, ch. 13), computed from the merged cell counts alone.
//!
//! Resampling `N` rows with replacement (what Fairlearn's `MetricFrame(n_boot=…)` does) changes
//! the data only through how many rows land in each (group, confusion cell); those counts follow
//! the multinomial distribution `Multinomial(N, c_k / N)` over the observed counts `c_k`. Drawing
//! the counts directly is therefore the row bootstrap exactly, in `O(cells)` per replicate instead
//! of `O(N)`, and the draws depend only on the merged state: the same bytes whatever the
//! chunking, the partitioning or the engine. The multinomial is drawn as a chain of binomials
//! (`x_k ~ Binomial(N − Σ_{j<k} x_j, c_k / Σ_{j≥k} c_j)`), each by `rand_distr`'s BTPE sampler from
//! a ChaCha8 stream seeded by the seed and the attribute's name (so adding an attribute leaves the
//! others' intervals unchanged).
//!
//! Each replicate recomputes the summaries over the groups eligible in the data (at least
//! `min_group_size` rows); the interval is the `(1 − c)/2` and `(1 + c)/2` quantiles of the
//! replicates where the summary is defined, with numpy's default (linear) interpolation, as
//! Fairlearn's `ci_quantiles`. Sample weights are not resampled this way: with them every row
//! draws its own weight ([`super::weighted_bootstrap`]).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chacha20::rand_core::SeedableRng;
use chacha20::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};

use super::metric::Confusion;
use super::summary::parity_summaries;
use crate::error::{Error, Result};

/// Most replicates accepted.
pub const MAX_REPLICATES: u32 = 100_000;

/// What to bootstrap: the number of replicates and the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Replicates (Fairlearn's `n_boot`).
    pub replicates: u32,
    /// Seed of the random stream.
    pub seed: u64,
}

/// A summary's percentile interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapInterval {
    /// Lower quantile.
    pub low: f64,
    /// Upper quantile.
    pub high: f64,
    /// Replicates in which the summary was defined (the quantiles are over these).
    pub defined: u32,
}

impl Bootstrap {
    /// Checks the settings.
    pub fn check(&self) -> Result<()> {
        if self.replicates < 2 || self.replicates > MAX_REPLICATES {
            return Err(Error::InvalidArgument(format!(
                "the bootstrap needs between 2 and {MAX_REPLICATES} replicates, given {}",
                self.replicates
            )));
        }
        Ok(())
    }
}

/// The percentile intervals of the parity summaries of one attribute (or intersection): `groups`
/// are all its groups' counts (every row takes part in the resample), `eligible` the indices of
/// the groups the summaries range over, `label` the attribute's name (it seeds the stream).
/// Summaries defined in fewer than two replicates get no interval.
pub fn summary_intervals(
    groups: &[Confusion],
    eligible: &[usize],
    with_prediction: bool,
    min_group_size: u64,
    confidence: f64,
    bootstrap: &Bootstrap,
    label: &str,
) -> BTreeMap<String, BootstrapInterval> {
    let counts: Vec<u64> = groups
        .iter()
        .flat_map(|c| [c.tp, c.fp, c.tn, c.fn_])
        .collect();
    let seed = xxhash_rust::xxh3::xxh3_64_with_seed(label.as_bytes(), bootstrap.seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut resampled = vec![0u64; counts.len()];
    let replicates = (0..bootstrap.replicates).map(|_| {
        multinomial(&counts, &mut resampled, &mut rng);
        eligible
            .iter()
            .map(|&g| {
                let c = &resampled[4 * g..4 * g + 4];
                [c[0] as f64, c[1] as f64, c[2] as f64, c[3] as f64]
            })
            .collect()
    });
    parity_intervals(replicates, with_prediction, min_group_size, confidence)
}

/// The percentile intervals of the parity summaries over replicates, each given as its eligible
/// groups' `[TP, FP, TN, FN]` (counts or sums of weights). Summaries defined in fewer than two
/// replicates get no interval.
pub(crate) fn parity_intervals(
    replicates: impl Iterator<Item = Vec<[f64; 4]>>,
    with_prediction: bool,
    min_group_size: u64,
    confidence: f64,
) -> BTreeMap<String, BootstrapInterval> {
    let mut draws: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
    for amounts in replicates {
        for (name, v) in parity_summaries(&amounts, with_prediction, min_group_size) {
            let slot = draws.entry(name).or_default();
            if let Ok(x) = v {
                slot.push(x);
            }
        }
    }
    draws
        .into_iter()
        .filter_map(|(name, v)| Some((name.to_string(), percentile_interval(v, confidence)?)))
        .collect()
}

/// The percentile interval of a summary's replicates (those where it was defined): the
/// `(1 − c)/2` and `(1 + c)/2` quantiles ([`quantile`]); `None` with fewer than two.
pub(crate) fn percentile_interval(mut v: Vec<f64>, confidence: f64) -> Option<BootstrapInterval> {
    (v.len() >= 2).then(|| {
        v.sort_by(f64::total_cmp);
        BootstrapInterval {
            low: quantile(&v, (1.0 - confidence) / 2.0),
            high: quantile(&v, (1.0 + confidence) / 2.0),
            defined: v.len() as u32,
        }
    })
}

/// One draw of `Multinomial(Σc, c / Σc)` into `out`, as a chain of binomials.
pub(crate) fn multinomial(counts: &[u64], out: &mut [u64], rng: &mut ChaCha8Rng) {
    let mut rows_left: u64 = counts.iter().sum();
    let mut mass_left = rows_left;
    for (k, &c) in counts.iter().enumerate() {
        let x = if c == 0 || rows_left == 0 {
            0
        } else if c == mass_left {
            rows_left
        } else {
            let p = c as f64 / mass_left as f64;
            // 0 < p < 1 and n ≥ 1 here, so the distribution exists.
            Binomial::new(rows_left, p).map_or(0, |b| b.sample(rng))
        };
        out[k] = x;
        rows_left -= x;
        mass_left -= c;
    }
}

/// The `q` quantile of sorted `v` with linear interpolation between order statistics (numpy's
/// default, Hyndman & Fan's type 7): position `h = (n − 1) q`.
pub fn quantile(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Largest Poisson weight drawn.
const MAX_WEIGHT: usize = 12;

/// SplitMix64's increment (the golden ratio, `2⁶⁴ / φ`).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The Poisson(1) inverse CDF on 32-bit uniforms.
pub(crate) struct PoissonTable {
    /// `⌊2³² · P(W ≤ k)⌋`, `k = 0 … MAX_WEIGHT − 1`: the weight of `u` is how many are `≤ u`.
    thresholds: [u64; MAX_WEIGHT],
    /// The weight of every `u` whose top byte is the index, or 255 when a threshold falls
    /// inside that byte's range (then the thresholds decide).
    by_top_byte: [u8; 256],
}

impl PoissonTable {
    pub(crate) fn get() -> &'static PoissonTable {
        static T: OnceLock<PoissonTable> = OnceLock::new();
        T.get_or_init(|| {
            let mut thresholds = [0u64; MAX_WEIGHT];
            let (mut term, mut cdf) = ((-1f64).exp(), 0.0);
            for (k, slot) in thresholds.iter_mut().enumerate() {
                cdf += term;
                term /= (k + 1) as f64;
                *slot = (cdf * 4_294_967_296.0).floor() as u64;
            }
            let mut t = PoissonTable {
                thresholds,
                by_top_byte: [255; 256],
            };
            for b in 0..256u32 {
                let (lo, hi) = (t.counted(b << 24), t.counted((b << 24) | 0x00FF_FFFF));
                if lo == hi {
                    t.by_top_byte[b as usize] = lo as u8;
                }
            }
            t
        })
    }

    /// The weight of `u` by the thresholds alone.
    fn counted(&self, u: u32) -> u32 {
        self.thresholds
            .iter()
            .map(|&x| u32::from(u64::from(u) >= x))
            .sum()
    }

    /// The weight of `u`.
    fn poisson(&self, u: u32) -> u32 {
        match self.by_top_byte[(u >> 24) as usize] {
            255 => self.counted(u),
            k => u32::from(k),
        }
    }

    /// Row `i`'s weight in each replicate of a stream: replicates `2q` and `2q + 1` take the
    /// two halves of SplitMix64's mix (Steele, Lea & Flood 2014) of the stream plus the
    /// counter `i · ⌈R/2⌉ + q + 1` times its increment.
    pub(crate) fn weights(&self, stream: u64, i: u64, w: &mut [u32]) {
        let pairs = w.len().div_ceil(2) as u64;
        let base = i.wrapping_mul(pairs);
        for (q, ws) in w.chunks_mut(2).enumerate() {
            let x = mix(stream.wrapping_add((base + q as u64 + 1).wrapping_mul(GOLDEN)));
            ws[0] = self.poisson((x >> 32) as u32);
            if let Some(s) = ws.get_mut(1) {
                *s = self.poisson(x as u32);
            }
        }
    }
}

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_as_numpy() {
        // numpy.quantile([1, 2, 4, 8], [0.025, 0.5, 0.975]) = [1.075, 3.0, 7.7]
        let v = [1.0, 2.0, 4.0, 8.0];
        assert!((quantile(&v, 0.025) - 1.075).abs() < 1e-12);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.975) - 7.7).abs() < 1e-12);
        assert_eq!(quantile(&[5.0], 0.9), 5.0);
    }

    #[test]
    fn multinomial_keeps_the_total_and_empty_cells() {
        let counts = [5, 0, 10, 85, 0];
        let mut out = [0u64; 5];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut sums = [0u64; 5];
        for _ in 0..2000 {
            multinomial(&counts, &mut out, &mut rng);
            assert_eq!(out.iter().sum::<u64>(), 100);
            assert_eq!((out[1], out[4]), (0, 0));
            for k in 0..5 {
                sums[k] += out[k];
            }
        }
        // Means c_k within a few standard errors (sd of the mean ≈ √(c(1−c/N)) / √2000).
        for (k, &c) in counts.iter().enumerate() {
            let mean = sums[k] as f64 / 2000.0;
            assert!((mean - c as f64).abs() < 0.25, "cell {k}: {mean} vs {c}");
        }
    }

    #[test]
    fn weights_are_poisson_one_and_the_fast_path_is_the_thresholds() {
        let t = PoissonTable::get();
        // Mean 1, variance 1, P(0) = e^{-1} within sampling error over 200,000 rows × 2
        // replicates (the two halves of each mix).
        let n = 200_000u64;
        let mut ws = Vec::new();
        let mut w = [0u32; 2];
        for i in 0..n {
            t.weights(99, i, &mut w);
            ws.extend(w.iter().map(|&k| f64::from(k)));
        }
        let m = ws.len() as f64;
        let mean = ws.iter().sum::<f64>() / m;
        let var = ws.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / m;
        let zeros = ws.iter().filter(|&&w| w == 0.0).count() as f64 / m;
        assert!((mean - 1.0).abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        assert!((zeros - (-1f64).exp()).abs() < 0.005, "{zeros}");
        assert_eq!(
            t.thresholds[0],
            ((-1f64).exp() * 4_294_967_296.0).floor() as u64
        );
        // The top-byte table agrees with the thresholds at and around every threshold and at
        // every byte's ends.
        for &x in &t.thresholds {
            for d in [0u64, 1, 2] {
                for u in [x.saturating_sub(d), x + d] {
                    let u = u.min(u64::from(u32::MAX)) as u32;
                    assert_eq!(t.poisson(u), t.counted(u), "{u}");
                }
            }
        }
        for b in 0..256u32 {
            for u in [b << 24, (b << 24) | 0x00FF_FFFF, (b << 24) | 0x0080_0000] {
                assert_eq!(t.poisson(u), t.counted(u), "{u}");
            }
        }
        // An odd number of replicates uses the first half of the last mix.
        let mut three = [0u32; 3];
        let mut four = [0u32; 4];
        t.weights(5, 0, &mut three);
        t.weights(5, 0, &mut four);
        assert_eq!(three[..2], four[..2]);
    }
}
