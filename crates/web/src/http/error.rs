//! Errors as the user sees them: a status and a clear Vietnamese message, never internals.

use super::Nav;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hocvuso_app::AppError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// Not signed in (or a bad API token).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Input refused, with every problem.
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("{0}")]
    Conflict(String),
    #[error("lỗi hệ thống")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::BadRequest(m) => WebError::BadRequest(m),
            AppError::NotFound(m) => WebError::NotFound(m),
            AppError::Forbidden(m) => WebError::Forbidden(m),
            AppError::Invalid(problems) => WebError::Invalid(problems),
            AppError::Conflict(m) => WebError::Conflict(m),
            AppError::Internal(cause) => WebError::Internal(cause),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(Box::new(e))
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown to users; internal errors are logged with their cause chain instead.
    pub fn public_message(&self) -> String {
        if let WebError::Internal(cause) = self {
            let mut chain = cause.to_string();
            let mut source = cause.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(error = %chain, "request failed");
            return "Đã có lỗi hệ thống; vui lòng thử lại sau. Nếu lỗi lặp lại, hãy báo quản trị viên.".into();
        }
        self.to_string()
    }
}

/// JSON errors for the API: `{"error": "..."}`.
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        (
            status,
            axum::Json(serde_json::json!({ "error": self.0.public_message() })),
        )
            .into_response()
    }
}

/// An HTML error page with a clear message.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let messages = match &self {
            WebError::Invalid(problems) => problems.clone(),
            other => vec![other.public_message()],
        };
        let page = ErrorPage {
            title: "Không thực hiện được".into(),
            synthetic: false,
            nav: Nav::anonymous(),
            messages,
        };
        let body = page.render().unwrap_or_else(|_| "Lỗi".into());
        (status, Html(body)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    messages: Vec<String>,
}

pub async fn not_found() -> WebError {
    WebError::NotFound("Không tìm thấy trang này.".into())
}
