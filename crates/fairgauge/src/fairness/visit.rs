//! Reading the role columns of a batch: the label and prediction as binary outcomes, the score,
//! and each sensitive attribute's groups (with their distinct values counted up to a cap).

use crate::io::coded::Values;
use crate::io::frame::{first_rows, visit_code, Visit};
use crate::io::text::{canonical_number, canonical_text, is_positive_token, TextRules};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Distinct values of a binary role, capped so that a mistaken column stays cheap.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Distinct {
    pub(crate) values: BTreeSet<String>,
    pub(crate) non_null: u64,
}

pub(crate) const DISTINCT_CAP: usize = 12;

impl Distinct {
    pub(crate) fn merge(&mut self, o: &Distinct) {
        self.non_null += o.non_null;
        for v in &o.values {
            if self.values.len() < DISTINCT_CAP {
                self.values.insert(v.clone());
            }
        }
    }
    /// The positive label among a binary label's values: `given` (already canonical) when it
    /// occurs, else the one value among 1, true, yes, y, t, positive; the message says why not.
    pub(crate) fn positive(&self, given: Option<&str>) -> std::result::Result<String, String> {
        match given {
            Some(p) if self.values.contains(p) => Ok(p.to_string()),
            Some(p) => Err(format!(
                "the positive label `{p}` never occurs; the label's values are {}",
                self.list()
            )),
            None => {
                let pos: Vec<&String> = self
                    .values
                    .iter()
                    .filter(|v| is_positive_token(v))
                    .collect();
                match pos.as_slice() {
                    [one] => Ok((*one).clone()),
                    _ => Err(format!(
                        "cannot tell which label value is positive among {}; pass --positive-label",
                        self.list()
                    )),
                }
            }
        }
    }

    pub(crate) fn list(&self) -> String {
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
pub(crate) struct BinaryVisitor<'a> {
    pub(crate) rules: &'a TextRules,
    pub(crate) positive: Option<&'a str>,
    pub(crate) out: Vec<Option<bool>>,
    pub(crate) distinct: Distinct,
    pub(crate) cache: Vec<(String, bool)>,
    pub(crate) number_cache: Vec<(u64, Option<bool>)>,
}

impl<'a> BinaryVisitor<'a> {
    pub(crate) fn new(rules: &'a TextRules, positive: Option<&'a str>, n: usize) -> Self {
        BinaryVisitor {
            rules,
            positive,
            out: Vec::with_capacity(n),
            distinct: Distinct::default(),
            cache: Vec::new(),
            number_cache: Vec::new(),
        }
    }
    pub(crate) fn canonical(&mut self, canon: String) -> bool {
        let pos = match self.positive {
            Some(p) => canon == p,
            None => is_positive_token(&canon),
        };
        if self.distinct.values.len() < DISTINCT_CAP {
            self.distinct.values.insert(canon);
        }
        pos
    }
    pub(crate) fn push(&mut self, raw: Option<&str>) {
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
    // A row's outcome depends on its value only: each code's first row goes through `text` or
    // `number` (in row order, so the distinct values are met as row by row); every row then
    // takes its code's outcome, and counts as non-null when it is one.
    fn coded(&mut self, first_row: usize, codes: &[u32], values: &Values, nulls: bool) {
        let mut outcome: Vec<Option<bool>> = vec![None; values.len() + 1];
        for (row, c) in first_rows(codes, values, nulls) {
            visit_code(self, first_row + row, c, values);
            let b = self.out.pop().flatten();
            self.distinct.non_null -= u64::from(b.is_some());
            outcome[(c as usize).min(values.len())] = b;
        }
        let start = self.out.len();
        let last = values.len();
        self.out
            .extend(codes.iter().map(|&c| outcome[(c as usize).min(last)]));
        self.distinct.non_null += self.out[start..].iter().filter(|b| b.is_some()).count() as u64;
    }
}

/// Reads a score column as numbers.
pub(crate) struct ScoreVisitor<'a> {
    pub(crate) rules: &'a TextRules,
    pub(crate) out: Vec<Option<f64>>,
    pub(crate) bad: Option<(usize, String)>,
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

/// Reads a sample-weight column: every value a finite number `≥ 0`. The first value that is
/// not (null, text that is not a number, a boolean, negative, NaN, infinite) is kept as
/// `(row, value shown)` for the error.
pub(crate) struct WeightVisitor<'a> {
    pub(crate) rules: &'a TextRules,
    pub(crate) out: Vec<f64>,
    pub(crate) bad: Option<(usize, String)>,
    /// Rows the run leaves out whatever their weight (a null label, or a null query in a
    /// ranking): a null weight there is no error (polars reads a blank CSV line as such a row).
    pub(crate) left_out: &'a dyn Fn(usize) -> bool,
}

impl WeightVisitor<'_> {
    fn push(&mut self, row: usize, v: Option<f64>, null: bool, shown: impl FnOnce() -> String) {
        match v {
            Some(x) if x.is_finite() && x >= 0.0 => self.out.push(x),
            _ => {
                if self.bad.is_none() && !(null && (self.left_out)(row)) {
                    self.bad = Some((row, shown()));
                }
                self.out.push(0.0);
            }
        }
    }
}

impl Visit for WeightVisitor<'_> {
    fn text(&mut self, row: usize, v: Option<&str>) {
        let rules = self.rules;
        let s = v.and_then(|s| rules.apply(s));
        let x = s.and_then(|s| s.trim().parse::<f64>().ok());
        self.push(row, x, s.is_none(), || {
            s.map_or("null".into(), |s| format!("`{s}`"))
        });
    }
    fn number(&mut self, row: usize, v: Option<f64>) {
        self.push(row, v, v.is_none(), || {
            v.map_or("null".into(), |x| x.to_string())
        });
    }
    fn boolean(&mut self, row: usize, v: Option<bool>) {
        self.push(row, None, v.is_none(), || {
            v.map_or("null".into(), |b| b.to_string())
        });
    }
}

/// Dictionary-encodes a sensitive attribute.
pub(crate) struct CategoryVisitor<'a> {
    pub(crate) rules: &'a TextRules,
    pub(crate) codes: Vec<u32>,
    pub(crate) levels: Vec<Option<String>>,
    pub(crate) index: FxHashMap<String, u32>,
    pub(crate) null_code: Option<u32>,
    pub(crate) non_null: u64,
    pub(crate) last: Option<u32>,
    pub(crate) number_cache: FxHashMap<u64, u32>,
}

impl<'a> CategoryVisitor<'a> {
    pub(crate) fn new(rules: &'a TextRules, n: usize) -> Self {
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
    pub(crate) fn push(&mut self, v: Option<&str>) {
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

impl CategoryVisitor<'_> {
    /// Pushes the code `key` gave earlier in `seen`; a new key's `text` goes through the rules
    /// (as [`Visit::text`]) and its code is remembered under `key`.
    fn push_keyed<'t, K: std::hash::Hash + Eq>(
        &mut self,
        seen: &mut FxHashMap<K, u32>,
        key: K,
        text: impl FnOnce() -> Option<&'t str>,
    ) {
        if let Some(&c) = seen.get(&key) {
            if self.levels[c as usize].is_some() {
                self.non_null += 1;
            }
            self.codes.push(c);
            return;
        }
        let rules = self.rules;
        self.push(text().and_then(|s| rules.apply(s)));
        if let Some(&c) = self.codes.last() {
            seen.insert(key, c);
        }
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
    // Each short text's key (its bytes) goes through the rules once; its rows then take the code
    // it gave. The cache lives for one run of rows.
    fn short_texts<'t>(
        &mut self,
        first_row: usize,
        keys: &[Option<u128>],
        text: &dyn Fn(usize) -> Option<&'t str>,
    ) {
        let mut seen: FxHashMap<u128, u32> = FxHashMap::default();
        for (i, key) in keys.iter().enumerate() {
            match *key {
                Some(key) => self.push_keyed(&mut seen, key, || text(i)),
                None => self.text(first_row + i, text(i)),
            }
        }
    }
    // Each code's value goes through the rules once (as `text` or `number`, at its first row);
    // every row then takes the code it gave.
    fn coded(&mut self, first_row: usize, codes: &[u32], values: &Values, nulls: bool) {
        let last = values.len();
        let mut given = vec![(0u32, 0u64); last + 1];
        for (row, c) in first_rows(codes, values, nulls) {
            visit_code(self, first_row + row, c, values);
            let k = self.codes.pop().unwrap_or_default();
            let non_null = u64::from(self.levels[k as usize].is_some());
            self.non_null -= non_null;
            given[(c as usize).min(last)] = (k, non_null);
        }
        let slot = |c: &u32| (*c as usize).min(last);
        self.codes.extend(codes.iter().map(|c| given[slot(c)].0));
        self.non_null += codes.iter().map(|c| given[slot(c)].1).sum::<u64>();
    }
    // Each category id's text goes through the rules once; its rows then take the code it gave.
    fn categories<'m>(
        &mut self,
        _first_row: usize,
        ids: &[Option<u32>],
        level: &dyn Fn(u32) -> Option<&'m str>,
    ) {
        let mut seen: FxHashMap<u32, u32> = FxHashMap::default();
        for id in ids {
            match *id {
                Some(id) => self.push_keyed(&mut seen, id, || level(id)),
                None => self.push(None),
            }
        }
    }
}
