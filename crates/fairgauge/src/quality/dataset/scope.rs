//! What every dataset-level check reads: the table's plan, the spec, the row counts and the
//! bounded mode's spills.

use fairgauge_core::fingerprint::ContentFingerprint;

use crate::error::Result;
use crate::io::spill::{HashSpill, SpillReader};
use crate::quality::aggregate::Bounded;
use crate::quality::read::Ctx;
use crate::quality::spec::{QualitySpec, Thresholds};

/// The bounded mode's row-level state once read: spills ready to be read back.
pub(crate) struct FinishedBounded {
    pub(crate) rows: SpillReader,
    pub(crate) keys: Option<SpillReader>,
    pub(crate) feats: Option<SpillReader>,
    pub(crate) leaks: Option<SpillReader>,
    pub(crate) content: ContentFingerprint,
    pub(crate) label_counts: Vec<u64>,
}

/// The table being finished, as the dataset-level checks read it.
pub(crate) struct Scope<'a> {
    pub(crate) ctx: &'a Ctx<'a>,
    pub(crate) spec: &'a QualitySpec,
    pub(crate) bounded: Option<FinishedBounded>,
    /// Rows read (blank CSV lines left out), empty rows included.
    pub(crate) rows: u64,
    /// Rows whose every field is empty.
    pub(crate) empty_rows: u64,
    /// Example rows per check.
    pub(crate) examples: usize,
}

impl Scope<'_> {
    /// The thresholds of the checks.
    pub(crate) fn thresholds(&self) -> &Thresholds {
        &self.spec.thresholds
    }

    /// The bounded mode's spill of `pick`, when the run is bounded and has it.
    pub(crate) fn spill(
        &self,
        pick: impl Fn(&FinishedBounded) -> Option<&SpillReader>,
    ) -> Option<&SpillReader> {
        self.bounded.as_ref().and_then(pick)
    }
}

/// Reads the bounded mode's spills back (none in the exact mode).
pub(crate) fn finish_bounded(b: Option<Bounded>) -> Result<Option<FinishedBounded>> {
    let Some(b) = b else { return Ok(None) };
    Ok(Some(FinishedBounded {
        rows: b.rows.finish()?,
        keys: b.keys.map(HashSpill::finish).transpose()?,
        feats: b.feats.map(HashSpill::finish).transpose()?,
        leaks: b.leaks.map(HashSpill::finish).transpose()?,
        content: b.content,
        label_counts: b.label_counts,
    }))
}
