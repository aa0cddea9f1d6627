//! The first stage: a slice of a batch read into per-column partial states (value counts,
//! numbers, hashes per row, per-group counts), in parallel, one `SlicePart` per slice.

use super::spec::*;
use crate::error::{Error, Result};
use crate::io::frame::{for_each_batch, Batch, ColumnKind, Visit};
use crate::io::source::Table;
use crate::io::text::{canonical_number, TextRules};
use fairgauge_core::fingerprint::{
    column_seed, finish_row, hash_null, hash_number, hash_text, numeric_text,
};
use fairgauge_core::quality::association::Moments;
use fairgauge_core::quality::hll::HyperLogLog;
use fairgauge_core::quality::stream::NumericSketch;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) const NULL_CODE: u32 = u32::MAX;

pub(crate) const NULL_GROUP: u16 = u16::MAX;

pub(crate) const EXAMPLE_ROWS_PER_VALUE: usize = 3;

// A null in a row-order vector of numbers: a NaN with a payload no arithmetic produces.
pub(crate) const NULL_BITS: u64 = 0x7ff8_dead_beef_0001;

pub(crate) fn null_f64() -> f64 {
    f64::from_bits(NULL_BITS)
}

pub(crate) fn is_null_f64(x: f64) -> bool {
    x.to_bits() == NULL_BITS
}

// ---------------------------------------------------------------------------------------------
// Reading: one slice of rows at a time, every column materialised, then folded into `Agg`.

/// A 128-bit cell hash folded to 64 bits (for HyperLogLog).
pub(crate) fn fold(h: u128) -> u64 {
    (h as u64) ^ ((h >> 64) as u64)
}

pub(crate) struct ColPlan {
    pub(crate) name: String,
    pub(crate) kind: ColumnKind,
    pub(crate) dtype: String,
    pub(crate) seed: u64,
    pub(crate) rules: TextRules,
}

pub(crate) struct Ctx<'a> {
    pub(crate) table: &'a Table,
    pub(crate) cols: Vec<ColPlan>,
    pub(crate) sens: Vec<usize>,
    pub(crate) label: Option<usize>,
    pub(crate) key: Vec<usize>,
    /// Columns hashed for leakage when they are not all of them.
    pub(crate) leak_mask: Option<Vec<bool>>,
    /// Columns whose every distinct value must be tracked (rules).
    pub(crate) track_all: Vec<bool>,
    /// The bounded mode's KLL `k` ([`QualitySpec::sketch`]).
    pub(crate) sketch: Option<u16>,
    /// Columns whose numbers are summarised by a [`NumericSketch`] (bounded mode, no rule).
    pub(crate) sketch_col: Vec<bool>,
    /// Set once a sketched column is known to have more than
    /// [`fairgauge_core::quality::EXACT_VALUE_LIMIT`] distinct numbers: slices stop counting.
    pub(crate) many_values: Vec<AtomicBool>,
}

pub(crate) enum Cells {
    Num(Vec<f64>),
    Text {
        dict: Vec<String>,
        codes: Vec<u32>,
        /// (row, token) of each configured null token met (counted later, empty rows aside).
        conf_at: Vec<(u32, u16)>,
    },
}

pub(crate) struct NumVisitor {
    pub(crate) vals: Vec<f64>,
}

impl Visit for NumVisitor {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        self.vals
            .push(v.and_then(|s| s.trim().parse().ok()).unwrap_or(null_f64()));
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        self.vals.push(v.unwrap_or(null_f64()));
    }
    fn boolean(&mut self, _row: usize, v: Option<bool>) {
        self.vals
            .push(v.map(|b| if b { 1.0 } else { 0.0 }).unwrap_or(null_f64()));
    }
    fn numbers(&mut self, _first_row: usize, values: &[f64]) {
        self.vals.extend_from_slice(values);
    }
}

pub(crate) struct TextVisitor<'a> {
    pub(crate) rules: &'a TextRules,
    pub(crate) index: FxHashMap<String, u32>,
    pub(crate) dict: Vec<String>,
    pub(crate) codes: Vec<u32>,
    pub(crate) conf_at: Vec<(u32, u16)>,
}

impl TextVisitor<'_> {
    pub(crate) fn push(&mut self, raw: Option<&str>) {
        let Some(raw) = raw else {
            self.codes.push(NULL_CODE);
            return;
        };
        let v = if self.rules.trim { raw.trim() } else { raw };
        if let Some(i) = self.rules.null_values.iter().position(|n| n == v) {
            self.conf_at.push((self.codes.len() as u32, i as u16));
            self.codes.push(NULL_CODE);
            return;
        }
        let v = self.rules.replace.get(v).map(|s| s.as_str()).unwrap_or(v);
        let code = match self.index.get(v) {
            Some(&c) => c,
            None => {
                let c = self.dict.len() as u32;
                self.dict.push(v.to_string());
                self.index.insert(v.to_string(), c);
                c
            }
        };
        self.codes.push(code);
    }
}

impl Visit for TextVisitor<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        self.push(v);
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        let s = v.map(|x| canonical_number(x).unwrap_or_else(|| "NaN".into()));
        self.push(s.as_deref());
    }
    fn boolean(&mut self, _row: usize, v: Option<bool>) {
        self.push(v.map(|b| if b { "true" } else { "false" }));
    }
}

/// A categorical view of a column within a slice (sensitive attributes and the label).
#[derive(Serialize, Deserialize)]
pub(crate) struct CatView {
    pub(crate) dict: Vec<String>,
    pub(crate) codes: Vec<u32>,
}

pub(crate) fn cat_view(cells: &Cells) -> CatView {
    match cells {
        Cells::Text { dict, codes, .. } => CatView {
            dict: dict.clone(),
            codes: codes.clone(),
        },
        Cells::Num(vals) => {
            let mut index: FxHashMap<u64, u32> = FxHashMap::default();
            let mut dict = vec![];
            let codes = vals
                .iter()
                .map(|&x| {
                    if is_null_f64(x) || x.is_nan() {
                        return NULL_CODE;
                    }
                    let key = if x == 0.0 { 0 } else { x.to_bits() };
                    *index.entry(key).or_insert_with(|| {
                        dict.push(canonical_number(x).unwrap_or_default());
                        (dict.len() - 1) as u32
                    })
                })
                .collect();
            CatView { dict, codes }
        }
    }
}

/// Value-level facts of a text column in a slice.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct TextSlice {
    pub(crate) dict: Vec<String>,
    pub(crate) counts: Vec<u64>,
    pub(crate) rows: Vec<Vec<u64>>,
    pub(crate) configured: Vec<u64>,
    /// Row-order numbers when some values are numbers (non-numbers and nulls as the null NaN).
    pub(crate) numbers: Option<Vec<f64>>,
}

#[derive(Serialize, Deserialize)]
pub(crate) struct ColSlice {
    pub(crate) hll: HyperLogLog,
    pub(crate) nulls: u64,
    pub(crate) null_rows: Vec<u64>,
    pub(crate) num: Option<Vec<f64>>,
    pub(crate) text: Option<TextSlice>,
    /// [attr] → (rows per group, missing per group), local group codes.
    pub(crate) by_group: Vec<(Vec<u64>, Vec<u64>)>,
    /// [attr] → dense dict × groups counts (text columns with few values).
    pub(crate) contingency: Vec<Option<Vec<u64>>>,
    /// Bounded mode: the column's numbers summarised instead of `num` / the text numbers.
    #[serde(default)]
    pub(crate) sketch: Option<SketchedNumbers>,
}

/// A sketched column's numbers in a slice or a whole table (bounded mode).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct SketchedNumbers {
    pub(crate) sketch: NumericSketch,
    pub(crate) nan: u64,
    pub(crate) pos_inf: u64,
    pub(crate) neg_inf: u64,
    /// First rows (0-based) holding ±∞.
    pub(crate) inf_rows: Vec<u64>,
    /// [attr] → [group] → moments of the finite numbers that are not numeric sentinels, and
    /// the count of each sentinel ([`NUMERIC_SENTINELS`]).
    pub(crate) groups: Vec<Vec<GroupNum>>,
}

#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct GroupNum {
    pub(crate) moments: Moments,
    pub(crate) watched: Vec<u64>,
}

impl SketchedNumbers {
    /// Merges `o`, whose groups of attribute `a` map to `remaps[a]`.
    pub(crate) fn merge(
        &mut self,
        o: SketchedNumbers,
        remaps: &[Vec<u16>],
        examples: usize,
    ) -> Result<()> {
        self.sketch.merge(&o.sketch)?;
        self.nan += o.nan;
        self.pos_inf += o.pos_inf;
        self.neg_inf += o.neg_inf;
        for r in o.inf_rows {
            if self.inf_rows.len() < examples {
                self.inf_rows.push(r);
            }
        }
        for (a, gs) in o.groups.into_iter().enumerate() {
            let mine = &mut self.groups[a];
            for (g, gn) in gs.into_iter().enumerate() {
                let gg = remaps[a][g] as usize;
                if mine.len() <= gg {
                    mine.resize(gg + 1, GroupNum::default());
                }
                let m = &mut mine[gg];
                m.moments.merge(&gn.moments);
                if m.watched.is_empty() {
                    m.watched = gn.watched;
                } else {
                    for (x, y) in m.watched.iter_mut().zip(&gn.watched) {
                        *x += y;
                    }
                }
            }
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct SlicePart {
    pub(crate) n: usize,
    pub(crate) empty: Vec<u64>,
    pub(crate) row_hashes: Vec<u128>,
    pub(crate) key_hashes: Vec<u128>,
    pub(crate) feat_hashes: Vec<u128>,
    pub(crate) leak_hashes: Vec<u128>,
    pub(crate) cols: Vec<ColSlice>,
    pub(crate) views: Vec<CatView>,
    pub(crate) label_view: Option<CatView>,
}

impl<'a> Ctx<'a> {
    /// A context that only reads and hashes `columns` (no roles, no rules).
    pub(crate) fn plain(
        table: &'a Table,
        kinds: &[(String, ColumnKind, String)],
        columns: &[String],
    ) -> Ctx<'a> {
        Ctx {
            table,
            cols: columns
                .iter()
                .map(|c| {
                    let (kind, dtype) = kinds
                        .iter()
                        .find(|k| &k.0 == c)
                        .map(|k| (k.1, k.2.clone()))
                        .unwrap_or((ColumnKind::Text, String::new()));
                    ColPlan {
                        name: c.clone(),
                        kind,
                        dtype,
                        seed: column_seed(c),
                        rules: table.text_rules(c),
                    }
                })
                .collect(),
            sens: vec![],
            label: None,
            key: vec![],
            leak_mask: None,
            track_all: vec![],
            sketch: None,
            sketch_col: vec![],
            many_values: vec![],
        }
    }

    /// Each row's wrapping sum of cell hashes and its count of non-null cells.
    pub(crate) fn row_sums(&self, batch: &Batch) -> Result<(Vec<u128>, Vec<u32>)> {
        let mut sum = vec![0u128; batch.len()];
        let mut nonnull = vec![0u32; batch.len()];
        for i in 0..self.cols.len() {
            let cells = self.materialise(batch, i)?;
            for (s, x) in sum
                .iter_mut()
                .zip(self.cell_hashes(i, &cells, &mut nonnull))
            {
                *s = s.wrapping_add(x);
            }
        }
        Ok((sum, nonnull))
    }
}

impl Ctx<'_> {
    pub(crate) fn bad(&self, column: &str, message: String) -> Error {
        Error::BadColumn {
            path: self.table.path.clone(),
            column: column.to_string(),
            message,
        }
    }

    pub(crate) fn materialise(&self, batch: &Batch, i: usize) -> Result<Cells> {
        let c = &self.cols[i];
        let n = batch.len();
        let r = match c.kind {
            ColumnKind::Numeric => {
                let mut v = NumVisitor {
                    vals: Vec::with_capacity(n),
                };
                batch.visit(&c.name, &mut v).map(|_| Cells::Num(v.vals))
            }
            _ => {
                let mut v = TextVisitor {
                    rules: &c.rules,
                    index: FxHashMap::default(),
                    dict: vec![],
                    codes: Vec::with_capacity(n),
                    conf_at: vec![],
                };
                batch.visit(&c.name, &mut v).map(|_| Cells::Text {
                    dict: v.dict,
                    codes: v.codes,
                    conf_at: v.conf_at,
                })
            }
        };
        r.map_err(|m| self.bad(&c.name, format!("cannot read values: {m}")))
    }

    pub(crate) fn cell_hashes(&self, i: usize, cells: &Cells, nonnull: &mut [u32]) -> Vec<u128> {
        let seed = self.cols[i].seed;
        let hn = hash_null(seed);
        match cells {
            Cells::Num(vals) => vals
                .iter()
                .zip(nonnull.iter_mut())
                .map(|(&x, nn)| {
                    if is_null_f64(x) {
                        hn
                    } else {
                        *nn += 1;
                        hash_number(seed, x)
                    }
                })
                .collect(),
            Cells::Text { dict, codes, .. } => {
                let hs: Vec<u128> = dict.iter().map(|s| hash_text(seed, s)).collect();
                codes
                    .iter()
                    .zip(nonnull.iter_mut())
                    .map(|(&c, nn)| {
                        if c == NULL_CODE {
                            hn
                        } else {
                            *nn += 1;
                            hs[c as usize]
                        }
                    })
                    .collect()
            }
        }
    }

    /// The bounded mode's summary of a slice's numbers (`vals` in row order, nulls as the
    /// null NaN; empty rows hold nulls).
    pub(crate) fn sketch_numbers(
        &self,
        i: usize,
        vals: &[f64],
        views: &[CatView],
        first_row: usize,
        examples: usize,
    ) -> Result<SketchedNumbers> {
        let mut sketch = NumericSketch::new(self.sketch.unwrap_or(200), &NUMERIC_SENTINELS)?;
        if self.many_values[i].load(Ordering::Relaxed) {
            sketch.drop_counts();
        }
        sketch.add(vals)?;
        let (mut nan, mut pos_inf, mut neg_inf) = (0, 0, 0);
        let mut inf_rows = vec![];
        for (r, &x) in vals.iter().enumerate() {
            if x.is_finite() {
                continue;
            }
            if x.is_nan() {
                if !is_null_f64(x) {
                    nan += 1;
                }
                continue;
            }
            if x > 0.0 {
                pos_inf += 1;
            } else {
                neg_inf += 1;
            }
            if inf_rows.len() < examples {
                inf_rows.push((first_row + r) as u64);
            }
        }
        let groups = views
            .iter()
            .map(|v| {
                let mut gs = vec![
                    GroupNum {
                        moments: Moments::default(),
                        watched: vec![0; NUMERIC_SENTINELS.len()],
                    };
                    v.dict.len()
                ];
                for (&x, &g) in vals.iter().zip(&v.codes) {
                    if g == NULL_CODE || !x.is_finite() {
                        continue;
                    }
                    let gn = &mut gs[g as usize];
                    let watched = if x.fract() == 0.0 {
                        NUMERIC_SENTINELS.iter().position(|&w| w == x)
                    } else {
                        None
                    };
                    match watched {
                        Some(k) => gn.watched[k] += 1,
                        None => gn.moments.push(x),
                    }
                }
                gs
            })
            .collect();
        Ok(SketchedNumbers {
            sketch,
            nan,
            pos_inf,
            neg_inf,
            inf_rows,
            groups,
        })
    }

    pub(crate) fn process_slice(
        &self,
        batch: &Batch,
        first_row: usize,
        examples: usize,
    ) -> Result<SlicePart> {
        let n = batch.len();
        let cells: Vec<Cells> = (0..self.cols.len())
            .map(|i| self.materialise(batch, i))
            .collect::<Result<_>>()?;
        let (hashes, hlls) = self.row_hashes(&cells, n)?;
        let views: Vec<CatView> = self.sens.iter().map(|&i| cat_view(&cells[i])).collect();
        for (v, &i) in views.iter().zip(&self.sens) {
            if v.dict.len() > MAX_GROUPS {
                return Err(self.bad(
                    &self.cols[i].name,
                    format!("more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups (is this an identifier or a continuous column? bin it first)"),
                ));
            }
        }
        let label_view = self.label.map(|i| cat_view(&cells[i]));
        let at = SliceRows {
            empty: &hashes.empty,
            views: &views,
            first_row,
            examples,
        };
        let mut cols = Vec::with_capacity(cells.len());
        for ((i, c), hll) in cells.into_iter().enumerate().zip(hlls) {
            cols.push(self.column_slice(i, c, hll, &at)?);
        }
        let empty_rows = hashes
            .empty
            .iter()
            .enumerate()
            .filter(|(_, &e)| e)
            .map(|(r, _)| (first_row + r) as u64)
            .collect();
        Ok(SlicePart {
            n,
            empty: empty_rows,
            row_hashes: hashes.rows,
            key_hashes: hashes.key,
            feat_hashes: hashes.feat,
            leak_hashes: hashes.leak,
            cols,
            views,
            label_view,
        })
    }

    /// Each row's hashes (the whole row, the key, the features without the label, the leakage
    /// columns; 0 for an empty row), and each column's HyperLogLog of its values.
    fn row_hashes(&self, cells: &[Cells], n: usize) -> Result<(SliceHashes, Vec<HyperLogLog>)> {
        let mut sum = vec![0u128; n];
        let mut nonnull = vec![0u32; n];
        let mut key = if self.key.is_empty() {
            vec![]
        } else {
            vec![0u128; n]
        };
        let mut label_cell = vec![];
        let mut leak = if self.leak_mask.is_some() {
            vec![0u128; n]
        } else {
            vec![]
        };
        let mut hlls = Vec::with_capacity(cells.len());
        for (i, c) in cells.iter().enumerate() {
            let h = self.cell_hashes(i, c, &mut nonnull);
            hlls.push(self.distinct_sketch(i, c, &h)?);
            for (s, x) in sum.iter_mut().zip(&h) {
                *s = s.wrapping_add(*x);
            }
            if self.key.contains(&i) {
                for (s, x) in key.iter_mut().zip(&h) {
                    *s = s.wrapping_add(*x);
                }
            }
            if let Some(m) = &self.leak_mask {
                if m[i] {
                    for (s, x) in leak.iter_mut().zip(&h) {
                        *s = s.wrapping_add(*x);
                    }
                }
            }
            if Some(i) == self.label {
                label_cell = h;
            }
        }
        let empty: Vec<bool> = nonnull.iter().map(|&c| c == 0).collect();
        let fin = |v: &[u128]| -> Vec<u128> {
            v.iter()
                .zip(&empty)
                .map(|(&s, &e)| if e { 0 } else { finish_row(s) })
                .collect()
        };
        let feat = if label_cell.is_empty() {
            vec![]
        } else {
            let f: Vec<u128> = sum
                .iter()
                .zip(&label_cell)
                .map(|(s, l)| s.wrapping_sub(*l))
                .collect();
            fin(&f)
        };
        let hashes = SliceHashes {
            rows: fin(&sum),
            key: fin(&key),
            leak: fin(&leak),
            feat,
            empty,
        };
        Ok((hashes, hlls))
    }

    /// A HyperLogLog of column `i`'s values (`h`: their cell hashes).
    fn distinct_sketch(&self, i: usize, c: &Cells, h: &[u128]) -> Result<HyperLogLog> {
        let mut hll = HyperLogLog::new(HyperLogLog::DEFAULT_PRECISION)?;
        match c {
            Cells::Num(vals) => {
                for (x, hh) in vals.iter().zip(h) {
                    if !is_null_f64(*x) {
                        hll.insert_hash(fold(*hh));
                    }
                }
            }
            Cells::Text { dict, .. } => {
                let seed = self.cols[i].seed;
                for s in dict {
                    hll.insert_hash(fold(hash_text(seed, s)));
                }
            }
        }
        Ok(hll)
    }

    /// Column `i`'s part of a slice: nulls, numbers or text values with their counts and rows,
    /// rows and missing values per group, values by group, and the bounded mode's sketch.
    fn column_slice(
        &self,
        i: usize,
        c: Cells,
        hll: HyperLogLog,
        at: &SliceRows<'_>,
    ) -> Result<ColSlice> {
        let views = at.views;
        let mut cs = ColSlice {
            hll,
            nulls: 0,
            null_rows: vec![],
            num: None,
            text: None,
            by_group: group_missing(&c, at),
            contingency: vec![None; views.len()],
            sketch: None,
        };
        match c {
            Cells::Num(vals) => {
                for (r, &x) in vals.iter().enumerate() {
                    if is_null_f64(x) && !at.empty[r] {
                        cs.nulls += 1;
                        if cs.null_rows.len() < at.examples {
                            cs.null_rows.push((at.first_row + r) as u64);
                        }
                    }
                }
                cs.num = Some(vals);
            }
            Cells::Text {
                dict,
                codes,
                conf_at,
            } => self.text_slice(i, &mut cs, dict, codes, conf_at, at),
        }
        if self.sketch_col.get(i).copied().unwrap_or(false) {
            let vals = match cs.num.take() {
                Some(v) => Some(v),
                None => cs.text.as_mut().and_then(|t| t.numbers.take()),
            };
            if let Some(vals) = vals {
                cs.sketch =
                    Some(self.sketch_numbers(i, &vals, views, at.first_row, at.examples)?);
            }
        }
        Ok(cs)
    }

    /// A text column's slice: configured null tokens, value counts with their first rows, the
    /// values read as numbers, and the values × groups tables of the proxies.
    fn text_slice(
        &self,
        i: usize,
        cs: &mut ColSlice,
        dict: Vec<String>,
        codes: Vec<u32>,
        conf_at: Vec<(u32, u16)>,
        at: &SliceRows<'_>,
    ) {
        let empty = at.empty;
        // Configured tokens of rows that are not empty.
        let mut configured = vec![0u64; self.cols[i].rules.null_values.len()];
        for &(r, tok) in &conf_at {
            if !empty[r as usize] {
                configured[tok as usize] += 1;
            }
        }
        let mut counts = vec![0u64; dict.len()];
        let mut rows: Vec<Vec<u64>> = vec![vec![]; dict.len()];
        for (r, &k) in codes.iter().enumerate() {
            if empty[r] {
                continue;
            }
            if k == NULL_CODE {
                cs.nulls += 1;
                if cs.null_rows.len() < at.examples {
                    cs.null_rows.push((at.first_row + r) as u64);
                }
                continue;
            }
            counts[k as usize] += 1;
            let rr = &mut rows[k as usize];
            if rr.len() < EXAMPLE_ROWS_PER_VALUE {
                rr.push((at.first_row + r) as u64);
            }
        }
        // Configured tokens were counted as nulls: take them out of the null count.
        let conf_total: u64 = configured.iter().sum();
        cs.nulls = cs.nulls.saturating_sub(conf_total);
        let parsed: Vec<Option<f64>> = dict.iter().map(|s| numeric_text(s)).collect();
        let numbers = parsed.iter().any(Option::is_some).then(|| {
            codes
                .iter()
                .map(|&k| {
                    if k == NULL_CODE {
                        null_f64()
                    } else {
                        parsed[k as usize].unwrap_or(null_f64())
                    }
                })
                .collect()
        });
        for (a, v) in at.views.iter().enumerate() {
            if dict.len() > MAX_PROXY_CATEGORIES || Some(i) == self.label {
                continue;
            }
            let g = v.dict.len();
            let mut t = vec![0u64; dict.len() * g];
            for r in 0..codes.len() {
                let (k, gc) = (codes[r], v.codes[r]);
                if empty[r] || k == NULL_CODE || gc == NULL_CODE {
                    continue;
                }
                t[k as usize * g + gc as usize] += 1;
            }
            cs.contingency[a] = Some(t);
        }
        cs.text = Some(TextSlice {
            dict,
            counts,
            rows,
            configured,
            numbers,
        });
    }
}

/// A slice's rows as every column reads them: which are empty, the sensitive groups, where the
/// slice starts, how many example rows to keep.
struct SliceRows<'a> {
    empty: &'a [bool],
    views: &'a [CatView],
    first_row: usize,
    examples: usize,
}

/// A slice's row hashes (0 for an empty row) and which rows are empty.
struct SliceHashes {
    rows: Vec<u128>,
    key: Vec<u128>,
    feat: Vec<u128>,
    leak: Vec<u128>,
    empty: Vec<bool>,
}

/// Per attribute, rows and missing values (null, NaN, empty text) per group, empty rows and
/// rows without a group left out.
fn group_missing(c: &Cells, at: &SliceRows<'_>) -> Vec<(Vec<u64>, Vec<u64>)> {
    let missing_at: Vec<bool> = match c {
        Cells::Num(vals) => vals.iter().map(|x| x.is_nan()).collect(),
        Cells::Text { dict, codes, .. } => codes
            .iter()
            .map(|&k| k == NULL_CODE || dict[k as usize].trim().is_empty())
            .collect(),
    };
    at.views
        .iter()
        .map(|v| {
            let mut rows = vec![0; v.dict.len()];
            let mut miss = vec![0; v.dict.len()];
            for (r, &missing) in missing_at.iter().enumerate() {
                let g = v.codes[r];
                if at.empty[r] || g == NULL_CODE {
                    continue;
                }
                rows[g as usize] += 1;
                if missing {
                    miss[g as usize] += 1;
                }
            }
            (rows, miss)
        })
        .collect()
}

/// Streams `ctx.table`, processes each batch's slices in parallel (rows numbered from
/// `first_row`) and hands them to `each` in row order. Returns the blank CSV lines.
pub(crate) fn read_slices(
    ctx: &Ctx<'_>,
    names: &[String],
    first_row: usize,
    examples: usize,
    mut each: impl FnMut(Vec<SlicePart>) -> Result<()>,
) -> Result<u64> {
    for_each_batch(ctx.table, names, |batch, offset| {
        let starts: Vec<usize> = (0..batch.len()).step_by(SLICE_ROWS).collect();
        let parts: Vec<SlicePart> = starts
            .par_iter()
            .map(|&s| {
                let len = SLICE_ROWS.min(batch.len() - s);
                ctx.process_slice(&batch.slice(s, len), first_row + offset + s, examples)
            })
            .collect::<Result<_>>()?;
        each(parts)
    })
}

/// Rows per parallel slice of a batch.
pub(crate) const SLICE_ROWS: usize = 1 << 16;
