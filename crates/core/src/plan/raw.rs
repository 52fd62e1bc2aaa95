//! The plan file as written: serde shapes with loose types (kinds as text, dates as TOML dates or
//! "dd/mm/yyyy" text), so that [`super::check`] can report every problem at once instead of the first.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    pub format: Option<i64>,
    pub code: String,
    pub title: String,
    /// Official code of the province the plan covers (e.g. "66").
    pub province: String,
    pub issuer: String,
    pub secretariat: String,
    pub document: Option<String>,
    pub slogan: Option<String>,
    pub campaign: RawCampaign,
    pub reporting: RawReporting,
    #[serde(default)]
    pub final_reports: Vec<RawFinalReport>,
    #[serde(default)]
    pub denominators: Vec<RawDenominator>,
    #[serde(default)]
    pub skills: Vec<RawSkill>,
    #[serde(default)]
    pub tasks: Vec<RawTask>,
    #[serde(default)]
    pub indicators: Vec<RawIndicator>,
    pub field_log: Option<RawFieldLog>,
}

/// Rules of the door-to-door log (optional).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFieldLog {
    pub golden_week_people: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCampaign {
    pub name: String,
    pub start: RawDate,
    pub end: RawDate,
    /// Last date a milestone may fall on (year-end targets beyond the campaign); defaults to `end`.
    pub targets_until: Option<RawDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReporting {
    pub weekday: String,
    pub due_time: String,
    pub lock_weekday: String,
    pub lock_time: String,
    pub utc_offset: String,
    pub recipient: String,
    pub channel: Option<String>,
    #[serde(default = "yes")]
    pub difficulties: bool,
    #[serde(default = "yes")]
    pub proposals: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFinalReport {
    pub title: String,
    pub from: String,
    #[serde(default)]
    pub from_kinds: Vec<String>,
    pub to: String,
    pub deadline: RawDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDenominator {
    pub key: String,
    pub name: String,
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSkill {
    pub code: i64,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTask {
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub lead: Vec<String>,
    #[serde(default)]
    pub lead_kinds: Vec<String>,
    #[serde(default)]
    pub coordinating: Vec<String>,
    pub start: Option<RawDate>,
    pub deadline: Option<RawDate>,
    #[serde(default)]
    pub ongoing: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub code: String,
    pub task: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub numerator: String,
    pub denominator: Option<String>,
    pub counted_unit: Option<String>,
    pub minimum: Option<f64>,
    pub unit: Option<String>,
    /// What the door-to-door log measures for this indicator (pre-fills the commune's report).
    pub field_log: Option<String>,
    #[serde(default)]
    pub reporters: Vec<RawReporter>,
    #[serde(default)]
    pub milestones: Vec<RawMilestone>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReporter {
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub for_kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMilestone {
    pub label: String,
    pub date: RawDate,
    pub target: f64,
}

/// A date as a TOML date (`2025-07-15`) or as text ("2025-07-15" or "15/07/2025").
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawDate {
    Toml(toml::value::Datetime),
    Text(String),
}
