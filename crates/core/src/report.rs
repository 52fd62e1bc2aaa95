//! Weekly reports in the domain: values and their validation rules (hard errors that block, warnings
//! that need a comment), the workflow of statuses, and timeliness. Shared by the web form, the API and
//! the Excel import, so the same input is refused the same way everywhere.

use crate::plan::{Indicator, Plan, TargetKind};
use crate::units::UnitKind;
use std::collections::BTreeMap;

/// One figure as submitted.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, serde::Serialize)]
pub struct Figure {
    pub numerator: f64,
    #[serde(default)]
    pub denominator: Option<f64>,
}

/// What the unit reported for an indicator before this week.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Previous {
    pub numerator: f64,
    /// The denominator in force last time (reported, else registered).
    pub denominator: Option<f64>,
    /// Increases of the cumulative value from one reported week to the next, oldest first (at most 4).
    pub recent_increments: Vec<f64>,
}

/// Findings on a report: errors block it; warnings are accepted only with a comment on the indicator.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Findings {
    pub errors: Vec<ValueProblem>,
    /// Warnings that carry a comment (listed with the report, not blocking).
    pub warnings: Vec<ValueProblem>,
}

/// Warnings for one figure: a cumulative value going down, a jump far above the recent pace, a
/// denominator changing by more than 10 %.
pub fn warnings(
    ind: &Indicator,
    f: &Figure,
    previous: Option<&Previous>,
    registered: Option<f64>,
) -> Vec<String> {
    let mut out = Vec::new();
    let Some(prev) = previous else { return out };
    if f.numerator < prev.numerator {
        out.push(format!(
            "số liệu cộng dồn giảm từ {} xuống {}",
            crate::format::number(prev.numerator, 0),
            crate::format::number(f.numerator, 0)
        ));
    }
    let increment = f.numerator - prev.numerator;
    if prev.recent_increments.len() >= 2 && increment > 0.0 {
        let pace = prev.recent_increments.iter().sum::<f64>() / prev.recent_increments.len() as f64;
        let scale = f
            .denominator
            .or(prev.denominator)
            .or(registered)
            .unwrap_or(0.0);
        // Far above the usual weekly rise, and not a trivially small number.
        let floor = (scale * 0.02).max(if ind.kind == TargetKind::Ratio {
            20.0
        } else {
            5.0
        });
        if increment > (pace * 3.0).max(floor) {
            out.push(format!(
                "tăng {} trong một tuần, gấp hơn 3 lần mức tăng bình quân gần đây ({}/tuần)",
                crate::format::number(increment, 0),
                crate::format::number(pace, 0)
            ));
        }
    }
    if let (Some(new), Some(old)) = (f.denominator, prev.denominator.or(registered))
        && old > 0.0
        && ((new - old) / old).abs() > 0.10
    {
        out.push(format!(
            "mẫu số thay đổi hơn 10 % (từ {} thành {})",
            crate::format::number(old, 0),
            crate::format::number(new, 0)
        ));
    }
    out
}

/// Checks a report's figures: hard errors ([`check_figures`]) and warnings, which become errors when the
/// indicator has no comment (`comments`, by indicator code).
pub fn check_report(
    plan: &Plan,
    kind: UnitKind,
    allowed: &[&Indicator],
    figures: &BTreeMap<String, Figure>,
    comments: &BTreeMap<String, String>,
    previous: &BTreeMap<String, Previous>,
    registered: &BTreeMap<String, f64>,
) -> Findings {
    let mut findings = Findings {
        errors: check_figures(plan, kind, allowed, figures),
        warnings: Vec::new(),
    };
    for (code, f) in figures {
        if findings
            .errors
            .iter()
            .any(|e| e.field == format!("chỉ tiêu {code}"))
        {
            continue;
        }
        let Some(ind) = plan.indicator(code) else {
            continue;
        };
        let denominator_key = ind.denominator.as_deref().unwrap_or("");
        for w in warnings(
            ind,
            f,
            previous.get(code),
            registered.get(denominator_key).copied(),
        ) {
            let commented = comments.get(code).is_some_and(|c| !c.trim().is_empty());
            let problem = ValueProblem {
                field: format!("chỉ tiêu {code}"),
                message: w,
            };
            if commented {
                findings.warnings.push(problem);
            } else {
                findings.errors.push(ValueProblem {
                    message: format!("{} — cần ghi chú giải thích trước khi gửi", problem.message),
                    ..problem
                });
            }
        }
    }
    findings
}

/// A problem with one submitted value, naming the indicator (or field) in Vietnamese.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueProblem {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Checks submitted figures of a unit of `kind` against the plan: the indicator exists and is one the
/// unit reports, numbers are finite and not negative, a numerator does not exceed its denominator,
/// and a yes/no answer is 0 or 1. Returns every problem.
pub fn check_figures(
    plan: &Plan,
    kind: UnitKind,
    allowed: &[&Indicator],
    figures: &BTreeMap<String, Figure>,
) -> Vec<ValueProblem> {
    let mut problems = Vec::new();
    for (code, f) in figures {
        let problem = |message: String| ValueProblem {
            field: format!("chỉ tiêu {code}"),
            message,
        };
        let Some(ind) = plan.indicator(code) else {
            problems.push(problem("không có chỉ tiêu này trong kế hoạch".into()));
            continue;
        };
        if !allowed.iter().any(|a| a.code == ind.code) {
            problems.push(problem(
                "chỉ tiêu này không giao cho đơn vị (hoặc tài khoản) của bạn".into(),
            ));
            continue;
        }
        if !f.numerator.is_finite() || f.numerator < 0.0 {
            problems.push(problem(format!(
                "số liệu «{}» phải là số không âm",
                f.numerator
            )));
            continue;
        }
        if let Some(d) = f.denominator {
            if !d.is_finite() || d < 0.0 {
                problems.push(problem(format!("mẫu số «{d}» phải là số không âm")));
                continue;
            }
            if ind.kind != TargetKind::Ratio {
                problems.push(problem("chỉ tiêu này không có mẫu số".into()));
                continue;
            }
            if f.numerator > d {
                problems.push(problem(format!("tử số {} lớn hơn mẫu số {d}", f.numerator)));
            }
        }
        if ind.kind == TargetKind::ShareOfUnits
            && ind.counted_unit == Some(kind)
            && !(f.numerator == 0.0 || f.numerator == 1.0)
        {
            problems.push(problem(
                "chỉ tiêu có/không: nhập 1 (đã thực hiện) hoặc 0 (chưa)".into(),
            ));
        }
        if f.numerator.fract() != 0.0 && ind.kind != TargetKind::Ratio {
            problems.push(problem(format!(
                "số lượng «{}» phải là số nguyên",
                f.numerator
            )));
        }
    }
    problems
}

/// Where a weekly report is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Draft,
            Status::Submitted,
            Status::Approved,
            Status::Returned,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Draft => "nháp",
            Status::Submitted => "đã gửi, chờ duyệt",
            Status::Approved => "đã duyệt",
            Status::Returned => "bị trả lại",
        }
    }

    /// Whether the report's figures count in progress and completeness.
    pub fn counts(self) -> bool {
        matches!(self, Status::Submitted | Status::Approved)
    }
}

/// What someone does to a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SaveDraft,
    Submit,
    Approve,
    /// Send back to the unit with a reason (also how the secretariat reopens a locked or approved week).
    Return {
        reason: String,
    },
}

/// The status after `action`, or why it is not allowed. `staff` is the secretariat (or admin);
/// `locked` is whether the week's lock time has passed.
pub fn next_status(
    current: Option<Status>,
    action: &Action,
    staff: bool,
    locked: bool,
) -> Result<Status, String> {
    use Status::*;
    match action {
        Action::SaveDraft | Action::Submit => {
            let target = if *action == Action::Submit {
                Submitted
            } else {
                Draft
            };
            if staff {
                return Ok(target);
            }
            match current {
                // A returned report may be corrected whatever the date: the secretariat reopened it.
                Some(Returned) => Ok(target),
                _ if locked => Err("đã quá thời điểm khóa sổ của tuần này; chỉ Sở KH&CN mở lại được".into()),
                Some(Approved) => Err("báo cáo đã được duyệt; muốn sửa, hãy đề nghị Sở KH&CN trả lại báo cáo".into()),
                Some(Submitted) if target == Draft => {
                    Err("báo cáo đã gửi; muốn sửa, hãy sửa và gửi lại (không lưu nháp đè lên báo cáo đã gửi)".into())
                }
                _ => Ok(target),
            }
        }
        Action::Approve => match (staff, current) {
            (false, _) => Err("chỉ Sở KH&CN duyệt được báo cáo".into()),
            (true, Some(Submitted)) => Ok(Approved),
            (true, other) => Err(format!(
                "chỉ duyệt được báo cáo đã gửi (hiện: {})",
                other.map_or("chưa có", |s| s.label_vi())
            )),
        },
        Action::Return { reason } => match (staff, current) {
            (false, _) => Err("chỉ Sở KH&CN trả lại được báo cáo".into()),
            (true, _) if reason.trim().is_empty() => Err("cần ghi lý do trả lại".into()),
            (true, Some(Submitted | Approved)) => Ok(Returned),
            (true, other) => Err(format!(
                "chỉ trả lại được báo cáo đã gửi hoặc đã duyệt (hiện: {})",
                other.map_or("chưa có", |s| s.label_vi())
            )),
        },
    }
}

/// One unit-week in the completeness matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Missing,
    Draft,
    Returned,
    OnTime,
    Late,
}

impl Cell {
    pub fn label_vi(self) -> &'static str {
        match self {
            Cell::Missing => "chưa báo cáo",
            Cell::Draft => "nháp",
            Cell::Returned => "bị trả lại",
            Cell::OnTime => "đúng hạn",
            Cell::Late => "trễ hạn",
        }
    }

    fn reported(self) -> bool {
        matches!(self, Cell::OnTime | Cell::Late)
    }
}

/// The cell of a unit-week from its stored status and first submission, against the week's due time.
pub fn cell(
    status: Option<Status>,
    first_submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    week: &crate::calendar::Week,
) -> Cell {
    match status {
        None => Cell::Missing,
        Some(Status::Draft) => Cell::Draft,
        Some(Status::Returned) => Cell::Returned,
        Some(Status::Submitted | Status::Approved) => match first_submitted_at {
            Some(at) if crate::calendar::is_on_time(week, at) => Cell::OnTime,
            _ => Cell::Late,
        },
    }
}

/// Share of expected unit-weeks reported (completeness) and reported by the due time (timeliness),
/// in percent. Only expected units count and each unit-week once, so neither can pass 100 %.
pub fn rates(cells: &[Cell]) -> (f64, f64) {
    if cells.is_empty() {
        return (0.0, 0.0);
    }
    let n = cells.len() as f64;
    let reported = cells.iter().filter(|c| c.reported()).count() as f64;
    let on_time = cells.iter().filter(|c| **c == Cell::OnTime).count() as f64;
    (reported / n * 100.0, on_time / n * 100.0)
}

#[cfg(test)]
mod workflow_tests {
    use super::*;

    fn ret() -> Action {
        Action::Return {
            reason: "Số liệu 2.5 chưa khớp VNeID".into(),
        }
    }

    #[test]
    fn reporter_path() {
        assert_eq!(
            next_status(None, &Action::SaveDraft, false, false),
            Ok(Status::Draft)
        );
        assert_eq!(
            next_status(Some(Status::Draft), &Action::Submit, false, false),
            Ok(Status::Submitted)
        );
        assert_eq!(
            next_status(Some(Status::Submitted), &Action::Submit, false, false),
            Ok(Status::Submitted)
        );
        assert!(next_status(Some(Status::Submitted), &Action::SaveDraft, false, false).is_err());
        assert!(
            next_status(Some(Status::Approved), &Action::Submit, false, false)
                .unwrap_err()
                .contains("đã được duyệt")
        );
        assert!(
            next_status(None, &Action::Submit, false, true)
                .unwrap_err()
                .contains("khóa sổ")
        );
        assert!(next_status(Some(Status::Submitted), &Action::Submit, false, true).is_err());
        assert_eq!(
            next_status(Some(Status::Returned), &Action::Submit, false, true),
            Ok(Status::Submitted)
        );
    }

    #[test]
    fn cells_and_rates() {
        let plan =
            crate::plan::parse_plan(include_str!("../../../plans/daklak-100-ngay-2025.toml"))
                .unwrap();
        let week =
            crate::calendar::week_on(&plan, chrono::NaiveDate::from_ymd_opt(2025, 9, 5).unwrap())
                .unwrap();
        let at = |s: &str| Some(s.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
        assert_eq!(
            cell(Some(Status::Submitted), at("2025-09-05T16:59:00Z"), &week),
            Cell::OnTime
        );
        assert_eq!(
            cell(Some(Status::Approved), at("2025-09-05T17:00:00Z"), &week),
            Cell::Late
        );
        assert_eq!(
            cell(Some(Status::Returned), at("2025-09-05T10:00:00Z"), &week),
            Cell::Returned
        );
        assert_eq!(cell(None, None, &week), Cell::Missing);
        let (complete, timely) = rates(&[Cell::OnTime, Cell::Late, Cell::Missing, Cell::Returned]);
        assert_eq!((complete, timely), (50.0, 25.0));
        assert_eq!(rates(&[Cell::OnTime; 3]), (100.0, 100.0));
        assert_eq!(rates(&[]), (0.0, 0.0));
    }

    #[test]
    fn secretariat_path() {
        assert_eq!(
            next_status(Some(Status::Submitted), &Action::Approve, true, false),
            Ok(Status::Approved)
        );
        assert!(next_status(Some(Status::Draft), &Action::Approve, true, false).is_err());
        assert!(next_status(None, &Action::Approve, true, false).is_err());
        assert_eq!(
            next_status(Some(Status::Submitted), &ret(), true, true),
            Ok(Status::Returned)
        );
        assert_eq!(
            next_status(Some(Status::Approved), &ret(), true, true),
            Ok(Status::Returned)
        );
        let no_reason = Action::Return {
            reason: "  ".into(),
        };
        assert!(
            next_status(Some(Status::Submitted), &no_reason, true, false)
                .unwrap_err()
                .contains("lý do")
        );
        assert!(next_status(Some(Status::Submitted), &Action::Approve, false, false).is_err());
        assert!(next_status(Some(Status::Submitted), &ret(), false, false).is_err());
        // Staff may enter figures for a unit at any time.
        assert_eq!(
            next_status(Some(Status::Approved), &Action::Submit, true, true),
            Ok(Status::Submitted)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;

    fn figures(items: &[(&str, f64, Option<f64>)]) -> BTreeMap<String, Figure> {
        items
            .iter()
            .map(|(c, n, d)| {
                (
                    c.to_string(),
                    Figure {
                        numerator: *n,
                        denominator: *d,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn hard_errors_name_the_indicator() {
        let plan = parse_plan(include_str!("../../../plans/daklak-100-ngay-2025.toml")).unwrap();
        let allowed: Vec<&Indicator> = plan.indicators.iter().filter(|i| i.code != "2.3").collect();
        let ok = figures(&[
            ("2.5", 100.0, Some(1000.0)),
            ("2.1a", 1.0, None),
            ("2.8b", 12.0, None),
        ]);
        assert!(check_figures(&plan, UnitKind::Commune, &allowed, &ok).is_empty());
        let bad = figures(&[
            ("2.5", 1001.0, Some(1000.0)),
            ("2.4", -1.0, None),
            ("2.1a", 2.0, None),
            ("2.3", 1.0, None),
            ("9.9", 1.0, None),
            ("2.8b", 1.5, Some(3.0)),
            ("2.9a", 2.5, None),
        ]);
        let problems = check_figures(&plan, UnitKind::Commune, &allowed, &bad);
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        for expected in [
            "chỉ tiêu 2.5: tử số 1001 lớn hơn mẫu số 1000",
            "chỉ tiêu 2.4: số liệu «-1» phải là số không âm",
            "chỉ tiêu 2.1a: chỉ tiêu có/không",
            "chỉ tiêu 2.3: chỉ tiêu này không giao",
            "chỉ tiêu 9.9: không có chỉ tiêu này",
            "chỉ tiêu 2.8b: chỉ tiêu này không có mẫu số",
            "chỉ tiêu 2.9a: số lượng «2.5» phải là số nguyên",
        ] {
            assert!(
                text.iter().any(|t| t.starts_with(expected)),
                "missing {expected:?} in {text:?}"
            );
        }
    }
}

#[cfg(test)]
mod warning_tests {
    use super::*;
    use crate::plan::parse_plan;

    fn plan() -> Plan {
        parse_plan(include_str!("../../../plans/daklak-100-ngay-2025.toml")).unwrap()
    }

    fn fig(n: f64, d: Option<f64>) -> BTreeMap<String, Figure> {
        [(
            "2.5".to_string(),
            Figure {
                numerator: n,
                denominator: d,
            },
        )]
        .into_iter()
        .collect()
    }

    fn prev(n: f64, d: Option<f64>, inc: &[f64]) -> BTreeMap<String, Previous> {
        [(
            "2.5".to_string(),
            Previous {
                numerator: n,
                denominator: d,
                recent_increments: inc.to_vec(),
            },
        )]
        .into_iter()
        .collect()
    }

    fn run(
        f: BTreeMap<String, Figure>,
        p: BTreeMap<String, Previous>,
        comment: Option<&str>,
    ) -> Findings {
        let plan = plan();
        let allowed: Vec<&Indicator> = plan.indicators.iter().collect();
        let comments = comment
            .map(|c| [("2.5".to_string(), c.to_string())].into_iter().collect())
            .unwrap_or_default();
        let registered = [("adults".to_string(), 20_000.0)].into_iter().collect();
        check_report(
            &plan,
            UnitKind::Commune,
            &allowed,
            &f,
            &comments,
            &p,
            &registered,
        )
    }

    #[test]
    fn a_decrease_needs_a_comment() {
        let f = run(fig(900.0, None), prev(1000.0, None, &[]), None);
        assert_eq!(f.errors.len(), 1);
        assert!(
            f.errors[0].message.contains("giảm từ 1.000 xuống 900")
                && f.errors[0].message.contains("cần ghi chú")
        );
        let f = run(
            fig(900.0, None),
            prev(1000.0, None, &[]),
            Some("Rà soát trùng lặp"),
        );
        assert!(f.errors.is_empty());
        assert_eq!(f.warnings.len(), 1);
    }

    #[test]
    fn a_jump_far_above_the_pace_needs_a_comment() {
        // +100, +120, +110 a week, then +2,000 in one week.
        let f = run(
            fig(3330.0, None),
            prev(1330.0, None, &[100.0, 120.0, 110.0]),
            None,
        );
        assert!(
            f.errors[0].message.contains("gấp hơn 3 lần"),
            "{:?}",
            f.errors
        );
        // A normal week passes.
        assert_eq!(
            run(
                fig(1450.0, None),
                prev(1330.0, None, &[100.0, 120.0, 110.0]),
                None
            ),
            Findings::default()
        );
        // Without a history there is no pace to compare with.
        assert_eq!(
            run(fig(3330.0, None), prev(1330.0, None, &[100.0]), None),
            Findings::default()
        );
    }

    #[test]
    fn a_denominator_change_over_ten_percent_needs_a_comment() {
        let f = run(fig(1000.0, Some(23_000.0)), prev(900.0, None, &[]), None);
        assert!(
            f.errors[0].message.contains("mẫu số thay đổi hơn 10 %"),
            "{:?}",
            f.errors
        );
        assert_eq!(
            run(fig(1000.0, Some(21_000.0)), prev(900.0, None, &[]), None),
            Findings::default()
        );
    }
}
