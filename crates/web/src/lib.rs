//! HTTP layer of hocvuso: server-rendered Vietnamese pages, the JSON API under `/api/v1`, `/healthz`,
//! and static assets embedded in the binary. One folder per area of the site (`overview`,
//! `dashboard`, `reports`, `documents`, `field`, `admin`, `api`), each with its router, pages,
//! downloads and API calls; what they share is in `http`. Every data access goes through
//! [`http::Scoped`], a `hocvuso_app::Session`: this crate has no store.
#![forbid(unsafe_code)]

mod admin;
mod api;
mod dashboard;
mod documents;
mod field;
pub mod http;
mod overview;
mod reports;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use http::{AppState, WebError};

/// Largest request body accepted (uploads: a little over the largest workbook, which the importer
/// refuses with a clear message).
const BODY_LIMIT: usize = http::UPLOAD_LIMIT;

pub fn router(state: AppState) -> Router {
    let security_headers = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (HeaderName::from_static("x-frame-options"), "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut router = Router::new()
        .merge(overview::router())
        .merge(dashboard::router())
        .merge(reports::router())
        .merge(documents::router())
        .merge(field::router())
        .merge(admin::router())
        .merge(api::router())
        .route("/static/{*file}", get(http::assets::serve))
        .fallback(http::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::authenticate,
        ))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http());
    for (name, value) in security_headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}
