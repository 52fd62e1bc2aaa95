//! Connecting, configuring and migrating either engine.

use crate::error::Result;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::io::Write;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::Once;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// Writers' turns, taken before a connection. SQLite has one: waiting writers queue here and are
    /// woken the moment the previous one commits, instead of polling SQLite's lock in `busy_timeout`
    /// sleeps while holding connections that readers need. PostgreSQL has [`GROUP_WRITERS`], for group
    /// commits only (other writers go side by side).
    writers: Arc<Semaphore>,
    /// Reports waiting for the next group commit (SQLite).
    pub(crate) queue: Arc<crate::group_commit::Queue>,
}

/// A write transaction; on SQLite it also holds the writers' turn until it ends.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<OwnedSemaphorePermit>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

static DRIVERS: Once = Once::new();

/// Group commits that may run at once on PostgreSQL.
const GROUP_WRITERS: usize = 4;

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`, and applies migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_at(url, i64::MAX).await
    }

    /// [`Store::open`], applying the migrations up to `version` only (tests of a migration).
    pub(crate) async fn open_at(url: &str, version: i64) -> Result<Store> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            // SQLite serialises writers anyway; a few connections serve concurrent readers under WAL.
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL sync because an acknowledged
                        // write must survive a power cut, not only a killed process.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = Store {
            pool,
            backend,
            writers: Arc::new(Semaphore::new(match backend {
                Backend::Sqlite => 1,
                Backend::Postgres => GROUP_WRITERS,
            })),
            queue: Arc::default(),
        };
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.run_to(version, &store.pool).await?;
        Ok(store)
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a deferred transaction that reads, then writes, fails with "database is locked" when another
    /// writer went first, instead of waiting its turn.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        let turn = self.turn().await;
        self.begin_in_turn(turn).await
    }

    /// The writers' turn on SQLite (None on PostgreSQL, which runs writers side by side).
    pub(crate) async fn turn(&self) -> Option<OwnedSemaphorePermit> {
        match self.backend {
            Backend::Sqlite => Some(self.group_turn().await),
            Backend::Postgres => None,
        }
    }

    /// A turn to write a group of queued reports (see `group_commit`).
    pub(crate) async fn group_turn(&self) -> OwnedSemaphorePermit {
        self.writers
            .clone()
            .acquire_owned()
            .await
            .expect("the writers' semaphore is never closed")
    }

    /// A write transaction for the holder of `turn`.
    pub(crate) async fn begin_in_turn(
        &self,
        turn: Option<OwnedSemaphorePermit>,
    ) -> Result<WriteTx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    /// For tests: holds back every group commit (and on SQLite every writer) of this store until the
    /// value is dropped, so that queued reports are written together (see `Store::queued_requests`).
    #[doc(hidden)]
    pub async fn hold_writers(&self) -> OwnedSemaphorePermit {
        let all = match self.backend {
            Backend::Sqlite => 1,
            Backend::Postgres => GROUP_WRITERS as u32,
        };
        self.writers
            .clone()
            .acquire_many_owned(all)
            .await
            .expect("the writers' semaphore is never closed")
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Liveness of the database, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The value of `key`, set to `value` first if it has none: the first writer's value, however
    /// many instances claim it at once.
    pub async fn claim_meta(&self, key: &str, value: &str) -> Result<String> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Now as RFC 3339 UTC text, the form every instant is stored in.
pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Type of a column of rows passed as one JSON parameter (see [`json_rows`]).
#[derive(Clone, Copy)]
pub(crate) enum JsonCol {
    Text,
    Int,
}

/// `SELECT value ->> 0 AS name0, … FROM <the JSON array of arrays in parameter $param> WHERE true`:
/// a whole batch of rows bound as one value, which both engines unpack far faster than they take
/// thousands of separate parameters. (`WHERE true` lets SQLite parse a following `ON CONFLICT`.)
/// SQLite's `jsonb_each` hands each row to `->>` in its binary form; `json_each` would hand it over
/// as text, parsed again for every column.
pub(crate) fn json_rows(backend: Backend, param: usize, cols: &[(&str, JsonCol)]) -> String {
    let columns: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, (name, col))| match (backend, col) {
            (Backend::Postgres, JsonCol::Int) => format!("(value ->> {i})::bigint AS {name}"),
            _ => format!("value ->> {i} AS {name}"),
        })
        .collect();
    let source = match backend {
        Backend::Sqlite => format!("jsonb_each(${param})"),
        Backend::Postgres => format!("json_array_elements(${param}::json) AS j(value)"),
    };
    format!("SELECT {} FROM {source} WHERE true", columns.join(", "))
}

/// `column` is one of the strings of the JSON array in parameter `$param`. On PostgreSQL the array
/// is unpacked once (`= ANY(ARRAY(…))`), so that the planner looks each value up in the column's
/// index instead of joining with a set it cannot estimate.
pub(crate) fn json_in(backend: Backend, column: &str, param: usize) -> String {
    match backend {
        Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each(${param}))"),
        Backend::Postgres => {
            format!("{column} = ANY(ARRAY(SELECT json_array_elements_text(${param}::json)))")
        }
    }
}

/// An aggregate of the rows of a query into one JSON array of arrays of `cols` (`[]` for none), read
/// as one text value: sqlx hands rows over one by one, at a cost per row far above parsing them
/// from JSON (a lookup of 12,000 keys: 16 ms as rows, a few as one value).
pub(crate) fn json_agg(backend: Backend, cols: &[&str]) -> String {
    match backend {
        Backend::Sqlite => format!("json_group_array(json_array({}))", cols.join(", ")),
        Backend::Postgres => format!(
            "COALESCE(json_agg(json_build_array({})), '[]'::json)::text",
            cols.join(", ")
        ),
    }
}

/// Starts `statement`, does `work` on this thread while the statement runs on the connection's side
/// (SQLite's worker thread, PostgreSQL's server), then waits for the statement: a batch's counting
/// in memory overlaps its statements on a second core instead of following them.
pub(crate) async fn overlapped<S: std::future::Future, T>(
    statement: S,
    work: impl FnOnce() -> T,
) -> (S::Output, T) {
    let mut statement = std::pin::pin!(statement);
    // One poll sends the statement on its way.
    let mut first = None;
    std::future::poll_fn(|cx| {
        first = Some(statement.as_mut().poll(cx));
        std::task::Poll::Ready(())
    })
    .await;
    let done = work();
    let out = match first {
        Some(std::task::Poll::Ready(out)) => out,
        _ => statement.await,
    };
    (out, done)
}

/// Parses the text of a [`json_agg`].
pub(crate) fn from_json_agg<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>> {
    serde_json::from_str(text)
        .map_err(|e| crate::error::StoreError::Corrupt(format!("JSON gộp không đọc được: {e}")))
}

/// A value of a row built for [`json_rows`].
pub(crate) enum Json<'a> {
    T(&'a str),
    I(i64),
    /// A date, as ISO text.
    D(chrono::NaiveDate),
    Null,
}

/// Rows for one JSON parameter, written straight into its text.
pub(crate) struct JsonRows {
    text: Vec<u8>,
    pub(crate) len: usize,
}

impl JsonRows {
    pub(crate) fn new() -> JsonRows {
        JsonRows {
            text: b"[".to_vec(),
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, row: &[Json]) {
        if self.len > 0 {
            self.text.push(b',');
        }
        self.len += 1;
        self.text.push(b'[');
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                self.text.push(b',');
            }
            match v {
                Json::T(s) => serde_json::to_writer(&mut self.text, s).expect("writing to memory"),
                Json::I(n) => write!(self.text, "{n}").expect("writing to memory"),
                Json::D(d) => write!(self.text, "\"{d}\"").expect("writing to memory"),
                Json::Null => self.text.extend_from_slice(b"null"),
            }
        }
        self.text.push(b']');
    }

    /// The JSON text of a list of strings.
    pub(crate) fn texts<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
        serde_json::to_string(&items.into_iter().collect::<Vec<_>>()).expect("strings serialise")
    }

    pub(crate) fn finish(mut self) -> String {
        self.text.push(b']');
        String::from_utf8(self.text).expect("JSON written from strings is UTF-8")
    }
}
