//! Fresh databases for tests, on SQLite always and on PostgreSQL when `HOCVUSO_TEST_DATABASE_URL`
//! points at a server (CI sets it, and sets `HOCVUSO_REQUIRE_POSTGRES=1` so a missing server fails
//! instead of skipping). Each test gets its own database, dropped afterwards.

use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A database that exists for as long as this value lives.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    PgDatabase { admin_url: String, name: String },
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

impl TestDatabase {
    /// A fresh database on `engine`, or None when PostgreSQL is not configured (and not required).
    pub async fn new(engine: Engine) -> Option<TestDatabase> {
        match engine {
            Engine::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique("hocvuso_test")));
                Some(TestDatabase {
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::File(path),
                })
            }
            Engine::Postgres => {
                let Some(admin_url) = std::env::var("HOCVUSO_TEST_DATABASE_URL")
                    .ok()
                    .filter(|v| !v.is_empty())
                else {
                    if std::env::var("HOCVUSO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                        panic!(
                            "HOCVUSO_REQUIRE_POSTGRES=1 but HOCVUSO_TEST_DATABASE_URL is not set"
                        );
                    }
                    eprintln!("skipping PostgreSQL: HOCVUSO_TEST_DATABASE_URL is not set");
                    return None;
                };
                let name = unique("hocvuso_test");
                admin(&admin_url, &format!("CREATE DATABASE {name}")).await;
                let url = with_database(&admin_url, &name);
                Some(TestDatabase {
                    url,
                    cleanup: Cleanup::PgDatabase { admin_url, name },
                })
            }
        }
    }
}

/// `postgres://user@host:port/db?x` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn admin(admin_url: &str, sql: &str) {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at HOCVUSO_TEST_DATABASE_URL: {e}"));
    conn.execute(sqlx::AssertSqlSafe(sql.to_string()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PgDatabase { admin_url, name } => {
                let (admin_url, sql) = (
                    admin_url.clone(),
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                );
                // Drop cannot await: run the statement on a runtime of its own, off this thread.
                let _ = std::thread::spawn(move || {
                    tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map(|rt| rt.block_on(admin(&admin_url, &sql)))
                })
                .join();
            }
        }
    }
}

impl crate::Store {
    /// Opens a database with the migrations up to `version` applied: the schema a migration after
    /// it finds in a deployment.
    pub async fn open_at_migration_for_tests(
        url: &str,
        version: i64,
    ) -> crate::error::Result<crate::Store> {
        crate::Store::open_at(url, version).await
    }

    /// Runs a raw statement: for tests that prove the schema refuses something (never used by the app).
    pub async fn execute_raw_for_tests(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            super::with_database("postgres://u@h/db?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
    }
}
