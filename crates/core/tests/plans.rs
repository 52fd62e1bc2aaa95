//! `plan check` rules: the shipped plans pass, and each broken plan is rejected with its line and field.

use chrono::{Datelike, NaiveDate, Weekday};
use hocvuso_core::calendar;
use hocvuso_core::plan::{PlanError, TargetKind, parse_plan};

const DAKLAK: &str = include_str!("../../../plans/daklak-100-ngay-2025.toml");
const LAOCAI: &str = include_str!("fixtures/laocai-60-ngay.toml");

/// The Đắk Lắk plan with `from` replaced by `to` (exactly once), parsed, expected to fail.
fn broken(from: &str, to: &str) -> Vec<PlanError> {
    assert_eq!(
        DAKLAK.matches(from).count(),
        1,
        "fixture text {from:?} must occur once"
    );
    parse_plan(&DAKLAK.replacen(from, to, 1)).expect_err("the broken plan must be rejected")
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle in plan")
        + 1
}

fn has(errors: &[PlanError], line: usize, field: &str, words: &str) {
    assert!(
        errors
            .iter()
            .any(|e| e.line == Some(line) && e.field == field && e.message.contains(words)),
        "expected an error on line {line}, field {field}, containing {words:?}; got:\n{}",
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn daklak_plan_is_complete() {
    let plan = parse_plan(DAKLAK).expect("Đắk Lắk plan is valid");
    assert_eq!(plan.province.as_str(), "66");
    assert_eq!(plan.indicators.len(), 16);
    assert_eq!(plan.skills.len(), 5);
    assert_eq!(plan.reporting.weekday, Weekday::Fri);
    assert_eq!(
        plan.campaign.start,
        NaiveDate::from_ymd_opt(2025, 7, 15).unwrap()
    );
    assert_eq!(
        plan.campaign.end,
        NaiveDate::from_ymd_opt(2025, 10, 25).unwrap()
    );
    let kinds = |k| plan.indicators.iter().filter(|i| i.kind == k).count();
    assert_eq!(kinds(TargetKind::ShareOfUnits), 4);
    assert_eq!(kinds(TargetKind::Ratio), 9);
    assert_eq!(kinds(TargetKind::Total), 2);
    assert_eq!(kinds(TargetKind::MinimumPerUnit), 1);
    let vneid = plan.indicator("2.5").unwrap();
    assert_eq!(vneid.milestones.len(), 2);
    assert_eq!(vneid.milestones[1].target, 70.0);
    assert_eq!(
        plan.final_reports
            .iter()
            .map(|f| f.deadline.day())
            .collect::<Vec<_>>(),
        [15, 25]
    );
}

#[test]
fn another_province_with_another_weekday() {
    let plan = parse_plan(LAOCAI).expect("Lào Cai plan is valid");
    assert_eq!(plan.province.as_str(), "15");
    assert_eq!(plan.reporting.weekday, Weekday::Thu);
    let weeks = calendar::weeks(&plan);
    assert_eq!(
        weeks[0].reporting_day,
        NaiveDate::from_ymd_opt(2025, 9, 4).unwrap()
    );
    assert_eq!(weeks[0].due.to_rfc3339(), "2025-09-04T17:00:00+07:00");
    assert_eq!(weeks[0].lock.to_rfc3339(), "2025-09-08T08:00:00+07:00");
    assert_eq!(weeks.len(), 9);
}

#[test]
fn duplicate_indicator_code() {
    let errors = broken("code = \"2.1b\"", "code = \"2.1a\"");
    has(
        &errors,
        line_of(DAKLAK, "code = \"2.1b\""),
        "indicators[2].code",
        "trùng",
    );
}

#[test]
fn unknown_target_kind() {
    let from = "kind = \"total\"\nunit = \"người\"\nnumerator = \"Người dân từ 15";
    let errors = broken(from, &from.replace("total", "sum"));
    has(
        &errors,
        line_of(DAKLAK, "short_name = \"Người dân đăng ký chữ ký số\"") + 1,
        "indicators[12].kind",
        "«sum»",
    );
}

#[test]
fn unknown_unit_kind() {
    let errors = broken(
        "counted_unit = \"village\"\nnumerator = \"Thôn",
        "counted_unit = \"hamlet\"\nnumerator = \"Thôn",
    );
    has(
        &errors,
        line_of(DAKLAK, "short_name = \"Tổ Công nghệ số cộng đồng\"") + 2,
        "indicators[2].counted_unit",
        "«hamlet»",
    );
}

#[test]
fn ratio_target_above_100_percent() {
    let errors = broken(
        "date = 2025-10-25, target = 30 }",
        "date = 2025-10-25, target = 130 }",
    );
    has(
        &errors,
        line_of(DAKLAK, "target = 30 }"),
        "indicators[10].milestones[1].target",
        "không quá 100",
    );
}

#[test]
fn milestone_outside_the_campaign() {
    let errors = broken(
        "date = 2025-10-25, target = 50 }",
        "date = 2026-03-01, target = 50 }",
    );
    has(
        &errors,
        line_of(DAKLAK, "target = 50 }"),
        "indicators[11].milestones[1].date",
        "ngoài chiến dịch",
    );
}

#[test]
fn missing_denominator_for_a_ratio() {
    let errors = broken("denominator = \"smartphone_users\"\n", "");
    has(
        &errors,
        line_of(DAKLAK, "code = \"2.7b\"") - 1,
        "indicators[10].denominator",
        "cần mẫu số",
    );
}

#[test]
fn unknown_denominator_and_task() {
    let errors = broken(
        "denominator = \"workers\"\n",
        "denominator = \"labourers\"\n",
    );
    has(
        &errors,
        line_of(DAKLAK, "denominator = \"workers\""),
        "indicators[8].denominator",
        "«labourers»",
    );
    let errors = broken("task = \"2.6\"", "task = \"9.9\"");
    has(
        &errors,
        line_of(DAKLAK, "task = \"2.6\""),
        "indicators[8].task",
        "«9.9»",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = DAKLAK
        .replacen("weekday = \"friday\"", "weekday = \"funday\"", 1)
        .replacen("end = 2025-10-25", "end = 2025-07-01", 1)
        .replacen("code = \"2.4\"", "code = \"2.3\"", 1);
    let errors = parse_plan(&text).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"reporting.weekday"), "{fields:?}");
    assert!(fields.contains(&"campaign.end"), "{fields:?}");
    assert!(fields.contains(&"indicators[6].code"), "{fields:?}");
    // Sorted by line.
    let lines: Vec<usize> = errors.iter().filter_map(|e| e.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn syntax_and_type_errors_name_their_line() {
    let errors =
        parse_plan(&DAKLAK.replacen("target = 5000 }", "target = \"năm nghìn\" }", 1)).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, Some(line_of(DAKLAK, "target = 5000 }")));
    let errors = parse_plan("code = \"x\"\ntitle = ").unwrap_err();
    assert_eq!(errors[0].line, Some(2));
    let errors = parse_plan(&DAKLAK.replacen("slogan =", "slogon =", 1)).unwrap_err();
    assert!(errors[0].message.contains("slogon"), "{}", errors[0]);
}

#[test]
fn kind_specific_fields() {
    // A missing field is reported on the `[[indicators]]` line of its block.
    let errors = broken("minimum = 10\n", "");
    has(
        &errors,
        line_of(DAKLAK, "code = \"2.9a\"") - 1,
        "indicators[13].minimum",
        "cần mức tối thiểu",
    );
    let errors = broken(
        "kind = \"share_of_units\"\ncounted_unit = \"commune\"\nnumerator = \"Xã, phường đã thành lập",
        "kind = \"share_of_units\"\nnumerator = \"Xã, phường đã thành lập",
    );
    has(
        &errors,
        line_of(DAKLAK, "code = \"2.1a\"") - 1,
        "indicators[1].counted_unit",
        "cần counted_unit",
    );
    let errors = broken(
        "reporters = [{ unit = \"66-SGDDT\" }, { kind = \"school\" }]",
        "reporters = [{ unit = \"66 SGDDT\" }, { kind = \"school\", unit = \"x\" }]",
    );
    let line = line_of(DAKLAK, "reporters = [{ unit = \"66-SGDDT\" }");
    has(
        &errors,
        line,
        "indicators[5].reporters[1].unit",
        "ký tự không hợp lệ",
    );
    has(
        &errors,
        line,
        "indicators[5].reporters[2]",
        "không ghi cả hai",
    );
}
