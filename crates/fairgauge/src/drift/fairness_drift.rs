//! Fairness drift: how each group's rates and each attribute's gaps changed between the
//! reference and the current table.

use super::report::*;
use crate::error::Result;
use crate::io::source::Table;

pub(crate) fn confusion_of(
    g: &fairgauge_core::fairness::GroupMetrics,
) -> fairgauge_core::fairness::Confusion {
    match (g.tp, g.fp, g.tn, g.fn_) {
        (Some(tp), Some(fp), Some(tn), Some(fn_)) => {
            fairgauge_core::fairness::Confusion { tp, fp, tn, fn_ }
        }
        _ => fairgauge_core::fairness::Confusion {
            tp: 0,
            fp: 0,
            tn: g.negatives,
            fn_: g.positives,
        },
    }
}

/// Compares the fairness of `current` with that of `reference`.
///
/// Per group and rate: the change with its Newcombe interval and a two-proportion test (as for
/// disparities). Per summary metric that is a gap between groups (Fairlearn's between-groups
/// difference): the change of the gap, tested with a Wald z-test on the gap between the two groups
/// that set the current value, `z = (d_cur − d_ref) / √Σ p(1−p)/n` over the four proportions.
pub fn fairness_drift(
    reference: &Table,
    current: &Table,
    spec: &crate::fairness::FairnessSpec,
    opts: &fairgauge_core::fairness::FairnessOptions,
) -> Result<FairnessDrift> {
    use fairgauge_core::fairness::Metric;
    use fairgauge_core::stats::{
        compare_proportions, gap_change_z_test, newcombe_interval, z_critical,
    };
    let r = crate::fairness::run_fairness(reference, spec, opts, None)?.report;
    let c = crate::fairness::run_fairness(current, spec, opts, None)?.report;
    let z = z_critical(opts.confidence)?;
    let rates: Vec<Metric> = if c.mode == "classification" {
        vec![
            Metric::SelectionRate,
            Metric::Tpr,
            Metric::Fpr,
            Metric::BaseRate,
        ]
    } else {
        vec![Metric::BaseRate]
    };
    let mut out = FairnessDrift {
        summaries: vec![],
        groups: vec![],
    };
    let find = |rep: &fairgauge_core::fairness::FairnessReport, attr: &str, group: &str| {
        rep.groups
            .iter()
            .find(|g| g.attribute == attr && g.group == group)
            .map(confusion_of)
    };
    for g in &c.groups {
        let Some(rc) = find(&r, &g.attribute, &g.group) else {
            continue;
        };
        let cc = confusion_of(g);
        for &m in &rates {
            let (Some((x2, n2)), Some((x1, n1))) = (m.fraction(&rc), m.fraction(&cc)) else {
                continue;
            };
            let val = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
            let (pr, pc) = (val(x2, n2), val(x1, n1));
            let test =
                compare_proportions(x1, n1, x2, n2, opts.fisher_min_expected).map(|t| t.p_value);
            out.groups.push(GroupRateChange {
                attribute: g.attribute.clone(),
                group: g.group.clone(),
                metric: m,
                reference: pr,
                current: pc,
                change: pr.zip(pc).map(|(a, b)| b - a),
                change_ci: newcombe_interval(x1, n1, x2, n2, z),
                p_value: test,
            });
        }
    }
    let summaries: &[(&str, Metric)] = &[
        ("demographic_parity_difference", Metric::SelectionRate),
        ("equal_opportunity_difference", Metric::Tpr),
        ("false_positive_rate_difference", Metric::Fpr),
        ("base_rate_difference", Metric::BaseRate),
    ];
    for (attr, cs) in &c.summary {
        let Some(rs) = r.summary.get(attr) else {
            continue;
        };
        for &(name, m) in summaries {
            if !cs.metrics.contains_key(name) {
                continue;
            }
            let rv = rs.metrics.get(name).copied().flatten();
            let cv = cs.metrics.get(name).copied().flatten();
            let mut sc = SummaryChange {
                attribute: attr.clone(),
                metric: name.to_string(),
                reference: rv,
                current: cv,
                change: rv.zip(cv).map(|(a, b)| b - a),
                groups: None,
                z: None,
                p_value: None,
                significant: false,
            };
            // The two eligible groups with the highest and lowest current rate.
            let eligible: Vec<_> = c
                .groups
                .iter()
                .filter(|g| &g.attribute == attr && !g.insufficient_data)
                .filter_map(|g| g.metrics.get(&m).copied().flatten().map(|v| (v, g)))
                .collect();
            let hi = eligible.iter().max_by(|a, b| a.0.total_cmp(&b.0));
            let lo = eligible.iter().min_by(|a, b| a.0.total_cmp(&b.0));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                let frac = |rep: &fairgauge_core::fairness::FairnessReport, group: &str| {
                    find(rep, attr, group)
                        .and_then(|cf| m.fraction(&cf))
                        .filter(|f| f.1 > 0)
                };
                if let (Some(a), Some(b), Some(ra), Some(rb)) = (
                    frac(&c, &hi.1.group),
                    frac(&c, &lo.1.group),
                    frac(&r, &hi.1.group),
                    frac(&r, &lo.1.group),
                ) {
                    sc.groups = Some([hi.1.group.clone(), lo.1.group.clone()]);
                    if let Some((zz, p)) = gap_change_z_test(a, b, ra, rb) {
                        sc.z = Some(zz);
                        sc.p_value = Some(p);
                        sc.significant = p < 1.0 - opts.confidence;
                    }
                }
            }
            out.summaries.push(sc);
        }
    }
    Ok(out)
}
