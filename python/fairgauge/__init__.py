"""fairgauge: bias and data-integrity measurements of AI systems, turned into evidence.

Feed it the DataFrame you have (pandas, polars, pyarrow, anything with ``__arrow_c_stream__``) or a
file path; get reports with DataFrames and notebook displays back::

    import fairgauge

    report = fairgauge.fairness(df, label="income", prediction="pred", sensitive=["sex", "race"],
                                positive_label=">50K")
    report.by_group          # a polars DataFrame (.to_pandas() for pandas)
    report.disparities

    evidence = fairgauge.assess(test_df, reference=train_df, label="income", prediction="pred",
                                sensitive=["sex"], positive_label=">50K")
    evidence.passed, evidence.risks
    evidence.write("out", formats=["json", "register", "oscal", "html"])

``fairgauge.metrics`` has Fairlearn's metric functions with Fairlearn's signatures.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import _fairgauge
from ._bisg import bisg
from ._errors import (
    ColumnNotFoundError,
    DataError,
    FairgaugeError,
    FairgaugeIOError,
    InternalError,
    LedgerError,
    OptionError,
    PolicyError,
    RulesError,
    SchemaError,
)
from ._estimate import estimate
from ._input import table_source
from ._native import FAIRNESS_DEFAULTS, call
from ._reports import (
    DriftReport,
    EstimateReport,
    Evidence,
    FairnessReport,
    History,
    MonitorReport,
    MulticlassReport,
    QualityReport,
    RankingReport,
    RegressionReport,
)

__version__: str = _fairgauge.__version__

__all__ = [
    "ColumnNotFoundError",
    "DataError",
    "DriftReport",
    "EstimateReport",
    "Evidence",
    "FairgaugeError",
    "FairgaugeIOError",
    "FairnessReport",
    "History",
    "InternalError",
    "LedgerError",
    "MonitorReport",
    "MulticlassReport",
    "OptionError",
    "PolicyError",
    "QualityReport",
    "RankingReport",
    "RegressionReport",
    "RulesError",
    "SchemaError",
    "__version__",
    "assess",
    "bisg",
    "drift",
    "estimate",
    "fairness",
    "history",
    "metrics",
    "monitor",
    "quality",
]


def _label_text(v: Any) -> str | None:
    """A label value as the core compares it (`1`, `1.0` and True as `1`, `1`, `true`)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _path(v: str | os.PathLike[str] | None) -> str | None:
    """A path argument (``str`` or ``os.PathLike``, such as ``pathlib.Path``) as the core takes it."""
    return None if v is None else os.fspath(v)


def _names(v: str | Sequence[str] | None) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def _fairness_args(
    label: str,
    prediction: str | None,
    sens: list[str],
    score: str | None,
    threshold: float | None,
    positive_label: Any,
    reference_group: str,
    intersect: bool,
    min_group_size: int,
    confidence: float,
    gei_alpha: float,
    weight: str | None = None,
    bootstrap: int | None = None,
    seed: int = 0,
    task: str = "binary",
    probabilities: list[str] | None = None,
    assign_threshold: float = 0.8,
    bounds_by: list[str] | None = None,
) -> dict[str, Any]:
    if task not in ("binary", "multiclass", "regression", "ranking"):
        raise ValueError(f"task is 'binary', 'multiclass', 'regression' or 'ranking', given {task!r}")
    if task == "multiclass" and threshold is not None:
        raise ValueError("threshold turns a binary score into decisions; the multiclass task takes predicted classes")
    # A regression's threshold selects values at or above it; a binary one turns scores into
    # decisions (0.5 when not given).
    above = threshold if task == "regression" else None
    if threshold is None or task == "regression":
        threshold = 0.5
    if bootstrap is not None and (isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 2):
        raise ValueError(
            f"bootstrap is a number of replicates, an integer of at least 2 (200 is typical), given {bootstrap!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise ValueError(f"seed is an integer in [0, 2**64), given {seed!r}")
    return {
        "task": task,
        "weight": weight,
        "bootstrap": bootstrap,
        "seed": seed,
        "label": label,
        "prediction": prediction,
        "score": score,
        "threshold": threshold,
        "above_threshold": above,
        "sensitive": sens,
        "positive_label": _label_text(positive_label),
        "reference_group": reference_group,
        "intersect": intersect,
        "min_group_size": min_group_size,
        "confidence": confidence,
        "gei_alpha": gei_alpha,
        "sensitive_probabilities": probabilities or [],
        "assign_threshold": assign_threshold,
        "bounds_by": bounds_by or [],
    }


def _probabilities(spec: Any) -> tuple[list[str], list[str]]:
    """`sensitive_probabilities` as the core reads it (``NAME=COL,COL`` or ``NAME=GROUP:COL``
    strings) and the columns it names."""
    if spec is None:
        return [], []
    if not isinstance(spec, dict):
        raise TypeError(
            "sensitive_probabilities is a dict: {'race': ['p_white', 'p_black', ...]} or "
            "{'race': {'white': 'p_white', ...}}"
        )
    out, columns = [], []
    for name, groups in spec.items():
        if isinstance(groups, dict):
            items = [f"{g}:{c}" for g, c in groups.items()]
            columns += list(groups.values())
        elif isinstance(groups, str):
            raise TypeError(f"sensitive_probabilities[{name!r}] lists the columns: a list, not a string")
        else:
            items = list(groups)
            columns += items
        out.append(f"{name}={','.join(items)}")
    return out, columns


def _cutoffs(k: Any) -> list[int]:
    """`k` as a list of whole numbers (an int, a numpy integer, or a sequence or array of them);
    `[0]` (refused by the caller) for anything else."""
    if k is None:
        return []
    if isinstance(k, (bool, float, str)):
        return [0]
    try:
        return [operator.index(k)]
    except TypeError:
        pass
    try:
        return [0 if isinstance(x, bool) else operator.index(x) for x in k]
    except TypeError:
        return [0]


def _ranking_args(
    task: str,
    label: str | None,
    threshold: float | None,
    query: str | None,
    rank: str | None,
    relevance: str | None,
    k: int | Sequence[int] | None,
) -> dict[str, Any] | None:
    """The ranking roles (``None`` for the other tasks, which must not be given them)."""
    if task != "ranking":
        if query is not None or rank is not None or relevance is not None or k is not None:
            raise ValueError("query, rank, relevance and k describe a ranking: add task='ranking'")
        if label is None:
            raise ValueError("label is needed: the column holding the true label")
        return None
    if label is not None:
        raise ValueError("a ranking's truth is its relevance: give relevance= instead of label=")
    if threshold is not None:
        raise ValueError("threshold is for the binary and regression tasks; a ranking's top is chosen with k=")
    if query is None:
        raise ValueError("task='ranking' needs query=, the column naming each item's list")
    ks = _cutoffs(k)
    if (not ks and k is not None) or any(not 1 <= x < 2**32 for x in ks):
        raise ValueError(f"k is a whole cut-off of at least 1, or a list of them, given {k!r}")
    return {"query": query, "rank": rank, "relevance": relevance, "k": ks}


def _drift_args(
    columns: Sequence[str] | None,
    exclude: Sequence[str],
    method: str,
    numeric_method: str | None,
    categorical_method: str | None,
    threshold: float | None,
    correction: str,
    dataset_threshold: float,
    bins: int,
    sketch: int | None,
) -> dict[str, Any]:
    return {
        "columns": list(columns) if columns is not None else None,
        "exclude": list(exclude),
        "method": method,
        "numeric_method": numeric_method,
        "categorical_method": categorical_method,
        "threshold": threshold,
        "correction": correction,
        "dataset_threshold": dataset_threshold,
        "bins": bins,
        "sketch": sketch,
    }


def _quality_args(
    label: str | None,
    sensitive: str | Sequence[str] | None,
    key: str | Sequence[str] | None,
    rules: str | os.PathLike[str] | None,
    examples: int,
    sketch: int | None = None,
) -> dict[str, Any]:
    return {
        "label": label,
        "sensitive": _names(sensitive),
        "key": _names(key),
        "rules": _path(rules),
        "examples": examples,
        "sketch": sketch,
    }


def _roles(
    label: str | None,
    prediction: str | None,
    score: str | None,
    sensitive: str | Sequence[str] | None,
    positive_label: Any,
    reference_group: str | None,
    key: str | Sequence[str] | None,
    weight: str | None = None,
    task: str | None = None,
    ranking: dict[str, Any] | None = None,
    sensitive_probabilities: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The roles given (the policy's roles apply to the others); ``ranking`` the ranking roles
    (``query``, ``rank``, ``relevance``, ``k``); ``sensitive_probabilities`` as in
    :func:`fairness`."""
    if task not in (None, "binary", "multiclass", "regression", "ranking"):
        raise ValueError(f"assess judges task 'binary', 'multiclass', 'regression' or 'ranking', given {task!r}")
    roles: dict[str, Any] = {
        **(ranking or {}),
        "task": task,
        "weight": weight,
        "label": label,
        "prediction": prediction,
        "score": score,
        "sensitive": _names(sensitive) if sensitive is not None else None,
        "positive_label": _label_text(positive_label),
        "reference_group": reference_group,
        "key": _names(key) if key is not None else None,
    }
    if sensitive_probabilities is not None:
        roles["sensitive_probabilities"] = _probabilities(sensitive_probabilities)[0]
    return {k: v for k, v in roles.items() if v is not None}


def _command(name: str) -> list[str]:
    """The command line recorded in the evidence: the program, then the API function."""
    return [sys.argv[0] if sys.argv and sys.argv[0] else "python", name]


def _sources(stack: contextlib.ExitStack, data: Any, reference: Any) -> tuple[Any, str, Any, str]:
    """The table and the optional reference as the core reads them (their read options as JSON),
    open until `stack` closes."""
    path, read = stack.enter_context(table_source(data))
    rpath, rread = stack.enter_context(table_source(reference)) if reference is not None else (None, {})
    return path, json.dumps(read), rpath, json.dumps(rread)


def _with_weight(data: Any, weight: Any) -> tuple[Any, str | None]:
    """`data` and the name of its sample-weight column: `weight` itself when it names a column,
    else `weight` (a numpy array, list or pandas Series, one value per row) added to the data as
    a column ``sample_weight`` (``sample_weight_1``, … when that name is taken)."""
    if weight is None or isinstance(weight, str):
        return data, weight
    if isinstance(data, (str, os.PathLike)):
        raise TypeError(
            "weight= as an array needs the data in memory (a DataFrame, Arrow table, dict or numpy array); "
            "with a file, name its weight column: weight='COL'"
        )
    import pyarrow as pa

    from ._input import _to_arrow

    table = _to_arrow(data)
    name, i = "sample_weight", 0
    while name in table.column_names:
        i += 1
        name = f"sample_weight_{i}"
    try:
        values = pa.array(weight, type=pa.float64(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as e:
        raise DataError(f"weight= must be numbers, one per row: {e}") from None
    if len(values) != table.num_rows:
        raise DataError(f"weight= has {len(values)} values, the data has {table.num_rows} rows")
    return table.append_column(name, values), name


def fairness(
    data: Any,
    *,
    label: str | None = None,
    prediction: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    score: str | None = None,
    threshold: float | None = None,
    positive_label: Any = None,
    reference_group: str = "majority",
    intersect: bool = False,
    min_group_size: int = FAIRNESS_DEFAULTS["min_group_size"],
    confidence: float = FAIRNESS_DEFAULTS["confidence"],
    gei_alpha: float = FAIRNESS_DEFAULTS["gei_alpha"],
    policy: str | os.PathLike[str] | None = None,
    weight: Any = None,
    bootstrap: int | None = None,
    seed: int = 0,
    task: str = "binary",
    query: str | None = None,
    rank: str | None = None,
    relevance: str | None = None,
    k: int | Sequence[int] | None = None,
    sensitive_probabilities: dict[str, Any] | None = None,
    assign_threshold: float = 0.8,
    bounds_by: str | Sequence[str] | None = None,
) -> FairnessReport | MulticlassReport | RegressionReport | RankingReport:
    """Per-group confusion-matrix rates with Wilson intervals, disparities against the reference
    group (difference, ratio, Newcombe interval, z or Fisher test) and Fairlearn/AIF360
    summaries, as ``fairgauge fairness`` computes them.

    ``positive_label`` is the favourable label value; by default it is inferred as the CLI does:
    the label value among 1, true, yes, y, t, positive (an error names the values when none
    fits). ``policy`` (a TOML file) gives the thresholds the notebook display marks breaches
    with; by default the built-in policy's.

    ``weight`` gives sample weights: a column name, or one number per row (a numpy array, list or
    pandas Series). Every rate is then a ratio of weighted sums, equal to Fairlearn's
    ``MetricFrame(..., sample_weight=)``; intervals and tests use Kish's effective sample size
    (each group's ``weighted`` entry has it). Weights must be finite and ``>= 0``.

    ``bootstrap=B`` adds percentile intervals of the parity summaries (``summary[attr]["intervals"]``),
    as Fairlearn's ``MetricFrame(n_boot=B, ci_quantiles=…)``: the row bootstrap, drawn exactly from
    the counts, the same for the same ``seed`` whatever the data's chunking or engine; with
    ``weight``, every row draws a Poisson(1) weight per replicate instead.

    ``task="multiclass"`` judges a classifier of up to 100 classes (``label`` and ``prediction``
    hold classes; no ``score`` or ``positive_label``) and returns a :class:`MulticlassReport`: per
    group the confusion matrix (``confusion_matrix(attr, group)``, a numpy array), accuracy, macro
    and micro averages, each class's one-vs-rest selection rate, TPR, FPR and PPV with Wilson
    intervals (``by_class``), and per attribute each class's parity summaries and their worst
    class (``summary[attr]["worst_class"]``), equal to Fairlearn's ``MetricFrame`` on
    ``y == c``.

    ``task="regression"`` judges a model of numbers (``label`` and ``prediction`` numeric) and
    returns a :class:`RegressionReport`: per group mean label, mean prediction, mean error
    (bias), MAE, RMSE and R² (scikit-learn's), the predictions' distribution against the
    reference group's (scipy's ``ks_2samp``, normed Wasserstein-1), Welch disparities of the
    means, between-group differences and ratios and the bounded group loss; with
    ``threshold=T`` also the binary rates of ``label >= T`` against ``prediction >= T``
    (``above_threshold``). ``weight`` makes every metric scikit-learn's ``sample_weight`` form;
    ``bootstrap=B`` gives every summary an interval by the Poisson bootstrap of the rows (each row
    weighs Poisson(1) per replicate), the same for the same ``seed`` whatever the engine.

    ``task="ranking"`` judges lists of ranked items (``query`` names each row's list; ``rank``
    gives 1-based ranks, or ``score`` orders each list, highest first, ties sharing their
    positions; ``relevance`` is optional; no ``label``) and returns a :class:`RankingReport`: per
    group the share of items, exposure ``1 / log2(1 + position)`` and its share (Singh & Joachims
    2018), the selection rate in the top ``k`` (an int or a list, default 10), and with relevance
    the exposure-to-relevance ratio and NDCG. ``weight`` weighs items (each list's NDCG the ratio
    of its weighted DCG to its weighted ideal; the mean over lists unweighted); ``bootstrap=B``
    resamples whole lists (each list's Poisson(1) weight drawn from its value and ``seed``).

    ``sensitive_probabilities`` gives attributes known only as each row's probability of each
    group, as :func:`fairgauge.bisg` writes them: ``{"race": ["p_white", "p_black", …]}`` (group
    ``white`` from column ``p_white``) or ``{"race": {"white": "p_white", …}}``. Each row counts
    towards every group with its probability (rates are weighted, intervals use each group's
    effective size), and the threshold estimator ``race_assigned`` (a row assigned its most likely
    group when that probability is at least ``assign_threshold``) is reported beside it;
    ``report.membership`` says how, and what the estimates cannot tell (binary task).
    ``bounds_by`` (columns the probabilities were computed from, such as the ZIP code) adds bounds
    on each group's base and selection rates and their differences that hold without assuming the
    outcome independent of membership given the proxies (Kallus, Mao & Zhou 2022), as
    ``report.bounds``; strata should hold many rows each.

    >>> r = fairgauge.fairness(df, label="y", prediction="p", sensitive="sex")  # doctest: +SKIP
    >>> r.summary["sex"]["equalized_odds_difference"]  # doctest: +SKIP
    """
    if sensitive is None and sensitive_probabilities is None:
        raise TypeError("fairness() needs sensitive= (columns) or sensitive_probabilities=")
    sens = _names(sensitive)
    probabilities, probability_columns = _probabilities(sensitive_probabilities)
    strata = _names(bounds_by)
    data, weight_col = _with_weight(data, weight)
    ranking = _ranking_args(task, label, threshold, query, rank, relevance, k)
    args = _fairness_args(
        label or "", prediction, sens, score, threshold, positive_label, reference_group, intersect, min_group_size,
        confidence, gei_alpha, weight_col, bootstrap, seed, task, probabilities, assign_threshold, strata,
    )  # fmt: skip
    args["ranking"] = ranking
    roles = [label, prediction, score, weight_col, *sens, query, rank, relevance, *probability_columns, *strata]
    with table_source(data, [c for c in roles if c]) as (path, read):
        out = call(_fairgauge.fairness, path, json.dumps(read), json.dumps(args))
    if task == "ranking":
        return RankingReport(json.loads(out))
    if task == "multiclass":
        return MulticlassReport(json.loads(out))
    if task == "regression":
        return RegressionReport(json.loads(out))
    thresholds = None
    if policy is not None:
        thresholds = json.loads(call(_fairgauge.policy_fairness_thresholds, os.fspath(policy)))
    return FairnessReport(json.loads(out), thresholds)


def drift(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    method: str = "auto",
    numeric_method: str | None = None,
    categorical_method: str | None = None,
    threshold: float | None = None,
    correction: str = "bh",
    dataset_threshold: float = 0.5,
    bins: int = 10,
    sketch: int | None = None,
) -> DriftReport:
    """Per-column drift of `current` from `reference` (Evidently's method choice by default) and
    the dataset verdict, as ``fairgauge drift`` computes them."""
    args = _drift_args(
        columns, exclude, method, numeric_method, categorical_method, threshold, correction, dataset_threshold, bins,
        sketch,
    )  # fmt: skip
    wanted = list(columns) if columns is not None else None
    with table_source(reference, wanted) as (rpath, rread), table_source(current, wanted) as (cpath, cread):
        out = call(_fairgauge.drift, rpath, json.dumps(rread), cpath, json.dumps(cread), json.dumps(args))
    return DriftReport(json.loads(out))


def quality(
    data: Any,
    *,
    reference: Any = None,
    rules: str | os.PathLike[str] | None = None,
    key: str | Sequence[str] | None = None,
    label: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    examples: int = 5,
    sketch: int | None = None,
) -> QualityReport:
    """Column profiles (missing values by kind, suspected placeholders, outliers, hygiene),
    rules, duplicates, keys, conflicting labels, leakage against `reference`, missingness by
    group, proxies, fingerprints and a 0-100 score, as ``fairgauge quality`` computes them.

    ``sketch=k`` bounds memory for tables larger than memory (``quality --sketch K``): numeric
    columns are profiled by KLL sketches of this ``k`` (exact while a column has at most 65,536
    distinct values; each column's ``numeric_sketch`` says which, with its rank error), row
    hashes go to temporary files, and duplicates, keys, conflicts, leakage and fingerprints stay
    exact."""
    if sketch is not None and (not isinstance(sketch, int) or sketch < 8):
        raise ValueError(f"sketch is a KLL sketch's k, an integer of at least 8 (1000 is typical), given {sketch!r}")
    args = _quality_args(label, sensitive, key, rules, examples, sketch)
    with contextlib.ExitStack() as stack:
        out, inferred = call(_fairgauge.quality, *_sources(stack, data, reference), json.dumps(args))
    return QualityReport(json.loads(out), inferred)


def assess(
    current: Any,
    *,
    reference: Any = None,
    policy: str | os.PathLike[str] | None = None,
    label: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    positive_label: Any = None,
    reference_group: str | None = None,
    key: str | Sequence[str] | None = None,
    rules: str | os.PathLike[str] | None = None,
    weight: Any = None,
    task: str | None = None,
    query: str | None = None,
    rank: str | None = None,
    relevance: str | None = None,
    k: int | Sequence[int] | None = None,
    history: str | os.PathLike[str] | None = None,
    sensitive_probabilities: dict[str, Any] | None = None,
    assign_threshold: float | None = None,
    bounds_by: str | Sequence[str] | None = None,
) -> Evidence:
    """Fairness, drift (with `reference`) and quality against a policy (a TOML file, or the
    built-in default), judged into findings with controls and risks: the evidence document
    ``fairgauge assess`` writes. With ``history`` (a SQLite file or a ``postgresql://`` URL, else the policy's
    ``[history] path``), the run is judged against the system's earlier runs there — anomalies
    by the policy's ``[[history.anomaly]]`` rules, each risk's life and the decisions on it — and
    :meth:`Evidence.write` records it in the ``history`` given here (docs/history.md). Arguments
    given override the policy's roles. ``weight`` (a column name, or one number per row) weights
    the fairness rates as in :func:`fairness`;
    ``task="multiclass"`` judges every class of a multiclass model one-vs-rest, ``task="regression"``
    and ``task="ranking"`` (with ``query``, ``rank`` or ``score``, ``relevance``, ``k`` as in
    :func:`fairness`) the summaries the policy has thresholds for (the policy's ``data.task``).
    ``sensitive_probabilities`` (as in :func:`fairness`; the policy's
    ``data.sensitive_probabilities``) judges attributes known only as probabilities: their
    findings carry ``estimated`` (the estimator and the caveat), the register's ``estimated``
    column names it, and the HTML report draws their rates hollow. ``bounds_by`` (the policy's
    ``data.bounds_by``) bounds their summaries over proxy strata as in :func:`fairness`; the
    findings' ``estimated.bounds`` hold them."""
    current, weight_col = _with_weight(current, weight)
    ranking = {"query": query, "rank": rank, "relevance": relevance, "k": _cutoffs(k) if k is not None else None}
    roles = _roles(
        label, prediction, score, sensitive, positive_label, reference_group, key, weight_col, task,
        {name: v for name, v in ranking.items() if v is not None}, sensitive_probabilities,
    )  # fmt: skip
    if assign_threshold is not None:
        roles["assign_threshold"] = assign_threshold
    if bounds_by is not None:
        roles["bounds_by"] = _names(bounds_by)
    with contextlib.ExitStack() as stack:
        out = call(
            _fairgauge.assess,
            *_sources(stack, current, reference),
            _path(policy),
            json.dumps(roles),
            _path(rules),
            _command("fairgauge.assess"),
            _path(history),
        )
    evidence = Evidence(json.loads(out))
    evidence._history = _path(history)
    return evidence


def monitor(
    data: Any,
    *,
    time: str,
    every: str | int,
    reference: Any = None,
    baseline: int | None = None,
    policy: str | os.PathLike[str] | None = None,
    label: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    positive_label: Any = None,
    reference_group: str | None = None,
    rules: str | os.PathLike[str] | None = None,
    history: str | os.PathLike[str] | None = None,
    weight: Any = None,
    sensitive_probabilities: dict[str, Any] | None = None,
) -> MonitorReport:
    """``fairgauge monitor``: the rows put in windows by the `time` column (``every`` = "day",
    "week", "month", "quarter", or a number of rows), each assessed with the policy against a
    baseline (the first `baseline` windows, default the policy's 4, or `reference`); alerts for
    what breaches the policy and for rates that moved from the baseline (docs/monitoring.md).
    With ``history`` (else the policy's ``[history] path``), the run and every window's findings
    are recorded there. The report has ``.windows``, ``.metrics`` and ``.alerts`` (polars).
    ``weight`` (a column name, or one number per row) and ``sensitive_probabilities`` (as in
    :func:`fairness`) give weighted rates, tested for change with Kish's effective sizes. With
    ``[quality] sketch`` in the policy and `data` a file path, the run keeps bounded memory
    (each window written to a temporary file and assessed in turn)."""
    data, weight_col = _with_weight(data, weight)
    roles = _roles(
        label, prediction, score, sensitive, positive_label, reference_group, None, weight_col, None, {},
        sensitive_probabilities,
    )  # fmt: skip
    with contextlib.ExitStack() as stack:
        out, metrics = call(
            _fairgauge.monitor,
            *_sources(stack, data, reference),
            _path(policy),
            json.dumps(roles),
            _path(rules),
            time,
            str(every),
            baseline,
            _command("fairgauge.monitor"),
            _path(history),
        )
    return MonitorReport(json.loads(out), json.loads(metrics))


def history(path: str | os.PathLike[str]) -> History:
    """The metric history at `path` (a SQLite file or a ``postgresql://`` URL, written by ``assess``/``monitor`` with
    ``history=``): runs, measurements, trends and the living risk register as DataFrames."""
    return History(os.fspath(path))


def __getattr__(name: str) -> Any:
    # `fairgauge.metrics` (numpy) is imported on first use, so that `import fairgauge` and the
    # `fairgauge` command start quickly.
    if name == "metrics":
        import importlib

        return importlib.import_module(".metrics", __name__)
    raise AttributeError(f"module 'fairgauge' has no attribute {name!r}")
