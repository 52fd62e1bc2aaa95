//! The door-to-door log: records from the phones and from imported paper logs, written in batches.
//! Each batch, in one transaction: recognises records already stored (same UUID), counts each
//! identified person once per skill and flag (`field_people`), and adds the weekly increases to the
//! tallies of the village and of every unit above it, and to the inclusion aggregates — so that
//! reading any figure is a sum over at most a few weeks of one unit, whatever the number of records.
//! The rules are in `hocvuso_core::field`; the schema in migrations 0006 and 0007.

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::db::{
    Backend, Json, JsonCol, JsonRows, WriteTx, from_json_agg, json_agg, json_in, json_rows,
    now_text,
};
use crate::error::{Result, RowProblem, StoreError};
use crate::units::subtree_range;
use chrono::NaiveDate;
use hocvuso_core::calendar::reporting_day_for;
use hocvuso_core::cccd::Gender;
use hocvuso_core::field::{
    AgeBand, FULL, GOLDEN, Group, Items, PEOPLE, RECORDS, Record, TALLY_ITEMS, TEAMS, all_skills,
    golden_week_reached, tally,
};
use hocvuso_core::plan::Plan;
use sqlx::Row;
use std::collections::HashSet;

/// The maps of a batch's counting, keyed by record UUIDs, person keys, codes and numbers: a fast
/// hash (rustc-hash) instead of SipHash, which took a fifth of the counting. The keys of a batch
/// are bounded by its size, so a crafted batch cannot make the maps slower than quadratic in it.
type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;

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

/// The team activity of one unit (see [`Store::field_activity`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    /// Records, and people guided, up to the week asked for.
    pub records: i64,
    pub people: i64,
    /// Villages that have done their Golden Week (a village: 0 or 1), and the first week in which
    /// one did.
    pub golden: i64,
    pub golden_week: Option<NaiveDate>,
    /// (week, people newly guided, villages active) for the recent weeks with records.
    pub weeks: Vec<(NaiveDate, i64, i64)>,
}

/// People newly guided in one group (inclusion view), summed over the weeks asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct InclusionCell {
    pub group: Group,
    pub people: i64,
}

/// Batches of at least this many records are written without looking their UUIDs up first.
const ASSUME_NEW_FROM: usize = 1000;

/// Inclusion groups: age band × gender × ethnic minority, each possibly not known; numbered in the
/// order of `field_inclusion`'s columns (migration 0007).
const GROUPS: usize = 45;

fn group_index(g: &Group) -> usize {
    let band = g.age_band.map_or(0, |b| b as usize + 1);
    let gender = match g.gender {
        None => 0,
        Some(Gender::Male) => 1,
        Some(Gender::Female) => 2,
    };
    let minority = g.minority.map_or(0, |m| 1 + usize::from(m));
    band * 9 + gender * 3 + minority
}

fn group_of(index: usize) -> Group {
    Group {
        age_band: (index / 9).checked_sub(1).map(|b| AgeBand::ALL[b]),
        gender: [None, Some(Gender::Male), Some(Gender::Female)][index / 3 % 3],
        minority: [None, Some(false), Some(true)][index % 3],
    }
}

/// `g_<age band>_<gender>_<minority>`, with u for not known.
fn group_column(index: usize) -> String {
    let g = group_of(index);
    format!(
        "g_{}_{}_{}",
        g.age_band.map_or("u", |b| b.as_str()),
        ["u", "m", "f"][index / 3 % 3],
        ["u", "n", "y"][index % 3]
    )
}

fn group_columns() -> Vec<String> {
    (0..GROUPS).map(group_column).collect()
}

/// The column of `field_weeks` that holds a tally item.
fn column(item: &str) -> &str {
    if item == FULL { "full_records" } else { item }
}

fn item_index(item: &str) -> usize {
    TALLY_ITEMS
        .iter()
        .position(|i| *i == item)
        .expect("tally() yields only TALLY_ITEMS")
}

/// The columns of `field_weeks` holding the tally items, in the order of TALLY_ITEMS.
fn tally_columns() -> Vec<String> {
    TALLY_ITEMS.iter().map(|i| column(i).to_string()).collect()
}

/// One batch's increases of the tally items of a unit in a week, in the order of TALLY_ITEMS.
type Counts = [i64; TALLY_ITEMS.len()];

/// What a batch writes, once counted in memory (see [`Store::put_field_records`]).
struct Batch<'a> {
    source: &'a str,
    who: &'a Who,
    /// New records, and what each counted for the person.
    records: &'a [(&'a FieldInput, Items)],
    /// Persons of the batch (key → last day seen), and what each now counts for.
    people: &'a HashMap<&'a str, NaiveDate>,
    known_people: &'a HashMap<&'a str, Items>,
    /// The batch's increases per village and week, and per village, week and group.
    by_village: &'a HashMap<(u32, NaiveDate), Counts>,
    groups: &'a HashMap<(u32, NaiveDate, usize), i64>,
    /// Unit codes by number, the number of each code, and each village's lineage of numbers.
    units: &'a [String],
    unit_index: &'a HashMap<String, u32>,
    lineages: &'a HashMap<u32, Vec<u32>>,
}

/// Adds `counts` to the row of `key`.
fn add_counts(
    rows: &mut HashMap<(u32, NaiveDate), Counts>,
    key: (u32, NaiveDate),
    counts: &Counts,
) {
    let row = rows.entry(key).or_insert([0; TALLY_ITEMS.len()]);
    for (sum, n) in row.iter_mut().zip(counts) {
        *sum += n;
    }
}

fn parse_date(text: &str) -> Result<NaiveDate> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("ngày «{text}» không hợp lệ")))
}

/// Adds a batch's counts (per unit number and week, one per column) to a weekly table
/// (`field_weeks`, `field_inclusion`: rows keyed by plan, unit and week), in one upsert.
async fn add_weekly<const N: usize>(
    tx: &mut WriteTx,
    backend: Backend,
    table: &str,
    columns: &[String],
    plan: &Plan,
    units: &[String],
    counts: &HashMap<(u32, NaiveDate), [i64; N]>,
) -> Result<()> {
    let mut rows = JsonRows::new();
    for ((unit, week), counts) in counts {
        let mut row = vec![Json::T(&units[*unit as usize]), Json::D(*week)];
        row.extend(counts.iter().map(|n| Json::I(*n)));
        rows.push(&row);
    }
    let mut cols = vec![("unit_code", JsonCol::Text), ("week", JsonCol::Text)];
    cols.extend(columns.iter().map(|c| (c.as_str(), JsonCol::Int)));
    let sums: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} (plan_code, unit_code, week, {names})
         SELECT $2, unit_code, week, {names} FROM ({source}) t WHERE true
         ON CONFLICT (plan_code, unit_code, week) DO UPDATE SET {sums}",
        names = columns.join(", "),
        source = json_rows(backend, 1, &cols),
        sums = sums.join(", "),
    )))
    .bind(rows.finish())
    .bind(&plan.code)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Stores a batch of checked records for `plan`, all or nothing: every village must be a village
    /// of the plan's area, else nothing is written and each bad line is named. Returns what became of
    /// each record, in order. `source` is "app" or the imported file's name.
    ///
    /// Every lookup and every write of the batch is one statement, its rows bound as one JSON value;
    /// the counting happens here, in memory, between the two.
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
        // A large batch (an imported log) seldom holds a record stored before: it is written
        // without looking its UUIDs up first, and written again, looking them up, if the insert
        // of its records meets one. The phones' batches are small and often retried.
        if inputs.len() >= ASSUME_NEW_FROM
            && let Some(outcomes) = self
                .try_field_records(plan, inputs, source, who, true)
                .await?
        {
            return Ok(outcomes);
        }
        self.try_field_records(plan, inputs, source, who, false)
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt("bản ghi nhật ký vừa kiểm tra đã có trong cơ sở dữ liệu".into())
            })
    }

    /// One attempt of [`Store::put_field_records`]; `assume_new`: without looking up the UUIDs
    /// first. None, with nothing written, when a record turns out to be stored already.
    async fn try_field_records(
        &self,
        plan: &Plan,
        inputs: &[FieldInput],
        source: &str,
        who: &Who,
        assume_new: bool,
    ) -> Result<Option<Vec<Outcome>>> {
        let backend = self.backend();
        let area = self.require_unit(plan.province.as_str()).await?;
        let mut tx = self.begin_write().await?;
        if backend == Backend::Postgres {
            // One writer of the log at a time per plan: persons are counted from what earlier
            // batches stored, so two batches must not read the same person at once.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("field:{}", plan.code))
                .execute(&mut *tx)
                .await?;
        }

        // Villages and the units above them, each unit numbered once.
        let mut codes: Vec<&str> = inputs
            .iter()
            .map(|i| i.village.as_str())
            .collect::<rustc_hash::FxHashSet<&str>>()
            .into_iter()
            .collect();
        codes.sort_unstable();
        let (lo, hi) = subtree_range(&area.path);
        let found: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM units WHERE valid_to IS NULL AND kind = 'village'
             AND path >= $2 AND path < $3 AND {}",
            json_agg(backend, &["code", "path"]),
            json_in(backend, "code", 1)
        )))
        .bind(JsonRows::texts(codes.iter().copied()))
        .bind(lo)
        .bind(hi)
        .fetch_one(&mut *tx)
        .await?;
        let found: Vec<(String, String)> = from_json_agg(&found)?;
        let mut units: Vec<String> = Vec::new();
        let mut unit_index: HashMap<String, u32> = HashMap::default();
        // A village's number → the numbers of its lineage, from the root down to the village.
        let mut lineages: HashMap<u32, Vec<u32>> = HashMap::default();
        for (_, path) in found {
            let lineage = path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|c| match unit_index.get(c) {
                    Some(i) => *i,
                    None => {
                        units.push(c.to_string());
                        unit_index.insert(c.to_string(), units.len() as u32 - 1);
                        units.len() as u32 - 1
                    }
                })
                .collect::<Vec<u32>>();
            lineages.insert(*lineage.last().expect("a path names its unit"), lineage);
        }
        let is_village = |code: &str| {
            unit_index
                .get(code)
                .is_some_and(|i| lineages.contains_key(i))
        };
        let bad: Vec<&FieldInput> = inputs.iter().filter(|i| !is_village(&i.village)).collect();
        if !bad.is_empty() {
            // Which of the codes are units, but not villages of the area.
            let known: HashSet<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT code FROM units WHERE valid_to IS NULL AND {}",
                json_in(backend, "code", 1)
            )))
            .bind(JsonRows::texts(bad.iter().map(|i| i.village.as_str())))
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
            tx.rollback().await?;
            return Err(StoreError::Rejected(
                bad.iter()
                    .map(|i| RowProblem {
                        row: i.line,
                        column: "Mã thôn".into(),
                        message: if known.contains(&i.village) {
                            format!(
                                "«{}» không phải thôn, buôn, tổ dân phố của {}",
                                i.village, area.full_name
                            )
                        } else {
                            format!("không có thôn, buôn, tổ dân phố mã «{}»", i.village)
                        },
                    })
                    .collect(),
            ));
        }

        // Records stored before under the same UUIDs (and, below, earlier in the batch).
        let rows: Vec<(String, String, String, i64)> = if assume_new {
            Vec::new()
        } else {
            let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {} FROM field_records WHERE {}",
                json_agg(backend, &["id", "village_code", "day", "items"]),
                json_in(backend, "id", 1)
            )))
            .bind(JsonRows::texts(inputs.iter().map(|i| i.record.id.as_str())))
            .fetch_one(&mut *tx)
            .await?;
            from_json_agg(&rows)?
        };
        let mut stored: HashMap<&str, (&str, NaiveDate, i64)> = HashMap::default();
        for (id, village, day, items) in &rows {
            stored.insert(id, (village, parse_date(day)?, *items));
        }

        // What the persons of this batch already count for.
        let mut keys: Vec<&str> = inputs
            .iter()
            .filter_map(|i| i.record.person.as_deref())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut people: HashMap<&str, Items> = HashMap::default();
        if !keys.is_empty() {
            let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {} FROM field_people WHERE plan_code = $1 AND {}",
                json_agg(backend, &["person_key", "items"]),
                json_in(backend, "person_key", 2)
            )))
            .bind(&plan.code)
            .bind(JsonRows::texts(keys.iter().copied()))
            .fetch_one(&mut *tx)
            .await?;
            let rows: Vec<(String, i64)> = from_json_agg(&rows)?;
            for (key, items) in rows {
                if let Ok(i) = keys.binary_search(&key.as_str()) {
                    people.insert(keys[i], Items(items as u16));
                }
            }
        }

        // Count, in memory, per village and week (and group, for the inclusion view).
        let every_skill = all_skills(plan);
        let mut outcomes = Vec::with_capacity(inputs.len());
        let mut by_village: HashMap<(u32, NaiveDate), Counts> = HashMap::default();
        let mut groups: HashMap<(u32, NaiveDate, usize), i64> = HashMap::default();
        let mut touched_people: HashMap<&str, NaiveDate> = HashMap::default();
        let mut new_records = Vec::new();
        for input in inputs {
            let r = &input.record;
            if let Some((village, day, items)) = stored.get(r.id.as_str()) {
                let same = *village == input.village && *day == r.day && *items == r.items.0 as i64;
                outcomes.push(if same {
                    Outcome::Duplicate
                } else {
                    Outcome::Conflict
                });
                continue;
            }
            stored.insert(&r.id, (&input.village, r.day, r.items.0 as i64));
            let before = r.person.as_deref().and_then(|k| people.get(k).copied());
            let t = tally(r.items, before, every_skill);
            if let Some(key) = &r.person {
                people.insert(key, before.unwrap_or_default().union(t.added));
                let last = touched_people.entry(key.as_str()).or_insert(r.day);
                *last = (*last).max(r.day);
            }
            let village = unit_index[&input.village];
            let week = reporting_day_for(plan, r.day);
            let counts = by_village
                .entry((village, week))
                .or_insert([0; TALLY_ITEMS.len()]);
            for (item, n) in &t.items {
                counts[item_index(item)] += n;
            }
            if t.new_person {
                *groups
                    .entry((village, week, group_index(&r.group)))
                    .or_default() += 1;
            }
            new_records.push((input, t.added));
            outcomes.push(Outcome::Stored);
        }

        if !new_records.is_empty() {
            let all_new = self
                .write_field_batch(
                    &mut tx,
                    plan,
                    Batch {
                        source,
                        who,
                        records: &new_records,
                        people: &touched_people,
                        known_people: &people,
                        by_village: &by_village,
                        groups: &groups,
                        units: &units,
                        unit_index: &unit_index,
                        lineages: &lineages,
                    },
                )
                .await?;
            if !all_new {
                tx.rollback().await?;
                return Ok(None);
            }
            let mut first: Vec<&str> = codes.clone();
            first.truncate(20);
            let entry = Entry {
                action: "create",
                entity: "field_records",
                key: source,
                unit: (codes.len() == 1).then(|| codes[0]),
                before: None,
                after: Some(
                    serde_json::json!({
                        "stored": new_records.len(),
                        "retries": outcomes.iter().filter(|o| **o == Outcome::Duplicate).count(),
                        "villages": codes.len(),
                        "first_villages": first,
                    })
                    .to_string(),
                ),
            };
            append(&mut *tx, who, &entry).await?;
        }
        tx.commit().await?;
        Ok(Some(outcomes))
    }

    /// Writes a counted batch: the batch, its records, its persons, the weekly tallies of its
    /// villages and of every unit above them, and the inclusion aggregates; one statement each, with
    /// the rows bound as one JSON value. False, with the rest not written, when one of the records
    /// is stored already.
    async fn write_field_batch(&self, tx: &mut WriteTx, plan: &Plan, b: Batch<'_>) -> Result<bool> {
        let backend = self.backend();
        let batch: i64 = sqlx::query_scalar(
            "INSERT INTO field_batches (plan_code, source, user_id, received_at, records)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&plan.code)
        .bind(b.source)
        .bind(b.who.user_id)
        .bind(now_text())
        .bind(b.records.len() as i64)
        .fetch_one(&mut **tx)
        .await?;
        let mut rows = JsonRows::new();
        for (input, added) in b.records {
            rows.push(&[
                Json::T(&input.record.id),
                Json::T(&input.village),
                Json::D(input.record.day),
                Json::I(input.record.items.0 as i64),
                Json::I(added.0 as i64),
            ]);
        }
        let written = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO field_records (id, batch_id, village_code, day, items, added)
             SELECT id, $2, village_code, day, items, added FROM ({}) r WHERE true
             ON CONFLICT (id) DO NOTHING",
            json_rows(
                backend,
                1,
                &[
                    ("id", JsonCol::Text),
                    ("village_code", JsonCol::Text),
                    ("day", JsonCol::Text),
                    ("items", JsonCol::Int),
                    ("added", JsonCol::Int),
                ]
            )
        )))
        .bind(rows.finish())
        .bind(batch)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if written != b.records.len() as u64 {
            return Ok(false);
        }

        if !b.people.is_empty() {
            let mut rows = JsonRows::new();
            for (key, last) in b.people {
                rows.push(&[
                    Json::T(key),
                    Json::I(b.known_people[key].0 as i64),
                    Json::D(*last),
                ]);
            }
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO field_people (plan_code, person_key, items, last_day)
                 SELECT $2, person_key, items, last_day FROM ({}) p WHERE true
                 ON CONFLICT (plan_code, person_key) DO UPDATE SET items = excluded.items,
                 last_day = CASE WHEN excluded.last_day > field_people.last_day
                            THEN excluded.last_day ELSE field_people.last_day END",
                json_rows(
                    backend,
                    1,
                    &[
                        ("person_key", JsonCol::Text),
                        ("items", JsonCol::Int),
                        ("last_day", JsonCol::Text),
                    ]
                )
            )))
            .bind(rows.finish())
            .bind(&plan.code)
            .execute(&mut **tx)
            .await?;
        }

        // The villages' weeks. A village's row counts records, people and records covering every
        // skill; `teams` is 1 from its first record of the week. The rows as they are afterwards
        // tell which villages became active in a week and which reached their Golden Week.
        let mut rows = JsonRows::new();
        for ((village, week), c) in b.by_village {
            rows.push(&[
                Json::T(&b.units[*village as usize]),
                Json::D(*week),
                Json::I(c[item_index(RECORDS)]),
                Json::I(c[item_index(PEOPLE)]),
                Json::I(c[item_index(FULL)]),
            ]);
        }
        // The rows as they were, then the batch's increases added in one upsert.
        let rows = rows.finish();
        // (Every week of the batch for every village of the batch: a few rows more than needed
        // when the batch spans weeks, but each found through the primary key on both engines.)
        let mut weeks: Vec<NaiveDate> = b.by_village.keys().map(|(_, w)| *w).collect();
        weeks.sort_unstable();
        weeks.dedup();
        let weeks: Vec<String> = weeks.iter().map(NaiveDate::to_string).collect();
        let before: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM field_weeks WHERE plan_code = $1 AND {} AND {}",
            json_agg(backend, &["unit_code", "week", "records", "full_records"]),
            json_in(backend, "unit_code", 2),
            json_in(backend, "week", 3),
        )))
        .bind(&plan.code)
        .bind(JsonRows::texts(
            b.lineages.keys().map(|v| b.units[*v as usize].as_str()),
        ))
        .bind(JsonRows::texts(weeks.iter().map(String::as_str)))
        .fetch_one(&mut **tx)
        .await?;
        let before: HashMap<(String, String), (i64, i64)> = from_json_agg(&before)?
            .into_iter()
            .map(|(code, week, records, full)| ((code, week), (records, full)))
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO field_weeks (plan_code, unit_code, week, records, people, full_records, teams)
             SELECT $2, unit_code, week, records, people, full_records, 1 FROM ({}) v WHERE true
             ON CONFLICT (plan_code, unit_code, week) DO UPDATE SET
                 records = field_weeks.records + excluded.records,
                 people = field_weeks.people + excluded.people,
                 full_records = field_weeks.full_records + excluded.full_records",
            json_rows(
                backend,
                1,
                &[
                    ("unit_code", JsonCol::Text),
                    ("week", JsonCol::Text),
                    ("records", JsonCol::Int),
                    ("people", JsonCol::Int),
                    ("full_records", JsonCol::Int),
                ]
            )
        )))
        .bind(&rows)
        .bind(&plan.code)
        .execute(&mut **tx)
        .await?;
        let ancestors = |village: u32| {
            let lineage = &b.lineages[&village];
            &lineage[..lineage.len() - 1]
        };
        // The units above the villages: everything the villages counted, the villages newly active.
        let mut upper: HashMap<(u32, NaiveDate), Counts> = HashMap::default();
        // Villages reaching their Golden Week threshold in this batch, and the earliest such week.
        let mut crossed: HashMap<u32, NaiveDate> = HashMap::default();
        for (&key, counts) in b.by_village {
            let mut counts = *counts;
            let (records_before, full_before) = before
                .get(&(b.units[key.0 as usize].clone(), key.1.to_string()))
                .copied()
                .unwrap_or((0, 0));
            if records_before == 0 {
                counts[item_index(TEAMS)] = 1;
            }
            let full = full_before + counts[item_index(FULL)];
            if let Some(people) = plan.golden_week_people
                && golden_week_reached(full_before, full, people)
            {
                let w = crossed.entry(key.0).or_insert(key.1);
                *w = (*w).min(key.1);
            }
            for unit in ancestors(key.0) {
                add_counts(&mut upper, (*unit, key.1), &counts);
            }
        }

        // Golden Week: the first week a village reached the threshold, which may be earlier than
        // the week recorded so far when late records of an earlier week arrive.
        if !crossed.is_empty() {
            let done: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {} FROM (SELECT unit_code, MIN(week) AS week FROM field_weeks
                 WHERE plan_code = $1 AND golden > 0 AND {} GROUP BY unit_code) d",
                json_agg(backend, &["unit_code", "week"]),
                json_in(backend, "unit_code", 2)
            )))
            .bind(&plan.code)
            .bind(JsonRows::texts(
                crossed.keys().map(|v| b.units[*v as usize].as_str()),
            ))
            .fetch_one(&mut **tx)
            .await?;
            let mut done: HashMap<u32, NaiveDate> = from_json_agg::<(String, String)>(&done)?
                .into_iter()
                .map(|(code, week)| Ok((b.unit_index[&code], parse_date(&week)?)))
                .collect::<Result<_>>()?;
            let (mut set, mut unset) = (JsonRows::new(), JsonRows::new());
            for (village, week) in crossed {
                let before = done.remove(&village);
                if before.is_some_and(|b| b <= week) {
                    continue;
                }
                let mut one = [0; TALLY_ITEMS.len()];
                one[item_index(GOLDEN)] = 1;
                set.push(&[Json::T(&b.units[village as usize]), Json::D(week)]);
                for unit in ancestors(village) {
                    add_counts(&mut upper, (*unit, week), &one);
                }
                if let Some(before) = before {
                    one[item_index(GOLDEN)] = -1;
                    unset.push(&[Json::T(&b.units[village as usize]), Json::D(before)]);
                    for unit in ancestors(village) {
                        add_counts(&mut upper, (*unit, before), &one);
                    }
                }
            }
            for (rows, golden) in [(set, 1), (unset, 0)] {
                if rows.len == 0 {
                    continue;
                }
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE field_weeks SET golden = $3 WHERE plan_code = $1 AND (unit_code, week) IN ({})",
                    json_rows(
                        backend,
                        2,
                        &[("unit_code", JsonCol::Text), ("week", JsonCol::Text)]
                    )
                )))
                .bind(&plan.code)
                .bind(rows.finish())
                .bind(golden as i64)
                .execute(&mut **tx)
                .await?;
            }
        }

        add_weekly(
            tx,
            backend,
            "field_weeks",
            &tally_columns(),
            plan,
            b.units,
            &upper,
        )
        .await?;

        // Inclusion aggregates start at the commune: a village's cells are too small.
        if !b.groups.is_empty() {
            let mut cells: HashMap<(u32, NaiveDate), [i64; GROUPS]> = HashMap::default();
            for ((village, week, group), n) in b.groups {
                for unit in ancestors(*village) {
                    cells.entry((*unit, *week)).or_insert([0; GROUPS])[*group] += n;
                }
            }
            add_weekly(
                tx,
                backend,
                "field_inclusion",
                &group_columns(),
                plan,
                b.units,
                &cells,
            )
            .await?;
        }
        Ok(true)
    }

    /// Cumulative figures of `unit` from the log up to the week of `reporting_day`, per tally item.
    pub async fn field_totals(
        &self,
        plan: &str,
        unit: &str,
        reporting_day: NaiveDate,
    ) -> Result<std::collections::HashMap<String, i64>> {
        let sums = self
            .sum_weeks("field_weeks", &tally_columns(), plan, unit, reporting_day)
            .await?;
        Ok(TALLY_ITEMS
            .iter()
            .zip(sums)
            .map(|(item, n)| (item.to_string(), n))
            .collect())
    }

    /// The team activity of `units` up to the week of `to` (a reporting day): cumulative figures,
    /// and the figures of each of the `recent` weeks (reporting days). Two reads of at most one row
    /// per unit and week, whatever the number of records.
    pub async fn field_activity(
        &self,
        plan: &str,
        units: &[String],
        recent: &[NaiveDate],
        to: NaiveDate,
    ) -> Result<std::collections::HashMap<String, Activity>> {
        // Units and weeks are named one by one (no week range), so that PostgreSQL looks each up
        // in the primary key even when its statistics lag behind a bulk import.
        let backend = self.backend();
        let codes = JsonRows::texts(units.iter().map(String::as_str));
        let totals: Vec<(String, i64, i64, i64, Option<String>)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_code, CAST(SUM(records) AS BIGINT), CAST(SUM(people) AS BIGINT),
                        CAST(SUM(golden) AS BIGINT), MIN(CASE WHEN golden > 0 THEN week END)
                 FROM field_weeks WHERE plan_code = $1 AND {} AND week <= $2
                 GROUP BY unit_code",
                json_in(backend, "unit_code", 3)
            )))
            .bind(plan)
            .bind(to.to_string())
            .bind(&codes)
            .fetch_all(&self.pool)
            .await?;
        let mut out = std::collections::HashMap::new();
        for (unit, records, people, golden, golden_week) in totals {
            let golden_week = golden_week.as_deref().map(parse_date).transpose()?;
            out.insert(
                unit,
                Activity {
                    records,
                    people,
                    golden,
                    golden_week,
                    weeks: Vec::new(),
                },
            );
        }
        if recent.is_empty() {
            return Ok(out);
        }
        let mut query =
            sqlx::query_as::<_, (String, String, i64, i64)>(sqlx::AssertSqlSafe(format!(
                "SELECT unit_code, week, people, teams FROM field_weeks
             WHERE plan_code = $1 AND {} AND week IN ({})",
                json_in(backend, "unit_code", 2),
                (3..3 + recent.len())
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
            .bind(plan)
            .bind(&codes);
        for week in recent {
            query = query.bind(week.to_string());
        }
        let weekly = query.fetch_all(&self.pool).await?;
        for (unit, week, people, teams) in weekly {
            let week = parse_date(&week)?;
            out.entry(unit)
                .or_default()
                .weeks
                .push((week, people, teams));
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
        let sums = self
            .sum_weeks(
                "field_inclusion",
                &group_columns(),
                plan,
                unit,
                reporting_day,
            )
            .await?;
        Ok(sums
            .into_iter()
            .enumerate()
            .filter(|(_, people)| *people > 0)
            .map(|(i, people)| InclusionCell {
                group: group_of(i),
                people,
            })
            .collect())
    }

    /// The sums of `columns` of a weekly table (`field_weeks`, `field_inclusion`) for `unit` up to
    /// the week of `reporting_day`.
    async fn sum_weeks(
        &self,
        table: &str,
        columns: &[String],
        plan: &str,
        unit: &str,
        reporting_day: NaiveDate,
    ) -> Result<Vec<i64>> {
        let sums: Vec<String> = columns
            .iter()
            .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT)"))
            .collect();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {table} WHERE plan_code = $1 AND unit_code = $2 AND week <= $3",
            sums.join(", ")
        )))
        .bind(plan)
        .bind(unit)
        .bind(reporting_day.to_string())
        .fetch_one(&self.pool)
        .await?;
        (0..columns.len())
            .map(|i| Ok(row.try_get::<i64, _>(i)?))
            .collect()
    }

    /// For the ingest benchmark only: the same rows inserted plainly into a bare table shaped like
    /// `field_records` (same driver, rows bound as one JSON value the same way, one transaction per
    /// batch): the floor the log's writes compare to.
    #[doc(hidden)]
    pub async fn bench_raw_insert(
        &self,
        rows: &[(String, String, String, i64, Option<String>)],
    ) -> Result<()> {
        let backend = self.backend();
        let mut tx = self.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE IF NOT EXISTS bench_raw_records (id TEXT PRIMARY KEY, village_code TEXT NOT NULL,
             day TEXT NOT NULL, items BIGINT NOT NULL, person_key TEXT){}",
            if backend == Backend::Sqlite { " WITHOUT ROWID" } else { "" }
        )))
        .execute(&mut *tx)
        .await?;
        let mut json = JsonRows::new();
        for (id, village, day, items, person) in rows {
            json.push(&[
                Json::T(id),
                Json::T(village),
                Json::T(day),
                Json::I(*items),
                person.as_deref().map_or(Json::Null, Json::T),
            ]);
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO bench_raw_records (id, village_code, day, items, person_key) {}",
            json_rows(
                backend,
                1,
                &[
                    ("id", JsonCol::Text),
                    ("village_code", JsonCol::Text),
                    ("day", JsonCol::Text),
                    ("items", JsonCol::Int),
                    ("person_key", JsonCol::Text),
                ]
            )
        )))
        .bind(json.finish())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Records stored for `plan` (for tests and benchmarks; the pages read tallies).
    pub async fn field_record_count(&self, plan: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM field_records r JOIN field_batches b ON b.id = r.batch_id
             WHERE b.plan_code = $1",
        )
        .bind(plan)
        .fetch_one(&self.pool)
        .await?)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inclusion_groups_are_numbered_once_each() {
        let names: HashSet<String> = (0..GROUPS).map(group_column).collect();
        assert_eq!(names.len(), GROUPS);
        for i in 0..GROUPS {
            assert_eq!(group_index(&group_of(i)), i);
        }
        assert_eq!(group_column(0), "g_u_u_u");
        assert_eq!(group_column(GROUPS - 1), "g_tu_60_f_y");
    }
}
