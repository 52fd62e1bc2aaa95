//! Documents in and out of hocvuso: the official list of administrative units, CSV files of units
//! with their denominators, weekly report workbooks, paper logs of community digital teams, plain tables
//! (CSV or .xlsx), and official documents (.docx, and .pdf with the `pdf` feature) with their charts.
#![forbid(unsafe_code)]

pub mod chart;
pub mod csv_out;
pub mod docx;
pub mod field_log;
pub mod fonts;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod report_xlsx;
pub mod table;
pub mod table_xlsx;
pub mod units_csv;
pub mod xlsx_in;
