//! Finishing one column: its profile ([`state`], filled by [`text`] and [`numbers`]), its checks
//! (one function per check in [`checks`], the declared rules' in [`rule_checks`]) and its
//! report. Single values are judged in [`values`].

pub mod checks;
pub mod numbers;
pub mod rule_checks;
pub mod state;
pub mod text;
pub mod values;

use fairgauge_core::fingerprint::numeric_text;

use crate::error::Result;
use crate::io::frame::ColumnKind;
use crate::quality::aggregate::ColAgg;
use crate::quality::read::{ColPlan, GroupNum};
use crate::quality::report::{Check, ColumnReport, DistinctSketch, NumericSketchInfo};
use crate::quality::rules::ColumnFacts;
use crate::quality::score::{round1, weighted_score};
use crate::quality::spec::QualitySpec;
use state::ColumnState;

/// What [`finish_column`] hands back for the dataset-level checks.
pub(crate) struct ColumnOut {
    pub(crate) report: ColumnReport,
    pub(crate) checks: Vec<Check>,
    pub(crate) facts: ColumnFacts,
    /// Row-order numbers (numeric columns and numbers stored as text).
    pub(crate) numbers: Option<Vec<f64>>,
    /// Decile edges of the finite numbers (deduplicated).
    pub(crate) edges: Vec<f64>,
    /// Suspected placeholders: text values and numbers.
    pub(crate) suspected_text: Vec<String>,
    pub(crate) suspected_numbers: Vec<f64>,
    /// Bounded mode: per attribute and group, the moments of the numbers that are not
    /// sentinels and the sentinels' counts.
    pub(crate) sketched: Option<Vec<Vec<GroupNum>>>,
}

/// Profiles a column of `rows` profiled rows from its aggregate, and judges it.
pub(crate) fn finish_column(
    spec: &QualitySpec,
    plan: &ColPlan,
    ca: ColAgg,
    rows: u64,
    row_hashes: &[u128],
) -> Result<ColumnOut> {
    let examples = spec.examples.max(1);
    let mut s = ColumnState::new(plan, rows, ca.nulls);
    s.take_numbers(ca.num, ca.sketch, ca.text.is_some());
    if let Some(ta) = ca.text {
        text::read_text(&mut s, ta, plan, spec, ca.hll.as_ref());
    }
    numbers::profile_numbers(&mut s, ca.hll.as_ref());
    let distinct_sketch = match &ca.hll {
        Some(h) => DistinctSketch {
            estimate: h.estimate().round(),
            relative_standard_error: h.relative_standard_error(),
            precision: h.precision(),
        },
        None => DistinctSketch {
            estimate: 0.0,
            relative_standard_error: 0.0,
            precision: 0,
        },
    };
    let (missing, totals) = s.missing();
    let mut checks = checks::column_checks(&s, &totals, &ca.null_rows, spec, row_hashes);
    if let Some(rules) = spec.rules.as_ref().and_then(|r| r.columns.get(&s.name)) {
        checks.extend(rule_checks::rule_checks(
            &s,
            &totals,
            rules,
            &ca.null_rows,
            row_hashes,
            examples,
        ));
    }
    let refs: Vec<&Check> = checks.iter().collect();
    let score = round1(weighted_score(&refs));
    let facts = ColumnFacts {
        name: s.name.clone(),
        rows,
        missing: totals.total,
        range: s.profile.as_ref().map(|p| (p.min, p.max)),
        integral: s.integral.unwrap_or(false),
        boolean: plan.kind == ColumnKind::Boolean,
        distinct: s.distinct,
        values: s.all_values.take(),
        max_length: s.max_length,
    };
    let (mut suspected_text, mut suspected_numbers) = (vec![], vec![]);
    for p in &s.suspected {
        match (
            numeric_text(&p.value),
            s.numbers.is_some() || s.sketch.is_some(),
        ) {
            (Some(x), true) => suspected_numbers.push(x),
            _ => suspected_text.push(p.value.clone()),
        }
    }
    let edges = numbers::decile_edges(&mut s.sorted, &suspected_numbers);
    let report = ColumnReport {
        name: s.name,
        dtype: plan.dtype.clone(),
        kind: s.kind,
        rows,
        missing,
        distinct: s.distinct,
        distinct_exact: s.distinct_exact,
        distinct_sketch,
        top: s.top,
        numeric_sketch: s.sketch.as_ref().map(|sn| NumericSketchInfo {
            exact: sn.sketch.counts_exact(),
            k: sn.sketch.k(),
            rank_error: sn.sketch.rank_error(),
        }),
        numeric: s.profile,
        integral: s.integral,
        infinite: s.infinite,
        text: s.text_facts,
        score,
        checks: checks.iter().map(|c| c.id.clone()).collect(),
    };
    Ok(ColumnOut {
        report,
        checks,
        facts,
        numbers: s.numbers,
        edges,
        suspected_text,
        suspected_numbers,
        sketched: s.sketch.map(|sn| sn.groups),
    })
}
