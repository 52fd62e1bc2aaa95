//! Signing in and out, and who a request is: a session token (cookie) or an API token. Failed
//! attempts are throttled per account and per address — each attempt takes a try in the database
//! before its password is verified (`Store::begin_login`), so concurrent attempts on any number of
//! servers get no more tries — slowed down, and audited like successful ones.

use crate::error::{AppError, Result};
use crate::secrets;
use crate::session::App;
use hocvuso_core::access::{Actor, BoundUnit, Role};
use hocvuso_store::accounts::{LoginAttempt, UserRecord};
use hocvuso_store::audit::{Entry, Who};
use std::sync::OnceLock;

/// How long a session lasts after signing in.
pub const SESSION_HOURS: i64 = 12;

/// A demo account shown on the login page in demo mode.
#[derive(Debug, Clone)]
pub struct LoginHint {
    pub username: String,
    pub password: String,
    pub role_label: String,
    pub unit_label: String,
}

/// What became of a sign-in.
#[derive(Debug, Clone, PartialEq)]
pub enum SignIn {
    /// Signed in: the new session's token (for the cookie), valid [`SESSION_HOURS`].
    Signed { token: String },
    /// The account or the address is locked; the message says until when.
    Locked { message: String },
    /// Wrong name or password, or a disabled account; the message says what to do.
    Refused { message: String },
}

/// The signed-in user of a session cookie.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub actor: Actor,
    pub who: Who,
    pub csrf: String,
    /// Digest of the session token, to end this session.
    pub digest: String,
}

/// A hash to verify against when the account does not exist, so that the answer takes as long.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password_blocking("không-có-tài-khoản-này"))
}

fn local_time(rfc3339: &str, offset_minutes: i32) -> String {
    let offset = chrono::FixedOffset::east_opt(offset_minutes * 60)
        .unwrap_or(chrono::FixedOffset::east_opt(0).expect("UTC"));
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&offset)
                .format("%H:%M ngày %d/%m/%Y")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

impl App {
    /// Turns a stored user into the policy's actor.
    async fn actor_of(&self, user: &UserRecord) -> Result<Actor> {
        let role = Role::parse(&user.role)
            .ok_or_else(|| AppError::Forbidden(format!("vai trò «{}» không hợp lệ", user.role)))?;
        let unit = match &user.unit_code {
            None => None,
            Some(code) => {
                let u = self.store.require_unit(code).await?;
                let kind = u
                    .kind()
                    .ok_or_else(|| AppError::Forbidden(format!("đơn vị «{code}» không hợp lệ")))?;
                Some(BoundUnit {
                    code: u.code,
                    kind,
                    path: u.path,
                })
            }
        };
        Ok(Actor {
            user_id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role,
            unit,
        })
    }

    /// The user of an API token (None: no such token, or revoked).
    pub async fn token_user(&self, token: &str, ip: &str) -> Result<Option<(Actor, Who)>> {
        let Some(user) = self.store.token_user(&secrets::digest(token)).await? else {
            return Ok(None);
        };
        let actor = self.actor_of(&user).await?;
        let who = Who {
            user_id: Some(user.id),
            name: format!("{} (khóa API)", user.username),
            ip: Some(ip.to_string()),
        };
        Ok(Some((actor, who)))
    }

    /// The user of a session token (None: no such session, or it ended).
    pub async fn session_user(&self, token: &str, ip: &str) -> Result<Option<SessionUser>> {
        let digest = secrets::digest(token);
        let Some((session, user)) = self.store.session(&digest).await? else {
            return Ok(None);
        };
        let actor = self.actor_of(&user).await?;
        let who = Who {
            user_id: Some(user.id),
            name: user.username.clone(),
            ip: Some(ip.to_string()),
        };
        Ok(Some(SessionUser {
            actor,
            who,
            csrf: session.csrf_token,
            digest,
        }))
    }

    /// Signs `username` in from `ip`: a try is taken on the account and the address before the
    /// password is checked; a success starts a brand-new session and ends `old_session` (no session
    /// fixation). Every attempt is audited.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        ip: &str,
        old_session: Option<&str>,
    ) -> Result<SignIn> {
        let username = username.trim().to_lowercase();
        let who = Who {
            user_id: None,
            name: username.clone(),
            ip: Some(ip.to_string()),
        };
        let (account_key, address_key) = (format!("user:{username}"), format!("ip:{ip}"));
        let keys = [
            (account_key.as_str(), self.account_throttle),
            (address_key.as_str(), self.address_throttle),
        ];
        let failures = match self.store.begin_login(keys).await? {
            LoginAttempt::Allowed { tries } => tries,
            LoginAttempt::Locked { until } => {
                let entry = Entry {
                    action: "login_failed",
                    entity: "session",
                    key: &username,
                    before: None,
                    after: Some(r#"{"reason":"locked"}"#.into()),
                    ..Default::default()
                };
                self.store.audit(&who, &entry).await?;
                let message = format!(
                    "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa. Vui lòng thử lại sau {}.",
                    local_time(&until, self.plan.reporting.utc_offset_minutes)
                );
                return Ok(SignIn::Locked { message });
            }
        };

        let found = self.store.user_for_login(&username).await?;
        let hash = found
            .as_ref()
            .map_or_else(|| dummy_hash().to_string(), |(_, h)| h.clone());
        let password_ok =
            secrets::verify_password(password.to_string(), hash).await && found.is_some();
        let user = match found {
            Some((user, _)) if password_ok && user.disabled == 0 => user,
            other => {
                let reason = match &other {
                    Some((u, _)) if password_ok && u.disabled != 0 => "disabled",
                    Some(_) => "wrong_password",
                    None => "unknown_user",
                };
                let after =
                    serde_json::json!({ "reason": reason, "failures": failures }).to_string();
                let entry = Entry {
                    action: "login_failed",
                    entity: "session",
                    key: &username,
                    unit: other.as_ref().and_then(|(u, _)| u.unit_code.as_deref()),
                    before: None,
                    after: Some(after),
                };
                self.store.audit(&who, &entry).await?;
                tokio::time::sleep(self.failure_delay * failures.clamp(1, 10) as u32).await;
                let message = if reason == "disabled" {
                    "Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên.".to_string()
                } else {
                    let left = self.account_throttle.max_failures - failures;
                    if left > 0 {
                        format!(
                            "Tên đăng nhập hoặc mật khẩu không đúng. Còn {left} lần thử trước khi tài khoản bị tạm khóa."
                        )
                    } else {
                        "Tên đăng nhập hoặc mật khẩu không đúng. Tài khoản tạm thời bị khóa 15 phút."
                            .to_string()
                    }
                };
                return Ok(SignIn::Refused { message });
            }
        };

        self.store
            .login_succeeded(&account_key, (&address_key, self.address_throttle))
            .await?;
        if let Some(digest) = old_session {
            self.store.delete_session(digest).await?;
        }
        let token = secrets::random_token(32);
        let expires = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
        let expires_text = expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.store
            .create_session(
                &secrets::digest(&token),
                user.id,
                &secrets::random_token(32),
                Some(ip),
                &expires_text,
            )
            .await?;
        let actor = self.actor_of(&user).await?;
        let who = Who {
            user_id: Some(user.id),
            name: user.username.clone(),
            ip: Some(ip.to_string()),
        };
        let entry = Entry {
            action: "login",
            entity: "session",
            key: &user.username,
            unit: user.unit_code.as_deref(),
            before: None,
            after: Some(serde_json::json!({ "role": actor.role }).to_string()),
        };
        self.store.audit(&who, &entry).await?;
        Ok(SignIn::Signed { token })
    }

    /// Ends one session (the digest of its token), audited.
    pub async fn sign_out(&self, digest: &str, actor: &Actor, who: &Who) -> Result<()> {
        self.store.delete_session(digest).await?;
        let entry = Entry {
            action: "logout",
            entity: "session",
            key: &actor.username,
            unit: actor.unit.as_ref().map(|u| u.code.as_str()),
            ..Default::default()
        };
        self.store.audit(who, &entry).await?;
        Ok(())
    }

    /// Ends every session of the actor.
    pub async fn sign_out_everywhere(&self, actor: &Actor, who: &Who) -> Result<()> {
        Ok(self.store.void_sessions(actor.user_id, who).await?)
    }
}
