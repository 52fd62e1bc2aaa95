//! The secretariat's follow-up pages: reports waiting for review, the completeness and timeliness
//! matrix, and the week's difficulties and proposals.

use crate::http::{Nav, Scoped, WebError, parse_kind};
use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use hocvuso_app::read::{Matrix, parse_as_of};
use hocvuso_app::records::Concerns;
use hocvuso_core::format;
use hocvuso_core::report::{Cell, rates};
use hocvuso_core::text::search_key;
use hocvuso_core::units::UnitKind;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct WeekQuery {
    pub week: Option<String>,
    /// Completeness: the weeks up to this date.
    pub as_of: Option<String>,
    pub q: Option<String>,
    pub kind: Option<String>,
    pub missing: Option<String>,
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
    let week = scoped.chosen_week(q.week.as_deref())?;
    let items = scoped.review_queue(Some(week)).await?;
    let page = ReviewPage {
        title: "Duyệt báo cáo".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        week: week.to_string(),
        weeks: scoped.week_options(),
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
    let week = scoped.chosen_week(q.week.as_deref())?;
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
        weeks: scoped.week_options(),
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

fn symbol(c: Cell) -> &'static str {
    match c {
        Cell::OnTime => "✔",
        Cell::Late => "T",
        Cell::Draft => "N",
        Cell::Returned => "L",
        Cell::Missing => "✗",
    }
}

/// The completeness matrix the query asks for (default: communes, up to the default date).
pub(crate) async fn matrix(scoped: &Scoped, q: &WeekQuery) -> Result<Matrix, WebError> {
    let kind = parse_kind(q.kind.as_deref())?.unwrap_or(UnitKind::Commune);
    let as_of = parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    Ok(scoped.matrix(kind, as_of, q.q.clone()).await?)
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
