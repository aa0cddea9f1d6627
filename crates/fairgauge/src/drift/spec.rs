//! What a drift run is asked to do: the methods (chosen per column as Evidently does unless
//! overridden), the multiple-testing correction and the spec.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
