//! The mergeable state of an estimate: one score histogram for all rows and one per group of
//! each sensitive attribute, for the labelled reference ([`ReferenceState`]) and the
//! unlabelled analysis data ([`AnalysisState`]).

use super::cells::{ScoreCells, ANALYSIS_CELLS, REFERENCE_CELLS};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Histograms of all rows and of each group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupedCells<const N: usize> {
    /// All rows with a score and a decision (and on the reference a label).
    pub all: ScoreCells<N>,
    /// Per attribute (in the order given), its groups' histograms by group name.
    pub attributes: Vec<(String, BTreeMap<String, ScoreCells<N>>)>,
    /// Per attribute, rows left out of its groups for a missing value.
    pub null_groups: Vec<u64>,
    /// Rows left out for a missing score or decision (or label, on the reference).
    pub excluded: u64,
}

/// The labelled reference's state.
pub type ReferenceState = GroupedCells<REFERENCE_CELLS>;
/// The unlabelled analysis data's state.
pub type AnalysisState = GroupedCells<ANALYSIS_CELLS>;

impl<const N: usize> GroupedCells<N> {
    /// An empty state for these attributes.
    pub fn new(attributes: &[String]) -> Self {
        GroupedCells {
            all: ScoreCells::default(),
            attributes: attributes
                .iter()
                .map(|a| (a.clone(), BTreeMap::new()))
                .collect(),
            null_groups: vec![0; attributes.len()],
            excluded: 0,
        }
    }

    /// Adds rows: `cells[i]` is row `i`'s `(score, cell)` (`None` when left out), `groups[a][i]`
    /// its group of attribute `a` as an index into `levels[a]` (`None` for a missing value).
    pub fn update(
        &mut self,
        cells: &[Option<(f64, u8)>],
        groups: &[Vec<Option<u32>>],
        levels: &[Vec<String>],
    ) {
        // One sort of the rows by score; every histogram is then built in that order.
        let mut order: Vec<(u64, u32)> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|(s, _)| ((s + 0.0).to_bits(), i as u32)))
            .collect();
        self.excluded += (cells.len() - order.len()) as u64;
        order.sort_unstable();
        // The rows gathered in score order once; each histogram is then a sequential pass.
        let sorted: Vec<(f64, u8)> = order
            .iter()
            .map(|&(bits, i)| (f64::from_bits(bits), cells[i as usize].map_or(0, |c| c.1)))
            .collect();
        let mut all = ScoreCells::default();
        for &(s, c) in &sorted {
            all.push_sorted(s, c);
        }
        self.all.absorb(all);
        for (a, codes) in groups.iter().enumerate() {
            let mut by_code: Vec<ScoreCells<N>> = vec![ScoreCells::default(); levels[a].len()];
            let mut nulls = 0u64;
            for (&(s, c), &(_, i)) in sorted.iter().zip(&order) {
                match codes[i as usize] {
                    Some(code) => by_code[code as usize].push_sorted(s, c),
                    None => nulls += 1,
                }
            }
            self.null_groups[a] += nulls;
            for (name, h) in levels[a].iter().zip(by_code) {
                if h.scores.is_empty() {
                    continue;
                }
                self.attributes[a]
                    .1
                    .entry(name.clone())
                    .or_default()
                    .absorb(h);
            }
        }
    }

    /// Merges another state of the same attributes; the histograms are merged in parallel
    /// (each merge is independent of the others).
    pub fn merge(&mut self, other: &GroupedCells<N>) {
        for ((_, mine), (_, theirs)) in self.attributes.iter_mut().zip(&other.attributes) {
            for g in theirs.keys() {
                mine.entry(g.clone()).or_default();
            }
        }
        let mut pairs: Vec<(&mut ScoreCells<N>, &ScoreCells<N>)> =
            vec![(&mut self.all, &other.all)];
        for ((_, mine), (_, theirs)) in self.attributes.iter_mut().zip(&other.attributes) {
            for (g, h) in mine.iter_mut() {
                if let Some(t) = theirs.get(g) {
                    pairs.push((h, t));
                }
            }
        }
        pairs.into_par_iter().for_each(|(a, b)| a.merge(b));
        for (a, b) in self.null_groups.iter_mut().zip(&other.null_groups) {
            *a += b;
        }
        self.excluded += other.excluded;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_merge() {
        let attrs = vec!["sex".to_string()];
        let levels = vec![vec!["f".to_string(), "m".to_string()]];
        let cells = [Some((0.2, 1u8)), None, Some((0.7, 0)), Some((0.2, 0))];
        let groups = vec![vec![Some(0), Some(1), Some(1), None]];
        let mut whole = AnalysisState::new(&attrs);
        whole.update(&cells, &groups, &levels);
        assert_eq!(whole.excluded, 1);
        assert_eq!(whole.null_groups, vec![1]);
        assert_eq!(whole.all.rows(), 3);
        assert_eq!(whole.attributes[0].1["f"].rows(), 1);
        assert_eq!(whole.attributes[0].1["m"].rows(), 1);
        let mut a = AnalysisState::new(&attrs);
        a.update(&cells[..2], &[groups[0][..2].to_vec()], &levels);
        let mut b = AnalysisState::new(&attrs);
        b.update(&cells[2..], &[groups[0][2..].to_vec()], &levels);
        a.merge(&b);
        assert_eq!(a, whole);
    }
}
