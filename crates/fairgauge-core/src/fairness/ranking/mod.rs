//! Group fairness of a ranking (search results, shortlists, recommendations): a mergeable state
//! of the ranked items ([`state`]) and its report ([`report`]): per group the share of items,
//! the exposure they receive under the logarithmic position discount and its share (Singh &
//! Joachims 2018, "Fairness of Exposure in Rankings", KDD), the exposure-to-relevance ratio, the
//! selection rate in the top k of each list and NDCG; disparities against a reference group and
//! between-group summaries.

mod bootstrap;
pub mod report;
pub mod state;
mod sums;

pub use report::{RankingDisparity, RankingGroup, RankingReport, RankingRows, RankingSummary};
pub use state::{RankBy, RankingBatch, RankingItem, RankingState, DEFAULT_K};
