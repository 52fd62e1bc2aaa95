//! Merging units (Vietnam merged communes in 2025 and will again) without rewriting history: a merged
//! unit keeps its row, its reports and its figures, and counts until the day of the merger; from that
//! day its successor counts instead. Its active children (villages, enterprises, schools) move under
//! the successor, with their whole history.

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::error::{Result, StoreError};
use crate::units::{UNIT_COLUMNS_U, UnitRecord, subtree_range};
use chrono::NaiveDate;

impl Store {
    /// Merges the units `from` into `into` on `on`: each stops counting that day (`valid_to`) and
    /// names its successor; its active children move under `into`. All or nothing; the roll-ups of the
    /// active plan are rebuilt in the same transaction.
    pub async fn merge_units(
        &self,
        into: &str,
        from: &[String],
        on: NaiveDate,
        who: &Who,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let lookup = format!(
            "SELECT {UNIT_COLUMNS_U} FROM units u WHERE u.code = $1 AND u.valid_to IS NULL"
        );
        let target: Option<UnitRecord> = sqlx::query_as(sqlx::AssertSqlSafe(lookup.clone()))
            .bind(into)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(target) = target else {
            return Err(StoreError::Conflict(format!(
                "không có đơn vị mã «{into}» đang hoạt động để nhận sáp nhập"
            )));
        };
        if from.is_empty() {
            return Err(StoreError::Conflict(
                "chưa nêu đơn vị nào được sáp nhập".into(),
            ));
        }
        let mut merged = Vec::new();
        for code in from {
            if code == into {
                return Err(StoreError::Conflict(format!(
                    "đơn vị «{code}» không thể sáp nhập vào chính nó"
                )));
            }
            let unit: Option<UnitRecord> = sqlx::query_as(sqlx::AssertSqlSafe(lookup.clone()))
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(unit) = unit else {
                return Err(StoreError::Conflict(format!(
                    "không có đơn vị mã «{code}» đang hoạt động để sáp nhập"
                )));
            };
            if unit.kind != target.kind {
                return Err(StoreError::Conflict(format!(
                    "«{}» là {}, còn «{}» là {}: chỉ sáp nhập các đơn vị cùng loại",
                    unit.full_name, unit.kind, target.full_name, target.kind
                )));
            }
            if target.path.starts_with(&unit.path) {
                return Err(StoreError::Conflict(format!(
                    "«{}» nằm trong «{}»",
                    target.full_name, unit.full_name
                )));
            }
            merged.push(unit);
        }
        for unit in &merged {
            let valid_from: String =
                sqlx::query_scalar("SELECT valid_from FROM units WHERE code = $1")
                    .bind(&unit.code)
                    .fetch_one(&mut *tx)
                    .await?;
            if valid_from.as_str() >= on.to_string().as_str() {
                let since = valid_from
                    .parse::<NaiveDate>()
                    .map_or(valid_from.clone(), hocvuso_core::format::date);
                return Err(StoreError::Conflict(format!(
                    "«{}» có hiệu lực từ {since}, không thể sáp nhập từ {}",
                    unit.full_name,
                    hocvuso_core::format::date(on)
                )));
            }
            sqlx::query("UPDATE units SET valid_to = $2, successor_code = $3 WHERE code = $1")
                .bind(&unit.code)
                .bind(on.to_string())
                .bind(into)
                .execute(&mut *tx)
                .await?;
            // Its active descendants move under the successor: paths below it change prefix.
            let (lo, hi) = subtree_range(&unit.path);
            let start = unit.path.len() as i32 + 1;
            sqlx::query(
                "UPDATE units SET path = $3 || substr(path, $4) WHERE path > $1 AND path < $2 AND valid_to IS NULL",
            )
            .bind(&lo)
            .bind(&hi)
            .bind(&target.path)
            .bind(start)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE units SET parent_code = $2 WHERE parent_code = $1 AND valid_to IS NULL",
            )
            .bind(&unit.code)
            .bind(into)
            .execute(&mut *tx)
            .await?;
            let entry = Entry {
                action: "merge",
                entity: "unit",
                key: &unit.code,
                unit: Some(&unit.code),
                before: None,
                after: Some(
                    serde_json::json!({ "successor": into, "valid_to": on.to_string() })
                        .to_string(),
                ),
            };
            append(&mut *tx, who, &entry).await?;
        }
        crate::rollups::rebuild_active(&mut tx, self.backend()).await?;
        tx.commit().await?;
        Ok(())
    }
}
