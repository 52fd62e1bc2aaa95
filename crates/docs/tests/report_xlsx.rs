//! Excel round trip: the template is read back with calamine, filled and written again by an
//! independent minimal xlsx writer (below, raw XML in a zip), then imported.

use chrono::NaiveDate;
use hocvuso_docs::report_xlsx::{Column, Row, Template, read_workbook, write_template};
use hocvuso_testkit::xlsx::{Cell, Grid, read_grids, set, write_xlsx};
use std::collections::BTreeMap;

fn template() -> Template {
    let last = [
        ("2.5".to_string(), (700.0, None)),
        ("2.8b".to_string(), (30.0, None)),
    ]
    .into_iter()
    .collect();
    Template {
        plan_code: "daklak-100-ngay-2025".into(),
        plan_title: "Kế hoạch 100 ngày".into(),
        week: NaiveDate::from_ymd_opt(2025, 9, 5).unwrap(),
        reporter_code: "24412".into(),
        reporter_name: "Xã M'Drắk".into(),
        columns: vec![
            Column {
                indicator: "2.1a".into(),
                title: "Ban Chỉ đạo cấp xã".into(),
                has_denominator: false,
            },
            Column {
                indicator: "2.5".into(),
                title: "Xác nhận phổ cập trên VNeID".into(),
                has_denominator: true,
            },
            Column {
                indicator: "2.8b".into(),
                title: "Người dân đăng ký chữ ký số".into(),
                has_denominator: false,
            },
        ],
        rows: vec![Row {
            code: "24412".into(),
            name: "Xã M'Drắk".into(),
            last,
            registered: [("2.5".to_string(), 20_000.0)].into_iter().collect(),
        }],
    }
}

/// The template filled by `edit` and rewritten by the independent writer.
fn filled(t: &Template, edit: impl FnOnce(&mut Vec<(String, Grid)>)) -> Vec<u8> {
    let mut sheets = read_grids(&write_template(t).unwrap());
    edit(&mut sheets);
    let refs: Vec<(&str, &Grid)> = sheets.iter().map(|(n, g)| (n.as_str(), g)).collect();
    write_xlsx(&refs)
}

fn report_sheet(sheets: &mut [(String, Grid)]) -> &mut Grid {
    &mut sheets.iter_mut().find(|(n, _)| n == "Báo cáo").unwrap().1
}

#[test]
fn the_template_is_prefilled_and_hides_its_identity() {
    let t = template();
    let sheets = read_grids(&write_template(&t).unwrap());
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Báo cáo", "_hocvuso"]);
    let grid = &sheets[0].1;
    assert_eq!(grid[4][0], Cell::Text("Mã đơn vị".into()));
    assert_eq!(
        grid[4][3],
        Cell::Text("2.5 – Xác nhận phổ cập trên VNeID".into())
    );
    assert_eq!(grid[4][4], Cell::Text("2.5 – mẫu số".into()));
    assert_eq!(grid[5][0], Cell::Text("24412".into()));
    assert_eq!(grid[5][3], Cell::Number(700.0), "last figure pre-filled");
    assert_eq!(grid[5][5], Cell::Number(30.0));
}

#[test]
fn what_officials_type_imports_exactly() {
    let t = template();
    let bytes = filled(&t, |sheets| {
        let g = report_sheet(sheets);
        set(g, "C6", Cell::Text(" 1 ".into()));
        set(g, "D6", Cell::Text("45,5%".into()));
        set(g, "E6", Cell::Empty);
        set(g, "F6", Cell::Text("1.234 ".into()));
        set(g, "G6", Cell::Text("Đối chiếu với Công an xã".into()));
        set(g, "B9", Cell::Text("Sóng yếu ở buôn Ea Sup".into()));
        set(g, "B10", Cell::Text("Thêm trạm phát sóng".into()));
    });
    let imported = read_workbook(&bytes, &t).expect("a clean import");
    assert_eq!(imported.rows.len(), 1);
    let row = &imported.rows[0];
    assert_eq!((row.code.as_str(), row.row), ("24412", 6));
    assert_eq!(row.figures["2.1a"].numerator, 1.0);
    assert_eq!(
        row.figures["2.5"].numerator, 9100.0,
        "45,5 % of the registered 20.000"
    );
    assert_eq!(row.figures["2.5"].denominator, None);
    assert_eq!(row.figures["2.8b"].numerator, 1234.0);
    assert_eq!(row.note, "Đối chiếu với Công an xã");
    assert_eq!(
        (imported.difficulties.as_str(), imported.proposals.as_str()),
        ("Sóng yếu ở buôn Ea Sup", "Thêm trạm phát sóng")
    );
    // A denominator typed as text with spaces is read too.
    let bytes = filled(&t, |sheets| {
        let g = report_sheet(sheets);
        set(g, "D6", Cell::Number(900.0));
        set(g, "E6", Cell::Text(" 2 000 ".into()));
    });
    let row = &read_workbook(&bytes, &t).unwrap().rows[0];
    assert_eq!(
        (row.figures["2.5"].numerator, row.figures["2.5"].denominator),
        (900.0, Some(2000.0))
    );
}

#[test]
fn one_bad_cell_rejects_the_file_and_names_the_cell() {
    let t = template();
    let bytes = filled(&t, |sheets| {
        let g = report_sheet(sheets);
        set(g, "F6", Cell::Text("khoảng 40".into()));
        set(g, "C6", Cell::Text("12%".into()));
    });
    let problems = read_workbook(&bytes, &t).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("trang «Báo cáo», ô F6: «khoảng 40» không phải số nguyên")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.starts_with("trang «Báo cáo», ô C6:") && t.contains("không phải tỷ lệ")),
        "{text:?}"
    );
}

#[test]
fn wrong_files_are_refused_with_a_reason() {
    let t = template();
    let message = |bytes: &[u8], t: &Template| {
        read_workbook(bytes, t)
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(message(b"code,value\n24412,5\n", &t).contains("không phải Excel .xlsx"));
    assert!(message(&vec![b'P'; 6 * 1024 * 1024], &t).contains("vượt giới hạn 5 MB"));
    assert!(message(b"PK\x03\x04garbage", &t).contains("bị hỏng"));
    let good = filled(&t, |_| {});
    let mut other_week = t.clone();
    other_week.week = NaiveDate::from_ymd_opt(2025, 9, 12).unwrap();
    assert!(
        message(&good, &other_week).contains("kỳ báo cáo 05/09/2025, không phải kỳ 12/09/2025")
    );
    let mut other_unit = t.clone();
    other_unit.reporter_code = "24175".into();
    assert!(message(&good, &other_unit).contains("tệp mẫu của đơn vị mã «24412»"));
    let changed = filled(&t, |sheets| {
        set(report_sheet(sheets), "D5", Cell::Text("Tỷ lệ".into()))
    });
    assert!(message(&changed, &t).contains("ô D5: bố cục đã bị thay đổi"));
    let extra = filled(&t, |sheets| {
        set(report_sheet(sheets), "A7", Cell::Text("24175".into()))
    });
    assert!(message(&extra, &t).contains("ô A7: dòng thêm ngoài mẫu"));
    let no_meta = {
        let sheets = read_grids(&write_template(&t).unwrap());
        write_xlsx(&[("Báo cáo", &sheets[0].1)])
    };
    assert!(message(&no_meta, &t).contains("không phải mẫu báo cáo của hệ thống"));
    let _ = BTreeMap::<String, String>::new();
}
