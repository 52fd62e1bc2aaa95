//! Tables of the site as .xlsx files (`hocvuso_docs::table_xlsx`): each reads the same data, with the
//! same query, as the page it mirrors — lagging units, rankings, the completeness matrix, the
//! week's difficulties and proposals, the review queue, the audit log, the unit list, a unit's
//! values and reports week by week, the teams' activity and the inclusion tables. The heat
//! table's is in `dashboard`.

use crate::access::Scoped;
use crate::dashboard::{GridQuery, grid};
use crate::error::WebError;
use crate::monitoring::{WeekQuery, matrix};
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use hocvuso_app::read::Matrix;
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
pub fn title_lines(scoped: &Scoped, what: String, as_of: Option<NaiveDate>) -> Vec<String> {
    let synthetic = scoped
        .synthetic()
        .then_some("SỐ LIỆU GIẢ LẬP (bản minh họa)");
    let moment = as_of.map(|d| format!("Số liệu đến ngày {}", format::date(d)));
    let second: Vec<&str> = moment.as_deref().into_iter().chain(synthetic).collect();
    let mut lines = vec![what];
    if !second.is_empty() {
        lines.push(second.join(" · "));
    }
    lines.push(scoped.plan().title.clone());
    lines
}

/// A column; its header starts with a capital ("xã, phường, đặc khu" → "Xã, phường, đặc khu").
fn column(header: &str, kind: Kind) -> Column {
    let mut chars = header.chars();
    let header = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    Column { header, kind }
}

/// `/lagging.xlsx`: the units behind, with what each lacks.
pub async fn lagging(scoped: Scoped, Query(q): Query<GridQuery>) -> Result<Response, WebError> {
    let g = grid(&scoped, &q).await?;
    let lines = scoped.lagging_lines(&g).await?;
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
            Some(g.as_of),
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
    let rows = scoped
        .rank_lines(&g)
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
            Some(g.as_of),
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
            Some(as_of),
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
    let week = scoped.chosen_week(q.week.as_deref())?;
    let sheet = concerns_sheet(
        &scoped,
        "Khó khăn, đề xuất",
        format!("Khó khăn, vướng mắc và đề xuất – kỳ {}", format::date(week)),
        Some(week),
        &scoped.week_concerns(week).await?,
    );
    xlsx_response(&sheet, &format!("kho-khan-de-xuat-{week}.xlsx"))
}

/// Units with what they wrote as difficulties and proposals (the concerns page, the review queue).
fn concerns_sheet(
    scoped: &Scoped,
    name: &str,
    what: String,
    as_of: Option<NaiveDate>,
    items: &[hocvuso_app::records::Concerns],
) -> Sheet {
    Sheet {
        name: name.into(),
        title: title_lines(scoped, what, as_of),
        columns: vec![
            column("Mã đơn vị", Kind::Text),
            column("Đơn vị", Kind::Text),
            column("Khó khăn, vướng mắc", Kind::Text),
            column("Đề xuất giải pháp", Kind::Text),
        ],
        rows: items
            .iter()
            .map(|c| {
                vec![
                    Cell::text(&c.unit_code),
                    Cell::text(&c.unit_name),
                    Cell::text(&c.difficulties),
                    Cell::text(&c.proposals),
                ]
            })
            .collect(),
    }
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
                Cell::of(local(plan, &e.at)),
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
    let as_of = hocvuso_app::read::parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
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
            Some(as_of),
        ),
        columns,
        rows,
    };
    xlsx_response(&sheet, &format!("ket-qua-{}-{}.xlsx", unit.code, as_of))
}

/// `/units.xlsx`: the units page's list, with its search.
pub async fn units(
    scoped: Scoped,
    Query(q): Query<crate::pages::UnitsQuery>,
) -> Result<Response, WebError> {
    let (parent, units, total) = crate::pages::unit_list(&scoped, &q).await?;
    let mut title = title_lines(&scoped, format!("Đơn vị thuộc {}", parent.full_name), None);
    if total > units.len() as i64 {
        title.insert(1, format!("{} đầu tiên trong {total} đơn vị", units.len()));
    }
    let rows = units
        .iter()
        .map(|u| {
            vec![
                Cell::text(&u.code),
                Cell::text(&u.full_name),
                Cell::text(hocvuso_app::read::unit_type_text(u)),
                Cell::text(u.parent_code.clone().unwrap_or_default()),
                Cell::text(if u.synthetic != 0 { "giả lập" } else { "" }),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "Đơn vị".into(),
        title,
        columns: vec![
            column("Mã", Kind::Text),
            column("Tên", Kind::Text),
            column("Loại", Kind::Text),
            column("Mã đơn vị cấp trên", Kind::Text),
            column("Ghi chú", Kind::Text),
        ],
        rows,
    };
    xlsx_response(&sheet, &format!("don-vi-{}.xlsx", parent.code))
}

/// `/units/{code}/history.xlsx`: the unit's reports week by week (the unit page's history).
pub async fn unit_history(
    scoped: Scoped,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    let unit = scoped.unit(&code).await?;
    let plan = scoped.plan();
    let rows = hocvuso_app::read::history_lines(plan, &scoped.unit_history(&unit).await?)
        .iter()
        .map(|h| {
            vec![
                Cell::of(h.week.parse().map_or(Value::Empty, Value::Date)),
                Cell::text(&h.week_text),
                Cell::text(h.status),
                Cell::of(
                    h.submitted_at
                        .as_deref()
                        .map_or(Value::Empty, |at| local(plan, at)),
                ),
                Cell::text(h.timeliness),
                Cell::text(&h.note),
                Cell::text(&h.difficulties),
                Cell::text(&h.proposals),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "Lịch sử báo cáo".into(),
        title: title_lines(
            &scoped,
            format!("Lịch sử báo cáo – {}", unit.full_name),
            None,
        ),
        columns: vec![
            column("Kỳ báo cáo", Kind::Date),
            column("Tuần", Kind::Text),
            column("Trạng thái", Kind::Text),
            column("Gửi lần đầu", Kind::DateTime),
            column("Đúng hạn", Kind::Text),
            column("Lý do trả lại", Kind::Text),
            column("Khó khăn, vướng mắc", Kind::Text),
            column("Đề xuất", Kind::Text),
        ],
        rows,
    };
    xlsx_response(&sheet, &format!("lich-su-bao-cao-{}.xlsx", unit.code))
}

/// `/review.xlsx`: the week's reports waiting for review.
pub async fn review_queue(
    scoped: Scoped,
    Query(q): Query<WeekQuery>,
) -> Result<Response, WebError> {
    let week = scoped.chosen_week(q.week.as_deref())?;
    let sheet = concerns_sheet(
        &scoped,
        "Chờ duyệt",
        format!("Báo cáo chờ duyệt – kỳ {}", format::date(week)),
        None,
        &scoped.review_queue(Some(week)).await?,
    );
    xlsx_response(&sheet, &format!("bao-cao-cho-duyet-{week}.xlsx"))
}

/// `/field/activity.xlsx`: team activity below a unit, the totals last.
pub async fn field_activity(
    scoped: Scoped,
    Query(q): Query<crate::field::FieldQuery>,
) -> Result<Response, WebError> {
    use crate::field::log_scope;
    use hocvuso_app::read::{ActivityLine, golden_text};
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Err(team_member_refused());
    };
    let table = scoped.activity_table(&scope).await?;
    let count = |n: i64| Cell::number(Some(n as f64));
    let row = |l: &ActivityLine, name: String| {
        let mut cells = vec![
            Cell::text(&l.unit.code),
            Cell::text(name),
            if l.is_village() {
                Cell::text("")
            } else {
                count(l.teams)
            },
            count(l.active),
            count(l.people_week),
            count(l.people),
            count(l.records),
            Cell::text(golden_text(l)),
        ];
        cells.extend(l.weeks.iter().map(|n| count(*n)));
        cells
    };
    let mut rows: Vec<Vec<Cell>> = table
        .lines
        .iter()
        .map(|l| row(l, l.unit.full_name.clone()))
        .collect();
    rows.push(row(
        &table.totals,
        format!("Cộng: {}", table.totals.unit.full_name),
    ));
    let mut columns = vec![
        column("Mã", Kind::Text),
        column(scope.kind.label_vi(), Kind::Text),
        column("Số tổ (thôn)", Kind::Count),
        column("Tổ hoạt động trong tuần", Kind::Count),
        column("Người được hướng dẫn trong tuần", Kind::Count),
        column("Người được hướng dẫn từ đầu đợt", Kind::Count),
        column("Bản ghi", Kind::Count),
        column("Tuần lễ vàng", Kind::Text),
    ];
    columns.extend(table.weeks.iter().map(|w| {
        column(
            &format!("Người được hướng dẫn tuần {}", format::date(*w)),
            Kind::Count,
        )
    }));
    let sheet = Sheet {
        name: "Hoạt động Tổ CNS".into(),
        title: title_lines(
            &scoped,
            format!(
                "Hoạt động Tổ Công nghệ số cộng đồng – {}",
                scope.unit.full_name
            ),
            Some(scope.week),
        ),
        columns,
        rows,
    };
    xlsx_response(
        &sheet,
        &format!("hoat-dong-to-cns-{}-{}.xlsx", scope.unit.code, scope.week),
    )
}

/// `/field/inclusion.xlsx`: people guided by age band and by ethnic-minority status, against
/// gender; cells under five read "<5" as on the page.
pub async fn field_inclusion(
    scoped: Scoped,
    Query(q): Query<crate::field::FieldQuery>,
) -> Result<Response, WebError> {
    use crate::field::log_scope;
    use hocvuso_app::read::InclusionCounts;
    use hocvuso_core::field::{SMALL_CELL, SMALL_CELL_TEXT, disclosed};
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Err(team_member_refused());
    };
    let tables = scoped.inclusion_tables(&scope).await?;
    let count = |n: i64| {
        disclosed(n).map_or(Cell::text(SMALL_CELL_TEXT), |n| {
            Cell::number(Some(n as f64))
        })
    };
    let lines = |group: &str, lines: &[InclusionCounts]| -> Vec<Vec<Cell>> {
        lines
            .iter()
            .map(|l| {
                let mut cells = vec![Cell::text(group), Cell::text(&l.label)];
                cells.extend(l.by_gender.iter().map(|n| count(*n)));
                cells.push(count(l.total));
                cells
            })
            .collect()
    };
    let mut rows = lines("Nhóm tuổi", &tables.by_age);
    rows.extend(lines("Dân tộc", &tables.by_minority));
    let mut total = vec![Cell::text("Cộng"), Cell::text("")];
    total.extend(tables.genders.iter().map(|_| Cell::text("")));
    total.push(count(tables.total));
    rows.push(total);
    let mut columns = vec![column("Theo", Kind::Text), column("Nhóm", Kind::Text)];
    columns.extend(tables.genders.iter().map(|g| column(g, Kind::Count)));
    columns.push(column("Cộng", Kind::Count));
    let mut title = title_lines(
        &scoped,
        format!(
            "Người được hướng dẫn kỹ năng số theo nhóm – {}",
            scope.unit.full_name
        ),
        Some(scope.week),
    );
    title.insert(
        1,
        format!("Chỉ có số tổng hợp; ô dưới {SMALL_CELL} người ghi “{SMALL_CELL_TEXT}”."),
    );
    let sheet = Sheet {
        name: "Không ai bị bỏ lại".into(),
        title,
        columns,
        rows,
    };
    xlsx_response(
        &sheet,
        &format!("khong-ai-bi-bo-lai-{}-{}.xlsx", scope.unit.code, scope.week),
    )
}

/// A team member's figures are its village's, on its app: the log tables are for those above.
fn team_member_refused() -> WebError {
    WebError::Forbidden(
        "Tài khoản thành viên Tổ CNS chỉ xem số liệu của thôn mình trong ứng dụng Nhật ký (/field)."
            .into(),
    )
}
