//! `fairgauge fairness`: per-group rates, disparities and summaries.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use fairgauge::fairness::{run_task, FairnessSpec, ProbabilisticSpec, Task, TaskOutput};
use fairgauge_core::fairness::{Bootstrap, FairnessOptions, ReferenceSpec};

use crate::output::Format;
use crate::read_args::ReadArgs;
use crate::status::ExitStatus;

/// What kind of model is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TaskArg {
    /// A binary classifier, or a binary label for dataset bias.
    Binary,
    /// A classifier of up to 100 classes: per-group confusion matrices, every class judged
    /// one-vs-rest (selection rate, TPR, FPR, PPV), parity summaries per class and their worst
    /// class.
    Multiclass,
    /// A regression model: numeric --label and --prediction; per group mean label, mean
    /// prediction, mean error, MAE, RMSE, R², the predictions' distribution against the
    /// reference group's (KS, normed Wasserstein), Welch disparities, bounded group loss; with
    /// --threshold T the binary rates of "at or above T".
    Regression,
    /// A ranking: items in lists (--query), ordered by --rank or --score, optionally with
    /// --relevance; per group exposure (Singh & Joachims 2018) and its share, selection rate in
    /// the top --k, the exposure-to-relevance ratio and NDCG.
    Ranking,
}

impl From<TaskArg> for Task {
    fn from(t: TaskArg) -> Task {
        match t {
            TaskArg::Binary => Task::Binary,
            TaskArg::Multiclass => Task::Multiclass,
            TaskArg::Regression => Task::Regression,
            TaskArg::Ranking => Task::Ranking,
        }
    }
}

/// Arguments of `fairgauge fairness`.
#[derive(Debug, Args)]
pub struct FairnessArgs {
    /// The table to assess (CSV, Parquet, Arrow IPC or NDJSON).
    pub data: PathBuf,
    /// Column holding the true label (every task but ranking, whose truth is --relevance).
    #[arg(long, value_name = "COL")]
    pub label: Option<String>,
    /// The task: `binary` (a label with two values), `multiclass` (the label and --prediction
    /// hold classes), `regression` (they hold numbers) or `ranking` (--query lists ordered by
    /// --rank or --score).
    #[arg(long, value_enum, default_value_t = TaskArg::Binary)]
    pub task: TaskArg,
    /// Column holding the model's binary decision. Without it (and without --score) only the
    /// dataset's bias is measured: base rates by group.
    #[arg(long, value_name = "COL")]
    pub prediction: Option<String>,
    /// Column holding the model's probability of the positive label (with --task ranking: any
    /// number that orders each list, highest first).
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,
    /// A score at or above this is a positive decision (used when no --prediction is given;
    /// default 0.5). With --task regression: values at or above T are "selected", and the
    /// binary rates of label ≥ T against prediction ≥ T are reported too.
    #[arg(long, value_name = "T")]
    pub threshold: Option<f64>,
    /// Sensitive attributes, comma-separated.
    #[arg(
        long,
        value_name = "COL[,COL…]",
        value_delimiter = ',',
        required_unless_present = "sensitive_probabilities"
    )]
    pub sensitive: Vec<String>,
    /// A sensitive attribute known only as probabilities, repeatable: NAME=COL,COL,… (one
    /// column per group, each row's summing to 1; `p_white` names group `white`) or
    /// NAME=GROUP:COL,…, as `fairgauge bisg` writes them. Each row counts towards every group
    /// with its probability; the threshold estimator (NAME_assigned) is reported beside it.
    #[arg(long, value_name = "NAME=COL,COL…")]
    pub sensitive_probabilities: Vec<String>,
    /// With --sensitive-probabilities: the threshold estimator assigns a row its most likely
    /// group when that probability is at least P.
    #[arg(long, default_value_t = fairgauge::fairness::DEFAULT_ASSIGN_THRESHOLD, value_name = "P")]
    pub assign_threshold: f64,
    /// With --sensitive-probabilities: also bound the base and selection rates and their
    /// differences without assuming the outcome independent of membership given the proxies,
    /// over the strata of these columns (proxies the probabilities were computed from, such as
    /// the ZIP code or tract; strata should hold many rows each).
    #[arg(
        long,
        value_name = "COL[,COL…]",
        value_delimiter = ',',
        requires = "sensitive_probabilities"
    )]
    pub bounds_by: Vec<String>,
    /// Ranking: the column naming each item's list (a query, a search, a shortlist).
    #[arg(long, value_name = "COL")]
    pub query: Option<String>,
    /// Ranking: the column of each item's 1-based rank in its list (or order by --score,
    /// highest first; tied scores share their positions).
    #[arg(long, value_name = "COL", conflicts_with = "score")]
    pub rank: Option<String>,
    /// Ranking: the column of each item's relevance (a number ≥ 0), for the
    /// exposure-to-relevance ratio and NDCG.
    #[arg(long, value_name = "COL")]
    pub relevance: Option<String>,
    /// Ranking: the top-k cut-offs, comma-separated (default 10).
    #[arg(long, value_name = "K[,K…]", value_delimiter = ',')]
    pub k: Vec<u32>,
    /// Column of sample weights (finite numbers ≥ 0; null only where the label, or a ranking's
    /// query, is null, as the row is left out): every rate (regression: every metric;
    /// ranking: every item's share, exposure, top-k share and relevance) becomes a ratio of
    /// weighted sums, as Fairlearn's `sample_weight`; intervals and tests use Kish's effective
    /// size.
    #[arg(long, value_name = "COL")]
    pub weight: Option<String>,
    /// Also assess every combination of the sensitive attributes (e.g. sex & race).
    #[arg(long)]
    pub intersect: bool,
    /// The label value that is the positive (favourable) outcome, e.g. `>50K`, `1`, `yes`.
    /// Default: the label value among 1, true, yes, y, t, positive.
    #[arg(long, value_name = "V")]
    pub positive_label: Option<String>,
    /// Reference group: `majority` (largest), `best` or `worst` (per metric), a group name used
    /// wherever it occurs, or ATTR=GROUP pairs, comma-separated (`sex=Male,race=White`).
    #[arg(long, default_value = "majority", value_name = "NAME")]
    pub reference_group: String,
    /// Groups with fewer rows are marked insufficient_data (kept, but left out of summaries).
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub min_group_size: u64,
    /// Confidence level of every interval.
    #[arg(long, default_value_t = 0.95, value_name = "C")]
    pub confidence: f64,
    /// α of the generalized entropy index (AIF360's default is 2).
    #[arg(long, default_value_t = 2.0, value_name = "A")]
    pub gei_alpha: f64,
    /// Percentile bootstrap intervals (B replicates) of the summaries (demographic parity,
    /// equalized odds, equal opportunity; regression: every difference, ratio and bounded group
    /// loss; ranking: every difference and ratio), as Fairlearn's `MetricFrame(n_boot=B)`; the
    /// row bootstrap drawn from the counts (Poisson weights per row for regression and with
    /// --weight, per list for rankings), deterministic with --seed.
    #[arg(long, value_name = "B")]
    pub bootstrap: Option<u32>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0, value_name = "S", requires = "bootstrap")]
    pub seed: u64,
    /// Expected population shares of an attribute's groups, repeatable:
    /// `sex=Female:0.5,Male:0.5`.
    #[arg(long, value_name = "ATTR=G:S,G:S")]
    pub expected_shares: Vec<String>,
    /// Gate a pipeline: exit 1 when a fairness finding `assess` would make of this report (the
    /// default policy's thresholds, or --policy's) fails (`fail`), or warns or fails (`warn`).
    /// The stopping findings are listed on stderr.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<crate::gate::FailLevel>,
    /// The policy whose thresholds --fail-on judges with (default: the built-in policy).
    #[arg(long, value_name = "FILE", requires = "fail_on")]
    pub policy: Option<PathBuf>,
    /// Deprecated spelling of --column-names.
    #[arg(
        long,
        value_name = "A,B,C",
        value_delimiter = ',',
        hide = true,
        conflicts_with = "column_names"
    )]
    pub columns: Option<Vec<String>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

fn parse_reference(s: &str) -> Result<ReferenceSpec> {
    ReferenceSpec::parse(s).map_err(|e| anyhow::anyhow!("--reference-group: {e}"))
}

fn parse_shares(items: &[String]) -> Result<BTreeMap<String, BTreeMap<String, f64>>> {
    let mut out = BTreeMap::new();
    for item in items {
        let Some((attr, rest)) = item.split_once('=') else {
            bail!("--expected-shares `{item}`: expected ATTR=GROUP:SHARE,GROUP:SHARE");
        };
        let mut shares = BTreeMap::new();
        for part in rest.split(',') {
            let Some((g, v)) = part.rsplit_once(':') else {
                bail!("--expected-shares `{item}`: `{part}` is not GROUP:SHARE");
            };
            let v: f64 = v.trim().parse().map_err(|_| {
                anyhow::anyhow!("--expected-shares `{item}`: share `{v}` is not a number")
            })?;
            shares.insert(g.trim().to_string(), v);
        }
        out.insert(attr.trim().to_string(), shares);
    }
    Ok(out)
}

/// Runs the subcommand.
pub fn run(a: FairnessArgs) -> Result<ExitStatus> {
    let opts = FairnessOptions {
        confidence: a.confidence,
        min_group_size: a.min_group_size,
        reference: parse_reference(&a.reference_group)?,
        intersect: a.intersect,
        gei_alpha: a.gei_alpha,
        bootstrap: a.bootstrap.map(|replicates| Bootstrap {
            replicates,
            seed: a.seed,
        }),
        expected_shares: parse_shares(&a.expected_shares)?,
        ..Default::default()
    };
    if !(a.confidence > 0.0 && a.confidence < 1.0) {
        bail!(
            "--confidence must be strictly between 0 and 1, given {}",
            a.confidence
        );
    }
    let names = crate::read_args::deprecated_columns(&a.columns, "fairness");
    let policy = a
        .fail_on
        .map(|_| crate::gate::policy(a.policy.as_deref()))
        .transpose()?;
    let table = a.read.open(&a.data, &a.read.to_options(names)?)?;
    let has_decisions = a.prediction.is_some() || a.score.is_some();
    if a.task == TaskArg::Multiclass && a.threshold.is_some() {
        bail!("--threshold turns a binary score into decisions; the multiclass task takes the predicted class (--prediction)");
    }
    let ranking = a.task == TaskArg::Ranking;
    if !ranking
        && (a.query.is_some() || a.rank.is_some() || a.relevance.is_some() || !a.k.is_empty())
    {
        bail!("--query, --rank, --relevance and --k describe a ranking: add --task ranking");
    }
    if ranking && a.query.is_none() {
        bail!("--task ranking needs the column naming each item's list (--query COL)");
    }
    if ranking && a.threshold.is_some() {
        bail!("--threshold is for the binary and regression tasks; a ranking's top is chosen with --k");
    }
    if ranking && a.label.is_some() {
        bail!("a ranking's truth is its relevance: give --relevance COL instead of --label");
    }
    let Some(label) = a.label.or_else(|| ranking.then(String::new)) else {
        bail!("--label COL is needed: the column holding the true label");
    };
    let spec = FairnessSpec {
        label,
        prediction: a.prediction,
        score: a.score,
        threshold: a
            .threshold
            .filter(|_| a.task != TaskArg::Regression)
            .unwrap_or(0.5),
        sensitive: a.sensitive,
        positive_label: a.positive_label,
        weight: a.weight,
        above_threshold: (a.task == TaskArg::Regression)
            .then_some(a.threshold)
            .flatten(),
        keep_labels: a.bootstrap.is_some(),
        ranking: a.query.map(|query| fairgauge::fairness::RankingSpec {
            query,
            rank: a.rank,
            relevance: a.relevance,
            k: a.k,
        }),
        task: a.task.into(),
        probabilistic: a
            .sensitive_probabilities
            .iter()
            .map(|p| {
                ProbabilisticSpec::parse(p, a.assign_threshold)
                    .map(|p| p.with_bounds_by(&a.bounds_by))
            })
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("--sensitive-probabilities {e}"))?,
    };
    let bar = crate::output::progress_bar();
    let result = run_task(&table, &spec, &opts, bar.callback());
    bar.finish();
    let out = match result? {
        TaskOutput::Binary(out) => out,
        TaskOutput::Ranking(out) => {
            crate::output::emit_report(
                out.as_ref(),
                a.format,
                crate::render::ranking_text,
                a.output.as_deref(),
            )?;
            return Ok(match (a.fail_on, policy) {
                (Some(level), Some(policy)) => {
                    level.verdict(&fairgauge::assess::judge_ranking(&policy, &out.report))
                }
                _ => ExitStatus::Success,
            });
        }
        TaskOutput::Regression(out) => {
            crate::output::emit_report(
                out.as_ref(),
                a.format,
                crate::render::regression_text,
                a.output.as_deref(),
            )?;
            return Ok(match (a.fail_on, policy) {
                (Some(level), Some(policy)) => {
                    level.verdict(&fairgauge::assess::judge_regression(&policy, &out.report))
                }
                _ => ExitStatus::Success,
            });
        }
        TaskOutput::Multiclass(out) => {
            crate::output::emit_report(
                out.as_ref(),
                a.format,
                crate::render::multiclass_text,
                a.output.as_deref(),
            )?;
            return Ok(match (a.fail_on, policy) {
                (Some(level), Some(policy)) => {
                    level.verdict(&fairgauge::assess::judge_multiclass(&policy, &out.report))
                }
                _ => ExitStatus::Success,
            });
        }
    };
    crate::output::emit_report(
        out.as_ref(),
        a.format,
        crate::render::fairness_text,
        a.output.as_deref(),
    )?;
    Ok(match (a.fail_on, policy) {
        (Some(level), Some(policy)) => level.verdict(&fairgauge::assess::judge_fairness(
            &policy,
            &out.report,
            has_decisions,
        )),
        _ => ExitStatus::Success,
    })
}
