//! A column's checks, one function each: missing values, suspected placeholders, infinite
//! values, mixed types, constant and near-constant values, outliers (Tukey's fences and the
//! robust z-score), padded text, case variants and high cardinality.

use super::state::{ColumnState, MissingTotals};
use super::values::{num_text, outlier_examples};
use crate::present::share_percent;
use crate::quality::report::{Check, Example, Status, Threshold};
use crate::quality::score::{above, judge_above};
use crate::quality::spec::QualitySpec;

/// Every check of the column's profile, in report order.
pub(crate) fn column_checks(
    s: &ColumnState,
    m: &MissingTotals,
    null_rows: &[u64],
    spec: &QualitySpec,
    row_hashes: &[u128],
) -> Vec<Check> {
    let examples = spec.examples.max(1);
    let mut checks = vec![missing(s, m, null_rows, spec)];
    checks.extend(placeholders(s, m, examples));
    checks.extend(infinite(s, row_hashes, examples));
    checks.extend(mixed_types(s));
    checks.extend(constant(s, m, spec));
    checks.extend(outliers(s, spec));
    checks.extend(padded_text(s, examples));
    checks.extend(case_variants(s));
    checks.extend(high_cardinality(s, m, spec));
    checks
}

/// The share of missing values (null, NaN, empty, configured tokens, suspected placeholders).
fn missing(s: &ColumnState, m: &MissingTotals, null_rows: &[u64], spec: &QualitySpec) -> Check {
    let th = spec.thresholds.missing;
    let ms = m.share.unwrap_or(0.0);
    Check {
        status: judge_above(ms, th),
        value: Some(ms),
        threshold: above(th),
        count: Some(m.total),
        message: if m.total == 0 {
            "no value is missing".into()
        } else {
            format!(
                "{} of values are missing ({} null, {} NaN, {} empty, {} configured tokens, {} suspected placeholders)",
                share_percent(ms),
                s.nulls,
                s.nan,
                s.empty_strings,
                m.configured,
                m.suspected
            )
        },
        examples: null_rows
            .iter()
            .take(spec.examples.max(1))
            .map(|&r| Example {
                row: r + 1,
                value: None,
            })
            .collect(),
        ..Check::of_column(&s.name, "missing")
    }
}

/// Values that look like missing-value placeholders but are not configured as null.
fn placeholders(s: &ColumnState, m: &MissingTotals, examples: usize) -> Option<Check> {
    if s.suspected.is_empty() {
        return None;
    }
    let list: Vec<String> = s
        .suspected
        .iter()
        .map(|p| format!("`{}` ({} rows)", p.value, p.count))
        .collect();
    let ex: Vec<Example> = s
        .suspected
        .iter()
        .flat_map(|p| {
            s.text_values
                .iter()
                .filter(move |(k, _, _)| k == &p.value)
                .flat_map(|(k, _, rows)| {
                    rows.iter().map(move |&r| Example {
                        row: r + 1,
                        value: Some(k.clone()),
                    })
                })
        })
        .take(examples)
        .collect();
    Some(Check {
        status: Status::Warn,
        value: Some(m.suspected as f64),
        count: Some(m.suspected),
        message: format!(
            "suspected missing-value placeholders, not configured as null: {}",
            list.join(", ")
        ),
        examples: ex,
        ..Check::of_column(&s.name, "placeholders")
    })
}

/// ±∞ in a column of numbers.
fn infinite(s: &ColumnState, row_hashes: &[u128], examples: usize) -> Option<Check> {
    let (pos, neg) = s.infinite?;
    if pos + neg == 0 {
        return None;
    }
    let ex: Vec<Example> = match &s.sketch {
        Some(sn) => sn
            .inf_rows
            .iter()
            .map(|&r| Example {
                row: r + 1,
                value: None,
            })
            .collect(),
        None => s
            .numbers
            .iter()
            .flatten()
            .enumerate()
            .filter(|(r, x)| x.is_infinite() && row_hashes.get(*r).is_some_and(|&h| h != 0))
            .take(examples)
            .map(|(r, x)| Example {
                row: r as u64 + 1,
                value: Some(format!("{x}")),
            })
            .collect(),
    };
    Some(Check {
        status: Status::Warn,
        value: Some((pos + neg) as f64),
        count: Some(pos + neg),
        message: format!(
            "{pos} values are +inf and {neg} are -inf; they are left out of the numeric summary"
        ),
        examples: ex,
        ..Check::of_column(&s.name, "infinite")
    })
}

/// Numbers, dates and other text in one text column.
fn mixed_types(s: &ColumnState) -> Option<Check> {
    let (count, ex, detail) = s.mixed.clone()?;
    Some(Check {
        status: Status::Warn,
        value: Some(count as f64),
        count: Some(count),
        message: format!("values of different kinds in one text column: {detail}"),
        examples: ex,
        ..Check::of_column(&s.name, "mixed_types")
    })
}

/// One value only (`constant`), or one value making up most of them (`near_constant`).
fn constant(s: &ColumnState, m: &MissingTotals, spec: &QualitySpec) -> Option<Check> {
    let present_values = s.rows.saturating_sub(m.total);
    let near = spec.thresholds.near_constant;
    if s.distinct == 1 && present_values > 1 {
        return Some(Check {
            status: Status::Warn,
            value: Some(1.0),
            message: "every non-missing value is the same: the column carries no information"
                .into(),
            ..Check::of_column(&s.name, "constant")
        });
    }
    let t = s.top.first()?;
    (s.distinct > 1 && t.share >= near).then(|| Check {
        status: Status::Warn,
        value: Some(t.share),
        threshold: Some(Threshold::above(near, 1.0)),
        count: Some(t.count),
        message: format!(
            "`{}` makes up {} of values",
            t.value,
            share_percent(t.share)
        ),
        ..Check::of_column(&s.name, "near_constant")
    })
}

/// Outliers beyond Tukey's fences, and by the robust z-score where the MAD is not 0.
fn outliers(s: &ColumnState, spec: &QualitySpec) -> Vec<Check> {
    let Some(p) = &s.profile else {
        return vec![];
    };
    let th = &spec.thresholds;
    let examples = spec.examples.max(1);
    let numbers = s.numbers.as_deref().unwrap_or(&[]);
    let warn_above = |share: f64, limit: f64| {
        if share > limit {
            Status::Warn
        } else {
            Status::Pass
        }
    };
    let share = p.iqr_outliers as f64 / p.count.max(1) as f64;
    let mut checks = vec![Check {
        status: warn_above(share, th.outliers_iqr),
        value: Some(share),
        threshold: Some(Threshold::above(th.outliers_iqr, f64::INFINITY)),
        count: Some(p.iqr_outliers),
        message: format!(
            "{} values ({}) lie outside Tukey's fences [{}, {}]",
            p.iqr_outliers,
            share_percent(share),
            num_text(p.iqr_fences.0),
            num_text(p.iqr_fences.1)
        ),
        examples: outlier_examples(
            numbers,
            |x| x < p.iqr_fences.0 || x > p.iqr_fences.1,
            examples,
        ),
        ..Check::of_column(&s.name, "outliers_iqr")
    }];
    if let Some(k) = p.robust_z_outliers {
        let share = k as f64 / p.count.max(1) as f64;
        let (med, mad) = (p.median, p.mad);
        checks.push(Check {
            status: warn_above(share, th.outliers_robust_z),
            value: Some(share),
            threshold: Some(Threshold::above(th.outliers_robust_z, f64::INFINITY)),
            count: Some(k),
            message: format!(
                "{k} values ({}) have a robust z-score |0.6745 (x − median) / MAD| above 3.5",
                share_percent(share)
            ),
            examples: outlier_examples(
                numbers,
                |x| (0.6745 * (x - med) / mad).abs() > 3.5,
                examples,
            ),
            ..Check::of_column(&s.name, "outliers_robust_z")
        });
    }
    checks
}

/// Text with leading or trailing white space.
fn padded_text(s: &ColumnState, examples: usize) -> Option<Check> {
    let n = s.padded_rows;
    (n > 0).then(|| Check {
        status: Status::Warn,
        value: Some(n as f64),
        count: Some(n),
        message: format!("{n} values have leading or trailing white space"),
        examples: s
            .text_values
            .iter()
            .filter(|(k, _, _)| k.trim() != k && !k.trim().is_empty())
            .flat_map(|(k, _, rows)| {
                rows.iter().map(move |&r| Example {
                    row: r + 1,
                    value: Some(k.clone()),
                })
            })
            .take(examples)
            .collect(),
        ..Check::of_column(&s.name, "padded_text")
    })
}

/// Categories spelt in more than one way (case or spacing).
fn case_variants(s: &ColumnState) -> Option<Check> {
    if s.variants.is_empty() {
        return None;
    }
    let list: Vec<String> = s
        .variants
        .iter()
        .take(3)
        .map(|v| {
            v.iter()
                .map(|t| format!("`{}`", t.value))
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .collect();
    let n: u64 = s
        .variants
        .iter()
        .map(|v| v.iter().skip(1).map(|t| t.count).sum::<u64>())
        .sum();
    Some(Check {
        status: Status::Warn,
        value: Some(s.variants.len() as f64),
        count: Some(n),
        message: format!(
            "{} categories are spelt in more than one way (case or spacing): {}",
            s.variants.len(),
            list.join("; ")
        ),
        ..Check::of_column(&s.name, "case_variants")
    })
}

/// A text column with more distinct values than a category has.
fn high_cardinality(s: &ColumnState, m: &MissingTotals, spec: &QualitySpec) -> Option<Check> {
    let limit = spec.thresholds.high_cardinality;
    let distinct = s.distinct;
    if s.kind != "text" || distinct <= limit {
        return None;
    }
    let present_values = s.rows.saturating_sub(m.total);
    Some(Check {
        status: Status::Warn,
        value: Some(distinct as f64),
        threshold: Some(Threshold::above(limit as f64, f64::INFINITY)),
        message: format!(
            "{distinct} distinct values{}: an identifier or free text rather than a category?",
            if distinct == present_values {
                ", all different"
            } else {
                ""
            }
        ),
        ..Check::of_column(&s.name, "high_cardinality")
    })
}
