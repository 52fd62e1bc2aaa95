//! What every area of the site shares: who is asking (session cookie or API token) and CSRF checks
//! (`identity`), [`Scoped`] — the handlers' way to the data, a `hocvuso_app::Session` for the
//! request's actor — errors as the user sees them, the top bar, downloads, uploads, posted forms,
//! shared query parameters and the static assets. The web crate has no store; every read and write
//! goes through a use case of `hocvuso_app`, which applies the one policy of
//! `hocvuso_core::access::Actor`.

pub(crate) mod assets;
mod download;
mod error;
mod form;
pub(crate) mod identity;
mod nav;
mod query;
mod scoped;
mod upload;

pub use download::{XLSX_TYPE, column, download, local_time, title_lines, xlsx_response};
pub use error::{ApiError, WebError, not_found};
pub use form::form_fields;
pub use identity::{Identity, authenticate};
pub use nav::Nav;
pub use query::{parse_kind, unit_filter};
pub use scoped::Scoped;
pub use upload::{UPLOAD_LIMIT, uploaded_file};

use hocvuso_app::{App, LoginHint};
use std::sync::Arc;

/// What every request needs: the application, and how this server meets its clients.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Demo accounts to show on the login page (demo mode only).
    pub demo_logins: Arc<Vec<LoginHint>>,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Mark cookies `Secure` even without `X-Forwarded-Proto: https` (served over HTTPS directly).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(app: App) -> AppState {
        AppState {
            app,
            demo_logins: Arc::new(Vec::new()),
            trust_proxy: false,
            secure_cookies: false,
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "hvs_session";
/// Name of the cookie that protects the login form itself against cross-site posts.
pub const LOGIN_CSRF_COOKIE: &str = "hvs_login_csrf";
/// Form field and header carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub use hocvuso_app::sign_in::SESSION_HOURS;

/// A cookie header value with the attributes every cookie of ours has.
pub fn cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_seconds))
        .secure(secure)
        .build()
        .to_string()
}

/// The value of one cookie of a request.
pub fn read_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}
