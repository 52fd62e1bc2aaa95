//! Accounts: users, sessions, API tokens and login throttling. Secrets never reach this module in
//! clear: passwords arrive hashed (Argon2id) and tokens as SHA-256 digests.

use crate::Store;
use crate::audit::{Entry, Who, append, json};
use crate::db::now_text;
use crate::error::{Result, StoreError};
use serde::Serialize;
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_code: Option<String>,
    pub disabled: i64,
    pub sessions_valid_after: String,
    pub created_at: String,
    pub updated_at: String,
}

const USER_COLUMNS: &str = "id, username, display_name, role, unit_code, disabled, sessions_valid_after, created_at, updated_at";

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit_code: Option<String>,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct SessionRecord {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct TokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Throttling rule for failed logins of one key (an account or an address).
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    pub max_failures: i64,
    pub window: chrono::Duration,
    pub lock_for: chrono::Duration,
}

fn unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

impl Store {
    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Creates a user; a taken username is a clear error.
    pub async fn create_user(&self, u: &NewUser, who: &Who) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let now = now_text();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, role, unit_code, password_hash, sessions_valid_after, created_at,
                                updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.role)
        .bind(u.unit_code.as_deref())
        .bind(&u.password_hash)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                StoreError::Conflict(format!("tên đăng nhập «{}» đã có", u.username))
            } else {
                e.into()
            }
        })?;
        let user = user_in(&mut tx, id).await?;
        let entry = Entry {
            action: "create",
            entity: "user",
            key: &u.username,
            unit: u.unit_code.as_deref(),
            before: None,
            after: json(&user),
        };
        append(&mut *tx, who, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// A user and its password hash, by username.
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(UserRecord, String)>> {
        let user: Option<UserRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        )))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(user) = user else { return Ok(None) };
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&self.pool)
            .await?;
        Ok(Some((user, hash)))
    }

    pub async fn list_users(&self) -> Result<Vec<UserRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY username"
        )))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Sets a new password hash and voids every session of the user.
    pub async fn set_password(&self, user_id: i64, password_hash: &str, who: &Who) -> Result<()> {
        self.update_user(
            user_id,
            who,
            "password",
            |q| q.bind(password_hash.to_string()),
            "password_hash = $3,",
        )
        .await
    }

    pub async fn set_disabled(&self, user_id: i64, disabled: bool, who: &Who) -> Result<()> {
        let action = if disabled { "disable" } else { "enable" };
        self.update_user(
            user_id,
            who,
            action,
            |q| q.bind(disabled as i64),
            "disabled = $3,",
        )
        .await
    }

    /// Voids every session of the user ("log out everywhere").
    pub async fn void_sessions(&self, user_id: i64, who: &Who) -> Result<()> {
        self.update_user(user_id, who, "logout_everywhere", |q| q, "")
            .await
    }

    /// Updates one user field (or none), always moving `sessions_valid_after` to now, with its audit entry.
    async fn update_user<'q>(
        &self,
        user_id: i64,
        who: &Who,
        action: &str,
        bind: impl FnOnce(
            sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        set: &'static str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = user_in(&mut tx, user_id).await?;
        let now = now_text();
        let sql = format!(
            "UPDATE users SET {set} sessions_valid_after = $2, updated_at = $2 WHERE id = $1"
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(now);
        bind(q).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let after = user_in(&mut tx, user_id).await?;
        let entry = Entry {
            action,
            entity: "user",
            key: &before.username,
            unit: before.unit_code.as_deref(),
            before: json(&before),
            after: json(&after),
        };
        append(&mut *tx, who, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions -----------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        ip: Option<&str>,
        expires_at: &str,
    ) -> Result<()> {
        let now = now_text();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip)
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now)
        .bind(expires_at)
        .bind(ip)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A live session and its user: not expired, user enabled, created after the user's last
    /// "log out everywhere".
    pub async fn session(&self, token_hash: &str) -> Result<Option<(SessionRecord, UserRecord)>> {
        let session: Option<SessionRecord> =
            sqlx::query_as("SELECT user_id, csrf_token, created_at, expires_at FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        let Some(session) = session else {
            return Ok(None);
        };
        let Some(user) = self.user(session.user_id).await? else {
            return Ok(None);
        };
        let now = now_text();
        if session.expires_at <= now
            || user.disabled != 0
            || session.created_at < user.sessions_valid_after
        {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        Ok(Some((session, user)))
    }

    /// Slides a session's expiry forward.
    pub async fn touch_session(&self, token_hash: &str, expires_at: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now_text())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- API tokens ---------------------------------------------------------------------------

    pub async fn create_token(
        &self,
        user_id: i64,
        label: &str,
        token_hash: &str,
        prefix: &str,
        who: &Who,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let user = user_in(&mut tx, user_id).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, label, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
        )
        .bind(user_id)
        .bind(label)
        .bind(token_hash)
        .bind(prefix)
        .bind(now_text())
        .fetch_one(&mut *tx)
        .await?;
        let token = token_in(&mut tx, id).await?;
        let key = id.to_string();
        let entry = Entry {
            action: "create",
            entity: "api_token",
            key: &key,
            unit: user.unit_code.as_deref(),
            before: None,
            after: json(&token),
        };
        append(&mut *tx, who, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user of a live token, marking the token used.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<UserRecord>> {
        let found: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, user_id)) = found else {
            return Ok(None);
        };
        let Some(user) = self.user(user_id).await?.filter(|u| u.disabled == 0) else {
            return Ok(None);
        };
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now_text())
            .execute(&self.pool)
            .await?;
        Ok(Some(user))
    }

    pub async fn list_tokens(&self, user_id: Option<i64>) -> Result<Vec<TokenRecord>> {
        let sql = "SELECT id, user_id, label, prefix, created_at, last_used_at, revoked_at FROM api_tokens
                   WHERE ($1 IS NULL OR user_id = $1) ORDER BY id";
        Ok(sqlx::query_as(sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?)
    }

    pub async fn revoke_token(&self, id: i64, who: &Who) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = token_in(&mut tx, id).await?;
        if before.revoked_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "khóa API số {id} đã bị thu hồi trước đó"
            )));
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now_text())
            .execute(&mut *tx)
            .await?;
        let after = token_in(&mut tx, id).await?;
        let key = id.to_string();
        let entry = Entry {
            action: "revoke",
            entity: "api_token",
            key: &key,
            unit: None,
            before: json(&before),
            after: json(&after),
        };
        append(&mut *tx, who, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- login throttling ---------------------------------------------------------------------

    /// Takes one try of a login on each of `keys` (the account's, then the address's) before its
    /// password is verified, in one transaction against the keys' rows as they stand (locked on
    /// PostgreSQL): so that however many attempts arrive at once, on however many servers, at most
    /// `max_failures` of them are verified per key and window. A key's last try locks it for
    /// `lock_for`, unless a login succeeds (see [`Store::login_succeeded`]).
    pub async fn begin_login(&self, keys: [(&str, Throttle); 2]) -> Result<LoginAttempt> {
        let now = chrono::Utc::now();
        let now_s = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut tx = self.begin_write().await?;
        let mut tries = Vec::with_capacity(keys.len());
        for (key, rule) in keys {
            let (failures, window_start, locked_until) =
                throttle_row(&mut tx, self.backend(), key, &now_s).await?;
            if let Some(until) = locked_until.filter(|u| *u > now_s) {
                tx.rollback().await?;
                return Ok(LoginAttempt::Locked { until });
            }
            let in_window = chrono::DateTime::parse_from_rfc3339(&window_start)
                .is_ok_and(|s| s >= now - rule.window);
            let (before, window_start) = if in_window {
                (failures, window_start)
            } else {
                (0, now_s.clone())
            };
            if before >= rule.max_failures {
                tx.rollback().await?;
                let until =
                    (now + rule.lock_for).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                return Ok(LoginAttempt::Locked { until });
            }
            let locked_until = (before + 1 >= rule.max_failures).then(|| {
                (now + rule.lock_for).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            });
            tries.push((key, before + 1, window_start, locked_until));
        }
        for (key, failures, window_start, locked_until) in &tries {
            sqlx::query(
                "UPDATE login_failures SET failures = $2, window_start = $3, locked_until = $4 WHERE key = $1",
            )
            .bind(*key)
            .bind(failures)
            .bind(window_start)
            .bind(locked_until.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(LoginAttempt::Allowed { tries: tries[0].1 })
    }

    /// A login whose try was taken by [`Store::begin_login`] succeeded: the account's tries are
    /// forgotten, and the address gets its try back (many people sign in from one office).
    pub async fn login_succeeded(
        &self,
        account: &str,
        (address, rule): (&str, Throttle),
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(account)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE login_failures SET failures = failures - 1,
                 locked_until = CASE WHEN failures - 1 < $2 THEN NULL ELSE locked_until END
             WHERE key = $1 AND failures > 0",
        )
        .bind(address)
        .bind(rule.max_failures)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What a login attempt may do, decided before its password is verified.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginAttempt {
    /// Verify the password; `tries` is the account's count in the window, this one included.
    Allowed { tries: i64 },
    /// The account or the address is locked until then (RFC 3339); nothing was counted.
    Locked { until: String },
}

/// The throttle row of `key` (made if missing), locked for the rest of the transaction on
/// PostgreSQL: failures, window start, locked until.
async fn throttle_row(
    tx: &mut crate::db::WriteTx,
    backend: crate::Backend,
    key: &str,
    now: &str,
) -> Result<(i64, String, Option<String>)> {
    sqlx::query(
        "INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 0, $2) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let sql = match backend {
        crate::Backend::Postgres => {
            "SELECT failures, window_start, locked_until FROM login_failures WHERE key = $1 FOR UPDATE"
        }
        crate::Backend::Sqlite => {
            "SELECT failures, window_start, locked_until FROM login_failures WHERE key = $1"
        }
    };
    Ok(sqlx::query_as(sql).bind(key).fetch_one(&mut **tx).await?)
}

async fn user_in(tx: &mut crate::db::WriteTx, id: i64) -> Result<UserRecord> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("không có tài khoản số {id}")))
}

async fn token_in(tx: &mut crate::db::WriteTx, id: i64) -> Result<TokenRecord> {
    sqlx::query_as(
        "SELECT id, user_id, label, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("không có khóa API số {id}")))
}
