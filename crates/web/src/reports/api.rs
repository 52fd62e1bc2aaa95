//! `GET|PUT /api/v1/reports/{unit}/{week}`, `POST …/approve`, `POST …/return`.

use crate::http::{ApiError, Scoped, WebError};
use axum::Json;
use axum::extract::Path;
use chrono::NaiveDate;
use hocvuso_app::read::parse_week;
use hocvuso_app::records::{ReportEvent, ReportRecord};
use hocvuso_core::format;
use hocvuso_core::report::{Action, Figure, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub struct ReportBody {
    #[serde(default)]
    values: BTreeMap<String, ApiFigure>,
    #[serde(default)]
    difficulties: String,
    #[serde(default)]
    proposals: String,
    /// "submit" (default) or "draft".
    #[serde(default)]
    action: Option<String>,
}

#[derive(Deserialize)]
pub struct ApiFigure {
    numerator: f64,
    #[serde(default)]
    denominator: Option<f64>,
    /// Explanation required when a value raises a warning.
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Serialize)]
pub struct Stored {
    id: i64,
    unit: String,
    week: NaiveDate,
    status: Status,
    /// Warnings accepted because they carry a comment.
    warnings: Vec<String>,
}

/// Saves the report; sending the same body again leaves one report, unchanged.
pub async fn put(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
    body: Result<Json<ReportBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Stored>, ApiError> {
    let week = parse_week(&week)?;
    let Json(body) = body.map_err(|e| {
        WebError::BadRequest(format!("nội dung JSON không hợp lệ: {}", e.body_text()))
    })?;
    let action = match body.action.as_deref() {
        None | Some("submit") => Action::Submit,
        Some("draft") => Action::SaveDraft,
        Some(other) => {
            return Err(WebError::BadRequest(format!(
                "action «{other}» không có; dùng submit hoặc draft"
            ))
            .into());
        }
    };
    let figures = body
        .values
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                Figure {
                    numerator: v.numerator,
                    denominator: v.denominator,
                },
            )
        })
        .collect();
    let comments = body
        .values
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.comment.clone()?)))
        .collect();
    let (id, warnings) = scoped
        .save_report(
            &unit,
            week,
            &figures,
            &comments,
            &body.difficulties,
            &body.proposals,
            action.clone(),
        )
        .await?;
    let status = if action == Action::SaveDraft {
        Status::Draft
    } else {
        Status::Submitted
    };
    Ok(Json(Stored {
        id,
        unit,
        week,
        status,
        warnings,
    }))
}

#[derive(Serialize)]
pub struct ReportWithHistory {
    #[serde(flatten)]
    report: ReportRecord,
    on_time: Option<bool>,
    history: Vec<ReportEvent>,
    /// The community teams' log for the indicators it measures (communes), beside the reported
    /// values: cumulative up to the week's reporting day.
    field_log: BTreeMap<String, f64>,
}

pub async fn get(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
) -> Result<Json<ReportWithHistory>, ApiError> {
    let week = parse_week(&week)?;
    let unit = scoped.unit(&unit).await?;
    let (report, history) = scoped.report(&unit, week).await?.ok_or_else(|| {
        WebError::NotFound(format!(
            "{} chưa có báo cáo kỳ {}",
            unit.full_name,
            format::date(week)
        ))
    })?;
    let due = hocvuso_core::calendar::week_on(scoped.plan(), week);
    let on_time = report
        .first_submitted_at
        .as_deref()
        .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
        .zip(due)
        .map(|(at, w)| hocvuso_core::calendar::is_on_time(&w, at));
    let field_log = scoped.field_log_figures(&unit, week).await?;
    Ok(Json(ReportWithHistory {
        report,
        on_time,
        history,
        field_log,
    }))
}

#[derive(Deserialize)]
pub struct ReviewBody {
    #[serde(default)]
    reason: String,
}

pub async fn approve(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let week = parse_week(&week)?;
    let status = scoped.review(&unit, week, Action::Approve).await?;
    Ok(Json(
        serde_json::json!({ "unit": unit, "week": week, "status": status }),
    ))
}

pub async fn return_(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
    Json(body): Json<ReviewBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let week = parse_week(&week)?;
    let status = scoped
        .review(
            &unit,
            week,
            Action::Return {
                reason: body.reason,
            },
        )
        .await?;
    Ok(Json(
        serde_json::json!({ "unit": unit, "week": week, "status": status }),
    ))
}
