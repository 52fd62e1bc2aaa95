//! HTTP layer of hocvuso: server-rendered Vietnamese pages, the JSON API under `/api/v1`, `/healthz`,
//! and static assets embedded in the binary.
#![forbid(unsafe_code)]

mod api;
mod assets;
mod error;
mod pages;
mod views;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use chrono::NaiveDate;
use hocvuso_core::plan::Plan;
use hocvuso_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::WebError;

/// What every handler needs.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub plan: Arc<Plan>,
    /// The date pages show when none is chosen (the demo's date, else today).
    pub default_as_of: NaiveDate,
    /// Whether the database holds synthetic (demo) figures, to label them.
    pub synthetic: bool,
}

/// Largest request body accepted (uploads come in later issues with their own limit).
const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let security_headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("x-frame-options"), "DENY"),
    ];
    let mut router = Router::new()
        .route("/", get(pages::overview))
        .route("/units", get(pages::units))
        .route("/units/{code}", get(pages::unit))
        .route("/healthz", get(api::healthz))
        .route("/api/v1/plan", get(api::plan))
        .route("/api/v1/units", get(api::units))
        .route("/api/v1/units/{code}", get(api::unit))
        .route("/api/v1/progress", get(api::progress))
        .route("/static/{file}", get(assets::serve))
        .fallback(pages::not_found)
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http());
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}
