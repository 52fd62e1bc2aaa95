//! The follow-up tables as .xlsx: the review queue, the completeness matrix, the difficulties and
//! proposals, with the same query as their pages.

use super::monitoring::{WeekQuery, matrix};
use crate::http::{Scoped, WebError, column, title_lines, xlsx_response};
use axum::extract::Query;
use axum::response::Response;
use chrono::NaiveDate;
use hocvuso_app::read::Matrix;
use hocvuso_core::format;
use hocvuso_core::report::rates;
use hocvuso_docs::table_xlsx::Column;
use hocvuso_docs::table_xlsx::{Cell, Kind, Sheet};

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
