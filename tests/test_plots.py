"""``report.plot()``: matplotlib figures whose marks are the report's numbers (rates and their
intervals, the policy's threshold band, PSI per column, quality scores), labels that do not
overlap, and a clear ImportError without matplotlib."""

import sys

import fairgauge
import polars as pl
import pytest

pytest.importorskip("matplotlib")


def _groups(b_tpr: float, n: int = 200) -> pl.DataFrame:
    rows = []
    for g, tpr in (("a", 1.0), ("b", b_tpr), ("c", 0.9)):
        for i in range(n):
            y = i % 2
            rows.append({"y": y, "p": int(y == 1 and (i // 2) < tpr * n / 2), "g": g, "x": float(i)})
    return pl.DataFrame(rows)


def _points(ax):
    """Each errorbar's (x, y, low, high)."""
    out = []
    for c in ax.containers:
        line, _, (bars,) = c.lines
        (x,), (y,) = line.get_xdata(), line.get_ydata()
        (seg,) = bars.get_segments()
        out.append((x, y, seg[0][0], seg[1][0]))
    return out


def _no_overlap(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for ax in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not a.overlaps(b), "tick labels overlap"


def test_fairness_figures_show_the_reports_rates_intervals_and_threshold_band(tmp_path):
    r = fairgauge.fairness(_groups(0.5), label="y", prediction="p", sensitive="g")
    (fig,) = r.plot()
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [
        "selection rate [95% CI]",
        "true positive rate [95% CI]",
        "false positive rate [95% CI]",
    ]
    groups = r["groups"]
    for ax, key in zip(axes, ["selection_rate", "tpr", "fpr"], strict=True):
        got = [v for p in _points(ax) for v in p]
        want = [v for i, g in enumerate(groups) for v in (g[key], i, *g["ci"][key])]
        assert got == pytest.approx(want, abs=1e-12)
    # The panels share the group axis: its names once, on the left.
    assert [t.get_text() for t in axes[0].get_yticklabels()] == [g["group"] for g in groups]
    # The band a group may be in and pass: four-fifths of the reference's selection rate (and
    # the reference over 0.8), and the TPR gap's 0.1 either side.
    ref = next(g for g in groups if g["reference"])
    band = axes[0].patches[0]
    assert band.get_x() == pytest.approx(ref["selection_rate"] * 0.8)
    assert band.get_x() + band.get_width() == pytest.approx(min(1, ref["selection_rate"] / 0.8))
    band = axes[1].patches[0]
    assert band.get_x() == pytest.approx(ref["tpr"] - 0.1)
    _no_overlap(fig)
    fig.savefig(tmp_path / "fairness.png")
    assert (tmp_path / "fairness.png").stat().st_size > 1000


def test_fairness_figures_follow_the_policy_and_the_labels_only_mode(tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text("version = 1\n[fairness.thresholds]\nbase_rate_ratio = { warn = 0.7, fail = 0.5 }\n")
    df = _groups(0.5).with_columns(pl.when(pl.col("g") == "b").then(0).otherwise(pl.col("y")).alias("y"))
    r = fairgauge.fairness(df, label="y", sensitive="g", policy=policy)
    (fig,) = r.plot()
    (ax,) = fig.axes
    assert ax.get_title() == "base rate [95% CI]"
    ref = next(g for g in r["groups"] if g["reference"])
    assert ax.patches[0].get_x() == pytest.approx(ref["base_rate"] * 0.5)
    # Two attributes: two figures.
    two = fairgauge.fairness(
        _groups(0.5).with_columns((pl.col("x") % 2).cast(str).alias("h")),
        label="y", prediction="p", sensitive=["g", "h"],
    )  # fmt: skip
    assert len(two.plot()) == 2


def test_drift_and_quality_figures():
    ref = _groups(1.0)
    d = fairgauge.drift(ref, ref.with_columns(pl.col("x") + 150))
    fig = d.plot()
    (ax,) = fig.axes
    widths = [p.get_width() for p in ax.patches]
    psi = sorted((c["effects"]["psi"] for c in d["columns"]), reverse=True)
    assert widths == pytest.approx(psi, abs=1e-12)
    assert {line.get_xdata()[0] for line in ax.lines} == {0.1, 0.25}
    _no_overlap(fig)
    q = fairgauge.quality(ref)
    (ax,) = q.plot().axes
    assert [p.get_width() for p in ax.patches] == [c["score"] for c in q["columns"]]


def test_without_matplotlib_plot_says_how_to_get_it(monkeypatch):
    r = fairgauge.fairness(_groups(0.5), label="y", prediction="p", sensitive="g")
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"fairgauge\[plot\]"):
        r.plot()
