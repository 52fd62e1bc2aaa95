//! The heat table, the map, the lagging units and the rankings.

use super::view::{Choice, Column, GridQuery, Line, Scope, cell, columns_of, grid, status_choices};
use crate::http::assets::has_commune_map;
use crate::http::{Nav, Scoped, WebError};
use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use hocvuso_app::read::{LaggingLine, RankLine, line};
use hocvuso_core::outlook::STATUS_RULE;
use hocvuso_core::ranking::SCORE_RULE;
use hocvuso_core::units::UnitKind;
use serde::Serialize;

#[derive(Template)]
#[template(path = "table.html")]
struct TablePage {
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: Scope,
    columns: Vec<Column>,
    statuses: Vec<Choice>,
    q: String,
    lines: Vec<Line>,
    total: usize,
    status_rule: &'static str,
}

pub async fn table(scoped: Scoped, Query(q): Query<GridQuery>) -> Result<Html<String>, WebError> {
    let grid = grid(&scoped, &q).await?;
    let plan = scoped.plan();
    let filter = q.filter()?;
    let rows = grid.filtered(plan, &filter)?;
    let chosen = filter.indicator.as_deref().filter(|s| !s.is_empty());
    let total = grid.rows.len();
    let lines = rows
        .into_iter()
        .map(|(unit, tracked)| Line {
            unit: line(unit),
            cells: grid
                .columns
                .iter()
                .map(|&i| cell(&plan.indicators[i], &tracked[i]))
                .collect(),
        })
        .collect();
    let page = TablePage {
        title: format!("Bảng theo đơn vị – {}", grid.parent.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        scope: Scope::of(plan, &grid),
        columns: columns_of(plan, &grid, |i| {
            chosen == Some(plan.indicators[i].code.as_str())
        }),
        statuses: status_choices(filter.status),
        q: q.q.clone().unwrap_or_default(),
        lines,
        total,
        status_rule: STATUS_RULE,
    };
    Ok(Html(page.render()?))
}

/// One unit on the map: its value for the chosen indicator.
#[derive(Serialize)]
pub struct MapArea {
    pub code: String,
    pub name: String,
    pub text: String,
    pub status: &'static str,
    pub status_text: &'static str,
    pub title: String,
    pub value: Option<f64>,
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: Scope,
    columns: Vec<Column>,
    indicator_name: String,
    /// Boundaries to draw, empty when none are shipped for this unit.
    geo: String,
    areas: Vec<MapArea>,
    areas_json: String,
    statuses: Vec<Choice>,
    status_rule: &'static str,
}

/// Choropleth map of the units below a unit for one indicator, coloured by status.
pub async fn map(scoped: Scoped, Query(q): Query<GridQuery>) -> Result<Html<String>, WebError> {
    let grid = grid(&scoped, &q).await?;
    let plan = scoped.plan();
    let chosen = match q.indicator.as_deref().filter(|s| !s.is_empty()) {
        None => grid.columns.first().copied(),
        Some(code) => Some(
            grid.columns
                .iter()
                .copied()
                .find(|&i| plan.indicators[i].code == code)
                .ok_or_else(|| {
                    WebError::BadRequest(format!("chỉ tiêu «{code}» không có ở bản đồ này"))
                })?,
        ),
    };
    let areas: Vec<MapArea> = match chosen {
        None => Vec::new(),
        Some(i) => grid
            .rows
            .iter()
            .map(|(unit, tracked)| {
                let c = cell(&plan.indicators[i], &tracked[i]);
                MapArea {
                    code: unit.code.clone(),
                    name: unit.full_name.clone(),
                    text: c.text,
                    status: c.status_key,
                    status_text: c.status_text,
                    title: c.title,
                    value: tracked[i].progress.value,
                }
            })
            .collect(),
    };
    let geo = if grid.parent.kind == UnitKind::Country.as_str() {
        "/static/geo/provinces.geojson".to_string()
    } else if grid.kind == UnitKind::Commune && has_commune_map(&grid.parent.code) {
        format!("/static/geo/communes-{}.geojson", grid.parent.code)
    } else {
        String::new()
    };
    let page = MapPage {
        title: format!("Bản đồ – {}", grid.parent.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        scope: Scope::of(plan, &grid),
        columns: columns_of(plan, &grid, |i| chosen == Some(i)),
        indicator_name: chosen.map_or(String::new(), |i| plan.indicators[i].name.clone()),
        geo,
        // Inside <script>: no "</script>" or "<!--" can come from a unit's name.
        areas_json: serde_json::to_string(&areas)
            .unwrap_or_else(|_| "[]".into())
            .replace('<', "\\u003c"),
        areas,
        statuses: status_choices(None),
        status_rule: STATUS_RULE,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "lagging.html")]
struct LaggingPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: Scope,
    lines: Vec<LaggingLine>,
    total: usize,
    status_rule: &'static str,
}

/// The units below a unit that are behind (chậm or có nguy cơ) on any indicator, the worst first,
/// each with what it lacks; and those that missed the latest report.
pub async fn lagging(scoped: Scoped, Query(q): Query<GridQuery>) -> Result<Html<String>, WebError> {
    let g = grid(&scoped, &q).await?;
    let lines = scoped.lagging_lines(&g).await?;
    let plan = scoped.plan();
    let page = LaggingPage {
        title: format!("Đơn vị chậm tiến độ – {}", g.parent.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        scope: Scope::of(plan, &g),
        total: g.rows.len(),
        lines,
        status_rule: STATUS_RULE,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "rankings.html")]
struct RankingsPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: Scope,
    lines: Vec<RankLine>,
    score_rule: &'static str,
}

/// Rankings for commendation by the composite score, with every component shown.
pub async fn rankings(
    scoped: Scoped,
    Query(q): Query<GridQuery>,
) -> Result<Html<String>, WebError> {
    let g = grid(&scoped, &q).await?;
    let lines = scoped.rank_lines(&g).await?;
    let page = RankingsPage {
        title: format!("Xếp hạng thi đua – {}", g.parent.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        scope: Scope::of(scoped.plan(), &g),
        lines,
        score_rule: SCORE_RULE,
    };
    Ok(Html(page.render()?))
}
