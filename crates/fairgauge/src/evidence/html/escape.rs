//! Escaping: every piece of text that comes from data goes through [`esc`] before it reaches the
//! HTML or SVG, so a name or message can never open a tag or end an attribute.

/// Escapes text for HTML and SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// Characters after which an identifier may break (a `<wbr>` follows them).
const BREAK_AFTER: &[char] = &['.', '-', '_', '/', '\\', ':', '=', ',', ';', '|'];

/// Escaped text with `<wbr>` break opportunities within words: in every word when `ident`,
/// else only in words longer than 20 characters, a break after each of [`BREAK_AFTER`] (but not
/// a `.` or `-` before a digit: `2.11`, `A.7.4`, `-3` stay whole), and every 10 characters within a piece
/// still longer than 20 (a digest, a 60-letter group name). Table cells then never have to
/// break a word elsewhere, and a narrow column cannot make the page scroll sideways. For element
/// content only (never in an attribute).
fn esc_wrapped(s: &str, ident: bool) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            o.push(' ');
        }
        let chars: Vec<char> = word.chars().collect();
        if !ident && chars.len() <= 20 {
            o.push_str(&esc(word));
            continue;
        }
        let mut start = 0;
        while start < chars.len() {
            let mut end = start;
            while end < chars.len() {
                end += 1;
                let c = chars[end - 1];
                let before_digit = chars.get(end).is_some_and(char::is_ascii_digit);
                if BREAK_AFTER.contains(&c) && !(matches!(c, '.' | '-') && before_digit) {
                    break;
                }
            }
            let piece = &chars[start..end];
            for (j, c) in piece.iter().enumerate() {
                o.push_str(&esc(c.encode_utf8(&mut [0; 4])));
                if piece.len() > 20 && j + 1 < piece.len() && (j + 1) % 10 == 0 {
                    o.push_str("<wbr>");
                }
            }
            if end < chars.len() {
                o.push_str("<wbr>");
            }
            start = end;
        }
    }
    o
}

/// An identifier (a column, a check, a path, a digest) escaped for a table cell: it may break
/// after `.`, `_`, `/`, `:` and the like, and within long runs (see [`esc_wrapped`]).
pub fn esc_ident(s: &str) -> String {
    esc_wrapped(s, true)
}

/// Prose escaped for a table cell: it breaks at spaces, and within runs longer than 20
/// characters without one (see [`esc_wrapped`]).
pub fn esc_text(s: &str) -> String {
    esc_wrapped(s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            esc("\"><img src=x onerror=alert(2)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
        );
        assert_eq!(esc("a'b&c"), "a&#39;b&amp;c");
        assert_eq!(esc("x\u{1}y"), "x\u{FFFD}y");
    }

    #[test]
    fn break_opportunities() {
        assert_eq!(
            esc_ident("fairness.equal_opportunity_difference"),
            "fairness.<wbr>equal_<wbr>opportunity_<wbr>difference"
        );
        // Short words and numbers in prose are left whole; a separator at the end adds nothing;
        // a `.` before a digit is no break.
        assert_eq!(esc_text("a gap of 0.112 points."), "a gap of 0.112 points.");
        assert_eq!(esc_ident("rows."), "rows.");
        assert_eq!(
            esc_ident("NIST-AI-RMF:MEASURE-2.11"),
            "NIST-<wbr>AI-<wbr>RMF:<wbr>MEASURE-2.11"
        );
        // A long word in prose breaks at its separators.
        assert_eq!(
            esc_text("of `a_rather_long_attribute_name` is"),
            "of `a_<wbr>rather_<wbr>long_<wbr>attribute_<wbr>name` is"
        );
        // Long runs break every 10 characters; the escaping still holds.
        let a = "a".repeat(25);
        assert_eq!(
            esc_text(&a),
            format!(
                "{}<wbr>{}<wbr>{}",
                "a".repeat(10),
                "a".repeat(10),
                "a".repeat(5)
            )
        );
        assert_eq!(esc_text("<b>"), "&lt;b&gt;");
        assert_eq!(
            esc_ident("\"><img src=x>"),
            "&quot;&gt;&lt;img src=<wbr>x&gt;"
        );
    }
}
