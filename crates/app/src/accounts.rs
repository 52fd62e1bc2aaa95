//! Accounts and API tokens (administrators), and one's own password: written once in [`Accounts`],
//! which the web's admin pages reach through [`Session::accounts`] and the `hocvuso user` commands
//! through `Deployment::accounts` (a system administrator).

use crate::error::{AppError, Result};
use crate::secrets;
use crate::session::Session;
use hocvuso_core::access::{Actor, Role};
use hocvuso_store::Store;
use hocvuso_store::accounts::{NewUser, TokenRecord, UserRecord};
use hocvuso_store::audit::Who;

/// The accounts as one actor may manage them, its changes audited under `who`.
pub struct Accounts<'a> {
    pub(crate) store: &'a Store,
    pub(crate) actor: &'a Actor,
    pub(crate) who: &'a Who,
}

impl Session {
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            store: &self.app.store,
            actor: self.actor(),
            who: self.who(),
        }
    }

    /// Changes the actor's own password after checking the current one; every session ends.
    pub async fn change_own_password(&self, current: &str, new: &str) -> Result<()> {
        let (_, hash) = self
            .app
            .store
            .user_for_login(&self.actor().username)
            .await?
            .ok_or_else(|| AppError::NotFound("tài khoản không còn".into()))?;
        if !secrets::verify_password(current.to_string(), hash).await {
            return Err(AppError::Invalid(vec![
                "Mật khẩu hiện tại không đúng.".into(),
            ]));
        }
        secrets::check_new_password(new)
            .map_err(|m| AppError::Invalid(vec![format!("Mật khẩu mới: {m}.")]))?;
        let hash = secrets::hash_password(new.to_string()).await;
        Ok(self
            .app
            .store
            .set_password(self.actor().user_id, &hash, self.who())
            .await?)
    }
}

impl Accounts<'_> {
    fn actor(&self) -> &Actor {
        self.actor
    }

    fn who(&self) -> &Who {
        self.who
    }

    fn require(&self, allowed: bool, what: &str) -> Result<()> {
        crate::session::require(allowed, what)
    }

    /// The id of the account named `username`.
    pub async fn user_id(&self, username: &str) -> Result<i64> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        let (user, _) = self
            .store
            .user_for_login(&username.trim().to_lowercase())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("không có tài khoản «{username}»")))?;
        Ok(user.id)
    }

    /// Whether an account named `username` exists.
    pub async fn exists(&self, username: &str) -> Result<bool> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        Ok(self
            .store
            .user_for_login(&username.trim().to_lowercase())
            .await?
            .is_some())
    }

    /// On a database without accounts, creates `admin` with a random password and returns it, to be
    /// shown once.
    pub async fn ensure_first_admin(&self) -> Result<Option<String>> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let password = temporary_password();
        self.create_user("admin", "Quản trị hệ thống", Role::Admin, None, &password)
            .await?;
        Ok(Some(password))
    }

    pub async fn users(&self) -> Result<Vec<UserRecord>> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        Ok(self.store.list_users().await?)
    }

    /// Creates an account; returns its id.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        unit_code: Option<&str>,
        password: &str,
    ) -> Result<i64> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        let new = validate_new_user(
            self.store,
            username,
            display_name,
            role,
            unit_code,
            password,
        )
        .await?;
        let hash = secrets::hash_password(password.to_string()).await;
        Ok(self
            .store
            .create_user(
                &NewUser {
                    password_hash: hash,
                    ..new
                },
                self.who(),
            )
            .await?)
    }

    pub async fn set_disabled(&self, user_id: i64, disabled: bool) -> Result<()> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        if user_id == self.actor().user_id && disabled {
            return Err(AppError::BadRequest(
                "Không thể tự khóa tài khoản của chính mình.".into(),
            ));
        }
        Ok(self
            .store
            .set_disabled(user_id, disabled, self.who())
            .await?)
    }

    /// Sets a new random password for a user and returns it (shown once to the admin).
    pub async fn reset_password(&self, user_id: i64) -> Result<String> {
        self.require(self.actor().can_manage_accounts(), "quản lý tài khoản")?;
        let password = temporary_password();
        let hash = secrets::hash_password(password.clone()).await;
        self.store.set_password(user_id, &hash, self.who()).await?;
        Ok(password)
    }

    pub async fn tokens(&self) -> Result<Vec<TokenRecord>> {
        self.require(self.actor().can_manage_accounts(), "quản lý khóa API")?;
        Ok(self.store.list_tokens(None).await?)
    }

    /// Creates an API token for a user; returns the token, shown once.
    pub async fn create_token(&self, user_id: i64, label: &str) -> Result<String> {
        self.require(self.actor().can_manage_accounts(), "quản lý khóa API")?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(AppError::Invalid(vec![
                "Tên khóa API: cần từ 1 đến 100 ký tự.".into(),
            ]));
        }
        let (token, prefix) = secrets::new_api_token();
        self.store
            .create_token(
                user_id,
                label,
                &secrets::digest(&token),
                &prefix,
                self.who(),
            )
            .await?;
        Ok(token)
    }

    pub async fn revoke_token(&self, id: i64) -> Result<()> {
        self.require(self.actor().can_manage_accounts(), "quản lý khóa API")?;
        Ok(self.store.revoke_token(id, self.who()).await?)
    }
}

/// A readable random password for resets and first accounts.
pub fn temporary_password() -> String {
    let raw = secrets::random_token(8);
    format!("hvs-{}-{}", &raw[..8], &raw[8..])
}

/// Checks the fields of a new account; the hash is filled in by the caller.
async fn validate_new_user(
    store: &hocvuso_store::Store,
    username: &str,
    display_name: &str,
    role: Role,
    unit_code: Option<&str>,
    password: &str,
) -> Result<NewUser> {
    let mut problems = Vec::new();
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        problems
            .push("Tên đăng nhập: 1–64 ký tự gồm chữ không dấu, số, '.', '-', '_'.".to_string());
    }
    let display_name = display_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if display_name.is_empty()
        || display_name.chars().count() > 120
        || display_name.chars().any(char::is_control)
    {
        problems.push("Họ tên: 1–120 ký tự, không có ký tự điều khiển.".to_string());
    }
    if let Err(m) = secrets::check_new_password(password) {
        problems.push(format!("Mật khẩu: {m}."));
    }
    let unit_code = unit_code.map(str::trim).filter(|c| !c.is_empty());
    match (role.unit_kinds(), unit_code) {
        (None, Some(_)) => problems.push(format!(
            "Vai trò «{}» không gắn với đơn vị; bỏ trống mã đơn vị.",
            role.label_vi()
        )),
        (Some(_), None) => problems.push(format!("Vai trò «{}» cần mã đơn vị.", role.label_vi())),
        (Some(kinds), Some(code)) => match store.unit(code).await? {
            None => problems.push(format!("Không có đơn vị mã «{code}».")),
            Some(u) if !u.kind().is_some_and(|k| kinds.contains(&k)) => problems.push(format!(
                "Vai trò «{}» không gắn được với {} (loại {}).",
                role.label_vi(),
                u.full_name,
                u.kind
            )),
            Some(_) => {}
        },
        (None, None) => {}
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    Ok(NewUser {
        username,
        display_name,
        role: role.as_str().to_string(),
        unit_code: unit_code.map(str::to_string),
        password_hash: String::new(),
    })
}
