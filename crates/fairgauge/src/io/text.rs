//! How raw cell values become the text that roles compare: trimming, null tokens, per-column
//! replacements, and one canonical spelling for numbers (`1`, `1.0` and `1.00` are all `1`), so a
//! label stored as integers, floats or text compares the same way against `--positive-label`.

use std::collections::BTreeMap;

/// Per-column rules applied to every text value before it is used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextRules {
    /// Strip leading and trailing white space.
    pub trim: bool,
    /// Values (after trimming) that mean null.
    pub null_values: Vec<String>,
    /// Value replacements (after trimming), e.g. `>50K.` → `>50K`.
    pub replace: BTreeMap<String, String>,
}

impl TextRules {
    /// Applies the rules to one value: `None` when it is a null token.
    pub fn apply<'a>(&'a self, raw: &'a str) -> Option<&'a str> {
        let v = if self.trim { raw.trim() } else { raw };
        if self.null_values.iter().any(|n| n == v) {
            return None;
        }
        match self.replace.get(v) {
            Some(r) => Some(r.as_str()),
            None => Some(v),
        }
    }
}

/// Canonical text of a number: integers without a fraction (`1`), others in Rust's shortest
/// round-trip form (`0.25`). `None` for NaN.
pub fn canonical_number(x: f64) -> Option<String> {
    if x.is_nan() {
        return None;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Some(format!("{}", x as i64))
    } else {
        Some(format!("{x}"))
    }
}

/// Canonical text of a text value: a value that parses as a finite number is spelt as
/// [`canonical_number`] spells it; anything else is kept as it is.
pub fn canonical_text(s: &str) -> String {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && looks_numeric(s) => {
            canonical_number(x).unwrap_or_else(|| s.to_string())
        }
        _ => s.to_string(),
    }
}

fn looks_numeric(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
}

/// Label values taken as the positive class when no positive label is given
/// (compared case-insensitively).
pub const POSITIVE_TOKENS: [&str; 6] = ["1", "true", "yes", "y", "t", "positive"];

/// Whether a canonical label value is one of [`POSITIVE_TOKENS`].
pub fn is_positive_token(v: &str) -> bool {
    POSITIVE_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_one_spelling() {
        assert_eq!(canonical_text("1.0"), "1");
        assert_eq!(canonical_text("1"), "1");
        assert_eq!(canonical_text("0.250"), "0.25");
        assert_eq!(canonical_text(">50K"), ">50K");
        assert_eq!(canonical_text("inf"), "inf");
        assert_eq!(canonical_number(f64::NAN), None);
        assert_eq!(canonical_number(-3.0).unwrap(), "-3");
    }

    #[test]
    fn rules_trim_null_and_replace() {
        let r = TextRules {
            trim: true,
            null_values: vec!["?".into()],
            replace: [(">50K.".to_string(), ">50K".to_string())].into(),
        };
        assert_eq!(r.apply(" ?"), None);
        assert_eq!(r.apply(" >50K."), Some(">50K"));
        assert_eq!(r.apply(" Male "), Some("Male"));
    }
}
