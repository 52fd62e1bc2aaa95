//! The audit log: appended in the same transaction as the change it records, never updated or deleted
//! (no code path here does, and triggers in both schemas refuse it).

use crate::Store;
use crate::db::now_text;
use crate::error::Result;
use serde::Serialize;
use sqlx::{AssertSqlSafe, FromRow};

/// Who is acting, for the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct Who {
    pub user_id: Option<i64>,
    /// Username, or what acted without an account ("cli", "demo", "system").
    pub name: String,
    pub ip: Option<String>,
}

impl Who {
    pub fn system(name: &str) -> Who {
        Who {
            user_id: None,
            name: name.into(),
            ip: None,
        }
    }
}

/// One change or event to record.
#[derive(Debug, Clone, Default)]
pub struct Entry<'a> {
    /// "create", "update", "delete", "login", "login_failed", "logout", "revoke", …
    pub action: &'a str,
    /// "unit", "report", "plan", "user", "api_token", "session", "denominator", …
    pub entity: &'a str,
    pub key: &'a str,
    pub unit: Option<&'a str>,
    /// JSON of the record before and after.
    pub before: Option<String>,
    pub after: Option<String>,
}

pub(crate) async fn append<'e, E>(executor: E, who: &Who, e: &Entry<'_>) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, user_id, actor, ip, action, entity, entity_key, unit_code, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(now_text())
    .bind(who.user_id)
    .bind(&who.name)
    .bind(who.ip.as_deref())
    .bind(e.action)
    .bind(e.entity)
    .bind(e.key)
    .bind(e.unit)
    .bind(e.before.as_deref())
    .bind(e.after.as_deref())
    .execute(executor)
    .await?;
    Ok(())
}

/// JSON text of a value, for `before`/`after`.
pub(crate) fn json<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_key: String,
    pub unit_code: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries about this unit or any unit below it.
    pub unit: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    /// Inclusive dates (UTC), "YYYY-MM-DD".
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Records an event that is not part of a data change (logins, logouts).
    pub async fn audit(&self, who: &Who, entry: &Entry<'_>) -> Result<()> {
        append(&self.pool, who, entry).await
    }

    /// Entries matching a filter, newest first, and how many match in all.
    pub async fn audit_entries(&self, f: &AuditFilter) -> Result<(Vec<AuditRecord>, i64)> {
        let mut conditions = vec!["1 = 1".to_string()];
        let mut binds: Vec<String> = Vec::new();
        let mut bind = |v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(unit) = &f.unit {
            let (lo, hi) = match self.unit(unit).await? {
                Some(u) => crate::units::subtree_range(&u.path),
                None => (format!("/{unit}/"), format!("/{unit}0")),
            };
            let (eq, lo, hi) = (bind(unit.clone()), bind(lo), bind(hi));
            conditions.push(format!(
                "(unit_code = {eq} OR unit_code IN (SELECT code FROM units WHERE path >= {lo} AND path < {hi}))"
            ));
        }
        if let Some(actor) = &f.actor {
            let a = bind(actor.clone());
            conditions.push(format!("actor = {a}"));
        }
        if let Some(action) = &f.action {
            let a = bind(action.clone());
            conditions.push(format!("action = {a}"));
        }
        if let Some(entity) = &f.entity {
            let e = bind(entity.clone());
            conditions.push(format!("entity = {e}"));
        }
        if let Some(from) = &f.from {
            let d = bind(from.clone());
            conditions.push(format!("at >= {d}"));
        }
        if let Some(to) = &f.to {
            // Dates are inclusive: everything before the next day's first instant.
            let d = bind(format!("{to}T99"));
            conditions.push(format!("at < {d}"));
        }
        let filter = conditions.join(" AND ");
        let sql = format!(
            "SELECT id, at, user_id, actor, ip, action, entity, entity_key, unit_code, before, after FROM audit_log
             WHERE {filter} ORDER BY id DESC LIMIT {} OFFSET {}",
            f.limit.clamp(1, 100_000),
            f.offset.max(0)
        );
        let mut q = sqlx::query_as::<_, AuditRecord>(AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut c = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM audit_log WHERE {filter}"
        )));
        for b in &binds {
            c = c.bind(b.as_str());
        }
        Ok((rows, c.fetch_one(&self.pool).await?))
    }
}
