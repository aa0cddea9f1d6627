//! Quality and assessments from parts of tables read elsewhere (Spark's executors): plan from the
//! schemas on the driver, read each part where it lives into encoded bytes, then merge and
//! finish on the driver with the library's code.

use std::collections::HashMap;

use fairgauge::assess::{
    assess_with, drift_spec, fairness_spec, quality_spec, AssessInput, Measure,
};
use fairgauge::drift::{finish_drift, DriftPart, DriftPlan, DriftReport, DriftSpec, Side};
use fairgauge::evidence::Engine;
use fairgauge::fairness::{FairnessPart, FairnessSpec};
use fairgauge::quality::{
    finish_quality, plan_quality, DatasetFacts, QualityPart, QualityPlan, QualityReport,
    QualitySpec, ReferencePart,
};
use fairgauge::source::Table;
use fairgauge_core::fairness::FairnessOptions;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::{Deserialize, Serialize};

use crate::call::{fail, parse, run, to_json, Failure};
use crate::input::{bytes_of, input, input_opt, open, Input, Read};
use crate::specs::{assess_setup, quality_spec_of};

fn named(obj: Input, name: &str) -> Result<Table, Failure> {
    open(
        obj,
        &Read {
            name: Some(name.to_string()),
            ..Default::default()
        },
    )
}

/// Plans a quality run from the schemas of `data` and `reference` (tables of no rows will do).
#[pyfunction]
#[pyo3(signature = (data, reference, args))]
pub(crate) fn quality_plan(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    reference: Option<&Bound<'_, PyAny>>,
    args: String,
) -> PyResult<String> {
    let data = input(data, "data")?;
    let reference = input_opt(reference, "reference")?;
    run(py, move || {
        let spec = quality_spec_of(&args)?;
        let t = named(data, "data")?;
        let r = reference.map(|r| named(r, "reference")).transpose()?;
        to_json(&plan_quality(&t, r.as_ref(), &spec).map_err(fail)?)
    })
}

/// Reads one part of a table for a planned quality run; `first_row` is the part's first row
/// in the whole table (0-based), so that example rows are numbered as in the whole.
#[pyfunction]
pub(crate) fn quality_part<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    plan: String,
    first_row: u64,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let plan: QualityPlan = parse("quality plan", &plan)?;
        let t = named(data, "data")?;
        let part = fairgauge::quality::quality_part(&t, &plan, first_row).map_err(fail)?;
        part.encode().map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Reads one part of the reference table for a planned quality run (fingerprint, leakage).
#[pyfunction]
pub(crate) fn reference_part<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    plan: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let plan: QualityPlan = parse("quality plan", &plan)?;
        let t = named(data, "reference")?;
        let part = fairgauge::quality::reference_part(&t, &plan).map_err(fail)?;
        part.encode().map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Merges the parts (in row order) and finishes the quality report: the same JSON as `quality`,
/// and the inferred rules. `data` and `reference` are the (empty) tables that name the data.
#[pyfunction]
#[pyo3(signature = (data, reference, plan, parts, reference_parts, name, reference_name, args))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn quality_finish(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    reference: Option<&Bound<'_, PyAny>>,
    plan: String,
    parts: Vec<Bound<'_, PyBytes>>,
    reference_parts: Vec<Bound<'_, PyBytes>>,
    name: String,
    reference_name: String,
    args: String,
) -> PyResult<(String, String)> {
    let data = input(data, "data")?;
    let reference = input_opt(reference, "reference")?;
    let (parts, reference_parts) = (bytes_of(&parts), bytes_of(&reference_parts));
    run(py, move || {
        let spec = quality_spec_of(&args)?;
        let plan: QualityPlan = parse("quality plan", &plan)?;
        let t = named(data, &name)?;
        let r = reference.map(|r| named(r, &reference_name)).transpose()?;
        let report = finish_quality(
            &t,
            r.as_ref(),
            &plan,
            &spec,
            decoded(&parts, QualityPart::decode).map_err(fail)?,
            decoded(&reference_parts, ReferencePart::decode).map_err(fail)?,
        )
        .map_err(fail)?;
        Ok((to_json(&report)?, report.infer_rules()))
    })
}

/// What an assessment reads: the quality plan (always: it also fingerprints the data), the
/// fairness roles (absent when the roles name no label or no sensitive attribute) and the
/// drift plan (with a reference).
#[derive(Debug, Serialize, Deserialize)]
struct AssessPlan {
    quality: QualityPlan,
    fairness: Option<FairnessSpec>,
    drift: Option<DriftPlan>,
}

/// Plans an assessment from the schemas of `current` and `reference` (tables of no rows will
/// do), with the policy, roles and rules as `assess` takes them.
#[pyfunction]
#[pyo3(signature = (current, reference, policy, roles, rules))]
pub(crate) fn assess_plan(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    reference: Option<&Bound<'_, PyAny>>,
    policy: Option<String>,
    roles: String,
    rules: Option<String>,
) -> PyResult<String> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    run(py, move || {
        let (policy, source, roles, rules) = assess_setup(policy, &roles, rules)?;
        let c = named(current, "current")?;
        let r = reference.map(|r| named(r, "reference")).transpose()?;
        let q = quality_spec(&policy, &roles, rules);
        let plan = AssessPlan {
            quality: plan_quality(&c, r.as_ref(), &q).map_err(fail)?,
            fairness: fairness_spec(&policy, &roles, &source)
                .map_err(fail)?
                .map(|(s, _)| s),
            drift: match &r {
                Some(r) => {
                    Some(fairgauge::drift::plan_drift(r, &c, &drift_spec(&policy)).map_err(fail)?)
                }
                None => None,
            },
        };
        to_json(&plan)
    })
}

/// Parts read elsewhere, or the error met reading them (`Err(message)`).
type Got = Result<Vec<Vec<u8>>, String>;

struct Parts {
    /// The assessment's quality run (for the fingerprints when the policy turns quality off).
    spec: QualitySpec,
    current: Table,
    reference: Option<Table>,
    plan: AssessPlan,
    quality: Vec<Vec<u8>>,
    reference_parts: Vec<Vec<u8>>,
    fairness: Got,
    drift_reference: Got,
    drift_current: Got,
}

fn elsewhere(message: &str) -> fairgauge::Error {
    fairgauge::Error::InvalidOption(message.to_string())
}

fn decoded<T>(
    parts: &[Vec<u8>],
    decode: impl Fn(&[u8]) -> fairgauge::Result<T>,
) -> fairgauge::Result<Vec<T>> {
    parts.iter().map(|p| decode(p)).collect()
}

impl Measure for Parts {
    fn quality(&self, spec: &QualitySpec) -> fairgauge::Result<QualityReport> {
        finish_quality(
            &self.current,
            self.reference.as_ref(),
            &self.plan.quality,
            spec,
            decoded(&self.quality, QualityPart::decode)?,
            decoded(&self.reference_parts, ReferencePart::decode)?,
        )
    }

    fn facts(&self, reference: bool) -> fairgauge::Result<DatasetFacts> {
        // The quality parts are always read (they fingerprint the data): finish them and keep
        // the facts.
        let report = self.quality(&self.spec)?;
        if reference {
            return report
                .reference_facts()
                .cloned()
                .ok_or_else(|| elsewhere("no reference was read"));
        }
        Ok(DatasetFacts {
            rows: report.dataset.rows,
            columns: report.dataset.columns as u64,
            fingerprints: report.dataset.fingerprints.clone(),
            format: report.dataset.format.clone(),
        })
    }

    fn fairness(
        &self,
        spec: &FairnessSpec,
        opts: &FairnessOptions,
    ) -> fairgauge::Result<fairgauge::fairness::TaskOutput> {
        let parts = self.fairness.as_ref().map_err(|m| elsewhere(m))?;
        let mut acc = FairnessPart::empty(spec);
        for p in decoded(parts, FairnessPart::decode)? {
            acc.merge(p)?;
        }
        fairgauge::fairness::finish_task(&self.current, spec, opts, acc)
    }

    fn drift(&self, spec: &DriftSpec) -> fairgauge::Result<DriftReport> {
        let (Some(plan), Some(reference)) = (&self.plan.drift, &self.reference) else {
            return Err(elsewhere("drift needs a reference table"));
        };
        let merged = |got: &Got, side: Side| -> fairgauge::Result<DriftPart> {
            let parts = got.as_ref().map_err(|m| elsewhere(m))?;
            let mut acc = DriftPart::empty(plan, side)?;
            for p in decoded(parts, DriftPart::decode)? {
                acc.merge(p)?;
            }
            Ok(acc)
        };
        let r = merged(&self.drift_reference, Side::Reference)?;
        let c = merged(&self.drift_current, Side::Current)?;
        finish_drift(reference, &self.current, plan, r, c, spec)
    }
}

fn got(
    parts: &HashMap<String, Vec<Bound<'_, PyBytes>>>,
    errors: &HashMap<String, String>,
    key: &str,
) -> Got {
    match errors.get(key) {
        Some(e) => Err(e.clone()),
        None => Ok(parts.get(key).map(|p| bytes_of(p)).unwrap_or_default()),
    }
}

/// Finishes an assessment from parts read elsewhere: `parts` maps `quality`, `reference`,
/// `fairness`, `drift_reference` and `drift_current` to the encoded parts in row order;
/// `errors` maps a key whose parts could not be read to the message. The evidence JSON, with
/// `run.engine` from `engine` (JSON).
#[pyfunction]
#[pyo3(signature = (current, reference, policy, roles, rules, command_line, plan, parts, errors, engine, names))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn assess_finish(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    reference: Option<&Bound<'_, PyAny>>,
    policy: Option<String>,
    roles: String,
    rules: Option<String>,
    command_line: Vec<String>,
    plan: String,
    parts: HashMap<String, Vec<Bound<'_, PyBytes>>>,
    errors: HashMap<String, String>,
    engine: String,
    names: (String, String),
) -> PyResult<String> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    let quality = got(&parts, &errors, "quality");
    let reference_parts = got(&parts, &errors, "reference");
    let fairness = got(&parts, &errors, "fairness");
    let drift_reference = got(&parts, &errors, "drift_reference");
    let drift_current = got(&parts, &errors, "drift_current");
    run(py, move || {
        let (policy, source, roles, rules) = assess_setup(policy, &roles, rules)?;
        let plan: AssessPlan = parse("assessment plan", &plan)?;
        let engine: Engine = parse("engine", &engine)?;
        // Quality parts fingerprint the data: without them there is no evidence to write.
        let quality = quality.map_err(|m| ("data", m))?;
        let reference_parts = reference_parts.map_err(|m| ("data", m))?;
        let c = named(current, &names.0)?;
        let r = reference.map(|r| named(r, &names.1)).transpose()?;
        let m = Parts {
            spec: quality_spec(&policy, &roles, rules.clone()),
            current: c.clone(),
            reference: r.clone(),
            plan,
            quality,
            reference_parts,
            fairness,
            drift_reference,
            drift_current,
        };
        let input = AssessInput {
            current: &c,
            reference: r.as_ref(),
            policy: &policy,
            policy_source: &source,
            roles,
            rules,
            command_line,
            history: None,
        };
        let mut e = assess_with(&input, &m).map_err(fail)?;
        e.run.engine = Some(engine);
        Ok(fairgauge::export::evidence_json(&e))
    })
}
