//! Comparing one column's two samples: the samples settled (numbers or categories), the method
//! chosen, the statistic and p-value, effect sizes and the histogram for the report.

use super::read::*;
use super::report::*;
use super::spec::*;
use crate::io::text::canonical_number;
use fairgauge_core::drift::{categorical as cat, numeric as num};
use fairgauge_core::stats::moments::mean_sd;
use std::collections::{BTreeMap, BTreeSet};

/// A column's data once both tables are read: values (numeric) or counts (categorical).
pub(crate) enum Sample {
    Numeric(Vec<f64>),
    Sketched(Box<SketchAcc>),
    Categorical(BTreeMap<String, u64>),
}

/// Turns a text column whose every value parses as a finite number into numbers.
pub(crate) fn settle(acc: ColumnAcc, numeric_kind: bool, force_text: bool) -> (Sample, u64, u64) {
    let nulls = acc.nulls + acc.nan;
    if force_text {
        // `--dtype COL=str`: compare as categories whatever the values look like.
        let mut counts: BTreeMap<String, u64> = acc.counts.into_iter().collect();
        for v in acc.values {
            *counts
                .entry(canonical_number(v).unwrap_or_default())
                .or_insert(0) += 1;
        }
        return (Sample::Categorical(counts), nulls, acc.inf);
    }
    if numeric_kind {
        return match acc.sketch {
            Some(sk) => (Sample::Sketched(Box::new(sk)), nulls, acc.inf),
            None => (Sample::Numeric(acc.values), nulls, acc.inf),
        };
    }
    let parsed: Option<Vec<(f64, u64)>> = acc
        .counts
        .iter()
        .map(|(k, &c)| {
            k.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(|x| (x, c))
        })
        .collect();
    match (parsed, acc.sketch) {
        (Some(mut p), Some(mut sk)) if !p.is_empty() => {
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (x, c) in p {
                for _ in 0..c {
                    sk.push(x);
                }
            }
            (Sample::Sketched(Box::new(sk)), nulls, acc.inf)
        }
        (Some(p), None) if !p.is_empty() => {
            let mut v = Vec::with_capacity(p.iter().map(|x| x.1 as usize).sum());
            for (x, c) in p {
                v.extend(std::iter::repeat_n(x, c as usize));
            }
            (Sample::Numeric(v), nulls, acc.inf)
        }
        _ => (
            Sample::Categorical(acc.counts.into_iter().collect()),
            nulls,
            acc.inf,
        ),
    }
}

/// A sample as category counts (numbers spelt canonically).
pub(crate) fn as_categories(s: Sample) -> Sample {
    match s {
        // Not reached: the caller refuses mixed types in sketch mode.
        Sample::Sketched(_) => Sample::Categorical(BTreeMap::new()),
        Sample::Numeric(v) => {
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for x in v {
                *counts
                    .entry(canonical_number(x).unwrap_or_default())
                    .or_insert(0) += 1;
            }
            Sample::Categorical(counts)
        }
        c => c,
    }
}

/// Distinct values of the union of two sorted samples, in order, stopping after `cap` of them
/// (a linear merge; no copy of the samples).
pub(crate) fn union_distinct(a: &[f64], b: &[f64], cap: usize) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while (i < a.len() || j < b.len()) && out.len() < cap {
        let x = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
        if out.last() != Some(&x) {
            out.push(x);
        }
    }
    out
}

pub(crate) fn histogram(
    reference: &Sample,
    current: &Sample,
    bins: usize,
) -> std::result::Result<Histogram, String> {
    let (labels, reference, current) = match (reference, current) {
        (Sample::Categorical(r), Sample::Categorical(c)) => {
            let keys: BTreeSet<&String> = r.keys().chain(c.keys()).collect();
            let labels: Vec<String> = keys.iter().map(|k| (*k).clone()).collect();
            let rc = keys
                .iter()
                .map(|k| r.get(*k).copied().unwrap_or(0))
                .collect();
            let cc = keys
                .iter()
                .map(|k| c.get(*k).copied().unwrap_or(0))
                .collect();
            (labels, rc, cc)
        }
        (Sample::Numeric(r), Sample::Numeric(c)) => {
            let distinct = union_distinct(r, c, bins + 1);
            if distinct.len() <= bins {
                let labels = distinct
                    .iter()
                    .map(|x| canonical_number(*x).unwrap_or_default())
                    .collect();
                let count = |v: &[f64]| -> Vec<u64> {
                    distinct
                        .iter()
                        .map(|d| {
                            let lo = v.partition_point(|x| x < d);
                            let hi = v.partition_point(|x| x <= d);
                            (hi - lo) as u64
                        })
                        .collect()
                };
                (labels, count(r), count(c))
            } else {
                // Samples come from `sort_finite` (sorted, finite, non-empty by now).
                let edges =
                    cat::quantile_bin_edges_presorted(r, bins).map_err(|e| e.to_string())?;
                let labels = (0..=edges.len())
                    .map(
                        |i| match (i.checked_sub(1).map(|j| edges[j]), edges.get(i)) {
                            (None, Some(hi)) => format!("(-inf, {hi}]"),
                            (Some(lo), Some(hi)) => format!("({lo}, {hi}]"),
                            (Some(lo), None) => format!("({lo}, inf)"),
                            (None, None) => "(-inf, inf)".into(),
                        },
                    )
                    .collect();
                (
                    labels,
                    cat::bin_counts_presorted(r, &edges).map_err(|e| e.to_string())?,
                    cat::bin_counts_presorted(c, &edges).map_err(|e| e.to_string())?,
                )
            }
        }
        (Sample::Sketched(r), Sample::Sketched(c)) => {
            // Bins at the reference sketch's quantiles; counts from each sketch's CDF.
            let mut edges: Vec<f64> = (1..bins)
                .filter_map(|i| r.sketch.quantile(i as f64 / bins as f64))
                .collect();
            edges.dedup();
            let counts = |s: &SketchAcc| -> Vec<u64> {
                let cdf = s.sketch.cdf(&edges);
                let mut prev = 0.0;
                let mut out = Vec::with_capacity(edges.len() + 1);
                for f in cdf.iter().copied().chain(std::iter::once(1.0)) {
                    out.push(((f - prev).max(0.0) * s.moments.n as f64).round() as u64);
                    prev = f;
                }
                out
            };
            let labels = (0..=edges.len()).map(|i| format!("bin {i}")).collect();
            (labels, counts(r), counts(c))
        }
        _ => (vec![], vec![], vec![]),
    };
    Ok(Histogram {
        labels,
        reference,
        current,
    })
}

/// Auto method choice (Evidently's `get_default_stattest`).
pub(crate) fn auto_method(numeric: bool, n_reference: u64, n_unique: usize) -> Method {
    match (n_reference <= 1000, numeric && n_unique > 5) {
        (true, true) => Method::Ks,
        (true, false) => {
            if n_unique > 2 {
                Method::Chisquare
            } else {
                Method::Ztest
            }
        }
        (false, true) => Method::Wasserstein,
        (false, false) => Method::Jensenshannon,
    }
}

pub(crate) struct Computed {
    pub(crate) statistic: Option<f64>,
    pub(crate) p_value: Option<f64>,
    pub(crate) warnings: Vec<String>,
    /// The raw Wasserstein-1 distance when the method computed it exactly, so the effect sizes
    /// reuse it instead of walking both samples again.
    pub(crate) wasserstein: Option<f64>,
}

pub(crate) fn compute(
    method: Method,
    r: &Sample,
    c: &Sample,
    hist: &std::result::Result<Histogram, String>,
) -> std::result::Result<Computed, String> {
    if let (Sample::Sketched(a), Sample::Sketched(b)) = (r, c) {
        if method.needs_values() {
            return sketched(method, a, b);
        }
    }
    if method.needs_values() {
        let (Sample::Numeric(a), Sample::Numeric(b)) = (r, c) else {
            return Err(format!("method {} needs a numeric column", method.name()));
        };
        return numeric(method, a, b);
    }
    let h = hist.as_ref().map_err(|e| e.clone())?;
    categorical(method, h)
}

/// The bounded mode: KS and normed Wasserstein read off the two KLL sketches.
fn sketched(method: Method, a: &SketchAcc, b: &SketchAcc) -> std::result::Result<Computed, String> {
    let e = |x: fairgauge_core::Error| x.to_string();
    let mut warnings = vec![];
    match method {
        Method::Ks => {
            let t = fairgauge_core::drift::ks_from_sketches(&a.sketch, &b.sketch).map_err(e)?;
            warnings.push(format!(
                "approximate (KLL sketches): |D - D_exact| <= {:.4}; the p-value is the upper end of its range",
                t.error_bound
            ));
            Ok(Computed {
                statistic: Some(t.statistic),
                p_value: Some(t.approx_p_value_range[1]),
                warnings,
                wasserstein: None,
            })
        }
        Method::Wasserstein => {
            let w = fairgauge_core::drift::wasserstein_from_sketches(&a.sketch, &b.sketch)
                .map_err(e)?;
            let sd = a.sd();
            warnings
                .push("approximate (KLL sketches); no error bound is known for Wasserstein".into());
            Ok(Computed {
                statistic: Some(if sd > 0.0 { w / sd } else { w }),
                p_value: None,
                warnings,
                wasserstein: None,
            })
        }
        m => Err(format!(
            "method {} needs every value; run without --sketch",
            m.name()
        )),
    }
}

/// A test or distance on the two sorted samples of a numeric column.
fn numeric(method: Method, a: &[f64], b: &[f64]) -> std::result::Result<Computed, String> {
    let e = |x: fairgauge_core::Error| x.to_string();
    let mut warnings = vec![];
    let mut wasserstein = None;
    let (statistic, p_value) = match method {
        Method::Ks => {
            // Samples come from `sort_finite` (sorted, finite); empty ones never reach here.
            // The same walk yields the raw Wasserstein distance the effect sizes report.
            let (t, w) = num::ks_and_wasserstein_presorted(a, b);
            wasserstein = Some(w);
            (Some(t.statistic), t.p_value)
        }
        Method::Wasserstein => {
            // Samples come from `sort_finite`, so the unvalidated merge is safe here.
            let w = num::wasserstein_presorted(a, b);
            wasserstein = Some(w);
            let (_, sd) = mean_sd(a);
            if sd > 0.0 {
                (Some(w / sd), None)
            } else {
                warnings.push(
                    "the reference is constant, so normed Wasserstein is undefined; the raw distance is reported"
                        .to_string(),
                );
                (Some(w), None)
            }
        }
        Method::Energy => {
            let (_, sd) = mean_sd(a);
            let d = num::energy_distance(a, b).map_err(e)?;
            if sd > 0.0 {
                (Some(d / sd), None)
            } else {
                warnings
                    .push("the reference is constant; the raw energy distance is reported".into());
                (Some(d), None)
            }
        }
        Method::Anderson => {
            let t = num::anderson_ksamp(&[a, b]).map_err(e)?;
            (Some(t.statistic), Some(t.p_value))
        }
        Method::CramerVonMises => {
            let t = num::cramervonmises_2samp(a, b).map_err(e)?;
            (Some(t.statistic), t.p_value)
        }
        Method::Mannwhitney => {
            let t = num::mann_whitney_u(a, b).map_err(e)?;
            (Some(t.statistic), t.p_value)
        }
        Method::Ttest => {
            let t = num::welch_t_test(a, b).map_err(e)?;
            (Some(t.statistic), t.p_value)
        }
        _ => return Err(format!("method {} is not a numeric test", method.name())),
    };
    Ok(Computed {
        statistic,
        p_value,
        warnings,
        wasserstein,
    })
}

/// A test or distance on the two histograms (categories, or bins of a numeric column).
fn categorical(method: Method, h: &Histogram) -> std::result::Result<Computed, String> {
    let e = |x: fairgauge_core::Error| x.to_string();
    let mut warnings = vec![];
    let (labels, rc, cc) = (&h.labels, h.reference.as_slice(), h.current.as_slice());
    let (statistic, p_value) = match method {
        Method::Psi => (Some(cat::psi(rc, cc).map_err(e)?), None),
        Method::Jensenshannon => (Some(cat::jensen_shannon(rc, cc).map_err(e)?), None),
        Method::Hellinger => (Some(cat::hellinger(rc, cc).map_err(e)?), None),
        Method::Kl => (Some(cat::kl_divergence(rc, cc).map_err(e)?), None),
        Method::Tvd => (Some(cat::total_variation(rc, cc).map_err(e)?), None),
        Method::Linf => (Some(cat::l_infinity(rc, cc).map_err(e)?), None),
        Method::Chisquare | Method::Gtest => {
            let t = if method == Method::Chisquare {
                cat::chi_square_2xk(rc, cc)
            } else {
                cat::g_test_2xk(rc, cc)
            }
            .map_err(e)?;
            match t {
                Some(t) => (Some(t.statistic), t.p_value),
                None => {
                    warnings.push("a single category in both tables: nothing to test".into());
                    (Some(0.0), Some(1.0))
                }
            }
        }
        Method::Fisher | Method::Ztest => {
            let present: Vec<usize> = (0..labels.len()).filter(|&i| rc[i] + cc[i] > 0).collect();
            if present.len() > 2 {
                return Err(format!(
                    "method {} compares two categories; the column has {}",
                    method.name(),
                    present.len()
                ));
            }
            let k = present.first().copied().unwrap_or(0);
            let (x1, n1) = (rc.get(k).copied().unwrap_or(0), rc.iter().sum::<u64>());
            let (x2, n2) = (cc.get(k).copied().unwrap_or(0), cc.iter().sum::<u64>());
            if method == Method::Fisher {
                let t = fairgauge_core::stats::fisher_exact_two_sided(x1, n1 - x1, x2, n2 - x2);
                (t.statistic, Some(t.p_value))
            } else {
                match fairgauge_core::stats::two_proportion_z_test(x1, n1, x2, n2) {
                    Some(t) => (t.statistic, Some(t.p_value)),
                    None => (None, None),
                }
            }
        }
        _ => {
            return Err(format!(
                "method {} is not a histogram method",
                method.name()
            ))
        }
    };
    Ok(Computed {
        statistic,
        p_value,
        warnings,
        wasserstein: None,
    })
}

pub(crate) fn effects(
    r: &Sample,
    c: &Sample,
    hist: &std::result::Result<Histogram, String>,
    wasserstein: Option<f64>,
) -> BTreeMap<String, f64> {
    let mut e = BTreeMap::new();
    if let (Sample::Numeric(a), Sample::Numeric(b)) = (r, c) {
        let (ma, sa) = mean_sd(a);
        let (mb, sb) = mean_sd(b);
        e.insert("mean_reference".into(), ma);
        e.insert("mean_current".into(), mb);
        e.insert("std_reference".into(), sa);
        e.insert("std_current".into(), sb);
        // Wasserstein-1 raw and normed by the reference's std (Evidently); the method's distance
        // is reused when it computed one (the same merge, so the same bits; normed as the
        // statistic is). Samples here are sorted and finite.
        let raw = wasserstein.unwrap_or_else(|| num::wasserstein_presorted(a, b));
        e.insert("wasserstein".into(), raw);
        if sa > 0.0 {
            e.insert("wasserstein_normed".into(), raw / sa);
        }
    }
    if let (Sample::Sketched(a), Sample::Sketched(b)) = (r, c) {
        e.insert("mean_reference".into(), a.moments.mean);
        e.insert("mean_current".into(), b.moments.mean);
        e.insert("std_reference".into(), a.sd());
        e.insert("std_current".into(), b.sd());
    }
    if let Ok(h) = hist {
        let (rc, cc) = (&h.reference, &h.current);
        if !rc.is_empty() {
            let mut put = |k: &str, v: fairgauge_core::Result<f64>| {
                if let Ok(v) = v {
                    e.insert(k.to_string(), v);
                }
            };
            put("psi", cat::psi(rc, cc));
            put("jensenshannon", cat::jensen_shannon(rc, cc));
            put("tvd", cat::total_variation(rc, cc));
            if let Ok(Some(v)) = cat::cramers_v(rc, cc) {
                e.insert("cramers_v".into(), v);
            }
        }
    }
    e
}
