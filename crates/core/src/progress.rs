//! Progress of one indicator over one scope (a unit and its subtree) at one date, for all four target kinds.
//!
//! The caller gathers, for every *subject* (a unit that carries its own figure for the indicator) in the
//! scope, its registered denominator, how many counted units it stands for, and its latest figure on or
//! before the date ("last value" semantics: a unit that missed a week keeps its last figure, marked stale).

use crate::plan::{Indicator, TargetKind};
use chrono::NaiveDate;
use serde::Serialize;

/// A reported cumulative figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Reporting day of the week the figure was reported for.
    pub week: NaiveDate,
    pub numerator: f64,
    /// Denominator stated in the report (ratio), overriding the registered one.
    pub denominator: Option<f64>,
}

/// One unit carrying its own figure for the indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub code: String,
    /// Denominator from the unit register (ratio only).
    pub registered_denominator: Option<f64>,
    /// How many counted units this subject answers for (share of units: 1 when it counts itself,
    /// its number of villages when it reports on its villages). Ignored by the other kinds.
    pub counted_units: f64,
    /// Latest figure on or before the date, if any.
    pub latest: Option<Figure>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub indicator: String,
    pub kind: TargetKind,
    /// Ratio: Σ numerators. Share of units: units done. Minimum per unit: units meeting the minimum.
    /// Total: the sum.
    pub numerator: f64,
    /// Ratio: Σ denominators. Share of units and minimum per unit: units expected. Total: none.
    pub denominator: Option<f64>,
    /// Percent for ratio, share of units and minimum per unit; the sum for total. None without data.
    pub value: Option<f64>,
    /// Minimum per unit: Σ of the units' figures, shown beside the share.
    pub total: Option<f64>,
    pub subjects_expected: usize,
    /// Subjects with any figure on or before the date.
    pub subjects_reported: usize,
    /// Subjects whose latest figure is older than the last reporting day (carried forward).
    pub subjects_stale: usize,
    /// Ratio subjects with neither a reported nor a registered denominator (left out of both sums).
    pub subjects_without_denominator: usize,
    pub target: Option<f64>,
    pub milestone_label: Option<String>,
    pub milestone_date: Option<NaiveDate>,
    /// value / target, in percent.
    pub share_of_target: Option<f64>,
}

/// What one subject adds to the progress of every unit above it, for one indicator at one date.
/// Progress over a scope is the sum of its subjects' contributions, finished by [`finish`]; keeping the
/// sums additive is what lets the roll-ups be maintained by adding differences (see `crate::rollup`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Contribution {
    /// 1 per subject expected to report.
    pub expected: f64,
    /// Counted units the subject answers for (share of units), 0 for the other kinds.
    pub counted: f64,
    /// 1 when the subject has a figure on or before the date.
    pub reported: f64,
    /// 1 when that figure is of the last reporting day (the rest of `reported` is stale).
    pub fresh: f64,
    /// Ratio: the numerator, capped by the denominator. Share of units: counted units done.
    /// Minimum per unit: 1 when the minimum is met. Total: the figure.
    pub numerator: f64,
    /// Ratio: the reported or registered denominator. Share of units: `counted`. Minimum per unit: 1.
    pub denominator: f64,
    /// Minimum per unit: the figure itself, summed beside the share of units meeting it.
    pub total: f64,
    /// Ratio: 1 when the subject has neither a reported nor a registered denominator.
    pub without_denominator: f64,
}

impl Contribution {
    pub fn is_zero(&self) -> bool {
        *self == Contribution::default()
    }
}

impl std::ops::Add for Contribution {
    type Output = Contribution;
    fn add(self, o: Contribution) -> Contribution {
        Contribution {
            expected: self.expected + o.expected,
            counted: self.counted + o.counted,
            reported: self.reported + o.reported,
            fresh: self.fresh + o.fresh,
            numerator: self.numerator + o.numerator,
            denominator: self.denominator + o.denominator,
            total: self.total + o.total,
            without_denominator: self.without_denominator + o.without_denominator,
        }
    }
}

impl std::ops::Sub for Contribution {
    type Output = Contribution;
    fn sub(self, o: Contribution) -> Contribution {
        Contribution {
            expected: self.expected - o.expected,
            counted: self.counted - o.counted,
            reported: self.reported - o.reported,
            fresh: self.fresh - o.fresh,
            numerator: self.numerator - o.numerator,
            denominator: self.denominator - o.denominator,
            total: self.total - o.total,
            without_denominator: self.without_denominator - o.without_denominator,
        }
    }
}

impl std::iter::Sum for Contribution {
    fn sum<I: Iterator<Item = Contribution>>(iter: I) -> Contribution {
        iter.fold(Contribution::default(), |a, b| a + b)
    }
}

/// The contribution of one subject. `minimum` is the unit's own minimum (an assigned target) when it
/// has one; `last_reporting_day` decides whether its figure is fresh or carried forward.
pub fn contribution(
    indicator: &Indicator,
    subject: &Subject,
    minimum: Option<f64>,
    last_reporting_day: Option<NaiveDate>,
) -> Contribution {
    let latest = subject.latest.as_ref();
    let mut c = Contribution {
        expected: 1.0,
        reported: latest.map_or(0.0, |_| 1.0),
        fresh: latest.map_or(0.0, |f| (Some(f.week) == last_reporting_day) as u8 as f64),
        ..Contribution::default()
    };
    match indicator.kind {
        TargetKind::Ratio => {
            match latest
                .and_then(|f| f.denominator)
                .or(subject.registered_denominator)
            {
                Some(d) => {
                    c.denominator = d;
                    c.numerator = latest.map_or(0.0, |f| f.numerator.min(d));
                }
                None => c.without_denominator = 1.0,
            }
        }
        TargetKind::ShareOfUnits => {
            c.counted = subject.counted_units;
            c.denominator = subject.counted_units;
            c.numerator = latest.map_or(0.0, |f| f.numerator.clamp(0.0, subject.counted_units));
        }
        TargetKind::MinimumPerUnit => {
            let minimum = minimum.or(indicator.minimum).unwrap_or(0.0);
            c.denominator = 1.0;
            c.numerator = latest.map_or(0.0, |f| (f.numerator >= minimum) as u8 as f64);
            c.total = latest.map_or(0.0, |f| f.numerator);
        }
        TargetKind::Total => c.numerator = latest.map_or(0.0, |f| f.numerator),
    }
    c
}

/// The target that applies to a scope at a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub value: f64,
    pub label: String,
    pub date: NaiveDate,
}

impl Target {
    /// The plan's milestone for the date; a total (a count for the whole province) applies only where
    /// `province_wide` is true, the percentages everywhere.
    pub fn of_plan(indicator: &Indicator, as_of: NaiveDate, province_wide: bool) -> Option<Target> {
        let m = indicator.milestone_for(as_of);
        (province_wide || indicator.kind.is_percent()).then(|| Target {
            value: m.target,
            label: m.label.clone(),
            date: m.date,
        })
    }
}

/// Progress from the summed contributions of a scope's subjects.
pub fn finish(indicator: &Indicator, sum: Contribution, target: Option<Target>) -> Progress {
    let has_data = sum.reported > 0.0;
    let percent = |num: f64, den: f64| (den > 0.0 && has_data).then(|| num / den * 100.0);
    let (denominator, value, total) = match indicator.kind {
        TargetKind::Ratio | TargetKind::ShareOfUnits => (
            Some(sum.denominator),
            percent(sum.numerator, sum.denominator),
            None,
        ),
        TargetKind::MinimumPerUnit => (
            Some(sum.denominator),
            percent(sum.numerator, sum.denominator),
            Some(sum.total),
        ),
        TargetKind::Total => (None, has_data.then_some(sum.numerator), None),
    };
    let share_of_target = match (value, &target) {
        (Some(v), Some(t)) if t.value > 0.0 => Some(v / t.value * 100.0),
        _ => None,
    };
    let count = |x: f64| x.round().max(0.0) as usize;
    Progress {
        indicator: indicator.code.clone(),
        kind: indicator.kind,
        numerator: sum.numerator,
        denominator,
        value,
        total,
        subjects_expected: count(sum.expected),
        subjects_reported: count(sum.reported),
        subjects_stale: count(sum.reported - sum.fresh),
        subjects_without_denominator: count(sum.without_denominator),
        target: target.as_ref().map(|t| t.value),
        milestone_label: target.as_ref().map(|t| t.label.clone()),
        milestone_date: target.as_ref().map(|t| t.date),
        share_of_target,
    }
}

/// Computes progress straight from the subjects (the reference the maintained roll-ups are checked
/// against). `last_reporting_day` is the latest reporting day on or before the date (for staleness);
/// `target_applies` is false when the plan's total target does not apply to this scope (a
/// province-wide total shown for one commune).
pub fn compute(
    indicator: &Indicator,
    subjects: &[Subject],
    as_of: NaiveDate,
    last_reporting_day: Option<NaiveDate>,
    target_applies: bool,
) -> Progress {
    let sum = subjects
        .iter()
        .map(|s| contribution(indicator, s, None, last_reporting_day))
        .sum();
    finish(
        indicator,
        sum,
        Target::of_plan(indicator, as_of, target_applies),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Milestone, Reporter};
    use crate::units::UnitKind;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    fn indicator(kind: TargetKind, target: f64) -> Indicator {
        Indicator {
            code: "x".into(),
            task: "1".into(),
            name: "x".into(),
            short_name: "x".into(),
            kind,
            numerator: "x".into(),
            denominator: None,
            counted_unit: Some(UnitKind::Commune),
            minimum: Some(10.0),
            unit: None,
            field_log: None,
            reporters: vec![Reporter::Kind {
                kind: UnitKind::Commune,
            }],
            milestones: vec![
                Milestone {
                    label: "100 ngày".into(),
                    date: d(10, 25),
                    target,
                },
                Milestone {
                    label: "2025".into(),
                    date: d(12, 31),
                    target: target * 1.5,
                },
            ],
        }
    }

    fn subject(
        code: &str,
        den: Option<f64>,
        counted: f64,
        fig: Option<(NaiveDate, f64, Option<f64>)>,
    ) -> Subject {
        Subject {
            code: code.into(),
            registered_denominator: den,
            counted_units: counted,
            latest: fig.map(|(week, numerator, denominator)| Figure {
                week,
                numerator,
                denominator,
            }),
        }
    }

    #[test]
    fn ratio_sums_numerators_over_all_denominators() {
        let subjects = [
            subject("a", Some(1000.0), 1.0, Some((d(9, 5), 500.0, None))),
            // Reported its own denominator, which wins over the register.
            subject("b", Some(1000.0), 1.0, Some((d(9, 5), 300.0, Some(500.0)))),
            // Did not report: its population still counts, so the province is not overstated.
            subject("c", Some(500.0), 1.0, None),
            subject("d", None, 1.0, None),
        ];
        let p = compute(
            &indicator(TargetKind::Ratio, 40.0),
            &subjects,
            d(9, 5),
            Some(d(9, 5)),
            true,
        );
        assert_eq!(p.numerator, 800.0);
        assert_eq!(p.denominator, Some(2000.0));
        assert_eq!(p.value, Some(40.0));
        assert_eq!(p.target, Some(40.0));
        assert_eq!(p.share_of_target, Some(100.0));
        assert_eq!(
            (
                p.subjects_expected,
                p.subjects_reported,
                p.subjects_without_denominator
            ),
            (4, 2, 1)
        );
    }

    #[test]
    fn ratio_never_exceeds_denominator() {
        let subjects = [subject("a", Some(100.0), 1.0, Some((d(9, 5), 150.0, None)))];
        let p = compute(
            &indicator(TargetKind::Ratio, 40.0),
            &subjects,
            d(9, 5),
            Some(d(9, 5)),
            true,
        );
        assert_eq!(p.value, Some(100.0));
    }

    #[test]
    fn share_of_units_counts_done_units_capped_by_what_each_answers_for() {
        let subjects = [
            subject("a", None, 30.0, Some((d(9, 5), 30.0, None))),
            subject("b", None, 20.0, Some((d(8, 29), 25.0, None))), // over its 20 villages: capped, and stale
            subject("c", None, 50.0, None),
        ];
        let p = compute(
            &indicator(TargetKind::ShareOfUnits, 100.0),
            &subjects,
            d(9, 5),
            Some(d(9, 5)),
            true,
        );
        assert_eq!(p.numerator, 50.0);
        assert_eq!(p.denominator, Some(100.0));
        assert_eq!(p.value, Some(50.0));
        assert_eq!(p.subjects_stale, 1);
        assert_eq!(p.share_of_target, Some(50.0));
    }

    #[test]
    fn minimum_per_unit_counts_units_meeting_it_and_keeps_the_total() {
        let subjects = [
            subject("a", None, 1.0, Some((d(9, 5), 12.0, None))),
            subject("b", None, 1.0, Some((d(9, 5), 9.0, None))),
            subject("c", None, 1.0, Some((d(9, 5), 10.0, None))),
            subject("d", None, 1.0, None),
        ];
        let p = compute(
            &indicator(TargetKind::MinimumPerUnit, 100.0),
            &subjects,
            d(9, 5),
            Some(d(9, 5)),
            true,
        );
        assert_eq!(p.numerator, 2.0);
        assert_eq!(p.denominator, Some(4.0));
        assert_eq!(p.value, Some(50.0));
        assert_eq!(p.total, Some(31.0));
    }

    #[test]
    fn total_sums_and_target_only_where_it_applies() {
        let subjects = [
            subject("a", None, 1.0, Some((d(9, 5), 1200.0, None))),
            subject("b", None, 1.0, Some((d(9, 5), 1300.0, None))),
        ];
        let p = compute(
            &indicator(TargetKind::Total, 5000.0),
            &subjects,
            d(9, 5),
            Some(d(9, 5)),
            true,
        );
        assert_eq!(p.value, Some(2500.0));
        assert_eq!(p.share_of_target, Some(50.0));
        let commune = compute(
            &indicator(TargetKind::Total, 5000.0),
            &subjects[..1],
            d(9, 5),
            Some(d(9, 5)),
            false,
        );
        assert_eq!(commune.value, Some(1200.0));
        assert_eq!(commune.target, None);
        assert_eq!(commune.share_of_target, None);
    }

    #[test]
    fn no_data_means_no_value_and_later_milestones_apply_after_the_first() {
        let subjects = [subject("a", Some(10.0), 1.0, None)];
        let p = compute(
            &indicator(TargetKind::Ratio, 40.0),
            &subjects,
            d(11, 1),
            Some(d(10, 24)),
            true,
        );
        assert_eq!(p.value, None);
        assert_eq!(p.target, Some(60.0));
        assert_eq!(p.milestone_label.as_deref(), Some("2025"));
    }
}
