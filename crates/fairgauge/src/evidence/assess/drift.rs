//! Drift findings: each column's population stability index, the dataset's drifted share, and
//! the fairness metrics' drift.

use super::builder::*;
use crate::evidence::document::{Category, FindingStatus, JudgedThreshold, Subject};
use crate::evidence::policy::{Direction, Roles, Threshold};

pub(crate) fn drift_findings(b: &mut Builder<'_>, r: &crate::drift::DriftReport, roles: &Roles) {
    let dp = &b.policy.drift;
    let t = JudgedThreshold {
        warn: dp.psi_warn,
        fail: dp.psi_fail,
        direction: Direction::Above,
    };
    let mut drifted = 0usize;
    let mut assessed = 0usize;
    for c in &r.columns {
        let role = if Some(&c.name) == roles.label.as_ref() {
            "Label drift"
        } else if Some(&c.name) == roles.prediction.as_ref()
            || Some(&c.name) == roles.score.as_ref()
        {
            "Prediction drift"
        } else {
            "Covariate drift"
        };
        let risk = Some((format!("drift/{}", c.name), format!("{role} in {}", c.name)));
        let subject = Subject {
            column: Some(c.name.clone()),
            ..Default::default()
        };
        let Some(psi) = c.effects.get("psi").copied().filter(|v| v.is_finite()) else {
            b.add(Judged {
                threshold: Some(t),
                subject,
                risk,
                ..Judged::new(
                    "drift.psi",
                    Category::Drift,
                    FindingStatus::Error,
                    "psi",
                    format!(
                        "drift of `{}` could not be measured: {}",
                        c.name,
                        if c.warnings.is_empty() {
                            "no PSI".to_string()
                        } else {
                            c.warnings.join("; ")
                        }
                    ),
                )
            });
            continue;
        };
        assessed += 1;
        let status = judge(
            psi,
            &Threshold {
                warn: t.warn,
                fail: t.fail,
                direction: Direction::Above,
            },
        );
        if status != FindingStatus::Pass {
            drifted += 1;
        }
        b.add(Judged { value: Some(psi), p_value: c.p_value_adjusted, threshold: Some(t), subject, risk, ..Judged::new("drift.psi", Category::Drift, status, "psi", format!(
                "`{}` moved from the reference by PSI {} (warn above {}, fail above {}); {} statistic {}{}",
                c.name,
                fmt(psi),
                t.warn,
                t.fail,
                serde_json::to_value(c.method)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                c.statistic.map(fmt).unwrap_or_else(|| "n/a".into()),
                c.p_value_adjusted
                    .map(|p| format!(", adjusted p {}", crate::present::p_value_short(p)))
                    .unwrap_or_default()
            )) });
    }
    if assessed > 0 {
        let share = drifted as f64 / assessed as f64;
        let status = if share >= dp.dataset_share {
            FindingStatus::Fail
        } else if drifted > 0 {
            FindingStatus::Warn
        } else {
            FindingStatus::Pass
        };
        b.add(Judged { value: Some(share), threshold: Some(JudgedThreshold {
                warn: 0.0,
                fail: dp.dataset_share,
                direction: Direction::Above,
            }), risk: Some(("drift/dataset".into(), "Dataset drift".into())), ..Judged::new("drift.dataset", Category::Drift, status, "drifted_column_share", format!(
                "{drifted} of {assessed} columns drifted (PSI above {}); the dataset drifts from a share of {}",
                dp.psi_warn, dp.dataset_share
            )) });
    }
}
