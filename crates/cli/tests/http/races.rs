//! Races: every check inside its write, under concurrent requests.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
