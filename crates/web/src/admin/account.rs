//! One's own account: who one is, and changing one's password.

use crate::http::{Nav, Scoped, WebError};
use askama::Template;
use axum::Form;
use axum::response::{Html, IntoResponse, Redirect, Response};
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
