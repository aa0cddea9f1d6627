//! Reading a table into an estimate's state: each row's score (a probability in `[0, 1]`), its
//! decision (the prediction column, or the score at the threshold), its label on the reference,
//! and its group of each sensitive attribute, counted into the core's score histograms a slice
//! at a time and in parallel.

use super::spec::EstimateSpec;
use crate::error::{Error, Result};
use crate::fairness::part::Ctx;
use crate::fairness::spec::{FairnessSpec, Task};
use crate::fairness::visit::{BinaryVisitor, Distinct, ScoreVisitor};
use crate::io::frame::{for_each_coded_batch, Batch};
use crate::io::source::Table;
use crate::io::text::canonical_text;
use fairgauge_core::estimate::cells::{fold_of, reference_cell};
use fairgauge_core::estimate::state::GroupedCells;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// The fewest rows per parallel slice of a batch. A batch is split into one slice per thread
/// (at least this long): each slice's histograms are sorted once, and fewer slices mean fewer
/// merges, which cost more than the sorts.
const MIN_SLICE_ROWS: usize = 1 << 16;

/// What a table held besides its histograms: the label's and the decision's values.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Seen {
    pub(crate) label: Distinct,
    pub(crate) prediction: Distinct,
    pub(crate) rows: u64,
}

impl Seen {
    pub(crate) fn merge(&mut self, o: &Seen) {
        self.label.merge(&o.label);
        self.prediction.merge(&o.prediction);
        self.rows += o.rows;
    }
}

/// The roles of one table as the fairness readers take them (`label` empty when unlabelled).
pub(crate) fn fairness_roles(spec: &EstimateSpec, label: Option<&str>) -> FairnessSpec {
    FairnessSpec {
        label: label.unwrap_or_default().to_string(),
        prediction: spec.prediction.clone(),
        score: Some(spec.score.clone()),
        threshold: spec.threshold,
        sensitive: spec.sensitive.clone(),
        positive_label: spec.positive_label.clone(),
        weight: None,
        task: Task::Binary,
        above_threshold: None,
        keep_labels: false,
        ranking: None,
        probabilistic: vec![],
    }
}

/// Reads `table` into a state of `N` cells; `labelled` reads the spec's label too (the
/// reference). The columns must exist and be distinct. `first_row` is the table's first row in
/// the whole (0, or a partition's offset): it numbers rows in errors and picks each reference
/// row's fold.
pub(crate) fn read_state<const N: usize>(
    table: &Table,
    spec: &EstimateSpec,
    labelled: bool,
    first_row: usize,
) -> Result<(GroupedCells<N>, Seen)> {
    let roles = fairness_roles(spec, labelled.then_some(spec.label.as_str()));
    let mut columns: Vec<String> = Vec::new();
    if labelled {
        columns.push(spec.label.clone());
    }
    columns.push(spec.score.clone());
    columns.extend(spec.prediction.iter().cloned());
    columns.extend(spec.sensitive.iter().cloned());
    let mut distinct = BTreeSet::new();
    for c in &columns {
        if !distinct.insert(c) {
            return Err(Error::InvalidOption(format!(
                "column `{c}` is given for two roles; label, score, prediction and sensitive attributes must be different columns"
            )));
        }
    }
    table.require_columns(&columns.iter().map(|s| s.as_str()).collect::<Vec<_>>())?;
    let ctx = Ctx {
        table,
        spec: &roles,
        positive: spec.positive_label.as_deref().map(canonical_text),
        rules: columns
            .iter()
            .map(|c| (c.clone(), table.text_rules(c)))
            .collect(),
    };
    let mut state = GroupedCells::<N>::new(&spec.sensitive);
    let mut seen = Seen::default();
    let blank = for_each_coded_batch(table, &columns, |batch, offset| {
        // The slices' histograms are merged in a tree (in parallel), then once into the whole:
        // merging each slice into the growing whole would copy it once per slice.
        let slice_rows = batch
            .len()
            .div_ceil(rayon::current_num_threads())
            .max(MIN_SLICE_ROWS);
        let starts: Vec<usize> = (0..batch.len()).step_by(slice_rows).collect();
        let merged = starts
            .par_iter()
            .map(|&s| {
                let len = slice_rows.min(batch.len() - s);
                read_slice(
                    &ctx,
                    spec,
                    labelled,
                    &batch.slice(s, len),
                    first_row + offset + s,
                )
            })
            .try_reduce_with(|mut a, b| {
                a.0.merge(&b.0);
                a.1.merge(&b.1);
                Ok(a)
            });
        if let Some(part) = merged {
            let (p, s) = part?;
            state.merge(&p);
            seen.merge(&s);
        }
        Ok(())
    })?;
    // polars reads each blank CSV line as a row of nulls: take them back out.
    state.excluded = state.excluded.saturating_sub(blank);
    seen.rows = seen.rows.saturating_sub(blank);
    Ok((state, seen))
}

fn read_slice<const N: usize>(
    ctx: &Ctx<'_>,
    spec: &EstimateSpec,
    labelled: bool,
    batch: &Batch,
    first_row: usize,
) -> Result<(GroupedCells<N>, Seen)> {
    let n = batch.len();
    let mut seen = Seen {
        rows: n as u64,
        ..Seen::default()
    };
    let score = read_scores(ctx, &spec.score, batch, first_row)?;
    let decision: Vec<Option<bool>> = match &spec.prediction {
        Some(p) => {
            let mut v = BinaryVisitor::new(&ctx.rules[p], ctx.positive.as_deref(), n);
            ctx.visit(batch, p, &mut v)?;
            seen.prediction = v.distinct;
            v.out
        }
        None => score
            .iter()
            .map(|s| s.map(|s| s >= spec.threshold))
            .collect(),
    };
    let label: Option<Vec<Option<bool>>> = if labelled {
        let mut v = BinaryVisitor::new(&ctx.rules[&spec.label], ctx.positive.as_deref(), n);
        ctx.visit(batch, &spec.label, &mut v)?;
        seen.label = v.distinct;
        Some(v.out)
    } else {
        None
    };
    let cells: Vec<Option<(f64, u8)>> = (0..n)
        .map(|i| {
            let (s, d) = (score[i]?, decision[i]?);
            match &label {
                Some(l) => {
                    let fold = fold_of((first_row + i) as u64);
                    Some((s, reference_cell(fold, l[i]?, d)))
                }
                None => Some((s, d as u8)),
            }
        })
        .collect();
    let attrs = ctx.read_attributes(batch)?;
    let mut groups = Vec::with_capacity(attrs.len());
    let mut levels = Vec::with_capacity(attrs.len());
    for a in &attrs {
        // The null level (if any) becomes `None`; the others keep their codes in order.
        let mut map = Vec::with_capacity(a.levels.len());
        let mut names = Vec::new();
        for l in &a.levels {
            match l {
                Some(name) => {
                    map.push(Some(names.len() as u32));
                    names.push(name.clone());
                }
                None => map.push(None),
            }
        }
        groups.push(a.codes.iter().map(|&c| map[c as usize]).collect());
        levels.push(names);
    }
    let mut state = GroupedCells::<N>::new(&spec.sensitive);
    state.update(&cells, &groups, &levels);
    Ok((state, seen))
}

/// The score column of a slice: numbers in `[0, 1]`, nulls kept as `None`.
fn read_scores(
    ctx: &Ctx<'_>,
    column: &str,
    batch: &Batch,
    first_row: usize,
) -> Result<Vec<Option<f64>>> {
    let mut v = ScoreVisitor {
        rules: &ctx.rules[column],
        out: Vec::with_capacity(batch.len()),
        bad: None,
    };
    ctx.visit(batch, column, &mut v)?;
    if let Some(bad) = v.bad {
        return Err(ctx.not_a_number(column, bad, first_row, "scores are probabilities in [0, 1]"));
    }
    for (i, x) in v.out.iter().enumerate() {
        if let Some(x) = x {
            if !(0.0..=1.0).contains(x) {
                return Err(ctx.bad(
                    column,
                    format!(
                        "score {x} at data row {} is outside [0, 1] (scores are probabilities; NaN is not allowed)",
                        first_row + i + 1
                    ),
                ));
            }
        }
    }
    Ok(v.out)
}
