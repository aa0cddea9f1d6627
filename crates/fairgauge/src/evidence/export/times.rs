//! Dates and times in the exports: RFC 3339 parsed and written in UTC, and the review date.

use crate::evidence::ids::rfc3339;

// ---------------------------------------------------------------------------------------------
// Dates (no date crate: H. Hinnant's days-from-civil, and `evidence::rfc3339` back)
// ---------------------------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) fn two_digits(b: &[u8], at: usize) -> Option<i64> {
    match (b.get(at), b.get(at + 1)) {
        (Some(x @ b'0'..=b'9'), Some(y @ b'0'..=b'9')) => {
            Some(i64::from(x - b'0') * 10 + i64::from(y - b'0'))
        }
        _ => None,
    }
}

/// The `YYYY-MM-DD` a timestamp starts with, checked.
pub(crate) fn parse_date(s: &str) -> Option<(i64, i64, i64)> {
    let b = s.as_bytes();
    let y = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let m = two_digits(b, 5)?;
    let d = two_digits(b, 8)?;
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=month_days).contains(&d).then_some((y, m, d))
}

/// An RFC 3339 timestamp as seconds since the epoch (UTC) and its fraction digits.
pub(crate) fn parse_rfc3339(s: &str) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    let (y, mo, d) = parse_date(s)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (h, mi, sec) = (two_digits(b, 11)?, two_digits(b, 14)?, two_digits(b, 17)?);
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut rest = s.get(19..)?;
    let mut frac = "";
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        frac = &r[..n];
        rest = &r[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            let sign = match o.first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            if o.len() != 6 || o[3] != b':' {
                return None;
            }
            let (oh, om) = (two_digits(o, 1)?, two_digits(o, 4)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset;
    Some((secs, frac))
}

/// A timestamp in UTC (`…Z`, its fraction kept); text that is not RFC 3339 is returned as it is.
pub(crate) fn utc_timestamp(s: &str) -> String {
    match parse_rfc3339(s) {
        Some((secs, frac)) => {
            let t = rfc3339(secs);
            if frac.is_empty() {
                t
            } else {
                format!("{}.{frac}Z", t.trim_end_matches('Z'))
            }
        }
        None => s.to_string(),
    }
}

/// The date [`REVIEW_INTERVAL_DAYS`] after the date a timestamp starts with (empty when it does
/// not start with one).
pub(crate) fn review_date(assessed_at: &str) -> String {
    match parse_date(assessed_at) {
        Some((y, m, d)) => {
            let days = days_from_civil(y, m, d) + REVIEW_INTERVAL_DAYS;
            let t = rfc3339(days * 86_400);
            t.split('T').next().unwrap_or_default().to_string()
        }
        None => String::new(),
    }
}

/// Days from an assessment to the next review of its risks.
pub const REVIEW_INTERVAL_DAYS: i64 = 90;
