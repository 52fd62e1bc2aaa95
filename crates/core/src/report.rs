//! Weekly report values and their hard validation rules, shared by the web form and the API (and,
//! later, the Excel import).

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
