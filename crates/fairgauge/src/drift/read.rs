//! Reading a column into what drift compares: its values (or, bounded, a KLL sketch with exact
//! moments), category counts and null, NaN and infinite counts.

use crate::error::{Error, Result};
use crate::io::coded::Values;
use crate::io::frame::{for_each_coded_batch, row_count_hint, ColumnKind, Visit};
use crate::io::source::Table;
use crate::io::text::TextRules;
use fairgauge_core::drift::KllSketch;
use fairgauge_core::stats::moments::Moments;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Accumulated values of one column in one table.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct ColumnAcc {
    pub(crate) values: Vec<f64>,
    pub(crate) sketch: Option<SketchAcc>,
    pub(crate) counts: FxHashMap<String, u64>,
    pub(crate) nulls: u64,
    pub(crate) nan: u64,
    pub(crate) inf: u64,
}

/// A numeric column in sketch mode: a KLL sketch, exact moments (Welford) and the first few
/// distinct values (enough for the auto rule's "more than 5").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SketchAcc {
    pub(crate) sketch: KllSketch,
    pub(crate) moments: Moments,
    pub(crate) distinct: Vec<f64>,
}

impl SketchAcc {
    pub(crate) fn new(k: u16) -> Result<Self> {
        Ok(SketchAcc {
            sketch: KllSketch::new(k)?,
            moments: Moments::default(),
            distinct: vec![],
        })
    }
    pub(crate) fn push(&mut self, x: f64) {
        // x is finite (checked by the caller), so the sketch accepts it.
        let _ = self.sketch.update(x);
        self.moments.push(x);
        if self.distinct.len() < 6 && !self.distinct.contains(&x) {
            self.distinct.push(x);
        }
    }
    /// Adds another part's sketch and moments (Chan et al.'s parallel update of the mean and
    /// the sum of squared deviations).
    pub(crate) fn merge(&mut self, o: &SketchAcc) -> Result<()> {
        self.sketch.merge(&o.sketch)?;
        self.moments.merge(&o.moments);
        for &x in &o.distinct {
            if self.distinct.len() < 6 && !self.distinct.contains(&x) {
                self.distinct.push(x);
            }
        }
        Ok(())
    }
    pub(crate) fn sd(&self) -> f64 {
        self.moments.population_sd()
    }
}

pub(crate) struct AccVisitor<'a> {
    pub(crate) acc: &'a mut ColumnAcc,
    pub(crate) rules: &'a TextRules,
}

impl Visit for AccVisitor<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        match v.and_then(|s| self.rules.apply(s)) {
            None => self.acc.nulls += 1,
            Some(s) => match self.acc.counts.get_mut(s) {
                Some(c) => *c += 1,
                None => {
                    self.acc.counts.insert(s.to_string(), 1);
                }
            },
        }
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        match v {
            None => self.acc.nulls += 1,
            Some(x) if x.is_nan() => self.acc.nan += 1,
            Some(x) if x.is_infinite() => self.acc.inf += 1,
            Some(x) => match &mut self.acc.sketch {
                Some(sk) => sk.push(x),
                None => self.acc.values.push(x),
            },
        }
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        self.text(row, v.map(|b| if b { "true" } else { "false" }));
    }
    /// Text codes are counted per code first, then each distinct value's count is added once
    /// (the same counts as a row at a time); numbers are taken a row at a time in row order (a
    /// sketch depends on the order).
    fn coded(&mut self, _first_row: usize, codes: &[u32], values: &Values, _nulls: bool) {
        match values {
            Values::Text(texts) => {
                let mut per = vec![0u64; texts.len()];
                for &c in codes {
                    match per.get_mut(c as usize) {
                        Some(n) => *n += 1,
                        None => self.acc.nulls += 1, // NULL_CODE
                    }
                }
                for (text, &n) in texts.iter().zip(&per) {
                    if n == 0 {
                        continue;
                    }
                    match self.rules.apply(text) {
                        None => self.acc.nulls += n,
                        Some(s) => match self.acc.counts.get_mut(s) {
                            Some(c) => *c += n,
                            None => {
                                self.acc.counts.insert(s.to_string(), n);
                            }
                        },
                    }
                }
            }
            Values::Number(xs) => {
                for &c in codes {
                    self.number(0, xs.get(c as usize).copied());
                }
            }
        }
    }
    fn numbers(&mut self, _first_row: usize, values: &[f64]) {
        if self.acc.sketch.is_none() && values.iter().all(|x| x.is_finite()) {
            self.acc.values.extend_from_slice(values);
        } else {
            for &x in values {
                self.number(0, Some(x));
            }
        }
    }
}

pub(crate) fn read_columns(
    table: &Table,
    kinds: &[(String, ColumnKind, String)],
    columns: &[String],
    sketch: Option<u16>,
) -> Result<(Vec<ColumnAcc>, u64)> {
    let rules: Vec<TextRules> = columns.iter().map(|c| table.text_rules(c)).collect();
    let mut accs: Vec<ColumnAcc> = Vec::with_capacity(columns.len());
    let hint = row_count_hint(table).unwrap_or(0);
    for c in columns {
        let numeric = kinds
            .iter()
            .any(|k| &k.0 == c && k.1 == ColumnKind::Numeric);
        accs.push(ColumnAcc {
            sketch: sketch.map(SketchAcc::new).transpose()?,
            // Exact numeric columns keep every value: size the buffer once when the file says
            // how many rows it has.
            values: if numeric && sketch.is_none() {
                Vec::with_capacity(hint)
            } else {
                Vec::new()
            },
            ..Default::default()
        });
    }
    let mut rows = 0u64;
    let blank = for_each_coded_batch(table, columns, |batch, _| {
        rows += batch.len() as u64;
        accs.par_iter_mut()
            .zip(columns.par_iter().zip(rules.par_iter()))
            .try_for_each(|(acc, (c, r))| batch.visit(c, &mut AccVisitor { acc, rules: r }))
            .map_err(|message| Error::Read {
                path: table.path.clone(),
                message,
            })
    })?;
    // polars reads each blank CSV line as a row of nulls: take them back out.
    rows = rows.saturating_sub(blank);
    for a in accs.iter_mut() {
        a.nulls = a.nulls.saturating_sub(blank);
    }
    Ok((accs, rows))
}
