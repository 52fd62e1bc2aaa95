//! Files the site hands out: a download response, an .xlsx sheet as one, and the lines and columns
//! every table's .xlsx starts with.

use super::{Scoped, WebError};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use hocvuso_core::format;
use hocvuso_docs::table_xlsx::{Column, Kind, Sheet, Value, write};

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download: its bytes, type and name.
pub fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A sheet as a download named `filename`.
pub fn xlsx_response(sheet: &Sheet, filename: &str) -> Result<Response, WebError> {
    let bytes = write(sheet).map_err(|e| WebError::Internal(e.into()))?;
    Ok(download(bytes, XLSX_TYPE, filename))
}

/// The lines above a table: what it is, as of when (and whether the data is synthetic), the plan.
pub fn title_lines(scoped: &Scoped, what: String, as_of: Option<NaiveDate>) -> Vec<String> {
    let synthetic = scoped
        .synthetic()
        .then_some("SỐ LIỆU GIẢ LẬP (bản minh họa)");
    let moment = as_of.map(|d| format!("Số liệu đến ngày {}", format::date(d)));
    let second: Vec<&str> = moment.as_deref().into_iter().chain(synthetic).collect();
    let mut lines = vec![what];
    if !second.is_empty() {
        lines.push(second.join(" · "));
    }
    lines.push(scoped.plan().title.clone());
    lines
}

/// A column; its header starts with a capital ("xã, phường, đặc khu" → "Xã, phường, đặc khu").
pub fn column(header: &str, kind: Kind) -> Column {
    let mut chars = header.chars();
    let header = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    Column { header, kind }
}

/// An instant stored as RFC 3339 UTC text, in the plan's local time, to the second.
pub fn local_time(plan: &hocvuso_core::plan::Plan, at: &str) -> Value {
    use chrono::Timelike;
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => {
            let t =
                t.naive_utc() + chrono::Duration::minutes(plan.reporting.utc_offset_minutes.into());
            Value::DateTime(t.with_nanosecond(0).unwrap_or(t))
        }
        Err(_) => Value::Text(at.into()),
    }
}
