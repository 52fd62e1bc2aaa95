//! The read models every output shares: pages, .xlsx and .docx/.pdf files, the JSON API and the CLI
//! take their figures and words from these functions, so that no two outputs can disagree. Each is
//! a `Session` method (what the actor may read, nothing more) or a plain function over what one
//! returned.

mod field;
mod grid;
mod history;
mod lines;
mod period;
mod reporting;
mod standings;

pub use field::{
    ActivityLine, ActivityTable, Inclusion, InclusionCounts, LogScope, Summary, golden_text,
};
pub use grid::{Grid, GridFilter, GridSpec, UnitTracked, status_of};
pub use history::{HistoryLine, history_lines};
pub use lines::{
    IndicatorRow, UnitLine, gap_text, indicator_row, indicator_rows, indicator_texts, line,
    unit_type_text, value_text,
};
pub use period::{Moment, moment, parse_as_of, parse_week, week_numbered, week_on};
pub use reporting::Matrix;
pub use standings::{LaggingLine, RankLine, Shortfall};
