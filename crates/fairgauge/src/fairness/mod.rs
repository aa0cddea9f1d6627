//! Running a fairness assessment on a table: map columns to roles (label, prediction or score,
//! sensitive attributes), stream the rows into a [`FairnessState`] in parallel, validate what the
//! roles held, and finish the report.
//!
//! Role rules (each an error naming the column when broken): the label has at most two distinct
//! values, one of them the positive label (given, or one of [`crate::io::text::POSITIVE_TOKENS`]); the
//! prediction has at most two distinct values and, if two, one is the positive label; a score is a
//! probability in `[0, 1]` (NaN is an error); no role column is entirely null. A row with a null
//! label, prediction or score is left out and counted in `rows`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fairgauge_core::fairness::{
    CodedAttribute, FairnessBatch, FairnessOptions, FairnessReport, FairnessState,
};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::frame::{for_each_batch, Batch, Visit};
use crate::io::source::Table;
use crate::io::text::{canonical_number, canonical_text, is_positive_token, TextRules};

/// Which columns play which role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessSpec {
    /// The true label.
    pub label: String,
    /// The model's decision (binary); optional when a score is given, absent for dataset bias.
    pub prediction: Option<String>,
    /// The model's probability of the positive label.
    pub score: Option<String>,
    /// A score at or above this is a positive prediction (when no prediction column is given).
    pub threshold: f64,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// The positive label value; by default one of `1`, `true`, `yes`, `y`, `t`, `positive`.
    pub positive_label: Option<String>,
}

/// Most groups one sensitive attribute may have before it is taken for an identifier.
pub const MAX_GROUPS: usize = 1000;

/// What was read, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputInfo {
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: String,
    /// The schema file used, if any.
    pub schema_file: Option<PathBuf>,
}

/// The roles as resolved from the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedRoles {
    /// Label column.
    pub label: String,
    /// Prediction column.
    pub prediction: Option<String>,
    /// Score column.
    pub score: Option<String>,
    /// Threshold applied to the score (when the prediction comes from it).
    pub threshold: Option<f64>,
    /// Sensitive attributes.
    pub sensitive: Vec<String>,
    /// The positive label.
    pub positive_label: String,
    /// The label values found.
    pub label_values: Vec<String>,
    /// The prediction values found.
    pub prediction_values: Vec<String>,
}

/// A fairness report with what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessOutput {
    /// fairgauge's version.
    pub tool_version: String,
    /// The input.
    pub input: InputInfo,
    /// The roles.
    pub roles: ResolvedRoles,
    /// The report.
    #[serde(flatten)]
    pub report: FairnessReport,
}

pub use crate::io::Progress;

/// Distinct values of a binary role, capped so that a mistaken column stays cheap.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Distinct {
    values: BTreeSet<String>,
    non_null: u64,
}

const DISTINCT_CAP: usize = 12;

impl Distinct {
    fn merge(&mut self, o: &Distinct) {
        self.non_null += o.non_null;
        for v in &o.values {
            if self.values.len() < DISTINCT_CAP {
                self.values.insert(v.clone());
            }
        }
    }
    fn list(&self) -> String {
        let mut s = self
            .values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if self.values.len() >= DISTINCT_CAP {
            s.push_str(", …");
        }
        s
    }
}

/// Maps values to "is the positive label".
struct BinaryVisitor<'a> {
    rules: &'a TextRules,
    positive: Option<&'a str>,
    out: Vec<Option<bool>>,
    distinct: Distinct,
    cache: Vec<(String, bool)>,
    number_cache: Vec<(u64, Option<bool>)>,
}

impl<'a> BinaryVisitor<'a> {
    fn new(rules: &'a TextRules, positive: Option<&'a str>, n: usize) -> Self {
        BinaryVisitor {
            rules,
            positive,
            out: Vec::with_capacity(n),
            distinct: Distinct::default(),
            cache: Vec::new(),
            number_cache: Vec::new(),
        }
    }
    fn canonical(&mut self, canon: String) -> bool {
        let pos = match self.positive {
            Some(p) => canon == p,
            None => is_positive_token(&canon),
        };
        if self.distinct.values.len() < DISTINCT_CAP {
            self.distinct.values.insert(canon);
        }
        pos
    }
    fn push(&mut self, raw: Option<&str>) {
        let Some(raw) = raw else {
            self.out.push(None);
            return;
        };
        if let Some((_, b)) = self.cache.iter().find(|(r, _)| r == raw) {
            let b = *b;
            self.distinct.non_null += 1;
            self.out.push(Some(b));
            return;
        }
        let b = self.canonical(canonical_text(raw));
        if self.cache.len() < 8 {
            self.cache.push((raw.to_string(), b));
        }
        self.distinct.non_null += 1;
        self.out.push(Some(b));
    }
}

impl Visit for BinaryVisitor<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        let rules = self.rules;
        self.push(v.and_then(|s| rules.apply(s)));
    }
    // Numbers and booleans go through the text rules too (replacements such as `1` → `good`).
    // A number's outcome is cached by its bits, so the text is built once per distinct value.
    fn number(&mut self, row: usize, v: Option<f64>) {
        let Some(x) = v else {
            self.out.push(None);
            return;
        };
        let bits = x.to_bits();
        if let Some(&(_, b)) = self.number_cache.iter().find(|(k, _)| *k == bits) {
            if b.is_some() {
                self.distinct.non_null += 1;
            }
            self.out.push(b);
            return;
        }
        let s = canonical_number(x);
        self.text(row, s.as_deref());
        if self.number_cache.len() < 8 {
            let b = *self.out.last().unwrap_or(&None);
            self.number_cache.push((bits, b));
        }
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        self.text(row, v.map(|b| if b { "true" } else { "false" }));
    }
}

/// Reads a score column as numbers.
struct ScoreVisitor<'a> {
    rules: &'a TextRules,
    out: Vec<Option<f64>>,
    bad: Option<(usize, String)>,
}

impl Visit for ScoreVisitor<'_> {
    fn text(&mut self, row: usize, v: Option<&str>) {
        let rules = self.rules;
        match v.and_then(|s| rules.apply(s)) {
            None => self.out.push(None),
            Some(s) => match s.trim().parse::<f64>() {
                Ok(x) => self.out.push(Some(x)),
                Err(_) => {
                    if self.bad.is_none() {
                        self.bad = Some((row, s.to_string()));
                    }
                    self.out.push(None)
                }
            },
        }
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        self.out.push(v);
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        // A boolean is not a probability; a null stays a null (the row is left out).
        if let (Some(b), None) = (v, &self.bad) {
            self.bad = Some((row, b.to_string()));
        }
        self.out.push(None);
    }
}

/// Dictionary-encodes a sensitive attribute.
struct CategoryVisitor<'a> {
    rules: &'a TextRules,
    codes: Vec<u32>,
    levels: Vec<Option<String>>,
    index: FxHashMap<String, u32>,
    null_code: Option<u32>,
    non_null: u64,
    last: Option<u32>,
    number_cache: FxHashMap<u64, u32>,
}

impl<'a> CategoryVisitor<'a> {
    fn new(rules: &'a TextRules, n: usize) -> Self {
        CategoryVisitor {
            rules,
            codes: Vec::with_capacity(n),
            levels: Vec::new(),
            index: FxHashMap::default(),
            null_code: None,
            non_null: 0,
            last: None,
            number_cache: FxHashMap::default(),
        }
    }
    fn push(&mut self, v: Option<&str>) {
        let code = match v {
            None => *self.null_code.get_or_insert_with(|| {
                self.levels.push(None);
                (self.levels.len() - 1) as u32
            }),
            Some(s) => {
                self.non_null += 1;
                if let Some(c) = self.last {
                    if self.levels[c as usize].as_deref() == Some(s) {
                        self.codes.push(c);
                        return;
                    }
                }
                let c = match self.index.get(s) {
                    Some(&c) => c,
                    None => {
                        let c = self.levels.len() as u32;
                        self.levels.push(Some(s.to_string()));
                        self.index.insert(s.to_string(), c);
                        c
                    }
                };
                self.last = Some(c);
                c
            }
        };
        self.codes.push(code);
    }
}

impl Visit for CategoryVisitor<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        let rules = self.rules;
        self.push(v.and_then(|s| rules.apply(s)));
    }
    // Numbers and booleans go through the text rules too (replacements such as `1` → `good`).
    fn number(&mut self, row: usize, v: Option<f64>) {
        let Some(x) = v else {
            self.push(None);
            return;
        };
        let bits = x.to_bits();
        if let Some(&c) = self.number_cache.get(&bits) {
            if self.levels[c as usize].is_some() {
                self.non_null += 1;
            }
            self.codes.push(c);
            return;
        }
        let s = canonical_number(x);
        self.text(row, s.as_deref());
        if let Some(&c) = self.codes.last() {
            self.number_cache.insert(bits, c);
        }
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        self.text(row, v.map(|b| if b { "true" } else { "false" }));
    }
}

/// What one slice of rows contributes.
/// The mergeable partial result of a fairness assessment over part of a table (a slice, a
/// file shard, a Spark partition): the core's [`FairnessState`] plus what the roles held, so
/// that merging parts in any order and finishing gives the single-pass report
/// ([`fairness_part`], [`FairnessPart::merge`], [`finish_fairness`]). Serialised with
/// [`FairnessPart::encode`]; its size grows with groups, not rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FairnessPart {
    state: FairnessState,
    label: Distinct,
    prediction: Distinct,
    score_non_null: u64,
    sensitive_non_null: Vec<u64>,
}

struct Ctx<'a> {
    table: &'a Table,
    spec: &'a FairnessSpec,
    positive: Option<String>,
    rules: BTreeMap<String, TextRules>,
}

impl Ctx<'_> {
    fn bad(&self, column: &str, message: String) -> Error {
        Error::BadColumn {
            path: self.table.path.clone(),
            column: column.to_string(),
            message,
        }
    }

    fn visit<V: Visit>(&self, batch: &Batch, column: &str, v: &mut V) -> Result<()> {
        batch
            .visit(column, v)
            .map_err(|m| self.bad(column, format!("cannot read values: {m}")))
    }

    fn process_slice(&self, batch: &Batch, first_row: usize) -> Result<FairnessPart> {
        let n = batch.len();
        let spec = self.spec;
        let mut label = BinaryVisitor::new(&self.rules[&spec.label], self.positive.as_deref(), n);
        self.visit(batch, &spec.label, &mut label)?;
        let mut prediction = None;
        if let Some(p) = &spec.prediction {
            let mut v = BinaryVisitor::new(&self.rules[p], self.positive.as_deref(), n);
            self.visit(batch, p, &mut v)?;
            prediction = Some(v);
        }
        let mut score = None;
        if let Some(s) = &spec.score {
            let mut v = ScoreVisitor {
                rules: &self.rules[s],
                out: Vec::with_capacity(n),
                bad: None,
            };
            self.visit(batch, s, &mut v)?;
            if let Some((row, value)) = v.bad {
                return Err(self.bad(
                    s,
                    format!(
                        "value `{value}` at data row {} is not a number (scores are probabilities in [0, 1])",
                        first_row + row + 1
                    ),
                ));
            }
            for (i, x) in v.out.iter().enumerate() {
                if let Some(x) = x {
                    if !(0.0..=1.0).contains(x) {
                        return Err(self.bad(
                            s,
                            format!(
                                "score {x} at data row {} is outside [0, 1] (scores are probabilities; NaN is not allowed)",
                                first_row + i + 1
                            ),
                        ));
                    }
                }
            }
            score = Some(v);
        }
        let mut attrs = Vec::with_capacity(spec.sensitive.len());
        for a in &spec.sensitive {
            let mut v = CategoryVisitor::new(&self.rules[a], n);
            self.visit(batch, a, &mut v)?;
            if v.levels.len() > MAX_GROUPS {
                return Err(self.bad(
                    a,
                    format!(
                        "more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups (is this an identifier or a continuous column? bin it first)"
                    ),
                ));
            }
            attrs.push(v);
        }
        // Without a prediction column, a score gives the prediction through the threshold.
        let derived: Option<Vec<Option<bool>>> = match (&prediction, &score) {
            (None, Some(s)) => Some(
                s.out
                    .iter()
                    .map(|x| x.map(|x| x >= spec.threshold))
                    .collect(),
            ),
            _ => None,
        };
        let pred_slice: Option<&[Option<bool>]> = match (&prediction, &derived) {
            (Some(p), _) => Some(&p.out),
            (None, Some(d)) => Some(d),
            _ => None,
        };
        let mut state = FairnessState::new(
            spec.sensitive.clone(),
            pred_slice.is_some(),
            score.is_some(),
        );
        let batch_in = FairnessBatch {
            label: &label.out,
            prediction: pred_slice,
            score: score.as_ref().map(|s| s.out.as_slice()),
            attributes: attrs
                .iter()
                .zip(&spec.sensitive)
                .map(|(v, name)| CodedAttribute {
                    name,
                    codes: &v.codes,
                    levels: &v.levels,
                })
                .collect(),
            row_offset: first_row,
        };
        state.update(&batch_in).map_err(|e| Error::Core {
            context: format!("{}: ", self.table.path.display()),
            source: e,
        })?;
        Ok(FairnessPart {
            state,
            label: label.distinct,
            prediction: prediction.map(|p| p.distinct).unwrap_or_default(),
            score_non_null: score
                .map(|s| s.out.iter().filter(|x| x.is_some()).count() as u64)
                .unwrap_or(0),
            sensitive_non_null: attrs.iter().map(|a| a.non_null).collect(),
        })
    }
}

/// Rows per parallel slice of a batch.
const SLICE_ROWS: usize = 1 << 16;

fn context<'a>(table: &'a Table, spec: &'a FairnessSpec) -> Result<Ctx<'a>> {
    let columns = std::iter::once(&spec.label)
        .chain(spec.prediction.iter())
        .chain(spec.score.iter())
        .chain(spec.sensitive.iter());
    Ok(Ctx {
        table,
        spec,
        positive: spec.positive_label.as_deref().map(canonical_text),
        rules: columns.map(|c| (c.clone(), table.text_rules(c))).collect(),
    })
}

impl FairnessPart {
    /// The part of no rows, for the given roles.
    pub fn empty(spec: &FairnessSpec) -> FairnessPart {
        let has_pred = spec.prediction.is_some() || spec.score.is_some();
        FairnessPart {
            state: FairnessState::new(spec.sensitive.clone(), has_pred, spec.score.is_some()),
            label: Distinct::default(),
            prediction: Distinct::default(),
            score_non_null: 0,
            sensitive_non_null: vec![0; spec.sensitive.len()],
        }
    }

    /// Adds another part (of the same roles).
    pub fn merge(&mut self, other: FairnessPart) -> Result<()> {
        merge_parts(self, other)
    }

    /// The compact binary form ([`fairgauge_core::state_codec`], kind `FairnessPart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(fairgauge_core::state_codec::StateKind::FairnessPart, self)
    }

    /// Reads an encoded part; a foreign, newer or other-kind state is an error saying which.
    pub fn decode(bytes: &[u8]) -> Result<FairnessPart> {
        crate::io::part_codec::decode(
            fairgauge_core::state_codec::StateKind::FairnessPart,
            bytes,
            "a fairness part",
        )
    }
}

fn merge_parts(acc: &mut FairnessPart, part: FairnessPart) -> Result<()> {
    acc.state.merge(&part.state)?;
    acc.label.merge(&part.label);
    acc.prediction.merge(&part.prediction);
    acc.score_non_null += part.score_non_null;
    for (a, b) in acc
        .sensitive_non_null
        .iter_mut()
        .zip(part.sensitive_non_null)
    {
        *a += b;
    }
    Ok(())
}

/// Runs a fairness assessment of `table`.
pub fn run_fairness(
    table: &Table,
    spec: &FairnessSpec,
    opts: &FairnessOptions,
    progress: Option<Progress>,
) -> Result<FairnessOutput> {
    let part = fairness_part(table, spec, progress)?;
    finish_fairness(table, spec, opts, part)
}

/// Counts `table` (all of a table, or one part of a larger one) into a mergeable
/// [`FairnessPart`]. Role values are checked as in [`run_fairness`]; row numbers in errors count
/// from the part's first row.
pub fn fairness_part(
    table: &Table,
    spec: &FairnessSpec,
    progress: Option<Progress>,
) -> Result<FairnessPart> {
    if spec.sensitive.is_empty() {
        return Err(Error::InvalidOption(
            "at least one sensitive attribute is needed (--sensitive COL[,COL…])".into(),
        ));
    }
    if !(spec.threshold.is_finite() && (0.0..=1.0).contains(&spec.threshold)) {
        return Err(Error::InvalidOption(format!(
            "the threshold must be in [0, 1], given {}",
            spec.threshold
        )));
    }
    let mut columns: Vec<String> = vec![spec.label.clone()];
    columns.extend(spec.prediction.iter().cloned());
    columns.extend(spec.score.iter().cloned());
    columns.extend(spec.sensitive.iter().cloned());
    let mut seen = BTreeSet::new();
    for c in &columns {
        if !seen.insert(c) {
            return Err(Error::InvalidOption(format!(
                "column `{c}` is given for two roles; label, prediction, score and sensitive attributes must be different columns"
            )));
        }
    }
    table.require_columns(&columns.iter().map(|s| s.as_str()).collect::<Vec<_>>())?;
    let ctx = context(table, spec)?;
    let mut acc = FairnessPart::empty(spec);
    // polars streams batches from a reader thread; they are counted here, each batch split into
    // slices counted in parallel. Dropping the receiver on an error stops the reader.
    let mut rows_done = 0u64;
    let blank = for_each_batch(table, &columns, |batch, offset| {
        let starts: Vec<usize> = (0..batch.len()).step_by(SLICE_ROWS).collect();
        let parts: Result<Vec<FairnessPart>> = starts
            .par_iter()
            .map(|&s| {
                let len = SLICE_ROWS.min(batch.len() - s);
                ctx.process_slice(&batch.slice(s, len), offset + s)
            })
            .collect();
        for p in parts? {
            merge_parts(&mut acc, p)?;
        }
        check_binary(&ctx, &acc)?;
        rows_done += batch.len() as u64;
        if let Some(p) = &progress {
            p(rows_done);
        }
        Ok(())
    })?;
    // polars reads each blank CSV line as a row of nulls: take them back out.
    acc.state.rows_seen = acc.state.rows_seen.saturating_sub(blank);
    acc.state.excluded_null_label = acc.state.excluded_null_label.saturating_sub(blank);
    Ok(acc)
}

/// Finishes merged parts into the report of the table they came from (`table` names it in the
/// report and in errors; its rows are not read).
pub fn finish_fairness(
    table: &Table,
    spec: &FairnessSpec,
    opts: &FairnessOptions,
    part: FairnessPart,
) -> Result<FairnessOutput> {
    let ctx = context(table, spec)?;
    finish(&ctx, part, opts)
}

/// Checks the label and prediction values seen so far (called after every batch, so a wrong
/// column fails fast).
fn check_binary(ctx: &Ctx<'_>, a: &FairnessPart) -> Result<()> {
    let spec = ctx.spec;
    for (i, name) in spec.sensitive.iter().enumerate() {
        let distinct: BTreeSet<&Option<String>> = a.state.cells.keys().map(|k| &k[i]).collect();
        if distinct.len() > MAX_GROUPS {
            return Err(ctx.bad(
                name,
                format!(
                    "more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups (is this an identifier or a continuous column? bin it first)"
                ),
            ));
        }
    }
    if a.label.values.len() > 2 {
        return Err(ctx.bad(
            &spec.label,
            format!(
                "the label has more than two values ({}); binary classification needs two",
                a.label.list()
            ),
        ));
    }
    if let Some(p) = &spec.prediction {
        if a.prediction.values.len() > 2 {
            return Err(ctx.bad(
                p,
                format!(
                    "the prediction has more than two values ({}); expected the positive label and one other value",
                    a.prediction.list()
                ),
            ));
        }
    }
    Ok(())
}

fn finish(ctx: &Ctx<'_>, a: FairnessPart, opts: &FairnessOptions) -> Result<FairnessOutput> {
    let spec = ctx.spec;
    let table = ctx.table;
    if a.state.rows_seen == 0 {
        return Err(Error::Format {
            path: table.path.clone(),
            message: "the table has no data rows".into(),
        });
    }
    if a.label.non_null == 0 {
        return Err(ctx.bad(
            &spec.label,
            "every value is null; the label role needs values".into(),
        ));
    }
    if let Some(p) = &spec.prediction {
        if a.prediction.non_null == 0 {
            return Err(ctx.bad(
                p,
                "every value is null; the prediction role needs values".into(),
            ));
        }
    }
    if let Some(s) = &spec.score {
        if a.score_non_null == 0 {
            return Err(ctx.bad(s, "every value is null; the score role needs values".into()));
        }
    }
    for (name, &nn) in spec.sensitive.iter().zip(&a.sensitive_non_null) {
        if nn == 0 {
            return Err(ctx.bad(
                name,
                "every value is null; a sensitive attribute needs values".into(),
            ));
        }
    }
    check_binary(ctx, &a)?;
    let positive = match &ctx.positive {
        Some(p) => {
            if !a.label.values.contains(p) {
                return Err(ctx.bad(
                    &spec.label,
                    format!(
                        "the positive label `{p}` never occurs; the label's values are {}",
                        a.label.list()
                    ),
                ));
            }
            p.clone()
        }
        None => {
            let pos: Vec<&String> = a
                .label
                .values
                .iter()
                .filter(|v| is_positive_token(v))
                .collect();
            match pos.as_slice() {
                [one] => (*one).clone(),
                _ => {
                    return Err(ctx.bad(
                        &spec.label,
                        format!(
                        "cannot tell which label value is positive among {}; pass --positive-label",
                        a.label.list()
                    ),
                    ))
                }
            }
        }
    };
    if let Some(p) = &spec.prediction {
        // Every prediction value must be the positive label or one of the label's values, so that
        // the mapping cannot depend on whether the positive label was given or inferred.
        for v in &a.prediction.values {
            if v != &positive && !a.label.values.contains(v) {
                return Err(ctx.bad(
                    p,
                    format!(
                        "prediction value `{v}` is neither the positive label `{positive}` nor one of the label's values ({})",
                        a.label.list()
                    ),
                ));
            }
        }
        if a.prediction.values.len() == 2 && !a.prediction.values.contains(&positive) {
            return Err(ctx.bad(
                p,
                format!(
                    "the prediction's values {} do not include the positive label `{positive}`",
                    a.prediction.list()
                ),
            ));
        }
    }
    let report = a.state.finish(opts).map_err(|e| Error::Core {
        context: format!("{}: ", table.path.display()),
        source: e,
    })?;
    Ok(FairnessOutput {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        input: InputInfo {
            path: table.path.clone(),
            format: table.format_name(),
            schema_file: table.schema_file().map(|p| p.to_path_buf()),
        },
        roles: ResolvedRoles {
            label: spec.label.clone(),
            prediction: spec.prediction.clone(),
            score: spec.score.clone(),
            threshold: (spec.prediction.is_none() && spec.score.is_some())
                .then_some(spec.threshold),
            sensitive: spec.sensitive.clone(),
            positive_label: positive,
            label_values: a.label.values.iter().cloned().collect(),
            prediction_values: a.prediction.values.iter().cloned().collect(),
        },
        report,
    })
}
