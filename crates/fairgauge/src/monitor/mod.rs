//! Monitoring a system over time (`fairgauge monitor`): the rows of a table put in windows by a
//! time column, each window assessed against a baseline (the first windows, or a reference
//! table) with the policy, and alerts for what breaches the policy or moved from the baseline.

pub mod alerts;
mod bounded;
pub mod html;
pub mod parts;
pub mod report;
pub mod run;

pub use crate::io::windows;
pub use crate::io::windows::Every;
pub use html::monitor_html;
pub use report::{write_metrics, Alert, MetricPoint, MonitorReport, WindowReport};
pub use run::{monitor, MonitorInput};
