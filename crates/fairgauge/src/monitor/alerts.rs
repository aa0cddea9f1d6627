//! Alerts: a window's findings that breach the policy, and the rates and gaps between groups
//! that moved from the baseline ([`fairgauge_core::monitor`]: the shift rule and the CUSUM, with
//! the run's false-alarm rate controlled).

use std::collections::BTreeMap;

use fairgauge_core::fairness::report::FairnessReport;
use fairgauge_core::fairness::report::{GroupMetrics, GroupWeights};
use fairgauge_core::fairness::Metric;
use fairgauge_core::monitor::{
    detect, Count, DetectConfig, Point, Series, Side, Verdict, WeightedCount,
};

use super::report::{Alert, Change, GroupRates, Method, Rate, WindowReport};
use crate::error::Result;
use crate::evidence::document::{Evidence, FindingStatus};
use crate::evidence::export::words::subject_text;
use crate::evidence::policy::Direction;
use crate::fairness::TaskOutput;
use crate::present::{p_value_short, quantity};

/// A group's counts and rates in one window (or the baseline).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupCounts {
    attribute: String,
    group: String,
    n: u64,
    reference: bool,
    /// Rates tested for change, with their counts: `selection_rate`, `tpr`, `fpr` (or
    /// `base_rate` without decisions).
    counts: Vec<(&'static str, Count)>,
    /// Every rate of the report with its interval.
    rates: Vec<Rate>,
}

/// The groups of a window's binary fairness report (empty for other tasks or no report).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Groups {
    list: Vec<GroupCounts>,
}

impl Groups {
    /// From a window's evidence.
    pub(crate) fn of(e: &Evidence) -> Groups {
        match e
            .results
            .get("fairness")
            .and_then(|v| serde_json::from_value::<TaskOutput>(v.clone()).ok())
        {
            Some(TaskOutput::Binary(out)) => Groups::of_report(&out.report),
            _ => Groups::default(),
        }
    }

    /// From a binary fairness report.
    pub(crate) fn of_report(r: &FairnessReport) -> Groups {
        let list = r
            .groups
            .iter()
            .map(|g| {
                let counts = match &g.weighted {
                    Some(w) => weighted_counts(g, w),
                    None => plain_counts(g),
                };
                let rates = g
                    .metrics
                    .iter()
                    .filter(|(m, _)| RATES.contains(m))
                    .map(|(m, v)| Rate {
                        metric: m.name().to_string(),
                        value: *v,
                        interval: g.ci.get(m).copied(),
                    })
                    .collect();
                GroupCounts {
                    attribute: g.attribute.clone(),
                    group: g.group.clone(),
                    n: g.count,
                    reference: g.reference,
                    counts,
                    rates,
                }
            })
            .collect();
        Groups { list }
    }

    /// Whether there is nothing to test.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The groups' rates for the window's report.
    pub(crate) fn rates(&self) -> Vec<GroupRates> {
        self.list
            .iter()
            .map(|g| GroupRates {
                attribute: g.attribute.clone(),
                group: g.group.clone(),
                n: g.n,
                reference: g.reference,
                rates: g.rates.clone(),
            })
            .collect()
    }

    fn count(&self, attribute: &str, group: &str, metric: &str) -> Option<Count> {
        let g = self
            .list
            .iter()
            .find(|g| g.attribute == attribute && g.group == group)?;
        g.counts.iter().find(|(m, _)| *m == metric).map(|(_, c)| *c)
    }
}

/// A group's rates tested for change, as counts of rows.
fn plain_counts(g: &GroupMetrics) -> Vec<(&'static str, Count)> {
    match (g.tp, g.fp, g.tn, g.fn_) {
        (Some(tp), Some(fp), Some(tn), Some(fn_)) => vec![
            ("selection_rate", Count::new(tp + fp, g.count)),
            ("tpr", Count::new(tp, tp + fn_)),
            ("fpr", Count::new(fp, fp + tn)),
        ],
        _ => vec![("base_rate", Count::new(g.positives, g.count))],
    }
}

/// A group's rates tested for change with their weighted sums: each rate's `Σw²` from the
/// effective size the report gives (`n_eff = (Σw)² / Σw²`).
fn weighted_counts(g: &GroupMetrics, w: &GroupWeights) -> Vec<(&'static str, Count)> {
    let sums = |success: f64, total: f64, effective: f64| WeightedCount {
        success,
        total,
        total_sq: if effective > 0.0 {
            total * (total / effective)
        } else {
            0.0
        },
    };
    let with = |c: Count, s: WeightedCount| Count {
        weights: Some(s),
        ..c
    };
    let plain = plain_counts(g);
    match (w.tp, w.fp, w.tn, w.fn_) {
        (Some(tp), Some(fp), _, _) => vec![
            (
                "selection_rate",
                with(plain[0].1, sums(tp + fp, w.total, w.effective_n)),
            ),
            (
                "tpr",
                with(plain[1].1, sums(tp, w.positives, w.effective_positives)),
            ),
            (
                "fpr",
                with(plain[2].1, sums(fp, w.negatives, w.effective_negatives)),
            ),
        ],
        _ => vec![(
            "base_rate",
            with(plain[0].1, sums(w.positives, w.total, w.effective_n)),
        )],
    }
}

/// The rates a window reports per group.
const RATES: [Metric; 5] = [
    Metric::SelectionRate,
    Metric::BaseRate,
    Metric::Tpr,
    Metric::Fpr,
    Metric::Ppv,
];

/// The findings of a (monitored) window that breach the policy.
pub(crate) fn policy_alerts(window: &str, e: &Evidence) -> Vec<Alert> {
    e.findings
        .iter()
        .filter(|f| matches!(f.status, FindingStatus::Warn | FindingStatus::Fail))
        .map(|f| {
            let expected = match &f.threshold {
                Some(t) if t.direction == Direction::Above => [None, Some(t.warn)],
                Some(t) => [Some(t.warn), None],
                None => [None, None],
            };
            Alert {
                window: window.to_string(),
                family: f.family().to_string(),
                metric: f.metric.clone(),
                subject: subject_text(&f.subject),
                value: f.value,
                expected,
                rule: "policy".into(),
                severity: f.status.as_str().to_string(),
                message: f.message.clone(),
            }
        })
        .collect()
}

/// A series' key: the metric, the attribute, the group, and the reference group for a gap.
type Key = (String, String, String, Option<String>);

/// The series the baseline defines: each group's rates, and each group's gap to the reference
/// group of its attribute.
fn series_keys(base: &Groups) -> Vec<(Key, Point)> {
    let mut out = vec![];
    let reference: BTreeMap<&str, &GroupCounts> = base
        .list
        .iter()
        .filter(|g| g.reference)
        .map(|g| (g.attribute.as_str(), g))
        .collect();
    for g in &base.list {
        for (m, c) in &g.counts {
            out.push((
                (m.to_string(), g.attribute.clone(), g.group.clone(), None),
                Point::Rate(*c),
            ));
            let Some(r) = reference
                .get(g.attribute.as_str())
                .filter(|r| r.group != g.group)
            else {
                continue;
            };
            if let Some(rc) = base.count(&r.attribute, &r.group, m) {
                out.push((
                    (
                        format!("{m}_difference"),
                        g.attribute.clone(),
                        g.group.clone(),
                        Some(r.group.clone()),
                    ),
                    Point::Gap {
                        group: *c,
                        reference: rc,
                    },
                ));
            }
        }
    }
    out
}

fn window_point(w: &Groups, key: &Key) -> Option<Point> {
    let (m, attribute, group, reference) = key;
    match reference {
        None => w.count(attribute, group, m).map(Point::Rate),
        Some(r) => {
            let metric = m.trim_end_matches("_difference");
            Some(Point::Gap {
                group: w.count(attribute, group, metric)?,
                reference: w.count(attribute, r, metric)?,
            })
        }
    }
}

/// Tests every series over the monitored windows (`windows[k..]`), records each test in its
/// window's `changes` and each alarm in `alerts`; returns the method's limits.
pub(crate) fn change_alerts(
    base: &Groups,
    windows: &[Groups],
    k: usize,
    cfg: &DetectConfig,
    reports: &mut [WindowReport],
    alerts: &mut Vec<Alert>,
) -> Result<Method> {
    let keys = if base.is_empty() {
        vec![]
    } else {
        series_keys(base)
    };
    let series: Vec<Series> = keys
        .iter()
        .map(|(key, b)| Series {
            baseline: *b,
            windows: windows[k..].iter().map(|w| window_point(w, key)).collect(),
        })
        .collect();
    let d = detect(&series, cfg)?;
    for ((key, b), verdicts) in keys.iter().zip(&d.verdicts) {
        let subject = match &key.3 {
            None => format!("{}={}", key.1, key.2),
            Some(r) => format!("{}={} vs {r}", key.1, key.2),
        };
        for (i, v) in verdicts.iter().enumerate() {
            let report = &mut reports[k + i];
            report
                .changes
                .push(change_entry(&key.0, &subject, b.value(), v));
            for (fired, rule) in [(v.shift, "shift"), (v.cusum_alarm.is_some(), "cusum")] {
                if fired {
                    alerts.push(change_alert(
                        &report.start,
                        &key.0,
                        &subject,
                        b.value(),
                        v,
                        rule,
                    ));
                }
            }
        }
    }
    Ok(Method {
        false_alarm_rate: cfg.alpha,
        shift_fdr: cfg.alpha / 2.0,
        z_limit: d.z_limit,
        cusum_k: cfg.cusum_k,
        cusum_h: d.cusum_h,
        cusum_arl: d.cusum_arl,
        tested: d.tested,
        min_rows: cfg.min_rows,
    })
}

fn change_entry(metric: &str, subject: &str, baseline: Option<f64>, v: &Verdict) -> Change {
    let t = v.test.ok();
    Change {
        metric: metric.to_string(),
        subject: subject.to_string(),
        value: v.value,
        baseline,
        expected: t.map(|t| t.expected),
        z: t.map(|t| t.z),
        p_value: t.map(|t| t.p_value),
        adjusted_p: v.adjusted_p,
        cusum: v.cusum,
        status: match (t, v.shift || v.cusum_alarm.is_some()) {
            (None, _) => "insufficient_data",
            (Some(_), true) => "alert",
            (Some(_), false) => "ok",
        }
        .into(),
    }
}

fn change_alert(
    window: &str,
    metric: &str,
    subject: &str,
    baseline: Option<f64>,
    v: &Verdict,
    rule: &str,
) -> Alert {
    let t = v.test.ok();
    let expected = t.map(|t| t.expected);
    let shown = |x: Option<f64>| x.map(quantity).unwrap_or_else(|| "—".into());
    let message = match rule {
        "shift" => format!(
            "{metric} of {subject} is {} in the window from {window}, outside the {} to {} \
             expected from the baseline's {} (p = {}, adjusted over the run {})",
            shown(v.value),
            shown(expected.map(|e| e[0])),
            shown(expected.map(|e| e[1])),
            shown(baseline),
            t.map(|t| p_value_short(t.p_value)).unwrap_or_default(),
            v.adjusted_p.map(p_value_short).unwrap_or_default()
        ),
        _ => format!(
            "{metric} of {subject} has {} from the baseline's {} over the windows up to {window} \
             (CUSUM {:.2} past its limit): a sustained change",
            match v.cusum_alarm {
                Some(Side::Up) => "risen",
                _ => "fallen",
            },
            shown(baseline),
            v.cusum.unwrap_or(f64::NAN)
        ),
    };
    Alert {
        window: window.to_string(),
        family: "fairness".into(),
        metric: metric.to_string(),
        subject: subject.to_string(),
        value: v.value,
        expected: [expected.map(|e| e[0]), expected.map(|e| e[1])],
        rule: rule.to_string(),
        severity: "alert".into(),
        message,
    }
}
