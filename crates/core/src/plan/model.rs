//! The validated plan: typed, checked, ready for the rest of the system.

use crate::units::{UnitCode, UnitKind};
use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub code: String,
    pub title: String,
    /// Official code of the province the plan covers.
    pub province: UnitCode,
    pub issuer: String,
    pub secretariat: String,
    pub document: Option<String>,
    pub slogan: Option<String>,
    pub campaign: Campaign,
    pub reporting: Reporting,
    pub final_reports: Vec<FinalReport>,
    pub denominators: Vec<DenominatorDef>,
    pub skills: Vec<Skill>,
    pub tasks: Vec<Task>,
    pub indicators: Vec<Indicator>,
    /// Persons guided through every skill in one week that make a team's Golden Week (`[field_log]`).
    pub golden_week_people: Option<u32>,
}

impl Plan {
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    /// Indicators pre-filled from the door-to-door log, with what they measure.
    pub fn field_indicators(&self) -> impl Iterator<Item = (&Indicator, crate::field::Measure)> {
        self.indicators
            .iter()
            .filter_map(|i| i.field_log.map(|m| (i, m)))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Milestones may fall up to this date (year-end targets beyond the campaign).
    pub targets_until: NaiveDate,
}

/// When weekly reports are due and when they lock. Kept as two separately named rules: the due time
/// decides on time or late; after the lock time only the secretariat can reopen a unit-week.
#[derive(Debug, Clone, Serialize)]
pub struct Reporting {
    pub weekday: Weekday,
    pub due_time: NaiveTime,
    pub lock_weekday: Weekday,
    pub lock_time: NaiveTime,
    /// Offset of local time from UTC, in minutes (Việt Nam: +420).
    pub utc_offset_minutes: i32,
    pub recipient: String,
    pub channel: Option<String>,
    pub difficulties: bool,
    pub proposals: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FinalReport {
    pub title: String,
    pub from: String,
    pub from_kinds: Vec<UnitKind>,
    pub to: String,
    pub deadline: NaiveDate,
}

/// A kind of denominator units hold (adults, officials, …).
#[derive(Debug, Clone, Serialize)]
pub struct DenominatorDef {
    pub key: String,
    pub name: String,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skill {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub number: String,
    pub title: String,
    pub lead: Vec<String>,
    pub lead_kinds: Vec<UnitKind>,
    pub coordinating: Vec<String>,
    pub start: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    pub ongoing: bool,
}

/// How an indicator's target is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Each counted unit answers yes or no; value = units done / units expected.
    ShareOfUnits,
    /// Σ numerators / Σ denominators.
    Ratio,
    /// Σ over the scope reaches a number.
    Total,
    /// Every counted unit reaches a minimum; value = units meeting it / units expected.
    MinimumPerUnit,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        TargetKind::ShareOfUnits,
        TargetKind::Ratio,
        TargetKind::Total,
        TargetKind::MinimumPerUnit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::ShareOfUnits => "share_of_units",
            TargetKind::Ratio => "ratio",
            TargetKind::Total => "total",
            TargetKind::MinimumPerUnit => "minimum_per_unit",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TargetKind::ShareOfUnits => "tỷ lệ đơn vị",
            TargetKind::Ratio => "tỷ lệ",
            TargetKind::Total => "tổng số",
            TargetKind::MinimumPerUnit => "tối thiểu mỗi đơn vị",
        }
    }

    /// Targets of these kinds are percentages.
    pub fn is_percent(self) -> bool {
        !matches!(self, TargetKind::Total)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub code: String,
    pub task: String,
    pub name: String,
    pub short_name: String,
    pub kind: TargetKind,
    /// What the numerator counts, in words.
    pub numerator: String,
    /// Key of the denominator (ratio only).
    pub denominator: Option<String>,
    /// The units counted by share-of-units and minimum-per-unit indicators.
    pub counted_unit: Option<UnitKind>,
    /// The per-unit minimum (minimum-per-unit only).
    pub minimum: Option<f64>,
    /// Unit of the counted things ("người", "hộ") for totals and minimums.
    pub unit: Option<String>,
    pub reporters: Vec<Reporter>,
    /// What the door-to-door log measures for it: the commune's report is pre-filled with it.
    pub field_log: Option<crate::field::Measure>,
    /// Ordered by date.
    pub milestones: Vec<Milestone>,
}

impl Indicator {
    /// The milestone that applies on `date`: the first one not yet past, else the last.
    pub fn milestone_for(&self, date: NaiveDate) -> &Milestone {
        self.milestones
            .iter()
            .find(|m| m.date >= date)
            .unwrap_or_else(|| {
                self.milestones
                    .last()
                    .expect("validated: at least one milestone")
            })
    }
}

/// Who reports an indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Reporter {
    /// Every unit of this kind reports its own figure.
    Kind { kind: UnitKind },
    /// This one unit reports its own figure.
    Unit { unit: UnitCode },
    /// This unit reports one figure for every unit of `for_kind` in the plan's province
    /// (Công an tỉnh reporting VNeID figures for every commune).
    OnBehalf { unit: UnitCode, for_kind: UnitKind },
}

#[derive(Debug, Clone, Serialize)]
pub struct Milestone {
    pub label: String,
    pub date: NaiveDate,
    /// Percent for percentage kinds (60 = 60 %), a count for totals.
    pub target: f64,
}
