//! Group fairness of a multiclass classifier (up to [`MAX_CLASSES`] classes): a mergeable state
//! of per-group K×K confusion matrices ([`state`]) and its report ([`report`]), where each class
//! is judged one-vs-rest with the binary definitions, so every rate, interval and summary is
//! defined once, in the binary report.

pub mod report;
pub mod state;

pub use report::{
    class_order, Averages, ClassDisparity, ClassRates, ClassSummary, MulticlassGroup,
    MulticlassReport, MulticlassSummary, MulticlassWeights, WorstClass, CLASS_METRICS,
};
pub use state::{ClassCell, MulticlassBatch, MulticlassState, MAX_CLASSES};
