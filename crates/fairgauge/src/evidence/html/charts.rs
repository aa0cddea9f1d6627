//! The charts, as inline SVG with a text alternative (`aria-label`, `<title>`): rates per group
//! with interval whiskers and an optional impact-ratio line, and reference-against-current
//! histograms of a drifting column.

use std::fmt::Write;

use crate::drift::HistogramCounts;
use crate::evidence::html::cells::num;
use crate::evidence::html::escape::esc;
use crate::present::{percent, quantity};

/// One bar of a rate chart.
#[derive(Debug)]
pub struct Bar {
    /// The group.
    pub group: String,
    /// Its rate (none when undefined).
    pub value: Option<f64>,
    /// The rate's interval.
    pub interval: Option<[f64; 2]>,
    /// The group is the reference.
    pub reference: bool,
    /// The group has too few rows to judge.
    pub insufficient: bool,
    /// The rate is estimated (groups known as probabilities): the bar is drawn hollow.
    pub estimated: bool,
}

/// A dashed line across a rate chart (with the area below it shaded), at `level`, labelled.
#[derive(Debug)]
pub struct Band<'a> {
    /// Where the line is, as a rate.
    pub level: f64,
    /// Its label, such as `4/5 of reference`.
    pub label: &'a str,
}

/// A bar chart's vertical axis: from 0 to `max`, values written by `fmt`.
#[derive(Debug, Clone, Copy)]
struct Axis {
    max: f64,
    fmt: fn(f64) -> String,
}

/// Rates: 0 to 100 %.
const RATE_AXIS: Axis = Axis {
    max: 1.0,
    fmt: percent,
};

/// The bars in words, for the chart's text alternative.
fn alt_text(bars: &[Bar], fmt: fn(f64) -> String) -> Vec<String> {
    bars.iter()
        .map(|b| {
            format!(
                "{}{}: {}{}{}",
                b.group,
                if b.reference { " (reference)" } else { "" },
                b.value.map(fmt).unwrap_or_else(|| "undefined".into()),
                b.interval
                    .map(|c| format!(" [{}, {}]", fmt(c[0]), fmt(c[1])))
                    .unwrap_or_default(),
                if b.insufficient {
                    ", insufficient data"
                } else {
                    ""
                }
            )
        })
        .collect()
}

/// A rate chart's slot per bar, the bar's width, the plot's height and the labels' font size
/// (px): large enough to read on screen and on paper.
const SLOT: f64 = 84.0;
const BAR_W: f64 = 52.0;
const PLOT_H: f64 = 200.0;
const FONT: f64 = 12.0;
/// The widest a group's label may be: its slot less a gap, so neighbours never touch.
const LABEL_W: f64 = SLOT - 8.0;

/// A label's `<text>` attributes that keep it within `max` px: the text is cut to 18 characters
/// (the full name is in the chart's text alternative and the tables), and when it could still be
/// wider than `max` (estimated at 0.62 em a character, more than most fonts' average) it is
/// squeezed to `max` with `textLength`.
fn fitted(label: &str, font: f64, max: f64) -> (String, String) {
    let n = label.chars().count();
    let text: String = if n > 18 {
        label.chars().take(17).chain(std::iter::once('…')).collect()
    } else {
        label.to_string()
    };
    let est = text.chars().count() as f64 * 0.62 * font;
    let fit = if est > max {
        format!(" textLength=\"{max:.0}\" lengthAdjust=\"spacingAndGlyphs\"")
    } else {
        String::new()
    };
    (text, fit)
}

/// The geometry of a bar chart: the plot's top and height, its left margin and its axis.
#[derive(Debug)]
struct Frame {
    top: f64,
    plot_h: f64,
    left: f64,
    axis: Axis,
}

impl Frame {
    /// The vertical position of a value in [0, max] (clamped).
    fn y(&self, v: f64) -> f64 {
        self.top + self.plot_h * (1.0 - (v / self.axis.max).clamp(0.0, 1.0))
    }
}

/// Appends the `i`-th bar: its rect, its whisker, its value above both, its group's name and
/// its note below the plot. Elements carry classes (`c-bar`, `c-whisker`, `c-value`, `c-group`,
/// `c-note`) that the browser test measures.
fn write_bar(svg: &mut String, fr: &Frame, i: usize, b: &Bar) {
    let (top, plot_h, left) = (fr.top, fr.plot_h, fr.left);
    let x = left + (SLOT - BAR_W) / 2.0 + i as f64 * SLOT;
    let cx = x + BAR_W / 2.0;
    let fill = if b.insufficient {
        "#afb8c1"
    } else if b.reference {
        "#0969da"
    } else {
        "#54aeff"
    };
    if let Some(v) = &b.value {
        // An estimated rate is drawn hollow: its outline in the bar's colour.
        let paint = match (b.estimated, b.reference) {
            (true, true) => format!("fill=\"none\" stroke=\"{fill}\" stroke-width=\"3\""),
            (true, false) => format!("fill=\"none\" stroke=\"{fill}\" stroke-width=\"2\""),
            (false, true) => format!("fill=\"{fill}\" stroke=\"#1f2328\" stroke-width=\"2\""),
            (false, false) => format!("fill=\"{fill}\""),
        };
        let _ = write!(
            svg,
            "<rect class=\"c-bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{BAR_W}\" height=\"{:.1}\" {paint}/>",
            fr.y(*v),
            (top + plot_h) - fr.y(*v),
        );
    }
    if let Some([lo, hi]) = &b.interval {
        let _ = write!(
            svg,
            "<g class=\"c-whisker\" stroke=\"#1f2328\"><line x1=\"{cx:.1}\" x2=\"{cx:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/></g>",
            fr.y(*lo), fr.y(*hi), cx - 6.0, cx + 6.0, fr.y(*lo), fr.y(*lo), cx - 6.0, cx + 6.0, fr.y(*hi), fr.y(*hi)
        );
    }
    if let Some(v) = &b.value {
        // Above the bar and its whisker, whichever is higher.
        let above = b.interval.map_or(*v, |[_, hi]| hi.max(*v));
        let _ = write!(
            svg,
            "<text class=\"c-value\" x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" text-anchor=\"middle\">{}</text>",
            fr.y(above) - 4.0,
            esc(&(fr.axis.fmt)(*v))
        );
    }
    let (label, fit) = fitted(&b.group, FONT, LABEL_W);
    let _ = write!(
        svg,
        "<text class=\"c-group\" x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" text-anchor=\"middle\"{fit}>{}</text>",
        top + plot_h + 16.0,
        esc(&label)
    );
    let note = if b.insufficient {
        "insufficient"
    } else if b.reference {
        "reference"
    } else {
        ""
    };
    if !note.is_empty() {
        let _ = write!(
            svg,
            "<text class=\"c-note\" x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"#57606a\">{note}</text>",
            top + plot_h + 31.0,
            FONT - 1.0
        );
    }
}

/// A vertical bar chart of rates in [0, 1] per group, with interval whiskers; the reference
/// group's bar is outlined and labelled; `band` draws a dashed line (and shades below it) at a
/// level such as four fifths of the reference's rate.
pub fn rate_chart(title: &str, bars: &[Bar], band: Option<Band<'_>>) -> String {
    bar_chart(title, bars, band, RATE_AXIS)
}

/// A vertical bar chart of non-negative quantities in the data's units (errors, exposure) per
/// group, from 0 to a round number above the largest value or interval end.
pub fn value_chart(title: &str, bars: &[Bar]) -> String {
    let top = bars
        .iter()
        .flat_map(|b| b.value.into_iter().chain(b.interval.map(|[_, hi]| hi)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let axis = Axis {
        max: round_up(top),
        fmt: quantity,
    };
    bar_chart(title, bars, None, axis)
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `x` (1 for nothing above 0).
fn round_up(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    let unit = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * unit)
        .find(|v| *v >= x)
        .unwrap_or(10.0 * unit)
}

fn bar_chart(title: &str, bars: &[Bar], band: Option<Band<'_>>, axis: Axis) -> String {
    let left = 48.0;
    let w = (left + 12.0 + bars.len().max(1) as f64 * SLOT) as usize;
    // A band's label is a legend above the plot (never on the bars); the value labels above a
    // bar of 100 % need room too.
    let (top, bottom) = (if band.is_some() { 44.0 } else { 26.0 }, 44.0);
    let h = (top + PLOT_H + bottom) as usize;
    let fr = Frame {
        top,
        plot_h: PLOT_H,
        left,
        axis,
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        esc(&format!("{title}: {}", alt_text(bars, axis.fmt).join("; "))),
        esc(title)
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0].map(|t| t * axis.max) {
        let yy = fr.y(t);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{w}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#eaeef2\"/><text class=\"c-tick\" x=\"{}\" y=\"{:.1}\" font-size=\"{}\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
            left - 5.0,
            yy + 4.0,
            FONT - 1.0,
            (axis.fmt)(t)
        );
    }
    if let Some(b) = band {
        let yy = fr.y(b.level);
        let _ = write!(
            svg,
            "<rect class=\"c-band\" x=\"{left}\" y=\"{yy:.1}\" width=\"{}\" height=\"{:.1}\" fill=\"#cf222e\" fill-opacity=\"0.06\"/><line x1=\"{left}\" x2=\"{w}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/><line x1=\"{left}\" x2=\"{}\" y1=\"12\" y2=\"12\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/><text class=\"c-legend\" x=\"{}\" y=\"16\" font-size=\"{FONT}\" fill=\"#cf222e\">{}</text>",
            w as f64 - left,
            (top + PLOT_H) - yy,
            left + 20.0,
            left + 26.0,
            esc(b.label)
        );
    }
    for (i, b) in bars.iter().enumerate() {
        write_bar(&mut svg, &fr, i, b);
    }
    svg.push_str("</svg>");
    format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(title)
    )
}

/// Reference against current: overlaid bars (numeric bins) or paired bars (categories), as
/// shares of each table.
pub fn histogram_chart(name: &str, h: &HistogramCounts, numeric: bool) -> String {
    let counts = |c: &[u64]| -> Vec<f64> { c.iter().map(|&x| x as f64).collect() };
    let (r, c) = (counts(&h.reference), counts(&h.current));
    let (rt, ct) = (
        r.iter().sum::<f64>().max(1.0),
        c.iter().sum::<f64>().max(1.0),
    );
    let rs: Vec<f64> = r.iter().map(|x| x / rt).collect();
    let cs: Vec<f64> = c.iter().map(|x| x / ct).collect();
    let max = rs
        .iter()
        .chain(&cs)
        .cloned()
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let n = h.labels.len().max(1);
    let bw = (360.0 / n as f64).clamp(6.0, 32.0);
    let w = (bw * n as f64 + 20.0).max(160.0);
    let hh = 120.0;
    let svg_h = hh + 14.0;
    let alt: Vec<String> = h
        .labels
        .iter()
        .zip(rs.iter().zip(&cs))
        .map(|(l, (a, b))| format!("{l}: reference {}, current {}", percent(*a), percent(*b)))
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{svg_h:.0}\" viewBox=\"0 0 {w:.0} {svg_h:.0}\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        esc(&format!("{name}: {}", alt.join("; "))),
        esc(&format!("{name}: reference (blue) against current (pink)"))
    );
    for (i, (a, b)) in rs.iter().zip(&cs).enumerate() {
        let x = 10.0 + i as f64 * bw;
        let ha = hh * a / max;
        let hb = hh * b / max;
        if numeric {
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{ha:.1}\" fill=\"#0969da\" fill-opacity=\"0.35\"/><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{hb:.1}\" fill=\"none\" stroke=\"#bf3989\" stroke-width=\"1.5\"/>",
                hh - ha, bw - 1.0, hh - hb, bw - 1.0
            );
        } else {
            let half = (bw - 1.0) / 2.0;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{half:.1}\" height=\"{ha:.1}\" fill=\"#0969da\"/><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{half:.1}\" height=\"{hb:.1}\" fill=\"#bf3989\"/>",
                hh - ha, x + half, hh - hb
            );
        }
    }
    let _ = write!(
        svg,
        "<line x1=\"8\" x2=\"{w:.0}\" y1=\"{hh}\" y2=\"{hh}\" stroke=\"#57606a\"/>"
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(value: f64, interval: Option<[f64; 2]>) -> TrendPoint {
        TrendPoint {
            label: "r".into(),
            value: Some(value),
            interval,
            baseline: false,
            alert: false,
        }
    }

    /// A sparkline draws each value on its range, leaves a gap for a missing one, dots the last
    /// and lists the values in its text alternative.
    #[test]
    fn sparklines_draw_the_values_on_their_range() {
        let svg = sparkline(
            "score",
            &[Some(1.0), None, Some(25.0), Some(13.0)],
            [1.0, 25.0],
        );
        assert!(svg.contains("aria-label=\"score: 1, —, 25, 13\""), "{svg}");
        // x from 2 to 82 in three steps; y from 16 (the range's bottom) to 2 (its top).
        assert!(
            svg.contains("points=\"2.0,16.0 55.3,2.0 82.0,9.0\""),
            "{svg}"
        );
        assert!(svg.contains("<circle cx=\"82.0\" cy=\"9.0\""), "{svg}");
        let gap_last = sparkline("s", &[Some(3.0), None], [1.0, 25.0]);
        assert!(!gap_last.contains("<circle"), "{gap_last}");
    }

    /// Rates stay on [0, 1] in percent; a series leaving it (a ratio above 1, an interval
    /// below 0) gets its own range, padded by 5 %, in plain numbers.
    #[test]
    fn trend_scales_follow_the_data() {
        let rates = [point(0.2, Some([0.1, 0.3])), point(0.9, None)];
        let (range, label) = trend_scale(&rates);
        assert_eq!(range, [0.0, 1.0]);
        assert_eq!(label(0.5), "50.0%");
        let gaps = [point(0.05, Some([-0.01, 0.11])), point(0.02, None)];
        let (range, label) = trend_scale(&gaps);
        assert!((range[0] - (-0.016)).abs() < 1e-12 && (range[1] - 0.116).abs() < 1e-12);
        assert_eq!(label(0.05), "0.050");
        let flat = [point(2.0, None), point(2.0, None)];
        assert_eq!(trend_scale(&flat).0, [1.8, 2.2]);
        let svg = trend_chart("ratio", &[point(1.25, None), point(0.75, None)]);
        assert!(svg.contains(">1.275<") && svg.contains(">0.725<"), "{svg}");
    }

    /// The band's label sits in the legend above the plot, clear of every bar and whisker.
    #[test]
    fn the_band_label_is_above_the_plot() {
        let bars: Vec<Bar> = ["a", "b", "c"]
            .iter()
            .map(|g| Bar {
                group: g.to_string(),
                value: Some(1.0),
                interval: Some([0.95, 1.0]),
                reference: *g == "a",
                insufficient: false,
                estimated: false,
            })
            .collect();
        let band = Band {
            level: 0.8,
            label: "4/5 of reference",
        };
        let svg = rate_chart("Selection rate", &bars, Some(band));
        // The `y` attribute of the element at the front of `s`.
        let y_of = |s: &str| -> f64 {
            let v = s.split("y=\"").nth(1).unwrap().split('"').next().unwrap();
            v.parse().unwrap()
        };
        let at = svg.find(">4/5 of reference<").unwrap();
        let tag = &svg[svg[..at].rfind("<text").unwrap()..at];
        let y = y_of(tag);
        // Bars of 1.0 reach the plot's top (44); their value labels sit just above it.
        assert!(y < 24.0, "{tag}");
        let rects: Vec<f64> = svg
            .match_indices("<rect class=\"c-bar\" x=")
            .map(|(i, _)| y_of(&svg[i..]))
            .collect();
        assert!(rects.iter().all(|&ry| ry > y + 4.0), "{rects:?} vs {y}");
    }

    #[test]
    fn value_axes_end_at_a_round_number_above_the_largest_value() {
        assert_eq!(round_up(1.197), 2.0);
        assert_eq!(round_up(0.8), 1.0);
        assert_eq!(round_up(2.2), 2.5);
        assert_eq!(round_up(3100.0), 5000.0);
        assert_eq!(round_up(0.0), 1.0);
        assert_eq!(round_up(f64::NAN), 1.0);
        let bars = [Bar {
            group: "<b>".into(),
            value: Some(1.197),
            interval: None,
            reference: true,
            insufficient: false,
            estimated: false,
        }];
        let svg = value_chart("MAE by sex", &bars);
        // Ticks in the label's units up to 2, the value with four digits, the name escaped.
        assert!(
            svg.contains(">2.000</text>") && svg.contains(">1.197</text>"),
            "{svg}"
        );
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
    }
}

/// A sparkline: `values` (oldest first; a gap where there is none) as a small line on the range
/// `[lo, hi]`, the last value dotted; `label` says what the values are (its text alternative
/// lists them). Class `spark` for tests.
pub fn sparkline(label: &str, values: &[Option<f64>], [lo, hi]: [f64; 2]) -> String {
    const W: f64 = 84.0;
    const H: f64 = 18.0;
    let n = values.len().max(2) - 1;
    let x = |i: usize| 2.0 + (W - 4.0) * i as f64 / n as f64;
    let y = |v: f64| 2.0 + (H - 4.0) * (1.0 - ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let words: Vec<String> = values
        .iter()
        .map(|v| v.map_or("—".into(), |v| num(Some(v), 0)))
        .collect();
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    let mut svg = format!(
        "<svg class=\"spark\" role=\"img\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" aria-label=\"{}\"><polyline points=\"{}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\"/>",
        esc(&format!("{label}: {}", words.join(", "))),
        points.join(" ")
    );
    if let Some((i, Some(v))) = values.iter().enumerate().next_back() {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\" fill=\"#0969da\"/>",
            x(i),
            y(*v)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One window (or run) of a trend chart.
#[derive(Debug)]
pub struct TrendPoint {
    /// The window's label (its start).
    pub label: String,
    /// The rate (none when the window has no rows of the subject).
    pub value: Option<f64>,
    /// Its interval.
    pub interval: Option<[f64; 2]>,
    /// The window is part of the baseline (shaded).
    pub baseline: bool,
    /// An alert was raised on it (a red ring).
    pub alert: bool,
}

/// The vertical scale of a trend chart: [0, 1] in percent when every value and interval end lies
/// there (a rate), else the data's own range in plain numbers (a ratio, a distance).
fn trend_scale(points: &[TrendPoint]) -> ([f64; 2], fn(f64) -> String) {
    let ends = points
        .iter()
        .flat_map(|p| p.value.into_iter().chain(p.interval.into_iter().flatten()))
        .filter(|v| v.is_finite());
    let (lo, hi) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if lo > hi || (lo >= 0.0 && hi <= 1.0) {
        return ([0.0, 1.0], percent);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.1 * lo.abs().max(1.0)
    };
    ([lo - pad, hi + pad], plain)
}

fn plain(v: f64) -> String {
    num(Some(v), 3)
}

/// A small line chart of a rate (or any number) over windows or runs: the line, its interval
/// band, baseline windows shaded, alerts ringed in red; first and last labels under the plot.
/// Rates are drawn on [0, 1] in percent, other numbers on their own range ([`trend_scale`]).
/// Elements carry classes (`t-line`, `t-band`, `t-alert`) for tests.
pub fn trend_chart(title: &str, points: &[TrendPoint]) -> String {
    const W: f64 = 300.0;
    const H: f64 = 110.0;
    const LEFT: f64 = 46.0;
    const TOP: f64 = 8.0;
    let plot_w = W - LEFT - 8.0;
    let n = points.len().max(1);
    let ([lo, hi], label) = trend_scale(points);
    let x = |i: usize| LEFT + plot_w * (i as f64 + 0.5) / n as f64;
    let y = |v: f64| TOP + H * (1.0 - ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let alt: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "{}: {}{}",
                p.label,
                p.value.map(label).unwrap_or_else(|| "no rows".into()),
                if p.alert { " (alert)" } else { "" }
            )
        })
        .collect();
    let mut svg = format!(
        "<figure><svg role=\"img\" viewBox=\"0 0 {W} {:.0}\" width=\"{W}\" aria-label=\"{}\"><title>{}</title>",
        TOP + H + 22.0,
        esc(&format!("{title}: {}", alt.join("; "))),
        esc(title)
    );
    let slot = plot_w / n as f64;
    for (i, _) in points.iter().enumerate().filter(|(_, p)| p.baseline) {
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{TOP}\" width=\"{slot:.1}\" height=\"{H}\" fill=\"#f6f8fa\"/>",
            x(i) - slot / 2.0
        );
    }
    for v in [lo, (lo + hi) / 2.0, hi] {
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#d0d7de\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
            LEFT + plot_w, y(v), y(v), LEFT - 4.0, y(v) + 3.0, esc(&label(v))
        );
    }
    let with: Vec<(usize, [f64; 2])> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.interval.map(|c| (i, c)))
        .collect();
    if !with.is_empty() {
        let upper = with
            .iter()
            .map(|(i, c)| format!("{:.1},{:.1}", x(*i), y(c[1])));
        let lower = with
            .iter()
            .rev()
            .map(|(i, c)| format!("{:.1},{:.1}", x(*i), y(c[0])));
        let _ = write!(
            svg,
            "<polygon class=\"t-band\" points=\"{}\" fill=\"#54aeff\" fill-opacity=\"0.25\"/>",
            upper.chain(lower).collect::<Vec<_>>().join(" ")
        );
    }
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.value.map(|v| format!("{:.1},{:.1}", x(i), y(v))))
        .collect();
    let _ = write!(
        svg,
        "<polyline class=\"t-line\" points=\"{}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\"/>",
        line.join(" ")
    );
    for (i, p) in points.iter().enumerate() {
        if let (true, Some(v)) = (p.alert, p.value) {
            let _ = write!(
                svg,
                "<circle class=\"t-alert\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"none\" stroke=\"#cf222e\" stroke-width=\"2\"/>",
                x(i),
                y(v)
            );
        }
    }
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            svg,
            "<text x=\"{LEFT}\" y=\"{:.1}\" font-size=\"10\" fill=\"#57606a\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
            TOP + H + 16.0,
            esc(&first.label),
            LEFT + plot_w,
            TOP + H + 16.0,
            esc(&last.label)
        );
    }
    let _ = write!(
        svg,
        "</svg><figcaption>{}</figcaption></figure>",
        esc(title)
    );
    svg
}
