//! Exports of the evidence document for the tools that consume it: a risk-register CSV for GRC
//! tools, OSCAL 1.1.2 assessment results for auditors, JUnit XML for CI, a Markdown summary for
//! people, and an in-toto statement to sign.
//!
//! Every export is a function of the evidence alone (no clock, no randomness): the same evidence
//! gives the same bytes. OSCAL object uuids are derived from the system id and the object's
//! stable id with [`uuid_from_name`], so two runs of one assessment differ only where their run
//! ids and timestamps differ.
//!
//! Text that comes from the data (column names, group values, messages, rule names) is untrusted:
//! each format escapes it by its own rules — RFC 4180 quoting (and a leading `'` before a
//! spreadsheet formula), XML entities with characters XML 1.0 forbids removed, Markdown backslash
//! escapes — so that no value can add a column, an element or a table cell.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::evidence::document::{
    Category, Evidence, Finding, FindingStatus, JudgedThreshold, Risk, Subject,
};
use crate::evidence::ids::{rfc3339, uuid_from_name};
use crate::evidence::policy::{Direction, Treatment};
use crate::io::write::csv_field;
pub use crate::io::write::write_atomic;

/// The OSCAL version of [`oscal_assessment_results`].
pub const OSCAL_VERSION: &str = "1.1.2";

/// The namespace of fairgauge's OSCAL properties.
pub const OSCAL_NS: &str = "https://fairgauge.dev/ns/oscal";

/// The in-toto predicate type of the evidence.
pub const PREDICATE_TYPE: &str = "https://fairgauge.dev/evidence/v1";

/// Days from an assessment to the next review of its risks.
pub const REVIEW_INTERVAL_DAYS: i64 = 90;

/// The columns of [`register_csv`], in order.
pub const REGISTER_COLUMNS: [&str; 22] = [
    "ref_id",
    "name",
    "description",
    "category",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "score",
    "rating",
    "existing_controls",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "status",
    "controls",
    "evidence_link",
    "evidence_sha256",
    "metric",
    "value",
    "threshold",
    "assessed_at",
    "next_review_date",
];

const CATEGORIES: [Category; 4] = [
    Category::Bias,
    Category::DataQuality,
    Category::Drift,
    Category::Provenance,
];

/// Statuses from the worst down, as the Markdown summary counts them.
const STATUSES: [FindingStatus; 5] = [
    FindingStatus::Fail,
    FindingStatus::Error,
    FindingStatus::Warn,
    FindingStatus::InsufficientData,
    FindingStatus::Pass,
];

// ---------------------------------------------------------------------------------------------
// Risk register (CSV)
// ---------------------------------------------------------------------------------------------

/// The risk register as CSV (RFC 4180: a header row, CRLF line ends, fields quoted when they
/// hold a comma, a quote or a line break), one row per risk, columns [`REGISTER_COLUMNS`].
///
/// `existing_controls` lists the controls of the risk's findings that passed (none yet, so it is
/// empty); the residual likelihood and impact equal the inherent ones (no treatment applied yet);
/// `metric`, `value` and `threshold` come from the risk's worst finding (fail before error, warn
/// and insufficient data, then the one furthest past its failure threshold); `assessed_at` is the
/// run's end and `next_review_date` the date [`REVIEW_INTERVAL_DAYS`] later. Lists are joined by
/// `"; "`. A text field that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) is prefixed with `'`.
pub fn register_csv(e: &Evidence, evidence_link: &str, evidence_sha256: &str) -> String {
    let mut out = String::new();
    let header: Vec<String> = REGISTER_COLUMNS.iter().map(|c| csv_field(c)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let assessed = e.run.finished_at.as_str();
    let next_review = review_date(assessed);
    for r in &e.risks {
        let fs = findings_of(e, r);
        let existing = join_unique(
            fs.iter()
                .filter(|f| f.status == FindingStatus::Pass)
                .flat_map(|f| f.controls.iter().map(|c| c.id.as_str())),
            "; ",
        );
        let controls = join_unique(r.controls.iter().map(|c| c.id.as_str()), "; ");
        let (metric, value, threshold) = match worst(&fs) {
            Some(f) => (
                f.metric.clone(),
                value_text(f.value),
                f.threshold.as_ref().map(threshold_text).unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let row = [
            csv_text(&r.id),
            csv_text(&r.title),
            csv_text(&r.description),
            csv_text(r.category.as_str()),
            csv_text(&e.system.owner),
            r.likelihood.to_string(),
            r.impact.to_string(),
            r.score.to_string(),
            csv_text(r.rating.as_str()),
            csv_text(&existing),
            r.likelihood.to_string(),
            r.impact.to_string(),
            csv_text(treatment_str(r.treatment)),
            csv_text(&r.status),
            csv_text(&controls),
            csv_text(evidence_link),
            csv_text(evidence_sha256),
            csv_text(&metric),
            csv_field(&value),
            csv_text(&threshold),
            csv_text(assessed),
            csv_text(&next_review),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A text field, defused against spreadsheet formula injection, then quoted as needed.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        csv_field(&format!("'{s}"))
    } else {
        csv_field(s)
    }
}

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
    let run_id = e.run.id.as_str();
    // Object uuids follow the system and the object, not the run: the same finding keeps its
    // uuid across runs (OSCAL's persistent identifiers), so two runs' documents differ only in
    // the document uuid (the run id) and the times.
    let system_id = e.system.id.as_str();
    let id_of = |kind: &str, id: &str| uuid_from_name(&format!("{system_id}:{kind}:{id}"));
    let collected = utc_timestamp(&e.run.finished_at);
    let system = system_name(e);

    // Back matter: the policy and the datasets.
    let policy_uuid = id_of("resource", "policy");
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
    let mut resources = vec![policy];
    let mut evidence_refs = Vec::new();
    for (i, d) in e.datasets.iter().enumerate() {
        let uuid = id_of("resource", &format!("dataset:{i}:{}", d.role));
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

    // Observations, one per finding.
    let mut observations = Vec::new();
    // Every run is monitoring and measurement (ISO/IEC 42001 9.1); then the findings' controls.
    let mut controls_seen: Vec<String> = vec![control_token(RUN_CONTROL)];
    for f in &e.findings {
        for c in &f.controls {
            let t = control_token(&c.id);
            if !controls_seen.contains(&t) {
                controls_seen.push(t);
            }
        }
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
        for c in &f.controls {
            push_prop(&mut props, "control-id", &control_token(&c.id));
        }
        let mut obs = json!({
            "uuid": id_of("observation", &f.id),
            "title": title(&test_name(f), &f.id),
            "description": markup_or(&f.message, "No message."),
            "methods": ["TEST"],
            "collected": collected,
        });
        set_list(&mut obs, "props", props);
        set_list(&mut obs, "relevant-evidence", evidence_refs.clone());
        observations.push(obs);
    }

    // Findings, one per finding that is not a pass.
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
            "uuid": id_of("finding", &f.id),
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
            "related-observations": [{"observation-uuid": id_of("observation", &f.id)}],
        });
        set_list(&mut finding, "props", props);
        if let Some(r) = f.risk_id.as_deref().filter(|r| risk_ids.contains(r)) {
            set_list(
                &mut finding,
                "related-risks",
                vec![json!({"risk-uuid": id_of("risk", r)})],
            );
        }
        findings.push(finding);
    }

    // Risks.
    let mut risks = Vec::new();
    for r in &e.risks {
        let controls = join_unique(r.controls.iter().map(|c| c.id.as_str()), ", ");
        let mut props = Vec::new();
        push_prop(&mut props, "risk-id", &r.id);
        push_prop(&mut props, "category", r.category.as_str());
        push_prop(&mut props, "likelihood", &r.likelihood.to_string());
        push_prop(&mut props, "impact", &r.impact.to_string());
        push_prop(&mut props, "score", &r.score.to_string());
        push_prop(&mut props, "rating", r.rating.as_str());
        push_prop(&mut props, "treatment", treatment_str(r.treatment));
        for c in &r.controls {
            push_prop(&mut props, "control-id", &control_token(&c.id));
        }
        let status = if RISK_STATUSES.contains(&r.status.as_str()) {
            r.status.as_str()
        } else {
            "open"
        };
        let mut risk = json!({
            "uuid": id_of("risk", &r.id),
            "title": title(&r.title, &r.id),
            "description": markup_or(&r.description, "No description."),
            "statement": markup(&format!(
                "Likelihood {} × impact {} = score {} ({}); suggested treatment: {}; controls: {}.",
                r.likelihood,
                r.impact,
                r.score,
                r.rating.as_str(),
                treatment_str(r.treatment),
                if controls.is_empty() { "none" } else { controls.as_str() },
            )),
            "status": status,
        });
        set_list(&mut risk, "props", props);
        let related: Vec<Value> = findings_of(e, r)
            .iter()
            .map(|f| json!({"observation-uuid": id_of("observation", &f.id)}))
            .collect();
        set_list(&mut risk, "related-observations", related);
        risks.push(risk);
    }

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
        "uuid": id_of("result", "assessment"),
        "title": title(&format!("fairgauge assessment of {system}"), "fairgauge assessment"),
        "description": markup(&description),
        "start": utc_timestamp(&e.run.started_at),
        "end": collected,
        "reviewed-controls": {"control-selections": [selection]},
    });
    set_list(&mut result, "props", result_props);
    set_list(&mut result, "observations", observations);
    set_list(&mut result, "findings", findings);
    set_list(&mut result, "risks", risks);

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

    json!({
        "assessment-results": {
            "uuid": document_uuid(run_id),
            "metadata": metadata,
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

/// The control every run is evidence for: monitoring, measurement, analysis and evaluation.
const RUN_CONTROL: &str = "ISO42001:9.1";

/// OSCAL's risk statuses.
const RISK_STATUSES: [&str; 6] = [
    "open",
    "investigating",
    "remediating",
    "deviation-requested",
    "deviation-approved",
    "closed",
];

/// The document uuid: the run id when it is a version-4 uuid (lower-cased), else one derived
/// from it.
fn document_uuid(run_id: &str) -> String {
    let lower = run_id.to_ascii_lowercase();
    if is_uuid_v4(&lower) {
        lower
    } else {
        uuid_from_name(&format!("{run_id}:document"))
    }
}

/// Whether `s` is a lower-case version-4, variant-1 uuid.
fn is_uuid_v4(s: &str) -> bool {
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
fn push_prop(props: &mut Vec<Value>, name: &str, value: &str) {
    let v = one_line(value);
    if !v.is_empty() {
        props.push(json!({"name": name, "ns": OSCAL_NS, "value": v}));
    }
}

/// Sets `key` to the list unless it is empty (OSCAL lists hold at least one item).
fn set_list(obj: &mut Value, key: &str, items: Vec<Value>) {
    if let (false, Some(map)) = (items.is_empty(), obj.as_object_mut()) {
        map.insert(key.to_string(), Value::Array(items));
    }
}

/// A resource link to a file, with its SHA-256 when that is one.
fn rlink(path: &str, sha256_hex: &str) -> Value {
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
fn uri_reference(path: &str) -> String {
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
fn title(s: &str, fallback: &str) -> String {
    md_escape(&line(s, fallback), " ")
}

/// One line, or the fallback when blank.
fn line(s: &str, fallback: &str) -> String {
    let l = one_line(s);
    if l.is_empty() {
        one_line(fallback)
    } else {
        l
    }
}

/// Free text for OSCAL's Markdown markup: one line, Markdown's special characters escaped.
fn markup(s: &str) -> String {
    md_escape(&one_line(s), " ")
}

fn markup_or(s: &str, fallback: &str) -> String {
    let m = markup(s);
    if m.is_empty() {
        markup(fallback)
    } else {
        m
    }
}

/// Whitespace runs (line breaks included) as one space, control characters dropped, trimmed.
fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if !c.is_control() {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn status_meaning(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Pass => "within thresholds",
        FindingStatus::InsufficientData => "too little data to judge",
        FindingStatus::Warn => "past the warning threshold",
        FindingStatus::Fail => "past the failure threshold",
        FindingStatus::Error => "the check could not run",
    }
}

// ---------------------------------------------------------------------------------------------
// JUnit XML
// ---------------------------------------------------------------------------------------------

/// JUnit XML for CI: `<testsuites name="fairgauge">` with one `<testsuite>` per category (`bias`,
/// `data_quality`, `drift`, `provenance`, empty ones included) and one `<testcase
/// classname="fairgauge.<category>" name="<kind> <subject>">` per finding. A failure is a
/// `<failure>`, an error an `<error>`, too little data a `<skipped>`, a warning a pass with
/// `<system-out>warning: …</system-out>`; the details hold the message, the finding and risk ids,
/// the metric, the thresholds and the controls. Counts (`tests`, `failures`, `errors`,
/// `skipped`) are on every suite and on the root. Text is escaped (`&`, `<`, `>`, `"`, `'`; line
/// breaks and tabs in attributes as character references) and characters XML 1.0 does not allow
/// are removed.
pub fn junit_xml(e: &Evidence) -> String {
    let count = |fs: &[&Finding], s: FindingStatus| fs.iter().filter(|f| f.status == s).count();
    let all: Vec<&Finding> = e.findings.iter().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"fairgauge\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        all.len(),
        count(&all, FindingStatus::Fail),
        count(&all, FindingStatus::Error),
        count(&all, FindingStatus::InsufficientData),
    );
    for cat in CATEGORIES {
        let fs: Vec<&Finding> = all.iter().copied().filter(|f| f.category == cat).collect();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            cat.as_str(),
            fs.len(),
            count(&fs, FindingStatus::Fail),
            count(&fs, FindingStatus::Error),
            count(&fs, FindingStatus::InsufficientData),
        );
        for f in fs {
            let _ = write!(
                out,
                "    <testcase classname=\"fairgauge.{}\" name=\"{}\"",
                cat.as_str(),
                xml_attr(&test_name(f))
            );
            let message = xml_attr(&f.message);
            match f.status {
                FindingStatus::Pass => out.push_str("/>\n"),
                FindingStatus::Fail | FindingStatus::Error => {
                    let tag = if f.status == FindingStatus::Fail {
                        "failure"
                    } else {
                        "error"
                    };
                    let _ = write!(
                        out,
                        ">\n      <{tag} message=\"{message}\" type=\"{}\">{}</{tag}>\n    </testcase>\n",
                        xml_attr(&f.kind),
                        xml_text(&details(f)),
                    );
                }
                FindingStatus::InsufficientData => {
                    let _ = write!(
                        out,
                        ">\n      <skipped message=\"{message}\"/>\n    </testcase>\n"
                    );
                }
                FindingStatus::Warn => {
                    let _ = write!(
                        out,
                        ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                        xml_text(&format!("warning: {}", details(f))),
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// A finding in a few lines of plain text.
fn details(f: &Finding) -> String {
    let mut d = String::new();
    let _ = writeln!(d, "{}", f.message);
    let _ = writeln!(d, "finding: {} ({})", f.id, f.kind);
    let subject = subject_text(&f.subject);
    if !subject.is_empty() {
        let _ = writeln!(d, "subject: {subject}");
    }
    let value = f.value.map(num).unwrap_or_else(|| "n/a".to_string());
    let _ = writeln!(d, "metric: {} = {value}", f.metric);
    if let Some(t) = &f.threshold {
        let _ = writeln!(d, "threshold: {}", threshold_text(t));
    }
    if let Some([lo, hi]) = f.interval {
        let _ = writeln!(d, "interval: [{}, {}]", num(lo), num(hi));
    }
    if let Some(p) = f.p_value {
        let _ = writeln!(d, "p-value: {}", num(p));
    }
    if let Some(r) = &f.risk_id {
        let _ = writeln!(d, "risk: {r}");
    }
    if !f.controls.is_empty() {
        let ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
        let _ = writeln!(d, "controls: {}", ids.join(", "));
    }
    d
}

/// Whether XML 1.0 allows the character (§2.2).
fn xml_allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

fn xml_escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Parsers normalise a raw CR (and, in attributes, LF and tab) away.
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c if xml_allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn xml_attr(s: &str) -> String {
    xml_escape(s, true)
}

fn xml_text(s: &str) -> String {
    xml_escape(s, false)
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/// A Markdown summary (GitHub-flavoured): the system's name as the title, the overall status
/// with counts, the run and the policy, a datasets table with the fingerprints, the counts by
/// status, the risks by score (id, title, rating, score, treatment, controls), then the failing
/// findings (fail and error), the warnings and the findings with too little data, with their
/// messages. Text from the data is backslash-escaped (so `|` cannot split a table cell, nor `<`
/// open HTML) and line breaks in it become `<br>`.
pub fn markdown_summary(e: &Evidence) -> String {
    let mut o = String::new();
    let counts = status_counts(e);
    let _ = writeln!(o, "# fairgauge evidence: {}\n", md_text(system_name(e)));
    let overall = e.summary.overall.as_str().to_uppercase();
    let _ = writeln!(
        o,
        "**Overall: {overall}** — {} findings: {} fail, {} error, {} warn, {} insufficient data, {} pass.\n",
        e.findings.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        counts[4],
    );
    let _ = writeln!(
        o,
        "- **System:** {} ({})",
        md_text(system_name(e)),
        md_code_or_text(&e.system.id)
    );
    if !e.system.owner.trim().is_empty() {
        let _ = writeln!(o, "- **Owner:** {}", md_text(&e.system.owner));
    }
    if !e.system.intended_use.trim().is_empty() {
        let _ = writeln!(o, "- **Intended use:** {}", md_text(&e.system.intended_use));
    }
    let _ = writeln!(
        o,
        "- **Run:** {} by {} {}, {} to {}",
        md_code_or_text(&e.run.id),
        md_text(&e.run.tool),
        md_text(&e.run.tool_version),
        md_text(&e.run.started_at),
        md_text(&e.run.finished_at),
    );
    let policy = match &e.run.policy_path {
        Some(p) => md_text(&p.display().to_string()),
        None => "built-in".to_string(),
    };
    let _ = writeln!(
        o,
        "- **Policy:** {policy}, {}\n",
        md_code_or_text(&e.run.policy_sha256)
    );

    o.push_str("## Datasets\n\n");
    let rows: Vec<Vec<String>> = e
        .datasets
        .iter()
        .map(|d| {
            vec![
                md_text(&d.role),
                md_text(&d.path.display().to_string()),
                md_text(&d.format),
                d.rows.to_string(),
                d.columns.to_string(),
                md_code_or_text(d.file_sha256.as_deref().unwrap_or("in memory")),
                md_code_or_text(&d.content_fingerprint),
                md_code_or_text(&d.schema_fingerprint),
            ]
        })
        .collect();
    md_table(
        &mut o,
        &[
            ("role", false),
            ("file", false),
            ("format", false),
            ("rows", true),
            ("columns", true),
            ("file sha256", false),
            ("content fingerprint", false),
            ("schema fingerprint", false),
        ],
        &rows,
        "No dataset was read.",
    );

    o.push_str("## Findings by status\n\n");
    let mut rows: Vec<Vec<String>> = STATUSES
        .iter()
        .zip(counts)
        .map(|(s, n)| vec![s.as_str().to_string(), n.to_string()])
        .collect();
    rows.push(vec!["total".into(), e.findings.len().to_string()]);
    md_table(&mut o, &[("status", false), ("count", true)], &rows, "");

    o.push_str("## Risks\n\n");
    let mut risks: Vec<&Risk> = e.risks.iter().collect();
    risks.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let rows: Vec<Vec<String>> = risks
        .iter()
        .map(|r| {
            let controls: Vec<String> = r.controls.iter().map(|c| md_text(&c.id)).collect();
            vec![
                md_code_or_text(&r.id),
                md_text(&r.title),
                r.rating.as_str().to_string(),
                r.score.to_string(),
                treatment_str(r.treatment).to_string(),
                controls.join(", "),
            ]
        })
        .collect();
    md_table(
        &mut o,
        &[
            ("id", false),
            ("title", false),
            ("rating", false),
            ("score", true),
            ("treatment", false),
            ("controls", false),
        ],
        &rows,
        "No risk.",
    );

    for (title, statuses) in [
        (
            "Failing findings",
            &[FindingStatus::Fail, FindingStatus::Error][..],
        ),
        ("Warnings", &[FindingStatus::Warn][..]),
        ("Too little data", &[FindingStatus::InsufficientData][..]),
    ] {
        let _ = writeln!(o, "## {title}\n");
        let mut any = false;
        for f in e.findings.iter().filter(|f| statuses.contains(&f.status)) {
            any = true;
            let subject = subject_text(&f.subject);
            let _ = write!(
                o,
                "- **{}** {} {}",
                md_text(f.status.as_str()),
                md_code_or_text(&f.id),
                md_text(&f.kind)
            );
            if !subject.is_empty() {
                let _ = write!(o, " ({})", md_text(&subject));
            }
            let _ = write!(o, ": {}", md_text(&f.message));
            let mut facts = Vec::new();
            if let Some(v) = f.value {
                facts.push(format!("{} = {}", md_text(&f.metric), num(v)));
            }
            if let Some(t) = &f.threshold {
                facts.push(md_text(&threshold_text(t)));
            }
            if let Some(r) = &f.risk_id {
                facts.push(format!("risk {}", md_code_or_text(r)));
            }
            if !facts.is_empty() {
                let _ = write!(o, " ({})", facts.join("; "));
            }
            o.push('\n');
        }
        o.push_str(if any { "\n" } else { "None.\n\n" });
    }
    o
}

/// A GFM table (columns: header, right-aligned); `empty` (a paragraph) when there are no rows.
fn md_table(o: &mut String, columns: &[(&str, bool)], rows: &[Vec<String>], empty: &str) {
    if rows.is_empty() && !empty.is_empty() {
        let _ = writeln!(o, "{empty}\n");
        return;
    }
    let header: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let align: Vec<&str> = columns
        .iter()
        .map(|c| if c.1 { "---:" } else { "---" })
        .collect();
    let _ = writeln!(o, "| {} |", header.join(" | "));
    let _ = writeln!(o, "|{}|", align.join("|"));
    for r in rows {
        let _ = writeln!(o, "| {} |", r.join(" | "));
    }
    o.push('\n');
}

/// Text from the data for Markdown: line breaks as `<br>`.
fn md_text(s: &str) -> String {
    md_escape(s, "<br>")
}

/// Backslash-escapes the ASCII punctuation Markdown (GFM) gives a meaning inline, writes line
/// breaks as `newline` and other control characters as spaces.
fn md_escape(s: &str, newline: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(newline);
            }
            '\n' => out.push_str(newline),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '#' | '~' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span for ids and digests (letters, digits and `:._-/+=`), escaped text otherwise.
fn md_code_or_text(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b":._-/+=".contains(&b));
    if plain {
        format!("`{s}`")
    } else {
        md_text(s)
    }
}

// ---------------------------------------------------------------------------------------------
// in-toto
// ---------------------------------------------------------------------------------------------

/// An in-toto Statement v1 about the datasets: each is a subject named `<role>:<file name>`
/// with the SHA-256 of its bytes (hex, without `sha256:`), or for an in-memory table its
/// content fingerprint under the custom algorithm name `fairgauge-content-v1`; the predicate (type
/// [`PREDICATE_TYPE`]) is the evidence document itself. Sign it with a DSSE envelope
/// (`payloadType: application/vnd.in-toto+json`).
pub fn in_toto_statement(e: &Evidence) -> Value {
    let subject: Vec<Value> = e
        .datasets
        .iter()
        .map(|d| {
            json!({
                "name": format!("{}:{}", d.role, file_name(&d.path)),
                "digest": match &d.file_sha256 {
                    Some(sha) => json!({"sha256": strip_sha256(sha).to_ascii_lowercase()}),
                    // An in-memory table has no bytes: its content fingerprint names it.
                    None => json!({
                        "fairgauge-content-v1":
                            strip_sha256(&d.content_fingerprint).to_ascii_lowercase()
                    }),
                },
            })
        })
        .collect();
    let predicate = serde_json::to_value(e).unwrap_or_else(
        |err| json!({"error": format!("the evidence cannot be written as JSON: {err}")}),
    );
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    })
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

fn system_name(e: &Evidence) -> &str {
    if e.system.name.trim().is_empty() {
        &e.system.id
    } else {
        &e.system.name
    }
}

fn treatment_str(t: Treatment) -> &'static str {
    match t {
        Treatment::Mitigate => "mitigate",
        Treatment::Accept => "accept",
        Treatment::Avoid => "avoid",
        Treatment::Transfer => "transfer",
    }
}

fn direction_str(d: Direction) -> &'static str {
    match d {
        Direction::Above => "above",
        Direction::Below => "below",
    }
}

/// The subject in words: `sex=Female vs Male`, `age`, `age by sex=Female`.
fn subject_text(s: &Subject) -> String {
    let mut out = s.column.clone().unwrap_or_default();
    let who = match (&s.attribute, &s.group) {
        (Some(a), Some(g)) => format!("{a}={g}"),
        (Some(a), None) => a.clone(),
        (None, Some(g)) => g.clone(),
        (None, None) => String::new(),
    };
    if !who.is_empty() {
        if !out.is_empty() {
            out.push_str(" by ");
        }
        out.push_str(&who);
    }
    if let Some(r) = &s.reference_group {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("vs ");
        out.push_str(r);
    }
    out
}

/// `<kind> <subject>`.
fn test_name(f: &Finding) -> String {
    let subject = subject_text(&f.subject);
    if subject.is_empty() {
        f.kind.clone()
    } else {
        format!("{} {subject}", f.kind)
    }
}

/// A number as Rust writes it (the shortest text that reads back the same).
fn num(v: f64) -> String {
    v.to_string()
}

fn value_text(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// `fail below 0.8; warn below 0.9`.
fn threshold_text(t: &JudgedThreshold) -> String {
    let d = direction_str(t.direction);
    format!("fail {d} {}; warn {d} {}", num(t.fail), num(t.warn))
}

/// `sha256:abc…` → `abc…`.
fn strip_sha256(s: &str) -> &str {
    s.strip_prefix("sha256:").unwrap_or(s)
}

fn file_name(p: &std::path::Path) -> String {
    match p.file_name() {
        Some(n) => n.to_string_lossy().into_owned(),
        None => p.display().to_string(),
    }
}

/// Counts of findings in the order of [`STATUSES`].
fn status_counts(e: &Evidence) -> [usize; 5] {
    STATUSES.map(|s| e.findings.iter().filter(|f| f.status == s).count())
}

/// The findings behind a risk (listed by it or pointing at it), in evidence order.
fn findings_of<'a>(e: &'a Evidence, r: &Risk) -> Vec<&'a Finding> {
    e.findings
        .iter()
        .filter(|f| r.findings.contains(&f.id) || f.risk_id.as_deref() == Some(r.id.as_str()))
        .collect()
}

/// How bad a status is for the register: a measured failure before an error (which has no
/// value), then warn, too little data, pass.
fn rank(s: FindingStatus) -> u8 {
    match s {
        FindingStatus::Fail => 4,
        FindingStatus::Error => 3,
        FindingStatus::Warn => 2,
        FindingStatus::InsufficientData => 1,
        FindingStatus::Pass => 0,
    }
}

/// How far past its failure threshold a value is (larger is worse).
fn excess(f: &Finding) -> f64 {
    let x = match (f.value, &f.threshold) {
        (Some(v), Some(t)) => match t.direction {
            Direction::Above => v - t.fail,
            Direction::Below => t.fail - v,
        },
        _ => f64::NEG_INFINITY,
    };
    if x.is_nan() {
        f64::NEG_INFINITY
    } else {
        x
    }
}

/// The worst finding: highest [`rank`], then largest [`excess`], then first.
fn worst<'a>(fs: &[&'a Finding]) -> Option<&'a Finding> {
    let mut best: Option<&'a Finding> = None;
    for &f in fs {
        best = match best {
            Some(b) if (rank(b.status), excess(b)) >= (rank(f.status), excess(f)) => Some(b),
            _ => Some(f),
        };
    }
    best
}

/// Distinct items joined, in first-seen order.
fn join_unique<'a>(items: impl Iterator<Item = &'a str>, sep: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for i in items {
        if !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.join(sep)
}

// ---------------------------------------------------------------------------------------------
// Dates (no date crate: H. Hinnant's days-from-civil, and `evidence::rfc3339` back)
// ---------------------------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn two_digits(b: &[u8], at: usize) -> Option<i64> {
    match (b.get(at), b.get(at + 1)) {
        (Some(x @ b'0'..=b'9'), Some(y @ b'0'..=b'9')) => {
            Some(i64::from(x - b'0') * 10 + i64::from(y - b'0'))
        }
        _ => None,
    }
}

/// The `YYYY-MM-DD` a timestamp starts with, checked.
fn parse_date(s: &str) -> Option<(i64, i64, i64)> {
    let b = s.as_bytes();
    let y = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let m = two_digits(b, 5)?;
    let d = two_digits(b, 8)?;
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return None,
    };
    (1..=month_days).contains(&d).then_some((y, m, d))
}

/// An RFC 3339 timestamp as seconds since the epoch (UTC) and its fraction digits.
fn parse_rfc3339(s: &str) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    let (y, mo, d) = parse_date(s)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (h, mi, sec) = (two_digits(b, 11)?, two_digits(b, 14)?, two_digits(b, 17)?);
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let mut rest = s.get(19..)?;
    let mut frac = "";
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        frac = &r[..n];
        rest = &r[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            let sign = match o.first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            if o.len() != 6 || o[3] != b':' {
                return None;
            }
            let (oh, om) = (two_digits(o, 1)?, two_digits(o, 4)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset;
    Some((secs, frac))
}

/// A timestamp in UTC (`…Z`, its fraction kept); text that is not RFC 3339 is returned as it is.
fn utc_timestamp(s: &str) -> String {
    match parse_rfc3339(s) {
        Some((secs, frac)) => {
            let t = rfc3339(secs);
            if frac.is_empty() {
                t
            } else {
                format!("{}.{frac}Z", t.trim_end_matches('Z'))
            }
        }
        None => s.to_string(),
    }
}

/// The date [`REVIEW_INTERVAL_DAYS`] after the date a timestamp starts with (empty when it does
/// not start with one).
fn review_date(assessed_at: &str) -> String {
    match parse_date(assessed_at) {
        Some((y, m, d)) => {
            let days = days_from_civil(y, m, d) + REVIEW_INTERVAL_DAYS;
            let t = rfc3339(days * 86_400);
            t.split('T').next().unwrap_or_default().to_string()
        }
        None => String::new(),
    }
}

/// Where [`write_all`] writes the evidence and its exports (each optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputPaths {
    /// The evidence document (JSON).
    pub evidence: Option<std::path::PathBuf>,
    /// Risk-register CSV.
    pub register: Option<std::path::PathBuf>,
    /// OSCAL assessment results.
    pub oscal: Option<std::path::PathBuf>,
    /// JUnit XML.
    pub junit: Option<std::path::PathBuf>,
    /// Markdown summary.
    pub markdown: Option<std::path::PathBuf>,
    /// in-toto statement.
    pub attestation: Option<std::path::PathBuf>,
    /// Ledger to append a record to.
    pub ledger: Option<std::path::PathBuf>,
    /// Ed25519 key to sign the ledger record with.
    pub sign_key: Option<std::path::PathBuf>,
    /// HTML report.
    pub html: Option<std::path::PathBuf>,
}

/// The evidence as pretty JSON with a final newline (the bytes its digest is taken over).
pub fn evidence_json(e: &Evidence) -> String {
    let mut s = serde_json::to_string_pretty(e).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes the evidence and every export asked for; the ledger record is appended before the
/// HTML report is written, which shows its position. Returns the ledger record, if any.
pub fn write_all(
    e: &Evidence,
    out: &OutputPaths,
) -> crate::error::Result<Option<crate::evidence::ledger::LedgerRecord>> {
    let json = evidence_json(e);
    let digest = fairgauge_core::fingerprint::sha256_reader(json.as_bytes()).map_err(|err| {
        crate::error::Error::InvalidOption(format!("cannot hash the evidence: {err}"))
    })?;
    let pretty = |v: &Value| {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
        s.push('\n');
        s
    };
    if let Some(p) = &out.evidence {
        write_atomic(p, &json)?;
    }
    let link = out
        .evidence
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    if let Some(p) = &out.register {
        write_atomic(p, &register_csv(e, &link, &digest))?;
    }
    if let Some(p) = &out.oscal {
        write_atomic(p, &pretty(&oscal_assessment_results(e)))?;
    }
    if let Some(p) = &out.junit {
        write_atomic(p, &junit_xml(e))?;
    }
    if let Some(p) = &out.markdown {
        write_atomic(p, &markdown_summary(e))?;
    }
    if let Some(p) = &out.attestation {
        write_atomic(p, &pretty(&in_toto_statement(e)))?;
    }
    let mut record = None;
    if let Some(p) = &out.ledger {
        record = Some(crate::evidence::ledger::append(
            p,
            &crate::evidence::ledger::NewEntry {
                run_id: e.run.id.clone(),
                system_id: e.system.id.clone(),
                evidence_sha256: digest.clone(),
                timestamp: e.run.finished_at.clone(),
            },
            out.sign_key.as_deref(),
        )?);
    }
    if let Some(p) = &out.html {
        let position = record
            .as_ref()
            .map(|r| crate::evidence::html::LedgerPosition {
                path: out
                    .ledger
                    .as_ref()
                    .map(|l| l.display().to_string())
                    .unwrap_or_default(),
                seq: r.seq,
                record_sha256: r.record_sha256.clone(),
            });
        write_atomic(p, &crate::evidence::html::render_html(e, position.as_ref()))?;
    }
    Ok(record)
}
