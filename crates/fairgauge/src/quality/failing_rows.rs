//! The rows that break a rule, written as CSV: a second pass over the table.

use super::read::*;
use super::report::*;
use super::spec::*;
use crate::error::Result;
use crate::io::frame::{column_kinds, for_each_batch};
use crate::io::source::Table;
use crate::io::text::canonical_number;
use crate::io::write::{csv_error, defused, write_csv_atomic};
use crate::quality::rules::Cell;
use fairgauge_core::fingerprint::numeric_text;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

/// Writes every row that breaks a rule of `spec.rules` to `path` as CSV (`rule,column,row,value`;
/// rows 1-based, in file order, then by column and rule), a record at a time and atomically, with
/// names and values defused against spreadsheet formula injection
/// ([`defused`](crate::io::write::defused)); returns the number of records. A second pass over the
/// table: values are judged as in the report (`report` is the first pass's result), uniqueness
/// from value counts of a counting pass. Without rules, the file has the header only.
pub fn write_failing_rows(
    table: &Table,
    spec: &QualitySpec,
    report: &QualityReport,
    path: &Path,
) -> Result<u64> {
    let Some(rules) = &spec.rules else {
        return write_csv_atomic(path, false, |w| {
            w.write_record(["rule", "column", "row", "value"])
                .map_err(|e| csv_error(path, e))?;
            Ok(0)
        });
    };
    let table = &table.with_countable_nulls();
    let kinds = column_kinds(table)?;
    let ruled: Vec<(String, &crate::quality::rules::CompiledRules, bool)> = rules
        .columns
        .iter()
        .map(|(c, r)| {
            let numeric_text = report
                .columns
                .iter()
                .any(|col| &col.name == c && col.kind == "numeric_text");
            (c.clone(), r, numeric_text)
        })
        .collect();
    let names: Vec<String> = ruled.iter().map(|r| r.0.clone()).collect();
    let ctx = Ctx::plain(table, &kinds, &names);
    let empty: FxHashSet<u64> = report.empty_positions.iter().copied().collect();
    let unique_cols: Vec<usize> = (0..ruled.len())
        .filter(|&i| ruled[i].1.declared.unique == Some(true))
        .collect();
    let mut counts: Vec<FxHashMap<u128, u64>> = vec![FxHashMap::default(); ruled.len()];
    if !unique_cols.is_empty() {
        for_each_batch(table, &names, |batch, offset| {
            for &i in &unique_cols {
                let cells = ctx.materialise(&batch, i)?;
                let mut nn = vec![0u32; batch.len()];
                let h = ctx.cell_hashes(i, &cells, &mut nn);
                for (r, (h, nn)) in h.iter().zip(&nn).enumerate() {
                    if *nn > 0
                        && !empty.contains(&((offset + r) as u64))
                        && !matches!(
                            rule_cell(&cells, r, ruled[i].1, ruled[i].2).0,
                            Cell::Missing
                        )
                    {
                        *counts[i].entry(*h).or_default() += 1;
                    }
                }
            }
            Ok(())
        })?;
    }
    write_csv_atomic(path, false, |w| {
        w.write_record(["rule", "column", "row", "value"])
            .map_err(|e| csv_error(path, e))?;
        let mut records = 0u64;
        for_each_batch(table, &names, |batch, offset| {
            let cells: Vec<Cells> = (0..ruled.len())
                .map(|i| ctx.materialise(&batch, i))
                .collect::<Result<_>>()?;
            let hashes: Vec<Vec<u128>> = unique_cols
                .iter()
                .map(|&i| {
                    let mut nn = vec![0u32; batch.len()];
                    ctx.cell_hashes(i, &cells[i], &mut nn)
                })
                .collect();
            #[allow(clippy::needless_range_loop)]
            for r in 0..batch.len() {
                let row = (offset + r) as u64;
                if empty.contains(&row) {
                    continue;
                }
                for (i, (name, rr, numeric_text_col)) in ruled.iter().enumerate() {
                    let (cell, value) = rule_cell(&cells[i], r, rr, *numeric_text_col);
                    let mut kinds = rr.failures(cell);
                    if let Some(u) = unique_cols.iter().position(|&c| c == i) {
                        if !matches!(cell, Cell::Missing)
                            && counts[i].get(&hashes[u][r]).is_some_and(|&c| c > 1)
                        {
                            kinds.push("unique");
                        }
                    }
                    let number = (row + 1).to_string();
                    let value = value.as_deref().map(defused).unwrap_or_default();
                    for k in kinds {
                        w.write_record([
                            k,
                            defused(name).as_ref(),
                            number.as_str(),
                            value.as_ref(),
                        ])
                        .map_err(|e| csv_error(path, e))?;
                        records += 1;
                    }
                }
            }
            Ok(())
        })?;
        Ok(records)
    })
}

/// A cell as the rules see it (as in the first pass).
pub(crate) fn rule_cell<'c>(
    cells: &'c Cells,
    r: usize,
    rules: &crate::quality::rules::CompiledRules,
    numeric_text_col: bool,
) -> (Cell<'c>, Option<String>) {
    match cells {
        Cells::Num(v) => {
            let x = v[r];
            if x.is_nan() {
                (Cell::Missing, None)
            } else {
                (Cell::Number(x), canonical_number(x))
            }
        }
        Cells::Text { dict, codes, .. } => {
            if codes[r] == NULL_CODE {
                return (Cell::Missing, None);
            }
            let s = dict[codes[r] as usize].as_str();
            if s.trim().is_empty() {
                return (Cell::Missing, Some(s.to_string()));
            }
            let numeric_rule = rules.compares_numbers();
            match numeric_text(s) {
                Some(x) if numeric_text_col || numeric_rule => {
                    (Cell::Number(x), Some(s.to_string()))
                }
                _ => (Cell::Text(s), Some(s.to_string())),
            }
        }
    }
}
