//! Running an estimate: the labelled reference and the unlabelled data read into their
//! histograms, the roles checked, and per group the calibration chosen on the reference and the
//! metrics estimated on the data ([`fairgauge_core::estimate`]).

use super::read::{read_state, Seen};
use super::spec::*;
use crate::error::{Error, Result};
use crate::fairness::spec::InputInfo;
use crate::io::frame::{load_columns, take_rows};
use crate::io::source::Table;
use crate::io::text::canonical_text;
use crate::io::windows::{read_plan, Every};
use fairgauge_core::estimate::calibration::{
    calibrator, choose, reliability, CalibrationCheck, Calibrator, Population, Reference,
    ReliabilityBin,
};
use fairgauge_core::estimate::cbpe::{estimate, Analysis};
use fairgauge_core::estimate::sampling::SamplingComponents;
use fairgauge_core::estimate::state::{AnalysisState, ReferenceState};
use fairgauge_core::stats::proportion::z_critical;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// What the reference gives a group (or all rows), worked out once for every table and window
/// estimated with it: its rows, the calibration check and calibrator (`None`: the
/// population's), NannyML's sampling-error components and the reliability table.
struct GroupFit {
    reference_rows: u64,
    check: CalibrationCheck,
    calibrator: Option<Calibrator>,
    sampling: Option<SamplingComponents>,
    reliability: Vec<ReliabilityBin>,
}

impl GroupFit {
    fn of(r: &Reference, check: CalibrationCheck, calibrator: Option<Calibrator>) -> GroupFit {
        let reference_rows = r.rows();
        GroupFit {
            reference_rows,
            check,
            calibrator,
            sampling: (reference_rows > 0).then(|| SamplingComponents::of(r)),
            reliability: reliability(r, &Calibrator::Identity),
        }
    }
}

/// The reference read and every calibration chosen: the population's and each group's.
struct Calibrated {
    seen: Seen,
    excluded: u64,
    positive: String,
    z: f64,
    /// All rows (its calibrator always set).
    population: GroupFit,
    /// Per attribute, each group's.
    groups: Vec<BTreeMap<String, GroupFit>>,
    /// A group the reference never saw: calibrated as the population, nothing else known.
    unseen: GroupFit,
}

impl Calibrated {
    /// Fits the calibrations of the reference `table`'s state `r` (what it held: `seen`).
    fn fit(
        table: &Table,
        spec: &EstimateSpec,
        r: ReferenceState,
        seen: Seen,
    ) -> Result<Calibrated> {
        let positive = check_reference(table, spec, &r, &seen)?;
        let z = z_critical(spec.confidence).map_err(|e| Error::InvalidOption(e.to_string()))?;
        let population = Population::new(&r.all);
        let pop_check = choose(&population, None, spec.calibration);
        let pop_cal = calibrator(pop_check.applied, &r.all, &r.all);
        let groups = r
            .attributes
            .iter()
            .map(|(_, groups)| {
                groups
                    .par_iter()
                    .map(|(g, rh)| {
                        let check = choose(&population, Some(rh), spec.calibration);
                        let cal = (check.applied != pop_check.applied)
                            .then(|| calibrator(check.applied, &r.all, rh));
                        (g.clone(), GroupFit::of(rh, check, cal))
                    })
                    .collect()
            })
            .collect();
        let unseen = CalibrationCheck {
            applied: pop_check.applied,
            ece_raw: None,
            ece_population: None,
            ece_group: None,
        };
        Ok(Calibrated {
            seen,
            excluded: r.excluded,
            positive,
            z,
            unseen: GroupFit::of(&Reference::default(), unseen, None),
            population: GroupFit::of(&r.all, pop_check, Some(pop_cal)),
            groups,
        })
    }

    /// The calibrator of a group's fit.
    fn calibrator<'a>(&'a self, fit: &'a GroupFit) -> &'a Calibrator {
        fit.calibrator
            .as_ref()
            .or(self.population.calibrator.as_ref())
            .unwrap_or(&Calibrator::Identity)
    }

    /// The estimates of an unlabelled state: all rows, and per attribute its groups and
    /// summaries.
    fn estimate(
        &self,
        a: &AnalysisState,
        spec: &EstimateSpec,
    ) -> (GroupEntry, Vec<AttributeEntry>) {
        let min = spec.min_group_size;
        let entry = |name: &str, fit: &GroupFit, a: &Analysis| {
            group_entry(name, fit, self.calibrator(fit), a, self.z, min)
        };
        let overall = entry("all", &self.population, &a.all);
        let empty = Analysis::default();
        let mut attributes = Vec::with_capacity(spec.sensitive.len());
        for (i, name) in spec.sensitive.iter().enumerate() {
            let (rg, ag) = (&self.groups[i], &a.attributes[i].1);
            let mut names: Vec<&String> = rg.keys().chain(ag.keys()).collect();
            names.sort();
            names.dedup();
            let groups: Vec<GroupEntry> = names
                .into_par_iter()
                .map(|g| {
                    entry(
                        g,
                        rg.get(g).unwrap_or(&self.unseen),
                        ag.get(g).unwrap_or(&empty),
                    )
                })
                .collect();
            attributes.push(AttributeEntry {
                attribute: name.clone(),
                summaries: super::summary::summaries(&groups, self.z),
                groups,
                rows_without_group: a.null_groups[i],
            });
        }
        (overall, attributes)
    }
}

/// Estimates the performance of a model per group on `data` (no labels needed) from its scores
/// and decisions, calibrated on the labelled `reference`; per time window too when the spec
/// names a time column.
pub fn run_estimate(
    data: &Table,
    reference: &Table,
    spec: &EstimateSpec,
) -> Result<EstimateOutput> {
    check_spec(spec)?;
    let every = match &spec.every {
        Some(e) => Some(e.parse::<Every>()?),
        None => None,
    };
    if every.is_some() != spec.time.is_some() {
        return Err(Error::InvalidOption(
            "windows need both a time column and their width (--time COL --every day|week|month|quarter|N)".into(),
        ));
    }
    let (r, rseen) = read_state::<8>(reference, spec, true, 0)?;
    let c = Calibrated::fit(reference, spec, r, rseen)?;
    let (a, aseen) = read_state::<2>(data, spec, false, 0)?;
    check_data(data, spec, &a, &aseen, &c.positive)?;
    let windows = match (&spec.time, every) {
        (Some(time), Some(every)) => estimate_windows(data, &c, spec, time, every)?,
        _ => vec![],
    };
    Ok(output(data, reference, spec, &c, (&a, &aseen), windows))
}

/// Estimates from states read elsewhere (the merged parts of partitions): the data's `a` (what
/// it held: `aseen`) calibrated on the reference's `r`. `data` and `reference` name the tables
/// in the report and in errors; their rows are not read. No time windows.
pub(crate) fn estimate_states(
    (data, a, aseen): (&Table, AnalysisState, Seen),
    (reference, r, rseen): (&Table, ReferenceState, Seen),
    spec: &EstimateSpec,
) -> Result<EstimateOutput> {
    check_spec(spec)?;
    if spec.time.is_some() || spec.every.is_some() {
        return Err(Error::InvalidOption(
            "estimates per time window run in one process; on Spark or Dask, filter each window and estimate it".into(),
        ));
    }
    let c = Calibrated::fit(reference, spec, r, rseen)?;
    check_data(data, spec, &a, &aseen, &c.positive)?;
    Ok(output(data, reference, spec, &c, (&a, &aseen), vec![]))
}

/// The report of the data's state `a` estimated with `c`, and its windows.
fn output(
    data: &Table,
    reference: &Table,
    spec: &EstimateSpec,
    c: &Calibrated,
    (a, aseen): (&AnalysisState, &Seen),
    windows: Vec<EstimateWindow>,
) -> EstimateOutput {
    let (overall, attributes) = c.estimate(a, spec);
    let every = spec.every.as_ref().and_then(|e| e.parse::<Every>().ok());
    EstimateOutput {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        input: input_info(data),
        reference: input_info(reference),
        roles: EstimateRoles {
            score: spec.score.clone(),
            prediction: spec.prediction.clone(),
            threshold: spec.prediction.is_none().then_some(spec.threshold),
            label: spec.label.clone(),
            positive_label: c.positive.clone(),
            sensitive: spec.sensitive.clone(),
            time: spec.time.clone(),
            every: every.map(|e| e.name()),
        },
        rows: EstimateRows {
            analysis: aseen.rows,
            analysis_excluded: a.excluded,
            reference: c.seen.rows,
            reference_excluded: c.excluded,
        },
        calibration: spec.calibration,
        min_group_size: spec.min_group_size,
        confidence: spec.confidence,
        estimated: true,
        method: crate::present::estimate_method(spec.confidence),
        overall,
        attributes,
        windows,
    }
}

/// The estimates of each time window of `data` (its rows by `time`, as `fairgauge monitor`
/// puts them), every window calibrated by the same reference.
fn estimate_windows(
    data: &Table,
    c: &Calibrated,
    spec: &EstimateSpec,
    time: &str,
    every: Every,
) -> Result<Vec<EstimateWindow>> {
    data.require_columns(&[time])?;
    // Only the columns the estimates and windows read.
    let mut columns: Vec<String> = vec![spec.score.clone()];
    columns.extend(spec.prediction.iter().cloned());
    columns.extend(spec.sensitive.iter().cloned());
    if !columns.iter().any(|c| c == time) {
        columns.push(time.to_string());
    }
    let loaded = load_columns(data, &columns)?;
    let plan = read_plan(&loaded, time, every)?;
    let drop = [time.to_string()];
    plan.windows
        .iter()
        .map(|w| {
            let name = format!("{} [{} .. {}]", data.name().display(), w.start, w.end);
            let table = take_rows(&loaded, Some(&w.rows), &drop, &name)?;
            let (a, _) = read_state::<2>(&table, spec, false, 0)?;
            let (overall, attributes) = c.estimate(&a, spec);
            Ok(EstimateWindow {
                start: w.start.to_string(),
                end: w.end.to_string(),
                rows: w.rows.len() as u64,
                overall,
                attributes,
            })
        })
        .collect()
}

fn input_info(t: &Table) -> InputInfo {
    InputInfo {
        path: t.name().to_path_buf(),
        format: t.format_name(),
        schema_file: t.schema_file().map(|p| p.to_path_buf()),
    }
}

fn group_entry(
    name: &str,
    fit: &GroupFit,
    cal: &Calibrator,
    a: &Analysis,
    z: f64,
    min_rows: u64,
) -> GroupEntry {
    let e = estimate(a, cal, z);
    let rows = a.rows();
    let mut estimated = e.as_ref().map(|e| e.metrics).unwrap_or_default();
    if let Some(s) = &fit.sampling {
        estimated.set_sampling_errors(|m| s.error(m, rows));
    }
    let ok = fit.reference_rows >= min_rows && rows >= min_rows;
    GroupEntry {
        group: name.to_string(),
        rows,
        reference_rows: fit.reference_rows,
        selection_rate: e.as_ref().map(|e| e.selection_rate),
        reliability: fit.reliability.clone(),
        calibration: fit.check.clone(),
        expected_confusion: e.map(|e| e.confusion),
        estimated,
        status: if ok { "ok" } else { "insufficient_data" }.to_string(),
    }
}

fn check_spec(spec: &EstimateSpec) -> Result<()> {
    if !(spec.threshold.is_finite() && (0.0..=1.0).contains(&spec.threshold)) {
        return Err(Error::InvalidOption(format!(
            "the threshold must be in [0, 1], given {}",
            spec.threshold
        )));
    }
    if !(spec.confidence > 0.0 && spec.confidence < 1.0) {
        return Err(Error::InvalidOption(format!(
            "the confidence must be strictly between 0 and 1, given {}",
            spec.confidence
        )));
    }
    Ok(())
}

fn bad(table: &Table, column: &str, message: String) -> Error {
    Error::BadColumn {
        path: table.path.clone(),
        column: column.to_string(),
        message,
    }
}

/// The reference must have rows, labels of two values with a positive one, and rows with a
/// score, a decision and a label. Returns the positive label.
fn check_reference(
    table: &Table,
    spec: &EstimateSpec,
    r: &ReferenceState,
    seen: &Seen,
) -> Result<String> {
    if seen.rows == 0 {
        return Err(Error::Format {
            path: table.path.clone(),
            message: "the reference has no data rows".into(),
        });
    }
    if seen.label.non_null == 0 {
        return Err(bad(
            table,
            &spec.label,
            "every value is null; the reference needs labels to calibrate the scores".into(),
        ));
    }
    let values = &seen.label.values;
    if values.len() > 2 {
        return Err(bad(
            table,
            &spec.label,
            format!(
                "the label has more than two values ({}); estimates are for binary classifiers",
                seen.label.list()
            ),
        ));
    }
    let given = spec.positive_label.as_deref().map(canonical_text);
    let positive = seen
        .label
        .positive(given.as_deref())
        .map_err(|m| bad(table, &spec.label, m))?;
    check_decisions(table, spec, seen, &positive)?;
    if r.all.rows() == 0 {
        return Err(Error::Format {
            path: table.path.clone(),
            message: format!(
                "no reference row has a score, a decision and a label together (columns `{}`, `{}`)",
                spec.score, spec.label
            ),
        });
    }
    Ok(positive)
}

/// The prediction column's values are the positive label and at most one other.
fn check_decisions(table: &Table, spec: &EstimateSpec, seen: &Seen, positive: &str) -> Result<()> {
    let Some(p) = &spec.prediction else {
        return Ok(());
    };
    let others = seen
        .prediction
        .values
        .iter()
        .filter(|v| *v != positive)
        .count();
    if others > 1 {
        return Err(bad(
            table,
            p,
            format!(
                "the prediction has values {}; a binary decision is the positive label `{positive}` or one other value",
                seen.prediction.list()
            ),
        ));
    }
    Ok(())
}

fn check_data(
    table: &Table,
    spec: &EstimateSpec,
    a: &AnalysisState,
    seen: &Seen,
    positive: &str,
) -> Result<()> {
    if seen.rows == 0 {
        return Err(Error::Format {
            path: table.path.clone(),
            message: "the table has no data rows".into(),
        });
    }
    check_decisions(table, spec, seen, positive)?;
    if a.all.rows() == 0 {
        return Err(bad(
            table,
            &spec.score,
            "no row has both a score and a decision; every score (or decision) is null".into(),
        ));
    }
    Ok(())
}
