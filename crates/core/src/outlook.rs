//! Status and forecast of an indicator over a scope: where it stands against the plan's path to each
//! milestone, the weekly pace needed to reach each milestone, and the date the current pace reaches
//! the next one. The rule is written out in [`STATUS_RULE`] and shown on the pages as it is.

use crate::plan::Indicator;
use crate::progress::{Contribution, Progress, Target, finish};
use crate::rollup::index_on;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// The status rule, as the pages show it.
pub const STATUS_RULE: &str = "Đạt: số liệu đã bằng hoặc vượt chỉ tiêu của mốc. \
Đúng tiến độ: số liệu bằng hoặc vượt mức kế hoạch tính đến ngày xem (chỉ tiêu chia đều theo thời gian \
từ đầu chiến dịch, hoặc từ mốc trước, đến ngày của mốc). \
Có nguy cơ: thấp hơn mức kế hoạch nhưng đạt từ 80 % mức đó, hoặc với nhịp tăng hiện tại sẽ đạt chỉ tiêu \
trước ngày của mốc. Chậm: các trường hợp còn lại, và mọi chỉ tiêu đã quá ngày của mốc cuối mà chưa đạt. Chưa có số liệu: chưa đơn vị nào báo cáo. \
Nhịp tăng hiện tại là trung vị mức tăng hằng tuần của tối đa 6 tuần gần nhất, nên một tuần tăng đột biến \
không làm sai dự báo.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Achieved,
    OnTrack,
    AtRisk,
    OffTrack,
    NoData,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Achieved,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NoData,
    ];

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Achieved => "đạt",
            Status::OnTrack => "đúng tiến độ",
            Status::AtRisk => "có nguy cơ",
            Status::OffTrack => "chậm",
            Status::NoData => "chưa có số liệu",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoData => "no_data",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What it takes to reach one milestone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestonePace {
    pub label: String,
    pub date: NaiveDate,
    pub target: f64,
    /// Weeks from the date viewed to the milestone (at least 1 while it is ahead).
    pub weeks_left: f64,
    /// Weekly increase needed from now on; 0 when already reached.
    pub needed_per_week: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlook {
    pub status: Status,
    /// The plan's path value on the date viewed, for the milestone that applies.
    pub planned: f64,
    /// Current weekly pace: median weekly increase over up to the last 6 weeks.
    pub pace: Option<f64>,
    /// When the current pace reaches the applicable milestone's target (None: reached already, or
    /// the pace is not rising).
    pub reaches_on: Option<NaiveDate>,
    /// Whether `reaches_on` is on or before the milestone's date.
    pub in_time: Option<bool>,
    pub milestones: Vec<MilestonePace>,
}

/// Median of the weekly increases over up to the last 6 weeks of `values` (one per reporting day,
/// oldest first, without gaps in data).
pub fn weekly_pace(values: &[f64]) -> Option<f64> {
    let tail = &values[values.len().saturating_sub(7)..];
    let mut increases: Vec<f64> = tail.windows(2).map(|w| w[1] - w[0]).collect();
    if increases.is_empty() {
        return None;
    }
    increases.sort_by(f64::total_cmp);
    let n = increases.len();
    Some(if n % 2 == 1 {
        increases[n / 2]
    } else {
        (increases[n / 2 - 1] + increases[n / 2]) / 2.0
    })
}

/// The outlook of an indicator. `history` holds the value on each reporting day up to the date viewed
/// (None before any data), oldest first; `campaign_start` anchors the plan's path; `targets_apply` is
/// false where the plan's targets do not apply (a province-wide total seen for one commune).
pub fn outlook(
    indicator: &Indicator,
    history: &[(NaiveDate, Option<f64>)],
    as_of: NaiveDate,
    campaign_start: NaiveDate,
    targets_apply: bool,
) -> Option<Outlook> {
    if !targets_apply {
        return None;
    }
    let value = history.last().and_then(|(_, v)| *v);
    let known: Vec<f64> = history.iter().filter_map(|(_, v)| *v).collect();
    let pace = weekly_pace(&known);
    let milestone = indicator.milestone_for(as_of);
    // The plan's path: from the previous milestone (or the campaign start, at 0) to this one.
    let previous = indicator
        .milestones
        .iter()
        .rev()
        .find(|m| m.date < milestone.date);
    let (from_date, from_value) = previous.map_or((campaign_start, 0.0), |m| (m.date, m.target));
    let span = (milestone.date - from_date).num_days().max(1) as f64;
    let elapsed = ((as_of - from_date).num_days() as f64).clamp(0.0, span);
    let planned = from_value + (milestone.target - from_value) * elapsed / span;

    let last_day = history.last().map_or(as_of, |(d, _)| *d);
    let reaches_on = match (value, pace) {
        (Some(v), Some(p)) if v < milestone.target && p > 0.0 => {
            let weeks = ((milestone.target - v) / p).ceil();
            // Beyond ten years is no forecast at all.
            (weeks <= 520.0).then(|| last_day + Duration::weeks(weeks as i64))
        }
        _ => None,
    };
    let in_time = reaches_on.map(|d| d <= milestone.date);
    let status = match value {
        None => Status::NoData,
        Some(v) if v >= milestone.target => Status::Achieved,
        Some(_) if as_of > milestone.date => Status::OffTrack,
        Some(v) if v >= planned => Status::OnTrack,
        Some(v) if v >= 0.8 * planned || in_time == Some(true) => Status::AtRisk,
        Some(_) => Status::OffTrack,
    };
    let milestones = indicator
        .milestones
        .iter()
        .filter(|m| m.date >= as_of)
        .map(|m| {
            let weeks_left = ((m.date - as_of).num_days() as f64 / 7.0).max(1.0);
            let missing = (m.target - value.unwrap_or(0.0)).max(0.0);
            MilestonePace {
                label: m.label.clone(),
                date: m.date,
                target: m.target,
                weeks_left,
                needed_per_week: missing / weeks_left,
            }
        })
        .collect();
    Some(Outlook {
        status,
        planned,
        pace,
        reaches_on,
        in_time,
        milestones,
    })
}

/// An indicator over a scope as the pages show it: progress on the date viewed, the value on each
/// reporting day up to it, and the outlook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tracked {
    #[serde(flatten)]
    pub progress: Progress,
    /// (reporting day, value) up to the date viewed, oldest first.
    pub history: Vec<(NaiveDate, Option<f64>)>,
    pub outlook: Option<Outlook>,
}

/// Builds the tracked view from a scope's accumulated roll-up series (index 0 before the first
/// reporting day, then one per day of `days`); `province_wide` as in [`Target::of_plan`].
pub fn track(
    indicator: &Indicator,
    series: &[Contribution],
    days: &[NaiveDate],
    as_of: NaiveDate,
    campaign_start: NaiveDate,
    province_wide: bool,
) -> Tracked {
    let at = |i: usize| series.get(i).copied().unwrap_or_default();
    let index = index_on(days, as_of);
    let progress = finish(
        indicator,
        at(index),
        Target::of_plan(indicator, as_of, province_wide),
    );
    let history: Vec<(NaiveDate, Option<f64>)> = (1..=index)
        .map(|i| {
            let day = days[i - 1];
            (day, finish(indicator, at(i), None).value)
        })
        .collect();
    let outlook = outlook(
        indicator,
        &history,
        as_of,
        campaign_start,
        progress.target.is_some(),
    );
    Tracked {
        progress,
        history,
        outlook,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Milestone, Reporter, TargetKind};
    use crate::units::UnitKind;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    /// 60 % by 25/10 (campaign from 15/07), 80 % by 31/12.
    fn indicator() -> Indicator {
        Indicator {
            code: "2.5".into(),
            task: "2".into(),
            name: "x".into(),
            short_name: "x".into(),
            kind: TargetKind::Ratio,
            numerator: "x".into(),
            denominator: Some("adults".into()),
            counted_unit: None,
            minimum: None,
            unit: None,
            field_log: None,
            reporters: vec![Reporter::Kind {
                kind: UnitKind::Commune,
            }],
            milestones: vec![
                Milestone {
                    label: "100 ngày".into(),
                    date: d(10, 25),
                    target: 60.0,
                },
                Milestone {
                    label: "2025".into(),
                    date: d(12, 31),
                    target: 80.0,
                },
            ],
        }
    }

    /// Weekly values on Fridays from 18/07.
    fn history(values: &[f64]) -> Vec<(NaiveDate, Option<f64>)> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (d(7, 18) + Duration::weeks(i as i64), Some(*v)))
            .collect()
    }

    #[test]
    fn the_pace_ignores_a_one_off_jump() {
        assert_eq!(
            weekly_pace(&[10.0, 12.0, 14.0, 30.0, 32.0, 34.0]),
            Some(2.0)
        );
        assert_eq!(weekly_pace(&[5.0]), None);
        // Only the last six increases count.
        assert_eq!(
            weekly_pace(&[0.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0]),
            Some(1.0)
        );
    }

    #[test]
    fn statuses_follow_the_written_rule() {
        let ind = indicator();
        let start = d(7, 15);
        // 05/09 (52 of 102 days to 25/10): the path is at 60 × 52/102 ≈ 30.6.
        let as_of = d(9, 5);
        let at = |v: &[f64]| outlook(&ind, &history(v), as_of, start, true).unwrap();
        let on_track = at(&[5.0, 10.0, 15.0, 20.0, 25.0, 28.0, 31.0, 33.0]);
        assert_eq!(on_track.status, Status::OnTrack);
        assert!((on_track.planned - 60.0 * 52.0 / 102.0).abs() < 1e-9);
        // Below the path but within 80 % of it.
        assert_eq!(
            at(&[3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0, 25.0]).status,
            Status::AtRisk
        );
        // Far below the path and too slow to make it.
        let late = at(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        assert_eq!(late.status, Status::OffTrack);
        assert_eq!(late.in_time, Some(false));
        // Far below, but the pace reaches 60 before 25/10: at risk, not off track.
        let catching_up = at(&[0.0, 0.0, 0.0, 0.0, 6.0, 12.0, 18.0, 24.0]);
        assert_eq!(catching_up.pace, Some(6.0));
        assert_eq!(catching_up.status, Status::AtRisk);
        assert_eq!(catching_up.reaches_on, Some(d(10, 17)));
        assert_eq!(at(&[61.0]).status, Status::Achieved);
        // Past the last milestone and short of it: off track, however close.
        let overdue = outlook(
            &ind,
            &history(&[79.0]),
            d(12, 31) + Duration::days(1),
            start,
            true,
        );
        assert_eq!(overdue.unwrap().status, Status::OffTrack);
        let none = outlook(&ind, &[(d(7, 18), None)], d(7, 18), start, true).unwrap();
        assert_eq!(none.status, Status::NoData);
        assert!(outlook(&ind, &history(&[1.0]), as_of, start, false).is_none());
    }

    #[test]
    fn needed_pace_for_each_milestone_ahead() {
        let ind = indicator();
        let o = outlook(&ind, &history(&[10.0, 20.0, 30.0]), d(8, 1), d(7, 15), true).unwrap();
        assert_eq!(o.milestones.len(), 2);
        let first = &o.milestones[0];
        assert_eq!(first.label, "100 ngày");
        // 85 days to 25/10 = 12.14 weeks, 30 points missing.
        assert!((first.needed_per_week - 30.0 / (85.0 / 7.0)).abs() < 1e-9);
        assert_eq!(o.milestones[1].target, 80.0);
        // After the first milestone the second one's path starts from it.
        let later = outlook(&ind, &history(&[71.0]), d(11, 28), d(7, 15), true).unwrap();
        assert_eq!(later.milestones.len(), 1);
        assert!((later.planned - (60.0 + 20.0 * 34.0 / 67.0)).abs() < 1e-9);
        assert_eq!(later.status, Status::OnTrack);
    }
}
