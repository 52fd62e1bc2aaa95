//! Per-unit assigned targets of a plan (table `unit_targets`; the rules are in
//! `hocvuso_core::assigned`). Loading a table replaces the plan's whole set, all or nothing, and
//! rebuilds the roll-ups in the same transaction (an assigned minimum changes who meets it).

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::db::{Backend, now_text};
use crate::error::{Result, RowProblem, StoreError};
use crate::units::subtree_range;
use hocvuso_core::assigned::AssignedTarget;
use hocvuso_core::plan::Plan;
use hocvuso_core::units::UnitKind;
use std::collections::HashMap;

/// Unit → its assigned targets (any indicator).
pub type ByUnit = HashMap<String, Vec<AssignedTarget>>;

/// A unit's assigned targets for one indicator.
pub fn of_indicator<'a>(
    by_unit: &'a ByUnit,
    unit: &str,
    indicator: &str,
) -> Vec<&'a AssignedTarget> {
    by_unit
        .get(unit)
        .map(|all| all.iter().filter(|a| a.indicator == indicator).collect())
        .unwrap_or_default()
}

type Row = (String, String, String, f64);

fn by_unit(rows: Vec<Row>) -> ByUnit {
    let mut out = ByUnit::new();
    for (unit, indicator, milestone, target) in rows {
        let milestone = milestone.parse().ok();
        out.entry(unit.clone()).or_default().push(AssignedTarget {
            unit,
            indicator,
            milestone,
            target,
            line: 0,
        });
    }
    out
}

const COLUMNS: &str = "t.unit_code, t.indicator_code, t.milestone, t.target";

impl Store {
    /// Replaces the assigned targets of `plan` with `targets` (checked by
    /// `hocvuso_core::assigned::parse_table`). Every unit must exist inside the plan's province;
    /// otherwise nothing changes and each bad line is named.
    pub async fn put_assigned_targets(
        &self,
        plan: &Plan,
        targets: &[AssignedTarget],
        source: &str,
        who: &Who,
    ) -> Result<usize> {
        let province = self.require_unit(plan.province.as_str()).await?;
        let mut tx = self.begin_write().await?;
        let mut problems = Vec::new();
        let mut known: HashMap<String, bool> = HashMap::new();
        for t in targets {
            if !known.contains_key(&t.unit) {
                let path: Option<String> = sqlx::query_scalar(
                    "SELECT path FROM units WHERE code = $1 AND valid_to IS NULL",
                )
                .bind(&t.unit)
                .fetch_optional(&mut *tx)
                .await?;
                let inside = path.is_some_and(|p| p.starts_with(&province.path));
                known.insert(t.unit.clone(), inside);
            }
            if !known[&t.unit] {
                problems.push(RowProblem {
                    row: t.line,
                    column: "unit".into(),
                    message: format!(
                        "không có đơn vị mã «{}» đang hoạt động trong {}",
                        t.unit, province.full_name
                    ),
                });
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::Rejected(problems));
        }
        let before: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM unit_targets WHERE plan_code = $1")
                .bind(&plan.code)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM unit_targets WHERE plan_code = $1")
            .bind(&plan.code)
            .execute(&mut *tx)
            .await?;
        let now = now_text();
        for t in targets {
            sqlx::query(
                "INSERT INTO unit_targets (plan_code, unit_code, indicator_code, milestone, target, source, loaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&plan.code)
            .bind(&t.unit)
            .bind(&t.indicator)
            .bind(t.milestone.map_or(String::new(), |d| d.to_string()))
            .bind(t.target)
            .bind(source)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        let entry = Entry {
            action: "update",
            entity: "unit_targets",
            key: &plan.code,
            unit: Some(plan.province.as_str()),
            before: Some(serde_json::json!({ "targets": before }).to_string()),
            after: Some(
                serde_json::json!({ "targets": targets.len(), "source": source }).to_string(),
            ),
        };
        append(&mut *tx, who, &entry).await?;
        crate::rollups::rebuild_in(&mut tx, self.backend(), plan).await?;
        tx.commit().await?;
        Ok(targets.len())
    }

    /// Every assigned target of `plan` with its unit's full name, by unit code then indicator.
    pub async fn assigned_targets(&self, plan: &str) -> Result<Vec<(AssignedTarget, String)>> {
        let rows: Vec<(String, String, String, f64, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS}, u.full_name FROM unit_targets t JOIN units u ON u.code = t.unit_code
                 WHERE t.plan_code = $1 ORDER BY t.unit_code, t.indicator_code, t.milestone"
            )))
            .bind(plan)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(unit, indicator, milestone, target, name)| {
                let target = AssignedTarget {
                    unit,
                    indicator,
                    milestone: milestone.parse().ok(),
                    target,
                    line: 0,
                };
                (target, name)
            })
            .collect())
    }

    /// The assigned targets of one unit.
    pub(crate) async fn assigned_of_unit(&self, plan: &str, unit: &str) -> Result<ByUnit> {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM unit_targets t WHERE t.plan_code = $1 AND t.unit_code = $2"
        )))
        .bind(plan)
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        Ok(by_unit(rows))
    }

    /// The assigned targets of the units of `kind` in the subtree at `path`.
    pub(crate) async fn assigned_of_kind(
        &self,
        plan: &str,
        path: &str,
        kind: UnitKind,
    ) -> Result<ByUnit> {
        let (lo, hi) = subtree_range(path);
        let units = match self.backend() {
            Backend::Sqlite => "units u INDEXED BY units_kind_path",
            Backend::Postgres => "units u",
        };
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM {units} CROSS JOIN unit_targets t
             WHERE u.kind = $4 AND u.path >= $2 AND u.path < $3
             AND t.plan_code = $1 AND t.unit_code = u.code"
        )))
        .bind(plan)
        .bind(lo)
        .bind(hi)
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(by_unit(rows))
    }

    /// The assigned targets of every unit in the subtree at `path`.
    pub(crate) async fn assigned_within(&self, plan: &str, path: &str) -> Result<ByUnit> {
        let (lo, hi) = subtree_range(path);
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM units u CROSS JOIN unit_targets t
             WHERE u.path >= $2 AND u.path < $3 AND t.plan_code = $1 AND t.unit_code = u.code"
        )))
        .bind(plan)
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?;
        Ok(by_unit(rows))
    }
}
