//! Units and their denominators: all-or-nothing import, lookup, search, subtree queries.

use crate::Store;
use crate::audit::{self, Entry, Who, json};
use crate::db::now_text;
use crate::error::{Result, RowProblem, StoreError};
use chrono::NaiveDate;
use hocvuso_core::text::{match_key, search_key};
use hocvuso_core::units::{COUNTRY_CODE, Denominator, UnitKind, UnitRow};
use serde::Serialize;
use sqlx::{AssertSqlSafe, FromRow};
use std::collections::HashMap;

/// A stored unit.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct UnitRecord {
    pub code: String,
    pub name: String,
    pub full_name: String,
    pub kind: String,
    pub unit_type: String,
    pub parent_code: Option<String>,
    #[serde(skip)]
    pub path: String,
    #[serde(serialize_with = "as_bool")]
    pub synthetic: i64,
}

fn as_bool<S: serde::Serializer>(v: &i64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_bool(*v != 0)
}

impl UnitRecord {
    pub fn kind(&self) -> Option<UnitKind> {
        UnitKind::parse(&self.kind)
    }

    /// Codes from the root down to this unit, itself included.
    pub fn lineage(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }
}

const UNIT_COLUMNS: &str = "code, name, full_name, kind, unit_type, parent_code, path, synthetic";
/// [`UNIT_COLUMNS`] of a table aliased `u`.
pub(crate) const UNIT_COLUMNS_U: &str =
    "u.code, u.name, u.full_name, u.kind, u.unit_type, u.parent_code, u.path, u.synthetic";

/// The `[lower, upper)` range of `path` values in the subtree at `path` (itself included).
pub(crate) fn subtree_range(path: &str) -> (String, String) {
    // Paths end with '/', and '0' is the next character after '/', so every path with this prefix
    // sorts below the upper bound while no sibling code does (codes never contain '/').
    let upper = format!("{}0", &path[..path.len() - 1]);
    (path.to_string(), upper)
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub parent: Option<String>,
    pub within: Option<String>,
    pub kind: Option<UnitKind>,
    pub query: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub denominators: usize,
}

struct Known {
    kind: UnitKind,
    path: String,
    parent: Option<String>,
    label: String,
}

/// Units known during an import (stored ones, then the file's rows as they are accepted),
/// by code and by tolerant name key.
#[derive(Default)]
struct Registry {
    known: HashMap<String, Known>,
    by_name: HashMap<String, Vec<String>>,
}

impl Registry {
    fn add(&mut self, code: &str, name: &str, full_name: &str, k: Known) {
        for key in [match_key(name), match_key(full_name)] {
            let codes = self.by_name.entry(key).or_default();
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_string());
            }
        }
        self.known.insert(code.to_string(), k);
    }
}

/// Stores one denominator value, replacing the value of the same unit, key and date; false when
/// the same value was already there (nothing written, nothing audited).
async fn upsert_denominator(
    tx: &mut crate::db::WriteTx,
    d: &Denominator,
    synthetic: bool,
    who: &Who,
) -> Result<bool> {
    let before: Option<(f64, String)> =
        sqlx::query_as("SELECT value, source FROM unit_denominators WHERE unit_code = $1 AND key = $2 AND as_of = $3")
            .bind(d.unit.as_str())
            .bind(&d.key)
            .bind(d.as_of.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    if before
        .as_ref()
        .is_some_and(|(v, s)| *v == d.value && *s == d.source)
    {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO unit_denominators (unit_code, key, value, source, as_of, synthetic)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (unit_code, key, as_of) DO UPDATE SET value = excluded.value, source = excluded.source,
             synthetic = excluded.synthetic",
    )
    .bind(d.unit.as_str())
    .bind(&d.key)
    .bind(d.value)
    .bind(&d.source)
    .bind(d.as_of.to_string())
    .bind(synthetic as i64)
    .execute(&mut **tx)
    .await?;
    let key = format!("{}:{}:{}", d.unit, d.key, d.as_of);
    let entry = Entry {
        action: if before.is_some() { "update" } else { "create" },
        entity: "denominator",
        key: &key,
        unit: Some(d.unit.as_str()),
        before: before.map(|(v, s)| serde_json::json!({ "value": v, "source": s }).to_string()),
        after: Some(
            serde_json::json!({ "value": d.value, "source": d.source, "synthetic": synthetic })
                .to_string(),
        ),
    };
    audit::append(&mut **tx, who, &entry).await?;
    Ok(true)
}

impl Store {
    /// Imports units and their denominators in one transaction: either every row is stored or,
    /// at the first batch of problems, none is and every problem is returned with its row and column.
    /// Importing the same rows again changes nothing.
    pub async fn import_units(
        &self,
        rows: &[UnitRow],
        valid_from: NaiveDate,
        who: &Who,
    ) -> Result<ImportSummary> {
        let mut tx = self.begin_write().await?;
        let existing: Vec<UnitRecord> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE valid_to IS NULL"
        )))
        .fetch_all(&mut *tx)
        .await?;
        let before: HashMap<&str, &UnitRecord> =
            existing.iter().map(|u| (u.code.as_str(), u)).collect();
        let mut reg = Registry::default();
        for u in &existing {
            let Some(kind) = u.kind() else { continue };
            let k = Known {
                kind,
                path: u.path.clone(),
                parent: u.parent_code.clone(),
                label: u.full_name.clone(),
            };
            reg.add(&u.code, &u.name, &u.full_name, k);
        }

        let mut problems = Vec::new();
        let mut summary = ImportSummary::default();
        let now = now_text();
        let mut seen_in_file: HashMap<&str, usize> = HashMap::new();
        for row in rows {
            let problem = |column: &str, message: String| RowProblem {
                row: row.row,
                column: column.into(),
                message,
            };
            if let Some(first) = seen_in_file.insert(row.code.as_str(), row.row) {
                problems.push(problem(
                    "code",
                    format!("mã «{}» đã có ở dòng {first}", row.code),
                ));
                continue;
            }
            // Resolve the parent: by code first, then by name among units of an allowed parent kind.
            let allowed = row.kind.allowed_parents();
            let parent = match (&row.parent, row.kind) {
                (None, UnitKind::Country) => None,
                (None, _) => {
                    problems.push(problem("parent", "thiếu đơn vị cha (mã hoặc tên)".into()));
                    continue;
                }
                (Some(p), _) => {
                    let candidates: Vec<String> = if reg.known.contains_key(p.trim()) {
                        vec![p.trim().to_string()]
                    } else {
                        reg.by_name
                            .get(&match_key(p))
                            .map(|codes| {
                                codes
                                    .iter()
                                    .filter(|c| allowed.contains(&reg.known[c.as_str()].kind))
                                    .cloned()
                                    .collect()
                            })
                            .unwrap_or_default()
                    };
                    match candidates.as_slice() {
                        [one] => Some(one.clone()),
                        [] => {
                            problems.push(problem(
                                "parent",
                                format!("không tìm thấy đơn vị cha «{p}» (phải có sẵn hoặc nằm ở dòng trước trong tệp)"),
                            ));
                            continue;
                        }
                        many => {
                            let list: Vec<String> = many
                                .iter()
                                .map(|c| format!("{} (mã {c})", reg.known[c.as_str()].label))
                                .collect();
                            problems.push(problem(
                                "parent",
                                format!(
                                    "tên «{p}» ứng với nhiều đơn vị: {}; hãy ghi mã",
                                    list.join(", ")
                                ),
                            ));
                            continue;
                        }
                    }
                }
            };
            let parent_path = match &parent {
                Some(pc) => {
                    let pk = &reg.known[pc.as_str()];
                    if !allowed.contains(&pk.kind) {
                        problems.push(problem(
                            "parent",
                            format!(
                                "đơn vị loại {} không thể trực thuộc {} (loại {})",
                                row.kind.as_str(),
                                pk.label,
                                pk.kind.as_str()
                            ),
                        ));
                        continue;
                    }
                    pk.path.clone()
                }
                None => "/".to_string(),
            };
            if row.kind == UnitKind::Country && row.code.as_str() != COUNTRY_CODE {
                problems.push(problem(
                    "code",
                    format!("mã quốc gia phải là {COUNTRY_CODE}"),
                ));
                continue;
            }
            let path = format!("{parent_path}{}/", row.code);
            if let Some(old) = reg.known.get(row.code.as_str()) {
                if old.kind != row.kind {
                    problems.push(problem(
                        "kind",
                        format!(
                            "mã «{}» đã là đơn vị loại {}, không đổi thành {}",
                            row.code, old.kind, row.kind
                        ),
                    ));
                    continue;
                }
                if old.parent != parent {
                    problems.push(problem(
                        "parent",
                        format!(
                            "«{}» đang trực thuộc mã {}; đổi đơn vị cha (sáp nhập, chia tách) không làm qua nhập tệp",
                            row.code,
                            old.parent.as_deref().unwrap_or("-")
                        ),
                    ));
                    continue;
                }
            }
            let previous = before.get(row.code.as_str()).copied();
            let changed = previous.is_none_or(|p| {
                (
                    p.name.as_str(),
                    p.full_name.as_str(),
                    p.unit_type.as_str(),
                    p.synthetic != 0,
                ) != (
                    row.name.as_str(),
                    row.full_name.as_str(),
                    row.unit_type.as_str(),
                    row.synthetic,
                )
            });
            match (previous, changed) {
                (None, _) => summary.created += 1,
                (Some(_), true) => summary.updated += 1,
                (Some(_), false) => summary.unchanged += 1,
            }
            // After the first problem, keep checking the rest for the report but stop writing.
            if problems.is_empty() && changed {
                sqlx::query(
                    "INSERT INTO units (code, name, full_name, kind, unit_type, parent_code, path, search_key, match_key,
                                        full_match_key, synthetic, valid_from)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, full_name = excluded.full_name,
                         unit_type = excluded.unit_type, search_key = excluded.search_key, match_key = excluded.match_key,
                         full_match_key = excluded.full_match_key, synthetic = excluded.synthetic",
                )
                .bind(row.code.as_str())
                .bind(&row.name)
                .bind(&row.full_name)
                .bind(row.kind.as_str())
                .bind(&row.unit_type)
                .bind(parent.as_deref())
                .bind(&path)
                .bind(search_key(&format!("{} {}", row.full_name, row.code)))
                .bind(match_key(&row.name))
                .bind(match_key(&row.full_name))
                .bind(row.synthetic as i64)
                .bind(valid_from.to_string())
                .execute(&mut *tx)
                .await?;
                let after = serde_json::json!({
                    "code": row.code, "name": row.name, "full_name": row.full_name, "kind": row.kind,
                    "unit_type": row.unit_type, "parent_code": parent, "synthetic": row.synthetic,
                });
                let entry = Entry {
                    action: if previous.is_some() {
                        "update"
                    } else {
                        "create"
                    },
                    entity: "unit",
                    key: row.code.as_str(),
                    unit: Some(row.code.as_str()),
                    before: previous.and_then(json),
                    after: json(&after),
                };
                audit::append(&mut *tx, who, &entry).await?;
            }
            if problems.is_empty() {
                for (key, value) in &row.denominators {
                    let d = Denominator {
                        unit: row.code.clone(),
                        key: key.clone(),
                        value: *value,
                        source: row.source.clone(),
                        as_of: row.as_of,
                    };
                    if upsert_denominator(&mut tx, &d, row.synthetic, who).await? {
                        summary.denominators += 1;
                    }
                }
            }
            let k = Known {
                kind: row.kind,
                path,
                parent,
                label: row.full_name.clone(),
            };
            reg.add(row.code.as_str(), &row.name, &row.full_name, k);
        }
        if !problems.is_empty() {
            tx.rollback().await?;
            return Err(StoreError::Rejected(problems));
        }
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('units_changed_at', $1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        crate::rollups::rebuild_active(&mut tx, self.backend()).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Stores denominators (replacing a value of the same unit, key and date) in one transaction.
    pub async fn put_denominators(
        &self,
        denominators: &[Denominator],
        synthetic: bool,
        who: &Who,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for d in denominators {
            upsert_denominator(&mut tx, d, synthetic, who).await?;
        }
        crate::rollups::rebuild_active(&mut tx, self.backend()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A unit's registered denominators on `as_of` (the latest not after it, else the earliest), by key.
    pub async fn denominators_of(
        &self,
        unit: &UnitRecord,
        as_of: NaiveDate,
    ) -> Result<std::collections::BTreeMap<String, f64>> {
        let rows: Vec<(String, f64, String)> = sqlx::query_as(
            "SELECT key, value, as_of FROM unit_denominators WHERE unit_code = $1 ORDER BY key, as_of",
        )
        .bind(&unit.code)
        .fetch_all(&self.pool)
        .await?;
        let as_of = as_of.to_string();
        let mut out = std::collections::BTreeMap::new();
        for (key, value, date) in rows {
            if !out.contains_key(&key) || date <= as_of {
                out.insert(key, value);
            }
        }
        Ok(out)
    }

    pub async fn unit(&self, code: &str) -> Result<Option<UnitRecord>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE code = $1"
        )))
        .bind(code)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The unit or a clear not-found error.
    pub async fn require_unit(&self, code: &str) -> Result<UnitRecord> {
        self.unit(code)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("không có đơn vị mã «{code}»")))
    }

    /// Units matching a filter, in code order, and how many match in all.
    pub async fn list_units(&self, f: &UnitFilter) -> Result<(Vec<UnitRecord>, i64)> {
        let mut conditions = vec!["valid_to IS NULL".to_string()];
        let mut binds: Vec<String> = Vec::new();
        let bind = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(parent) = &f.parent {
            let p = bind(parent.clone(), &mut binds);
            conditions.push(format!("parent_code = {p}"));
        }
        if let Some(within) = &f.within {
            let unit = self.require_unit(within).await?;
            let (lo, hi) = subtree_range(&unit.path);
            let (lo, hi) = (bind(lo, &mut binds), bind(hi, &mut binds));
            conditions.push(format!("path >= {lo} AND path < {hi}"));
        }
        if let Some(kind) = f.kind {
            let k = bind(kind.as_str().into(), &mut binds);
            conditions.push(format!("kind = {k}"));
        }
        if let Some(q) = &f.query {
            for word in search_key(q).split(' ').filter(|w| !w.is_empty()).take(6) {
                let escaped = word
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                let w = bind(format!("%{escaped}%"), &mut binds);
                conditions.push(format!("search_key LIKE {w} ESCAPE '\\'"));
            }
        }
        let filter = conditions.join(" AND ");
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE {filter} ORDER BY path LIMIT {} OFFSET {}",
            f.limit.clamp(1, 5000),
            f.offset.max(0)
        );
        let mut query = sqlx::query_as::<_, UnitRecord>(AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let units = query.fetch_all(&self.pool).await?;
        let mut count = sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM units WHERE {filter}"
        )));
        for b in &binds {
            count = count.bind(b.as_str());
        }
        Ok((units, count.fetch_one(&self.pool).await?))
    }

    /// Units of `kind` in the subtree of `path`.
    /// Units of `kind` in the subtree of `path`: those that exist now, or those that existed on `on`.
    pub(crate) async fn units_of_kind_within(
        &self,
        path: &str,
        kind: UnitKind,
        on: Option<NaiveDate>,
    ) -> Result<Vec<UnitRecord>> {
        let (lo, hi) = subtree_range(path);
        let valid = match on {
            None => "valid_to IS NULL",
            Some(_) => "valid_from <= $4 AND (valid_to IS NULL OR valid_to > $4)",
        };
        let mut q = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE kind = $1 AND path >= $2 AND path < $3 AND {valid} ORDER BY path"
        )))
        .bind(kind.as_str())
        .bind(lo)
        .bind(hi);
        if let Some(day) = on {
            q = q.bind(day.to_string());
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    pub async fn count_units(&self, kind: UnitKind, within: Option<&str>) -> Result<i64> {
        let f = UnitFilter {
            kind: Some(kind),
            within: within.map(str::to_string),
            limit: 1,
            ..Default::default()
        };
        Ok(self.list_units(&f).await?.1)
    }

    /// The current units of `kind` in the subtree of each current child of `parent` (a child of that
    /// kind counts itself), in one read.
    pub async fn count_below_children(
        &self,
        parent: &str,
        kind: UnitKind,
    ) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT c.code, (SELECT COUNT(*) FROM units v WHERE v.kind = $2 AND v.valid_to IS NULL
                 AND v.path >= c.path AND v.path < substr(c.path, 1, length(c.path) - 1) || '0')
             FROM units c WHERE c.parent_code = $1 AND c.valid_to IS NULL",
        )
        .bind(parent)
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Latest denominator values of `key` on or before `as_of` (the earliest one when none is that old),
    /// for the units in the subtree of `path`.
    pub async fn denominators_within(
        &self,
        path: &str,
        key: &str,
        as_of: NaiveDate,
    ) -> Result<HashMap<String, f64>> {
        let (lo, hi) = subtree_range(path);
        let rows: Vec<(String, f64, String)> = sqlx::query_as(
            "SELECT d.unit_code, d.value, d.as_of FROM unit_denominators d JOIN units u ON u.code = d.unit_code
             WHERE d.key = $1 AND u.path >= $2 AND u.path < $3 ORDER BY d.unit_code, d.as_of",
        )
        .bind(key)
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await?;
        let as_of = as_of.to_string();
        let mut out: HashMap<String, f64> = HashMap::new();
        for (unit, value, date) in rows {
            // Rows come oldest first: keep the first, then replace while not after `as_of`.
            match out.get(&unit) {
                None => {
                    out.insert(unit, value);
                }
                Some(_) if date <= as_of => {
                    out.insert(unit, value);
                }
                Some(_) => {}
            }
        }
        Ok(out)
    }
}
