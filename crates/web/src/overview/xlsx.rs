//! The unit list and a unit's values and reports week by week as .xlsx, from the same data and query
//! as their pages.

use super::pages::{AsOfQuery, UnitsQuery, unit_list};
use crate::http::{Scoped, WebError, column, local_time, title_lines, xlsx_response};
use axum::extract::{Path, Query};
use axum::response::Response;
use chrono::NaiveDate;
use hocvuso_core::format;
use hocvuso_docs::table_xlsx::{Cell, Kind, Sheet, Value};

/// `/units/{code}/values.xlsx`: the unit's value of each indicator on every reporting day up to
/// the date (the unit page's weekly course), with the target and the status on the date.
pub async fn unit_values(
    scoped: Scoped,
    Path(code): Path<String>,
    Query(q): Query<AsOfQuery>,
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
pub async fn units(scoped: Scoped, Query(q): Query<UnitsQuery>) -> Result<Response, WebError> {
    let (parent, units, total) = unit_list(&scoped, &q).await?;
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
pub async fn unit_history(scoped: Scoped, Path(code): Path<String>) -> Result<Response, WebError> {
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
                        .map_or(Value::Empty, |at| local_time(plan, at)),
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
