//! The declared rules of a column (a rules file's `[columns.NAME]`), one check per declared rule
//! kind: each value judged by [`CompiledRules::failures`], uniqueness from the values' counts.

use std::collections::BTreeMap;

use fairgauge_core::fingerprint::numeric_text;

use super::state::{ColumnState, MissingTotals};
use crate::io::text::canonical_number;
use crate::present::share_percent;
use crate::quality::read::is_null_f64;
use crate::quality::report::{Check, Example, Status, Threshold};
use crate::quality::rules::{Cell, CompiledRules, RULE_KINDS};
use crate::quality::score::share;

/// Failing rows per rule kind: (count, first example rows).
struct Failures {
    by_kind: BTreeMap<&'static str, (u64, Vec<Example>)>,
    examples: usize,
}

impl Failures {
    fn add(&mut self, kind: &'static str, count: u64, rows: &[u64], value: Option<String>) {
        let e = self.by_kind.entry(kind).or_insert((0, vec![]));
        e.0 += count;
        for &r in rows {
            if e.1.len() < self.examples {
                e.1.push(Example {
                    row: r + 1,
                    value: value.clone(),
                });
            }
        }
    }
}

/// One check per rule kind the column declares, in [`RULE_KINDS`] order.
pub(crate) fn rule_checks(
    s: &ColumnState,
    m: &MissingTotals,
    rules: &CompiledRules,
    null_rows: &[u64],
    row_hashes: &[u128],
    examples: usize,
) -> Vec<Check> {
    let mut fails = Failures {
        by_kind: BTreeMap::new(),
        examples,
    };
    // Missing values.
    let null_like = s.nulls + s.nan + m.configured;
    if null_like > 0 {
        for k in rules.failures(Cell::Missing) {
            fails.add(k, null_like, null_rows, None);
        }
    }
    judge_values(s, rules, row_hashes, &mut fails);
    if rules.declared.unique == Some(true) {
        judge_uniqueness(s, &mut fails);
    }
    let mut checks = vec![];
    for kind_name in RULE_KINDS {
        if !declares(rules, kind_name) {
            continue;
        }
        let (count, mut ex) = fails.by_kind.remove(kind_name).unwrap_or((0, vec![]));
        ex.sort_by_key(|e| e.row);
        let v = share(count, s.rows).unwrap_or(0.0);
        checks.push(Check {
            id: format!("rule.{}.{kind_name}", s.name),
            check: format!("rule.{kind_name}"),
            column: Some(s.name.clone()),
            attribute: None,
            status: if count > 0 {
                Status::Fail
            } else {
                Status::Pass
            },
            value: Some(v),
            threshold: Some(Threshold::above(0.0, 0.0)),
            count: Some(count),
            message: if count == 0 {
                format!("rule holds: {}", rules.describe(kind_name))
            } else {
                format!(
                    "{count} rows ({}) break the rule: {}",
                    share_percent(v),
                    rules.describe(kind_name)
                )
            },
            examples: ex,
        });
    }
    checks
}

/// Whether the rules declare `kind`.
fn declares(rules: &CompiledRules, kind: &str) -> bool {
    let d = &rules.declared;
    match kind {
        "type" => d.ty.is_some(),
        "not_null" => d.not_null == Some(true),
        "unique" => d.unique == Some(true),
        "min" => d.min.is_some(),
        "max" => d.max.is_some(),
        "allowed" => d.allowed.is_some(),
        "regex" => d.regex.is_some(),
        _ => d.max_length.is_some(),
    }
}

/// Every present value judged: a numeric column's numbers row by row, a text column's
/// distinct values once each (with their counts and rows).
fn judge_values(s: &ColumnState, rules: &CompiledRules, row_hashes: &[u128], f: &mut Failures) {
    match (&s.numbers, s.kind.as_str()) {
        (Some(v), "numeric") => {
            for (r, &x) in v.iter().enumerate() {
                if is_null_f64(x) || x.is_nan() || row_hashes.get(r).is_some_and(|&h| h == 0) {
                    continue;
                }
                for k in rules.failures(Cell::Number(x)) {
                    f.add(
                        k,
                        1,
                        &[r as u64],
                        canonical_number(x).or(Some(format!("{x}"))),
                    );
                }
            }
        }
        _ => {
            for (k, c, rows) in &s.text_values {
                let cell = if k.trim().is_empty() {
                    Cell::Missing
                } else {
                    match numeric_text(k) {
                        Some(x) if s.kind == "numeric_text" || rules.compares_numbers() => {
                            Cell::Number(x)
                        }
                        _ => Cell::Text(k),
                    }
                };
                for kind in rules.failures(cell) {
                    f.add(kind, *c, rows, Some(k.clone()));
                }
            }
        }
    }
}

/// Values that occur more than once (every copy counted).
fn judge_uniqueness(s: &ColumnState, f: &mut Failures) {
    match (&s.numbers, s.kind.as_str()) {
        (Some(v), "numeric") => {
            let mut idx: Vec<(f64, u64)> = v
                .iter()
                .enumerate()
                .filter(|(_, x)| x.is_finite())
                .map(|(r, &x)| (if x == 0.0 { 0.0 } else { x }, r as u64))
                .collect();
            idx.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut i = 0;
            while i < idx.len() {
                let mut j = i + 1;
                while j < idx.len() && idx[j].0 == idx[i].0 {
                    j += 1;
                }
                if j - i > 1 {
                    let rows: Vec<u64> = idx[i..j].iter().map(|p| p.1).collect();
                    f.add("unique", (j - i) as u64, &rows, canonical_number(idx[i].0));
                }
                i = j;
            }
        }
        _ => {
            for (k, c, rows) in &s.text_values {
                if *c > 1 {
                    f.add("unique", *c, rows, Some(k.clone()));
                }
            }
        }
    }
}
