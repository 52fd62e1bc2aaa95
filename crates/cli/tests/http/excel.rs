//! The Excel round trip over HTTP (a unit's template, the on-behalf workbook) and one set of rules on every way in.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
    // Who may send is decided before the body: the commune's viewer is refused even without a file.
    let mut viewer = app.login("lanhdao.xa").await;
    let r = viewer.upload("/reports/22015/2025-09-05/upload", b"").await;
    assert_eq!(r.status, 403, "{}", r.body);
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
        let r = reporter
            .upload("/reports/22015/2025-09-05/on-behalf", b"")
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert_rollups_match(&app).await;
    }
);

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
