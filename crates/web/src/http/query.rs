//! Query parameters shared by pages and the API: kinds of units and the unit-list filter.

use super::WebError;
use hocvuso_app::records::UnitFilter;
use hocvuso_core::units::UnitKind;

/// Parses a kind of unit as a query names it ("commune"); none when empty.
pub fn parse_kind(kind: Option<&str>) -> Result<Option<UnitKind>, WebError> {
    match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => Ok(Some(UnitKind::parse(k).ok_or_else(|| {
            let all: Vec<&str> = UnitKind::ALL.iter().map(|k| k.as_str()).collect();
            WebError::BadRequest(format!(
                "loại đơn vị «{k}» không có; dùng một trong: {}",
                all.join(", ")
            ))
        })?)),
    }
}

/// Parses the unit-list query shared by the API and the pages.
pub fn unit_filter(
    parent: Option<String>,
    within: Option<String>,
    kind: Option<&str>,
    q: Option<String>,
    limit: i64,
    offset: i64,
) -> Result<UnitFilter, WebError> {
    let kind = parse_kind(kind)?;
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(UnitFilter {
        parent: nonempty(parent),
        within: nonempty(within),
        kind,
        query: nonempty(q),
        limit,
        offset,
    })
}
