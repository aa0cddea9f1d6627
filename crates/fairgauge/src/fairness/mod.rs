//! Running a fairness assessment on a table: map columns to roles (label, prediction or score,
//! sensitive attributes), stream the rows into a [`FairnessState`](fairgauge_core::fairness::FairnessState) in parallel, validate what the
//! roles held, and finish the report.
//!
//! Role rules (each an error naming the column when broken): the label has at most two distinct
//! values, one of them the positive label (given, or one of [`crate::io::text::POSITIVE_TOKENS`]); the
//! prediction has at most two distinct values and, if two, one is the positive label; a score is a
//! probability in `[0, 1]` (NaN is an error); no role column is entirely null. A row with a null
//! label, prediction or score is left out and counted in `rows`.
//!
//! One file per step: [`spec`] (roles and output), [`visit`] (a batch's role columns read),
//! [`part`] (the mergeable part and the readers' context), [`parts`] (rows counted into the core's state, in parallel or as parts), [`multiclass`] (the
//! multiclass task's reading and finishing), [`regression`] and [`ranking`] (those tasks'),
//! [`membership`] (attributes known as probabilities), [`run`].

pub mod membership;
pub mod multiclass;
pub mod part;
pub mod parts;
pub mod ranking;
pub mod regression;
pub mod run;
pub mod spec;
pub mod visit;

pub use crate::io::Progress;
pub use part::FairnessPart;
pub use parts::fairness_part;
pub use run::{finish_fairness, finish_task, run_fairness, run_task};
pub use spec::{
    AttributeBounds, FairnessOutput, FairnessSpec, InputInfo, MembershipInfo, MulticlassOutput,
    MulticlassRoles, ProbabilisticSpec, RankingOutput, RankingRoles, RankingSpec, RegressionOutput,
    ResolvedRoles, Task, TaskOutput, DEFAULT_ASSIGN_THRESHOLD, MAX_GROUPS,
};
