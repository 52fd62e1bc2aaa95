//! Dashboards over the units directly below one unit (the communes of a province, the provinces of
//! the country): the heat table of units × indicators, the map, the lagging units and the rankings,
//! their .xlsx and `/api/v1/progress/units`. All read one `hocvuso_app::read::Grid`, so every
//! cell uses the same progress and status as the unit's own page.

mod api;
mod pages;
mod view;
mod xlsx;

use crate::http::AppState;
use axum::Router;
use axum::routing::get;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/table", get(pages::table))
        .route("/table.xlsx", get(xlsx::table))
        .route("/map", get(pages::map))
        .route("/lagging", get(pages::lagging))
        .route("/lagging.xlsx", get(xlsx::lagging))
        .route("/rankings", get(pages::rankings))
        .route("/rankings.xlsx", get(xlsx::rankings))
        .route("/api/v1/progress/units", get(api::units))
}
