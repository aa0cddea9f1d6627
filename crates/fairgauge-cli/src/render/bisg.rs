//! The BISG run's counts for a terminal: rows by basis, then why surnames or places were not
//! used, and the method.

use std::path::Path;

use fairgauge::core::membership::bisg::PlaceKind;
use fairgauge::membership::bisg::BisgSummary;
use fairgauge::present::share_percent;

use crate::render::text::shown;

/// The counts as a few lines: rows by basis, then why surnames or places were not used.
pub fn bisg_text(s: &BisgSummary, out: &Path) -> String {
    let c = &s.counts;
    let of = |n: u64| format!("{n} ({})", share_percent(n as f64 / c.rows.max(1) as f64));
    let mut lines = vec![format!(
        "wrote {} rows to {} with p_white, p_black, p_api, p_native, p_multiple, p_hispanic, bisg_basis",
        c.rows,
        shown(&out.display().to_string())
    )];
    if s.place_column.is_some() {
        lines.push(format!("  surname and place  {}", of(c.surname_and_place)));
    }
    lines.push(format!("  surname only       {}", of(c.surname_only)));
    if s.place_column.is_some() {
        lines.push(format!("  place only         {}", of(c.place_only)));
    }
    lines.push(format!("  no estimate        {}", of(c.neither)));
    let noun = s.place_kind.map(PlaceKind::noun).unwrap_or("place");
    let notes = [
        (
            c.surname_by_part,
            "surnames matched by one part of a compound name".to_string(),
        ),
        (
            c.surname_not_listed,
            "surnames not on the Census list".to_string(),
        ),
        (c.surname_missing, "surnames empty or null".to_string()),
        (
            c.place_malformed,
            format!("{noun}s not of the expected form (surname used alone)"),
        ),
        (
            c.place_not_listed,
            format!("{noun}s not in the Census table or without residents (surname used alone)"),
        ),
        (c.place_missing, format!("{noun}s empty or null")),
        (
            c.place_without_surname_groups,
            format!("{noun}s with none of the surname's groups (surname used alone)"),
        ),
    ];
    for (n, what) in notes {
        if n > 0 {
            lines.push(format!("  note: {} {what}", of(n)));
        }
    }
    lines.push(format!("method: {}", s.method));
    lines.join("\n") + "\n"
}
