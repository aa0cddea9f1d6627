//! Drift between a reference and a current table: per-column two-sample tests and distances,
//! the method chosen per column as Evidently does unless overridden, multiple-testing correction
//! across the p-value methods, null shares, new and vanished categories, and dataset drift (the
//! share of drifted columns against a threshold).
//!
//! Conventions (each tested):
//! - nulls (and NaN) are left out of every distribution test; each table's null share and its
//!   change are reported; infinite values are left out too, with a warning;
//! - a text column whose every value parses as a number is numeric (UCI files store numbers as
//!   text);
//! - histogram methods on a numeric column use bins at the reference's deciles
//!   ([`fairgauge_core::drift::categorical::quantile_bin_edges`], `--bins`), or the distinct values
//!   themselves when there are no more of them than bins;
//! - `auto` follows Evidently's rule: with at most 1000 reference values, KS for numeric columns
//!   with more than 5 distinct values, else chi-square (z-test for two values); with more,
//!   normed Wasserstein for numeric columns with more than 5 distinct values, else Jensen–Shannon;
//! - a p-value method flags drift when its corrected p-value is below its threshold
//!   (default 0.05); a distance flags drift when it is at or above its threshold (default 0.1);
//! - the dataset drifts when the share of drifted columns is at or above `--dataset-threshold`
//!   (default 0.5), as Evidently's `DatasetDriftMetric`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fairgauge_core::drift::{categorical as cat, correction, numeric as num, KllSketch};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::frame::{column_kinds, for_each_batch, row_count_hint, ColumnKind, Visit};
use crate::io::source::Table;
use crate::io::text::{canonical_number, TextRules};

/// A drift method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Kolmogorov–Smirnov two-sample test.
    Ks,
    /// Population stability index.
    Psi,
    /// Wasserstein-1 distance, normed by the reference standard deviation.
    Wasserstein,
    /// Jensen–Shannon distance (base 2).
    Jensenshannon,
    /// Hellinger distance.
    Hellinger,
    /// Kullback–Leibler divergence of current from reference.
    Kl,
    /// Anderson–Darling k-sample test.
    Anderson,
    /// Cramér–von Mises two-sample test.
    CramerVonMises,
    /// Energy distance, normed by the reference standard deviation.
    Energy,
    /// Mann–Whitney U test.
    Mannwhitney,
    /// Welch's t-test.
    Ttest,
    /// Pearson chi-square test.
    Chisquare,
    /// G-test (log-likelihood ratio).
    Gtest,
    /// Fisher's exact test (two categories).
    Fisher,
    /// Two-proportion z-test (two categories).
    Ztest,
    /// Total variation distance.
    Tvd,
    /// L-infinity distance (TFDV's drift comparator).
    Linf,
}

impl Method {
    /// All methods.
    pub const ALL: [Method; 17] = [
        Method::Ks,
        Method::Psi,
        Method::Wasserstein,
        Method::Jensenshannon,
        Method::Hellinger,
        Method::Kl,
        Method::Anderson,
        Method::CramerVonMises,
        Method::Energy,
        Method::Mannwhitney,
        Method::Ttest,
        Method::Chisquare,
        Method::Gtest,
        Method::Fisher,
        Method::Ztest,
        Method::Tvd,
        Method::Linf,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::Ks => "ks",
            Method::Psi => "psi",
            Method::Wasserstein => "wasserstein",
            Method::Jensenshannon => "jensenshannon",
            Method::Hellinger => "hellinger",
            Method::Kl => "kl",
            Method::Anderson => "anderson",
            Method::CramerVonMises => "cramer_von_mises",
            Method::Energy => "energy",
            Method::Mannwhitney => "mannwhitney",
            Method::Ttest => "ttest",
            Method::Chisquare => "chisquare",
            Method::Gtest => "gtest",
            Method::Fisher => "fisher",
            Method::Ztest => "ztest",
            Method::Tvd => "tvd",
            Method::Linf => "linf",
        }
    }

    /// Parses a method name.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }

    /// Whether the method yields a p-value (drift when the corrected p-value is below the
    /// threshold) rather than a distance (drift when at or above it).
    pub fn is_test(self) -> bool {
        matches!(
            self,
            Method::Ks
                | Method::Anderson
                | Method::CramerVonMises
                | Method::Mannwhitney
                | Method::Ttest
                | Method::Chisquare
                | Method::Gtest
                | Method::Fisher
                | Method::Ztest
        )
    }

    /// Whether the method needs numeric values (rather than counts per category or bin).
    pub fn needs_values(self) -> bool {
        matches!(
            self,
            Method::Ks
                | Method::Wasserstein
                | Method::Anderson
                | Method::CramerVonMises
                | Method::Energy
                | Method::Mannwhitney
                | Method::Ttest
        )
    }

    /// The default threshold: 0.05 for p-values; 0.1 for distances (Evidently's defaults for
    /// PSI, normed Wasserstein and Jensen–Shannon; the same for the others).
    pub fn default_threshold(self) -> f64 {
        if self.is_test() {
            0.05
        } else {
            0.1
        }
    }
}

/// Multiple-testing correction across columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Benjamini–Hochberg false discovery rate.
    #[default]
    Bh,
    /// Bonferroni family-wise error rate.
    Bonferroni,
    /// No correction.
    None,
}

/// What to compare and how.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DriftSpec {
    /// Columns to compare (default: every column both tables have).
    pub columns: Option<Vec<String>>,
    /// Columns to leave out.
    pub exclude: Vec<String>,
    /// A method for every column (`None`: auto).
    pub method: Option<Method>,
    /// A method for numeric columns.
    pub numeric_method: Option<Method>,
    /// A method for categorical columns.
    pub categorical_method: Option<Method>,
    /// Methods for named columns.
    pub column_methods: BTreeMap<String, Method>,
    /// A threshold for every column (default: the method's).
    pub threshold: Option<f64>,
    /// Correction across p-value methods.
    pub correction: Correction,
    /// Share of drifted columns at which the dataset drifts (default 0.5).
    pub dataset_threshold: Option<f64>,
    /// Bins for histogram methods on numeric columns (default 10).
    pub bins: Option<usize>,
    /// Streaming mode: numeric columns are summarised by KLL sketches of this `k` instead of
    /// kept in memory (`None`: exact).
    pub sketch: Option<u16>,
}

/// A category's share, for new and vanished categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryShare {
    /// The category.
    pub value: String,
    /// Its share of the table where it occurs.
    pub share: f64,
}

/// One column's drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub name: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// The method used.
    pub method: Method,
    /// Why this method: `auto`, `global`, `numeric`, `categorical` or `column`.
    pub method_source: String,
    /// The statistic (the distance itself for distance methods).
    pub statistic: Option<f64>,
    /// The p-value (null for distances).
    pub p_value: Option<f64>,
    /// The p-value after the correction across columns.
    pub p_value_adjusted: Option<f64>,
    /// The threshold applied.
    pub threshold: f64,
    /// Whether the column drifted.
    pub drifted: bool,
    /// Whether the statistic is exact (false in sketch mode for numeric columns).
    pub exact: bool,
    /// Bound on the statistic's error when it is approximate and a bound is known (KS:
    /// `|D̂ − D|`, with probability ≥ 98 %; histogram methods: per-bin share error).
    pub error_bound: Option<f64>,
    /// Whether the column could be assessed (false when a table has no values for it or the
    /// method is undefined for its data; `warnings` says why).
    pub assessed: bool,
    /// Effect sizes whatever the method (e.g. `wasserstein_normed`, `psi`, `jensenshannon`,
    /// `mean_reference`, `mean_current`, `tvd`, `cramers_v`).
    pub effects: BTreeMap<String, f64>,
    /// Non-null values compared from the reference.
    pub reference_count: u64,
    /// Non-null values compared from the current table.
    pub current_count: u64,
    /// Null (and NaN) share of the reference.
    pub reference_null_share: f64,
    /// Null (and NaN) share of the current table.
    pub current_null_share: f64,
    /// `current_null_share − reference_null_share`.
    pub null_share_change: f64,
    /// Categories of the current table absent from the reference, with their current share.
    pub new_categories: Vec<CategoryShare>,
    /// Categories of the reference absent from the current table, with their reference share.
    pub vanished_categories: Vec<CategoryShare>,
    /// Things the reader should know (nulls left out, constant column, infinite values, …).
    pub warnings: Vec<String>,
    /// The counts the histogram methods compared (bins at the reference's deciles, or the
    /// categories; at most [`MAX_HISTOGRAM_BARS`], the rest summed as `(other)`), for charts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<HistogramCounts>,
}

/// Most bars a column's [`HistogramCounts`] keeps.
pub const MAX_HISTOGRAM_BARS: usize = 30;

/// Reference and current counts over shared bins or categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramCounts {
    /// Bin or category labels.
    pub labels: Vec<String>,
    /// Reference counts.
    pub reference: Vec<u64>,
    /// Current counts.
    pub current: Vec<u64>,
}

impl HistogramCounts {
    fn of(h: &Histogram) -> Option<HistogramCounts> {
        if h.labels.is_empty() {
            return None;
        }
        if h.labels.len() <= MAX_HISTOGRAM_BARS {
            return Some(HistogramCounts {
                labels: h.labels.clone(),
                reference: h.reference.clone(),
                current: h.current.clone(),
            });
        }
        // The most frequent categories (both tables together), the rest as `(other)`.
        let mut order: Vec<usize> = (0..h.labels.len()).collect();
        order.sort_by(|&a, &b| {
            (h.reference[b] + h.current[b])
                .cmp(&(h.reference[a] + h.current[a]))
                .then(h.labels[a].cmp(&h.labels[b]))
        });
        let keep = &order[..MAX_HISTOGRAM_BARS - 1];
        let rest = &order[MAX_HISTOGRAM_BARS - 1..];
        let mut out = HistogramCounts {
            labels: keep.iter().map(|&i| h.labels[i].clone()).collect(),
            reference: keep.iter().map(|&i| h.reference[i]).collect(),
            current: keep.iter().map(|&i| h.current[i]).collect(),
        };
        out.labels.push("(other)".into());
        out.reference
            .push(rest.iter().map(|&i| h.reference[i]).sum());
        out.current.push(rest.iter().map(|&i| h.current[i]).sum());
        Some(out)
    }
}

/// Dataset-level drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetDrift {
    /// Columns assessed.
    pub columns: usize,
    /// Columns that drifted.
    pub drifted_columns: usize,
    /// Their share.
    pub share: f64,
    /// The threshold on the share.
    pub threshold: f64,
    /// Whether the dataset drifted.
    pub drift: bool,
    /// The correction applied to p-values.
    pub correction: Correction,
}

/// The drift report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// fairgauge's version.
    pub tool_version: String,
    /// Reference table.
    pub reference: TableInfo,
    /// Current table.
    pub current: TableInfo,
    /// Per column, in table order.
    pub columns: Vec<ColumnDrift>,
    /// The dataset verdict.
    pub dataset: DatasetDrift,
    /// Columns not assessed, with the reason.
    pub skipped: BTreeMap<String, String>,
    /// Fairness drift, when label and sensitive roles are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fairness: Option<FairnessDrift>,
}

/// A table's path and size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: String,
    /// Rows read.
    pub rows: u64,
}

/// Accumulated values of one column in one table.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct ColumnAcc {
    values: Vec<f64>,
    sketch: Option<SketchAcc>,
    counts: FxHashMap<String, u64>,
    nulls: u64,
    nan: u64,
    inf: u64,
}

/// A numeric column in sketch mode: a KLL sketch, exact moments (Welford) and the first few
/// distinct values (enough for the auto rule's "more than 5").
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SketchAcc {
    sketch: KllSketch,
    n: u64,
    mean: f64,
    m2: f64,
    distinct: Vec<f64>,
}

impl SketchAcc {
    fn new(k: u16) -> Result<Self> {
        Ok(SketchAcc {
            sketch: KllSketch::new(k)?,
            n: 0,
            mean: 0.0,
            m2: 0.0,
            distinct: vec![],
        })
    }
    fn push(&mut self, x: f64) {
        // x is finite (checked by the caller), so the sketch accepts it.
        let _ = self.sketch.update(x);
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
        if self.distinct.len() < 6 && !self.distinct.contains(&x) {
            self.distinct.push(x);
        }
    }
    /// Adds another part's sketch and moments (Chan et al.'s parallel update of the mean and
    /// the sum of squared deviations).
    fn merge(&mut self, o: &SketchAcc) -> Result<()> {
        self.sketch.merge(&o.sketch)?;
        if o.n > 0 {
            let n = self.n + o.n;
            let d = o.mean - self.mean;
            self.mean += d * o.n as f64 / n as f64;
            self.m2 += o.m2 + d * d * self.n as f64 * o.n as f64 / n as f64;
            self.n = n;
        }
        for &x in &o.distinct {
            if self.distinct.len() < 6 && !self.distinct.contains(&x) {
                self.distinct.push(x);
            }
        }
        Ok(())
    }
    fn sd(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.m2 / self.n as f64).sqrt()
        }
    }
}

struct AccVisitor<'a> {
    acc: &'a mut ColumnAcc,
    rules: &'a TextRules,
}

impl Visit for AccVisitor<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        match v.and_then(|s| self.rules.apply(s)) {
            None => self.acc.nulls += 1,
            Some(s) => match self.acc.counts.get_mut(s) {
                Some(c) => *c += 1,
                None => {
                    self.acc.counts.insert(s.to_string(), 1);
                }
            },
        }
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        match v {
            None => self.acc.nulls += 1,
            Some(x) if x.is_nan() => self.acc.nan += 1,
            Some(x) if x.is_infinite() => self.acc.inf += 1,
            Some(x) => match &mut self.acc.sketch {
                Some(sk) => sk.push(x),
                None => self.acc.values.push(x),
            },
        }
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        self.text(row, v.map(|b| if b { "true" } else { "false" }));
    }
    fn numbers(&mut self, _first_row: usize, values: &[f64]) {
        if self.acc.sketch.is_none() && values.iter().all(|x| x.is_finite()) {
            self.acc.values.extend_from_slice(values);
        } else {
            for &x in values {
                self.number(0, Some(x));
            }
        }
    }
}

fn read_columns(
    table: &Table,
    kinds: &[(String, ColumnKind, String)],
    columns: &[String],
    sketch: Option<u16>,
) -> Result<(Vec<ColumnAcc>, u64)> {
    let rules: Vec<TextRules> = columns.iter().map(|c| table.text_rules(c)).collect();
    let mut accs: Vec<ColumnAcc> = Vec::with_capacity(columns.len());
    let hint = row_count_hint(table).unwrap_or(0);
    for c in columns {
        let numeric = kinds
            .iter()
            .any(|k| &k.0 == c && k.1 == ColumnKind::Numeric);
        accs.push(ColumnAcc {
            sketch: sketch.map(SketchAcc::new).transpose()?,
            // Exact numeric columns keep every value: size the buffer once when the file says
            // how many rows it has.
            values: if numeric && sketch.is_none() {
                Vec::with_capacity(hint)
            } else {
                Vec::new()
            },
            ..Default::default()
        });
    }
    let mut rows = 0u64;
    let blank = for_each_batch(table, columns, |batch, _| {
        rows += batch.len() as u64;
        accs.par_iter_mut()
            .zip(columns.par_iter().zip(rules.par_iter()))
            .try_for_each(|(acc, (c, r))| batch.visit(c, &mut AccVisitor { acc, rules: r }))
            .map_err(|message| Error::Read {
                path: table.path.clone(),
                message,
            })
    })?;
    // polars reads each blank CSV line as a row of nulls: take them back out.
    rows = rows.saturating_sub(blank);
    for a in accs.iter_mut() {
        a.nulls = a.nulls.saturating_sub(blank);
    }
    Ok((accs, rows))
}

/// A column's data once both tables are read: values (numeric) or counts (categorical).
enum Sample {
    Numeric(Vec<f64>),
    Sketched(Box<SketchAcc>),
    Categorical(BTreeMap<String, u64>),
}

/// Turns a text column whose every value parses as a finite number into numbers.
fn settle(acc: ColumnAcc, numeric_kind: bool, force_text: bool) -> (Sample, u64, u64) {
    let nulls = acc.nulls + acc.nan;
    if force_text {
        // `--dtype COL=str`: compare as categories whatever the values look like.
        let mut counts: BTreeMap<String, u64> = acc.counts.into_iter().collect();
        for v in acc.values {
            *counts
                .entry(canonical_number(v).unwrap_or_default())
                .or_insert(0) += 1;
        }
        return (Sample::Categorical(counts), nulls, acc.inf);
    }
    if numeric_kind {
        return match acc.sketch {
            Some(sk) => (Sample::Sketched(Box::new(sk)), nulls, acc.inf),
            None => (Sample::Numeric(acc.values), nulls, acc.inf),
        };
    }
    let parsed: Option<Vec<(f64, u64)>> = acc
        .counts
        .iter()
        .map(|(k, &c)| {
            k.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(|x| (x, c))
        })
        .collect();
    match (parsed, acc.sketch) {
        (Some(mut p), Some(mut sk)) if !p.is_empty() => {
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (x, c) in p {
                for _ in 0..c {
                    sk.push(x);
                }
            }
            (Sample::Sketched(Box::new(sk)), nulls, acc.inf)
        }
        (Some(p), None) if !p.is_empty() => {
            let mut v = Vec::with_capacity(p.iter().map(|x| x.1 as usize).sum());
            for (x, c) in p {
                v.extend(std::iter::repeat_n(x, c as usize));
            }
            (Sample::Numeric(v), nulls, acc.inf)
        }
        _ => (
            Sample::Categorical(acc.counts.into_iter().collect()),
            nulls,
            acc.inf,
        ),
    }
}

/// A sample as category counts (numbers spelt canonically).
fn as_categories(s: Sample) -> Sample {
    match s {
        // Not reached: the caller refuses mixed types in sketch mode.
        Sample::Sketched(_) => Sample::Categorical(BTreeMap::new()),
        Sample::Numeric(v) => {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for x in v {
                *counts
                    .entry(canonical_number(x).unwrap_or_default())
                    .or_insert(0) += 1;
            }
            Sample::Categorical(counts)
        }
        c => c,
    }
}

/// Distinct values of the union of two sorted samples, in order, stopping after `cap` of them
/// (a linear merge; no copy of the samples).
fn union_distinct(a: &[f64], b: &[f64], cap: usize) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while (i < a.len() || j < b.len()) && out.len() < cap {
        let x = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if out.last() != Some(&x) {
            out.push(x);
        }
    }
    out
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    (m, var.sqrt())
}

/// Counts of the two samples over shared categories (or bins), in a fixed order.
#[derive(Debug, Default)]
struct Histogram {
    labels: Vec<String>,
    reference: Vec<u64>,
    current: Vec<u64>,
}

fn histogram(
    reference: &Sample,
    current: &Sample,
    bins: usize,
) -> std::result::Result<Histogram, String> {
    let (labels, reference, current) = match (reference, current) {
        (Sample::Categorical(r), Sample::Categorical(c)) => {
            let keys: BTreeSet<&String> = r.keys().chain(c.keys()).collect();
            let labels: Vec<String> = keys.iter().map(|k| (*k).clone()).collect();
            let rc = keys
                .iter()
                .map(|k| r.get(*k).copied().unwrap_or(0))
                .collect();
            let cc = keys
                .iter()
                .map(|k| c.get(*k).copied().unwrap_or(0))
                .collect();
            (labels, rc, cc)
        }
        (Sample::Numeric(r), Sample::Numeric(c)) => {
            let distinct = union_distinct(r, c, bins + 1);
            if distinct.len() <= bins {
                let labels = distinct
                    .iter()
                    .map(|x| canonical_number(*x).unwrap_or_default())
                    .collect();
                let count = |v: &[f64]| -> Vec<u64> {
                    distinct
                        .iter()
                        .map(|d| {
                            let lo = v.partition_point(|x| x < d);
                            let hi = v.partition_point(|x| x <= d);
                            (hi - lo) as u64
                        })
                        .collect()
                };
                (labels, count(r), count(c))
            } else {
                let edges = cat::quantile_bin_edges(r, bins).map_err(|e| e.to_string())?;
                let labels = (0..=edges.len())
                    .map(
                        |i| match (i.checked_sub(1).map(|j| edges[j]), edges.get(i)) {
                            (None, Some(hi)) => format!("(-inf, {hi}]"),
                            (Some(lo), Some(hi)) => format!("({lo}, {hi}]"),
                            (Some(lo), None) => format!("({lo}, inf)"),
                            (None, None) => "(-inf, inf)".into(),
                        },
                    )
                    .collect();
                (
                    labels,
                    cat::bin_counts(r, &edges).map_err(|e| e.to_string())?,
                    cat::bin_counts(c, &edges).map_err(|e| e.to_string())?,
                )
            }
        }
        (Sample::Sketched(r), Sample::Sketched(c)) => {
            // Bins at the reference sketch's quantiles; counts from each sketch's CDF.
            let mut edges: Vec<f64> = (1..bins)
                .filter_map(|i| r.sketch.quantile(i as f64 / bins as f64))
                .collect();
            edges.dedup();
            let counts = |s: &SketchAcc| -> Vec<u64> {
                let cdf = s.sketch.cdf(&edges);
                let mut prev = 0.0;
                let mut out = Vec::with_capacity(edges.len() + 1);
                for f in cdf.iter().copied().chain(std::iter::once(1.0)) {
                    out.push(((f - prev).max(0.0) * s.n as f64).round() as u64);
                    prev = f;
                }
                out
            };
            let labels = (0..=edges.len()).map(|i| format!("bin {i}")).collect();
            (labels, counts(r), counts(c))
        }
        _ => (vec![], vec![], vec![]),
    };
    Ok(Histogram {
        labels,
        reference,
        current,
    })
}

/// Auto method choice (Evidently's `get_default_stattest`).
fn auto_method(numeric: bool, n_reference: u64, n_unique: usize) -> Method {
    match (n_reference <= 1000, numeric && n_unique > 5) {
        (true, true) => Method::Ks,
        (true, false) => {
            if n_unique > 2 {
                Method::Chisquare
            } else {
                Method::Ztest
            }
        }
        (false, true) => Method::Wasserstein,
        (false, false) => Method::Jensenshannon,
    }
}

struct Computed {
    statistic: Option<f64>,
    p_value: Option<f64>,
    warnings: Vec<String>,
}

fn compute(
    method: Method,
    r: &Sample,
    c: &Sample,
    hist: &std::result::Result<Histogram, String>,
) -> std::result::Result<Computed, String> {
    let e = |x: fairgauge_core::Error| x.to_string();
    let mut warnings = vec![];
    if let (Sample::Sketched(a), Sample::Sketched(b)) = (r, c) {
        if method.needs_values() {
            return match method {
                Method::Ks => {
                    let t =
                        fairgauge_core::drift::ks_from_sketches(&a.sketch, &b.sketch).map_err(e)?;
                    warnings.push(format!(
                        "approximate (KLL sketches): |D - D_exact| <= {:.4}; the p-value is the upper end of its range",
                        t.error_bound
                    ));
                    Ok(Computed {
                        statistic: Some(t.statistic),
                        p_value: Some(t.approx_p_value_range[1]),
                        warnings,
                    })
                }
                Method::Wasserstein => {
                    let w = fairgauge_core::drift::wasserstein_from_sketches(&a.sketch, &b.sketch)
                        .map_err(e)?;
                    let sd = a.sd();
                    warnings.push(
                        "approximate (KLL sketches); no error bound is known for Wasserstein"
                            .into(),
                    );
                    Ok(Computed {
                        statistic: Some(if sd > 0.0 { w / sd } else { w }),
                        p_value: None,
                        warnings,
                    })
                }
                m => Err(format!(
                    "method {} needs every value; run without --sketch",
                    m.name()
                )),
            };
        }
    }
    if method.needs_values() {
        let (Sample::Numeric(a), Sample::Numeric(b)) = (r, c) else {
            return Err(format!("method {} needs a numeric column", method.name()));
        };
        let (statistic, p_value) = match method {
            Method::Ks => {
                let t = num::ks_2samp(a, b).map_err(e)?;
                (Some(t.statistic), t.p_value)
            }
            Method::Wasserstein => {
                // Samples come from `sort_finite`, so the unvalidated merge is safe here.
                let w = num::wasserstein_presorted(a, b);
                let (_, sd) = mean_std(a);
                if sd > 0.0 {
                    (Some(w / sd), None)
                } else {
                    warnings.push(
                        "the reference is constant, so normed Wasserstein is undefined; the raw distance is reported"
                            .to_string(),
                    );
                    (Some(w), None)
                }
            }
            Method::Energy => {
                let (_, sd) = mean_std(a);
                let d = num::energy_distance(a, b).map_err(e)?;
                if sd > 0.0 {
                    (Some(d / sd), None)
                } else {
                    warnings.push(
                        "the reference is constant; the raw energy distance is reported".into(),
                    );
                    (Some(d), None)
                }
            }
            Method::Anderson => {
                let t = num::anderson_ksamp(&[a.as_slice(), b.as_slice()]).map_err(e)?;
                (Some(t.statistic), Some(t.p_value))
            }
            Method::CramerVonMises => {
                let t = num::cramervonmises_2samp(a, b).map_err(e)?;
                (Some(t.statistic), t.p_value)
            }
            Method::Mannwhitney => {
                let t = num::mann_whitney_u(a, b).map_err(e)?;
                (Some(t.statistic), t.p_value)
            }
            Method::Ttest => {
                let t = num::welch_t_test(a, b).map_err(e)?;
                (Some(t.statistic), t.p_value)
            }
            _ => return Err(format!("method {} is not a numeric test", method.name())),
        };
        return Ok(Computed {
            statistic,
            p_value,
            warnings,
        });
    }
    let h = hist.as_ref().map_err(|e| e.clone())?;
    let (labels, rc, cc) = (&h.labels, h.reference.as_slice(), h.current.as_slice());
    let (statistic, p_value) = match method {
        Method::Psi => (Some(cat::psi(rc, cc).map_err(e)?), None),
        Method::Jensenshannon => (Some(cat::jensen_shannon(rc, cc).map_err(e)?), None),
        Method::Hellinger => (Some(cat::hellinger(rc, cc).map_err(e)?), None),
        Method::Kl => (Some(cat::kl_divergence(rc, cc).map_err(e)?), None),
        Method::Tvd => (Some(cat::total_variation(rc, cc).map_err(e)?), None),
        Method::Linf => (Some(cat::l_infinity(rc, cc).map_err(e)?), None),
        Method::Chisquare | Method::Gtest => {
            let t = if method == Method::Chisquare {
                cat::chi_square_2xk(rc, cc)
            } else {
                cat::g_test_2xk(rc, cc)
            }
            .map_err(e)?;
            match t {
                Some(t) => (Some(t.statistic), t.p_value),
                None => {
                    warnings.push("a single category in both tables: nothing to test".into());
                    (Some(0.0), Some(1.0))
                }
            }
        }
        Method::Fisher | Method::Ztest => {
            let present: Vec<usize> = (0..labels.len()).filter(|&i| rc[i] + cc[i] > 0).collect();
            if present.len() > 2 {
                return Err(format!(
                    "method {} compares two categories; the column has {}",
                    method.name(),
                    present.len()
                ));
            }
            let k = present.first().copied().unwrap_or(0);
            let (x1, n1) = (rc.get(k).copied().unwrap_or(0), rc.iter().sum::<u64>());
            let (x2, n2) = (cc.get(k).copied().unwrap_or(0), cc.iter().sum::<u64>());
            if method == Method::Fisher {
                let t = fairgauge_core::stats::fisher_exact_two_sided(x1, n1 - x1, x2, n2 - x2);
                (t.statistic, Some(t.p_value))
            } else {
                match fairgauge_core::stats::two_proportion_z_test(x1, n1, x2, n2) {
                    Some(t) => (t.statistic, Some(t.p_value)),
                    None => (None, None),
                }
            }
        }
        _ => {
            return Err(format!(
                "method {} is not a histogram method",
                method.name()
            ))
        }
    };
    Ok(Computed {
        statistic,
        p_value,
        warnings,
    })
}

fn effects(
    r: &Sample,
    c: &Sample,
    hist: &std::result::Result<Histogram, String>,
    normed_wasserstein: Option<f64>,
) -> BTreeMap<String, f64> {
    let mut e = BTreeMap::new();
    if let (Sample::Numeric(a), Sample::Numeric(b)) = (r, c) {
        let (ma, sa) = mean_std(a);
        let (mb, sb) = mean_std(b);
        e.insert("mean_reference".into(), ma);
        e.insert("mean_current".into(), mb);
        e.insert("std_reference".into(), sa);
        e.insert("std_current".into(), sb);
        // Wasserstein-1 raw and normed by the reference's std (Evidently); the statistic is
        // reused when the method was normed Wasserstein. Samples here are sorted and finite.
        let raw = num::wasserstein_presorted(a, b);
        e.insert("wasserstein".into(), raw);
        if sa > 0.0 {
            e.insert(
                "wasserstein_normed".into(),
                normed_wasserstein.unwrap_or(raw / sa),
            );
        }
    }
    if let (Sample::Sketched(a), Sample::Sketched(b)) = (r, c) {
        e.insert("mean_reference".into(), a.mean);
        e.insert("mean_current".into(), b.mean);
        e.insert("std_reference".into(), a.sd());
        e.insert("std_current".into(), b.sd());
    }
    if let Ok(h) = hist {
        let (rc, cc) = (&h.reference, &h.current);
        if !rc.is_empty() {
            let mut put = |k: &str, v: fairgauge_core::Result<f64>| {
                if let Ok(v) = v {
                    e.insert(k.to_string(), v);
                }
            };
            put("psi", cat::psi(rc, cc));
            put("jensenshannon", cat::jensen_shannon(rc, cc));
            put("tvd", cat::total_variation(rc, cc));
            if let Ok(Some(v)) = cat::cramers_v(rc, cc) {
                e.insert("cramers_v".into(), v);
            }
        }
    }
    e
}

/// Compares `current` against `reference`.
pub fn run_drift(reference: &Table, current: &Table, spec: &DriftSpec) -> Result<DriftReport> {
    let plan = plan_drift(reference, current, spec)?;
    let r = drift_part(reference, &plan, Side::Reference)?;
    let c = drift_part(current, &plan, Side::Current)?;
    finish_drift(reference, current, &plan, r, c, spec)
}

/// Which table of a comparison a [`DriftPart`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// The reference table.
    Reference,
    /// The current table.
    Current,
}

/// What a drift comparison reads: the columns both tables have (by the schemas alone), with
/// each table's column kinds and the columns left out with the reason. Planned once, from the
/// schemas, so that every part of a table is read alike.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriftPlan {
    rk: Vec<(String, ColumnKind, String)>,
    ck: Vec<(String, ColumnKind, String)>,
    columns: Vec<String>,
    skipped: BTreeMap<String, String>,
    sketch: Option<u16>,
}

impl DriftPlan {
    /// The columns compared.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
}

/// The accumulated values of the planned columns over part of one table (a Spark partition, a
/// shard): counts for categories, and for numbers either every value (exact mode: the part is
/// as large as its numeric cells) or a KLL sketch with moments (`sketch`: sized by `k`).
/// Parts of a table merge in any order ([`DriftPart::merge`]) except that exact values keep
/// their order: merge parts in row order for bit-identical sums.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriftPart {
    side: Side,
    accs: Vec<ColumnAcc>,
    rows: u64,
}

impl DriftPart {
    /// The part of no rows.
    pub fn empty(plan: &DriftPlan, side: Side) -> Result<DriftPart> {
        Ok(DriftPart {
            side,
            accs: plan
                .columns
                .iter()
                .map(|_| {
                    Ok(ColumnAcc {
                        sketch: plan.sketch.map(SketchAcc::new).transpose()?,
                        ..Default::default()
                    })
                })
                .collect::<Result<_>>()?,
            rows: 0,
        })
    }

    /// Adds the next part of the same table.
    pub fn merge(&mut self, o: DriftPart) -> Result<()> {
        if o.side != self.side || o.accs.len() != self.accs.len() {
            return Err(Error::InvalidOption(
                "drift parts of different tables or plans cannot be merged".into(),
            ));
        }
        self.rows += o.rows;
        for (a, b) in self.accs.iter_mut().zip(o.accs) {
            a.values.extend_from_slice(&b.values);
            match (&mut a.sketch, &b.sketch) {
                (Some(x), Some(y)) => x.merge(y)?,
                (None, None) => {}
                _ => {
                    return Err(Error::InvalidOption(
                        "a sketched and an exact drift part cannot be merged".into(),
                    ))
                }
            }
            for (k, c) in b.counts {
                *a.counts.entry(k).or_insert(0) += c;
            }
            a.nulls += b.nulls;
            a.nan += b.nan;
            a.inf += b.inf;
        }
        Ok(())
    }

    /// The compact binary form ([`fairgauge_core::state_codec`], kind `DriftPart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(fairgauge_core::state_codec::StateKind::DriftPart, self)
    }

    /// Reads an encoded part.
    pub fn decode(bytes: &[u8]) -> Result<DriftPart> {
        crate::io::part_codec::decode(
            fairgauge_core::state_codec::StateKind::DriftPart,
            bytes,
            "a drift part",
        )
    }
}

/// Plans a comparison from the two tables' schemas (no rows are read).
pub fn plan_drift(reference: &Table, current: &Table, spec: &DriftSpec) -> Result<DriftPlan> {
    let bins = spec.bins.unwrap_or(10);
    if bins < 2 {
        return Err(Error::InvalidOption(format!(
            "--bins must be at least 2, given {bins}"
        )));
    }
    let dataset_threshold = spec.dataset_threshold.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&dataset_threshold) {
        return Err(Error::InvalidOption(format!(
            "the dataset threshold is a share in [0, 1], given {dataset_threshold}"
        )));
    }
    if let Some(t) = spec.threshold {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Error::InvalidOption(format!(
                "the threshold must be a non-negative number, given {t}"
            )));
        }
    }
    let rk = column_kinds(reference)?;
    let ck = column_kinds(current)?;
    let mut skipped = BTreeMap::new();
    let names: Vec<String> = match &spec.columns {
        Some(cols) => {
            for c in cols {
                for (t, kinds) in [(reference, &rk), (current, &ck)] {
                    if !kinds.iter().any(|k| &k.0 == c) {
                        return Err(Error::ColumnNotFound {
                            path: t.path.clone(),
                            column: c.clone(),
                            available: kinds
                                .iter()
                                .map(|k| k.0.clone())
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                }
            }
            cols.clone()
        }
        None => {
            for (name, _, _) in &rk {
                if !ck.iter().any(|k| &k.0 == name) {
                    skipped.insert(
                        name.clone(),
                        format!("missing from the current table {}", current.path.display()),
                    );
                }
            }
            for (name, _, _) in &ck {
                if !rk.iter().any(|k| &k.0 == name) {
                    skipped.insert(
                        name.clone(),
                        format!(
                            "missing from the reference table {}",
                            reference.path.display()
                        ),
                    );
                }
            }
            rk.iter()
                .filter(|k| ck.iter().any(|c| c.0 == k.0))
                .map(|k| k.0.clone())
                .collect()
        }
    };
    for e in &spec.exclude {
        if !rk.iter().any(|k| &k.0 == e) && !ck.iter().any(|k| &k.0 == e) {
            return Err(Error::InvalidOption(format!(
                "--exclude `{e}`: no such column in either table"
            )));
        }
    }
    for c in spec.column_methods.keys() {
        if !names.contains(c) {
            return Err(Error::InvalidOption(format!(
                "--column-method for `{c}`, which is not compared"
            )));
        }
    }
    let mut columns: Vec<String> = vec![];
    for n in names {
        if spec.exclude.contains(&n) {
            continue;
        }
        let kr = rk.iter().find(|k| k.0 == n).map(|k| (k.1, k.2.clone()));
        let kc = ck.iter().find(|k| k.0 == n).map(|k| (k.1, k.2.clone()));
        if let (Some((ColumnKind::Other, t)), _) | (_, Some((ColumnKind::Other, t))) = (&kr, &kc) {
            skipped.insert(
                n.clone(),
                format!("type {t} is not compared (numbers, text and booleans are)"),
            );
            continue;
        }
        columns.push(n);
    }
    if columns.is_empty() {
        return Err(Error::InvalidOption("no column to compare".into()));
    }
    Ok(DriftPlan {
        rk,
        ck,
        columns,
        skipped,
        sketch: spec.sketch,
    })
}

/// Reads the planned columns of `table` (all of one side, or a part of it).
pub fn drift_part(table: &Table, plan: &DriftPlan, side: Side) -> Result<DriftPart> {
    let kinds = match side {
        Side::Reference => &plan.rk,
        Side::Current => &plan.ck,
    };
    let (accs, rows) = read_columns(table, kinds, &plan.columns, plan.sketch)?;
    Ok(DriftPart { side, accs, rows })
}

/// Compares the two sides' merged parts; `reference` and `current` name the tables in the
/// report (their rows are not read).
pub fn finish_drift(
    reference: &Table,
    current: &Table,
    plan: &DriftPlan,
    r: DriftPart,
    c: DriftPart,
    spec: &DriftSpec,
) -> Result<DriftReport> {
    let bins = spec.bins.unwrap_or(10);
    let dataset_threshold = spec.dataset_threshold.unwrap_or(0.5);
    if r.side != Side::Reference || c.side != Side::Current {
        return Err(Error::InvalidOption(
            "finish_drift takes the reference's part, then the current's".into(),
        ));
    }
    let (rk, ck, columns, skipped) = (&plan.rk, &plan.ck, &plan.columns, plan.skipped.clone());
    let (racc, rrows, cacc, crows) = (r.accs, r.rows, c.accs, c.rows);
    for (t, rows) in [(reference, rrows), (current, crows)] {
        if rows == 0 {
            return Err(Error::Format {
                path: t.path.clone(),
                message: "the table has no data rows".into(),
            });
        }
    }
    let jobs: Vec<(String, ColumnAcc, ColumnAcc)> = columns
        .iter()
        .cloned()
        .zip(racc.into_iter().zip(cacc))
        .map(|(n, (a, b))| (n, a, b))
        .collect();
    let results: Vec<Result<ColumnDrift>> = jobs
        .into_par_iter()
        .map(|(name, ra, ca)| {
            let kind_of = |kinds: &[(String, ColumnKind, String)]| {
                kinds.iter().find(|k| k.0 == name).map(|k| (k.1, k.2.clone())).unwrap_or((ColumnKind::Text, String::new()))
            };
            let (kr, tr) = kind_of(rk);
            let (kc, tc) = kind_of(ck);
            let text_r = reference.resolved.dtypes.get(&name) == Some(&crate::io::source::ColumnType::Str);
            let text_c = current.resolved.dtypes.get(&name) == Some(&crate::io::source::ColumnType::Str);
            let (rs, rnull, rinf) = settle(ra, kr == ColumnKind::Numeric, text_r);
            let (cs, cnull, cinf) = settle(ca, kc == ColumnKind::Numeric, text_c);
            let mut note = None;
            let (rs, cs) = match (rs, cs) {
                (Sample::Numeric(a), Sample::Categorical(b)) if b.is_empty() => (Sample::Numeric(a), Sample::Numeric(vec![])),
                (Sample::Categorical(a), Sample::Numeric(b)) if a.is_empty() => (Sample::Numeric(vec![]), Sample::Numeric(b)),
                (a @ Sample::Numeric(_), b @ Sample::Categorical(_)) | (a @ Sample::Categorical(_), b @ Sample::Numeric(_)) => {
                    // One table holds numbers, the other text: compare both as categories and say so.
                    note = Some(format!(
                        "numeric in one table and text in the other ({}: {}; {}: {}); compared as categories",
                        reference.path.display(),
                        if matches!(a, Sample::Numeric(_)) { format!("numbers ({tr})") } else { format!("text ({tr})") },
                        current.path.display(),
                        if matches!(b, Sample::Numeric(_)) { format!("numbers ({tc})") } else { format!("text ({tc})") },
                    ));
                    if matches!(a, Sample::Sketched(_)) || matches!(b, Sample::Sketched(_)) {
                        return Err(Error::InvalidOption(format!(
                            "column `{name}` is numeric in one table and text in the other ({tr}; {tc}); --sketch keeps no values to compare them as categories: run without --sketch or pass --dtype {name}=str"
                        )));
                    }
                    (as_categories(a), as_categories(b))
                }
                other => other,
            };
            let mut col = finish_column(&name, rs, cs, (rnull, rinf, rrows), (cnull, cinf, crows), spec, bins)?;
            if let Some(n) = note {
                col.warnings.insert(0, n);
            }
            Ok(col)
        })
        .collect();
    let mut out = vec![];
    for r in results {
        out.push(r?);
    }
    // Correction across the p-value methods, then the verdicts.
    let idx: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].p_value.is_some())
        .collect();
    let ps: Vec<f64> = idx.iter().filter_map(|&i| out[i].p_value).collect();
    let adjusted = match spec.correction {
        Correction::Bh => correction::benjamini_hochberg(&ps)?,
        Correction::Bonferroni => correction::bonferroni(&ps)?,
        Correction::None => ps.clone(),
    };
    for (&i, a) in idx.iter().zip(adjusted) {
        out[i].p_value_adjusted = Some(a);
    }
    for c in out.iter_mut() {
        if !c.assessed {
            c.drifted = false;
            continue;
        }
        c.drifted = if c.method.is_test() {
            c.p_value_adjusted.is_some_and(|p| p < c.threshold)
        } else {
            c.statistic.is_some_and(|s| s >= c.threshold)
        };
    }
    let assessed = out.iter().filter(|c| c.assessed).count();
    let drifted = out.iter().filter(|c| c.drifted).count();
    let share = if assessed > 0 {
        drifted as f64 / assessed as f64
    } else {
        0.0
    };
    Ok(DriftReport {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        reference: TableInfo {
            path: reference.path.clone(),
            format: reference.format_name(),
            rows: rrows,
        },
        current: TableInfo {
            path: current.path.clone(),
            format: current.format_name(),
            rows: crows,
        },
        columns: out,
        dataset: DatasetDrift {
            columns: assessed,
            drifted_columns: drifted,
            share,
            threshold: dataset_threshold,
            drift: assessed > 0 && share >= dataset_threshold,
            correction: spec.correction,
        },
        skipped,
        fairness: None,
    })
}

fn finish_column(
    name: &str,
    mut rs: Sample,
    mut cs: Sample,
    (rnull, rinf, rrows): (u64, u64, u64),
    (cnull, cinf, crows): (u64, u64, u64),
    spec: &DriftSpec,
    bins: usize,
) -> Result<ColumnDrift> {
    let numeric = matches!(rs, Sample::Numeric(_) | Sample::Sketched(_));
    if let (Sample::Numeric(a), Sample::Numeric(b)) = (&mut rs, &mut cs) {
        fairgauge_core::drift::sort_finite(a);
        fairgauge_core::drift::sort_finite(b);
    }
    let count = |s: &Sample| match s {
        Sample::Numeric(v) => v.len() as u64,
        Sample::Sketched(k) => k.n,
        Sample::Categorical(m) => m.values().sum(),
    };
    let (nr, nc) = (count(&rs), count(&cs));
    let n_unique = match (&rs, &cs) {
        // Only "more than 5" matters to the auto rule, so stop counting there.
        (Sample::Numeric(a), Sample::Numeric(b)) => union_distinct(a, b, 6).len(),
        (Sample::Sketched(a), Sample::Sketched(b)) => {
            let mut d: Vec<f64> = a.distinct.iter().chain(&b.distinct).copied().collect();
            d.sort_by(f64::total_cmp);
            d.dedup();
            d.len().min(6)
        }
        (Sample::Categorical(a), Sample::Categorical(b)) => {
            a.keys().chain(b.keys()).collect::<BTreeSet<_>>().len()
        }
        _ => 0,
    };
    let (method, source) = if let Some(m) = spec.column_methods.get(name) {
        (*m, "column")
    } else if let (true, Some(m)) = (numeric, spec.numeric_method) {
        (m, "numeric")
    } else if let (false, Some(m)) = (numeric, spec.categorical_method) {
        (m, "categorical")
    } else if let Some(m) = spec.method {
        (m, "global")
    } else {
        (auto_method(numeric, nr, n_unique), "auto")
    };
    if method.needs_values() && !numeric {
        return Err(Error::InvalidOption(format!(
            "method {} needs numbers, but column `{name}` is categorical ({source} choice); choose it with --numeric-method or pick a categorical method",
            method.name()
        )));
    }
    let mut warnings = vec![];
    let share = |n: u64, rows: u64| {
        if rows > 0 {
            n as f64 / rows as f64
        } else {
            0.0
        }
    };
    if rnull + cnull > 0 {
        warnings.push(format!(
            "{} null values in the reference and {} in the current table are left out of the comparison",
            rnull, cnull
        ));
    }
    if rinf + cinf > 0 {
        warnings.push(format!(
            "{} infinite values in the reference and {} in the current table are left out of the comparison",
            rinf, cinf
        ));
    }
    let mut out = ColumnDrift {
        name: name.to_string(),
        kind: if numeric { "numeric" } else { "categorical" }.into(),
        method,
        method_source: source.into(),
        statistic: None,
        p_value: None,
        p_value_adjusted: None,
        threshold: spec.threshold.unwrap_or(method.default_threshold()),
        drifted: false,
        exact: true,
        error_bound: None,
        assessed: true,
        effects: BTreeMap::new(),
        reference_count: nr,
        current_count: nc,
        reference_null_share: share(rnull, rrows),
        current_null_share: share(cnull, crows),
        null_share_change: share(cnull, crows) - share(rnull, rrows),
        new_categories: vec![],
        vanished_categories: vec![],
        warnings,
        histogram: None,
    };
    if nr == 0 || nc == 0 {
        out.assessed = false;
        out.warnings.push(format!(
            "no values to compare in the {} table (all null); the column is not assessed",
            if nr == 0 { "reference" } else { "current" }
        ));
        return Ok(out);
    }
    if n_unique == 1 {
        out.warnings
            .push("the column holds a single value in both tables".into());
    }
    if let (Sample::Categorical(r), Sample::Categorical(c)) = (&rs, &cs) {
        for (k, &v) in c {
            if !r.contains_key(k) {
                out.new_categories.push(CategoryShare {
                    value: k.clone(),
                    share: v as f64 / nc as f64,
                });
            }
        }
        for (k, &v) in r {
            if !c.contains_key(k) {
                out.vanished_categories.push(CategoryShare {
                    value: k.clone(),
                    share: v as f64 / nr as f64,
                });
            }
        }
    }
    let hist = histogram(&rs, &cs, bins);
    out.histogram = hist.as_ref().ok().and_then(HistogramCounts::of);
    let computed = match compute(method, &rs, &cs, &hist) {
        Ok(c) => c,
        Err(m) => {
            // The method is undefined for this column's data (e.g. Welch's t-test on constant
            // samples): say so and go on with the other columns.
            out.assessed = false;
            out.warnings.push(format!("not assessed: {m}"));
            out.effects = effects(&rs, &cs, &hist, None);
            return Ok(out);
        }
    };
    out.statistic = computed.statistic;
    out.p_value = computed.p_value;
    out.warnings.extend(computed.warnings);
    if let (Sample::Sketched(a), Sample::Sketched(b)) = (&rs, &cs) {
        if !(a.sketch.is_exact() && b.sketch.is_exact()) {
            let (ea, eb) = (a.sketch.rank_error_bound(), b.sketch.rank_error_bound());
            out.exact = false;
            out.error_bound = match method {
                Method::Ks => Some(ea + eb),
                Method::Wasserstein => None,
                _ => Some(2.0 * ea.max(eb)),
            };
        }
    }
    let normed = (method == Method::Wasserstein
        && out.warnings.iter().all(|w| !w.contains("constant")))
    .then_some(out.statistic)
    .flatten();
    out.effects = effects(&rs, &cs, &hist, normed);
    Ok(out)
}

/// The change of one summary fairness metric between the tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryChange {
    /// Attribute (or intersection).
    pub attribute: String,
    /// Summary metric (Fairlearn's name), e.g. `demographic_parity_difference`.
    pub metric: String,
    /// Its value in the reference.
    pub reference: Option<f64>,
    /// Its value in the current table.
    pub current: Option<f64>,
    /// `current − reference`.
    pub change: Option<f64>,
    /// The two groups (highest, lowest rate) that set the current value.
    pub groups: Option<[String; 2]>,
    /// Wald z statistic of the change of the gap between those two groups.
    pub z: Option<f64>,
    /// Its two-sided p-value.
    pub p_value: Option<f64>,
    /// Whether `p_value` is below 1 − confidence.
    pub significant: bool,
}

/// The change of one group's rate between the tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRateChange {
    /// Attribute (or intersection).
    pub attribute: String,
    /// Group.
    pub group: String,
    /// Rate (`selection_rate`, `tpr`, `fpr`, `base_rate`).
    pub metric: fairgauge_core::fairness::Metric,
    /// Reference value.
    pub reference: Option<f64>,
    /// Current value.
    pub current: Option<f64>,
    /// `current − reference`.
    pub change: Option<f64>,
    /// Newcombe interval of the change.
    pub change_ci: Option<[f64; 2]>,
    /// Two-sided p-value of equal rates (z-test, or Fisher's exact test below 5 expected).
    pub p_value: Option<f64>,
}

/// Fairness drift: how group rates and summary metrics moved between the tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessDrift {
    /// Summary metrics, per attribute.
    pub summaries: Vec<SummaryChange>,
    /// Group rates.
    pub groups: Vec<GroupRateChange>,
}

fn confusion_of(g: &fairgauge_core::fairness::GroupMetrics) -> fairgauge_core::fairness::Confusion {
    match (g.tp, g.fp, g.tn, g.fn_) {
        (Some(tp), Some(fp), Some(tn), Some(fn_)) => {
            fairgauge_core::fairness::Confusion { tp, fp, tn, fn_ }
        }
        _ => fairgauge_core::fairness::Confusion {
            tp: 0,
            fp: 0,
            tn: g.negatives,
            fn_: g.positives,
        },
    }
}

/// Compares the fairness of `current` with that of `reference`.
///
/// Per group and rate: the change with its Newcombe interval and a two-proportion test (as for
/// disparities). Per summary metric that is a gap between groups (Fairlearn's between-groups
/// difference): the change of the gap, tested with a Wald z-test on the gap between the two groups
/// that set the current value, `z = (d_cur − d_ref) / √Σ p(1−p)/n` over the four proportions.
pub fn fairness_drift(
    reference: &Table,
    current: &Table,
    spec: &crate::fairness::FairnessSpec,
    opts: &fairgauge_core::fairness::FairnessOptions,
) -> Result<FairnessDrift> {
    use fairgauge_core::fairness::Metric;
    use fairgauge_core::stats::{
        compare_proportions, newcombe_interval, normal_two_sided_p, z_critical,
    };
    let r = crate::fairness::run_fairness(reference, spec, opts, None)?.report;
    let c = crate::fairness::run_fairness(current, spec, opts, None)?.report;
    let z = z_critical(opts.confidence)?;
    let rates: Vec<Metric> = if c.mode == "classification" {
        vec![
            Metric::SelectionRate,
            Metric::Tpr,
            Metric::Fpr,
            Metric::BaseRate,
        ]
    } else {
        vec![Metric::BaseRate]
    };
    let mut out = FairnessDrift {
        summaries: vec![],
        groups: vec![],
    };
    let find = |rep: &fairgauge_core::fairness::FairnessReport, attr: &str, group: &str| {
        rep.groups
            .iter()
            .find(|g| g.attribute == attr && g.group == group)
            .map(confusion_of)
    };
    for g in &c.groups {
        let Some(rc) = find(&r, &g.attribute, &g.group) else {
            continue;
        };
        let cc = confusion_of(g);
        for &m in &rates {
            let (Some((x2, n2)), Some((x1, n1))) = (m.fraction(&rc), m.fraction(&cc)) else {
                continue;
            };
            let val = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
            let (pr, pc) = (val(x2, n2), val(x1, n1));
            let test =
                compare_proportions(x1, n1, x2, n2, opts.fisher_min_expected).map(|t| t.p_value);
            out.groups.push(GroupRateChange {
                attribute: g.attribute.clone(),
                group: g.group.clone(),
                metric: m,
                reference: pr,
                current: pc,
                change: pr.zip(pc).map(|(a, b)| b - a),
                change_ci: newcombe_interval(x1, n1, x2, n2, z),
                p_value: test,
            });
        }
    }
    let summaries: &[(&str, Metric)] = &[
        ("demographic_parity_difference", Metric::SelectionRate),
        ("equal_opportunity_difference", Metric::Tpr),
        ("false_positive_rate_difference", Metric::Fpr),
        ("base_rate_difference", Metric::BaseRate),
    ];
    for (attr, cs) in &c.summary {
        let Some(rs) = r.summary.get(attr) else {
            continue;
        };
        for &(name, m) in summaries {
            if !cs.metrics.contains_key(name) {
                continue;
            }
            let rv = rs.metrics.get(name).copied().flatten();
            let cv = cs.metrics.get(name).copied().flatten();
            let mut sc = SummaryChange {
                attribute: attr.clone(),
                metric: name.to_string(),
                reference: rv,
                current: cv,
                change: rv.zip(cv).map(|(a, b)| b - a),
                groups: None,
                z: None,
                p_value: None,
                significant: false,
            };
            // The two eligible groups with the highest and lowest current rate.
            let eligible: Vec<_> = c
                .groups
                .iter()
                .filter(|g| &g.attribute == attr && !g.insufficient_data)
                .filter_map(|g| g.metrics.get(&m).copied().flatten().map(|v| (v, g)))
                .collect();
            let hi = eligible.iter().max_by(|a, b| a.0.total_cmp(&b.0));
            let lo = eligible.iter().min_by(|a, b| a.0.total_cmp(&b.0));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                let frac = |rep: &fairgauge_core::fairness::FairnessReport, group: &str| {
                    find(rep, attr, group)
                        .and_then(|cf| m.fraction(&cf))
                        .filter(|f| f.1 > 0)
                };
                if let (Some(a), Some(b), Some(ra), Some(rb)) = (
                    frac(&c, &hi.1.group),
                    frac(&c, &lo.1.group),
                    frac(&r, &hi.1.group),
                    frac(&r, &lo.1.group),
                ) {
                    let p = |f: (u64, u64)| f.0 as f64 / f.1 as f64;
                    let v = |f: (u64, u64)| p(f) * (1.0 - p(f)) / f.1 as f64;
                    let delta = (p(a) - p(b)) - (p(ra) - p(rb));
                    let var = v(a) + v(b) + v(ra) + v(rb);
                    sc.groups = Some([hi.1.group.clone(), lo.1.group.clone()]);
                    if var > 0.0 {
                        let zz = delta / var.sqrt();
                        sc.z = Some(zz);
                        sc.p_value = Some(normal_two_sided_p(zz));
                        sc.significant = normal_two_sided_p(zz) < 1.0 - opts.confidence;
                    }
                }
            }
            out.summaries.push(sc);
        }
    }
    Ok(out)
}
