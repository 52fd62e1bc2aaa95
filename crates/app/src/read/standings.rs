//! Who lags and who leads among the units of a grid: the lagging units with what they lack, and
//! the rankings for commendation by the composite score of `hocvuso_core::ranking`. The pages,
//! their .xlsx and the documents all take these lines.

use super::grid::{Grid, status_of};
use super::lines::{UnitLine, gap_text, line, value_text};
use crate::error::Result;
use crate::records::UnitRecord;
use crate::session::Session;
use hocvuso_core::calendar;
use hocvuso_core::format;
use hocvuso_core::outlook::{Status, Tracked};
use hocvuso_core::plan::Indicator;
use hocvuso_core::ranking::{achievement, score};
use hocvuso_core::report::{Cell, rates};
use std::collections::HashMap;

/// One indicator a unit is behind on.
pub struct Shortfall {
    pub code: String,
    pub name: String,
    pub status_key: &'static str,
    pub status_text: &'static str,
    pub text: String,
}

pub struct LaggingLine {
    pub unit: UnitLine,
    pub off_track: usize,
    pub at_risk: usize,
    pub shortfalls: Vec<Shortfall>,
    /// The latest reporting day's report, when missing.
    pub missing: String,
}

fn shortfall(ind: &Indicator, t: &Tracked) -> Option<Shortfall> {
    let o = t.outlook.as_ref()?;
    if !matches!(o.status, Status::OffTrack | Status::AtRisk) || t.progress.subjects_expected == 0 {
        return None;
    }
    let p = &t.progress;
    let mut text = value_text(ind, p.value);
    if let (Some(target), Some(date)) = (p.target, p.milestone_date) {
        text.push_str(&format!(
            " — chỉ tiêu {} đến {}, còn thiếu {}",
            value_text(ind, Some(target)),
            format::date(date),
            gap_text(ind, (target - p.value.unwrap_or(0.0)).max(0.0))
        ));
    }
    if let Some(m) = o.milestones.first().filter(|m| m.needed_per_week > 0.0) {
        text.push_str(&format!("; cần {}/tuần", gap_text(ind, m.needed_per_week)));
    }
    if p.subjects_stale > 0 {
        text.push_str("; số liệu của kỳ trước");
    }
    Some(Shortfall {
        code: ind.code.clone(),
        name: ind.short_name.clone(),
        status_key: o.status.as_str(),
        status_text: o.status.label_vi(),
        text,
    })
}

pub struct RankLine {
    pub rank: usize,
    pub unit: UnitLine,
    pub score: String,
    pub score_raw: f64,
    pub achievement: String,
    pub achievement_raw: f64,
    pub targets: usize,
    pub achieved: usize,
    pub timeliness: String,
    pub timeliness_raw: f64,
}

impl Session {
    /// The reporting cells of each unit below the grid's parent, up to the grid's date, and its share of
    /// weeks reported on time.
    async fn timeliness(&self, g: &Grid) -> Result<HashMap<String, (Vec<Cell>, f64)>> {
        let weeks: Vec<calendar::Week> = calendar::weeks(self.plan())
            .into_iter()
            .filter(|w| w.reporting_day <= g.as_of)
            .collect();
        let codes = g.rows.iter().map(|(u, _)| u.code.as_str());
        let cells = self.reporting_cells(&g.parent, codes, &weeks).await?;
        Ok(g.rows
            .iter()
            .zip(cells)
            .map(|((u, _), cells)| {
                let timely = rates(&cells).1;
                (u.code.clone(), (cells, timely))
            })
            .collect())
    }

    /// The units of a grid that lag (an indicator off track or at risk) or lack the latest report,
    /// those with most indicators off track first.
    pub async fn lagging_lines(&self, g: &Grid) -> Result<Vec<LaggingLine>> {
        let plan = self.plan();
        let cells = self.timeliness(g).await?;
        let latest = calendar::last_reporting_day(plan, g.as_of);
        let mut lines: Vec<(f64, LaggingLine)> = g
            .rows
            .iter()
            .filter_map(|(u, tracked)| {
                let shortfalls: Vec<Shortfall> = plan
                    .indicators
                    .iter()
                    .zip(tracked)
                    .filter_map(|(ind, t)| shortfall(ind, t))
                    .collect();
                let missing = match (latest, cells.get(&u.code).and_then(|(c, _)| c.last())) {
                    (Some(day), Some(Cell::Missing | Cell::Draft | Cell::Returned)) => {
                        format!("chưa có báo cáo kỳ {}", format::date(day))
                    }
                    _ => String::new(),
                };
                if shortfalls.is_empty() && missing.is_empty() {
                    return None;
                }
                let shares: Vec<Option<f64>> = tracked
                    .iter()
                    .filter(|t| t.progress.target.is_some() && t.progress.subjects_expected > 0)
                    .map(|t| t.progress.share_of_target)
                    .collect();
                let count = |s: &str| shortfalls.iter().filter(|f| f.status_key == s).count();
                Some((
                    achievement(&shares).unwrap_or(0.0),
                    LaggingLine {
                        unit: line(u),
                        off_track: count("off_track"),
                        at_risk: count("at_risk"),
                        shortfalls,
                        missing,
                    },
                ))
            })
            .collect();
        lines.sort_by(|(a, x), (b, y)| {
            (y.off_track, y.at_risk)
                .cmp(&(x.off_track, x.at_risk))
                .then(a.total_cmp(b))
        });
        Ok(lines.into_iter().map(|(_, l)| l).collect())
    }

    /// The units of a grid ranked by the composite score, best first.
    pub async fn rank_lines(&self, g: &Grid) -> Result<Vec<RankLine>> {
        let cells = self.timeliness(g).await?;
        let mut scored: Vec<(f64, f64, &UnitRecord, usize, usize, f64)> = g
            .rows
            .iter()
            .map(|(u, tracked)| {
                let applying: Vec<&Tracked> = tracked
                    .iter()
                    .filter(|t| t.progress.target.is_some() && t.progress.subjects_expected > 0)
                    .collect();
                let shares: Vec<Option<f64>> = applying
                    .iter()
                    .map(|t| t.progress.share_of_target)
                    .collect();
                let achieved = applying
                    .iter()
                    .filter(|t| status_of(t) == Some(Status::Achieved))
                    .count();
                let a = achievement(&shares).unwrap_or(0.0);
                let timely = cells.get(&u.code).map_or(0.0, |(_, t)| *t);
                (score(a, timely), a, u, applying.len(), achieved, timely)
            })
            .collect();
        scored.sort_by(|x, y| {
            y.0.total_cmp(&x.0)
                .then(y.1.total_cmp(&x.1))
                .then_with(|| x.2.name.cmp(&y.2.name))
        });
        Ok(scored
            .into_iter()
            .enumerate()
            .map(|(i, (s, a, u, targets, achieved, timely))| RankLine {
                rank: i + 1,
                unit: line(u),
                score: format::number(s, 1),
                score_raw: s,
                achievement: format::percent(a),
                achievement_raw: a,
                targets,
                achieved,
                timeliness: format::percent(timely),
                timeliness_raw: timely,
            })
            .collect())
    }
}
