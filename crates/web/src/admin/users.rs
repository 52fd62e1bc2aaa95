//! Accounts and API tokens (administrators).

use crate::http::{Nav, Scoped, WebError};
use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_app::records::{TokenRecord, UserRecord};
use hocvuso_core::access::Role;
use serde::Deserialize;

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
    let users: Vec<UserRecord> = scoped.accounts().users().await?;
    let tokens: Vec<TokenRecord> = scoped.accounts().tokens().await?;
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
    let role = Role::named(&f.role).map_err(WebError::BadRequest)?;
    let password = hocvuso_app::temporary_password();
    match scoped
        .accounts()
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
    scoped.accounts().set_disabled(id, true).await?;
    Ok(Redirect::to("/admin/users"))
}

pub async fn enable_user(scoped: Scoped, Path(id): Path<i64>) -> Result<Redirect, WebError> {
    scoped.accounts().set_disabled(id, false).await?;
    Ok(Redirect::to("/admin/users"))
}

pub async fn reset_password(scoped: Scoped, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    let password = scoped.accounts().reset_password(id).await?;
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
    let token = scoped.accounts().create_token(id, &f.label).await?;
    let note =
        "Khóa API mới (chỉ hiện một lần; gửi trong tiêu đề Authorization: Bearer …)".to_string();
    users_page(&scoped, Vec::new(), Some((note, token))).await
}

pub async fn revoke_token(scoped: Scoped, Path(id): Path<i64>) -> Result<Redirect, WebError> {
    scoped.accounts().revoke_token(id).await?;
    Ok(Redirect::to("/admin/users"))
}
