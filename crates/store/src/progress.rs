//! Progress recomputed straight from the stored reports: the reference the maintained roll-ups
//! (`rollups.rs`, which serve every page) are checked against in the tests and the benchmark.

use crate::Store;
use crate::error::Result;
use crate::targets::of_indicator;
use crate::units::{UnitRecord, subtree_range};
use chrono::NaiveDate;
use hocvuso_core::assigned;
use hocvuso_core::calendar;
use hocvuso_core::plan::{Plan, Reporter, TargetKind};
use hocvuso_core::progress::{Figure, Progress, Subject, Target, contribution, finish};
use hocvuso_core::units::UnitKind;
use std::collections::HashMap;

type FigureKey = (String, String);

#[derive(sqlx::FromRow)]
struct FigureRow {
    indicator: String,
    subject: String,
    week: String,
    numerator: f64,
    denominator: Option<f64>,
    submitted_at: Option<String>,
}

impl Store {
    /// Progress of each indicator of `plan`, in plan order, over the subtree of `scope` on `as_of`,
    /// recomputed from every figure in the subtree (slow at national scale; see [`Store::progress`]).
    pub async fn progress_recomputed(
        &self,
        plan: &Plan,
        scope: &UnitRecord,
        as_of: NaiveDate,
    ) -> Result<Vec<Progress>> {
        let latest = self.latest_figures(plan, scope, as_of).await?;
        let last_day = calendar::last_reporting_day(plan, as_of);
        let mut by_kind: HashMap<(UnitKind, Option<NaiveDate>), Vec<UnitRecord>> = HashMap::new();
        let assigned = self.assigned_within(&plan.code, &scope.path).await?;
        let mut out = Vec::with_capacity(plan.indicators.len());
        for ind in &plan.indicators {
            // The units carrying their own figure for this indicator, inside the scope.
            let mut subjects: Vec<UnitRecord> = Vec::new();
            for r in &ind.reporters {
                match r {
                    Reporter::Kind { kind } | Reporter::OnBehalf { for_kind: kind, .. } => {
                        subjects.extend(
                            self.cached_kind(
                                &mut by_kind,
                                scope,
                                *kind,
                                Some(last_day.unwrap_or(as_of)),
                            )
                            .await?
                            .iter()
                            .cloned(),
                        );
                    }
                    Reporter::Unit { unit: code } => {
                        if let Some(u) = self.unit(code.as_str()).await?
                            && u.path.starts_with(&scope.path)
                        {
                            subjects.push(u);
                        }
                    }
                }
            }
            subjects.sort_by(|a, b| a.code.cmp(&b.code));
            subjects.dedup_by(|a, b| a.code == b.code);

            // Share of units: how many counted units each subject answers for.
            let mut counted: HashMap<String, f64> = HashMap::new();
            if ind.kind == TargetKind::ShareOfUnits
                && let Some(counted_kind) = ind.counted_unit
            {
                let subject_codes: std::collections::HashSet<&str> =
                    subjects.iter().map(|s| s.code.as_str()).collect();
                for u in self
                    .cached_kind(&mut by_kind, scope, counted_kind, None)
                    .await?
                {
                    if let Some(owner) = u
                        .lineage()
                        .into_iter()
                        .rev()
                        .find(|c| subject_codes.contains(c))
                    {
                        *counted.entry(owner.to_string()).or_default() += 1.0;
                    }
                }
            }
            let denominators = match (&ind.kind, &ind.denominator) {
                (TargetKind::Ratio, Some(key)) => {
                    self.denominators_within(&scope.path, key, as_of).await?
                }
                _ => HashMap::new(),
            };
            let subjects: Vec<Subject> = subjects
                .into_iter()
                .map(|u| Subject {
                    registered_denominator: denominators.get(&u.code).copied(),
                    // A unit of the counted kind answers for itself, even once merged away.
                    counted_units: if ind.counted_unit.is_some_and(|k| k.as_str() == u.kind) {
                        1.0
                    } else {
                        counted.get(&u.code).copied().unwrap_or(0.0)
                    },
                    latest: latest.get(&(ind.code.clone(), u.code.clone())).cloned(),
                    code: u.code,
                })
                .collect();
            // The scope's own assigned target, and each subject's assigned minimum.
            let own = of_indicator(&assigned, &scope.code, &ind.code);
            let (target_of, applies) =
                assigned::for_unit(ind, &own, scope.code == plan.province.as_str());
            let sum = subjects
                .iter()
                .map(|s| {
                    let minimum =
                        assigned::minimum_of(ind, &of_indicator(&assigned, &s.code, &ind.code));
                    contribution(ind, s, minimum, last_day)
                })
                .sum();
            out.push(finish(
                ind,
                sum,
                Target::of_plan(&target_of, as_of, applies),
            ));
        }
        Ok(out)
    }

    /// Units of `kind` in the scope: those that existed on `on` (subjects, on the last reporting day
    /// as the roll-ups see them; a unit merged away counts until the merger), or those that exist now
    /// (counted units, as the roll-ups count them).
    async fn cached_kind<'a>(
        &self,
        cache: &'a mut HashMap<(UnitKind, Option<NaiveDate>), Vec<UnitRecord>>,
        scope: &UnitRecord,
        kind: UnitKind,
        on: Option<NaiveDate>,
    ) -> Result<&'a Vec<UnitRecord>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = cache.entry((kind, on)) {
            slot.insert(self.units_of_kind_within(&scope.path, kind, on).await?);
        }
        Ok(&cache[&(kind, on)])
    }

    /// For each (indicator, subject) in the scope, the latest submitted or approved figure on or before
    /// `as_of`; between two reports of the same week (a commune's and Công an tỉnh's), the later one.
    async fn latest_figures(
        &self,
        plan: &Plan,
        scope: &UnitRecord,
        as_of: NaiveDate,
    ) -> Result<HashMap<FigureKey, Figure>> {
        let (lo, hi) = subtree_range(&scope.path);
        let rows: Vec<FigureRow> = sqlx::query_as(
            "SELECT v.indicator_code AS indicator, v.subject_code AS subject, r.week, v.numerator, v.denominator, r.submitted_at
             FROM report_values v
             JOIN reports r ON r.id = v.report_id
             JOIN units u ON u.code = v.subject_code
             WHERE r.plan_code = $1 AND r.week <= $2 AND r.status IN ('submitted', 'approved')
               AND u.path >= $3 AND u.path < $4",
        )
        .bind(&plan.code)
        .bind(as_of.to_string())
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?;
        let mut best: HashMap<FigureKey, (String, Option<String>, Figure)> = HashMap::new();
        for FigureRow {
            indicator,
            subject,
            week,
            numerator,
            denominator,
            submitted_at,
        } in rows
        {
            let Ok(week_date) = week.parse::<NaiveDate>() else {
                continue;
            };
            let newer = match best.get(&(indicator.clone(), subject.clone())) {
                Some((w, s, _)) => (&week, &submitted_at) > (w, s),
                None => true,
            };
            if newer {
                let figure = Figure {
                    week: week_date,
                    numerator,
                    denominator,
                };
                best.insert((indicator, subject), (week, submitted_at, figure));
            }
        }
        Ok(best.into_iter().map(|(k, (_, _, f))| (k, f)).collect())
    }
}
