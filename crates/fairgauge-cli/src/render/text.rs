//! What every terminal report shares: a value to four decimals (or `undefined`), the width of a
//! name column, and the finished text without trailing blanks.

/// A value to 4 decimals, or `undefined`.
pub fn num4(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}"))
        .unwrap_or_else(|| "undefined".into())
}

/// The finished text: no trailing blanks when a line's last column is empty.
pub fn finish(s: String) -> String {
    let mut out: String = s
        .lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

/// The width of a column of names: the longest name in characters, at least 6.
pub fn name_width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names.map(|n| n.chars().count()).max().unwrap_or(6).max(6)
}
