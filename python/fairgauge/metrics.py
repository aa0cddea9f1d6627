"""Fairlearn's metric functions, with Fairlearn 0.15's signatures and numbers, computed from
weighted confusion counts in fairgauge's Rust core: switch a notebook by changing one import.

Definitions (Fairlearn's): rates from the confusion matrix of each group, with 0 where a
denominator is 0 (scikit-learn's ``confusion_matrix(normalize="true")``); ``selection_rate`` is the
weighted share of predictions equal to `pos_label`. ``method="between_groups"``: the difference is
max - min over groups, the ratio min / max; ``"to_overall"``: the largest ``|group - overall|``
and the smallest ``group / overall`` (inverted when above 1). Equalized odds takes the worse
(``agg="worst_case"``) or the mean (``"mean"``) of the TPR and FPR aggregates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _fairgauge
from ._errors import OptionError
from ._native import call

__all__ = [
    "MetricFrame",
    "count",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "false_negative_rate",
    "false_positive_rate",
    "selection_rate",
    "true_negative_rate",
    "true_positive_rate",
]

_METHODS = ("between_groups", "to_overall")


def _array(x: Any, name: str) -> np.ndarray:
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    a = np.asarray(x)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        raise OptionError(f"{name} must be one-dimensional, got shape {a.shape}")
    return a


def _pos_label(y_true: np.ndarray, y_pred: np.ndarray, pos_label: Any, binary: bool = True) -> Any:
    if pos_label is not None and not binary:
        return pos_label
    labels = _distinct(y_true) | _distinct(y_pred)
    if pos_label is not None:
        # Rates from the confusion matrix need two labels, as Fairlearn's check.
        if len(labels) > 2:
            raise OptionError(f"must have no more than two unique y values, got {sorted(labels, key=str)}")
        return pos_label
    if labels <= {0, 1} or labels <= {-1, 1} or labels <= {False, True}:
        return 1
    raise OptionError(f"the labels {sorted(labels, key=str)} are not 0/1 or -1/1: pass pos_label")


def _distinct(a: np.ndarray) -> set[Any]:
    """The distinct values of a label array: counted in one pass for small integers and booleans
    (no sort), else by numpy's sort."""
    if a.size and (a.dtype.kind == "b" or a.dtype.kind in "iu"):
        lo, hi = int(a.min()), int(a.max())
        if hi - lo < 1 << 16:
            present = np.flatnonzero(np.bincount(a.astype(np.int64, copy=False) - lo))
            return {bool(v + lo) if a.dtype.kind == "b" else int(v + lo) for v in present.tolist()}
    return set(np.unique(a).tolist())


def _present(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The codes that occur (sorted) and every code renumbered among them: ``np.unique(codes,
    return_inverse=True)`` in one counting pass when the codes are small."""
    if size <= 1 << 24:
        present = np.flatnonzero(np.bincount(codes, minlength=size))
        remap = np.zeros(size, dtype=np.uint32)
        remap[present] = np.arange(len(present), dtype=np.uint32)
        return present, remap[codes]
    return np.unique(codes, return_inverse=True)


def _codes(column: Any) -> tuple[np.ndarray, list[Any]]:
    """Codes of one column's values in sorted order (Fairlearn's group order), hashing in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, (pa.Array, pa.ChunkedArray)):
        arr = column
    elif hasattr(column, "iloc"):
        arr = pa.array(column)
    else:
        arr = pa.array(np.asarray(column))
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    if enc.null_count:
        raise OptionError("sensitive_features contains missing values")
    idx = enc.indices.to_numpy(zero_copy_only=False)
    # Only the groups present (a categorical's unused categories are not groups), sorted.
    dictionary = enc.dictionary.to_pylist()
    present, idx = _present(idx, len(dictionary))
    values = [dictionary[i] for i in present.tolist()]
    order = sorted(range(len(values)), key=lambda i: values[i])
    rank = np.empty(len(values), dtype=np.uint32)
    rank[order] = np.arange(len(values), dtype=np.uint32)
    return rank[idx], [values[i] for i in order]


def _encode_groups(sensitive_features: Any, n: int) -> tuple[np.ndarray, list[Any]]:
    """Group codes (uint32) and labels; several columns make tuple labels, as Fairlearn's do."""
    sf = sensitive_features
    if hasattr(sf, "to_arrow") and not hasattr(sf, "iloc"):  # polars: Arrow without a copy
        sf = sf.to_arrow()
        if hasattr(sf, "columns") and hasattr(sf, "num_columns"):
            sf = list(sf.columns)
    if hasattr(sf, "iloc") and getattr(sf, "ndim", 1) == 2:  # pandas DataFrame: its columns
        cols = [sf.iloc[:, i] for i in range(sf.shape[1])]
    elif hasattr(sf, "iloc"):  # pandas Series, as it is (Arrow-backed strings stay Arrow)
        cols = [sf]
    elif hasattr(sf, "type") and hasattr(sf, "to_numpy"):  # a pyarrow array
        cols = [sf]
    elif hasattr(sf, "to_numpy") and getattr(sf, "ndim", 1) == 2:
        cols = [np.asarray(sf[:, i]) for i in range(sf.shape[1])]
    elif isinstance(sf, dict):
        cols = [np.asarray(v) for v in sf.values()]
    elif isinstance(sf, (list, tuple)) and sf and np.ndim(sf[0]) == 1 and len(sf[0]) == n and len(sf) != n:
        cols = [np.asarray(c) for c in sf]
    else:
        a = np.asarray(sf.to_numpy() if hasattr(sf, "to_numpy") else sf)
        cols = [a] if a.ndim == 1 else [a[:, i] for i in range(a.shape[1])]
    for c in cols:
        if len(c) != n:
            raise OptionError(f"sensitive_features has {len(c)} rows, y_true has {n}")
    coded = [_codes(c) for c in cols]
    if len(coded) == 1:
        return coded[0]
    # Combined groups: mixed-radix codes of the per-column codes, kept where they occur.
    combined = np.zeros(n, dtype=np.int64)
    for codes, labels in coded:
        combined = combined * len(labels) + codes
    size = 1
    for _c, lab in coded:
        size *= len(lab)
    present, inverse = _present(combined, size)
    labels = []
    for v in present.tolist():
        parts = []
        for _codes_of, lab in reversed(coded):
            parts.append(lab[v % len(lab)])
            v //= len(lab)
        labels.append(tuple(reversed(parts)))
    return inverse.astype(np.uint32), labels


def _counts(
    y_true: Any, y_pred: Any, sensitive_features: Any, sample_weight: Any, pos_label: Any = None, binary: bool = True
):
    t = _array(y_true, "y_true")
    p = _array(y_pred, "y_pred")
    if len(t) != len(p):
        raise OptionError(f"y_true has {len(t)} rows, y_pred has {len(p)}")
    pl = _pos_label(t, p, pos_label, binary)
    # 1 where the value is the positive label (uint8 buffers for the core).
    tb = np.ascontiguousarray(np.broadcast_to(t == pl, t.shape), dtype=np.bool_).view(np.uint8)
    pb = np.ascontiguousarray(np.broadcast_to(p == pl, p.shape), dtype=np.bool_).view(np.uint8)
    if sensitive_features is None:
        codes, labels = np.zeros(len(t), dtype=np.uint32), [None]
    else:
        codes, labels = _encode_groups(sensitive_features, len(t))
    w = None
    if sample_weight is not None:
        w = np.ascontiguousarray(_array(sample_weight, "sample_weight"), dtype=np.float64).tobytes()
    c = call(
        _fairgauge.confusion_counts,
        tb.tobytes(),
        pb.tobytes(),
        np.ascontiguousarray(codes, dtype="<u4").tobytes(),
        len(labels),
        w,
    )
    return labels, np.asarray(c, dtype=np.float64).reshape(len(labels), 4), np.bincount(codes, minlength=len(labels))


#: Fairlearn's rate functions and the core's names of the same proportions.
_CORE = {
    "selection_rate": "selection_rate",
    "true_positive_rate": "tpr",
    "false_positive_rate": "fpr",
    "true_negative_rate": "tnr",
    "false_negative_rate": "fnr",
}


def _rates(rate: str, c: np.ndarray) -> np.ndarray:
    """`rate` of each row of weighted counts `[TP, FP, TN, FN]` (or of one row), defined once in
    the Rust core (`Metric::weighted_fraction`). A zero denominator follows Fairlearn: NaN for the
    selection rate of no rows, 0 for the other rates (scikit-learn's ``zero_division=0``)."""
    rows = np.asarray(c, dtype=np.float64).reshape(-1, 4)
    empty = float("nan") if rate == "selection_rate" else 0.0
    values = _fairgauge.rates(rows.tolist(), _CORE[rate])
    return np.array([empty if v is None else v for v in values], dtype=np.float64)


def _scalar(rate: str, y_true: Any, y_pred: Any, sample_weight: Any, pos_label: Any) -> float:
    _, c, _ = _counts(y_true, y_pred, None, sample_weight, pos_label, binary=rate != "selection_rate")
    return float(_rates(rate, c[0])[0])


def selection_rate(y_true: Any, y_pred: Any, *, pos_label: Any = 1, sample_weight: Any = None) -> float:
    """Share (weighted) of predictions equal to `pos_label`."""
    return _scalar("selection_rate", y_true, y_pred, sample_weight, pos_label)


def true_positive_rate(y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None) -> float:
    """TP / (TP + FN)."""
    return _scalar("true_positive_rate", y_true, y_pred, sample_weight, pos_label)


def false_positive_rate(y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None) -> float:
    """FP / (FP + TN)."""
    return _scalar("false_positive_rate", y_true, y_pred, sample_weight, pos_label)


def true_negative_rate(y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None) -> float:
    """TN / (FP + TN)."""
    return _scalar("true_negative_rate", y_true, y_pred, sample_weight, pos_label)


def false_negative_rate(y_true: Any, y_pred: Any, sample_weight: Any = None, pos_label: Any = None) -> float:
    """FN / (TP + FN)."""
    return _scalar("false_negative_rate", y_true, y_pred, sample_weight, pos_label)


def count(y_true: Any, y_pred: Any) -> int:
    """The number of rows (weights ignored, as Fairlearn's)."""
    return len(_array(y_true, "y_true"))


def _by_group(rate: str, y_true: Any, y_pred: Any, sensitive_features: Any, sample_weight: Any, pos_label: Any = None):
    _labels, c, _ = _counts(
        y_true, y_pred, sensitive_features, sample_weight, pos_label, binary=rate != "selection_rate"
    )
    overall = float(_rates(rate, c.sum(axis=0))[0])
    return _rates(rate, c), overall


def _difference(values: np.ndarray, overall: float, method: str) -> float:
    if method not in _METHODS:
        raise OptionError(f"method must be 'between_groups' or 'to_overall', got {method!r}")
    # NaN groups are skipped, as Fairlearn's pandas aggregates skip them.
    with np.errstate(invalid="ignore"):
        if method == "between_groups":
            return float(np.nanmax(values) - np.nanmin(values))
        return float(np.nanmax(np.abs(values - overall)))


def _ratio(values: np.ndarray, overall: float, method: str) -> float:
    if method not in _METHODS:
        raise OptionError(f"method must be 'between_groups' or 'to_overall', got {method!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "between_groups":
            return float(np.nanmin(values) / np.nanmax(values))
        r = values / overall
        r = np.where(r > 1, 1 / r, r)
        return float(np.nanmin(r))


def demographic_parity_difference(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: str = "between_groups", sample_weight: Any = None
) -> float:
    """Difference of selection rates across groups."""
    v, o = _by_group("selection_rate", y_true, y_pred, sensitive_features, sample_weight, pos_label=1)
    return _difference(v, o, method)


def demographic_parity_ratio(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: str = "between_groups", sample_weight: Any = None
) -> float:
    """Ratio of selection rates across groups."""
    v, o = _by_group("selection_rate", y_true, y_pred, sensitive_features, sample_weight, pos_label=1)
    return _ratio(v, o, method)


def _eo(y_true, y_pred, sensitive_features, sample_weight):
    _labels, c, _ = _counts(y_true, y_pred, sensitive_features, sample_weight)
    tot = c.sum(axis=0)
    tpr = _rates("true_positive_rate", c)
    fpr = _rates("false_positive_rate", c)
    return tpr, fpr, float(_rates("true_positive_rate", tot)[0]), float(_rates("false_positive_rate", tot)[0])


def _agg(a: float, b: float, agg: str, worst: Callable[[float, float], float]) -> float:
    if agg == "worst_case":
        return worst(a, b)
    if agg == "mean":
        return (a + b) / 2
    raise OptionError(f"agg must be one of 'worst_case' or 'mean', got {agg}")


def equalized_odds_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
) -> float:
    """The larger (or mean) of the TPR and FPR differences."""
    tpr, fpr, to, fo = _eo(y_true, y_pred, sensitive_features, sample_weight)
    return _agg(_difference(tpr, to, method), _difference(fpr, fo, method), agg, max)


def equalized_odds_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: str = "between_groups",
    sample_weight: Any = None,
    agg: str = "worst_case",
) -> float:
    """The smaller (or mean) of the TPR and FPR ratios."""
    tpr, fpr, to, fo = _eo(y_true, y_pred, sensitive_features, sample_weight)
    return _agg(_ratio(tpr, to, method), _ratio(fpr, fo, method), agg, min)


def equal_opportunity_difference(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: str = "between_groups", sample_weight: Any = None
) -> float:
    """Difference of true positive rates across groups."""
    tpr, _, to, _ = _eo(y_true, y_pred, sensitive_features, sample_weight)
    return _difference(tpr, to, method)


def equal_opportunity_ratio(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: str = "between_groups", sample_weight: Any = None
) -> float:
    """Ratio of true positive rates across groups."""
    tpr, _, to, _ = _eo(y_true, y_pred, sensitive_features, sample_weight)
    return _ratio(tpr, to, method)


_FAST = {
    selection_rate: "selection_rate",
    true_positive_rate: "true_positive_rate",
    false_positive_rate: "false_positive_rate",
    true_negative_rate: "true_negative_rate",
    false_negative_rate: "false_negative_rate",
}


# scikit-learn's regression metrics that MetricFrame computes in one pass of the Rust core (the
# regression task's per-group MAE, RMSE and R², the same definitions), by function name.
_REGRESSION = {
    "mean_absolute_error": lambda g: g["mae"],
    "mean_squared_error": lambda g: g["rmse"] ** 2,
    "root_mean_squared_error": lambda g: g["rmse"],
    "r2_score": lambda g: g["r2"],
}


# scikit-learn's classification metrics that MetricFrame computes in one pass of the Rust core
# (the multiclass task's per-group accuracy and macro / micro averages, the same definitions):
# `accuracy_score` itself, and `precision_score`, `recall_score`, `f1_score` given as
# `functools.partial(f, average="macro" | "micro")`.
_AVERAGED = {"precision_score": "precision", "recall_score": "recall", "f1_score": "f1"}


def _sklearn(f: Any, names: Any) -> str | None:
    """`f`'s name when `f` is scikit-learn's own function of one of `names`."""
    import sys

    name = getattr(f, "__name__", None)
    module = sys.modules.get("sklearn.metrics")
    return name if name in names and module is not None and getattr(module, name, None) is f else None


def _regression_metric(f: Any) -> Callable[[dict[str, Any]], float] | None:
    """The fast path of `f` when it is scikit-learn's own regression metric, else None."""
    name = _sklearn(f, _REGRESSION)
    return _REGRESSION[name] if name else None


def _classification_metric(f: Any) -> Callable[[dict[str, Any]], float] | None:
    """The fast path of `f` when it is scikit-learn's `accuracy_score`, or its precision,
    recall or F1 averaged `macro` or `micro` (a `functools.partial` with only `average=`)."""
    import functools

    if _sklearn(f, ("accuracy_score",)):
        return lambda g: g["accuracy"]
    if not isinstance(f, functools.partial) or f.args or not {"average"} <= set(f.keywords):
        return None
    # A 0/0 counts as 0 in the core, as scikit-learn's zero_division=0 or "warn" (its default).
    zero = f.keywords.get("zero_division", "warn")
    if set(f.keywords) - {"average", "zero_division"} or not (zero == "warn" or zero == 0):
        return None
    average, name = f.keywords["average"], _sklearn(f.func, _AVERAGED)
    if name is None or average not in ("macro", "micro"):
        return None
    key = _AVERAGED[name]
    return lambda g: g[average][key]


def _core_pass(task: str, t: np.ndarray, p: np.ndarray, codes: np.ndarray, groups: int) -> list[dict[str, Any]] | None:
    """Each group's entry of one pass of the Rust core (`fairness`'s regression or multiclass
    task over the group codes), in code order; None when the core cannot take the data (text in
    a regression, NaN, one group or one class, too many groups or classes), so that
    scikit-learn's own function reports it."""
    import pyarrow as pa

    from . import fairness
    from ._errors import FairgaugeError

    if groups < 2:
        return None
    if task == "regression":
        if t.dtype.kind not in "iuf" or p.dtype.kind not in "iuf":
            return None
        t, p = t.astype(float), p.astype(float)
    elif t.dtype.kind not in "iubUO" or p.dtype.kind != t.dtype.kind:
        return None  # classes that read the same as text: integers, booleans, strings
    table = pa.table({"y": t, "p": p, "g": pa.array(codes.astype(np.int64))})
    try:
        r = fairness(table, task=task, label="y", prediction="p", sensitive="g", min_group_size=1)
    except (FairgaugeError, ValueError):
        return None
    found = {int(g["group"]): g for g in r.to_dict()["groups"]}
    return [found[g] for g in range(groups)] if len(found) == groups else None


class MetricFrame:
    """Fairlearn's ``MetricFrame`` for the common case: metrics computed overall and per group
    (pandas results, as Fairlearn's), with ``difference``, ``ratio``, ``group_min`` and
    ``group_max``. fairgauge's rate functions, scikit-learn's ``mean_absolute_error``,
    ``mean_squared_error``, ``root_mean_squared_error`` and ``r2_score``, and its
    ``accuracy_score`` and ``functools.partial(precision_score | recall_score | f1_score,
    average="macro" | "micro")`` on integer or text classes (all without sample weights) are computed in one
    pass of the Rust core per task; any other callable ``f(y_true, y_pred)`` is applied to each
    group's rows."""

    def __init__(
        self,
        *,
        metrics: Callable[..., Any] | dict[str, Callable[..., Any]],
        y_true: Any,
        y_pred: Any,
        sensitive_features: Any,
        sample_params: dict[str, Any] | None = None,
    ) -> None:
        import pandas as pd

        single = callable(metrics)
        funcs = {getattr(metrics, "__name__", "metric"): metrics} if single else dict(metrics)
        t, p = _array(y_true, "y_true"), _array(y_pred, "y_pred")
        codes, labels = _encode_groups(sensitive_features, len(t))
        params = sample_params or {}
        if isinstance(labels[0], tuple):
            cols = getattr(sensitive_features, "columns", None)
            level_names = (
                [str(c) for c in cols]
                if cols is not None
                else [f"sensitive_feature_{i}" for i in range(len(labels[0]))]
            )
            index = pd.MultiIndex.from_tuples(labels, names=level_names)
        else:
            index = pd.Index(labels, name=getattr(sensitive_features, "name", None) or "sensitive_feature_0")
        by_group: dict[str, list[Any]] = {}
        overall: dict[str, Any] = {}
        # scikit-learn's regression (or classification) metrics share one pass of the core per
        # task, made on first use.
        passes: dict[str, Any] = {}

        def groups_metrics(task: str) -> list[dict[str, Any]] | None:
            if task not in passes:
                passes[task] = _core_pass(task, t, p, codes, len(labels))
            return passes[task]

        for name, f in funcs.items():
            sp = params.get(name, params) if not single else params
            weight = sp.get("sample_weight")
            task, fast = "regression", _regression_metric(f) if not sp else None
            if fast is None and not sp:
                task, fast = "multiclass", _classification_metric(f)
            if f in _FAST:
                # selection_rate's pos_label is 1 (Fairlearn's default); the rates infer it.
                pos = 1 if f is selection_rate else None
                _, c, _ = _counts(t, p, sensitive_features, weight, pos, binary=f is not selection_rate)
                by_group[name] = _rates(_FAST[f], c).tolist()
                overall[name] = float(_rates(_FAST[f], c.sum(axis=0))[0])
            elif fast is not None and (gm := groups_metrics(task)) is not None:
                by_group[name] = [fast(g) for g in gm]
                overall[name] = f(t, p)
            elif f is count:
                by_group[name] = np.bincount(codes, minlength=len(labels)).tolist()
                overall[name] = len(t)
            else:
                vals = []
                for g in range(len(labels)):
                    m = codes == g
                    kw = {k: np.asarray(v)[m] for k, v in sp.items()}
                    vals.append(f(t[m], p[m], **kw))
                by_group[name] = vals
                overall[name] = f(t, p, **{k: np.asarray(v) for k, v in sp.items()})
        self._single = single
        self._by_group = pd.DataFrame(by_group, index=index)
        self._overall = pd.Series(overall)

    @property
    def overall(self) -> Any:
        """The metrics over all rows."""
        return self._overall.iloc[0] if self._single else self._overall

    @property
    def by_group(self) -> Any:
        """The metrics per group."""
        return self._by_group.iloc[:, 0] if self._single else self._by_group

    def group_min(self) -> Any:
        """Smallest value over groups."""
        r = self._by_group.min()
        return r.iloc[0] if self._single else r

    def group_max(self) -> Any:
        """Largest value over groups."""
        r = self._by_group.max()
        return r.iloc[0] if self._single else r

    def difference(self, method: str = "between_groups") -> Any:
        """Largest difference, as Fairlearn's."""
        r = {c: _difference(self._by_group[c].to_numpy(float), float(self._overall[c]), method) for c in self._by_group}
        import pandas as pd

        s = pd.Series(r)
        return s.iloc[0] if self._single else s

    def ratio(self, method: str = "between_groups") -> Any:
        """Smallest ratio, as Fairlearn's."""
        r = {c: _ratio(self._by_group[c].to_numpy(float), float(self._overall[c]), method) for c in self._by_group}
        import pandas as pd

        s = pd.Series(r)
        return s.iloc[0] if self._single else s
