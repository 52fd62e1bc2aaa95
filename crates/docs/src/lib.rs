//! Documents in and out of hocvuso: the official list of administrative units, CSV files of units
//! with their denominators, weekly report workbooks, paper logs of community digital teams, and plain
//! tables (CSV or .xlsx).
#![forbid(unsafe_code)]

pub mod docx;
pub mod field_log;
pub mod report_xlsx;
pub mod table;
pub mod table_xlsx;
pub mod units_csv;
