//! What official documents take from the database besides figures: each issuing unit's letterhead
//! (edited by the secretariat, or by a unit for its own documents) and the officer's "next week's
//! tasks" of a weekly report. Every change is audited with its before and after.

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::db::now_text;
use crate::error::{Result, StoreError};
use chrono::NaiveDate;
use hocvuso_core::official::Letterhead;

impl Store {
    /// The letterhead saved for a unit's documents, if any.
    pub async fn letterhead(&self, plan: &str, unit: &str) -> Result<Option<Letterhead>> {
        let text: Option<String> = sqlx::query_scalar(
            "SELECT letterhead FROM document_letterheads WHERE plan_code = $1 AND unit_code = $2",
        )
        .bind(plan)
        .bind(unit)
        .fetch_optional(&self.pool)
        .await?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| {
                StoreError::Corrupt(format!("mẫu văn bản của đơn vị {unit} không đọc được: {e}"))
            })
        })
        .transpose()
    }

    pub async fn set_letterhead(
        &self,
        plan: &str,
        unit: &str,
        letterhead: &Letterhead,
        who: &Who,
    ) -> Result<()> {
        let before = self.letterhead(plan, unit).await?;
        let after = serde_json::to_string(letterhead).expect("a letterhead serialises");
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO document_letterheads (plan_code, unit_code, letterhead, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (plan_code, unit_code)
             DO UPDATE SET letterhead = excluded.letterhead, updated_at = excluded.updated_at",
        )
        .bind(plan)
        .bind(unit)
        .bind(&after)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        let entry = Entry {
            action: if before.is_some() { "update" } else { "create" },
            entity: "document_letterhead",
            key: unit,
            unit: Some(unit),
            before: before.map(|b| serde_json::to_string(&b).expect("a letterhead serialises")),
            after: Some(after),
        };
        append(&mut *tx, who, &entry).await?;
        tx.commit().await
    }

    /// The officer's "next week's tasks" for a unit's report of `week` (its reporting day).
    pub async fn next_tasks(
        &self,
        plan: &str,
        unit: &str,
        week: NaiveDate,
    ) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT next_tasks FROM document_notes
             WHERE plan_code = $1 AND unit_code = $2 AND week = $3",
        )
        .bind(plan)
        .bind(unit)
        .bind(week.to_string())
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn set_next_tasks(
        &self,
        plan: &str,
        unit: &str,
        week: NaiveDate,
        text: &str,
        who: &Who,
    ) -> Result<()> {
        let before = self.next_tasks(plan, unit, week).await?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO document_notes (plan_code, unit_code, week, next_tasks, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (plan_code, unit_code, week)
             DO UPDATE SET next_tasks = excluded.next_tasks, updated_at = excluded.updated_at",
        )
        .bind(plan)
        .bind(unit)
        .bind(week.to_string())
        .bind(text)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
        let key = format!("{unit}/{week}");
        let entry = Entry {
            action: if before.is_some() { "update" } else { "create" },
            entity: "document_note",
            key: &key,
            unit: Some(unit),
            before: before.map(|b| serde_json::json!({ "next_tasks": b }).to_string()),
            after: Some(serde_json::json!({ "next_tasks": text }).to_string()),
        };
        append(&mut *tx, who, &entry).await?;
        tx.commit().await
    }
}
