//! The append-only audit log: the page, and the same query as .csv and .xlsx.

use crate::http::{Nav, Scoped, WebError, column, local_time, xlsx_response};
use askama::Template;
use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use hocvuso_app::records::{AuditFilter, AuditRecord};
use hocvuso_docs::table_xlsx::{Cell, Kind, Sheet};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    unit: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl AuditQuery {
    pub(crate) fn filter(&self, limit: i64) -> Result<AuditFilter, WebError> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let date = |s: &Option<String>, field: &str| -> Result<Option<String>, WebError> {
            match clean(s) {
                None => Ok(None),
                Some(d) => hocvuso_core::plan::parse_date_text(&d)
                    .map(|d| Some(d.to_string()))
                    .ok_or_else(|| {
                        WebError::BadRequest(format!(
                            "{field}: ngày «{d}» không hợp lệ; viết 05/09/2025"
                        ))
                    }),
            }
        };
        Ok(AuditFilter {
            unit: clean(&self.unit),
            actor: clean(&self.actor),
            action: clean(&self.action),
            entity: None,
            from: date(&self.from, "từ ngày")?,
            to: date(&self.to, "đến ngày")?,
            limit,
            offset: 0,
        })
    }

    fn as_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("unit", &self.unit),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    unit: String,
    actor: String,
    action: String,
    from: String,
    to: String,
    export_query: String,
    entries: Vec<AuditRecord>,
    total: i64,
}

const AUDIT_PAGE_ROWS: i64 = 200;
pub(crate) const AUDIT_EXPORT_ROWS: i64 = 100_000;

pub async fn audit(scoped: Scoped, Query(q): Query<AuditQuery>) -> Result<Html<String>, WebError> {
    let (entries, total) = scoped.audit_entries(&q.filter(AUDIT_PAGE_ROWS)?).await?;
    let page = AuditPage {
        title: "Nhật ký thao tác".into(),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        unit: q.unit.clone().unwrap_or_default(),
        actor: q.actor.clone().unwrap_or_default(),
        action: q.action.clone().unwrap_or_default(),
        from: q.from.clone().unwrap_or_default(),
        to: q.to.clone().unwrap_or_default(),
        export_query: q.as_query(),
        entries,
        total,
    };
    Ok(Html(page.render()?))
}

/// The filtered audit log as CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly).
pub async fn audit_csv(scoped: Scoped, Query(q): Query<AuditQuery>) -> Result<Response, WebError> {
    let (entries, _) = scoped.audit_entries(&q.filter(AUDIT_EXPORT_ROWS)?).await?;
    let header = [
        "Số",
        "Thời điểm (UTC)",
        "Người thực hiện",
        "Địa chỉ IP",
        "Thao tác",
        "Đối tượng",
        "Khóa",
        "Đơn vị",
        "Trước",
        "Sau",
    ];
    let rows = entries.iter().map(|e| {
        [
            e.id.to_string(),
            e.at.clone(),
            e.actor.clone(),
            e.ip.clone().unwrap_or_default(),
            e.action.clone(),
            e.entity.clone(),
            e.entity_key.clone(),
            e.unit_code.clone().unwrap_or_default(),
            e.before.clone().unwrap_or_default(),
            e.after.clone().unwrap_or_default(),
        ]
    });
    let out = hocvuso_docs::csv_out::to_string(&header, rows, b',');
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"nhat-ky-thao-tac.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// `/audit.xlsx`: the audit log with the page's filters.
pub async fn audit_xlsx(scoped: Scoped, Query(q): Query<AuditQuery>) -> Result<Response, WebError> {
    let (entries, _) = scoped.audit_entries(&q.filter(AUDIT_EXPORT_ROWS)?).await?;
    let plan = scoped.plan();
    let rows = entries
        .iter()
        .map(|e| {
            let text = |s: &Option<String>| Cell::text(s.clone().unwrap_or_default());
            vec![
                Cell::number(Some(e.id as f64)),
                Cell::of(local_time(plan, &e.at)),
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
