//! A unit's own reporting week by week: status, on time or late, first submission, the reason it
//! was returned, its difficulties and proposals (the unit page and its .xlsx).

use crate::records::UnitWeek;
use hocvuso_core::format;
use hocvuso_core::plan::Plan;

/// One week of the unit's own reporting.
pub struct HistoryLine {
    pub week: String,
    pub week_text: String,
    pub status: &'static str,
    pub timeliness: &'static str,
    pub timeliness_key: &'static str,
    pub submitted: String,
    /// When it was first submitted (RFC 3339, UTC).
    pub submitted_at: Option<String>,
    pub note: String,
    pub difficulties: String,
    pub proposals: String,
}

/// The weeks of the plan among `weeks`, in their order, in words.
pub fn history_lines(plan: &Plan, weeks: &[UnitWeek]) -> Vec<HistoryLine> {
    use hocvuso_core::report::{Cell, Status, cell};
    let calendar = hocvuso_core::calendar::weeks(plan);
    weeks
        .iter()
        .filter_map(|w| {
            let day: chrono::NaiveDate = w.week.parse().ok()?;
            let week = calendar.iter().find(|c| c.reporting_day == day)?;
            let status = Status::parse(&w.status)?;
            let at = w
                .first_submitted_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&chrono::Utc));
            let c = cell(Some(status), at, week);
            Some(HistoryLine {
                week: w.week.clone(),
                week_text: format!("tuần {} ({})", week.number, format::date(day)),
                status: status.label_vi(),
                timeliness: if matches!(c, Cell::OnTime | Cell::Late) {
                    c.label_vi()
                } else {
                    ""
                },
                timeliness_key: match c {
                    Cell::OnTime => "ontime",
                    Cell::Late => "late",
                    _ => "",
                },
                submitted: w.first_submitted_at.as_deref().map_or(String::new(), |t| {
                    format::local_time(t, plan.reporting.utc_offset_minutes)
                }),
                submitted_at: w.first_submitted_at.clone(),
                note: w.review_note.clone().unwrap_or_default(),
                difficulties: w.difficulties.clone(),
                proposals: w.proposals.clone(),
            })
        })
        .collect()
}
