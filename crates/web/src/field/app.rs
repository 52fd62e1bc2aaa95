//! The team member's app: its page, manifest and service worker.

use crate::http::{Scoped, WebError};
use askama::Template;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use hocvuso_core::access::Role;
use hocvuso_core::calendar;
use hocvuso_core::field::AgeBand;
use hocvuso_core::field::Measure;

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
        include_str!("../../static/field-sw.js"),
    )
        .into_response()
}
