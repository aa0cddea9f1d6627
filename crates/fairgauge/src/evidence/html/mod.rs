//! The report a person reads: one self-contained HTML file rendered from an evidence document —
//! no network, no scripts, no external styles or fonts; charts are inline SVG with text
//! alternatives, statuses are words beside colours, and every piece of text that comes from data
//! is escaped. A Content-Security-Policy forbids scripts outright, so even a renderer bug could
//! not run one.
//!
//! The page (`page`: head, stylesheet, section order) is made of sections, one module each:
//! `summary`, `fairness` (with `multiclass`, `regression` and `ranking` for those tasks, and
//! `estimate` when the rates were estimated without labels),
//! `drift`, `quality`, `provenance`, and `history` (trends over runs, with `assess --history`). The results they show are read out of
//! the evidence once (`results`: fairness and drift into their own types, quality through a few
//! accessors). Beneath them: the SVG `charts`, the `findings` table, table `cells` and `escape`.
//!
//! Import order, bottom to top: `escape` → `cells` → `findings`, `charts` → `results` → the
//! sections → `page`.

mod cells;
mod charts;
mod drift;
mod escape;
mod estimate;
mod fairness;
mod findings;
mod history;
mod multiclass;
mod page;
mod provenance;
mod quality;
mod ranking;
mod regression;
mod results;
mod summary;

pub use cells::status_badge;
pub use charts::{sparkline, trend_chart, TrendPoint};
pub use escape::esc;
pub use page::{page_start, render_html};
pub use provenance::LedgerPosition;
