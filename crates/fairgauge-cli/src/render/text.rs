//! What every terminal report shares: text from the data made safe to show, a value to three or
//! four decimals (or `undefined`), the width of a name column, and the finished text without
//! trailing blanks.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as is: a control character (C0, DEL, C1: the escape
/// that starts a colour or cursor sequence, carriage return, backspace, bell, newline, …) or a
/// Unicode bidirectional control, which reorders what the reader sees (CVE-2021-42574).
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from the data (a group, column or category, a value) as the terminal shows it: each
/// unsafe character escaped as Rust writes it (`\n`, `\r`, `\t`, `\x1b`, `\u{202e}`), every other
/// character as is. A group named `\x1b[31mred` is printed as those characters and colours
/// nothing.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A value to 3 decimals, or `undefined`.
pub fn num3(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}"))
        .unwrap_or_else(|| "undefined".into())
}

/// A value to 4 decimals, or `undefined`.
pub fn num4(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}"))
        .unwrap_or_else(|| "undefined".into())
}

/// The finished text: no trailing blanks when a line's last column is empty, and no unsafe
/// character anywhere (whatever a renderer passed through without [`shown`] is escaped here).
pub fn finish(s: String) -> String {
    let mut out: String = s
        .lines()
        .map(|l| shown(l.trim_end()).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

/// The width of a column of names as shown: the longest in characters, at least 6.
pub fn name_width<'a>(names: impl Iterator<Item = &'a str>) -> usize {
    names
        .map(|n| shown(n).chars().count())
        .max()
        .unwrap_or(6)
        .max(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_and_controls_are_shown_escaped() {
        assert_eq!(shown("Female"), "Female");
        assert_eq!(shown("\u{1b}[31mred\u{1b}[0m"), "\\x1b[31mred\\x1b[0m");
        assert_eq!(shown("a\nb\rc\td\u{7}"), "a\\nb\\rc\\td\\x07");
        assert_eq!(shown("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(shown("\u{9b}31m"), "\\x9b31m");
        assert_eq!(shown("Zürich — 東京"), "Zürich — 東京");
        assert_eq!(finish("x\u{1b}[2J  \ny\n".into()), "x\\x1b[2J\ny\n");
        assert_eq!(name_width(["a\u{1b}bcdefg"].into_iter()), 11);
    }
}
