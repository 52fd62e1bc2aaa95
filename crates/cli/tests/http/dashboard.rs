//! The heat table, the map, assigned targets, the lagging units and the rankings against the progress API.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

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
