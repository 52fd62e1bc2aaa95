//! A unit and an indicator in words, as every table, page and document writes them.

use crate::records::UnitRecord;
use hocvuso_core::format;
use hocvuso_core::outlook::{Outlook, Status, Tracked};
use hocvuso_core::plan::{Indicator, Plan, TargetKind};

/// A unit in a list, with what a row shows.
pub struct UnitLine {
    pub code: String,
    pub name: String,
    pub full_name: String,
    pub type_text: String,
    pub synthetic: bool,
}

pub fn line(u: &UnitRecord) -> UnitLine {
    UnitLine {
        code: u.code.clone(),
        name: u.name.clone(),
        full_name: u.full_name.clone(),
        type_text: unit_type_text(u),
        synthetic: u.synthetic != 0,
    }
}

/// How far a value is from its target, in the indicator's terms ("18,3 điểm %", "48 người").
pub fn gap_text(ind: &Indicator, gap: f64) -> String {
    match ind.kind {
        TargetKind::Total => format!(
            "{} {}",
            format::number(gap, 0),
            ind.unit.as_deref().unwrap_or("")
        )
        .trim()
        .to_string(),
        _ => format!("{} điểm %", format::number(gap, 1)),
    }
}

/// A value in the indicator's terms: a count for totals, else a percentage.
pub fn value_text(ind: &Indicator, v: Option<f64>) -> String {
    match (v, ind.kind) {
        (None, _) => "chưa có số liệu".into(),
        (Some(v), TargetKind::Total) => format::number(v, 0),
        (Some(v), _) => format::percent(v),
    }
}

/// One indicator's line on a page.
pub struct IndicatorRow {
    pub code: String,
    pub short_name: String,
    pub name: String,
    pub kind_label: &'static str,
    pub value_text: String,
    pub detail_text: String,
    pub target_text: String,
    pub share_text: String,
    /// Share of target clamped to 0..=100, for the progress bar.
    pub bar: u32,
    pub due_text: String,
    pub reporting_text: String,
    pub stale_text: String,
    /// Raw value for tests and scripts (`data-value`), empty without data.
    pub value_raw: String,
    pub share_raw: String,
    /// Status label ("đúng tiến độ") and its machine name (`on_track`, also the CSS class); empty
    /// where the plan's targets do not apply.
    pub status_text: &'static str,
    pub status_key: &'static str,
    /// Sparkline: SVG polyline points in a 100 × 24 box, and the target line's height in it.
    pub spark_points: String,
    pub spark_target_y: String,
    /// Pace and forecast in words.
    pub outlook_text: String,
}

/// A weekly increase in the indicator's terms.
fn per_week(ind: &Indicator, v: f64) -> String {
    match ind.kind {
        TargetKind::Total => {
            format!("{} {}/tuần", format::number(v, 0), things(ind)).replace("  ", " ")
        }
        _ => format!("{} điểm %/tuần", format::number(v, 1)),
    }
}

fn outlook_text(ind: &Indicator, o: &Outlook) -> String {
    let mut parts = Vec::new();
    if let Some(pace) = o.pace {
        parts.push(format!("nhịp {}", per_week(ind, pace)));
    }
    if let Some(m) = o.milestones.first().filter(|m| m.needed_per_week > 0.0) {
        parts.push(format!(
            "cần {} để kịp {}",
            per_week(ind, m.needed_per_week),
            format::date(m.date).get(..5).unwrap_or_default()
        ));
    }
    match (o.status, o.reaches_on) {
        (Status::Achieved, _) => {}
        (_, Some(day)) => parts.push(format!("dự kiến đạt {}", format::date(day))),
        (_, None) if o.pace.is_some() => parts.push("nhịp này không đạt".to_string()),
        _ => {}
    }
    parts.join("; ")
}

/// Sparkline of the weekly values, scaled to the larger of the target and the highest value.
fn sparkline(
    history: &[(chrono::NaiveDate, Option<f64>)],
    target: Option<f64>,
) -> (String, String) {
    let top = history
        .iter()
        .filter_map(|(_, v)| *v)
        .chain(target)
        .fold(0.0_f64, f64::max);
    if top <= 0.0 || history.len() < 2 {
        return (String::new(), String::new());
    }
    let step = 100.0 / (history.len() - 1) as f64;
    let y = |v: f64| 23.0 - v / top * 22.0;
    let points = history
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| format!("{:.1},{:.1}", i as f64 * step, y(v))))
        .collect::<Vec<_>>()
        .join(" ");
    (
        points,
        target.map_or(String::new(), |t| format!("{:.1}", y(t))),
    )
}

fn things(ind: &Indicator) -> &str {
    ind.unit.as_deref().unwrap_or("")
}

/// An indicator's line with its sparkline and pace-and-forecast text, as the overview and unit
/// pages show it.
pub fn indicator_row(ind: &Indicator, t: &Tracked) -> IndicatorRow {
    let mut row = indicator_texts(ind, t);
    (row.spark_points, row.spark_target_y) = sparkline(&t.history, t.progress.target);
    row.outlook_text = t
        .outlook
        .as_ref()
        .map_or(String::new(), |o| outlook_text(ind, o));
    row
}

/// An indicator's figures in words, without the sparkline and the forecast (heat-table cells).
pub fn indicator_texts(ind: &Indicator, t: &Tracked) -> IndicatorRow {
    let p = &t.progress;
    let value_text = match (p.value, ind.kind) {
        (None, _) => "chưa có số liệu".to_string(),
        (Some(v), TargetKind::Total) => format!("{} {}", format::number(v, 0), things(ind))
            .trim()
            .to_string(),
        (Some(v), _) => format::percent(v),
    };
    let units_word = ind.counted_unit.map_or("đơn vị", |k| k.label_vi());
    let detail_text = if p.subjects_expected == 0 {
        "không có đơn vị nào phải báo cáo chỉ tiêu này ở đây".to_string()
    } else {
        match ind.kind {
            TargetKind::Ratio => format!(
                "{} / {}",
                format::number(p.numerator, 0),
                format::number(p.denominator.unwrap_or(0.0), 0)
            ),
            TargetKind::ShareOfUnits => format!(
                "{} / {} {units_word}",
                format::number(p.numerator, 0),
                format::number(p.denominator.unwrap_or(0.0), 0)
            ),
            TargetKind::MinimumPerUnit => format!(
                "{} / {} {units_word} đạt tối thiểu {}; tổng {} {}",
                format::number(p.numerator, 0),
                format::number(p.denominator.unwrap_or(0.0), 0),
                format::number(ind.minimum.unwrap_or(0.0), 0),
                format::number(p.total.unwrap_or(0.0), 0),
                things(ind)
            ),
            TargetKind::Total => String::new(),
        }
    };
    let target_text = match (p.target, ind.kind) {
        (None, _) => "—".into(),
        (Some(t), TargetKind::Total) => format!("{} {}", format::number(t, 0), things(ind))
            .trim()
            .to_string(),
        (Some(t), _) => format::percent(t),
    };
    IndicatorRow {
        code: ind.code.clone(),
        short_name: ind.short_name.clone(),
        name: ind.name.clone(),
        kind_label: ind.kind.label_vi(),
        value_text,
        detail_text,
        target_text,
        share_text: p.share_of_target.map_or("—".into(), format::percent),
        bar: p
            .share_of_target
            .map_or(0, |s| s.clamp(0.0, 100.0).round() as u32),
        due_text: p.milestone_date.map_or("—".into(), format::date),
        reporting_text: format!("{}/{}", p.subjects_reported, p.subjects_expected),
        stale_text: if p.subjects_stale > 0 {
            format!("{} đơn vị dùng số liệu của kỳ trước", p.subjects_stale)
        } else {
            String::new()
        },
        value_raw: p.value.map_or(String::new(), |v| v.to_string()),
        share_raw: p.share_of_target.map_or(String::new(), |v| v.to_string()),
        status_text: t.outlook.as_ref().map_or("", |o| o.status.label_vi()),
        status_key: t.outlook.as_ref().map_or("", |o| o.status.as_str()),
        spark_points: String::new(),
        spark_target_y: String::new(),
        outlook_text: String::new(),
    }
}

pub fn indicator_rows(plan: &Plan, progress: &[Tracked]) -> Vec<IndicatorRow> {
    plan.indicators
        .iter()
        .zip(progress)
        .map(|(ind, p)| indicator_row(ind, p))
        .collect()
}

/// A unit's kind and type in Vietnamese, for lists.
pub fn unit_type_text(u: &UnitRecord) -> String {
    if u.unit_type.is_empty() {
        u.kind()
            .map_or(u.kind.clone(), |k| k.label_vi().to_string())
    } else {
        u.unit_type.clone()
    }
}
