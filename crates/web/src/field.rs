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
use crate::pages::{UnitLine, line};
use crate::views::{Moment, Nav, moment, parse_as_of};
use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Query};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use hocvuso_app::SyncResult;
use hocvuso_app::records::Activity;
use hocvuso_app::records::{UnitFilter, UnitRecord};
use hocvuso_core::access::Role;
use hocvuso_core::calendar;
use hocvuso_core::field::{
    AgeBand, GOLDEN, Measure, PEOPLE, RECORDS, RawRecord, gender_label, suppressed,
};
use hocvuso_core::format;
use hocvuso_core::units::UnitKind;
use std::collections::HashMap;

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

/// What the app shows as synced: the village's figures from the server.
#[derive(serde::Serialize)]
pub struct Summary {
    village: String,
    week: NaiveDate,
    records_this_week: i64,
    people_this_week: i64,
    records_total: i64,
    people_total: i64,
    golden_week: bool,
}

async fn summary_of(scoped: &Scoped, village: &UnitRecord) -> Result<Summary, WebError> {
    let plan = scoped.plan();
    let today = calendar::local_today(plan, scoped.now());
    let week = calendar::reporting_day_for(plan, today);
    let previous = week - chrono::Days::new(7);
    let total = scoped.field_totals(village, week).await?;
    let before = scoped.field_totals(village, previous).await?;
    let get = |m: &HashMap<String, i64>, item: &str| m.get(item).copied().unwrap_or(0);
    Ok(Summary {
        village: village.full_name.clone(),
        week,
        records_this_week: get(&total, RECORDS) - get(&before, RECORDS),
        people_this_week: get(&total, PEOPLE) - get(&before, PEOPLE),
        records_total: get(&total, RECORDS),
        people_total: get(&total, PEOPLE),
        golden_week: get(&total, GOLDEN) > 0,
    })
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
        summary: summary_of(&scoped, &village).await?,
    }))
}

/// `GET /api/v1/field/summary`: the team member's village figures.
pub async fn summary_api(scoped: Scoped) -> Result<Json<Summary>, ApiError> {
    let village = scoped.team_village().await?;
    Ok(Json(summary_of(&scoped, &village).await?))
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

/// What the log pages show above their tables: the unit, the kind of its rows, the date and week.
pub(crate) struct LogScope {
    pub unit: UnitRecord,
    pub kind: UnitKind,
    parent: UnitLine,
    moment: Moment,
    week_text: String,
    as_of_iso: String,
    /// The reporting day of the week the date falls in: figures are summed up to it.
    pub week: NaiveDate,
}

/// The log page's scope, or None for a team member (whose page is the app).
pub(crate) async fn log_scope(
    scoped: &Scoped,
    q: &FieldQuery,
) -> Result<Option<LogScope>, WebError> {
    if scoped.actor().role == Role::TeamMember {
        return Ok(None);
    }
    let unit = match q.unit.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => scoped.unit(code).await?,
        None => scoped.home().await?,
    };
    let kind = match unit.kind() {
        Some(UnitKind::Country) => UnitKind::Province,
        Some(UnitKind::Province) => UnitKind::Commune,
        Some(UnitKind::Commune) => UnitKind::Village,
        _ => {
            return Err(WebError::BadRequest(format!(
                "{} không có thôn, buôn, tổ dân phố bên dưới; chọn một xã, phường, tỉnh hoặc cả nước",
                unit.full_name
            )));
        }
    };
    let plan = scoped.plan();
    let as_of = parse_as_of(q.as_of.as_deref(), scoped.default_as_of())?;
    let moment = moment(plan, as_of);
    Ok(Some(LogScope {
        parent: line(&unit),
        unit,
        kind,
        week_text: moment.week_text(),
        moment,
        as_of_iso: as_of.to_string(),
        week: calendar::reporting_day_for(plan, as_of),
    }))
}

/// One row of team activity, as numbers.
pub(crate) struct ActivityLine {
    pub unit: UnitRecord,
    /// Villages below (for a village: 0).
    pub teams: i64,
    /// Teams with a record in the week of the date (for a village: 0 or 1).
    pub active: i64,
    pub people_week: i64,
    pub people: i64,
    pub records: i64,
    /// Teams that have done the Golden Week (for a village: 0 or 1).
    pub golden: i64,
    /// For a village: the week it did.
    pub golden_week: Option<NaiveDate>,
    /// People guided in each of the weeks of [`ActivityTable::weeks`].
    pub weeks: Vec<i64>,
}

impl ActivityLine {
    pub fn is_village(&self) -> bool {
        self.unit.kind() == Some(UnitKind::Village)
    }
}

/// The team-activity table below a unit: a line per unit of the next level down, and the totals.
pub(crate) struct ActivityTable {
    /// The last six reporting days, oldest first, ending with the week of the date.
    pub weeks: Vec<NaiveDate>,
    pub lines: Vec<ActivityLine>,
    pub totals: ActivityLine,
}

pub(crate) async fn activity_table(
    scoped: &Scoped,
    scope: &LogScope,
) -> Result<ActivityTable, WebError> {
    let (parent, kind, week) = (&scope.unit, scope.kind, scope.week);
    let plan = scoped.plan();
    let (children, _) = scoped
        .list_units(UnitFilter {
            parent: Some(parent.code.clone()),
            kind: Some(kind),
            limit: 100_000,
            ..UnitFilter::default()
        })
        .await?;
    let weeks: Vec<NaiveDate> = (0..6u64)
        .rev()
        .map(|i| week - chrono::Days::new(7 * i))
        .filter(|w| *w >= calendar::reporting_day_for(plan, plan.campaign.start))
        .collect();
    let mut units = children.clone();
    units.push(parent.clone());
    let activity = scoped.field_activity(&units, &weeks, week).await?;
    let teams_below = scoped
        .count_below_children(parent, UnitKind::Village)
        .await?;
    let none = Activity::default();
    let line = |u: &UnitRecord, teams: i64| {
        let a = activity.get(&u.code).unwrap_or(&none);
        let in_week = |w: NaiveDate| a.weeks.iter().find(|(x, _, _)| *x == w);
        let (people_week, active) = in_week(week).map_or((0, 0), |(_, p, t)| (*p, *t));
        let is_village = u.kind() == Some(UnitKind::Village);
        ActivityLine {
            unit: u.clone(),
            teams: if is_village { 0 } else { teams },
            active: if is_village { active.min(1) } else { active },
            people_week,
            people: a.people,
            records: a.records,
            golden: if is_village {
                i64::from(a.golden_week.is_some())
            } else {
                a.golden
            },
            golden_week: a.golden_week,
            weeks: weeks
                .iter()
                .map(|w| in_week(*w).map_or(0, |(_, p, _)| *p))
                .collect(),
        }
    };
    let mut lines = Vec::with_capacity(children.len());
    let mut all_teams = 0;
    for u in &children {
        let teams = teams_below.get(&u.code).copied().unwrap_or(0);
        all_teams += teams;
        lines.push(line(u, teams));
    }
    Ok(ActivityTable {
        totals: line(parent, all_teams),
        weeks,
        lines,
    })
}

/// "đã thực hiện (tuần dd/mm/yyyy)" / "chưa" for a village; "done / teams" above.
pub(crate) fn golden_text(l: &ActivityLine) -> String {
    if l.is_village() {
        match l.golden_week {
            Some(w) => format!("đã thực hiện (tuần {})", format::date(w)),
            None => "chưa".into(),
        }
    } else {
        format!(
            "{} / {}",
            format::number(l.golden as f64, 0),
            format::number(l.teams as f64, 0)
        )
    }
}

pub async fn activity(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Ok(Redirect::to("/field").into_response());
    };
    let table = activity_table(&scoped, &scope).await?;
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

/// A line of an inclusion table: its label, people by gender (male, female, unknown) and in all.
pub(crate) struct InclusionCounts {
    pub label: String,
    pub by_gender: Vec<i64>,
    pub total: i64,
}

/// The inclusion tables of a unit up to the week of the date: by age band and by ethnic-minority
/// status, each against gender, and everyone. Callers hide cells under five ([`suppressed`]).
pub(crate) struct Inclusion {
    pub genders: Vec<String>,
    pub by_age: Vec<InclusionCounts>,
    pub by_minority: Vec<InclusionCounts>,
    pub total: i64,
}

pub(crate) async fn inclusion_tables(
    scoped: &Scoped,
    scope: &LogScope,
) -> Result<Inclusion, WebError> {
    let cells = scoped.field_inclusion(&scope.unit, scope.week).await?;
    use hocvuso_core::cccd::Gender;
    let genders = [Some(Gender::Male), Some(Gender::Female), None];
    let count = |band: Option<Option<AgeBand>>,
                 gender: Option<Option<Gender>>,
                 minority: Option<Option<bool>>|
     -> i64 {
        cells
            .iter()
            .filter(|c| band.is_none_or(|b| c.group.age_band == b))
            .filter(|c| gender.is_none_or(|g| c.group.gender == g))
            .filter(|c| minority.is_none_or(|x| c.group.minority == x))
            .map(|c| c.people)
            .sum()
    };
    let by_age = AgeBand::ALL
        .iter()
        .map(|b| (b.label_vi().to_string(), Some(*b)))
        .chain([("Không rõ tuổi".to_string(), None)])
        .map(|(label, band)| InclusionCounts {
            label,
            by_gender: genders
                .iter()
                .map(|g| count(Some(band), Some(*g), None))
                .collect(),
            total: count(Some(band), None, None),
        })
        .collect();
    let by_minority = [
        ("Người dân tộc thiểu số", Some(true)),
        ("Người dân tộc Kinh và khác", Some(false)),
        ("Không rõ", None),
    ]
    .into_iter()
    .map(|(label, x)| InclusionCounts {
        label: label.to_string(),
        by_gender: genders
            .iter()
            .map(|g| count(None, Some(*g), Some(x)))
            .collect(),
        total: count(None, None, Some(x)),
    })
    .collect();
    Ok(Inclusion {
        genders: genders
            .iter()
            .map(|g| g.map_or("Không rõ".to_string(), |g| gender_label(g).to_string()))
            .collect(),
        by_age,
        by_minority,
        total: count(None, None, None),
    })
}

pub async fn inclusion(scoped: Scoped, Query(q): Query<FieldQuery>) -> Result<Response, WebError> {
    let Some(scope) = log_scope(&scoped, &q).await? else {
        return Ok(Redirect::to("/field").into_response());
    };
    let tables = inclusion_tables(&scoped, &scope).await?;
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
