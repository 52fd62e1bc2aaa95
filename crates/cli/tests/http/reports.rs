//! The weekly reporting workflow over HTTP, and the Friday burst.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
