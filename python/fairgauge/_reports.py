"""Report objects: the core's JSON with DataFrames (polars) and notebook displays on top."""

from __future__ import annotations

import html
import json
import os
from typing import TYPE_CHECKING, Any

from ._native import DRIFT_POLICY, FAIRNESS_THRESHOLDS

if TYPE_CHECKING:
    import polars as pl


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    # polars is imported on first use: `import fairgauge` (and the `fairgauge` command) stays quick.
    import polars as pl

    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return html.escape(str(v))


def _table(headers: list[str], rows: list[list[str]], caption: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_BADGE = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "error": "#cf222e", "insufficient_data": "#57606a"}


def _badge(status: str) -> str:
    color = _BADGE.get(status, "#57606a")
    label = html.escape(status.replace("_", " ").upper())
    return f'<span style="background:{color};color:#fff;border-radius:8px;padding:0 6px">{label}</span>'


class _Report:
    """Common to every report: the JSON as a dict, and as text."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        """The report as plain Python objects (the CLI's JSON)."""
        return json.loads(json.dumps(self._data))

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self._data, indent=indent)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def _describe(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._describe()}>"


def _disparity_frame(disparities: list[dict[str, Any]]) -> pl.DataFrame:
    """Disparities as rows, the difference's interval as ``difference_ci_low`` / ``_high``."""
    rows = []
    for d in disparities:
        row = {k: v for k, v in d.items() if k != "difference_ci"}
        row["difference_ci_low"], row["difference_ci_high"] = d.get("difference_ci") or [None, None]
        rows.append(row)
    return _frame(rows)


def _num(v: Any) -> str:
    return "undefined" if v is None else f"{v:.3f}"


class FairnessReport(_Report):
    """Per-group rates, disparities against the reference group and summaries. The notebook
    display marks breaches of `thresholds` (a policy's fairness thresholds, ``{name: {warn, fail,
    direction}}``; the built-in policy's by default)."""

    def __init__(self, data: dict[str, Any], thresholds: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__(data)
        self._thresholds = {**FAIRNESS_THRESHOLDS, **(thresholds or {})}
        self._policy = "built-in policy" if thresholds is None else "policy"

    def _describe(self) -> str:
        d = self._data
        roles = d["roles"]
        parts = [
            f"{d['rows']['used']} rows",
            f"label `{roles['label']}` (positive `{roles['positive_label']}`)",
            "decisions" if d["mode"] == "classification" else "labels only",
        ]
        if roles.get("weight") and d.get("weights"):
            parts.append(f"weighted by `{roles['weight']}` (effective n {d['weights']['effective_n']:.0f})")
        for m in d.get("membership", []):
            parts.append(
                f"`{m['attribute']}` estimated from probabilities ({m['rows_with_probabilities']} rows; "
                f"threshold estimator `{m['assigned_attribute']}`: see .membership)"
            )
        for attr, s in d["summary"].items():
            if d["mode"] == "classification":
                main = (
                    f"demographic parity ratio {_num(s.get('demographic_parity_ratio'))}, "
                    f"equalized odds difference {_num(s.get('equalized_odds_difference'))}"
                )
            else:
                main = f"base rate ratio {_num(s.get('base_rate_ratio'))}"
            parts.append(f"{attr}: {s['groups']} groups, {main}")
        return "; ".join(parts)

    @property
    def membership(self) -> list[dict[str, Any]]:
        """For each attribute known as probabilities (``sensitive_probabilities=``): its columns,
        the rows counted and left out, the threshold estimator's attribute and counts, the method
        and the caveat (what the estimates cannot tell). Empty otherwise."""
        return list(self._data.get("membership", []))

    @property
    def bounds(self) -> pl.DataFrame:
        """With ``bounds_by=``: one row per attribute known as probabilities, group and outcome
        (``base_rate``, ``selection_rate``, and with a decision ``tpr`` and ``fpr``): the rate's
        ``lower`` and ``upper`` bounds and those of its difference from the reference group
        (``difference_lower``, ``difference_upper``), the values consistent with the data whether
        or not the outcome depends on membership given the proxies. Each attribute's
        ``membership`` entry has the strata and the summaries' bounds. Empty without
        ``bounds_by``."""
        rows = []
        for m in self._data.get("membership", []):
            b = m.get("bounds")
            if not b:
                continue
            for g in b["groups"]:
                for outcome in b["outcomes"]:
                    rate, diff = g["rates"].get(outcome) or {}, g["differences"].get(outcome) or {}
                    rows.append(
                        {
                            "attribute": m["attribute"],
                            "group": g["group"],
                            "outcome": outcome,
                            "lower": rate.get("lower"),
                            "upper": rate.get("upper"),
                            "reference": b["reference"],
                            "difference_lower": diff.get("lower"),
                            "difference_upper": diff.get("upper"),
                        }
                    )
        return _frame(rows)

    @property
    def by_group(self) -> pl.DataFrame:
        """One row per group: counts, rates and their interval bounds (``<rate>_ci_low/high``); with
        sample weights also ``weight_total``, ``effective_n`` and ``weighted_tp`` … ``weighted_fn``."""
        rows = []
        for g in self._data["groups"]:
            row = {k: v for k, v in g.items() if k not in ("ci", "undefined", "levels", "weighted")}
            # With sample weights: the group's total weight, effective size and weighted cells.
            for k, v in (g.get("weighted") or {}).items():
                row["weight_total" if k == "total" else k if k == "effective_n" else f"weighted_{k}"] = v
            for m, (lo, hi) in g.get("ci", {}).items():
                row[f"{m}_ci_low"], row[f"{m}_ci_high"] = lo, hi
            rows.append(row)
        return _frame(rows)

    @property
    def disparities(self) -> pl.DataFrame:
        """One row per group and metric against the reference group."""
        return _disparity_frame(self._data["disparities"])

    @property
    def summary(self) -> dict[str, Any]:
        """Per attribute: Fairlearn's and AIF360's summary metrics."""
        return self._data["summary"]

    def plot(self) -> list[Any]:
        """Matplotlib figures, one per attribute: each group's rates (selection rate, TPR, FPR;
        the base rate without decisions) with their intervals, the reference group's rate and the
        band the policy's fail thresholds allow around it. Needs ``pip install 'fairgauge[plot]'``."""
        from ._plots import fairness_figures

        return fairness_figures(self._data, self._thresholds, self._policy)

    def _repr_html_(self) -> str:
        th = self._thresholds
        ratio_fail = th["selection_rate_ratio"]["fail"]
        gap_fail = {
            "tpr": th["equal_opportunity_difference"]["fail"],
            "fpr": th["false_positive_rate_difference"]["fail"],
        }
        breach: set[tuple[str, str]] = set()
        for d in self._data["disparities"]:
            r, diff = d.get("ratio"), d.get("difference")
            if d.get("insufficient_data"):
                continue
            if (d["metric"] == "selection_rate" and r is not None and min(r, 1 / r if r else 0) < ratio_fail) or (
                d["metric"] in gap_fail and diff is not None and abs(diff) > gap_fail[d["metric"]]
            ):
                breach.add((d["attribute"], d["group"]))
        rows = []
        for g in self._data["groups"]:
            cells = [html.escape(g["attribute"]), html.escape(g["group"]), str(g["count"])]
            for m in ("selection_rate", "tpr", "fpr"):
                v, ci = g.get(m), g.get("ci", {}).get(m)
                cells.append(f"{_fmt(v)} [{_fmt(ci[0])}, {_fmt(ci[1])}]" if v is not None and ci else _fmt(v))
            flags = []
            if g.get("reference"):
                flags.append("reference")
            if g.get("insufficient_data"):
                flags.append("insufficient data")
            if (g["attribute"], g["group"]) in breach:
                flags.append('<b style="color:#cf222e">breach</b>')
            cells.append(", ".join(flags))
            rows.append(cells)
        return _table(
            ["attribute", "group", "rows", "selection rate [95%]", "TPR [95%]", "FPR [95%]", ""],
            rows,
            f"fairgauge fairness (breach: selection-rate ratio below {ratio_fail:g} or a TPR/FPR gap above "
            f"{gap_fail['tpr']:g}/{gap_fail['fpr']:g}, the {self._policy}'s failure thresholds)",
        )


class MulticlassReport(_Report):
    """A multiclass classifier's fairness (``task="multiclass"``): per group the KxK confusion
    matrix, accuracy, macro and micro averages and each class's one-vs-rest rates with Wilson
    intervals; per attribute each class's parity summaries and their worst class."""

    def _describe(self) -> str:
        d = self._data
        roles = d["roles"]
        parts = [
            f"{d['rows']['used']} rows",
            f"label `{roles['label']}`, predicted class `{roles['prediction']}`",
            f"{len(d['classes'])} classes",
        ]
        if roles.get("weight") and d.get("weights"):
            parts.append(f"weighted by `{roles['weight']}` (effective n {d['weights']['effective_n']:.0f})")
        for attr, s in d["summary"].items():
            worst = s["worst_class"].get("demographic_parity_difference")
            main = (
                f"worst demographic parity difference {_num(worst['value'])} (class {worst['class']})"
                if worst
                else "demographic parity undefined"
            )
            parts.append(f"{attr}: {s['groups']} groups, {main}")
        return "; ".join(parts)

    @property
    def classes(self) -> list[str]:
        """The classes, in the order of every confusion matrix (scikit-learn's ``unique_labels``)."""
        return list(self._data["classes"])

    def confusion_matrix(self, attribute: str, group: str) -> Any:
        """A group's confusion matrix as a numpy array (rows true class, columns predicted class,
        in :attr:`classes` order): scikit-learn's ``confusion_matrix(..., labels=classes)``."""
        import numpy as np

        for g in self._data["groups"]:
            if g["attribute"] == attribute and g["group"] == group:
                return np.asarray(g["confusion_matrix"], dtype=np.int64)
        groups = sorted(g["group"] for g in self._data["groups"] if g["attribute"] == attribute)
        raise KeyError(f"no group {group!r} in attribute {attribute!r}; groups are {groups}")

    @property
    def by_group(self) -> pl.DataFrame:
        """One row per group: rows, share, accuracy, ``macro_*`` and ``micro_*`` precision, recall
        and F1."""
        rows = []
        for g in self._data["groups"]:
            row = {k: g[k] for k in ("attribute", "group", "count", "share", "insufficient_data", "reference")}
            row["accuracy"] = g["accuracy"]
            for avg in ("macro", "micro"):
                for k, v in g[avg].items():
                    row[f"{avg}_{k}"] = v
            rows.append(row)
        return _frame(rows)

    @property
    def by_class(self) -> pl.DataFrame:
        """One row per group and class: support, predicted rows, and the one-vs-rest
        ``selection_rate``, ``tpr``, ``fpr``, ``ppv`` with their interval bounds."""
        rows = []
        for g in self._data["groups"]:
            for c in self._data["classes"]:
                r = g["classes"][c]
                row = {"attribute": g["attribute"], "group": g["group"], "class": c}
                row.update({k: v for k, v in r.items() if k not in ("ci", "undefined")})
                for m, (lo, hi) in r.get("ci", {}).items():
                    row[f"{m}_ci_low"], row[f"{m}_ci_high"] = lo, hi
                rows.append(row)
        return _frame(rows)

    @property
    def disparities(self) -> pl.DataFrame:
        """One row per class, group and rate against the reference group."""
        return _disparity_frame(self._data["disparities"])

    @property
    def summary(self) -> dict[str, Any]:
        """Per attribute: accuracy difference and ratio, each class's parity summaries
        (``classes``) and each summary's worst class (``worst_class``)."""
        return self._data["summary"]

    def _repr_html_(self) -> str:
        rows = []
        for attr, s in self._data["summary"].items():
            for key in ("demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference"):
                w = s["worst_class"].get(key)
                if w is None:
                    continue
                iv = w.get("interval")
                shown = f"{_fmt(w['value'])} [{_fmt(iv['low'])}, {_fmt(iv['high'])}]" if iv else _fmt(w["value"])
                rows.append([html.escape(attr), html.escape(key.replace("_", " ")), html.escape(w["class"]), shown])
        return _table(
            ["attribute", "summary", "worst class", "value"],
            rows,
            f"fairgauge multiclass fairness: {len(self._data['classes'])} classes, each judged one-vs-rest",
        )


class RegressionReport(_Report):
    """A regression model's fairness (``task="regression"``): per group error and bias, the
    predictions' distribution against the reference group's, Welch disparities of the means,
    between-group summaries and the bounded group loss."""

    def _describe(self) -> str:
        d = self._data
        roles = d["roles"]
        parts = [f"{d['rows']['used']} rows", f"label `{roles['label']}`, prediction `{roles['prediction']}`"]
        for attr, s in d["summary"].items():
            parts.append(
                f"{attr}: {s['groups']} groups, bounded group loss (MAE) {_num(s.get('bounded_group_loss_mae'))}, "
                f"mean error difference {_num(s.get('mean_error_difference'))}"
            )
        return "; ".join(parts)

    @property
    def by_group(self) -> pl.DataFrame:
        """One row per group: rows, share, mean label, mean prediction, mean error, MAE, RMSE, R²
        and the KS and normed Wasserstein distances to the reference group's predictions."""
        return _frame([{k: v for k, v in g.items() if k not in ("levels", "undefined")} for g in self._data["groups"]])

    @property
    def disparities(self) -> pl.DataFrame:
        """One row per group and metric against the reference group (Welch's interval and test
        for the means, ratios for MAE and RMSE)."""
        return _disparity_frame(self._data["disparities"])

    @property
    def summary(self) -> dict[str, Any]:
        """Per attribute: ``<metric>_difference`` / ``_ratio`` and ``bounded_group_loss_mae`` /
        ``_rmse``."""
        return self._data["summary"]

    @property
    def above_threshold(self) -> FairnessReport | None:
        """With ``threshold=T``: the binary report of ``label >= T`` against ``prediction >= T``."""
        b = self._data.get("above_threshold")
        if b is None:
            return None
        return FairnessReport({**b, "roles": {**self._data["roles"], "positive_label": "at or above"}})

    def _repr_html_(self) -> str:
        rows = []
        for g in self._data["groups"]:
            cells = [html.escape(g["attribute"]), html.escape(g["group"]), str(g["count"])]
            cells += [_fmt(g.get(k)) for k in ("mean_error", "mae", "rmse", "r2", "ks_statistic")]
            cells.append("reference" if g.get("reference") else "")
            rows.append(cells)
        return _table(
            ["attribute", "group", "rows", "mean error", "MAE", "RMSE", "R²", "KS", ""],
            rows,
            "fairgauge regression fairness",
        )


class RankingReport(_Report):
    """A ranking's fairness (``task="ranking"``): per group the share of items, exposure under the
    logarithmic position discount and its share (Singh & Joachims 2018), the selection rate in
    the top ``k`` of each list, and with relevance the exposure-to-relevance ratio and NDCG;
    disparities against the reference group and between-group summaries."""

    def _describe(self) -> str:
        d = self._data
        parts = [f"{d['rows']['used']} items in {d['lists']} lists"]
        for attr, s in d["summary"].items():
            parts.append(f"{attr}: {s['groups']} groups, exposure ratio {_num(s.get('exposure_ratio'))}")
        return "; ".join(parts + [f"warning: {w}" for w in d["warnings"]])

    @property
    def by_group(self) -> pl.DataFrame:
        """One row per group: items, share, lists, exposure, exposure share, ``selection_rate_at_<k>``
        and with relevance ``mean_relevance``, ``exposure_relevance_ratio``, ``ndcg``, ``ndcg_at_<k>``
        (null where undefined)."""
        return _frame([{k: v for k, v in g.items() if k not in ("levels", "undefined")} for g in self._data["groups"]])

    @property
    def disparities(self) -> pl.DataFrame:
        """One row per group and metric against the reference group (difference and ratio)."""
        return _disparity_frame(self._data["disparities"])

    @property
    def summary(self) -> dict[str, Any]:
        """Per attribute: ``<metric>_difference`` (max - min) and ``<metric>_ratio`` (min / max)."""
        return self._data["summary"]

    @property
    def warnings(self) -> list[str]:
        """What the reader should know (a cut-off ``k`` that takes whole lists)."""
        return list(self._data["warnings"])

    def _repr_html_(self) -> str:
        k = self._data["k"][0]
        keys = ["exposure", "exposure_share", f"selection_rate_at_{k}"]
        titles = ["exposure", "exposure share", f"top {k}"]
        if self._data["roles"].get("relevance"):
            keys.append("ndcg")
            titles.append("NDCG")
        rows = []
        for g in self._data["groups"]:
            cells = [html.escape(g["attribute"]), html.escape(g["group"]), str(g["count"])]
            cells += [_fmt(g.get(key)) for key in keys]
            cells.append("reference" if g.get("reference") else "")
            rows.append(cells)
        return _table(["attribute", "group", "items", *titles, ""], rows, "fairgauge ranking fairness")


ESTIMATED_METRICS = ("tpr", "tnr", "fpr", "ppv", "npv", "accuracy", "f1", "roc_auc", "prevalence")


class EstimateReport(_Report):
    """A label-free estimate: per group the calibration chosen on the reference and the
    estimated metrics with their intervals (every value an estimate, not a measurement)."""

    def _groups(self) -> list[tuple[str, dict[str, Any]]]:
        d = self._data
        out = [("all", d["overall"])]
        for a in d["attributes"]:
            out += [(a["attribute"], g) for g in a["groups"]]
        return out

    def _describe(self) -> str:
        d = self._data
        o = d["overall"]
        acc = (o["estimated"].get("accuracy") or {}).get("value")
        return (
            f"ESTIMATED without labels: {o['rows']} rows, calibrated on {o['reference_rows']} labelled rows "
            f"({o['calibration']['applied']}); accuracy {_num(acc)}; {len(self._groups()) - 1} groups"
        )

    @property
    def overall(self) -> dict[str, Any]:
        """All rows' entry: rows, calibration check, expected confusion matrix, estimates."""
        return self._data["overall"]

    @property
    def by_group(self) -> pl.DataFrame:
        """One row per group (`attribute` ``all`` for every row): rows, reference rows, the
        calibration applied, status, and each metric's value, interval (``_lower``, ``_upper``),
        standard error and NannyML's sampling error."""
        rows = []
        for attr, g in self._groups():
            row: dict[str, Any] = {
                "attribute": attr,
                "group": g["group"],
                "rows": g["rows"],
                "reference_rows": g["reference_rows"],
                "calibration": g["calibration"]["applied"],
                "status": g["status"],
                "selection_rate": g["selection_rate"],
            }
            for m in ESTIMATED_METRICS:
                v = g["estimated"].get(m) or {}
                row[m] = v.get("value")
                row[f"{m}_lower"] = v.get("lower")
                row[f"{m}_upper"] = v.get("upper")
                row[f"{m}_std_error"] = v.get("std_error")
                row[f"{m}_sampling_error"] = v.get("sampling_error")
            rows.append(row)
        return _frame(rows)

    @property
    def windows(self) -> pl.DataFrame:
        """With ``time``/``every``: one row per window and group (``attribute`` ``all`` for all
        its rows), each metric's value and interval."""
        rows = []
        for w in self._data.get("windows", []):
            entries = [("all", w["overall"])] + [(a["attribute"], g) for a in w["attributes"] for g in a["groups"]]
            for attr, g in entries:
                row: dict[str, Any] = {"start": w["start"], "end": w["end"], "attribute": attr, "group": g["group"],
                                       "rows": g["rows"], "status": g["status"]}  # fmt: skip
                for m in ESTIMATED_METRICS:
                    v = g["estimated"].get(m) or {}
                    row[m], row[f"{m}_lower"], row[f"{m}_upper"] = v.get("value"), v.get("lower"), v.get("upper")
                rows.append(row)
        return _frame(rows)

    @property
    def summaries(self) -> pl.DataFrame:
        """Per attribute: equal opportunity, equalized odds and predictive parity differences of
        the estimates, with intervals and the groups that give them."""
        return _frame([{"attribute": a["attribute"], **m} for a in self._data["attributes"] for m in a["summaries"]])

    @property
    def calibration(self) -> pl.DataFrame:
        """Per group: the expected calibration error of the raw scores, of the population's and
        of the group's isotonic calibrator (out of fold), and the one applied."""
        return _frame([{"attribute": a, "group": g["group"], **g["calibration"]} for a, g in self._groups()])

    @property
    def reliability(self) -> pl.DataFrame:
        """Per group and score bin: reference rows, mean raw score and share of positive labels."""
        return _frame([{"attribute": a, "group": g["group"], **b} for a, g in self._groups() for b in g["reliability"]])

    def _repr_html_(self) -> str:
        rows = []
        for attr, g in self._groups():
            cells = [
                html.escape(attr),
                html.escape(g["group"]),
                str(g["rows"]),
                html.escape(g["calibration"]["applied"]),
            ]
            for m in ("tpr", "fpr", "ppv", "accuracy", "roc_auc"):
                v = g["estimated"].get(m)
                cells.append("—" if v is None else f"{v['value']:.3f} [{v['lower']:.3f}, {v['upper']:.3f}]")
            rows.append(cells)
        headers = ["attribute", "group", "rows", "calibrated", "TPR", "FPR", "PPV", "accuracy", "ROC AUC"]
        return _table(headers, rows, caption=f"ESTIMATED without labels ({self._data['confidence']:.0%} intervals)")


class DriftReport(_Report):
    """Per-column drift and the dataset verdict."""

    def _describe(self) -> str:
        d = self._data["dataset"]
        drifted = [c["name"] for c in self._data["columns"] if c.get("drifted")]
        names = ", ".join(drifted[:5]) + (f" and {len(drifted) - 5} more" if len(drifted) > 5 else "")
        verdict = "dataset drifted" if d["drift"] else "no dataset drift"
        return f"{verdict}; {d['drifted_columns']} of {d['columns']} columns drifted" + (
            f" ({names})" if drifted else ""
        )

    @property
    def columns(self) -> pl.DataFrame:
        """One row per column: method, statistic, p-values, verdict, PSI and null shares."""
        rows = []
        for c in self._data["columns"]:
            row = {
                k: v
                for k, v in c.items()
                if k not in ("effects", "new_categories", "vanished_categories", "warnings", "histogram")
            }
            row["psi"] = c.get("effects", {}).get("psi")
            rows.append(row)
        return _frame(rows)

    @property
    def dataset(self) -> dict[str, Any]:
        """The dataset verdict: drifted columns, share, threshold."""
        return self._data["dataset"]

    @property
    def drifted(self) -> bool:
        """Whether the dataset drifted."""
        return bool(self._data["dataset"]["drift"])

    def plot(self) -> Any:
        """A matplotlib figure: each column's PSI with the built-in policy's warn and fail lines.
        Needs ``pip install 'fairgauge[plot]'``."""
        from ._plots import drift_figure

        return drift_figure(self._data, DRIFT_POLICY)

    def _repr_html_(self) -> str:
        rows = [
            [
                html.escape(c["name"]),
                html.escape(c["method"]),
                _fmt(c.get("statistic"), 4),
                _fmt(c.get("p_value_adjusted"), 4),
                _badge("fail" if c["drifted"] else "pass"),
            ]
            for c in self._data["columns"]
        ]
        d = self._data["dataset"]
        return _table(
            ["column", "method", "statistic", "p (adj.)", "drift"],
            rows,
            f"fairgauge drift: {d['drifted_columns']} of {d['columns']} columns drifted",
        )


class MonitorReport(_Report):
    """Monitoring over time windows: each window's verdict, its measurements, and the alerts."""

    def __init__(self, data: dict[str, Any], metrics: list[dict[str, Any]]) -> None:
        super().__init__(data)
        self._metrics = metrics

    def _describe(self) -> str:
        w = self._data["windows"]
        monitored = [x for x in w if not x["baseline"]]
        return (
            f"{len(w)} windows ({len(w) - len(monitored)} baseline, every {self._data['every']}); "
            f"{len(self._data['alerts'])} alert(s)"
        )

    @property
    def windows(self) -> pl.DataFrame:
        """One row per window in time order: start, end, rows, baseline, status, quality score,
        and its number of alerts."""
        alerts: dict[str, int] = {}
        for a in self._data["alerts"]:
            alerts[a["window"]] = alerts.get(a["window"], 0) + 1
        keys = ("start", "end", "rows", "baseline", "status", "quality_score")
        return _frame([{**{k: w[k] for k in keys}, "alerts": alerts.get(w["start"], 0)} for w in self._data["windows"]])

    @property
    def metrics(self) -> pl.DataFrame:
        """Every measurement of every window as a long table (``--metrics-out``): window, family,
        metric, subject, value, lower, upper, n."""
        return _frame(self._metrics)

    @property
    def alerts(self) -> pl.DataFrame:
        """The alerts: window, family, metric, subject, value, expected limits, rule, severity,
        message."""
        rows = []
        for a in self._data["alerts"]:
            row = {k: v for k, v in a.items() if k != "expected"}
            row["lower"], row["upper"] = a["expected"]
            rows.append(row)
        return _frame(rows)

    def _repr_html_(self) -> str:
        alerts: dict[str, int] = {}
        for a in self._data["alerts"]:
            alerts[a["window"]] = alerts.get(a["window"], 0) + 1
        rows = [
            [
                html.escape(w["start"]),
                str(w["rows"]),
                "baseline" if w["baseline"] else _badge(w["status"]),
                _fmt(w.get("quality_score"), 1),
                str(alerts.get(w["start"], 0)),
            ]
            for w in self._data["windows"]
        ]
        first = [
            [html.escape(a["window"]), html.escape(a["rule"]), _badge(a["severity"]), html.escape(a["message"])]
            for a in self._data["alerts"][:20]
        ]
        return _table(
            ["window", "rows", "status", "quality", "alerts"], rows, f"fairgauge monitor: {self._describe()}"
        ) + (_table(["window", "rule", "severity", "alert"], first, "alerts (first 20)") if first else "")


class History:
    """A metric history (the SQLite file or PostgreSQL database ``assess``/``monitor`` write with ``history=``):
    ``.runs``, ``.metrics``, ``.risks`` (the living register) and ``.trend(finding_id)``, each a
    polars DataFrame read through fairgauge's own reader (docs/history.md)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def _read(self, what: str, key: str | None = None) -> pl.DataFrame:
        return _frame(json.loads(self._json(what, key)))

    @property
    def runs(self) -> pl.DataFrame:
        """The runs, oldest first: id, system, times, verdict, evidence digest, ledger record."""
        return self._read("runs")

    @property
    def metrics(self) -> pl.DataFrame:
        """Every measurement of every run (and window) as a long table, in run order."""
        return self._read("metrics")

    def run(self, run_id: str) -> pl.DataFrame:
        """One run's measurements."""
        return self._read("metrics", run_id)

    def trend(self, finding_id: str) -> pl.DataFrame:
        """One finding's series across runs and windows, in time order."""
        return self._read("trend", finding_id)

    @property
    def risks(self) -> pl.DataFrame:
        """Every risk the runs saw: first and last seen, runs, latest score, state, decision."""
        rows = json.loads(self._json("risks"))
        for r in rows:
            d = r.pop("decision", None) or {}
            r.update({k: d.get(k) for k in ("decision", "decided_by", "decided_at", "review_date")})
        return _frame(rows)

    def _json(self, what: str, key: str | None = None) -> str:
        from . import _fairgauge
        from ._native import call

        return call(_fairgauge.history_read, self.path, what, key)

    def __repr__(self) -> str:
        return f"fairgauge.History({self.path!r})"


class QualityReport(_Report):
    """Column profiles, checks, dataset facts, fingerprints and the score."""

    def __init__(self, data: dict[str, Any], inferred_rules: str = "") -> None:
        super().__init__(data)
        self._rules = inferred_rules

    def _describe(self) -> str:
        d = self._data["dataset"]
        bad = [c for c in self._data["checks"] if c["status"] != "pass"]
        fails = sum(1 for c in bad if c["status"] == "fail")
        return (
            f"score {d['score']}/100 ({d['status']}), {d['rows']} rows, {d['columns']} columns; "
            f"{fails} failing and {len(bad) - fails} warning checks"
        )

    @property
    def columns(self) -> pl.DataFrame:
        """One row per column: kind, missing counts and share, distinct, score."""
        rows = []
        for c in self._data["columns"]:
            m = c["missing"]
            rows.append(
                {
                    "name": c["name"],
                    "kind": c["kind"],
                    "rows": c["rows"],
                    "nulls": m["nulls"],
                    "nan": m["nan"],
                    "empty_strings": m["empty_strings"],
                    "configured_placeholders": sum(m["configured"].values()),
                    "suspected_placeholders": sum(p["count"] for p in m["suspected"]),
                    "missing_share": m["share"],
                    "distinct": c["distinct"],
                    "score": c["score"],
                }
            )
        return _frame(rows)

    @property
    def checks(self) -> pl.DataFrame:
        """Every check: id, status, value, count, message."""
        return _frame(
            [
                {k: c.get(k) for k in ("id", "check", "column", "status", "value", "count", "message")}
                for c in self._data["checks"]
            ]
        )

    @property
    def dataset(self) -> dict[str, Any]:
        """Rows, duplicates, leakage, proxies, fingerprints, score."""
        return self._data["dataset"]

    @property
    def score(self) -> float:
        """The table's 0-100 quality score."""
        return float(self._data["dataset"]["score"])

    def plot(self) -> Any:
        """A matplotlib figure: each column's 0-100 quality score and the table's. Needs
        ``pip install 'fairgauge[plot]'``."""
        from ._plots import quality_figure

        return quality_figure(self._data)

    @property
    def inferred_rules(self) -> str:
        """Rules suggested from this table (TOML), for ``quality(..., rules=...)`` on new data."""
        return self._rules

    def _repr_html_(self) -> str:
        rows = [
            [
                html.escape(c["name"]),
                html.escape(c["kind"]),
                _fmt(c["missing"]["share"]),
                str(c["distinct"]),
                _fmt(c["score"], 1),
            ]
            for c in self._data["columns"]
        ]
        d = self._data["dataset"]
        return _table(
            ["column", "kind", "missing share", "distinct", "score"],
            rows,
            f"fairgauge quality: score {d['score']}/100, {d['rows']} rows, "
            f"{d['duplicates']['extra_rows']} duplicate rows",
        )


EXPORTS = {
    "json": "evidence.json",
    "register": "register.csv",
    "oscal": "oscal.json",
    "junit": "junit.xml",
    "markdown": "summary.md",
    "attestation": "attestation.json",
    "envelope": "attestation.dsse.json",
    "html": "report.html",
}


def _life_columns(life: dict[str, Any] | None) -> dict[str, Any]:
    """A risk's life and decision as columns (``None`` without a history)."""
    life = life or {}
    decision = life.get("decision") or {}
    return {
        "life_status": life.get("status"),
        "first_seen": life.get("first_seen"),
        "runs_seen": life.get("runs_seen"),
        "decision": decision.get("decision"),
        "decision_in_force": decision.get("in_force"),
    }


class Evidence(_Report):
    """An assessment's evidence: findings, risks, summary, and writers for every export."""

    def _describe(self) -> str:
        s = self._data["summary"]
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in s["findings"].items() if n)
        risks = ", ".join(f"{n} {k}" for k, n in s["risks"].items() if n) or "none"
        return f"{self._data['system']['name']}: {s['overall']}; findings {counts}; risks {risks}"

    @property
    def passed(self) -> bool:
        """Whether no finding fails."""
        return bool(self._data["summary"]["passed"])

    @property
    def findings(self) -> pl.DataFrame:
        """One row per finding: kind, status, metric, value, subject, message, controls, risk."""
        rows = []
        for f in self._data["findings"]:
            s = f["subject"]
            rows.append(
                {
                    "id": f["id"],
                    "kind": f["kind"],
                    "category": f["category"],
                    "status": f["status"],
                    "metric": f["metric"],
                    "value": f.get("value"),
                    "p_value": f.get("p_value"),
                    "column": s.get("column"),
                    "attribute": s.get("attribute"),
                    "group": s.get("group"),
                    "reference_group": s.get("reference_group"),
                    "message": f["message"],
                    "controls": ", ".join(c["id"] for c in f["controls"]),
                    "risk_id": f.get("risk_id"),
                }
            )
        return _frame(rows)

    @property
    def risks(self) -> pl.DataFrame:
        """One row per risk, by score; with a history (``assess(history=…)``), its life (status,
        first seen, runs seen) and the decision on it, and a row per resolved risk."""
        return _frame(
            [
                {
                    **{
                        k: r[k]
                        for k in (
                            "id",
                            "title",
                            "category",
                            "likelihood",
                            "impact",
                            "score",
                            "rating",
                            "treatment",
                            "status",
                        )
                    },
                    "controls": ", ".join(c["id"] for c in r["controls"]),
                    "findings": len(r["findings"]),
                    **_life_columns(r.get("life")),
                }
                for r in [*self._data["risks"], *self._data.get("resolved_risks", [])]
            ]
        )

    @property
    def summary(self) -> dict[str, Any]:
        """Counts by status and the overall verdict."""
        return self._data["summary"]

    def write(
        self,
        directory: str | os.PathLike[str],
        formats: list[str] | None = None,
        *,
        ledger: str | os.PathLike[str] | None = None,
        sign_key: str | os.PathLike[str] | None = None,
        history: str | os.PathLike[str] | None = None,
    ) -> dict[str, str]:
        """Writes the evidence and its exports into `directory` (created if missing), under the
        names ``fairgauge demo`` uses; `formats` from json, register, oscal, junit, markdown,
        attestation, envelope (the attestation in a DSSE envelope signed with `sign_key`), html
        (default: all; the envelope only with `sign_key`). With `ledger`, appends a record
        (signed with `sign_key`, which also signs the checkpoint) and this evidence then
        records its position in ``run.ledger``. With `history` (default: the one given to
        :func:`assess`), records the run and its findings' measurements in that SQLite database
        (see docs/history.md). Returns the paths written, by
        format."""
        from . import _fairgauge
        from ._errors import OptionError
        from ._native import call

        if formats is None:
            formats = [f for f in EXPORTS if f != "envelope" or sign_key]
        formats = list(formats)
        unknown = [f for f in formats if f not in EXPORTS]
        if unknown:
            raise OptionError(f"unknown export format `{unknown[0]}`; expected one of: {', '.join(EXPORTS)}")
        if "envelope" in formats and not sign_key:
            raise OptionError("the `envelope` format (a signed DSSE envelope) needs `sign_key`")
        if sign_key and not ledger and "envelope" not in formats:
            raise OptionError(
                "`sign_key` signs the ledger record or the DSSE envelope: give `ledger` or the `envelope` format"
            )
        directory = os.fspath(directory)
        os.makedirs(directory, exist_ok=True)
        paths = {f: os.path.join(directory, EXPORTS[f]) for f in formats}
        keys = {f: f for f in EXPORTS} | {"json": "evidence", "envelope": "attestation_envelope"}
        outputs = {keys[f]: p for f, p in paths.items()}
        if ledger:
            outputs["ledger"] = os.fspath(ledger)
        if sign_key:
            outputs["sign_key"] = os.fspath(sign_key)
        history = history or getattr(self, "_history", None)
        if history:
            outputs["history"] = os.fspath(history)
        written = call(_fairgauge.write_evidence, json.dumps(self._data), json.dumps(outputs))
        self._data = json.loads(written)
        return paths

    def html(self) -> str:
        """The full self-contained HTML report."""
        from . import _fairgauge
        from ._native import call

        return call(_fairgauge.render_html, json.dumps(self._data))

    def _repr_html_(self) -> str:
        s = self._data["summary"]
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in s["findings"].items() if n)
        rows = [
            [
                html.escape(r["id"]),
                html.escape(r["title"]),
                _badge({"low": "pass", "medium": "warn"}.get(r["rating"], "fail")) + " " + html.escape(r["rating"]),
                str(r["score"]),
                html.escape(r["treatment"]),
            ]
            for r in self._data["risks"]
        ]
        head = f"<p>{_badge(s['overall'])} {html.escape(self._data['system']['name'])}: {html.escape(counts)}</p>"
        return head + _table(
            ["risk", "title", "rating", "score", "treatment"], rows, "fairgauge assessment: risks by score"
        )
