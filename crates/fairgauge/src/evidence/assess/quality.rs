//! Quality findings: every check of the quality report with the policy's thresholds.

use super::builder::*;
use crate::evidence::document::{Category, FindingStatus, JudgedThreshold, Subject};
use crate::evidence::policy::Direction;
use crate::quality::{self};

pub(crate) fn quality_findings(b: &mut Builder<'_>, r: &quality::QualityReport) {
    for c in &r.checks {
        let (kind, risk): (String, (String, String)) = if c.id.starts_with("rule.") {
            let col = c.column.clone().unwrap_or_default();
            (
                format!("quality.rule_{}", c.check.trim_start_matches("rule.")),
                (
                    format!("quality/rule/{col}"),
                    format!("Rule violations in {col}"),
                ),
            )
        } else {
            let col = c.column.clone().unwrap_or_default();
            let attr = c.attribute.clone().unwrap_or_default();
            let title = match c.check.as_str() {
                "missing" | "placeholders" => format!("Missing values in {col}"),
                "duplicates" => "Duplicate rows".into(),
                "duplicate_keys" => format!("Duplicate keys ({col})"),
                "leakage" => "Train/test leakage".into(),
                "conflicting_labels" => "Conflicting labels".into(),
                "label_balance" => format!("Imbalanced label {col}"),
                "proxy" => format!("Proxy for {attr}: {col}"),
                "missingness_by_group" => format!("Missingness differs by {attr}"),
                "empty_rows" => "Empty rows".into(),
                other => format!("{} in {col}", other.replace('_', " ")),
            };
            let key_check = if c.check == "placeholders" {
                "missing"
            } else {
                c.check.as_str()
            };
            (
                format!("quality.{}", c.check),
                (format!("quality/{key_check}/{col}/{attr}"), title),
            )
        };
        let status = match c.status {
            quality::Status::Pass => FindingStatus::Pass,
            quality::Status::Warn => FindingStatus::Warn,
            quality::Status::Fail => FindingStatus::Fail,
        };
        let threshold = c
            .threshold
            .as_ref()
            .filter(|t| t.fail.is_finite())
            .map(|t| JudgedThreshold {
                warn: t.warn,
                fail: t.fail,
                direction: if t.direction == "below" {
                    Direction::Below
                } else {
                    Direction::Above
                },
            });
        b.add(Judged {
            value: c.value,
            threshold,
            subject: Subject {
                column: c.column.clone(),
                attribute: c.attribute.clone(),
                group: None,
                reference_group: None,
                class: None,
            },
            risk: Some(risk),
            ..Judged::new(
                &kind,
                Category::DataQuality,
                status,
                &c.check,
                match &c.column {
                    Some(col)
                        if !c.message.contains(&format!("`{col}`"))
                            && !c.id.starts_with("dataset.") =>
                    {
                        format!("`{col}`: {}", c.message)
                    }
                    _ => c.message.clone(),
                },
            )
        });
    }
}
