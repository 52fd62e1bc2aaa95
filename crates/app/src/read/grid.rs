//! The units of one kind below a unit, each with every indicator tracked on a date: what the heat
//! table, the map, the lagging list, the rankings, the documents and `/api/v1/progress/units` show.
//! All read the roll-ups of those units in one query (`Session::tracked_children`).

use crate::error::{AppError, Result};
use crate::records::UnitRecord;
use crate::session::Session;
use chrono::NaiveDate;
use hocvuso_core::outlook::{Status, Tracked};
use hocvuso_core::plan::Plan;
use hocvuso_core::text::search_key;
use hocvuso_core::units::UnitKind;

/// Which units a grid holds: those of `kind` (default: provinces below the country, else communes)
/// below `unit` (default: the actor's home), as of a date.
#[derive(Debug, Clone)]
pub struct GridSpec {
    pub unit: Option<String>,
    pub kind: Option<UnitKind>,
    pub as_of: NaiveDate,
}

impl GridSpec {
    /// The units of `kind` below `unit` as of a date.
    pub fn below(unit: &str, kind: UnitKind, as_of: NaiveDate) -> GridSpec {
        GridSpec {
            unit: Some(unit.to_string()),
            kind: Some(kind),
            as_of,
        }
    }
}

/// A unit with every indicator of the plan tracked.
pub type UnitTracked = (UnitRecord, Vec<Tracked>);

/// The units below a parent with every indicator tracked, and the indicators any of them reports.
pub struct Grid {
    pub parent: UnitRecord,
    pub kind: UnitKind,
    pub as_of: NaiveDate,
    /// Indexes into the plan's indicators.
    pub columns: Vec<usize>,
    /// Sorted by name without diacritics, then code.
    pub rows: Vec<UnitTracked>,
}

/// The status of a tracked indicator, where a target applies.
pub fn status_of(t: &Tracked) -> Option<Status> {
    t.outlook.as_ref().map(|o| o.status)
}

impl Session {
    pub async fn grid(&self, spec: &GridSpec) -> Result<Grid> {
        let parent = match spec
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(code) => self.unit(code).await?,
            None => self.home().await?,
        };
        let kind = match spec.kind {
            Some(kind) => kind,
            None if parent.kind == UnitKind::Country.as_str() => UnitKind::Province,
            None => UnitKind::Commune,
        };
        let mut rows = self.tracked_children(&parent, kind, spec.as_of).await?;
        rows.sort_by_cached_key(|(u, _)| (search_key(&u.name), u.code.clone()));
        let columns = (0..self.plan().indicators.len())
            .filter(|&i| {
                rows.iter()
                    .any(|(_, t)| t[i].progress.subjects_expected > 0)
            })
            .collect();
        Ok(Grid {
            parent,
            kind,
            as_of: spec.as_of,
            columns,
            rows,
        })
    }
}

/// The heat table's filters: a search without diacritics, a status, and the indicator the status
/// is about (any when none).
#[derive(Debug, Clone, Default)]
pub struct GridFilter {
    pub search: Option<String>,
    pub status: Option<Status>,
    pub indicator: Option<String>,
}

impl Grid {
    /// The rows the filter keeps, in the grid's order; an indicator that is not a column is refused.
    pub fn filtered(&self, plan: &Plan, filter: &GridFilter) -> Result<Vec<&UnitTracked>> {
        let chosen = filter.indicator.as_deref().filter(|s| !s.is_empty());
        if let Some(code) = chosen
            && !self
                .columns
                .iter()
                .any(|&i| plan.indicators[i].code == code)
        {
            return Err(AppError::BadRequest(format!(
                "chỉ tiêu «{code}» không có ở bảng này"
            )));
        }
        let words: Vec<String> = search_key(filter.search.as_deref().unwrap_or(""))
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        Ok(self
            .rows
            .iter()
            .filter(|(unit, _)| {
                words.is_empty() || {
                    let key = search_key(&unit.full_name);
                    words.iter().all(|w| key.contains(w.as_str()))
                }
            })
            .filter(|(_, tracked)| match filter.status {
                None => true,
                Some(s) => self.columns.iter().any(|&i| {
                    chosen.is_none_or(|c| plan.indicators[i].code == c)
                        && tracked[i].progress.subjects_expected > 0
                        && status_of(&tracked[i]) == Some(s)
                }),
            })
            .collect())
    }
}
