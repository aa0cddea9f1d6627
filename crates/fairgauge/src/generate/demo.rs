//! The bundled demonstration: UCI Adult's training split as the reference and its test split as
//! the current data, each with a `prediction` column made by a fixed rule shipped here, so that
//! `fairgauge demo` runs a whole assessment reproducibly without a trained model.
//!
//! The rule (a hand-written stand-in for a model, in the spirit of the one-rule classifiers
//! studied on this dataset): predict `>50K` when the person is married (`marital-status` starts
//! with `Married`) and has at least 13 years of education (`education-num` ≥ 13, a bachelor's
//! degree or more), or has capital gains of at least 5,000; otherwise `<=50K`. It inherits the
//! data's associations (marital status is a strong proxy for sex), which is what the demo shows.

use std::path::Path;

use crate::error::{Error, Result};
use crate::io::frame::{for_each_batch, Visit};
use crate::io::source::Table;
use crate::io::text::canonical_number;

/// The rule's decision from one row's values.
pub fn rule(
    marital_status: Option<&str>,
    education_num: Option<f64>,
    capital_gain: Option<f64>,
) -> bool {
    let married = marital_status.is_some_and(|m| m.starts_with("Married"));
    let educated = education_num.is_some_and(|e| e >= 13.0);
    let gains = capital_gain.is_some_and(|g| g >= 5000.0);
    (married && educated) || gains
}

struct Collect<'a> {
    rules: &'a crate::io::text::TextRules,
    out: Vec<Option<String>>,
}

impl Visit for Collect<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        self.out
            .push(v.and_then(|s| self.rules.apply(s)).map(|s| s.to_string()));
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        self.out.push(v.and_then(canonical_number));
    }
    fn boolean(&mut self, _row: usize, v: Option<bool>) {
        self.out.push(v.map(|b| b.to_string()));
    }
}

/// Writes `table` (read through its schema file) as a headed CSV with a `prediction` column made
/// by [`rule`]; nulls are written as empty fields. Returns the number of rows. Atomic (a
/// temporary file, then a rename).
pub fn write_scored(table: &Table, out: &Path) -> Result<u64> {
    let names = table.column_names()?;
    let need = ["marital-status", "education-num", "capital-gain"];
    table.require_columns(&need)?;
    let rules: Vec<crate::io::text::TextRules> =
        names.iter().map(|n| table.text_rules(n)).collect();
    let idx = |c: &str| names.iter().position(|n| n == c).unwrap_or(0);
    let (im, ie, ig) = (idx(need[0]), idx(need[1]), idx(need[2]));
    crate::io::write::write_csv_atomic(out, false, |w| {
        let csv_err = |e| crate::io::write::csv_error(out, e);
        w.write_record(names.iter().map(String::as_str).chain(["prediction"]))
            .map_err(csv_err)?;
        let mut rows = 0u64;
        for_each_batch(table, &names, |batch, _| {
            let mut cols = Vec::with_capacity(names.len());
            for (n, r) in names.iter().zip(&rules) {
                let mut c = Collect {
                    rules: r,
                    out: Vec::with_capacity(batch.len()),
                };
                batch.visit(n, &mut c).map_err(|m| Error::BadColumn {
                    path: table.path.clone(),
                    column: n.clone(),
                    message: m,
                })?;
                cols.push(c.out);
            }
            for r in 0..batch.len() {
                if cols.iter().all(|c| c[r].is_none()) {
                    continue; // a blank line
                }
                let num = |i: usize| cols[i][r].as_deref().and_then(|s| s.parse::<f64>().ok());
                let pred = rule(cols[im][r].as_deref(), num(ie), num(ig));
                let fields = cols.iter().map(|c| c[r].as_deref().unwrap_or_default());
                w.write_record(fields.chain([if pred { ">50K" } else { "<=50K" }]))
                    .map_err(csv_err)?;
                rows += 1;
            }
            Ok(())
        })?;
        Ok(rows)
    })
}

#[cfg(test)]
mod tests {
    use super::rule;

    #[test]
    fn the_rule() {
        assert!(rule(Some("Married-civ-spouse"), Some(13.0), Some(0.0)));
        assert!(!rule(Some("Married-civ-spouse"), Some(12.0), Some(0.0)));
        assert!(!rule(Some("Never-married"), Some(16.0), None));
        assert!(rule(Some("Never-married"), Some(9.0), Some(5000.0)));
        assert!(!rule(None, None, None));
    }
}
