//! The door-to-door log on the web: the team member's offline app (`/field`, an installable page
//! with a service worker; records queue on the phone and sync to `POST /api/v1/field/records`), the
//! secretariat's team activity (`/field/activity`) and inclusion view (`/field/inclusion`), and the
//! import of paper logs (`/field/import`).
//!
//! Citizen numbers arrive in sync bodies and paper logs only. They are checked and turned into a
//! pseudonym by `hocvuso_core::field::check_record` before anything else happens; bodies are parsed
//! here without serde's messages, which can quote the offending value.

use crate::access::Scoped;
use crate::error::{ApiError, WebError};
use crate::views::Nav;
use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Query};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_app::SyncResult;
use hocvuso_app::read::{
    ActivityLine, InclusionCounts, LogScope, Summary, UnitLine, golden_text, line, parse_as_of,
};
use hocvuso_core::access::Role;
use hocvuso_core::calendar;
use hocvuso_core::field::{AgeBand, Measure, RawRecord, suppressed};
use hocvuso_core::format;
use hocvuso_core::units::UnitKind;

/// Records one sync may carry (the app sends at most 100).
pub const MAX_SYNC_RECORDS: usize = 500;

// ---- the team member's app ---------------------------------------------------------------------

struct Tick {
    name: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "field.html")]
struct AppPage {
    synthetic: bool,
    csrf: String,
    user_id: i64,
    display_name: String,
    village_code: String,
    village_name: String,
    today_iso: String,
    first_iso: String,
    skills: Vec<(i64, String)>,
    ticks: Vec<Tick>,
    age_bands: Vec<(&'static str, &'static str)>,
}

/// The label of a flag: the short name of the indicator it pre-fills, else a plain description.
fn tick_label(plan: &hocvuso_core::plan::Plan, measure: Measure, fallback: &str) -> String {
    plan.field_indicators()
        .find(|(_, m)| *m == measure)
        .map_or(fallback.to_string(), |(i, _)| i.short_name.clone())
}

pub async fn app(scoped: Scoped) -> Result<Response, WebError> {
    if scoped.actor().role != Role::TeamMember {
        return Ok(Redirect::to("/field/activity").into_response());
    }
    let village = scoped.team_village().await?;
    let plan = scoped.plan();
    let today = calendar::local_today(plan, scoped.now());
    let nav = scoped.nav();
    let page = AppPage {
        synthetic: scoped.synthetic(),
        csrf: nav.csrf,
        user_id: scoped.actor().user_id,
        display_name: scoped.actor().display_name.clone(),
        village_code: village.code.clone(),
        village_name: village.full_name.clone(),
        today_iso: today.min(plan.campaign.targets_until).to_string(),
        first_iso: plan.campaign.start.to_string(),
        skills: plan
            .skills
            .iter()
            .map(|s| (s.code, s.name.clone()))
            .collect(),
        ticks: vec![
            Tick {
                name: "vneid",
                label: tick_label(plan, Measure::Vneid, "Xác nhận phổ cập trên VNeID"),
            },
            Tick {
                name: "app",
                label: tick_label(plan, Measure::App, "Cài đặt ứng dụng của tỉnh"),
            },
            Tick {
                name: "signature",
                label: tick_label(plan, Measure::Signature, "Đăng ký chữ ký số qua VNeID"),
            },
            Tick {
                name: "domain",
                label: "Hộ kinh doanh đăng ký tên miền “.vn”".into(),
            },
        ],
        age_bands: AgeBand::ALL
            .iter()
            .map(|b| (b.as_str(), b.label_vi()))
            .collect(),
    };
    Ok(Html(page.render()?).into_response())
}

const MANIFEST: &str = r##"{
  "name": "Nhật ký Tổ Công nghệ số cộng đồng",
  "short_name": "Tổ CNS",
  "description": "Ghi nhận người dân được hướng dẫn kỹ năng số, cả khi không có sóng",
  "lang": "vi",
  "start_url": "/field",
  "scope": "/field",
  "display": "standalone",
  "background_color": "#ffffff",
  "theme_color": "#0b4f8a",
  "icons": [
    { "src": "/static/field-icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any" }
  ]
}
"##;

pub async fn manifest() -> Response {
    (
        [(header::CONTENT_TYPE, "application/manifest+json")],
        MANIFEST,
    )
        .into_response()
}

/// The service worker, served from `/field/` so that its scope covers the app.
pub async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            // The app's page is `/field`, just outside the worker's default scope `/field/`.
            (
                header::HeaderName::from_static("service-worker-allowed"),
                "/field",
            ),
        ],
        include_str!("../static/field-sw.js"),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SyncBody {
    records: Vec<RawRecord>,
}

#[derive(serde::Serialize)]
pub struct SyncReply {
    results: Vec<SyncResult>,
    summary: Summary,
}

/// `POST /api/v1/field/records` with `{"records": [...]}`: each record answered on its own.
pub async fn sync_api(
    scoped: Scoped,
    body: axum::body::Bytes,
) -> Result<Json<SyncReply>, ApiError> {
    let parsed: SyncBody = serde_json::from_slice(&body).map_err(|e| {
        // serde's message may quote a value (a citizen number in the wrong field): only the place.
        WebError::BadRequest(format!(
            "nội dung gửi lên không đúng dạng nhật ký (dòng {}, cột {}): cần {{\"records\": [{{\"id\": \"…\", \"date\": \"…\", …}}]}}",
            e.line(),
            e.column()
        ))
    })?;
    if parsed.records.len() > MAX_SYNC_RECORDS {
        return Err(WebError::BadRequest(format!(
            "mỗi lần gửi tối đa {MAX_SYNC_RECORDS} bản ghi (đang có {})",
            parsed.records.len()
        ))
        .into());
    }
    let (village, results) = scoped.log_field_records(&parsed.records).await?;
    Ok(Json(SyncReply {
        results,
        summary: scoped.village_summary(&village).await?,
    }))
}

/// `GET /api/v1/field/summary`: the team member's village figures.
pub async fn summary_api(scoped: Scoped) -> Result<Json<Summary>, ApiError> {
    let village = scoped.team_village().await?;
    Ok(Json(scoped.village_summary(&village).await?))
}

// ---- team activity -----------------------------------------------------------------------------

#[derive(serde::Deserialize, Default)]
pub struct FieldQuery {
    pub unit: Option<String>,
    pub as_of: Option<String>,
}

struct ActivityRow {
    unit: UnitLine,
    /// Villages below (for a village: empty).
    teams: String,
    active: String,
    people_week: String,
    people_total: String,
    records_total: String,
    golden: String,
    /// People guided in each of the weeks shown.
    weeks: Vec<String>,
}

#[derive(Template)]
#[template(path = "field-activity.html")]
struct ActivityPage {
    /// Where the scope form's "Tải Excel" sends the same query.
    xlsx: &'static str,
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: LogScope,
    row_kind: &'static str,
    villages: bool,
    week_heads: Vec<String>,
    rows: Vec<ActivityRow>,
    totals: ActivityRow,
    golden_rule: String,
}

/// The log page's scope the query asks for, or None for a team member (whose page is the app).
pub(crate) async fn log_scope(
    scoped: &Scoped,
    q: &FieldQuery,
) -> Result<Option<LogScope>, WebError> {
    let as_of = parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    Ok(scoped.log_scope(q.unit.as_deref(), as_of).await?)
}

pub async fn activity(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Ok(Redirect::to("/field").into_response());
    };
    let table = scoped.activity_table(&scope).await?;
    let plan = scoped.plan();
    let count = |n: i64| format::number(n as f64, 0);
    let row = |l: &ActivityLine| ActivityRow {
        unit: line(&l.unit),
        teams: if l.is_village() {
            String::new()
        } else {
            count(l.teams)
        },
        active: if l.is_village() {
            if l.active > 0 { "có" } else { "không" }.into()
        } else {
            count(l.active)
        },
        people_week: count(l.people_week),
        people_total: count(l.people),
        records_total: count(l.records),
        golden: golden_text(l),
        weeks: l.weeks.iter().map(|n| count(*n)).collect(),
    };
    let page = ActivityPage {
        title: format!("Hoạt động Tổ CNS cộng đồng – {}", scope.unit.full_name),
        xlsx: "/field/activity.xlsx",
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        row_kind: scope.kind.label_vi(),
        villages: scope.kind == UnitKind::Village,
        week_heads: table
            .weeks
            .iter()
            .map(|w| format::date(*w)[..5].to_string())
            .collect(),
        rows: table.lines.iter().map(row).collect(),
        totals: row(&table.totals),
        golden_rule: match plan.golden_week_people {
            Some(n) => format!(
                "Một tổ được tính là đã thực hiện Tuần lễ vàng từ tuần báo cáo đầu tiên trong đó tổ ghi nhận ít nhất {n} người được hướng dẫn đủ {} kỹ năng số cơ bản (theo kế hoạch).",
                plan.skills.len()
            ),
            None => {
                "Kế hoạch chưa quy định cách tính Tuần lễ vàng ([field_log] golden_week_people)."
                    .into()
            }
        },
        scope,
    };
    Ok(Html(page.render()?).into_response())
}

// ---- inclusion ---------------------------------------------------------------------------------

struct InclusionLine {
    label: String,
    cells: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "field-inclusion.html")]
struct InclusionPage {
    /// Where the scope form's "Tải Excel" sends the same query.
    xlsx: &'static str,
    title: String,
    synthetic: bool,
    nav: Nav,
    scope: LogScope,
    heads: Vec<String>,
    lines: Vec<InclusionLine>,
    total: String,
    minority_lines: Vec<InclusionLine>,
}

pub async fn inclusion(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Ok(Redirect::to("/field").into_response());
    };
    let tables = scoped.inclusion_tables(&scope).await?;
    let shown = |lines: &[InclusionCounts]| {
        lines
            .iter()
            .map(|l| InclusionLine {
                label: l.label.clone(),
                cells: l.by_gender.iter().map(|n| suppressed(*n)).collect(),
                total: suppressed(l.total),
            })
            .collect()
    };
    let page = InclusionPage {
        title: format!("Không ai bị bỏ lại phía sau – {}", scope.unit.full_name),
        xlsx: "/field/inclusion.xlsx",
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        heads: tables.genders.clone(),
        lines: shown(&tables.by_age),
        minority_lines: shown(&tables.by_minority),
        total: suppressed(tables.total),
        scope,
    };
    Ok(Html(page.render()?).into_response())
}

// ---- paper logs --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "field-import.html")]
struct ImportPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    messages: Vec<String>,
    done: String,
}

fn import_page(
    scoped: &Scoped,
    messages: Vec<String>,
    done: String,
) -> Result<Html<String>, WebError> {
    Ok(Html(
        ImportPage {
            title: "Nhập nhật ký giấy của Tổ CNS cộng đồng".into(),
            synthetic: scoped.synthetic(),
            nav: scoped.nav(),
            messages,
            done,
        }
        .render()?,
    ))
}

pub async fn import_form(scoped: Scoped) -> Result<Html<String>, WebError> {
    import_page(&scoped, Vec::new(), String::new())
}

pub async fn import_upload(scoped: Scoped, mut multipart: Multipart) -> Result<Response, WebError> {
    let refused = |problems: Vec<String>| {
        Ok::<_, WebError>(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                import_page(&scoped, problems, String::new())?,
            )
                .into_response(),
        )
    };
    let Some((name, bytes)) = crate::reports::uploaded_file(&mut multipart).await? else {
        return refused(vec!["Chưa chọn tệp để gửi.".into()]);
    };
    let rows = match hocvuso_docs::field_log::parse(&bytes) {
        Ok(rows) => rows,
        Err(problems) => {
            let mut all = vec![format!("Tệp «{name}» bị từ chối, không có gì được ghi:")];
            all.extend(problems.iter().map(|p| p.to_string()));
            return refused(all);
        }
    };
    match scoped
        .import_field_log(&rows, &name)
        .await
        .map_err(WebError::from)
    {
        Ok((stored, again)) => Ok(import_page(
            &scoped,
            Vec::new(),
            format!(
                "Đã nhập tệp «{name}»: {} bản ghi mới{}.",
                format::number(stored as f64, 0),
                if again > 0 {
                    format!(
                        ", {} bản ghi đã có từ trước (không tính lại)",
                        format::number(again as f64, 0)
                    )
                } else {
                    String::new()
                }
            ),
        )?
        .into_response()),
        Err(WebError::Invalid(problems)) => {
            let mut all = vec![format!("Tệp «{name}» bị từ chối, không có gì được ghi:")];
            all.extend(problems);
            refused(all)
        }
        Err(e) => Err(e),
    }
}
