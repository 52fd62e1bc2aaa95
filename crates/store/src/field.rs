//! The door-to-door log: records from the phones and from imported paper logs, written in batches.
//! Each batch, in one transaction: recognises records already stored (same UUID), counts each
//! identified person once per skill and flag (`field_people`), and adds the weekly increases to the
//! figures of the village and of every unit above it, and to their inclusion aggregates: one row per
//! unit with its weeks packed (`field_unit_weeks`), read and rewritten once per batch — so that
//! reading any figure reads one row of one unit, whatever the number of records.
//! The rules are in `hocvuso_core::field`; the schema in migrations 0006, 0007 and 0010.

use crate::Store;
use crate::audit::{Entry, Who, append};
use crate::db::{
    Backend, Json, JsonCol, JsonRows, WriteTx, from_json_agg, json_agg, json_in, json_rows,
    now_text, overlapped,
};
use crate::error::{Result, RowProblem, StoreError};
use crate::unit_weeks::{Weeks, parse_day};
use crate::units::subtree_range;
use chrono::NaiveDate;
use hocvuso_core::calendar::reporting_day_for;
use hocvuso_core::cccd::Gender;
use hocvuso_core::field::{
    AgeBand, FULL, GOLDEN, Group, Items, PEOPLE, RECORDS, Record, TALLY_ITEMS, TEAMS, all_skills,
    golden_week_reached, tally,
};
use hocvuso_core::plan::Plan;
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
/// order of the inclusion arrays of `field_unit_weeks` (migration 0010).
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

/// One batch's increases of the tally items of a unit in a week, in the order of TALLY_ITEMS.
type Counts = [i64; TALLY_ITEMS.len()];

/// The items a village counts (its activity): the first of TALLY_ITEMS, records, people and records
/// covering every skill.
const VILLAGE_ITEMS: usize = 3;

/// A batch's increases of a village's activity in a week.
type VillageCounts = [i64; VILLAGE_ITEMS];

fn item_index(item: &str) -> usize {
    TALLY_ITEMS
        .iter()
        .position(|i| *i == item)
        .expect("tally() yields only TALLY_ITEMS")
}

/// A unit's figures from the log, week by week: a row of `field_unit_weeks` (migration 0010).
#[derive(Debug, Default)]
struct UnitWeeks {
    /// The tally items per reporting day.
    tallies: Weeks<{ TALLY_ITEMS.len() }>,
    /// People newly guided per reporting day and group (units above villages only).
    inclusion: Weeks<GROUPS>,
}

/// The figures of `units` (a JSON array of codes) for `plan`, by code; units without records have
/// no row. One statement, its rows aggregated into one JSON value.
async fn read_unit_weeks<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    backend: Backend,
    plan: &str,
    units: String,
) -> Result<HashMap<String, UnitWeeks>> {
    let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM field_unit_weeks WHERE plan_code = $1 AND {}",
        json_agg(backend, &["unit_code", "tallies", "inclusion"]),
        json_in(backend, "unit_code", 2)
    )))
    .bind(plan)
    .bind(units)
    .fetch_one(db)
    .await?;
    let corrupt = |code: &str, why: String| {
        StoreError::Corrupt(format!("số liệu nhật ký theo tuần của {code}: {why}"))
    };
    from_json_agg::<(String, String, String)>(&rows)?
        .into_iter()
        .map(|(code, tallies, inclusion)| {
            let weeks = UnitWeeks {
                tallies: Weeks::parse(&tallies).map_err(|e| corrupt(&code, e))?,
                inclusion: Weeks::parse(&inclusion).map_err(|e| corrupt(&code, e))?,
            };
            Ok((code, weeks))
        })
        .collect()
}

/// What a batch writes, once counted in memory (see [`Store::put_field_records`]).
struct Batch<'a> {
    source: &'a str,
    who: &'a Who,
    /// New records, and what each counted for the person.
    records: &'a [(&'a FieldInput, Items)],
    /// Persons of the batch (key → last day seen), and what each now counts for.
    people: &'a HashMap<&'a str, NaiveDate>,
    known_people: &'a HashMap<&'a str, Items>,
    /// What the persons counted for and their last day, as stored before the batch.
    people_stored: &'a HashMap<&'a str, (Items, NaiveDate)>,
    /// What the batch counted, to add to its units' figures.
    counted: Counted<'a>,
}

/// A batch's counts, and what adding them to the figures of its units needs (see [`roll_up`]).
struct Counted<'a> {
    /// The batch's increases per village and week (its activity), per village's parent and week
    /// (every item), and per parent, week and inclusion group.
    by_village: &'a HashMap<(u32, NaiveDate), VillageCounts>,
    by_parent: HashMap<(u32, NaiveDate), Counts>,
    groups: &'a HashMap<(u32, NaiveDate, usize), i64>,
    /// Unit codes by number, and each village's lineage of numbers.
    units: &'a [String],
    lineages: &'a HashMap<u32, Vec<u32>>,
    /// The numbers of every unit the batch counts in, and their figures as they were, by code.
    touched: &'a [u32],
    figures: HashMap<String, UnitWeeks>,
}

/// Adds `counts` to `row`.
fn add(row: &mut [i64], counts: &[i64]) {
    for (sum, n) in row.iter_mut().zip(counts) {
        *sum += n;
    }
}

fn parse_date(text: &str) -> Result<NaiveDate> {
    parse_day(text).ok_or_else(|| StoreError::Corrupt(format!("ngày «{text}» không hợp lệ")))
}

/// Adds a counted batch to the figures of its units as they were read (`c.figures`): a village's
/// activity to the village, everything to its parent and the units above, Golden Weeks where
/// villages reached them. Returns the rows to write back, as one JSON value.
fn roll_up(plan: &Plan, c: Counted<'_>) -> String {
    // Every unit the batch counts in, as it was: its villages and the units above them.
    let mut rows = c.figures;
    let mut figures: HashMap<u32, UnitWeeks> = c
        .touched
        .iter()
        .map(|u| (*u, rows.remove(&c.units[*u as usize]).unwrap_or_default()))
        .collect();
    // Each parent of villages (a commune), with the units above it.
    let with_ancestors: HashMap<u32, &[u32]> = c
        .lineages
        .values()
        .filter(|l| l.len() >= 2)
        .map(|l| (l[l.len() - 2], &l[..l.len() - 1]))
        .collect();
    let parent = |village: u32| {
        let lineage = &c.lineages[&village];
        lineage.len().checked_sub(2).map(|i| lineage[i])
    };

    // A village counts its activity: records, people, records covering every skill, and
    // whether it was active in the week (`teams`, 1 from its first record of the week). The
    // units above count everything the villages counted, and the villages newly active.
    let mut by_parent = c.by_parent;
    // Villages reaching their Golden Week threshold in this batch, and the earliest such week.
    let mut crossed: HashMap<u32, NaiveDate> = HashMap::default();
    let (records, full, teams) = (item_index(RECORDS), item_index(FULL), item_index(TEAMS));
    for (&(village, week), counts) in c.by_village {
        let cell = figures
            .get_mut(&village)
            .expect("every village is read")
            .tallies
            .week(week);
        if cell[records] == 0 {
            cell[teams] = 1;
            if let Some(p) = parent(village) {
                by_parent.entry((p, week)).or_default()[teams] += 1;
            }
        }
        let full_before = cell[full];
        add(cell, counts);
        if let Some(people) = plan.golden_week_people
            && golden_week_reached(full_before, cell[full], people)
        {
            let w = crossed.entry(village).or_insert(week);
            *w = (*w).min(week);
        }
    }

    // Golden Week: the first week a village reached the threshold, which may be earlier than
    // the week recorded so far when late records of an earlier week arrive.
    let golden = item_index(GOLDEN);
    for (village, week) in crossed {
        let row = figures.get_mut(&village).expect("every village is read");
        let before = row.tallies.first_with(golden);
        if before.is_some_and(|b| b <= week) {
            continue;
        }
        row.tallies.week(week)[golden] = 1;
        if let Some(before) = before {
            row.tallies.week(before)[golden] = 0;
        }
        if let Some(p) = parent(village) {
            by_parent.entry((p, week)).or_default()[golden] += 1;
            if let Some(before) = before {
                by_parent.entry((p, before)).or_default()[golden] -= 1;
            }
        }
    }
    for ((parent, week), counts) in by_parent {
        for unit in with_ancestors[&parent] {
            let row = figures.get_mut(unit).expect("every unit above is read");
            add(row.tallies.week(week), &counts);
        }
    }
    // Inclusion aggregates, likewise from the parents up.
    for ((parent, week, group), n) in c.groups {
        for unit in with_ancestors[parent] {
            let row = figures.get_mut(unit).expect("every unit above is read");
            row.inclusion.week(*week)[*group] += n;
        }
    }

    let mut rows = JsonRows::new();
    let (mut tallies, mut inclusion) = (Vec::new(), Vec::new());
    for (unit, row) in &figures {
        tallies.clear();
        row.tallies.write(&mut tallies);
        inclusion.clear();
        row.inclusion.write(&mut inclusion);
        rows.push(&[
            Json::T(&c.units[*unit as usize]),
            Json::T(std::str::from_utf8(&tallies).expect("digits, dashes and separators")),
            Json::T(std::str::from_utf8(&inclusion).expect("digits, dashes and separators")),
        ]);
    }
    rows.finish()
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
        let mut stored: HashMap<&str, (&str, NaiveDate, i64)> =
            HashMap::with_capacity_and_hasher(inputs.len(), Default::default());
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
        let mut people: HashMap<&str, Items> =
            HashMap::with_capacity_and_hasher(keys.len(), Default::default());
        // What they counted for, and the last day they were seen, as stored.
        let mut people_stored: HashMap<&str, (Items, NaiveDate)> = HashMap::default();
        if !keys.is_empty() {
            let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {} FROM field_people WHERE plan_code = $1 AND {}",
                json_agg(backend, &["person_key", "items", "last_day"]),
                json_in(backend, "person_key", 2)
            )))
            .bind(&plan.code)
            .bind(JsonRows::texts(keys.iter().copied()))
            .fetch_one(&mut *tx)
            .await?;
            let rows: Vec<(String, i64, String)> = from_json_agg(&rows)?;
            for (key, items, last_day) in rows {
                if let Ok(i) = keys.binary_search(&key.as_str()) {
                    people.insert(keys[i], Items(items as u16));
                    people_stored.insert(keys[i], (Items(items as u16), parse_date(&last_day)?));
                }
            }
        }

        // Count, in memory, per village and week (and group, for the inclusion view), while the
        // figures of every unit the batch counts in are read: its villages and the units above.
        let mut touched: Vec<u32> = lineages.values().flatten().copied().collect();
        touched.sort_unstable();
        touched.dedup();
        let read = read_unit_weeks(
            &mut *tx,
            backend,
            &plan.code,
            JsonRows::texts(touched.iter().map(|u| units[*u as usize].as_str())),
        );
        let every_skill = all_skills(plan);
        let mut outcomes = Vec::with_capacity(inputs.len());
        let mut by_village: HashMap<(u32, NaiveDate), VillageCounts> =
            HashMap::with_capacity_and_hasher(inputs.len(), Default::default());
        let mut by_parent: HashMap<(u32, NaiveDate), Counts> = HashMap::default();
        let mut groups: HashMap<(u32, NaiveDate, usize), i64> = HashMap::default();
        let mut touched_people: HashMap<&str, NaiveDate> =
            HashMap::with_capacity_and_hasher(keys.len(), Default::default());
        let mut new_records = Vec::new();
        let (figures, ()) = overlapped(read, || {
            for input in inputs {
                let r = &input.record;
                if let Some((village, day, items)) = stored.get(r.id.as_str()) {
                    let same =
                        *village == input.village && *day == r.day && *items == r.items.0 as i64;
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
                let mut counts: Counts = [0; TALLY_ITEMS.len()];
                for (item, n) in &t.items {
                    counts[item_index(item)] += n;
                }
                add(
                    by_village.entry((village, week)).or_default(),
                    &counts[..VILLAGE_ITEMS],
                );
                // Everything else starts at the village's parent (a village's cells are too small).
                let lineage = &lineages[&village];
                if let Some(parent) = lineage.len().checked_sub(2).map(|i| lineage[i]) {
                    add(by_parent.entry((parent, week)).or_default(), &counts);
                    if t.new_person {
                        *groups
                            .entry((parent, week, group_index(&r.group)))
                            .or_default() += 1;
                    }
                }
                new_records.push((input, t.added));
                outcomes.push(Outcome::Stored);
            }
        })
        .await;
        let figures = figures?;

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
                        people_stored: &people_stored,
                        counted: Counted {
                            by_village: &by_village,
                            by_parent,
                            groups: &groups,
                            units: &units,
                            lineages: &lineages,
                            touched: &touched,
                            figures,
                        },
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
        let insert = sqlx::query(sqlx::AssertSqlSafe(format!(
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
        .execute(&mut **tx);
        // The units' new figures are worked out while the records are inserted.
        let (written, figures) = overlapped(insert, || roll_up(plan, b.counted)).await;
        if written?.rows_affected() != b.records.len() as u64 {
            return Ok(false);
        }

        // Persons whose items or last day change (a person seen again, already counted for
        // everything the visit covered, on a day before the last one, is left as stored).
        let mut rows = JsonRows::new();
        for (key, last) in b.people {
            let items = b.known_people[key];
            if b.people_stored
                .get(key)
                .is_some_and(|(i, l)| *i == items && l >= last)
            {
                continue;
            }
            rows.push(&[Json::T(key), Json::I(items.0 as i64), Json::D(*last)]);
        }
        if rows.len > 0 {
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

        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO field_unit_weeks (plan_code, unit_code, tallies, inclusion)
             SELECT $2, unit_code, tallies, inclusion FROM ({}) u WHERE true
             ON CONFLICT (plan_code, unit_code) DO UPDATE SET
                 tallies = excluded.tallies, inclusion = excluded.inclusion",
            json_rows(
                backend,
                1,
                &[
                    ("unit_code", JsonCol::Text),
                    ("tallies", JsonCol::Text),
                    ("inclusion", JsonCol::Text),
                ]
            )
        )))
        .bind(figures)
        .bind(&plan.code)
        .execute(&mut **tx)
        .await?;
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
            .unit_weeks(plan, &[unit])
            .await?
            .remove(unit)
            .map_or([0; TALLY_ITEMS.len()], |w| w.tallies.until(reporting_day));
        Ok(TALLY_ITEMS
            .iter()
            .zip(sums)
            .map(|(item, n)| (item.to_string(), n))
            .collect())
    }

    /// The team activity of `units` up to the week of `to` (a reporting day): cumulative figures,
    /// and the figures of each of the `recent` weeks (reporting days). One row per unit is read,
    /// whatever the number of records.
    pub async fn field_activity(
        &self,
        plan: &str,
        units: &[String],
        recent: &[NaiveDate],
        to: NaiveDate,
    ) -> Result<std::collections::HashMap<String, Activity>> {
        let codes: Vec<&str> = units.iter().map(String::as_str).collect();
        let mut out = std::collections::HashMap::new();
        for (unit, weeks) in self.unit_weeks(plan, &codes).await? {
            let mut activity = Activity::default();
            if weeks.tallies.up_to(to).next().is_some() {
                let sums = weeks.tallies.until(to);
                activity.records = sums[item_index(RECORDS)];
                activity.people = sums[item_index(PEOPLE)];
                activity.golden = sums[item_index(GOLDEN)];
                activity.golden_week = weeks
                    .tallies
                    .first_with(item_index(GOLDEN))
                    .filter(|w| *w <= to);
            } else if !recent.iter().any(|w| weeks.tallies.get(*w).is_some()) {
                continue;
            }
            for week in recent {
                if let Some(c) = weeks.tallies.get(*week) {
                    let (people, teams) = (c[item_index(PEOPLE)], c[item_index(TEAMS)]);
                    activity.weeks.push((*week, people, teams));
                }
            }
            out.insert(unit, activity);
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
            .unit_weeks(plan, &[unit])
            .await?
            .remove(unit)
            .map_or([0; GROUPS], |w| w.inclusion.until(reporting_day));
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

    /// The log's figures of `units`, week by week.
    async fn unit_weeks(&self, plan: &str, units: &[&str]) -> Result<HashMap<String, UnitWeeks>> {
        let codes = JsonRows::texts(units.iter().copied());
        read_unit_weeks(&self.pool, self.backend(), plan, codes).await
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
    fn a_village_counts_the_first_tally_items() {
        assert_eq!(TALLY_ITEMS[..VILLAGE_ITEMS], [RECORDS, PEOPLE, FULL]);
    }

    #[test]
    fn inclusion_groups_are_numbered_once_each() {
        for i in 0..GROUPS {
            assert_eq!(group_index(&group_of(i)), i);
        }
        // The first and last of the order migration 0010 packs the old columns in.
        let unknown = Group {
            age_band: None,
            gender: None,
            minority: None,
        };
        assert_eq!(group_of(0), unknown);
        let last = Group {
            age_band: Some(AgeBand::ALL[AgeBand::ALL.len() - 1]),
            gender: Some(Gender::Female),
            minority: Some(true),
        };
        assert_eq!(group_of(GROUPS - 1), last);
    }
}
