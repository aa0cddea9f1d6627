//! OSCAL assessment results (NIST OSCAL 1.1): observations, findings and risks with
//! persistent uuids derived from the system and each object's stable id.

use super::times::*;
use super::words::*;
use crate::evidence::document::{Evidence, Finding, FindingStatus, Risk};
use crate::evidence::ids::uuid_from_name;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The OSCAL version of [`oscal_assessment_results`].
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of fairgauge's OSCAL properties.
pub const OSCAL_NS: &str = "https://fairgauge.dev/ns/oscal";

// ---------------------------------------------------------------------------------------------
// OSCAL assessment results
// ---------------------------------------------------------------------------------------------

/// The OSCAL control id of a fairgauge control id: a token (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`)
/// in lower case, the framework and the reference joined by `_`, brackets turned into dots:
/// `ISO42001:A.5.4` → `iso42001_a.5.4`, `NIST-AI-RMF:MEASURE-2.11` → `nist-ai-rmf_measure-2.11`,
/// `EU-AI-Act:Art.10(2)(f)` → `eu-ai-act_art.10.2.f`. Other characters become `-`; runs of
/// separators shrink to their first; a token that would not start with a letter starts with `_`.
pub fn control_token(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 1);
    for c in id.chars() {
        let mapped = match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => c.to_ascii_lowercase(),
            '.' | '-' | '_' => c,
            ':' => '_',
            '(' | '[' => '.',
            ')' | ']' => continue,
            _ => '-',
        };
        let separator = matches!(mapped, '.' | '-' | '_');
        if separator && out.ends_with(['.', '-', '_']) {
            continue;
        }
        out.push(mapped);
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// OSCAL 1.1.2 assessment results (the document, `{"assessment-results": …}`), valid against
/// NIST's JSON schema.
///
/// One result covers the run: its reviewed controls are ISO/IEC 42001 9.1 (every run monitors
/// and measures) and the controls of all findings (as [`control_token`]s); each finding is an
/// observation (method `TEST`, its numbers as properties, the datasets as relevant evidence);
/// each finding that is not a pass is also an OSCAL finding whose target is its first control,
/// `not-satisfied` (reason `fail` for a failure, `other` for a warning, an error or too little
/// data), related to its observation and its risk; each risk is an OSCAL risk, `open`. The
/// policy and the datasets, with their SHA-256, are resources in the back matter; `import-ap`
/// points at the policy, which plays the assessment plan's part.
///
/// The document's uuid is the run id (a uuid derived from it when it is not a version-4 uuid);
/// every other uuid is [`uuid_from_name`] of the system id, the object's kind and its stable id.
/// Date-times are normalised to UTC (`Z`); titles and property values are single lines; titles
/// and descriptions (Markdown in OSCAL's JSON) are escaped; fairgauge's properties carry the
/// namespace [`OSCAL_NS`]. Empty lists are left out (OSCAL lists hold at least one item).
pub fn oscal_assessment_results(e: &Evidence) -> Value {
    // Object uuids follow the system and the object, not the run: the same finding keeps its
    // uuid across runs (OSCAL's persistent identifiers), so two runs' documents differ only in
    // the document uuid (the run id) and the times.
    let ids = Ids {
        system_id: e.system.id.as_str(),
    };
    let collected = utc_timestamp(&e.run.finished_at);
    let system = system_name(e);
    let policy_uuid = ids.of("resource", "policy");
    let mut resources = vec![policy_resource(e, &policy_uuid)];
    let (datasets, evidence_refs) = dataset_resources(e, &ids);
    resources.extend(datasets);
    let (observations, controls_seen) = observations(e, &ids, &evidence_refs, &collected);
    let mut result = result(e, &ids, system, &collected, &controls_seen);
    set_list(&mut result, "observations", observations);
    set_list(&mut result, "findings", findings(e, &ids));
    set_list(&mut result, "risks", risks(e, &ids));
    json!({
        "assessment-results": {
            "uuid": document_uuid(e.run.id.as_str()),
            "metadata": metadata(e, system, &collected),
            "import-ap": {
                "href": format!("#{policy_uuid}"),
                "remarks": "fairgauge assesses without an OSCAL assessment plan: the policy \
                            (a resource in the back matter) plays its part.",
            },
            "results": [result],
            "back-matter": {"resources": resources},
        }
    })
}

/// Uuids of one system's OSCAL objects: [`uuid_from_name`] of the system id, the object's kind
/// and its stable id.
struct Ids<'a> {
    system_id: &'a str,
}

impl Ids<'_> {
    fn of(&self, kind: &str, id: &str) -> String {
        uuid_from_name(&format!("{}:{kind}:{id}", self.system_id))
    }
}

/// The policy as a back-matter resource: it plays the part of the assessment plan.
fn policy_resource(e: &Evidence, policy_uuid: &str) -> Value {
    let policy_hex = strip_sha256(&e.run.policy_sha256);
    let policy_where = match &e.run.policy_path {
        Some(p) => format!("the policy file {}", p.display()),
        None => "fairgauge's built-in policy".to_string(),
    };
    let mut policy = json!({
        "uuid": policy_uuid,
        "title": "fairgauge assessment policy",
        "description": markup(&format!(
            "The policy the assessment ran against ({policy_where}): checks, thresholds, the \
             risk matrix and the control mapping. It plays the part of the assessment plan."
        )),
    });
    let mut policy_props = Vec::new();
    push_prop(&mut policy_props, "policy-sha256", policy_hex);
    set_list(&mut policy, "props", policy_props);
    if let Some(p) = &e.run.policy_path {
        set_list(
            &mut policy,
            "rlinks",
            vec![rlink(&p.to_string_lossy(), policy_hex)],
        );
    }
    policy
}

/// The datasets as back-matter resources, and the references every observation makes to them.
fn dataset_resources(e: &Evidence, ids: &Ids<'_>) -> (Vec<Value>, Vec<Value>) {
    let mut resources = Vec::new();
    let mut evidence_refs = Vec::new();
    for (i, d) in e.datasets.iter().enumerate() {
        let uuid = ids.of("resource", &format!("dataset:{i}:{}", d.role));
        let file = file_name(&d.path);
        let mut props = Vec::new();
        push_prop(&mut props, "role", &d.role);
        push_prop(&mut props, "format", &d.format);
        push_prop(&mut props, "rows", &d.rows.to_string());
        push_prop(&mut props, "columns", &d.columns.to_string());
        if let Some(sha) = &d.file_sha256 {
            push_prop(&mut props, "file-sha256", strip_sha256(sha));
        }
        push_prop(&mut props, "content-fingerprint", &d.content_fingerprint);
        push_prop(&mut props, "schema-fingerprint", &d.schema_fingerprint);
        let mut res = json!({
            "uuid": uuid,
            "title": title(&format!("{} dataset {file}", d.role), "dataset"),
            "description": markup(&format!(
                "The {} dataset {} ({}, {} rows, {} columns), content fingerprint {}.",
                d.role,
                d.path.display(),
                d.format,
                d.rows,
                d.columns,
                d.content_fingerprint
            )),
        });
        set_list(&mut res, "props", props);
        if let Some(sha) = &d.file_sha256 {
            set_list(
                &mut res,
                "rlinks",
                vec![rlink(&d.path.to_string_lossy(), strip_sha256(sha))],
            );
        }
        resources.push(res);
        evidence_refs.push(json!({
            "href": format!("#{uuid}"),
            "description": markup(&format!("The {} dataset {file}.", d.role)),
        }));
    }
    (resources, evidence_refs)
}

/// One observation per finding, and the controls the run reviewed (ISO/IEC 42001 9.1 for every
/// run, then the findings' controls in order of first appearance).
fn observations(
    e: &Evidence,
    ids: &Ids<'_>,
    evidence_refs: &[Value],
    collected: &str,
) -> (Vec<Value>, Vec<String>) {
    let mut observations = Vec::new();
    let mut controls_seen: Vec<String> = vec![control_token(RUN_CONTROL)];
    for f in &e.findings {
        for c in &f.controls {
            let t = control_token(&c.id);
            if !controls_seen.contains(&t) {
                controls_seen.push(t);
            }
        }
        let mut obs = json!({
            "uuid": ids.of("observation", &f.id),
            "title": title(&test_name(f), &f.id),
            "description": markup_or(&f.message, "No message."),
            "methods": ["TEST"],
            "collected": collected,
        });
        set_list(&mut obs, "props", observation_props(f));
        set_list(&mut obs, "relevant-evidence", evidence_refs.to_vec());
        observations.push(obs);
    }
    (observations, controls_seen)
}

/// A finding's measurement as OSCAL properties.
fn observation_props(f: &Finding) -> Vec<Value> {
    let mut props = Vec::new();
    push_prop(&mut props, "finding-id", &f.id);
    push_prop(&mut props, "kind", &f.kind);
    push_prop(&mut props, "category", f.category.as_str());
    push_prop(&mut props, "status", f.status.as_str());
    push_prop(&mut props, "metric", &f.metric);
    if let Some(v) = f.value {
        push_prop(&mut props, "value", &num(v));
    }
    if let Some([lo, hi]) = f.interval {
        push_prop(&mut props, "interval-low", &num(lo));
        push_prop(&mut props, "interval-high", &num(hi));
    }
    if let Some(p) = f.p_value {
        push_prop(&mut props, "p-value", &num(p));
    }
    if let Some(t) = &f.threshold {
        push_prop(&mut props, "threshold-warn", &num(t.warn));
        push_prop(&mut props, "threshold-fail", &num(t.fail));
        push_prop(
            &mut props,
            "threshold-direction",
            direction_str(t.direction),
        );
    }
    let s = &f.subject;
    for (name, v) in [
        ("subject-column", &s.column),
        ("subject-attribute", &s.attribute),
        ("subject-group", &s.group),
        ("subject-reference-group", &s.reference_group),
    ] {
        if let Some(v) = v {
            push_prop(&mut props, name, v);
        }
    }
    if let Some(r) = &f.risk_id {
        push_prop(&mut props, "risk-id", r);
    }
    // A value estimated from group probabilities: which estimator, for which attribute.
    if let Some(x) = &f.estimated {
        push_prop(&mut props, "estimated", &x.estimator);
        push_prop(&mut props, "estimated-attribute", &x.attribute);
    }
    for c in &f.controls {
        push_prop(&mut props, "control-id", &control_token(&c.id));
    }
    props
}

/// One OSCAL finding per finding that is not a pass, its objective not satisfied.
fn findings(e: &Evidence, ids: &Ids<'_>) -> Vec<Value> {
    let risk_ids: Vec<&str> = e.risks.iter().map(|r| r.id.as_str()).collect();
    let mut findings = Vec::new();
    for f in e
        .findings
        .iter()
        .filter(|f| f.status != FindingStatus::Pass)
    {
        let (target_id, target_title) = match f.controls.first() {
            Some(c) => (control_token(&c.id), format!("{} {}", c.id, c.title)),
            None => (
                control_token(&format!("fairgauge:{}", f.kind)),
                f.kind.clone(),
            ),
        };
        let reason = if f.status == FindingStatus::Fail {
            "fail"
        } else {
            "other"
        };
        let mut props = Vec::new();
        push_prop(&mut props, "finding-id", &f.id);
        push_prop(&mut props, "status", f.status.as_str());
        for c in &f.controls {
            push_prop(&mut props, "control-id", &control_token(&c.id));
        }
        let mut finding = json!({
            "uuid": ids.of("finding", &f.id),
            "title": title(&format!("{}: {}", f.status.as_str(), test_name(f)), &f.id),
            "description": markup_or(&f.message, "No message."),
            "target": {
                "type": "objective-id",
                "target-id": target_id,
                "title": title(&target_title, &f.kind),
                "status": {
                    "state": "not-satisfied",
                    "reason": reason,
                    "remarks": markup(&format!("fairgauge status: {} ({}).", f.status.as_str(), status_meaning(f.status))),
                },
            },
            "related-observations": [{"observation-uuid": ids.of("observation", &f.id)}],
        });
        set_list(&mut finding, "props", props);
        if let Some(r) = f.risk_id.as_deref().filter(|r| risk_ids.contains(r)) {
            set_list(
                &mut finding,
                "related-risks",
                vec![json!({"risk-uuid": ids.of("risk", r)})],
            );
        }
        findings.push(finding);
    }
    findings
}

/// The risks, with their score, treatment, controls and the observations behind them.
fn risks(e: &Evidence, ids: &Ids<'_>) -> Vec<Value> {
    let mut risks = Vec::new();
    for r in e.risks.iter().chain(&e.resolved_risks) {
        let controls = join_unique(r.controls.iter().map(|c| c.id.as_str()), ", ");
        let mut props = Vec::new();
        push_prop(&mut props, "risk-id", &r.id);
        push_prop(&mut props, "category", r.category.as_str());
        push_prop(&mut props, "likelihood", &r.likelihood.to_string());
        push_prop(&mut props, "impact", &r.impact.to_string());
        push_prop(&mut props, "score", &r.score.to_string());
        push_prop(&mut props, "rating", r.rating.as_str());
        push_prop(&mut props, "treatment", r.treatment.as_str());
        for c in &r.controls {
            push_prop(&mut props, "control-id", &control_token(&c.id));
        }
        let status = oscal_risk_status(&r.status);
        let mut risk = json!({
            "uuid": ids.of("risk", &r.id),
            "title": title(&r.title, &r.id),
            "description": markup_or(&r.description, "No description."),
            "statement": markup(&format!(
                "Likelihood {} × impact {} = score {} ({}); suggested treatment: {}; controls: {}.",
                r.likelihood,
                r.impact,
                r.score,
                r.rating.as_str(),
                r.treatment.as_str(),
                if controls.is_empty() { "none" } else { controls.as_str() },
            )),
            "status": status,
        });
        set_list(&mut risk, "props", props);
        let related: Vec<Value> = findings_of(e, r)
            .iter()
            .map(|f| json!({"observation-uuid": ids.of("observation", &f.id)}))
            .collect();
        set_list(&mut risk, "related-observations", related);
        let entries = risk_log(e, r, ids);
        if let (false, Some(map)) = (entries.is_empty(), risk.as_object_mut()) {
            map.insert("risk-log".into(), json!({ "entries": entries }));
        }
        risks.push(risk);
    }
    risks
}

/// A risk's status as OSCAL spells it: a decision to accept or transfer is an approved
/// deviation, to avoid is remediation (the activity stops), anything unknown is `open`.
fn oscal_risk_status(status: &str) -> &str {
    match status {
        "accepted" | "transferred" => "deviation-approved",
        "avoided" => "remediating",
        s if RISK_STATUSES.contains(&s) => s,
        _ => "open",
    }
}

/// The risk's log (with a metric history): when it was first seen and how it stands, and the
/// decision people recorded on it.
fn risk_log(e: &Evidence, r: &Risk, ids: &Ids<'_>) -> Vec<Value> {
    let Some(life) = &r.life else {
        return vec![];
    };
    let mut entries = vec![json!({
        "uuid": ids.of("risk-log", &format!("{}:seen", r.id)),
        "title": "Seen by assessments",
        "description": markup(&format!(
            "First seen {}, last seen {}, in {} run(s); {} as of this run.",
            life.first_seen, life.last_seen, life.runs_seen, life.status
        )),
        "start": utc_timestamp(&life.first_seen),
        "end": utc_timestamp(if life.status == "resolved" { &e.run.finished_at } else { &life.last_seen }),
        "status-change": "open",
    })];
    if let Some(d) = &life.decision {
        let mut entry = json!({
            "uuid": ids.of("risk-log", &format!("{}:decision:{}", r.id, d.decided_at)),
            "title": format!("Decision: {}", d.decision),
            "description": markup_or(&format!("{} decided to {}: {}", d.decided_by, d.decision, d.reason), "A decision."),
            "start": utc_timestamp(&d.decided_at),
            "status-change": oscal_risk_status(&r.status),
        });
        let mut props = vec![];
        push_prop(&mut props, "decision", &d.decision);
        push_prop(&mut props, "decided-by", &d.decided_by);
        push_prop(
            &mut props,
            "in-force",
            if d.in_force { "true" } else { "false" },
        );
        if let Some(date) = &d.review_date {
            push_prop(&mut props, "review-date", date);
            if let Some(map) = entry.as_object_mut() {
                map.insert("end".into(), json!(format!("{date}T23:59:59Z")));
            }
        }
        set_list(&mut entry, "props", props);
        if !d.in_force {
            if let Some(map) = entry.as_object_mut() {
                map.insert(
                    "remarks".into(),
                    json!("No longer in force: its review date has passed, or the closed risk came back."),
                );
            }
        }
        entries.push(entry);
    }
    entries
}

/// The result: the run's times, the reviewed controls and the verdict counts (observations,
/// findings and risks are added by the caller).
fn result(
    e: &Evidence,
    ids: &Ids<'_>,
    system: &str,
    collected: &str,
    controls_seen: &[String],
) -> Value {
    let selection = json!({
        "description": "ISO/IEC 42001 9.1 for the run, and the controls of its findings.",
        "include-controls": controls_seen
            .iter()
            .map(|t| json!({"control-id": t}))
            .collect::<Vec<_>>(),
    });
    let counts = status_counts(e);
    let mut result_props = Vec::new();
    push_prop(&mut result_props, "system-id", &e.system.id);
    push_prop(&mut result_props, "overall", e.summary.overall.as_str());
    push_prop(&mut result_props, "passed", &e.summary.passed.to_string());
    if let Some(head) = ledger_head(e) {
        push_prop(&mut result_props, "ledger-head", &head);
    }
    for (s, n) in STATUSES.iter().zip(counts) {
        push_prop(
            &mut result_props,
            &format!("findings-{}", s.as_str().replace('_', "-")),
            &n.to_string(),
        );
    }
    let mut description = format!(
        "fairgauge measured bias, data quality, drift and provenance of {system} (system id {}). \
         Overall status: {}.",
        e.system.id,
        e.summary.overall.as_str()
    );
    if !e.system.intended_use.trim().is_empty() {
        let _ = write!(
            description,
            " Intended use: {}",
            e.system.intended_use.trim()
        );
    }
    let mut result = json!({
        "uuid": ids.of("result", "assessment"),
        "title": title(&format!("fairgauge assessment of {system}"), "fairgauge assessment"),
        "description": markup(&description),
        "start": utc_timestamp(&e.run.started_at),
        "end": collected,
        "reviewed-controls": {"control-selections": [selection]},
    });
    set_list(&mut result, "props", result_props);
    result
}

/// The document's metadata: title, time, version, the tool and the evidence format.
fn metadata(e: &Evidence, system: &str, collected: &str) -> Value {
    let mut metadata_props = Vec::new();
    push_prop(&mut metadata_props, "tool", &e.run.tool);
    push_prop(
        &mut metadata_props,
        "evidence-schema-version",
        &e.schema_version,
    );
    let mut metadata = json!({
        "title": title(&format!("fairgauge assessment results: {system}"), "fairgauge assessment results"),
        "last-modified": collected,
        "version": line(&e.run.tool_version, "unknown"),
        "oscal-version": OSCAL_VERSION,
    });
    set_list(&mut metadata, "props", metadata_props);
    metadata
}

/// The control every run is evidence for: monitoring, measurement, analysis and evaluation.
pub(crate) const RUN_CONTROL: &str = "ISO42001:9.1";

/// OSCAL's risk statuses.
pub(crate) const RISK_STATUSES: [&str; 6] = [
    "open",
    "investigating",
    "remediating",
    "deviation-requested",
    "deviation-approved",
    "closed",
];

/// The document uuid: the run id when it is a version-4 uuid (lower-cased), else one derived
/// from it.
pub(crate) fn document_uuid(run_id: &str) -> String {
    let lower = run_id.to_ascii_lowercase();
    if is_uuid_v4(&lower) {
        lower
    } else {
        uuid_from_name(&format!("{run_id}:document"))
    }
}

/// Whether `s` is a lower-case version-4, variant-1 uuid.
pub(crate) fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// A property in fairgauge's namespace; left out when the value is blank (OSCAL property values
/// are non-empty single lines without surrounding space).
pub(crate) fn push_prop(props: &mut Vec<Value>, name: &str, value: &str) {
    let v = one_line(value);
    if !v.is_empty() {
        props.push(json!({"name": name, "ns": OSCAL_NS, "value": v}));
    }
}

/// Sets `key` to the list unless it is empty (OSCAL lists hold at least one item).
pub(crate) fn set_list(obj: &mut Value, key: &str, items: Vec<Value>) {
    if let (false, Some(map)) = (items.is_empty(), obj.as_object_mut()) {
        map.insert(key.to_string(), Value::Array(items));
    }
}

/// A resource link to a file, with its SHA-256 when that is one.
pub(crate) fn rlink(path: &str, sha256_hex: &str) -> Value {
    let mut link = json!({"href": uri_reference(path)});
    if sha256_hex.len() == 64 && sha256_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        set_list(
            &mut link,
            "hashes",
            vec![json!({"algorithm": "SHA-256", "value": sha256_hex.to_ascii_lowercase()})],
        );
    }
    link
}

/// A path as a relative URI reference: bytes other than unreserved characters and `/`
/// percent-encoded (so a `:` cannot pass for a scheme).
pub(crate) fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    if out.starts_with("//") {
        // Not an authority: a path that starts with an empty segment.
        out.insert_str(0, "/.");
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// A title (OSCAL's `markup-line`, Markdown in JSON): one line, or the fallback when blank,
/// escaped.
pub(crate) fn title(s: &str, fallback: &str) -> String {
    md_escape(&line(s, fallback), " ")
}

/// One line, or the fallback when blank.
pub(crate) fn line(s: &str, fallback: &str) -> String {
    let l = one_line(s);
    if l.is_empty() {
        one_line(fallback)
    } else {
        l
    }
}

/// Free text for OSCAL's Markdown markup: one line, Markdown's special characters escaped.
pub(crate) fn markup(s: &str) -> String {
    md_escape(&one_line(s), " ")
}

pub(crate) fn markup_or(s: &str, fallback: &str) -> String {
    let m = markup(s);
    if m.is_empty() {
        markup(fallback)
    } else {
        m
    }
}
