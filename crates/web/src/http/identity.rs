//! Authentication and CSRF, once per request, before any handler runs.

use super::{AppState, CSRF_FIELD, CSRF_HEADER, LOGIN_CSRF_COOKIE, SESSION_COOKIE, read_cookie};
use crate::http::WebError;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hocvuso_app::records::Who;
use hocvuso_core::access::Actor;
use std::net::SocketAddr;

/// The signed-in user (or API token) of a request.
#[derive(Debug, Clone)]
pub struct Identity {
    pub actor: Actor,
    pub who: Who,
    /// The session's CSRF token (None for API tokens, which are not sent by browsers on their own).
    pub csrf: Option<String>,
    /// Digest of the session token, to end this session.
    pub session: Option<String>,
}

/// Where a request comes from.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: String,
    /// Whether the browser reached us over HTTPS, so cookies get `Secure`.
    pub https: bool,
}

const FORM_LIMIT: usize = 2 * 1024 * 1024;

fn client(req: &Request, state: &AppState) -> Client {
    let forwarded = state
        .trust_proxy
        .then(|| {
            req.headers()
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .split(',')
                .next()
                .map(|s| s.trim().to_string())
        })
        .flatten();
    let ip = forwarded
        .or_else(|| {
            req.extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let https = state.secure_cookies
        || req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    Client { ip, https }
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Middleware: resolves the identity, then refuses state-changing requests made with cookies but
/// without the matching CSRF token (in the `_csrf` form field or the `X-CSRF-Token` header).
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let client = client(&req, &state);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let headers = req.headers().clone();
    let identity = match resolve(&state, &headers, bearer.as_deref(), &client).await {
        Ok(identity) => identity,
        Err(e) => return crate::http::ApiError(e).into_response(),
    };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && bearer.is_none() {
        // The login form carries the login cookie's token, even when an older session is present
        // (that session ends at the new login).
        let expected = match &identity {
            Some(id) if req.uri().path() != "/login" => id.csrf.clone(),
            _ => read_cookie(&headers, LOGIN_CSRF_COOKIE),
        };
        let (rebuilt, provided) = match csrf_of(req).await {
            Ok(pair) => pair,
            Err(response) => return response,
        };
        req = rebuilt;
        let valid = matches!((&expected, &provided), (Some(e), Some(p)) if same(e, p));
        if !valid {
            tracing::warn!(ip = %client.ip, path = %req.uri().path(), "CSRF check failed");
            return WebError::Forbidden(
                "Biểu mẫu đã hết hạn hoặc không gửi từ trang của hệ thống. Hãy tải lại trang và thử lại.".into(),
            )
            .into_response();
        }
    }
    req.extensions_mut().insert(client);
    if let Some(identity) = identity {
        req.extensions_mut().insert(identity);
    }
    next.run(req).await
}

async fn resolve(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    bearer: Option<&str>,
    client: &Client,
) -> Result<Option<Identity>, WebError> {
    if let Some(token) = bearer {
        let (actor, who) =
            state
                .app
                .token_user(token, &client.ip)
                .await?
                .ok_or(WebError::Unauthorized(
                    "Khóa API không hợp lệ hoặc đã bị thu hồi.".into(),
                ))?;
        return Ok(Some(Identity {
            actor,
            who,
            csrf: None,
            session: None,
        }));
    }
    let Some(token) = read_cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state
        .app
        .session_user(&token, &client.ip)
        .await?
        .map(|s| Identity {
            actor: s.actor,
            who: s.who,
            csrf: Some(s.csrf),
            session: Some(s.digest),
        }))
}

/// The CSRF token a request carries, and the request rebuilt after reading its form body.
async fn csrf_of(req: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let token = h.to_string();
        return Ok((req, Some(token)));
    }
    // A file upload (multipart) carries the token in the form's action URL: the body is a file.
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let token = req.uri().query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
        return Ok((req, token));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| WebError::BadRequest("Dữ liệu gửi lên quá lớn.".into()).into_response())?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| {
            pairs
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}
