//! What finishing a column learns, step by step (its numbers, its text values, its numeric
//! profile), and what its checks and its report read.

use std::collections::BTreeMap;

use fairgauge_core::quality::numeric::NumericProfile;

use crate::io::frame::ColumnKind;
use crate::quality::read::{is_null_f64, ColPlan, SketchedNumbers};
use crate::quality::report::{Example, Missing, Placeholder, TextFacts, TopValue};
use crate::quality::score::share;
use crate::quality::spec::PLACEHOLDER_REASON;

/// A text value with its count and first rows (0-based), as rules and examples read them.
pub(crate) type TextValue = (String, u64, Vec<u64>);

/// A column being finished.
pub(crate) struct ColumnState {
    pub(crate) name: String,
    /// `numeric`, `boolean`, `text`, `other`, or `numeric_text` for numbers stored as text.
    pub(crate) kind: String,
    /// Rows profiled (empty rows left out).
    pub(crate) rows: u64,
    pub(crate) nulls: u64,
    pub(crate) nan: u64,
    pub(crate) empty_strings: u64,
    /// Configured null tokens seen, with their counts.
    pub(crate) configured: BTreeMap<String, u64>,
    /// Suspected placeholders.
    pub(crate) suspected: Vec<Placeholder>,
    /// (+∞, −∞) counts of a column of numbers.
    pub(crate) infinite: Option<(u64, u64)>,
    /// Row-order numbers (numeric columns and numbers stored as text).
    pub(crate) numbers: Option<Vec<f64>>,
    /// Bounded mode: the numbers' summary.
    pub(crate) sketch: Option<SketchedNumbers>,
    /// The finite numbers, sorted.
    pub(crate) sorted: Vec<f64>,
    pub(crate) profile: Option<NumericProfile>,
    pub(crate) integral: Option<bool>,
    pub(crate) top: Vec<TopValue>,
    pub(crate) distinct: u64,
    pub(crate) distinct_exact: bool,
    /// Values of different kinds: (count, examples, detail).
    pub(crate) mixed: Option<(u64, Vec<Example>, String)>,
    pub(crate) padded_rows: u64,
    /// Case and spacing variants of one category, largest groups first.
    pub(crate) variants: Vec<Vec<TopValue>>,
    /// Text values with their counts and rows.
    pub(crate) text_values: Vec<TextValue>,
    /// Every distinct value, when few (for suggested rules).
    pub(crate) all_values: Option<Vec<String>>,
    pub(crate) max_length: Option<u64>,
    pub(crate) text_facts: Option<TextFacts>,
}

/// The missing values' totals, once the profile is complete.
pub(crate) struct MissingTotals {
    pub(crate) configured: u64,
    pub(crate) suspected: u64,
    pub(crate) total: u64,
    pub(crate) share: Option<f64>,
}

impl ColumnState {
    /// A column of `rows` profiled rows and `nulls` nulls, of the plan's kind.
    pub(crate) fn new(plan: &ColPlan, rows: u64, nulls: u64) -> ColumnState {
        let kind = match plan.kind {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Text => "text",
            ColumnKind::Other => "other",
        };
        ColumnState {
            name: plan.name.clone(),
            kind: kind.to_string(),
            rows,
            nulls,
            nan: 0,
            empty_strings: 0,
            configured: BTreeMap::new(),
            suspected: vec![],
            infinite: None,
            numbers: None,
            sketch: None,
            sorted: vec![],
            profile: None,
            integral: None,
            top: vec![],
            distinct: 0,
            distinct_exact: true,
            mixed: None,
            padded_rows: 0,
            variants: vec![],
            text_values: vec![],
            all_values: None,
            max_length: None,
            text_facts: None,
        }
    }

    /// Takes a numeric column's values (NaN and ±∞ counted), or the bounded mode's summary of
    /// them; a text column's numbers come later, with its text.
    pub(crate) fn take_numbers(
        &mut self,
        values: Option<Vec<f64>>,
        sketch: Option<SketchedNumbers>,
        is_text: bool,
    ) {
        if let Some(v) = values {
            for &x in &v {
                if !is_null_f64(x) && x.is_nan() {
                    self.nan += 1;
                }
            }
            let pos = v.iter().filter(|&&x| x == f64::INFINITY).count() as u64;
            let neg = v.iter().filter(|&&x| x == f64::NEG_INFINITY).count() as u64;
            self.infinite = Some((pos, neg));
            self.numbers = Some(v);
        }
        if let (Some(sn), false) = (&sketch, is_text) {
            self.nan = sn.nan;
            self.infinite = Some((sn.pos_inf, sn.neg_inf));
        }
        self.sketch = sketch;
    }

    /// The missing values once the profile is complete. Suspected values that were counted as
    /// distinct values (numeric sentinels, repeated non-numbers in a column of numbers) are
    /// missing, not values: they leave the distinct count.
    pub(crate) fn missing(&mut self) -> (Missing, MissingTotals) {
        let suspected: u64 = self.suspected.iter().map(|p| p.count).sum();
        let counted = self
            .suspected
            .iter()
            .filter(|p| p.reason != PLACEHOLDER_REASON)
            .count() as u64;
        self.distinct = self.distinct.saturating_sub(counted);
        let configured: u64 = self.configured.values().sum();
        let total = self.nulls + self.nan + self.empty_strings + configured + suspected;
        let share = share(total, self.rows);
        let missing = Missing {
            nulls: self.nulls,
            nan: self.nan,
            empty_strings: self.empty_strings,
            configured: self.configured.clone(),
            suspected: self.suspected.clone(),
            total,
            share,
        };
        let totals = MissingTotals {
            configured,
            suspected,
            total,
            share,
        };
        (missing, totals)
    }
}
