//! Official documents (.docx and .pdf) against the progress API.

use hocvuso_testkit::on_both;
use hocvuso_testkit::prelude::*;

on_both!(
    weekly_report_docx_holds_the_progress_api_figures,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let week = "2025-08-29";
        let page = c.get(&format!("/documents?unit=66&week={week}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Báo cáo tuần 7"), "{}", page.body);
        assert!(
            page.body
                .contains("/documents/weekly.pdf?unit=66&amp;week=2025-08-29"),
            "{}",
            page.body
        );

        let (status, head, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert!(head.contains("bao-cao-tuan-66-7.docx"), "{head}");
        let (text, rows) = docx_read(&bytes);
        for expected in [
            "UBND TỈNH ĐẮK LẮK",
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Đắk Lắk, ngày 29 tháng 8 năm 2025",
            "BÁO CÁO",
            "tuần 7 (từ ngày 23/08/2025 đến ngày 29/08/2025)",
            "Số liệu giả lập",
            "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            "III. ĐƠN VỊ CHƯA BÁO CÁO, CHẬM TIẾN ĐỘ",
            "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT",
            "V. NHIỆM VỤ TUẦN TỚI",
            "Nơi nhận:",
            "KT. GIÁM ĐỐC",
        ] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }

        // Every indicator the province tracks: its value and share of target are the API's.
        let api = c
            .get(&format!("/api/v1/progress?unit=66&as_of={week}"))
            .await
            .json();
        let mut checked = 0;
        for ind in api["indicators"].as_array().unwrap() {
            if ind["subjects_expected"].as_u64() == Some(0) {
                continue;
            }
            let code = ind["indicator"].as_str().unwrap();
            let row = indicator_row(&rows, code);
            let close = |shown: &str, api: &Value| match (vietnamese_number(shown), api.as_f64()) {
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 0.05 + b.abs() * 1e-9,
                    "{code}: {shown} vs {b}"
                ),
                (None, None) => {}
                (a, b) => panic!("{code}: {shown} ({a:?}) vs {b:?}"),
            };
            close(&row[3], &ind["value"]);
            close(&row[4], &ind["share_of_target"]);
            checked += 1;
        }
        assert!(checked >= 10, "{checked} indicators checked");

        // The officer's next week's tasks and the signer replace the suggestions, audited.
        let r = c
            .post_form(
                "/documents/next-tasks",
                &[
                    ("unit", "66"),
                    ("week", week),
                    ("next_tasks", "Việc thứ nhất\r\n- Việc thứ hai <b>"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = c.get(&format!("/documents?unit=66&week={week}")).await;
        assert!(
            page.body.contains("Việc thứ hai &#60;b&#62;"),
            "{}",
            page.body
        );
        let mut fields: Vec<(&str, &str)> = vec![
            ("unit", "66"),
            ("week", week),
            ("parent_body", "UBND TỈNH ĐẮK LẮK"),
            ("issuer", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"),
            ("symbol", "BC-SKHCN"),
            ("place", "Đắk Lắk"),
            ("signer_authority", "KT. GIÁM ĐỐC"),
            ("signer_title", "PHÓ GIÁM ĐỐC"),
            ("signer_name", "Nguyễn Văn Bình"),
            ("recipients", "UBND tỉnh (để báo cáo);\nLưu: VT, KHCN."),
        ];
        assert_eq!(
            c.post_form("/documents/letterhead", &fields).await.status,
            303
        );
        let (_, _, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        let (text, _) = docx_read(&bytes);
        for expected in [
            "- Việc thứ nhất",
            "- Việc thứ hai <b>",
            "Nguyễn Văn Bình",
            "- UBND tỉnh (để báo cáo);",
            "- Lưu: VT, KHCN.",
        ] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }
        assert!(
            !text.contains("Tập trung đẩy nhanh"),
            "suggestions replaced"
        );
        assert!(audited(&app, "sokhcn", "create").await >= 2);

        // A letterhead without an issuer is refused, naming the field, and changes nothing.
        fields[3] = ("issuer", " ");
        fields[8] = ("signer_name", "Người Khác");
        let r = c.post_form("/documents/letterhead", &fields).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Cơ quan ban hành: cần điền"), "{}", r.body);
        let (_, _, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert!(docx_read(&bytes).0.contains("Nguyễn Văn Bình"));

        // A commune's reporter gets its own report, and may not edit the province's.
        let mut xa = app.login("baocao.xa").await;
        let (status, _, bytes) = xa
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200);
        let (text, _) = docx_read(&bytes);
        assert!(text.contains("ỦY BAN NHÂN DÂN"), "{text}");
        assert!(text.contains("TM. ỦY BAN NHÂN DÂN"), "{text}");
        assert!(!text.contains("ĐƠN VỊ CHƯA BÁO CÁO"), "{text}");
        let r = xa
            .post_form(
                "/documents/next-tasks",
                &[("unit", "66"), ("week", week), ("next_tasks", "x")],
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let (status, _, _) = xa
            .send_raw(
                "GET",
                &format!("/documents/weekly.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 403);
        let r = xa.get("/documents?week=2025-08-30").await;
        assert_eq!(r.status, 400, "{}", r.body);
    }
);

on_both!(
    final_report_and_pdfs_hold_the_progress_api_figures,
    |app: TestApp| async move {
        let mut c = app.login("sokhcn").await;
        let week = "2025-08-29";
        let api = c
            .get(&format!("/api/v1/progress?unit=66&as_of={week}"))
            .await
            .json();
        let tracked: Vec<&Value> = api["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["subjects_expected"].as_u64() != Some(0))
            .collect();

        // The final report: the whole campaign up to the week, with its chart as a picture.
        let (status, head, bytes) = c
            .send_raw(
                "GET",
                &format!("/documents/final.docx?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        assert!(head.contains("bao-cao-tong-ket-66-tuan-7.docx"), "{head}");
        let (text, rows) = docx_read(&bytes);
        for expected in [
            "UBND TỈNH ĐẮK LẮK",
            "Tổng kết 100 ngày cao điểm “Bình dân học vụ số” (từ ngày 15/07/2025 đến ngày 29/08/2025)",
            "Số liệu giả lập",
            "I. KẾT QUẢ TRIỂN KHAI",
            "tuần 7/15 của Kế hoạch",
            "Trong 7 tuần, 102 xã, phường được giao báo cáo đã gửi",
            "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            "Hình 1. Số chỉ tiêu theo mức đánh giá qua từng tuần",
            "III. ĐÁNH GIÁ CÁC ĐƠN VỊ",
            "1. Các xã, phường dẫn đầu theo điểm thi đua",
            "IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT",
            "V. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
            "Nơi nhận:",
        ] {
            assert!(text.contains(expected), "«{expected}» missing:\n{text}");
        }
        for ind in &tracked {
            let code = ind["indicator"].as_str().unwrap();
            let row = indicator_row(&rows, code);
            let shown = vietnamese_number(&row[4]);
            match (shown, ind["share_of_target"].as_f64()) {
                (Some(a), Some(b)) => assert!((a - b).abs() <= 0.05, "{code}: {a} vs {b}"),
                (a, b) => assert_eq!(a.is_none(), b.is_none(), "{code}: {a:?} vs {b:?}"),
            }
        }
        // The rankings' leader heads the table of the best communes.
        let ranking = c.get(&format!("/rankings?unit=66&as_of={week}")).await;
        let leader = data_units(&ranking.body)[0].clone();
        let best = rows
            .iter()
            .find(|r| r.first().map(String::as_str) == Some("1") && r.len() == 6)
            .unwrap_or_else(|| panic!("ranking table in {rows:?}"));
        let leader_row = ranking.body[ranking
            .body
            .find(&format!("data-unit=\"{leader}\""))
            .unwrap()..]
            .split("</tr>")
            .next()
            .unwrap();
        assert!(leader_row.contains(&best[1]), "{best:?} vs {leader_row}");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let pictures: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().to_string())
            .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
            .collect();
        assert_eq!(pictures.len(), 1, "{pictures:?}");
        let mut png = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(&pictures[0]).unwrap(), &mut png).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 5_000,
            "{} bytes",
            png.len()
        );

        // The PDFs: the same figures, the letters back with their diacritics.
        for report in ["weekly", "final"] {
            let (status, head, bytes) = c
                .send_raw(
                    "GET",
                    &format!("/documents/{report}.pdf?unit=66&week={week}"),
                    None,
                    b"",
                )
                .await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
            assert!(head.contains("application/pdf"), "{head}");
            let text = pdf_text(&bytes);
            for expected in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "“Bình dân học vụ số”",
                "Đắk Lắk, ngày 29 tháng 8 năm 2025",
                "II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
            ] {
                assert!(
                    text.contains(expected),
                    "{report}: «{expected}» missing:\n{text}"
                );
            }
            let (_, rows) = docx_read(
                &c.send_raw(
                    "GET",
                    &format!("/documents/{report}.docx?unit=66&week={week}"),
                    None,
                    b"",
                )
                .await
                .2,
            );
            for ind in &tracked {
                let code = ind["indicator"].as_str().unwrap();
                let row = indicator_row(&rows, code);
                // Value and share of target (one line each; the target may wrap).
                for shown in &row[3..5] {
                    assert!(
                        text.contains(shown.as_str()),
                        "{report} {code}: «{shown}» missing"
                    );
                }
            }
        }

        // A commune's reporter gets its own final report; not the province's.
        let mut xa = app.login("baocao.xa").await;
        let (status, _, bytes) = xa
            .send_raw(
                "GET",
                &format!("/documents/final.pdf?week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 200);
        let text = pdf_text(&bytes);
        assert!(text.contains("TM. ỦY BAN NHÂN DÂN"), "{text}");
        assert!(!text.contains("ĐÁNH GIÁ CÁC ĐƠN VỊ"), "{text}");
        let (status, _, _) = xa
            .send_raw(
                "GET",
                &format!("/documents/final.pdf?unit=66&week={week}"),
                None,
                b"",
            )
            .await;
        assert_eq!(status, 403);
        let (status, _, _) = xa.send_raw("GET", "/documents/weekly.odt", None, b"").await;
        assert_eq!(status, 404);
    }
);
