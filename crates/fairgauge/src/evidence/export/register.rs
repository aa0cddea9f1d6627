//! The risk register as CSV (RFC 4180): one row per risk, its findings, controls, owner and
//! review date, text defused against spreadsheet formula injection.

use super::times::*;
use super::words::*;
use crate::evidence::document::{Evidence, FindingStatus};
use crate::io::write::{csv_writer, defused};

/// The columns of [`register_csv`], in order.
pub const REGISTER_COLUMNS: [&str; 23] = [
    "ref_id",
    "name",
    "description",
    "category",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "score",
    "rating",
    "existing_controls",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "status",
    "controls",
    "evidence_link",
    "evidence_sha256",
    "metric",
    "value",
    "threshold",
    "assessed_at",
    "next_review_date",
    "ledger_head",
];

// ---------------------------------------------------------------------------------------------
// Risk register (CSV)
// ---------------------------------------------------------------------------------------------

/// The risk register as CSV (RFC 4180: a header row, CRLF line ends, fields quoted when they
/// hold a comma, a quote or a line break), one row per risk, columns [`REGISTER_COLUMNS`].
///
/// `existing_controls` lists the controls of the risk's findings that passed (none yet, so it is
/// empty); the residual likelihood and impact equal the inherent ones (no treatment applied yet);
/// `metric`, `value` and `threshold` come from the risk's worst finding (fail before error, warn
/// and insufficient data, then the one furthest past its failure threshold); `assessed_at` is the
/// run's end and `next_review_date` the date [`REVIEW_INTERVAL_DAYS`] later; `ledger_head` the
/// ledger's head after the evidence was filed (`record <seq> sha256:<hex>`), empty when it was
/// not. Lists are joined by
/// `"; "`. A text field that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return, and not a number) is prefixed with `'`
/// ([`defused`](crate::io::write::defused)). Written by the one CSV writer
/// ([`csv_writer`](crate::io::write::csv_writer)).
pub fn register_csv(e: &Evidence, evidence_link: &str, evidence_sha256: &str) -> String {
    let mut w = csv_writer(Vec::new(), true);
    // Writing to memory cannot fail.
    let _ = w.write_record(REGISTER_COLUMNS);
    let assessed = e.run.finished_at.as_str();
    let next_review = review_date(assessed);
    let head = ledger_head(e).unwrap_or_default();
    for r in &e.risks {
        let fs = findings_of(e, r);
        let existing = join_unique(
            fs.iter()
                .filter(|f| f.status == FindingStatus::Pass)
                .flat_map(|f| f.controls.iter().map(|c| c.id.as_str())),
            "; ",
        );
        let controls = join_unique(r.controls.iter().map(|c| c.id.as_str()), "; ");
        let (metric, value, threshold) = match worst(&fs) {
            Some(f) => (
                f.metric.clone(),
                value_text(f.value),
                f.threshold.as_ref().map(threshold_text).unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let row = [
            defused(&r.id),
            defused(&r.title),
            defused(&r.description),
            defused(r.category.as_str()),
            defused(&e.system.owner),
            r.likelihood.to_string().into(),
            r.impact.to_string().into(),
            r.score.to_string().into(),
            defused(r.rating.as_str()),
            defused(&existing),
            r.likelihood.to_string().into(),
            r.impact.to_string().into(),
            defused(r.treatment.as_str()),
            defused(&r.status),
            defused(&controls),
            defused(evidence_link),
            defused(evidence_sha256),
            defused(&metric),
            value.as_str().into(),
            defused(&threshold),
            defused(assessed),
            defused(&next_review),
            defused(&head),
        ];
        let _ = w.write_record(row.iter().map(|f| f.as_bytes()));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
