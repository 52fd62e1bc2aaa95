//! Roll-ups kept in step with the reports, in the same transaction as every change (the math is in
//! `hocvuso_core::rollup`): table `rollups` holds, per plan, unit, indicator and reporting day, the
//! summed steps of the contributions of the subjects below the unit. Progress of any unit at any date
//! is one small sum over it, the same cost for a commune as for the whole country.
//!
//! Writers of reports lock their reporting units ([`lock_units`]), read what they decide on, then call
//! [`Refresh::begin`] before changing anything and [`Refresh::finish`] after:
//! the subjects' series are read before and after, and the differences added to every unit above
//! them. On PostgreSQL the reporting units and then the subjects are locked first (advisory locks, in
//! one global order), so two transactions about the same subject (a commune's report and Công an
//! tỉnh's) take turns; SQLite has one writer at a time anyway. Changes to units, denominators or the plan
//! itself call [`Store::rebuild_rollups`].

use crate::Store;
use crate::db::Backend;
use crate::error::{Result, StoreError};
use crate::units::subtree_range;
use chrono::NaiveDate;
use hocvuso_core::calendar;
use hocvuso_core::outlook::{Tracked, track};
use hocvuso_core::plan::{Indicator, Plan, Reporter, TargetKind};
use hocvuso_core::progress::{Contribution, Figure, Progress};
use hocvuso_core::rollup::{SubjectBase, accumulate, deltas, index_on, key_of, series, steps};
use hocvuso_core::units::UnitKind;
use std::collections::{BTreeMap, BTreeSet, HashMap};

type Tx = crate::db::WriteTx;
/// (indicator, subject)
type Pair = (String, String);
/// (unit, indicator, index) → summed step
type Steps = BTreeMap<(String, String, usize), Contribution>;

const STEP_COLUMNS: &str =
    "expected, counted, reported, fresh, numerator, denominator, total, without_denominator";

/// The steps of one unit in one row (`indicator,week,expected,…;indicator,week,…`): SQLite's driver
/// hands rows over one by one between threads, so a heat table of 102 communes reads 102 rows instead
/// of 16,000.
#[derive(sqlx::FromRow)]
struct PackedRow {
    unit_code: String,
    steps: String,
}

/// The SQL of a [`PackedRow`]'s `steps` over the rows of `rollups r`, grouped by unit. Numbers that
/// are not whole are written with 17 significant digits, so they read back exactly.
pub(crate) fn packed_steps(backend: Backend) -> String {
    let number = |c: &str| match backend {
        // Whole numbers (nearly all: counts of units and people) skip the slow exact float format.
        Backend::Sqlite => format!(
            "iif(r.{c} = CAST(r.{c} AS INTEGER), CAST(CAST(r.{c} AS INTEGER) AS TEXT), printf('%!.17g', r.{c}))"
        ),
        Backend::Postgres => format!("CAST(r.{c} AS TEXT)"),
    };
    let fields = ["r.indicator_code".to_string(), "r.week".to_string()]
        .into_iter()
        .chain(STEP_COLUMNS.split(", ").map(number))
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    match backend {
        Backend::Sqlite => format!("group_concat({fields}, ';')"),
        Backend::Postgres => format!("string_agg({fields}, ';')"),
    }
}

/// (indicator, week, step) of each step in a packed row.
pub(crate) fn unpack(steps: &str) -> Result<Vec<(&str, &str, Contribution)>> {
    steps
        .split(';')
        .map(|step| {
            let mut fields = step.split(',');
            let indicator = fields.next().unwrap_or_default();
            let week = fields.next().unwrap_or_default();
            let mut n = [0.0; 8];
            for slot in &mut n {
                *slot = fields
                    .next()
                    .and_then(|f| f.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt(format!("roll-up step «{step}»")))?;
            }
            let [
                expected,
                counted,
                reported,
                fresh,
                numerator,
                denominator,
                total,
                without_denominator,
            ] = n;
            Ok((
                indicator,
                week,
                Contribution {
                    expected,
                    counted,
                    reported,
                    fresh,
                    numerator,
                    denominator,
                    total,
                    without_denominator,
                },
            ))
        })
        .collect()
}

#[derive(sqlx::FromRow, Clone)]
struct UnitRow {
    code: String,
    kind: String,
    path: String,
    valid_from: String,
    valid_to: Option<String>,
}

impl UnitRow {
    fn lineage(&self) -> impl Iterator<Item = &str> {
        self.path.split('/').filter(|s| !s.is_empty())
    }
}

/// Whether `unit` carries its own figure for `indicator` (its reporter, or the subject of an
/// on-behalf report).
fn is_subject(indicator: &Indicator, unit: &UnitRow) -> bool {
    indicator.reporters.iter().any(|r| match r {
        Reporter::Kind { kind } | Reporter::OnBehalf { for_kind: kind, .. } => {
            kind.as_str() == unit.kind
        }
        Reporter::Unit { unit: code } => code.as_str() == unit.code,
    })
}

fn date(text: &str) -> Option<NaiveDate> {
    text.get(..10).and_then(|t| t.parse().ok())
}

/// Placeholders `$first, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a subject's series depend on, read for a set of subjects.
struct Inputs {
    units: HashMap<String, UnitRow>,
    /// (unit, denominator key) → [(from, value)], oldest first
    denominators: HashMap<(String, String), Vec<(NaiveDate, f64)>>,
    /// (subject, counted kind) → counted units in its subtree
    counted: HashMap<(String, UnitKind), f64>,
    /// (indicator, subject) → effective figure per reporting day
    figures: HashMap<Pair, BTreeMap<NaiveDate, Figure>>,
    /// (indicator, subject) → the subject's assigned minimum (minimum-per-unit indicators)
    minimums: HashMap<Pair, f64>,
    province: Option<UnitRow>,
}

impl Inputs {
    fn base(&self, indicator: &Indicator, unit: &UnitRow) -> SubjectBase {
        let counted_units = match (indicator.kind, indicator.counted_unit) {
            (TargetKind::ShareOfUnits, Some(kind)) if kind.as_str() == unit.kind => 1.0,
            (TargetKind::ShareOfUnits, Some(kind)) => self
                .counted
                .get(&(unit.code.clone(), kind))
                .copied()
                .unwrap_or(0.0),
            _ => 0.0,
        };
        let registered = match (indicator.kind, &indicator.denominator) {
            (TargetKind::Ratio, Some(key)) => self
                .denominators
                .get(&(unit.code.clone(), key.clone()))
                .cloned()
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        SubjectBase {
            counted_units,
            registered,
            minimum: self
                .minimums
                .get(&(indicator.code.clone(), unit.code.clone()))
                .copied(),
            valid_from: date(&unit.valid_from),
            valid_to: unit.valid_to.as_deref().and_then(date),
        }
    }

    fn series(&self, plan: &Plan, days: &[NaiveDate], pair: &Pair) -> Vec<Contribution> {
        let (Some(indicator), Some(unit)) = (plan.indicator(&pair.0), self.units.get(&pair.1))
        else {
            return Vec::new();
        };
        if !is_subject(indicator, unit) {
            return Vec::new();
        }
        let empty = BTreeMap::new();
        let figures = self.figures.get(pair).unwrap_or(&empty);
        series(indicator, days, &self.base(indicator, unit), figures)
    }
}

/// Which subjects to read: a few (a change of reports), or every unit of the plan's province (a
/// rebuild).
enum Selection<'a> {
    Subjects(&'a BTreeSet<String>),
    Province,
}

impl Selection<'_> {
    /// A condition on `u` (units) and its binds, numbered from `$1`.
    fn filter(&self, province: &UnitRow) -> (String, Vec<String>) {
        match self {
            Selection::Subjects(codes) => (
                format!("u.code IN ({})", placeholders(1, codes.len().max(1))),
                if codes.is_empty() {
                    vec![String::new()]
                } else {
                    codes.iter().cloned().collect()
                },
            ),
            Selection::Province => {
                let (lo, hi) = subtree_range(&province.path);
                ("u.path >= $1 AND u.path < $2".into(), vec![lo, hi])
            }
        }
    }
}

/// Reads what the series of the selected subjects depend on, except their figures.
async fn read_inputs(tx: &mut Tx, plan: &Plan, selection: &Selection<'_>) -> Result<Inputs> {
    let mut inputs = Inputs {
        units: HashMap::new(),
        denominators: HashMap::new(),
        counted: HashMap::new(),
        figures: HashMap::new(),
        minimums: HashMap::new(),
        province: None,
    };
    let province: Option<UnitRow> =
        sqlx::query_as("SELECT code, kind, path, valid_from, valid_to FROM units WHERE code = $1")
            .bind(plan.province.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    let Some(province) = province else {
        return Ok(inputs);
    };
    let (lo, hi) = subtree_range(&province.path);
    let (filter, binds) = selection.filter(&province);
    let next = binds.len() + 1;

    let sql = format!(
        "SELECT u.code, u.kind, u.path, u.valid_from, u.valid_to FROM units u
         WHERE {filter} AND u.path >= ${next} AND u.path < ${}",
        next + 1
    );
    let mut q = sqlx::query_as::<_, UnitRow>(sqlx::AssertSqlSafe(sql)).persistent(false);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.bind(&lo).bind(&hi).fetch_all(&mut **tx).await?;
    inputs.units = rows.into_iter().map(|u| (u.code.clone(), u)).collect();
    if inputs.units.is_empty() {
        inputs.province = Some(province);
        return Ok(inputs);
    }

    let sql = format!(
        "SELECT d.unit_code, d.key, d.as_of, d.value FROM unit_denominators d JOIN units u ON u.code = d.unit_code
         WHERE {filter} ORDER BY d.unit_code, d.key, d.as_of"
    );
    let mut q = sqlx::query_as::<_, (String, String, String, f64)>(sqlx::AssertSqlSafe(sql))
        .persistent(false);
    for b in &binds {
        q = q.bind(b);
    }
    for (unit, key, as_of, value) in q.fetch_all(&mut **tx).await? {
        if let Some(day) = date(&as_of) {
            inputs
                .denominators
                .entry((unit, key))
                .or_default()
                .push((day, value));
        }
    }

    // Assigned minimums (the other assigned targets do not change the sums).
    let minimum_kind: BTreeSet<&str> = plan
        .indicators
        .iter()
        .filter(|i| i.kind == TargetKind::MinimumPerUnit)
        .map(|i| i.code.as_str())
        .collect();
    if !minimum_kind.is_empty() {
        let sql = format!(
            "SELECT t.indicator_code, t.unit_code, t.target FROM unit_targets t JOIN units u ON u.code = t.unit_code
             WHERE {filter} AND t.plan_code = ${next}"
        );
        let mut q =
            sqlx::query_as::<_, (String, String, f64)>(sqlx::AssertSqlSafe(sql)).persistent(false);
        for b in &binds {
            q = q.bind(b);
        }
        for (indicator, unit, target) in q.bind(&plan.code).fetch_all(&mut **tx).await? {
            if minimum_kind.contains(indicator.as_str()) {
                inputs.minimums.insert((indicator, unit), target);
            }
        }
    }

    // Counted units (share of units) strictly below each subject, for the kinds the plan counts.
    let kinds: BTreeSet<&str> = plan
        .indicators
        .iter()
        .filter(|i| i.kind == TargetKind::ShareOfUnits)
        .filter_map(|i| i.counted_unit)
        .map(|k| k.as_str())
        .collect();
    if !kinds.is_empty() {
        // Below each subject, or, for many subjects (one condition each would make too large a
        // query), the whole province with the counts kept only for the subjects.
        let ranges: Vec<(String, String)> = match selection {
            Selection::Subjects(_) if inputs.units.len() <= 64 => inputs
                .units
                .values()
                .map(|u| subtree_range(&u.path))
                .collect(),
            _ => vec![(lo.clone(), hi.clone())],
        };
        let condition = (0..ranges.len())
            .map(|i| format!("(path > ${} AND path < ${})", 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(" OR ");
        let sql = format!(
            "SELECT path, kind FROM units WHERE ({condition}) AND valid_to IS NULL AND kind IN ({})",
            placeholders(2 * ranges.len() + 1, kinds.len())
        );
        let mut q =
            sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql)).persistent(false);
        for (a, b) in &ranges {
            q = q.bind(a).bind(b);
        }
        for k in &kinds {
            q = q.bind(*k);
        }
        for (path, kind) in q.fetch_all(&mut **tx).await? {
            let Some(kind) = UnitKind::parse(&kind) else {
                continue;
            };
            let mut lineage: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            lineage.pop(); // not itself
            for code in lineage {
                if inputs.units.contains_key(code) {
                    *inputs
                        .counted
                        .entry((code.to_string(), kind))
                        .or_insert(0.0) += 1.0;
                }
            }
        }
    }
    inputs.province = Some(province);
    Ok(inputs)
}

/// Reads the effective figures of the selected subjects: per (indicator, subject, week), the latest
/// counted submission.
async fn read_figures(
    tx: &mut Tx,
    plan: &Plan,
    inputs: &mut Inputs,
    selection: &Selection<'_>,
) -> Result<()> {
    inputs.figures.clear();
    let Some(province) = &inputs.province else {
        return Ok(());
    };
    if inputs.units.is_empty() {
        return Ok(());
    }
    let (filter, binds) = selection.filter(province);
    let next = binds.len() + 1;
    let sql = format!(
        "SELECT v.indicator_code, v.subject_code, r.week, v.numerator, v.denominator, r.submitted_at
         FROM report_values v JOIN reports r ON r.id = v.report_id JOIN units u ON u.code = v.subject_code
         WHERE {filter} AND r.plan_code = ${next} AND r.status IN ('submitted', 'approved')"
    );
    let mut q = sqlx::query_as::<_, (String, String, String, f64, Option<f64>, Option<String>)>(
        sqlx::AssertSqlSafe(sql),
    )
    .persistent(false);
    for b in &binds {
        q = q.bind(b);
    }
    let mut best: HashMap<(Pair, NaiveDate), (Option<String>, Figure)> = HashMap::new();
    for (indicator, subject, week, numerator, denominator, submitted_at) in
        q.bind(&plan.code).fetch_all(&mut **tx).await?
    {
        let Some(week) = date(&week) else { continue };
        let key = ((indicator, subject), week);
        if best.get(&key).is_none_or(|(at, _)| submitted_at > *at) {
            let figure = Figure {
                week,
                numerator,
                denominator,
            };
            best.insert(key, (submitted_at, figure));
        }
    }
    for ((pair, week), (_, figure)) in best {
        inputs.figures.entry(pair).or_default().insert(week, figure);
    }
    Ok(())
}

/// Adds summed steps to the stored ones.
async fn add_steps(tx: &mut Tx, plan: &str, days: &[NaiveDate], steps: &Steps) -> Result<()> {
    let rows: Vec<_> = steps.iter().filter(|(_, c)| !c.is_zero()).collect();
    for chunk in rows.chunks(200) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * 12 + 1, 12)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO rollups (plan_code, unit_code, indicator_code, week, {STEP_COLUMNS}) VALUES {values}
             ON CONFLICT (plan_code, unit_code, indicator_code, week) DO UPDATE SET
               expected = rollups.expected + excluded.expected, counted = rollups.counted + excluded.counted,
               reported = rollups.reported + excluded.reported, fresh = rollups.fresh + excluded.fresh,
               numerator = rollups.numerator + excluded.numerator,
               denominator = rollups.denominator + excluded.denominator,
               total = rollups.total + excluded.total,
               without_denominator = rollups.without_denominator + excluded.without_denominator"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for ((unit, indicator, index), c) in chunk {
            q = q
                .bind(plan)
                .bind(unit)
                .bind(indicator)
                .bind(key_of(days, *index))
                .bind(c.expected)
                .bind(c.counted)
                .bind(c.reported)
                .bind(c.fresh)
                .bind(c.numerator)
                .bind(c.denominator)
                .bind(c.total)
                .bind(c.without_denominator);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Locks units on PostgreSQL for the rest of the transaction, in one global order (SQLite: the write
/// transaction already excludes others). Advisory locks on the codes' hashes rather than row locks:
/// a row lock would also block the key-share locks that foreign keys take on the same units (for the
/// roll-up rows of ancestors), in an order no writer controls, and deadlock.
pub(crate) async fn lock_units(
    tx: &mut Tx,
    backend: Backend,
    codes: &BTreeSet<String>,
) -> Result<()> {
    if backend != Backend::Postgres || codes.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(c) AS k FROM (VALUES {}) v(c) ORDER BY k) s",
        (1..=codes.len())
            .map(|i| format!("(${i})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
    for c in codes {
        q = q.bind(c);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// One refresh of the roll-ups around a change of reports.
pub(crate) struct Refresh {
    pairs: BTreeSet<Pair>,
    subjects: BTreeSet<String>,
    inputs: Inputs,
    old: HashMap<Pair, Vec<Contribution>>,
}

impl Refresh {
    /// Locks the subjects of the values the reports have now and will have, and reads those
    /// subjects' series before the change. The caller has locked the reporting units first
    /// ([`lock_units`]), before it read the reports it decides on.
    pub(crate) async fn begin(
        tx: &mut Tx,
        backend: Backend,
        plan: &Plan,
        reports: &[(String, NaiveDate)],
        new_values: impl IntoIterator<Item = Pair>,
    ) -> Result<Refresh> {
        let reporters: BTreeSet<String> = reports.iter().map(|(u, _)| u.clone()).collect();
        let mut pairs: BTreeSet<Pair> = new_values.into_iter().collect();
        for chunk in reports.chunks(200) {
            let reports = (0..chunk.len())
                .map(|i| format!("(r.unit_code = ${} AND r.week = ${})", 2 * i + 2, 2 * i + 3))
                .collect::<Vec<_>>()
                .join(" OR ");
            let sql = format!(
                "SELECT v.indicator_code, v.subject_code FROM report_values v JOIN reports r ON r.id = v.report_id
                 WHERE r.plan_code = $1 AND ({reports})"
            );
            let mut q = sqlx::query_as::<_, Pair>(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(&plan.code);
            for (unit, week) in chunk {
                q = q.bind(unit).bind(week.to_string());
            }
            pairs.extend(q.fetch_all(&mut **tx).await?);
        }
        let subjects: BTreeSet<String> = pairs.iter().map(|(_, s)| s.clone()).collect();
        lock_units(
            tx,
            backend,
            &subjects.difference(&reporters).cloned().collect(),
        )
        .await?;
        let selection = Selection::Subjects(&subjects);
        let mut inputs = read_inputs(tx, plan, &selection).await?;
        read_figures(tx, plan, &mut inputs, &selection).await?;
        let days = reporting_days(plan);
        let old = pairs
            .iter()
            .map(|p| (p.clone(), inputs.series(plan, &days, p)))
            .collect();
        Ok(Refresh {
            pairs,
            subjects,
            inputs,
            old,
        })
    }

    /// Reads the figures after the change and adds the differences of the series to every unit above
    /// each subject.
    pub(crate) async fn finish(mut self, tx: &mut Tx, plan: &Plan) -> Result<()> {
        let selection = Selection::Subjects(&self.subjects);
        read_figures(tx, plan, &mut self.inputs, &selection).await?;
        let days = reporting_days(plan);
        let mut summed = Steps::new();
        for pair in &self.pairs {
            let new = self.inputs.series(plan, &days, pair);
            let old = self.old.get(pair).map(Vec::as_slice).unwrap_or(&[]);
            let Some(unit) = self.inputs.units.get(&pair.1) else {
                continue;
            };
            for (index, delta) in deltas(old, &new) {
                for ancestor in unit.lineage() {
                    let slot = summed
                        .entry((ancestor.to_string(), pair.0.clone(), index))
                        .or_default();
                    *slot = *slot + delta;
                }
            }
        }
        add_steps(tx, &plan.code, &days, &summed).await
    }
}

fn reporting_days(plan: &Plan) -> Vec<NaiveDate> {
    calendar::weeks(plan)
        .into_iter()
        .map(|w| w.reporting_day)
        .collect()
}

impl Store {
    /// Recomputes the roll-ups of a plan from the reports, units and denominators (after an import of
    /// units or denominators, or a new version of the plan).
    pub async fn rebuild_rollups(&self, plan: &Plan) -> Result<()> {
        let mut tx = self.begin_write().await?;
        rebuild_in(&mut tx, self.backend(), plan).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Progress of each indicator of `plan`, in plan order, over `scope`'s subtree on `as_of`, read
    /// from the roll-ups (the progress part of [`Store::tracked`]).
    pub async fn progress(
        &self,
        plan: &Plan,
        scope: &crate::units::UnitRecord,
        as_of: NaiveDate,
    ) -> Result<Vec<Progress>> {
        Ok(self
            .tracked(plan, scope, as_of)
            .await?
            .into_iter()
            .map(|t| t.progress)
            .collect())
    }

    /// Each indicator of `plan` over `scope`'s subtree as the pages show it: progress on `as_of`, the
    /// value on every reporting day up to it, and the outlook. One read of the scope's roll-ups.
    pub async fn tracked(
        &self,
        plan: &Plan,
        scope: &crate::units::UnitRecord,
        as_of: NaiveDate,
    ) -> Result<Vec<Tracked>> {
        let sql = format!(
            "SELECT r.unit_code, {} AS steps FROM rollups r WHERE r.plan_code = $1 AND r.unit_code = $2
             GROUP BY r.unit_code",
            packed_steps(self.backend())
        );
        let query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&plan.code)
            .bind(&scope.code);
        let mut series = self.rollup_series(plan, query).await?;
        let series = series.remove(&scope.code).unwrap_or_default();
        let assigned = self.assigned_of_unit(&plan.code, &scope.code).await?;
        Ok(track_all(plan, scope, &series, &assigned, as_of))
    }

    /// The units of `kind` within `parent`'s area (its children, or deeper: the communes of the
    /// whole country) that existed on `as_of` (a unit merged away later still shows for dates
    /// before the merger), in code order, each with every indicator tracked as [`Store::tracked`]
    /// does. Three queries, whatever the number of units.
    pub async fn tracked_children(
        &self,
        plan: &Plan,
        parent: &crate::units::UnitRecord,
        kind: UnitKind,
        as_of: NaiveDate,
    ) -> Result<Vec<(crate::units::UnitRecord, Vec<Tracked>)>> {
        let day = as_of.to_string();
        let (lo, hi) = subtree_range(&parent.path);
        // The units, with binds from `$first`: the area's path range, kind, day, parent.
        let alive = |first: usize| {
            let (lo, hi, k, d, p) = (first, first + 1, first + 2, first + 3, first + 4);
            format!(
                "u.path >= ${lo} AND u.path < ${hi} AND u.kind = ${k} AND u.code <> ${p}
                 AND u.valid_from <= ${d} AND (u.valid_to IS NULL OR u.valid_to > ${d})"
            )
        };
        // The units of one kind in a range of paths: SQLite, without statistics, would otherwise
        // take the path index and read every unit of the area (the whole country for provinces).
        let units_of_kind = match self.backend() {
            Backend::Sqlite => "units u INDEXED BY units_kind_path",
            Backend::Postgres => "units u",
        };
        let units: Vec<crate::units::UnitRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {units_of_kind} WHERE {} ORDER BY u.code",
            crate::units::UNIT_COLUMNS_U,
            alive(1)
        )))
        .bind(&lo)
        .bind(&hi)
        .bind(kind.as_str())
        .bind(&day)
        .bind(&parent.code)
        .fetch_all(&self.pool)
        .await?;
        let sql = format!(
            // CROSS JOIN keeps SQLite from scanning every roll-up of the plan: units first, then
            // each one's rows by the primary key. $7 and $8: the first and last unit code to read.
            "SELECT r.unit_code, {} AS steps FROM {units_of_kind} CROSS JOIN rollups r
             WHERE r.plan_code = $1 AND r.unit_code = u.code AND {}
               AND u.code >= $7 AND u.code <= $8
             GROUP BY r.unit_code",
            packed_steps(self.backend()),
            alive(2)
        );
        // The steps of the units from `first` to `last` (codes), packed.
        let fetch = |(first, last): (String, String)| {
            sqlx::query_as::<_, PackedRow>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(&plan.code)
                .bind(&lo)
                .bind(&hi)
                .bind(kind.as_str())
                .bind(&day)
                .bind(&parent.code)
                .bind(first)
                .bind(last)
                .fetch_all(&self.pool)
        };
        let range = |units: &[crate::units::UnitRecord]| {
            let code = |u: Option<&crate::units::UnitRecord>| u.map(|u| u.code.clone());
            (
                code(units.first()).unwrap_or_default(),
                code(units.last()).unwrap_or_default(),
            )
        };
        // A country's communes: SQLite reads and packs about 17 MB of steps, in two halves side
        // by side, each on its own connection (and thread); each half is then unpacked and
        // tracked on a blocking thread of its own. That nearly halves the wait.
        let halves: Vec<Vec<crate::units::UnitRecord>> = if units.len() < 1000 {
            vec![units]
        } else {
            let mut units = units;
            let second = units.split_off(units.len() / 2);
            vec![units, second]
        };
        let packed = match halves.as_slice() {
            [a, b] => {
                let (a, b) = tokio::try_join!(fetch(range(a)), fetch(range(b)))?;
                vec![a, b]
            }
            _ => vec![fetch(range(&halves[0])).await?],
        };
        let assigned = std::sync::Arc::new(
            self.assigned_of_kind(&plan.code, &parent.path, kind)
                .await?,
        );
        let plan = std::sync::Arc::new(plan.clone());
        let tasks: Vec<_> = halves
            .into_iter()
            .zip(packed)
            .map(|(units, rows)| {
                let (plan, assigned) = (plan.clone(), assigned.clone());
                tokio::task::spawn_blocking(move || -> Result<Vec<_>> {
                    let mut series = series_of(&reporting_days(&plan), rows)?;
                    Ok(units
                        .into_iter()
                        .map(|u| {
                            let s = series.remove(&u.code).unwrap_or_default();
                            let tracked = track_all(&plan, &u, &s, &assigned, as_of);
                            (u, tracked)
                        })
                        .collect())
                })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.extend(
                task.await
                    .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))??,
            );
        }
        Ok(out)
    }

    /// The stored steps a query selects, accumulated: unit → indicator → contribution at each
    /// index (index 0 before the first reporting day, then one per reporting day).
    async fn rollup_series<'q>(
        &self,
        plan: &Plan,
        query: sqlx::query::QueryAs<'q, sqlx::Any, PackedRow, sqlx::any::AnyArguments>,
    ) -> Result<Series> {
        series_of(&reporting_days(plan), query.fetch_all(&self.pool).await?)
    }
}

/// Unit → indicator → accumulated contribution at each index (index 0 before the first reporting
/// day, then one per reporting day).
type Series = HashMap<String, BTreeMap<String, Vec<Contribution>>>;

/// The series of packed rows of steps.
fn series_of(days: &[NaiveDate], rows: Vec<PackedRow>) -> Result<Series> {
    let mut stepped: Series = HashMap::new();
    for r in rows {
        let by_indicator = stepped.entry(r.unit_code).or_default();
        for (indicator, week, step) in unpack(&r.steps)? {
            let slot = by_indicator
                .entry(indicator.to_string())
                .or_insert_with(|| vec![Contribution::default(); days.len() + 1]);
            let index = match date(week) {
                None => 0,
                Some(day) => index_on(days, day),
            };
            slot[index] = slot[index] + step;
        }
    }
    for by_indicator in stepped.values_mut() {
        for s in by_indicator.values_mut() {
            *s = accumulate(s);
        }
    }
    Ok(stepped)
}

/// Every indicator of `plan`, in plan order, tracked from `unit`'s accumulated series against the
/// plan's targets or the unit's assigned ones.
fn track_all(
    plan: &Plan,
    unit: &crate::units::UnitRecord,
    series: &BTreeMap<String, Vec<Contribution>>,
    assigned: &crate::targets::ByUnit,
    as_of: NaiveDate,
) -> Vec<Tracked> {
    let days = reporting_days(plan);
    let province_wide = unit.code == plan.province.as_str();
    plan.indicators
        .iter()
        .map(|ind| {
            let s = series.get(&ind.code).map(Vec::as_slice).unwrap_or(&[]);
            let own = crate::targets::of_indicator(assigned, &unit.code, &ind.code);
            let (ind, applies) = hocvuso_core::assigned::for_unit(ind, &own, province_wide);
            track(&ind, s, &days, as_of, plan.campaign.start, applies)
        })
        .collect()
}

/// Recomputes a plan's roll-ups inside a write transaction.
pub(crate) async fn rebuild_in(tx: &mut Tx, backend: Backend, plan: &Plan) -> Result<()> {
    if backend == Backend::Postgres {
        // Writers of reports wait until the rebuilt sums are in place, and add their own changes after.
        sqlx::query("LOCK TABLE rollups IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM rollups WHERE plan_code = $1")
        .bind(&plan.code)
        .execute(&mut **tx)
        .await?;
    let mut inputs = read_inputs(tx, plan, &Selection::Province).await?;
    read_figures(tx, plan, &mut inputs, &Selection::Province).await?;
    let days = reporting_days(plan);
    let mut summed = Steps::new();
    for indicator in &plan.indicators {
        for unit in inputs.units.values() {
            if !is_subject(indicator, unit) {
                continue;
            }
            let pair = (indicator.code.clone(), unit.code.clone());
            for (index, step) in steps(&inputs.series(plan, &days, &pair))
                .into_iter()
                .enumerate()
            {
                if step.is_zero() {
                    continue;
                }
                for ancestor in unit.lineage() {
                    let slot = summed
                        .entry((ancestor.to_string(), indicator.code.clone(), index))
                        .or_default();
                    *slot = *slot + step;
                }
            }
        }
    }
    add_steps(tx, &plan.code, &days, &summed).await
}

/// Recomputes the roll-ups of the active plan, if any, inside a write transaction (after a change of
/// units or denominators).
pub(crate) async fn rebuild_active(tx: &mut Tx, backend: Backend) -> Result<()> {
    let source: Option<String> = sqlx::query_scalar("SELECT source FROM plans WHERE active = 1")
        .fetch_optional(&mut **tx)
        .await?;
    match crate::plans::parse_stored(source)? {
        Some(plan) => rebuild_in(tx, backend, &plan).await,
        None => Ok(()),
    }
}
