//! What a table cell shows: a status as a coloured badge with its word, and a number to a fixed
//! number of decimals (`∞` when infinite, `—` when absent); and a muted line listing an
//! attribute's summaries.

use crate::evidence::html::escape::esc;

/// A status (`pass`, `insufficient_data`, a risk rating, …) as a badge: its class is the status,
/// its text the status in capitals with spaces.
pub fn status_badge(s: &str) -> String {
    format!(
        "<span class=\"status {}\">{}</span>",
        esc(s),
        esc(&s.replace('_', " ").to_uppercase())
    )
}

/// A number to `digits` decimals; `∞` when it is not finite, `—` when there is none.
pub fn num(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        Some(_) => "∞".into(),
        None => "—".into(),
    }
}

/// Appends `<p class="muted">{lead}: {parts joined by "; "}.</p>` (escaped), nothing when there
/// are no parts.
pub fn summary_paragraph(o: &mut String, lead: &str, parts: &[String]) {
    if !parts.is_empty() {
        o.push_str(&format!(
            "<p class=\"muted\">{}</p>",
            esc(&format!("{lead}: {}.", parts.join("; ")))
        ));
    }
}
