//! The door-to-door log's read models: a village's summary for its team, and for staff the team
//! activity and inclusion tables below a unit (the pages and their .xlsx take the same tables).

use super::lines::{UnitLine, line};
use super::period::{Moment, moment};
use crate::error::{AppError, Result};
use crate::records::{Activity, UnitFilter, UnitRecord};
use crate::session::Session;
use chrono::NaiveDate;
use hocvuso_core::access::Role;
use hocvuso_core::calendar;
use hocvuso_core::field::{AgeBand, GOLDEN, PEOPLE, RECORDS, gender_label};
use hocvuso_core::format;
use hocvuso_core::units::UnitKind;
use std::collections::HashMap;

/// What the app shows as synced: the village's figures from the server.
#[derive(Debug, serde::Serialize)]
pub struct Summary {
    pub village: String,
    pub week: NaiveDate,
    pub records_this_week: i64,
    pub people_this_week: i64,
    pub records_total: i64,
    pub people_total: i64,
    pub golden_week: bool,
}

impl Session {
    /// A village's figures this week and since the start (the team app's "synced" panel).
    pub async fn village_summary(&self, village: &UnitRecord) -> Result<Summary> {
        let plan = self.plan();
        let today = calendar::local_today(plan, self.now());
        let week = calendar::reporting_day_for(plan, today);
        let previous = week - chrono::Days::new(7);
        let total = self.field_totals(village, week).await?;
        let before = self.field_totals(village, previous).await?;
        let get = |m: &HashMap<String, i64>, item: &str| m.get(item).copied().unwrap_or(0);
        Ok(Summary {
            village: village.full_name.clone(),
            week,
            records_this_week: get(&total, RECORDS) - get(&before, RECORDS),
            people_this_week: get(&total, PEOPLE) - get(&before, PEOPLE),
            records_total: get(&total, RECORDS),
            people_total: get(&total, PEOPLE),
            golden_week: get(&total, GOLDEN) > 0,
        })
    }
}

/// What the log pages show above their tables: the unit, the kind of its rows, the date and week.
pub struct LogScope {
    pub unit: UnitRecord,
    pub kind: UnitKind,
    pub parent: UnitLine,
    pub moment: Moment,
    pub week_text: String,
    pub as_of_iso: String,
    /// The reporting day of the week the date falls in: figures are summed up to it.
    pub week: NaiveDate,
}

impl Session {
    /// The log's tables below a unit are for staff: a team member's view is its village's app.
    fn staff_only(&self) -> Result<()> {
        if self.actor().role == Role::TeamMember {
            return Err(AppError::Forbidden(
                "Tổ viên Tổ CNS xem số liệu của thôn mình trong ứng dụng /field.".into(),
            ));
        }
        Ok(())
    }

    /// The log page's scope, or None for a team member (whose page is the app).
    pub async fn log_scope(
        &self,
        unit: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Option<LogScope>> {
        if self.actor().role == Role::TeamMember {
            return Ok(None);
        }
        let unit = match unit.map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => self.unit(code).await?,
            None => self.home().await?,
        };
        let kind = match unit.kind() {
            Some(UnitKind::Country) => UnitKind::Province,
            Some(UnitKind::Province) => UnitKind::Commune,
            Some(UnitKind::Commune) => UnitKind::Village,
            _ => {
                return Err(AppError::BadRequest(format!(
                    "{} không có thôn, buôn, tổ dân phố bên dưới; chọn một xã, phường, tỉnh hoặc cả nước",
                    unit.full_name
                )));
            }
        };
        let plan = self.plan();
        let moment = moment(plan, as_of);
        Ok(Some(LogScope {
            parent: line(&unit),
            unit,
            kind,
            week_text: moment.week_text(),
            moment,
            as_of_iso: as_of.to_string(),
            week: calendar::reporting_day_for(plan, as_of),
        }))
    }
}

/// One row of team activity, as numbers.
pub struct ActivityLine {
    pub unit: UnitRecord,
    /// Villages below (for a village: 0).
    pub teams: i64,
    /// Teams with a record in the week of the date (for a village: 0 or 1).
    pub active: i64,
    pub people_week: i64,
    pub people: i64,
    pub records: i64,
    /// Teams that have done the Golden Week (for a village: 0 or 1).
    pub golden: i64,
    /// For a village: the week it did.
    pub golden_week: Option<NaiveDate>,
    /// People guided in each of the weeks of [`ActivityTable::weeks`].
    pub weeks: Vec<i64>,
}

impl ActivityLine {
    pub fn is_village(&self) -> bool {
        self.unit.kind() == Some(UnitKind::Village)
    }
}

/// The team-activity table below a unit: a line per unit of the next level down, and the totals.
pub struct ActivityTable {
    /// The last six reporting days, oldest first, ending with the week of the date.
    pub weeks: Vec<NaiveDate>,
    pub lines: Vec<ActivityLine>,
    pub totals: ActivityLine,
}

impl Session {
    pub async fn activity_table(&self, scope: &LogScope) -> Result<ActivityTable> {
        self.staff_only()?;
        let (parent, kind, week) = (&scope.unit, scope.kind, scope.week);
        let plan = self.plan();
        let (children, _) = self
            .list_units(UnitFilter {
                parent: Some(parent.code.clone()),
                kind: Some(kind),
                limit: 100_000,
                ..UnitFilter::default()
            })
            .await?;
        let weeks: Vec<NaiveDate> = (0..6u64)
            .rev()
            .map(|i| week - chrono::Days::new(7 * i))
            .filter(|w| *w >= calendar::reporting_day_for(plan, plan.campaign.start))
            .collect();
        let mut units = children.clone();
        units.push(parent.clone());
        let activity = self.field_activity(&units, &weeks, week).await?;
        let teams_below = self.count_below_children(parent, UnitKind::Village).await?;
        let none = Activity::default();
        let line = |u: &UnitRecord, teams: i64| {
            let a = activity.get(&u.code).unwrap_or(&none);
            let in_week = |w: NaiveDate| a.weeks.iter().find(|(x, _, _)| *x == w);
            let (people_week, active) = in_week(week).map_or((0, 0), |(_, p, t)| (*p, *t));
            let is_village = u.kind() == Some(UnitKind::Village);
            ActivityLine {
                unit: u.clone(),
                teams: if is_village { 0 } else { teams },
                active: if is_village { active.min(1) } else { active },
                people_week,
                people: a.people,
                records: a.records,
                golden: if is_village {
                    i64::from(a.golden_week.is_some())
                } else {
                    a.golden
                },
                golden_week: a.golden_week,
                weeks: weeks
                    .iter()
                    .map(|w| in_week(*w).map_or(0, |(_, p, _)| *p))
                    .collect(),
            }
        };
        let mut lines = Vec::with_capacity(children.len());
        let mut all_teams = 0;
        for u in &children {
            let teams = teams_below.get(&u.code).copied().unwrap_or(0);
            all_teams += teams;
            lines.push(line(u, teams));
        }
        Ok(ActivityTable {
            totals: line(parent, all_teams),
            weeks,
            lines,
        })
    }
}

/// "đã thực hiện (tuần dd/mm/yyyy)" / "chưa" for a village; "done / teams" above.
pub fn golden_text(l: &ActivityLine) -> String {
    if l.is_village() {
        match l.golden_week {
            Some(w) => format!("đã thực hiện (tuần {})", format::date(w)),
            None => "chưa".into(),
        }
    } else {
        format!(
            "{} / {}",
            format::number(l.golden as f64, 0),
            format::number(l.teams as f64, 0)
        )
    }
}

/// A line of an inclusion table: its label, people by gender (male, female, unknown) and in all.
pub struct InclusionCounts {
    pub label: String,
    pub by_gender: Vec<i64>,
    pub total: i64,
}

/// The inclusion tables of a unit up to the week of the date: by age band and by ethnic-minority
/// status, each against gender, and everyone. Callers hide cells under five ([`suppressed`]).
pub struct Inclusion {
    pub genders: Vec<String>,
    pub by_age: Vec<InclusionCounts>,
    pub by_minority: Vec<InclusionCounts>,
    pub total: i64,
}

impl Session {
    pub async fn inclusion_tables(&self, scope: &LogScope) -> Result<Inclusion> {
        self.staff_only()?;
        let cells = self.field_inclusion(&scope.unit, scope.week).await?;
        use hocvuso_core::cccd::Gender;
        let genders = [Some(Gender::Male), Some(Gender::Female), None];
        let count = |band: Option<Option<AgeBand>>,
                     gender: Option<Option<Gender>>,
                     minority: Option<Option<bool>>|
         -> i64 {
            cells
                .iter()
                .filter(|c| band.is_none_or(|b| c.group.age_band == b))
                .filter(|c| gender.is_none_or(|g| c.group.gender == g))
                .filter(|c| minority.is_none_or(|x| c.group.minority == x))
                .map(|c| c.people)
                .sum()
        };
        let by_age = AgeBand::ALL
            .iter()
            .map(|b| (b.label_vi().to_string(), Some(*b)))
            .chain([("Không rõ tuổi".to_string(), None)])
            .map(|(label, band)| InclusionCounts {
                label,
                by_gender: genders
                    .iter()
                    .map(|g| count(Some(band), Some(*g), None))
                    .collect(),
                total: count(Some(band), None, None),
            })
            .collect();
        let by_minority = [
            ("Người dân tộc thiểu số", Some(true)),
            ("Người dân tộc Kinh và khác", Some(false)),
            ("Không rõ", None),
        ]
        .into_iter()
        .map(|(label, x)| InclusionCounts {
            label: label.to_string(),
            by_gender: genders
                .iter()
                .map(|g| count(None, Some(*g), Some(x)))
                .collect(),
            total: count(None, None, Some(x)),
        })
        .collect();
        Ok(Inclusion {
            genders: genders
                .iter()
                .map(|g| g.map_or("Không rõ".to_string(), |g| gender_label(g).to_string()))
                .collect(),
            by_age,
            by_minority,
            total: count(None, None, None),
        })
    }
}
