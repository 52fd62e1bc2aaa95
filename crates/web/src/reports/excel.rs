//! The Excel round trip: a unit's pre-filled template and the on-behalf workbook to download, and
//! their uploads, imported whole or refused whole by `hocvuso_app` with every problem on its cell.

use super::form::render;
use crate::http::{Scoped, WebError, XLSX_TYPE, download, uploaded_file};
use axum::extract::{Multipart, Path};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use hocvuso_app::Workbook;
use hocvuso_app::read::parse_week;
use hocvuso_app::records::UnitRecord;

/// A template as a download named `filename`.
fn xlsx_download(
    template: &hocvuso_docs::report_xlsx::Template,
    filename: String,
) -> Result<Response, WebError> {
    let bytes = hocvuso_docs::report_xlsx::write_template(template)
        .map_err(|e| WebError::Internal(e.into()))?;
    Ok(download(bytes, XLSX_TYPE, &filename))
}

/// The unit's Excel template for the week, pre-filled.
pub async fn template(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let week = parse_week(&week)?;
    let unit = scoped.unit(&unit).await?;
    let template = scoped.report_template(&unit, week).await?;
    xlsx_download(&template, format!("bao-cao-{}-{week}.xlsx", unit.code))
}

/// The workbook for the units `unit` reports on behalf of (one row each), pre-filled.
pub async fn on_behalf_template(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let week = parse_week(&week)?;
    let unit = scoped.unit(&unit).await?;
    let template = scoped.on_behalf_template(&unit, week).await?;
    xlsx_download(&template, format!("bao-cao-thay-{}-{week}.xlsx", unit.code))
}

const REFUSED: &str = "Tệp bị từ chối, không có gì được lưu:";

/// The report page again, with why an upload was refused (422).
async fn refusal(
    scoped: &Scoped,
    unit: &UnitRecord,
    week: NaiveDate,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let page = render(scoped, unit, week, None, problems).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Imports an uploaded workbook through its use case: back on the report page when stored, or on
/// it again with every reason nothing was stored.
async fn import(
    scoped: Scoped,
    unit_code: &str,
    week: &str,
    mut multipart: Multipart,
    workbook: Workbook,
) -> Result<Response, WebError> {
    let week = parse_week(week)?;
    let unit = scoped.unit(unit_code).await?;
    // Who may send this workbook is decided before its body is read.
    scoped.may_send(&unit, workbook)?;
    let Some((_, bytes)) = uploaded_file(&mut multipart).await? else {
        let problems = vec!["Chưa chọn tệp Excel để gửi.".into()];
        return refusal(&scoped, &unit, week, problems).await;
    };
    let imported = match workbook {
        Workbook::Report => {
            scoped
                .import_report_workbook(&unit.code, week, &bytes)
                .await
        }
        Workbook::OnBehalf => scoped
            .import_on_behalf_workbook(&unit.code, week, &bytes)
            .await
            .map(|_| ()),
    };
    match imported.map_err(WebError::from) {
        Ok(()) => Ok(Redirect::to(&format!("/reports/{}/{week}", unit.code)).into_response()),
        Err(WebError::Invalid(problems)) => {
            let messages = std::iter::once(REFUSED.to_string())
                .chain(problems)
                .collect();
            refusal(&scoped, &unit, week, messages).await
        }
        Err(WebError::Conflict(message)) => refusal(&scoped, &unit, week, vec![message]).await,
        Err(other) => Err(other),
    }
}

/// Imports a filled template: all of it or nothing, with problems placed on their cells.
pub async fn upload(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    import(scoped, &unit, &week, multipart, Workbook::Report).await
}

/// Imports the on-behalf workbook: all rows or none.
pub async fn on_behalf_upload(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    import(scoped, &unit, &week, multipart, Workbook::OnBehalf).await
}
