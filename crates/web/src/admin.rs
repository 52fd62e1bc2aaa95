//! Account pages: one's own password; accounts and API tokens (admin); the audit log (secretariat).

use crate::access::Scoped;
use crate::error::WebError;
use crate::views::Nav;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_app::records::{AuditFilter, AuditRecord};
use hocvuso_app::records::{TokenRecord, UserRecord};
use hocvuso_core::access::Role;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    username: String,
    role_label: String,
    unit: String,
    errors: Vec<String>,
}

pub async fn account(scoped: Scoped) -> Result<Html<String>, WebError> {
    account_page(&scoped, Vec::new())
}

fn account_page(scoped: &Scoped, errors: Vec<String>) -> Result<Html<String>, WebError> {
    let a = scoped.actor();
    let page = AccountPage {
        title: "Tài khoản".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        username: a.username.clone(),
        role_label: a.role.label_vi().into(),
        unit: a.unit.as_ref().map_or("toàn bộ".into(), |u| u.code.clone()),
        errors,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Changes one's password; every session ends, including this one, so the user signs in again.
pub async fn change_password(
    scoped: Scoped,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    if f.new != f.confirm {
        return Ok(account_page(
            &scoped,
            vec!["Mật khẩu mới và mật khẩu nhập lại không khớp.".into()],
        )?
        .into_response());
    }
    match scoped
        .change_own_password(&f.current, &f.new)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(Redirect::to("/login?changed=1").into_response()),
        Err(WebError::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            account_page(&scoped, errors)?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

struct UserLine {
    id: i64,
    username: String,
    display_name: String,
    role_label: String,
    unit_code: String,
    disabled: bool,
}

struct TokenLine {
    id: i64,
    username: String,
    label: String,
    prefix: String,
    created_at: String,
    last_used_at: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    users: Vec<UserLine>,
    tokens: Vec<TokenLine>,
    roles: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    /// A secret to show once (new password or API token), with what it is for.
    secret: Option<(String, String)>,
}

async fn users_page(
    scoped: &Scoped,
    errors: Vec<String>,
    secret: Option<(String, String)>,
) -> Result<Html<String>, WebError> {
    let users: Vec<UserRecord> = scoped.users().await?;
    let tokens: Vec<TokenRecord> = scoped.tokens().await?;
    let name_of = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map_or(id.to_string(), |u| u.username.clone())
    };
    let page = UsersPage {
        title: "Tài khoản và khóa API".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        tokens: tokens
            .iter()
            .map(|t| TokenLine {
                id: t.id,
                username: name_of(t.user_id),
                label: t.label.clone(),
                prefix: t.prefix.clone(),
                created_at: t.created_at.chars().take(16).collect(),
                last_used_at: t
                    .last_used_at
                    .as_deref()
                    .map_or("chưa dùng".into(), |s| s.chars().take(16).collect()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        users: users
            .iter()
            .map(|u| UserLine {
                id: u.id,
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                role_label: Role::parse(&u.role)
                    .map_or(u.role.clone(), |r| r.label_vi().to_string()),
                unit_code: u.unit_code.clone().unwrap_or_default(),
                disabled: u.disabled != 0,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_vi()))
            .collect(),
        errors,
        secret,
    };
    Ok(Html(page.render()?))
}

pub async fn users(scoped: Scoped) -> Result<Html<String>, WebError> {
    users_page(&scoped, Vec::new(), None).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    unit_code: Option<String>,
}

pub async fn create_user(scoped: Scoped, Form(f): Form<NewUserForm>) -> Result<Response, WebError> {
    let Some(role) = Role::parse(&f.role) else {
        return Err(WebError::BadRequest(format!(
            "vai trò «{}» không có",
            f.role
        )));
    };
    let password = hocvuso_app::temporary_password();
    match scoped
        .create_user(
            &f.username,
            &f.display_name,
            role,
            f.unit_code.as_deref(),
            &password,
        )
        .await
        .map_err(WebError::from)
    {
        Ok(_) => {
            let note = format!(
                "Mật khẩu ban đầu của «{}» (chỉ hiện một lần; yêu cầu người dùng đổi ngay)",
                f.username.trim().to_lowercase()
            );
            Ok(users_page(&scoped, Vec::new(), Some((note, password)))
                .await?
                .into_response())
        }
        Err(WebError::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            users_page(&scoped, errors, None).await?,
        )
            .into_response()),
        Err(WebError::Conflict(m)) => Ok((
            axum::http::StatusCode::CONFLICT,
            users_page(&scoped, vec![m], None).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

pub async fn disable_user(scoped: Scoped, Path(id): Path<i64>) -> Result<Redirect, WebError> {
    scoped.set_disabled(id, true).await?;
    Ok(Redirect::to("/admin/users"))
}

pub async fn enable_user(scoped: Scoped, Path(id): Path<i64>) -> Result<Redirect, WebError> {
    scoped.set_disabled(id, false).await?;
    Ok(Redirect::to("/admin/users"))
}

pub async fn reset_password(scoped: Scoped, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    let password = scoped.reset_password(id).await?;
    users_page(
        &scoped,
        Vec::new(),
        Some(("Mật khẩu mới (chỉ hiện một lần)".into(), password)),
    )
    .await
}

#[derive(Deserialize)]
pub struct TokenForm {
    label: String,
}

pub async fn create_token(
    scoped: Scoped,
    Path(id): Path<i64>,
    Form(f): Form<TokenForm>,
) -> Result<Html<String>, WebError> {
    let token = scoped.create_token(id, &f.label).await?;
    let note =
        "Khóa API mới (chỉ hiện một lần; gửi trong tiêu đề Authorization: Bearer …)".to_string();
    users_page(&scoped, Vec::new(), Some((note, token))).await
}

pub async fn revoke_token(scoped: Scoped, Path(id): Path<i64>) -> Result<Redirect, WebError> {
    scoped.revoke_token(id).await?;
    Ok(Redirect::to("/admin/users"))
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    unit: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl AuditQuery {
    pub(crate) fn filter(&self, limit: i64) -> Result<AuditFilter, WebError> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let date = |s: &Option<String>, field: &str| -> Result<Option<String>, WebError> {
            match clean(s) {
                None => Ok(None),
                Some(d) => hocvuso_core::plan::parse_date_text(&d)
                    .map(|d| Some(d.to_string()))
                    .ok_or_else(|| {
                        WebError::BadRequest(format!(
                            "{field}: ngày «{d}» không hợp lệ; viết 05/09/2025"
                        ))
                    }),
            }
        };
        Ok(AuditFilter {
            unit: clean(&self.unit),
            actor: clean(&self.actor),
            action: clean(&self.action),
            entity: None,
            from: date(&self.from, "từ ngày")?,
            to: date(&self.to, "đến ngày")?,
            limit,
            offset: 0,
        })
    }

    fn as_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("unit", &self.unit),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    unit: String,
    actor: String,
    action: String,
    from: String,
    to: String,
    export_query: String,
    entries: Vec<AuditRecord>,
    total: i64,
}

const AUDIT_PAGE_ROWS: i64 = 200;
pub(crate) const AUDIT_EXPORT_ROWS: i64 = 100_000;

pub async fn audit(scoped: Scoped, Query(q): Query<AuditQuery>) -> Result<Html<String>, WebError> {
    let (entries, total) = scoped.audit_entries(&q.filter(AUDIT_PAGE_ROWS)?).await?;
    let page = AuditPage {
        title: "Nhật ký thao tác".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        unit: q.unit.clone().unwrap_or_default(),
        actor: q.actor.clone().unwrap_or_default(),
        action: q.action.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        export_query: q.as_query(),
        entries,
        total,
    };
    Ok(Html(page.render()?))
}

/// The filtered audit log as CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly).
pub async fn audit_csv(scoped: Scoped, Query(q): Query<AuditQuery>) -> Result<Response, WebError> {
    let (entries, _) = scoped.audit_entries(&q.filter(AUDIT_EXPORT_ROWS)?).await?;
    let header = [
        "Số",
        "Thời điểm (UTC)",
        "Người thực hiện",
        "Địa chỉ IP",
        "Thao tác",
        "Đối tượng",
        "Khóa",
        "Đơn vị",
        "Trước",
        "Sau",
    ];
    let rows = entries.iter().map(|e| {
        [
            e.id.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.ip.clone().unwrap_or_default(),
            e.action.clone(),
            e.entity.clone(),
            e.entity_key.clone(),
            e.unit_code.clone().unwrap_or_default(),
            e.before.clone().unwrap_or_default(),
            e.after.clone().unwrap_or_default(),
        ]
    });
    let out = hocvuso_docs::csv_out::to_string(&header, rows, b',');
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"nhat-ky-thao-tac.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}
