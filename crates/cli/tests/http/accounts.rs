//! Accounts, roles and scoping: sign-in, sessions, CSRF, throttles, what each role may read and write.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
