//! Administration: sign-in and sign-out, one's own account, users and API tokens, the per-unit
//! assigned targets, and the audit log with its .csv and .xlsx.

mod account;
mod audit;
pub(crate) mod login;
mod targets;
mod users;

use crate::http::AppState;
use axum::Router;
use axum::routing::{get, post};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login::login_form).post(login::login_submit))
        .route("/logout", post(login::logout))
        .route("/logout-everywhere", post(login::logout_everywhere))
        .route(
            "/account",
            get(account::account).post(account::change_password),
        )
        .route("/admin/users", get(users::users).post(users::create_user))
        .route("/admin/users/{id}/disable", post(users::disable_user))
        .route("/admin/users/{id}/enable", post(users::enable_user))
        .route(
            "/admin/users/{id}/reset-password",
            post(users::reset_password),
        )
        .route("/admin/users/{id}/tokens", post(users::create_token))
        .route("/admin/tokens/{id}/revoke", post(users::revoke_token))
        .route("/targets", get(targets::page).post(targets::upload))
        .route("/targets.csv", get(targets::csv))
        .route("/audit", get(audit::audit))
        .route("/audit.csv", get(audit::audit_csv))
        .route("/audit.xlsx", get(audit::audit_xlsx))
}
