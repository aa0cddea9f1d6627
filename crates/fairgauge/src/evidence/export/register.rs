//! The risk register as CSV (RFC 4180): one row per risk, its findings, controls, owner and
//! review date, text defused against spreadsheet formula injection.

use super::times::*;
use super::words::*;
use std::borrow::Cow;

use crate::evidence::document::{Evidence, FindingStatus, Risk};
use crate::io::write::{csv_writer, defused};

/// The columns of [`register_csv`], in order.
pub const REGISTER_COLUMNS: [&str; 34] = [
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
    "life_status",
    "first_seen",
    "last_seen",
    "runs_seen",
    "decision",
    "decided_by",
    "decided_at",
    "decision_reason",
    "review_date",
    "decision_in_force",
    "estimated",
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
///
/// With a metric history (`assess --history`) the register is a living one: a row for each risk
/// of the run and each resolved one (an earlier run saw it, this one does not), with the risk's
/// life (`life_status` new/open/worsening/improving/resolved, `first_seen`, `last_seen`,
/// `runs_seen`) and the latest decision on it (`decision`, `decided_by`, `decided_at`,
/// `decision_reason`, `review_date`, `decision_in_force`); `status` and `treatment` say what a
/// decision in force says, and its review date is the `next_review_date`. Without a history these
/// columns are empty.
///
/// `estimated` names the estimators behind the risk's findings on sensitive attributes known
/// only as probabilities (`weighted`, `threshold`); empty when every value was observed.
pub fn register_csv(e: &Evidence, evidence_link: &str, evidence_sha256: &str) -> String {
    let mut w = csv_writer(Vec::new(), true);
    // Writing to memory cannot fail.
    let _ = w.write_record(REGISTER_COLUMNS);
    let links = (evidence_link, evidence_sha256);
    for r in e.risks.iter().chain(&e.resolved_risks) {
        let row = risk_row(e, r, links);
        let _ = w.write_record(row.iter().map(|f| f.as_bytes()));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One risk's row of the register (see [`register_csv`]).
fn risk_row<'a>(
    e: &'a Evidence,
    r: &'a Risk,
    (link, sha): (&'a str, &'a str),
) -> Vec<Cow<'a, str>> {
    let fs = findings_of(e, r);
    let existing = join_unique(
        fs.iter()
            .filter(|f| f.status == FindingStatus::Pass)
            .flat_map(|f| f.controls.iter().map(|c| c.id.as_str())),
        "; ",
    );
    let controls = join_unique(r.controls.iter().map(|c| c.id.as_str()), "; ");
    let life = r.life.as_ref();
    let resolved = life.is_some_and(|l| l.status == "resolved");
    let (metric, value, threshold) = match worst(&fs).filter(|_| !resolved) {
        Some(f) => (
            f.metric.clone(),
            value_text(f.value),
            f.threshold.as_ref().map(threshold_text).unwrap_or_default(),
        ),
        // A resolved risk: its driving metric as last seen.
        None => match life.and_then(|l| l.trend.last()) {
            Some(t) => (
                t.metric.clone().unwrap_or_default(),
                value_text(t.value),
                String::new(),
            ),
            None => Default::default(),
        },
    };
    let assessed = e.run.finished_at.as_str();
    let decision = life.and_then(|l| l.decision.as_ref());
    let next_review = match decision
        .filter(|d| d.in_force)
        .and_then(|d| d.review_date.clone())
    {
        Some(date) => date,
        None => review_date(assessed),
    };
    let owned = |s: String| -> Cow<'a, str> { Cow::Owned(defused(&s).into_owned()) };
    let mut row: Vec<Cow<'a, str>> = vec![
        defused(&r.id),
        defused(&r.title),
        defused(&r.description),
        defused(r.category.as_str()),
        defused(&e.system.owner),
        r.likelihood.to_string().into(),
        r.impact.to_string().into(),
        r.score.to_string().into(),
        defused(r.rating.as_str()),
        owned(existing),
        r.likelihood.to_string().into(),
        r.impact.to_string().into(),
        defused(r.treatment.as_str()),
        defused(&r.status),
        owned(controls),
        defused(link),
        defused(sha),
        owned(metric),
        value.into(),
        owned(threshold),
        defused(assessed),
        owned(next_review),
        owned(ledger_head(e).unwrap_or_default()),
    ];
    row.extend(life_columns(r));
    // The estimators behind the risk's estimated findings (attributes known as probabilities).
    let estimated = fs.iter().filter_map(|f| f.estimated.as_ref());
    row.push(owned(join_unique(
        estimated.map(|x| x.estimator.as_str()),
        "; ",
    )));
    row
}

/// The risk's life and decision columns (empty without a history).
fn life_columns(r: &Risk) -> Vec<Cow<'_, str>> {
    let Some(l) = &r.life else {
        return vec![Cow::Borrowed(""); 10];
    };
    let mut out: Vec<Cow<'_, str>> = vec![
        defused(&l.status),
        defused(&l.first_seen),
        defused(&l.last_seen),
        l.runs_seen.to_string().into(),
    ];
    match &l.decision {
        Some(d) => out.extend([
            defused(&d.decision),
            defused(&d.decided_by),
            defused(&d.decided_at),
            defused(&d.reason),
            defused(d.review_date.as_deref().unwrap_or("")),
            Cow::Borrowed(if d.in_force { "true" } else { "false" }),
        ]),
        None => out.extend(std::iter::repeat_n(Cow::Borrowed(""), 6)),
    }
    out
}
