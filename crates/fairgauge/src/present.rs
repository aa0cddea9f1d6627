//! Numbers and words as people read them, written once for every output: the CLI's text, the
//! Markdown summary, the HTML report and the register. Formatting only: no statistics here.
//!
//! Two forms of percentages and of p-values exist on purpose: tables show a fixed number of
//! decimals so columns line up ([`percent`], [`p_value`]); sentences show a small share with
//! enough digits not to read as 0 ([`share_percent`], [`p_value_short`]).

/// A value's bootstrap interval written after it: ` [low, high]`, each bound by `num`; empty
/// without an interval.
pub fn interval(
    i: Option<&fairgauge_core::fairness::BootstrapInterval>,
    num: impl Fn(f64) -> String,
) -> String {
    i.map(|i| format!(" [{}, {}]", num(i.low), num(i.high)))
        .unwrap_or_default()
}

/// A share as a percentage with one decimal: `0.1234` → `12.3%` (tables, the HTML report, the
/// findings' messages).
pub fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A quantity in the data's own units (an error, an exposure) with four significant digits, in
/// plain notation from 1e-4 to 1e6 and scientific beyond: `1.19683` → `1.197`, `1234.6` → `1235`,
/// `0.000123` → `0.0001230`.
pub fn quantity(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if !(1e-4..1e6).contains(&a) {
        format!("{x:.3e}")
    } else {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    }
}

/// A share in a sentence: one decimal from 1 % up (and for 0), three below, so that a small
/// share does not read as zero: `0.5` → `50.0%`, `0.00012` → `0.012%`.
pub fn share_percent(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 || p >= 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.3}%")
    }
}

/// The sentence that says a fairness report is weighted: `Rates are weighted by `w`: total weight
/// 1523.4, effective sample size 812 of 1000 rows; intervals and tests use the effective size.`
/// (`what` is `Rates` or `Metrics`; the column name as given: callers escape it for their
/// medium).
pub fn weighting(what: &str, column: &str, total: f64, effective_n: f64, rows: u64) -> String {
    format!(
        "{what} are weighted by `{column}`: total weight {total:.1}, effective sample size {effective_n:.0} of {rows} rows; intervals and tests use the effective size."
    )
}

/// The sentence that says how an attribute known as probabilities was counted: `` `race` is
/// known as probabilities (p_white, p_black): 980 rows count towards every group with their
/// probability (n: rows that may belong to a group; share: its expected share), 20 without
/// probabilities are left out; threshold estimator `race_assigned` (p ≥ 0.8): 700 rows
/// assigned, 280 below.`` (names as given: callers escape them for their medium).
pub fn membership(m: &crate::fairness::MembershipInfo) -> String {
    let columns: Vec<&str> = m.columns.values().map(String::as_str).collect();
    let mut s = format!(
        "`{}` is known as probabilities ({}): {} rows count towards every group with their probability (n: rows that may belong to a group; share: its expected share)",
        m.attribute,
        columns.join(", "),
        m.rows_with_probabilities
    );
    if m.rows_without_probabilities > 0 {
        s += &format!(
            ", {} without probabilities are left out",
            m.rows_without_probabilities
        );
    }
    s += &format!(
        "; threshold estimator `{}` (p ≥ {}): {} rows assigned, {} below",
        m.assigned_attribute, m.assign_threshold, m.rows_assigned, m.rows_unassigned
    );
    match &m.assigned_not_reported {
        Some(why) => s + &format!(" (not reported: {why})."),
        None => s + ".",
    }
}

/// The lines that give an attribute's bounds (`--bounds-by`): a heading sentence, then per group
/// and outcome the rate's bounds and its difference's from the reference group, then each
/// summary's: `bounds over 8 strata of `zip` (600 rows; 0 in strata of one row), whatever the
/// outcome's dependence on membership given them:`, `black: selection rate 4.7% to 81.0%
/// (minus white's: -82.8% to 63.9%)`, `demographic parity difference 0.0% to 82.8%` (names as
/// given: callers escape them for their medium).
pub fn membership_bounds(b: &crate::fairness::AttributeBounds) -> Vec<String> {
    let r = &b.report;
    let by: Vec<String> = b.by.iter().map(|c| format!("`{c}`")).collect();
    let mut lines = vec![format!(
        "bounds over {} strata of {} ({} rows; {} in strata of one row), whatever the outcome's dependence on membership given them:",
        r.strata,
        by.join(" × "),
        r.rows,
        r.rows_in_single_row_strata
    )];
    let range = |x: &fairgauge_core::membership::bounds::Bound| {
        format!("{} to {}", percent(x.lower), percent(x.upper))
    };
    for g in &r.groups {
        for (outcome, rate) in &g.rates {
            let Some(rate) = rate else { continue };
            let mut line = format!("{}: {} {}", g.group, outcome.replace('_', " "), range(rate));
            if let Some(Some(d)) = g.differences.get(outcome) {
                line += &format!(" (minus {}'s: {})", r.reference, range(d));
            }
            lines.push(line);
        }
    }
    for (name, bound) in &r.summaries {
        if let Some(x) = bound {
            lines.push(format!("{} {}", name.replace('_', " "), range(x)));
        }
    }
    lines
}

/// What a label-free estimate is and what its intervals cover.
pub fn estimate_method(confidence: f64) -> String {
    format!(
        "Estimated without labels by confidence-based performance estimation (CBPE, as NannyML): each row's calibrated score p stands for its unknown label (expected true positives Σ p·ŷ, false positives Σ (1 − p)·ŷ, …), the calibration chosen per group on the labelled reference by out-of-fold expected calibration error. Intervals ({}) cover the value the labels will show, from the labels' Bernoulli variance and the calibrator's fit; sampling_error is NannyML's (the metric's spread over samples of this size). Estimates assume the scores stay as calibrated as on the reference (no concept drift).",
        percent(confidence)
    )
}

/// A p-value in a table: four decimals, scientific below 1e-4, `< 1e-300` below what a double
/// resolves in the tails.
pub fn p_value(p: f64) -> String {
    if p < 1e-300 {
        "< 1e-300".into()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// A p-value in a sentence: three decimals, scientific below 0.001.
pub fn p_value_short(p: f64) -> String {
    if p < 0.001 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_keep_four_significant_digits() {
        assert_eq!(quantity(1.196_83), "1.197");
        assert_eq!(quantity(1234.6), "1235");
        assert_eq!(quantity(0.000_123), "0.0001230");
        assert_eq!(quantity(0.0), "0");
        assert_eq!(quantity(2.5e7), "2.500e7");
        assert_eq!(quantity(-0.5), "-0.5000");
    }

    #[test]
    fn percentages_and_p_values() {
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(share_percent(0.0), "0.0%");
        assert_eq!(share_percent(0.5), "50.0%");
        assert_eq!(share_percent(0.00012), "0.012%");
        assert_eq!(p_value(0.0), "< 1e-300");
        assert_eq!(p_value(2.5e-7), "2.5e-7");
        assert_eq!(p_value(0.04321), "0.0432");
        assert_eq!(p_value_short(0.0004), "4.0e-4");
        assert_eq!(p_value_short(0.0432), "0.043");
    }
}
