//! The secretariat's follow-up pages: reports waiting for review, the completeness and timeliness
//! matrix, and the week's difficulties and proposals.

use crate::access::Scoped;
use crate::api::unit_filter;
use crate::error::WebError;
use crate::reports::parse_week;
use crate::views::Nav;
use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use chrono::NaiveDate;
use hocvuso_app::records::Concerns;
use hocvuso_core::access::Target;
use hocvuso_core::calendar::{self, Week};
use hocvuso_core::format;
use hocvuso_core::report::{Cell, Status, cell, rates};
use hocvuso_core::text::search_key;
use hocvuso_core::units::UnitKind;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct WeekQuery {
    pub week: Option<String>,
    /// Completeness: the weeks up to this date.
    pub as_of: Option<String>,
    pub q: Option<String>,
    pub kind: Option<String>,
    pub missing: Option<String>,
}

/// The chosen week, or the last reporting day on or before the default date.
pub(crate) fn chosen_week(scoped: &Scoped, raw: Option<&str>) -> Result<NaiveDate, WebError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => parse_week(s),
        None => Ok(
            calendar::last_reporting_day(scoped.plan(), scoped.default_as_of()).unwrap_or_else(
                || {
                    calendar::weeks(scoped.plan())
                        .first()
                        .map_or(scoped.default_as_of(), |w| w.reporting_day)
                },
            ),
        ),
    }
}

/// (value, label) of every reporting week up to the default date, for week pickers.
pub(crate) fn week_options(scoped: &Scoped) -> Vec<(String, String)> {
    calendar::weeks(scoped.plan())
        .into_iter()
        .filter(|w| w.reporting_day <= scoped.default_as_of())
        .map(|w| {
            (
                w.reporting_day.to_string(),
                format!("Tuần {} – {}", w.number, format::date(w.reporting_day)),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    week: String,
    weeks: Vec<(String, String)>,
    items: Vec<Concerns>,
}

pub async fn review_queue(
    scoped: Scoped,
    Query(q): Query<WeekQuery>,
) -> Result<Html<String>, WebError> {
    let week = chosen_week(&scoped, q.week.as_deref())?;
    let items = scoped.review_queue(Some(week)).await?;
    let page = ReviewPage {
        title: "Duyệt báo cáo".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        week: week.to_string(),
        weeks: week_options(&scoped),
        items,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "concerns.html")]
struct ConcernsPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    week: String,
    week_text: String,
    weeks: Vec<(String, String)>,
    q: String,
    items: Vec<Concerns>,
    total: usize,
}

pub async fn concerns(
    scoped: Scoped,
    Query(q): Query<WeekQuery>,
) -> Result<Html<String>, WebError> {
    let week = chosen_week(&scoped, q.week.as_deref())?;
    let all = scoped.week_concerns(week).await?;
    let total = all.len();
    let query = q.q.clone().unwrap_or_default();
    let words: Vec<String> = search_key(&query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let items = all
        .into_iter()
        .filter(|c| {
            let key = search_key(&format!(
                "{} {} {}",
                c.unit_name, c.difficulties, c.proposals
            ));
            words.iter().all(|w| key.contains(w.as_str()))
        })
        .collect();
    let page = ConcernsPage {
        title: "Khó khăn, đề xuất".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        week: week.to_string(),
        week_text: format::date(week),
        weeks: week_options(&scoped),
        q: query,
        items,
        total,
    };
    Ok(Html(page.render()?))
}

struct MatrixRow {
    code: String,
    name: String,
    cells: Vec<(Cell, &'static str, String)>,
    completeness: String,
    timeliness: String,
}

#[derive(Template)]
#[template(path = "completeness.html")]
struct CompletenessPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    q: String,
    as_of_text: String,
    missing_only: bool,
    weeks: Vec<String>,
    rows: Vec<MatrixRow>,
    column_rates: Vec<(String, String)>,
    overall: (String, String),
}

/// A unit-week's stored status and first submission.
type Stored = (Option<Status>, Option<chrono::DateTime<chrono::Utc>>);

/// For each unit of `codes` (within `within`'s subtree), its reporting cell in each of `weeks`:
/// missing, draft, returned, on time or late.
pub(crate) async fn reporting_cells<'a>(
    scoped: &Scoped,
    within: &hocvuso_app::records::UnitRecord,
    codes: impl Iterator<Item = &'a str>,
    weeks: &[Week],
) -> Result<Vec<Vec<Cell>>, WebError> {
    let statuses: HashMap<(String, String), Stored> = scoped
        .week_statuses(within)
        .await?
        .into_iter()
        .map(|s| {
            let first = s.first_submitted_at.as_deref().and_then(|t| t.parse().ok());
            ((s.unit_code, s.week), (Status::parse(&s.status), first))
        })
        .collect();
    Ok(codes
        .map(|code| {
            weeks
                .iter()
                .map(|w| {
                    let (status, first) = statuses
                        .get(&(code.to_string(), w.reporting_day.to_string()))
                        .cloned()
                        .unwrap_or((None, None));
                    cell(status, first, w)
                })
                .collect()
        })
        .collect())
}

fn symbol(c: Cell) -> &'static str {
    match c {
        Cell::OnTime => "✔",
        Cell::Late => "T",
        Cell::Draft => "N",
        Cell::Returned => "L",
        Cell::Missing => "✗",
    }
}

/// The expected units of a kind (those the plan asks to report at least one indicator) × the
/// reporting weeks up to a date, with each unit-week's reporting cell.
pub(crate) struct Matrix {
    pub kind: UnitKind,
    pub as_of: NaiveDate,
    pub weeks: Vec<Week>,
    pub units: Vec<hocvuso_app::records::UnitRecord>,
    pub cells: Vec<Vec<Cell>>,
}

pub(crate) async fn matrix(scoped: &Scoped, q: &WeekQuery) -> Result<Matrix, WebError> {
    let kind_text = q
        .kind
        .clone()
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "commune".into());
    let kind = UnitKind::parse(&kind_text)
        .ok_or_else(|| WebError::BadRequest(format!("loại đơn vị «{kind_text}» không có")))?;
    let home = scoped.home().await?;
    let plan = scoped.plan();
    let as_of = crate::views::parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    let weeks: Vec<Week> = calendar::weeks(plan)
        .into_iter()
        .filter(|w| w.reporting_day <= as_of)
        .collect();
    let (units, _) = scoped
        .list_units(unit_filter(
            None,
            Some(home.code.clone()),
            Some(kind.as_str()),
            q.q.clone(),
            5000,
            0,
        )?)
        .await?;
    let units: Vec<_> = units
        .into_iter()
        .filter(|u| {
            let t = Target {
                code: &u.code,
                kind,
                path: &u.path,
            };
            plan.indicators
                .iter()
                .any(|i| hocvuso_core::access::reports_indicator(t, i))
        })
        .collect();
    let cells =
        reporting_cells(scoped, &home, units.iter().map(|u| u.code.as_str()), &weeks).await?;
    Ok(Matrix {
        kind,
        as_of,
        weeks,
        units,
        cells,
    })
}

/// Units of a kind × reporting weeks up to the chosen date: reported on time, late, draft, returned
/// or missing, with completeness and timeliness per unit, per week and overall.
pub async fn completeness(
    scoped: Scoped,
    Query(q): Query<WeekQuery>,
) -> Result<Html<String>, WebError> {
    let Matrix {
        kind,
        as_of,
        weeks,
        units: expected,
        cells: all_cells,
    } = matrix(&scoped, &q).await?;
    let mut rows = Vec::new();
    let mut columns: Vec<Vec<Cell>> = vec![Vec::new(); weeks.len()];
    for (u, cells) in expected.iter().zip(all_cells) {
        for (i, c) in cells.iter().enumerate() {
            columns[i].push(*c);
        }
        let (complete, timely) = rates(&cells);
        if q.missing.is_some() && complete >= 100.0 {
            continue;
        }
        rows.push(MatrixRow {
            code: u.code.clone(),
            name: u.full_name.clone(),
            cells: weeks
                .iter()
                .zip(&cells)
                .map(|(w, c)| {
                    (
                        *c,
                        symbol(*c),
                        format!("{} – {}", format::date(w.reporting_day), c.label_vi()),
                    )
                })
                .collect(),
            completeness: format::percent(complete),
            timeliness: format::percent(timely),
        });
    }
    let all: Vec<Cell> = columns.iter().flatten().copied().collect();
    let (complete, timely) = rates(&all);
    let page = CompletenessPage {
        title: "Tình hình báo cáo".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        kind: kind.as_str().into(),
        kinds: [
            UnitKind::Commune,
            UnitKind::Department,
            UnitKind::School,
            UnitKind::Enterprise,
        ]
        .into_iter()
        .map(|k| (k.as_str(), k.label_vi()))
        .collect(),
        q: q.q.unwrap_or_default(),
        as_of_text: format::date(as_of),
        missing_only: q.missing.is_some(),
        weeks: weeks
            .iter()
            .map(|w| format!("T{} {}", w.number, w.reporting_day.format("%d/%m")))
            .collect(),
        rows,
        column_rates: columns
            .iter()
            .map(|c| rates(c))
            .map(|(a, b)| (format::number(a, 0), format::number(b, 0)))
            .collect(),
        overall: (format::percent(complete), format::percent(timely)),
    };
    Ok(Html(page.render()?))
}
