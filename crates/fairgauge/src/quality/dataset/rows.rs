//! The rows as a whole: the content fingerprint (of the non-empty rows and the empty data rows),
//! the schema fingerprint, empty rows, and a table without a row to profile.

use fairgauge_core::fingerprint::{finish_row, hash_null, schema_fingerprint, ContentFingerprint};

use super::scope::Scope;
use crate::quality::aggregate::Agg;
use crate::quality::report::{Check, Example, Fingerprints, Status};

/// The file digest (given), the content fingerprint and the schema fingerprint.
pub(crate) fn fingerprints(t: &Scope<'_>, agg: &Agg, file_sha256: Option<String>) -> Fingerprints {
    // Content fingerprint: non-empty rows plus the empty data rows (all alike).
    let mut content = ContentFingerprint::default();
    match &t.bounded {
        Some(b) => content = b.content,
        None => {
            for &h in &agg.row_hashes {
                if h != 0 {
                    content.add(h);
                }
            }
        }
    }
    if t.empty_rows > 0 {
        let empty_hash = finish_row(
            t.ctx
                .cols
                .iter()
                .map(|c| hash_null(c.seed))
                .fold(0u128, u128::wrapping_add),
        );
        for _ in 0..t.empty_rows {
            content.add(empty_hash);
        }
    }
    Fingerprints {
        file_sha256,
        content: content.finish(),
        schema: schema_fingerprint(
            t.ctx
                .cols
                .iter()
                .map(|c| (c.name.as_str(), c.dtype.as_str())),
        ),
    }
}

/// Empty rows (a warning), and a table without a row to profile (a failure).
pub(crate) fn empty_row_checks(t: &Scope<'_>, agg: &Agg) -> Vec<Check> {
    let (rows, empty_rows) = (t.rows, t.empty_rows);
    let mut checks = vec![];
    if empty_rows > 0 {
        checks.push(Check {
            status: Status::Warn,
            value: Some(empty_rows as f64),
            count: Some(empty_rows),
            message: format!(
                "{empty_rows} rows have every field empty; they are left out of the column profiles"
            ),
            examples: agg
                .empty_rows
                .iter()
                .take(t.examples)
                .map(|&r| Example {
                    row: r + 1,
                    value: None,
                })
                .collect(),
            ..Check::of_dataset("empty_rows")
        });
    }
    // A table without a row to profile cannot be of good quality.
    if rows == empty_rows {
        checks.push(Check {
            status: Status::Fail,
            value: Some(0.0),
            count: Some(0),
            message: if rows == 0 {
                "the table has no rows".into()
            } else {
                format!("every one of the {rows} rows is empty")
            },
            ..Check::of_dataset("no_rows")
        });
    }
    checks
}
