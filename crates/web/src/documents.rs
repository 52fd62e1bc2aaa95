//! Official documents: a unit's weekly report (the province's from the campaign secretariat to the
//! People's Committee, a commune's or department's own to the secretariat), built from the same
//! figures as the progress API, in the form of `hocvuso_core::official`, downloaded as .docx; the
//! page where the officer writes next week's tasks and edits the letterhead.

use crate::access::Scoped;
use crate::dashboard::{GridQuery, grid};
use crate::error::WebError;
use crate::monitoring::{chosen_week, week_options};
use crate::reports::form_fields;
use crate::standings::{LaggingLine, lagging_lines, value_text};
use crate::views::Nav;
use askama::Template;
use axum::extract::{Query, RawForm};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use hocvuso_core::calendar::{self, Week};
use hocvuso_core::format;
use hocvuso_core::official::{Block, Document, Letterhead, Table};
use hocvuso_core::outlook::{Status, Tracked};
use hocvuso_core::plan::Plan;
use hocvuso_core::units::UnitKind;
use hocvuso_store::reports::Concerns;
use hocvuso_store::units::UnitRecord;
use serde::Deserialize;

pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The synthetic-data line under the title of a demo document.
const SYNTHETIC: &str = "(Số liệu giả lập, chỉ dùng để minh họa – không phải số liệu thật)";

/// The week numbered `number` of the plan's calendar, or a message naming the weeks there are.
pub fn week_numbered(plan: &Plan, number: u32) -> Result<Week, String> {
    let weeks = calendar::weeks(plan);
    let count = weeks.len();
    weeks
        .into_iter()
        .find(|w| w.number == number)
        .ok_or_else(|| format!("kế hoạch có các tuần 1 – {count}, không có tuần {number}"))
}

/// The week whose reporting day is `day`.
fn week_on(plan: &Plan, day: NaiveDate) -> Result<Week, WebError> {
    calendar::weeks(plan)
        .into_iter()
        .find(|w| w.reporting_day == day)
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "ngày {} không phải ngày báo cáo của kế hoạch",
                format::date(day)
            ))
        })
}

/// Target, value, share of target and status of the unit's indicators, as table rows.
fn indicator_rows(plan: &Plan, tracked: &[Tracked]) -> Vec<Vec<String>> {
    plan.indicators
        .iter()
        .zip(tracked)
        .filter(|(_, t)| t.progress.subjects_expected > 0)
        .map(|(ind, t)| {
            let p = &t.progress;
            let target = match (p.target, &p.milestone_label) {
                (Some(v), Some(label)) => format!("{} ({label})", value_text(ind, Some(v))),
                (Some(v), None) => value_text(ind, Some(v)),
                (None, _) => "–".into(),
            };
            vec![
                ind.code.clone(),
                ind.name.clone(),
                target,
                value_text(ind, p.value),
                p.share_of_target.map_or("–".into(), format::percent),
                t.outlook
                    .as_ref()
                    .map_or("–", |o| o.status.label_vi())
                    .to_string(),
            ]
        })
        .collect()
}

fn status_counts(tracked: &[Tracked]) -> String {
    let relevant: Vec<&Tracked> = tracked
        .iter()
        .filter(|t| t.progress.subjects_expected > 0 && t.progress.target.is_some())
        .collect();
    let parts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|s| {
            let n = relevant
                .iter()
                .filter(|t| t.outlook.as_ref().is_some_and(|o| o.status == *s))
                .count();
            (n > 0).then(|| format!("{n} chỉ tiêu {}", s.label_vi()))
        })
        .collect();
    if parts.is_empty() {
        "chưa có chỉ tiêu nào có số liệu".into()
    } else {
        format!(
            "trong {} chỉ tiêu có giao chỉ tiêu: {}",
            relevant.len(),
            parts.join(", ")
        )
    }
}

/// Suggested next week's tasks, until the officer writes them: the indicators that lag, the units
/// that did not report.
fn suggested_tasks(plan: &Plan, tracked: &[Tracked], day: NaiveDate, missing: usize) -> String {
    let mut lines: Vec<String> = plan
        .indicators
        .iter()
        .zip(tracked)
        .filter(|(_, t)| {
            t.outlook
                .as_ref()
                .is_some_and(|o| matches!(o.status, Status::OffTrack | Status::AtRisk))
                && t.progress.subjects_expected > 0
        })
        .map(|(ind, t)| {
            format!(
                "Tập trung đẩy nhanh chỉ tiêu {} ({}): hiện đạt {}{}.",
                ind.code,
                ind.short_name,
                value_text(ind, t.progress.value),
                t.progress
                    .target
                    .map(|v| format!(", chỉ tiêu {}", value_text(ind, Some(v))))
                    .unwrap_or_default()
            )
        })
        .collect();
    if missing > 0 {
        lines.push(format!(
            "Đôn đốc {missing} đơn vị chưa gửi báo cáo kỳ {} hoàn thành báo cáo.",
            format::date(day)
        ));
    }
    lines.push("Tiếp tục triển khai các nhiệm vụ theo Kế hoạch.".into());
    lines.join("\n")
}

/// The units' difficulties or proposals, compiled: the same text written by several units once,
/// with their names, most shared first.
fn concern_items(concerns: &[Concerns], pick: impl Fn(&Concerns) -> &str) -> Vec<Block> {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for c in concerns {
        let text = pick(c).trim().trim_end_matches('.').trim();
        if text.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(t, _)| t == text) {
            Some((_, units)) => units.push(&c.unit_name),
            None => groups.push((text.to_string(), vec![&c.unit_name])),
        }
    }
    if groups.is_empty() {
        return vec![Block::Item("Không có.".into())];
    }
    // Stable: among equally shared texts, the order the units came in.
    groups.sort_by_key(|(_, units)| std::cmp::Reverse(units.len()));
    groups
        .into_iter()
        .map(|(text, units)| {
            Block::Item(match units.as_slice() {
                [one] => format!("{one}: {text}."),
                many => {
                    const NAMED: usize = 8;
                    let mut names = many[..many.len().min(NAMED)].join(", ");
                    if many.len() > NAMED {
                        names.push_str(&format!(" và {} đơn vị khác", many.len() - NAMED));
                    }
                    format!("{text} ({} đơn vị: {names}).", many.len())
                }
            })
        })
        .collect()
}

/// How the units below a province reported and progressed in a week (nothing for other units).
struct Below {
    /// Whether the unit has units reporting to it (a province: communes, then departments).
    applies: bool,
    /// "94/102 xã, phường đã gửi báo cáo", one per kind.
    reported: Vec<String>,
    lagging: Vec<LaggingLine>,
    /// Units below, and those without the week's report.
    total: usize,
    missing: usize,
}

async fn units_below(
    scoped: &Scoped,
    unit: &UnitRecord,
    day: NaiveDate,
) -> Result<Below, WebError> {
    let kinds: &[UnitKind] = match unit.kind() {
        Some(UnitKind::Province) => &[UnitKind::Commune, UnitKind::Department],
        _ => &[],
    };
    let mut below = Below {
        applies: !kinds.is_empty(),
        reported: Vec::new(),
        lagging: Vec::new(),
        total: 0,
        missing: 0,
    };
    for kind in kinds {
        let g = grid(scoped, &GridQuery::below(&unit.code, *kind, day)).await?;
        if g.rows.is_empty() {
            continue;
        }
        let lines = lagging_lines(scoped, &g).await?;
        let missing = lines.iter().filter(|l| !l.missing.is_empty()).count();
        below.missing += missing;
        below.total += g.rows.len();
        below.reported.push(format!(
            "{}/{} {} đã gửi báo cáo",
            g.rows.len() - missing,
            g.rows.len(),
            match kind {
                UnitKind::Commune => "xã, phường",
                _ => "sở, ban, ngành",
            }
        ));
        below.lagging.extend(lines);
    }
    Ok(below)
}

/// The weekly report of `unit` for `week`, as of its reporting day.
pub async fn weekly_document(
    scoped: &Scoped,
    unit: &UnitRecord,
    week: &Week,
) -> Result<Document, WebError> {
    let plan = scoped.plan();
    let day = week.reporting_day;
    let tracked = scoped.tracked(unit, day).await?;
    let mut body = Vec::new();

    let below = units_below(scoped, unit, day).await?;
    let Below {
        reported,
        lagging,
        total: units_below,
        ..
    } = &below;

    body.push(Block::Heading("I. KẾT QUẢ CHUNG".into()));
    let mut overall = format!(
        "Tính đến ngày {} (tuần {} của Kế hoạch), {}",
        format::date(day),
        week.number,
        status_counts(&tracked)
    );
    if !reported.is_empty() {
        overall.push_str(&format!("; trong tuần có {}", reported.join(", ")));
    }
    overall.push('.');
    body.push(Block::Paragraph(overall));
    let field = scoped.field_totals(unit, day).await?;
    if let Some(people) = field.get("people").filter(|n| **n > 0) {
        body.push(Block::Paragraph(format!(
            "Theo nhật ký của các Tổ công nghệ số cộng đồng, đã hướng dẫn {} người ({} lượt).",
            format::number(*people as f64, 0),
            format::number(*field.get("records").unwrap_or(&0) as f64, 0),
        )));
    }

    body.push(Block::Heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU".into()));
    body.push(Block::Table(Table {
        headers: vec![
            "Mã".into(),
            "Chỉ tiêu".into(),
            "Chỉ tiêu giao".into(),
            "Kết quả".into(),
            "Tỷ lệ so với chỉ tiêu".into(),
            "Đánh giá".into(),
        ],
        widths: vec![8, 40, 20, 14, 12, 14],
        numeric: vec![false, false, true, true, true, false],
        rows: indicator_rows(plan, &tracked),
    }));

    if below.applies {
        body.push(Block::Heading(
            "III. ĐƠN VỊ CHƯA BÁO CÁO, CHẬM TIẾN ĐỘ".into(),
        ));
        let missing: Vec<&str> = lagging
            .iter()
            .filter(|l| !l.missing.is_empty())
            .map(|l| l.unit.name.as_str())
            .collect();
        body.push(Block::Paragraph(if missing.is_empty() {
            format!("1. Các đơn vị đều đã gửi báo cáo kỳ {}.", format::date(day))
        } else {
            format!(
                "1. Đơn vị chưa gửi báo cáo kỳ {} ({}): {}.",
                format::date(day),
                missing.len(),
                missing.join(", ")
            )
        }));
        let codes = |l: &LaggingLine, key: &str| {
            l.shortfalls
                .iter()
                .filter(|s| s.status_key == key)
                .map(|s| s.code.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rows: Vec<Vec<String>> = lagging
            .iter()
            .filter(|l| !l.shortfalls.is_empty())
            .enumerate()
            .map(|(i, l)| {
                vec![
                    (i + 1).to_string(),
                    l.unit.name.clone(),
                    codes(l, "off_track"),
                    codes(l, "at_risk"),
                ]
            })
            .collect();
        body.push(Block::Paragraph(format!(
            "2. Đơn vị có chỉ tiêu chậm hoặc có nguy cơ chậm: {}/{} đơn vị{}",
            rows.len(),
            units_below,
            if rows.is_empty() {
                "."
            } else {
                " (mã chỉ tiêu theo bảng trên):"
            }
        )));
        if !rows.is_empty() {
            body.push(Block::Table(Table {
                headers: vec![
                    "STT".into(),
                    "Đơn vị".into(),
                    "Chỉ tiêu chậm".into(),
                    "Chỉ tiêu có nguy cơ".into(),
                ],
                widths: vec![7, 33, 35, 25],
                numeric: vec![true, false, false, false],
                rows,
            }));
        }
    }

    let concerns = scoped.concerns_within(unit, day).await?;
    let n = if below.applies { "IV" } else { "III" };
    body.push(Block::Heading(format!(
        "{n}. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT"
    )));
    body.push(Block::Paragraph("1. Khó khăn, vướng mắc:".into()));
    body.extend(concern_items(&concerns, |c| &c.difficulties));
    body.push(Block::Paragraph("2. Đề xuất, kiến nghị:".into()));
    body.extend(concern_items(&concerns, |c| &c.proposals));

    let n = if below.applies { "V" } else { "IV" };
    body.push(Block::Heading(format!("{n}. NHIỆM VỤ TUẦN TỚI")));
    let tasks = match scoped.next_tasks(unit, day).await? {
        Some(t) => t,
        None => suggested_tasks(plan, &tracked, day, below.missing),
    };
    body.extend(
        tasks
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| Block::Item(l.trim_start_matches(['-', '–', ' ']).to_string())),
    );

    Ok(Document {
        letterhead: scoped.letterhead(unit).await?,
        number: None,
        date: day,
        kind: "BÁO CÁO".into(),
        subject: format!(
            "Kết quả triển khai phong trào \"Bình dân học vụ số\" tuần {} (từ ngày {} đến ngày {})",
            week.number,
            format::date(day - chrono::Days::new(6)),
            format::date(day)
        ),
        body,
        notice: scoped.synthetic().then(|| SYNTHETIC.to_string()),
    })
}

#[derive(Deserialize)]
pub struct DocumentQuery {
    unit: Option<String>,
    week: Option<String>,
}

async fn chosen(scoped: &Scoped, q: &DocumentQuery) -> Result<(UnitRecord, Week), WebError> {
    let unit = match q.unit.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => scoped.unit(code).await?,
        None => scoped.home().await?,
    };
    let day = chosen_week(scoped, q.week.as_deref())?;
    Ok((unit, week_on(scoped.plan(), day)?))
}

/// `/documents/weekly.docx?unit=…&week=…`
pub async fn weekly_docx(
    scoped: Scoped,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, WebError> {
    let (unit, week) = chosen(&scoped, &q).await?;
    let doc = weekly_document(&scoped, &unit, &week).await?;
    let bytes = hocvuso_docs::docx::write(&doc).map_err(|e| WebError::Internal(e.into()))?;
    Ok(crate::exports::download(
        bytes,
        DOCX_TYPE,
        &format!("bao-cao-tuan-{}-{}.docx", unit.code, week.number),
    ))
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    unit: UnitRecord,
    week: String,
    week_number: u32,
    weeks: Vec<(String, String)>,
    can_edit: bool,
    next_tasks: String,
    next_tasks_saved: bool,
    letterhead: Letterhead,
    recipients: String,
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    unit: Option<String>,
    week: Option<String>,
    saved: Option<String>,
}

/// `/documents`: the weekly report of a unit and week, its next week's tasks and letterhead.
pub async fn page(scoped: Scoped, Query(q): Query<PageQuery>) -> Result<Html<String>, WebError> {
    let (unit, week) = chosen(
        &scoped,
        &DocumentQuery {
            unit: q.unit.clone(),
            week: q.week.clone(),
        },
    )
    .await?;
    let saved_tasks = scoped.next_tasks(&unit, week.reporting_day).await?;
    let next_tasks = match &saved_tasks {
        Some(t) => t.clone(),
        None => {
            let day = week.reporting_day;
            let tracked = scoped.tracked(&unit, day).await?;
            let below = units_below(&scoped, &unit, day).await?;
            suggested_tasks(scoped.plan(), &tracked, day, below.missing)
        }
    };
    let letterhead = scoped.letterhead(&unit).await?;
    let page = DocumentsPage {
        title: format!("Báo cáo tuần – {}", unit.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        week: week.reporting_day.to_string(),
        week_number: week.number,
        weeks: week_options(&scoped),
        can_edit: scoped.can_edit_documents(&unit),
        next_tasks,
        next_tasks_saved: saved_tasks.is_some(),
        recipients: letterhead.recipients.join("\n"),
        letterhead,
        unit,
        saved: q.saved.filter(|s| s == "tasks" || s == "letterhead"),
    };
    Ok(Html(page.render()?))
}

fn back_to(unit: &str, week: &str, saved: &str) -> Response {
    let query = serde_urlencoded::to_string([("unit", unit), ("week", week), ("saved", saved)])
        .unwrap_or_default();
    Redirect::to(&format!("/documents?{query}")).into_response()
}

/// `POST /documents/next-tasks`: unit, week, next_tasks.
pub async fn save_next_tasks(scoped: Scoped, RawForm(body): RawForm) -> Result<Response, WebError> {
    let f = form_fields(&body)?;
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let (unit, week) = chosen(
        &scoped,
        &DocumentQuery {
            unit: Some(field("unit").to_string()),
            week: Some(field("week").to_string()),
        },
    )
    .await?;
    let text = field("next_tasks").replace("\r\n", "\n");
    scoped
        .save_next_tasks(&unit, week.reporting_day, text.trim())
        .await?;
    Ok(back_to(
        &unit.code,
        &week.reporting_day.to_string(),
        "tasks",
    ))
}

/// `POST /documents/letterhead`: unit, week (to come back to), and the letterhead's fields.
pub async fn save_letterhead(scoped: Scoped, RawForm(body): RawForm) -> Result<Response, WebError> {
    let f = form_fields(&body)?;
    let field = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let unit = scoped.unit(&field("unit")).await?;
    let letterhead = Letterhead {
        parent_body: field("parent_body"),
        issuer: field("issuer"),
        symbol: field("symbol"),
        place: field("place"),
        signer_authority: field("signer_authority"),
        signer_title: field("signer_title"),
        signer_name: field("signer_name"),
        recipients: field("recipients")
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches(['-', ' '])
                    .trim_end_matches([';', '.'])
            })
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    };
    scoped.save_letterhead(&unit, &letterhead).await?;
    Ok(back_to(&unit.code, &field("week"), "letterhead"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concern(unit: &str, difficulties: &str, proposals: &str) -> Concerns {
        Concerns {
            unit_code: unit.into(),
            unit_name: unit.into(),
            week: "2025-09-05".into(),
            status: "submitted".into(),
            difficulties: difficulties.into(),
            proposals: proposals.into(),
        }
    }

    #[test]
    fn concerns_are_compiled_once_per_text_with_their_units() {
        let all = [
            concern("Xã A", "  ", "Cấp thêm máy"),
            concern("Xã B", "", "Tập huấn thêm."),
            concern("Xã C", "", "Tập huấn thêm"),
        ];
        assert_eq!(
            concern_items(&all, |c| &c.difficulties),
            vec![Block::Item("Không có.".into())]
        );
        assert_eq!(
            concern_items(&all, |c| &c.proposals),
            vec![
                Block::Item("Tập huấn thêm (2 đơn vị: Xã B, Xã C).".into()),
                Block::Item("Xã A: Cấp thêm máy.".into()),
            ]
        );
    }
}
