//! Monitoring from parts of a table read elsewhere (Spark's executors, Dask's workers):
//! `fairgauge::monitor::parts` bound for Python. The driver plans from the schemas, counts each
//! part's rows per window, lays the windows out, reads each part split by window, and finishes
//! with the single-machine judging.

use std::path::Path;

use fairgauge::evidence::Engine;
use fairgauge::monitor::parts::{
    count_windows, finish_monitor, monitor_part as part_of, plan_monitor, reference_side, Layout,
    MonitorPlan, WindowCounts,
};
use fairgauge::monitor::{Every, MonitorInput};
use fairgauge::policy::{Policy, PolicySource, Roles};
use fairgauge::rules::RuleSet;
use fairgauge::source::Table;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Deserialize;

use crate::call::{fail, parse, run, to_json, Failure};
use crate::input::{bytes_of, input, input_opt, open, Input, Read};
use crate::specs::assess_setup;

/// The run's settings, as `fairgauge.monitor` takes them (JSON from Python).
#[derive(Debug, Deserialize)]
struct Setup {
    policy: Option<String>,
    /// The role overrides (JSON text, as `assess` takes them).
    roles: String,
    rules: Option<String>,
    time: String,
    every: String,
    baseline: Option<usize>,
    #[serde(default)]
    command_line: Vec<String>,
    history: Option<String>,
    /// The names the tables are reported under.
    names: (String, String),
}

/// What a run's `MonitorInput` borrows.
struct Owned {
    policy: Policy,
    source: PolicySource,
    roles: Roles,
    rules: Option<RuleSet>,
    every: Every,
    data: Table,
    reference: Option<Table>,
}

impl Owned {
    fn of(setup: &Setup, data: Input, reference: Option<Input>) -> Result<Owned, Failure> {
        let (policy, source, roles, rules) =
            assess_setup(setup.policy.clone(), &setup.roles, setup.rules.clone())?;
        let name = |n: &str| Read {
            name: Some(n.to_string()),
            ..Default::default()
        };
        Ok(Owned {
            every: setup.every.parse().map_err(fail)?,
            data: open(data, &name(&setup.names.0))?,
            reference: reference
                .map(|r| open(r, &name(&setup.names.1)))
                .transpose()?,
            policy,
            source,
            roles,
            rules,
        })
    }

    fn input<'a>(&'a self, setup: &Setup) -> MonitorInput<'a> {
        MonitorInput {
            data: &self.data,
            reference: self.reference.as_ref(),
            time: setup.time.clone(),
            every: self.every,
            baseline: setup.baseline,
            policy: &self.policy,
            policy_source: &self.source,
            roles: self.roles.clone(),
            rules: self.rules.clone(),
            command_line: setup.command_line.clone(),
        }
    }
}

/// Plans a partitioned monitoring run from the schemas of `current` and `reference` (tables
/// of no rows will do): the plan as JSON.
#[pyfunction]
#[pyo3(signature = (current, reference, setup))]
pub(crate) fn monitor_plan(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    reference: Option<&Bound<'_, PyAny>>,
    setup: String,
) -> PyResult<String> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    run(py, move || {
        let setup: Setup = parse("monitoring setup", &setup)?;
        let o = Owned::of(&setup, current, reference)?;
        to_json(&plan_monitor(&o.input(&setup)).map_err(fail)?)
    })
}

/// Counts one part's rows per window: the encoded counts.
#[pyfunction]
pub(crate) fn monitor_count<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    plan: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let plan: MonitorPlan = parse("monitoring plan", &plan)?;
        let t = open(data, &Read::default())?;
        count_windows(&t, &plan)
            .map_err(fail)?
            .encode()
            .map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Lays the windows out from every part's counts (in part order): the layout as JSON.
#[pyfunction]
#[pyo3(signature = (current, reference, setup, counts))]
pub(crate) fn monitor_layout(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    reference: Option<&Bound<'_, PyAny>>,
    setup: String,
    counts: Vec<Bound<'_, PyBytes>>,
) -> PyResult<String> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    let counts = bytes_of(&counts);
    run(py, move || {
        let setup: Setup = parse("monitoring setup", &setup)?;
        let o = Owned::of(&setup, current, reference)?;
        let counts = counts
            .iter()
            .map(|c| WindowCounts::decode(c))
            .collect::<Result<Vec<_>, _>>()
            .map_err(fail)?;
        to_json(&Layout::of(&o.input(&setup), &counts).map_err(fail)?)
    })
}

/// Reads part `index` (its place among the counted parts) split by window: encoded bytes.
#[pyfunction]
pub(crate) fn monitor_part<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    plan: String,
    layout: String,
    index: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let plan: MonitorPlan = parse("monitoring plan", &plan)?;
        let layout: Layout = parse("window layout", &layout)?;
        let t = open(data, &Read::default())?;
        part_of(&t, &plan, &layout, index).map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Reads one part of the reference table for the baseline: encoded bytes.
#[pyfunction]
pub(crate) fn monitor_reference_part<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    plan: String,
) -> PyResult<Bound<'py, PyBytes>> {
    let data = input(data, "data")?;
    let out = run(py, move || {
        let plan: MonitorPlan = parse("monitoring plan", &plan)?;
        let t = open(data, &Read::default())?;
        reference_side(&t, &plan).map_err(fail)
    })?;
    Ok(PyBytes::new(py, &out))
}

/// Merges the parts and judges the windows: the report JSON and its long table (JSON rows);
/// with a history (the setup's, else the policy's), the run is recorded there.
#[pyfunction]
#[pyo3(signature = (current, reference, setup, plan, layout, parts, reference_parts, engine))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn monitor_finish(
    py: Python<'_>,
    current: &Bound<'_, PyAny>,
    reference: Option<&Bound<'_, PyAny>>,
    setup: String,
    plan: String,
    layout: String,
    parts: Vec<Bound<'_, PyBytes>>,
    reference_parts: Vec<Bound<'_, PyBytes>>,
    engine: String,
) -> PyResult<(String, String)> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    let parts = bytes_of(&parts);
    let reference_parts = bytes_of(&reference_parts);
    run(py, move || {
        let setup: Setup = parse("monitoring setup", &setup)?;
        let plan: MonitorPlan = parse("monitoring plan", &plan)?;
        let layout: Layout = parse("window layout", &layout)?;
        let engine: Engine = parse("engine", &engine)?;
        let o = Owned::of(&setup, current, reference)?;
        let started = fairgauge::evidence::now_rfc3339();
        let mut report = finish_monitor(&o.input(&setup), &plan, &layout, &parts, &reference_parts)
            .map_err(fail)?;
        report.engine = Some(engine);
        let history = o
            .policy
            .history_path(&o.source, setup.history.as_deref().map(Path::new));
        if let Some(h) = history {
            let windowed = report.windowed_run(&o.policy.system, &o.source.sha256, started);
            fairgauge::history::record_windows(&h, &windowed).map_err(fail)?;
        }
        Ok((to_json(&report)?, to_json(&report.metrics())?))
    })
}
