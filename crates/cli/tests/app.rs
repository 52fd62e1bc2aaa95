//! The whole application over HTTP, on SQLite and on PostgreSQL (when configured): the demo data, the
//! API and the pages, which must show the same numbers.

use chrono::NaiveDate;
use hocvuso::demo;
use hocvuso_store::Store;
use hocvuso_store::testing::{Engine, TestDatabase};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A running server on a free port over a fresh demo database.
struct TestApp {
    addr: std::net::SocketAddr,
    store: Store,
    _db: TestDatabase,
}

struct Reply {
    status: u16,
    headers: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

impl TestApp {
    async fn spawn(engine: Engine) -> Option<TestApp> {
        let db = TestDatabase::new(engine).await?;
        let store = Store::open(&db.url).await.expect("open");
        demo::seed(&store, demo::DAKLAK_PLAN, 7, d(2025, 9, 5))
            .await
            .expect("demo data");
        let app = hocvuso::build(store.clone(), "127.0.0.1:0", None)
            .await
            .expect("build");
        let addr = app.addr;
        tokio::spawn(app.run_until_stopped());
        Some(TestApp {
            addr,
            store,
            _db: db,
        })
    }

    /// A plain HTTP/1.1 GET over a real socket.
    async fn get(&self, path: &str) -> Reply {
        let mut stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8(raw).expect("UTF-8 response");
        let (head, body) = text.split_once("\r\n\r\n").expect("HTTP response");
        let status = head[9..12].parse().unwrap();
        let chunked = head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        Reply {
            status,
            headers: head.to_string(),
            body: if chunked {
                dechunk(body)
            } else {
                body.to_string()
            },
        }
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
                    ($body)(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = TestApp::spawn(Engine::Postgres).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

on_both!(
    units_api_lists_official_communes,
    |app: TestApp| async move {
        let r = app.get("/api/v1/units?parent=66").await;
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
        let all = app
            .get("/api/v1/units?kind=commune&limit=5000")
            .await
            .json();
        assert_eq!(all["total"], 3321);
        let hanoi = app.get("/api/v1/units?parent=01&kind=commune").await.json();
        assert!(
            hanoi["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["code"] == "00004")
        );
        let found = app
            .get("/api/v1/units?q=dak%20lak&kind=province")
            .await
            .json();
        assert_eq!(found["units"][0]["code"], "66");
        let found = app
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
        let villages = app.get("/api/v1/units?parent=24412").await.json();
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
        let api = app
            .get("/api/v1/progress?unit=66&as_of=2025-09-05")
            .await
            .json();
        assert_eq!(api["synthetic"], true);
        assert_eq!(api["week_number"], 8);
        let indicators = api["indicators"].as_array().unwrap();
        assert_eq!(indicators.len(), 16);
        let page = app.get("/?as_of=05/09/2025").await;
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
        let commune = app
            .get("/api/v1/progress?unit=24412&as_of=2025-09-05")
            .await
            .json();
        let commune_page = app.get("/units/24412?as_of=2025-09-05").await;
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
        let now = app
            .get("/api/v1/progress?unit=66&as_of=2025-09-05")
            .await
            .json();
        let before = app
            .get("/api/v1/progress?unit=66&as_of=2025-08-01")
            .await
            .json();
        assert_eq!(before["week_number"], 3);
        let v = |j: &Value, i: usize| j["indicators"][i]["numerator"].as_f64().unwrap();
        assert!((0..16).all(|i| v(&before, i) <= v(&now, i)));
        assert!((0..16).any(|i| v(&before, i) < v(&now, i)));
        let first = app
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
    let plan = app.get("/api/v1/plan").await.json();
    assert_eq!(plan["indicators"].as_array().unwrap().len(), 16);
    assert_eq!(plan["reporting"]["weekday"], "Fri");
    assert_eq!(app.get("/healthz").await.json()["status"], "ok");
    let bad = app.get("/api/v1/progress?unit=66&as_of=31-02-2025").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap()
            .contains("không hợp lệ")
    );
    let missing = app.get("/api/v1/progress?unit=99999").await;
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].as_str().unwrap().contains("99999"));
    assert_eq!(app.get("/api/v1/units?kind=district").await.status, 400);
    assert_eq!(app.get("/units/nope").await.status, 404);
    assert_eq!(app.get("/no-such-page").await.status, 404);
    let page = app.get("/").await;
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
    let rows = hocvuso_docs::units_csv::parse_units(
        "code,name,kind,parent\nx-1,<script>alert(1)</script> \"Thôn\",village,24412\n".as_bytes(),
        &[],
        d(2025, 7, 1),
    )
    .unwrap();
    app.store.import_units(&rows, d(2025, 7, 1)).await.unwrap();
    let page = app.get("/units/24412").await;
    assert!(
        page.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || page.body.contains("&lt;script&gt;")
    );
    assert!(!page.body.contains("<script>alert(1)"));
    let search = app.get("/units?q=%3Cscript%3E").await;
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
    let app = hocvuso::build(store.clone(), "127.0.0.1:0", None)
        .await
        .unwrap();
    let addr = app.addr;
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        addr,
        store,
        _db: db,
    };
    let api = app.get("/api/v1/progress").await.json();
    assert_eq!(api["unit"]["code"], "15");
    assert_eq!(
        api["week_number"], 5,
        "Thursdays from 04/09/2025: 02/10 is week 5"
    );
    assert_eq!(api["indicators"].as_array().unwrap().len(), 3);
    let page = app.get("/").await.body;
    assert!(page.contains("Tỉnh Lào Cai") && page.contains("3 chỉ tiêu giao"));
    assert_eq!(page_values(&page).len(), 3);
}
