//! Persistence for hocvuso: one set of repositories over SQLite (default, a file in WAL mode) or
//! PostgreSQL (large deployments), through sqlx's `Any` driver. Dates travel as ISO text and numbers
//! as i64/f64, so one SQL text serves both engines; the few dialect differences live in [`db`].
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
mod db;
pub mod documents;
pub mod drivers;
mod error;
pub mod export;
pub mod field;
mod group_commit;
mod merges;
pub mod plans;
pub mod progress;
pub mod reports;
mod rollups;
pub mod targets;
pub mod testing;
mod unit_weeks;
pub mod units;

pub use db::{Backend, Store};
pub use error::{RowProblem, StoreError};
