//! Units: the administrative hierarchy (country → province → commune → village) and the bodies attached
//! to it (departments, schools, enterprises), with their codes and denominators.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a unit is. The hierarchy is country → province → commune → village; departments, schools and
/// enterprises hang under a province or a commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Country,
    Province,
    Commune,
    Village,
    Department,
    School,
    Enterprise,
}

impl UnitKind {
    pub const ALL: [UnitKind; 7] = [
        UnitKind::Country,
        UnitKind::Province,
        UnitKind::Commune,
        UnitKind::Village,
        UnitKind::Department,
        UnitKind::School,
        UnitKind::Enterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Country => "country",
            UnitKind::Province => "province",
            UnitKind::Commune => "commune",
            UnitKind::Village => "village",
            UnitKind::Department => "department",
            UnitKind::School => "school",
            UnitKind::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Vietnamese label, plural-neutral ("xã, phường").
    pub fn label_vi(self) -> &'static str {
        match self {
            UnitKind::Country => "cả nước",
            UnitKind::Province => "tỉnh, thành phố",
            UnitKind::Commune => "xã, phường, đặc khu",
            UnitKind::Village => "thôn, buôn, tổ dân phố",
            UnitKind::Department => "sở, ban, ngành",
            UnitKind::School => "trường",
            UnitKind::Enterprise => "doanh nghiệp, hợp tác xã",
        }
    }

    /// The kinds a unit of this kind may be placed under.
    pub fn allowed_parents(self) -> &'static [UnitKind] {
        match self {
            UnitKind::Country => &[],
            UnitKind::Province => &[UnitKind::Country],
            UnitKind::Commune => &[UnitKind::Province],
            UnitKind::Village => &[UnitKind::Commune],
            UnitKind::Department | UnitKind::School | UnitKind::Enterprise => {
                &[UnitKind::Province, UnitKind::Commune]
            }
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A unit code: official codes are digits with leading zeros kept ("01", "00004"); codes we assign
/// (villages, departments) may also use letters, '-', '_' and '.'.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UnitCode(String);

impl UnitCode {
    pub const MAX_LEN: usize = 40;

    pub fn parse(s: &str) -> Result<UnitCode, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("mã đơn vị đang để trống".into());
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(format!("mã đơn vị dài quá {} ký tự", Self::MAX_LEN));
        }
        if let Some(bad) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            return Err(format!(
                "mã đơn vị «{s}» chứa ký tự không hợp lệ «{bad}» (chỉ dùng chữ không dấu, số, '-', '_', '.')"
            ));
        }
        Ok(UnitCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The code of the single country unit at the root of the hierarchy.
pub const COUNTRY_CODE: &str = "VN";

/// A unit as the domain sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    pub code: UnitCode,
    pub name: String,
    pub full_name: String,
    pub kind: UnitKind,
    /// Official sub-type: "Xã", "Phường", "Đặc khu", "Tỉnh", "Thành phố", "Thôn", "Buôn", "Tổ dân phố"…
    pub unit_type: String,
    pub parent: Option<UnitCode>,
    /// Generated for the demo, not official.
    pub synthetic: bool,
}

/// A denominator of a unit: how many adults, officials, … it has, where the number comes from and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denominator {
    pub unit: UnitCode,
    pub key: String,
    pub value: f64,
    pub source: String,
    pub as_of: chrono::NaiveDate,
}

/// A unit as submitted for import (from the official list or a CSV file), before its parent is resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRow {
    /// Line in the source file, for error messages.
    pub row: usize,
    pub code: UnitCode,
    pub name: String,
    pub full_name: String,
    pub kind: UnitKind,
    pub unit_type: String,
    /// Code or name of the parent unit (names are matched tolerantly, see [`crate::text::match_key`]).
    pub parent: Option<String>,
    pub synthetic: bool,
    /// Denominators given on the row: (key, value).
    pub denominators: Vec<(String, f64)>,
    pub source: String,
    pub as_of: chrono::NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_keep_leading_zeros() {
        assert_eq!(UnitCode::parse(" 00004 ").unwrap().as_str(), "00004");
        assert_eq!(
            UnitCode::parse("66-24111-T01").unwrap().as_str(),
            "66-24111-T01"
        );
    }

    #[test]
    fn codes_reject_bad_input() {
        assert!(UnitCode::parse("").is_err());
        assert!(UnitCode::parse("a b").is_err());
        assert!(UnitCode::parse("<script>").is_err());
        assert!(UnitCode::parse(&"1".repeat(41)).is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(UnitKind::parse("district"), None);
    }
}
