//! The door-to-door log on the web: the team member's offline app (`/field`, an installable page
//! with a service worker; records queue on the phone and sync to `POST /api/v1/field/records`), the
//! secretariat's team activity (`/field/activity`) and inclusion view (`/field/inclusion`) with
//! their .xlsx, and the import of paper logs (`/field/import`).
//!
//! Citizen numbers arrive in sync bodies and paper logs only. They are checked and turned into a
//! pseudonym by `hocvuso_core::field::check_record` before anything else happens; bodies are parsed
//! here without serde's messages, which can quote the offending value.

mod api;
mod app;
mod import;
mod pages;
mod xlsx;

use crate::http::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/field", get(app::app))
        .route("/field/manifest.webmanifest", get(app::manifest))
        .route("/field/sw.js", get(app::service_worker))
        .route("/field/activity", get(pages::activity))
        .route("/field/activity.xlsx", get(xlsx::activity))
        .route("/field/inclusion", get(pages::inclusion))
        .route("/field/inclusion.xlsx", get(xlsx::inclusion))
        .route(
            "/field/import",
            get(import::form)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(crate::http::UPLOAD_LIMIT)),
        )
        .route("/api/v1/field/records", post(api::sync))
        .route("/api/v1/field/summary", get(api::summary))
}
