//! Every table of the site as .xlsx, with the page's rows.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
