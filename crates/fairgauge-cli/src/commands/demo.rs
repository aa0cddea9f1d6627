//! `fairgauge demo`: the whole assessment on bundled UCI Adult data, every export written.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::assess::{assess, AssessInput};
use fairgauge::policy::Policy;
use fairgauge::source::{ReadOptions, Table};

use super::assess::Outputs;
use crate::status::ExitStatus;

/// Arguments of `fairgauge demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the outputs (created if missing).
    #[arg(long, default_value = "fairgauge-demo", value_name = "DIR")]
    pub out: PathBuf,
    /// The directory holding adult.data, adult.test and adult.schema.toml.
    #[arg(long, default_value = "datasets/adult", value_name = "DIR")]
    pub data: PathBuf,
}

/// The demo's policy: Adult's roles and system.
pub const DEMO_POLICY: &str = r#"# The fairgauge demo's policy: UCI Adult, a rule-based income classifier.
version = 1

[system]
id = "adult-income-demo"
name = "Income classifier (UCI Adult demo)"
owner = "fairgauge demo"
intended_use = "Demonstration only: predicts whether income exceeds 50K from census attributes."

[data]
label = "income"
prediction = "prediction"
sensitive = ["sex", "race"]
positive_label = ">50K"
"#;

/// Runs the subcommand.
pub fn run(a: DemoArgs) -> Result<ExitStatus> {
    let train_src = a.data.join("adult.data");
    let test_src = a.data.join("adult.test");
    for p in [&train_src, &test_src] {
        if !p.is_file() {
            bail!(
                "{} is missing: run the demo from the repository's root, or pass --data DIR with adult.data and adult.test",
                p.display()
            );
        }
    }
    std::fs::create_dir_all(&a.out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", a.out.display()))?;
    let opts = ReadOptions::default();
    let train = a.out.join("adult-train-scored.csv");
    let test = a.out.join("adult-test-scored.csv");
    fairgauge::demo::write_scored(&Table::open(&train_src, &opts)?, &train)?;
    fairgauge::demo::write_scored(&Table::open(&test_src, &opts)?, &test)?;
    let policy_path = a.out.join("policy.toml");
    crate::output::emit(DEMO_POLICY, Some(&policy_path))?;
    let (policy, source) = Policy::load(&policy_path)?;
    // The scored files are plain headed CSV: no schema file beside them.
    let plain = ReadOptions {
        no_schema_file: true,
        ..Default::default()
    };
    let current = Table::open(&test, &plain)?;
    let reference = Table::open(&train, &plain)?;
    let input = AssessInput {
        current: &current,
        reference: Some(&reference),
        policy: &policy,
        policy_source: &source,
        roles: policy.data.clone(),
        rules: None,
        command_line: std::env::args().collect(),
        history: None,
    };
    let evidence = assess(&input)?;
    let f = |n: &str| Some(a.out.join(n));
    let outputs = Outputs {
        output: f("evidence.json"),
        register: f("register.csv"),
        oscal: f("oscal.json"),
        junit: f("junit.xml"),
        markdown: f("summary.md"),
        attestation: f("attestation.json"),
        attestation_envelope: None,
        ledger: f("ledger.jsonl"),
        sign_key: None,
        html: f("report.html"),
        history: None,
    };
    let evidence = super::assess::write_outputs(&evidence, &outputs)?;
    crate::output::emit(&crate::render::evidence_text(&evidence), None)?;
    let names = [
        "evidence.json",
        "register.csv",
        "oscal.json",
        "junit.xml",
        "summary.md",
        "attestation.json",
        "ledger.jsonl",
        "report.html",
    ];
    println!(
        "\nwrote to {}: {} (and the scored data and policy.toml); verify the ledger with `fairgauge ledger verify {}`",
        a.out.display(),
        names.join(", "),
        Path::new(&a.out).join("ledger.jsonl").display()
    );
    // A demonstration: its findings are the point, not a failure of the command.
    Ok(ExitStatus::Success)
}
