//! What the dashboard's pages share: the query, the grid it asks for, and a grid's units, indicators
//! and cells as a page shows them.

use crate::http::{Scoped, WebError, parse_kind};
use hocvuso_app::read::{
    Grid, GridFilter, GridSpec, Moment, UnitLine, indicator_texts, line, moment, parse_as_of,
};
use hocvuso_app::records::UnitRecord;
use hocvuso_core::format;
use hocvuso_core::outlook::{Status, Tracked};
use hocvuso_core::plan::{Indicator, TargetKind};
use hocvuso_core::progress::Progress;
use hocvuso_core::units::UnitKind;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct GridQuery {
    pub unit: Option<String>,
    pub kind: Option<String>,
    pub as_of: Option<String>,
    /// Heat table filters: a search without diacritics, a status, the indicator the status is about.
    pub q: Option<String>,
    status: Option<String>,
    pub indicator: Option<String>,
}

impl GridQuery {
    /// The heat table's filters of this query.
    pub(crate) fn filter(&self) -> Result<GridFilter, WebError> {
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

pub(crate) fn cell(ind: &Indicator, t: &Tracked) -> Cell {
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
pub(crate) fn columns_of(
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

pub(crate) fn status_choices(selected: Option<Status>) -> Vec<Choice> {
    Status::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: s.label_vi(),
            selected: Some(*s) == selected,
        })
        .collect()
}
