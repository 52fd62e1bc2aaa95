//! Submitting a unit's weekly report: a form and `PUT /api/v1/reports/{unit}/{week}`, both through
//! [`Scoped::submit_report`], so both refuse the same things.

use crate::access::{CSRF_FIELD, Scoped};
use crate::error::{ApiError, WebError};
use crate::views::{Nav, weekday_vi};
use askama::Template;
use axum::Json;
use axum::extract::{Path, RawForm};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use hocvuso_core::format;
use hocvuso_core::input::parse_count;
use hocvuso_core::plan::TargetKind;
use hocvuso_core::report::Figure;
use hocvuso_store::units::UnitRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn parse_week(raw: &str) -> Result<NaiveDate, WebError> {
    hocvuso_core::plan::parse_date_text(raw).ok_or_else(|| {
        WebError::BadRequest(format!(
            "kỳ báo cáo «{raw}» không hợp lệ; dùng dạng 2025-09-05"
        ))
    })
}

struct FieldRow {
    code: String,
    name: String,
    yes_no: bool,
    has_denominator: bool,
    numerator: String,
    denominator: String,
    last: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    unit_code: String,
    unit_name: String,
    week_iso: String,
    week_text: String,
    due_text: String,
    rows: Vec<FieldRow>,
    difficulties: String,
    proposals: String,
    errors: Vec<String>,
}

async fn render(
    scoped: &Scoped,
    unit: &UnitRecord,
    week: NaiveDate,
    entered: Option<&BTreeMap<String, String>>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let plan = scoped.plan();
    let last = scoped.latest_values(unit, week).await?;
    let rows = scoped
        .writable_indicators(unit)
        .into_iter()
        .map(|ind| {
            let previous = last.get(&ind.code);
            let typed = |suffix: &str| {
                entered
                    .and_then(|e| e.get(&format!("v.{}.{suffix}", ind.code)))
                    .cloned()
            };
            let yes_no = ind.kind == TargetKind::ShareOfUnits
                && ind.counted_unit.map(|k| k.as_str()) == Some(unit.kind.as_str());
            FieldRow {
                code: ind.code.clone(),
                name: ind.name.clone(),
                yes_no,
                has_denominator: ind.kind == TargetKind::Ratio,
                numerator: typed("n")
                    .unwrap_or_else(|| previous.map_or(String::new(), |p| format::number(p.1, 0))),
                denominator: typed("d").unwrap_or_else(|| {
                    previous
                        .and_then(|p| p.2)
                        .map_or(String::new(), |d| format::number(d, 0))
                }),
                last: previous.map_or("chưa có".into(), |p| {
                    let d =
                        p.2.map_or(String::new(), |d| format!(" / {}", format::number(d, 0)));
                    let week = p.0.parse().map_or(p.0.clone(), format::date);
                    format!("{}{d} (kỳ {week})", format::number(p.1, 0))
                }),
            }
        })
        .collect();
    let w = hocvuso_core::calendar::week_on(plan, week);
    let page = ReportPage {
        title: format!("Báo cáo tuần – {}", unit.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        unit_code: unit.code.clone(),
        unit_name: unit.full_name.clone(),
        week_iso: week.to_string(),
        week_text: match &w {
            Some(w) => format!(
                "tuần {} – kỳ báo cáo {} {}",
                w.number,
                weekday_vi(plan.reporting.weekday),
                format::date(week)
            ),
            None => format::date(week),
        },
        due_text: w.map_or(String::new(), |w| {
            format!("Hạn nộp: {}", w.due.format("%H:%M ngày %d/%m/%Y"))
        }),
        rows,
        difficulties: entered
            .and_then(|e| e.get("difficulties"))
            .cloned()
            .unwrap_or_default(),
        proposals: entered
            .and_then(|e| e.get("proposals"))
            .cloned()
            .unwrap_or_default(),
        errors,
    };
    Ok(Html(page.render()?))
}

pub async fn form(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let unit = scoped.unit(&unit).await?;
    let week = parse_week(&week)?;
    if scoped.writable_indicators(&unit).is_empty() {
        return Err(WebError::Forbidden(format!(
            "Tài khoản của bạn không được gửi báo cáo của {}.",
            unit.full_name
        )));
    }
    render(&scoped, &unit, week, None, Vec::new()).await
}

/// Reads `v.CODE.n` / `v.CODE.d` fields; empty ones are not reported.
fn figures_from_form(
    fields: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Figure>, Vec<String>> {
    let mut figures = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, value) in fields {
        let Some(code) = name
            .strip_prefix("v.")
            .and_then(|rest| rest.strip_suffix(".n"))
        else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        let numerator =
            parse_count(value).map_err(|m| problems.push(format!("chỉ tiêu {code}: {m}")));
        let denominator = match fields
            .get(&format!("v.{code}.d"))
            .map(|d| d.trim())
            .filter(|d| !d.is_empty())
        {
            None => Ok(None),
            Some(d) => parse_count(d)
                .map(Some)
                .map_err(|m| problems.push(format!("chỉ tiêu {code}, mẫu số: {m}"))),
        };
        if let (Ok(numerator), Ok(denominator)) = (numerator, denominator) {
            figures.insert(
                code.to_string(),
                Figure {
                    numerator,
                    denominator,
                },
            );
        }
    }
    if problems.is_empty() {
        Ok(figures)
    } else {
        Err(problems)
    }
}

pub async fn submit_form(
    scoped: Scoped,
    Path((unit_code, week)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let week = parse_week(&week)?;
    let fields: BTreeMap<String, String> =
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
            .map_err(|_| WebError::BadRequest("biểu mẫu không đọc được".into()))?
            .into_iter()
            .filter(|(k, _)| k != CSRF_FIELD)
            .collect();
    let text = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let result = match figures_from_form(&fields) {
        Ok(figures) => {
            scoped
                .submit_report(
                    &unit_code,
                    week,
                    &figures,
                    &text("difficulties"),
                    &text("proposals"),
                )
                .await
        }
        Err(problems) => Err(WebError::Invalid(problems)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/units/{unit_code}?as_of={week}")).into_response()),
        Err(WebError::Invalid(problems)) => {
            let unit = scoped.unit(&unit_code).await?;
            let page = render(&scoped, &unit, week, Some(&fields), problems).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct ReportBody {
    #[serde(default)]
    values: BTreeMap<String, Figure>,
    #[serde(default)]
    difficulties: String,
    #[serde(default)]
    proposals: String,
}

#[derive(Serialize)]
pub struct Stored {
    id: i64,
    unit: String,
    week: NaiveDate,
    status: &'static str,
}

/// Stores the report; sending the same body again leaves one report with the same values.
pub async fn put_api(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
    body: Result<Json<ReportBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Stored>, ApiError> {
    let week = parse_week(&week)?;
    let Json(body) = body.map_err(|e| {
        WebError::BadRequest(format!("nội dung JSON không hợp lệ: {}", e.body_text()))
    })?;
    let id = scoped
        .submit_report(
            &unit,
            week,
            &body.values,
            &body.difficulties,
            &body.proposals,
        )
        .await?;
    Ok(Json(Stored {
        id,
        unit,
        week,
        status: "submitted",
    }))
}
