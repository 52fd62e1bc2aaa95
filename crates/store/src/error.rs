pub use hocvuso_core::input::RowProblem;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cập nhật cấu trúc cơ sở dữ liệu: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The input was rejected as a whole; nothing was written.
    #[error("dữ liệu bị từ chối, không có gì được ghi:\n{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Rejected(Vec<RowProblem>),
    #[error("{0}")]
    NotFound(String),
    /// A uniqueness or state conflict, with a message for the user.
    #[error("{0}")]
    Conflict(String),
    /// A decision made inside the write refused it (see `reports::Decide`): the deciding layer's
    /// own error, to be taken back with `downcast`.
    #[error("{0}")]
    Refused(crate::reports::Refusal),
    #[error("dữ liệu trong cơ sở dữ liệu không hợp lệ: {0}")]
    Corrupt(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;
