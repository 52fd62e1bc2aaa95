//! Who lags and who leads, among the units directly below a unit: the lagging units with what they
//! lack, and the rankings for commendation by the composite score of `hocvuso_core::ranking`. Both
//! read the same grid as the heat table, their lines from `hocvuso_app::read`.

use crate::access::Scoped;
use crate::dashboard::{GridQuery, Scope, grid};
use crate::error::WebError;
use crate::views::Nav;
use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use hocvuso_app::read::{LaggingLine, RankLine};
use hocvuso_core::outlook::STATUS_RULE;
use hocvuso_core::ranking::SCORE_RULE;

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
