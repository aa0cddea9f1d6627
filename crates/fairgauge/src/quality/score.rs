//! Judging a value against a check's thresholds, and the 0–100 score: each check scores 1
//! (pass), ½ (warn) or 0 (fail), weighted by [`weight`].

use super::report::*;

/// The weight of a check in the scores: completeness (and a table without rows) 3; duplicates,
/// keys and leakage 3;
/// validity (placeholders, infinite values, mixed types, rules, conflicting labels) 2; the rest
/// (consistency and shape: constant, outliers, hygiene, cardinality, balance, group missingness,
/// proxies, empty rows) 1.
pub fn weight(check: &str) -> f64 {
    match check {
        "missing" | "duplicates" | "duplicate_keys" | "leakage" | "no_rows" => 3.0,
        "placeholders" | "infinite" | "mixed_types" | "conflicting_labels" => 2.0,
        c if c.starts_with("rule.") => 2.0,
        _ => 1.0,
    }
}

pub(crate) fn weighted_score(checks: &[&Check]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for c in checks {
        let w = weight(if c.id.starts_with("rule.") {
            &c.id
        } else {
            &c.check
        });
        num += w * c.status.score();
        den += w;
    }
    if den == 0.0 {
        100.0
    } else {
        100.0 * num / den
    }
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

// ---------------------------------------------------------------------------------------------
// Finishing: profiles, checks, scores.

pub(crate) fn share(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

pub(crate) fn judge_above(v: f64, (warn, fail): (f64, f64)) -> Status {
    if v > fail {
        Status::Fail
    } else if v > warn {
        Status::Warn
    } else {
        Status::Pass
    }
}

pub(crate) fn above(t: (f64, f64)) -> Option<Threshold> {
    Some(Threshold {
        warn: t.0,
        fail: t.1,
        direction: "above",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_and_scores() {
        let c = |id: &str, check: &str, status| Check {
            id: id.into(),
            check: check.into(),
            column: None,
            attribute: None,
            status,
            value: None,
            threshold: None,
            count: None,
            message: String::new(),
            examples: vec![],
        };
        let a = c("column.x.missing", "missing", Status::Fail);
        let b = c("column.x.constant", "constant", Status::Warn);
        // (3 * 0 + 1 * 0.5) / 4 = 12.5
        assert_eq!(weighted_score(&[&a, &b]), 12.5);
        assert_eq!(weighted_score(&[]), 100.0);
        assert_eq!(judge_above(0.05, (0.05, 0.2)), Status::Pass);
        assert_eq!(judge_above(0.051, (0.05, 0.2)), Status::Warn);
        assert_eq!(judge_above(0.21, (0.05, 0.2)), Status::Fail);
    }
}
