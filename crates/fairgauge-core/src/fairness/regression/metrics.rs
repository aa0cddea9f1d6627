//! The regression metrics of a group and the between-group summaries, from sums: one definition
//! for the report and for every bootstrap replicate (the definitions are in
//! [`super::report`]'s documentation).

use std::collections::BTreeMap;

use crate::fairness::summary::{difference, ratio};

/// The regression metrics of a group, by name.
pub const REGRESSION_METRICS: [&str; 6] = [
    "mean_label",
    "mean_prediction",
    "mean_error",
    "mae",
    "rmse",
    "r2",
];

/// What a group's metrics are computed from: its size (or total weight), the label's mean and
/// centred sum of squares, the means of prediction and error, and the sums of `|e|` and `e²`.
pub(super) struct MetricSums {
    pub n: f64,
    pub mean_label: f64,
    pub label_m2: f64,
    pub mean_prediction: f64,
    pub mean_error: f64,
    pub abs_error: f64,
    pub sq_error: f64,
}

/// A group's metrics (see [`super::report`]), from its sums.
pub(super) fn metric_values(s: &MetricSums) -> BTreeMap<String, f64> {
    let r2 = if s.label_m2 > 0.0 {
        1.0 - s.sq_error / s.label_m2
    } else if s.sq_error == 0.0 {
        1.0
    } else {
        0.0
    };
    [
        ("mean_label", s.mean_label),
        ("mean_prediction", s.mean_prediction),
        ("mean_error", s.mean_error),
        ("mae", s.abs_error / s.n),
        ("rmse", (s.sq_error / s.n).sqrt()),
        ("r2", r2),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The summaries over the eligible groups' metrics (see [`super::report`]): one place for the
/// report and for each bootstrap replicate.
pub(super) fn summary_values(
    eligible: &[BTreeMap<String, f64>],
    min_group_size: u64,
) -> Vec<(String, std::result::Result<f64, String>)> {
    let mut out = Vec::new();
    for metric in REGRESSION_METRICS {
        let values: Vec<f64> = eligible.iter().map(|m| m[metric]).collect();
        out.push((
            format!("{metric}_difference"),
            difference(metric, &values, min_group_size),
        ));
        if matches!(metric, "mae" | "rmse" | "mean_label" | "mean_prediction") {
            out.push((
                format!("{metric}_ratio"),
                ratio(metric, &values, min_group_size),
            ));
        }
        if matches!(metric, "mae" | "rmse") {
            let worst = if values.is_empty() {
                Err(format!("no group has at least {min_group_size} rows"))
            } else {
                Ok(values.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
            };
            out.push((format!("bounded_group_loss_{metric}"), worst));
        }
    }
    out
}
