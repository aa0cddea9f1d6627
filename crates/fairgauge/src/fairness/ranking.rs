//! The ranking task (`--task ranking`): each row an item of a list (`--query`), ordered by a
//! rank (`--rank`) or a score (`--score`, highest first), with an optional relevance
//! (`--relevance`); counted into the core's [`RankingState`] a slice at a time and finished into
//! a [`RankingOutput`]. A value of the rank, score or relevance that is not a number is an
//! error naming it and its row; nulls are left out and counted.

use super::part::{Ctx, FairnessPart};
use super::spec::*;
use super::visit::*;
use crate::error::{Error, Result};
use crate::io::frame::Batch;
use fairgauge_core::fairness::ranking::{RankBy, RankingBatch, RankingState};
use fairgauge_core::fairness::FairnessOptions;

/// The ranking roles of a spec (an error naming what is missing or does not belong).
pub(crate) fn roles(spec: &FairnessSpec) -> Result<&RankingSpec> {
    let r = spec.ranking.as_ref().ok_or_else(|| {
        Error::InvalidOption(
            "the ranking task needs the column naming each item's list (--query COL)".into(),
        )
    })?;
    if r.query.is_empty() {
        return Err(Error::InvalidOption(
            "the ranking task needs the column naming each item's list (--query COL)".into(),
        ));
    }
    match (&r.rank, &spec.score) {
        (Some(_), Some(_)) => Err(Error::InvalidOption(
            "a ranking is ordered by --rank or by --score, not both".into(),
        )),
        (None, None) => Err(Error::InvalidOption(
            "the ranking task needs the order of each list: --rank COL (1 = top) or --score COL (highest first)".into(),
        )),
        _ => Ok(r),
    }
}

/// The roles the ranking task accepts: a list, a rank or a score, optionally relevance and
/// sample weights; no prediction or positive label.
pub(crate) fn check_spec(spec: &FairnessSpec) -> Result<()> {
    let r = roles(spec)?;
    if spec.prediction.is_some() || spec.positive_label.is_some() || spec.above_threshold.is_some()
    {
        return Err(Error::InvalidOption(
            "the ranking task takes --query, --rank or --score, --relevance and --k; --prediction, --positive-label and --threshold are for the other tasks".into(),
        ));
    }
    if r.k.contains(&0) {
        return Err(Error::InvalidOption(
            "each --k (top-k cut-off) must be at least 1, given 0".into(),
        ));
    }
    Ok(())
}

/// The columns a ranking run reads, in role order (the list, the rank or score, the
/// relevance).
pub(crate) fn role_columns(spec: &FairnessSpec) -> Vec<String> {
    let Some(r) = &spec.ranking else {
        return vec![];
    };
    let mut out = vec![r.query.clone()];
    out.extend(r.rank.iter().cloned());
    out.extend(spec.score.iter().cloned());
    out.extend(r.relevance.iter().cloned());
    out
}

/// An empty ranking state for the spec (`None` without ranking roles, or with a cut-off of 0,
/// which [`check_spec`] refuses first).
pub(crate) fn empty_state(spec: &FairnessSpec) -> Option<RankingState> {
    let r = spec.ranking.as_ref()?;
    let by = if r.rank.is_some() {
        RankBy::Rank
    } else {
        RankBy::Score
    };
    let state = RankingState::new(spec.sensitive.clone(), by, r.relevance.is_some(), &r.k).ok()?;
    Some(if spec.weight.is_some() {
        state.weighted()
    } else {
        state
    })
}

/// The column that orders each list (`--rank`, else `--score`).
fn order_column<'a>(spec: &'a FairnessSpec, r: &'a RankingSpec) -> &'a str {
    r.rank
        .as_deref()
        .or(spec.score.as_deref())
        .unwrap_or_default()
}

impl Ctx<'_> {
    /// Counts one slice of a ranking run.
    pub(crate) fn ranking_slice(&self, batch: &Batch, first_row: usize) -> Result<FairnessPart> {
        let spec = self.spec;
        let r = roles(spec)?;
        let needs = "the ranking task needs numbers";
        let mut query = CategoryVisitor::new(&self.rules[&r.query], batch.len());
        self.visit(batch, &r.query, &mut query)?;
        let order = order_column(spec, r);
        let position = self.numbers(batch, order, first_row, needs)?;
        let relevance = match &r.relevance {
            Some(c) => Some(self.numbers(batch, c, first_row, needs)?),
            None => None,
        };
        let weights = match &spec.weight {
            Some(w) => {
                let null = |i: usize| query.levels[query.codes[i] as usize].is_none();
                Some(self.read_weights(batch, w, first_row, &null)?)
            }
            None => None,
        };
        let attrs = self.read_attributes(batch)?;
        let codes: Vec<Option<u32>> = query
            .codes
            .iter()
            .map(|&c| query.levels[c as usize].is_some().then_some(c))
            .collect();
        let levels: Vec<String> = query
            .levels
            .iter()
            .map(|l| l.clone().unwrap_or_default())
            .collect();
        let mut state = empty_state(spec).ok_or_else(|| {
            Error::InvalidOption("the ranking task needs --query, and --rank or --score".into())
        })?;
        let input = RankingBatch {
            query: &codes,
            query_levels: &levels,
            position: &position,
            relevance: relevance.as_deref(),
            weight: weights.as_deref(),
            attributes: self.coded(&attrs),
            row_offset: first_row,
        };
        state.update(&input).map_err(|e| self.core_error(e))?;
        let mut part = FairnessPart::empty(spec);
        part.ranking = Some(state);
        part.label.non_null = query.non_null;
        part.prediction.non_null = position.iter().filter(|x| x.is_some()).count() as u64;
        part.sensitive_non_null = attrs.iter().map(|a| a.non_null).collect();
        Ok(part)
    }
}

/// Finishes a ranking part into its report.
pub(crate) fn finish_ranking(
    ctx: &Ctx<'_>,
    part: FairnessPart,
    opts: &FairnessOptions,
) -> Result<RankingOutput> {
    let spec = ctx.spec;
    let r = roles(spec)?;
    let state = part.ranking.as_ref().ok_or_else(|| {
        Error::InvalidOption("the parts were counted for another task, not ranking".into())
    })?;
    let order = order_column(spec, r);
    ctx.check_non_null(
        state.rows_seen,
        &part,
        [
            (r.query.as_str(), part.label.non_null),
            (order, part.prediction.non_null),
        ],
        "the ranking task needs lists and their order",
    )?;
    if let Some(c) = &r.relevance {
        if state.rows_used() == 0 && state.excluded_null_relevance > 0 {
            return Err(ctx.bad(
                c,
                "every value is null; the relevance role needs values".into(),
            ));
        }
    }
    let report = state.finish(opts).map_err(|e| ctx.core_error(e))?;
    Ok(RankingOutput {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        input: ctx.input_info(),
        roles: RankingRoles {
            query: r.query.clone(),
            rank: r.rank.clone(),
            score: spec.score.clone(),
            relevance: r.relevance.clone(),
            sensitive: spec.sensitive.clone(),
        },
        report,
    })
}
