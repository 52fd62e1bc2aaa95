//! Server-rendered pages (readable without JavaScript).

use crate::AppState;
use crate::api::unit_filter;
use crate::error::WebError;
use crate::views::{IndicatorRow, Moment, indicator_rows, moment, parse_as_of, unit_type_text};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use hocvuso_core::format;
use hocvuso_core::units::UnitKind;
use hocvuso_store::units::UnitRecord;
use serde::Deserialize;

/// An HTML error page with a clear message.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            title: "Lỗi".into(),
            synthetic: false,
            message: self.public_message(),
        };
        let body = page.render().unwrap_or_else(|_| "Lỗi".into());
        (self.status(), Html(body)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    synthetic: bool,
    message: String,
}

pub async fn not_found() -> WebError {
    WebError::NotFound("Không tìm thấy trang này.".into())
}

#[derive(Deserialize)]
pub struct AsOfQuery {
    as_of: Option<String>,
}

/// A unit in a list, with what a row shows.
struct UnitLine {
    code: String,
    name: String,
    full_name: String,
    type_text: String,
    synthetic: bool,
}

fn line(u: &UnitRecord) -> UnitLine {
    UnitLine {
        code: u.code.clone(),
        name: u.name.clone(),
        full_name: u.full_name.clone(),
        type_text: unit_type_text(u),
        synthetic: u.synthetic != 0,
    }
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    title: String,
    synthetic: bool,
    plan_title: String,
    issuer: String,
    campaign_text: String,
    unit: UnitLine,
    moment: Moment,
    week_text: String,
    as_of_iso: String,
    rows: Vec<IndicatorRow>,
    communes: i64,
}

pub async fn overview(
    State(state): State<AppState>,
    Query(q): Query<AsOfQuery>,
) -> Result<Html<String>, WebError> {
    let as_of = parse_as_of(q.as_of.as_deref(), state.default_as_of)?;
    let unit = state
        .store
        .require_unit(state.plan.province.as_str())
        .await?;
    let progress = state.store.progress(&state.plan, &unit, as_of).await?;
    let communes = state
        .store
        .count_units(UnitKind::Commune, Some(&unit.code))
        .await?;
    let m = moment(&state.plan, as_of);
    let page = OverviewPage {
        title: format!("Tổng quan – {}", unit.full_name),
        synthetic: state.synthetic,
        plan_title: state.plan.title.clone(),
        issuer: state.plan.issuer.clone(),
        campaign_text: format!(
            "{} ({} – {})",
            state.plan.campaign.name,
            format::date(state.plan.campaign.start),
            format::date(state.plan.campaign.end)
        ),
        unit: line(&unit),
        week_text: m.week_text(),
        moment: m,
        as_of_iso: as_of.to_string(),
        rows: indicator_rows(&state.plan, &progress),
        communes,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct UnitsQuery {
    q: Option<String>,
    parent: Option<String>,
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    title: String,
    synthetic: bool,
    parent: UnitLine,
    q: String,
    units: Vec<UnitLine>,
    total: i64,
    shown: usize,
}

pub async fn units(
    State(state): State<AppState>,
    Query(q): Query<UnitsQuery>,
) -> Result<Html<String>, WebError> {
    let parent_code = q
        .parent
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| state.plan.province.to_string());
    let parent = state.store.require_unit(&parent_code).await?;
    // Communes of the province by default; with a search, anything below the chosen unit.
    let kind = q.kind.clone().unwrap_or_else(|| {
        if q.q.as_deref().unwrap_or("").trim().is_empty() {
            "commune".into()
        } else {
            String::new()
        }
    });
    let filter = unit_filter(
        None,
        Some(parent.code.clone()),
        Some(&kind),
        q.q.clone(),
        1000,
        0,
    )?;
    let (units, total) = state.store.list_units(&filter).await?;
    let units: Vec<UnitLine> = units
        .iter()
        .filter(|u| u.code != parent.code)
        .map(line)
        .collect();
    let page = UnitsPage {
        title: format!("Đơn vị – {}", parent.full_name),
        synthetic: state.synthetic,
        parent: line(&parent),
        q: q.q.unwrap_or_default(),
        shown: units.len(),
        units,
        total,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    title: String,
    synthetic: bool,
    unit: UnitLine,
    lineage: Vec<UnitLine>,
    moment: Moment,
    week_text: String,
    as_of_iso: String,
    rows: Vec<IndicatorRow>,
    children: Vec<UnitLine>,
}

pub async fn unit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, WebError> {
    let as_of = parse_as_of(q.as_of.as_deref(), state.default_as_of)?;
    let Some(unit) = state.store.unit(&code).await? else {
        return Ok((
            StatusCode::NOT_FOUND,
            WebError::NotFound(format!("Không có đơn vị mã «{code}».")).into_response(),
        )
            .into_response());
    };
    let mut lineage = Vec::new();
    for c in unit.lineage().into_iter().filter(|c| *c != unit.code) {
        if let Some(u) = state.store.unit(c).await? {
            lineage.push(line(&u));
        }
    }
    let progress = state.store.progress(&state.plan, &unit, as_of).await?;
    let filter = unit_filter(Some(unit.code.clone()), None, None, None, 1000, 0)?;
    let (children, _) = state.store.list_units(&filter).await?;
    let m = moment(&state.plan, as_of);
    let page = UnitPage {
        title: unit.full_name.clone(),
        synthetic: state.synthetic,
        unit: line(&unit),
        lineage,
        week_text: m.week_text(),
        moment: m,
        as_of_iso: as_of.to_string(),
        rows: indicator_rows(&state.plan, &progress),
        children: children.iter().map(line).collect(),
    };
    Ok(Html(page.render()?).into_response())
}
