//! Which date and which reporting week an output is about: parsing what a user typed, the default
//! week, the weeks to choose from, and where a date falls in the campaign.

use crate::error::{AppError, Result};
use crate::session::Session;
use chrono::NaiveDate;
use hocvuso_core::calendar::{self, Week};
use hocvuso_core::format;
use hocvuso_core::plan::Plan;
use serde::Serialize;

/// Parses `as_of` ("2025-09-05" or "05/09/2025"), or returns the default.
pub fn parse_as_of(raw: Option<&str>, default: NaiveDate) -> Result<NaiveDate> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => hocvuso_core::plan::parse_date_text(s).ok_or_else(|| {
            AppError::BadRequest(format!(
                "ngày «{s}» không hợp lệ; dùng dạng 2025-09-05 hoặc 05/09/2025"
            ))
        }),
    }
}

/// Parses a reporting week as written in a URL ("2025-09-05").
pub fn parse_week(raw: &str) -> Result<NaiveDate> {
    hocvuso_core::plan::parse_date_text(raw).ok_or_else(|| {
        AppError::BadRequest(format!(
            "kỳ báo cáo «{raw}» không hợp lệ; dùng dạng 2025-09-05"
        ))
    })
}

/// The week numbered `number` of the plan's calendar, or a message naming the weeks there are.
pub fn week_numbered(plan: &Plan, number: u32) -> std::result::Result<Week, String> {
    let weeks = calendar::weeks(plan);
    let count = weeks.len();
    weeks
        .into_iter()
        .find(|w| w.number == number)
        .ok_or_else(|| format!("kế hoạch có các tuần 1 – {count}, không có tuần {number}"))
}

/// The week whose reporting day is `day`.
pub fn week_on(plan: &Plan, day: NaiveDate) -> Result<Week> {
    calendar::week_on(plan, day).ok_or_else(|| {
        AppError::BadRequest(format!(
            "ngày {} không phải ngày báo cáo của kế hoạch",
            format::date(day)
        ))
    })
}

impl Session {
    /// The chosen week, or the last reporting day on or before the default date (the first
    /// reporting day before the campaign's first week).
    pub fn chosen_week(&self, raw: Option<&str>) -> Result<NaiveDate> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => parse_week(s),
            None => Ok(
                calendar::last_reporting_day(self.plan(), self.default_as_of()).unwrap_or_else(
                    || {
                        calendar::weeks(self.plan())
                            .first()
                            .map_or(self.default_as_of(), |w| w.reporting_day)
                    },
                ),
            ),
        }
    }

    /// (value, label) of every reporting week up to the default date, for week pickers.
    pub fn week_options(&self) -> Vec<(String, String)> {
        calendar::weeks(self.plan())
            .into_iter()
            .filter(|w| w.reporting_day <= self.default_as_of())
            .map(|w| {
                (
                    w.reporting_day.to_string(),
                    format!("Tuần {} – {}", w.number, format::date(w.reporting_day)),
                )
            })
            .collect()
    }
}

/// Where `as_of` falls in the campaign, in words.
#[derive(Debug, Clone, Serialize)]
pub struct Moment {
    pub as_of: NaiveDate,
    pub as_of_text: String,
    pub week_number: Option<u32>,
    pub weeks_total: usize,
    pub reporting_day: Option<NaiveDate>,
    pub days_left: i64,
}

pub fn moment(plan: &Plan, as_of: NaiveDate) -> Moment {
    let weeks = calendar::weeks(plan);
    let current = weeks.iter().rev().find(|w| w.reporting_day <= as_of);
    Moment {
        as_of,
        as_of_text: format::date(as_of),
        week_number: current.map(|w| w.number),
        weeks_total: weeks.len(),
        reporting_day: current.map(|w| w.reporting_day),
        days_left: (plan.campaign.end - as_of).num_days().max(0),
    }
}

impl Moment {
    pub fn week_text(&self) -> String {
        match (self.week_number, self.reporting_day) {
            (Some(n), Some(d)) => format!(
                "tuần {n}/{} (kỳ báo cáo {})",
                self.weeks_total,
                format::date(d)
            ),
            _ => "trước kỳ báo cáo đầu tiên".into(),
        }
    }
}
