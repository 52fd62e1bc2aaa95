//! The application layer of hocvuso: every use case written once — reports (save, submit, approve,
//! return, on behalf of others, Excel in and out), the door-to-door log, assigned targets, documents,
//! accounts, sign-in, the audit log, and what the binary does to a database (`Deployment`: start-up,
//! plans, unit imports, merges, export, purge) — the read models every output shares (`read`), and
//! the only holder of the store. The web crate (pages, JSON API) and the `hocvuso` binary both call
//! these, so a rule checked here holds on every path; the access policy lives in
//! `hocvuso_core::access` and is applied here, in [`Session`] and [`Accounts`].
//!
//! Where a new capability goes: its domain rules in `hocvuso-core`, its tables in `hocvuso-store`,
//! its use case in a file of this crate named for its area (its read model in `read/`), its pages
//! and API in the web crate's folder of its area, its command in the binary's `commands/`.
#![forbid(unsafe_code)]

mod accounts;
mod audit;
pub mod deployment;
pub mod documents;
mod error;
mod field;
pub mod read;
pub mod records;
mod reports;
pub mod secrets;
mod session;
pub mod sign_in;
mod targets;

pub use accounts::{Accounts, temporary_password};
pub use deployment::{Deployment, clock_offset_to};
pub use error::{AppError, Result};
pub use field::SyncResult;
pub use reports::Workbook;
pub use session::{App, Session};
pub use sign_in::{LoginHint, SignIn};
