//! Roll-ups maintained by differences, so that progress over any scope at any date is read, not
//! recomputed.
//!
//! Time is the plan's reporting days: index 0 is "before the first reporting day", index k is "as of
//! the k-th reporting day" (a date between two reporting days reads as the earlier one). For one
//! subject and indicator, [`series`] gives its contribution at every index, with last-value semantics
//! (a week without a figure carries the previous one, which then counts as stale). A scope's
//! progress at index k is the sum over its subjects, and that sum equals the sum, over indices up to
//! k, of the *steps* `c[i] - c[i-1]`. Storage keeps, per (unit, indicator, index), the steps summed over
//! the subjects below the unit; a change of one subject's figures adds [`deltas`] (the change of its
//! steps) to each unit above it. Reading is one sum over at most a few dozen rows per indicator, the
//! same for a commune and for the whole country.

use crate::plan::Indicator;
use crate::progress::{Contribution, Figure, Subject, contribution};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// What a subject's contributions depend on besides its figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubjectBase {
    /// Counted units the subject answers for (share of units).
    pub counted_units: f64,
    /// Registered denominators with the date each applies from, oldest first.
    pub registered: Vec<(NaiveDate, f64)>,
    /// The unit's own minimum (an assigned target), for minimum-per-unit indicators.
    pub minimum: Option<f64>,
    /// The unit exists from this day (a unit made by a merger or split)…
    pub valid_from: Option<NaiveDate>,
    /// …until the day before this one (merged into another, or split): outside, it contributes nothing.
    pub valid_to: Option<NaiveDate>,
}

impl SubjectBase {
    /// The registered denominator that applies on `day`: the latest one dated on or before it, or
    /// else the earliest one (a register dated after the campaign start still describes the unit).
    pub fn exists_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day < t)
    }

    pub fn denominator_on(&self, day: NaiveDate) -> Option<f64> {
        self.registered
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .or(self.registered.first())
            .map(|(_, d)| *d)
    }
}

/// The index that applies on `as_of`: how many reporting days are on or before it.
pub fn index_on(days: &[NaiveDate], as_of: NaiveDate) -> usize {
    days.partition_point(|d| *d <= as_of)
}

/// The storage key of an index: "" before the first reporting day, else the reporting day (ISO), so
/// that keys sort like indices and "every step up to `as_of`" is `key <= as_of`.
pub fn key_of(days: &[NaiveDate], index: usize) -> String {
    match index {
        0 => String::new(),
        k => days[k - 1].to_string(),
    }
}

/// A subject's contribution at every index (`days.len() + 1` values). `figures` are its effective
/// figures by reporting day (one per week: the latest counted submission about it).
pub fn series(
    indicator: &Indicator,
    days: &[NaiveDate],
    base: &SubjectBase,
    figures: &BTreeMap<NaiveDate, Figure>,
) -> Vec<Contribution> {
    let mut out = Vec::with_capacity(days.len() + 1);
    let first = days.first().copied();
    for index in 0..=days.len() {
        let day = if index == 0 {
            first
        } else {
            Some(days[index - 1])
        };
        let latest = match (index, day) {
            (0, _) | (_, None) => None,
            (_, Some(day)) => figures.range(..=day).next_back().map(|(_, f)| f.clone()),
        };
        let subject = Subject {
            code: String::new(),
            registered_denominator: day.and_then(|d| base.denominator_on(d)),
            counted_units: base.counted_units,
            latest,
        };
        let last_day = (index > 0).then(|| days[index - 1]);
        out.push(match day {
            Some(day) if !base.exists_on(day) => Contribution::default(),
            _ => contribution(indicator, &subject, base.minimum, last_day),
        });
    }
    out
}

/// The steps of a series: `c[0]`, then `c[i] - c[i-1]`.
pub fn steps(series: &[Contribution]) -> Vec<Contribution> {
    let mut previous = Contribution::default();
    series
        .iter()
        .map(|c| {
            let step = *c - previous;
            previous = *c;
            step
        })
        .collect()
}

/// What to add, per index, to every unit above a subject when its series changes from `old` to `new`
/// (either may be empty: a subject appearing or disappearing). Zero changes are left out.
pub fn deltas(old: &[Contribution], new: &[Contribution]) -> Vec<(usize, Contribution)> {
    let (old, new) = (steps(old), steps(new));
    (0..old.len().max(new.len()))
        .filter_map(|i| {
            let o = old.get(i).copied().unwrap_or_default();
            let n = new.get(i).copied().unwrap_or_default();
            let d = n - o;
            (!d.is_zero()).then_some((i, d))
        })
        .collect()
}

/// Sums stored steps into the contribution at each index (a running total): the series of a scope.
pub fn accumulate(steps: &[Contribution]) -> Vec<Contribution> {
    let mut sum = Contribution::default();
    steps
        .iter()
        .map(|s| {
            sum = sum + *s;
            sum
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Milestone, Reporter, TargetKind};
    use crate::progress::{Target, compute, finish};
    use crate::units::UnitKind;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, day).unwrap()
    }

    fn indicator(kind: TargetKind) -> Indicator {
        Indicator {
            code: "x".into(),
            task: "1".into(),
            name: "x".into(),
            short_name: "x".into(),
            kind,
            numerator: "x".into(),
            denominator: None,
            counted_unit: Some(UnitKind::Village),
            minimum: Some(10.0),
            unit: None,
            field_log: None,
            reporters: vec![Reporter::Kind {
                kind: UnitKind::Commune,
            }],
            milestones: vec![Milestone {
                label: "100 ngày".into(),
                date: d(10, 25),
                target: 50.0,
            }],
        }
    }

    fn days() -> Vec<NaiveDate> {
        vec![d(8, 1), d(8, 8), d(8, 15), d(8, 22)]
    }

    fn fig(week: NaiveDate, n: f64, den: Option<f64>) -> (NaiveDate, Figure) {
        (
            week,
            Figure {
                week,
                numerator: n,
                denominator: den,
            },
        )
    }

    /// Tiny deterministic generator for the property check below.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    #[test]
    fn a_missed_week_carries_the_last_figure_forward_as_stale() {
        let ind = indicator(TargetKind::Total);
        let figures: BTreeMap<_, _> = [fig(d(8, 1), 5.0, None), fig(d(8, 15), 9.0, None)].into();
        let s = series(&ind, &days(), &SubjectBase::default(), &figures);
        let values: Vec<(f64, f64, f64)> = s
            .iter()
            .map(|c| (c.numerator, c.reported, c.fresh))
            .collect();
        assert_eq!(
            values,
            [
                (0.0, 0.0, 0.0),
                (5.0, 1.0, 1.0),
                (5.0, 1.0, 0.0),
                (9.0, 1.0, 1.0),
                (9.0, 1.0, 0.0)
            ]
        );
        assert_eq!(index_on(&days(), d(7, 31)), 0);
        assert_eq!(index_on(&days(), d(8, 10)), 2);
        assert_eq!(index_on(&days(), d(12, 31)), 4);
        assert_eq!(key_of(&days(), 0), "");
        assert_eq!(key_of(&days(), 2), "2025-08-08");
    }

    #[test]
    fn a_merged_unit_counts_until_the_merger_and_its_successor_from_it() {
        let ind = indicator(TargetKind::Total);
        let old = SubjectBase {
            valid_to: Some(d(8, 10)),
            ..Default::default()
        };
        let new = SubjectBase {
            valid_from: Some(d(8, 10)),
            ..Default::default()
        };
        let a: BTreeMap<_, _> = [fig(d(8, 1), 5.0, None), fig(d(8, 8), 7.0, None)].into();
        let b: BTreeMap<_, _> = [fig(d(8, 15), 20.0, None)].into();
        let sa = series(&ind, &days(), &old, &a);
        let sb = series(&ind, &days(), &new, &b);
        let total: Vec<(f64, f64)> = sa
            .iter()
            .zip(&sb)
            .map(|(x, y)| (x.numerator + y.numerator, x.expected + y.expected))
            .collect();
        // Before the merger the old unit's figures; after it only the new unit (no double count; its
        // first week without a report shows no figure rather than the old unit's).
        assert_eq!(
            total,
            [(0.0, 1.0), (5.0, 1.0), (7.0, 1.0), (20.0, 1.0), (20.0, 1.0)]
        );
    }

    #[test]
    fn registered_denominators_apply_from_their_date() {
        let base = SubjectBase {
            registered: vec![(d(8, 5), 100.0), (d(8, 20), 200.0)],
            ..Default::default()
        };
        assert_eq!(base.denominator_on(d(8, 1)), Some(100.0));
        assert_eq!(base.denominator_on(d(8, 15)), Some(100.0));
        assert_eq!(base.denominator_on(d(8, 22)), Some(200.0));
        let figures: BTreeMap<_, _> = [fig(d(8, 1), 50.0, None)].into();
        let s = series(&indicator(TargetKind::Ratio), &days(), &base, &figures);
        assert_eq!(s[1].denominator, 100.0);
        assert_eq!(s[4].denominator, 200.0);
    }

    #[test]
    fn summed_deltas_equal_direct_computation_for_every_kind() {
        // Random subjects with random figures, changed one at a time in random order; after every
        // change the maintained steps, accumulated, equal the direct computation at every index.
        let days = days();
        for kind in [
            TargetKind::Ratio,
            TargetKind::ShareOfUnits,
            TargetKind::MinimumPerUnit,
            TargetKind::Total,
        ] {
            let ind = indicator(kind);
            let mut rng = Lcg(kind as u64 + 7);
            let bases: Vec<SubjectBase> = (0..6)
                .map(|i| SubjectBase {
                    counted_units: (1 + rng.next(30)) as f64,
                    registered: if i == 5 {
                        vec![]
                    } else {
                        vec![(d(7, 1), (500 + rng.next(500)) as f64)]
                    },
                    minimum: (i == 2).then_some(3.0),
                    ..Default::default()
                })
                .collect();
            let mut figures: Vec<BTreeMap<NaiveDate, Figure>> = vec![BTreeMap::new(); 6];
            let mut stored = vec![Contribution::default(); days.len() + 1];
            for subject in 0..6 {
                for (i, step) in steps(&series(&ind, &days, &bases[subject], &figures[subject]))
                    .into_iter()
                    .enumerate()
                {
                    stored[i] = stored[i] + step;
                }
            }
            for _ in 0..200 {
                let subject = rng.next(6) as usize;
                let old = series(&ind, &days, &bases[subject], &figures[subject]);
                let week = days[rng.next(days.len() as u64) as usize];
                if rng.next(4) == 0 {
                    figures[subject].remove(&week); // a report returned: it no longer counts
                } else {
                    let den = (rng.next(3) == 0).then(|| (300 + rng.next(900)) as f64);
                    let (w, f) = fig(week, rng.next(1200) as f64, den);
                    figures[subject].insert(w, f);
                }
                let new = series(&ind, &days, &bases[subject], &figures[subject]);
                for (i, delta) in deltas(&old, &new) {
                    stored[i] = stored[i] + delta;
                }
                let maintained = accumulate(&stored);
                for (index, sum) in maintained.iter().enumerate() {
                    let day = if index == 0 {
                        d(7, 20)
                    } else {
                        days[index - 1]
                    };
                    let subjects: Vec<Subject> = (0..6)
                        .map(|s| Subject {
                            code: s.to_string(),
                            registered_denominator: bases[s].denominator_on(if index == 0 {
                                days[0]
                            } else {
                                day
                            }),
                            counted_units: bases[s].counted_units,
                            latest: (index > 0)
                                .then(|| {
                                    figures[s].range(..=day).next_back().map(|(_, f)| f.clone())
                                })
                                .flatten(),
                        })
                        .collect();
                    let last_day = (index > 0).then_some(day);
                    let direct: Contribution = subjects
                        .iter()
                        .zip(&bases)
                        .map(|(s, b)| contribution(&ind, s, b.minimum, last_day))
                        .sum();
                    assert_eq!(*sum, direct, "{kind:?} at index {index}");
                    let target = Target::of_plan(&ind, day, true);
                    let a = finish(&ind, *sum, target.clone());
                    let b = finish(&ind, direct, target);
                    assert_eq!(a, b);
                    if kind != TargetKind::MinimumPerUnit {
                        // Without assigned minimums, the same as the plain computation.
                        assert_eq!(a.value, compute(&ind, &subjects, day, last_day, true).value);
                    }
                }
            }
        }
    }
}
