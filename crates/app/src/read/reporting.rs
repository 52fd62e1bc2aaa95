//! Who reported which week, and when: each unit-week's reporting cell (on time, late, draft,
//! returned, missing) for the completeness matrix, the rankings' timeliness and the documents.

use crate::error::Result;
use crate::records::{UnitFilter, UnitRecord};
use crate::session::Session;
use chrono::NaiveDate;
use hocvuso_core::access::{Target, reports_indicator};
use hocvuso_core::calendar::{self, Week};
use hocvuso_core::report::{Cell, Status, cell};
use hocvuso_core::units::UnitKind;
use std::collections::HashMap;

/// A unit-week's stored status and first submission.
type Stored = (Option<Status>, Option<chrono::DateTime<chrono::Utc>>);

/// The expected units of a kind (those the plan asks to report at least one indicator) × the
/// reporting weeks up to a date, with each unit-week's reporting cell.
pub struct Matrix {
    pub kind: UnitKind,
    pub as_of: NaiveDate,
    pub weeks: Vec<Week>,
    pub units: Vec<UnitRecord>,
    pub cells: Vec<Vec<Cell>>,
}

impl Session {
    /// For each unit of `codes` (within `within`'s subtree), its reporting cell in each of `weeks`:
    /// missing, draft, returned, on time or late.
    pub async fn reporting_cells<'a>(
        &self,
        within: &UnitRecord,
        codes: impl Iterator<Item = &'a str>,
        weeks: &[Week],
    ) -> Result<Vec<Vec<Cell>>> {
        let statuses: HashMap<(String, String), Stored> = self
            .week_statuses(within)
            .await?
            .into_iter()
            .map(|s| {
                let first = s.first_submitted_at.as_deref().and_then(|t| t.parse().ok());
                ((s.unit_code, s.week), (Status::parse(&s.status), first))
            })
            .collect();
        Ok(codes
            .map(|code| {
                weeks
                    .iter()
                    .map(|w| {
                        let (status, first) = statuses
                            .get(&(code.to_string(), w.reporting_day.to_string()))
                            .cloned()
                            .unwrap_or((None, None));
                        cell(status, first, w)
                    })
                    .collect()
            })
            .collect())
    }

    /// The completeness matrix of the units of `kind` within the actor's home whose name matches
    /// `search`, over the reporting weeks up to `as_of`.
    pub async fn matrix(
        &self,
        kind: UnitKind,
        as_of: NaiveDate,
        search: Option<String>,
    ) -> Result<Matrix> {
        let home = self.home().await?;
        let plan = self.plan();
        let weeks: Vec<Week> = calendar::weeks(plan)
            .into_iter()
            .filter(|w| w.reporting_day <= as_of)
            .collect();
        let (units, _) = self
            .list_units(UnitFilter {
                within: Some(home.code.clone()),
                kind: Some(kind),
                query: search
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
                limit: 5000,
                ..UnitFilter::default()
            })
            .await?;
        let units: Vec<_> = units
            .into_iter()
            .filter(|u| {
                let t = Target {
                    code: &u.code,
                    kind,
                    path: &u.path,
                };
                plan.indicators.iter().any(|i| reports_indicator(t, i))
            })
            .collect();
        let cells = self
            .reporting_cells(&home, units.iter().map(|u| u.code.as_str()), &weeks)
            .await?;
        Ok(Matrix {
            kind,
            as_of,
            weeks,
            units,
            cells,
        })
    }
}
