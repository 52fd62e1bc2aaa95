//! Where everyone starts: the province overview, the unit list with its search, and a unit's page
//! (its indicators, trends and report history), with their .xlsx.

mod pages;
mod xlsx;

use crate::http::AppState;
use axum::Router;
use axum::routing::get;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::overview))
        .route("/units", get(pages::units))
        .route("/units.xlsx", get(xlsx::units))
        .route("/units/{code}", get(pages::unit))
        .route("/units/{code}/values.xlsx", get(xlsx::unit_values))
        .route("/units/{code}/history.xlsx", get(xlsx::unit_history))
}
