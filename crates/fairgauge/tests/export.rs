//! The exports of an evidence document whose text is hostile (`<script>`, quotes, `&`, `|`,
//! line breaks, commas, formulas, characters XML forbids): the CSV reads back field for field,
//! the JUnit XML is well-formed and escaped, the Markdown tables keep their columns, the in-toto
//! subjects carry the digests, and the OSCAL document keeps to NIST's datatypes (uuids, tokens,
//! date-times, non-empty lists) and is deterministic.
//!
//! `cargo test --release -p fairgauge --test export -- --ignored` writes the exports of the
//! samples, for the pytest check against NIST's models (`tests/test_exports.py`,
//! compliance-trestle).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fairgauge::evidence::{
    stable_id, Category, ControlRef, Dataset, Evidence, Finding, FindingStatus, JudgedThreshold,
    Rating, Risk, Run, Subject, Summary,
};
use fairgauge::export::{
    control_token, in_toto_statement, junit_xml, markdown_summary, oscal_assessment_results,
    register_csv, REGISTER_COLUMNS,
};
use fairgauge::policy::{Direction, Roles, System, Treatment};
use regex::Regex;
use serde_json::Value;

/// Run ids, as the runs make them (random version-4 UUIDs), fixed for the tests.
const RUN_1: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const RUN_2: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

const HOSTILE: &str = "<script>alert(\"x\" & 'y')</script>, a|b\r\nline two, =cmd|' /C calc'!A0";

fn control(id: &str) -> ControlRef {
    let c = fairgauge::controls::lookup(id).expect("a known control");
    ControlRef {
        id: c.id.into(),
        framework: c.framework.into(),
        reference: c.reference.into(),
        title: c.title.into(),
    }
}

fn controls_of(kind: &str) -> Vec<ControlRef> {
    fairgauge::controls::builtin(kind)
        .iter()
        .map(|id| control(id))
        .collect()
}

fn threshold(warn: f64, fail: f64, direction: Direction) -> Option<JudgedThreshold> {
    Some(JudgedThreshold {
        warn,
        fail,
        direction,
    })
}

fn group(attribute: &str, group: &str, reference: &str) -> Subject {
    Subject {
        attribute: Some(attribute.into()),
        group: Some(group.into()),
        reference_group: Some(reference.into()),
        ..Default::default()
    }
}

fn column(name: &str) -> Subject {
    Subject {
        column: Some(name.into()),
        ..Default::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    kind: &str,
    category: Category,
    status: FindingStatus,
    value: Option<f64>,
    threshold: Option<JudgedThreshold>,
    subject: Subject,
    message: &str,
    risk: Option<&str>,
) -> Finding {
    let key = serde_json::to_string(&subject).unwrap();
    Finding {
        id: stable_id("F-", &[kind, &key]),
        kind: kind.into(),
        category,
        status,
        metric: kind.rsplit('.').next().unwrap().into(),
        value,
        interval: None,
        p_value: None,
        threshold,
        subject,
        message: message.into(),
        controls: controls_of(kind),
        risk_id: risk.map(str::to_string),
        estimated: None,
    }
}

fn risk_id(key: &str) -> String {
    stable_id("R-", &["credit-scoring", key])
}

fn hex_of(s: &str) -> String {
    use sha2::{Digest, Sha256};
    fairgauge_core::fingerprint::hex(&Sha256::digest(s.as_bytes()))
}

/// An evidence document with findings of every status and hostile text everywhere it can be.
fn sample() -> Evidence {
    let r1 = risk_id("bias");
    let r2 = risk_id("quality");
    use Category::*;
    use FindingStatus::*;
    let mut f1 = finding(
        "fairness.selection_rate_ratio",
        Bias,
        Fail,
        Some(0.61),
        threshold(0.9, 0.8, Direction::Below),
        group("sex", "Female<script>", "Male"),
        HOSTILE,
        Some(&r1),
    );
    f1.interval = Some([0.55, 0.67]);
    f1.p_value = Some(1.5e-9);
    let f9 = finding(
        "fairness.selection_rate_ratio",
        Bias,
        Fail,
        Some(0.75),
        threshold(0.9, 0.8, Direction::Below),
        group("race", "Black", "White"),
        "selection rate ratio 0.75, below 0.8",
        Some(&r1),
    );
    let f2 = finding(
        "fairness.demographic_parity_difference",
        Bias,
        Warn,
        Some(0.12),
        threshold(0.1, 0.2, Direction::Above),
        group("race", "Asian-Pac-Islander", "White"),
        "difference of 0.12 | \"quoted\" & <b>bold</b>",
        Some(&r1),
    );
    let f3 = finding(
        "fairness.insufficient_data",
        Bias,
        InsufficientData,
        None,
        None,
        group("race", "Amer-Indian-Eskimo", "White"),
        "only 3 rows, fewer than 30",
        None,
    );
    let f4 = finding(
        "quality.missing",
        DataQuality,
        Fail,
        Some(0.4),
        threshold(0.05, 0.2, Direction::Above),
        column("a,b \"c\"\nd|e"),
        "40% missing in \"a,b\"\nsecond line",
        Some(&r2),
    );
    let f5 = finding(
        "quality.duplicates",
        DataQuality,
        Pass,
        Some(0.0),
        threshold(0.01, 0.05, Direction::Above),
        Subject::default(),
        "no duplicate rows",
        None,
    );
    let f6 = finding(
        "drift.psi",
        Drift,
        Error,
        None,
        None,
        column("age"),
        "reference unreadable: <EOF> & more\u{1}\u{FFFE}\u{1F600}",
        Some(&r2),
    );
    let f7 = finding(
        "provenance.fingerprints",
        Provenance,
        Pass,
        None,
        None,
        Subject::default(),
        "fingerprints recorded",
        None,
    );
    let findings = vec![f9, f1, f2, f3, f4, f5, f6, f7];
    let union = |ids: &[&Finding]| {
        let mut out: Vec<ControlRef> = Vec::new();
        for f in ids {
            for c in &f.controls {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
        out
    };
    let risk1 = Risk {
        id: r1.clone(),
        title: "Selection-rate disparity for sex=Female<script>".into(),
        description: format!("Groups are selected at unequal rates.\n{HOSTILE}"),
        category: Bias,
        likelihood: 4,
        impact: 4,
        score: 16,
        rating: Rating::High,
        treatment: Treatment::Mitigate,
        status: "open".into(),
        findings: vec![
            findings[0].id.clone(),
            findings[1].id.clone(),
            findings[2].id.clone(),
        ],
        controls: union(&[&findings[0], &findings[1], &findings[2]]),
        life: None,
    };
    let risk2 = Risk {
        id: r2.clone(),
        title: "=HYPERLINK(\"http://x\",\"missing data\")".into(),
        description: "Missing values, errors, | pipes".into(),
        category: DataQuality,
        likelihood: 5,
        impact: 5,
        score: 25,
        rating: Rating::Critical,
        treatment: Treatment::Avoid,
        status: "open".into(),
        findings: vec![findings[4].id.clone(), findings[6].id.clone()],
        controls: union(&[&findings[4], &findings[6]]),
        life: None,
    };
    let mut counts = BTreeMap::new();
    for f in &findings {
        *counts.entry(f.status.as_str().to_string()).or_insert(0) += 1;
    }
    Evidence {
        schema_version: fairgauge::evidence::SCHEMA_VERSION.into(),
        run: Run {
            id: RUN_1.into(),
            started_at: "2026-11-28T21:38:02Z".into(),
            finished_at: "2026-11-28T21:39:14Z".into(),
            tool: "fairgauge".into(),
            tool_version: "0.1.0".into(),
            command_line: vec!["fairgauge".into(), "assess".into()],
            policy_sha256: format!("sha256:{}", hex_of("policy")),
            policy_path: Some(PathBuf::from("policies/credit policy.toml")),
            engine: None,
            ledger: None,
        },
        system: System {
            id: "credit-scoring".into(),
            name: "Credit <scoring> | v2".into(),
            owner: "Risk Office, EMEA".into(),
            intended_use: "Ranking loan applications\nfor review".into(),
        },
        roles: Roles::default(),
        datasets: vec![
            Dataset {
                role: "current".into(),
                path: PathBuf::from("data/adult test.csv"),
                format: "csv".into(),
                rows: 16_281,
                columns: 15,
                file_sha256: Some(format!("sha256:{}", hex_of("current"))),
                content_fingerprint: format!("sha256:{}", hex_of("content")),
                schema_fingerprint: format!("sha256:{}", hex_of("schema")),
            },
            Dataset {
                role: "reference".into(),
                path: PathBuf::from("/srv/ref/adult.data"),
                format: "csv".into(),
                rows: 32_561,
                columns: 15,
                file_sha256: Some(format!("sha256:{}", hex_of("reference"))),
                content_fingerprint: format!("sha256:{}", hex_of("content2")),
                schema_fingerprint: format!("sha256:{}", hex_of("schema")),
            },
        ],
        findings,
        // Deliberately not sorted by score: the Markdown summary sorts.
        risks: vec![risk1, risk2],
        summary: Summary {
            findings: counts,
            risks: BTreeMap::from([("critical".into(), 1), ("high".into(), 1)]),
            overall: FindingStatus::Fail,
            passed: false,
        },
        resolved_risks: vec![],
        results: BTreeMap::new(),
    }
}

/// An evidence document with nothing in it.
fn empty() -> Evidence {
    let mut e = sample();
    e.findings.clear();
    e.risks.clear();
    e.datasets.clear();
    e.run.policy_path = None;
    e.summary.findings.clear();
    e.summary.risks.clear();
    e.summary.overall = FindingStatus::Pass;
    e.summary.passed = true;
    e
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// A strict RFC 4180 reader: records end with CRLF; a quoted field doubles its quotes and may
/// hold commas and line breaks; a bare CR or LF outside quotes is an error.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                    let next = chars.peek().copied();
                    assert!(
                        matches!(next, None | Some(',') | Some('\r')),
                        "text after a closing quote: {next:?}"
                    );
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                assert!(at_start, "a quote inside an unquoted field");
                quoted = true;
                at_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_start = true;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "a bare CR");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_start = true;
            }
            '\n' => panic!("a bare LF outside quotes"),
            c => {
                field.push(c);
                at_start = false;
            }
        }
    }
    assert!(!quoted, "an unterminated quote");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record does not end with CRLF"
    );
    records
}

#[test]
fn register_csv_reads_back_with_its_columns_and_escaping() {
    let e = sample();
    let link = "https://example.org/evidence, \"run 1\".json";
    let sha = format!("sha256:{}", hex_of("evidence"));
    let text = register_csv(&e, link, &sha);
    let rows = parse_csv(&text);
    assert_eq!(rows[0], REGISTER_COLUMNS);
    assert_eq!(
        rows[0].join(","),
        "ref_id,name,description,category,owner,inherent_likelihood,inherent_impact,score,rating,\
         existing_controls,residual_likelihood,residual_impact,treatment,status,controls,\
         evidence_link,evidence_sha256,metric,value,threshold,assessed_at,next_review_date,\
         ledger_head,life_status,first_seen,last_seen,runs_seen,decision,decided_by,decided_at,\
         decision_reason,review_date,decision_in_force,estimated"
    );
    assert_eq!(rows.len(), 1 + e.risks.len());
    let col = |name: &str| REGISTER_COLUMNS.iter().position(|c| *c == name).unwrap();
    for (row, risk) in rows[1..].iter().zip(&e.risks) {
        assert_eq!(row.len(), REGISTER_COLUMNS.len());
        assert_eq!(row[col("ref_id")], risk.id);
        assert_eq!(row[col("category")], risk.category.as_str());
        assert_eq!(row[col("owner")], "Risk Office, EMEA");
        assert_eq!(row[col("inherent_likelihood")], risk.likelihood.to_string());
        assert_eq!(row[col("inherent_impact")], risk.impact.to_string());
        assert_eq!(row[col("residual_likelihood")], risk.likelihood.to_string());
        assert_eq!(row[col("residual_impact")], risk.impact.to_string());
        assert_eq!(row[col("score")], risk.score.to_string());
        assert_eq!(row[col("rating")], risk.rating.as_str());
        assert_eq!(row[col("existing_controls")], "", "no passing finding yet");
        assert_eq!(row[col("status")], "open");
        let ids: Vec<&str> = risk.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(row[col("controls")], ids.join("; "));
        assert_eq!(row[col("evidence_link")], link);
        assert_eq!(row[col("evidence_sha256")], sha);
        assert_eq!(row[col("assessed_at")], "2026-11-28T21:39:14Z");
        assert_eq!(row[col("next_review_date")], "2027-02-26");
        // Without a history the life and decision columns are empty.
        assert!(row[col("life_status")..].iter().all(String::is_empty));
    }
    let (bias, quality) = (&rows[1], &rows[2]);
    // Commas, quotes and line breaks survive quoting.
    assert_eq!(bias[col("name")], e.risks[0].title);
    assert_eq!(bias[col("description")], e.risks[0].description);
    assert_eq!(bias[col("treatment")], "mitigate");
    // The worst finding of the bias risk is the lowest ratio, not the first listed.
    assert_eq!(bias[col("metric")], "selection_rate_ratio");
    assert_eq!(bias[col("value")], "0.61");
    assert_eq!(bias[col("threshold")], "fail below 0.8; warn below 0.9");
    // A measured failure outranks an error; a formula is defused.
    assert_eq!(quality[col("metric")], "missing");
    assert_eq!(quality[col("value")], "0.4");
    assert_eq!(quality[col("threshold")], "fail above 0.2; warn above 0.05");
    assert_eq!(quality[col("name")], format!("'{}", e.risks[1].title));
    assert_eq!(quality[col("treatment")], "avoid");

    // Review dates cross a leap day; an unreadable timestamp leaves the date empty.
    let mut e2 = sample();
    e2.run.finished_at = "2027-12-01T08:00:00Z".into();
    let rows = parse_csv(&register_csv(&e2, "", ""));
    assert_eq!(rows[1][col("next_review_date")], "2028-02-29");
    e2.run.finished_at = "yesterday".into();
    let rows = parse_csv(&register_csv(&e2, "", ""));
    assert_eq!(rows[1][col("next_review_date")], "");

    // Review dates over five centuries agree with the civil-from-days of `evidence::rfc3339`.
    for day in (-25_000_i64..=60_000).step_by(37) {
        e2.run.finished_at = fairgauge::evidence::rfc3339(day * 86_400 + 3_600);
        let rows = parse_csv(&register_csv(&e2, "", ""));
        let expected = fairgauge::evidence::rfc3339((day + 90) * 86_400);
        assert_eq!(rows[1][col("next_review_date")], expected[..10], "{day}");
    }
    for (at, next) in [
        ("2100-02-28T00:00:00Z", "2100-05-29"),
        ("2000-02-29T23:59:59+05:00", "2000-05-29"),
        ("2026-02-30T00:00:00Z", ""),
        ("2026-13-01T00:00:00Z", ""),
    ] {
        e2.run.finished_at = at.into();
        let rows = parse_csv(&register_csv(&e2, "", ""));
        assert_eq!(rows[1][col("next_review_date")], next, "{at}");
    }

    // No risk: the header alone.
    assert_eq!(parse_csv(&register_csv(&empty(), "", "")).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// JUnit XML
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        if self.name == name {
            out.push(self);
        }
        for c in &self.children {
            c.all(name, out);
        }
    }

    fn find(&self, name: &str) -> Vec<&Element> {
        let mut out = Vec::new();
        self.all(name, &mut out);
        out
    }

    fn attr(&self, name: &str) -> &str {
        self.attrs
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", self.name))
    }
}

/// A minimal, strict XML 1.0 reader for what the export writes: the declaration, elements,
/// quoted attributes, text and the five entities plus character references. Panics on anything
/// malformed.
struct Xml<'a> {
    s: &'a str,
    i: usize,
}

impl Xml<'_> {
    fn parse(s: &str) -> Element {
        for c in s.chars() {
            assert!(
                matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}'),
                "a character XML 1.0 forbids: {c:?}"
            );
        }
        let rest = s
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            .expect("the XML declaration");
        let mut p = Xml { s: rest, i: 0 };
        p.skip_ws();
        let root = p.element();
        p.skip_ws();
        assert_eq!(p.i, p.s.len(), "content after the root element");
        root
    }

    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn skip_ws(&mut self) {
        let n = self.rest().len()
            - self
                .rest()
                .trim_start_matches([' ', '\t', '\r', '\n'])
                .len();
        self.i += n;
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.rest().starts_with(t) {
            self.i += t.len();
            true
        } else {
            false
        }
    }

    fn name(&mut self) -> String {
        let n = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-')))
            .unwrap_or(self.rest().len());
        let name = self.rest()[..n].to_string();
        assert!(
            name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'),
            "a bad name at {:?}",
            &self.rest()[..self.rest().len().min(40)]
        );
        self.i += n;
        name
    }

    fn element(&mut self) -> Element {
        assert!(self.eat("<"), "expected an element");
        let name = self.name();
        let mut attrs = BTreeMap::new();
        loop {
            let before = self.i;
            self.skip_ws();
            if self.eat("/>") {
                return Element {
                    name,
                    attrs,
                    children: vec![],
                    text: String::new(),
                };
            }
            if self.eat(">") {
                break;
            }
            assert!(self.i > before, "attributes need space between them");
            let key = self.name();
            self.skip_ws();
            assert!(self.eat("="), "expected = after {key}");
            self.skip_ws();
            let q = self.rest().chars().next().expect("a quote");
            assert!(q == '"' || q == '\'', "an unquoted attribute {key}");
            self.i += 1;
            let end = self.rest().find(q).expect("a closing quote");
            let raw = &self.rest()[..end];
            assert!(!raw.contains('<'), "< in attribute {key}");
            let value = decode(raw);
            self.i += end + 1;
            assert!(attrs.insert(key, value).is_none(), "a duplicate attribute");
        }
        let mut children = Vec::new();
        let mut text = String::new();
        loop {
            if self.eat("</") {
                let end = self.name();
                assert_eq!(end, name, "mismatched end tag");
                self.skip_ws();
                assert!(self.eat(">"));
                break;
            }
            if self.rest().starts_with('<') {
                children.push(self.element());
            } else {
                let end = self.rest().find('<').expect("an unclosed element");
                let raw = &self.rest()[..end];
                assert!(!raw.contains('>'), "an unescaped > in text");
                text.push_str(&decode(raw));
                self.i += end;
            }
        }
        Element {
            name,
            attrs,
            children,
            text,
        }
    }
}

fn decode(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').expect("an unterminated entity") + i;
        let entity = &rest[i + 1..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(h) = entity.strip_prefix("#x") {
                    u32::from_str_radix(h, 16).unwrap()
                } else if let Some(d) = entity.strip_prefix('#') {
                    d.parse().unwrap()
                } else {
                    panic!("an unknown entity &{entity};")
                };
                char::from_u32(code).unwrap()
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    // A parser normalises raw line ends: only character references keep a CR.
    out
}

/// What XML keeps of a string: the characters XML 1.0 allows.
fn xml_kept(s: &str) -> String {
    s.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}'))
        .collect()
}

#[test]
fn junit_is_well_formed_counts_and_escapes() {
    let e = sample();
    let xml = junit_xml(&e);
    assert!(!xml.contains("<script"), "raw markup from the data");
    assert!(!xml.contains('\u{1}') && !xml.contains('\u{FFFE}'));
    let root = Xml::parse(&xml);
    assert_eq!(root.name, "testsuites");
    assert_eq!(root.attr("name"), "fairgauge");
    assert_eq!(root.attr("tests"), "8");
    assert_eq!(root.attr("failures"), "3");
    assert_eq!(root.attr("errors"), "1");
    assert_eq!(root.attr("skipped"), "1");
    let suites: Vec<&str> = root.children.iter().map(|s| s.attr("name")).collect();
    assert_eq!(suites, ["bias", "data_quality", "drift", "provenance"]);
    for suite in &root.children {
        assert_eq!(suite.name, "testsuite");
        let cases = &suite.children;
        assert_eq!(suite.attr("tests"), cases.len().to_string());
        for (attr, child) in [
            ("failures", "failure"),
            ("errors", "error"),
            ("skipped", "skipped"),
        ] {
            assert_eq!(
                suite.attr(attr),
                suite.find(child).len().to_string(),
                "{attr}"
            );
        }
        for c in cases {
            assert_eq!(c.name, "testcase");
            assert_eq!(
                c.attr("classname"),
                format!("fairgauge.{}", suite.attr("name"))
            );
        }
    }
    assert_eq!(root.find("testcase").len(), e.findings.len());

    // Each finding's test case, by name, with its verdict and the message intact.
    let cases = root.find("testcase");
    let case = |f: &Finding| {
        let subject = &f.subject;
        let name = cases
            .iter()
            .find(|c| {
                c.attr("name").starts_with(&f.kind)
                    && subject
                        .group
                        .as_deref()
                        .or(subject.column.as_deref())
                        .is_none_or(|g| c.attr("name").contains(g))
            })
            .unwrap_or_else(|| panic!("no test case for {}", f.id));
        *name
    };
    let f1 = &e.findings[1];
    let c1 = case(f1);
    assert_eq!(
        c1.attr("name"),
        "fairness.selection_rate_ratio sex=Female<script> vs Male"
    );
    let failure = &c1.children[0];
    assert_eq!(failure.name, "failure");
    assert_eq!(failure.attr("message"), HOSTILE, "CR LF kept by reference");
    assert_eq!(failure.attr("type"), "fairness.selection_rate_ratio");
    assert!(failure.text.starts_with(HOSTILE));
    assert!(failure.text.contains(&format!("finding: {}", f1.id)));
    assert!(failure
        .text
        .contains("threshold: fail below 0.8; warn below 0.9"));
    assert!(failure.text.contains("p-value: 0.0000000015"));
    let f4 = &e.findings[4];
    let c4 = case(f4);
    assert_eq!(c4.attr("name"), "quality.missing a,b \"c\"\nd|e");
    assert_eq!(c4.children[0].attr("message"), f4.message);
    let warn = case(&e.findings[2]);
    assert_eq!(warn.children.len(), 1);
    assert_eq!(warn.children[0].name, "system-out");
    assert!(warn.children[0]
        .text
        .starts_with("warning: difference of 0.12 | \"quoted\" & <b>bold</b>"));
    let skipped = case(&e.findings[3]);
    assert_eq!(skipped.children[0].name, "skipped");
    assert_eq!(
        skipped.children[0].attr("message"),
        "only 3 rows, fewer than 30"
    );
    let error = case(&e.findings[6]);
    assert_eq!(error.children[0].name, "error");
    assert_eq!(
        error.children[0].attr("message"),
        xml_kept(&e.findings[6].message)
    );
    assert_eq!(
        error.children[0].attr("message"),
        "reference unreadable: <EOF> & more\u{1F600}"
    );
    let pass = case(&e.findings[5]);
    assert!(pass.children.is_empty());

    // Empty categories still have their (empty) suite.
    let root = Xml::parse(&junit_xml(&empty()));
    assert_eq!(root.children.len(), 4);
    assert_eq!(root.attr("tests"), "0");
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/// The cells of a GFM table row: split on pipes that are not backslash-escaped (a backslash
/// escapes the character after it, itself included, as GFM's table scanner reads it).
fn cells(row: &str) -> Vec<String> {
    let inner = row
        .strip_prefix('|')
        .and_then(|r| r.strip_suffix('|'))
        .unwrap_or_else(|| panic!("a row without outer pipes: {row}"));
    let mut out = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars
                    .next()
                    .expect("a trailing backslash escapes the outer pipe");
                let cell = out.last_mut().unwrap();
                cell.push('\\');
                cell.push(next);
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

#[test]
fn markdown_tables_keep_their_columns() {
    let e = sample();
    let md = markdown_summary(&e);
    // Every `<` from the data is escaped; only the summary's own `<br>` are raw.
    for (i, _) in md.match_indices('<') {
        assert!(
            md[..i].ends_with('\\') || md[i..].starts_with("<br>"),
            "a raw < at {}",
            &md[i..md.len().min(i + 30)]
        );
    }
    assert!(md.starts_with("# fairgauge evidence: Credit \\<scoring\\> \\| v2\n"));
    assert!(md.contains("**Overall: FAIL**"));
    assert!(md.contains("8 findings: 3 fail, 1 error, 1 warn, 1 insufficient data, 2 pass."));

    let lines: Vec<&str> = md.lines().collect();
    let mut tables: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_table = false;
    for l in &lines {
        if l.starts_with('|') {
            if !in_table {
                tables.push(Vec::new());
            }
            in_table = true;
            tables.last_mut().unwrap().push(cells(l));
        } else {
            in_table = false;
        }
    }
    assert_eq!(tables.len(), 3, "datasets, counts, risks");
    for t in &tables {
        let width = t[0].len();
        assert!(
            t[1].iter()
                .all(|c| c.chars().all(|ch| ch == '-' || ch == ':')),
            "a delimiter row"
        );
        for row in t {
            assert_eq!(row.len(), width, "{row:?}");
        }
    }
    let datasets = &tables[0];
    assert_eq!(datasets[0][0], "role");
    assert_eq!(datasets.len(), 2 + e.datasets.len());
    assert!(datasets[2][5].contains(&hex_of("current")));
    assert!(datasets[2][6].contains(&hex_of("content")));
    let counts = &tables[1];
    assert_eq!(counts[2], ["fail", "3"]);
    assert_eq!(counts.last().unwrap(), &["total", "8"]);
    let risks = &tables[2];
    assert_eq!(
        risks[0],
        ["id", "title", "rating", "score", "treatment", "controls"]
    );
    // By score: the critical data-quality risk first.
    assert_eq!(risks[2][0], format!("`{}`", e.risks[1].id));
    assert_eq!(risks[2][3], "25");
    assert_eq!(risks[3][0], format!("`{}`", e.risks[0].id));
    assert!(risks[3][1].contains("\\<script\\>"));
    assert!(risks[3][5].contains("ISO42001:A.5.4"));

    // Lists: one line per failing or warning finding, with its message.
    let failing = md.split("## Failing findings").nth(1).unwrap();
    let failing = failing.split("## Warnings").next().unwrap();
    let items: Vec<&str> = failing.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(items.len(), 4);
    assert!(items.iter().any(|l| l.contains("a\\|b<br>line two")));
    assert!(md.contains("## Warnings\n\n- **warn**"));
    assert!(md.contains("## Too little data\n\n- **insufficient\\_data**"));

    let md = markdown_summary(&empty());
    assert!(md.contains("No dataset was read."));
    assert!(md.contains("No risk."));
}

// ---------------------------------------------------------------------------------------------
// in-toto
// ---------------------------------------------------------------------------------------------

#[test]
fn in_toto_subjects_carry_the_digests() {
    let e = sample();
    let st = in_toto_statement(&e);
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicateType"], "https://fairgauge.dev/evidence/v1");
    let subjects = st["subject"].as_array().unwrap();
    assert_eq!(subjects.len(), 2);
    assert_eq!(subjects[0]["name"], "current:adult test.csv");
    assert_eq!(subjects[0]["digest"]["sha256"], hex_of("current"));
    assert_eq!(subjects[1]["name"], "reference:adult.data");
    assert_eq!(subjects[1]["digest"]["sha256"], hex_of("reference"));
    for s in subjects {
        let d = s["digest"]["sha256"].as_str().unwrap();
        assert_eq!(d.len(), 64);
        assert!(d
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
    assert_eq!(st["predicate"], serde_json::to_value(&e).unwrap());
    let back: Evidence = serde_json::from_value(st["predicate"].clone()).unwrap();
    assert_eq!(back, e);
}

// ---------------------------------------------------------------------------------------------
// OSCAL
// ---------------------------------------------------------------------------------------------

// OSCAL's `uuid` datatype: a version 4 (random) or version 5 (name-based) UUID (RFC 4122 / 9562);
// fairgauge writes lower case.
const UUID_V4: &str = r"^[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";
const TOKEN: &str = r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$";
const STRING: &str = r"^\S(.*\S)?$";
const URI: &str = r"^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$";
/// NIST's DateTimeWithTimezoneDatatype (OSCAL 1.1.x).
const DATE_TIME: &str = r"^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]+)?(Z|(-((0[0-9]|1[0-2]):00|0[39]:30)|\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$";

/// Every (path, key, value) under a JSON value.
fn walk<'a>(v: &'a Value, path: &str, out: &mut Vec<(String, String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{path}/{k}");
                out.push((p.clone(), k.clone(), x));
                walk(x, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Checks the datatypes NIST's schema sets and the references between objects.
fn check_oscal(doc: &Value) {
    let uuid = Regex::new(UUID_V4).unwrap();
    let token = Regex::new(TOKEN).unwrap();
    let string = Regex::new(STRING).unwrap();
    let uri = Regex::new(URI).unwrap();
    let date_time = Regex::new(DATE_TIME).unwrap();
    let obj = doc.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["assessment-results"]);
    let mut all = Vec::new();
    walk(doc, "", &mut all);
    let mut defined = BTreeSet::new();
    let mut referenced = Vec::new();
    for (path, key, v) in &all {
        if let Value::Array(a) = v {
            assert!(!a.is_empty(), "an empty list at {path}");
        }
        if let Value::String(s) = v {
            assert!(!s.is_empty(), "an empty string at {path}");
        }
        let s = v.as_str();
        match key.as_str() {
            "uuid" => {
                let s = s.unwrap();
                assert!(uuid.is_match(s), "{path}: {s}");
                assert!(defined.insert(s.to_string()), "a duplicate uuid {s}");
            }
            k if k.ends_with("-uuid") => {
                let s = s.unwrap();
                assert!(uuid.is_match(s), "{path}: {s}");
                referenced.push(s.to_string());
            }
            "control-id" | "target-id" => {
                assert!(token.is_match(s.unwrap()), "{path}: {s:?}");
            }
            "start" | "end" | "collected" | "last-modified" => {
                let s = s.unwrap();
                assert!(date_time.is_match(s), "{path}: {s}");
                assert!(s.ends_with('Z'), "{path}: {s}");
            }
            "title" | "description" | "statement" | "remarks" => {
                assert!(key != "title" || !s.unwrap().contains('\n'), "{path}");
                let s = s.unwrap();
                for (i, _) in s.match_indices('<') {
                    assert!(s[..i].ends_with('\\'), "raw markup at {path}: {s}");
                }
            }
            "props" => {
                for p in v.as_array().unwrap() {
                    let name = p["name"].as_str().unwrap();
                    let value = p["value"].as_str().unwrap();
                    assert!(token.is_match(name), "{path}: {name}");
                    assert!(string.is_match(value), "{path}: {value:?}");
                    assert!(!value.contains(['\n', '\r']), "{path}: {value:?}");
                    assert!(uri.is_match(p["ns"].as_str().unwrap()));
                }
            }
            "methods" => assert_eq!(*v, &serde_json::json!(["TEST"])),
            _ => {}
        }
    }
    for r in &referenced {
        assert!(defined.contains(r), "a dangling reference {r}");
    }
    let ar = &doc["assessment-results"];
    let href = ar["import-ap"]["href"].as_str().unwrap();
    let target = href.strip_prefix('#').unwrap();
    assert!(ar["back-matter"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["uuid"] == target));
    let md = &ar["metadata"];
    assert_eq!(md["oscal-version"], "1.1.2");
    assert!(string.is_match(md["version"].as_str().unwrap()));
    let result = &ar["results"][0];
    for key in ["uuid", "title", "description", "start", "reviewed-controls"] {
        assert!(result.get(key).is_some(), "result.{key}");
    }
    assert!(!result["reviewed-controls"]["control-selections"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn oscal_keeps_to_nists_datatypes() {
    let e = sample();
    let doc = oscal_assessment_results(&e);
    check_oscal(&doc);
    let ar = &doc["assessment-results"];
    assert_eq!(ar["uuid"], e.run.id);
    assert_eq!(ar["metadata"]["last-modified"], e.run.finished_at);
    assert_eq!(ar["metadata"]["version"], "0.1.0");
    let result = &ar["results"][0];
    assert_eq!(result["start"], e.run.started_at);
    assert_eq!(result["end"], e.run.finished_at);
    let observations = result["observations"].as_array().unwrap();
    assert_eq!(observations.len(), e.findings.len());
    let findings = result["findings"].as_array().unwrap();
    let not_pass: Vec<&Finding> = e
        .findings
        .iter()
        .filter(|f| f.status != FindingStatus::Pass)
        .collect();
    assert_eq!(findings.len(), not_pass.len());
    for (of, f) in findings.iter().zip(&not_pass) {
        assert_eq!(of["target"]["type"], "objective-id");
        assert_eq!(of["target"]["status"]["state"], "not-satisfied");
        assert_eq!(of["target"]["target-id"], control_token(&f.controls[0].id));
        let reason = if f.status == FindingStatus::Fail {
            "fail"
        } else {
            "other"
        };
        assert_eq!(of["target"]["status"]["reason"], reason);
        assert_eq!(of["related-observations"].as_array().unwrap().len(), 1);
        assert_eq!(
            of["related-risks"].is_array(),
            f.risk_id.is_some(),
            "{}",
            f.id
        );
    }
    let risks = result["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 2);
    assert!(risks.iter().all(|r| r["status"] == "open"));
    let selected: BTreeSet<&str> = result["reviewed-controls"]["control-selections"][0]
        ["include-controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["control-id"].as_str().unwrap())
        .collect();
    for t in [
        "iso42001_9.1",
        "iso42001_a.5.4",
        "nist-ai-rmf_measure-2.11",
        "eu-ai-act_art.10.2.f",
        "iso42001_a.7.5",
    ] {
        assert!(selected.contains(t), "{t}");
    }
    // The first observation's numbers as properties.
    let obs = &observations[1];
    let prop = |name: &str| {
        obs["props"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        obs["title"],
        "fairness.selection\\_rate\\_ratio sex=Female\\<script\\> vs Male"
    );
    assert_eq!(prop("finding-id").unwrap(), e.findings[1].id);
    assert_eq!(prop("status").unwrap(), "fail");
    assert_eq!(prop("value").unwrap(), "0.61");
    assert_eq!(prop("threshold-fail").unwrap(), "0.8");
    assert_eq!(prop("subject-group").unwrap(), "Female<script>");
    // The datasets, with their digests, are evidence.
    let resources = ar["back-matter"]["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 3);
    assert_eq!(resources[1]["rlinks"][0]["href"], "data/adult%20test.csv");
    assert_eq!(
        resources[1]["rlinks"][0]["hashes"][0]["value"],
        hex_of("current")
    );
    assert_eq!(obs["relevant-evidence"].as_array().unwrap().len(), 2);

    // Control ids become tokens.
    assert_eq!(control_token("ISO42001:A.5.4"), "iso42001_a.5.4");
    assert_eq!(
        control_token("NIST-AI-RMF:MEASURE-2.11"),
        "nist-ai-rmf_measure-2.11"
    );
    assert_eq!(
        control_token("EU-AI-Act:Art.10(2)(f)"),
        "eu-ai-act_art.10.2.f"
    );
    assert_eq!(control_token("MEASURE 2.11"), "measure-2.11");
    assert_eq!(control_token("42"), "_42");
    assert_eq!(control_token(""), "_");
    let token = Regex::new(TOKEN).unwrap();
    for c in fairgauge::controls::CATALOG {
        assert!(token.is_match(&control_token(c.id)), "{}", c.id);
    }

    // Nothing in it is still a document, which reviewed 9.1.
    let doc = oscal_assessment_results(&empty());
    check_oscal(&doc);
    let selection =
        &doc["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0];
    assert_eq!(
        selection["include-controls"],
        serde_json::json!([{"control-id": "iso42001_9.1"}])
    );
}

/// Pairs of leaves that differ between two JSON values of the same shape.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>());
            for (k, v) in x {
                differences(v, &y[k], &format!("{path}/{k}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, &format!("{path}/{i}"), out);
            }
        }
        _ if a != b => out.push((path.to_string(), a.to_string(), b.to_string())),
        _ => {}
    }
}

#[test]
fn oscal_is_deterministic_and_runs_differ_only_in_ids_and_times() {
    let e = sample();
    let a = oscal_assessment_results(&e);
    assert_eq!(a, oscal_assessment_results(&e.clone()));
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&oscal_assessment_results(&e)).unwrap()
    );
    assert_eq!(junit_xml(&e), junit_xml(&e.clone()));
    assert_eq!(markdown_summary(&e), markdown_summary(&e.clone()));
    assert_eq!(
        register_csv(&e, "x", "y"),
        register_csv(&e.clone(), "x", "y")
    );

    let mut e2 = e.clone();
    e2.run.id = RUN_2.into();
    e2.run.started_at = "2026-12-01T08:00:00Z".into();
    e2.run.finished_at = "2026-12-01T08:01:00Z".into();
    let b = oscal_assessment_results(&e2);
    let mut diffs = Vec::new();
    differences(&a, &b, "", &mut diffs);
    assert!(!diffs.is_empty());
    for (path, x, y) in &diffs {
        let leaf = path.rsplit('/').next().unwrap();
        let ok = leaf == "uuid"
            || leaf.ends_with("-uuid")
            || leaf == "href" && x.starts_with("\"#")
            || matches!(leaf, "start" | "end" | "collected" | "last-modified");
        assert!(ok, "{path}: {x} vs {y}");
    }
    // Only the document's uuid (the run id) changes with the run: the objects keep theirs.
    let uuids = |v: &Value| {
        let mut all = Vec::new();
        walk(v, "", &mut all);
        all.iter()
            .filter(|(_, k, _)| k == "uuid")
            .map(|(_, _, v)| v.as_str().unwrap().to_string())
            .collect::<BTreeSet<_>>()
    };
    let (ua, ub) = (uuids(&a), uuids(&b));
    let only_a: Vec<&String> = ua.difference(&ub).collect();
    assert_eq!(only_a, [&e.run.id], "{only_a:?}");

    // A run id that is not a uuid still gives a valid document; other time zones become UTC.
    let mut e3 = e.clone();
    e3.run.id = "not-a-uuid".into();
    e3.run.started_at = "2026-11-28T23:38:02.5+02:00".into();
    e3.run.finished_at = "2026-11-28t21:09:14.250-00:30".into();
    e3.datasets[0].path = PathBuf::from("C:\\data\\x y.csv");
    e3.datasets[1].path = PathBuf::from("//host/share/ref.csv");
    let c = oscal_assessment_results(&e3);
    check_oscal(&c);
    let ar = &c["assessment-results"];
    assert_eq!(ar["results"][0]["start"], "2026-11-28T21:38:02.5Z");
    assert_eq!(ar["results"][0]["end"], "2026-11-28T21:39:14.250Z");
    let resources = ar["back-matter"]["resources"].as_array().unwrap();
    assert_eq!(resources[1]["rlinks"][0]["href"], "C%3A%5Cdata%5Cx%20y.csv");
    assert_eq!(resources[2]["rlinks"][0]["href"], "/.//host/share/ref.csv");
    let mut e4 = e.clone();
    e4.run.id = e.run.id.to_uppercase();
    assert_eq!(
        oscal_assessment_results(&e4)["assessment-results"]["uuid"],
        e.run.id
    );
}

/// Writes the exports of the samples, for the pytest check of the OSCAL documents against
/// NIST's models (tests/test_exports.py) and for a look: in `$FAIRGAUGE_OSCAL_OUT_DIR` (default:
/// a temporary folder), oscal-sample.json, oscal-empty.json, register.csv, junit.xml, summary.md
/// and in-toto.json.
#[test]
#[ignore = "writes files for the pytest check against compliance-trestle"]
fn write_samples() {
    let dir = std::env::var_os("FAIRGAUGE_OSCAL_OUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("fairgauge-oscal"));
    std::fs::create_dir_all(&dir).unwrap();
    let json = |v: &Value| serde_json::to_string_pretty(v).unwrap();
    let e = sample();
    for (name, text) in [
        ("oscal-sample.json", json(&oscal_assessment_results(&e))),
        (
            "oscal-empty.json",
            json(&oscal_assessment_results(&empty())),
        ),
        (
            "register.csv",
            register_csv(&e, "evidence.json", "sha256:0"),
        ),
        ("junit.xml", junit_xml(&e)),
        ("summary.md", markdown_summary(&e)),
        ("in-toto.json", json(&in_toto_statement(&e))),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        println!("{}", path.display());
    }
}

/// Evidence filed in a ledger names the ledger's head after its append in every export (the
/// same text, derived from the evidence alone); evidence not filed names none.
#[test]
fn exports_name_the_ledger_head_of_filed_evidence() {
    let mut e = sample();
    assert_eq!(fairgauge::ledger::filed_head(&e), None);
    assert!(!markdown_summary(&e).contains("Ledger head"));
    assert!(!junit_xml(&e).contains("ledger_head\" value"));
    e.run.ledger = Some(fairgauge::evidence::LedgerLink {
        seq: 7,
        prev_sha256: format!("sha256:{}", hex_of("previous")),
        key_id: None,
    });
    let (seq, head) = fairgauge::ledger::filed_head(&e).unwrap();
    assert_eq!(seq, 7);
    // The head is the digest of the record the ledger appends for this evidence.
    let record = fairgauge::ledger::LedgerRecord {
        seq: 7,
        timestamp: e.run.finished_at.clone(),
        run_id: e.run.id.clone(),
        system_id: e.system.id.clone(),
        evidence_sha256: fairgauge_core::fingerprint::sha256_reader(
            fairgauge::export::evidence_json(&e).as_bytes(),
        )
        .unwrap(),
        prev_sha256: format!("sha256:{}", hex_of("previous")),
        record_sha256: String::new(),
        key_id: None,
        signature: None,
    };
    assert_eq!(head, fairgauge::ledger::record_digest(&record));
    let text = format!("record 7 {head}");
    let rows = parse_csv(&register_csv(&e, "", ""));
    let col = REGISTER_COLUMNS
        .iter()
        .position(|c| *c == "ledger_head")
        .unwrap();
    assert!(rows[1..].iter().all(|r| r[col] == text));
    assert!(markdown_summary(&e).contains(&format!("- **Ledger head:** `{text}`")));
    assert!(junit_xml(&e).contains(&format!(
        "<property name=\"ledger_head\" value=\"{text}\"/>"
    )));
    let oscal = oscal_assessment_results(&e).to_string();
    assert!(oscal.contains("\"name\":\"ledger-head\"") && oscal.contains(&text));
}

/// Evidence with no end time is filed with one (the record's time is the evidence's), so every
/// export's head is the record the ledger holds; written again without a ledger, filed evidence
/// keeps its position (the same bytes, the same head).
#[test]
fn filed_exports_verify_even_without_an_end_time_and_when_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let mut e = sample();
    e.run.finished_at = String::new();
    let out = |sub: &str, ledger: bool| fairgauge::export::OutputPaths {
        evidence: Some(p(&format!("{sub}.json"))),
        register: Some(p(&format!("{sub}.csv"))),
        junit: Some(p(&format!("{sub}.xml"))),
        markdown: Some(p(&format!("{sub}.md"))),
        ledger: ledger.then(|| p("l.jsonl")),
        ..Default::default()
    };
    let (record, written) = fairgauge::export::write_all(&e, &out("a", true)).unwrap();
    assert!(!written.run.finished_at.is_empty());
    assert_eq!(record.unwrap().timestamp, written.run.finished_at);
    let files: Vec<PathBuf> = ["a.json", "a.csv", "a.xml", "a.md"].map(p).to_vec();
    let (_, found) = fairgauge::ledger::verify_with_evidence(&p("l.jsonl"), None, &files).unwrap();
    assert_eq!(found.len(), 4);
    // Written again, without a ledger: the same evidence bytes, and its exports still verify.
    let (_, again) = fairgauge::export::write_all(&written, &out("b", false)).unwrap();
    assert_eq!(again.run.ledger, written.run.ledger);
    assert_eq!(
        std::fs::read(p("a.json")).unwrap(),
        std::fs::read(p("b.json")).unwrap()
    );
    let files: Vec<PathBuf> = ["b.json", "b.csv", "b.xml", "b.md"].map(p).to_vec();
    assert!(fairgauge::ledger::verify_with_evidence(&p("l.jsonl"), None, &files).is_ok());
}

/// With a history the register is a living one: each risk's life and the decision on it, a
/// decision in force sets the status, treatment and review date, and resolved risks get rows.
#[test]
fn living_register_rows_carry_life_and_decisions() {
    use fairgauge::evidence::{DecisionState, RiskLife, TrendPoint};
    let mut e = sample();
    let life = |status: &str, decision: Option<DecisionState>| RiskLife {
        status: status.into(),
        first_seen: "2026-10-01T09:00:00Z".into(),
        last_seen: "2026-11-28T21:39:14Z".into(),
        runs_seen: 3,
        trend: vec![TrendPoint {
            finished_at: "2026-11-28T21:39:14Z".into(),
            score: Some(16),
            metric: Some("selection_rate_ratio".into()),
            value: Some(0.61),
        }],
        decision,
    };
    let accepted = DecisionState {
        decision: "accept".into(),
        decided_by: "=Ana".into(),
        reason: "retraining, Q1".into(),
        decided_at: "2026-11-01T10:00:00Z".into(),
        review_date: Some("2027-01-31".into()),
        in_force: true,
    };
    e.risks[0].status = "accepted".into();
    e.risks[0].life = Some(life("worsening", Some(accepted)));
    let mut gone = e.risks[1].clone();
    gone.id = "R-0123456789ab".into();
    gone.life = Some(life("resolved", None));
    e.resolved_risks = vec![gone];
    let rows = parse_csv(&register_csv(&e, "", ""));
    let col = |name: &str| REGISTER_COLUMNS.iter().position(|c| *c == name).unwrap();
    assert_eq!(rows.len(), 1 + e.risks.len() + 1);
    let r = &rows[1];
    assert_eq!(r[col("status")], "accepted");
    assert_eq!(r[col("life_status")], "worsening");
    assert_eq!(r[col("first_seen")], "2026-10-01T09:00:00Z");
    assert_eq!(r[col("runs_seen")], "3");
    assert_eq!(r[col("decision")], "accept");
    assert_eq!(r[col("decided_by")], "'=Ana", "a formula is defused");
    assert_eq!(r[col("decision_reason")], "retraining, Q1");
    assert_eq!(r[col("review_date")], "2027-01-31");
    assert_eq!(r[col("decision_in_force")], "true");
    assert_eq!(
        r[col("next_review_date")],
        "2027-01-31",
        "the decision's review date"
    );
    // The second risk has no life: its columns are empty.
    assert!(rows[2][col("life_status")..].iter().all(String::is_empty));
    // The resolved risk's row: its driving metric as last seen.
    let g = &rows[3];
    assert_eq!(g[col("ref_id")], "R-0123456789ab");
    assert_eq!(g[col("life_status")], "resolved");
    assert_eq!(g[col("metric")], "selection_rate_ratio");
    assert_eq!(g[col("value")], "0.61");
    assert_eq!(g[col("decision")], "");
}
