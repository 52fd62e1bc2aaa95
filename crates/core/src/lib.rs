//! The domain of hocvuso, free of I/O: plans, units, the reporting calendar, progress math, text keys,
//! and the deterministic synthetic data used by the demo.
#![forbid(unsafe_code)]

pub mod access;
pub mod assigned;
pub mod calendar;
pub mod cccd;
pub mod field;
pub mod format;
pub mod input;
pub mod official;
pub mod outlook;
pub mod plan;
pub mod progress;
pub mod ranking;
pub mod report;
pub mod rollup;
pub mod synth;
pub mod text;
pub mod units;
