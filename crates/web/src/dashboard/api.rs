//! `GET /api/v1/progress/units?unit=&kind=&as_of=`: what the heat table and the map show.

use super::view::{GridQuery, grid};
use crate::http::{ApiError, Scoped};
use axum::Json;
use axum::extract::Query;
use hocvuso_app::read::{Moment, moment, status_of};
use hocvuso_app::records::UnitRecord;
use hocvuso_core::outlook::Status;
use hocvuso_core::progress::Progress;
use hocvuso_core::units::UnitKind;
use serde::Serialize;

#[derive(Serialize)]
pub struct UnitIndicator {
    #[serde(flatten)]
    pub progress: Progress,
    pub status: Option<Status>,
}

#[derive(Serialize)]
pub struct UnitProgress {
    pub unit: UnitRecord,
    pub indicators: Vec<UnitIndicator>,
}

#[derive(Serialize)]
pub struct UnitsProgress {
    pub plan: String,
    pub parent: UnitRecord,
    pub kind: UnitKind,
    #[serde(flatten)]
    pub moment: Moment,
    pub synthetic: bool,
    /// Codes of the indicators any of the units reports, in plan order.
    pub columns: Vec<String>,
    pub units: Vec<UnitProgress>,
}

/// `GET /api/v1/progress/units?unit=&kind=&as_of=`: what the heat table and the map show.
pub async fn units(
    scoped: Scoped,
    Query(q): Query<GridQuery>,
) -> Result<Json<UnitsProgress>, ApiError> {
    let grid = grid(&scoped, &q).await?;
    let plan = scoped.plan();
    Ok(Json(UnitsProgress {
        plan: plan.code.clone(),
        kind: grid.kind,
        moment: moment(plan, grid.as_of),
        synthetic: scoped.synthetic(),
        columns: grid
            .columns
            .iter()
            .map(|&i| plan.indicators[i].code.clone())
            .collect(),
        units: grid
            .rows
            .into_iter()
            .map(|(unit, tracked)| UnitProgress {
                unit,
                indicators: tracked
                    .into_iter()
                    .map(|t| UnitIndicator {
                        status: status_of(&t),
                        progress: t.progress,
                    })
                    .collect(),
            })
            .collect(),
        parent: grid.parent,
    }))
}
