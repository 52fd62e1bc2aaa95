//! The overview, the unit API and list, dates, and the demo itself.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
    let laocai = include_str!("../../../core/tests/fixtures/laocai-60-ngay.toml");
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
