//! Raw tables for analysis elsewhere (`hocvuso export`): the units, their denominators, the reports,
//! their values and the assigned targets, as text. Nothing about people or accounts.

use crate::Store;
use crate::error::Result;

/// (file name, columns, ordering key). Every column is read as text.
pub const TABLES: [(&str, &[&str], &str); 5] = [
    (
        "units",
        &[
            "code",
            "name",
            "full_name",
            "kind",
            "unit_type",
            "parent_code",
            "path",
            "synthetic",
            "valid_from",
            "valid_to",
            "successor_code",
        ],
        "code",
    ),
    (
        "unit_denominators",
        &["unit_code", "key", "value", "source", "as_of", "synthetic"],
        "unit_code, key, as_of",
    ),
    (
        "reports",
        &[
            "id",
            "plan_code",
            "unit_code",
            "week",
            "status",
            "submitted_at",
            "first_submitted_at",
            "synthetic",
        ],
        "id",
    ),
    (
        "report_values",
        &[
            "report_id",
            "indicator_code",
            "subject_code",
            "numerator",
            "denominator",
        ],
        "report_id, indicator_code, subject_code",
    ),
    (
        "unit_targets",
        &[
            "plan_code",
            "unit_code",
            "indicator_code",
            "milestone",
            "target",
        ],
        "plan_code, unit_code, indicator_code, milestone",
    ),
];

/// Rows fetched per query.
pub const PAGE: i64 = 50_000;

impl Store {
    /// One page of a table of [`TABLES`], every value as text (None for NULL).
    pub async fn export_page(&self, table: usize, offset: i64) -> Result<Vec<Vec<Option<String>>>> {
        let (name, columns, order) = TABLES[table];
        let select = columns
            .iter()
            .map(|c| format!("CAST({c} AS TEXT)"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("SELECT {select} FROM {name} ORDER BY {order} LIMIT {PAGE} OFFSET {offset}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        use sqlx::Row;
        Ok(rows
            .iter()
            .map(|r| {
                (0..columns.len())
                    .map(|i| r.try_get::<Option<String>, _>(i).ok().flatten())
                    .collect()
            })
            .collect())
    }
}
