//! Judging single values: dates, placeholder tokens, numeric sentinels; and how a number or an
//! outlier is shown.

use fairgauge_core::quality::numeric::NumericProfile;

use crate::io::text::canonical_number;
use crate::quality::report::{Example, Placeholder, TopValue};
use crate::quality::spec::PLACEHOLDER_TOKENS;

/// A numeric column's top value: its mode (none when the bounded mode's sketch could not tell).
pub(crate) fn mode_top(p: &NumericProfile) -> Vec<TopValue> {
    if p.mode.is_nan() {
        return vec![];
    }
    vec![TopValue {
        value: canonical_number(p.mode).unwrap_or_default(),
        count: p.mode_count,
        share: p.mode_count as f64 / p.count.max(1) as f64,
    }]
}

/// A numeric sentinel `s` (the column's minimum or maximum, `count` times) is a suspected
/// placeholder when it is negative and the next value above it is not (`next_above`), or when it
/// lies beyond the outer fences of the quartiles `(q1, q3, iqr)`.
pub(crate) fn judge_sentinel(
    s: f64,
    count: u64,
    next_above: Option<f64>,
    (q1, q3, iqr): (f64, f64, f64),
) -> Option<Placeholder> {
    let others_non_negative = s < 0.0 && next_above.is_some_and(|x| x >= 0.0);
    let beyond = iqr > 0.0 && (s < q1 - 3.0 * iqr || s > q3 + 3.0 * iqr);
    (others_non_negative || beyond).then(|| Placeholder {
        value: canonical_number(s).unwrap_or_default(),
        count,
        reason: if others_non_negative {
            "a negative sentinel in a column of non-negative numbers".into()
        } else {
            "a sentinel beyond the outer fences (3 × IQR) of the other values".into()
        },
    })
}

pub(crate) fn num_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.4}")
    }
}

pub(crate) fn outlier_examples(
    vals: &[f64],
    is_out: impl Fn(f64) -> bool,
    examples: usize,
) -> Vec<Example> {
    vals.iter()
        .enumerate()
        .filter(|(_, &x)| x.is_finite() && is_out(x))
        .take(examples)
        .map(|(r, &x)| Example {
            row: r as u64 + 1,
            value: canonical_number(x),
        })
        .collect()
}

pub(crate) fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    // YYYY-MM-DD or YYYY/MM/DD, optionally followed by a time.
    let iso = b.len() >= 10
        && digits(0..4)
        && matches!(b[4], b'-' | b'/')
        && digits(5..7)
        && b[7] == b[4]
        && digits(8..10)
        && (b.len() == 10 || matches!(b[10], b'T' | b' '));
    // DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY, DD-MM-YYYY.
    let dmy = b.len() >= 10
        && digits(0..2)
        && matches!(b[2], b'/' | b'.' | b'-')
        && digits(3..5)
        && b[5] == b[2]
        && digits(6..10)
        && (b.len() == 10 || b[10] == b' ');
    iso || dmy
}

pub(crate) fn is_placeholder_token(s: &str) -> bool {
    let t = s.trim();
    PLACEHOLDER_TOKENS.iter().any(|p| p.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_placeholders_are_recognised() {
        assert!(looks_like_date("2024-01-31"));
        assert!(looks_like_date("2024-01-31T10:00:00"));
        assert!(looks_like_date("31/01/2024"));
        assert!(!looks_like_date("2024-1-31"));
        assert!(!looks_like_date("hello world"));
        assert!(is_placeholder_token(" N/A "));
        assert!(is_placeholder_token("?"));
        assert!(!is_placeholder_token("Male"));
    }
}
