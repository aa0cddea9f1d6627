//! Groups of equal row hashes, in memory or in a spill read back a bucket at a time: how many
//! extra copies, how many groups, and the largest groups with their first rows.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::Result;
use crate::io::spill::{self, Rec, SpillReader};
use crate::quality::report::RowGroup;

/// Groups of equal hashes (0 = no row): (extra copies, groups, largest groups).
pub(crate) fn duplicate_groups(hashes: &[u128], examples: usize) -> (u64, u64, Vec<RowGroup>) {
    let mut sorted: Vec<u128> = hashes.iter().copied().filter(|&h| h != 0).collect();
    sorted.par_sort_unstable();
    let mut extra = 0u64;
    let mut groups: Vec<(u64, u128)> = vec![];
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        if j - i > 1 {
            extra += (j - i - 1) as u64;
            groups.push(((j - i) as u64, sorted[i]));
        }
        i = j;
    }
    let n_groups = groups.len() as u64;
    let ex = group_examples(hashes, groups, examples);
    (extra, n_groups, ex)
}

/// The largest groups (ties: earliest first row) with their first rows.
pub(crate) fn group_examples(
    hashes: &[u128],
    groups: Vec<(u64, u128)>,
    examples: usize,
) -> Vec<RowGroup> {
    if groups.is_empty() {
        return vec![];
    }
    let wanted: FxHashMap<u128, u64> = groups.iter().map(|&(c, h)| (h, c)).collect();
    let mut rows: FxHashMap<u128, Vec<u64>> = FxHashMap::default();
    let mut order: Vec<u128> = vec![];
    for (r, h) in hashes.iter().enumerate() {
        if wanted.contains_key(h) {
            let e = rows.entry(*h).or_insert_with(|| {
                order.push(*h);
                vec![]
            });
            if e.len() < examples {
                e.push(r as u64 + 1);
            }
        }
    }
    let mut out: Vec<(u64, usize, u128)> = order
        .iter()
        .enumerate()
        .map(|(i, h)| (wanted[h], i, *h))
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.into_iter()
        .take(examples)
        .map(|(c, _, h)| RowGroup {
            count: c,
            rows: rows.remove(&h).unwrap_or_default(),
        })
        .collect()
}

/// A group of equal hashes found in a spill: its size, first row and first rows (1-based).
pub(crate) struct SpillGroup {
    pub(crate) count: u64,
    pub(crate) first: u64,
    pub(crate) rows: Vec<(u64, u16)>,
}

/// Keeps the `examples` largest groups (ties: earliest first row), as [`group_examples`].
pub(crate) fn top_groups(mut gs: Vec<SpillGroup>, examples: usize) -> Vec<SpillGroup> {
    gs.sort_by(|a, b| b.count.cmp(&a.count).then(a.first.cmp(&b.first)));
    gs.truncate(examples);
    gs
}

/// Walks the groups of equal hashes of every bucket of a spill (bucket by bucket, in
/// parallel: one bucket of records in memory per thread). `judge` gets a group's records,
/// sorted by row, and returns the group's size to report (0: not a group of interest) and its
/// extra rows. Returns (Σ extra, groups, largest groups).
pub(crate) fn spill_groups(
    spill: &SpillReader,
    examples: usize,
    judge: impl Fn(&[Rec]) -> (u64, u64) + Sync,
) -> Result<(u64, u64, Vec<SpillGroup>)> {
    let per: Vec<(u64, u64, Vec<SpillGroup>)> = (0..spill::BUCKETS)
        .into_par_iter()
        .map(|b| {
            let mut recs = spill.bucket(b)?;
            recs.sort_unstable_by(|x, y| x.h.cmp(&y.h).then(x.row.cmp(&y.row)));
            let (mut extra, mut n) = (0u64, 0u64);
            let mut gs = vec![];
            let mut i = 0;
            while i < recs.len() {
                let mut j = i + 1;
                while j < recs.len() && recs[j].h == recs[i].h {
                    j += 1;
                }
                if j - i > 1 {
                    let (size, e) = judge(&recs[i..j]);
                    if size > 0 {
                        extra += e;
                        n += 1;
                        gs.push(SpillGroup {
                            count: size,
                            first: recs[i].row,
                            rows: recs[i..j]
                                .iter()
                                .take(examples)
                                .map(|r| (r.row + 1, r.tag))
                                .collect(),
                        });
                        if gs.len() > 4 * examples {
                            gs = top_groups(gs, examples);
                        }
                    }
                }
                i = j;
            }
            Ok((extra, n, top_groups(gs, examples)))
        })
        .collect::<Result<_>>()?;
    let (mut extra, mut n, mut all) = (0, 0, vec![]);
    for (e, g, gs) in per {
        extra += e;
        n += g;
        all.extend(gs);
    }
    Ok((extra, n, top_groups(all, examples)))
}

/// Duplicate groups of a spill of row hashes, as [`duplicate_groups`].
pub(crate) fn spill_duplicates(
    spill: &SpillReader,
    examples: usize,
) -> Result<(u64, u64, Vec<RowGroup>)> {
    let (extra, n, gs) = spill_groups(spill, examples, |g| (g.len() as u64, g.len() as u64 - 1))?;
    Ok((
        extra,
        n,
        gs.into_iter()
            .map(|g| RowGroup {
                count: g.count,
                rows: g.rows.into_iter().map(|r| r.0).collect(),
            })
            .collect(),
    ))
}

/// Rows of `current` whose hash is in `reference` (bucket by bucket): count and first rows
/// (1-based).
pub(crate) fn spill_overlap(
    current: &SpillReader,
    reference: &SpillReader,
    examples: usize,
) -> Result<(u64, Vec<u64>)> {
    let per: Vec<(u64, Vec<u64>)> = (0..spill::BUCKETS)
        .into_par_iter()
        .map(|b| {
            let mut set: Vec<u128> = reference.bucket(b)?.into_iter().map(|r| r.h).collect();
            set.sort_unstable();
            set.dedup();
            let mut n = 0u64;
            let mut rows = vec![];
            for r in current.bucket(b)? {
                if set.binary_search(&r.h).is_ok() {
                    n += 1;
                    rows.push(r.row + 1);
                }
            }
            rows.sort_unstable();
            rows.truncate(examples);
            Ok((n, rows))
        })
        .collect::<Result<_>>()?;
    let mut n = 0;
    let mut rows = vec![];
    for (c, r) in per {
        n += c;
        rows.extend(r);
    }
    rows.sort_unstable();
    rows.truncate(examples);
    Ok((n, rows))
}
