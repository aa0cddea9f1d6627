//! People's decisions on risks (`fairgauge risk accept|mitigate|transfer|avoid|close`), kept in
//! the history beside the runs so that later evidence carries them (ISO/IEC 42001 6.1.3 and 8.3:
//! risk treatment, and its record).

use std::path::Path;

use crate::error::Result;

use super::db::{shown, step, DbResult, Location, Row, WriteError};
use super::store::{history_err, migrate, open_checked, write_err};

/// What was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Accept the risk (until a review date, when given).
    Accept,
    /// Reduce it.
    Mitigate,
    /// Share it (insurance, contract).
    Transfer,
    /// Stop the activity.
    Avoid,
    /// It is dealt with.
    Close,
}

impl DecisionKind {
    /// The word, as the command and every export spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Accept => "accept",
            DecisionKind::Mitigate => "mitigate",
            DecisionKind::Transfer => "transfer",
            DecisionKind::Avoid => "avoid",
            DecisionKind::Close => "close",
        }
    }

    /// A risk's `status` while the decision holds.
    pub fn risk_status(self) -> &'static str {
        match self {
            DecisionKind::Accept => "accepted",
            DecisionKind::Mitigate => "remediating",
            DecisionKind::Transfer => "transferred",
            DecisionKind::Avoid => "avoided",
            DecisionKind::Close => "closed",
        }
    }

    /// The kind a word names.
    pub fn parse(word: &str) -> Option<DecisionKind> {
        [
            DecisionKind::Accept,
            DecisionKind::Mitigate,
            DecisionKind::Transfer,
            DecisionKind::Avoid,
            DecisionKind::Close,
        ]
        .into_iter()
        .find(|k| k.as_str() == word)
    }
}

/// A decision on a risk, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    /// The risk.
    pub risk_id: String,
    /// Its system.
    pub system_id: String,
    /// What was decided.
    pub decision: DecisionKind,
    /// Who decided.
    pub decided_by: String,
    /// Why.
    pub reason: String,
    /// When, RFC 3339.
    pub decided_at: String,
    /// Until when it holds, `YYYY-MM-DD`.
    pub review_date: Option<String>,
}

/// The columns of `decisions` that [`decision_of`] reads, in its order.
pub(super) const DECISION_COLUMNS: &str =
    "risk_id, system_id, decision, decided_by, reason, decided_at, review_date";

/// A decision from a row selecting [`DECISION_COLUMNS`]; `None` for a decision word this version
/// does not know.
pub(super) fn decision_of(r: &Row) -> DbResult<Option<Decision>> {
    let Some(decision) = DecisionKind::parse(&r.text(2)?) else {
        return Ok(None);
    };
    Ok(Some(Decision {
        risk_id: r.text(0)?,
        system_id: r.text(1)?,
        decision,
        decided_by: r.text(3)?,
        reason: r.text(4)?,
        decided_at: r.text(5)?,
        review_date: r.opt_text(6)?,
    }))
}

/// Records `decision` on the risk `risk_id` in the existing history at `path` (migrating it to
/// the current schema). The risk must be one a recorded run saw; `by` and `reason` must say
/// something; `until` must be a date (`YYYY-MM-DD`) not before `now`'s.
pub fn record_decision(
    path: &Path,
    risk_id: &str,
    decision: DecisionKind,
    (by, reason): (&str, &str),
    until: Option<&str>,
    now: &str,
) -> Result<Decision> {
    let err = |m: String| history_err(path, m);
    if by.trim().is_empty() || reason.trim().is_empty() {
        return Err(err(
            "a decision needs who made it (--by) and why (--reason), both non-empty".into(),
        ));
    }
    let review_date = until.map(|u| check_date(u, now)).transpose().map_err(err)?;
    if let Location::File(file) = Location::of(path) {
        if let Err(e) = std::fs::metadata(file) {
            return Err(err(format!("cannot open: {e}")));
        }
    }
    let (mut conn, version) = open_checked(path, true)?;
    if version == 0 {
        return Err(err("is empty: no run has been recorded in it".into()));
    }
    let d = conn
        .write(|db| {
            migrate(db).map_err(step("cannot migrate the schema"))?;
            let system = db
                .row(
                    "SELECT r.system_id FROM metrics m JOIN runs r USING (run_id) \
                     WHERE m.risk_id = ?1 ORDER BY r.finished_at DESC LIMIT 1",
                    &[risk_id.into()],
                )
                .and_then(|r| r.map(|r| r.text(0)).transpose())
                .map_err(step("cannot read the risks"))?;
            let Some(system_id) = system else {
                return Err(WriteError::Refused(format!(
                    "has no risk `{risk_id}`: no recorded run saw it (`fairgauge risk list \
                     --history {}` lists the risks)",
                    shown(path).display()
                )));
            };
            let d = Decision {
                risk_id: risk_id.to_string(),
                system_id,
                decision,
                decided_by: by.trim().to_string(),
                reason: reason.trim().to_string(),
                decided_at: now.to_string(),
                review_date,
            };
            db.exec(
                "INSERT INTO decisions (risk_id, system_id, decision, decided_by, reason, \
                 decided_at, review_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    (&d.risk_id).into(),
                    (&d.system_id).into(),
                    d.decision.as_str().into(),
                    (&d.decided_by).into(),
                    (&d.reason).into(),
                    (&d.decided_at).into(),
                    d.review_date.as_ref().into(),
                ],
            )
            .map_err(step("cannot write the decision"))?;
            Ok(d)
        })
        .map_err(|x| write_err(path, x))?;
    Ok(d)
}

/// A review date: `YYYY-MM-DD`, not before the day of `now` (RFC 3339).
fn check_date(until: &str, now: &str) -> std::result::Result<String, String> {
    let date: jiff::civil::Date = until
        .parse()
        .map_err(|_| format!("--until {until:?} is not a date (expected YYYY-MM-DD)"))?;
    let today = now.get(..10).unwrap_or(now);
    if date.to_string().as_str() < today {
        return Err(format!(
            "--until {until} is before today ({today}): a review date is in the future"
        ));
    }
    Ok(date.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_dates_are_dates_not_in_the_past() {
        let now = "2026-12-06T10:00:00Z";
        assert_eq!(check_date("2027-03-31", now).unwrap(), "2027-03-31");
        assert_eq!(check_date("2026-12-06", now).unwrap(), "2026-12-06");
        assert!(check_date("2026-12-05", now)
            .unwrap_err()
            .contains("before today"));
        assert!(check_date("next week", now)
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(check_date("2027-02-30", now).is_err());
    }
}
