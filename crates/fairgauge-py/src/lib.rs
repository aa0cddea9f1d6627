//! `fairgauge._fairgauge`: the Rust side of the Python package. A thin layer: options arrive as
//! JSON, reports leave as JSON, tables arrive as a path or as any object with
//! `__arrow_c_stream__`, imported without copying (`arrow_in`). Every call releases the GIL while Rust computes, and turns both
//! errors and panics into `RustError(kind, message)`, which the Python side maps onto its
//! exception hierarchy.

use fairgauge::assess::{assess as run_assess, AssessInput};
use fairgauge::drift::run_drift;
use fairgauge::evidence::Evidence;
use fairgauge::export::OutputPaths;
use fairgauge::fairness::run_task;
use fairgauge::policy::Policy;
use fairgauge::quality::run_quality;
use fairgauge::source::Table;
use polars::prelude::DataFrame;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

mod arrow_in;
mod call;
mod input;
mod monitor_parts;

mod parts;
mod specs;

use call::{bad_option, fail, parse, run, run_here, to_json, Failure, RustError};
use input::{bytes_of, input, input_opt, open, Input, Read};
use specs::{assess_setup, drift_spec, fairness_inputs, quality_spec_of, side, Outputs};

/// Group fairness of a table: the CLI's `fairness --format json`.
#[pyfunction]
fn fairness(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    read: String,
    args: String,
) -> PyResult<String> {
    let data = input(path, "data")?;
    run(py, move || {
        let read: Read = parse("read options", &read)?;
        let (spec, opts) = fairness_inputs(&args)?;
        let table = open(data, &read)?;
        let out = run_task(&table, &spec, &opts, None).map_err(fail)?;
        to_json(&out)
    })
}

/// Drift between two tables: the CLI's `drift --format json`.
#[pyfunction]
fn drift(
    py: Python<'_>,
    reference: &Bound<'_, PyAny>,
    reference_read: String,
    current: &Bound<'_, PyAny>,
    read: String,
    args: String,
) -> PyResult<String> {
    let reference = input(reference, "reference")?;
    let current = input(current, "current")?;
    run(py, move || {
        let read: Read = parse("read options", &read)?;
        let reference_read: Read = parse("read options", &reference_read)?;
        let spec = drift_spec(&args)?;
        let r = open(reference, &reference_read)?;
        let c = open(current, &read)?;
        to_json(&run_drift(&r, &c, &spec).map_err(fail)?)
    })
}

/// A label-free estimate: the CLI's `estimate --format json`; `args` is the
/// [`fairgauge::estimate::EstimateSpec`] as JSON.
#[pyfunction]
fn estimate(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    read: String,
    reference: &Bound<'_, PyAny>,
    reference_read: String,
    args: String,
) -> PyResult<String> {
    let data = input(data, "data")?;
    let reference = input(reference, "reference")?;
    run(py, move || {
        let read: Read = parse("read options", &read)?;
        let reference_read: Read = parse("read options", &reference_read)?;
        let spec: fairgauge::estimate::EstimateSpec = parse("estimate options", &args)?;
        let r = open(reference, &reference_read)?;
        let d = open(data, &read)?;
        to_json(&fairgauge::estimate::run_estimate(&d, &r, &spec).map_err(fail)?)
    })
}

/// Reads one part of a table for an estimate (the reference's when `labelled`): the encoded
/// `EstimatePart`. `first_row` is the part's first row in the whole table.
#[pyfunction]
fn estimate_part<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    read: String,
    args: String,
    labelled: bool,
    first_row: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let read: Read = parse("read options", &read)?;
        let spec: fairgauge::estimate::EstimateSpec = parse("estimate options", &args)?;
        let table = open(data, &read)?;
        let part = fairgauge::estimate::EstimatePart::read(&table, &spec, labelled, first_row)
            .map_err(fail)?;
        part.encode().map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Merges the encoded parts of the data and of the reference (each in the order given) and
/// finishes the estimate: the same JSON as `estimate`.
#[pyfunction]
fn estimate_finish(
    py: Python<'_>,
    data: Vec<Bound<'_, PyBytes>>,
    data_name: String,
    reference: Vec<Bound<'_, PyBytes>>,
    reference_name: String,
    args: String,
) -> PyResult<String> {
    let (data, reference) = (bytes_of(&data), bytes_of(&reference));
    run(py, move || {
        let spec: fairgauge::estimate::EstimateSpec = parse("estimate options", &args)?;
        let decode = |parts: &[Vec<u8>]| -> Result<Vec<_>, Failure> {
            parts
                .iter()
                .map(|p| fairgauge::estimate::EstimatePart::decode(p).map_err(fail))
                .collect()
        };
        let (d, r) = (decode(&data)?, decode(&reference)?);
        let out = fairgauge::estimate::finish_estimate(
            (&named(&data_name), &d),
            (&named(&reference_name), &r),
            &spec,
        )
        .map_err(fail)?;
        to_json(&out)
    })
}

/// Data quality of a table: the CLI's `quality --format json`, and the inferred rules (TOML).
#[pyfunction]
#[pyo3(signature = (path, read, reference, reference_read, args))]
fn quality(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    read: String,
    reference: Option<&Bound<'_, PyAny>>,
    reference_read: String,
    args: String,
) -> PyResult<(String, String)> {
    let data = input(path, "data")?;
    let reference = input_opt(reference, "reference")?;
    run(py, move || {
        let read: Read = parse("read options", &read)?;
        let reference_read: Read = parse("read options", &reference_read)?;
        let spec = quality_spec_of(&args)?;
        let table = open(data, &read)?;
        let reference = reference.map(|r| open(r, &reference_read)).transpose()?;
        let report = run_quality(&table, reference.as_ref(), &spec, None).map_err(fail)?;
        Ok((to_json(&report)?, report.infer_rules()))
    })
}

/// An assessment against a policy (the built-in one when `policy` is None): the evidence JSON.
#[pyfunction]
#[pyo3(signature = (current, read, reference, reference_read, policy, roles, rules, command_line, history=None))]
#[allow(clippy::too_many_arguments)]
fn assess(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    read: String,
    reference: Option<&Bound<'_, PyAny>>,
    reference_read: String,
    policy: Option<String>,
    roles: String,
    rules: Option<String>,
    command_line: Vec<String>,
    history: Option<String>,
) -> PyResult<String> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    run(py, move || {
        let (policy, source, r, rules) = assess_setup(policy, &roles, rules)?;
        let (current, reference) = open_both(current, &read, reference, &reference_read)?;
        // The history the run is judged against: the argument's, else the policy's.
        let past = policy
            .history_path(&source, history.as_deref().map(std::path::Path::new))
            .map(|h| fairgauge::history::load_past(&h, &policy))
            .transpose()
            .map_err(fail)?;
        let input = AssessInput {
            current: &current,
            reference: reference.as_ref(),
            policy: &policy,
            policy_source: &source,
            roles: r,
            rules,
            command_line,
            history: past.as_ref(),
        };
        let e = run_assess(&input).map_err(fail)?;
        Ok(fairgauge::export::evidence_json(&e))
    })
}

/// Monitoring over time windows against a policy: the report JSON and its long table (JSON
/// rows); with `history`, the run is recorded there.
#[pyfunction]
#[pyo3(signature = (current, read, reference, reference_read, policy, roles, rules, time, every, baseline, command_line, history=None))]
#[allow(clippy::too_many_arguments)]
fn monitor(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    read: String,
    reference: Option<&Bound<'_, PyAny>>,
    reference_read: String,
    policy: Option<String>,
    roles: String,
    rules: Option<String>,
    time: String,
    every: String,
    baseline: Option<usize>,
    command_line: Vec<String>,
    history: Option<String>,
) -> PyResult<(String, String)> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    run(py, move || {
        let (policy, source, r, rules) = assess_setup(policy, &roles, rules)?;
        let every: fairgauge::monitor::Every = every.parse().map_err(fail)?;
        let (current, reference) = open_both(current, &read, reference, &reference_read)?;
        let history = policy.history_path(&source, history.as_deref().map(std::path::Path::new));
        let started = fairgauge::evidence::now_rfc3339();
        let report = fairgauge::monitor::monitor(&fairgauge::monitor::MonitorInput {
            data: &current,
            reference: reference.as_ref(),
            time,
            every,
            baseline,
            policy: &policy,
            policy_source: &source,
            roles: r,
            rules,
            command_line,
        })
        .map_err(fail)?;
        if let Some(h) = history {
            let windowed = report.windowed_run(&policy.system, &source.sha256, started);
            fairgauge::history::record_windows(&h, &windowed).map_err(fail)?;
        }
        Ok((to_json(&report)?, to_json(&report.metrics())?))
    })
}

/// The table and the optional reference, opened with their read options (JSON).
fn open_both(
    current: Input,
    read: &str,
    reference: Option<Input>,
    reference_read: &str,
) -> Result<(Table, Option<Table>), Failure> {
    let read: Read = parse("read options", read)?;
    let reference_read: Read = parse("read options", reference_read)?;
    let current = open(current, &read)?;
    let reference = reference.map(|p| open(p, &reference_read)).transpose()?;
    Ok((current, reference))
}

/// What a metric history holds, as JSON: `runs`, `metrics` (of one run, or all), `trend` (one
/// finding's series) or `risks` (the register the runs make).
#[pyfunction]
#[pyo3(signature = (path, what, key=None))]
fn history_read(
    py: Python<'_>,
    path: String,
    what: String,
    key: Option<String>,
) -> PyResult<String> {
    run(py, move || {
        let p = std::path::Path::new(&path);
        let key = key.as_deref();
        match what.as_str() {
            "runs" => to_json(&fairgauge::history::runs(p).map_err(fail)?),
            "metrics" => to_json(&fairgauge::history::metrics(p, key).map_err(fail)?),
            "trend" => {
                to_json(&fairgauge::history::trend(p, key.unwrap_or_default()).map_err(fail)?)
            }
            "risks" => to_json(&fairgauge::history::register(p).map_err(fail)?),
            other => Err(("option", format!("unknown history read `{other}`"))),
        }
    })
}

/// BISG probabilities of a table's rows: the six `p_*` columns as little-endian f64 bytes, row
/// by row (NaN where a row has no estimate), each row's basis as one byte (0 surname and place,
/// 1 surname, 2 place, 3 none), and the summary as JSON.
#[pyfunction]
#[pyo3(signature = (path, read, surname, zip=None, tract=None))]
fn bisg(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    read: String,
    surname: String,
    zip: Option<String>,
    tract: Option<String>,
) -> PyResult<(Py<PyBytes>, Py<PyBytes>, String)> {
    use fairgauge::core::membership::bisg::{Basis, PlaceKind};
    use fairgauge::membership::bisg::{run_bisg, BisgSpec};
    let data = input(path, "data")?;
    let (probs, basis, summary) = run(py, move || {
        let read: Read = parse("read options", &read)?;
        let table = open(data, &read)?;
        let place = match (zip, tract) {
            (Some(_), Some(_)) => return Err(bad_option("give zip= or tract=, not both".into())),
            (Some(z), None) => Some((PlaceKind::Zcta, z)),
            (None, Some(t)) => Some((PlaceKind::Tract, t)),
            (None, None) => None,
        };
        let out = run_bisg(&table, &BisgSpec { surname, place }).map_err(fail)?;
        let mut probs = Vec::with_capacity(out.estimates.len() * 48);
        let mut basis = Vec::with_capacity(out.estimates.len());
        for e in &out.estimates {
            for p in e.probs.unwrap_or([f64::NAN; 6]) {
                probs.extend_from_slice(&p.to_le_bytes());
            }
            basis.push(match e.basis {
                Basis::SurnameAndPlace => 0u8,
                Basis::Surname => 1,
                Basis::Place => 2,
                Basis::None => 3,
            });
        }
        Ok((probs, basis, to_json(&out.summary)?))
    })?;
    Ok((
        PyBytes::new(py, &probs).unbind(),
        PyBytes::new(py, &basis).unbind(),
        summary,
    ))
}

/// The named stand-in for a table whose parts were read elsewhere (no rows).
fn named(name: &str) -> Table {
    Table::from_frame(name, DataFrame::empty())
}

/// Counts one part of a table for fairness: the encoded `FairnessPart`.
#[pyfunction]
fn fairness_part<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    read: String,
    args: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let read: Read = parse("read options", &read)?;
        let (spec, _) = fairness_inputs(&args)?;
        let table = open(data, &read)?;
        let part = fairgauge::fairness::fairness_part(&table, &spec, None).map_err(fail)?;
        part.encode().map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Merges encoded fairness parts (in the order given) and finishes the report of the table
/// `name`: the same JSON as `fairness`.
#[pyfunction]
fn fairness_finish(
    py: Python<'_>,
    parts: Vec<Bound<'_, PyBytes>>,
    name: String,
    args: String,
) -> PyResult<String> {
    let parts = bytes_of(&parts);
    run(py, move || {
        let (spec, opts) = fairness_inputs(&args)?;
        let mut acc = fairgauge::fairness::FairnessPart::empty(&spec);
        for p in &parts {
            acc.merge(fairgauge::fairness::FairnessPart::decode(p).map_err(fail)?)
                .map_err(fail)?;
        }
        let out =
            fairgauge::fairness::finish_task(&named(&name), &spec, &opts, acc).map_err(fail)?;
        to_json(&out)
    })
}

/// Plans a drift comparison from two tables' schemas (tables of no rows will do): the plan as
/// JSON, handed to `drift_part` and `drift_finish`.
#[pyfunction]
fn drift_plan(
    py: Python<'_>,
    reference: &Bound<'_, PyAny>,
    current: &Bound<'_, PyAny>,
    args: String,
) -> PyResult<String> {
    let reference = input(reference, "reference")?;
    let current = input(current, "current")?;
    run(py, move || {
        let spec = drift_spec(&args)?;
        let r = open(reference, &Read::default())?;
        let c = open(current, &Read::default())?;
        to_json(&fairgauge::drift::plan_drift(&r, &c, &spec).map_err(fail)?)
    })
}

/// Reads one part of one side of a planned drift comparison: the encoded `DriftPart`.
#[pyfunction]
fn drift_part<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    plan: String,
    which: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let plan: fairgauge::drift::DriftPlan = parse("drift plan", &plan)?;
        let table = open(data, &Read::default())?;
        let part = fairgauge::drift::drift_part(&table, &plan, side(&which)?).map_err(fail)?;
        part.encode().map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Merges each side's encoded parts (in the order given: row order, for exact sums) and
/// compares them: the same JSON as `drift`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn drift_finish(
    py: Python<'_>,
    plan: String,
    reference_parts: Vec<Bound<'_, PyBytes>>,
    current_parts: Vec<Bound<'_, PyBytes>>,
    reference_name: String,
    current_name: String,
    args: String,
) -> PyResult<String> {
    let (rp, cp) = (bytes_of(&reference_parts), bytes_of(&current_parts));
    run(py, move || {
        use fairgauge::drift::{DriftPart, Side};
        let spec = drift_spec(&args)?;
        let plan: fairgauge::drift::DriftPlan = parse("drift plan", &plan)?;
        let merged = |parts: &[Vec<u8>], s: Side| -> Result<DriftPart, Failure> {
            let mut acc = DriftPart::empty(&plan, s).map_err(fail)?;
            for p in parts {
                acc.merge(DriftPart::decode(p).map_err(fail)?)
                    .map_err(fail)?;
            }
            Ok(acc)
        };
        let r = merged(&rp, Side::Reference)?;
        let c = merged(&cp, Side::Current)?;
        let out = fairgauge::drift::finish_drift(
            &named(&reference_name),
            &named(&current_name),
            &plan,
            r,
            c,
            &spec,
        )
        .map_err(fail)?;
        to_json(&out)
    })
}

/// Writes evidence (JSON text) and the exports named in `outputs` (JSON: evidence, register,
/// oscal, junit, markdown, attestation, attestation_envelope, ledger, sign_key, html, history).
/// Returns
/// the evidence as written (JSON text): filed in the ledger (`run.ledger`) when there is one.
#[pyfunction]
fn write_evidence(py: Python<'_>, evidence: String, outputs: String) -> PyResult<String> {
    run(py, move || {
        let e: Evidence = parse("evidence", &evidence)?;
        let o: Outputs = parse("outputs", &outputs)?;
        let paths = OutputPaths {
            evidence: o.evidence,
            register: o.register,
            oscal: o.oscal,
            junit: o.junit,
            markdown: o.markdown,
            attestation: o.attestation,
            attestation_envelope: o.attestation_envelope,
            ledger: o.ledger,
            sign_key: o.sign_key,
            html: o.html,
        };
        let (_, written) = fairgauge::export::write_all(&e, &paths).map_err(fail)?;
        if let Some(h) = &o.history {
            fairgauge::history::record_run(h, &written).map_err(fail)?;
        }
        Ok(fairgauge::export::evidence_json(&written))
    })
}

/// The HTML report of evidence (JSON text).
#[pyfunction]
fn render_html(py: Python<'_>, evidence: String) -> PyResult<String> {
    run(py, move || {
        let e: Evidence = parse("evidence", &evidence)?;
        Ok(fairgauge::report::render_html(&e, None))
    })
}

fn f64s(what: &str, b: &[u8]) -> Result<Vec<f64>, Failure> {
    if !b.len().is_multiple_of(8) {
        return Err(bad_option(format!("{what}: not a float64 buffer")));
    }
    Ok(b.chunks_exact(8)
        .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

/// Weighted confusion counts per group: for each group `[tp, fp, tn, fn]`, summing `weights`
/// (1 per row when None). `y_true` and `y_pred` are uint8 buffers of 1 (positive) or 0;
/// `groups` a uint32 buffer of codes below `n_groups`. Without weights the counts are integers
/// (exact, counted in parallel); weighted sums use Neumaier's compensation, so they agree with
/// numpy's pairwise sums to the last digits.
#[pyfunction]
#[pyo3(signature = (y_true, y_pred, groups, n_groups, weights=None))]
fn confusion_counts(
    py: Python<'_>,
    y_true: &[u8],
    y_pred: &[u8],
    groups: &[u8],
    n_groups: usize,
    weights: Option<&[u8]>,
) -> PyResult<Vec<[f64; 4]>> {
    // The buffers are immutable `bytes` the caller keeps alive for the call.
    run_here(py, move || {
        let (t, p) = (y_true, y_pred);
        if !groups.len().is_multiple_of(4) {
            return Err(bad_option("groups: not a uint32 buffer".into()));
        }
        let g: Vec<u32> = groups
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let w = weights.map(|b| f64s("weights", b)).transpose()?;
        if p.len() != t.len()
            || g.len() != t.len()
            || w.as_ref().is_some_and(|w| w.len() != t.len())
        {
            return Err(bad_option(format!(
                "y_true, y_pred, sensitive features and weights must have one length; got {}, {}, {} and {}",
                t.len(),
                p.len(),
                g.len(),
                w.as_ref().map(|w| w.len().to_string()).unwrap_or_else(|| "none".into())
            )));
        }
        if let Some(i) = g.iter().position(|&gi| gi as usize >= n_groups) {
            return Err(bad_option(format!(
                "group code {} at row {i} is not below {n_groups}",
                g[i]
            )));
        }
        Ok(fairgauge_core::fairness::counts::confusion_by_group(
            t,
            p,
            &g,
            n_groups,
            w.as_deref(),
        ))
    })
}

/// A proportion (`metric`, the core's snake_case name: `selection_rate`, `tpr`, `fpr`, `tnr`,
/// `fnr`, …) of each row of weighted counts `[TP, FP, TN, FN]`, by the core's one definition of
/// its numerator and denominator; `None` where the denominator is 0 (the caller applies its own
/// zero-division convention, as Fairlearn's functions do).
#[pyfunction]
fn rates(counts: Vec<[f64; 4]>, metric: &str) -> PyResult<Vec<Option<f64>>> {
    let m: fairgauge_core::fairness::Metric =
        serde_json::from_value(serde_json::Value::String(metric.to_string()))
            .map_err(|_| RustError::new_err(("option", format!("no metric `{metric}`"))))?;
    counts
        .into_iter()
        .map(|c| match m.weighted_fraction(c) {
            Some((num, den)) => Ok((den != 0.0).then(|| num / den)),
            None => Err(RustError::new_err((
                "option",
                format!("`{metric}` is not a proportion of confusion counts"),
            ))),
        })
        .collect()
}

/// Panics on purpose: the test that a Rust panic becomes a Python exception.
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    run(py, || -> Result<(), Failure> {
        panic!("a deliberate panic for the test suite")
    })
}

static SLEEPS_FINISHED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sleeps without the GIL, interruptibly (the tests that calls release it and that Ctrl-C
/// interrupts them); counts finished sleeps.
#[pyfunction]
fn _sleep_for_test(py: Python<'_>, seconds: f64) -> PyResult<()> {
    run(py, move || {
        std::thread::sleep(std::time::Duration::from_secs_f64(seconds.max(0.0)));
        SLEEPS_FINISHED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    })
}

/// How many `_sleep_for_test` calls have finished their sleep.
#[pyfunction]
fn _sleeps_finished() -> u64 {
    SLEEPS_FINISHED.load(std::sync::atomic::Ordering::SeqCst)
}

/// The defaults of the analyses' options (JSON), so that the Python signatures and displays
/// take them from the core instead of repeating them: `fairness` is `FairnessOptions::default()`,
/// `fairness_thresholds` the built-in policy's fairness thresholds, `drift` its drift policy (PSI
/// warn and fail thresholds, the dataset share).
#[pyfunction]
fn defaults() -> PyResult<String> {
    let out = serde_json::json!({
        "fairness": fairgauge_core::fairness::FairnessOptions::default(),
        "fairness_thresholds": Policy::default_policy().fairness.thresholds,
        "drift": Policy::default_policy().drift,
    });
    Ok(out.to_string())
}

/// The fairness thresholds of the policy file at `path` (JSON `{name: {warn, fail, direction}}`),
/// for the notebook displays of a report judged under that policy.
#[pyfunction]
fn policy_fairness_thresholds(py: Python<'_>, path: String) -> PyResult<String> {
    run(py, move || {
        let (policy, _) = Policy::load(std::path::Path::new(&path)).map_err(fail)?;
        to_json(&policy.fairness.thresholds)
    })
}

/// The findings `assess` would make of one analysis' report (the JSON `fairness` or `drift`
/// returned) under the policy at `policy`, or the built-in one: what `fairgauge.testing` asserts
/// on, as the CLI's `--fail-on` does.
#[pyfunction]
#[pyo3(signature = (family, report, policy=None))]
fn judge(
    py: Python<'_>,
    family: String,
    report: String,
    policy: Option<String>,
) -> PyResult<String> {
    run(py, move || {
        let (policy, _) =
            Policy::load_or_builtin(policy.as_deref().map(std::path::Path::new)).map_err(fail)?;
        let findings = match family.as_str() {
            "fairness" => match parse("report", &report)? {
                fairgauge::fairness::TaskOutput::Binary(out) => {
                    let decisions = out.roles.prediction.is_some() || out.roles.score.is_some();
                    fairgauge::assess::judge_fairness(&policy, &out.report, decisions)
                }
                fairgauge::fairness::TaskOutput::Multiclass(out) => {
                    fairgauge::assess::judge_multiclass(&policy, &out.report)
                }
                fairgauge::fairness::TaskOutput::Regression(out) => {
                    fairgauge::assess::judge_regression(&policy, &out.report)
                }
                fairgauge::fairness::TaskOutput::Ranking(out) => {
                    fairgauge::assess::judge_ranking(&policy, &out.report)
                }
            },
            "drift" => {
                let r: fairgauge::drift::DriftReport = parse("report", &report)?;
                fairgauge::assess::judge_drift(&policy, &r, &policy.data)
            }
            other => {
                return Err(bad_option(format!(
                    "cannot judge `{other}`: expected fairness or drift"
                )))
            }
        };
        to_json(&findings)
    })
}

/// Runs the `fairgauge` command line with `argv` (the program name first) on a worker thread
/// without the GIL, and returns its exit code (0, 1 or 2); Ctrl-C raises KeyboardInterrupt.
/// The wheel's `fairgauge` command and `python -m fairgauge` call it.
#[pyfunction]
fn cli(py: Python<'_>, argv: Vec<String>) -> PyResult<u8> {
    run(py, move || Ok(fairgauge_cli::run(argv)))
}

/// The policy text `fairgauge init` writes, for `roles` (JSON).
#[pyfunction]
fn default_policy() -> String {
    fairgauge::policy::DEFAULT_POLICY.to_string()
}

#[pymodule]
fn _fairgauge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RustError", m.py().get_type::<RustError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(fairness, m)?)?;
    m.add_function(wrap_pyfunction!(drift, m)?)?;
    m.add_function(wrap_pyfunction!(estimate, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_part, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_finish, m)?)?;
    m.add_function(wrap_pyfunction!(quality, m)?)?;
    m.add_function(wrap_pyfunction!(assess, m)?)?;
    m.add_function(wrap_pyfunction!(monitor, m)?)?;
    m.add_function(wrap_pyfunction!(history_read, m)?)?;
    m.add_function(wrap_pyfunction!(bisg, m)?)?;
    m.add_function(wrap_pyfunction!(write_evidence, m)?)?;
    m.add_function(wrap_pyfunction!(fairness_part, m)?)?;
    m.add_function(wrap_pyfunction!(fairness_finish, m)?)?;
    m.add_function(wrap_pyfunction!(drift_plan, m)?)?;
    m.add_function(wrap_pyfunction!(drift_part, m)?)?;
    m.add_function(wrap_pyfunction!(drift_finish, m)?)?;
    m.add_function(wrap_pyfunction!(parts::quality_plan, m)?)?;
    m.add_function(wrap_pyfunction!(parts::quality_part, m)?)?;
    m.add_function(wrap_pyfunction!(parts::reference_part, m)?)?;
    m.add_function(wrap_pyfunction!(parts::quality_finish, m)?)?;
    m.add_function(wrap_pyfunction!(parts::assess_plan, m)?)?;
    m.add_function(wrap_pyfunction!(parts::assess_finish, m)?)?;
    m.add_function(wrap_pyfunction!(monitor_parts::monitor_plan, m)?)?;
    m.add_function(wrap_pyfunction!(monitor_parts::monitor_count, m)?)?;
    m.add_function(wrap_pyfunction!(monitor_parts::monitor_layout, m)?)?;
    m.add_function(wrap_pyfunction!(monitor_parts::monitor_part, m)?)?;
    m.add_function(wrap_pyfunction!(monitor_parts::monitor_reference_part, m)?)?;
    m.add_function(wrap_pyfunction!(monitor_parts::monitor_finish, m)?)?;
    m.add_function(wrap_pyfunction!(render_html, m)?)?;
    m.add_function(wrap_pyfunction!(confusion_counts, m)?)?;
    m.add_function(wrap_pyfunction!(default_policy, m)?)?;
    m.add_function(wrap_pyfunction!(policy_fairness_thresholds, m)?)?;
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(judge, m)?)?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    m.add_function(wrap_pyfunction!(rates, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_sleep_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_sleeps_finished, m)?)?;
    Ok(())
}
