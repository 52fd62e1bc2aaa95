//! The overview, the unit list and the unit page (readable without JavaScript).

use crate::http::{Nav, Scoped, WebError, unit_filter};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_app::read::{
    HistoryLine, IndicatorRow, Moment, UnitLine, history_lines, indicator_rows, line, moment,
    parse_as_of,
};
use hocvuso_app::records::UnitRecord;
use hocvuso_core::format;
use hocvuso_core::units::UnitKind;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct AsOfQuery {
    pub(crate) as_of: Option<String>,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    plan_title: String,
    issuer: String,
    campaign_text: String,
    unit: UnitLine,
    moment: Moment,
    week_text: String,
    as_of_iso: String,
    rows: Vec<IndicatorRow>,
    status_rule: &'static str,
    communes: i64,
}

/// The province overview for staff; everyone else starts at their own unit.
pub async fn overview(scoped: Scoped, Query(q): Query<AsOfQuery>) -> Result<Response, WebError> {
    if scoped.actor().role == hocvuso_core::access::Role::TeamMember {
        return Ok(axum::response::Redirect::to("/field").into_response());
    }
    let home = scoped.home().await?;
    if home.code != scoped.plan().province.as_str() {
        let query = q.as_of.map(|d| {
            format!(
                "?{}",
                serde_urlencoded::to_string([("as_of", d)]).unwrap_or_default()
            )
        });
        return Ok(Redirect::to(&format!(
            "/units/{}{}",
            home.code,
            query.unwrap_or_default()
        ))
        .into_response());
    }
    let as_of = parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    let progress = scoped.tracked(&home, as_of).await?;
    let communes = scoped.count_units(UnitKind::Commune, &home).await?;
    let plan = scoped.plan();
    let m = moment(plan, as_of);
    let page = OverviewPage {
        title: format!("Tổng quan – {}", home.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        plan_title: plan.title.clone(),
        issuer: plan.issuer.clone(),
        campaign_text: format!(
            "{} ({} – {})",
            plan.campaign.name,
            format::date(plan.campaign.start),
            format::date(plan.campaign.end)
        ),
        unit: line(&home),
        week_text: m.week_text(),
        moment: m,
        as_of_iso: as_of.to_string(),
        rows: indicator_rows(plan, &progress),
        status_rule: hocvuso_core::outlook::STATUS_RULE,
        communes,
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
pub struct UnitsQuery {
    pub(crate) q: Option<String>,
    parent: Option<String>,
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    parent: UnitLine,
    q: String,
    units: Vec<UnitLine>,
    total: i64,
    shown: usize,
}

/// The units page's list: the chosen unit (else the actor's home), the units listed below it
/// (at most 1,000) and how many match.
pub(crate) async fn unit_list(
    scoped: &Scoped,
    q: &UnitsQuery,
) -> Result<(UnitRecord, Vec<UnitRecord>, i64), WebError> {
    let parent = match q.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(code) => scoped.unit(code).await?,
        None => scoped.home().await?,
    };
    // Communes by default; with a search, anything below the chosen unit.
    let searching = !q.q.as_deref().unwrap_or("").trim().is_empty();
    let default_kind = if searching || parent.kind != "province" {
        ""
    } else {
        "commune"
    };
    let kind = q.kind.clone().unwrap_or_else(|| default_kind.into());
    let filter = unit_filter(
        None,
        Some(parent.code.clone()),
        Some(&kind),
        q.q.clone(),
        1000,
        0,
    )?;
    let (mut units, total) = scoped.list_units(filter).await?;
    units.retain(|u| u.code != parent.code);
    Ok((parent, units, total))
}

pub async fn units(scoped: Scoped, Query(q): Query<UnitsQuery>) -> Result<Html<String>, WebError> {
    let (parent, units, total) = unit_list(&scoped, &q).await?;
    let units: Vec<UnitLine> = units.iter().map(line).collect();
    let page = UnitsPage {
        title: format!("Đơn vị – {}", parent.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
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
    nav: Nav,
    unit: UnitLine,
    lineage: Vec<UnitLine>,
    moment: Moment,
    week_text: String,
    as_of_iso: String,
    rows: Vec<IndicatorRow>,
    status_rule: &'static str,
    children: Vec<UnitLine>,
    /// Reporting day of the current week, when this actor may report for the unit.
    report_week: String,
    /// Weekly values and targets of every indicator with data, for the trend charts (JSON).
    trends_json: String,
    history: Vec<HistoryLine>,
}

/// The series of one indicator for its trend chart.
#[derive(serde::Serialize)]
struct Trend<'a> {
    code: &'a str,
    name: &'a str,
    percent: bool,
    days: Vec<String>,
    values: Vec<Option<f64>>,
    target: Option<f64>,
    target_label: String,
}

pub async fn unit(
    scoped: Scoped,
    Path(code): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Html<String>, WebError> {
    let as_of = parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    let unit = scoped.unit(&code).await?;
    let lineage = scoped
        .readable_ancestors(&unit)
        .await?
        .iter()
        .map(line)
        .collect();
    let progress = scoped.tracked(&unit, as_of).await?;
    let filter = unit_filter(Some(unit.code.clone()), None, None, None, 1000, 0)?;
    let (children, _) = scoped.list_units(filter).await?;
    let plan = scoped.plan();
    let m = moment(plan, as_of);
    let report_week = match (
        scoped.writable_indicators(&unit).is_empty(),
        m.reporting_day,
    ) {
        (false, Some(day)) => day.to_string(),
        _ => String::new(),
    };
    let trends: Vec<Trend> = plan
        .indicators
        .iter()
        .zip(&progress)
        .filter(|(_, t)| t.history.iter().any(|(_, v)| v.is_some()))
        .map(|(ind, t)| Trend {
            code: &ind.code,
            name: &ind.short_name,
            percent: ind.kind.is_percent(),
            days: t.history.iter().map(|(d, _)| format::date(*d)).collect(),
            values: t.history.iter().map(|(_, v)| *v).collect(),
            target: t.progress.target,
            target_label: t.progress.milestone_label.clone().unwrap_or_default(),
        })
        .collect();
    let history = history_lines(plan, &scoped.unit_history(&unit).await?);
    let page = UnitPage {
        title: unit.full_name.clone(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        unit: line(&unit),
        lineage,
        week_text: m.week_text(),
        moment: m,
        as_of_iso: as_of.to_string(),
        rows: indicator_rows(plan, &progress),
        status_rule: hocvuso_core::outlook::STATUS_RULE,
        children: children.iter().map(line).collect(),
        report_week,
        // Inside <script>: no "</script>" can come from a name.
        trends_json: serde_json::to_string(&trends)
            .unwrap_or_else(|_| "[]".into())
            .replace('<', "\\u003c"),
        history,
    };
    Ok(Html(page.render()?))
}
