//! Risks: non-pass findings grouped by what they are about, scored on the policy's 5 × 5
//! matrix, with a treatment and the controls of their findings.

use super::builder::*;
use crate::evidence::document::{Category, ControlRef, Finding, FindingStatus, Rating, Risk};
use crate::evidence::ids::stable_id;
use crate::evidence::policy::{Policy, Treatment};
use std::collections::BTreeMap;

pub(crate) fn impact_of(policy: &Policy, c: Category) -> u8 {
    let r = &policy.risk;
    match c {
        Category::Bias => r.impact_bias,
        Category::DataQuality => r.impact_data_quality,
        Category::Drift => r.impact_drift,
        Category::Provenance => r.impact_provenance,
    }
}

/// The policy's treatment for a rating.
pub(crate) fn treatment_of(policy: &Policy, rating: Rating) -> Treatment {
    let t = &policy.risk.treatment;
    match rating {
        Rating::Critical => t.critical,
        Rating::High => t.high,
        Rating::Medium => t.medium,
        Rating::Low => t.low,
    }
}

pub(crate) fn build_risks(
    policy: &Policy,
    system_id: &str,
    findings: &mut [Finding],
    keys: &BTreeMap<String, (String, String)>,
) -> Vec<Risk> {
    let mut groups: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if let Some((key, title)) = keys.get(&f.id) {
            groups
                .entry(key.clone())
                .or_insert_with(|| (title.clone(), vec![]))
                .1
                .push(i);
        }
    }
    let alpha = policy.fairness.alpha;
    let mut risks = vec![];
    for (key, (title, idx)) in groups {
        let category = findings[idx[0]].category;
        let id = stable_id("R-", &[system_id, category.as_str(), &key]);
        let mut likelihood = 1u8;
        let mut impact = impact_of(policy, category);
        let mut bump = false;
        let mut worst: Option<&Finding> = None;
        let mut controls: Vec<ControlRef> = vec![];
        for &i in &idx {
            let f = &findings[i];
            let l = match f.status {
                FindingStatus::Fail if f.p_value.is_some_and(|p| p < alpha) => 4,
                FindingStatus::Fail | FindingStatus::Error => 3,
                FindingStatus::Warn | FindingStatus::InsufficientData => 2,
                FindingStatus::Pass => 1,
            };
            likelihood = likelihood.max(l);
            if f.status == FindingStatus::Fail {
                if let (Some(v), Some(t)) = (f.value, &f.threshold) {
                    bump |= far_past(v, t);
                }
            }
            if worst.is_none_or(|w| f.status > w.status) {
                worst = Some(f);
            }
            for c in &f.controls {
                if !controls.iter().any(|x| x.id == c.id) {
                    controls.push(c.clone());
                }
            }
        }
        if bump {
            impact = (impact + 1).min(5);
        }
        let score = likelihood * impact;
        let rating = Rating::of(score);
        let treatment = treatment_of(policy, rating);
        let n_fail = idx
            .iter()
            .filter(|&&i| findings[i].status == FindingStatus::Fail)
            .count();
        let description = format!(
            "{} finding(s), {n_fail} failing. {}",
            idx.len(),
            worst.map(|w| w.message.clone()).unwrap_or_default()
        );
        for &i in &idx {
            findings[i].risk_id = Some(id.clone());
        }
        controls.sort_by(|a, b| a.id.cmp(&b.id));
        risks.push(Risk {
            id,
            title,
            description,
            category,
            likelihood,
            impact,
            score,
            rating,
            treatment,
            status: "open".into(),
            findings: idx.iter().map(|&i| findings[i].id.clone()).collect(),
            controls,
            life: None,
        });
    }
    risks.sort_by(|a, b| b.score.cmp(&a.score).then(a.id.cmp(&b.id)));
    risks
}
