//! The whole application over HTTP, on SQLite and on PostgreSQL (when configured): the demo data, the
//! API, the pages and the files, which must show the same numbers. One module per area of the site;
//! the server, client and readers come from `hocvuso-testkit`.

mod accounts;
mod dashboard;
mod documents;
mod downloads;
mod excel;
mod field;
mod overview;
mod races;
mod reports;
