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
pub use run::MonitorInput;

/// Monitors the table window by window: in bounded memory when the policy asks for it
/// (`[quality] sketch`) and the data is a file ([`bounded`]), else with the table loaded whole.
pub fn monitor(input: &MonitorInput<'_>) -> crate::error::Result<MonitorReport> {
    if bounded::is_bounded(input) {
        bounded::monitor_bounded(input)
    } else {
        run::monitor_loaded(input)
    }
}
