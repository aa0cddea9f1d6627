//! A seeded synthetic generator: tables with a planted group disparity and a planted drift of
//! known size, for tests and benchmarks. The same seed gives the same table, whatever the number
//! of threads (each block of rows has its own ChaCha stream).
//!
//! Columns: `sex` (Female 48%, Male 52%), `race` (White 60%, Black 15%, Asian 10%, Hispanic 10%,
//! Other 5%), `age` (18–90), `region` (8 regions), `income` (log-normal), `education` (7 levels),
//! `marital` (4), `occupation` (10), `x1`…`xk` (standard normal features), `label` (0/1, base rate 30%), `prediction` (0/1) and `score` (in [0, 1],
//! 4 decimals, at or above 0.5 exactly when the prediction is 1).
//!
//! Planted disparity `d`: the reference groups (Male, White) have TPR 0.80 and FPR 0.10; every
//! other group of `sex` has TPR `0.80 − d`, every other group of `race` TPR `0.80 − d/2`, so the
//! expected equal-opportunity difference is `d` for `sex`.
//! Planted drift `s`: `income`'s log-mean moves by `s` (in units of its log-sd) and `region`'s
//! first category gains `s · 10` percentage points, taken evenly from the others.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::frame::{write_table, write_table_chunks, OwnedColumn};
use crate::io::source::InputFormat;

/// Generator settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// Rows.
    pub rows: usize,
    /// Seed.
    pub seed: u64,
    /// Planted TPR gap between groups (0 for none).
    pub disparity: f64,
    /// Planted drift size (0 for the reference distribution).
    pub drift: f64,
    /// Extra standard-normal feature columns `x1…xk`.
    pub features: usize,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            rows: 100_000,
            seed: 42,
            disparity: 0.1,
            drift: 0.0,
            features: 4,
        }
    }
}

const SEXES: [&str; 2] = ["Female", "Male"];
const SEX_P: [f64; 2] = [0.48, 0.52];
const RACES: [&str; 5] = ["White", "Black", "Asian", "Hispanic", "Other"];
const RACE_P: [f64; 5] = [0.60, 0.15, 0.10, 0.10, 0.05];
const REGIONS: [&str; 8] = [
    "north", "south", "east", "west", "central", "coast", "mountain", "islands",
];
const EDUCATION: [&str; 7] = [
    "primary",
    "lower-secondary",
    "upper-secondary",
    "vocational",
    "bachelor",
    "master",
    "doctorate",
];
const EDUCATION_P: [f64; 7] = [0.08, 0.12, 0.30, 0.15, 0.22, 0.10, 0.03];
const MARITAL: [&str; 4] = ["single", "married", "divorced", "widowed"];
const MARITAL_P: [f64; 4] = [0.35, 0.45, 0.14, 0.06];
const OCCUPATION: [&str; 10] = [
    "clerical",
    "craft",
    "executive",
    "farming",
    "service",
    "professional",
    "sales",
    "tech",
    "transport",
    "other",
];
const BLOCK: usize = 1 << 16;

fn pick(rng: &mut ChaCha8Rng, p: &[f64]) -> usize {
    let u: f64 = rng.gen();
    let mut acc = 0.0;
    for (i, &w) in p.iter().enumerate() {
        acc += w;
        if u < acc {
            return i;
        }
    }
    p.len() - 1
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller.
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[derive(Default)]
struct Block {
    sex: Vec<String>,
    race: Vec<String>,
    age: Vec<i64>,
    region: Vec<String>,
    income: Vec<f64>,
    education: Vec<String>,
    marital: Vec<String>,
    occupation: Vec<String>,
    x: Vec<Vec<f64>>,
    label: Vec<i64>,
    prediction: Vec<i64>,
    score: Vec<f64>,
}

fn block(o: &SynthOptions, index: usize, rows: usize) -> Block {
    let mut rng =
        ChaCha8Rng::seed_from_u64(o.seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut region_p = [1.0 / 8.0; 8];
    let shift = (o.drift * 0.10).clamp(0.0, 0.8);
    region_p[0] += shift;
    for p in region_p.iter_mut().skip(1) {
        *p -= shift / 7.0;
    }
    let mut b = Block {
        x: vec![Vec::with_capacity(rows); o.features],
        ..Default::default()
    };
    for _ in 0..rows {
        let s = pick(&mut rng, &SEX_P);
        let r = pick(&mut rng, &RACE_P);
        let y = rng.gen::<f64>() < 0.30;
        let mut tpr: f64 = 0.80;
        if s != 1 {
            tpr -= o.disparity;
        }
        if r != 0 {
            tpr -= o.disparity / 2.0;
        }
        let fpr = 0.10;
        let pred = rng.gen::<f64>() < if y { tpr.clamp(0.0, 1.0) } else { fpr };
        let u: f64 = rng.gen();
        let score = if pred {
            0.5 + 0.5 * u
        } else {
            0.5 * u * 0.9999
        };
        b.sex.push(SEXES[s].to_string());
        b.race.push(RACES[r].to_string());
        b.age.push(rng.gen_range(18..=90));
        b.region
            .push(REGIONS[pick(&mut rng, &region_p)].to_string());
        b.income
            .push((10.5 + 0.6 * (normal(&mut rng) + o.drift)).exp().round());
        b.education
            .push(EDUCATION[pick(&mut rng, &EDUCATION_P)].to_string());
        b.marital
            .push(MARITAL[pick(&mut rng, &MARITAL_P)].to_string());
        b.occupation
            .push(OCCUPATION[rng.gen_range(0..OCCUPATION.len())].to_string());
        for f in b.x.iter_mut() {
            f.push(normal(&mut rng));
        }
        b.label.push(y as i64);
        b.prediction.push(pred as i64);
        b.score.push((score * 10_000.0).round() / 10_000.0);
    }
    b
}

/// Generates the table as named columns.
pub fn generate(o: &SynthOptions) -> Result<Vec<(String, OwnedColumn)>> {
    check(o)?;
    generate_blocks(o, 0..o.rows.div_ceil(BLOCK))
}

fn check(o: &SynthOptions) -> Result<()> {
    if !(0.0..=0.8).contains(&o.disparity) {
        return Err(Error::InvalidOption(format!(
            "--disparity must be in [0, 0.8], given {}",
            o.disparity
        )));
    }
    if !(o.drift.is_finite() && o.drift >= 0.0) {
        return Err(Error::InvalidOption(format!(
            "--drift must be a non-negative number, given {}",
            o.drift
        )));
    }
    Ok(())
}

/// Blocks of rows per chunk written by [`write_synth`] (whole blocks, so the table does not
/// depend on the chunking).
const CHUNK_BLOCKS: usize = 16;

/// The rows of blocks `range` as named columns.
fn generate_blocks(
    o: &SynthOptions,
    range: std::ops::Range<usize>,
) -> Result<Vec<(String, OwnedColumn)>> {
    let blocks: Vec<Block> = range
        .into_par_iter()
        .map(|i| block(o, i, BLOCK.min(o.rows - i * BLOCK)))
        .collect();
    let rows: usize = blocks.iter().map(|b| b.label.len()).sum();
    let mut all = Block {
        x: vec![Vec::with_capacity(rows); o.features],
        ..Default::default()
    };
    for b in blocks {
        all.sex.extend(b.sex);
        all.race.extend(b.race);
        all.age.extend(b.age);
        all.region.extend(b.region);
        all.income.extend(b.income);
        all.education.extend(b.education);
        all.marital.extend(b.marital);
        all.occupation.extend(b.occupation);
        for (a, x) in all.x.iter_mut().zip(b.x) {
            a.extend(x);
        }
        all.label.extend(b.label);
        all.prediction.extend(b.prediction);
        all.score.extend(b.score);
    }
    let mut cols = vec![
        ("sex".to_string(), OwnedColumn::Str(all.sex)),
        ("race".to_string(), OwnedColumn::Str(all.race)),
        ("age".to_string(), OwnedColumn::I64(all.age)),
        ("region".to_string(), OwnedColumn::Str(all.region)),
        ("income".to_string(), OwnedColumn::F64(all.income)),
        ("education".to_string(), OwnedColumn::Str(all.education)),
        ("marital".to_string(), OwnedColumn::Str(all.marital)),
        ("occupation".to_string(), OwnedColumn::Str(all.occupation)),
    ];
    for (i, x) in all.x.into_iter().enumerate() {
        cols.push((format!("x{}", i + 1), OwnedColumn::F64(x)));
    }
    cols.push(("label".to_string(), OwnedColumn::I64(all.label)));
    cols.push(("prediction".to_string(), OwnedColumn::I64(all.prediction)));
    cols.push(("score".to_string(), OwnedColumn::F64(all.score)));
    Ok(cols)
}

/// Generates the table and writes it to `path` (format from `format` or the extension).
pub fn write_synth(
    o: &SynthOptions,
    path: &std::path::Path,
    format: Option<InputFormat>,
) -> Result<()> {
    let format = format
        .or_else(|| InputFormat::from_path(path))
        .ok_or_else(|| Error::Format {
            path: path.to_path_buf(),
            message:
                "cannot tell the output format from the extension (.csv, .parquet, .arrow, .ndjson)"
                    .into(),
        })?;
    check(o)?;
    if o.rows == 0 {
        return write_table(path, format, generate(o)?);
    }
    // A chunk of whole blocks at a time: memory holds one chunk whatever the rows.
    let blocks = o.rows.div_ceil(BLOCK);
    let chunks = (0..blocks)
        .step_by(CHUNK_BLOCKS)
        .map(|b| generate_blocks(o, b..(b + CHUNK_BLOCKS).min(blocks)));
    write_table_chunks(path, format, chunks)
}
