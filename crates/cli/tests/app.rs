//! The whole application over HTTP, on SQLite and on PostgreSQL (when configured): the demo data, the
//! API and the pages, which must show the same numbers.

#[path = "../../docs/tests/support/xlsx.rs"]
mod xlsx;

use chrono::NaiveDate;
use hocvuso::demo;
use hocvuso_store::Store;
use hocvuso_store::testing::{Engine, TestDatabase};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A running server on a free port over a fresh demo database (with the demo accounts).
struct TestApp {
    addr: std::net::SocketAddr,
    store: Store,
    /// The database lives as long as any clone of this: a test body that uses only some fields of
    /// the app (closures capture fields, not the whole value) must not drop it early.
    db: std::sync::Arc<TestDatabase>,
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn location(&self) -> Option<String> {
        self.headers.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("location:")
                .then(|| l[9..].trim().to_string())
        })
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A browser-like client: a cookie jar, the page's CSRF token, or an API token.
struct Client<'a> {
    app: &'a TestApp,
    cookies: std::collections::BTreeMap<String, String>,
    csrf: Option<String>,
    bearer: Option<String>,
    /// Extra request headers, "Name: value".
    headers: Vec<String>,
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

impl TestApp {
    async fn spawn(engine: Engine) -> Option<TestApp> {
        // Server-side errors show in the output of a failing test.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("error")
            .with_test_writer()
            .try_init();
        let db = TestDatabase::new(engine).await?;
        let store = Store::open(&db.url).await.expect("open");
        let (plan, _) = demo::seed(&store, demo::DAKLAK_PLAN, 7, d(2025, 9, 5))
            .await
            .expect("demo data");
        let hints = hocvuso::demo::ensure_demo_accounts(&store, &plan)
            .await
            .expect("demo accounts");
        let app = hocvuso::build(
            store.clone(),
            "127.0.0.1:0",
            None,
            hints,
            hocvuso::person_key::random(),
        )
        .await
        .expect("build");
        let addr = app.addr;
        tokio::spawn(app.run_until_stopped());
        Some(TestApp {
            addr,
            store,
            db: std::sync::Arc::new(db),
        })
    }

    fn anonymous(&self) -> Client<'_> {
        Client {
            app: self,
            cookies: Default::default(),
            csrf: None,
            bearer: None,
            headers: Vec::new(),
        }
    }

    /// Signs in through the login form, as a browser does.
    async fn login(&self, username: &str) -> Client<'_> {
        let mut c = self.anonymous();
        let form = c.get("/login").await;
        c.take_csrf(&form.body);
        let password = format!("{username}-2025");
        let r = c
            .post_form(
                "/login",
                &[
                    ("username", username),
                    ("password", &password),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "login of {username} failed: {}", r.body);
        let home = c.get(&r.location().unwrap()).await;
        let home = if home.status == 303 {
            c.get(&home.location().unwrap()).await
        } else {
            home
        };
        c.take_csrf(&home.body);
        assert!(c.csrf.is_some(), "signed-in pages carry a CSRF token");
        c
    }

    /// A client with a fresh API token of `username`.
    async fn token(&self, username: &str) -> Client<'_> {
        let deployment = hocvuso_app::Deployment::over(self.store.clone(), "test");
        let accounts = deployment.accounts();
        let id = accounts.user_id(username).await.unwrap();
        let token = accounts.create_token(id, "test").await.unwrap();
        Client {
            app: self,
            cookies: Default::default(),
            csrf: None,
            bearer: Some(token),
            headers: Vec::new(),
        }
    }
}

impl Client<'_> {
    fn take_csrf(&mut self, html: &str) {
        if let Some(v) = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            self.csrf = Some(v.to_string());
        }
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> Reply {
        self.send(method, path, content_type, body.as_bytes()).await
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let (status, head, raw) = self.send_raw(method, path, content_type, body).await;
        let text = String::from_utf8(raw).expect("UTF-8 response");
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        Reply {
            status,
            headers: head,
            body: if chunked { dechunk(&text) } else { text },
        }
    }

    /// Status, head and raw body bytes (for downloads).
    async fn send_raw(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        let mut stream = tokio::net::TcpStream::connect(self.app.addr)
            .await
            .expect("connect");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.app.addr
        );
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        if let Some(token) = &self.bearer {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        for h in &self.headers {
            head.push_str(&format!("{h}\r\n"));
        }
        if let Some(ct) = content_type {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(body).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("HTTP response");
        let head = String::from_utf8(raw[..split].to_vec()).expect("UTF-8 head");
        let body = raw[split + 4..].to_vec();
        let status = head[9..12].parse().unwrap();
        for line in head.lines() {
            if line.to_ascii_lowercase().starts_with("set-cookie:") {
                let pair = line[11..].trim().split(';').next().unwrap();
                if let Some((k, v)) = pair.split_once('=') {
                    if v.is_empty() {
                        self.cookies.remove(k);
                    } else {
                        self.cookies.insert(k.to_string(), v.to_string());
                    }
                }
            }
        }
        (status, head, body)
    }

    /// Uploads a file as a browser form does (multipart, CSRF token in the action URL).
    async fn upload(&mut self, path: &str, file: &[u8]) -> Reply {
        let boundary = "hocvusoBoundary7MA4YWxkTrZu0gW";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bao-cao.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let path = match &self.csrf {
            Some(t) => format!("{path}?_csrf={t}"),
            None => path.to_string(),
        };
        self.send(
            "POST",
            &path,
            Some(&format!("multipart/form-data; boundary={boundary}")),
            &body,
        )
        .await
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, None, "").await
    }

    /// Posts a form with the client's CSRF token.
    async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        if let Some(c) = &csrf {
            all.push(("_csrf", c));
        }
        self.request(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            &form_encode(&all),
        )
        .await
    }

    async fn put_json_post(&mut self, path: &str, body: &Value) -> Reply {
        self.request("POST", path, Some("application/json"), &body.to_string())
            .await
    }

    async fn put_json(&mut self, path: &str, body: &Value) -> Reply {
        self.request("PUT", path, Some("application/json"), &body.to_string())
            .await
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// `data-indicator` → `data-value` pairs of a page's indicator table.
fn page_values(html: &str) -> Vec<(String, String)> {
    html.split("data-indicator=\"")
        .skip(1)
        .map(|chunk| {
            let code = chunk.split('"').next().unwrap().to_string();
            let value = chunk
                .split("data-value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            (code, value)
        })
        .collect()
}

/// serde_json parses floats to within one unit in the last place; the page prints them exactly.
fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{a} != {b}");
}

macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = TestApp::spawn(Engine::Sqlite).await {
                    let keep = app.db.clone();
                    ($body)(app).await;
                    drop(keep);
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = TestApp::spawn(Engine::Postgres).await {
                    let keep = app.db.clone();
                    ($body)(app).await;
                    drop(keep);
                }
            }
        }
    };
}

on_both!(
    units_api_lists_official_communes,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let r = c.get("/api/v1/units?parent=66").await;
        assert_eq!(r.status, 200);
        let units = r.json()["units"].as_array().unwrap().clone();
        let communes: Vec<&Value> = units.iter().filter(|u| u["kind"] == "commune").collect();
        assert_eq!(communes.len(), 102);
        assert!(
            communes
                .iter()
                .all(|c| c["code"].as_str().unwrap().len() == 5 && c["synthetic"] == false)
        );
        assert!(
            communes
                .iter()
                .any(|c| c["code"] == "24412" && c["full_name"] == "Xã M'Drắk")
        );
        let all = c.get("/api/v1/units?kind=commune&limit=5000").await.json();
        assert_eq!(all["total"], 3321);
        let hanoi = c.get("/api/v1/units?parent=01&kind=commune").await.json();
        assert!(
            hanoi["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["code"] == "00004")
        );
        let found = c
            .get("/api/v1/units?q=dak%20lak&kind=province")
            .await
            .json();
        assert_eq!(found["units"][0]["code"], "66");
        let found = c
            .get("/api/v1/units?parent=66&q=buon%20ma%20thuot")
            .await
            .json();
        assert!(
            found["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["full_name"] == "Phường Buôn Ma Thuột")
        );
        // Villages are synthetic and say so.
        let villages = c.get("/api/v1/units?parent=24412").await.json();
        let n = villages["units"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["kind"] == "village")
            .count();
        assert!((25..=35).contains(&n), "{n} villages");
        assert!(
            villages["units"]
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u["synthetic"] == true)
        );
    }
);

on_both!(
    overview_shows_the_numbers_of_the_progress_api,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let api = c
            .get("/api/v1/progress?unit=66&as_of=2025-09-05")
            .await
            .json();
        assert_eq!(api["synthetic"], true);
        assert_eq!(api["week_number"], 8);
        let indicators = api["indicators"].as_array().unwrap();
        assert_eq!(indicators.len(), 16);
        let page = c.get("/?as_of=05/09/2025").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Tỉnh Đắk Lắk") && page.body.contains("số liệu giả lập"));
        let shown = page_values(&page.body);
        assert_eq!(shown.len(), 16);
        for (ind, (code, value)) in indicators.iter().zip(&shown) {
            assert_eq!(ind["indicator"].as_str().unwrap(), code);
            let api_value = ind["value"]
                .as_f64()
                .expect("every indicator has data in the demo");
            assert_close(value.parse::<f64>().unwrap(), api_value);
            assert!(
                api_value > 0.0 && ind["target"].as_f64().unwrap() > 0.0,
                "indicator {code}"
            );
        }
        // Every target kind is present and consistent with its counts.
        for ind in indicators {
            let (num, value) = (
                ind["numerator"].as_f64().unwrap(),
                ind["value"].as_f64().unwrap(),
            );
            match ind["kind"].as_str().unwrap() {
                "total" => assert_eq!(value, num),
                _ => {
                    let den = ind["denominator"].as_f64().unwrap();
                    assert!((value - num / den * 100.0).abs() < 1e-9 && value <= 100.0);
                }
            }
        }
        // A commune page shows the same numbers as the API for that commune.
        let commune = c
            .get("/api/v1/progress?unit=24412&as_of=2025-09-05")
            .await
            .json();
        let commune_page = c.get("/units/24412?as_of=2025-09-05").await;
        for (ind, (_, value)) in commune["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .zip(page_values(&commune_page.body))
        {
            match ind["value"].as_f64() {
                Some(v) => assert_close(value.parse::<f64>().unwrap(), v),
                None => assert_eq!(value, ""),
            }
        }
    }
);

on_both!(
    an_earlier_date_shows_earlier_figures,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let now = c
            .get("/api/v1/progress?unit=66&as_of=2025-09-05")
            .await
            .json();
        let before = c
            .get("/api/v1/progress?unit=66&as_of=2025-08-01")
            .await
            .json();
        assert_eq!(before["week_number"], 3);
        let v = |j: &Value, i: usize| j["indicators"][i]["numerator"].as_f64().unwrap();
        assert!((0..16).all(|i| v(&before, i) <= v(&now, i)));
        assert!((0..16).any(|i| v(&before, i) < v(&now, i)));
        let first = c
            .get("/api/v1/progress?unit=66&as_of=2025-07-16")
            .await
            .json();
        assert!(
            first["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["value"].is_null())
        );
    }
);

on_both!(plan_health_and_errors, |app: TestApp| async move {
    let mut c = app.login("sokhcn").await;
    let plan = c.get("/api/v1/plan").await.json();
    assert_eq!(plan["indicators"].as_array().unwrap().len(), 16);
    assert_eq!(plan["reporting"]["weekday"], "Fri");
    assert_eq!(c.get("/healthz").await.json()["status"], "ok");
    let bad = c.get("/api/v1/progress?unit=66&as_of=31-02-2025").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap()
            .contains("không hợp lệ")
    );
    let missing = c.get("/api/v1/progress?unit=99999").await;
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].as_str().unwrap().contains("99999"));
    assert_eq!(c.get("/api/v1/units?kind=district").await.status, 400);
    assert_eq!(c.get("/units/nope").await.status, 404);
    assert_eq!(c.get("/no-such-page").await.status, 404);
    let page = c.get("/").await;
    for header in [
        "content-security-policy: default-src 'self'",
        "x-content-type-options: nosniff",
        "frame-ancestors 'none'",
    ] {
        assert!(
            page.headers.to_ascii_lowercase().contains(header),
            "missing {header}"
        );
    }
});

on_both!(hostile_names_are_escaped, |app: TestApp| async move {
    let mut c = app.login("sokhcn").await;
    let rows = hocvuso_docs::units_csv::parse_units(
        "code,name,kind,parent\nx-1,<script>alert(1)</script> \"Thôn\",village,24412\n".as_bytes(),
        &[],
        d(2025, 7, 1),
    )
    .unwrap();
    app.store
        .import_units(
            &rows,
            d(2025, 7, 1),
            &hocvuso_store::audit::Who::system("test"),
        )
        .await
        .unwrap();
    let page = c.get("/units/24412").await;
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || page.body.contains("&lt;script&gt;")
    );
    assert!(!page.body.contains("<script>alert(1)"));
    let search = c.get("/units?q=%3Cscript%3E").await;
    assert!(!search.body.contains("<script>alert") && search.body.contains("x-1"));
});

#[tokio::test]
async fn demo_is_deterministic_and_reused() {
    let (a, b) = (
        TestDatabase::new(Engine::Sqlite).await.unwrap(),
        TestDatabase::new(Engine::Sqlite).await.unwrap(),
    );
    let (sa, sb) = (
        Store::open(&a.url).await.unwrap(),
        Store::open(&b.url).await.unwrap(),
    );
    let (plan, first) = demo::seed(&sa, demo::DAKLAK_PLAN, 11, d(2025, 9, 5))
        .await
        .unwrap();
    demo::seed(&sb, demo::DAKLAK_PLAN, 11, d(2025, 9, 5))
        .await
        .unwrap();
    assert!(!first.reused);
    let province = sa.require_unit("66").await.unwrap();
    let pa = sa.progress(&plan, &province, d(2025, 9, 5)).await.unwrap();
    let pb = sb.progress(&plan, &province, d(2025, 9, 5)).await.unwrap();
    assert_eq!(pa, pb);
    let (_, again) = demo::seed(&sa, demo::DAKLAK_PLAN, 11, d(2025, 9, 5))
        .await
        .unwrap();
    assert!(again.reused);
    assert_eq!(again.reports, first.reports);
    // Another date regenerates the reports: fewer weeks, fewer reports, no leftovers.
    let (_, earlier) = demo::seed(&sa, demo::DAKLAK_PLAN, 11, d(2025, 8, 1))
        .await
        .unwrap();
    assert!(!earlier.reused && earlier.reports < first.reports);
    assert_eq!(sa.count_reports(&plan.code).await.unwrap(), earlier.reports);
    // A different seed gives different figures.
    let (c, _) = (TestDatabase::new(Engine::Sqlite).await.unwrap(), ());
    let sc = Store::open(&c.url).await.unwrap();
    demo::seed(&sc, demo::DAKLAK_PLAN, 12, d(2025, 9, 5))
        .await
        .unwrap();
    assert_ne!(
        sc.progress(&plan, &province, d(2025, 9, 5)).await.unwrap(),
        pa
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_province_plan_runs_the_same_way() {
    let db = TestDatabase::new(Engine::Sqlite).await.unwrap();
    let store = Store::open(&db.url).await.unwrap();
    let laocai = include_str!("../../core/tests/fixtures/laocai-60-ngay.toml");
    let (plan, summary) = demo::seed(&store, laocai, 3, d(2025, 10, 2)).await.unwrap();
    assert_eq!(plan.province.as_str(), "15");
    assert!(summary.reports > 0);
    let hints = hocvuso::demo::ensure_demo_accounts(&store, &plan)
        .await
        .unwrap();
    let app = hocvuso::build(
        store.clone(),
        "127.0.0.1:0",
        None,
        hints,
        hocvuso::person_key::random(),
    )
    .await
    .unwrap();
    let addr = app.addr;
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        addr,
        store,
        db: std::sync::Arc::new(db),
    };
    let mut c = app.login("lanhdao").await;
    let api = c.get("/api/v1/progress").await.json();
    assert_eq!(api["unit"]["code"], "15");
    assert_eq!(
        api["week_number"], 5,
        "Thursdays from 04/09/2025: 02/10 is week 5"
    );
    assert_eq!(api["indicators"].as_array().unwrap().len(), 3);
    let page = c.get("/").await.body;
    assert!(page.contains("Tỉnh Lào Cai") && page.contains("3 chỉ tiêu giao"));
    assert_eq!(page_values(&page).len(), 3);
}

// ---- accounts, roles and scoping ----------------------------------------------------------------

/// The secret a page shows once (a new password or API token).
fn secret_of(r: &Reply) -> String {
    let after = r
        .body
        .split("<code id=\"secret\">")
        .nth(1)
        .expect("the page shows a secret");
    after.split('<').next().unwrap().to_string()
}

/// How many audit entries match.
/// The maintained roll-ups equal progress recomputed from every figure, for the province, a few
/// communes and Công an tỉnh, on every reporting day and between two of them.
async fn assert_rollups_match(app: &TestApp) {
    let plan = app.store.active_plan().await.unwrap().unwrap();
    let days: Vec<NaiveDate> = hocvuso_core::calendar::weeks(&plan)
        .into_iter()
        .map(|w| w.reporting_day)
        .filter(|day| *day <= d(2025, 9, 12))
        .collect();
    let mut dates = days.clone();
    dates.push(d(2025, 7, 16));
    dates.push(d(2025, 8, 20));
    for code in ["66", "22015", "24412", "66-CAT"] {
        let scope = app.store.require_unit(code).await.unwrap();
        for date in &dates {
            let maintained = app.store.progress(&plan, &scope, *date).await.unwrap();
            let recomputed = app
                .store
                .progress_recomputed(&plan, &scope, *date)
                .await
                .unwrap();
            assert_eq!(maintained, recomputed, "{code} on {date}");
        }
    }
}

async fn audited(app: &TestApp, actor: &str, action: &str) -> i64 {
    let f = hocvuso_store::audit::AuditFilter {
        actor: Some(actor.into()),
        action: Some(action.into()),
        limit: 1,
        ..Default::default()
    };
    app.store.audit_entries(&f).await.unwrap().1
}

on_both!(each_role_sees_what_it_should, |app: TestApp| async move {
    let mut anon = app.anonymous();
    let r = anon.get("/").await;
    assert_eq!(
        (r.status, r.location().as_deref()),
        (303, Some("/login?next=%2F"))
    );
    assert_eq!(anon.get("/api/v1/progress").await.status, 401);
    assert_eq!(anon.get("/healthz").await.status, 200);

    // (account, path, expected status)
    let cases: &[(&str, &[(&str, u16)])] = &[
        (
            "admin",
            &[
                ("/", 200),
                ("/admin/users", 200),
                ("/audit", 200),
                ("/units/24412", 200),
            ],
        ),
        (
            "sokhcn",
            &[
                ("/", 200),
                ("/audit", 200),
                ("/admin/users", 403),
                ("/api/v1/progress?unit=66", 200),
            ],
        ),
        (
            "baocao.xa",
            &[
                ("/", 303),
                ("/units/22015", 200),
                ("/reports/22015/2025-09-05", 200),
                ("/units/24412", 403),
                ("/reports/24412/2025-09-05", 403),
                ("/api/v1/progress?unit=66", 403),
                ("/api/v1/progress?unit=22015", 200),
                ("/api/v1/units?parent=66", 403),
                ("/audit", 403),
                ("/admin/users", 403),
            ],
        ),
        (
            "lanhdao",
            &[
                ("/", 200),
                ("/units/24412", 200),
                ("/reports/24412/2025-09-05", 403),
                ("/audit", 403),
                ("/admin/users", 403),
            ],
        ),
        (
            "lanhdao.xa",
            &[
                ("/", 303),
                ("/units/22015", 200),
                ("/units/24412", 403),
                ("/api/v1/progress?unit=66", 403),
            ],
        ),
        (
            "to.cns",
            &[
                ("/", 303),
                ("/units/22015-T01", 200),
                ("/units/22015", 403),
                ("/api/v1/units/22015", 403),
                ("/reports/22015/2025-09-05", 403),
            ],
        ),
        (
            "congan.tinh",
            &[
                ("/units/66-CAT", 200),
                ("/reports/66-CAT/2025-09-05", 200),
                ("/units/22015", 403),
            ],
        ),
    ];
    for (account, paths) in cases {
        let mut client = app.login(account).await;
        for (path, status) in *paths {
            let r = client.get(path).await;
            assert_eq!(
                r.status,
                *status,
                "{account} GET {path}: {}",
                r.body.chars().take(300).collect::<String>()
            );
        }
    }
    // A scoped account's unit list and search stay inside its scope.
    let mut viewer = app.login("lanhdao.xa").await;
    let listed = viewer.get("/api/v1/units?q=thon").await.json();
    assert!(
        listed["units"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["code"].as_str().unwrap().starts_with("22015"))
    );
    let me = viewer.get("/api/v1/me").await.json();
    assert_eq!(
        (me["role"].as_str(), me["unit"]["code"].as_str()),
        (Some("viewer"), Some("22015"))
    );
    // The team member's home is its village.
    let mut team = app.login("to.cns").await;
    assert_eq!(team.get("/").await.location().as_deref(), Some("/field"));
});

on_both!(
    reporters_write_only_their_unit_and_indicators,
    |app: TestApp| async move {
        let week = "/2025-09-05";
        // The demo may already hold this unit's report for the week (then it is updated, not added).
        let existed = app
            .store
            .report("daklak-100-ngay-2025", "22015", d(2025, 9, 5))
            .await
            .unwrap()
            .is_some() as i64;
        let before = app
            .store
            .count_reports("daklak-100-ngay-2025")
            .await
            .unwrap();
        let mut reporter = app.login("baocao.xa").await;
        // Another commune, through the form and through the API: 403, nothing stored.
        let r = reporter
            .post_form(
                &format!("/reports/24412{week}"),
                &[("v.2.5.n", "100"), ("v.2.5.d", "1000")],
            )
            .await;
        assert_eq!(r.status, 403);
        let mut api = app.token("baocao.xa").await;
        let body =
            serde_json::json!({ "values": { "2.5": { "numerator": 100, "denominator": 1000 } } });
        let r = api
            .put_json(&format!("/api/v1/reports/24412{week}"), &body)
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        // Its own unit, but an indicator the plan gives to schools: 403, nothing stored.
        let r = api
            .put_json(
                &format!("/api/v1/reports/22015{week}"),
                &serde_json::json!({ "values": { "2.3": { "numerator": 5 } } }),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        // Bad values: 422 naming the indicator, nothing stored.
        let r = reporter
            .post_form(
                &format!("/reports/22015{week}"),
                &[("v.2.5.n", "2.000"), ("v.2.5.d", "1.000")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(
            r.body
                .contains("chỉ tiêu 2.5: tử số 2000 lớn hơn mẫu số 1000"),
            "{}",
            r.body
        );
        assert_eq!(
            app.store
                .count_reports("daklak-100-ngay-2025")
                .await
                .unwrap(),
            before
        );
        // Viewers and team members never write.
        for account in ["lanhdao", "to.cns"] {
            let mut other = app.token(account).await;
            assert_eq!(
                other
                    .put_json(&format!("/api/v1/reports/22015{week}"), &body)
                    .await
                    .status,
                403,
                "{account}"
            );
        }
        assert_eq!(
            app.store
                .count_reports("daklak-100-ngay-2025")
                .await
                .unwrap(),
            before
        );

        // Its own unit: stored, and visible at once in the figures.
        let mut staff = app.login("sokhcn").await;
        let progress = |j: &Value| j["indicators"][6]["numerator"].as_f64().unwrap();
        let old = staff
            .get(&format!("/api/v1/progress?unit=22015&as_of={}", &week[1..]))
            .await
            .json();
        let r = reporter
            .post_form(
                &format!("/reports/22015{week}"),
                &[
                    ("v.2.5.n", "9.999"),
                    ("v.2.5.d", "20.000"),
                    ("v.2.5.c", "Mẫu số theo số liệu dân cư mới của Công an"),
                    ("difficulties", "Sóng yếu ở thôn 3"),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location().as_deref()),
            (303, Some("/reports/22015/2025-09-05")),
            "{}",
            r.body
        );
        let new = staff
            .get(&format!("/api/v1/progress?unit=22015&as_of={}", &week[1..]))
            .await
            .json();
        assert_eq!(new["indicators"][6]["indicator"], "2.5");
        assert_eq!(progress(&new), 9999.0);
        assert_ne!(progress(&old), progress(&new));
        assert_eq!(
            app.store
                .count_reports("daklak-100-ngay-2025")
                .await
                .unwrap(),
            before + 1 - existed
        );
        // The API stores the same way; the same body twice is one report.
        let body = serde_json::json!({ "values": { "2.5": { "numerator": 10000, "denominator": 20000, "comment": "Mẫu số mới" } }, "proposals": "Thêm trạm phát sóng" });
        for _ in 0..2 {
            let r = api
                .put_json(&format!("/api/v1/reports/22015{week}"), &body)
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        assert_eq!(
            app.store
                .count_reports("daklak-100-ngay-2025")
                .await
                .unwrap(),
            before + 1 - existed
        );
        assert_eq!(
            audited(
                &app,
                "baocao.xa",
                if existed == 1 { "update" } else { "create" }
            )
            .await,
            1
        );
        assert_eq!(
            audited(&app, "baocao.xa (khóa API)", "update").await,
            1,
            "the second identical PUT changes nothing"
        );
        // Not a reporting day.
        let r = api
            .put_json("/api/v1/reports/22015/2025-09-10", &body)
            .await;
        assert_eq!(r.status, 400);
        assert!(
            r.json()["error"]
                .as_str()
                .unwrap()
                .contains("không phải kỳ báo cáo")
        );
    }
);

on_both!(forms_need_the_csrf_token, |app: TestApp| async move {
    let mut reporter = app.login("baocao.xa").await;
    let good = reporter.csrf.clone();
    reporter.csrf = None;
    let r = reporter
        .post_form("/reports/22015/2025-09-05", &[("v.2.5.n", "1")])
        .await;
    assert_eq!(r.status, 403);
    reporter.csrf = Some("0".repeat(64));
    assert_eq!(reporter.post_form("/logout", &[]).await.status, 403);
    reporter.csrf = good;
    assert_eq!(
        reporter.get("/units/22015").await.status,
        200,
        "still signed in"
    );
    // The login form itself: a post without the login cookie's token is refused.
    let mut anon = app.anonymous();
    let r = anon
        .post_form(
            "/login",
            &[("username", "admin"), ("password", "admin-2025")],
        )
        .await;
    assert_eq!(r.status, 403);
    // A token-authenticated API call needs no CSRF token (browsers never send it by themselves).
    let mut api = app.token("baocao.xa").await;
    let r = api
        .put_json(
            "/api/v1/reports/22015/2025-09-05",
            &serde_json::json!({ "values": {} }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
});

on_both!(
    wrong_passwords_slow_down_and_lock,
    |app: TestApp| async move {
        let mut anon = app.anonymous();
        let page = anon.get("/login").await;
        anon.take_csrf(&page.body);
        let mut last = String::new();
        for _ in 0..5 {
            let r = anon
                .post_form(
                    "/login",
                    &[("username", "lanhdao"), ("password", "sai-mat-khau-1")],
                )
                .await;
            assert_eq!(r.status, 401);
            last = r.body;
        }
        assert!(last.contains("tạm thời bị khóa"), "{last}");
        // Locked: even the right password is refused for now, with a clear message.
        let r = anon
            .post_form(
                "/login",
                &[("username", "lanhdao"), ("password", "lanhdao-2025")],
            )
            .await;
        assert_eq!(r.status, 429);
        assert!(r.body.contains("Vui lòng thử lại sau"), "{}", r.body);
        assert_eq!(audited(&app, "lanhdao", "login_failed").await, 6);
        // Other accounts are not affected.
        app.login("lanhdao.xa").await;
        assert_eq!(audited(&app, "lanhdao.xa", "login").await, 1);
        let f = hocvuso_store::audit::AuditFilter {
            actor: Some("lanhdao".into()),
            limit: 1,
            ..Default::default()
        };
        let latest = app.store.audit_entries(&f).await.unwrap().0.remove(0);
        assert_eq!(
            latest.ip.as_deref(),
            Some("127.0.0.1"),
            "the audit log records the client address"
        );
    }
);

on_both!(sessions_tokens_and_accounts, |app: TestApp| async move {
    // Cookie attributes.
    let mut anon = app.anonymous();
    let page = anon.get("/login").await;
    anon.take_csrf(&page.body);
    let r = anon
        .post_form(
            "/login",
            &[("username", "lanhdao"), ("password", "lanhdao-2025")],
        )
        .await;
    let cookie = r
        .headers
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: hvs_session=")
        })
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );

    // Behind an HTTPS proxy the cookie is Secure too.
    let mut proxied = app.anonymous();
    proxied.headers.push("X-Forwarded-Proto: https".into());
    let page = proxied.get("/login").await;
    assert!(page.headers.contains("Secure"), "{}", page.headers);

    // Signing in again replaces the session: the cookie from before no longer works.
    let mut twice = app.login("lanhdao").await;
    let earlier = twice.cookies.clone();
    let page = twice.get("/login?next=/").await;
    assert_eq!(
        page.status, 303,
        "a signed-in user is sent on from the login page"
    );
    twice.cookies.remove("hvs_session");
    let login = twice.get("/login").await;
    twice.take_csrf(&login.body);
    twice
        .cookies
        .insert("hvs_session".into(), earlier["hvs_session"].clone());
    let r = twice
        .post_form(
            "/login",
            &[("username", "lanhdao"), ("password", "lanhdao-2025")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_ne!(twice.cookies["hvs_session"], earlier["hvs_session"]);
    let mut replay = app.anonymous();
    replay.cookies = earlier;
    assert_eq!(
        replay.get("/units/24412").await.status,
        303,
        "the earlier session ended at the new login"
    );

    // Logging out ends the session: the old cookie no longer works.
    let mut viewer = app.login("lanhdao").await;
    let stolen = viewer.cookies.clone();
    assert_eq!(viewer.post_form("/logout", &[]).await.status, 303);
    let mut replay = app.anonymous();
    replay.cookies = stolen;
    assert_eq!(replay.get("/units/24412").await.status, 303);
    assert_eq!(audited(&app, "lanhdao", "logout").await, 1);

    // The admin creates an account; its first password is shown once and works.
    let mut admin = app.login("admin").await;
    let r = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "xa.mdrak"),
                ("display_name", "Cán bộ xã M'Drắk"),
                ("role", "reporter"),
                ("unit_code", "24412"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let password = secret_of(&r);
    let mut fresh = app.anonymous();
    let login = fresh.get("/login").await;
    fresh.take_csrf(&login.body);
    let r = fresh
        .post_form(
            "/login",
            &[("username", "xa.mdrak"), ("password", &password)],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(fresh.get("/units/24412").await.status, 200);
    assert_eq!(fresh.get("/units/22015").await.status, 403);
    // A duplicate or badly scoped account is refused with a reason.
    let r = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "xa.mdrak"),
                ("display_name", "X"),
                ("role", "viewer"),
                ("unit_code", "24412"),
            ],
        )
        .await;
    assert_eq!(r.status, 409);
    let r = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "x2"),
                ("display_name", "X"),
                ("role", "team_member"),
                ("unit_code", "24412"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("không gắn được với Xã M&#39;Drắk")
            || r.body.contains("không gắn được với Xã M&#x27;Drắk"),
        "{}",
        r.body
    );

    // Disabling the account ends its sessions at once.
    let id = app
        .store
        .user_for_login("xa.mdrak")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    assert_eq!(
        admin
            .post_form(&format!("/admin/users/{id}/disable"), &[])
            .await
            .status,
        303
    );
    assert_eq!(fresh.get("/units/24412").await.status, 303);

    // API tokens: created once from the admin page, scoped like the user, revocable.
    let reporter_id = app
        .store
        .user_for_login("baocao.xa")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let r = admin
        .post_form(
            &format!("/admin/users/{reporter_id}/tokens"),
            &[("label", "Phần mềm xã")],
        )
        .await;
    let token = secret_of(&r);
    assert!(token.starts_with("hvs_"));
    let mut machine = app.anonymous();
    machine.bearer = Some(token.clone());
    assert_eq!(machine.get("/api/v1/progress?unit=22015").await.status, 200);
    assert_eq!(machine.get("/api/v1/progress?unit=66").await.status, 403);
    let tokens = app.store.list_tokens(Some(reporter_id)).await.unwrap();
    let r = admin
        .post_form(
            &format!("/admin/tokens/{}/revoke", tokens.last().unwrap().id),
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = machine.get("/api/v1/progress?unit=22015").await;
    assert_eq!(r.status, 401);
    assert!(r.json()["error"].as_str().unwrap().contains("thu hồi"));
    // No listing or log shows the token or a password.
    let audit = admin.get("/audit.csv").await;
    assert!(
        !audit.body.contains(&token)
            && !audit.body.contains(&password)
            && !audit.body.contains("argon2")
    );
    assert!(!admin.get("/admin/users").await.body.contains(&token));

    // Changing one's password ends every session, including other browsers'.
    let mut first = app.login("sokhcn").await;
    let mut second = app.login("sokhcn").await;
    let r = second
        .post_form(
            "/account",
            &[
                ("current", "sokhcn-2025"),
                ("new", "mật-khẩu-mới-2025"),
                ("confirm", "mật-khẩu-mới-2025"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(first.get("/audit").await.status, 303);
    assert_eq!(second.get("/audit").await.status, 303);
    let r = second
        .post_form(
            "/account",
            &[("current", "x"), ("new", "y"), ("confirm", "y")],
        )
        .await;
    assert_eq!(r.status, 403, "signed out: the form's token is void");
});

on_both!(audit_page_filters_and_exports, |app: TestApp| async move {
    let mut c = app.login("sokhcn").await;
    let mut reporter = app.login("baocao.xa").await;
    let r = reporter
        .post_form(
            "/reports/22015/2025-09-05",
            &[("v.2.8b.n", "5"), ("v.2.8b.c", "Rà soát trùng lặp")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = reporter
        .post_form(
            "/reports/22015/2025-09-05",
            &[("v.2.8b.n", "6"), ("v.2.8b.c", "Rà soát trùng lặp")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get("/audit?actor=baocao.xa").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("data-action=\"login\"") && page.body.contains("data-action=\"update\"")
    );
    assert!(!page.body.contains("data-action=\"login_failed\""));
    let filtered = c.get("/audit?unit=22015&action=update").await;
    assert!(
        filtered
            .body
            .contains("report daklak-100-ngay-2025:22015:2025-09-05"),
        "{}",
        filtered.body
    );
    let csv = c.get("/audit.csv?actor=baocao.xa&action=update").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers
            .to_ascii_lowercase()
            .contains("content-type: text/csv")
    );
    assert!(
        csv.body
            .starts_with("\u{feff}Số,Thời điểm (UTC),Người thực hiện")
    );
    assert_eq!(csv.body.lines().count(), 2, "{}", csv.body);
    assert!(c.get("/audit?from=31/02/2025").await.status == 400);
});

// ---- weekly reporting workflow ------------------------------------------------------------------

on_both!(
    workflow_approve_return_resubmit_and_lock,
    |app: TestApp| async move {
        let mut reporter = app.token("baocao.xa").await;
        let mut staff = app.token("sokhcn").await;
        let url = "/api/v1/reports/22015/2025-09-05";
        let body = serde_json::json!({ "values": { "2.10a": { "numerator": 1 } }, "difficulties": "Thiếu máy tính" });
        assert_eq!(reporter.put_json(url, &body).await.status, 200);
        let r = staff
            .request("POST", &format!("{url}/approve"), None, "")
            .await;
        assert_eq!(
            (r.status, r.json()["status"].as_str()),
            (200, Some("approved")),
            "{}",
            r.body
        );
        // Approved: the unit can no longer change it.
        let r = reporter.put_json(url, &body).await;
        assert_eq!(r.status, 409);
        assert!(
            r.json()["error"]
                .as_str()
                .unwrap()
                .contains("đã được duyệt")
        );
        // Returning needs a reason; the unit sees it and may correct the report, even after the lock.
        let r = staff
            .put_json_post(
                &format!("{url}/return"),
                &serde_json::json!({ "reason": " " }),
            )
            .await;
        assert_eq!(r.status, 409);
        let reason = "Số liệu 2.10a chưa có biên bản phát động";
        let r = staff
            .put_json_post(
                &format!("{url}/return"),
                &serde_json::json!({ "reason": reason }),
            )
            .await;
        assert_eq!(r.json()["status"], "returned");
        let mut browser = app.login("baocao.xa").await;
        let page = browser.get("/reports/22015/2025-09-05").await;
        assert!(
            page.body.contains(reason) && page.body.contains("bị trả lại"),
            "{}",
            page.body
        );
        assert_eq!(reporter.put_json(url, &body).await.status, 200);
        let report = reporter.get(url).await.json();
        assert_eq!(report["status"], "submitted");
        let steps: Vec<&str> = report["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["to_status"].as_str().unwrap())
            .collect();
        assert_eq!(
            &steps[steps.len() - 3..],
            ["approved", "returned", "submitted"]
        );
        assert_eq!(
            report["history"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["to_status"] == "returned")
                .unwrap()["reason"],
            reason
        );
        assert!(report["on_time"].is_boolean());

        // A past week is locked for the unit, not for the secretariat; a future week is not open yet.
        let r = reporter
            .put_json("/api/v1/reports/22015/2025-08-29", &body)
            .await;
        assert_eq!(r.status, 409);
        assert!(r.json()["error"].as_str().unwrap().contains("khóa sổ"));
        let r = staff
            .put_json(
                "/api/v1/reports/22015/2025-08-29",
                &serde_json::json!({ "values": {} }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = reporter
            .put_json("/api/v1/reports/22015/2025-09-19", &body)
            .await;
        assert!(
            r.json()["error"].as_str().unwrap().contains("chưa đến kỳ"),
            "{}",
            r.body
        );
        // Only the secretariat reviews.
        assert_eq!(
            reporter
                .request("POST", &format!("{url}/approve"), None, "")
                .await
                .status,
            403
        );
        // Every step is in the audit log.
        assert_eq!(audited(&app, "sokhcn (khóa API)", "approve").await, 1);
        assert_eq!(audited(&app, "sokhcn (khóa API)", "return").await, 1);
        assert_rollups_match(&app).await;
    }
);

on_both!(
    drafts_do_not_count_and_warnings_need_comments,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let mut police = app.token("congan.tinh").await;
        let url = "/api/v1/reports/66-CAT/2025-09-05";
        // Compared with the unit's figure of the week before.
        let before = c
            .get("/api/v1/progress?unit=66-CAT&as_of=2025-08-29")
            .await
            .json();
        let current = before["indicators"][2]["numerator"].as_f64().unwrap();
        assert_eq!(before["indicators"][2]["indicator"], "2.2a");
        // A fall in a cumulative figure needs an explanation.
        let lower = serde_json::json!({ "values": { "2.2a": { "numerator": current - 10.0 } } });
        let r = police.put_json(url, &lower).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("giảm từ"), "{}", r.body);
        let explained = serde_json::json!({ "values": { "2.2a": { "numerator": current - 10.0, "comment": "Trùng 10 người" } } });
        let r = police.put_json(url, &explained).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.json()["warnings"][0]
                .as_str()
                .unwrap()
                .contains("giảm từ")
        );
        // A submitted report is corrected by resubmitting, not by a draft over it.
        let draft = serde_json::json!({ "values": { "2.2a": { "numerator": current, "comment": "x" } }, "action": "draft" });
        assert_eq!(police.put_json(url, &draft).await.status, 409);
        // Returned, then saved as a draft: neither counts; the figures fall back to the week before.
        let mut staff = app.token("sokhcn").await;
        let r = staff
            .put_json_post(
                &format!("{url}/return"),
                &serde_json::json!({ "reason": "Kiểm tra lại" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let draft = serde_json::json!({ "values": { "2.2a": { "numerator": current + 5.0 } }, "action": "draft" });
        assert_eq!(police.put_json(url, &draft).await.status, 200);
        let now = c
            .get("/api/v1/progress?unit=66-CAT&as_of=2025-09-05")
            .await
            .json();
        assert_eq!(now["indicators"][2]["numerator"].as_f64().unwrap(), current);
        assert_eq!(now["indicators"][2]["subjects_stale"], 1);
        // The form shows the draft beside last week's figure, and what changed.
        let mut page = app.login("congan.tinh").await;
        let form = page.get("/reports/66-CAT/2025-09-05").await.body;
        let row = form
            .split("data-indicator=\"2.2a\"")
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap();
        assert!(
            row.starts_with(&format!(" data-previous=\"{current}\"")),
            "{row}"
        );
        assert!(row.contains(">+5</td>"), "{row}");
        assert_rollups_match(&app).await;
    }
);

on_both!(follow_up_pages, |app: TestApp| async move {
    let mut c = app.login("sokhcn").await;
    let matrix = c.get("/completeness").await;
    assert_eq!(matrix.status, 200);
    assert_eq!(
        matrix.body.matches("<tr data-unit=").count(),
        102,
        "one row per commune"
    );
    assert_eq!(
        matrix.body.matches("<td class=\"cell").count(),
        102 * 8,
        "8 weeks up to 05/09"
    );
    for id in ["overall-complete", "overall-timely"] {
        let value = matrix
            .body
            .split(&format!("id=\"{id}\">"))
            .nth(1)
            .unwrap()
            .split(" %")
            .next()
            .unwrap()
            .replace(',', ".");
        let v: f64 = value.parse().unwrap();
        assert!(v > 50.0 && v <= 100.0, "{id} = {v}");
    }
    assert!(
        matrix.body.contains("class=\"cell late\"")
            && matrix.body.contains("class=\"cell missing\""),
        "the demo has late and missing reports"
    );
    let departments = c.get("/completeness?kind=department").await;
    assert_eq!(departments.body.matches("<tr data-unit=").count(), 24);
    let missing = c.get("/completeness?missing=1").await;
    assert!(missing.body.matches("<tr data-unit=").count() < 102);

    let concerns = c.get("/concerns?week=2025-09-05&q=song%20yeu").await;
    assert_eq!(concerns.status, 200);
    let rows = concerns.body.matches("<tr data-unit=").count();
    assert!(rows > 0, "someone wrote about weak signal");
    assert!(concerns.body.contains("Sóng di động yếu"));
    let all = c.get("/concerns?week=2025-09-05").await;
    assert!(all.body.matches("<tr data-unit=").count() > rows);

    let queue = c.get("/review").await;
    assert!(
        queue.body.matches("<tr data-unit=").count() > 50,
        "the demo's last week waits for review"
    );
    let mut viewer = app.login("lanhdao").await;
    assert_eq!(viewer.get("/review").await.status, 403);
});

// ---- Friday burst -------------------------------------------------------------------------------

on_both!(
    every_unit_submits_at_once_and_nothing_is_lost,
    |app: TestApp| async move {
        let week = d(2025, 9, 5);
        let plan = app.store.active_plan().await.unwrap().unwrap();
        let burst = hocvuso::bench::prepare_burst(&app.store, &plan, "66", week)
            .await
            .unwrap();
        assert!(
            burst.len() > 150,
            "every reporting unit of the province: {}",
            burst.len()
        );
        let before = app.store.count_reports(&plan.code).await.unwrap();
        let existing = hocvuso::bench::reports_in_week(&app.store, &plan.code, week)
            .await
            .unwrap();
        // Twice: a client retrying after a lost answer must not create a second report.
        for round in 0..2 {
            let results = hocvuso::bench::fire(app.addr, &burst, 64).await;
            let failed: Vec<_> = results.iter().filter(|r| r.status != 200).collect();
            assert!(
                failed.is_empty(),
                "round {round}: {} failed, first: {:?}",
                failed.len(),
                failed.first()
            );
        }
        let after = hocvuso::bench::reports_in_week(&app.store, &plan.code, week)
            .await
            .unwrap();
        assert_eq!(
            after,
            burst.len() as i64,
            "one report per unit for the week"
        );
        assert_eq!(
            app.store.count_reports(&plan.code).await.unwrap(),
            before + (burst.len() as i64 - existing)
        );
        assert_rollups_match(&app).await;
    }
);

// ---- Excel round trip over HTTP -----------------------------------------------------------------

on_both!(excel_template_and_upload, |app: TestApp| async move {
    let mut reporter = app.login("baocao.xa").await;
    let (status, head, template) = reporter
        .send_raw("GET", "/reports/22015/2025-09-05/template.xlsx", None, b"")
        .await;
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase().contains("spreadsheetml.sheet")
            && head.contains("bao-cao-22015-2025-09-05.xlsx")
    );
    assert!(template.starts_with(b"PK\x03\x04"));
    // The pre-filled template, sent back as it is, is a clean report (last week's figures, no warning).
    let r = reporter
        .upload("/reports/22015/2025-09-05/upload", &template)
        .await;
    assert_eq!(
        (r.status, r.location().as_deref()),
        (303, Some("/reports/22015/2025-09-05")),
        "{}",
        r.body
    );
    let mut api = app.token("baocao.xa").await;
    let report = api.get("/api/v1/reports/22015/2025-09-05").await.json();
    assert_eq!(report["status"], "submitted");
    assert!(report["values"].as_array().unwrap().len() >= 10);
    let updates = audited(&app, "baocao.xa", "update").await;
    // Wrong files: refused with a reason, nothing changes.
    let r = reporter
        .upload("/reports/22015/2025-09-05/upload", b"ma,so\n22015,5\n")
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("không phải Excel .xlsx"), "{}", r.body);
    let (_, _, older) = reporter
        .send_raw("GET", "/reports/22015/2025-08-29/template.xlsx", None, b"")
        .await;
    let r = reporter
        .upload("/reports/22015/2025-09-05/upload", &older)
        .await;
    assert!(
        r.body
            .contains("kỳ báo cáo 29/08/2025, không phải kỳ 05/09/2025"),
        "{}",
        r.body
    );
    let mut other = app.login("congan.tinh").await;
    let (_, _, police) = other
        .send_raw("GET", "/reports/66-CAT/2025-09-05/template.xlsx", None, b"")
        .await;
    let r = reporter
        .upload("/reports/22015/2025-09-05/upload", &police)
        .await;
    assert!(
        r.body.contains("tệp mẫu của đơn vị mã «66-CAT»"),
        "{}",
        r.body
    );
    assert_eq!(
        audited(&app, "baocao.xa", "update").await,
        updates,
        "nothing was written"
    );
    // Another commune's template cannot even be downloaded; an upload needs the CSRF token.
    assert_eq!(
        reporter
            .send_raw("GET", "/reports/24412/2025-09-05/template.xlsx", None, b"")
            .await
            .0,
        403
    );
    reporter.csrf = None;
    assert_eq!(
        reporter
            .upload("/reports/22015/2025-09-05/upload", &template)
            .await
            .status,
        403
    );
});

on_both!(
    police_report_for_every_commune_in_one_workbook,
    |app: TestApp| async move {
        let mut police = app.login("congan.tinh").await;
        // An own figure first, which the on-behalf upload must keep.
        let mut staff = app.login("sokhcn").await;
        let own = staff
            .get("/api/v1/progress?unit=66-CAT&as_of=2025-08-29")
            .await
            .json()["indicators"][2]["numerator"]
            .as_f64()
            .unwrap();
        let mut police_api = app.token("congan.tinh").await;
        let r = police_api
            .put_json(
                "/api/v1/reports/66-CAT/2025-09-05",
                &serde_json::json!({ "values": { "2.2a": { "numerator": own } } }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let page = police.get("/reports/66-CAT/2025-09-05").await;
        assert!(page.body.contains("2.5 (Xác nhận phổ cập trên VNeID), 2.8b (Người dân đăng ký chữ ký số) cho từng xã, phường, đặc khu"), "{}", page.body);
        let (status, _, bytes) = police
            .send_raw(
                "GET",
                "/reports/66-CAT/2025-09-05/on-behalf.xlsx",
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200);
        let mut sheets = xlsx::read_grids(&bytes);
        let grid = &mut sheets.iter_mut().find(|(n, _)| n == "Báo cáo").unwrap().1;
        let rows: Vec<String> = grid
            .iter()
            .skip(5)
            .filter_map(|r| match r.first() {
                Some(xlsx::Cell::Text(t)) if t.chars().all(|c| c.is_ascii_digit()) => {
                    Some(t.clone())
                }
                _ => None,
            })
            .collect();
        assert_eq!(rows.len(), 102, "one row per commune");
        // Columns: code, name, 2.5, 2.5 denominator, 2.8b, note. VNeID figures for every commune.
        for (i, _) in rows.iter().enumerate() {
            let r = 6 + i;
            xlsx::set(
                grid,
                &format!("C{r}"),
                xlsx::Cell::Text(format!("{}", 1000 + i)),
            );
            xlsx::set(grid, &format!("E{r}"), xlsx::Cell::Number(7.0));
        }
        let refs: Vec<(&str, &xlsx::Grid)> = sheets.iter().map(|(n, g)| (n.as_str(), g)).collect();
        let filled = xlsx::write_xlsx(&refs);
        let r = police
            .upload("/reports/66-CAT/2025-09-05/on-behalf", &filled)
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // The figures count for the communes: for a commune without its own report this week, Công an's
        // figure is the latest (between two reports of one week, the later submission counts).
        let mut checked = 0;
        for (i, code) in rows.iter().enumerate() {
            if staff
                .get(&format!("/api/v1/reports/{code}/2025-09-05"))
                .await
                .status
                != 404
            {
                continue;
            }
            let p = staff
                .get(&format!("/api/v1/progress?unit={code}&as_of=2025-09-05"))
                .await
                .json();
            let vneid = p["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["indicator"] == "2.5")
                .unwrap()
                .clone();
            assert_eq!(
                vneid["numerator"].as_f64().unwrap(),
                (1000 + i) as f64,
                "commune {code}"
            );
            checked += 1;
        }
        assert!(checked > 0, "the demo has communes that missed this week");
        let report = staff.get("/api/v1/reports/66-CAT/2025-09-05").await.json();
        let values = report["values"].as_array().unwrap();
        assert_eq!(
            values.iter().filter(|v| v["subject"] != "66-CAT").count(),
            204
        );
        assert!(
            values
                .iter()
                .any(|v| v["subject"] == "66-CAT" && v["indicator"] == "2.2a"),
            "own figures kept"
        );
        // One bad cell: nothing stored, the cell named.
        let grid = &mut sheets.iter_mut().find(|(n, _)| n == "Báo cáo").unwrap().1;
        xlsx::set(grid, "C8", xlsx::Cell::Text("-5".into()));
        let refs: Vec<(&str, &xlsx::Grid)> = sheets.iter().map(|(n, g)| (n.as_str(), g)).collect();
        let r = police
            .upload(
                "/reports/66-CAT/2025-09-05/on-behalf",
                &xlsx::write_xlsx(&refs),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("ô C8"), "{}", r.body);
        let after = staff.get("/api/v1/reports/66-CAT/2025-09-05").await.json();
        assert_eq!(after["values"], report["values"], "nothing changed");
        // A commune reporter has no such workbook.
        let mut reporter = app.login("baocao.xa").await;
        assert_eq!(
            reporter
                .send_raw("GET", "/reports/22015/2025-09-05/on-behalf.xlsx", None, b"")
                .await
                .0,
            403
        );
        assert_rollups_match(&app).await;
    }
);

// ---- One set of rules for every way in --------------------------------------------------------

/// The column letter of the header that starts with `prefix` on the template's header row.
fn template_column(grid: &xlsx::Grid, prefix: &str) -> String {
    let i = grid[4]
        .iter()
        .position(|c| matches!(c, xlsx::Cell::Text(t) if t.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no column «{prefix}»"));
    let mut letters = String::new();
    let mut n = i + 1;
    while n > 0 {
        letters.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    letters
}

on_both!(
    the_same_input_is_refused_the_same_way_everywhere,
    |app: TestApp| async move {
        let url = "/reports/22015/2025-09-05";
        let mut form = app.login("baocao.xa").await;
        let mut api = app.token("baocao.xa").await;
        let (_, _, template) = form
            .send_raw("GET", &format!("{url}/template.xlsx"), None, b"")
            .await;
        let mut staff = app.login("sokhcn").await;
        let last = staff
            .get("/api/v1/progress?unit=22015&as_of=2025-08-29")
            .await
            .json();
        let fell = last["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["indicator"] == "2.2a")
            .unwrap()["numerator"]
            .as_f64()
            .unwrap()
            - 1.0;
        let cases: [(&str, f64, Option<f64>, &str); 2] = [
            (
                "2.5",
                2000.0,
                Some(1000.0),
                "chỉ tiêu 2.5: tử số 2000 lớn hơn mẫu số 1000",
            ),
            ("2.2a", fell, None, "giảm từ"),
        ];
        for (indicator, numerator, denominator, message) in cases {
            // The web form.
            let n = format!("{numerator}");
            let d = denominator.map(|d| format!("{d}")).unwrap_or_default();
            let mut fields = vec![(format!("v.{indicator}.n"), n.clone())];
            if denominator.is_some() {
                fields.push((format!("v.{indicator}.d"), d.clone()));
            }
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = form.post_form(url, &fields).await;
            assert_eq!(r.status, 422, "form, {indicator}: {}", r.body);
            assert!(r.body.contains(message), "form, {indicator}: {}", r.body);
            // The API.
            let mut value = serde_json::json!({ "numerator": numerator });
            if let Some(d) = denominator {
                value["denominator"] = serde_json::json!(d);
            }
            let r = api
                .put_json(
                    &format!("/api/v1{url}"),
                    &serde_json::json!({ "values": { indicator: value } }),
                )
                .await;
            assert_eq!(r.status, 422, "API, {indicator}: {}", r.body);
            assert!(r.body.contains(message), "API, {indicator}: {}", r.body);
            // The Excel file, filled by another writer.
            let mut sheets = xlsx::read_grids(&template);
            let grid = &mut sheets.iter_mut().find(|(n, _)| n == "Báo cáo").unwrap().1;
            let column = template_column(grid, &format!("{indicator} – "));
            xlsx::set(grid, &format!("{column}6"), xlsx::Cell::Text(n.clone()));
            if denominator.is_some() {
                let column = template_column(grid, &format!("{indicator} – mẫu số"));
                xlsx::set(grid, &format!("{column}6"), xlsx::Cell::Text(d.clone()));
            }
            let refs: Vec<(&str, &xlsx::Grid)> =
                sheets.iter().map(|(n, g)| (n.as_str(), g)).collect();
            let r = form
                .upload(&format!("{url}/upload"), &xlsx::write_xlsx(&refs))
                .await;
            assert_eq!(r.status, 422, "Excel, {indicator}: {}", r.body);
            assert!(r.body.contains(message), "Excel, {indicator}: {}", r.body);
            assert!(
                r.body.contains(&format!("{column}6")),
                "Excel, {indicator}: the cell is named: {}",
                r.body
            );
        }
        // Nothing of it was stored.
        assert_eq!(form.get(&format!("/api/v1{url}")).await.status, 404);
    }
);

/// Rows of a heat table or of the map's table: unit code → (raw value, status) of each cell.
fn table_cells(html: &str, table_id: &str) -> Vec<(String, Vec<(String, String)>)> {
    let table = html
        .split(&format!("id=\"{table_id}\""))
        .nth(1)
        .expect("the table")
        .split("</table>")
        .next()
        .unwrap();
    let attr = |chunk: &str, name: &str| {
        chunk
            .split(&format!("{name}=\""))
            .nth(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .unwrap_or_default()
    };
    table
        .split("<tr data-unit=\"")
        .skip(1)
        .map(|row| {
            let code = row.split('"').next().unwrap().to_string();
            let cells = row
                .split("<td")
                .skip(1)
                .map(|td| (attr(td, "data-sort-value"), attr(td, "data-status")))
                .collect();
            (code, cells)
        })
        .collect()
}

on_both!(
    heat_table_and_map_agree_with_the_progress_api,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let as_of = "2025-08-29";
        let all = c
            .get(&format!("/api/v1/progress/units?unit=66&as_of={as_of}"))
            .await;
        assert_eq!(all.status, 200, "{}", all.body);
        let all = all.json();
        assert_eq!(all["kind"], "commune");
        let units = all["units"].as_array().unwrap();
        assert_eq!(units.len(), 102);
        let columns: Vec<String> = all["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert!(columns.len() >= 10, "{columns:?}");
        let plan = app.store.active_plan().await.unwrap().unwrap();
        let index_of = |code: &str| plan.indicators.iter().position(|i| i.code == code).unwrap();
        let by_code = |code: &str| {
            units
                .iter()
                .find(|u| u["unit"]["code"] == code)
                .unwrap_or_else(|| panic!("{code} listed"))
        };

        // Each commune's line is its own progress, as on its page.
        for code in ["22015", "24412"] {
            let own = c
                .get(&format!("/api/v1/progress?unit={code}&as_of={as_of}"))
                .await
                .json();
            for (mine, listed) in own["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .zip(by_code(code)["indicators"].as_array().unwrap())
            {
                for field in [
                    "value",
                    "target",
                    "numerator",
                    "denominator",
                    "subjects_stale",
                ] {
                    assert_eq!(mine[field], listed[field], "{code} {}", mine["indicator"]);
                }
                assert_eq!(mine["outlook"]["status"], listed["status"]);
            }
        }

        // The heat table shows exactly the API's values and statuses.
        let page = c.get("/table?as_of=29/08/2025").await;
        assert_eq!(page.status, 200);
        let rows = table_cells(&page.body, "heat");
        assert_eq!(rows.len(), 102);
        for (code, cells) in &rows {
            let listed = by_code(code)["indicators"].as_array().unwrap();
            assert_eq!(cells.len(), columns.len());
            for (column, (raw, status)) in columns.iter().zip(cells) {
                let ind = &listed[index_of(column)];
                match ind["value"].as_f64() {
                    Some(v) if ind["subjects_expected"].as_u64() > Some(0) => {
                        assert_close(raw.parse::<f64>().unwrap(), v)
                    }
                    _ => assert_eq!(raw, "", "{code} {column}"),
                }
                let expected_status = ind["status"].as_str().unwrap_or("");
                if ind["subjects_expected"].as_u64() > Some(0) {
                    assert_eq!(status, expected_status, "{code} {column}");
                }
            }
        }

        // Status filter on one indicator: the same communes as the API says.
        let late: Vec<&str> = units
            .iter()
            .filter(|u| u["indicators"][index_of("2.2a")]["status"] == "off_track")
            .map(|u| u["unit"]["code"].as_str().unwrap())
            .collect();
        assert!(!late.is_empty(), "the demo has late communes on 2.2a");
        let filtered = c
            .get("/table?as_of=29/08/2025&status=off_track&indicator=2.2a")
            .await;
        let mut shown: Vec<String> = table_cells(&filtered.body, "heat")
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        shown.sort();
        let mut late: Vec<String> = late.iter().map(|s| s.to_string()).collect();
        late.sort();
        assert_eq!(shown, late);

        // Search without diacritics.
        let found = c.get("/table?q=buon%20ma%20thuot").await;
        let codes: Vec<String> = table_cells(&found.body, "heat")
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        assert_eq!(codes.len(), 1, "{codes:?}");
        assert_eq!(
            by_code(&codes[0])["unit"]["full_name"],
            "Phường Buôn Ma Thuột"
        );

        // The map of one indicator: its data and its table are the API's.
        let map = c.get("/map?indicator=2.5&as_of=29/08/2025").await;
        assert_eq!(map.status, 200);
        assert!(map.body.contains("/static/geo/communes-66.geojson"));
        let areas = table_cells(&map.body, "areas");
        assert_eq!(areas.len(), 102);
        for (code, cells) in &areas {
            let ind = &by_code(code)["indicators"][index_of("2.5")];
            match ind["value"].as_f64() {
                // Cells: name, value, status.
                Some(v) => assert_close(cells[1].0.parse::<f64>().unwrap(), v),
                None => assert_eq!(cells[1].0, ""),
            }
        }
        let data = map
            .body
            .split("id=\"map-data\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        let data: Value = serde_json::from_str(data).unwrap();
        assert_eq!(data.as_array().unwrap().len(), 102);
        assert!(
            app.anonymous()
                .get("/static/geo/communes-66.geojson")
                .await
                .status
                == 200
        );

        // The XLSX export of the heat table, opened with a reader, holds the same numbers.
        let (status, head, bytes) = c
            .send_raw("GET", "/table.xlsx?as_of=29/08/2025", None, b"")
            .await;
        assert_eq!(status, 200);
        assert!(head.contains("bang-66-2025-08-29.xlsx"));
        {
            use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
            let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
            let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
            let header = sheet
                .rows()
                .position(|r| r.first() == Some(&Data::String("Mã đơn vị".into())))
                .expect("header row");
            let cells: Vec<&[Data]> = sheet.rows().skip(header + 1).collect();
            assert_eq!(cells.len(), 102);
            for row in cells {
                let Data::String(code) = &row[0] else {
                    panic!("code {row:?}")
                };
                let listed = by_code(code)["indicators"].as_array().unwrap();
                for (k, column) in columns.iter().enumerate() {
                    let ind = &listed[index_of(column)];
                    let expected = ind["subjects_expected"].as_u64() > Some(0);
                    match (&row[2 + 2 * k], ind["value"].as_f64()) {
                        (Data::Float(v), Some(api)) if expected => assert_close(*v, api),
                        (Data::Empty, None) => {}
                        (Data::Empty, Some(_)) if !expected => {}
                        (other, api) => panic!("{code} {column}: {other:?} vs {api:?}"),
                    }
                }
            }
        }

        // Nation by province: Đắk Lắk's line is the province's own progress.
        let nation = c
            .get(&format!("/api/v1/progress/units?unit=VN&as_of={as_of}"))
            .await
            .json();
        assert_eq!(nation["kind"], "province");
        assert_eq!(nation["units"].as_array().unwrap().len(), 34);
        let province = c
            .get(&format!("/api/v1/progress?unit=66&as_of={as_of}"))
            .await
            .json();
        let daklak = nation["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"]["code"] == "66")
            .unwrap();
        for (a, b) in province["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .zip(daklak["indicators"].as_array().unwrap())
        {
            assert_eq!(a["value"], b["value"]);
            assert_eq!(a["target"], b["target"]);
        }
        assert_eq!(c.get("/table?unit=VN").await.status, 200);
        assert_eq!(c.get("/map?unit=VN").await.status, 200);

        // Bad filters are named.
        let bad = c.get("/table?status=xyz").await;
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("xyz"));
        let bad = c.get("/map?indicator=9.9").await;
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("9.9"));
        // A commune reporter sees its own commune only.
        let mut reporter = app.login("baocao.xa").await;
        assert_eq!(
            reporter.get("/api/v1/progress/units?unit=66").await.status,
            403
        );
    }
);

on_both!(
    assigned_targets_load_from_a_file_and_show_at_once,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let page = c.get("/targets").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Bảng hiện hành (204 dòng)"),
            "the demo's appendix"
        );
        let target_of = |progress: &Value, code: &str| {
            progress["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["indicator"] == code)
                .unwrap()["target"]
                .clone()
        };
        let before = c.get("/api/v1/progress?unit=24412").await.json();
        assert!(target_of(&before, "2.8b").as_f64().unwrap() > 0.0);

        // The table in force comes back as CSV; edited and uploaded, it replaces the old one.
        let csv = c.get("/targets.csv").await.body;
        assert!(csv.lines().count() == 205, "{}", csv.lines().count());
        let edited: String = csv
            .lines()
            .map(|l| {
                if l.starts_with("24412;") && l.contains(";2.8b;") {
                    "24412;Xã M'Drắk;2.8b;;1.234".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let r = c.upload("/targets", edited.as_bytes()).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let after = c.get("/api/v1/progress?unit=24412").await.json();
        assert_eq!(target_of(&after, "2.8b"), 1234.0);
        // The heat table shows the same target in the cell's description.
        let table = c.get("/table?q=m%27drak").await.body;
        assert!(table.contains("chỉ tiêu 1.234"), "heat table cell title");

        // One bad line: nothing changes, and the line and column are named.
        let bad = "Mã đơn vị;Mã chỉ tiêu;Mốc;Chỉ tiêu giao\n24412;2.8b;;50\n24412;2.55;;10\n99999;2.4;;40\n";
        let r = c.upload("/targets", bad.as_bytes()).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("dòng 3, cột indicator"), "{}", r.body);
        assert!(r.body.contains("không có gì thay đổi"));
        let r = c
            .upload(
                "/targets",
                "unit;indicator;target\n99999;2.4;40\n".as_bytes(),
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("dòng 2, cột unit"), "{}", r.body);
        let same = c.get("/api/v1/progress?unit=24412").await.json();
        assert_eq!(target_of(&same, "2.8b"), 1234.0);
        assert!(audited(&app, "sokhcn", "update").await >= 1);

        // Only the secretariat manages them.
        let mut reporter = app.login("baocao.xa").await;
        assert_eq!(reporter.get("/targets").await.status, 403);
        assert_eq!(
            reporter.upload("/targets", bad.as_bytes()).await.status,
            403
        );
    }
);

on_both!(
    lagging_units_and_rankings_follow_the_api,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let api = c
            .get("/api/v1/progress/units?unit=66&as_of=2025-08-29")
            .await
            .json();
        let behind = |u: &Value| {
            u["indicators"].as_array().unwrap().iter().any(|i| {
                i["subjects_expected"].as_u64() > Some(0)
                    && matches!(i["status"].as_str(), Some("off_track" | "at_risk"))
            })
        };
        let lagging = c.get("/lagging?as_of=29/08/2025").await;
        assert_eq!(lagging.status, 200);
        // Every unit behind on an indicator is listed, with each such indicator.
        for u in api["units"].as_array().unwrap() {
            let code = u["unit"]["code"].as_str().unwrap();
            let listed = lagging.body.contains(&format!("data-unit=\"{code}\""));
            if behind(u) {
                assert!(listed, "{code} is behind and not listed");
            }
        }
        let parse = |s: &str| {
            s.replace('.', "")
                .replace(',', ".")
                .replace(" %", "")
                .parse::<f64>()
                .unwrap()
        };
        // The completeness matrix takes a date too: three reporting days up to 01/08.
        let matrix = c.get("/completeness?as_of=01/08/2025").await.body;
        let head = matrix
            .split("<thead>")
            .nth(1)
            .unwrap()
            .split("</thead>")
            .next()
            .unwrap();
        assert_eq!(head.matches("<th>").count(), 3 + 3, "{head}");
        // Rankings: each score is 80 % of the average share plus 20 % of timeliness, in order.
        let page = c.get("/rankings?as_of=29/08/2025").await;
        assert_eq!(page.status, 200);
        let rows: Vec<Vec<String>> = page
            .body
            .split("<tr data-unit=")
            .skip(1)
            .map(|row| {
                row.split("<td")
                    .skip(1)
                    .map(|td| {
                        let inner = td.split_once('>').unwrap().1;
                        let text: String = inner.split("</td>").next().unwrap().to_string();
                        // Strip tags.
                        let mut out = String::new();
                        let mut tag = false;
                        for ch in text.chars() {
                            match ch {
                                '<' => tag = true,
                                '>' => tag = false,
                                c if !tag => out.push(c),
                                _ => {}
                            }
                        }
                        out
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows.len(), 102);
        let mut previous = f64::INFINITY;
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r[0], (i + 1).to_string());
            let (score, share, timely) = (parse(&r[2]), parse(&r[3]), parse(&r[6]));
            assert!((score - (0.8 * share + 0.2 * timely)).abs() < 0.11, "{r:?}");
            assert!(score <= previous + 1e-9);
            previous = score;
        }
    }
);

/// A record as the field app sends it.
fn field_record(n: u32, date: &str, skills: &[u32], cccd: Option<&str>) -> Value {
    serde_json::json!({
        "id": format!("6f1c2b3a-0000-4000-8000-{n:012}"),
        "date": date,
        "skills": skills,
        "vneid": n % 2 == 1,
        "app": true,
        "birth_year": 1955,
        "gender": "female",
        "minority": true,
        "cccd": cccd,
    })
}

on_both!(
    field_log_syncs_once_and_fills_the_commune_report,
    |app: TestApp| async move {
        let mut team = app.login("to.cns").await;
        let page = team.get("/field").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Nhật ký Tổ CNS cộng đồng"));
        assert!(page.body.contains("rel=\"manifest\""));
        let sw = team.get("/field/sw.js").await;
        assert!(
            sw.headers
                .to_ascii_lowercase()
                .contains("service-worker-allowed: /field")
        );
        let manifest = team.get("/field/manifest.webmanifest").await.json();
        assert_eq!(manifest["start_url"], "/field");
        let csrf = team.csrf.clone().expect("csrf from the page");
        team.headers.push(format!("X-CSRF-Token: {csrf}"));

        // One person (CCCD) seen twice, one without CCCD, one with a CCCD of the wrong gender.
        let batch = serde_json::json!({ "records": [
            field_record(1, "2025-09-03", &[1, 2], Some("066155000321")),
            field_record(2, "04/09/2025", &[1], None),
            field_record(3, "2025-09-04", &[2, 3], Some("066 155 000 321")),
            field_record(4, "2025-09-04", &[1], Some("066055000999")),
        ]});
        let r = team.put_json_post("/api/v1/field/records", &batch).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let reply = r.json();
        let statuses: Vec<&str> = reply["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["stored", "stored", "stored", "rejected"]);
        assert_eq!(reply["results"][3]["problems"][0]["field"], "cccd");
        assert_eq!(reply["summary"]["people_this_week"], 2);
        assert_eq!(reply["summary"]["records_this_week"], 3);
        // The phone retries the same batch (its answer was lost): nothing is counted twice.
        let again = team
            .put_json_post("/api/v1/field/records", &batch)
            .await
            .json();
        assert_eq!(again["results"][0]["status"], "duplicate");
        assert_eq!(again["summary"]["records_this_week"], 3);
        // Without the CSRF header a cookie session cannot post.
        let mut bare = app.login("to.cns").await;
        let refused = bare.put_json_post("/api/v1/field/records", &batch).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        // A body that is not the log's shape is refused without quoting it.
        let odd = team
            .request(
                "POST",
                "/api/v1/field/records",
                Some("application/json"),
                "{\"records\": [{\"id\": 066155000321}]}",
            )
            .await;
        assert_eq!(odd.status, 400);
        assert!(!odd.body.contains("066155000321"));
        // Only team members log.
        let mut secretariat = app.login("sokhcn").await;
        let c = secretariat.csrf.clone().unwrap();
        secretariat.headers.push(format!("X-CSRF-Token: {c}"));
        assert_eq!(
            secretariat
                .put_json_post("/api/v1/field/records", &batch)
                .await
                .status,
            403
        );

        // The commune's report of the week shows the log's figures beside its own.
        let village = team.get("/api/v1/me").await.json()["unit"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let commune = app
            .store
            .require_unit(&village)
            .await
            .unwrap()
            .parent_code
            .unwrap();
        let mut reporter = app.login("baocao.xa").await;
        let form = reporter
            .get(&format!("/reports/{commune}/2025-09-05"))
            .await;
        assert!(
            form.body.contains("Theo nhật ký Tổ CNS cộng đồng"),
            "{}",
            form.body
        );
        let before = app
            .store
            .field_totals("daklak-100-ngay-2025", &commune, d(2025, 9, 5))
            .await
            .unwrap();
        assert_eq!(before.get("people").copied(), Some(2));
        assert_eq!(before.get("app").copied(), Some(2));
        // Not reported yet: the figure starts from the log when it is ahead of last week's (here
        // it is not); the reporter confirms or overrides, and both figures stay visible.
        let last = app
            .store
            .latest_values("daklak-100-ngay-2025", &commune, d(2025, 9, 5))
            .await
            .unwrap()["2.4"]
            .1;
        assert!(last > 2.0);
        assert!(
            form.body.contains(&format!(
                "name=\"v.2.4.n\" value=\"{}\"",
                hocvuso_core::format::number(last, 0)
            )),
            "{}",
            form.body
        );
        let c = reporter.csrf.clone().unwrap();
        reporter.headers.push(format!("X-CSRF-Token: {c}"));
        let put = reporter
            .put_json(
                &format!("/api/v1/reports/{commune}/2025-09-05"),
                &serde_json::json!({"values": {"2.4": {"numerator": last + 40.0}}, "action": "draft"}),
            )
            .await;
        assert_eq!(put.status, 200, "{}", put.body);
        let form = reporter
            .get(&format!("/reports/{commune}/2025-09-05"))
            .await;
        assert!(
            form.body.contains(&format!(
                "name=\"v.2.4.n\" value=\"{}\"",
                hocvuso_core::format::number(last + 40.0, 0)
            )),
            "{}",
            form.body
        );
        assert!(
            form.body.contains("Theo nhật ký Tổ CNS cộng đồng: 2<"),
            "{}",
            form.body
        );
        let report = reporter
            .get(&format!("/api/v1/reports/{commune}/2025-09-05"))
            .await;
        assert_eq!(report.status, 200, "{}", report.body);
        assert_eq!(report.json()["field_log"]["2.4"], 2.0);
        assert_eq!(report.json()["field_log"]["2.7b"], 2.0);

        // Team activity and inclusion for the secretariat: the commune's villages, small cells hidden.
        let activity = secretariat
            .get(&format!("/field/activity?unit={commune}&as_of=05/09/2025"))
            .await;
        assert_eq!(activity.status, 200);
        assert!(activity.body.contains(&format!("data-unit=\"{village}\"")));
        let inclusion = secretariat
            .get(&format!("/field/inclusion?unit={commune}&as_of=05/09/2025"))
            .await;
        assert_eq!(inclusion.status, 200);
        assert!(inclusion.body.contains("&lt;5"));
        assert!(!inclusion.body.contains("066155"));
        let province = secretariat.get("/field/activity?as_of=05/09/2025").await;
        assert!(province.body.contains(&format!("data-unit=\"{commune}\"")));
        // A team member's figures are its own: no activity pages.
        assert_eq!(
            team.get("/field/activity").await.location().as_deref(),
            Some("/field")
        );
    }
);

on_both!(
    paper_logs_import_whole_or_not_at_all,
    |app: TestApp| async move {
        let mut reporter = app.login("baocao.xa").await;
        let me = reporter.get("/api/v1/me").await.json();
        let commune = me["unit"]["code"].as_str().unwrap().to_string();
        let (villages, _) = app
            .store
            .list_units(&hocvuso_store::units::UnitFilter {
                parent: Some(commune.clone()),
                kind: Some(hocvuso_core::units::UnitKind::Village),
                limit: 2,
                ..Default::default()
            })
            .await
            .unwrap();
        let (a, b) = (&villages[0].code, &villages[1].code);
        let good = format!(
            "Mã thôn,Ngày,KN1,KN2,KN3,KN4,KN5,VNeID,Năm sinh,Giới tính,Dân tộc thiểu số,CCCD\n\
         {a},01/09/2025,x,x,x,x,x,x,1950,nam,x,066050000777\n\
         {b},02/09/2025,x,,,,,,,,,\n"
        );
        let r = reporter.upload("/field/import", good.as_bytes()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("2 bản ghi mới"), "{}", r.body);
        let r = reporter.upload("/field/import", good.as_bytes()).await;
        assert!(
            r.body.contains("0 bản ghi mới, 2 bản ghi đã có từ trước"),
            "{}",
            r.body
        );
        // One bad row (a date outside the plan) and a village of another commune: nothing is written.
        let bad = format!("Mã thôn,Ngày,KN1\n{a},01/01/2024,x\n{a},03/09/2025,x\n");
        let r = reporter.upload("/field/import", bad.as_bytes()).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("dòng 2, cột Ngày"), "{}", r.body);
        let elsewhere = app
            .store
            .list_units(&hocvuso_store::units::UnitFilter {
                kind: Some(hocvuso_core::units::UnitKind::Village),
                limit: 1,
                offset: 5000,
                ..Default::default()
            })
            .await
            .unwrap()
            .0;
        if let Some(other) = elsewhere
            .first()
            .filter(|u| !u.path.contains(&format!("/{commune}/")))
        {
            let r = reporter
                .upload(
                    "/field/import",
                    format!("Mã thôn,Ngày,KN1\n{},03/09/2025,x\n", other.code).as_bytes(),
                )
                .await;
            assert_eq!(r.status, 422, "{}", r.body);
        }
        assert_eq!(
            app.store
                .field_record_count("daklak-100-ngay-2025")
                .await
                .unwrap(),
            2
        );
        // A viewer cannot import.
        let mut viewer = app.login("lanhdao").await;
        assert_eq!(
            viewer.upload("/field/import", good.as_bytes()).await.status,
            403
        );
    }
);

/// The texts of a .docx file opened with a reader: every paragraph's text in order, and the cells'
/// texts of every table row.
fn docx_read(bytes: &[u8]) -> (String, Vec<Vec<String>>) {
    fn text_of(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                if m.get("type").and_then(Value::as_str) == Some("text")
                    && let Some(t) = m["data"]["text"].as_str()
                {
                    out.push_str(t);
                }
                if m.get("type").and_then(Value::as_str) == Some("paragraph") {
                    out.push('\n');
                }
                m.values().for_each(|x| text_of(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| text_of(x, out)),
            _ => {}
        }
    }
    fn rows_of(v: &Value, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) if m.get("type").and_then(Value::as_str) == Some("tableRow") => {
                let cells = m["data"]["cells"].as_array().unwrap();
                out.push(
                    cells
                        .iter()
                        .map(|c| {
                            let mut t = String::new();
                            text_of(c, &mut t);
                            t.trim().to_string()
                        })
                        .collect(),
                );
            }
            Value::Object(m) => m.values().for_each(|x| rows_of(x, out)),
            Value::Array(a) => a.iter().for_each(|x| rows_of(x, out)),
            _ => {}
        }
    }
    let docx = docx_rs::read_docx(bytes).expect("a reader opens the .docx");
    let json: Value = serde_json::from_str(&docx.json()).unwrap();
    let mut text = String::new();
    text_of(&json["document"], &mut text);
    let mut rows = Vec::new();
    rows_of(&json["document"], &mut rows);
    (text, rows)
}

/// The row of a report's indicator table (six cells) for the indicator `code`.
fn indicator_row<'a>(rows: &'a [Vec<String>], code: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().map(String::as_str) == Some(code) && r.len() == 6)
        .unwrap_or_else(|| panic!("row {code} in {rows:?}"))
}

/// "74,5 %" → 74.5, "1.824" → 1824.
fn vietnamese_number(s: &str) -> Option<f64> {
    s.trim_end_matches('%')
        .trim()
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .ok()
}

on_both!(
    weekly_report_docx_holds_the_progress_api_figures,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let week = "2025-08-29";
        let page = c.get(&format!("/documents?unit=66&week={week}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Báo cáo tuần 7"), "{}", page.body);
        assert!(
            page.body
                .contains("/documents/weekly.pdf?unit=66&amp;week=2025-08-29"),
            "{}",
            page.body
        );

        let (status, head, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert!(head.contains("bao-cao-tuan-66-7.docx"), "{head}");
        let (text, rows) = docx_read(&bytes);
        for expected in [
            "UBND TỈNH ĐẮK LẮK",
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Đắk Lắk, ngày 29 tháng 8 năm 2025",
            "BÁO CÁO",
            "tuần 7 (từ ngày 23/08/2025 đến ngày 29/08/2025)",
            "Số liệu giả lập",
            "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            "III. ĐƠN VỊ CHƯA BÁO CÁO, CHẬM TIẾN ĐỘ",
            "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT",
            "V. NHIỆM VỤ TUẦN TỚI",
            "Nơi nhận:",
            "KT. GIÁM ĐỐC",
        ] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }

        // Every indicator the province tracks: its value and share of target are the API's.
        let api = c
            .get(&format!("/api/v1/progress?unit=66&as_of={week}"))
            .await
            .json();
        let mut checked = 0;
        for ind in api["indicators"].as_array().unwrap() {
            if ind["subjects_expected"].as_u64() == Some(0) {
                continue;
            }
            let code = ind["indicator"].as_str().unwrap();
            let row = indicator_row(&rows, code);
            let close = |shown: &str, api: &Value| match (vietnamese_number(shown), api.as_f64()) {
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 0.05 + b.abs() * 1e-9,
                    "{code}: {shown} vs {b}"
                ),
                (None, None) => {}
                (a, b) => panic!("{code}: {shown} ({a:?}) vs {b:?}"),
            };
            close(&row[3], &ind["value"]);
            close(&row[4], &ind["share_of_target"]);
            checked += 1;
        }
        assert!(checked >= 10, "{checked} indicators checked");

        // The officer's next week's tasks and the signer replace the suggestions, audited.
        let r = c
            .post_form(
                "/documents/next-tasks",
                &[
                    ("unit", "66"),
                    ("week", week),
                    ("next_tasks", "Việc thứ nhất\r\n- Việc thứ hai <b>"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = c.get(&format!("/documents?unit=66&week={week}")).await;
        assert!(
            page.body.contains("Việc thứ hai &#60;b&#62;"),
            "{}",
            page.body
        );
        let mut fields: Vec<(&str, &str)> = vec![
            ("unit", "66"),
            ("week", week),
            ("parent_body", "UBND TỈNH ĐẮK LẮK"),
            ("issuer", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"),
            ("symbol", "BC-SKHCN"),
            ("place", "Đắk Lắk"),
            ("signer_authority", "KT. GIÁM ĐỐC"),
            ("signer_title", "PHÓ GIÁM ĐỐC"),
            ("signer_name", "Nguyễn Văn Bình"),
            ("recipients", "UBND tỉnh (để báo cáo);\nLưu: VT, KHCN."),
        ];
        assert_eq!(
            c.post_form("/documents/letterhead", &fields).await.status,
            303
        );
        let (_, _, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        let (text, _) = docx_read(&bytes);
        for expected in [
            "- Việc thứ nhất",
            "- Việc thứ hai <b>",
            "Nguyễn Văn Bình",
            "- UBND tỉnh (để báo cáo);",
            "- Lưu: VT, KHCN.",
        ] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }
        assert!(
            !text.contains("Tập trung đẩy nhanh"),
            "suggestions replaced"
        );
        assert!(audited(&app, "sokhcn", "create").await >= 2);

        // A letterhead without an issuer is refused, naming the field, and changes nothing.
        fields[3] = ("issuer", " ");
        fields[8] = ("signer_name", "Người Khác");
        let r = c.post_form("/documents/letterhead", &fields).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Cơ quan ban hành: cần điền"), "{}", r.body);
        let (_, _, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert!(docx_read(&bytes).0.contains("Nguyễn Văn Bình"));

        // A commune's reporter gets its own report, and may not edit the province's.
        let mut xa = app.login("baocao.xa").await;
        let (status, _, bytes) = xa
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200);
        let (text, _) = docx_read(&bytes);
        assert!(text.contains("ỦY BAN NHÂN DÂN"), "{text}");
        assert!(text.contains("TM. ỦY BAN NHÂN DÂN"), "{text}");
        assert!(!text.contains("ĐƠN VỊ CHƯA BÁO CÁO"), "{text}");
        let r = xa
            .post_form(
                "/documents/next-tasks",
                &[("unit", "66"), ("week", week), ("next_tasks", "x")],
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let (status, _, _) = xa
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 403);
        let r = xa.get("/documents?week=2025-08-30").await;
        assert_eq!(r.status, 400, "{}", r.body);
    }
);

/// The text of a PDF file as a reader extracts it, runs of white space as one space.
fn pdf_text(bytes: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(bytes).expect("a reader opens the .pdf");
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

on_both!(
    final_report_and_pdfs_hold_the_progress_api_figures,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let week = "2025-08-29";
        let api = c
            .get(&format!("/api/v1/progress?unit=66&as_of={week}"))
            .await
            .json();
        let tracked: Vec<&Value> = api["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["subjects_expected"].as_u64() != Some(0))
            .collect();

        // The final report: the whole campaign up to the week, with its chart as a picture.
        let (status, head, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/final.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert!(head.contains("bao-cao-tong-ket-66-tuan-7.docx"), "{head}");
        let (text, rows) = docx_read(&bytes);
        for expected in [
            "UBND TỈNH ĐẮK LẮK",
            "Tổng kết 100 ngày cao điểm “Bình dân học vụ số” (từ ngày 15/07/2025 đến ngày 29/08/2025)",
            "Số liệu giả lập",
            "I. KẾT QUẢ TRIỂN KHAI",
            "tuần 7/15 của Kế hoạch",
            "Trong 7 tuần, 102 xã, phường được giao báo cáo đã gửi",
            "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            "Hình 1. Số chỉ tiêu theo mức đánh giá qua từng tuần",
            "III. ĐÁNH GIÁ CÁC ĐƠN VỊ",
            "1. Các xã, phường dẫn đầu theo điểm thi đua",
            "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT",
            "V. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
            "Nơi nhận:",
        ] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }
        for ind in &tracked {
            let code = ind["indicator"].as_str().unwrap();
            let row = indicator_row(&rows, code);
            let shown = vietnamese_number(&row[4]);
            match (shown, ind["share_of_target"].as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() <= 0.05, "{code}: {a} vs {b}"),
                (a, b) => assert_eq!(a.is_none(), b.is_none(), "{code}: {a:?} vs {b:?}"),
            }
        }
        // The rankings' leader heads the table of the best communes.
        let ranking = c.get(&format!("/rankings?unit=66&as_of={week}")).await;
        let leader = data_units(&ranking.body)[0].clone();
        let best = rows
            .iter()
            .find(|r| r.first().map(String::as_str) == Some("1") && r.len() == 6)
            .unwrap_or_else(|| panic!("ranking table in {rows:?}"));
        let leader_row = ranking.body[ranking
            .body
            .find(&format!("data-unit=\"{leader}\""))
            .unwrap()..]
            .split("</tr>")
            .next()
            .unwrap();
        assert!(leader_row.contains(&best[1]), "{best:?} vs {leader_row}");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let pictures: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().to_string())
            .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
            .collect();
        assert_eq!(pictures.len(), 1, "{pictures:?}");
        let mut png = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(&pictures[0]).unwrap(), &mut png).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 5_000,
            "{} bytes",
            png.len()
        );

        // The PDFs: the same figures, the letters back with their diacritics.
        for report in ["weekly", "final"] {
            let (status, head, bytes) = c
                .send_raw(
                    "GET",
                    &format!("/documents/{report}.pdf?unit=66&week={week}"),
                    None,
                    b"",
                )
                .await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
            assert!(head.contains("application/pdf"), "{head}");
            let text = pdf_text(&bytes);
            for expected in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "“Bình dân học vụ số”",
                "Đắk Lắk, ngày 29 tháng 8 năm 2025",
                "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            ] {
                assert!(
                    text.contains(expected),
                    "{report}: «{expected}» missing:\n{text}"
                );
            }
            let (_, rows) = docx_read(
                &c.send_raw(
                    "GET",
                    &format!("/documents/{report}.docx?unit=66&week={week}"),
                    None,
                    b"",
                )
                .await
                .2,
            );
            for ind in &tracked {
                let code = ind["indicator"].as_str().unwrap();
                let row = indicator_row(&rows, code);
                // Value and share of target (one line each; the target may wrap).
                for shown in &row[3..5] {
                    assert!(
                        text.contains(shown.as_str()),
                        "{report} {code}: «{shown}» missing"
                    );
                }
            }
        }

        // A commune's reporter gets its own final report; not the province's.
        let mut xa = app.login("baocao.xa").await;
        let (status, _, bytes) = xa
            .send_raw(
                "GET",
                &format!("/documents/final.pdf?week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200);
        let text = pdf_text(&bytes);
        assert!(text.contains("TM. ỦY BAN NHÂN DÂN"), "{text}");
        assert!(!text.contains("ĐÁNH GIÁ CÁC ĐƠN VỊ"), "{text}");
        let (status, _, _) = xa
            .send_raw(
                "GET",
                &format!("/documents/final.pdf?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 403);
        let (status, _, _) = xa.send_raw("GET", "/documents/weekly.odt", None, b"").await;
        assert_eq!(status, 404);
    }
);

/// The data rows of the first sheet of an .xlsx download, below the row whose first cell is
/// `first_header`.
fn xlsx_rows(bytes: Vec<u8>, first_header: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a reader opens it");
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let header = sheet
        .rows()
        .position(|r| r.first() == Some(&Data::String(first_header.into())))
        .unwrap_or_else(|| panic!("header «{first_header}»"));
    sheet.rows().skip(header + 1).map(|r| r.to_vec()).collect()
}

fn data_units(html: &str) -> Vec<String> {
    html.split("data-unit=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

on_both!(
    every_table_downloads_as_xlsx_with_the_page_rows,
    |app: TestApp| async move {
        use calamine::Data;
        // Six people guided by a village team, for the log's tables.
        let mut team = app.login("to.cns").await;
        let csrf = team.csrf.clone().expect("csrf");
        team.headers.push(format!("X-CSRF-Token: {csrf}"));
        let batch = serde_json::json!({ "records": (1..=6)
            .map(|n| field_record(n, "2025-09-03", &[1, 2], None))
            .collect::<Vec<_>>() });
        let r = team.put_json_post("/api/v1/field/records", &batch).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let mut c = app.login("sokhcn").await;
        let text = |d: &Data| match d {
            Data::String(s) => s.clone(),
            other => panic!("text expected, got {other:?}"),
        };
        let cases = [
            ("/rankings", "?unit=66&as_of=2025-08-29", "Hạng", 1),
            ("/lagging", "?unit=66&as_of=2025-08-29", "Mã đơn vị", 0),
            (
                "/completeness",
                "?kind=commune&as_of=2025-08-29",
                "Mã đơn vị",
                0,
            ),
            ("/concerns", "?week=2025-08-29", "Mã đơn vị", 0),
            ("/review", "?week=2025-09-05", "Mã đơn vị", 0),
            ("/field/activity", "?unit=66&as_of=05/09/2025", "Mã", 0),
        ];
        for (page, query, header, code_column) in cases {
            let html = c.get(&format!("{page}{query}")).await;
            assert_eq!(html.status, 200, "{page}");
            let (status, head, bytes) = c
                .send_raw("GET", &format!("{page}.xlsx{query}"), None, b"")
                .await;
            assert_eq!(status, 200, "{page}.xlsx");
            assert!(head.contains("spreadsheetml"), "{head}");
            let rows = xlsx_rows(bytes, header);
            let codes: Vec<String> = rows.iter().map(|r| text(&r[code_column])).collect();
            assert!(!codes.is_empty(), "{page}: no rows");
            assert_eq!(
                codes,
                data_units(&html.body),
                "{page}: the page's units in its order"
            );
        }

        // Team activity: the page's figures as numbers, the province's totals last.
        let (_, _, bytes) = c
            .send_raw(
                "GET",
                "/field/activity.xlsx?unit=66&as_of=05/09/2025",
                None,
                b"",
            )
            .await;
        let rows = xlsx_rows(bytes, "Mã");
        let totals = rows.last().unwrap();
        assert_eq!(text(&totals[0]), "66");
        let people: f64 = rows[..rows.len() - 1]
            .iter()
            .map(|r| match r[5] {
                Data::Float(n) => n,
                ref other => panic!("a number expected: {other:?}"),
            })
            .sum();
        assert!(people > 0.0);
        assert_eq!(totals[5], Data::Float(people), "the communes add up");
        let html = c.get("/field/activity?unit=66&as_of=05/09/2025").await;
        assert!(html.body.contains("formaction=\"/field/activity.xlsx\""));
        assert!(html.body.contains(&format!(
            "<td class=\"num\" data-item=\"people\">{}</td>",
            hocvuso_core::format::number(people, 0)
        )));

        // Inclusion: everyone counted, small cells hidden as on the page, never a person.
        let html = c.get("/field/inclusion?unit=66&as_of=05/09/2025").await;
        let shown = html
            .body
            .split("id=\"inclusion-total\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .replace('.', "");
        let (status, _, bytes) = c
            .send_raw(
                "GET",
                "/field/inclusion.xlsx?unit=66&as_of=05/09/2025",
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200);
        let rows = xlsx_rows(bytes, "Theo");
        let last = rows.last().unwrap();
        assert_eq!(text(&last[0]), "Cộng");
        assert_eq!(last[last.len() - 1], Data::Float(shown.parse().unwrap()));
        // Age bands and ethnic-minority lines each add up to everyone.
        for group in ["Nhóm tuổi", "Dân tộc"] {
            let lines: Vec<_> = rows.iter().filter(|r| text(&r[0]) == group).collect();
            assert!(lines.len() >= 3, "{group}");
            for line in lines {
                for cell in &line[2..] {
                    assert!(
                        matches!(cell, Data::Float(n) if *n >= 5.0)
                            || *cell == Data::String("<5".into()),
                        "{group}: {cell:?}"
                    );
                }
            }
        }

        // The unit list, with its search.
        let html = c.get("/units?parent=66&q=buon").await;
        let codes: Vec<String> = html
            .body
            .split("data-code=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect();
        assert!(!codes.is_empty());
        let (_, _, bytes) = c
            .send_raw("GET", "/units.xlsx?parent=66&q=buon", None, b"")
            .await;
        let rows = xlsx_rows(bytes, "Mã");
        assert_eq!(rows.iter().map(|r| text(&r[0])).collect::<Vec<_>>(), codes);

        // A unit's reports week by week: one row per week of its history, dated.
        let html = c.get("/units/22015").await;
        assert!(html.body.contains("/units/22015/history.xlsx"));
        let weeks = html.body.matches("<tr data-week=").count();
        assert!(weeks > 0);
        let (_, _, bytes) = c
            .send_raw("GET", "/units/22015/history.xlsx", None, b"")
            .await;
        let rows = xlsx_rows(bytes, "Kỳ báo cáo");
        assert_eq!(rows.len(), weeks);
        assert!(matches!(rows[0][0], Data::DateTime(_)), "{:?}", rows[0][0]);

        // A unit's values week by week: its last column of values is the progress API's value.
        let page = c.get("/units/66?as_of=2025-08-29").await;
        assert!(
            page.body.contains("/units/66/values.xlsx?as_of=2025-08-29"),
            "{}",
            page.body
        );
        let (status, _, bytes) = c
            .send_raw("GET", "/units/66/values.xlsx?as_of=2025-08-29", None, b"")
            .await;
        assert_eq!(status, 200);
        let rows = xlsx_rows(bytes, "Mã");
        let api = c
            .get("/api/v1/progress?unit=66&as_of=2025-08-29")
            .await
            .json();
        let mut checked = 0;
        for ind in api["indicators"].as_array().unwrap() {
            if ind["subjects_expected"].as_u64() == Some(0) {
                continue;
            }
            let code = ind["indicator"].as_str().unwrap();
            let row = rows
                .iter()
                .find(|r| text(&r[0]) == code)
                .unwrap_or_else(|| panic!("row {code}"));
            // Code, name, unit, target, 7 reporting days to 29/08, share, status.
            assert_eq!(row.len(), 4 + 7 + 2, "{row:?}");
            match (&row[10], ind["value"].as_f64()) {
                (Data::Float(v), Some(a)) => assert_close(*v, a),
                (Data::Empty, None) => {}
                (v, a) => panic!("{code}: {v:?} vs {a:?}"),
            }
            checked += 1;
        }
        assert!(checked >= 10, "{checked}");

        // Rankings: the score and its parts are numbers, the page's.
        let html = c.get("/rankings?unit=66&as_of=2025-08-29").await;
        let first_score: f64 = html
            .body
            .split("data-sort-value=\"")
            .nth(3)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (_, _, bytes) = c
            .send_raw("GET", "/rankings.xlsx?unit=66&as_of=2025-08-29", None, b"")
            .await;
        let rows = xlsx_rows(bytes, "Hạng");
        assert_eq!(rows[0][0], Data::Float(1.0));
        match (&rows[0][3], &rows[0][4], &rows[0][7]) {
            (Data::Float(score), Data::Float(share), Data::Float(timely)) => {
                assert_close(*score, first_score);
                assert!((0.0..=100.0).contains(share) && (0.0..=100.0).contains(timely));
            }
            other => panic!("numbers expected: {other:?}"),
        }

        // Completeness: a missing week reads as on the page, rates as numbers.
        let (_, _, bytes) = c
            .send_raw(
                "GET",
                "/completeness.xlsx?kind=commune&as_of=2025-08-29",
                None,
                b"",
            )
            .await;
        let rows = xlsx_rows(bytes, "Mã đơn vị");
        assert_eq!(rows.len(), 102);
        assert!(
            rows.iter()
                .all(|r| matches!(r[r.len() - 1], Data::Float(t) if (0.0..=100.0).contains(&t)))
        );

        // The audit log: the same entries as its CSV, each moment a date-time.
        let (_, _, csv) = c
            .send_raw("GET", "/audit.csv?action=login", None, b"")
            .await;
        let csv = String::from_utf8(csv).unwrap();
        let (status, _, bytes) = c
            .send_raw("GET", "/audit.xlsx?action=login", None, b"")
            .await;
        assert_eq!(status, 200);
        let rows = xlsx_rows(bytes, "Số");
        assert_eq!(rows.len(), csv.lines().count() - 1);
        assert!(!rows.is_empty());
        assert!(matches!(rows[0][1], Data::DateTime(_)), "{:?}", rows[0][1]);
        assert_eq!(text(&rows[0][4]), "login");

        // Readers of one commune get their own; the audit log is the secretariat's.
        let mut xa = app.login("lanhdao.xa").await;
        let (status, _, _) = xa.send_raw("GET", "/audit.xlsx", None, b"").await;
        assert_eq!(status, 403);
        let (status, _, _) = xa.send_raw("GET", "/lagging.xlsx?unit=66", None, b"").await;
        assert_eq!(status, 403);
        let (status, _, _) = xa.send_raw("GET", "/review.xlsx", None, b"").await;
        assert_eq!(status, 403);
        let (status, _, _) = xa
            .send_raw("GET", "/field/activity.xlsx?unit=66", None, b"")
            .await;
        assert_eq!(status, 403);
        let (status, _, body) = team
            .send_raw("GET", "/field/inclusion.xlsx", None, b"")
            .await;
        assert_eq!(status, 403);
        assert!(String::from_utf8_lossy(&body).contains("/field"));
    }
);

// ---- Races: every check inside its write -------------------------------------------------------

/// Runs all `requests` at once and returns their replies in order.
async fn all_at_once<'a, F>(requests: Vec<F>) -> Vec<Reply>
where
    F: std::future::Future<Output = Reply> + 'a,
{
    futures_util::future::join_all(requests).await
}

on_both!(
    an_approval_is_never_undone_by_concurrent_puts,
    |app: TestApp| async move {
        let url = "/api/v1/reports/22015/2025-09-05";
        let mut staff = app.token("sokhcn").await;
        let mut reporters = Vec::new();
        for _ in 0..10 {
            reporters.push(app.token("baocao.xa").await);
        }
        let body = |n: usize| serde_json::json!({ "values": { "2.5": { "numerator": 9000 + n, "denominator": 20000, "comment": "Thử đồng thời" } }, "action": "submit" });
        assert_eq!(reporters[0].put_json(url, &body(1)).await.status, 200);
        for trial in 0..20 {
            let approve = async {
                staff
                    .request("POST", &format!("{url}/approve"), None, "")
                    .await
            };
            let puts = reporters
                .iter_mut()
                .enumerate()
                .map(|(i, c)| {
                    let b = body(100 * trial + i + 2);
                    async move { c.put_json(url, &b).await }
                })
                .collect::<Vec<_>>();
            let (approved, puts) = tokio::join!(approve, all_at_once(puts));
            assert_eq!(approved.status, 200, "trial {trial}: {}", approved.body);
            for p in &puts {
                assert!(
                    matches!(p.status, 200 | 409),
                    "trial {trial}: {} {}",
                    p.status,
                    p.body
                );
            }
            let report = staff.get(url).await.json();
            assert_eq!(
                report["status"], "approved",
                "trial {trial}: an approval answered 200 was undone"
            );
            let r = staff
                .put_json_post(
                    &format!("{url}/return"),
                    &serde_json::json!({ "reason": "Thử lại" }),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(reporters[0].put_json(url, &body(1)).await.status, 200);
        }
        let report = staff.get(url).await.json();
        for e in report["history"].as_array().unwrap() {
            assert!(
                !(e["from_status"] == "approved" && e["to_status"] == "submitted"),
                "a move the workflow forbids: {e}"
            );
        }
        assert_rollups_match(&app).await;
    }
);

on_both!(
    an_on_behalf_upload_is_never_lost_to_concurrent_puts,
    |app: TestApp| async move {
        let mut police = app.login("congan.tinh").await;
        let mut api = Vec::new();
        for _ in 0..5 {
            api.push(app.token("congan.tinh").await);
        }
        let (status, _, bytes) = police
            .send_raw(
                "GET",
                "/reports/66-CAT/2025-09-05/on-behalf.xlsx",
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200);
        let template = xlsx::read_grids(&bytes);
        let rows = template
            .iter()
            .find(|(n, _)| n == "Báo cáo")
            .unwrap()
            .1
            .iter()
            .skip(5)
            .filter(|r| matches!(r.first(), Some(xlsx::Cell::Text(t)) if t.chars().all(|c| c.is_ascii_digit())))
            .count();
        assert_eq!(rows, 102);
        let own = |n: usize| serde_json::json!({ "values": { "2.2a": { "numerator": n, "comment": "Thử đồng thời" } } });
        let url = "/api/v1/reports/66-CAT/2025-09-05";
        for trial in 0..20 {
            let mut sheets = template.clone();
            let grid = &mut sheets.iter_mut().find(|(n, _)| n == "Báo cáo").unwrap().1;
            for i in 0..rows {
                let r = 6 + i;
                xlsx::set(
                    grid,
                    &format!("C{r}"),
                    xlsx::Cell::Number((1000 + i + trial) as f64),
                );
                xlsx::set(
                    grid,
                    &format!("E{r}"),
                    xlsx::Cell::Number((7 + trial) as f64),
                );
            }
            let refs: Vec<(&str, &xlsx::Grid)> =
                sheets.iter().map(|(n, g)| (n.as_str(), g)).collect();
            let filled = xlsx::write_xlsx(&refs);
            let upload = async {
                police
                    .upload("/reports/66-CAT/2025-09-05/on-behalf", &filled)
                    .await
            };
            let puts = api
                .iter_mut()
                .enumerate()
                .map(|(i, c)| {
                    let b = own(100 * trial + i + 1);
                    async move { c.put_json(url, &b).await }
                })
                .collect::<Vec<_>>();
            let (uploaded, puts) = tokio::join!(upload, all_at_once(puts));
            assert_eq!(uploaded.status, 303, "trial {trial}: {}", uploaded.body);
            for p in &puts {
                assert_eq!(p.status, 200, "trial {trial}: {}", p.body);
            }
            let report = api[0].get(url).await.json();
            let values = report["values"].as_array().unwrap();
            let theirs: Vec<&Value> = values.iter().filter(|v| v["subject"] != "66-CAT").collect();
            assert_eq!(
                theirs.len(),
                204,
                "trial {trial}: the upload answered 303 was lost"
            );
            assert!(
                theirs
                    .iter()
                    .filter(|v| v["indicator"] == "2.8b")
                    .all(|v| v["numerator"].as_f64() == Some((7 + trial) as f64)),
                "trial {trial}: the upload's figures were replaced"
            );
            assert!(
                values
                    .iter()
                    .any(|v| v["subject"] == "66-CAT" && v["indicator"] == "2.2a"),
                "trial {trial}: the PUT's own figure was lost"
            );
        }
        assert_rollups_match(&app).await;
    }
);

on_both!(
    concurrent_wrong_passwords_are_verified_at_most_five_times,
    |app: TestApp| async move {
        let mut clients = Vec::new();
        for _ in 0..24 {
            let mut c = app.anonymous();
            let form = c.get("/login").await;
            c.take_csrf(&form.body);
            clients.push(c);
        }
        let attempts = clients
            .iter_mut()
            .map(|c| async move {
                c.post_form(
                    "/login",
                    &[
                        ("username", "lanhdao"),
                        ("password", "sai-mat-khau"),
                        ("next", "/"),
                    ],
                )
                .await
            })
            .collect::<Vec<_>>();
        let replies = all_at_once(attempts).await;
        let verified = replies.iter().filter(|r| r.status == 401).count();
        let refused = replies.iter().filter(|r| r.status == 429).count();
        assert_eq!(
            verified + refused,
            24,
            "{:?}",
            replies.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert!(
            verified <= 5,
            "{verified} wrong passwords verified; the lock is at 5"
        );
        assert_eq!(verified, 5, "the first five are checked");
        assert_eq!(audited(&app, "lanhdao", "login_failed").await, 24);
        // Locked: even the right password is refused unchecked.
        let mut c = app.anonymous();
        let form = c.get("/login").await;
        c.take_csrf(&form.body);
        let r = c
            .post_form(
                "/login",
                &[
                    ("username", "lanhdao"),
                    ("password", "lanhdao-2025"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status, 429);
        // Another account from the same address still signs in (24 of its 30 tries used).
        app.login("sokhcn").await;
    }
);
