//! Test support for hocvuso's suites: [`TestApp`], a server over a fresh demo database on SQLite
//! and on PostgreSQL (when `HOCVUSO_TEST_DATABASE_URL` is set), [`Client`], a browser-like HTTP
//! client (cookies, CSRF token, API token), the [`on_both!`] macro that runs a test once per engine,
//! and readers of what the server hands out (.xlsx, .docx, .pdf, HTML tables). Dev-only.

pub mod xlsx;

use chrono::NaiveDate;
use hocvuso::demo;
use hocvuso_store::Store;
pub use hocvuso_store::testing::{Engine, TestDatabase};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What a test module needs in one import.
pub mod prelude {
    pub use crate::*;
    pub use chrono::NaiveDate;
    pub use hocvuso::demo;
    pub use hocvuso_store::Store;
    pub use serde_json::Value;
    pub use tokio::io::{AsyncReadExt, AsyncWriteExt};
}

/// A running server on a free port over a fresh demo database (with the demo accounts).
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub store: Store,
    /// The database lives as long as any clone of this: a test body that uses only some fields of
    /// the app (closures capture fields, not the whole value) must not drop it early.
    pub db: std::sync::Arc<TestDatabase>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> Option<String> {
        self.headers.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("location:")
                .then(|| l[9..].trim().to_string())
        })
    }
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A browser-like client: a cookie jar, the page's CSRF token, or an API token.
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub cookies: std::collections::BTreeMap<String, String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    /// Extra request headers, "Name: value".
    pub headers: Vec<String>,
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap()
}

/// A fresh database on `engine` holding the demo (the Đắk Lắk plan, synthetic data up to 05/09/2025,
/// seed 7) and its accounts; None when the engine is not configured.
pub async fn demo_database(
    engine: Engine,
) -> Option<(TestDatabase, Store, Vec<hocvuso_app::LoginHint>)> {
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
    let hints = demo::ensure_demo_accounts(&store, &plan)
        .await
        .expect("demo accounts");
    Some((db, store, hints))
}

/// The demo's application without a server, for use-case and read-model tests; the database lives
/// as long as this.
pub struct DemoApp {
    pub app: hocvuso_app::App,
    pub store: Store,
    pub db: TestDatabase,
}

impl DemoApp {
    pub async fn new(engine: Engine) -> Option<DemoApp> {
        let (db, store, _) = demo_database(engine).await?;
        let app = hocvuso_app::Deployment::over(store.clone(), "test")
            .app(Some(d(2025, 9, 5)), hocvuso::person_key::random())
            .await
            .expect("app");
        Some(DemoApp { app, store, db })
    }

    /// The session of a demo account, as the site gives it after sign-in (here through an API
    /// token).
    pub async fn session_of(&self, username: &str) -> hocvuso_app::Session {
        let deployment = hocvuso_app::Deployment::over(self.store.clone(), "test");
        let accounts = deployment.accounts();
        let id = accounts.user_id(username).await.expect("demo account");
        let token = accounts.create_token(id, "test").await.expect("token");
        let (actor, who) = self
            .app
            .token_user(&token, "127.0.0.1")
            .await
            .expect("token user")
            .expect("known token");
        self.app.session(actor, who)
    }
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Option<TestApp> {
        let (db, store, hints) = demo_database(engine).await?;
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

    pub fn anonymous(&self) -> Client<'_> {
        Client {
            app: self,
            cookies: Default::default(),
            csrf: None,
            bearer: None,
            headers: Vec::new(),
        }
    }

    /// Signs in through the login form, as a browser does.
    pub async fn login(&self, username: &str) -> Client<'_> {
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
    pub async fn token(&self, username: &str) -> Client<'_> {
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
    pub fn take_csrf(&mut self, html: &str) {
        if let Some(v) = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            self.csrf = Some(v.to_string());
        }
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> Reply {
        self.send(method, path, content_type, body.as_bytes()).await
    }

    pub async fn send(
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
    pub async fn send_raw(
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
    pub async fn upload(&mut self, path: &str, file: &[u8]) -> Reply {
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

    pub async fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, None, "").await
    }

    /// Posts a form with the client's CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
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

    pub async fn put_json_post(&mut self, path: &str, body: &Value) -> Reply {
        self.request("POST", path, Some("application/json"), &body.to_string())
            .await
    }

    pub async fn put_json(&mut self, path: &str, body: &Value) -> Reply {
        self.request("PUT", path, Some("application/json"), &body.to_string())
            .await
    }
}

pub fn dechunk(mut body: &str) -> String {
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
pub fn page_values(html: &str) -> Vec<(String, String)> {
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
pub fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{a} != {b}");
}

#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $crate::TestApp::spawn($crate::Engine::Sqlite).await {
                    let keep = app.db.clone();
                    ($body)(app).await;
                    drop(keep);
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::TestApp::spawn($crate::Engine::Postgres).await {
                    let keep = app.db.clone();
                    ($body)(app).await;
                    drop(keep);
                }
            }
        }
    };
}

/// The secret a page shows once (a new password or API token).
pub fn secret_of(r: &Reply) -> String {
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
pub async fn assert_rollups_match(app: &TestApp) {
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

pub async fn audited(app: &TestApp, actor: &str, action: &str) -> i64 {
    let f = hocvuso_store::audit::AuditFilter {
        actor: Some(actor.into()),
        action: Some(action.into()),
        limit: 1,
        ..Default::default()
    };
    app.store.audit_entries(&f).await.unwrap().1
}

/// The column letter of the header that starts with `prefix` on the template's header row.
pub fn template_column(grid: &xlsx::Grid, prefix: &str) -> String {
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

/// Rows of a heat table or of the map's table: unit code → (raw value, status) of each cell.
pub fn table_cells(html: &str, table_id: &str) -> Vec<(String, Vec<(String, String)>)> {
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

/// A record as the field app sends it.
pub fn field_record(n: u32, date: &str, skills: &[u32], cccd: Option<&str>) -> Value {
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

/// The texts of a .docx file opened with a reader: every paragraph's text in order, and the cells'
/// texts of every table row.
pub fn docx_read(bytes: &[u8]) -> (String, Vec<Vec<String>>) {
    pub fn text_of(v: &Value, out: &mut String) {
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
    pub fn rows_of(v: &Value, out: &mut Vec<Vec<String>>) {
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
pub fn indicator_row<'a>(rows: &'a [Vec<String>], code: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().map(String::as_str) == Some(code) && r.len() == 6)
        .unwrap_or_else(|| panic!("row {code} in {rows:?}"))
}

/// "74,5 %" → 74.5, "1.824" → 1824.
pub fn vietnamese_number(s: &str) -> Option<f64> {
    s.trim_end_matches('%')
        .trim()
        .replace('.', "")
        .replace(',', ".")
        .parse()
        .ok()
}

/// The text of a PDF file as a reader extracts it, runs of white space as one space.
pub fn pdf_text(bytes: &[u8]) -> String {
    let raw = pdf_extract::extract_text_from_mem(bytes).expect("a reader opens the .pdf");
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The data rows of the first sheet of an .xlsx download, below the row whose first cell is
/// `first_header`.
pub fn xlsx_rows(bytes: Vec<u8>, first_header: &str) -> Vec<Vec<calamine::Data>> {
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

pub fn data_units(html: &str) -> Vec<String> {
    html.split("data-unit=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// Runs all `requests` at once and returns their replies in order.
pub async fn all_at_once<'a, F>(requests: Vec<F>) -> Vec<Reply>
where
    F: std::future::Future<Output = Reply> + 'a,
{
    futures_util::future::join_all(requests).await
}
