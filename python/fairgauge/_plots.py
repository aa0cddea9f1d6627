"""Matplotlib figures of the reports (``report.plot()``), behind the optional ``plot`` extra.

Figures are made with ``matplotlib.figure.Figure`` (not pyplot): no global state, any backend,
shown by Jupyter when returned, saved with ``fig.savefig(...)``. Labels sit beside the marks, never
on them: group names on the y axis, values at the right end of the axis.
"""

from __future__ import annotations

from typing import Any

_RATES = {
    "classification": [
        ("selection_rate", "selection rate", "selection_rate_ratio"),
        ("tpr", "true positive rate", "equal_opportunity_difference"),
        ("fpr", "false positive rate", "false_positive_rate_difference"),
    ],
    "labels": [("base_rate", "base rate", "base_rate_ratio")],
}


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("report.plot() needs matplotlib: pip install 'fairgauge[plot]'") from None
    return Figure(figsize=(width, height), layout="constrained")


def _band(reference: float, threshold: dict[str, Any]) -> tuple[float, float]:
    """The rates a group may have and still pass: a ratio within [fail, 1/fail] of the
    reference's (impact ratio ``min(r, 1/r)``), or a difference within ±fail."""
    fail = threshold["fail"]
    if threshold["direction"] == "below":  # a ratio
        return reference * fail, min(1.0, reference / fail) if fail > 0 else 1.0
    return max(0.0, reference - fail), min(1.0, reference + fail)


def fairness_figures(data: dict[str, Any], thresholds: dict[str, dict[str, Any]], source: str) -> list[Any]:
    """One figure per attribute: a panel per rate with each group's rate and its interval, the
    reference group's rate as a line and the band the policy's fail threshold allows around it."""
    rates = _RATES["classification" if data["mode"] == "classification" else "labels"]
    level = round(100 * data["confidence"])
    figures = []
    for attr in data["summary"]:
        groups = [g for g in data["groups"] if g["attribute"] == attr]
        fig = _figure(4.2 * len(rates), 0.9 + 0.42 * len(groups))
        axes = fig.subplots(1, len(rates), sharey=True, squeeze=False)[0]
        names = [g["group"] for g in groups]
        for ax, (key, title, rule) in zip(axes, rates, strict=True):
            ys = list(range(len(groups)))
            xs = [g.get(key) for g in groups]
            cis = [g.get("ci", {}).get(key) for g in groups]
            for y, x, ci, g in zip(ys, xs, cis, groups, strict=True):
                if x is None:
                    continue
                lo, hi = ci if ci else (x, x)
                color = "#57606a" if g.get("insufficient_data") else "#0969da"
                ax.errorbar(x, y, xerr=[[x - lo], [hi - x]], fmt="o", color=color, capsize=3)
            reference = next((g for g in groups if g.get("reference") and g.get(key) is not None), None)
            if reference is not None and rule in thresholds:
                ref = reference[key]
                lo, hi = _band(ref, thresholds[rule])
                ax.axvspan(lo, hi, color="#1a7f37", alpha=0.12, lw=0, label=f"passes ({source})")
                ax.axvline(ref, color="#1a7f37", lw=1, ls="--", label=f"reference {reference['group']}")
            ax.set_title(f"{title} [{level}% CI]", fontsize=10)
            ax.set_xlim(0, 1)
            ax.set_yticks(ys, names)
            ax.set_ylim(len(groups) - 0.5, -0.5)  # first group on top, half a row of margin
            ax.grid(axis="x", alpha=0.3)
        axes[0].set_ylabel(attr)
        handles, labels = axes[0].get_legend_handles_labels()
        if handles:
            fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8, frameon=False)
        fig.suptitle(f"fairness by {attr}", fontsize=11)
        figures.append(fig)
    return figures


def drift_figure(data: dict[str, Any], psi: dict[str, Any]) -> Any:
    """PSI per column (largest first) with the policy's warn and fail lines."""
    cols = sorted(data["columns"], key=lambda c: -(c.get("effects", {}).get("psi") or 0.0))
    fig = _figure(7.0, 1.0 + 0.32 * max(len(cols), 1))
    ax = fig.subplots()
    values = [c.get("effects", {}).get("psi") or 0.0 for c in cols]
    colors = ["#cf222e" if v > psi["psi_fail"] else "#9a6700" if v > psi["psi_warn"] else "#0969da" for v in values]
    ys = list(range(len(cols)))
    ax.barh(ys, values, color=colors)
    ax.axvline(psi["psi_warn"], color="#9a6700", ls="--", lw=1, label=f"warn {psi['psi_warn']:g}")
    ax.axvline(psi["psi_fail"], color="#cf222e", ls="--", lw=1, label=f"fail {psi['psi_fail']:g}")
    ax.set_yticks(ys, [c["name"] for c in cols])
    ax.invert_yaxis()
    ax.set_xlabel("population stability index")
    ax.legend(loc="lower right", fontsize=8)
    d = data["dataset"]
    ax.set_title(f"drift: {d['drifted_columns']} of {d['columns']} columns drifted", fontsize=11)
    return fig


def quality_figure(data: dict[str, Any]) -> Any:
    """Each column's 0-100 quality score, with the table's score as a line."""
    cols = data["columns"]
    fig = _figure(7.0, 1.0 + 0.32 * max(len(cols), 1))
    ax = fig.subplots()
    ys = list(range(len(cols)))
    scores = [c["score"] for c in cols]
    ax.barh(ys, scores, color="#0969da")
    score = data["dataset"]["score"]
    ax.axvline(score, color="#24292f", ls="--", lw=1, label=f"table score {score}")
    ax.set_xlim(0, 100)
    ax.set_yticks(ys, [c["name"] for c in cols])
    ax.invert_yaxis()
    ax.set_xlabel("quality score")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(f"quality: {data['dataset']['rows']} rows", fontsize=11)
    return fig
