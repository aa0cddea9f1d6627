//! The second stage: slices merged in row order into one `Agg` per table (exact, or bounded
//! with spilled hashes and sketches).

use super::read::*;
use super::spec::*;
use crate::error::Result;
use crate::io::spill::HashSpill;
use fairgauge_core::fingerprint::{hash_text, numeric_text, ContentFingerprint};
use fairgauge_core::quality::association::Contingency;
use fairgauge_core::quality::hll::HyperLogLog;
use fairgauge_core::quality::stream::NumericSketch;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::atomic::Ordering;

// ---------------------------------------------------------------------------------------------
// Aggregation across slices (in row order).

#[derive(Default)]
pub(crate) struct ValueStat {
    pub(crate) count: u64,
    pub(crate) rows: Vec<u64>,
}

#[derive(Default)]
pub(crate) struct TextAgg {
    pub(crate) keys: Vec<String>,
    pub(crate) index: FxHashMap<String, u32>,
    pub(crate) stats: Vec<ValueStat>,
    /// Distinct-value hashes once more than MAX_TRACKED_VALUES values were seen.
    pub(crate) overflow: Option<FxHashSet<u64>>,
    pub(crate) configured: Vec<u64>,
    pub(crate) numbers: Option<Vec<f64>>,
    pub(crate) numbers_dropped: bool,
    /// [attr] → (value index, group) → count.
    pub(crate) contingency: Vec<Option<FxHashMap<(u32, u16), u64>>>,
}

pub(crate) struct ColAgg {
    pub(crate) hll: Option<HyperLogLog>,
    pub(crate) nulls: u64,
    pub(crate) null_rows: Vec<u64>,
    pub(crate) num: Option<Vec<f64>>,
    pub(crate) text: Option<TextAgg>,
    /// [attr] → per global group (rows, missing).
    pub(crate) by_group: Vec<Vec<(u64, u64)>>,
    /// Bounded mode: the numbers' summary (numeric columns and numbers stored as text).
    pub(crate) sketch: Option<SketchedNumbers>,
}

pub(crate) struct GroupAgg {
    pub(crate) keys: Vec<String>,
    pub(crate) index: FxHashMap<String, u16>,
    pub(crate) codes: Vec<u16>,
}

impl GroupAgg {
    pub(crate) fn new() -> Self {
        GroupAgg {
            keys: vec![],
            index: FxHashMap::default(),
            codes: vec![],
        }
    }

    pub(crate) fn remap(&mut self, v: &CatView) -> Vec<u16> {
        v.dict
            .iter()
            .map(|s| match self.index.get(s) {
                Some(&g) => g,
                None => {
                    let g = self.keys.len() as u16;
                    self.keys.push(s.clone());
                    self.index.insert(s.clone(), g);
                    g
                }
            })
            .collect()
    }
}

/// The bounded mode's row-level state: hashes on disk, counts in memory.
pub(crate) struct Bounded {
    pub(crate) rows: HashSpill,
    pub(crate) keys: Option<HashSpill>,
    /// Feature hashes tagged with the row's global label code.
    pub(crate) feats: Option<HashSpill>,
    pub(crate) leaks: Option<HashSpill>,
    pub(crate) content: ContentFingerprint,
    /// Non-empty rows by global label code.
    pub(crate) label_counts: Vec<u64>,
}

pub(crate) struct Agg {
    pub(crate) rows: u64,
    /// Empty rows (8 bytes each in either mode: the failing-rows pass needs them all).
    pub(crate) empty_rows: Vec<u64>,
    pub(crate) bounded: Option<Bounded>,
    pub(crate) row_hashes: Vec<u128>,
    pub(crate) key_hashes: Vec<u128>,
    pub(crate) feat_hashes: Vec<u128>,
    pub(crate) leak_hashes: Vec<u128>,
    pub(crate) cols: Vec<ColAgg>,
    pub(crate) groups: Vec<GroupAgg>,
    pub(crate) label: Option<GroupAgg>,
}

/// A 64-bit value hash for distinct counting beyond the tracked values.
pub(crate) fn value_hash(s: &str) -> u64 {
    let h = hash_text(0x9e37_79b9_7f4a_7c15, s);
    (h as u64) ^ ((h >> 64) as u64)
}

impl Agg {
    pub(crate) fn new(ctx: &Ctx<'_>) -> Result<Agg> {
        let bounded = match ctx.sketch {
            None => None,
            Some(_) => Some(Bounded {
                rows: HashSpill::new()?,
                keys: (!ctx.key.is_empty()).then(HashSpill::new).transpose()?,
                feats: ctx.label.map(|_| HashSpill::new()).transpose()?,
                leaks: ctx
                    .leak_mask
                    .as_ref()
                    .map(|_| HashSpill::new())
                    .transpose()?,
                content: ContentFingerprint::default(),
                label_counts: vec![],
            }),
        };
        Ok(Agg {
            rows: 0,
            empty_rows: vec![],
            bounded,
            row_hashes: vec![],
            key_hashes: vec![],
            feat_hashes: vec![],
            leak_hashes: vec![],
            cols: ctx
                .cols
                .iter()
                .map(|_| ColAgg {
                    hll: None,
                    nulls: 0,
                    null_rows: vec![],
                    num: None,
                    text: None,
                    by_group: vec![vec![]; ctx.sens.len()],
                    sketch: None,
                })
                .collect(),
            groups: ctx.sens.iter().map(|_| GroupAgg::new()).collect(),
            label: ctx.label.map(|_| GroupAgg::new()),
        })
    }

    /// Merges a slice (the next rows, in row order) into the aggregate.
    pub(crate) fn merge(&mut self, ctx: &Ctx<'_>, mut p: SlicePart, examples: usize) -> Result<()> {
        let first = self.rows;
        self.rows += p.n as u64;
        self.empty_rows.append(&mut p.empty);
        self.merge_hashes(&mut p, first)?;
        let remaps = self.merge_groups(ctx, &p)?;
        self.merge_label(ctx, &p, first)?;
        let group_counts: Vec<usize> = self.groups.iter().map(|g| g.keys.len()).collect();
        let slice = MergedSlice {
            ctx,
            remaps: &remaps,
            group_counts: &group_counts,
            views: &p.views,
            n: p.n,
            examples,
        };
        for (ci, (agg, cs)) in self.cols.iter_mut().zip(p.cols).enumerate() {
            agg.merge(ci, cs, &slice)?;
        }
        Ok(())
    }

    /// The slice's row hashes: appended (exact mode), or spilled with their rows (bounded).
    fn merge_hashes(&mut self, p: &mut SlicePart, first: u64) -> Result<()> {
        let Some(b) = &mut self.bounded else {
            self.row_hashes.append(&mut p.row_hashes);
            self.key_hashes.append(&mut p.key_hashes);
            self.feat_hashes.append(&mut p.feat_hashes);
            self.leak_hashes.append(&mut p.leak_hashes);
            return Ok(());
        };
        for (r, &h) in p.row_hashes.iter().enumerate() {
            if h != 0 {
                b.content.add(h);
                b.rows.push(h, first + r as u64, 0)?;
            }
        }
        if let Some(s) = &mut b.keys {
            for (r, &h) in p.key_hashes.iter().enumerate() {
                if h != 0 {
                    s.push(h, first + r as u64, 0)?;
                }
            }
        }
        if let Some(s) = &mut b.leaks {
            for (r, &h) in p.leak_hashes.iter().enumerate() {
                if h != 0 {
                    s.push(h, first + r as u64, 0)?;
                }
            }
        }
        Ok(())
    }

    /// The slice's sensitive groups mapped to the global groups (new ones added); per
    /// attribute, the slice's group → global group.
    fn merge_groups(&mut self, ctx: &Ctx<'_>, p: &SlicePart) -> Result<Vec<Vec<u16>>> {
        let mut remaps = vec![];
        for (a, v) in p.views.iter().enumerate() {
            let m = self.groups[a].remap(v);
            if self.groups[a].keys.len() > MAX_GROUPS {
                let i = ctx.sens[a];
                return Err(ctx.bad(
                    &ctx.cols[i].name,
                    format!("more than {MAX_GROUPS} distinct values; a sensitive attribute should have few groups"),
                ));
            }
            if self.bounded.is_none() {
                self.groups[a].codes.extend(v.codes.iter().map(|&c| {
                    if c == NULL_CODE {
                        NULL_GROUP
                    } else {
                        m[c as usize]
                    }
                }));
            }
            remaps.push(m);
        }
        Ok(remaps)
    }

    /// The slice's labels: codes kept per row (exact mode), or counted and spilled with the
    /// feature hashes (bounded).
    fn merge_label(&mut self, ctx: &Ctx<'_>, p: &SlicePart, first: u64) -> Result<()> {
        let (Some(l), Some(v)) = (&mut self.label, &p.label_view) else {
            return Ok(());
        };
        let m = l.remap(v);
        if l.keys.len() > MAX_GROUPS * 10 {
            return Err(ctx.bad(
                &ctx.cols[ctx.label.unwrap_or(0)].name,
                format!(
                    "more than {} distinct label values; is this the label?",
                    MAX_GROUPS * 10
                ),
            ));
        }
        let global = v.codes.iter().map(|&c| {
            if c == NULL_CODE {
                NULL_GROUP
            } else {
                m[c as usize]
            }
        });
        match &mut self.bounded {
            None => l.codes.extend(global),
            Some(b) => {
                b.label_counts.resize(l.keys.len(), 0);
                for (r, g) in global.enumerate() {
                    if g != NULL_GROUP && p.row_hashes[r] != 0 {
                        b.label_counts[g as usize] += 1;
                    }
                    let h = p.feat_hashes[r];
                    if let (Some(s), true) = (&mut b.feats, h != 0) {
                        s.push(h, first + r as u64, g)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What merging one slice's columns reads.
struct MergedSlice<'a> {
    ctx: &'a Ctx<'a>,
    /// Per attribute, the slice's group → global group.
    remaps: &'a [Vec<u16>],
    /// Per attribute, the global groups so far.
    group_counts: &'a [usize],
    views: &'a [CatView],
    /// Rows in the slice.
    n: usize,
    examples: usize,
}

impl ColAgg {
    /// Merges column `ci`'s part of a slice.
    fn merge(&mut self, ci: usize, cs: ColSlice, m: &MergedSlice<'_>) -> Result<()> {
        match &mut self.hll {
            Some(h) => h.merge(&cs.hll)?,
            None => self.hll = Some(cs.hll),
        }
        self.nulls += cs.nulls;
        for r in cs.null_rows {
            if self.null_rows.len() < m.examples {
                self.null_rows.push(r);
            }
        }
        for (a, (rows, miss)) in cs.by_group.iter().enumerate() {
            let bg = &mut self.by_group[a];
            bg.resize(m.group_counts[a], (0, 0));
            for (g, (&r, &ms)) in rows.iter().zip(miss).enumerate() {
                let gg = m.remaps[a][g] as usize;
                bg[gg].0 += r;
                bg[gg].1 += ms;
            }
        }
        if let Some(v) = cs.num {
            self.num.get_or_insert_with(Vec::new).extend(v);
        }
        let dropped = self.text.as_ref().is_some_and(|t| t.numbers_dropped);
        if let (Some(sn), false) = (cs.sketch, dropped) {
            self.merge_sketch(ci, sn, m)?;
        }
        if let Some(ts) = cs.text {
            self.merge_text(ci, ts, cs.contingency, m);
        }
        Ok(())
    }

    /// The bounded mode's numbers; once a sketch holds more distinct numbers than it counts
    /// exactly, the slices stop counting them.
    fn merge_sketch(&mut self, ci: usize, sn: SketchedNumbers, m: &MergedSlice<'_>) -> Result<()> {
        let ctx = m.ctx;
        match &mut self.sketch {
            Some(a) => a.merge(sn, m.remaps, m.examples)?,
            None => {
                let mut a = SketchedNumbers {
                    sketch: NumericSketch::new(ctx.sketch.unwrap_or(200), &NUMERIC_SENTINELS)?,
                    nan: 0,
                    pos_inf: 0,
                    neg_inf: 0,
                    inf_rows: vec![],
                    groups: vec![vec![]; ctx.sens.len()],
                };
                a.merge(sn, m.remaps, m.examples)?;
                self.sketch = Some(a);
            }
        }
        if let Some(a) = &self.sketch {
            if !a.sketch.counts_exact() {
                ctx.many_values[ci].store(true, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// A text column's values, their values × groups tables, and its row-order numbers.
    fn merge_text(
        &mut self,
        ci: usize,
        ts: TextSlice,
        contingency: Vec<Option<Vec<u64>>>,
        m: &MergedSlice<'_>,
    ) {
        let ctx = m.ctx;
        let ta = self.text.get_or_insert_with(|| TextAgg {
            configured: vec![0; ts.configured.len()],
            contingency: (0..ctx.sens.len())
                .map(|_| Some(FxHashMap::default()))
                .collect(),
            ..TextAgg::default()
        });
        for (a, b) in ta.configured.iter_mut().zip(&ts.configured) {
            *a += b;
        }
        let global = ta.merge_values(&ts, ctx.track_all[ci], ctx.sketch.is_some());
        ta.merge_contingency(contingency, &global, m);
        // Row-order numbers for columns mostly of numbers.
        if ta.numbers_dropped {
            return;
        }
        let numeric: u64 = ts
            .dict
            .iter()
            .zip(&ts.counts)
            .filter(|(s, _)| numeric_text(s).is_some())
            .map(|(_, c)| c)
            .sum();
        let present: u64 = ts.counts.iter().sum();
        if (numeric as f64) < 0.5 * present as f64 {
            ta.numbers_dropped = true;
            ta.numbers = None;
            self.sketch = None;
        } else if ctx.sketch_col.get(ci).copied().unwrap_or(false) {
            // Bounded mode: the numbers are in `self.sketch`.
        } else {
            let v = ta.numbers.get_or_insert_with(Vec::new);
            match ts.numbers {
                Some(nums) => v.extend(nums),
                None => v.extend(std::iter::repeat_n(null_f64(), m.n)),
            }
        }
    }
}

impl TextAgg {
    /// The slice's values counted under their global index (new values tracked up to
    /// [`MAX_TRACKED_VALUES`], every value with `track_all`); beyond that the distinct values
    /// are hashed, or left to HyperLogLog in the bounded mode. The slice's value → global
    /// index (`None`: not tracked).
    fn merge_values(&mut self, ts: &TextSlice, track_all: bool, bounded: bool) -> Vec<Option<u32>> {
        let mut global = Vec::with_capacity(ts.dict.len());
        for ((v, &c), rows) in ts.dict.iter().zip(&ts.counts).zip(&ts.rows) {
            let idx = match self.index.get(v.as_str()) {
                Some(&g) => Some(g),
                None if track_all || self.keys.len() < MAX_TRACKED_VALUES => {
                    let g = self.keys.len() as u32;
                    self.keys.push(v.clone());
                    self.index.insert(v.clone(), g);
                    self.stats.push(ValueStat::default());
                    Some(g)
                }
                None => None,
            };
            if c > 0 {
                if let (Some(_), true) = (&self.overflow, bounded) {
                    // Bounded mode: beyond the tracked values, HyperLogLog counts.
                } else if let Some(set) = &mut self.overflow {
                    set.insert(value_hash(v));
                } else if let (None, true) = (idx, bounded) {
                    self.overflow = Some(FxHashSet::default());
                } else if idx.is_none() {
                    let mut set: FxHashSet<u64> = self.keys.iter().map(|k| value_hash(k)).collect();
                    set.insert(value_hash(v));
                    self.overflow = Some(set);
                }
            }
            if let Some(g) = idx {
                let st = &mut self.stats[g as usize];
                st.count += c;
                for &r in rows {
                    if st.rows.len() < EXAMPLE_ROWS_PER_VALUE {
                        st.rows.push(r);
                    }
                }
            }
            global.push(idx);
        }
        global
    }

    /// The slice's values × groups tables added under global values and groups; a table is
    /// dropped once the column has more than [`MAX_PROXY_CATEGORIES`] values or an untracked
    /// value.
    fn merge_contingency(
        &mut self,
        contingency: Vec<Option<Vec<u64>>>,
        global: &[Option<u32>],
        m: &MergedSlice<'_>,
    ) {
        for (a, t) in contingency.into_iter().enumerate() {
            let Some(t) = t else {
                self.contingency[a] = None;
                continue;
            };
            let g = m.views[a].dict.len();
            let mut ok = self.keys.len() <= MAX_PROXY_CATEGORIES;
            if let (true, Some(map)) = (ok, &mut self.contingency[a]) {
                for (k, &c) in t.iter().enumerate() {
                    if c == 0 {
                        continue;
                    }
                    match global[k / g] {
                        Some(v) => *map.entry((v, m.remaps[a][k % g])).or_default() += c,
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
            }
            if !ok {
                self.contingency[a] = None;
            }
        }
    }
}

impl Agg {
    pub(crate) fn cols_text_contingency(&self, ci: usize, a: usize) -> Option<Contingency> {
        let ta = self.cols[ci].text.as_ref()?;
        let map = ta.contingency.get(a)?.as_ref()?;
        let groups = self.groups[a].keys.len();
        let mut t = Contingency::new(ta.keys.len(), groups);
        for (&(v, g), &c) in map {
            t.add(v as usize, g as usize, c);
        }
        Some(t)
    }
}

pub(crate) fn agg_by_group(agg: &Agg, a: usize) -> Vec<Vec<(u64, u64)>> {
    agg.cols
        .iter()
        .map(|c| c.by_group.get(a).cloned().unwrap_or_default())
        .collect()
}
