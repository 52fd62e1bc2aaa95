//! Signing in and out. Failed attempts are throttled per account and per address, slowed down,
//! and audited like successful ones.

use super::identity::{Client, Identity, actor_of};
use super::{
    AppState, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_HOURS, cookie, read_cookie, secrets,
};
use crate::error::WebError;
use crate::views::Nav;
use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_store::accounts::LoginAttempt;
use hocvuso_store::audit::{Entry, Who};
use serde::Deserialize;
use std::sync::OnceLock;

/// A demo account shown on the login page in demo mode.
#[derive(Debug, Clone)]
pub struct LoginHint {
    pub username: String,
    pub password: String,
    pub role_label: String,
    pub unit_label: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    csrf: String,
    next: String,
    username: String,
    error: String,
    hints: Vec<LoginHint>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only paths on this site are followed after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

fn render_login(
    state: &AppState,
    csrf: String,
    next: String,
    username: String,
    error: String,
) -> Result<Html<String>, WebError> {
    let page = LoginPage {
        title: "Đăng nhập".into(),
        synthetic: state.synthetic,
        nav: Nav::anonymous(),
        csrf,
        next,
        username,
        error,
        hints: state.demo_logins.as_ref().clone(),
    };
    Ok(Html(page.render()?))
}

pub async fn login_form(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    identity: Option<Extension<Identity>>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if identity.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let existing = read_cookie(&headers, LOGIN_CSRF_COOKIE).filter(|c| c.len() == 64);
    let csrf = existing
        .clone()
        .unwrap_or_else(|| secrets::random_token(32));
    let mut response = render_login(
        &state,
        csrf.clone(),
        safe_next(q.next.as_deref()),
        String::new(),
        String::new(),
    )?
    .into_response();
    if existing.is_none() {
        set_cookie(
            &mut response,
            &cookie(LOGIN_CSRF_COOKIE, &csrf, 3600 * 24, client.https),
        );
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A hash to verify against when the account does not exist, so that the answer takes as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password_blocking("không-có-tài-khoản-này"))
}

fn local_time(rfc3339: &str, offset_minutes: i32) -> String {
    let offset = chrono::FixedOffset::east_opt(offset_minutes * 60)
        .unwrap_or(chrono::FixedOffset::east_opt(0).expect("UTC"));
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&offset)
                .format("%H:%M ngày %d/%m/%Y")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

pub async fn login_submit(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    identity: Option<Extension<Identity>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let username = form.username.trim().to_lowercase();
    let next = safe_next(form.next.as_deref());
    let csrf = read_cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let who = Who {
        user_id: None,
        name: username.clone(),
        ip: Some(client.ip.clone()),
    };
    let (account_key, address_key) = (format!("user:{username}"), format!("ip:{}", client.ip));
    let offset = state.plan.reporting.utc_offset_minutes;
    let again = |error: String| {
        render_login(
            &state,
            csrf.clone(),
            next.clone(),
            form.username.clone(),
            error,
        )
    };

    // Take a try on the account and the address before checking the password: a locked one is
    // refused unchecked, however many attempts arrive at once.
    let keys = [
        (account_key.as_str(), state.account_throttle),
        (address_key.as_str(), state.address_throttle),
    ];
    let failures = match state.store.begin_login(keys).await? {
        LoginAttempt::Allowed { tries } => tries,
        LoginAttempt::Locked { until } => {
            let entry = Entry {
                action: "login_failed",
                entity: "session",
                key: &username,
                before: None,
                after: Some(r#"{"reason":"locked"}"#.into()),
                ..Default::default()
            };
            state.store.audit(&who, &entry).await?;
            let message = format!(
                "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa. Vui lòng thử lại sau {}.",
                local_time(&until, offset)
            );
            return Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, again(message)?).into_response());
        }
    };

    let found = state.store.user_for_login(&username).await?;
    let hash = found
        .as_ref()
        .map_or_else(|| dummy_hash().to_string(), |(_, h)| h.clone());
    let password_ok =
        secrets::verify_password(form.password.clone(), hash).await && found.is_some();
    let user = match found {
        Some((user, _)) if password_ok && user.disabled == 0 => user,
        other => {
            let reason = match &other {
                Some((u, _)) if password_ok && u.disabled != 0 => "disabled",
                Some(_) => "wrong_password",
                None => "unknown_user",
            };
            let after = serde_json::json!({ "reason": reason, "failures": failures }).to_string();
            let entry = Entry {
                action: "login_failed",
                entity: "session",
                key: &username,
                unit: other.as_ref().and_then(|(u, _)| u.unit_code.as_deref()),
                before: None,
                after: Some(after),
            };
            state.store.audit(&who, &entry).await?;
            tokio::time::sleep(state.failure_delay * failures.clamp(1, 10) as u32).await;
            let message = if reason == "disabled" {
                "Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên.".to_string()
            } else {
                let left = state.account_throttle.max_failures - failures;
                if left > 0 {
                    format!(
                        "Tên đăng nhập hoặc mật khẩu không đúng. Còn {left} lần thử trước khi tài khoản bị tạm khóa."
                    )
                } else {
                    "Tên đăng nhập hoặc mật khẩu không đúng. Tài khoản tạm thời bị khóa 15 phút."
                        .to_string()
                }
            };
            return Ok((axum::http::StatusCode::UNAUTHORIZED, again(message)?).into_response());
        }
    };

    // Success: a brand-new session (the old one, if any, ends: no session fixation).
    state
        .store
        .login_succeeded(&account_key, (&address_key, state.address_throttle))
        .await?;
    if let Some(Extension(old)) = &identity
        && let Some(digest) = &old.session
    {
        state.store.delete_session(digest).await?;
    }
    let token = secrets::random_token(32);
    let expires = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    let expires_text = expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    state
        .store
        .create_session(
            &secrets::digest(&token),
            user.id,
            &secrets::random_token(32),
            Some(&client.ip),
            &expires_text,
        )
        .await?;
    let actor = actor_of(&state.store, &user).await?;
    let who = Who {
        user_id: Some(user.id),
        name: user.username.clone(),
        ip: Some(client.ip.clone()),
    };
    let entry = Entry {
        action: "login",
        entity: "session",
        key: &user.username,
        unit: user.unit_code.as_deref(),
        before: None,
        after: Some(serde_json::json!({ "role": actor.role }).to_string()),
    };
    state.store.audit(&who, &entry).await?;
    let mut response = Redirect::to(&next).into_response();
    set_cookie(
        &mut response,
        &cookie(SESSION_COOKIE, &token, SESSION_HOURS * 3600, client.https),
    );
    Ok(response)
}

fn signed_out(client: &Client) -> Response {
    let mut response = Redirect::to("/login").into_response();
    set_cookie(&mut response, &cookie(SESSION_COOKIE, "", 0, client.https));
    response
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    identity: Option<Extension<Identity>>,
) -> Result<Response, WebError> {
    if let Some(Extension(id)) = identity
        && let Some(digest) = &id.session
    {
        state.store.delete_session(digest).await?;
        let entry = Entry {
            action: "logout",
            entity: "session",
            key: &id.actor.username,
            unit: id.actor.unit.as_ref().map(|u| u.code.as_str()),
            ..Default::default()
        };
        state.store.audit(&id.who, &entry).await?;
    }
    Ok(signed_out(&client))
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    identity: Option<Extension<Identity>>,
) -> Result<Response, WebError> {
    if let Some(Extension(id)) = identity {
        state.store.void_sessions(id.actor.user_id, &id.who).await?;
    }
    Ok(signed_out(&client))
}
