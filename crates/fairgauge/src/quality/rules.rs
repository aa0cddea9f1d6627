//! Declared expectations about columns ("rules"), read from TOML, checked by
//! [`crate::quality::run_quality`] and suggested from clean data by [`infer_rules`].
//!
//! ```toml
//! version = 1
//! [columns.age]
//! type = "integer"        # integer | number | string | boolean
//! not_null = true         # no null, NaN, empty text or configured null token
//! min = 17                # inclusive bounds (numbers)
//! max = 90
//! [columns.sex]
//! allowed = ["Female", "Male"]
//! [columns.id]
//! unique = true           # every row's value distinct (all rows of a repeated value fail, as
//!                         # Great Expectations' expect_column_values_to_be_unique counts them)
//! regex = '^[A-Z]{2}\d+$' # the whole value must match (anchors are implied)
//! max_length = 12         # in characters
//! ```
//!
//! Numbers are compared by value and, for `allowed`, `regex` and `max_length`, by their canonical
//! text (`1.0` is `1`); a null fails only `not_null`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::text::canonical_number;

/// A value type a rule can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleType {
    /// Whole numbers (an integer column, or numeric text without a fraction).
    Integer,
    /// Any finite number.
    Number,
    /// Any text.
    String,
    /// `true` or `false`.
    Boolean,
}

/// The rules of one column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnRules {
    /// Required value type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<RuleType>,
    /// No missing values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null: Option<bool>,
    /// Every value distinct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<bool>,
    /// Smallest allowed number (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed number (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The allowed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<AllowedValue>>,
    /// A regular expression every value must match in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<toml::Spanned<String>>,
    /// Longest allowed value, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
}

/// An allowed value: text or a number (compared by canonical text).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AllowedValue {
    /// A text.
    Text(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl AllowedValue {
    fn canonical(&self) -> String {
        match self {
            AllowedValue::Text(s) => s.clone(),
            AllowedValue::Int(i) => i.to_string(),
            AllowedValue::Float(f) => canonical_number(*f).unwrap_or_else(|| "NaN".into()),
            AllowedValue::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    version: u32,
    #[serde(default)]
    columns: BTreeMap<String, ColumnRules>,
}

/// Rules for a table, parsed and compiled.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Where they came from.
    pub path: PathBuf,
    /// Per column.
    pub columns: BTreeMap<String, CompiledRules>,
}

/// One column's rules, ready to check values.
#[derive(Debug, Clone)]
pub struct CompiledRules {
    /// As declared.
    pub declared: ColumnRules,
    allowed: Option<std::collections::HashSet<String>>,
    regex: Option<regex::Regex>,
}

/// A value as the rules see it.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// Missing (null, NaN, empty text or a configured null token).
    Missing,
    /// A number.
    Number(f64),
    /// A text (a plain decimal number in text is also passed as [`Cell::Number`] by callers
    /// that know it).
    Text(&'a str),
}

/// The rule kinds, in report order.
pub const RULE_KINDS: [&str; 8] = [
    "type",
    "not_null",
    "unique",
    "min",
    "max",
    "allowed",
    "regex",
    "max_length",
];

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl RuleSet {
    /// Reads and checks a rules file: unknown keys, wrong types and bad regular expressions are
    /// reported with the line and key.
    pub fn load(path: &Path) -> Result<RuleSet> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            message: format!("cannot read the rules file: {e}"),
        })?;
        Self::parse(&text, path)
    }

    /// Parses rules from TOML text (`path` names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<RuleSet> {
        let bad = |message: String| Error::Rules {
            path: path.to_path_buf(),
            message,
        };
        let file: RulesFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let msg = e.message().trim().to_string();
            match line {
                Some(l) => bad(format!("line {l}: {msg} (rule keys are: type, not_null, unique, min, max, allowed, regex, max_length)")),
                None => bad(msg),
            }
        })?;
        if file.version != 1 {
            return Err(bad(format!(
                "version {} is not supported (expected `version = 1`)",
                file.version
            )));
        }
        let mut columns = BTreeMap::new();
        for (name, r) in file.columns {
            if let (Some(lo), Some(hi)) = (r.min, r.max) {
                if lo > hi {
                    return Err(bad(format!("column `{name}`: min {lo} is above max {hi}")));
                }
            }
            for (k, v) in [("min", r.min), ("max", r.max)] {
                if v.is_some_and(|x| x.is_nan()) {
                    return Err(bad(format!(
                        "column `{name}`: `{k}` is NaN, expected a number"
                    )));
                }
            }
            let regex = match &r.regex {
                Some(sp) => {
                    let pattern = format!("^(?:{})$", sp.get_ref());
                    Some(regex::Regex::new(&pattern).map_err(|e| {
                        bad(format!(
                            "line {}: column `{name}`: key `regex`: `{}` is not a valid regular expression: {}",
                            line_of(text, sp.span().start),
                            sp.get_ref(),
                            e.to_string().lines().last().unwrap_or("").trim()
                        ))
                    })?)
                }
                None => None,
            };
            let allowed = r
                .allowed
                .as_ref()
                .map(|a| a.iter().map(AllowedValue::canonical).collect());
            columns.insert(
                name,
                CompiledRules {
                    declared: r,
                    allowed,
                    regex,
                },
            );
        }
        Ok(RuleSet {
            path: path.to_path_buf(),
            columns,
        })
    }
}

impl CompiledRules {
    /// Whether the column needs every distinct value tracked (uniqueness, sets, patterns).
    pub fn needs_values(&self) -> bool {
        self.declared.unique == Some(true)
            || self.allowed.is_some()
            || self.regex.is_some()
            || self.declared.max_length.is_some()
    }

    /// Whether numbers stored as text must be compared as numbers (a numeric type or a bound).
    pub fn compares_numbers(&self) -> bool {
        let d = &self.declared;
        matches!(d.ty, Some(RuleType::Integer | RuleType::Number))
            || d.min.is_some()
            || d.max.is_some()
    }

    /// The rule kinds (from [`RULE_KINDS`]) that a value breaks, uniqueness aside (it depends on
    /// the other rows).
    pub fn failures(&self, cell: Cell<'_>) -> Vec<&'static str> {
        let d = &self.declared;
        let mut out = vec![];
        let text_of_number;
        let (num, text): (Option<f64>, Option<&str>) = match cell {
            Cell::Missing => {
                if d.not_null == Some(true) {
                    out.push("not_null");
                }
                return out;
            }
            Cell::Number(x) => {
                text_of_number = canonical_number(x).unwrap_or_else(|| "NaN".into());
                (Some(x), Some(text_of_number.as_str()))
            }
            Cell::Text(s) => (None, Some(s)),
        };
        if let Some(t) = d.ty {
            let ok = match t {
                RuleType::Integer => num.is_some_and(|x| x.is_finite() && x.fract() == 0.0),
                RuleType::Number => num.is_some_and(f64::is_finite),
                RuleType::String => true,
                RuleType::Boolean => text.is_some_and(|s| {
                    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
                }),
            };
            if !ok {
                out.push("type");
            }
        }
        if d.min.is_some() || d.max.is_some() {
            // A value that is not a number breaks the bounds too (it cannot be compared).
            match num {
                Some(x) => {
                    if x.is_nan() || d.min.is_some_and(|lo| x < lo) {
                        out.push("min");
                    }
                    if x.is_nan() || d.max.is_some_and(|hi| x > hi) {
                        out.push("max");
                    }
                }
                None => {
                    if d.min.is_some() {
                        out.push("min");
                    }
                    if d.max.is_some() {
                        out.push("max");
                    }
                }
            }
        }
        if let (Some(set), Some(s)) = (&self.allowed, text) {
            if !set.contains(s) {
                out.push("allowed");
            }
        }
        if let (Some(re), Some(s)) = (&self.regex, text) {
            if !re.is_match(s) {
                out.push("regex");
            }
        }
        if let (Some(max), Some(s)) = (d.max_length, text) {
            if s.chars().count() as u64 > max {
                out.push("max_length");
            }
        }
        out
    }

    /// A sentence describing one rule, for messages.
    pub fn describe(&self, kind: &str) -> String {
        let d = &self.declared;
        match kind {
            "type" => format!(
                "values must be of type {}",
                match d.ty {
                    Some(RuleType::Integer) => "integer",
                    Some(RuleType::Number) => "number",
                    Some(RuleType::Boolean) => "boolean",
                    _ => "string",
                }
            ),
            "not_null" => "no value may be missing".into(),
            "unique" => "every value must be distinct".into(),
            "min" => format!("values must be at least {}", d.min.unwrap_or(f64::NAN)),
            "max" => format!("values must be at most {}", d.max.unwrap_or(f64::NAN)),
            "allowed" => {
                let list: Vec<String> = d
                    .allowed
                    .iter()
                    .flatten()
                    .map(AllowedValue::canonical)
                    .collect();
                format!("values must be one of: {}", list.join(", "))
            }
            "regex" => format!(
                "values must match `{}`",
                d.regex.as_ref().map(|r| r.get_ref().as_str()).unwrap_or("")
            ),
            "max_length" => format!(
                "values must be at most {} characters long",
                d.max_length.unwrap_or(0)
            ),
            _ => kind.to_string(),
        }
    }
}

/// What [`infer_rules`] needs to know of a column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnFacts {
    /// The column.
    pub name: String,
    /// Rows profiled.
    pub rows: u64,
    /// Missing values (null, NaN, empty, configured tokens, suspected placeholders).
    pub missing: u64,
    /// Numeric range, when the column is numeric.
    pub range: Option<(f64, f64)>,
    /// Whether every number is whole.
    pub integral: bool,
    /// Whether the column holds booleans.
    pub boolean: bool,
    /// Distinct non-missing values (exact).
    pub distinct: u64,
    /// The distinct values when few (text columns).
    pub values: Option<Vec<String>>,
    /// Longest text, in characters (text columns).
    pub max_length: Option<u64>,
}

/// Most distinct values for which an `allowed` set is suggested.
pub const INFER_MAX_ALLOWED: u64 = 50;

/// Suggests rules from a clean table's profile, as Deequ's constraint suggestion and TFDV's schema
/// inference do: the type; `not_null` when nothing is missing; the observed `min`/`max` for
/// numbers; `allowed` for text with at most [`INFER_MAX_ALLOWED`] distinct values; `unique` when
/// every value is distinct (at least 2 rows); `max_length` for other text. Returns TOML text.
pub fn infer_rules(facts: &[ColumnFacts], source: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Rules suggested by fairgauge {} from {source}.\n# Review them: bounds and sets are the observed ones. Apply with `fairgauge quality DATA --rules FILE`.\nversion = 1\n",
        env!("CARGO_PKG_VERSION")
    ));
    for f in facts {
        let mut r = ColumnRules::default();
        let present = f.rows.saturating_sub(f.missing);
        r.ty = Some(if f.boolean {
            RuleType::Boolean
        } else if f.range.is_some() {
            if f.integral {
                RuleType::Integer
            } else {
                RuleType::Number
            }
        } else {
            RuleType::String
        });
        if f.missing == 0 && f.rows > 0 {
            r.not_null = Some(true);
        }
        if let Some((lo, hi)) = f.range {
            r.min = Some(lo);
            r.max = Some(hi);
        }
        if f.range.is_none() && !f.boolean {
            match &f.values {
                Some(v) if (v.len() as u64) <= INFER_MAX_ALLOWED && present > v.len() as u64 => {
                    r.allowed = Some(v.iter().cloned().map(AllowedValue::Text).collect());
                }
                _ => r.max_length = f.max_length,
            }
        }
        if present >= 2 && f.distinct == present {
            r.unique = Some(true);
        }
        out.push_str(&format!("\n[columns.{}]\n", toml_key(&f.name)));
        let body = toml::to_string(&r).unwrap_or_default();
        out.push_str(&body);
    }
    out
}

fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        name.to_string()
    } else {
        // A basic string with escapes.
        toml::Value::String(name.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<RuleSet> {
        RuleSet::parse(t, Path::new("rules.toml"))
    }

    #[test]
    fn errors_name_line_and_key() {
        let e = parse("version = 1\n[columns.a]\nnot_nul = true\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("rules.toml") && e.contains("line 3") && e.contains("not_nul"),
            "{e}"
        );
        let e = parse("version = 1\n[columns.a]\nmin = \"low\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3"), "{e}");
        let e = parse("version = 1\n[columns.a]\n\nregex = '[a-'\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 4") && e.contains("regex") && e.contains("[a-"),
            "{e}"
        );
        let e = parse("version = 2\n").unwrap_err().to_string();
        assert!(e.contains("version 2"), "{e}");
        let e = parse("version = 1\n[columns.a]\nmin = 5\nmax = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("min 5 is above max 1"), "{e}");
    }

    #[test]
    fn values_are_checked() {
        let r = parse(
            "version = 1\n[columns.a]\ntype = \"integer\"\nnot_null = true\nmin = 0\nmax = 10\nallowed = [1, 2, \"x\"]\nmax_length = 1\n[columns.b]\nregex = '[A-Z]\\d'\n",
        )
        .unwrap();
        let a = &r.columns["a"];
        assert!(a.failures(Cell::Number(1.0)).is_empty());
        assert_eq!(
            a.failures(Cell::Number(1.5)),
            ["type", "allowed", "max_length"]
        );
        assert_eq!(
            a.failures(Cell::Number(-2.0)),
            ["min", "allowed", "max_length"]
        );
        assert_eq!(a.failures(Cell::Missing), ["not_null"]);
        assert_eq!(a.failures(Cell::Text("x")), ["type", "min", "max"]);
        let b = &r.columns["b"];
        assert!(b.failures(Cell::Text("A1")).is_empty());
        // Anchored: the whole value must match.
        assert_eq!(b.failures(Cell::Text("xA1")), ["regex"]);
        assert!(b.failures(Cell::Missing).is_empty());
    }

    #[test]
    fn inferred_rules_parse_back() {
        let facts = vec![
            ColumnFacts {
                name: "age".into(),
                rows: 10,
                missing: 0,
                range: Some((17.0, 90.0)),
                integral: true,
                boolean: false,
                distinct: 8,
                values: None,
                max_length: None,
            },
            ColumnFacts {
                name: "native country".into(),
                rows: 10,
                missing: 1,
                range: None,
                integral: false,
                boolean: false,
                distinct: 2,
                values: Some(vec!["US".into(), "Mexico \"M\"".into()]),
                max_length: Some(10),
            },
        ];
        let text = infer_rules(&facts, "test");
        let r = parse(&text).unwrap();
        assert_eq!(r.columns["age"].declared.min, Some(17.0));
        assert_eq!(r.columns["age"].declared.ty, Some(RuleType::Integer));
        assert_eq!(r.columns["age"].declared.not_null, Some(true));
        let c = &r.columns["native country"];
        assert!(c.failures(Cell::Text("Mexico \"M\"")).is_empty());
        assert_eq!(c.failures(Cell::Text("Canada")), ["allowed"]);
        assert_eq!(c.declared.not_null, None);
    }
}
