//! Weekly reports: one per plan, unit and week, with their values and status history.

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::db::now_text;
use crate::error::Result;
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// One value of a report: the figure of `subject` (the reporting unit itself unless it reports on
/// behalf of others) for an indicator.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewValue {
    pub indicator: String,
    pub subject: String,
    pub numerator: f64,
    pub denominator: Option<f64>,
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

impl Store {
    /// Stores a report with its values (replacing the values of an earlier version) and records the
    /// status change. Returns the report id.
    pub async fn put_report(&self, r: &NewReport, who: &Who) -> Result<i64> {
        Ok(self.put_reports(std::slice::from_ref(r), who).await?[0])
    }

    /// Stores many reports in one transaction: all or none.
    pub async fn put_reports(&self, reports: &[NewReport], who: &Who) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(reports.len());
        for r in reports {
            ids.push(put_in(&mut tx, r, who).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// The latest submitted or approved figures of `unit` (as its own subject) on or before `week`:
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
             WHERE r.plan_code = $1 AND r.unit_code = $2 AND v.subject_code = $2 AND r.week <= $3
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
    pub async fn delete_synthetic_reports(&self, plan: &str, who: &Who) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
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
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}

async fn put_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    r: &NewReport,
    who: &Who,
) -> Result<i64> {
    let now = now_text();
    let before = stored_report(tx, r).await?;
    // Sending the same report again is a no-op: it keeps its first submission time.
    if let Some((id, content, _)) = &before
        && *content == content_of(r)
    {
        return Ok(*id);
    }
    let before = before.map(|(_, content, submitted_at)| with_time(content, submitted_at));
    let previous: Option<String> = sqlx::query_scalar(
        "SELECT status FROM reports WHERE plan_code = $1 AND unit_code = $2 AND week = $3",
    )
    .bind(&r.plan)
    .bind(&r.unit)
    .bind(r.week.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reports (plan_code, unit_code, week, status, difficulties, proposals, submitted_at, synthetic,
                              created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (plan_code, unit_code, week) DO UPDATE SET status = excluded.status,
             difficulties = excluded.difficulties, proposals = excluded.proposals,
             submitted_at = excluded.submitted_at, synthetic = excluded.synthetic, updated_at = excluded.updated_at
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
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM report_values WHERE report_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for v in &r.values {
        // Not a cached statement: sqlx 0.9's Any driver declares a NULL f64 as float4 to PostgreSQL, so a
        // statement first prepared with no denominator would reject every later 8-byte denominator.
        sqlx::query(
            "INSERT INTO report_values (report_id, indicator_code, subject_code, numerator, denominator)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&v.indicator)
        .bind(&v.subject)
        .bind(v.numerator)
        .bind(v.denominator)
        .persistent(false)
        .execute(&mut **tx)
        .await?;
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

/// The stored report of `r`'s plan, unit and week: id, content, submission time.
async fn stored_report(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    r: &NewReport,
) -> Result<Option<(i64, serde_json::Value, Option<String>)>> {
    let head: Option<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, status, difficulties, proposals, submitted_at FROM reports
         WHERE plan_code = $1 AND unit_code = $2 AND week = $3",
    )
    .bind(&r.plan)
    .bind(&r.unit)
    .bind(r.week.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, status, difficulties, proposals, submitted_at)) = head else {
        return Ok(None);
    };
    let values: Vec<(String, String, f64, Option<f64>)> = sqlx::query_as(
        "SELECT indicator_code, subject_code, numerator, denominator FROM report_values WHERE report_id = $1",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let values = values
        .into_iter()
        .map(|(indicator, subject, numerator, denominator)| NewValue {
            indicator,
            subject,
            numerator,
            denominator,
        })
        .collect();
    Ok(Some((
        id,
        content(&status, &difficulties, &proposals, values),
        submitted_at,
    )))
}
