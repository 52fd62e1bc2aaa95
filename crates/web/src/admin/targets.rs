//! Per-unit assigned targets (the plan's appendix): the secretariat sees the table in force and
//! replaces it by uploading a CSV or .xlsx file, all or nothing.

use crate::http::Nav;
use crate::http::Scoped;
use crate::http::WebError;
use askama::Template;
use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_core::format;
use hocvuso_core::plan::TargetKind;

pub struct Line {
    pub unit: String,
    pub unit_name: String,
    pub indicator: String,
    pub indicator_name: String,
    pub milestone: String,
    pub target: String,
}

#[derive(Template)]
#[template(path = "targets.html")]
struct TargetsPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    lines: Vec<Line>,
    problems: Vec<String>,
    example_indicators: String,
}

async fn render(scoped: &Scoped, problems: Vec<String>) -> Result<Html<String>, WebError> {
    let plan = scoped.plan();
    let mut lines = Vec::new();
    for (a, unit_name) in scoped.assigned_targets().await? {
        let ind = plan.indicator(&a.indicator);
        let percent =
            ind.is_some_and(|i| i.kind.is_percent() && i.kind != TargetKind::MinimumPerUnit);
        lines.push(Line {
            unit_name,
            indicator_name: ind.map_or(String::new(), |i| i.short_name.clone()),
            milestone: a.milestone.map_or("mọi mốc".into(), format::date),
            target: if percent {
                format::percent(a.target)
            } else {
                format::number(a.target, 0)
            },
            unit: a.unit,
            indicator: a.indicator,
        });
    }
    let page = TargetsPage {
        title: "Chỉ tiêu giao từng đơn vị".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        lines,
        problems,
        example_indicators: plan
            .indicators
            .iter()
            .map(|i| i.code.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    };
    Ok(Html(page.render()?))
}

pub async fn page(scoped: Scoped) -> Result<Html<String>, WebError> {
    render(&scoped, Vec::new()).await
}

/// The table in force as CSV, to edit and upload again.
pub async fn csv(scoped: Scoped) -> Result<Response, WebError> {
    let rows = scoped
        .assigned_targets()
        .await?
        .into_iter()
        .map(|(a, name)| {
            [
                a.unit,
                name,
                a.indicator,
                a.milestone.map_or(String::new(), format::date),
                a.target.to_string(),
            ]
        });
    let header = ["unit", "name", "indicator", "milestone", "target"];
    let out = hocvuso_docs::csv_out::to_string(&header, rows, b';');
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"chi-tieu-giao.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

pub async fn upload(scoped: Scoped, mut multipart: Multipart) -> Result<Response, WebError> {
    let file = crate::http::uploaded_file(&mut multipart).await?;
    let refused = |problems: Vec<String>| async {
        let page = render(&scoped, problems).await?;
        Ok::<_, WebError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let Some((name, bytes)) = file else {
        return refused(vec!["Chưa chọn tệp để gửi.".into()]).await;
    };
    match scoped
        .load_assigned_targets(&bytes, &name)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => Ok(Redirect::to("/targets").into_response()),
        Err(WebError::Invalid(problems)) => {
            let mut all = vec![format!("Tệp «{name}» bị từ chối, không có gì thay đổi:")];
            all.extend(problems);
            refused(all).await
        }
        Err(e) => Err(e),
    }
}
