//! Running a quality assessment: in one process ([`run_quality`]), or as parts computed
//! apart and finished together ([`plan_quality`], [`quality_part`], [`reference_part`],
//! [`finish_quality`]); and the fingerprints of a table alone.

use super::aggregate::*;
use super::dataset::finish;
use super::dataset::leakage::LeakSet;
use super::read::*;
use super::report::*;
use super::spec::*;
use crate::error::{Error, Result};
use crate::io::frame::{column_kinds, for_each_batch, ColumnKind};
use crate::io::source::Table;
use crate::io::spill::HashSpill;
use fairgauge_core::fingerprint::{
    column_seed, finish_row, hash_null, schema_fingerprint, sha256_reader, ContentFingerprint,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;

/// Profiles and checks a table. `reference` enables the leakage check.
///
/// A CSV column whose values stop fitting the type polars inferred from the first rows (a text
/// among numbers after row 100) is not an error here, it is a finding: the table is read again
/// with every column as text, and the column is reported with mixed types.
pub fn run_quality(
    table: &Table,
    reference: Option<&Table>,
    spec: &QualitySpec,
    progress: Option<crate::io::Progress>,
) -> Result<QualityReport> {
    match run_quality_once(table, reference, spec, progress.clone()) {
        Err(Error::Read { message, .. })
            if message.contains("could not parse")
                && table.format() == crate::io::source::InputFormat::Csv =>
        {
            let r = reference.map(Table::with_text_columns);
            run_quality_once(&table.with_text_columns(), r.as_ref(), spec, progress)
        }
        other => other,
    }
}

pub(crate) fn run_quality_once(
    table: &Table,
    reference: Option<&Table>,
    spec: &QualitySpec,
    progress: Option<crate::io::Progress>,
) -> Result<QualityReport> {
    let table = &table.with_countable_nulls();
    let reference = reference.map(Table::with_countable_nulls);
    let plan = plan_quality(table, reference.as_ref(), spec)?;
    let ctx = plan.ctx(table);
    let names = plan.names();
    let examples = spec.examples.max(1);
    // The file's SHA-256 is computed beside the scan.
    let (file_sha, read) = std::thread::scope(|scope| {
        let sha = scope.spawn(|| file_digest(table));
        let read = read_all(&ctx, &names, examples, progress.as_ref());
        (sha.join(), read)
    });
    let (agg, blank) = read?;
    let file_sha256 = digest_or_error(table, file_sha)?;
    // One pass over the reference gives its fingerprints and the leakage set (over the columns
    // both tables have).
    let (reference_facts, leak) = match (&reference, &plan.reference) {
        (Some(r), Some(rp)) => {
            let (facts, set) = reference_facts_and_rows(r, rp, plan.sketch.is_some())?;
            (
                Some(facts),
                Some((r.path.clone(), rp.leak_cols.clone(), set)),
            )
        }
        _ => (None, None),
    };
    let mut report = finish(&ctx, spec, agg, blank, file_sha256, leak)?;
    report.reference_facts = reference_facts;
    Ok(report)
}

/// What a quality run reads and how, from the schemas alone: the columns with their kinds, the
/// role columns, the rules' needs, and the reference's columns compared for leakage. Planned
/// once, so that every part of a table is read alike ([`quality_part`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QualityPlan {
    pub(crate) kinds: Vec<(String, ColumnKind, String)>,
    pub(crate) sens: Vec<usize>,
    pub(crate) label: Option<usize>,
    pub(crate) key: Vec<usize>,
    pub(crate) track_all: Vec<bool>,
    pub(crate) leak_mask: Option<Vec<bool>>,
    pub(crate) reference: Option<ReferencePlan>,
    pub(crate) examples: usize,
    #[serde(default)]
    pub(crate) sketch: Option<u16>,
    /// Columns named by a rule (kept exact in the bounded mode: rules judge each row).
    #[serde(default)]
    pub(crate) ruled: Vec<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ReferencePlan {
    pub(crate) kinds: Vec<(String, ColumnKind, String)>,
    pub(crate) leak_cols: Vec<String>,
}

impl QualityPlan {
    pub(crate) fn names(&self) -> Vec<String> {
        self.kinds.iter().map(|k| k.0.clone()).collect()
    }

    pub(crate) fn ctx<'a>(&self, table: &'a Table) -> Ctx<'a> {
        Ctx {
            table,
            cols: self
                .kinds
                .iter()
                .map(|(name, kind, dtype)| ColPlan {
                    name: name.clone(),
                    kind: *kind,
                    dtype: dtype.clone(),
                    seed: column_seed(name),
                    rules: table.text_rules(name),
                })
                .collect(),
            sens: self.sens.clone(),
            label: self.label,
            key: self.key.clone(),
            leak_mask: self.leak_mask.clone(),
            track_all: self.track_all.clone(),
            sketch: self.sketch,
            sketch_col: self
                .kinds
                .iter()
                .enumerate()
                .map(|(i, _)| self.sketch.is_some() && !self.ruled.get(i).copied().unwrap_or(false))
                .collect(),
            many_values: self.kinds.iter().map(|_| AtomicBool::new(false)).collect(),
        }
    }
}

/// Plans a quality run of `table` (and leakage against `reference`) from the schemas.
pub fn plan_quality(
    table: &Table,
    reference: Option<&Table>,
    spec: &QualitySpec,
) -> Result<QualityPlan> {
    let kinds = column_kinds(table)?;
    if kinds.is_empty() {
        return Err(Error::Format {
            path: table.path.clone(),
            message: "the table has no columns".into(),
        });
    }
    let names: Vec<String> = kinds.iter().map(|k| k.0.clone()).collect();
    let find = |c: &str| -> Result<usize> {
        names
            .iter()
            .position(|n| n == c)
            .ok_or_else(|| Error::ColumnNotFound {
                path: table.path.clone(),
                column: c.to_string(),
                available: names.join(", "),
            })
    };
    let sens: Vec<usize> = spec
        .sensitive
        .iter()
        .map(|c| find(c))
        .collect::<Result<_>>()?;
    let label = spec.label.as_deref().map(find).transpose()?;
    let key: Vec<usize> = spec.key.iter().map(|c| find(c)).collect::<Result<_>>()?;
    if let (Some(l), true) = (label, sens.contains(&label.unwrap_or(usize::MAX))) {
        return Err(Error::InvalidOption(format!(
            "column `{}` is both the label and a sensitive attribute",
            names[l]
        )));
    }
    let mut track_all = vec![false; names.len()];
    let mut ruled = vec![false; names.len()];
    if let Some(rs) = &spec.rules {
        for (c, r) in &rs.columns {
            let i = names
                .iter()
                .position(|n| n == c)
                .ok_or_else(|| Error::Rules {
                    path: rs.path.clone(),
                    message: format!(
                        "a rule names column `{c}`, which {} does not have; columns are: {}",
                        table.path.display(),
                        names.join(", ")
                    ),
                })?;
            track_all[i] = r.needs_values();
            ruled[i] = true;
        }
    }
    // Leakage compares the columns both tables have.
    let (ref_table, leak_cols) = match reference {
        Some(r) => {
            let rk = column_kinds(r)?;
            let common: Vec<String> = names
                .iter()
                .filter(|n| rk.iter().any(|k| &k.0 == *n))
                .cloned()
                .collect();
            if common.is_empty() {
                return Err(Error::InvalidOption(format!(
                    "the reference {} has no column in common with {}",
                    r.path.display(),
                    table.path.display()
                )));
            }
            (Some(rk), common)
        }
        None => (None, vec![]),
    };
    let leak_mask = (ref_table.is_some() && leak_cols.len() != names.len())
        .then(|| names.iter().map(|n| leak_cols.contains(n)).collect());
    Ok(QualityPlan {
        kinds,
        sens,
        label,
        key,
        track_all,
        leak_mask,
        reference: ref_table.map(|rk| ReferencePlan {
            kinds: rk,
            leak_cols,
        }),
        examples: spec.examples.max(1),
        sketch: spec.sketch,
        ruled,
    })
}

/// One part of a table (a Spark partition, a shard), read as a quality run reads it: the
/// per-slice facts that a single pass merges in row order. Exact, and so sized by the part's
/// rows: 128-bit row hashes, group codes and the numeric values travel (tens of bytes a row);
/// counts of values are by distinct value. Parts are merged in row order by
/// [`finish_quality`].
#[derive(Serialize, Deserialize)]
pub struct QualityPart {
    pub(crate) slices: Vec<SlicePart>,
}

impl std::fmt::Debug for QualityPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: usize = self.slices.iter().map(|s| s.n).sum();
        write!(f, "QualityPart({} slices, {rows} rows)", self.slices.len())
    }
}

impl QualityPart {
    /// The compact binary form ([`fairgauge_core::state_codec`], kind `QualityPart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(fairgauge_core::state_codec::StateKind::QualityPart, self)
    }

    /// Reads an encoded part.
    pub fn decode(bytes: &[u8]) -> Result<QualityPart> {
        crate::io::part_codec::decode(
            fairgauge_core::state_codec::StateKind::QualityPart,
            bytes,
            "a quality part",
        )
    }
}

/// Reads `table`, one part of a larger table whose first row is row `first_row` (0-based) of
/// the whole, so that example row numbers are the whole table's.
pub fn quality_part(table: &Table, plan: &QualityPlan, first_row: u64) -> Result<QualityPart> {
    let table = &table.with_countable_nulls();
    let ctx = plan.ctx(table);
    let mut slices = vec![];
    read_slices(
        &ctx,
        &plan.names(),
        first_row as usize,
        plan.examples,
        |parts| {
            slices.extend(parts);
            Ok(())
        },
    )?;
    Ok(QualityPart { slices })
}

/// One part of the reference table: its content fingerprint and empty rows, and the hashes of
/// its rows over the columns compared for leakage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferencePart {
    pub(crate) content: ContentFingerprint,
    pub(crate) empty: u64,
    pub(crate) hashes: Vec<u128>,
}

impl ReferencePart {
    /// The compact binary form (kind `ReferencePart`).
    pub fn encode(&self) -> Result<Vec<u8>> {
        crate::io::part_codec::encode(fairgauge_core::state_codec::StateKind::ReferencePart, self)
    }

    /// Reads an encoded part.
    pub fn decode(bytes: &[u8]) -> Result<ReferencePart> {
        crate::io::part_codec::decode(
            fairgauge_core::state_codec::StateKind::ReferencePart,
            bytes,
            "a reference part",
        )
    }
}

/// Reads one part of the reference table of a planned run.
pub fn reference_part(table: &Table, plan: &QualityPlan) -> Result<ReferencePart> {
    let Some(rp) = &plan.reference else {
        return Err(Error::InvalidOption(
            "the quality plan has no reference table".into(),
        ));
    };
    Ok(hash_rows(
        &table.with_countable_nulls(),
        &rp.kinds,
        Some(&rp.leak_cols),
        None,
    )?
    .0)
}

/// One pass over a table's rows (slices hashed in parallel): the content fingerprint and the
/// empty rows over all its columns (`kinds`) and, with `keep`, each non-empty row's hash over
/// those columns (the leakage set). Also returns the blank CSV lines (already taken out of
/// `empty`).
pub(crate) fn hash_rows(
    table: &Table,
    kinds: &[(String, ColumnKind, String)],
    keep: Option<&[String]>,
    mut spill: Option<&mut HashSpill>,
) -> Result<(ReferencePart, u64)> {
    let names: Vec<String> = kinds.iter().map(|k| k.0.clone()).collect();
    let all = Ctx::plain(table, kinds, &names);
    let keep = keep.map(|cols| (cols.len() == names.len(), Ctx::plain(table, kinds, cols)));
    let mut part = ReferencePart {
        content: ContentFingerprint::default(),
        empty: 0,
        hashes: vec![],
    };
    let blank = for_each_batch(table, &names, |batch, _| {
        let starts: Vec<usize> = (0..batch.len()).step_by(SLICE_ROWS).collect();
        let pieces: Vec<(ContentFingerprint, u64, Vec<u128>)> = starts
            .par_iter()
            .map(|&s| {
                let slice = batch.slice(s, SLICE_ROWS.min(batch.len() - s));
                let (sum, nonnull) = all.row_sums(&slice)?;
                let mut f = ContentFingerprint::default();
                let mut e = 0u64;
                let mut hashes = vec![];
                for (s, nn) in sum.iter().zip(&nonnull) {
                    if *nn == 0 {
                        e += 1;
                    } else {
                        let h = finish_row(*s);
                        f.add(h);
                        if let Some((true, _)) = keep {
                            hashes.push(h);
                        }
                    }
                }
                if let Some((false, ctx)) = &keep {
                    let (sum, nonnull) = ctx.row_sums(&slice)?;
                    hashes.extend(
                        sum.iter()
                            .zip(&nonnull)
                            .filter(|(_, &nn)| nn > 0)
                            .map(|(&s, _)| finish_row(s)),
                    );
                }
                Ok((f, e, hashes))
            })
            .collect::<Result<_>>()?;
        for (f, e, h) in pieces {
            part.content.merge(&f);
            part.empty += e;
            match spill.as_deref_mut() {
                Some(sp) => {
                    for x in h {
                        sp.push(x, 0, 0)?;
                    }
                }
                None => part.hashes.extend(h),
            }
        }
        Ok(())
    })?;
    part.empty = part.empty.saturating_sub(blank);
    Ok((part, blank))
}

/// A table's facts from its row-hash parts: rows (empty ones included), columns, fingerprints.
pub(crate) fn facts_of(
    table: &Table,
    kinds: &[(String, ColumnKind, String)],
    parts: &[ReferencePart],
    file_sha256: Option<String>,
) -> DatasetFacts {
    let mut content = ContentFingerprint::default();
    let mut empty = 0u64;
    for p in parts {
        content.merge(&p.content);
        empty += p.empty;
    }
    let empty_hash = finish_row(
        kinds
            .iter()
            .map(|k| hash_null(column_seed(&k.0)))
            .fold(0u128, u128::wrapping_add),
    );
    for _ in 0..empty {
        content.add(empty_hash);
    }
    DatasetFacts {
        rows: content.rows,
        columns: kinds.len() as u64,
        fingerprints: Fingerprints {
            file_sha256,
            content: content.finish(),
            schema: schema_fingerprint(kinds.iter().map(|k| (k.0.as_str(), k.2.as_str()))),
        },
        format: table.format_name(),
    }
}

/// The reference's facts and leakage set, in one pass (its file hashed beside it).
pub(crate) fn reference_facts_and_rows(
    r: &Table,
    rp: &ReferencePlan,
    bounded: bool,
) -> Result<(DatasetFacts, LeakSet)> {
    let mut spill = bounded.then(HashSpill::new).transpose()?;
    let (read, sha) = std::thread::scope(|scope| {
        let sha = scope.spawn(|| file_digest(r));
        let read = hash_rows(r, &rp.kinds, Some(&rp.leak_cols), spill.as_mut());
        (read, sha.join())
    });
    let (mut part, _) = read?;
    let sha = digest_or_error(r, sha)?;
    let hashes = std::mem::take(&mut part.hashes);
    let facts = facts_of(r, &rp.kinds, std::slice::from_ref(&part), sha);
    let set = match spill {
        Some(sp) => LeakSet::Spill(sp.finish()?),
        None => LeakSet::Memory(hashes.into_iter().collect()),
    };
    Ok((facts, set))
}

/// Merges the parts of a table read elsewhere (in row order) and, with a reference, its
/// parts, and finishes the report as [`run_quality`] does. `table` and `reference` name the
/// tables (no rows are read); no file digest is known.
pub fn finish_quality(
    table: &Table,
    reference: Option<&Table>,
    plan: &QualityPlan,
    spec: &QualitySpec,
    parts: Vec<QualityPart>,
    reference_parts: Vec<ReferencePart>,
) -> Result<QualityReport> {
    let ctx = plan.ctx(table);
    let mut agg = Agg::new(&ctx)?;
    for part in parts {
        for slice in part.slices {
            agg.merge(&ctx, slice, plan.examples)?;
        }
    }
    let mut leak = None;
    let mut reference_facts = None;
    if let (Some(r), Some(rp)) = (reference, &plan.reference) {
        reference_facts = Some(facts_of(r, &rp.kinds, &reference_parts, None));
        let set = if plan.sketch.is_some() {
            let mut sp = HashSpill::new()?;
            for p in reference_parts {
                for h in p.hashes {
                    sp.push(h, 0, 0)?;
                }
            }
            LeakSet::Spill(sp.finish()?)
        } else {
            LeakSet::Memory(reference_parts.into_iter().flat_map(|p| p.hashes).collect())
        };
        leak = Some((r.path.clone(), rp.leak_cols.clone(), set));
    }
    let mut report = finish(&ctx, spec, agg, 0, None, leak)?;
    report.reference_facts = reference_facts;
    Ok(report)
}

pub(crate) fn read_all(
    ctx: &Ctx<'_>,
    names: &[String],
    examples: usize,
    progress: Option<&crate::io::Progress>,
) -> Result<(Agg, u64)> {
    let mut agg = Agg::new(ctx)?;
    let blank = read_slices(ctx, names, 0, examples, |parts| {
        for p in parts {
            agg.merge(ctx, p, examples)?;
        }
        if let Some(p) = progress {
            p(agg.rows);
        }
        Ok(())
    })?;
    Ok((agg, blank))
}

/// The fingerprints of a table in one pass, without profiling it (same definitions as
/// [`run_quality`]).
pub fn dataset_fingerprints(table: &Table) -> Result<DatasetFacts> {
    let table = &table.with_countable_nulls();
    let kinds = column_kinds(table)?;
    let (read, sha) = std::thread::scope(|scope| {
        let sha = scope.spawn(|| file_digest(table));
        let read = hash_rows(table, &kinds, None, None);
        (read, sha.join())
    });
    let (part, _) = read?;
    let sha = digest_or_error(table, sha)?;
    Ok(facts_of(table, &kinds, std::slice::from_ref(&part), sha))
}

pub(crate) fn digest_or_error(
    table: &Table,
    r: std::thread::Result<std::io::Result<Option<String>>>,
) -> Result<Option<String>> {
    match r {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(Error::Io {
            path: table.path.clone(),
            message: format!("cannot read to hash: {e}"),
        }),
        Err(_) => Err(Error::InvalidOption("the hashing thread panicked".into())),
    }
}

/// The SHA-256 of a table's file; `None` for an in-memory table, which has no bytes of its own.
pub(crate) fn file_digest(table: &Table) -> std::io::Result<Option<String>> {
    if table.is_in_memory() {
        return Ok(None);
    }
    std::fs::File::open(&table.path)
        .and_then(|f| sha256_reader(std::io::BufReader::new(f)))
        .map(Some)
}
