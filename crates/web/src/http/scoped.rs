//! [`Scoped`]: the extractor that hands a handler the session of the request's actor (a
//! `hocvuso_app::Session`, every use case behind it) and what the top bar shows.

use super::AppState;
use super::identity::Identity;
use crate::http::Nav;
use crate::http::{ApiError, WebError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use hocvuso_app::Session;

pub struct Scoped {
    session: Session,
    csrf: Option<String>,
}

impl FromRequestParts<AppState> for Scoped {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match parts.extensions.get::<Identity>() {
            Some(identity) => Ok(Scoped {
                session: state
                    .app
                    .session(identity.actor.clone(), identity.who.clone()),
                csrf: identity.csrf.clone(),
            }),
            None if parts.uri.path().starts_with("/api/") => Err(ApiError(WebError::Unauthorized(
                "Cần đăng nhập, hoặc gửi khóa API trong tiêu đề Authorization: Bearer …".into(),
            ))
            .into_response()),
            None => {
                let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let next = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{next}")).into_response())
            }
        }
    }
}

impl Scoped {
    /// What the top bar shows for this actor.
    pub fn nav(&self) -> Nav {
        Nav::for_actor(self.actor(), self.csrf.clone().unwrap_or_default())
    }
}

impl std::ops::Deref for Scoped {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.session
    }
}
