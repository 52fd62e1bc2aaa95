//! Signing in and out. Failed attempts are throttled per account and per address, slowed down,
//! and audited like successful ones.

use crate::http::Nav;
use crate::http::WebError;
use crate::http::identity::{Client, Identity};
use crate::http::{
    AppState, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_HOURS, cookie, read_cookie,
};
use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_app::{LoginHint, SignIn, secrets};
use serde::Deserialize;

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

pub async fn login_submit(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    identity: Option<Extension<Identity>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(form.next.as_deref());
    let csrf = read_cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let again = |error: String| {
        render_login(
            &state,
            csrf.clone(),
            next.clone(),
            form.username.clone(),
            error,
        )
    };
    let old_session = identity
        .as_ref()
        .and_then(|Extension(id)| id.session.as_deref());
    let answer = state
        .app
        .sign_in(&form.username, &form.password, &client.ip, old_session)
        .await?;
    match answer {
        SignIn::Signed { token } => {
            let mut response = Redirect::to(&next).into_response();
            set_cookie(
                &mut response,
                &cookie(SESSION_COOKIE, &token, SESSION_HOURS * 3600, client.https),
            );
            Ok(response)
        }
        SignIn::Locked { message } => {
            Ok((StatusCode::TOO_MANY_REQUESTS, again(message)?).into_response())
        }
        SignIn::Refused { message } => {
            Ok((StatusCode::UNAUTHORIZED, again(message)?).into_response())
        }
    }
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
        state.app.sign_out(digest, &id.actor, &id.who).await?;
    }
    Ok(signed_out(&client))
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    identity: Option<Extension<Identity>>,
) -> Result<Response, WebError> {
    if let Some(Extension(id)) = identity {
        state.app.sign_out_everywhere(&id.actor, &id.who).await?;
    }
    Ok(signed_out(&client))
}
