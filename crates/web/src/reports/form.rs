//! The report form of a unit and week: pre-filled with the last figures and the teams' log, saved as
//! a draft or submitted; the secretariat reviews it on the same page.

use crate::http::{Nav, Scoped, WebError, form_fields};
use askama::Template;
use axum::extract::{Path, RawForm};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use hocvuso_app::read::parse_week;
use hocvuso_app::records::{ReportEvent, ReportRecord, UnitRecord};
use hocvuso_core::format;
use hocvuso_core::format::weekday_vi;
use hocvuso_core::input::parse_count;
use hocvuso_core::plan::TargetKind;
use hocvuso_core::report::{Action, Figure, Status};
use std::collections::BTreeMap;

struct FieldRow {
    code: String,
    name: String,
    yes_no: bool,
    has_denominator: bool,
    numerator: String,
    denominator: String,
    comment: String,
    last: String,
    /// The previous figure's numerator, for the live "change" column (empty when none).
    previous: String,
    /// What changed since the previous figure ("+1.234", "−5", "không đổi"), empty without one.
    change: String,
    /// The figure of the community teams' log for this indicator, when the plan says it measures it
    /// ("1.234"), shown beside the reported one.
    log: String,
}

struct EventLine {
    at: String,
    actor: String,
    change: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    title: String,
    synthetic: bool,
    nav: Nav,
    unit_code: String,
    unit_name: String,
    week_iso: String,
    week_text: String,
    due_text: String,
    lock_text: String,
    status_text: String,
    review_note: String,
    can_edit: bool,
    can_review: bool,
    rows: Vec<FieldRow>,
    difficulties: String,
    proposals: String,
    errors: Vec<String>,
    history: Vec<EventLine>,
    /// What the unit reports on behalf of other units ("2.5, 2.8b cho từng xã, phường"), if anything.
    on_behalf_text: String,
}

/// A change of a cumulative figure as the form shows it; app.js writes the same text as the user types.
fn change_text(delta: f64) -> String {
    if delta == 0.0 {
        "không đổi".into()
    } else if delta > 0.0 {
        format!("+{}", format::number(delta, 0))
    } else {
        format!("−{}", format::number(-delta, 0))
    }
}

fn status_text(report: Option<&ReportRecord>, offset: i32) -> String {
    match report {
        None => "chưa có báo cáo".into(),
        Some(r) => {
            let when = r
                .first_submitted_at
                .as_deref()
                .map(|t| format!(", gửi lần đầu lúc {}", format::local_time(t, offset)));
            format!("{}{}", r.status.label_vi(), when.unwrap_or_default())
        }
    }
}

pub(super) async fn render(
    scoped: &Scoped,
    unit: &UnitRecord,
    week: NaiveDate,
    entered: Option<&BTreeMap<String, String>>,
    errors: Vec<String>,
) -> Result<Html<String>, WebError> {
    let plan = scoped.plan();
    let offset = plan.reporting.utc_offset_minutes;
    let stored = scoped.report(unit, week).await?;
    let report = stored.as_ref().map(|(r, _)| r);
    let last = scoped.latest_values(unit, week).await?;
    let writable = scoped.writable_indicators(unit);
    let log = scoped.field_log_figures(unit, week).await?;
    let rows = writable
        .iter()
        .map(|ind| {
            let previous = last.get(&ind.code);
            let own = report.and_then(|r| {
                r.values
                    .iter()
                    .find(|v| v.indicator == ind.code && v.subject == unit.code)
            });
            let typed = |suffix: &str| {
                entered
                    .and_then(|e| e.get(&format!("v.{}.{suffix}", ind.code)))
                    .cloned()
            };
            let logged = log.get(&ind.code).copied();
            // A figure not yet reported starts from the teams' log when it is ahead of last week's
            // (the log counts part of what the unit reports, so it never pulls a figure down); its
            // comment then says where it comes from, which also explains a jump above the recent pace.
            let from_log = logged.filter(|n| {
                typed("n").is_none() && own.is_none() && *n > previous.map_or(0.0, |p| p.1)
            });
            let numerator = typed("n").unwrap_or_else(|| {
                own.map(|v| v.numerator)
                    .or(from_log)
                    .or(previous.map(|p| p.1))
                    .map_or(String::new(), |n| format::number(n, 0))
            });
            let change = match (previous, hocvuso_core::input::parse_count(&numerator)) {
                (Some(p), Ok(now)) => change_text(now - p.1),
                _ => String::new(),
            };
            FieldRow {
                code: ind.code.clone(),
                name: ind.name.clone(),
                yes_no: ind.kind == TargetKind::ShareOfUnits
                    && ind.counted_unit.map(|k| k.as_str()) == Some(unit.kind.as_str()),
                has_denominator: ind.kind == TargetKind::Ratio,
                numerator,
                denominator: typed("d").unwrap_or_else(|| {
                    own.and_then(|v| v.denominator)
                        .map_or(String::new(), |d| format::number(d, 0))
                }),
                comment: typed("c").unwrap_or_else(|| {
                    own.and_then(|v| v.comment.clone())
                        .or(from_log.map(|n| {
                            format!("Theo nhật ký Tổ CNS cộng đồng: {}", format::number(n, 0))
                        }))
                        .unwrap_or_default()
                }),
                last: previous.map_or("chưa có".into(), |p| {
                    let d =
                        p.2.map_or(String::new(), |d| format!(" / {}", format::number(d, 0)));
                    let week = p.0.parse().map_or(p.0.clone(), format::date);
                    format!("{}{d} (kỳ {week})", format::number(p.1, 0))
                }),
                previous: previous.map_or(String::new(), |p| format!("{}", p.1)),
                change,
                log: logged.map_or(String::new(), |n| format::number(n, 0)),
            }
        })
        .collect();
    let w = hocvuso_core::calendar::week_on(plan, week);
    let locked = w
        .as_ref()
        .is_some_and(|w| hocvuso_core::calendar::is_locked(w, scoped.now()));
    let staff = scoped.actor().can_manage_campaign();
    let status = report.map(|r| r.status);
    let can_edit = !writable.is_empty()
        && (staff
            || (status != Some(Status::Approved) && (status == Some(Status::Returned) || !locked)));
    let page = ReportPage {
        title: format!("Báo cáo tuần – {}", unit.full_name),
        synthetic: scoped.synthetic(),
        nav: scoped.nav(),
        unit_code: unit.code.clone(),
        unit_name: unit.full_name.clone(),
        week_iso: week.to_string(),
        week_text: match &w {
            Some(w) => format!(
                "Tuần {} – kỳ báo cáo {} {}",
                w.number,
                weekday_vi(plan.reporting.weekday),
                format::date(week)
            ),
            None => format::date(week),
        },
        due_text: w.as_ref().map_or(String::new(), |w| {
            format!("Hạn nộp {}", w.due.format("%H:%M %d/%m/%Y"))
        }),
        lock_text: w.as_ref().map_or(String::new(), |w| {
            format!(
                "khóa sổ {}{}",
                w.lock.format("%H:%M %d/%m/%Y"),
                if locked { " (đã khóa)" } else { "" }
            )
        }),
        status_text: status_text(report, offset),
        review_note: report
            .filter(|r| r.status == Status::Returned)
            .and_then(|r| r.review_note.clone())
            .unwrap_or_default(),
        can_edit,
        can_review: staff && matches!(status, Some(Status::Submitted | Status::Approved)),
        rows,
        difficulties: entered
            .and_then(|e| e.get("difficulties"))
            .cloned()
            .or(report.map(|r| r.difficulties.clone()))
            .unwrap_or_default(),
        proposals: entered
            .and_then(|e| e.get("proposals"))
            .cloned()
            .or(report.map(|r| r.proposals.clone()))
            .unwrap_or_default(),
        errors,
        history: stored.as_ref().map_or(Vec::new(), |(_, events)| {
            events.iter().map(|e| event_line(e, offset)).collect()
        }),
        on_behalf_text: on_behalf_text(scoped, unit),
    };
    Ok(Html(page.render()?))
}

fn on_behalf_text(scoped: &Scoped, unit: &UnitRecord) -> String {
    let Some(kind) = unit.kind() else {
        return String::new();
    };
    let target = hocvuso_core::access::Target {
        code: &unit.code,
        kind,
        path: &unit.path,
    };
    let items = scoped.actor().on_behalf_indicators(scoped.plan(), target);
    match items.first() {
        None => String::new(),
        Some((_, k)) => format!(
            "{} cho từng {}",
            items
                .iter()
                .map(|(i, _)| format!("{} ({})", i.code, i.short_name))
                .collect::<Vec<_>>()
                .join(", "),
            k.label_vi()
        ),
    }
}

fn event_line(e: &ReportEvent, offset: i32) -> EventLine {
    let label = |s: &str| Status::parse(s).map_or(s.to_string(), |s| s.label_vi().to_string());
    EventLine {
        at: format::local_time(&e.at, offset),
        actor: e.actor.clone(),
        change: match &e.from_status {
            Some(from) => format!("{} → {}", label(from), label(&e.to_status)),
            None => label(&e.to_status),
        },
        reason: e.reason.clone().unwrap_or_default(),
    }
}

pub async fn form(
    scoped: Scoped,
    Path((unit, week)): Path<(String, String)>,
) -> Result<Html<String>, WebError> {
    let unit = scoped.unit(&unit).await?;
    let week = parse_week(&week)?;
    if scoped.writable_indicators(&unit).is_empty() && !scoped.actor().can_manage_campaign() {
        return Err(WebError::Forbidden(format!(
            "Tài khoản của bạn không được gửi báo cáo của {}.",
            unit.full_name
        )));
    }
    render(&scoped, &unit, week, None, Vec::new()).await
}

/// Figures and comments typed in a form, by indicator code.
type Entered = (BTreeMap<String, Figure>, BTreeMap<String, String>);

/// Reads `v.CODE.n` / `v.CODE.d` / `v.CODE.c` fields; empty figures are not reported.
fn figures_from_form(fields: &BTreeMap<String, String>) -> Result<Entered, Vec<String>> {
    let mut figures = BTreeMap::new();
    let mut comments = BTreeMap::new();
    let mut problems = Vec::new();
    for (name, value) in fields {
        if let Some(code) = name
            .strip_prefix("v.")
            .and_then(|rest| rest.strip_suffix(".c"))
            && !value.trim().is_empty()
        {
            comments.insert(code.to_string(), value.trim().to_string());
        }
        let Some(code) = name
            .strip_prefix("v.")
            .and_then(|rest| rest.strip_suffix(".n"))
        else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        let numerator =
            parse_count(value).map_err(|m| problems.push(format!("chỉ tiêu {code}: {m}")));
        let denominator = match fields
            .get(&format!("v.{code}.d"))
            .map(|d| d.trim())
            .filter(|d| !d.is_empty())
        {
            None => Ok(None),
            Some(d) => parse_count(d)
                .map(Some)
                .map_err(|m| problems.push(format!("chỉ tiêu {code}, mẫu số: {m}"))),
        };
        if let (Ok(numerator), Ok(denominator)) = (numerator, denominator) {
            figures.insert(
                code.to_string(),
                Figure {
                    numerator,
                    denominator,
                },
            );
        }
    }
    if problems.is_empty() {
        Ok((figures, comments))
    } else {
        Err(problems)
    }
}

pub async fn submit(
    scoped: Scoped,
    Path((unit_code, week)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let week = parse_week(&week)?;
    let fields = form_fields(&body)?;
    let text = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let action = if text("action") == "draft" {
        Action::SaveDraft
    } else {
        Action::Submit
    };
    let result = match figures_from_form(&fields) {
        Ok((figures, comments)) => scoped
            .save_report(
                &unit_code,
                week,
                &figures,
                &comments,
                &text("difficulties"),
                &text("proposals"),
                action,
            )
            .await
            .map_err(WebError::from),
        Err(problems) => Err(WebError::Invalid(problems)),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{unit_code}/{week}")).into_response()),
        Err(WebError::Invalid(problems)) => {
            let unit = scoped.unit(&unit_code).await?;
            let page = render(&scoped, &unit, week, Some(&fields), problems).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(WebError::Conflict(message)) => {
            let unit = scoped.unit(&unit_code).await?;
            let page = render(&scoped, &unit, week, Some(&fields), vec![message]).await?;
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The secretariat approves (`decision=approve`) or returns (`decision=return`, `reason`) a report.
pub async fn review(
    scoped: Scoped,
    Path((unit_code, week)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Result<Response, WebError> {
    let week = parse_week(&week)?;
    let fields = form_fields(&body)?;
    let action = match fields.get("decision").map(String::as_str) {
        Some("approve") => Action::Approve,
        Some("return") => Action::Return {
            reason: fields.get("reason").cloned().unwrap_or_default(),
        },
        _ => {
            return Err(WebError::BadRequest(
                "thiếu quyết định (duyệt hoặc trả lại)".into(),
            ));
        }
    };
    match scoped
        .review(&unit_code, week, action)
        .await
        .map_err(WebError::from)
    {
        Ok(_) => {
            let back = fields
                .get("back")
                .filter(|b| b.starts_with('/') && !b.starts_with("//"))
                .cloned();
            Ok(
                Redirect::to(&back.unwrap_or_else(|| format!("/reports/{unit_code}/{week}")))
                    .into_response(),
            )
        }
        Err(WebError::Conflict(message)) => {
            let unit = scoped.unit(&unit_code).await?;
            Ok((
                axum::http::StatusCode::CONFLICT,
                render(&scoped, &unit, week, None, vec![message]).await?,
            )
                .into_response())
        }
        Err(other) => Err(other),
    }
}
