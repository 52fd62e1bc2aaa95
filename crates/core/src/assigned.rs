//! Per-unit assigned targets (the plan's appendix): a table that gives a unit its own target for an
//! indicator, in place of the plan's for that unit. For a percentage the unit's own percentage; for a
//! total the unit's own count (a province-wide total otherwise sets no target for a commune); for a
//! minimum per unit the unit's own minimum, which decides whether it counts as meeting it.
//!
//! The table has a header row and the columns `unit` (mã đơn vị), `indicator` (mã chỉ tiêu),
//! `milestone` (mốc, optional: the date of one of the indicator's milestones; empty for all of them)
//! and `target` (chỉ tiêu giao); columns `name` (tên đơn vị) and `note` (ghi chú) are allowed and
//! ignored. [`parse_table`] checks everything that does not need the database.

use crate::input::{RowProblem, parse_count};
use crate::plan::{Indicator, Plan, TargetKind, parse_date_text};
use crate::text::search_key;
use crate::units::UnitCode;
use chrono::NaiveDate;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignedTarget {
    pub unit: String,
    pub indicator: String,
    /// The milestone it replaces; None for every milestone of the indicator.
    pub milestone: Option<NaiveDate>,
    pub target: f64,
    /// Line in the file it came from (0 when not from a file), for messages.
    #[serde(skip)]
    pub line: usize,
}

/// (role, accepted headers after folding)
const COLUMNS: [(&str, &[&str]); 6] = [
    ("unit", &["unit", "ma don vi", "ma_don_vi", "don vi", "ma"]),
    (
        "indicator",
        &["indicator", "chi tieu", "ma chi tieu", "ma_chi_tieu"],
    ),
    ("milestone", &["milestone", "moc", "moc thoi gian", "han"]),
    (
        "target",
        &["target", "chi tieu giao", "muc giao", "chi_tieu_giao"],
    ),
    ("name", &["name", "ten don vi", "ten", "ten_don_vi"]),
    ("note", &["note", "ghi chu", "ghi_chu"]),
];

fn problem(row: usize, column: &str, message: impl Into<String>) -> RowProblem {
    RowProblem {
        row,
        column: column.into(),
        message: message.into(),
    }
}

/// A percentage as typed: "45,5", "45.5", "45,5 %". Between 0 and 100.
fn parse_percent(raw: &str) -> Result<f64, String> {
    let t = raw.trim();
    let number = t
        .strip_suffix('%')
        .unwrap_or(t)
        .trim()
        .replace(['\u{a0}', ' '], "")
        .replace(',', ".");
    match number.parse::<f64>() {
        // An Excel cell formatted as % holds 0,455 for 45,5 %.
        Ok(v) if v > 0.0 && v < 1.0 && !t.ends_with('%') => Err(format!(
            "«{t}» nhỏ hơn 1 %; nếu ô Excel định dạng %, hãy gõ 45,5 vào ô định dạng số thường"
        )),
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(v),
        Ok(_) => Err(format!("«{t}» phải là tỷ lệ từ 0 đến 100 %")),
        Err(_) => Err(format!(
            "«{t}» không phải tỷ lệ phần trăm (viết ví dụ 45,5 %)"
        )),
    }
}

/// Checks a table of assigned targets against `plan`: header, codes, milestones, values,
/// duplicates. `rows` are the data rows with their line numbers. Every problem is returned at once.
pub fn parse_table(
    plan: &Plan,
    header: &[String],
    rows: &[(usize, Vec<String>)],
) -> Result<Vec<AssignedTarget>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let folded = search_key(h);
        match COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&folded.as_str()))
        {
            Some((role, _)) => {
                if at.insert(role, i).is_some() {
                    problems.push(problem(1, h, format!("cột «{role}» xuất hiện hai lần")));
                }
            }
            None if h.trim().is_empty() => {}
            None => problems.push(problem(
                1,
                h,
                format!(
                    "cột không rõ «{}»; dùng unit (mã đơn vị), indicator (mã chỉ tiêu), milestone (mốc), target (chỉ tiêu giao), name, note",
                    h.trim()
                ),
            )),
        }
    }
    for required in ["unit", "indicator", "target"] {
        if !at.contains_key(required) {
            problems.push(problem(
                1,
                required,
                format!("thiếu cột bắt buộc «{required}»"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut out: Vec<AssignedTarget> = Vec::new();
    for (line, cells) in rows {
        let line = *line;
        let get = |role: &str| {
            at.get(role)
                .and_then(|i| cells.get(*i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        if ["unit", "indicator", "milestone", "target"]
            .iter()
            .all(|r| get(r).is_empty())
        {
            continue;
        }
        let before = problems.len();
        let unit = UnitCode::parse(get("unit"))
            .map_err(|m| problems.push(problem(line, "unit", m)))
            .ok();
        let indicator = match plan.indicator(get("indicator")) {
            Some(ind) => Some(ind),
            None => {
                problems.push(problem(
                    line,
                    "indicator",
                    format!(
                        "kế hoạch không có chỉ tiêu «{}»; dùng mã như {}",
                        get("indicator"),
                        plan.indicators
                            .iter()
                            .take(3)
                            .map(|i| i.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                None
            }
        };
        let Some(indicator) = indicator else { continue };
        let milestone = match get("milestone") {
            "" => None,
            text => match parse_date_text(text) {
                Some(day) if indicator.kind == TargetKind::MinimumPerUnit => {
                    problems.push(problem(
                        line,
                        "milestone",
                        format!(
                            "chỉ tiêu {} giao mỗi đơn vị một mức tối thiểu cho cả chiến dịch; để trống cột mốc (không phải {})",
                            indicator.code,
                            crate::format::date(day)
                        ),
                    ));
                    None
                }
                Some(day) if indicator.milestones.iter().any(|m| m.date == day) => Some(day),
                Some(_) => {
                    problems.push(problem(
                        line,
                        "milestone",
                        format!(
                            "chỉ tiêu {} không có mốc «{text}»; các mốc: {}",
                            indicator.code,
                            indicator
                                .milestones
                                .iter()
                                .map(|m| crate::format::date(m.date))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                    None
                }
                None => {
                    problems.push(problem(
                        line,
                        "milestone",
                        format!("ngày «{text}» không hợp lệ; viết 25/10/2025"),
                    ));
                    None
                }
            },
        };
        let target = if indicator.kind.is_percent() && indicator.kind != TargetKind::MinimumPerUnit
        {
            parse_percent(get("target"))
        } else {
            parse_count(get("target"))
        };
        let target = target
            .map_err(|m| problems.push(problem(line, "target", m)))
            .ok();
        if problems.len() > before {
            continue;
        }
        let (Some(unit), Some(target)) = (unit, target) else {
            continue;
        };
        let candidate = AssignedTarget {
            unit: unit.as_str().to_string(),
            indicator: indicator.code.clone(),
            milestone,
            target,
            line,
        };
        if let Some(earlier) = out.iter().find(|a| {
            a.unit == candidate.unit
                && a.indicator == candidate.indicator
                && (a.milestone.is_none()
                    || candidate.milestone.is_none()
                    || a.milestone == candidate.milestone)
        }) {
            problems.push(problem(
                line,
                "",
                format!(
                    "trùng với dòng {}: đơn vị {} đã được giao chỉ tiêu {} cho mốc này",
                    earlier.line, candidate.unit, candidate.indicator
                ),
            ));
            continue;
        }
        out.push(candidate);
    }
    // A total must be given for every milestone: the plan's province-wide count is no target for a unit.
    let mut reported: Vec<(&str, &str)> = Vec::new();
    for a in &out {
        let indicator = plan.indicator(&a.indicator).expect("checked above");
        let pair = (a.unit.as_str(), a.indicator.as_str());
        if indicator.kind != TargetKind::Total || a.milestone.is_none() || reported.contains(&pair)
        {
            continue;
        }
        let missing: Vec<String> = indicator
            .milestones
            .iter()
            .filter(|m| {
                !out.iter().any(|b| {
                    (b.unit.as_str(), b.indicator.as_str()) == pair && b.milestone == Some(m.date)
                })
            })
            .map(|m| crate::format::date(m.date))
            .collect();
        if !missing.is_empty() {
            reported.push(pair);
            problems.push(problem(
                a.line,
                "milestone",
                format!(
                    "chỉ tiêu {} là tổng số: giao cho đơn vị {} đủ các mốc (thiếu {}) hoặc để trống cột mốc",
                    a.indicator,
                    a.unit,
                    missing.join(", ")
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        problems.sort_by_key(|p| p.row);
        problems.dedup();
        Err(problems)
    }
}

/// The indicator as it applies to one unit, and whether its targets apply there: with the unit's
/// assigned targets (`assigned`: that unit's rows for this indicator) in place of the plan's, or
/// the plan's own, which apply to a unit below the province only when they are percentages.
pub fn for_unit<'a>(
    indicator: &'a Indicator,
    assigned: &[&AssignedTarget],
    province_wide: bool,
) -> (Cow<'a, Indicator>, bool) {
    if assigned.is_empty() || indicator.kind == TargetKind::MinimumPerUnit {
        return (
            Cow::Borrowed(indicator),
            province_wide || indicator.kind.is_percent(),
        );
    }
    let mut own = indicator.clone();
    for m in &mut own.milestones {
        if let Some(a) = assigned
            .iter()
            .find(|a| a.milestone == Some(m.date))
            .or_else(|| assigned.iter().find(|a| a.milestone.is_none()))
        {
            m.target = a.target;
            m.label = format!("{} (giao riêng)", m.label);
        }
    }
    (Cow::Owned(own), true)
}

/// The unit's own minimum for a minimum-per-unit indicator, if assigned.
pub fn minimum_of(indicator: &Indicator, assigned: &[&AssignedTarget]) -> Option<f64> {
    (indicator.kind == TargetKind::MinimumPerUnit)
        .then(|| assigned.first().map(|a| a.target))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;

    fn plan() -> Plan {
        parse_plan(include_str!("../../../plans/daklak-100-ngay-2025.toml")).unwrap()
    }

    fn table(text: &str) -> (Vec<String>, Vec<(usize, Vec<String>)>) {
        let mut lines = text.lines();
        let split = |l: &str| l.split(';').map(str::to_string).collect::<Vec<_>>();
        let header = split(lines.next().unwrap());
        let rows = lines.enumerate().map(|(i, l)| (i + 2, split(l))).collect();
        (header, rows)
    }

    fn parse(text: &str) -> Result<Vec<AssignedTarget>, Vec<RowProblem>> {
        let (header, rows) = table(text);
        parse_table(&plan(), &header, &rows)
    }

    #[test]
    fn reads_what_officials_type_with_vietnamese_headers() {
        let got = parse(
            "Mã đơn vị;Tên đơn vị;Mã chỉ tiêu;Mốc;Chỉ tiêu giao\n\
             24412;Xã M'Drắk;2.8b;;1.200\n\
             22015;Phường Tuy Hoà;2.5;25/10/2025;45,5 %\n\
             ;;;;\n\
             22015;Phường Tuy Hoà;2.9a;;12",
        )
        .unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!((got[0].target, got[0].milestone), (1200.0, None));
        assert_eq!(got[1].target, 45.5);
        assert_eq!(got[1].milestone, NaiveDate::from_ymd_opt(2025, 10, 25));
        assert_eq!((got[2].indicator.as_str(), got[2].target), ("2.9a", 12.0));
    }

    #[test]
    fn every_problem_is_named_by_line_and_column() {
        let problems = parse(
            "unit;indicator;milestone;target\n\
             24412;9.9;;10\n\
             24412;2.5;01/01/2025;40\n\
             24412;2.5;;140 %\n\
             24412;2.8b;;-5\n\
             ;2.8b;;5\n\
             24412;2.9a;25/10/2025;10\n\
             22015;2.8b;;100\n\
             22015;2.8b;25/10/2025;100",
        )
        .unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let has = |line: usize, column: &str| {
            problems.iter().any(|p| p.row == line && p.column == column)
        };
        assert!(has(2, "indicator"), "{text:?}");
        assert!(
            has(3, "milestone") && text.iter().any(|t| t.contains("25/10/2025")),
            "{text:?}"
        );
        assert!(has(4, "target"), "{text:?}");
        assert!(
            has(5, "target") && text.iter().any(|t| t.contains("số âm")),
            "{text:?}"
        );
        assert!(has(6, "unit"), "{text:?}");
        assert!(has(7, "milestone"), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.starts_with("dòng 9") && t.contains("trùng với dòng 8")),
            "{text:?}"
        );
        assert_eq!(problems.len(), 7, "{text:?}");

        let problems = parse("unit;target;colour\n24412;5;red").unwrap_err();
        assert!(problems.iter().any(|p| p.column == "colour"));
        assert!(problems.iter().any(|p| p.column == "indicator"));
    }

    #[test]
    fn a_unit_sees_its_own_targets_in_place_of_the_plans() {
        let plan = plan();
        let total = plan.indicator("2.8b").unwrap();
        let own = AssignedTarget {
            unit: "24412".into(),
            indicator: "2.8b".into(),
            milestone: None,
            target: 120.0,
            line: 0,
        };
        // Without one, a province-wide total sets no target for a commune; with one, it does.
        assert!(!for_unit(total, &[], false).1);
        let (ind, applies) = for_unit(total, &[&own], false);
        assert!(applies);
        assert!(ind.milestones.iter().all(|m| m.target == 120.0));
        assert!(ind.milestones[0].label.ends_with("(giao riêng)"));
        // A percentage target keeps applying, replaced only on the milestone given.
        let ratio = plan.indicator("2.4").unwrap();
        let first = AssignedTarget {
            indicator: "2.4".into(),
            milestone: Some(ratio.milestones[0].date),
            target: 33.0,
            ..own.clone()
        };
        let (ind, applies) = for_unit(ratio, &[&first], false);
        assert!(applies);
        assert_eq!(ind.milestones[0].target, 33.0);
        assert_eq!(ind.milestones[1].target, ratio.milestones[1].target);
        // A minimum per unit is the unit's own minimum, not a different target.
        let minimum = plan.indicator("2.9a").unwrap();
        let twelve = AssignedTarget {
            indicator: "2.9a".into(),
            target: 12.0,
            ..own
        };
        assert_eq!(minimum_of(minimum, &[&twelve]), Some(12.0));
        assert!(matches!(
            for_unit(minimum, &[&twelve], false).0,
            Cow::Borrowed(_)
        ));
    }
}
