//! A text column's values: configured null tokens, empty and padded strings, suspected
//! placeholders, the kinds of value (numbers, dates, other text) and whether the column is
//! numbers stored as text, case and spacing variants, and its distinct and top values.

use std::collections::BTreeMap;

use fairgauge_core::fingerprint::numeric_text;
use fairgauge_core::quality::hll::HyperLogLog;

use super::state::{ColumnState, TextValue};
use super::values::{is_placeholder_token, looks_like_date};
use crate::quality::aggregate::TextAgg;
use crate::quality::read::ColPlan;
use crate::quality::report::{Example, Placeholder, TextFacts, TopValue};
use crate::quality::rules::INFER_MAX_ALLOWED;
use crate::quality::spec::{QualitySpec, NUMERIC_TEXT_SHARE, PLACEHOLDER_REASON};

/// How many values of each kind a text column holds.
struct Kinds {
    numeric: u64,
    date: u64,
    other: u64,
    placeholder: u64,
    /// Values that are not numbers (dates and other text), with their counts and rows.
    non_numeric: Vec<TextValue>,
    /// Numbers that are also placeholder tokens (`-999`, `9999`, …), with their counts.
    numeric_tokens: Vec<(String, u64)>,
}

/// Reads a text column's values into `s`.
pub(crate) fn read_text(
    s: &mut ColumnState,
    ta: TextAgg,
    plan: &ColPlan,
    spec: &QualitySpec,
    hll: Option<&HyperLogLog>,
) {
    let examples = spec.examples.max(1);
    for (tok, c) in plan.rules.null_values.iter().zip(&ta.configured) {
        if *c > 0 {
            s.configured.insert(tok.clone(), *c);
        }
    }
    let present: u64 = ta.stats.iter().map(|s| s.count).sum();
    let mut k = classify(s, &ta);
    let valued = k.numeric + k.date + k.other;
    let numeric_text_col = valued > 0
        && k.numeric as f64 >= NUMERIC_TEXT_SHARE * valued as f64
        && (ta.numbers.is_some() || s.sketch.is_some());
    if numeric_text_col {
        s.kind = "numeric_text".into();
        s.numbers = ta.numbers.clone();
        for (v, c, _) in &k.non_numeric {
            if *c >= 2 {
                s.suspected.push(Placeholder {
                    value: v.clone(),
                    count: *c,
                    reason: "a repeated non-numeric value in a column of numbers".into(),
                });
            }
        }
    } else {
        s.sketch = None;
        // Numeric placeholder tokens in a text column that is not one of numbers are
        // placeholders; in a column of numbers they are judged as sentinels.
        for (v, c) in std::mem::take(&mut k.numeric_tokens) {
            k.numeric -= c;
            k.placeholder += c;
            s.suspected.push(Placeholder {
                value: v,
                count: c,
                reason: PLACEHOLDER_REASON.into(),
            });
        }
    }
    // A placeholder token counted as missing in this column.
    let missing_token =
        |v: &str| is_placeholder_token(v) && (numeric_text(v).is_none() || !numeric_text_col);
    s.mixed = mixed_types(&k, &ta, valued, numeric_text_col, &missing_token, examples);
    s.variants = variants(&ta, present);
    distinct_and_top(
        s,
        &ta,
        &k,
        numeric_text_col,
        present,
        spec,
        hll,
        &missing_token,
    );
    let max_length = ta
        .keys
        .iter()
        .zip(&ta.stats)
        .filter(|(_, st)| st.count > 0)
        .map(|(v, _)| v.chars().count() as u64)
        .max()
        .unwrap_or(0);
    s.max_length = Some(max_length);
    let mut kinds = BTreeMap::new();
    kinds.insert("number".to_string(), k.numeric);
    kinds.insert("date".to_string(), k.date);
    kinds.insert("text".to_string(), k.other);
    s.text_facts = Some(TextFacts {
        max_length,
        padded: s.padded_rows,
        variants: s.variants.iter().take(10).cloned().collect(),
        kinds,
    });
    for (v, st) in ta.keys.iter().zip(ta.stats) {
        if st.count > 0 {
            s.text_values.push((v.clone(), st.count, st.rows));
        }
    }
}

/// Counts the values of each kind; empty strings, padded values and placeholder tokens go to
/// `s`.
fn classify(s: &mut ColumnState, ta: &TextAgg) -> Kinds {
    let mut k = Kinds {
        numeric: 0,
        date: 0,
        other: 0,
        placeholder: 0,
        non_numeric: vec![],
        numeric_tokens: vec![],
    };
    for (v, st) in ta.keys.iter().zip(&ta.stats) {
        if st.count == 0 {
            continue;
        }
        if v.trim().is_empty() {
            s.empty_strings += st.count;
            continue;
        }
        if v.trim() != v {
            s.padded_rows += st.count;
        }
        if is_placeholder_token(v) && numeric_text(v).is_none() {
            k.placeholder += st.count;
            s.suspected.push(Placeholder {
                value: v.clone(),
                count: st.count,
                reason: PLACEHOLDER_REASON.into(),
            });
            continue;
        }
        if numeric_text(v).is_some() {
            if is_placeholder_token(v) {
                k.numeric_tokens.push((v.clone(), st.count));
            }
            k.numeric += st.count;
        } else if looks_like_date(v) {
            k.date += st.count;
            k.non_numeric.push((v.clone(), st.count, st.rows.clone()));
        } else {
            k.other += st.count;
            k.non_numeric.push((v.clone(), st.count, st.rows.clone()));
        }
    }
    k
}

/// Values of more than one kind in one column: (count, examples, detail). In a column of
/// numbers the non-numbers are the odd ones out; otherwise the smallest kind.
fn mixed_types(
    k: &Kinds,
    ta: &TextAgg,
    valued: u64,
    numeric_text_col: bool,
    missing_token: &dyn Fn(&str) -> bool,
    examples: usize,
) -> Option<(u64, Vec<Example>, String)> {
    let kinds_present = [k.numeric, k.date, k.other]
        .iter()
        .filter(|&&c| c > 0)
        .count();
    if kinds_present <= 1 {
        return None;
    }
    let count = if numeric_text_col {
        k.date + k.other
    } else {
        valued - k.numeric.max(k.date).max(k.other)
    };
    let ex: Vec<Example> = if numeric_text_col {
        k.non_numeric
            .iter()
            .flat_map(|(v, _, rows)| {
                rows.iter().map(move |&r| Example {
                    row: r + 1,
                    value: Some(v.clone()),
                })
            })
            .take(examples)
            .collect()
    } else {
        // The minority kind's values.
        let minority_kind = if k.numeric > 0 && k.numeric <= k.date.max(k.other) {
            0
        } else if k.date > 0 && k.date <= k.other {
            1
        } else {
            2
        };
        ta.keys
            .iter()
            .zip(&ta.stats)
            .filter(|(v, st)| {
                st.count > 0
                    && !missing_token(v)
                    && match minority_kind {
                        0 => numeric_text(v).is_some(),
                        1 => looks_like_date(v),
                        _ => numeric_text(v).is_none() && !looks_like_date(v),
                    }
            })
            .flat_map(|(v, st)| {
                st.rows.iter().map(move |&r| Example {
                    row: r + 1,
                    value: Some(v.clone()),
                })
            })
            .take(examples)
            .collect()
    };
    Some((
        count,
        ex,
        format!(
            "{} values are numbers, {} dates and {} other text",
            k.numeric, k.date, k.other
        ),
    ))
}

/// Categories spelt in more than one way (case or spacing), largest groups first.
fn variants(ta: &TextAgg, present: u64) -> Vec<Vec<TopValue>> {
    let mut norm: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (v, st)) in ta.keys.iter().zip(&ta.stats).enumerate() {
        if st.count > 0 && !v.trim().is_empty() {
            let n: String = v
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            norm.entry(n).or_default().push(i);
        }
    }
    let mut variants = vec![];
    for idx in norm.values().filter(|v| v.len() > 1) {
        let mut vs: Vec<TopValue> = idx
            .iter()
            .map(|&i| TopValue {
                value: ta.keys[i].clone(),
                count: ta.stats[i].count,
                share: ta.stats[i].count as f64 / present.max(1) as f64,
            })
            .collect();
        vs.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        variants.push(vs);
    }
    variants.sort_by(|a: &Vec<TopValue>, b: &Vec<TopValue>| {
        b.iter()
            .map(|v| v.count)
            .sum::<u64>()
            .cmp(&a.iter().map(|v| v.count).sum::<u64>())
    });
    variants
}

/// Distinct values (exact, or HyperLogLog's estimate beyond the tracked values in the bounded
/// mode), the five most frequent values and, when few, every value (for suggested rules).
#[allow(clippy::too_many_arguments)]
fn distinct_and_top(
    s: &mut ColumnState,
    ta: &TextAgg,
    k: &Kinds,
    numeric_text_col: bool,
    present: u64,
    spec: &QualitySpec,
    hll: Option<&HyperLogLog>,
    missing_token: &dyn Fn(&str) -> bool,
) {
    let missing_text = s.empty_strings + k.placeholder;
    let non_missing = present.saturating_sub(missing_text);
    s.distinct = match &ta.overflow {
        Some(_) if spec.sketch.is_some() => {
            s.distinct_exact = false;
            hll.map_or(0, |h| h.estimate().round() as u64)
        }
        Some(set) => {
            s.distinct_exact = false;
            set.len() as u64
        }
        None => ta
            .keys
            .iter()
            .zip(&ta.stats)
            .filter(|(v, st)| st.count > 0 && !v.trim().is_empty() && !missing_token(v))
            .count() as u64,
    };
    if numeric_text_col {
        return;
    }
    let mut order: Vec<usize> = (0..ta.keys.len())
        .filter(|&i| {
            ta.stats[i].count > 0 && !ta.keys[i].trim().is_empty() && !missing_token(&ta.keys[i])
        })
        .collect();
    order.sort_by(|&a, &b| {
        ta.stats[b]
            .count
            .cmp(&ta.stats[a].count)
            .then(ta.keys[a].cmp(&ta.keys[b]))
    });
    s.top = order
        .iter()
        .take(5)
        .map(|&i| TopValue {
            value: ta.keys[i].clone(),
            count: ta.stats[i].count,
            share: ta.stats[i].count as f64 / non_missing.max(1) as f64,
        })
        .collect();
    if ta.overflow.is_none() && (s.distinct as usize) <= INFER_MAX_ALLOWED as usize {
        let mut vals: Vec<String> = order.iter().map(|&i| ta.keys[i].clone()).collect();
        vals.sort();
        s.all_values = Some(vals);
    }
}
