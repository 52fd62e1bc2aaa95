//! Dashboards over the units directly below one unit (the communes of a province, the provinces of
//! the country): the heat table of units × indicators, the map, and their JSON. Each reads the
//! roll-ups of all those units in one query (`Scoped::tracked_children`), and every cell uses the
//! same progress and status as the unit's own page.

use crate::access::Scoped;
use crate::api::parse_kind;
use crate::assets::has_commune_map;
use crate::error::{ApiError, WebError};
use crate::views::Nav;
use askama::Template;
use axum::Json;
use axum::extract::Query;
use axum::response::Html;
use hocvuso_app::read::{
    Grid, GridFilter, GridSpec, Moment, UnitLine, indicator_texts, line, moment, parse_as_of,
    status_of,
};
use hocvuso_app::records::UnitRecord;
use hocvuso_core::format;
use hocvuso_core::outlook::{STATUS_RULE, Status, Tracked};
use hocvuso_core::plan::{Indicator, TargetKind};
use hocvuso_core::progress::Progress;
use hocvuso_core::units::UnitKind;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Default)]
pub struct GridQuery {
    pub unit: Option<String>,
    pub kind: Option<String>,
    pub as_of: Option<String>,
    /// Heat table filters: a search without diacritics, a status, the indicator the status is about.
    pub q: Option<String>,
    status: Option<String>,
    indicator: Option<String>,
}

impl GridQuery {
    /// The heat table's filters of this query.
    fn filter(&self) -> Result<GridFilter, WebError> {
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                Status::parse(s)
                    .ok_or_else(|| WebError::BadRequest(format!("tình trạng «{s}» không có")))?,
            ),
        };
        Ok(GridFilter {
            search: self.q.clone(),
            status,
            indicator: self.indicator.clone(),
        })
    }
}

/// The grid the query asks for.
pub(crate) async fn grid(scoped: &Scoped, q: &GridQuery) -> Result<Grid, WebError> {
    let spec = GridSpec {
        unit: q.unit.clone(),
        kind: parse_kind(q.kind.as_deref())?,
        as_of: parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?,
    };
    Ok(scoped.grid(&spec).await?)
}

/// A value in a cell: a percent, or a count for totals; "–" without data.
fn short_value(ind: &Indicator, p: &Progress) -> String {
    match (p.value, ind.kind) {
        (None, _) => "–".into(),
        (Some(v), TargetKind::Total) => format::number(v, 0),
        (Some(v), _) => format::percent(v),
    }
}

/// One indicator of one unit in a table or on the map.
pub struct Cell {
    pub text: String,
    /// Machine name of the status (CSS class), empty where no target applies or nothing is expected.
    pub status_key: &'static str,
    pub status_text: &'static str,
    /// Everything the unit page says about it, in one line (tooltip).
    pub title: String,
    /// Value for sorting and tests, empty without data.
    pub raw: String,
    pub expected: bool,
}

fn cell(ind: &Indicator, t: &Tracked) -> Cell {
    let p = &t.progress;
    if p.subjects_expected == 0 {
        return Cell {
            text: String::new(),
            status_key: "",
            status_text: "",
            title: format!("{}: không phải báo cáo", ind.short_name),
            raw: String::new(),
            expected: false,
        };
    }
    let row = indicator_texts(ind, t);
    let mut title = format!("{}: {}", ind.short_name, row.value_text);
    if !row.detail_text.is_empty() {
        title.push_str(&format!(" ({})", row.detail_text));
    }
    if p.target.is_some() {
        title.push_str(&format!(
            "; chỉ tiêu {} đến {}",
            row.target_text, row.due_text
        ));
    }
    if !row.status_text.is_empty() {
        title.push_str(&format!("; {}", row.status_text));
    }
    if !row.stale_text.is_empty() {
        title.push_str(&format!("; {}", row.stale_text));
    }
    Cell {
        text: short_value(ind, p),
        status_key: row.status_key,
        status_text: row.status_text,
        title,
        raw: row.value_raw,
        expected: true,
    }
}

pub struct Column {
    pub code: String,
    pub short_name: String,
    pub name: String,
    pub selected: bool,
}

pub struct Line {
    pub unit: UnitLine,
    pub cells: Vec<Cell>,
}

/// What every page over a grid shows above its table: whose units, on which date, of which kind.
pub(crate) struct Scope {
    pub parent: UnitLine,
    pub moment: Moment,
    pub week_text: String,
    pub as_of_iso: String,
    pub kinds: Vec<Choice>,
    pub kind_label: &'static str,
}

impl Scope {
    pub(crate) fn of(plan: &hocvuso_core::plan::Plan, g: &Grid) -> Scope {
        let m = moment(plan, g.as_of);
        Scope {
            parent: line(&g.parent),
            week_text: m.week_text(),
            moment: m,
            as_of_iso: g.as_of.to_string(),
            kinds: kind_choices(&g.parent, g.kind),
            kind_label: g.kind.label_vi(),
        }
    }
}

/// The grid's indicator columns, `selected` marking the chosen one.
fn columns_of(
    plan: &hocvuso_core::plan::Plan,
    g: &Grid,
    selected: impl Fn(usize) -> bool,
) -> Vec<Column> {
    g.columns
        .iter()
        .map(|&i| {
            let ind = &plan.indicators[i];
            Column {
                code: ind.code.clone(),
                short_name: ind.short_name.clone(),
                name: ind.name.clone(),
                selected: selected(i),
            }
        })
        .collect()
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// Kinds of units a table can list below a province or the country.
fn kind_choices(parent: &UnitRecord, kind: UnitKind) -> Vec<Choice> {
    let kinds: &[UnitKind] = if parent.kind == UnitKind::Country.as_str() {
        &[UnitKind::Province]
    } else {
        &[UnitKind::Commune, UnitKind::Department]
    };
    kinds
        .iter()
        .map(|k| Choice {
            value: k.as_str(),
            label: k.label_vi(),
            selected: *k == kind,
        })
        .collect()
}

fn status_choices(selected: Option<Status>) -> Vec<Choice> {
    Status::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: s.label_vi(),
            selected: Some(*s) == selected,
        })
        .collect()
}

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

/// The heat table as an .xlsx file, with the same filters: values as numbers, cells coloured by
/// status, and each indicator's status spelled out in the column beside it.
pub async fn table_xlsx(
    scoped: Scoped,
    Query(q): Query<GridQuery>,
) -> Result<axum::response::Response, WebError> {
    use hocvuso_docs::table_xlsx::{Cell as XCell, Column as XColumn, Kind, Sheet, Value};
    let grid = grid(&scoped, &q).await?;
    let plan = scoped.plan();
    let rows = grid.filtered(plan, &q.filter()?)?;
    let fill = |s: Option<Status>| match s {
        Some(Status::Achieved) => Some("#7CC48F"),
        Some(Status::OnTrack) => Some("#C5E8CF"),
        Some(Status::AtRisk) => Some("#F7D774"),
        Some(Status::OffTrack) => Some("#F0928A"),
        Some(Status::NoData) => Some("#D5DAE1"),
        None => None,
    };
    let mut columns = vec![
        XColumn {
            header: "Mã đơn vị".into(),
            kind: Kind::Text,
        },
        XColumn {
            header: grid.kind.label_vi().to_string(),
            kind: Kind::Text,
        },
    ];
    for &i in &grid.columns {
        let ind = &plan.indicators[i];
        columns.push(XColumn {
            header: format!("{} – {}", ind.code, ind.short_name),
            kind: if ind.kind == TargetKind::Total {
                Kind::Count
            } else {
                Kind::Percent
            },
        });
        columns.push(XColumn {
            header: format!("{} – tình trạng", ind.code),
            kind: Kind::Text,
        });
    }
    let body = rows
        .iter()
        .map(|(unit, tracked)| {
            let mut cells = vec![XCell::text(&unit.code), XCell::text(&unit.full_name)];
            for &i in &grid.columns {
                let t = &tracked[i];
                let expected = t.progress.subjects_expected > 0;
                let status = status_of(t).filter(|_| expected);
                cells.push(XCell {
                    fill: fill(status),
                    ..XCell::number(t.progress.value.filter(|_| expected))
                });
                cells.push(XCell {
                    value: match (expected, status) {
                        (false, _) => Value::Text("không phải báo cáo".into()),
                        (true, Some(s)) => Value::Text(s.label_vi().into()),
                        (true, None) => Value::Empty,
                    },
                    fill: None,
                });
            }
            cells
        })
        .collect();
    let sheet = Sheet {
        name: "Bảng theo đơn vị".into(),
        title: vec![
            format!(
                "{} × chỉ tiêu – {}",
                grid.kind.label_vi(),
                grid.parent.full_name
            ),
            format!(
                "Số liệu đến ngày {}{}",
                format::date(grid.as_of),
                if scoped.synthetic() {
                    " · SỐ LIỆU GIẢ LẬP (bản minh họa)"
                } else {
                    ""
                }
            ),
            plan.title.clone(),
        ],
        columns,
        rows: body,
    };
    crate::exports::xlsx_response(
        &sheet,
        &format!("bang-{}-{}.xlsx", grid.parent.code, grid.as_of),
    )
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

#[derive(Serialize)]
pub struct UnitIndicator {
    #[serde(flatten)]
    pub progress: Progress,
    pub status: Option<Status>,
}

#[derive(Serialize)]
pub struct UnitProgress {
    pub unit: UnitRecord,
    pub indicators: Vec<UnitIndicator>,
}

#[derive(Serialize)]
pub struct UnitsProgress {
    pub plan: String,
    pub parent: UnitRecord,
    pub kind: UnitKind,
    #[serde(flatten)]
    pub moment: Moment,
    pub synthetic: bool,
    /// Codes of the indicators any of the units reports, in plan order.
    pub columns: Vec<String>,
    pub units: Vec<UnitProgress>,
}

/// `GET /api/v1/progress/units?unit=&kind=&as_of=`: what the heat table and the map show.
pub async fn api(
    scoped: Scoped,
    Query(q): Query<GridQuery>,
) -> Result<Json<UnitsProgress>, ApiError> {
    let grid = grid(&scoped, &q).await?;
    let plan = scoped.plan();
    Ok(Json(UnitsProgress {
        plan: plan.code.clone(),
        kind: grid.kind,
        moment: moment(plan, grid.as_of),
        synthetic: scoped.synthetic(),
        columns: grid
            .columns
            .iter()
            .map(|&i| plan.indicators[i].code.clone())
            .collect(),
        units: grid
            .rows
            .into_iter()
            .map(|(unit, tracked)| UnitProgress {
                unit,
                indicators: tracked
                    .into_iter()
                    .map(|t| UnitIndicator {
                        status: status_of(&t),
                        progress: t.progress,
                    })
                    .collect(),
            })
            .collect(),
        parent: grid.parent,
    }))
}
