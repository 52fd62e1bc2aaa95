//! The door-to-door log: sync, the commune report it fills, paper logs.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
