//! The contents of the official documents: a unit's weekly report and its final report over the
//! campaign (the province's from the campaign secretariat to the People's Committee, a commune's or
//! department's own to the secretariat), in the form of `hocvuso_core::official`, built from the
//! same read models as the pages and the progress API (grid, lagging and ranking lines, reporting
//! cells), so a document and the dashboard never disagree.

use crate::error::{AppError, Result};
use crate::read::{Grid, GridSpec, LaggingLine, value_text};
use crate::records::{Concerns, UnitRecord};
use crate::session::Session;
use chrono::NaiveDate;
use hocvuso_core::calendar::{self, Week};
use hocvuso_core::format;
use hocvuso_core::official::{Block, Document, Table};
use hocvuso_core::outlook::{Status, Tracked};
use hocvuso_core::plan::Plan;
use hocvuso_core::report::{Cell, rates};
use hocvuso_core::units::UnitKind;
use hocvuso_docs::chart::{Series, stacked_bars};

pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The synthetic-data line under the title of a demo document.
const SYNTHETIC: &str = "(Số liệu giả lập, chỉ dùng để minh họa – không phải số liệu thật)";

/// The table of the unit's indicators: target, value, share of target, status.
fn indicator_table(plan: &Plan, tracked: &[Tracked]) -> Block {
    Block::Table(Table {
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
        rows: indicator_rows(plan, tracked),
    })
}

/// Units below with indicators off track or at risk, as paragraph 2 of the section on units and a
/// table of the indicator codes each lacks.
fn lagging_blocks(lagging: &[LaggingLine], units_below: usize) -> Vec<Block> {
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
    let mut out = vec![Block::Paragraph(format!(
        "2. Đơn vị có chỉ tiêu chậm hoặc có nguy cơ chậm: {}/{units_below} đơn vị{}",
        rows.len(),
        if rows.is_empty() {
            "."
        } else {
            " (mã chỉ tiêu theo bảng trên):"
        }
    ))];
    if !rows.is_empty() {
        out.push(Block::Table(Table {
            headers: vec![
                "STT".into(),
                "Đơn vị".into(),
                "Chỉ tiêu chậm".into(),
                "Chỉ tiêu có nguy cơ".into(),
            ],
            widths: vec![9, 32, 35, 24],
            numeric: vec![true, false, false, false],
            rows,
        }));
    }
    out
}

/// The section of difficulties and proposals, numbered `number`.
fn concern_blocks(number: &str, concerns: &[Concerns]) -> Vec<Block> {
    let mut out = vec![
        Block::Heading(format!("{number}. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT")),
        Block::Paragraph("1. Khó khăn, vướng mắc:".into()),
    ];
    out.extend(concern_items(concerns, |c| &c.difficulties));
    out.push(Block::Paragraph("2. Đề xuất, kiến nghị:".into()));
    out.extend(concern_items(concerns, |c| &c.proposals));
    out
}

/// The officer's tasks, one item a line, without the dashes typed before them.
fn task_items(tasks: String) -> Vec<Block> {
    tasks
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Block::Item(l.trim_start_matches(['-', '–', ' ']).to_string()))
        .collect()
}

/// People guided and visits logged by the teams within the unit up to `day`, formatted; none when
/// the log is empty.
async fn guided(
    session: &Session,
    unit: &UnitRecord,
    day: NaiveDate,
) -> Result<Option<(String, String)>> {
    let field = session.field_totals(unit, day).await?;
    Ok(field.get("people").filter(|n| **n > 0).map(|people| {
        (
            format::number(*people as f64, 0),
            format::number(*field.get("records").unwrap_or(&0) as f64, 0),
        )
    }))
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
            // Over several weeks a unit often repeats itself: name it once.
            Some((_, units)) if units.contains(&c.unit_name.as_str()) => {}
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
    /// The units below with their indicators, one grid per kind.
    grids: Vec<Grid>,
}

async fn units_below(session: &Session, unit: &UnitRecord, day: NaiveDate) -> Result<Below> {
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
        grids: Vec::new(),
    };
    for kind in kinds {
        let g = session
            .grid(&GridSpec::below(&unit.code, *kind, day))
            .await?;
        if g.rows.is_empty() {
            continue;
        }
        let lines = session.lagging_lines(&g).await?;
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
        below.grids.push(g);
    }
    Ok(below)
}

/// The weekly report of `unit` for `week`, as of its reporting day.
pub async fn weekly_document(
    session: &Session,
    unit: &UnitRecord,
    week: &Week,
) -> Result<Document> {
    let plan = session.plan();
    let day = week.reporting_day;
    let tracked = session.tracked(unit, day).await?;
    let mut body = Vec::new();

    let below = units_below(session, unit, day).await?;
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
    if let Some((people, visits)) = guided(session, unit, day).await? {
        body.push(Block::Paragraph(format!(
            "Theo nhật ký của các Tổ công nghệ số cộng đồng, đã hướng dẫn {people} người ({visits} lượt)."
        )));
    }

    body.push(Block::Heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU".into()));
    body.push(indicator_table(plan, &tracked));

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
        body.extend(lagging_blocks(lagging, *units_below));
    }

    let concerns = session.concerns_within(unit, day).await?;
    let subject = format!(
        "Kết quả triển khai phong trào \"Bình dân học vụ số\" tuần {} (từ ngày {} đến ngày {})",
        week.number,
        format::date(day - chrono::Days::new(6)),
        format::date(day)
    );
    let closing = Closing {
        tracked: &tracked,
        below: &below,
        concerns: &concerns,
        tasks_title: "NHIỆM VỤ TUẦN TỚI",
    };
    report(session, unit, day, subject, body, closing).await
}

impl Session {
    /// The tasks ahead a report would list for `unit` on `day` until the officer writes them: the
    /// indicators that lag and the units that did not report.
    pub async fn suggested_tasks(&self, unit: &UnitRecord, day: NaiveDate) -> Result<String> {
        let tracked = self.tracked(unit, day).await?;
        let below = units_below(self, unit, day).await?;
        Ok(suggested_tasks(self.plan(), &tracked, day, below.missing))
    }
}

/// What the last sections of a report need.
struct Closing<'a> {
    tracked: &'a [Tracked],
    below: &'a Below,
    concerns: &'a [Concerns],
    tasks_title: &'a str,
}

/// A report of `unit` dated `day` with its letterhead: `body`, then the difficulties and proposals
/// and the tasks ahead (the officer's, else suggestions), numbered after the section on the units
/// below when there is one.
async fn report(
    session: &Session,
    unit: &UnitRecord,
    day: NaiveDate,
    subject: String,
    mut body: Vec<Block>,
    closing: Closing<'_>,
) -> Result<Document> {
    let applies = closing.below.applies;
    body.extend(concern_blocks(
        if applies { "IV" } else { "III" },
        closing.concerns,
    ));
    body.push(Block::Heading(format!(
        "{}. {}",
        if applies { "V" } else { "IV" },
        closing.tasks_title
    )));
    let tasks = match session.next_tasks(unit, day).await? {
        Some(t) => t,
        None => suggested_tasks(session.plan(), closing.tracked, day, closing.below.missing),
    };
    body.extend(task_items(tasks));
    Ok(Document {
        letterhead: session.letterhead(unit).await?,
        number: None,
        date: day,
        kind: "BÁO CÁO".into(),
        subject,
        body,
        notice: session.synthetic().then(|| SYNTHETIC.to_string()),
    })
}

/// The colours of the statuses in a chart: the heat table's hues, darker so that they stay apart
/// in print.
fn status_colour(status: Status) -> &'static str {
    match status {
        Status::Achieved => "#3f9b5a",
        Status::OnTrack => "#9fd8b0",
        Status::AtRisk => "#f2c94c",
        Status::OffTrack => "#e5675c",
        Status::NoData => "#c3c9d2",
    }
}

/// Counts of the unit's assigned indicators by status, week after week up to `week`: the final
/// report's chart.
async fn status_chart(session: &Session, unit: &UnitRecord, week: &Week) -> Result<Block> {
    let weeks: Vec<Week> = calendar::weeks(session.plan())
        .into_iter()
        .filter(|w| w.number <= week.number)
        .collect();
    let mut counts = vec![vec![0.0; weeks.len()]; Status::ALL.len()];
    for (i, w) in weeks.iter().enumerate() {
        for t in session.tracked(unit, w.reporting_day).await? {
            if t.progress.subjects_expected == 0 || t.progress.target.is_none() {
                continue;
            }
            let status = t.outlook.map_or(Status::NoData, |o| o.status);
            if let Some(s) = Status::ALL.iter().position(|x| *x == status) {
                counts[s][i] += 1.0;
            }
        }
    }
    let series: Vec<Series> = Status::ALL
        .iter()
        .zip(counts)
        .map(|(status, values)| Series {
            name: capitalised(status.label_vi()),
            colour: status_colour(*status).into(),
            values,
        })
        .collect();
    let categories: Vec<String> = weeks.iter().map(|w| format!("T{}", w.number)).collect();
    Ok(Block::Picture {
        svg: stacked_bars(&categories, &series),
        width_mm: 160,
        height_mm: 80,
        caption: format!(
            "Hình 1. Số chỉ tiêu theo mức đánh giá qua từng tuần (T1 – T{}: tuần 1 – {} của Kế hoạch)",
            week.number, week.number
        ),
    })
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The final report (báo cáo tổng kết) of `unit` over the whole campaign up to `week`: results
/// against the targets with their course week by week, how the units below reported over the
/// period and how they ended (the best for commendation, the lagging), the difficulties and
/// proposals of every week, and the tasks ahead.
pub async fn final_document(session: &Session, unit: &UnitRecord, week: &Week) -> Result<Document> {
    let plan = session.plan();
    let day = week.reporting_day;
    let weeks: Vec<Week> = calendar::weeks(plan)
        .into_iter()
        .filter(|w| w.number <= week.number)
        .collect();
    let tracked = session.tracked(unit, day).await?;
    let below = units_below(session, unit, day).await?;
    let campaign = &plan.campaign;
    let mut body = vec![Block::Heading("I. KẾT QUẢ TRIỂN KHAI".into())];
    body.push(Block::Paragraph(format!(
        "{}đợt {} được triển khai từ ngày {} đến ngày {}. Tính đến ngày {} (tuần {}/{} của Kế hoạch), {}.",
        plan.document
            .as_deref()
            .map_or_else(|| "Theo Kế hoạch, ".to_string(), |d| format!("{d}, ")),
        campaign.name,
        format::date(campaign.start),
        format::date(campaign.end),
        format::date(day),
        week.number,
        calendar::weeks(plan).len(),
        status_counts(&tracked)
    )));
    for g in &below.grids {
        let cells = session
            .reporting_cells(unit, g.rows.iter().map(|(u, _)| u.code.as_str()), &weeks)
            .await?;
        let all: Vec<Cell> = cells.into_iter().flatten().collect();
        let (complete, timely) = rates(&all);
        body.push(Block::Paragraph(format!(
            "Trong {} tuần, {} {} được giao báo cáo đã gửi {} báo cáo tuần (đạt {} số báo cáo phải gửi), trong đó {} gửi đúng hạn.",
            weeks.len(),
            g.rows.len(),
            match g.kind {
                UnitKind::Commune => "xã, phường",
                _ => "sở, ban, ngành",
            },
            format::number(complete / 100.0 * all.len() as f64, 0),
            format::percent(complete),
            format::percent(timely),
        )));
    }
    if let Some((people, visits)) = guided(session, unit, day).await? {
        body.push(Block::Paragraph(format!(
            "Các Tổ công nghệ số cộng đồng đã đến từng hộ, hướng dẫn {people} người ({visits} lượt) theo nhật ký."
        )));
    }

    body.push(Block::Heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU".into()));
    body.push(indicator_table(plan, &tracked));
    body.push(status_chart(session, unit, week).await?);

    if below.applies {
        body.push(Block::Heading("III. ĐÁNH GIÁ CÁC ĐƠN VỊ".into()));
        if let Some(g) = below.grids.iter().find(|g| g.kind == UnitKind::Commune) {
            const BEST: usize = 10;
            let ranked = session.rank_lines(g).await?;
            body.push(Block::Paragraph(format!(
                "1. Các xã, phường dẫn đầu theo điểm thi đua (đề xuất xem xét khen thưởng), {} đơn vị đứng đầu trong {}:",
                ranked.len().min(BEST),
                ranked.len()
            )));
            body.push(Block::Table(Table {
                headers: vec![
                    "Hạng".into(),
                    "Đơn vị".into(),
                    "Điểm".into(),
                    "Chỉ tiêu đạt".into(),
                    "Mức đạt".into(),
                    "Đúng hạn".into(),
                ],
                widths: vec![10, 34, 12, 16, 14, 14],
                numeric: vec![true, false, true, true, true, true],
                rows: ranked
                    .iter()
                    .take(BEST)
                    .map(|r| {
                        vec![
                            r.rank.to_string(),
                            r.unit.name.clone(),
                            r.score.clone(),
                            format!("{}/{}", r.achieved, r.targets),
                            r.achievement.clone(),
                            r.timeliness.clone(),
                        ]
                    })
                    .collect(),
            }));
        }
        body.extend(lagging_blocks(&below.lagging, below.total));
    }

    // Every week's difficulties and proposals: the same text from one unit over several weeks
    // counts once.
    let mut concerns = Vec::new();
    for w in &weeks {
        concerns.extend(session.concerns_within(unit, w.reporting_day).await?);
    }
    let subject = format!(
        "Tổng kết {} (từ ngày {} đến ngày {})",
        campaign.name,
        format::date(campaign.start),
        format::date(day)
    );
    let closing = Closing {
        tracked: &tracked,
        below: &below,
        concerns: &concerns,
        tasks_title: "PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
    };
    report(session, unit, day, subject, body, closing).await
}

/// Which report: the week's, or the final report over the campaign up to the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Weekly,
    Final,
}

impl Report {
    pub async fn document(
        self,
        session: &Session,
        unit: &UnitRecord,
        week: &Week,
    ) -> Result<Document> {
        match self {
            Report::Weekly => weekly_document(session, unit, week).await,
            Report::Final => final_document(session, unit, week).await,
        }
    }

    /// The file name, without extension: "bao-cao-tuan-66-8", "bao-cao-tong-ket-66".
    pub fn file_stem(self, unit: &UnitRecord, week: &Week) -> String {
        match self {
            Report::Weekly => format!("bao-cao-tuan-{}-{}", unit.code, week.number),
            Report::Final => format!("bao-cao-tong-ket-{}-tuan-{}", unit.code, week.number),
        }
    }
}

/// The file formats a document downloads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Pdf,
}

/// Whether this build makes PDF files (cargo feature `pdf`).
pub const PDF: bool = cfg!(feature = "pdf");

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "docx" => Some(Format::Docx),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => DOCX_TYPE,
            Format::Pdf => "application/pdf",
        }
    }

    /// The document's file; typesetting takes a few hundred milliseconds of CPU, so callers on
    /// the async runtime go through [`Format::render_blocking`].
    pub fn render(self, doc: &Document) -> std::result::Result<Vec<u8>, String> {
        match self {
            Format::Docx => hocvuso_docs::docx::write(doc),
            #[cfg(feature = "pdf")]
            Format::Pdf => hocvuso_docs::pdf::write(doc),
            #[cfg(not(feature = "pdf"))]
            Format::Pdf => Err(
                "bản hocvuso này được dựng không có tính năng PDF; dựng lại với `cargo build --release --features pdf`"
                    .into(),
            ),
        }
    }

    pub async fn render_blocking(self, doc: Document) -> Result<Vec<u8>> {
        tokio::task::spawn_blocking(move || self.render(&doc))
            .await
            .map_err(|e| AppError::Internal(e.to_string().into()))?
            .map_err(|e| AppError::Internal(e.into()))
    }
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
