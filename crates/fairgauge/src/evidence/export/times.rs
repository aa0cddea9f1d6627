//! Dates and times in the exports (`jiff`): RFC 3339 read and written in UTC, and the review
//! date.

use crate::evidence::ids::rfc3339;

/// A timestamp in UTC (`…Z`, its fraction of a second kept digit for digit); text that is not
/// RFC 3339 is returned as it is.
pub(crate) fn utc_timestamp(s: &str) -> String {
    let Ok(t) = s.parse::<jiff::Timestamp>() else {
        return s.to_string();
    };
    let whole = rfc3339(t.as_second() - i64::from(t.subsec_nanosecond() < 0));
    let frac = s.get(19..).and_then(|r| r.strip_prefix('.')).map(|r| {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        &r[..n]
    });
    match frac {
        Some(f) if !f.is_empty() => format!("{}.{f}Z", whole.trim_end_matches('Z')),
        _ => whole,
    }
}

/// The date [`REVIEW_INTERVAL_DAYS`] after the date a timestamp starts with (empty when it does
/// not start with one).
pub(crate) fn review_date(assessed_at: &str) -> String {
    assessed_at
        .get(..10)
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .and_then(|d| {
            d.checked_add(jiff::Span::new().days(REVIEW_INTERVAL_DAYS))
                .ok()
        })
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// Days from an assessment to the next review of its risks.
pub const REVIEW_INTERVAL_DAYS: i64 = 90;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_utc_and_review_dates() {
        assert_eq!(
            utc_timestamp("2026-11-27T21:39:14Z"),
            "2026-11-27T21:39:14Z"
        );
        assert_eq!(
            utc_timestamp("2026-11-27T23:39:14+02:00"),
            "2026-11-27T21:39:14Z"
        );
        assert_eq!(
            utc_timestamp("2026-11-28T00:30:00.25+01:00"),
            "2026-11-27T23:30:00.25Z"
        );
        assert_eq!(utc_timestamp("yesterday"), "yesterday");
        assert_eq!(review_date("2026-11-27T21:39:14Z"), "2027-02-25");
        assert_eq!(review_date("2024-01-01"), "2024-03-31"); // through a leap February
        assert_eq!(review_date("2026-02-30T00:00:00Z"), "");
        assert_eq!(review_date("soon"), "");
    }
}
