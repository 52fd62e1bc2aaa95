//! Paper logs: the import page and its upload, all rows or none.

use crate::http::{Nav, Scoped, WebError, uploaded_file};
use askama::Template;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hocvuso_core::format;

#[derive(Template)]
#[template(path = "field-import.html")]
struct ImportPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    messages: Vec<String>,
    done: String,
}

fn import_page(
    scoped: &Scoped,
    messages: Vec<String>,
    done: String,
) -> Result<Html<String>, WebError> {
    Ok(Html(
        ImportPage {
            title: "Nhập nhật ký giấy của Tổ CNS cộng đồng".into(),
            synthetic: scoped.synthetic(),
            nav: scoped.nav(),
            messages,
            done,
        }
        .render()?,
    ))
}

pub async fn form(scoped: Scoped) -> Result<Html<String>, WebError> {
    import_page(&scoped, Vec::new(), String::new())
}

pub async fn upload(scoped: Scoped, mut multipart: Multipart) -> Result<Response, WebError> {
    let refused = |problems: Vec<String>| {
        Ok::<_, WebError>(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                import_page(&scoped, problems, String::new())?,
            )
                .into_response(),
        )
    };
    let Some((name, bytes)) = uploaded_file(&mut multipart).await? else {
        return refused(vec!["Chưa chọn tệp để gửi.".into()]);
    };
    match scoped
        .import_field_log(&bytes, &name)
        .await
        .map_err(WebError::from)
    {
        Ok((stored, again)) => Ok(import_page(
            &scoped,
            Vec::new(),
            format!(
                "Đã nhập tệp «{name}»: {} bản ghi mới{}.",
                format::number(stored as f64, 0),
                if again > 0 {
                    format!(
                        ", {} bản ghi đã có từ trước (không tính lại)",
                        format::number(again as f64, 0)
                    )
                } else {
                    String::new()
                }
            ),
        )?
        .into_response()),
        Err(WebError::Invalid(problems)) => {
            let mut all = vec![format!("Tệp «{name}» bị từ chối, không có gì được ghi:")];
            all.extend(problems);
            refused(all)
        }
        Err(e) => Err(e),
    }
}
