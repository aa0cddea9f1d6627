//! Finishing the table: the dataset-level checks (one module each: [`rows`], [`duplicates`],
//! [`labels`], [`leakage`], [`groups`], [`proxies`]), every column finished
//! ([`crate::quality::column`]), and the score. [`hashes`] groups equal row hashes in memory
//! or in the bounded mode's spills; [`scope`] is what the checks read.

pub mod duplicates;
pub mod groups;
pub mod hashes;
pub mod labels;
pub mod leakage;
pub mod proxies;
pub mod rows;
pub mod scope;

use rayon::prelude::*;

use crate::error::Result;
use crate::quality::aggregate::Agg;
use crate::quality::column::{finish_column, ColumnOut};
use crate::quality::read::Ctx;
use crate::quality::report::{Check, ColumnReport, DatasetReport, QualityReport, Status, Summary};
use crate::quality::rules::ColumnFacts;
use crate::quality::score::{round1, weighted_score};
use crate::quality::spec::QualitySpec;
use groups::{ColumnData, GroupTables};
use leakage::LeakReference;
use scope::{finish_bounded, Scope};

/// The quality report of a table from its aggregate: `blank` CSV lines (read as empty rows) are
/// left out; `leak` is the reference to compare with, if any.
pub(crate) fn finish(
    ctx: &Ctx<'_>,
    spec: &QualitySpec,
    mut agg: Agg,
    blank: u64,
    file_sha256: Option<String>,
    leak: Option<LeakReference>,
) -> Result<QualityReport> {
    let t = Scope {
        ctx,
        spec,
        bounded: finish_bounded(agg.bounded.take())?,
        // Blank CSV lines came in as empty rows at their place in the file: drop them.
        rows: agg.rows.saturating_sub(blank),
        empty_rows: (agg.empty_rows.len() as u64).saturating_sub(blank),
        examples: spec.examples.max(1),
    };
    let fingerprints = rows::fingerprints(&t, &agg, file_sha256);
    let mut checks = rows::empty_row_checks(&t, &agg);
    let (duplicates, check) = duplicates::duplicates(&t, &agg)?;
    checks.push(check);
    let duplicate_keys = duplicates::duplicate_keys(&t, &agg)?.map(|(d, check)| {
        checks.push(check);
        d
    });
    let (label, conflicting_labels) = labels::label_checks(&t, &agg, &mut checks)?;
    let leakage = match leak {
        Some(l) => {
            let (leakage, check) = leakage::leakage(&t, &agg, l)?;
            checks.push(check);
            Some(leakage)
        }
        None => None,
    };
    // Group tables, before the columns are taken apart.
    let mut tables = GroupTables::new(&t, &agg);
    let (columns, facts, data) = finish_columns(&t, &mut agg, &mut checks)?;
    tables.count_suspected_as_missing(&agg, &data);
    let mut missingness = vec![];
    let mut proxies = vec![];
    let mut skipped = vec![];
    for (a, &si) in ctx.sens.iter().enumerate() {
        let (m, check) = groups::missingness_by_group(&t, &agg, &tables, a, si);
        missingness.extend(m);
        checks.push(check);
        let (p, c) = proxies::proxies(&t, &agg, &data, &mut tables, (a, si), &mut skipped);
        proxies.extend(p);
        checks.extend(c);
    }
    let (score, summary, status) = summarise(&checks, &columns);
    // Dataset checks first, then columns in file order (already in that order).
    checks.sort_by_key(|c| !c.id.starts_with("dataset."));
    Ok(QualityReport {
        dataset: DatasetReport {
            path: ctx.table.name().to_path_buf(),
            format: ctx.table.format_name(),
            rows: t.rows,
            columns: ctx.cols.len(),
            empty_rows: t.empty_rows,
            duplicates,
            duplicate_keys,
            label,
            conflicting_labels,
            leakage,
            missingness_by_group: missingness,
            proxies,
            fingerprints,
            score,
            status,
        },
        columns,
        checks,
        summary,
        thresholds: spec.thresholds.clone(),
        rules: spec.rules.as_ref().map(|r| r.path.clone()),
        skipped,
        facts,
        empty_positions: agg.empty_rows,
        reference_facts: None,
    })
}

/// Every column finished, in parallel; their checks appended to `checks`.
fn finish_columns(
    t: &Scope<'_>,
    agg: &mut Agg,
    checks: &mut Vec<Check>,
) -> Result<(Vec<ColumnReport>, Vec<ColumnFacts>, ColumnData)> {
    let n_profiled = t.rows - t.empty_rows;
    let col_aggs = std::mem::take(&mut agg.cols);
    let row_hashes = &agg.row_hashes;
    let outs: Vec<ColumnOut> = col_aggs
        .into_par_iter()
        .zip(t.ctx.cols.par_iter())
        .map(|(ca, plan)| finish_column(t.spec, plan, ca, n_profiled, row_hashes))
        .collect::<Result<_>>()?;
    let mut columns = vec![];
    let mut facts = vec![];
    let mut data = ColumnData {
        numbers: vec![],
        edges: vec![],
        suspected: vec![],
        sketched: vec![],
    };
    for o in outs {
        checks.extend(o.checks);
        columns.push(o.report);
        facts.push(o.facts);
        data.numbers.push(o.numbers);
        data.sketched.push(o.sketched);
        data.edges.push(o.edges);
        data.suspected.push((o.suspected_text, o.suspected_numbers));
    }
    Ok((columns, facts, data))
}

/// The table's score (half the dataset checks' weighted score, half the columns' mean), the
/// verdict counts and the worst verdict.
fn summarise(checks: &[Check], columns: &[ColumnReport]) -> (f64, Summary, Status) {
    let dataset_checks: Vec<&Check> = checks
        .iter()
        .filter(|c| c.id.starts_with("dataset."))
        .collect();
    let dataset_score = weighted_score(&dataset_checks);
    let col_mean = if columns.is_empty() {
        100.0
    } else {
        columns.iter().map(|c| c.score).sum::<f64>() / columns.len() as f64
    };
    let score = round1(0.5 * dataset_score + 0.5 * col_mean);
    let mut summary = Summary {
        pass: 0,
        warn: 0,
        fail: 0,
    };
    for c in checks {
        match c.status {
            Status::Pass => summary.pass += 1,
            Status::Warn => summary.warn += 1,
            Status::Fail => summary.fail += 1,
        }
    }
    let status = checks
        .iter()
        .map(|c| c.status)
        .max()
        .unwrap_or(Status::Pass);
    (score, summary, status)
}
