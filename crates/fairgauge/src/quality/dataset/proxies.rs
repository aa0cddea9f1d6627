//! Proxies for sensitive attributes: how strongly each feature is associated with each
//! attribute (Cramér's V for text, the correlation ratio η for numbers, with the mutual
//! information and Theil's U), judged against the policy's thresholds.

use fairgauge_core::quality::association::{correlation_ratio, Contingency, Moments};
use rayon::prelude::*;

use super::groups::{ColumnData, GroupTables};
use super::scope::Scope;
use crate::present::share_percent;
use crate::quality::aggregate::Agg;
use crate::quality::read::{GroupNum, NULL_GROUP};
use crate::quality::report::{Check, Proxy, Status, Threshold};
use crate::quality::spec::{MAX_PROXY_CATEGORIES, NUMERIC_SENTINELS};

/// Every feature's association with attribute `a` (column `si`), judged: the label, the key
/// and the attribute itself are not features. A text feature without a contingency table (more
/// than [`MAX_PROXY_CATEGORIES`] values) is skipped, and said so in `skipped`.
pub(crate) fn proxies(
    t: &Scope<'_>,
    agg: &Agg,
    cols: &ColumnData,
    tables: &mut GroupTables,
    (a, si): (usize, usize),
    skipped: &mut Vec<String>,
) -> (Vec<Proxy>, Vec<Check>) {
    let ctx = t.ctx;
    let attr = &ctx.cols[si].name;
    let g = &agg.groups[a];
    let is_feature = |ci: usize| ci != si && Some(ci) != ctx.label && !ctx.key.contains(&ci);
    // Numeric proxies in parallel: a pass over each column's rows.
    let numeric: Vec<Option<Association>> = (0..ctx.cols.len())
        .into_par_iter()
        .map(|ci| {
            if !is_feature(ci) {
                return None;
            }
            if let Some(gs) = &cols.sketched[ci] {
                return sketched_proxy(&gs[a], &cols.suspected[ci].1);
            }
            let vals = cols.numbers[ci].as_ref()?;
            numeric_proxy(
                vals,
                &g.codes,
                g.keys.len(),
                &cols.edges[ci],
                &cols.suspected[ci].1,
            )
        })
        .collect();
    let (mut proxies, mut checks) = (vec![], vec![]);
    for (ci, plan) in ctx.cols.iter().enumerate() {
        if !is_feature(ci) {
            continue;
        }
        let name = &plan.name;
        let proxy = if cols.numbers[ci].is_some() || cols.sketched[ci].is_some() {
            numeric[ci].map(|(eta, mi, u)| ("correlation_ratio", eta, mi, u))
        } else {
            match tables.contingencies[ci][a].take() {
                Some(t) => t.cramers_v().map(|v| {
                    (
                        "cramers_v",
                        v,
                        t.mutual_information(),
                        t.uncertainty_coefficient(),
                    )
                }),
                None => {
                    skipped.push(format!(
                        "proxy test of `{name}` for `{attr}`: more than {MAX_PROXY_CATEGORIES} distinct values (an identifier or free text)"
                    ));
                    None
                }
            }
        };
        let Some((measure, value, mi, u)) = proxy else {
            continue;
        };
        checks.push(proxy_check(t, name, attr, measure, value, u));
        proxies.push(Proxy {
            feature: name.clone(),
            attribute: attr.clone(),
            measure: measure.into(),
            value,
            mutual_information: mi,
            uncertainty_coefficient: u,
        });
    }
    (proxies, checks)
}

/// A feature's association with an attribute, judged at or above the thresholds.
fn proxy_check(
    t: &Scope<'_>,
    name: &str,
    attr: &str,
    measure: &str,
    value: f64,
    u: Option<f64>,
) -> Check {
    let (w, f) = t.thresholds().proxy;
    let status = if value >= f {
        Status::Fail
    } else if value >= w {
        Status::Warn
    } else {
        Status::Pass
    };
    Check {
        id: format!("dataset.proxy.{attr}.{name}"),
        column: Some(name.to_string()),
        attribute: Some(attr.to_string()),
        status,
        value: Some(value),
        threshold: Some(Threshold::above(w, f)),
        message: format!(
            "`{name}` {} `{attr}`: {} = {value:.3}{}",
            match status {
                Status::Pass => "is weakly associated with",
                Status::Warn => "is associated with",
                Status::Fail => "is a strong proxy for",
            },
            if measure == "cramers_v" {
                "Cramér's V"
            } else {
                "correlation ratio η"
            },
            u.map(|u| format!(
                ", it explains {} of the attribute's entropy",
                share_percent(u)
            ))
            .unwrap_or_default()
        ),
        ..Check::of_dataset("proxy")
    }
}

/// η, MI over decile bins, and Theil's U of the attribute given the bins.
/// A strength (η or V), the mutual information and Theil's U.
pub(crate) type Association = (f64, Option<f64>, Option<f64>);

/// η, and the mutual information and Theil's U of the attribute given the feature's decile bin
/// (`edges`: the column's deciles, bins right-closed), over finite values that are not suspected
/// placeholders (`skip`), in rows with a group.
pub(crate) fn numeric_proxy(
    vals: &[f64],
    groups: &[u16],
    n_groups: usize,
    edges: &[f64],
    skip: &[f64],
) -> Option<Association> {
    let mut moments = vec![Moments::default(); n_groups];
    let mut t = Contingency::new(edges.len() + 1, n_groups);
    for (&x, &g) in vals.iter().zip(groups) {
        if g != NULL_GROUP && x.is_finite() && !skip.contains(&x) {
            moments[g as usize].push(x);
            t.add(edges.partition_point(|&e| e < x), g as usize, 1);
        }
    }
    let eta = correlation_ratio(&moments)?;
    Some((eta, t.mutual_information(), t.uncertainty_coefficient()))
}

/// The bounded mode's numeric proxy: η from the groups' moments (the sentinels that are not
/// suspected placeholders added back, the suspected ones left out, as [`numeric_proxy`]
/// leaves them out). The mutual information over decile bins needs each row's bin and group,
/// which the bounded mode does not keep: `None`.
pub(crate) fn sketched_proxy(groups: &[GroupNum], skip: &[f64]) -> Option<Association> {
    let moments: Vec<Moments> = groups
        .iter()
        .map(|gn| {
            let mut m = gn.moments;
            for (k, &c) in gn.watched.iter().enumerate() {
                let x = NUMERIC_SENTINELS[k];
                if c > 0 && !skip.contains(&x) {
                    m.merge(&Moments {
                        n: c,
                        mean: x,
                        m2: 0.0,
                    });
                }
            }
            m
        })
        .collect();
    let eta = correlation_ratio(&moments)?;
    Some((eta, None, None))
}
