//! The heat table, the lagging units and the rankings as .xlsx, with the same query as their pages.

use super::view::{GridQuery, grid};
use crate::http::{Scoped, WebError, column, title_lines, xlsx_response};
use axum::extract::Query;
use axum::response::Response;
use hocvuso_app::read::status_of;
use hocvuso_core::format;
use hocvuso_core::outlook::Status;
use hocvuso_core::plan::TargetKind;
use hocvuso_docs::table_xlsx::{Cell, Kind, Sheet};

/// The heat table as an .xlsx file, with the same filters: values as numbers, cells coloured by
/// status, and each indicator's status spelled out in the column beside it.
pub async fn table(
    scoped: Scoped,
    Query(q): Query<GridQuery>,
) -> Result<axum::response::Response, WebError> {
    use hocvuso_docs::table_xlsx::{Cell as XCell, Column as XColumn, Kind, Sheet, Value};
    let grid = grid(&scoped, &q).await?;
    let plan = scoped.plan();
    let rows = grid.filtered(plan, &q.filter()?)?;
    let fill = |s: Option<Status>| match s {
        Some(Status::Achieved) => Some("#7CC48F"),
        Some(Status::OnTrack) => Some("#C5E8CF"),
        Some(Status::AtRisk) => Some("#F7D774"),
        Some(Status::OffTrack) => Some("#F0928A"),
        Some(Status::NoData) => Some("#D5DAE1"),
        None => None,
    };
    let mut columns = vec![
        XColumn {
            header: "Mã đơn vị".into(),
            kind: Kind::Text,
        },
        XColumn {
            header: grid.kind.label_vi().to_string(),
            kind: Kind::Text,
        },
    ];
    for &i in &grid.columns {
        let ind = &plan.indicators[i];
        columns.push(XColumn {
            header: format!("{} – {}", ind.code, ind.short_name),
            kind: if ind.kind == TargetKind::Total {
                Kind::Count
            } else {
                Kind::Percent
            },
        });
        columns.push(XColumn {
            header: format!("{} – tình trạng", ind.code),
            kind: Kind::Text,
        });
    }
    let body = rows
        .iter()
        .map(|(unit, tracked)| {
            let mut cells = vec![XCell::text(&unit.code), XCell::text(&unit.full_name)];
            for &i in &grid.columns {
                let t = &tracked[i];
                let expected = t.progress.subjects_expected > 0;
                let status = status_of(t).filter(|_| expected);
                cells.push(XCell {
                    fill: fill(status),
                    ..XCell::number(t.progress.value.filter(|_| expected))
                });
                cells.push(XCell {
                    value: match (expected, status) {
                        (false, _) => Value::Text("không phải báo cáo".into()),
                        (true, Some(s)) => Value::Text(s.label_vi().into()),
                        (true, None) => Value::Empty,
                    },
                    fill: None,
                });
            }
            cells
        })
        .collect();
    let sheet = Sheet {
        name: "Bảng theo đơn vị".into(),
        title: vec![
            format!(
                "{} × chỉ tiêu – {}",
                grid.kind.label_vi(),
                grid.parent.full_name
            ),
            format!(
                "Số liệu đến ngày {}{}",
                format::date(grid.as_of),
                if scoped.synthetic() {
                    " · SỐ LIỆU GIẢ LẬP (bản minh họa)"
                } else {
                    ""
                }
            ),
            plan.title.clone(),
        ],
        columns,
        rows: body,
    };
    xlsx_response(
        &sheet,
        &format!("bang-{}-{}.xlsx", grid.parent.code, grid.as_of),
    )
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
