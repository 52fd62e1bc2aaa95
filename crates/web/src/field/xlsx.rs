//! Team activity and inclusion as .xlsx, from the same tables as their pages.

use super::pages::{FieldQuery, log_scope};
use crate::http::{Scoped, WebError, column, title_lines, xlsx_response};
use axum::extract::Query;
use axum::response::Response;
use hocvuso_app::read::{ActivityLine, InclusionCounts, golden_text};
use hocvuso_core::field::{SMALL_CELL, SMALL_CELL_TEXT, disclosed};
use hocvuso_core::format;
use hocvuso_docs::table_xlsx::{Cell, Kind, Sheet};

/// `/field/activity.xlsx`: team activity below a unit, the totals last.
pub async fn activity(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
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
pub async fn inclusion(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
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
