//! Tables of the site as .xlsx files (`hocvuso_docs::table_xlsx`): each reads the same data, with the
//! same query, as the page it mirrors — lagging units, rankings, the completeness matrix, the
//! week's difficulties and proposals, the audit log, a unit's values week by week. The heat
//! table's is in `dashboard`.

use crate::access::Scoped;
use crate::dashboard::{GridQuery, grid};
use crate::error::WebError;
use crate::monitoring::{Matrix, WeekQuery, matrix};
use crate::standings::{lagging_lines, rank_lines};
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use hocvuso_core::format;
use hocvuso_core::report::rates;
use hocvuso_docs::table_xlsx::{Cell, Column, Kind, Sheet, Value, write};

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download: its bytes, type and name.
pub fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A sheet as a download named `filename`.
pub fn xlsx_response(sheet: &Sheet, filename: &str) -> Result<Response, WebError> {
    let bytes = write(sheet).map_err(|e| WebError::Internal(e.into()))?;
    Ok(download(bytes, XLSX_TYPE, filename))
}

/// The lines above a table: what it is, as of when (and whether the data is synthetic), the plan.
pub fn title_lines(scoped: &Scoped, what: String, as_of: NaiveDate) -> Vec<String> {
    vec![
        what,
        format!(
            "Số liệu đến ngày {}{}",
            format::date(as_of),
            if scoped.synthetic() {
                " · SỐ LIỆU GIẢ LẬP (bản minh họa)"
            } else {
                ""
            }
        ),
        scoped.plan().title.clone(),
    ]
}

fn column(header: &str, kind: Kind) -> Column {
    Column {
        header: header.into(),
        kind,
    }
}

/// `/lagging.xlsx`: the units behind, with what each lacks.
pub async fn lagging(scoped: Scoped, Query(q): Query<GridQuery>) -> Result<Response, WebError> {
    let g = grid(&scoped, &q).await?;
    let lines = lagging_lines(&scoped, &g).await?;
    let rows = lines
        .iter()
        .map(|l| {
            vec![
                Cell::text(&l.unit.code),
                Cell::text(&l.unit.full_name),
                Cell::number(Some(l.off_track as f64)),
                Cell::number(Some(l.at_risk as f64)),
                Cell::text(&l.missing),
                Cell::text(
                    l.shortfalls
                        .iter()
                        .map(|s| format!("{} {}: {}", s.code, s.status_text, s.text))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "Chậm tiến độ".into(),
        title: title_lines(
            &scoped,
            format!("Đơn vị chậm tiến độ – {}", g.parent.full_name),
            g.as_of,
        ),
        columns: vec![
            column("Mã đơn vị", Kind::Text),
            column(g.kind.label_vi(), Kind::Text),
            column("Số chỉ tiêu chậm", Kind::Count),
            column("Số chỉ tiêu có nguy cơ", Kind::Count),
            column("Báo cáo còn thiếu", Kind::Text),
            column("Chỉ tiêu chậm, có nguy cơ", Kind::Text),
        ],
        rows,
    };
    xlsx_response(
        &sheet,
        &format!("cham-tien-do-{}-{}.xlsx", g.parent.code, g.as_of),
    )
}

/// `/rankings.xlsx`: the ranking for commendation with every component of the score.
pub async fn rankings(scoped: Scoped, Query(q): Query<GridQuery>) -> Result<Response, WebError> {
    let g = grid(&scoped, &q).await?;
    let rows = rank_lines(&scoped, &g)
        .await?
        .iter()
        .map(|l| {
            vec![
                Cell::number(Some(l.rank as f64)),
                Cell::text(&l.unit.code),
                Cell::text(&l.unit.full_name),
                Cell::number(Some(l.score_raw)),
                Cell::number(Some(l.achievement_raw)),
                Cell::number(Some(l.targets as f64)),
                Cell::number(Some(l.achieved as f64)),
                Cell::number(Some(l.timeliness_raw)),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "Xếp hạng".into(),
        title: title_lines(
            &scoped,
            format!("Xếp hạng thi đua – {}", g.parent.full_name),
            g.as_of,
        ),
        columns: vec![
            column("Hạng", Kind::Count),
            column("Mã đơn vị", Kind::Text),
            column(g.kind.label_vi(), Kind::Text),
            column("Điểm", Kind::Decimal),
            column("Mức hoàn thành chỉ tiêu", Kind::Percent),
            column("Số chỉ tiêu được giao", Kind::Count),
            column("Số chỉ tiêu đạt", Kind::Count),
            column("Báo cáo đúng hạn", Kind::Percent),
        ],
        rows,
    };
    xlsx_response(
        &sheet,
        &format!("xep-hang-{}-{}.xlsx", g.parent.code, g.as_of),
    )
}

/// `/completeness.xlsx`: units × weeks, each cell's reporting state, and the unit's rates.
pub async fn completeness(
    scoped: Scoped,
    Query(q): Query<WeekQuery>,
) -> Result<Response, WebError> {
    let Matrix {
        kind,
        as_of,
        weeks,
        units,
        cells,
    } = matrix(&scoped, &q).await?;
    let mut columns = vec![
        column("Mã đơn vị", Kind::Text),
        column(kind.label_vi(), Kind::Text),
    ];
    columns.extend(weeks.iter().map(|w| Column {
        header: format!("Tuần {} ({})", w.number, format::date(w.reporting_day)),
        kind: Kind::Text,
    }));
    columns.push(column("Đầy đủ", Kind::Percent));
    columns.push(column("Đúng hạn", Kind::Percent));
    let missing_only = q.missing.is_some();
    let rows = units
        .iter()
        .zip(&cells)
        .filter_map(|(u, cells)| {
            let (complete, timely) = rates(cells);
            if missing_only && complete >= 100.0 {
                return None;
            }
            let mut row = vec![Cell::text(&u.code), Cell::text(&u.full_name)];
            row.extend(cells.iter().map(|c| Cell::text(c.label_vi())));
            row.push(Cell::number(Some(complete)));
            row.push(Cell::number(Some(timely)));
            Some(row)
        })
        .collect();
    let sheet = Sheet {
        name: "Tình hình báo cáo".into(),
        title: title_lines(
            &scoped,
            format!("Tình hình báo cáo – {}", kind.label_vi()),
            as_of,
        ),
        columns,
        rows,
    };
    xlsx_response(
        &sheet,
        &format!("tinh-hinh-bao-cao-{}-{as_of}.xlsx", kind.as_str()),
    )
}

/// `/concerns.xlsx`: the week's difficulties and proposals.
pub async fn concerns(scoped: Scoped, Query(q): Query<WeekQuery>) -> Result<Response, WebError> {
    let week = crate::monitoring::chosen_week(&scoped, q.week.as_deref())?;
    let rows = scoped
        .week_concerns(week)
        .await?
        .iter()
        .map(|c| {
            vec![
                Cell::text(&c.unit_code),
                Cell::text(&c.unit_name),
                Cell::text(&c.difficulties),
                Cell::text(&c.proposals),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "Khó khăn, đề xuất".into(),
        title: title_lines(
            &scoped,
            format!("Khó khăn, vướng mắc và đề xuất – kỳ {}", format::date(week)),
            week,
        ),
        columns: vec![
            column("Mã đơn vị", Kind::Text),
            column("Đơn vị", Kind::Text),
            column("Khó khăn, vướng mắc", Kind::Text),
            column("Đề xuất giải pháp", Kind::Text),
        ],
        rows,
    };
    xlsx_response(&sheet, &format!("kho-khan-de-xuat-{week}.xlsx"))
}

/// An instant stored as RFC 3339 UTC text, in the plan's local time, to the second.
fn local(plan: &hocvuso_core::plan::Plan, at: &str) -> Value {
    use chrono::Timelike;
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => {
            let t =
                t.naive_utc() + chrono::Duration::minutes(plan.reporting.utc_offset_minutes.into());
            Value::DateTime(t.with_nanosecond(0).unwrap_or(t))
        }
        Err(_) => Value::Text(at.into()),
    }
}

/// `/audit.xlsx`: the audit log with the page's filters.
pub async fn audit(
    scoped: Scoped,
    Query(q): Query<crate::admin::AuditQuery>,
) -> Result<Response, WebError> {
    let (entries, _) = scoped
        .audit_entries(&q.filter(crate::admin::AUDIT_EXPORT_ROWS)?)
        .await?;
    let plan = scoped.plan();
    let rows = entries
        .iter()
        .map(|e| {
            let text = |s: &Option<String>| Cell::text(s.clone().unwrap_or_default());
            vec![
                Cell::number(Some(e.id as f64)),
                Cell {
                    value: local(plan, &e.at),
                    fill: None,
                },
                Cell::text(&e.actor),
                text(&e.ip),
                Cell::text(&e.action),
                Cell::text(&e.entity),
                Cell::text(&e.entity_key),
                text(&e.unit_code),
                text(&e.before),
                text(&e.after),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "Nhật ký thao tác".into(),
        title: vec![
            "Nhật ký thao tác".into(),
            format!(
                "Giờ địa phương (UTC{:+})",
                plan.reporting.utc_offset_minutes / 60
            ),
            plan.title.clone(),
        ],
        columns: vec![
            column("Số", Kind::Count),
            column("Thời điểm", Kind::DateTime),
            column("Người thực hiện", Kind::Text),
            column("Địa chỉ IP", Kind::Text),
            column("Thao tác", Kind::Text),
            column("Đối tượng", Kind::Text),
            column("Khóa", Kind::Text),
            column("Đơn vị", Kind::Text),
            column("Trước", Kind::Text),
            column("Sau", Kind::Text),
        ],
        rows,
    };
    xlsx_response(&sheet, "nhat-ky-thao-tac.xlsx")
}

/// `/units/{code}/values.xlsx`: the unit's value of each indicator on every reporting day up to
/// the date (the unit page's weekly course), with the target and the status on the date.
pub async fn unit_values(
    scoped: Scoped,
    axum::extract::Path(code): axum::extract::Path<String>,
    Query(q): Query<crate::pages::AsOfQuery>,
) -> Result<Response, WebError> {
    let as_of = crate::views::parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    let unit = scoped.unit(&code).await?;
    let tracked = scoped.tracked(&unit, as_of).await?;
    let plan = scoped.plan();
    let days: Vec<NaiveDate> = tracked
        .iter()
        .map(|t| t.history.iter().map(|(d, _)| *d).collect::<Vec<_>>())
        .max_by_key(Vec::len)
        .unwrap_or_default();
    let mut columns = vec![
        column("Mã", Kind::Text),
        column("Chỉ tiêu", Kind::Text),
        column("Đơn vị tính", Kind::Text),
        column("Chỉ tiêu giao", Kind::Decimal),
    ];
    columns.extend(
        days.iter()
            .map(|d| column(&format::date(*d), Kind::Decimal)),
    );
    columns.push(column("Tỷ lệ so với chỉ tiêu", Kind::Percent));
    columns.push(column("Đánh giá", Kind::Text));
    let rows = plan
        .indicators
        .iter()
        .zip(&tracked)
        .filter(|(_, t)| t.progress.subjects_expected > 0)
        .map(|(ind, t)| {
            let mut cells = vec![
                Cell::text(&ind.code),
                Cell::text(&ind.name),
                Cell::text(if ind.kind.is_percent() {
                    "%"
                } else {
                    "số lượng"
                }),
                Cell::number(t.progress.target),
            ];
            cells.extend(days.iter().map(|d| {
                Cell::number(
                    t.history
                        .iter()
                        .find(|(day, _)| day == d)
                        .and_then(|(_, v)| *v),
                )
            }));
            cells.push(Cell::number(t.progress.share_of_target));
            cells.push(Cell::text(
                t.outlook.as_ref().map_or("", |o| o.status.label_vi()),
            ));
            cells
        })
        .collect();
    let sheet = Sheet {
        name: "Diễn biến theo tuần".into(),
        title: title_lines(
            &scoped,
            format!("Kết quả các chỉ tiêu theo kỳ báo cáo – {}", unit.full_name),
            as_of,
        ),
        columns,
        rows,
    };
    xlsx_response(&sheet, &format!("ket-qua-{}-{}.xlsx", unit.code, as_of))
}
