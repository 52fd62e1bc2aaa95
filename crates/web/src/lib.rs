//! HTTP layer of hocvuso: server-rendered Vietnamese pages, the JSON API under `/api/v1`, `/healthz`,
//! and static assets embedded in the binary. Every data access goes through [`access::Scoped`].
#![forbid(unsafe_code)]

pub mod access;
mod admin;
mod api;
mod assets;
mod dashboard;
mod documents;
mod error;
mod exports;
mod field;
mod monitoring;
mod pages;
mod reports;
mod standings;
mod targets;
mod views;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use access::AppState;
pub use error::WebError;

/// Largest request body accepted (uploads: a little over the largest workbook, which the importer
/// refuses with a clear message).
const BODY_LIMIT: usize = UPLOAD_LIMIT;
const UPLOAD_LIMIT: usize = hocvuso_docs::report_xlsx::MAX_XLSX_BYTES + 1024 * 1024;

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
        .route("/", get(pages::overview))
        .route("/units", get(pages::units))
        .route("/table", get(dashboard::table))
        .route("/table.xlsx", get(dashboard::table_xlsx))
        .route("/targets", get(targets::page).post(targets::upload))
        .route("/targets.csv", get(targets::csv))
        .route("/map", get(dashboard::map))
        .route("/lagging", get(standings::lagging))
        .route("/lagging.xlsx", get(exports::lagging))
        .route("/rankings.xlsx", get(exports::rankings))
        .route("/completeness.xlsx", get(exports::completeness))
        .route("/concerns.xlsx", get(exports::concerns))
        .route("/audit.xlsx", get(exports::audit))
        .route("/units.xlsx", get(exports::units))
        .route("/units/{code}/history.xlsx", get(exports::unit_history))
        .route("/review.xlsx", get(exports::review_queue))
        .route("/field/activity.xlsx", get(exports::field_activity))
        .route("/field/inclusion.xlsx", get(exports::field_inclusion))
        .route("/documents", get(documents::page))
        .route("/documents/{file}", get(documents::download))
        .route("/documents/next-tasks", post(documents::save_next_tasks))
        .route("/documents/letterhead", post(documents::save_letterhead))
        .route("/rankings", get(standings::rankings))
        .route("/units/{code}", get(pages::unit))
        .route("/units/{code}/values.xlsx", get(exports::unit_values))
        .route(
            "/reports/{unit}/{week}",
            get(reports::form).post(reports::submit_form),
        )
        .route("/reports/{unit}/{week}/review", post(reports::review_form))
        .route(
            "/reports/{unit}/{week}/template.xlsx",
            get(reports::template_xlsx),
        )
        .route(
            "/reports/{unit}/{week}/on-behalf.xlsx",
            get(reports::on_behalf_xlsx),
        )
        .route(
            "/reports/{unit}/{week}/on-behalf",
            post(reports::on_behalf_upload)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/reports/{unit}/{week}/upload",
            post(reports::upload_xlsx).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/field", get(field::app))
        .route("/field/manifest.webmanifest", get(field::manifest))
        .route("/field/sw.js", get(field::service_worker))
        .route("/field/activity", get(field::activity))
        .route("/field/inclusion", get(field::inclusion))
        .route(
            "/field/import",
            get(field::import_form)
                .post(field::import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/api/v1/field/records", post(field::sync_api))
        .route("/api/v1/field/summary", get(field::summary_api))
        .route("/review", get(monitoring::review_queue))
        .route("/completeness", get(monitoring::completeness))
        .route("/concerns", get(monitoring::concerns))
        .route("/login", get(access::login_form).post(access::login_submit))
        .route("/logout", post(access::logout))
        .route("/logout-everywhere", post(access::logout_everywhere))
        .route("/account", get(admin::account).post(admin::change_password))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route(
            "/admin/users/{id}/reset-password",
            post(admin::reset_password),
        )
        .route("/admin/users/{id}/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route("/audit", get(admin::audit))
        .route("/audit.csv", get(admin::audit_csv))
        .route("/healthz", get(api::healthz))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/plan", get(api::plan))
        .route("/api/v1/units", get(api::units))
        .route("/api/v1/units/{code}", get(api::unit))
        .route("/api/v1/progress", get(api::progress))
        .route("/api/v1/progress/units", get(dashboard::api))
        .route(
            "/api/v1/reports/{unit}/{week}",
            get(reports::get_api).put(reports::put_api),
        )
        .route(
            "/api/v1/reports/{unit}/{week}/approve",
            post(reports::approve_api),
        )
        .route(
            "/api/v1/reports/{unit}/{week}/return",
            post(reports::return_api),
        )
        .route("/static/{*file}", get(assets::serve))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::authenticate,
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
