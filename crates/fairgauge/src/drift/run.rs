//! Running drift: in one process ([`run_drift`]), or as parts computed apart and finished
//! together ([`plan_drift`], [`drift_part`], [`finish_drift`]).

use super::compute::*;
use super::read::*;
use super::report::*;
use super::spec::*;
use crate::error::{Error, Result};
use crate::io::frame::{column_kinds, ColumnKind};
use crate::io::source::Table;
use fairgauge_core::drift::correction;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Compares `current` against `reference`.
pub fn run_drift(reference: &Table, current: &Table, spec: &DriftSpec) -> Result<DriftReport> {
    let plan = plan_drift(reference, current, spec)?;
    let r = drift_part(reference, &plan, Side::Reference)?;
    let c = drift_part(current, &plan, Side::Current)?;
    finish_drift(reference, current, &plan, r, c, spec)
}

/// Which table of a comparison a [`DriftPart`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// The reference table.
    Reference,
    /// The current table.
    Current,
}

/// What a drift comparison reads: the columns both tables have (by the schemas alone), with
/// each table's column kinds and the columns left out with the reason. Planned once, from the
/// schemas, so that every part of a table is read alike.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriftPlan {
    pub(crate) rk: Vec<(String, ColumnKind, String)>,
    pub(crate) ck: Vec<(String, ColumnKind, String)>,
    pub(crate) columns: Vec<String>,
    pub(crate) skipped: BTreeMap<String, String>,
    pub(crate) sketch: Option<u16>,
}

impl DriftPlan {
    /// The columns compared.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
}

/// The accumulated values of the planned columns over part of one table (a Spark partition, a
/// shard): counts for categories, and for numbers either every value (exact mode: the part is
/// as large as its numeric cells) or a KLL sketch with moments (`sketch`: sized by `k`).
/// Parts of a table merge in any order ([`DriftPart::merge`]) except that exact values keep
/// their order: merge parts in row order for bit-identical sums.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DriftPart {
    pub(crate) side: Side,
    pub(crate) accs: Vec<ColumnAcc>,
    pub(crate) rows: u64,
}

impl DriftPart {
    /// The part of no rows.
    pub fn empty(plan: &DriftPlan, side: Side) -> Result<DriftPart> {
        Ok(DriftPart {
            side,
            accs: plan
                .columns
                .iter()
                .map(|_| {
                    Ok(ColumnAcc {
                        sketch: plan.sketch.map(SketchAcc::new).transpose()?,
                        ..Default::default()
                    })
                })
                .collect::<Result<_>>()?,
            rows: 0,
        })
    }

    /// Adds the next part of the same table.
    pub fn merge(&mut self, o: DriftPart) -> Result<()> {
        if o.side != self.side || o.accs.len() != self.accs.len() {
            return Err(Error::InvalidOption(
                "drift parts of different tables or plans cannot be merged".into(),
            ));
        }
        self.rows += o.rows;
        for (a, b) in self.accs.iter_mut().zip(o.accs) {
            a.values.extend_from_slice(&b.values);
            match (&mut a.sketch, &b.sketch) {
                (Some(x), Some(y)) => x.merge(y)?,
                (None, None) => {}
                _ => {
                    return Err(Error::InvalidOption(
                        "a sketched and an exact drift part cannot be merged".into(),
                    ))
                }
            }
            for (k, c) in b.counts {
                *a.counts.entry(k).or_insert(0) += c;
            }
            a.nulls += b.nulls;
            a.nan += b.nan;
            a.inf += b.inf;
        }
        Ok(())
    }

    /// The compact binary form ([`fairgauge_core::state_codec`], kind `DriftPart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(fairgauge_core::state_codec::StateKind::DriftPart, self)
    }

    /// Reads an encoded part.
    pub fn decode(bytes: &[u8]) -> Result<DriftPart> {
        crate::io::part_codec::decode(
            fairgauge_core::state_codec::StateKind::DriftPart,
            bytes,
            "a drift part",
        )
    }
}

/// Plans a comparison from the two tables' schemas (no rows are read).
pub fn plan_drift(reference: &Table, current: &Table, spec: &DriftSpec) -> Result<DriftPlan> {
    let bins = spec.bins.unwrap_or(10);
    if bins < 2 {
        return Err(Error::InvalidOption(format!(
            "--bins must be at least 2, given {bins}"
        )));
    }
    let dataset_threshold = spec.dataset_threshold.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&dataset_threshold) {
        return Err(Error::InvalidOption(format!(
            "the dataset threshold is a share in [0, 1], given {dataset_threshold}"
        )));
    }
    if let Some(t) = spec.threshold {
        if !(t.is_finite() && t >= 0.0) {
            return Err(Error::InvalidOption(format!(
                "the threshold must be a non-negative number, given {t}"
            )));
        }
    }
    let rk = column_kinds(reference)?;
    let ck = column_kinds(current)?;
    let mut skipped = BTreeMap::new();
    let names: Vec<String> = match &spec.columns {
        Some(cols) => {
            for c in cols {
                for (t, kinds) in [(reference, &rk), (current, &ck)] {
                    if !kinds.iter().any(|k| &k.0 == c) {
                        return Err(Error::ColumnNotFound {
                            path: t.path.clone(),
                            column: c.clone(),
                            available: kinds
                                .iter()
                                .map(|k| k.0.clone())
                                .collect::<Vec<_>>()
                                .join(", "),
                        });
                    }
                }
            }
            cols.clone()
        }
        None => {
            for (name, _, _) in &rk {
                if !ck.iter().any(|k| &k.0 == name) {
                    skipped.insert(
                        name.clone(),
                        format!("missing from the current table {}", current.path.display()),
                    );
                }
            }
            for (name, _, _) in &ck {
                if !rk.iter().any(|k| &k.0 == name) {
                    skipped.insert(
                        name.clone(),
                        format!(
                            "missing from the reference table {}",
                            reference.path.display()
                        ),
                    );
                }
            }
            rk.iter()
                .filter(|k| ck.iter().any(|c| c.0 == k.0))
                .map(|k| k.0.clone())
                .collect()
        }
    };
    for e in &spec.exclude {
        if !rk.iter().any(|k| &k.0 == e) && !ck.iter().any(|k| &k.0 == e) {
            return Err(Error::InvalidOption(format!(
                "--exclude `{e}`: no such column in either table"
            )));
        }
    }
    for c in spec.column_methods.keys() {
        if !names.contains(c) {
            return Err(Error::InvalidOption(format!(
                "--column-method for `{c}`, which is not compared"
            )));
        }
    }
    let mut columns: Vec<String> = vec![];
    for n in names {
        if spec.exclude.contains(&n) {
            continue;
        }
        let kr = rk.iter().find(|k| k.0 == n).map(|k| (k.1, k.2.clone()));
        let kc = ck.iter().find(|k| k.0 == n).map(|k| (k.1, k.2.clone()));
        if let (Some((ColumnKind::Other, t)), _) | (_, Some((ColumnKind::Other, t))) = (&kr, &kc) {
            skipped.insert(
                n.clone(),
                format!("type {t} is not compared (numbers, text and booleans are)"),
            );
            continue;
        }
        columns.push(n);
    }
    if columns.is_empty() {
        return Err(Error::InvalidOption("no column to compare".into()));
    }
    Ok(DriftPlan {
        rk,
        ck,
        columns,
        skipped,
        sketch: spec.sketch,
    })
}

/// Reads the planned columns of `table` (all of one side, or a part of it).
pub fn drift_part(table: &Table, plan: &DriftPlan, side: Side) -> Result<DriftPart> {
    let kinds = match side {
        Side::Reference => &plan.rk,
        Side::Current => &plan.ck,
    };
    let (accs, rows) = read_columns(table, kinds, &plan.columns, plan.sketch)?;
    Ok(DriftPart { side, accs, rows })
}

/// Compares the two sides' merged parts; `reference` and `current` name the tables in the
/// report (their rows are not read).
pub fn finish_drift(
    reference: &Table,
    current: &Table,
    plan: &DriftPlan,
    r: DriftPart,
    c: DriftPart,
    spec: &DriftSpec,
) -> Result<DriftReport> {
    let bins = spec.bins.unwrap_or(10);
    let dataset_threshold = spec.dataset_threshold.unwrap_or(0.5);
    if r.side != Side::Reference || c.side != Side::Current {
        return Err(Error::InvalidOption(
            "finish_drift takes the reference's part, then the current's".into(),
        ));
    }
    let (rk, ck, columns, skipped) = (&plan.rk, &plan.ck, &plan.columns, plan.skipped.clone());
    let (racc, rrows, cacc, crows) = (r.accs, r.rows, c.accs, c.rows);
    for (t, rows) in [(reference, rrows), (current, crows)] {
        if rows == 0 {
            return Err(Error::Format {
                path: t.path.clone(),
                message: "the table has no data rows".into(),
            });
        }
    }
    let jobs: Vec<(String, ColumnAcc, ColumnAcc)> = columns
        .iter()
        .cloned()
        .zip(racc.into_iter().zip(cacc))
        .map(|(n, (a, b))| (n, a, b))
        .collect();
    let results: Vec<Result<ColumnDrift>> = jobs
        .into_par_iter()
        .map(|(name, ra, ca)| {
            let kind_of = |kinds: &[(String, ColumnKind, String)]| {
                kinds.iter().find(|k| k.0 == name).map(|k| (k.1, k.2.clone())).unwrap_or((ColumnKind::Text, String::new()))
            };
            let (kr, tr) = kind_of(rk);
            let (kc, tc) = kind_of(ck);
            let text_r = reference.resolved.dtypes.get(&name) == Some(&crate::io::source::ColumnType::Str);
            let text_c = current.resolved.dtypes.get(&name) == Some(&crate::io::source::ColumnType::Str);
            let (rs, rnull, rinf) = settle(ra, kr == ColumnKind::Numeric, text_r);
            let (cs, cnull, cinf) = settle(ca, kc == ColumnKind::Numeric, text_c);
            let mut note = None;
            let (rs, cs) = match (rs, cs) {
                (Sample::Numeric(a), Sample::Categorical(b)) if b.is_empty() => (Sample::Numeric(a), Sample::Numeric(vec![])),
                (Sample::Categorical(a), Sample::Numeric(b)) if a.is_empty() => (Sample::Numeric(vec![]), Sample::Numeric(b)),
                (a @ Sample::Numeric(_), b @ Sample::Categorical(_)) | (a @ Sample::Categorical(_), b @ Sample::Numeric(_)) => {
                    // One table holds numbers, the other text: compare both as categories and say so.
                    note = Some(format!(
                        "numeric in one table and text in the other ({}: {}; {}: {}); compared as categories",
                        reference.path.display(),
                        if matches!(a, Sample::Numeric(_)) { format!("numbers ({tr})") } else { format!("text ({tr})") },
                        current.path.display(),
                        if matches!(b, Sample::Numeric(_)) { format!("numbers ({tc})") } else { format!("text ({tc})") },
                    ));
                    if matches!(a, Sample::Sketched(_)) || matches!(b, Sample::Sketched(_)) {
                        return Err(Error::InvalidOption(format!(
                            "column `{name}` is numeric in one table and text in the other ({tr}; {tc}); --sketch keeps no values to compare them as categories: run without --sketch or pass --dtype {name}=str"
                        )));
                    }
                    (as_categories(a), as_categories(b))
                }
                other => other,
            };
            let mut col = finish_column(&name, rs, cs, (rnull, rinf, rrows), (cnull, cinf, crows), spec, bins)?;
            if let Some(n) = note {
                col.warnings.insert(0, n);
            }
            Ok(col)
        })
        .collect();
    let mut out = vec![];
    for r in results {
        out.push(r?);
    }
    // Correction across the p-value methods, then the verdicts.
    let idx: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].p_value.is_some())
        .collect();
    let ps: Vec<f64> = idx.iter().filter_map(|&i| out[i].p_value).collect();
    let adjusted = match spec.correction {
        Correction::Bh => correction::benjamini_hochberg(&ps)?,
        Correction::Bonferroni => correction::bonferroni(&ps)?,
        Correction::None => ps.clone(),
    };
    for (&i, a) in idx.iter().zip(adjusted) {
        out[i].p_value_adjusted = Some(a);
    }
    for c in out.iter_mut() {
        if !c.assessed {
            c.drifted = false;
            continue;
        }
        c.drifted = if c.method.is_test() {
            c.p_value_adjusted.is_some_and(|p| p < c.threshold)
        } else {
            c.statistic.is_some_and(|s| s >= c.threshold)
        };
    }
    let assessed = out.iter().filter(|c| c.assessed).count();
    let drifted = out.iter().filter(|c| c.drifted).count();
    let share = if assessed > 0 {
        drifted as f64 / assessed as f64
    } else {
        0.0
    };
    Ok(DriftReport {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        reference: TableInfo {
            path: reference.name().to_path_buf(),
            format: reference.format_name(),
            rows: rrows,
        },
        current: TableInfo {
            path: current.name().to_path_buf(),
            format: current.format_name(),
            rows: crows,
        },
        columns: out,
        dataset: DatasetDrift {
            columns: assessed,
            drifted_columns: drifted,
            share,
            threshold: dataset_threshold,
            drift: assessed > 0 && share >= dataset_threshold,
            correction: spec.correction,
        },
        skipped,
        fairness: None,
    })
}

/// Distinct values in the two samples together, counted up to 6: only "more than 5" matters to
/// the auto rule.
fn distinct_up_to_six(rs: &Sample, cs: &Sample) -> usize {
    match (rs, cs) {
        (Sample::Numeric(a), Sample::Numeric(b)) => union_distinct(a, b, 6).len(),
        (Sample::Sketched(a), Sample::Sketched(b)) => {
            let mut d: Vec<f64> = a.distinct.iter().chain(&b.distinct).copied().collect();
            d.sort_by(f64::total_cmp);
            d.dedup();
            d.len().min(6)
        }
        (Sample::Categorical(a), Sample::Categorical(b)) => {
            a.keys().chain(b.keys()).collect::<BTreeSet<_>>().len()
        }
        _ => 0,
    }
}

/// The method for a column, and where the choice came from: the column's own, the kind's, the
/// global one, or the auto rule.
fn choose_method(
    spec: &DriftSpec,
    name: &str,
    numeric: bool,
    nr: u64,
    n_unique: usize,
) -> (Method, &'static str) {
    if let Some(m) = spec.column_methods.get(name) {
        (*m, "column")
    } else if let (true, Some(m)) = (numeric, spec.numeric_method) {
        (m, "numeric")
    } else if let (false, Some(m)) = (numeric, spec.categorical_method) {
        (m, "categorical")
    } else if let Some(m) = spec.method {
        (m, "global")
    } else {
        (auto_method(numeric, nr, n_unique), "auto")
    }
}

/// Categories of `a` that `b` does not have, with their share of `a`'s `n` values.
fn only_in(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>, n: u64) -> Vec<CategoryShare> {
    a.iter()
        .filter(|(k, _)| !b.contains_key(*k))
        .map(|(k, &v)| CategoryShare {
            value: k.clone(),
            share: v as f64 / n as f64,
        })
        .collect()
}

pub(crate) fn finish_column(
    name: &str,
    mut rs: Sample,
    mut cs: Sample,
    (rnull, rinf, rrows): (u64, u64, u64),
    (cnull, cinf, crows): (u64, u64, u64),
    spec: &DriftSpec,
    bins: usize,
) -> Result<ColumnDrift> {
    let numeric = matches!(rs, Sample::Numeric(_) | Sample::Sketched(_));
    if let (Sample::Numeric(a), Sample::Numeric(b)) = (&mut rs, &mut cs) {
        // The two tables' samples sort on both cores (a lone column would otherwise leave one
        // idle).
        rayon::join(
            || fairgauge_core::drift::sort_finite(a),
            || fairgauge_core::drift::sort_finite(b),
        );
    }
    let count = |s: &Sample| match s {
        Sample::Numeric(v) => v.len() as u64,
        Sample::Sketched(k) => k.moments.n,
        Sample::Categorical(m) => m.values().sum(),
    };
    let (nr, nc) = (count(&rs), count(&cs));
    let n_unique = distinct_up_to_six(&rs, &cs);
    let (method, source) = choose_method(spec, name, numeric, nr, n_unique);
    if method.needs_values() && !numeric {
        return Err(Error::InvalidOption(format!(
            "method {} needs numbers, but column `{name}` is categorical ({source} choice); choose it with --numeric-method or pick a categorical method",
            method.name()
        )));
    }
    let mut warnings = vec![];
    let share = |n: u64, rows: u64| {
        if rows > 0 {
            n as f64 / rows as f64
        } else {
            0.0
        }
    };
    if rnull + cnull > 0 {
        warnings.push(format!(
            "{} null values in the reference and {} in the current table are left out of the comparison",
            rnull, cnull
        ));
    }
    if rinf + cinf > 0 {
        warnings.push(format!(
            "{} infinite values in the reference and {} in the current table are left out of the comparison",
            rinf, cinf
        ));
    }
    let mut out = ColumnDrift {
        name: name.to_string(),
        kind: if numeric { "numeric" } else { "categorical" }.into(),
        method,
        method_source: source.into(),
        statistic: None,
        p_value: None,
        p_value_adjusted: None,
        threshold: spec.threshold.unwrap_or(method.default_threshold()),
        drifted: false,
        exact: true,
        error_bound: None,
        assessed: true,
        effects: BTreeMap::new(),
        reference_count: nr,
        current_count: nc,
        reference_null_share: share(rnull, rrows),
        current_null_share: share(cnull, crows),
        null_share_change: share(cnull, crows) - share(rnull, rrows),
        new_categories: vec![],
        vanished_categories: vec![],
        warnings,
        histogram: None,
    };
    if nr == 0 || nc == 0 {
        out.assessed = false;
        out.warnings.push(format!(
            "no values to compare in the {} table (all null); the column is not assessed",
            if nr == 0 { "reference" } else { "current" }
        ));
        return Ok(out);
    }
    if n_unique == 1 {
        out.warnings
            .push("the column holds a single value in both tables".into());
    }
    if let (Sample::Categorical(r), Sample::Categorical(c)) = (&rs, &cs) {
        out.new_categories = only_in(c, r, nc);
        out.vanished_categories = only_in(r, c, nr);
    }
    let hist = histogram(&rs, &cs, bins);
    out.histogram = hist.as_ref().ok().and_then(HistogramCounts::of);
    let computed = match compute(method, &rs, &cs, &hist) {
        Ok(c) => c,
        Err(m) => {
            // The method is undefined for this column's data (e.g. Welch's t-test on constant
            // samples): say so and go on with the other columns.
            out.assessed = false;
            out.warnings.push(format!("not assessed: {m}"));
            out.effects = effects(&rs, &cs, &hist, None);
            return Ok(out);
        }
    };
    out.statistic = computed.statistic;
    out.p_value = computed.p_value;
    out.warnings.extend(computed.warnings);
    if let (Sample::Sketched(a), Sample::Sketched(b)) = (&rs, &cs) {
        if !(a.sketch.is_exact() && b.sketch.is_exact()) {
            let (ea, eb) = (a.sketch.rank_error_bound(), b.sketch.rank_error_bound());
            out.exact = false;
            out.error_bound = match method {
                Method::Ks => Some(ea + eb),
                Method::Wasserstein => None,
                _ => Some(2.0 * ea.max(eb)),
            };
        }
    }
    out.effects = effects(&rs, &cs, &hist, computed.wasserstein);
    Ok(out)
}
