//! Documents in and out of hocvuso. For now: the official list of administrative units and CSV files
//! of units (villages, departments, schools, enterprises) with their denominators.
#![forbid(unsafe_code)]

pub mod report_xlsx;
pub mod units_csv;
