"""Running fairgauge over a partitioned DataFrame (Spark, Dask) with the same Rust kernels.

Every analysis is plan → parts → merge → finish: the driver plans from the schemas alone (empty
Arrow tables), each partition is read where it lives into a partial state (the versioned ``FGST``
encoding: fairness cells, drift counts / values / KLL sketches, quality facts), the driver merges
the parts in partition order and finishes with the code a single-machine run uses. An
:class:`Engine` says how to list, select and run over the partitions of one kind of DataFrame;
``fairgauge.spark`` and ``fairgauge.dask`` bind these functions to theirs.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from . import _fairgauge
from ._errors import ColumnNotFoundError, translate
from ._native import FAIRNESS_DEFAULTS, call
from ._reports import (
    DriftReport,
    EstimateReport,
    Evidence,
    FairnessReport,
    MonitorReport,
    MulticlassReport,
    QualityReport,
    RankingReport,
    RegressionReport,
)

Parts = tuple[list[bytes], tuple[str, str] | None]


class Engine:
    """How fairgauge runs over one kind of partitioned DataFrame."""

    name = ""
    label = ""

    def module(self) -> Any:
        """The engine's module (with ``__version__``); ImportError saying what to install."""
        raise NotImplementedError

    def columns(self, df: Any) -> list[str]:
        raise NotImplementedError

    def select(self, df: Any, cols: Sequence[str]) -> Any:
        raise NotImplementedError

    def empty(self, df: Any) -> Any:
        """A pyarrow Table of no rows with `df`'s columns (dictionaries decoded)."""
        raise NotImplementedError

    def partitions(self, df: Any) -> int | None:
        raise NotImplementedError

    def run_parts(self, df: Any, count: Callable[[Any, int], bytes]) -> Parts:
        """Runs ``count(table, partition_index)`` on each non-empty partition where it lives;
        the parts in partition order, and the first error met as ``(kind, message)``."""
        raise NotImplementedError

    def first_rows(self, df: Any) -> dict[int, int]:
        """Each partition's first row in the whole DataFrame (a counting pass)."""
        raise NotImplementedError


def _check_columns(engine: Engine, df: Any, wanted: Sequence[str]) -> None:
    have = engine.columns(df)
    missing = [c for c in wanted if c not in have]
    if missing:
        raise ColumnNotFoundError(f"no column `{missing[0]}` in the {engine.label}; columns are: {', '.join(have)}")


def _raise(error: tuple[str, str] | None) -> None:
    """Raises a partition's error (kind, message) as fairgauge's exception."""
    if error is not None:
        raise translate(_fairgauge.RustError(*error))


def _collect(engine: Engine, df: Any, count: Callable[[Any], bytes]) -> list[bytes]:
    """`Engine.run_parts`, raising an error met in a partition here as fairgauge's exception."""
    parts, error = engine.run_parts(df, lambda t, _pid: count(t))
    _raise(error)
    return parts


def _quality_parts(engine: Engine, df: Any, plan: str) -> Parts:
    first = engine.first_rows(df)
    return engine.run_parts(df, lambda t, pid: _fairgauge.quality_part(t, plan, first.get(pid, 0)))


def _engine_record(engine: Engine, module: Any, current: Any, reference: Any) -> dict[str, Any]:
    """The engine record of a run over `current` (and `reference`): name, version, partitions."""
    partitions = {"current": engine.partitions(current)}
    if reference is not None:
        partitions["reference"] = engine.partitions(reference)
    return {
        "name": engine.name,
        "version": module.__version__,
        "partitions": {k: v for k, v in partitions.items() if v is not None},
    }


def _record(engine: Engine, df: Any) -> dict[str, Any]:
    return {"name": engine.name, "version": engine.module().__version__, "partitions": engine.partitions(df)}


F = TypeVar("F", bound=Callable[..., Any])


def bind(engine: Engine, fn: F, doc: str) -> F:
    """`fn` with `engine` as its first argument: a module's public function."""

    @functools.wraps(fn)
    def bound(*args: Any, **kwargs: Any) -> Any:
        return fn(engine, *args, **kwargs)

    sig = inspect.signature(fn)
    bound.__signature__ = sig.replace(parameters=list(sig.parameters.values())[1:])  # type: ignore[attr-defined]
    bound.__doc__ = doc + "\n\n" + (fn.__doc__ or "")
    return bound  # type: ignore[return-value]


def fairness(
    engine: Engine,
    df: Any,
    *,
    label: str | None = None,
    prediction: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    score: str | None = None,
    threshold: float | None = None,
    positive_label: Any = 1,
    reference_group: str = "majority",
    intersect: bool = False,
    min_group_size: int = FAIRNESS_DEFAULTS["min_group_size"],
    confidence: float = FAIRNESS_DEFAULTS["confidence"],
    gei_alpha: float = FAIRNESS_DEFAULTS["gei_alpha"],
    weight: str | None = None,
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
    """`fairgauge.fairness` of a partitioned DataFrame: each partition is counted where it lives,
    the parts are merged on the driver. Same arguments, same report, plus ``engine`` in
    ``to_dict()`` (the engine's name and version and the number of partitions). ``weight`` names
    a sample-weight column. With ``task="multiclass"`` the default ``positive_label=1`` is not
    passed on (the multiclass task has none)."""
    from . import _fairness_args, _names, _probabilities, _ranking_args

    engine.module()
    if sensitive is None and sensitive_probabilities is None:
        raise TypeError("fairness() needs sensitive= (columns) or sensitive_probabilities=")
    sens = _names(sensitive)
    probabilities, probability_columns = _probabilities(sensitive_probabilities)
    strata = _names(bounds_by)
    if task in ("multiclass", "regression", "ranking") and positive_label == 1:
        positive_label = None
    ranking = _ranking_args(task, label, threshold, query, rank, relevance, k)
    fargs = _fairness_args(
        label or "", prediction, sens, score, threshold, positive_label, reference_group, intersect, min_group_size,
        confidence, gei_alpha, weight, bootstrap, seed, task, probabilities, assign_threshold, strata,
    )  # fmt: skip
    fargs["ranking"] = ranking
    args = json.dumps(fargs)
    roles = (label, prediction, score, weight, *sens, query, rank, relevance, *probability_columns, *strata)
    cols = list(dict.fromkeys(c for c in roles if c))
    _check_columns(engine, df, cols)
    read = json.dumps({"name": engine.label})
    parts = _collect(engine, engine.select(df, cols), lambda t: _fairgauge.fairness_part(t, read, args))
    out = json.loads(call(_fairgauge.fairness_finish, parts, engine.label, args))
    out["engine"] = _record(engine, df)
    if task == "regression":
        return RegressionReport(out)
    if task == "ranking":
        return RankingReport(out)
    return MulticlassReport(out) if task == "multiclass" else FairnessReport(out)


def estimate(
    engine: Engine,
    df: Any,
    *,
    reference: Any,
    score: str,
    label: str,
    prediction: str | None = None,
    threshold: float = 0.5,
    sensitive: str | Sequence[str] = (),
    positive_label: str | None = None,
    calibration: str = "auto",
    confidence: float = 0.95,
    min_group_size: int = 30,
) -> EstimateReport:
    """`fairgauge.estimate` of a partitioned DataFrame (no labels needed) calibrated on a
    partitioned labelled `reference` of the same engine: each partition of each is read where it
    lives into its score histograms (exact counts), the driver merges each side's parts in
    partition order and estimates. Each reference row's calibration fold comes from its row
    number in the whole DataFrame (a counting pass gives each partition's first row), so the
    report equals the single-process one. No time windows here: filter each window and estimate
    it."""
    from ._estimate import _estimate_args

    engine.module()
    args, data_cols, ref_cols = _estimate_args(
        score, label, prediction, threshold, sensitive, positive_label, calibration, confidence, min_group_size,
        None, None,
    )  # fmt: skip
    _check_columns(engine, df, data_cols)
    _check_columns(engine, reference, ref_cols)
    read = json.dumps({"name": engine.label})
    ref_read = json.dumps({"name": f"reference {engine.label}"})
    text = json.dumps(args)

    def parts(frame: Any, cols: list[str], how: str, labelled: bool) -> list[bytes]:
        frame = engine.select(frame, cols)
        first = engine.first_rows(frame) if labelled else {}
        out, error = engine.run_parts(
            frame, lambda t, pid: _fairgauge.estimate_part(t, how, text, labelled, first.get(pid, 0))
        )
        _raise(error)
        return out

    data_parts = parts(df, data_cols, read, False)
    ref_parts = parts(reference, ref_cols, ref_read, True)
    out = json.loads(
        call(_fairgauge.estimate_finish, data_parts, engine.label, ref_parts, f"reference {engine.label}", text)
    )
    out["engine"] = _engine_record(engine, engine.module(), df, reference)
    return EstimateReport(out)


def drift(
    engine: Engine,
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
    """`fairgauge.drift` of two partitioned DataFrames. The columns are planned on the driver
    from the two schemas; each partition of each side is read where it lives; the driver merges
    each side's parts in partition order and compares. Exact by default (numeric values travel to
    the driver); ``sketch=k`` sends KLL sketches instead (approximate, bounded size)."""
    from . import _drift_args

    engine.module()
    args = json.dumps(
        _drift_args(
            columns, exclude, method, numeric_method, categorical_method, threshold, correction, dataset_threshold,
            bins, sketch,
        )
    )  # fmt: skip
    empty = [engine.empty(d) for d in (reference, current)]
    plan = call(_fairgauge.drift_plan, empty[0], empty[1], args)
    cols = json.loads(plan)["columns"]
    parts = [
        _collect(engine, engine.select(d, cols), lambda t, side=side: _fairgauge.drift_part(t, plan, side))
        for d, side in ((reference, "reference"), (current, "current"))
    ]
    out = json.loads(call(_fairgauge.drift_finish, plan, parts[0], parts[1], engine.label, engine.label, args))
    out["engine"] = {"reference": _record(engine, reference), "current": _record(engine, current)}
    return DriftReport(out)


def quality(
    engine: Engine,
    df: Any,
    *,
    reference: Any = None,
    rules: str | None = None,
    key: str | Sequence[str] | None = None,
    label: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    examples: int = 5,
    sketch: int | None = None,
) -> QualityReport:
    """`fairgauge.quality` of a partitioned DataFrame (with leakage against a `reference`):
    planned on the driver from the schemas, each partition read where it lives, the parts
    merged in partition order on the driver. Exact: a part carries its rows' 128-bit hashes,
    group codes and numeric values (tens of bytes a row), which bounds this to what the driver
    can hold; example row numbers count rows in partition order. With ``sketch=k`` (the bounded
    mode of `fairgauge.quality`) a part carries sketches instead of numeric values and group
    codes, and the driver keeps the row hashes in temporary files rather than in memory."""
    from . import _quality_args

    engine.module()
    if sketch is not None and (not isinstance(sketch, int) or sketch < 8):
        raise ValueError(f"sketch is a KLL sketch's k, an integer of at least 8 (1000 is typical), given {sketch!r}")
    args = json.dumps(_quality_args(label, sensitive, key, rules, examples, sketch))
    ref_empty = engine.empty(reference) if reference is not None else None
    plan = call(_fairgauge.quality_plan, engine.empty(df), ref_empty, args)
    parts, error = _quality_parts(engine, df, plan)
    _raise(error)
    rparts: list[bytes] = []
    if reference is not None:
        rparts = _collect(engine, reference, lambda t: _fairgauge.reference_part(t, plan))
    out, inferred = call(
        _fairgauge.quality_finish, engine.empty(df), ref_empty, plan, parts, rparts, engine.label, engine.label, args
    )  # fmt: skip
    report = json.loads(out)
    report["engine"] = _record(engine, df)
    return QualityReport(report, inferred)


def assess(
    engine: Engine,
    current: Any,
    *,
    reference: Any = None,
    policy: str | None = None,
    label: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    positive_label: Any = None,
    reference_group: str | None = None,
    key: str | Sequence[str] | None = None,
    rules: str | None = None,
    weight: str | None = None,
    task: str | None = None,
) -> Evidence:
    """`fairgauge.assess` of partitioned DataFrames: the assessment is planned on the driver from
    the policy, the roles and the schemas; quality, fairness and drift parts are read where the
    partitions live; the driver merges them and judges them with the single-machine code. The
    evidence records the engine (``run.engine``: name, version and each dataset's partitions)."""
    import sys

    from . import _roles

    module = engine.module()
    roles = json.dumps(_roles(label, prediction, score, sensitive, positive_label, reference_group, key, weight, task))
    cur_empty = engine.empty(current)
    ref_empty = engine.empty(reference) if reference is not None else None
    plan_json = call(_fairgauge.assess_plan, cur_empty, ref_empty, policy, roles, rules)
    plan = json.loads(plan_json)
    quality_plan = json.dumps(plan["quality"])
    parts: dict[str, list[bytes]] = {}
    errors: dict[str, str] = {}

    def keep(key: str, got: tuple[list[bytes], tuple[str, str] | None], fatal: bool = False) -> None:
        found, error = got
        if error is not None:
            if fatal:
                _raise(error)
            errors[key] = error[1]
        parts[key] = found

    keep("quality", _quality_parts(engine, current, quality_plan), fatal=True)
    if reference is not None:
        keep(
            "reference",
            engine.run_parts(reference, lambda t, _pid: _fairgauge.reference_part(t, quality_plan)),
            fatal=True,
        )
    if plan["fairness"] is not None:
        spec = plan["fairness"]
        args = json.dumps(
            {
                **spec,
                "reference_group": "majority",
                "intersect": False,
                "min_group_size": FAIRNESS_DEFAULTS["min_group_size"],
                "confidence": FAIRNESS_DEFAULTS["confidence"],
                "gei_alpha": FAIRNESS_DEFAULTS["gei_alpha"],
            }
        )
        roles_used = (spec["label"], spec["prediction"], spec["score"], spec.get("weight"), *spec["sensitive"])
        cols = [c for c in roles_used if c is not None]
        read = json.dumps({"name": engine.label})
        keep(
            "fairness",
            engine.run_parts(engine.select(current, cols), lambda t, _pid: _fairgauge.fairness_part(t, read, args)),
        )
    if plan["drift"] is not None:
        drift_plan = json.dumps(plan["drift"])
        cols = plan["drift"]["columns"]
        for key, d, side in (("drift_reference", reference, "reference"), ("drift_current", current, "current")):
            keep(
                key,
                engine.run_parts(
                    engine.select(d, cols), lambda t, _pid, side=side: _fairgauge.drift_part(t, drift_plan, side)
                ),
            )
    record = _engine_record(engine, module, current, reference)
    command = [sys.argv[0] if sys.argv and sys.argv[0] else "python", f"fairgauge.{engine.name}.assess"]
    out = call(
        _fairgauge.assess_finish, cur_empty, ref_empty, policy, roles, rules, command, plan_json, parts, errors,
        json.dumps(record), (engine.label, engine.label),
    )  # fmt: skip
    return Evidence(json.loads(out))


def monitor(
    engine: Engine,
    df: Any,
    *,
    time: str,
    every: str,
    reference: Any = None,
    baseline: int | None = None,
    policy: str | None = None,
    label: str | None = None,
    prediction: str | None = None,
    score: str | None = None,
    sensitive: str | Sequence[str] | None = None,
    positive_label: Any = None,
    reference_group: str | None = None,
    rules: str | None = None,
    history: str | None = None,
    weight: str | None = None,
    sensitive_probabilities: dict[str, Any] | None = None,
) -> MonitorReport:
    """`fairgauge.monitor` of a partitioned DataFrame: the window is one more key of the parts.
    A counting pass reads each partition's time column (rows per window); a second pass reads
    each partition where it lives, split by window, into quality, fairness and drift parts; the
    driver merges each window's parts in partition order and judges the windows with the
    single-machine code, so the report is the single-machine report. Calendar windows only
    (``every`` = "day", "week", "month" or "quarter"): windows of N rows need the whole table in
    time order. ``to_dict()["engine"]`` records the engine and the partitions. ``weight`` names a
    sample-weight column; ``sensitive_probabilities`` is as in ``fairgauge.fairness``."""
    from . import _command, _path, _roles

    module = engine.module()
    _check_columns(engine, df, [time])
    command = _command(f"fairgauge.{engine.name}.monitor")
    roles = _roles(
        label, prediction, score, sensitive, positive_label, reference_group, None, weight, None, {},
        sensitive_probabilities,
    )  # fmt: skip
    setup = json.dumps(
        {
            "policy": _path(policy),
            "roles": json.dumps(roles),
            "rules": _path(rules),
            "time": time,
            "every": str(every),
            "baseline": baseline,
            "command_line": command,
            "history": _path(history),
            "names": [engine.label, engine.label],
        }
    )
    cur_empty = engine.empty(df)
    ref_empty = engine.empty(reference) if reference is not None else None
    plan = call(_fairgauge.monitor_plan, cur_empty, ref_empty, setup)

    def count(t: Any, pid: int) -> bytes:
        return pid.to_bytes(8, "little") + _fairgauge.monitor_count(t, plan)

    counted, error = engine.run_parts(engine.select(df, [time]), count)
    _raise(error)
    by_pid = sorted((int.from_bytes(c[:8], "little"), c[8:]) for c in counted)
    index = {pid: i for i, (pid, _) in enumerate(by_pid)}
    layout = call(_fairgauge.monitor_layout, cur_empty, ref_empty, setup, [c for _, c in by_pid])
    parts, error = engine.run_parts(df, lambda t, pid: _fairgauge.monitor_part(t, plan, layout, index[pid]))
    _raise(error)
    rparts = (
        _collect(engine, reference, lambda t: _fairgauge.monitor_reference_part(t, plan))
        if reference is not None
        else []
    )
    record = _engine_record(engine, module, df, reference)
    out, metrics = call(
        _fairgauge.monitor_finish, cur_empty, ref_empty, setup, plan, layout, parts, rparts, json.dumps(record)
    )
    return MonitorReport(json.loads(out), json.loads(metrics))
