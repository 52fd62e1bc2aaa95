//! The reporting calendar of a plan: reporting days (weeks), due times and lock times.
//!
//! A week is identified by its reporting day (e.g. Friday 18/07/2025 is week 1 of Đắk Lắk's campaign).
//! Its *due time* decides whether a report is on time; its *lock time* is when it closes for reporters.

use crate::plan::{Plan, Reporting};
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// 1-based number within the campaign.
    pub number: u32,
    pub reporting_day: NaiveDate,
    /// Reports received up to this instant are on time.
    pub due: DateTime<FixedOffset>,
    /// After this instant only the secretariat can reopen the unit-week.
    pub lock: DateTime<FixedOffset>,
}

fn offset(r: &Reporting) -> FixedOffset {
    FixedOffset::east_opt(r.utc_offset_minutes * 60).expect("validated offset")
}

fn at(day: NaiveDate, time: chrono::NaiveTime, off: FixedOffset) -> DateTime<FixedOffset> {
    NaiveDateTime::new(day, time)
        .and_local_timezone(off)
        .single()
        .expect("fixed offsets are unambiguous")
}

/// The first date on or after `from` that falls on `weekday`.
fn next_on_or_after(from: NaiveDate, weekday: chrono::Weekday) -> NaiveDate {
    let delta = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from + Days::new(delta.into())
}

fn week(plan: &Plan, number: u32, reporting_day: NaiveDate) -> Week {
    let r = &plan.reporting;
    let off = offset(r);
    // The lock day is the first lock weekday strictly after the reporting day (Friday → next Tuesday),
    // or the reporting day itself when the lock time is later that same day.
    let mut lock_day = next_on_or_after(reporting_day, r.lock_weekday);
    if lock_day == reporting_day && r.lock_time <= r.due_time {
        lock_day = lock_day + Days::new(7);
    }
    Week {
        number,
        reporting_day,
        due: at(reporting_day, r.due_time, off),
        lock: at(lock_day, r.lock_time, off),
    }
}

/// Every reporting week of the campaign, in order.
pub fn weeks(plan: &Plan) -> Vec<Week> {
    let mut out = Vec::new();
    let mut day = next_on_or_after(plan.campaign.start, plan.reporting.weekday);
    while day <= plan.campaign.end {
        out.push(week(plan, out.len() as u32 + 1, day));
        day = day + Days::new(7);
    }
    out
}

/// The week whose reporting day is `day`, if `day` is one.
pub fn week_on(plan: &Plan, day: NaiveDate) -> Option<Week> {
    weeks(plan).into_iter().find(|w| w.reporting_day == day)
}

/// The last reporting day on or before `as_of` (None before the first one).
pub fn last_reporting_day(plan: &Plan, as_of: NaiveDate) -> Option<NaiveDate> {
    weeks(plan)
        .into_iter()
        .map(|w| w.reporting_day)
        .take_while(|d| *d <= as_of)
        .last()
}

/// The reporting day of the week `day` falls in: the first reporting weekday on or after it.
pub fn reporting_day_for(plan: &Plan, day: NaiveDate) -> NaiveDate {
    next_on_or_after(day, plan.reporting.weekday)
}

/// Today's date in the plan's local time.
pub fn local_today(plan: &Plan, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&offset(&plan.reporting)).date_naive()
}

/// Whether a report received at `at` is on time for `week`.
pub fn is_on_time(week: &Week, at: DateTime<Utc>) -> bool {
    at <= week.due
}

/// Whether `week` is locked for reporters at `at`.
pub fn is_locked(week: &Week, at: DateTime<Utc>) -> bool {
    at > week.lock
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;

    fn plan() -> Plan {
        parse_plan(include_str!("../../../plans/daklak-100-ngay-2025.toml"))
            .expect("Đắk Lắk plan is valid")
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn daklak_weeks_are_fridays_of_the_campaign() {
        let w = weeks(&plan());
        assert_eq!(w.first().unwrap().reporting_day, d(2025, 7, 18));
        assert_eq!(w.last().unwrap().reporting_day, d(2025, 10, 24));
        assert_eq!(w.len(), 15);
        assert!(
            w.iter()
                .all(|w| w.reporting_day.weekday() == chrono::Weekday::Fri)
        );
    }

    #[test]
    fn due_friday_night_lock_next_tuesday() {
        let w = week_on(&plan(), d(2025, 9, 5)).unwrap();
        assert_eq!(w.number, 8);
        assert_eq!(w.due.to_rfc3339(), "2025-09-05T23:59:00+07:00");
        assert_eq!(w.lock.to_rfc3339(), "2025-09-09T23:59:00+07:00");
        let just_in = "2025-09-05T16:59:00Z".parse::<DateTime<Utc>>().unwrap();
        let late = "2025-09-05T17:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert!(is_on_time(&w, just_in));
        assert!(!is_on_time(&w, late));
        assert!(!is_locked(&w, late));
        assert!(is_locked(&w, "2025-09-09T17:00:00Z".parse().unwrap()));
    }

    #[test]
    fn last_reporting_day_before_a_date() {
        let p = plan();
        assert_eq!(last_reporting_day(&p, d(2025, 7, 17)), None);
        assert_eq!(last_reporting_day(&p, d(2025, 9, 5)), Some(d(2025, 9, 5)));
        assert_eq!(last_reporting_day(&p, d(2025, 9, 8)), Some(d(2025, 9, 5)));
        assert_eq!(last_reporting_day(&p, d(2026, 1, 1)), Some(d(2025, 10, 24)));
    }
}
