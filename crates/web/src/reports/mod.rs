//! Periodic reports on the web: the unit's form, the review (approve / return with a reason), the
//! JSON API, the Excel round trip (a unit's template, the on-behalf workbook), and the
//! secretariat's follow-up (review queue, completeness matrix, difficulties and proposals) with
//! their .xlsx. Every change goes through one use case of `hocvuso_app` (`Session::save_report`,
//! `Session::review`, the workbook imports), so the same rules refuse the same input on every path.

mod api;
mod excel;
mod form;
mod monitoring;
mod xlsx;

use crate::http::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/{unit}/{week}", get(form::form).post(form::submit))
        .route("/reports/{unit}/{week}/review", post(form::review))
        .route("/reports/{unit}/{week}/template.xlsx", get(excel::template))
        .route(
            "/reports/{unit}/{week}/on-behalf.xlsx",
            get(excel::on_behalf_template),
        )
        .route(
            "/reports/{unit}/{week}/on-behalf",
            post(excel::on_behalf_upload).layer(DefaultBodyLimit::max(crate::http::UPLOAD_LIMIT)),
        )
        .route(
            "/reports/{unit}/{week}/upload",
            post(excel::upload).layer(DefaultBodyLimit::max(crate::http::UPLOAD_LIMIT)),
        )
        .route("/api/v1/reports/{unit}/{week}", get(api::get).put(api::put))
        .route("/api/v1/reports/{unit}/{week}/approve", post(api::approve))
        .route("/api/v1/reports/{unit}/{week}/return", post(api::return_))
        .route("/review", get(monitoring::review_queue))
        .route("/review.xlsx", get(xlsx::review_queue))
        .route("/completeness", get(monitoring::completeness))
        .route("/completeness.xlsx", get(xlsx::completeness))
        .route("/concerns", get(monitoring::concerns))
        .route("/concerns.xlsx", get(xlsx::concerns))
}
