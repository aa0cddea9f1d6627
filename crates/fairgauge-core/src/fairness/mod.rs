//! Group fairness for binary classification (and, in [`multiclass`], for K classes): per-group confusion counts as a mergeable state,
//! per-group rates with Wilson intervals, disparities against a reference group, the summary
//! metrics Fairlearn and AIF360 define, and dataset bias when there is no prediction.

pub mod bootstrap;
pub mod counts;
pub mod inequality;
pub mod metric;
pub mod multiclass;
pub mod ranking;
pub(crate) mod reference;
pub mod regression;
pub mod report;
pub mod scores;
pub mod state;
pub mod summary;
pub mod weighted_bootstrap;
pub mod weights;

pub use bootstrap::{Bootstrap, BootstrapInterval};
pub use metric::{Confusion, Metric};
pub use report::{
    AttributeSummary, Disparity, FairnessOptions, FairnessReport, GroupMetrics, ReferenceSpec,
    Representation, RowCounts,
};
pub use scores::ScoreHistogram;
pub use state::{CodedAttribute, FairnessBatch, FairnessState, GroupKey, Membership, NULL_GROUP};
pub use weights::WeightSums;
