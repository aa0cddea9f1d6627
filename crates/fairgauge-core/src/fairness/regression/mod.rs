//! Group fairness of a regression model: a mergeable state of per-group moments, error sums
//! and predictions ([`state`]) and its report ([`report`]): error and bias per group, the
//! predictions' distribution against the reference group's, Welch disparities, between-group
//! summaries and the bounded group loss, and with a threshold the binary rates of "at or above".

mod bootstrap;
mod metrics;
pub mod report;
pub mod state;

pub use report::{
    RegressionDisparity, RegressionGroup, RegressionReport, RegressionSummary, REGRESSION_METRICS,
};
pub use state::{RegressionBatch, RegressionCell, RegressionState};
