//! A measurement, not a code path: the reads that shaped this crate's storage — a country's communes'
//! roll-up steps (539,495 rows at national scale) and a 12,000-key lookup — through sqlx's `Any`
//! driver, as the store makes them today (packed text, one JSON value), as plain rows through `Any`,
//! and as plain rows through the engine's native driver (`SqlitePool`, `PgPool`). `hocvuso bench
//! storage` prints the table; docs/data-model.md records what it showed.

use crate::Store;
use crate::db::{Backend, json_agg, json_in};
use crate::error::Result;
use std::time::{Duration, Instant};

/// One way of reading, timed.
#[derive(Debug, Clone)]
pub struct Timing {
    pub what: String,
    /// Rows (or values) the read handed back.
    pub rows: usize,
    pub median: Duration,
    pub best: Duration,
}

/// A roll-up step as a plain row.
#[derive(sqlx::FromRow)]
#[allow(dead_code)]
struct StepRow {
    unit_code: String,
    indicator_code: String,
    week: String,
    expected: f64,
    counted: f64,
    reported: f64,
    fresh: f64,
    numerator: f64,
    denominator: f64,
    total: f64,
    without_denominator: f64,
}

/// How many rows of type `$row` the query `$sql`, bound to `$bind`, hands back through `$pool`.
macro_rules! count_rows {
    ($pool:expr, $row:ty, $sql:expr, $bind:expr) => {
        sqlx::query_as::<_, $row>(sqlx::AssertSqlSafe($sql.clone()))
            .bind($bind)
            .fetch_all($pool)
            .await?
            .len()
    };
}

enum Native {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Median and best of `repeats` runs of `read`, which returns how many rows it handed back.
async fn timed<F, Fut>(what: String, repeats: usize, mut read: F) -> Result<Timing>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<usize>>,
{
    let mut times = Vec::with_capacity(repeats);
    let mut rows = 0;
    read().await?; // warm the page cache and the statement cache
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        rows = read().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(Timing {
        what,
        rows,
        median: times[times.len() / 2],
        best: times[0],
    })
}

impl Store {
    /// Times the reads described in this module's documentation on the database at `url` (the
    /// store's own), for the active plan `plan_code`.
    #[doc(hidden)]
    pub async fn compare_drivers(
        &self,
        url: &str,
        plan_code: &str,
        repeats: usize,
    ) -> Result<Vec<Timing>> {
        let backend = self.backend();
        let native = match backend {
            Backend::Sqlite => Native::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(url)
                    .await?,
            ),
            Backend::Postgres => Native::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(url)
                    .await?,
            ),
        };
        let from = "FROM rollups r JOIN units u ON u.code = r.unit_code \
                    WHERE r.plan_code = $1 AND u.kind = 'commune' AND u.valid_to IS NULL";
        let packed = format!(
            "SELECT r.unit_code, {} AS steps {from} GROUP BY r.unit_code",
            crate::rollups::packed_steps(backend)
        );
        let plain = format!(
            "SELECT r.unit_code, r.indicator_code, r.week, r.expected, r.counted, r.reported, \
             r.fresh, r.numerator, r.denominator, r.total, r.without_denominator {from}"
        );
        let mut out = Vec::new();
        out.push(
            timed(
                "roll-up steps of the communes: packed text, one row per unit (Any, today)".into(),
                repeats,
                || async {
                    let rows: Vec<(String, String)> =
                        sqlx::query_as(sqlx::AssertSqlSafe(packed.clone()))
                            .bind(plan_code)
                            .fetch_all(&self.pool)
                            .await?;
                    let mut steps = 0;
                    for (_, text) in &rows {
                        steps += crate::rollups::unpack(text)?.len();
                    }
                    Ok(steps)
                },
            )
            .await?,
        );
        let as_json = format!(
            "SELECT r.unit_code, {} AS steps {from} GROUP BY r.unit_code",
            json_agg(
                backend,
                &[
                    "r.indicator_code",
                    "r.week",
                    "r.expected",
                    "r.counted",
                    "r.reported",
                    "r.fresh",
                    "r.numerator",
                    "r.denominator",
                    "r.total",
                    "r.without_denominator",
                ]
            )
        );
        out.push(
            timed(
                "roll-up steps of the communes: one JSON value per unit (Any)".into(),
                repeats,
                || async {
                    type Step = (String, String, f64, f64, f64, f64, f64, f64, f64, f64);
                    let rows: Vec<(String, String)> =
                        sqlx::query_as(sqlx::AssertSqlSafe(as_json.clone()))
                            .bind(plan_code)
                            .fetch_all(&self.pool)
                            .await?;
                    let mut steps = 0;
                    for (_, text) in &rows {
                        steps += crate::db::from_json_agg::<Step>(text)?.len();
                    }
                    Ok(steps)
                },
            )
            .await?,
        );
        out.push(
            timed(
                "roll-up steps of the communes: one row per step (Any)".into(),
                repeats,
                || async { Ok(count_rows!(&self.pool, StepRow, plain, plan_code)) },
            )
            .await?,
        );
        out.push(
            timed(
                "roll-up steps of the communes: one row per step (native driver)".into(),
                repeats,
                || async {
                    Ok(match &native {
                        Native::Sqlite(p) => count_rows!(p, StepRow, plain, plan_code),
                        Native::Postgres(p) => count_rows!(p, StepRow, plain, plan_code),
                    })
                },
            )
            .await?,
        );

        // A lookup of 12,000 keys: villages by code.
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT code FROM units WHERE kind = 'village' AND valid_to IS NULL ORDER BY code LIMIT 12000",
        )
        .fetch_all(&self.pool)
        .await?;
        let keys = serde_json::to_string(&codes).expect("strings serialise");
        let as_json = format!(
            "SELECT {} FROM units WHERE {}",
            json_agg(backend, &["code", "path"]),
            json_in(backend, "code", 1)
        );
        let as_rows = format!(
            "SELECT code, path FROM units WHERE {}",
            json_in(backend, "code", 1)
        );
        out.push(
            timed(
                format!(
                    "{} keys looked up: one JSON value (Any, today)",
                    codes.len()
                ),
                repeats,
                || async {
                    let text: String = sqlx::query_scalar(sqlx::AssertSqlSafe(as_json.clone()))
                        .bind(&keys)
                        .fetch_one(&self.pool)
                        .await?;
                    Ok(crate::db::from_json_agg::<(String, String)>(&text)?.len())
                },
            )
            .await?,
        );
        out.push(
            timed(
                format!("{} keys looked up: rows (Any)", codes.len()),
                repeats,
                || async { Ok(count_rows!(&self.pool, (String, String), as_rows, &keys)) },
            )
            .await?,
        );
        out.push(
            timed(
                format!("{} keys looked up: rows (native driver)", codes.len()),
                repeats,
                || async {
                    Ok(match &native {
                        Native::Sqlite(p) => count_rows!(p, (String, String), as_rows, &keys),
                        Native::Postgres(p) => count_rows!(p, (String, String), as_rows, &keys),
                    })
                },
            )
            .await?,
        );
        match native {
            Native::Sqlite(p) => p.close().await,
            Native::Postgres(p) => p.close().await,
        }
        Ok(out)
    }
}
