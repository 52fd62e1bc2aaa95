//! Weekly reports: one per plan, unit and week, with their values and status history.

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::db::{Backend, WriteTx, now_text};
use crate::error::{Result, StoreError};
use crate::rollups::{Refresh, lock_units, rebuild_in};
use chrono::NaiveDate;
use hocvuso_core::plan::Plan;

pub use hocvuso_core::report::Status;

/// One value of a report: the figure of `subject` (the reporting unit itself unless it reports on
/// behalf of others) for an indicator.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct NewValue {
    pub indicator: String,
    pub subject: String,
    pub numerator: f64,
    pub denominator: Option<f64>,
    /// Explanation of a warning (a decrease, a jump, a changed denominator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub plan: String,
    pub unit: String,
    pub week: NaiveDate,
    pub status: Status,
    pub difficulties: String,
    pub proposals: String,
    /// RFC 3339 UTC.
    pub submitted_at: Option<String>,
    pub synthetic: bool,
    pub values: Vec<NewValue>,
}

/// Why a decision refused a change: the deciding layer's own error, handed back to it unchanged
/// (see [`StoreError::Refused`]).
pub type Refusal = Box<dyn std::error::Error + Send + Sync>;

/// What to store for one unit-week, decided against the report as it stands inside the write
/// transaction, after the reporting unit is locked: the workflow step and the values of other
/// subjects kept are decided on the row that will be replaced, never on a copy read earlier.
pub type Decide =
    Arc<dyn Fn(Option<&ReportRecord>) -> std::result::Result<NewReport, Refusal> + Send + Sync>;

/// A change of one unit's report for one week (see [`Decide`]).
#[derive(Clone)]
pub struct ReportChange {
    pub unit: String,
    pub week: NaiveDate,
    pub decide: Decide,
}

impl ReportChange {
    pub fn new(
        unit: &str,
        week: NaiveDate,
        decide: impl Fn(Option<&ReportRecord>) -> std::result::Result<NewReport, Refusal>
        + Send
        + Sync
        + 'static,
    ) -> ReportChange {
        ReportChange {
            unit: unit.to_string(),
            week,
            decide: Arc::new(decide),
        }
    }

    /// The report stored as given, whatever is stored now (generated data, tests).
    pub fn replace(report: NewReport) -> ReportChange {
        let (unit, week) = (report.unit.clone(), report.week);
        ReportChange::new(&unit, week, move |_| Ok(report.clone()))
    }
}

impl std::fmt::Debug for ReportChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReportChange({} {})", self.unit, self.week)
    }
}

/// A stored report with its values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReportRecord {
    pub id: i64,
    pub unit: String,
    pub week: String,
    pub status: Status,
    pub difficulties: String,
    pub proposals: String,
    pub submitted_at: Option<String>,
    pub first_submitted_at: Option<String>,
    pub review_note: Option<String>,
    pub synthetic: bool,
    pub values: Vec<NewValue>,
}

/// One step of a report's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct ReportEvent {
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub reason: Option<String>,
    pub at: String,
}

/// The status of one unit-week, for completeness and timeliness.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WeekStatus {
    pub unit_code: String,
    pub week: String,
    pub status: String,
    pub first_submitted_at: Option<String>,
}

/// One week of one unit's reporting.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct UnitWeek {
    pub week: String,
    pub status: String,
    pub first_submitted_at: Option<String>,
    pub review_note: Option<String>,
    pub difficulties: String,
    pub proposals: String,
}

/// What a unit wrote as difficulties and proposals in one week.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct Concerns {
    pub unit_code: String,
    pub unit_name: String,
    pub week: String,
    pub status: String,
    pub difficulties: String,
    pub proposals: String,
}

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A reported (numerator, denominator) in a weekly series.
type Point = (f64, Option<f64>);

type HeadRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

impl Store {
    /// The report of a unit for a week, with its values.
    pub async fn report(
        &self,
        plan: &str,
        unit: &str,
        week: NaiveDate,
    ) -> Result<Option<ReportRecord>> {
        let mut conn = self.pool.acquire().await?;
        report_in(&mut conn, plan, unit, week).await
    }

    /// The status history of a report, oldest first.
    pub async fn report_events(&self, report_id: i64) -> Result<Vec<ReportEvent>> {
        Ok(sqlx::query_as(
            "SELECT from_status, to_status, actor, reason, at FROM report_events WHERE report_id = $1 ORDER BY id",
        )
        .bind(report_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Approves or returns a report: `decide` sees the report as it stands once its unit is locked
    /// and gives the new status and the reason shown to the unit; the status, the event and the audit
    /// entry are written in the same transaction. `at` is the instant of the decision as the campaign
    /// sees it (RFC 3339 UTC). Returns the new status.
    pub async fn review_report(
        &self,
        plan: &Plan,
        (unit, week): (&str, NaiveDate),
        decide: impl FnOnce(&ReportRecord) -> std::result::Result<(Status, Option<String>), Refusal>,
        at: &str,
        who: &Who,
    ) -> Result<Status> {
        let mut tx = self.begin_write().await?;
        let reporter = BTreeSet::from([unit.to_string()]);
        lock_units(&mut tx, self.backend(), &reporter).await?;
        let refresh = Refresh::begin(
            &mut tx,
            self.backend(),
            plan,
            &[(unit.to_string(), week)],
            [],
        )
        .await?;
        let report = report_in(&mut tx, &plan.code, unit, week)
            .await?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "{unit} chưa có báo cáo kỳ {}",
                    hocvuso_core::format::date(week)
                ))
            })?;
        let (to, reason) = decide(&report).map_err(StoreError::Refused)?;
        let reason = reason.as_deref();
        let from = report.status.as_str();
        let key = format!("{}:{unit}:{week}", plan.code);
        let now = now_text();
        sqlx::query("UPDATE reports SET status = $2, review_note = COALESCE($3, review_note), updated_at = $4 WHERE id = $1")
            .bind(report.id)
            .bind(to.as_str())
            .bind(reason)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO report_events (report_id, from_status, to_status, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(report.id)
        .bind(from)
        .bind(to.as_str())
        .bind(&who.name)
        .bind(reason)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let entry = Entry {
            action: if to == Status::Approved {
                "approve"
            } else {
                "return"
            },
            entity: "report",
            key: &key,
            unit: Some(unit),
            before: Some(serde_json::json!({ "status": from }).to_string()),
            after: Some(serde_json::json!({ "status": to, "reason": reason }).to_string()),
        };
        append(&mut *tx, who, &entry).await?;
        refresh.finish(&mut tx, plan).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// What the unit reported before `week`, per indicator: the latest figure, and the weekly increases
    /// of up to the last five reported weeks (submitted or approved).
    pub async fn previous_figures(
        &self,
        plan: &str,
        unit: &str,
        week: NaiveDate,
    ) -> Result<std::collections::BTreeMap<String, hocvuso_core::report::Previous>> {
        Ok(self
            .previous_figures_by(plan, unit, week)
            .await?
            .remove(unit)
            .unwrap_or_default())
    }

    /// What `reporter` reported before `week` about each subject (itself, or the units it reports on
    /// behalf of): subject → indicator → previous figure and recent weekly increases.
    pub async fn previous_figures_by(
        &self,
        plan: &str,
        reporter: &str,
        week: NaiveDate,
    ) -> Result<
        std::collections::BTreeMap<
            String,
            std::collections::BTreeMap<String, hocvuso_core::report::Previous>,
        >,
    > {
        let rows: Vec<(String, String, f64, Option<f64>)> = sqlx::query_as(
            "SELECT v.subject_code, v.indicator_code, v.numerator, v.denominator FROM report_values v
             JOIN reports r ON r.id = v.report_id
             WHERE r.plan_code = $1 AND r.unit_code = $2 AND r.week < $3 AND r.status IN ('submitted', 'approved')
             ORDER BY v.subject_code, v.indicator_code, r.week",
        )
        .bind(plan)
        .bind(reporter)
        .bind(week.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut series: BTreeMap<(String, String), Vec<Point>> = BTreeMap::new();
        for (subject, indicator, numerator, denominator) in rows {
            series
                .entry((subject, indicator))
                .or_default()
                .push((numerator, denominator));
        }
        let mut out: std::collections::BTreeMap<
            String,
            std::collections::BTreeMap<String, hocvuso_core::report::Previous>,
        > = Default::default();
        for ((subject, indicator), s) in series {
            let last = *s.last().expect("grouped rows are not empty");
            let tail = &s[s.len().saturating_sub(5)..];
            let previous = hocvuso_core::report::Previous {
                numerator: last.0,
                denominator: last.1,
                recent_increments: tail.windows(2).map(|w| w[1].0 - w[0].0).collect(),
            };
            out.entry(subject).or_default().insert(indicator, previous);
        }
        Ok(out)
    }

    /// Statuses of the reports of a plan within a subtree, for the given weeks.
    pub async fn week_statuses(&self, plan: &str, within_path: &str) -> Result<Vec<WeekStatus>> {
        let (lo, hi) = crate::units::subtree_range(within_path);
        Ok(sqlx::query_as(
            // Units first (by the path index), then each one's reports: the plan's reports of the
            // whole country are never scanned for one province.
            "SELECT r.unit_code, r.week, r.status, r.first_submitted_at FROM units u CROSS JOIN reports r
             WHERE u.path >= $2 AND u.path < $3 AND r.unit_code = u.code AND r.plan_code = $1",
        )
        .bind(plan)
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every report of one unit, latest week first.
    pub async fn unit_history(&self, plan: &str, unit: &str) -> Result<Vec<UnitWeek>> {
        Ok(sqlx::query_as(
            "SELECT week, status, first_submitted_at, review_note, difficulties, proposals FROM reports
             WHERE plan_code = $1 AND unit_code = $2 ORDER BY week DESC",
        )
        .bind(plan)
        .bind(unit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Reports waiting for review (submitted), within a subtree, oldest week first.
    pub async fn review_queue(
        &self,
        plan: &str,
        within_path: &str,
        week: Option<NaiveDate>,
    ) -> Result<Vec<Concerns>> {
        self.concerns(plan, within_path, week, "r.status = 'submitted'")
            .await
    }

    /// Difficulties and proposals written in a week (any counted report), within a subtree.
    pub async fn week_concerns(
        &self,
        plan: &str,
        within_path: &str,
        week: NaiveDate,
    ) -> Result<Vec<Concerns>> {
        self.concerns(
            plan,
            within_path,
            Some(week),
            "r.status IN ('submitted', 'approved') AND (r.difficulties <> '' OR r.proposals <> '')",
        )
        .await
    }

    async fn concerns(
        &self,
        plan: &str,
        within_path: &str,
        week: Option<NaiveDate>,
        condition: &'static str,
    ) -> Result<Vec<Concerns>> {
        let (lo, hi) = crate::units::subtree_range(within_path);
        let sql = format!(
            "SELECT r.unit_code, u.full_name AS unit_name, r.week, r.status, r.difficulties, r.proposals
             FROM units u CROSS JOIN reports r
             WHERE u.path >= $2 AND u.path < $3 AND r.unit_code = u.code AND r.plan_code = $1
             AND ($4 = '' OR r.week = $4) AND {condition}
             ORDER BY r.week, u.path"
        );
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(plan)
            .bind(lo)
            .bind(hi)
            .bind(week.map_or(String::new(), |w| w.to_string()))
            .fetch_all(&self.pool)
            .await?)
    }

    /// Stores a report with its values as given (replacing the values of an earlier version) and
    /// records the status change. Returns the report id.
    pub async fn put_report(&self, plan: &Plan, r: &NewReport, who: &Who) -> Result<i64> {
        Ok(self.put_reports(plan, std::slice::from_ref(r), who).await?[0])
    }

    /// Stores many reports of `plan` as given, in one transaction with the roll-ups: all or none.
    pub async fn put_reports(
        &self,
        plan: &Plan,
        reports: &[NewReport],
        who: &Who,
    ) -> Result<Vec<i64>> {
        let changes = reports.iter().cloned().map(ReportChange::replace).collect();
        self.put_grouped(plan, changes, who).await
    }

    /// Stores what `change` decides against the report as it stands in the write transaction; a
    /// refusal changes nothing and comes back as [`StoreError::Refused`]. On SQLite the transaction
    /// may also hold other writers' reports (see `group_commit`). Returns the report id.
    pub async fn change_report(&self, plan: &Plan, change: ReportChange, who: &Who) -> Result<i64> {
        Ok(self.put_grouped(plan, vec![change], who).await?[0])
    }

    /// The latest submitted or approved figures of `unit` (as its own subject) before `week`:
    /// indicator → (week, numerator, denominator).
    pub async fn latest_values(
        &self,
        plan: &str,
        unit: &str,
        week: NaiveDate,
    ) -> Result<std::collections::BTreeMap<String, (String, f64, Option<f64>)>> {
        let rows: Vec<(String, String, f64, Option<f64>)> = sqlx::query_as(
            "SELECT v.indicator_code, r.week, v.numerator, v.denominator FROM report_values v
             JOIN reports r ON r.id = v.report_id
             WHERE r.plan_code = $1 AND r.unit_code = $2 AND v.subject_code = $2 AND r.week < $3
               AND r.status IN ('submitted', 'approved')
             ORDER BY r.week",
        )
        .bind(plan)
        .bind(unit)
        .bind(week.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(i, w, n, d)| (i, (w, n, d)))
            .collect())
    }

    /// How many reports a plan has (any status).
    pub async fn count_reports(&self, plan: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE plan_code = $1")
                .bind(plan)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Removes the generated (synthetic) reports of a plan, before the demo regenerates them.
    pub async fn delete_synthetic_reports(&self, plan: &Plan, who: &Who) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let plan_model = plan;
        let plan = plan.code.as_str();
        for sql in [
            "DELETE FROM report_values WHERE report_id IN (SELECT id FROM reports WHERE plan_code = $1 AND synthetic = 1)",
            "DELETE FROM report_events WHERE report_id IN (SELECT id FROM reports WHERE plan_code = $1 AND synthetic = 1)",
        ] {
            sqlx::query(sql).bind(plan).execute(&mut *tx).await?;
        }
        let done = sqlx::query("DELETE FROM reports WHERE plan_code = $1 AND synthetic = 1")
            .bind(plan)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            let key = format!("{plan}:synthetic");
            let entry = Entry {
                action: "delete",
                entity: "report",
                key: &key,
                unit: None,
                before: Some(
                    serde_json::json!({ "synthetic_reports": done.rows_affected() }).to_string(),
                ),
                after: None,
            };
            append(&mut *tx, who, &entry).await?;
        }
        rebuild_in(&mut tx, self.backend(), plan_model).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

/// Writes the changes of several requests for `plan` (each `(changes, who)`) and refreshes the
/// roll-ups once for all of them. The reporting units are locked first, then every change is decided
/// against its report as stored; a request with a refused change writes nothing and gets the
/// refusal. Returns each request's report ids or refusal; an error fails the whole transaction.
/// No two requests may change the same unit-week (`group_commit` never groups them).
pub(crate) async fn write_reports(
    tx: &mut WriteTx,
    backend: Backend,
    plan: &Plan,
    requests: &[(&[ReportChange], &Who)],
) -> Result<Vec<Result<Vec<i64>>>> {
    let reporters: BTreeSet<String> = requests
        .iter()
        .flat_map(|(changes, _)| changes.iter().map(|c| c.unit.clone()))
        .collect();
    lock_units(tx, backend, &reporters).await?;
    let mut decided: Vec<Result<Decided>> = Vec::with_capacity(requests.len());
    for (changes, _) in requests {
        decided.push(decide_all(tx, plan, changes).await?);
    }
    let accepted = decided.iter().flatten().flatten();
    let keys: Vec<(String, NaiveDate)> = accepted
        .clone()
        .map(|(r, _)| (r.unit.clone(), r.week))
        .collect();
    let values = accepted
        .flat_map(|(r, _)| &r.values)
        .map(|v| (v.indicator.clone(), v.subject.clone()));
    let refresh = Refresh::begin(tx, backend, plan, &keys, values).await?;
    let mut ids = Vec::with_capacity(requests.len());
    for (decision, (_, who)) in decided.into_iter().zip(requests) {
        ids.push(match decision {
            Ok(reports) => {
                let mut these = Vec::with_capacity(reports.len());
                for (r, stored) in &reports {
                    these.push(put_in(tx, r, stored.as_ref(), who).await?);
                }
                Ok(these)
            }
            Err(refused) => Err(refused),
        });
    }
    refresh.finish(tx, plan).await?;
    Ok(ids)
}

/// The reports one request will write, each with the stored report it replaces.
type Decided = Vec<(NewReport, Option<ReportRecord>)>;

/// Decides each change of one request against its stored report: every report to write with the
/// one it replaces, or the first refusal (outer error: the transaction failed).
async fn decide_all(
    tx: &mut WriteTx,
    plan: &Plan,
    changes: &[ReportChange],
) -> Result<Result<Decided>> {
    let mut decided = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        if changes[..i]
            .iter()
            .any(|c| (&c.unit, c.week) == (&change.unit, change.week))
        {
            return Ok(Err(StoreError::Conflict(format!(
                "báo cáo của {} kỳ {} có hai lần trong một lần ghi",
                change.unit,
                hocvuso_core::format::date(change.week)
            ))));
        }
        let stored = report_in(tx, &plan.code, &change.unit, change.week).await?;
        let new = match (change.decide)(stored.as_ref()) {
            Ok(new) => new,
            Err(refusal) => return Ok(Err(StoreError::Refused(refusal))),
        };
        if (new.plan.as_str(), new.unit.as_str(), new.week)
            != (plan.code.as_str(), change.unit.as_str(), change.week)
        {
            return Ok(Err(StoreError::Conflict(format!(
                "báo cáo {}:{}:{} không phải báo cáo được yêu cầu ghi ({}:{}:{})",
                new.plan, new.unit, new.week, plan.code, change.unit, change.week
            ))));
        }
        decided.push((new, stored));
    }
    Ok(Ok(decided))
}

/// The report of a unit for a week, with its values, on one connection (inside a transaction: as
/// it stands there).
async fn report_in(
    conn: &mut sqlx::AnyConnection,
    plan: &str,
    unit: &str,
    week: NaiveDate,
) -> Result<Option<ReportRecord>> {
    let head: Option<HeadRow> = sqlx::query_as(
        "SELECT id, status, difficulties, proposals, submitted_at, first_submitted_at, review_note, synthetic
         FROM reports WHERE plan_code = $1 AND unit_code = $2 AND week = $3",
    )
    .bind(plan)
    .bind(unit)
    .bind(week.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        id,
        status,
        difficulties,
        proposals,
        submitted_at,
        first_submitted_at,
        review_note,
        synthetic,
    )) = head
    else {
        return Ok(None);
    };
    let values = values_of(&mut *conn, id).await?;
    Ok(Some(ReportRecord {
        id,
        unit: unit.to_string(),
        week: week.to_string(),
        status: Status::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("trạng thái «{status}»")))?,
        difficulties,
        proposals,
        submitted_at,
        first_submitted_at,
        review_note,
        synthetic: synthetic != 0,
        values,
    }))
}

async fn put_in(
    tx: &mut WriteTx,
    r: &NewReport,
    stored: Option<&ReportRecord>,
    who: &Who,
) -> Result<i64> {
    let now = now_text();
    let before = stored.map(|s| {
        (
            s.id,
            content(
                s.status.as_str(),
                &s.difficulties,
                &s.proposals,
                s.values.clone(),
            ),
            s.submitted_at.clone(),
        )
    });
    // Sending the same report again is a no-op: it keeps its first submission time.
    if let Some((id, content, _)) = &before
        && *content == content_of(r)
    {
        return Ok(*id);
    }
    let previous: Option<String> = before
        .as_ref()
        .and_then(|(_, content, _)| content["status"].as_str().map(str::to_string));
    let before = before.map(|(_, content, submitted_at)| with_time(content, submitted_at));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reports (plan_code, unit_code, week, status, difficulties, proposals, submitted_at, synthetic,
                              created_at, updated_at, first_submitted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)
         ON CONFLICT (plan_code, unit_code, week) DO UPDATE SET status = excluded.status,
             difficulties = excluded.difficulties, proposals = excluded.proposals,
             submitted_at = excluded.submitted_at, synthetic = excluded.synthetic, updated_at = excluded.updated_at,
             first_submitted_at = COALESCE(reports.first_submitted_at, excluded.first_submitted_at)
         RETURNING id",
    )
    .bind(&r.plan)
    .bind(&r.unit)
    .bind(r.week.to_string())
    .bind(r.status.as_str())
    .bind(&r.difficulties)
    .bind(&r.proposals)
    .bind(r.submitted_at.as_deref())
    .bind(r.synthetic as i64)
    .bind(&now)
    .bind(r.submitted_at.as_deref().filter(|_| r.status.counts()))
    .fetch_one(&mut **tx)
    .await?;
    if before.is_some() {
        sqlx::query("DELETE FROM report_values WHERE report_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    for chunk in r.values.chunks(100) {
        // Not a cached statement: its length varies, and sqlx 0.9's Any driver declares a NULL f64 as
        // float4 to PostgreSQL, so a statement first prepared with no denominator would reject every
        // later 8-byte denominator.
        let rows = (0..chunk.len())
            .map(|i| {
                let p = i * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO report_values (report_id, indicator_code, subject_code, numerator, denominator, comment)
             VALUES {rows}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for v in chunk {
            q = q
                .bind(id)
                .bind(&v.indicator)
                .bind(&v.subject)
                .bind(v.numerator)
                .bind(v.denominator)
                .bind(v.comment.as_deref());
        }
        q.execute(&mut **tx).await?;
    }
    if previous.as_deref() != Some(r.status.as_str()) {
        sqlx::query("INSERT INTO report_events (report_id, from_status, to_status, actor, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(previous)
            .bind(r.status.as_str())
            .bind(&who.name)
            .bind(r.submitted_at.as_deref().unwrap_or(&now))
            .execute(&mut **tx)
            .await?;
    }
    let key = format!("{}:{}:{}", r.plan, r.unit, r.week);
    let entry = Entry {
        action: if before.is_some() { "update" } else { "create" },
        entity: "report",
        key: &key,
        unit: Some(&r.unit),
        before,
        after: Some(with_time(content_of(r), r.submitted_at.clone())),
    };
    append(&mut **tx, who, &entry).await?;
    Ok(id)
}

/// What a report says (status, texts, values in a fixed order), for comparison and the audit log.
fn content(
    status: &str,
    difficulties: &str,
    proposals: &str,
    mut values: Vec<NewValue>,
) -> serde_json::Value {
    values.sort_by(|a, b| (&a.indicator, &a.subject).cmp(&(&b.indicator, &b.subject)));
    serde_json::json!({ "status": status, "difficulties": difficulties, "proposals": proposals, "values": values })
}

fn content_of(r: &NewReport) -> serde_json::Value {
    content(
        r.status.as_str(),
        r.difficulties.trim(),
        r.proposals.trim(),
        r.values.clone(),
    )
}

fn with_time(mut content: serde_json::Value, submitted_at: Option<String>) -> String {
    content["submitted_at"] = serde_json::json!(submitted_at);
    content.to_string()
}

/// The values of a report, in a fixed order.
async fn values_of<'e, E>(executor: E, report_id: i64) -> Result<Vec<NewValue>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(
        "SELECT indicator_code AS indicator, subject_code AS subject, numerator, denominator, comment
         FROM report_values WHERE report_id = $1 ORDER BY indicator_code, subject_code",
    )
    .bind(report_id)
    .fetch_all(executor)
    .await?)
}
