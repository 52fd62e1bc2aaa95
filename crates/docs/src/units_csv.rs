//! Unit lists as CSV.
//!
//! - [`parse_official`]: the official list shipped in `data/vn-admin-units.csv` (34 provinces, 3,321
//!   communes, codes as text with leading zeros).
//! - [`parse_units`]: the import format of `hocvuso import units FILE` (see `docs/units-format.md`):
//!   a header row, then one unit per row with its parent (code or name) and optional denominators.

use chrono::NaiveDate;
use hocvuso_core::input::{RowProblem, parse_count};
use hocvuso_core::plan::parse_date_text;
use hocvuso_core::text::search_key;
use hocvuso_core::units::{COUNTRY_CODE, UnitCode, UnitKind, UnitRow};
use std::collections::HashMap;

/// The official list, embedded in the binary.
pub const OFFICIAL_UNITS_CSV: &str = include_str!("../../../data/vn-admin-units.csv");
/// Date the official list took effect (the July 2025 reorganisation).
pub const OFFICIAL_VALID_FROM: &str = "2025-07-01";

/// Largest CSV file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
const MAX_ROWS: usize = 500_000;
const MAX_NAME_CHARS: usize = 200;

fn problem(row: usize, column: &str, message: impl Into<String>) -> RowProblem {
    RowProblem {
        row,
        column: column.into(),
        message: message.into(),
    }
}

/// The official list as unit rows: the country, then each province, then its communes.
pub fn parse_official(text: &str) -> Result<Vec<UnitRow>, Vec<RowProblem>> {
    let as_of = NaiveDate::parse_from_str(OFFICIAL_VALID_FROM, "%Y-%m-%d").expect("constant date");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let mut rows = vec![UnitRow {
        row: 1,
        code: UnitCode::parse(COUNTRY_CODE).expect("constant code"),
        name: "Việt Nam".into(),
        full_name: "Cộng hòa xã hội chủ nghĩa Việt Nam".into(),
        kind: UnitKind::Country,
        unit_type: "Quốc gia".into(),
        parent: None,
        synthetic: false,
        denominators: vec![],
        source: "Quyết định 19/2025/QĐ-TTg".into(),
        as_of,
    }];
    let mut provinces: HashMap<String, usize> = HashMap::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let r = match record {
            Ok(r) if r.len() == 7 => r,
            Ok(r) => {
                problems.push(problem(line, "", format!("cần 7 cột, có {}", r.len())));
                continue;
            }
            Err(e) => {
                problems.push(problem(line, "", format!("dòng CSV hỏng: {e}")));
                continue;
            }
        };
        let (pcode, pname, pfull, code, name, full, utype) =
            (&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]);
        let (Ok(pc), Ok(c)) = (UnitCode::parse(pcode), UnitCode::parse(code)) else {
            problems.push(problem(
                line,
                "unit_code",
                format!("mã «{pcode}»/«{code}» không hợp lệ"),
            ));
            continue;
        };
        if !provinces.contains_key(pcode) {
            provinces.insert(pcode.to_string(), rows.len());
            let unit_type = if pfull.starts_with("Thành phố") {
                "Thành phố"
            } else {
                "Tỉnh"
            };
            rows.push(UnitRow {
                row: line,
                code: pc,
                name: pname.into(),
                full_name: pfull.into(),
                kind: UnitKind::Province,
                unit_type: unit_type.into(),
                parent: Some(COUNTRY_CODE.into()),
                synthetic: false,
                denominators: vec![],
                source: "Nghị quyết 202/2025/QH15".into(),
                as_of,
            });
        }
        rows.push(UnitRow {
            row: line,
            code: c,
            name: name.into(),
            full_name: full.into(),
            kind: UnitKind::Commune,
            unit_type: utype.into(),
            parent: Some(pcode.to_string()),
            synthetic: false,
            denominators: vec![],
            source: "Quyết định 19/2025/QĐ-TTg".into(),
            as_of,
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// Column roles of the import format, with their accepted headers (English or Vietnamese, any case
/// and diacritics).
const COLUMNS: [(&str, &[&str]); 8] = [
    ("code", &["code", "ma", "ma don vi"]),
    ("name", &["name", "ten", "ten don vi"]),
    ("kind", &["kind", "loai", "loai don vi"]),
    (
        "parent",
        &["parent", "don vi cha", "truc thuoc", "ma don vi cha"],
    ),
    ("type", &["type", "loai hinh"]),
    ("full_name", &["full_name", "ten day du"]),
    ("source", &["source", "nguon", "nguon so lieu"]),
    ("as_of", &["as_of", "ngay so lieu", "ngay"]),
];

/// Unit kinds as officials write them.
fn parse_kind(raw: &str) -> Option<(UnitKind, Option<&'static str>)> {
    if let Some(k) = UnitKind::parse(raw) {
        return Some((k, None));
    }
    let key = search_key(raw);
    let found = match key.as_str() {
        "thon" => (UnitKind::Village, Some("Thôn")),
        "buon" => (UnitKind::Village, Some("Buôn")),
        "to dan pho" => (UnitKind::Village, Some("Tổ dân phố")),
        "ban" => (UnitKind::Village, Some("Bản")),
        "ap" => (UnitKind::Village, Some("Ấp")),
        "lang" => (UnitKind::Village, Some("Làng")),
        "so" | "ban nganh" | "so, ban, nganh" | "co quan" => (UnitKind::Department, None),
        "truong" => (UnitKind::School, Some("Trường")),
        "doanh nghiep" => (UnitKind::Enterprise, Some("Doanh nghiệp")),
        "hop tac xa" => (UnitKind::Enterprise, Some("Hợp tác xã")),
        "xa" => (UnitKind::Commune, Some("Xã")),
        "phuong" => (UnitKind::Commune, Some("Phường")),
        _ => return None,
    };
    Some(found)
}

fn clean_text(raw: &str, row: usize, column: &str, required: bool) -> Result<String, RowProblem> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && text.is_empty() {
        return Err(problem(row, column, "không được để trống"));
    }
    if text.chars().any(char::is_control) {
        return Err(problem(row, column, "chứa ký tự điều khiển không hợp lệ"));
    }
    if text.chars().count() > MAX_NAME_CHARS {
        return Err(problem(
            row,
            column,
            format!("dài quá {MAX_NAME_CHARS} ký tự"),
        ));
    }
    Ok(text)
}

/// Parses a units CSV. `denominator_keys` are the denominators the active plan knows; any column
/// that is not a unit field must be one of them. Every problem of the file is returned at once.
pub fn parse_units(
    bytes: &[u8],
    denominator_keys: &[String],
    today: NaiveDate,
) -> Result<Vec<UnitRow>, Vec<RowProblem>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(vec![problem(
            0,
            "",
            format!(
                "tệp lớn hơn giới hạn {} MB; hãy chia thành nhiều tệp",
                MAX_FILE_BYTES / 1_048_576
            ),
        )]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![problem(
            0,
            "",
            "tệp không phải văn bản UTF-8; trong Excel hãy lưu dạng “CSV UTF-8 (Comma delimited)”",
        )]);
    };
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![problem(
                1,
                "",
                format!("không đọc được dòng tiêu đề: {e}"),
            )]);
        }
    };

    // Map headers to roles or denominators.
    let mut role_at: HashMap<&'static str, usize> = HashMap::new();
    let mut denominator_at: Vec<(usize, String)> = Vec::new();
    let mut problems = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let key = search_key(h).replace(' ', "_");
        let spaced = search_key(h);
        if let Some((role, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.iter().any(|n| *n == spaced || *n == key))
        {
            if role_at.insert(role, i).is_some() {
                problems.push(problem(1, h, format!("cột «{role}» xuất hiện hai lần")));
            }
        } else if denominator_keys.iter().any(|k| *k == h.trim()) {
            denominator_at.push((i, h.trim().to_string()));
        } else if !h.trim().is_empty() {
            let known: Vec<&str> = COLUMNS.iter().map(|(r, _)| *r).collect();
            problems.push(problem(
                1,
                h,
                format!(
                    "cột không rõ «{h}»; dùng {} hoặc một mẫu số của kế hoạch ({})",
                    known.join(", "),
                    if denominator_keys.is_empty() {
                        "chưa có kế hoạch".to_string()
                    } else {
                        denominator_keys.join(", ")
                    }
                ),
            ));
        }
    }
    for required in ["code", "name", "kind", "parent"] {
        if !role_at.contains_key(required) {
            problems.push(problem(
                1,
                required,
                format!("thiếu cột bắt buộc «{required}»"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if line > MAX_ROWS + 1 {
            return Err(vec![problem(
                line,
                "",
                format!("tệp có quá {MAX_ROWS} dòng; hãy chia nhỏ"),
            )]);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(line, "", format!("dòng CSV hỏng: {e}")));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |role: &str| role_at.get(role).and_then(|i| record.get(*i)).unwrap_or("");
        let mut row_problems = Vec::new();
        let code = UnitCode::parse(get("code"))
            .map_err(|m| row_problems.push(problem(line, "code", m)))
            .ok();
        let name = clean_text(get("name"), line, "name", true)
            .map_err(|p| row_problems.push(p))
            .ok();
        let kind = match parse_kind(get("kind")) {
            Some(k) => Some(k),
            None => {
                row_problems.push(problem(
                    line,
                    "kind",
                    format!("loại đơn vị «{}» không có; dùng village (thôn, buôn, tổ dân phố), department, school, enterprise, commune", get("kind").trim()),
                ));
                None
            }
        };
        let parent = clean_text(get("parent"), line, "parent", false)
            .map_err(|p| row_problems.push(p))
            .ok();
        let unit_type = clean_text(get("type"), line, "type", false)
            .map_err(|p| row_problems.push(p))
            .ok();
        let full_name = clean_text(get("full_name"), line, "full_name", false)
            .map_err(|p| row_problems.push(p))
            .ok();
        let source = clean_text(get("source"), line, "source", false)
            .map_err(|p| row_problems.push(p))
            .ok();
        let as_of = match get("as_of").trim() {
            "" => Some(today),
            d => parse_date_text(d).or_else(|| {
                row_problems.push(problem(
                    line,
                    "as_of",
                    format!("ngày «{d}» không hợp lệ; viết 15/07/2025"),
                ));
                None
            }),
        };
        let mut denominators = Vec::new();
        for (i, key) in &denominator_at {
            let raw = record.get(*i).unwrap_or("").trim();
            if raw.is_empty() {
                continue;
            }
            match parse_count(raw) {
                Ok(v) => denominators.push((key.clone(), v)),
                Err(m) => row_problems.push(problem(line, key, m)),
            }
        }
        if !row_problems.is_empty() {
            problems.extend(row_problems);
            continue;
        }
        let (kind, default_type) = kind.expect("checked");
        let name = name.expect("checked");
        let unit_type = unit_type
            .filter(|t| !t.is_empty())
            .or(default_type.map(str::to_string))
            .unwrap_or_default();
        let full_name = full_name.filter(|f| !f.is_empty()).unwrap_or_else(|| {
            if unit_type.is_empty() || search_key(&name).starts_with(&search_key(&unit_type)) {
                name.clone()
            } else {
                format!("{unit_type} {name}")
            }
        });
        rows.push(UnitRow {
            row: line,
            code: code.expect("checked"),
            name,
            full_name,
            kind,
            unit_type,
            parent: parent.filter(|p| !p.is_empty()),
            synthetic: false,
            denominators,
            source: source
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "Nhập từ tệp".into()),
            as_of: as_of.expect("checked"),
        });
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(problem(2, "", "tệp không có dòng dữ liệu nào"));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
    }

    #[test]
    fn official_list_has_34_provinces_and_3321_communes() {
        let rows = parse_official(OFFICIAL_UNITS_CSV).unwrap();
        let count = |k| rows.iter().filter(|r| r.kind == k).count();
        assert_eq!(count(UnitKind::Country), 1);
        assert_eq!(count(UnitKind::Province), 34);
        assert_eq!(count(UnitKind::Commune), 3321);
        let ba_dinh = rows.iter().find(|r| r.code.as_str() == "00004").unwrap();
        assert_eq!(ba_dinh.parent.as_deref(), Some("01"));
        assert_eq!(
            rows.iter()
                .filter(|r| r.parent.as_deref() == Some("66"))
                .count(),
            102
        );
    }

    #[test]
    fn import_format_with_vietnamese_headers_and_denominators() {
        let csv = "\u{feff}Mã;Tên;Loại;Đơn vị cha;adults;Ngày số liệu\n66-T1;Buôn Ea Kmát;buôn;Hòa Phú;1.234;01/07/2025\n66-S1;Sở Y tế;department;66;;\n";
        let rows = parse_units(csv.as_bytes(), &["adults".into()], today()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, UnitKind::Village);
        assert_eq!(rows[0].unit_type, "Buôn");
        assert_eq!(rows[0].full_name, "Buôn Ea Kmát");
        assert_eq!(rows[0].denominators, vec![("adults".to_string(), 1234.0)]);
        assert_eq!(rows[0].parent.as_deref(), Some("Hòa Phú"));
        assert_eq!(rows[1].denominators, vec![]);
    }

    #[test]
    fn every_bad_cell_is_named() {
        let csv = "code,name,kind,parent,adults\nok-1,Thôn 1,village,24121,100\nbad code,Thôn 2,village,24121,100\nok-3,,hamlet,24121,-5\nok-4,Thôn\u{7}4,village,24121,12,5\n";
        let problems = parse_units(csv.as_bytes(), &["adults".into()], today()).unwrap_err();
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert!(at.contains(&(3, "code")), "{problems:?}");
        assert!(at.contains(&(4, "name")), "{problems:?}");
        assert!(at.contains(&(4, "kind")), "{problems:?}");
        assert!(at.contains(&(4, "adults")), "{problems:?}");
        assert!(at.contains(&(5, "name")), "{problems:?}");
    }

    #[test]
    fn header_problems_and_non_utf8() {
        let problems =
            parse_units(b"code,name,kind,population\n", &["adults".into()], today()).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.column == "population" && p.message.contains("cột không rõ"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.column == "parent" && p.message.contains("thiếu cột"))
        );
        let latin1 = b"code,name,kind,parent\nx,Th\xf4n,village,1\n";
        assert!(
            parse_units(latin1, &[], today()).unwrap_err()[0]
                .message
                .contains("UTF-8")
        );
        assert!(
            parse_units(b"code,name,kind,parent\n", &[], today()).unwrap_err()[0]
                .message
                .contains("không có dòng")
        );
    }
}
