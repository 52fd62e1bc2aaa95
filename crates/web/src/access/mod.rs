//! Access: who is asking (session cookie or API token), CSRF checks, and [`Scoped`], the only way
//! handlers reach the data. The store lives privately in [`AppState`]; every read and write a page or
//! the API makes goes through a `Scoped` method that applies the one policy of
//! `hocvuso_core::access::Actor`. Handlers cannot bypass it because they cannot see the store.

mod identity;
mod login;
mod scoped;
pub mod secrets;

pub use identity::{Identity, authenticate};
pub use login::{LoginHint, login_form, login_submit, logout, logout_everywhere};
pub use scoped::{Scoped, SyncResult, temporary_password, validate_new_user};

use chrono::NaiveDate;
use hocvuso_core::plan::Plan;
use hocvuso_store::Store;
use hocvuso_store::accounts::Throttle;
use std::sync::Arc;

/// What every request needs. The store is private to this module.
#[derive(Clone)]
pub struct AppState {
    store: Store,
    pub plan: Arc<Plan>,
    /// The date pages show when none is chosen (the demo's date, else today).
    pub default_as_of: NaiveDate,
    /// Whether the database holds synthetic (demo) figures, to label them.
    pub synthetic: bool,
    /// Demo accounts to show on the login page (demo mode only).
    pub demo_logins: Arc<Vec<LoginHint>>,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Mark cookies `Secure` even without `X-Forwarded-Proto: https` (served over HTTPS directly).
    pub secure_cookies: bool,
    pub account_throttle: Throttle,
    pub address_throttle: Throttle,
    /// Pause after a failed login, times the failures so far, to slow guessing down.
    pub failure_delay: std::time::Duration,
    /// Secret of the person pseudonyms (HMAC of the CCCD); never leaves the server.
    pub person_key: hocvuso_core::field::PersonKey,
    /// Added to the system clock: zero in production; in the demo, the gap back to the demo's date, so
    /// that due and lock times behave as on that day.
    pub clock_offset: chrono::Duration,
}

impl AppState {
    pub fn new(
        store: Store,
        plan: Plan,
        default_as_of: NaiveDate,
        synthetic: bool,
        person_key: hocvuso_core::field::PersonKey,
    ) -> AppState {
        AppState {
            store,
            plan: Arc::new(plan),
            default_as_of,
            synthetic,
            demo_logins: Arc::new(Vec::new()),
            trust_proxy: false,
            secure_cookies: false,
            account_throttle: Throttle {
                max_failures: 5,
                window: chrono::Duration::minutes(15),
                lock_for: chrono::Duration::minutes(15),
            },
            address_throttle: Throttle {
                max_failures: 30,
                window: chrono::Duration::minutes(15),
                lock_for: chrono::Duration::minutes(15),
            },
            failure_delay: std::time::Duration::from_millis(200),
            clock_offset: chrono::Duration::zero(),
            person_key,
        }
    }

    /// The current instant, as the campaign's rules see it.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset
    }

    /// Liveness of the database, for `/healthz` (no data is read).
    pub async fn ping(&self) -> bool {
        self.store.ping().await.is_ok()
    }
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "hvs_session";
/// Name of the cookie that protects the login form itself against cross-site posts.
pub const LOGIN_CSRF_COOKIE: &str = "hvs_login_csrf";
/// Form field and header carrying the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts after signing in.
pub const SESSION_HOURS: i64 = 12;

/// A cookie header value with the attributes every cookie of ours has.
pub fn cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The value of one cookie of a request.
pub fn read_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}
