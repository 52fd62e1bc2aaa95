//! The door-to-door log: records from the phones and from imported paper logs, written in batches.
//! Each batch, in one transaction: recognises records already stored (same UUID), counts each
//! identified person once per skill and flag (`field_people`), and adds the weekly increases to the
//! tallies of the village and of every unit above it, and to the inclusion aggregates — so that
//! reading any figure is a sum over at most a few weeks of one unit, whatever the number of records.
//! The rules are in `hocvuso_core::field`; the schema in migration 0006.

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::db::{Backend, WriteTx, now_text};
use crate::error::{Result, RowProblem, StoreError};
use chrono::NaiveDate;
use hocvuso_core::calendar::reporting_day_for;
use hocvuso_core::cccd::Gender;
use hocvuso_core::field::{
    AgeBand, FULL, GOLDEN, Group, Items, PEOPLE, RECORDS, Record, TEAMS, all_skills, gender_str,
    golden_week_reached, tally,
};
use hocvuso_core::plan::Plan;
use std::collections::{HashMap, HashSet};

/// One record to store, for a village, with its line in an imported file (0 from the app).
#[derive(Debug, Clone)]
pub struct FieldInput {
    pub line: usize,
    pub village: String,
    pub record: Record,
}

/// What became of one record of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Stored now.
    Stored,
    /// Stored before (a retry): nothing changed.
    Duplicate,
    /// Its UUID belongs to a different record: refused, nothing changed.
    Conflict,
}

/// People newly guided in one group (inclusion view), summed over the weeks asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct InclusionCell {
    pub group: Group,
    pub people: i64,
}

/// Rows per multi-row statement, and values per `IN (…)` list: far below both engines' limits on
/// bound parameters, large enough that statement overhead does not dominate.
const ROWS_PER_STATEMENT: usize = 400;
const KEYS_PER_LOOKUP: usize = 1000;

fn placeholders(start: usize, count: usize) -> String {
    (start..start + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A bound value of a multi-row statement.
enum Val {
    T(String),
    I(i64),
    N(Option<i64>),
    O(Option<String>),
}

/// Runs `INSERT INTO {head} VALUES (…), (…) {tail}` over `rows` in chunks.
async fn insert_rows(tx: &mut WriteTx, head: &str, tail: &str, rows: Vec<Vec<Val>>) -> Result<()> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let values: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", placeholders(r * width + 1, width)))
            .collect();
        let sql = format!("INSERT INTO {head} VALUES {} {tail}", values.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    Val::T(s) => q.bind(s.clone()),
                    Val::I(i) => q.bind(*i),
                    Val::N(n) => q.bind(*n),
                    Val::O(o) => q.bind(o.clone()),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn group_key(g: &Group) -> (String, String, i64) {
    (
        g.age_band.map_or("", |b| b.as_str()).to_string(),
        g.gender.map_or("", gender_str).to_string(),
        g.minority.map_or(-1, i64::from),
    )
}

fn group_of(age_band: &str, gender: &str, minority: i64) -> Group {
    Group {
        age_band: AgeBand::ALL.into_iter().find(|b| b.as_str() == age_band),
        gender: match gender {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            _ => None,
        },
        minority: (minority >= 0).then_some(minority == 1),
    }
}

/// The codes from the root down to the unit itself, read from its path ("/VN/66/24412/…/").
fn lineage(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// (unit, week, item) of a tally; (unit, week, group) of an inclusion cell.
type TallyKey = (String, String, &'static str);
type InclusionKey = (String, String, (String, String, i64));

impl Store {
    /// Stores a batch of checked records for `plan`, all or nothing: every village must be a village
    /// of the plan's area, else nothing is written and each bad line is named. Returns what became of
    /// each record, in order. `source` is "app" or the imported file's name.
    pub async fn put_field_records(
        &self,
        plan: &Plan,
        inputs: &[FieldInput],
        source: &str,
        who: &Who,
    ) -> Result<Vec<Outcome>> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let area = self.require_unit(plan.province.as_str()).await?;
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            // One writer of the log at a time per plan: persons are counted from what earlier
            // batches stored, so two batches must not read the same person at once.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("field:{}", plan.code))
                .execute(&mut *tx)
                .await?;
        }

        // Villages and their lineage.
        let codes: Vec<String> = inputs
            .iter()
            .map(|i| i.village.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut paths: HashMap<String, (String, String)> = HashMap::new();
        for chunk in codes.chunks(KEYS_PER_LOOKUP) {
            let sql = format!(
                "SELECT code, kind, path FROM units WHERE valid_to IS NULL AND code IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, String, String)>(sqlx::AssertSqlSafe(sql));
            for c in chunk {
                q = q.bind(c);
            }
            for (code, kind, path) in q.fetch_all(&mut *tx).await? {
                paths.insert(code, (kind, path));
            }
        }
        let mut problems = Vec::new();
        for i in inputs {
            match paths.get(&i.village) {
                Some((kind, path)) if kind == "village" && path.starts_with(&area.path) => {}
                Some(_) => problems.push(RowProblem {
                    row: i.line,
                    column: "Mã thôn".into(),
                    message: format!(
                        "«{}» không phải thôn, buôn, tổ dân phố của {}",
                        i.village, area.full_name
                    ),
                }),
                None => problems.push(RowProblem {
                    row: i.line,
                    column: "Mã thôn".into(),
                    message: format!("không có thôn, buôn, tổ dân phố mã «{}»", i.village),
                }),
            }
        }
        if !problems.is_empty() {
            tx.rollback().await?;
            return Err(StoreError::Rejected(problems));
        }

        // Records stored before under the same UUIDs.
        let ids: Vec<&str> = inputs.iter().map(|i| i.record.id.as_str()).collect();
        let mut stored: HashMap<String, (String, String, i64)> = HashMap::new();
        for chunk in ids.chunks(KEYS_PER_LOOKUP) {
            let sql = format!(
                "SELECT id, village_code, day, items FROM field_records WHERE id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q =
                sqlx::query_as::<_, (String, String, String, i64)>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for (id, village, day, items) in q.fetch_all(&mut *tx).await? {
                stored.insert(id, (village, day, items));
            }
        }

        // What the persons of this batch already count for.
        let keys: Vec<&str> = inputs
            .iter()
            .filter_map(|i| i.record.person.as_deref())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut people: HashMap<String, Items> = HashMap::new();
        for chunk in keys.chunks(KEYS_PER_LOOKUP) {
            let sql = format!(
                "SELECT person_key, items FROM field_people WHERE plan_code = $1 AND person_key IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q =
                sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql)).bind(&plan.code);
            for k in chunk {
                q = q.bind(*k);
            }
            for (key, items) in q.fetch_all(&mut *tx).await? {
                people.insert(key, Items(items as u16));
            }
        }

        // The villages' weekly activity so far: records, records covering every skill, Golden Week.
        let mut village_weeks: HashMap<(String, String), (i64, i64)> = HashMap::new();
        let mut golden: HashSet<String> = HashSet::new();
        for chunk in codes.chunks(KEYS_PER_LOOKUP) {
            let sql = format!(
                "SELECT unit_code, item, week, n FROM field_tallies
                 WHERE plan_code = $1 AND item IN ('{RECORDS}', '{FULL}', '{GOLDEN}') AND unit_code IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q =
                sqlx::query_as::<_, (String, String, String, i64)>(sqlx::AssertSqlSafe(sql))
                    .bind(&plan.code);
            for c in chunk {
                q = q.bind(c);
            }
            for (unit, item, week, n) in q.fetch_all(&mut *tx).await? {
                match item.as_str() {
                    GOLDEN => {
                        golden.insert(unit);
                    }
                    RECORDS => village_weeks.entry((unit, week)).or_default().0 = n,
                    _ => village_weeks.entry((unit, week)).or_default().1 = n,
                }
            }
        }

        let every_skill = all_skills(plan);
        let received = now_text();
        let user: Option<i64> = who.user_id;
        let mut outcomes = Vec::with_capacity(inputs.len());
        let mut tallies: HashMap<TallyKey, i64> = HashMap::new();
        let mut inclusion: HashMap<InclusionKey, i64> = HashMap::new();
        let mut touched_people: HashMap<String, String> = HashMap::new();
        let mut rows = Vec::new();
        for input in inputs {
            let r = &input.record;
            let day = r.day.to_string();
            if let Some((village, stored_day, items)) = stored.get(&r.id) {
                let same =
                    *village == input.village && *stored_day == day && *items == r.items.0 as i64;
                outcomes.push(if same {
                    Outcome::Duplicate
                } else {
                    Outcome::Conflict
                });
                continue;
            }
            stored.insert(
                r.id.clone(),
                (input.village.clone(), day.clone(), r.items.0 as i64),
            );
            let before = r.person.as_ref().and_then(|k| people.get(k).copied());
            let t = tally(r.items, before, every_skill);
            if let Some(key) = &r.person {
                people.insert(key.clone(), before.unwrap_or_default().union(t.added));
                let last = touched_people.entry(key.clone()).or_default();
                if *last < day {
                    *last = day.clone();
                }
            }
            let week = reporting_day_for(plan, r.day).to_string();
            let levels = lineage(&paths[&input.village].1);
            // A village keeps only its activity (records, people, full records, active weeks,
            // Golden Week); what the indicators measure is read from the commune up.
            let mut add = |item: &'static str, n: i64| {
                let village_item = matches!(item, RECORDS | PEOPLE | FULL | TEAMS | GOLDEN);
                let upper = if village_item {
                    levels.len()
                } else {
                    levels.len() - 1
                };
                for unit in &levels[..upper] {
                    *tallies
                        .entry((unit.clone(), week.clone(), item))
                        .or_default() += n;
                }
            };
            for (item, n) in &t.items {
                add(item, *n);
            }
            let vw = village_weeks
                .entry((input.village.clone(), week.clone()))
                .or_default();
            if vw.0 == 0 {
                add(TEAMS, 1);
            }
            vw.0 += 1;
            if t.items.iter().any(|(item, _)| *item == FULL) {
                vw.1 += 1;
                if let Some(people) = plan.golden_week_people
                    && !golden.contains(&input.village)
                    && golden_week_reached(vw.1 - 1, vw.1, people)
                {
                    golden.insert(input.village.clone());
                    add(GOLDEN, 1);
                }
            }
            if t.new_person {
                // Inclusion aggregates start at the commune: a village's cells are too small.
                for unit in &levels[..levels.len() - 1] {
                    *inclusion
                        .entry((unit.clone(), week.clone(), group_key(&r.group)))
                        .or_default() += 1;
                }
            }
            rows.push(vec![
                Val::T(r.id.clone()),
                Val::T(plan.code.clone()),
                Val::T(input.village.clone()),
                Val::T(day),
                Val::T(week),
                Val::I(r.items.0 as i64),
                Val::I(t.added.0 as i64),
                Val::I(i64::from(r.person.is_some())),
                Val::T(source.to_string()),
                Val::N(user),
                Val::T(received.clone()),
            ]);
            outcomes.push(Outcome::Stored);
        }

        let new_records = rows.len();
        insert_rows(
            &mut tx,
            "field_records (id, plan_code, village_code, day, week, items, added, identified, source, user_id, received_at)",
            "",
            rows,
        )
        .await?;
        insert_rows(
            &mut tx,
            "field_people (plan_code, person_key, items, last_day)",
            "ON CONFLICT (plan_code, person_key) DO UPDATE SET items = excluded.items,
             last_day = CASE WHEN excluded.last_day > field_people.last_day THEN excluded.last_day ELSE field_people.last_day END",
            touched_people
                .into_iter()
                .map(|(key, last)| {
                    let items = people[&key].0 as i64;
                    vec![Val::T(plan.code.clone()), Val::T(key), Val::I(items), Val::T(last)]
                })
                .collect(),
        )
        .await?;
        insert_rows(
            &mut tx,
            "field_tallies (plan_code, unit_code, item, week, n)",
            "ON CONFLICT (plan_code, unit_code, item, week) DO UPDATE SET n = field_tallies.n + excluded.n",
            tallies
                .into_iter()
                .map(|((unit, week, item), n)| {
                    vec![
                        Val::T(plan.code.clone()),
                        Val::T(unit),
                        Val::T(item.to_string()),
                        Val::T(week),
                        Val::I(n),
                    ]
                })
                .collect(),
        )
        .await?;
        insert_rows(
            &mut tx,
            "field_inclusion (plan_code, unit_code, week, age_band, gender, minority, n)",
            "ON CONFLICT (plan_code, unit_code, week, age_band, gender, minority) DO UPDATE SET n = field_inclusion.n + excluded.n",
            inclusion
                .into_iter()
                .map(|((unit, week, (band, gender, minority)), n)| {
                    vec![
                        Val::T(plan.code.clone()),
                        Val::T(unit),
                        Val::T(week),
                        Val::T(band),
                        Val::T(gender),
                        Val::I(minority),
                        Val::I(n),
                    ]
                })
                .collect(),
        )
        .await?;
        if new_records > 0 {
            let villages: Vec<&String> = {
                let mut v: Vec<&String> = codes.iter().collect();
                v.sort();
                v.truncate(20);
                v
            };
            let entry = Entry {
                action: "create",
                entity: "field_records",
                key: source,
                unit: (codes.len() == 1).then(|| codes[0].as_str()),
                before: None,
                after: Some(
                    serde_json::json!({
                        "stored": new_records,
                        "retries": outcomes.iter().filter(|o| **o == Outcome::Duplicate).count(),
                        "villages": codes.len(),
                        "first_villages": villages,
                    })
                    .to_string(),
                ),
            };
            append(&mut *tx, who, &entry).await?;
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Cumulative figures of `unit` from the log up to the week of `reporting_day`, per tally item.
    pub async fn field_totals(
        &self,
        plan: &str,
        unit: &str,
        reporting_day: NaiveDate,
    ) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT item, CAST(SUM(n) AS BIGINT) FROM field_tallies
             WHERE plan_code = $1 AND unit_code = $2 AND week <= $3 GROUP BY item",
        )
        .bind(plan)
        .bind(unit)
        .bind(reporting_day.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Weekly figures of `items` for `units` in the weeks `from..=to` (reporting days), as
    /// (unit, item, week, n).
    pub async fn field_weekly(
        &self,
        plan: &str,
        units: &[String],
        items: &[&str],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(String, String, NaiveDate, i64)>> {
        // Item names are the domain's constants, never input.
        let items = items
            .iter()
            .map(|i| format!("'{}'", i.replace('\'', "")))
            .collect::<Vec<_>>()
            .join(", ");
        let mut out = Vec::new();
        for chunk in units.chunks(KEYS_PER_LOOKUP) {
            let sql = format!(
                "SELECT unit_code, item, week, n FROM field_tallies
                 WHERE plan_code = $1 AND week >= $2 AND week <= $3 AND item IN ({items})
                 AND unit_code IN ({})",
                placeholders(4, chunk.len())
            );
            let mut q =
                sqlx::query_as::<_, (String, String, String, i64)>(sqlx::AssertSqlSafe(sql))
                    .bind(plan)
                    .bind(from.to_string())
                    .bind(to.to_string());
            for u in chunk {
                q = q.bind(u);
            }
            for (unit, item, week, n) in q.fetch_all(&self.pool).await? {
                let week = week
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("tuần «{week}» không hợp lệ")))?;
                out.push((unit, item, week, n));
            }
        }
        Ok(out)
    }

    /// People guided in `unit` (a commune or above) up to the week of `reporting_day`, by group.
    pub async fn field_inclusion(
        &self,
        plan: &str,
        unit: &str,
        reporting_day: NaiveDate,
    ) -> Result<Vec<InclusionCell>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT age_band, gender, minority, CAST(SUM(n) AS BIGINT) FROM field_inclusion
             WHERE plan_code = $1 AND unit_code = $2 AND week <= $3
             GROUP BY age_band, gender, minority",
        )
        .bind(plan)
        .bind(unit)
        .bind(reporting_day.to_string())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(band, gender, minority, people)| InclusionCell {
                group: group_of(&band, &gender, minority),
                people,
            })
            .collect())
    }

    /// For the ingest benchmark only: the same rows inserted plainly into a bare table (same driver,
    /// same multi-row statements, one transaction per batch): the floor the log's writes compare to.
    #[doc(hidden)]
    pub async fn bench_raw_insert(
        &self,
        rows: &[(String, String, String, i64, Option<String>)],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS bench_raw_records (id TEXT PRIMARY KEY, village_code TEXT NOT NULL,
             day TEXT NOT NULL, items BIGINT NOT NULL, person_key TEXT)",
        )
        .execute(&mut *tx)
        .await?;
        insert_rows(
            &mut tx,
            "bench_raw_records (id, village_code, day, items, person_key)",
            "",
            rows.iter()
                .map(|(id, village, day, items, person)| {
                    vec![
                        Val::T(id.clone()),
                        Val::T(village.clone()),
                        Val::T(day.clone()),
                        Val::I(*items),
                        Val::O(person.clone()),
                    ]
                })
                .collect(),
        )
        .await?;
        tx.commit().await
    }

    /// Records stored for `plan` (for tests and benchmarks; the pages read tallies).
    pub async fn field_record_count(&self, plan: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM field_records WHERE plan_code = $1")
                .bind(plan)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Person keys still held, and the last day one of them was seen.
    pub async fn person_keys(&self) -> Result<(i64, Option<String>)> {
        Ok(
            sqlx::query_as("SELECT COUNT(*), MAX(last_day) FROM field_people")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Removes the pseudonyms of persons last seen before `before` (end of the campaign): figures
    /// already counted stay; a later visit of such a person counts as a new person. Audited.
    pub async fn purge_person_keys(&self, before: NaiveDate, who: &Who) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM field_people WHERE last_day < $1")
            .bind(before.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let entry = Entry {
            action: "delete",
            entity: "person_keys",
            key: &before.to_string(),
            unit: None,
            before: Some(serde_json::json!({ "removed": removed }).to_string()),
            after: None,
        };
        append(&mut *tx, who, &entry).await?;
        tx.commit().await?;
        Ok(removed)
    }
}
