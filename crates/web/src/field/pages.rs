//! Team activity and inclusion below a unit.

use crate::http::{Nav, Scoped, WebError};
use askama::Template;
use axum::extract::Query;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_app::read::{
    ActivityLine, InclusionCounts, LogScope, UnitLine, golden_text, line, parse_as_of,
};
use hocvuso_core::field::suppressed;
use hocvuso_core::format;
use hocvuso_core::units::UnitKind;

#[derive(serde::Deserialize, Default)]
pub struct FieldQuery {
    pub unit: Option<String>,
    pub as_of: Option<String>,
}

struct ActivityRow {
    unit: UnitLine,
    /// Villages below (for a village: empty).
    teams: String,
    active: String,
    people_week: String,
    people_total: String,
    records_total: String,
    golden: String,
    /// People guided in each of the weeks shown.
    weeks: Vec<String>,
}

#[derive(Template)]
#[template(path = "field-activity.html")]
struct ActivityPage {
    /// Where the scope form's "Tải Excel" sends the same query.
    xlsx: &'static str,
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: LogScope,
    row_kind: &'static str,
    villages: bool,
    week_heads: Vec<String>,
    rows: Vec<ActivityRow>,
    totals: ActivityRow,
    golden_rule: String,
}

/// The log page's scope the query asks for, or None for a team member (whose page is the app).
pub(crate) async fn log_scope(
    scoped: &Scoped,
    q: &FieldQuery,
) -> Result<Option<LogScope>, WebError> {
    let as_of = parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    Ok(scoped.log_scope(q.unit.as_deref(), as_of).await?)
}

pub async fn activity(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Ok(Redirect::to("/field").into_response());
    };
    let table = scoped.activity_table(&scope).await?;
    let plan = scoped.plan();
    let count = |n: i64| format::number(n as f64, 0);
    let row = |l: &ActivityLine| ActivityRow {
        unit: line(&l.unit),
        teams: if l.is_village() {
            String::new()
        } else {
            count(l.teams)
        },
        active: if l.is_village() {
            if l.active > 0 { "có" } else { "không" }.into()
        } else {
            count(l.active)
        },
        people_week: count(l.people_week),
        people_total: count(l.people),
        records_total: count(l.records),
        golden: golden_text(l),
        weeks: l.weeks.iter().map(|n| count(*n)).collect(),
    };
    let page = ActivityPage {
        title: format!("Hoạt động Tổ CNS cộng đồng – {}", scope.unit.full_name),
        xlsx: "/field/activity.xlsx",
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        row_kind: scope.kind.label_vi(),
        villages: scope.kind == UnitKind::Village,
        week_heads: table
            .weeks
            .iter()
            .map(|w| format::date(*w)[..5].to_string())
            .collect(),
        rows: table.lines.iter().map(row).collect(),
        totals: row(&table.totals),
        golden_rule: match plan.golden_week_people {
            Some(n) => format!(
                "Một tổ được tính là đã thực hiện Tuần lễ vàng từ tuần báo cáo đầu tiên trong đó tổ ghi nhận ít nhất {n} người được hướng dẫn đủ {} kỹ năng số cơ bản (theo kế hoạch).",
                plan.skills.len()
            ),
            None => {
                "Kế hoạch chưa quy định cách tính Tuần lễ vàng ([field_log] golden_week_people)."
                    .into()
            }
        },
        scope,
    };
    Ok(Html(page.render()?).into_response())
}

struct InclusionLine {
    label: String,
    cells: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "field-inclusion.html")]
struct InclusionPage {
    /// Where the scope form's "Tải Excel" sends the same query.
    xlsx: &'static str,
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: LogScope,
    heads: Vec<String>,
    lines: Vec<InclusionLine>,
    total: String,
    minority_lines: Vec<InclusionLine>,
}

pub async fn inclusion(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Ok(Redirect::to("/field").into_response());
    };
    let tables = scoped.inclusion_tables(&scope).await?;
    let shown = |lines: &[InclusionCounts]| {
        lines
            .iter()
            .map(|l| InclusionLine {
                label: l.label.clone(),
                cells: l.by_gender.iter().map(|n| suppressed(*n)).collect(),
                total: suppressed(l.total),
            })
            .collect()
    };
    let page = InclusionPage {
        title: format!("Không ai bị bỏ lại phía sau – {}", scope.unit.full_name),
        xlsx: "/field/inclusion.xlsx",
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        heads: tables.genders.clone(),
        lines: shown(&tables.by_age),
        minority_lines: shown(&tables.by_minority),
        total: suppressed(tables.total),
        scope,
    };
    Ok(Html(page.render()?).into_response())
}
