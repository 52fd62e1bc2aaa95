//! Plans as stored: the file text verbatim, validated again whenever it is read.

use crate::Store;
use crate::audit::{Entry, Who, append, json};
use crate::db::now_text;
use crate::error::{Result, StoreError};
use hocvuso_core::plan::{Plan, parse_plan};

impl Store {
    /// Stores a plan (already validated by the caller) and makes it the active one.
    pub async fn save_plan(&self, plan: &Plan, source: &str, who: &Who) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let stored: Option<(String, i64)> =
            sqlx::query_as("SELECT source, active FROM plans WHERE code = $1")
                .bind(&plan.code)
                .fetch_optional(&mut *tx)
                .await?;
        // The roll-ups of the active plan follow every change; those of another are rebuilt when it
        // becomes active again.
        let unchanged = stored
            .as_ref()
            .is_some_and(|(s, active)| s == source && *active == 1);
        let before = stored.map(|(s, _)| s);
        if before.as_deref() != Some(source) {
            let entry = Entry {
                action: if before.is_some() { "update" } else { "create" },
                entity: "plan",
                key: &plan.code,
                unit: Some(plan.province.as_str()),
                before: before.as_ref().and_then(json),
                after: json(&source),
            };
            append(&mut *tx, who, &entry).await?;
        }
        sqlx::query("UPDATE plans SET active = 0")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO plans (code, source, loaded_at, active) VALUES ($1, $2, $3, 1)
             ON CONFLICT (code) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at, active = 1",
        )
        .bind(&plan.code)
        .bind(source)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        if !unchanged {
            crate::rollups::rebuild_in(&mut tx, self.backend(), plan).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The active plan, parsed.
    pub async fn active_plan(&self) -> Result<Option<Plan>> {
        let source: Option<String> =
            sqlx::query_scalar("SELECT source FROM plans WHERE active = 1")
                .fetch_optional(&self.pool)
                .await?;
        parse_stored(source)
    }
}

/// A stored plan's text, parsed (it was validated when saved; a failure means the parser changed).
pub(crate) fn parse_stored(source: Option<String>) -> Result<Option<Plan>> {
    source
        .map(|s| {
            parse_plan(&s).map_err(|errors| {
                StoreError::Corrupt(format!(
                    "kế hoạch đang dùng không còn hợp lệ: {}",
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            })
        })
        .transpose()
}
