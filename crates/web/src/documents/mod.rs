//! Official documents on the web: the page where the officer picks a unit and week, writes the
//! tasks ahead and edits the letterhead, and the downloads of the weekly and final reports as .docx
//! or .pdf. What a document says is built by `hocvuso_app::documents` from the same read models as
//! the pages; this module only chooses and delivers it.

use crate::http::AppState;
use crate::http::{Nav, Scoped, WebError, download as file_download, form_fields};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, RawForm};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hocvuso_app::documents::{Format, PDF, Report};
use hocvuso_app::read::week_on;
use hocvuso_app::records::UnitRecord;
use hocvuso_core::calendar::Week;
use hocvuso_core::official::Letterhead;
use serde::Deserialize;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/documents", get(page))
        .route("/documents/{file}", get(download))
        .route("/documents/next-tasks", post(save_next_tasks))
        .route("/documents/letterhead", post(save_letterhead))
}

#[derive(Deserialize)]
pub struct DocumentQuery {
    unit: Option<String>,
    week: Option<String>,
}

async fn chosen(scoped: &Scoped, q: &DocumentQuery) -> Result<(UnitRecord, Week), WebError> {
    let unit = match q.unit.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => scoped.unit(code).await?,
        None => scoped.home().await?,
    };
    let day = scoped.chosen_week(q.week.as_deref())?;
    Ok((unit, week_on(scoped.plan(), day)?))
}

/// `/documents/{weekly|final}.{docx|pdf}?unit=…&week=…`
pub async fn download(
    scoped: Scoped,
    Path(file): Path<String>,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, WebError> {
    let (report, format) = match file.split_once('.') {
        Some((r, f)) => (
            match r {
                "weekly" => Some(Report::Weekly),
                "final" => Some(Report::Final),
                _ => None,
            },
            Format::parse(f),
        ),
        None => (None, None),
    };
    let (Some(report), Some(format)) = (report, format) else {
        return Err(WebError::NotFound(format!(
            "không có văn bản «{file}»: có weekly.docx, weekly.pdf, final.docx, final.pdf"
        )));
    };
    let (unit, week) = chosen(&scoped, &q).await?;
    let doc = report.document(&scoped, &unit, &week).await?;
    let bytes = format.render_blocking(doc).await?;
    Ok(file_download(
        bytes,
        format.content_type(),
        &format!("{}.{}", report.file_stem(&unit, &week), format.extension()),
    ))
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    unit: UnitRecord,
    week: String,
    week_number: u32,
    weeks: Vec<(String, String)>,
    can_edit: bool,
    pdf: bool,
    next_tasks: String,
    next_tasks_saved: bool,
    letterhead: Letterhead,
    recipients: String,
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    unit: Option<String>,
    week: Option<String>,
    saved: Option<String>,
}

/// `/documents`: the weekly report of a unit and week, its next week's tasks and letterhead.
pub async fn page(scoped: Scoped, Query(q): Query<PageQuery>) -> Result<Html<String>, WebError> {
    let (unit, week) = chosen(
        &scoped,
        &DocumentQuery {
            unit: q.unit.clone(),
            week: q.week.clone(),
        },
    )
    .await?;
    let saved_tasks = scoped.next_tasks(&unit, week.reporting_day).await?;
    let next_tasks = match &saved_tasks {
        Some(t) => t.clone(),
        None => scoped.suggested_tasks(&unit, week.reporting_day).await?,
    };
    let letterhead = scoped.letterhead(&unit).await?;
    let page = DocumentsPage {
        title: format!("Văn bản báo cáo – {}", unit.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        week: week.reporting_day.to_string(),
        week_number: week.number,
        weeks: scoped.week_options(),
        can_edit: scoped.can_edit_documents(&unit),
        pdf: PDF,
        next_tasks,
        next_tasks_saved: saved_tasks.is_some(),
        recipients: letterhead.recipients.join("\n"),
        letterhead,
        unit,
        saved: q.saved.filter(|s| s == "tasks" || s == "letterhead"),
    };
    Ok(Html(page.render()?))
}

fn back_to(unit: &str, week: &str, saved: &str) -> Response {
    let query = serde_urlencoded::to_string([("unit", unit), ("week", week), ("saved", saved)])
        .unwrap_or_default();
    Redirect::to(&format!("/documents?{query}")).into_response()
}

/// `POST /documents/next-tasks`: unit, week, next_tasks.
pub async fn save_next_tasks(scoped: Scoped, RawForm(body): RawForm) -> Result<Response, WebError> {
    let f = form_fields(&body)?;
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let (unit, week) = chosen(
        &scoped,
        &DocumentQuery {
            unit: Some(field("unit").to_string()),
            week: Some(field("week").to_string()),
        },
    )
    .await?;
    let text = field("next_tasks").replace("\r\n", "\n");
    scoped
        .save_next_tasks(&unit, week.reporting_day, text.trim())
        .await?;
    Ok(back_to(
        &unit.code,
        &week.reporting_day.to_string(),
        "tasks",
    ))
}

/// `POST /documents/letterhead`: unit, week (to come back to), and the letterhead's fields.
pub async fn save_letterhead(scoped: Scoped, RawForm(body): RawForm) -> Result<Response, WebError> {
    let f = form_fields(&body)?;
    let field = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let unit = scoped.unit(&field("unit")).await?;
    let letterhead = Letterhead {
        parent_body: field("parent_body"),
        issuer: field("issuer"),
        symbol: field("symbol"),
        place: field("place"),
        signer_authority: field("signer_authority"),
        signer_title: field("signer_title"),
        signer_name: field("signer_name"),
        recipients: field("recipients")
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches(['-', ' '])
                    .trim_end_matches([';', '.'])
            })
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    };
    scoped.save_letterhead(&unit, &letterhead).await?;
    Ok(back_to(&unit.code, &field("week"), "letterhead"))
}
