//! Estimates over partitioned tables (Spark, Dask): each partition of the data and of the
//! labelled reference is read where it lives into an [`EstimatePart`] (its score histograms,
//! exact counts), the parts of each table are merged in partition order and the estimate is
//! finished as a single process finishes it. Histograms merge exactly in any order, and each
//! reference row's fold comes from its row number in the whole table (the partition's first row
//! plus its place in the partition), so the report equals the single-process one.

use serde::{Deserialize, Serialize};

use super::read::{read_state, Seen};
use super::run::estimate_states;
use super::spec::{EstimateOutput, EstimateSpec};
use crate::error::{Error, Result};
use crate::io::source::Table;
use fairgauge_core::estimate::state::{AnalysisState, GroupedCells, ReferenceState};
use fairgauge_core::state_codec::StateKind;

/// The histograms of one part: the data's (score and decision) or the reference's (score,
/// decision, label and fold).
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Cells {
    Data(AnalysisState),
    Reference(ReferenceState),
}

/// One part of the data or of the reference, read for an estimate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EstimatePart {
    cells: Cells,
    seen: Seen,
}

impl EstimatePart {
    /// Reads `table` (a partition whose first row is `first_row` of the whole): the reference's
    /// part when `labelled`, else the data's.
    pub fn read(
        table: &Table,
        spec: &EstimateSpec,
        labelled: bool,
        first_row: usize,
    ) -> Result<EstimatePart> {
        Ok(if labelled {
            let (r, seen) = read_state::<8>(table, spec, true, first_row)?;
            EstimatePart {
                cells: Cells::Reference(r),
                seen,
            }
        } else {
            let (a, seen) = read_state::<2>(table, spec, false, first_row)?;
            EstimatePart {
                cells: Cells::Data(a),
                seen,
            }
        })
    }

    /// The compact binary form ([`fairgauge_core::state_codec`], kind `EstimatePart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(StateKind::EstimatePart, self)
    }

    /// Decodes a part written by [`EstimatePart::encode`].
    pub fn decode(bytes: &[u8]) -> Result<EstimatePart> {
        crate::io::part_codec::decode(StateKind::EstimatePart, bytes, "an estimate part")
    }
}

/// Merges the parts of one table (in the order given): they must all be of that table's kind
/// and count the spec's sensitive attributes.
fn merged<const N: usize>(
    parts: &[EstimatePart],
    spec: &EstimateSpec,
    pick: impl Fn(&Cells) -> Option<&GroupedCells<N>>,
    what: &str,
) -> Result<(GroupedCells<N>, Seen)> {
    let mut acc = GroupedCells::<N>::new(&spec.sensitive);
    let mut seen = Seen::default();
    for p in parts {
        let cells = pick(&p.cells).ok_or_else(|| {
            Error::InvalidOption(format!(
                "a part of another table was given as a part of the {what}"
            ))
        })?;
        let names: Vec<&String> = cells.attributes.iter().map(|(n, _)| n).collect();
        if names != spec.sensitive.iter().collect::<Vec<_>>()
            || cells.null_groups.len() != spec.sensitive.len()
        {
            return Err(Error::InvalidOption(format!(
                "a part of the {what} counts the attributes {names:?}, not {:?}",
                spec.sensitive
            )));
        }
        acc.merge(cells);
        seen.merge(&p.seen);
    }
    Ok((acc, seen))
}

/// Finishes the estimate of the data's parts calibrated on the reference's (each merged in the
/// order given); `data` and `reference` name the tables in the report and in errors.
pub fn finish_estimate(
    (data, data_parts): (&Table, &[EstimatePart]),
    (reference, reference_parts): (&Table, &[EstimatePart]),
    spec: &EstimateSpec,
) -> Result<EstimateOutput> {
    let (a, aseen) = merged(
        data_parts,
        spec,
        |c| match c {
            Cells::Data(a) => Some(a),
            Cells::Reference(_) => None,
        },
        "data",
    )?;
    let (r, rseen) = merged(
        reference_parts,
        spec,
        |c| match c {
            Cells::Reference(r) => Some(r),
            Cells::Data(_) => None,
        },
        "reference",
    )?;
    estimate_states((data, a, aseen), (reference, r, rseen), spec)
}
