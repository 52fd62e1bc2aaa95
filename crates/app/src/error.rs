//! Why a use case refused or failed, with a clear Vietnamese message for the user; the HTTP layer
//! maps each kind to a status, the CLI prints it.

use hocvuso_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is malformed (a date that is not a reporting day, …).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// The actor may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Input refused, with every problem.
    #[error("{}", .0.join("; "))]
    Invalid(Vec<String>),
    /// The state does not allow it (workflow, lock time, a duplicate).
    #[error("{0}")]
    Conflict(String),
    #[error("lỗi hệ thống")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => AppError::NotFound(m),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Rejected(problems) => {
                AppError::Invalid(problems.iter().map(|p| p.to_string()).collect())
            }
            // A decision made inside a write (see `hocvuso_store::reports::Decide`) refused it
            // with one of ours.
            StoreError::Refused(refusal) => match refusal.downcast::<AppError>() {
                Ok(e) => *e,
                Err(other) => AppError::Internal(other),
            },
            other => AppError::Internal(Box::new(other)),
        }
    }
}

pub type Result<T> = std::result::Result<T, AppError>;
