//! The JSON API's general calls under `/api/v1` (who am I, the plan, units, a unit's progress) and
//! `/healthz`. The calls of an area (reports, the heat table's units, the door-to-door log) are in
//! that area's `api.rs`.

use crate::http::AppState;
use crate::http::{ApiError, Scoped, unit_filter};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hocvuso_app::read::{Moment, moment, parse_as_of};
use hocvuso_app::records::UnitRecord;
use hocvuso_core::access::Actor;
use hocvuso_core::outlook::Tracked;
use hocvuso_core::plan::Plan;
use serde::{Deserialize, Serialize};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/me", get(me))
        .route("/api/v1/plan", get(plan))
        .route("/api/v1/units", get(units))
        .route("/api/v1/units/{code}", get(unit))
        .route("/api/v1/progress", get(progress))
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.ping().await {
        Json(serde_json::json!({ "status": "ok" })).into_response()
    } else {
        tracing::error!("health check failed: database unreachable");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable" })),
        )
            .into_response()
    }
}

/// The signed-in actor: role and bound unit.
pub async fn me(scoped: Scoped) -> Json<Actor> {
    Json(scoped.actor().clone())
}

pub async fn plan(scoped: Scoped) -> Json<Plan> {
    Json(scoped.plan().clone())
}

#[derive(Deserialize)]
pub struct UnitsQuery {
    parent: Option<String>,
    within: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

#[derive(Serialize)]
pub struct UnitsPage {
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub units: Vec<UnitRecord>,
}

pub async fn units(
    scoped: Scoped,
    Query(q): Query<UnitsQuery>,
) -> Result<Json<UnitsPage>, ApiError> {
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    let offset = q.offset.unwrap_or(0).max(0);
    let filter = unit_filter(q.parent, q.within, q.kind.as_deref(), q.q, limit, offset)?;
    let (units, total) = scoped.list_units(filter).await?;
    Ok(Json(UnitsPage {
        total,
        limit,
        offset,
        units,
    }))
}

pub async fn unit(scoped: Scoped, Path(code): Path<String>) -> Result<Json<UnitRecord>, ApiError> {
    Ok(Json(scoped.unit(&code).await?))
}

#[derive(Deserialize)]
pub struct ProgressQuery {
    unit: Option<String>,
    as_of: Option<String>,
}

#[derive(Serialize)]
pub struct IndicatorProgress {
    pub name: String,
    pub short_name: String,
    /// Progress on the date, `history` (value per reporting day) and `outlook` (status, pace, forecast).
    #[serde(flatten)]
    pub tracked: Tracked,
}

#[derive(Serialize)]
pub struct ProgressReport {
    pub plan: String,
    pub unit: UnitRecord,
    #[serde(flatten)]
    pub moment: Moment,
    /// True when the figures are generated demo data.
    pub synthetic: bool,
    pub indicators: Vec<IndicatorProgress>,
}

pub async fn progress(
    scoped: Scoped,
    Query(q): Query<ProgressQuery>,
) -> Result<Json<ProgressReport>, ApiError> {
    let unit = match q.unit {
        Some(code) => scoped.unit(&code).await?,
        None => scoped.home().await?,
    };
    let as_of = parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    let tracked = scoped.tracked(&unit, as_of).await?;
    let plan = scoped.plan();
    let indicators = plan
        .indicators
        .iter()
        .zip(tracked)
        .map(|(ind, tracked)| IndicatorProgress {
            name: ind.name.clone(),
            short_name: ind.short_name.clone(),
            tracked,
        })
        .collect();
    Ok(Json(ProgressReport {
        plan: plan.code.clone(),
        unit,
        moment: moment(plan, as_of),
        synthetic: scoped.synthetic(),
        indicators,
    }))
}
