//! `fairgauge._fairgauge`: the Rust side of the Python package. A thin layer: options arrive as
//! JSON, reports leave as JSON, tables arrive as a path or as any object with
//! `__arrow_c_stream__`, imported without copying (`arrow_in`). Every call releases the GIL while Rust computes, and turns both
//! errors and panics into `RustError(kind, message)`, which the Python side maps onto its
//! exception hierarchy.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use fairgauge::assess::{assess as run_assess, AssessInput};
use fairgauge::drift::{run_drift, Correction, DriftSpec, Method};
use fairgauge::evidence::Evidence;
use fairgauge::export::OutputPaths;
use fairgauge::fairness::{run_fairness, FairnessSpec};
use fairgauge::policy::{Policy, Roles};
use fairgauge::quality::{run_quality, QualitySpec};
use fairgauge::rules::RuleSet;
use fairgauge::source::{ColumnType, InputFormat, ReadOptions, Table};
use fairgauge_core::fairness::{FairnessOptions, ReferenceSpec};
use polars::prelude::DataFrame;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use rayon::prelude::*;
use serde::Deserialize;

mod arrow_in;
mod parts;

pyo3::create_exception!(
    _fairgauge,
    RustError,
    PyException,
    "An error from fairgauge's Rust core: args are (kind, message)."
);

type Failure = (&'static str, String);

fn kind_of(e: &fairgauge::Error) -> &'static str {
    use fairgauge::Error as E;
    match e {
        E::Io { .. } => "io",
        E::ColumnNotFound { .. } => "column_not_found",
        E::Schema { .. } => "schema",
        E::Rules { .. } => "rules",
        E::Policy { .. } => "policy",
        E::Ledger { .. } => "ledger",
        E::InvalidOption(_) => "option",
        _ => "data",
    }
}

fn fail(e: fairgauge::Error) -> Failure {
    (kind_of(&e), e.to_string())
}

fn bad_option(message: String) -> Failure {
    ("option", message)
}

fn outcome<T>(r: std::thread::Result<Result<T, Failure>>) -> PyResult<T> {
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err((kind, message))) => Err(RustError::new_err((kind, message))),
        Err(p) => {
            let what = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Err(RustError::new_err((
                "internal",
                format!("internal error in fairgauge (please report it): {what}"),
            )))
        }
    }
}

/// Runs `f` on a worker thread without the GIL, checking for signals every 100 ms so that
/// Ctrl-C interrupts the wait (the worker finishes in the background and its result is
/// dropped). Errors and panics become `RustError`.
fn run<T: Send + 'static>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("fairgauge".into())
        .spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(f)));
        })
        .map_err(|e| RustError::new_err(("internal", format!("cannot start a thread: {e}"))))?;
    let mut rx = rx;
    loop {
        // The receiver moves into the GIL-free closure and back (it is Send, not Sync).
        let (r, back) = py.detach(move || {
            let r = rx.recv_timeout(std::time::Duration::from_millis(100));
            (r, rx)
        });
        rx = back;
        match r {
            Ok(r) => return outcome(r),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(RustError::new_err((
                    "internal",
                    "the worker thread ended without a result".to_string(),
                )))
            }
        }
    }
}

/// Runs `f` on this thread without the GIL (for short calls on borrowed buffers).
fn run_here<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, Failure> + Send) -> PyResult<T> {
    outcome(py.detach(|| std::panic::catch_unwind(AssertUnwindSafe(f))))
}

fn parse<'a, T: Deserialize<'a>>(what: &str, json: &'a str) -> Result<T, Failure> {
    serde_json::from_str(json).map_err(|e| bad_option(format!("{what}: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(|e| ("internal", e.to_string()))
}

/// How to read a table (JSON from Python).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Read {
    format: Option<String>,
    separator: Option<String>,
    has_header: Option<bool>,
    null_values: Option<Vec<String>>,
    columns: Option<Vec<String>>,
    #[serde(default)]
    dtypes: BTreeMap<String, String>,
    trim_whitespace: Option<bool>,
    #[serde(default)]
    no_schema: bool,
    /// The name an in-memory table is reported under (`<pandas.DataFrame>`).
    name: Option<String>,
}

impl Read {
    fn options(&self) -> Result<ReadOptions, Failure> {
        let mut o = ReadOptions {
            has_header: self.has_header,
            null_values: self.null_values.clone(),
            columns: self.columns.clone(),
            trim_whitespace: self.trim_whitespace,
            no_schema_file: self.no_schema,
            ..Default::default()
        };
        if let Some(f) = &self.format {
            o.format = Some(InputFormat::parse(f).ok_or_else(|| {
                bad_option(format!(
                    "format `{f}`: expected csv, parquet, ipc or ndjson"
                ))
            })?);
        }
        if let Some(s) = &self.separator {
            o.separator = Some(fairgauge::source::parse_separator(s).ok_or_else(|| {
                bad_option(format!("separator `{s}`: expected one ASCII character"))
            })?);
        }
        for (c, t) in &self.dtypes {
            let ty = ColumnType::parse(t).ok_or_else(|| {
                bad_option(format!(
                    "dtype of `{c}`: unknown type `{t}` (expected str, int, float or bool)"
                ))
            })?;
            o.dtypes.insert(c.clone(), ty);
        }
        Ok(o)
    }
}

/// A table argument: a file path, or an in-memory table imported from Python.
#[derive(Debug)]
enum Input {
    Path(String),
    Frame(DataFrame),
}

/// Reads a table argument with the GIL held: a `str` is a path; anything with
/// `__arrow_c_stream__` is imported (zero-copy where the layout allows).
fn input(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Input> {
    if let Ok(s) = obj.extract::<String>() {
        return Ok(Input::Path(s));
    }
    if obj.hasattr("__arrow_c_stream__")? {
        return arrow_in::import(obj, what)
            .map(Input::Frame)
            .map_err(|(kind, message)| RustError::new_err((kind, message)));
    }
    let ty = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(RustError::new_err((
        "data",
        format!("{what}: expected a path or an object with __arrow_c_stream__, got a {ty}"),
    )))
}

fn input_opt(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Input>> {
    obj.map(|o| input(o, what)).transpose()
}

fn open(input: Input, read: &Read) -> Result<Table, Failure> {
    match input {
        Input::Path(p) => Table::open(p, &read.options()?).map_err(fail),
        Input::Frame(df) => Ok(Table::from_frame(
            read.name.as_deref().unwrap_or("<in-memory table>"),
            df,
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FairnessArgs {
    label: String,
    prediction: Option<String>,
    score: Option<String>,
    threshold: f64,
    sensitive: Vec<String>,
    positive_label: Option<String>,
    reference_group: String,
    intersect: bool,
    min_group_size: u64,
    confidence: f64,
    gei_alpha: f64,
}

/// The fairness roles and options from their JSON.
fn fairness_inputs(args: &str) -> Result<(FairnessSpec, FairnessOptions), Failure> {
    let a: FairnessArgs = parse("fairness options", args)?;
    if !(a.confidence > 0.0 && a.confidence < 1.0) {
        return Err(bad_option(format!(
            "confidence must be strictly between 0 and 1, given {}",
            a.confidence
        )));
    }
    let opts = FairnessOptions {
        confidence: a.confidence,
        min_group_size: a.min_group_size,
        reference: ReferenceSpec::parse(&a.reference_group)
            .map_err(|e| bad_option(format!("reference_group: {e}")))?,
        intersect: a.intersect,
        gei_alpha: a.gei_alpha,
        ..Default::default()
    };
    let spec = FairnessSpec {
        label: a.label,
        prediction: a.prediction,
        score: a.score,
        threshold: a.threshold,
        sensitive: a.sensitive,
        positive_label: a.positive_label,
    };
    Ok((spec, opts))
}

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
        let out = run_fairness(&table, &spec, &opts, None).map_err(fail)?;
        to_json(&out)
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DriftArgs {
    columns: Option<Vec<String>>,
    #[serde(default)]
    exclude: Vec<String>,
    method: String,
    numeric_method: Option<String>,
    categorical_method: Option<String>,
    threshold: Option<f64>,
    correction: String,
    dataset_threshold: f64,
    bins: usize,
    sketch: Option<u16>,
}

fn method(s: &str, what: &str) -> Result<Method, Failure> {
    Method::parse(s).ok_or_else(|| {
        bad_option(format!(
            "{what} `{s}`: unknown method; expected one of {}",
            Method::ALL
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// The drift options from their JSON.
fn drift_spec(args: &str) -> Result<DriftSpec, Failure> {
    let a: DriftArgs = parse("drift options", args)?;
    Ok(DriftSpec {
        columns: a.columns,
        exclude: a.exclude,
        method: match a.method.as_str() {
            "auto" => None,
            m => Some(method(m, "method")?),
        },
        numeric_method: a
            .numeric_method
            .as_deref()
            .map(|m| method(m, "numeric_method"))
            .transpose()?,
        categorical_method: a
            .categorical_method
            .as_deref()
            .map(|m| method(m, "categorical_method"))
            .transpose()?,
        column_methods: BTreeMap::new(),
        threshold: a.threshold,
        correction: match a.correction.as_str() {
            "bh" => Correction::Bh,
            "bonferroni" => Correction::Bonferroni,
            "none" => Correction::None,
            c => {
                return Err(bad_option(format!(
                    "correction `{c}`: expected bh, bonferroni or none"
                )))
            }
        },
        dataset_threshold: Some(a.dataset_threshold),
        bins: Some(a.bins),
        sketch: a.sketch,
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QualityArgs {
    label: Option<String>,
    #[serde(default)]
    sensitive: Vec<String>,
    #[serde(default)]
    key: Vec<String>,
    rules: Option<String>,
    examples: usize,
    #[serde(default)]
    sketch: Option<u16>,
}

/// The quality run from its JSON options (the rules file is read here).
fn quality_spec_of(args: &str) -> Result<QualitySpec, Failure> {
    let a: QualityArgs = parse("quality options", args)?;
    let rules = a
        .rules
        .as_deref()
        .map(|r| RuleSet::load(Path::new(r)))
        .transpose()
        .map_err(fail)?;
    Ok(QualitySpec {
        label: a.label,
        sensitive: a.sensitive,
        key: a.key,
        rules,
        thresholds: Default::default(),
        examples: a.examples,
        sketch: a.sketch,
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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleOverrides {
    label: Option<String>,
    prediction: Option<String>,
    score: Option<String>,
    sensitive: Option<Vec<String>>,
    positive_label: Option<String>,
    reference_group: Option<String>,
    key: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Outputs {
    evidence: Option<PathBuf>,
    register: Option<PathBuf>,
    oscal: Option<PathBuf>,
    junit: Option<PathBuf>,
    markdown: Option<PathBuf>,
    attestation: Option<PathBuf>,
    ledger: Option<PathBuf>,
    sign_key: Option<PathBuf>,
    html: Option<PathBuf>,
}

/// The policy (given or built in), the roles it names overridden by `roles` (JSON), and the
/// rules given or the policy's.
fn assess_setup(
    policy: Option<String>,
    roles: &str,
    rules: Option<String>,
) -> Result<
    (
        Policy,
        fairgauge::policy::PolicySource,
        Roles,
        Option<RuleSet>,
    ),
    Failure,
> {
    let o: RoleOverrides = parse("roles", roles)?;
    let (policy, source) = match &policy {
        Some(p) => Policy::load(Path::new(p)).map_err(fail)?,
        None => Policy::builtin(),
    };
    let mut r: Roles = policy.data.clone();
    if o.label.is_some() {
        r.label = o.label;
    }
    if o.prediction.is_some() {
        r.prediction = o.prediction;
    }
    if o.score.is_some() {
        r.score = o.score;
    }
    if let Some(s) = o.sensitive {
        r.sensitive = s;
    }
    if o.positive_label.is_some() {
        r.positive_label = o.positive_label;
    }
    if let Some(g) = o.reference_group {
        r.reference_group = g;
    }
    if let Some(k) = o.key {
        r.key = k;
    }
    // The rules given, else the policy's (relative to the policy file), as the CLI does.
    let rules_path = rules
        .map(PathBuf::from)
        .or_else(|| policy.rules_path(&source));
    let rules = rules_path
        .as_deref()
        .map(RuleSet::load)
        .transpose()
        .map_err(fail)?;
    Ok((policy, source, r, rules))
}

/// An assessment against a policy (the built-in one when `policy` is None): the evidence JSON.
#[pyfunction]
#[pyo3(signature = (current, read, reference, reference_read, policy, roles, rules, command_line))]
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
) -> PyResult<String> {
    let current = input(current, "current")?;
    let reference = input_opt(reference, "reference")?;
    run(py, move || {
        let read: Read = parse("read options", &read)?;
        let reference_read: Read = parse("read options", &reference_read)?;
        let (policy, source, r, rules) = assess_setup(policy, &roles, rules)?;
        let current = open(current, &read)?;
        let reference = reference.map(|p| open(p, &reference_read)).transpose()?;
        let input = AssessInput {
            current: &current,
            reference: reference.as_ref(),
            policy: &policy,
            policy_source: &source,
            roles: r,
            rules,
            command_line,
        };
        let e = run_assess(&input).map_err(fail)?;
        Ok(fairgauge::export::evidence_json(&e))
    })
}

// Partial states, for engines that split a table (Spark's mapInArrow, Dask's partitions): each
// part is counted where it lives, sent as bytes, merged and finished on the driver with the same
// code as a single-machine run.

fn bytes_of(parts: &[Bound<'_, PyBytes>]) -> Vec<Vec<u8>> {
    parts.iter().map(|b| b.as_bytes().to_vec()).collect()
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
            fairgauge::fairness::finish_fairness(&named(&name), &spec, &opts, acc).map_err(fail)?;
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

fn side(s: &str) -> Result<fairgauge::drift::Side, Failure> {
    match s {
        "reference" => Ok(fairgauge::drift::Side::Reference),
        "current" => Ok(fairgauge::drift::Side::Current),
        _ => Err(bad_option(format!(
            "side `{s}`: expected reference or current"
        ))),
    }
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
/// oscal, junit, markdown, attestation, ledger, sign_key, html). Returns the ledger record's
/// position, if one was appended.
#[pyfunction]
fn write_evidence(py: Python<'_>, evidence: String, outputs: String) -> PyResult<Option<u64>> {
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
            ledger: o.ledger,
            sign_key: o.sign_key,
            html: o.html,
        };
        let record = fairgauge::export::write_all(&e, &paths).map_err(fail)?;
        Ok(record.map(|r| r.seq))
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
        // tp = (1,1) → 0, fp = (0,1) → 1, tn = (0,0) → 2, fn = (1,0) → 3.
        let cell = |i: usize| -> usize {
            match (t[i] != 0, p[i] != 0) {
                (true, true) => 0,
                (false, true) => 1,
                (false, false) => 2,
                (true, false) => 3,
            }
        };
        let Some(w) = w else {
            let chunk = 1 << 20;
            let counts = (0..t.len().div_ceil(chunk))
                .into_par_iter()
                .map(|k| {
                    let mut c = vec![[0u64; 4]; n_groups];
                    for i in k * chunk..((k + 1) * chunk).min(t.len()) {
                        c[g[i] as usize][cell(i)] += 1;
                    }
                    c
                })
                .reduce(
                    || vec![[0u64; 4]; n_groups],
                    |mut a, b| {
                        for (x, y) in a.iter_mut().zip(b) {
                            for j in 0..4 {
                                x[j] += y[j];
                            }
                        }
                        a
                    },
                );
            return Ok(counts
                .iter()
                .map(|c| [c[0] as f64, c[1] as f64, c[2] as f64, c[3] as f64])
                .collect());
        };
        // Neumaier-compensated sums per cell.
        let mut sum = vec![[0.0f64; 4]; n_groups];
        let mut comp = vec![[0.0f64; 4]; n_groups];
        for i in 0..t.len() {
            let (gi, ci) = (g[i] as usize, cell(i));
            let x = w[i];
            let s = sum[gi][ci];
            let nsum = s + x;
            if s.abs() >= x.abs() {
                comp[gi][ci] += (s - nsum) + x;
            } else {
                comp[gi][ci] += (x - nsum) + s;
            }
            sum[gi][ci] = nsum;
        }
        Ok(sum
            .iter()
            .zip(&comp)
            .map(|(s, c)| [s[0] + c[0], s[1] + c[1], s[2] + c[2], s[3] + c[3]])
            .collect())
    })
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
    m.add_function(wrap_pyfunction!(quality, m)?)?;
    m.add_function(wrap_pyfunction!(assess, m)?)?;
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
    m.add_function(wrap_pyfunction!(render_html, m)?)?;
    m.add_function(wrap_pyfunction!(confusion_counts, m)?)?;
    m.add_function(wrap_pyfunction!(default_policy, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_sleep_for_test, m)?)?;
    m.add_function(wrap_pyfunction!(_sleeps_finished, m)?)?;
    Ok(())
}
