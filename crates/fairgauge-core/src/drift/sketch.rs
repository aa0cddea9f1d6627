//! A mergeable quantile sketch for streaming and distributed drift: the KLL sketch of Karnin,
//! Lang & Liberty (2016), "Optimal Quantile Approximation in Streams" (FOCS 2016,
//! arXiv:1603.05346), with the compaction schedule and merge of Apache DataSketches.
//!
//! [`KllSketch`] keeps a few hundred of the values it has seen (about `3k` once it compacts),
//! each standing for `2ʰ` inputs at level `h`, and answers rank, quantile and CDF queries with
//! a normalised rank error below [`normalized_rank_error`]`(k)` (1.33 % at `k = 200`) with
//! probability ≥ 99 %. Sketches of different chunks, threads or machines merge into one of the
//! whole stream with the same guarantee, and serialise with serde, so a reference window can be
//! sketched once and kept. From two sketches come an approximate two-sample
//! Kolmogorov–Smirnov statistic with a stated error bound ([`ks_from_sketches`]) and an
//! approximate Wasserstein distance ([`wasserstein_from_sketches`]).
//!
//! The sketch is deterministic: the coin of each compaction comes from a splitmix64 generator
//! held in the sketch and seeded from a constant (or [`KllSketch::with_seed`]), so the same
//! values in the same order, merged in the same order, give the same sketch bit for bit, on any
//! machine. Until its first compaction (at most `k` values) the sketch holds every value and
//! every answer is exact ([`KllSketch::is_exact`]).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::kolmogorov::kstwo_sf;
use crate::error::{Error, Result};
use crate::stats::sum::neumaier_sum;

/// The default accuracy parameter `k` (DataSketches' default): normalised rank error
/// ≈ 1.33 %, about 600 retained values.
pub const DEFAULT_K: u16 = 200;

/// The smallest accepted `k` (DataSketches' `MIN_K`, equal to the minimum level width).
pub const MIN_K: u16 = 8;

/// Minimum capacity of a level (DataSketches' `m`).
const MIN_LEVEL_WIDTH: usize = 8;

/// Seed of the compaction coins of [`KllSketch::new`] (the bytes of "kll-seed").
const DEFAULT_SEED: u64 = 0x6B6C_6C2D_7365_6564;

/// The bound `ε` on the normalised rank error `|R̂(x) − R(x)| / n`, simultaneously for all `x`,
/// that holds with probability ≥ 99 % for a sketch of parameter `k` (DataSketches'
/// "single-sided" error of rank, CDF and quantile queries): `ε = 2.296 / k^0.9723`.
///
/// Source: Apache DataSketches, `KllSketch.getNormalizedRankError(k, pmf = false)` (Java) and
/// `kll_sketch::get_normalized_rank_error` (C++), whose constants "were derived as the best fit
/// to the 99th percentile of the empirically measured maximum error in thousands of trials"; the
/// DataSketches Javadoc: "the default k of 200 yields a 'single-sided' epsilon of about 1.33 %
/// and a 'double-sided' (PMF) epsilon of about 1.65 %, with a confidence of 99 %". The bound is
/// empirical for DataSketches' compaction schedule, which [`KllSketch`] follows (level
/// capacities `k·(2/3)^depth` with minimum width 8, lazy compaction of the lowest full level,
/// DataSketches' merge); `tests/drift_sketch.rs` measures it again for this implementation.
pub fn normalized_rank_error(k: u16) -> f64 {
    2.296 / f64::from(k).powf(0.9723)
}

/// DataSketches' "double-sided" bound for the mass between two points (a PMF bin or a
/// difference of two ranks), with probability ≥ 99 %: `2.446 / k^0.9433` (1.65 % at `k = 200`).
/// Same source as [`normalized_rank_error`].
pub fn normalized_pmf_error(k: u16) -> f64 {
    2.446 / f64::from(k).powf(0.9433)
}

/// Capacity of one level at `depth` levels below the top: `round(k·(2/3)^depth)`, at least
/// [`MIN_LEVEL_WIDTH`], in DataSketches' integer arithmetic (`int_cap_aux`).
fn depth_capacity(k: u16, depth: usize) -> usize {
    // k·(2/3)^30 < 0.35 for every u16 k, so deeper levels have the minimum width.
    if depth > 30 {
        return MIN_LEVEL_WIDTH;
    }
    let twok = u64::from(k) << 1;
    let tmp = (twok << depth) / 3u64.pow(depth as u32);
    (((tmp + 1) >> 1) as usize).max(MIN_LEVEL_WIDTH)
}

/// Capacity of level `h` of a sketch with `num_levels` levels.
fn level_capacity(k: u16, num_levels: usize, h: usize) -> usize {
    depth_capacity(k, num_levels.saturating_sub(h + 1))
}

/// Total capacity of a sketch with `num_levels` levels.
fn total_capacity(k: u16, num_levels: usize) -> usize {
    (0..num_levels)
        .map(|h| level_capacity(k, num_levels, h))
        .sum()
}

/// Weight of an item at level `h`.
fn weight(h: usize) -> u64 {
    1u64.checked_shl(h as u32).unwrap_or(u64::MAX)
}

/// Merges two ascending slices into `out` (cleared first).
fn merge_sorted_into(a: &[f64], b: impl Iterator<Item = f64>, out: &mut Vec<f64>) {
    out.clear();
    let mut i = 0;
    for y in b {
        while i < a.len() && a[i] <= y {
            out.push(a[i]);
            i += 1;
        }
        out.push(y);
    }
    out.extend_from_slice(&a[i..]);
}

/// The KLL quantile sketch (Karnin, Lang & Liberty 2016) over finite `f64` values.
///
/// Level `h` holds items of weight `2ʰ`; level 0 is the unsorted input buffer, higher levels
/// are sorted. When the retained items fill the total capacity, the lowest level at or over
/// its capacity `k·(2/3)^depth` is compacted: sorted, one item kept back if its count is odd,
/// and every other item (offset 0 or 1 by a coin) promoted to the level above, merged in
/// order; the others are dropped. The estimated rank of `x` is the total weight of retained
/// items `≤ x`. [`merge`](Self::merge) follows DataSketches: the other sketch's level-0 items
/// are inserted one by one, the higher levels are merged level by level, then each level from
/// the bottom is compacted while the sketch is over capacity (DataSketches' `general_compress`).
///
/// Error: with probability ≥ 99 %, `sup_x |R̂(x)/n − R(x)/n| ≤` [`normalized_rank_error`]`(k)`
/// where `R(x)` is the number of inputs `≤ x`. Queries are also exact at the ends: the minimum
/// and maximum are tracked exactly.
///
/// Serialises (serde) as `{k, n, min, max, levels, rng}`, about 12 kB of JSON at `k = 200`.
/// In human-readable formats each value is written as its shortest round-trip decimal string
/// and parsed back exactly (a JSON parser's float conversion need not be exact), so a sketch
/// shipped between processes continues bit for bit as the original would. Deserialisation
/// checks every invariant (finite items, sorted levels ≥ 1, weights summing to `n`, items
/// within `[min, max]`, retained ≤ capacity) and fails rather than build an inconsistent sketch.
#[derive(Debug, Clone, PartialEq)]
pub struct KllSketch {
    k: u16,
    n: u64,
    /// Smallest value seen (`+∞` while empty).
    min: f64,
    /// Largest value seen (`−∞` while empty).
    max: f64,
    /// `levels[h]`: items of weight `2ʰ`; level 0 unsorted, the others ascending.
    levels: Vec<Vec<f64>>,
    /// State of the splitmix64 generator of the compaction coins.
    rng: u64,
    /// Cache: number of retained items.
    retained: usize,
    /// Cache: `total_capacity(k, levels.len())`.
    capacity: usize,
}

impl Default for KllSketch {
    /// An empty sketch with `k = ` [`DEFAULT_K`].
    fn default() -> Self {
        Self::empty(DEFAULT_K, DEFAULT_SEED)
    }
}

impl KllSketch {
    fn empty(k: u16, seed: u64) -> Self {
        KllSketch {
            k,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            levels: vec![Vec::new()],
            rng: seed,
            retained: 0,
            capacity: total_capacity(k, 1),
        }
    }

    /// An empty sketch of accuracy parameter `k` (≥ [`MIN_K`] = 8; DataSketches' default is
    /// [`DEFAULT_K`] = 200). Its rank error is [`normalized_rank_error`]`(k)` and it retains
    /// about `3k` items. The compaction coins are seeded from a fixed constant.
    pub fn new(k: u16) -> Result<Self> {
        Self::with_seed(k, DEFAULT_SEED)
    }

    /// As [`new`](Self::new) with the compaction coins seeded from `seed`. The guarantees do
    /// not depend on the seed; distinct seeds (e.g. a partition index) make the coins of
    /// partial sketches independent of each other.
    pub fn with_seed(k: u16, seed: u64) -> Result<Self> {
        if k < MIN_K {
            return Err(Error::InvalidArgument(format!(
                "KLL sketch parameter k = {k} is below the minimum {MIN_K}"
            )));
        }
        Ok(Self::empty(k, seed))
    }

    /// The accuracy parameter `k`.
    pub fn k(&self) -> u16 {
        self.k
    }

    /// Number of values summarised.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// `true` when no value was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of retained items (each standing for `2ʰ` values).
    pub fn num_retained(&self) -> usize {
        self.retained
    }

    /// `true` while the sketch holds every value it was given (no compaction yet): every query
    /// is then exact. An empty sketch is exact.
    pub fn is_exact(&self) -> bool {
        self.retained as u64 == self.n
    }

    /// Smallest value seen (exact); `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (self.n > 0).then_some(self.min)
    }

    /// Largest value seen (exact); `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (self.n > 0).then_some(self.max)
    }

    /// The normalised rank error bound of this sketch: 0 when [`is_exact`](Self::is_exact),
    /// else [`normalized_rank_error`]`(k)`.
    pub fn rank_error_bound(&self) -> f64 {
        if self.is_exact() {
            0.0
        } else {
            normalized_rank_error(self.k)
        }
    }

    fn next_u64(&mut self) -> u64 {
        splitmix64(&mut self.rng)
    }

    fn note_extremes(&mut self, x: f64) {
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
    }

    /// Adds one value to level 0, compacting first if the sketch is full (`n` is not touched).
    fn insert(&mut self, x: f64) {
        if self.retained >= self.capacity {
            self.compress_while_updating();
        }
        self.levels[0].push(x);
        self.retained += 1;
    }

    /// Compacts the lowest level at or over its capacity (DataSketches' `find_level_to_compact`;
    /// one always exists when the sketch is full, the top level is the fallback).
    fn compress_while_updating(&mut self) {
        let num_levels = self.levels.len();
        let h = (0..num_levels)
            .find(|&h| self.levels[h].len() >= level_capacity(self.k, num_levels, h))
            .unwrap_or(num_levels - 1);
        self.compact_level(h);
    }

    /// Compacts level `h` into level `h + 1` (created if `h` is the top level).
    fn compact_level(&mut self, h: usize) {
        if h + 1 >= self.levels.len() {
            self.levels.push(Vec::new());
            self.capacity = total_capacity(self.k, self.levels.len());
        }
        let mut cur = std::mem::take(&mut self.levels[h]);
        let odd = cur.len() % 2 == 1;
        // The odd item stays behind: the most recent input at level 0 (as DataSketches, which
        // keeps the first item of its downward-growing buffer), the smallest item above.
        let (keep, adj): (Option<f64>, &mut [f64]) = if !odd {
            (None, &mut cur[..])
        } else if h == 0 {
            let last = cur.len() - 1;
            let (rest, tail) = cur.split_at_mut(last);
            (tail.first().copied(), rest)
        } else {
            let (head, rest) = cur.split_at_mut(1);
            (head.first().copied(), rest)
        };
        if h == 0 {
            adj.sort_unstable_by(f64::total_cmp);
        }
        let offset = (self.next_u64() >> 63) as usize;
        let half = adj.len() / 2;
        let survivors = adj.iter().copied().skip(offset).step_by(2).take(half);
        let mut merged = Vec::with_capacity(self.levels[h + 1].len() + half);
        merge_sorted_into(&self.levels[h + 1], survivors, &mut merged);
        self.levels[h + 1] = merged;
        cur.clear();
        cur.extend(keep);
        self.levels[h] = cur;
        self.retained -= half;
    }

    /// Adds one value. Errors (and leaves the sketch unchanged) when `x` is NaN or ±∞.
    pub fn update(&mut self, x: f64) -> Result<()> {
        if !x.is_finite() {
            return Err(Error::InvalidSample {
                sample: "KLL sketch update".into(),
                reason: format!("value {x} is not finite"),
            });
        }
        let n = self.n.checked_add(1).ok_or_else(overflow)?;
        self.insert(x);
        self.n = n;
        self.note_extremes(x);
        Ok(())
    }

    /// Adds every value of `xs` in order. All values are checked first: on a NaN or ±∞ the
    /// error names its position and the sketch is left unchanged.
    pub fn extend(&mut self, xs: &[f64]) -> Result<()> {
        if let Some(i) = xs.iter().position(|x| !x.is_finite()) {
            return Err(Error::InvalidSample {
                sample: "KLL sketch update".into(),
                reason: format!("value {} at position {i} is not finite", xs[i]),
            });
        }
        let n = self.n.checked_add(xs.len() as u64).ok_or_else(overflow)?;
        for &x in xs {
            self.insert(x);
            self.note_extremes(x);
        }
        self.n = n;
        Ok(())
    }

    /// Merges `other` into this sketch, which then summarises both streams with the same
    /// error guarantee. Errors (and leaves the sketch unchanged) when the two `k` differ.
    /// The result depends on the order of merges only through the compaction coins: any order
    /// keeps the bound, and the same order gives the same sketch bit for bit.
    pub fn merge(&mut self, other: &KllSketch) -> Result<()> {
        if other.k != self.k {
            return Err(Error::IncompatibleStates(format!(
                "KLL sketches with k = {} and k = {} cannot be merged",
                self.k, other.k
            )));
        }
        if other.n == 0 {
            return Ok(());
        }
        let final_n = self.n.checked_add(other.n).ok_or_else(overflow)?;
        // Fold the other generator in, so partial sketches that ran identical coin sequences
        // do not keep compacting in lockstep after merging.
        let mut mixed = self.rng ^ other.rng.rotate_left(29);
        self.rng = splitmix64(&mut mixed);
        self.note_extremes(other.min);
        self.note_extremes(other.max);
        for &x in &other.levels[0] {
            self.insert(x);
        }
        if other.levels.len() > 1 {
            self.merge_higher_levels(other);
        }
        self.n = final_n;
        Ok(())
    }

    /// Merges levels ≥ 1 of `other` level by level, then compacts from the bottom while over
    /// capacity (DataSketches' `merge_higher_levels` + `general_compress`).
    fn merge_higher_levels(&mut self, other: &KllSketch) {
        if self.levels.len() < other.levels.len() {
            self.levels.resize(other.levels.len(), Vec::new());
        }
        let mut buf = Vec::new();
        for (h, theirs) in other.levels.iter().enumerate().skip(1) {
            if theirs.is_empty() {
                continue;
            }
            merge_sorted_into(&self.levels[h], theirs.iter().copied(), &mut buf);
            std::mem::swap(&mut self.levels[h], &mut buf);
            self.retained += theirs.len();
        }
        self.capacity = total_capacity(self.k, self.levels.len());
        let mut h = 0;
        loop {
            let num_levels = self.levels.len();
            if self.retained >= self.capacity
                && self.levels[h].len() >= level_capacity(self.k, num_levels, h)
            {
                self.compact_level(h);
            }
            if h + 1 >= self.levels.len() {
                break;
            }
            h += 1;
        }
    }

    /// The retained items sorted ascending, each with its weight (the number of inputs it
    /// stands for); the weights sum to [`n`](Self::n). What a caller needs to read other
    /// statistics off the sketch (e.g. the mass within a distance of the median).
    pub fn weighted_items(&self) -> Vec<(f64, u64)> {
        let mut pairs: Vec<(f64, u64)> = Vec::with_capacity(self.retained);
        for (h, level) in self.levels.iter().enumerate() {
            let w = weight(h);
            pairs.extend(level.iter().map(|&x| (x, w)));
        }
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        pairs
    }

    /// The retained items sorted ascending with their cumulative weights.
    fn sorted_view(&self) -> SortedView {
        let mut pairs: Vec<(f64, u64)> = Vec::with_capacity(self.retained);
        for (h, level) in self.levels.iter().enumerate() {
            let w = weight(h);
            pairs.extend(level.iter().map(|&x| (x, w)));
        }
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut total = 0u64;
        let mut items = Vec::with_capacity(pairs.len());
        let mut cum = Vec::with_capacity(pairs.len());
        for (x, w) in pairs {
            total = total.saturating_add(w);
            items.push(x);
            cum.push(total);
        }
        SortedView { items, cum }
    }

    /// Normalised rank of `x`: the estimated fraction of values `≤ x` (exact below the minimum,
    /// 0, and from the maximum on, 1). NaN when the sketch is empty or `x` is NaN. Each call
    /// sorts the retained items (O(r log r), r ≈ 3k); [`cdf`](Self::cdf) sorts once for many
    /// points.
    pub fn rank(&self, x: f64) -> f64 {
        if self.n == 0 || x.is_nan() {
            return f64::NAN;
        }
        self.sorted_view().rank(x, self.n)
    }

    /// [`rank`](Self::rank) at each split point, in the order given (one value per split,
    /// without DataSketches' trailing 1); NaN for a NaN split or an empty sketch.
    pub fn cdf(&self, splits: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; splits.len()];
        }
        let view = self.sorted_view();
        splits
            .iter()
            .map(|&x| {
                if x.is_nan() {
                    f64::NAN
                } else {
                    view.rank(x, self.n)
                }
            })
            .collect()
    }

    /// Estimated `q`-quantile, the inverse of [`rank`](Self::rank): the smallest retained item
    /// whose estimated rank is `≥ q` (the exact minimum for `q = 0`, the exact maximum for
    /// `q = 1`). `None` when the sketch is empty or `q` is outside `[0, 1]`. The true rank of
    /// the answer is within [`normalized_rank_error`]`(k)` of `q` with probability ≥ 99 %.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        if q == 0.0 {
            return Some(self.min);
        }
        if q == 1.0 {
            return Some(self.max);
        }
        let view = self.sorted_view();
        // The same floating-point ranks as `rank`, so `rank(quantile(q)) ≥ q` exactly.
        let n = self.n as f64;
        let i = view.cum.partition_point(|&c| (c as f64 / n) < q);
        Some(view.items.get(i).copied().unwrap_or(self.max))
    }
}

/// One step of splitmix64 (Steele, Lea & Flood 2014): advances `state`, returns the output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn overflow() -> Error {
    Error::InvalidArgument("KLL sketch count would exceed 2⁶⁴ − 1 values".into())
}

/// Sorted retained items with inclusive cumulative weights.
#[derive(Debug)]
struct SortedView {
    items: Vec<f64>,
    cum: Vec<u64>,
}

impl SortedView {
    /// Total weight of items `≤ x`.
    fn weight_le(&self, x: f64) -> u64 {
        match self.items.partition_point(|&v| v <= x) {
            0 => 0,
            i => self.cum[i - 1],
        }
    }

    fn rank(&self, x: f64, n: u64) -> f64 {
        self.weight_le(x) as f64 / n as f64
    }
}

/// An `f64` that crosses any serde format unchanged: in human-readable formats it is written as
/// its shortest round-trip decimal string (Rust's `{:?}`) and parsed back with the correctly
/// rounded `str::parse`, because a format's own float parser need not be exact (serde_json's
/// default one can move the last bit, which would break bit-for-bit continuation and could
/// even unsort a level). Plain numbers are accepted on input too; binary formats carry the
/// `f64` itself.
#[derive(Debug, Clone, Copy)]
struct ExactF64(f64);

impl Serialize for ExactF64 {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(&format_args!("{:?}", self.0))
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for ExactF64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct ExactF64Visitor;

        impl serde::de::Visitor<'_> for ExactF64Visitor {
            type Value = ExactF64;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number or its decimal string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<ExactF64, E> {
                v.parse::<f64>()
                    .map(ExactF64)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }

            fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<ExactF64, E> {
                Ok(ExactF64(v))
            }

            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<ExactF64, E> {
                Ok(ExactF64(v as f64))
            }

            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<ExactF64, E> {
                Ok(ExactF64(v as f64))
            }
        }

        if deserializer.is_human_readable() {
            deserializer.deserialize_any(ExactF64Visitor)
        } else {
            deserializer.deserialize_f64(ExactF64Visitor)
        }
    }
}

/// Serialised form of [`KllSketch`].
#[derive(Serialize, Deserialize)]
struct KllSketchData {
    k: u16,
    n: u64,
    min: Option<ExactF64>,
    max: Option<ExactF64>,
    levels: Vec<Vec<ExactF64>>,
    rng: u64,
}

impl Serialize for KllSketch {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        KllSketchData {
            k: self.k,
            n: self.n,
            min: self.min().map(ExactF64),
            max: self.max().map(ExactF64),
            levels: self
                .levels
                .iter()
                .map(|l| l.iter().copied().map(ExactF64).collect())
                .collect(),
            rng: self.rng,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for KllSketch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let data = KllSketchData::deserialize(deserializer)?;
        KllSketch::try_from(data).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<KllSketchData> for KllSketch {
    type Error = Error;

    fn try_from(d: KllSketchData) -> Result<Self> {
        let levels: Vec<Vec<f64>> = d
            .levels
            .into_iter()
            .map(|l| l.into_iter().map(|x| x.0).collect())
            .collect();
        let bad = |reason: String| Error::InvalidSample {
            sample: "serialised KLL sketch".into(),
            reason,
        };
        if d.k < MIN_K {
            return Err(bad(format!("k = {} is below the minimum {MIN_K}", d.k)));
        }
        if levels.is_empty() || levels.len() > 64 {
            return Err(bad(format!("{} levels (expected 1 to 64)", levels.len())));
        }
        let mut total = 0u64;
        let mut retained = 0usize;
        for (h, level) in levels.iter().enumerate() {
            if let Some(x) = level.iter().find(|x| !x.is_finite()) {
                return Err(bad(format!("level {h} holds the non-finite value {x}")));
            }
            if h > 0 && level.windows(2).any(|w| w[0] > w[1]) {
                return Err(bad(format!("level {h} is not sorted ascending")));
            }
            total = (level.len() as u64)
                .checked_mul(weight(h))
                .and_then(|w| total.checked_add(w))
                .ok_or_else(|| bad("total weight overflows".into()))?;
            retained += level.len();
        }
        if total != d.n {
            return Err(bad(format!(
                "retained weights sum to {total}, but n = {}",
                d.n
            )));
        }
        let (min, max) = match (d.n, d.min.map(|x| x.0), d.max.map(|x| x.0)) {
            (0, None, None) => (f64::INFINITY, f64::NEG_INFINITY),
            (n, Some(lo), Some(hi)) if n > 0 && lo.is_finite() && hi.is_finite() && lo <= hi => {
                (lo, hi)
            }
            _ => {
                return Err(bad(
                    "min and max must be finite (min ≤ max) iff n > 0".into()
                ))
            }
        };
        if levels.iter().flatten().any(|&x| x < min || x > max) {
            return Err(bad("an item lies outside [min, max]".into()));
        }
        let capacity = total_capacity(d.k, levels.len());
        if retained > capacity {
            return Err(bad(format!(
                "{retained} retained items exceed the capacity {capacity}"
            )));
        }
        Ok(KllSketch {
            k: d.k,
            n: d.n,
            min,
            max,
            levels,
            rng: d.rng,
            retained,
            capacity,
        })
    }
}

/// Approximate two-sample Kolmogorov–Smirnov comparison of two sketches
/// ([`ks_from_sketches`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ApproxKs {
    /// `D̂ = sup_x |F̂_ref(x) − F̂_cur(x)|` from the sketches' estimated CDFs.
    pub statistic: f64,
    /// Bound on `|D̂ − D|` (`D` the exact statistic of the full samples), holding with
    /// probability ≥ 98 %: `ε_ref + ε_cur` with `ε` = [`normalized_rank_error`]`(k)` for a
    /// sketch in estimation mode and 0 for an exact one.
    pub error_bound: f64,
    /// `true` when both sketches are exact: then `statistic` is the exact `D` (unrounded) and
    /// `error_bound` is 0.
    pub exact: bool,
    /// **Approximate** p-value: the asymptotic `kstwo.sf(D̂, round(n·m/(n+m)))` of scipy's
    /// `ks_2samp(method='asymp')`, evaluated at the estimate `D̂`. It ignores the sketch error;
    /// see `approx_p_value_range`.
    pub approx_p_value: f64,
    /// **Approximate** p-values at `D̂ + error_bound` and `D̂ − error_bound`:
    /// `[kstwo.sf(min(D̂ + b, 1)), kstwo.sf(max(D̂ − b, 0))]`. When the range straddles the
    /// significance level, the sketches cannot decide (for large samples the KS critical value
    /// `≈ 1.36·√((n+m)/(n·m))` falls far below the sketch error, and only a large `D̂` is
    /// conclusive).
    pub approx_p_value_range: [f64; 2],
}

/// Two-sample Kolmogorov–Smirnov statistic from two sketches:
/// `D̂ = max |F̂_ref(x) − F̂_cur(x)|` over the union of both sketches' retained items, where
/// `F̂(x)` is the sketch's normalised [`rank`](KllSketch::rank) (both are step functions that
/// change only at retained items, so this is the supremum over all `x`).
///
/// Since each `|F̂ − F| ≤ ε` uniformly with probability ≥ 99 %, `|D̂ − D| ≤ ε_ref + ε_cur`
/// with probability ≥ 98 % ([`ApproxKs::error_bound`]); for exact sketches `D̂ = D`, the
/// statistic of [`ks_2samp`](super::ks_2samp) (which rounds it to the lattice `h/lcm(n, m)`).
/// The p-values are asymptotic ([`kstwo_sf`] with `round(n·m/(n+m))`, at least 1), as scipy's
/// `method='asymp'`; for small exact samples call [`ks_2samp`](super::ks_2samp) on the data.
///
/// When the two distributions are close, the errors of the two sketches add to `D̂` (for two
/// samples of 10⁵ from one normal distribution, `D = 0.0036` but `D̂ = 0.0097`), so
/// `approx_p_value` is then far too small: on large samples flag drift from the sketches only
/// when the whole `approx_p_value_range` is below the significance level (equivalently,
/// `D̂ − error_bound` exceeds the critical value). The two `k` may differ. Errors when a
/// sketch is empty.
pub fn ks_from_sketches(reference: &KllSketch, current: &KllSketch) -> Result<ApproxKs> {
    check_non_empty(reference, current)?;
    let (vr, vc) = (reference.sorted_view(), current.sorted_view());
    let (nr, nc) = (reference.n, current.n);
    let (nrf, ncf) = (nr as f64, nc as f64);
    let mut d = 0.0f64;
    let (mut i, mut j) = (0usize, 0usize);
    loop {
        let x = match (vr.items.get(i), vc.items.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        while i < vr.items.len() && vr.items[i] <= x {
            i += 1;
        }
        while j < vc.items.len() && vc.items[j] <= x {
            j += 1;
        }
        let fr = if i == 0 { 0 } else { vr.cum[i - 1] };
        let fc = if j == 0 { 0 } else { vc.cum[j - 1] };
        d = d.max((fr as f64 / nrf - fc as f64 / ncf).abs());
    }
    let d = d.clamp(0.0, 1.0);
    let bound = reference.rank_error_bound() + current.rank_error_bound();
    let en = ((nrf * ncf / (nrf + ncf)).round_ties_even() as u64).max(1);
    let sf = |x: f64| kstwo_sf(x.clamp(0.0, 1.0), en).clamp(0.0, 1.0);
    Ok(ApproxKs {
        statistic: d,
        error_bound: bound,
        exact: reference.is_exact() && current.is_exact(),
        approx_p_value: sf(d),
        approx_p_value_range: [sf(d + bound), sf(d - bound)],
    })
}

/// First Wasserstein distance from two sketches,
/// `Ŵ = ∫₀¹ |F̂_ref⁻¹(u) − F̂_cur⁻¹(u)| du`, where `F̂⁻¹` is the sketch's quantile function
/// (a step function: the retained item whose cumulative weight interval `(c_{i−1}/n, c_i/n]`
/// holds `u`). It is integrated exactly on the merged grid of both sketches' normalised
/// cumulative weights (compared in integer arithmetic). For exact sketches it equals
/// [`wasserstein`](super::wasserstein) (scipy's `wasserstein_distance`) up to rounding.
///
/// Its error has no simple useful bound. The rank errors of the sketches move the quantile
/// functions by amounts that depend on the density, and a compaction that drops or doubles a
/// far tail value moves the sketch's mean by up to `2ʰ·gap / n`, so heavy tails dominate. The
/// only general bound follows from `Ŵ = ∫|F̂_ref − F̂_cur| dx`:
/// `|Ŵ − W| ≤ (ε_ref + ε_cur)·(max − min)` over the pooled range (probability ≥ 98 %), which
/// is loose. Measured (`tests/drift_sketch.rs`, `k = 200`, 10⁵–10⁶ values): within 2 % for
/// normal and binomial data, but off by up to 35 % (either sign; 5 % and 34 % in the test's
/// two cases, −11 % to +34 % over twelve seeds) for lognormal(0, 1) against lognormal(0.2, 1),
/// where `W ≈ 0.37` is a small difference of means 1.65 and 2.0 that the sketches estimate only
/// to a few percent; `k = 4000` brings that case within about 6 %.
/// Errors when a sketch is empty.
pub fn wasserstein_from_sketches(reference: &KllSketch, current: &KllSketch) -> Result<f64> {
    check_non_empty(reference, current)?;
    let (vr, vc) = (reference.sorted_view(), current.sorted_view());
    let (nr, nc) = (u128::from(reference.n), u128::from(current.n));
    let mut terms = Vec::with_capacity(vr.items.len() + vc.items.len());
    let mut u_prev = 0.0f64;
    let (mut i, mut j) = (0usize, 0usize);
    while i < vr.items.len() && j < vc.items.len() {
        // Compare cum_r[i]/n_r with cum_c[j]/n_c exactly.
        let (cr, cc) = (u128::from(vr.cum[i]), u128::from(vc.cum[j]));
        let lhs = cr * nc;
        let rhs = cc * nr;
        let u = if lhs <= rhs {
            cr as f64 / nr as f64
        } else {
            cc as f64 / nc as f64
        };
        terms.push((u - u_prev) * (vr.items[i] - vc.items[j]).abs());
        u_prev = u;
        if lhs <= rhs {
            i += 1;
        }
        if rhs <= lhs {
            j += 1;
        }
    }
    Ok(neumaier_sum(terms))
}

fn check_non_empty(reference: &KllSketch, current: &KllSketch) -> Result<()> {
    for (name, s) in [("reference", reference), ("current", current)] {
        if s.n == 0 {
            return Err(Error::NoData(format!("sketch `{name}` is empty")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_match_datasketches() {
        // k·(2/3)^d rounded as DataSketches' int_cap_aux: 200, 133, 89, 59, 40, 26, 18, 12, 8.
        let caps: Vec<usize> = (0..10).map(|d| depth_capacity(200, d)).collect();
        assert_eq!(caps, vec![200, 133, 89, 59, 40, 26, 18, 12, 8, 8]);
        assert_eq!(depth_capacity(65535, 60), MIN_LEVEL_WIDTH);
        assert_eq!(total_capacity(200, 1), 200);
        assert_eq!(total_capacity(200, 3), 200 + 133 + 89);
        assert_eq!(level_capacity(200, 3, 2), 200);
        assert_eq!(level_capacity(200, 3, 0), 89);
    }

    #[test]
    fn bounds_match_published_values() {
        // DataSketches: k = 200 gives about 1.33 % single-sided and 1.65 % double-sided.
        assert!((normalized_rank_error(200) - 0.0133).abs() < 5e-5);
        assert!((normalized_pmf_error(200) - 0.0165).abs() < 5e-5);
    }

    #[test]
    fn invariants_hold_while_streaming_and_merging() {
        let mut a = KllSketch::new(8).unwrap();
        let mut b = KllSketch::new(8).unwrap();
        for i in 0..5000u32 {
            a.update(f64::from(i.wrapping_mul(2_654_435_761) % 1000))
                .unwrap();
            b.update(f64::from(i % 37)).unwrap();
            let w: u64 = a
                .levels
                .iter()
                .enumerate()
                .map(|(h, l)| l.len() as u64 * weight(h))
                .sum();
            assert_eq!(w, a.n);
            assert!(a.retained <= a.capacity);
        }
        a.merge(&b).unwrap();
        let w: u64 = a
            .levels
            .iter()
            .enumerate()
            .map(|(h, l)| l.len() as u64 * weight(h))
            .sum();
        assert_eq!(w, 10_000);
        assert_eq!(a.retained, a.levels.iter().map(Vec::len).sum::<usize>());
        assert!(a.retained <= a.capacity);
        assert!(a.levels[1..]
            .iter()
            .all(|l| l.windows(2).all(|w| w[0] <= w[1])));
    }
}
