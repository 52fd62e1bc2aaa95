//! Paper logs of community digital teams, typed into a CSV or an .xlsx (first sheet): one row per
//! person guided. Headers in Vietnamese or English, in any order; ticks written as officials write
//! them ("x", "1", "có"). Every problem is named by line and column; the rows become
//! [`RawRecord`]s that the domain checks like the phone's.
//!
//! A row's record id is derived from its content (without the CCCD) and its occurrence among
//! identical rows, so importing the same file again — or a copy with more rows added — stores
//! nothing twice.

use crate::table::read_table;
use hocvuso_core::field::{RawRecord, SecretText};
use hocvuso_core::input::RowProblem;
use hocvuso_core::text::search_key;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// A row of the log: (line in the file, village code, record).
pub type LogRow = (usize, String, RawRecord);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Village,
    Date,
    Skill(i64),
    Skills,
    Vneid,
    App,
    Signature,
    Domain,
    BirthYear,
    AgeBand,
    Gender,
    Minority,
    Cccd,
}

/// Recognised headers, as search keys (lowercase, without diacritics).
fn column(header: &str) -> Option<Col> {
    let key = search_key(header);
    let key = key.trim();
    if let Some(n) = key
        .strip_prefix("kn")
        .or_else(|| key.strip_prefix("ky nang "))
        .or_else(|| key.strip_prefix("skill_"))
        .and_then(|n| n.trim().parse::<i64>().ok())
    {
        return Some(Col::Skill(n));
    }
    Some(match key {
        "ma thon" | "thon" | "village" | "ma thon, buon, to dan pho" | "thon, buon, to dan pho" => {
            Col::Village
        }
        "ngay" | "date" | "ngay huong dan" => Col::Date,
        "ky nang" | "skills" | "cac ky nang" => Col::Skills,
        "vneid" | "xac nhan vneid" | "pho cap vneid" | "xac nhan pho cap vneid" => Col::Vneid,
        "ung dung" | "app" | "cai ung dung" | "cai dat ung dung" => Col::App,
        "chu ky so" | "signature" | "dang ky chu ky so" => Col::Signature,
        "ten mien" | "ten mien .vn" | "domain" | "dang ky ten mien .vn" => Col::Domain,
        "nam sinh" | "birth_year" => Col::BirthYear,
        "nhom tuoi" | "age_band" => Col::AgeBand,
        "gioi tinh" | "gender" => Col::Gender,
        "dan toc thieu so" | "dtts" | "minority" | "nguoi dan toc thieu so" => Col::Minority,
        "cccd" | "so cccd" | "can cuoc" | "so can cuoc" | "can cuoc cong dan" => Col::Cccd,
        _ => return None,
    })
}

fn problem(row: usize, column: &str, message: impl Into<String>) -> RowProblem {
    RowProblem {
        row,
        column: column.to_string(),
        message: message.into(),
    }
}

/// A cell as quoted in a message: a long run of digits (perhaps a citizen number typed in the wrong
/// column) is never repeated.
fn quoted(text: &str) -> String {
    let longest = text
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest >= 9 {
        "giá trị (một dãy số dài, không nhắc lại ở đây)".into()
    } else {
        format!("«{text}»")
    }
}

/// A tick: empty or "0"/"không" is no, "x"/"1"/"có"/"yes" is yes.
fn tick(text: &str) -> Option<bool> {
    match search_key(text).trim() {
        "" | "0" | "khong" | "no" | "false" | "-" => Some(false),
        "x" | "1" | "co" | "yes" | "true" | "v" | "✓" | "✔" => Some(true),
        _ => None,
    }
}

/// Reads a paper log. All problems at once; no rows when there is any.
pub fn parse(bytes: &[u8]) -> Result<Vec<LogRow>, Vec<RowProblem>> {
    let (header, rows) = read_table(bytes)?;
    let cols: Vec<Option<Col>> = header.iter().map(|h| column(h)).collect();
    let mut problems = Vec::new();
    for (i, (h, c)) in header.iter().zip(&cols).enumerate() {
        if c.is_none() && !h.trim().is_empty() {
            problems.push(problem(
                1,
                h,
                format!(
                    "cột thứ {} «{h}» không phải cột của nhật ký (xem mẫu trong tài liệu)",
                    i + 1
                ),
            ));
        }
    }
    for (need, name) in [(Col::Village, "Mã thôn"), (Col::Date, "Ngày")] {
        if !cols.contains(&Some(need)) {
            problems.push(problem(1, name, format!("thiếu cột «{name}»")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<[u8; 32], u32> = HashMap::new();
    for (line, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut village = String::new();
        let mut raw = RawRecord::default();
        let mut content = Sha256::new();
        for (i, text) in cells.iter().enumerate() {
            let Some(Some(col)) = cols.get(i) else {
                continue;
            };
            let text = text.trim();
            let name = header[i].as_str();
            if *col != Col::Cccd {
                content.update(text.as_bytes());
            }
            content.update([0x1f]);
            let flag = |problems: &mut Vec<RowProblem>| {
                tick(text).unwrap_or_else(|| {
                    problems.push(problem(
                        line,
                        name,
                        format!(
                            "{} không phải dấu đánh; ghi x (có) hoặc để trống (không)",
                            quoted(text)
                        ),
                    ));
                    false
                })
            };
            match col {
                Col::Village => village = text.to_string(),
                Col::Date => raw.date = text.to_string(),
                Col::Skill(n) => {
                    if flag(&mut problems) {
                        raw.skills.push(*n);
                    }
                }
                Col::Skills => {
                    for part in text.split([',', ';', ' ']).filter(|p| !p.is_empty()) {
                        match part.parse::<i64>() {
                            Ok(n) => raw.skills.push(n),
                            Err(_) => problems.push(problem(
                                line,
                                name,
                                format!(
                                    "{} không phải số thứ tự kỹ năng (ghi ví dụ 1,2,5)",
                                    quoted(part)
                                ),
                            )),
                        }
                    }
                }
                Col::Vneid => raw.vneid = flag(&mut problems),
                Col::App => raw.app = flag(&mut problems),
                Col::Signature => raw.signature = flag(&mut problems),
                Col::Domain => raw.domain = flag(&mut problems),
                Col::Minority => {
                    raw.minority = if text.is_empty() {
                        None
                    } else {
                        Some(flag(&mut problems))
                    }
                }
                Col::BirthYear if text.is_empty() => {}
                Col::BirthYear => match text.trim_end_matches(".0").parse::<i32>() {
                    Ok(y) => raw.birth_year = Some(y),
                    Err(_) => problems.push(problem(
                        line,
                        name,
                        "năm sinh phải là số có 4 chữ số, ví dụ 1958",
                    )),
                },
                Col::AgeBand => raw.age_band = Some(text.to_string()),
                Col::Gender => raw.gender = Some(text.to_string()),
                Col::Cccd => raw.cccd = Some(SecretText::new(text.to_string())),
            }
        }
        if village.is_empty() {
            problems.push(problem(line, "Mã thôn", "thiếu mã thôn, buôn, tổ dân phố"));
        }
        content.update(village.as_bytes());
        let digest: [u8; 32] = content.finalize().into();
        let occurrence = seen.entry(digest).or_default();
        *occurrence += 1;
        raw.id = derived_id(&digest, *occurrence);
        out.push((line, village, raw));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if out.is_empty() {
        return Err(vec![problem(
            0,
            "",
            "tệp không có dòng nào ngoài dòng tiêu đề",
        )]);
    }
    Ok(out)
}

/// A UUID (version 8, "custom") from a row's content digest and its occurrence.
fn derived_id(digest: &[u8; 32], occurrence: u32) -> String {
    let mut h = Sha256::new();
    h.update(digest);
    h.update(occurrence.to_be_bytes());
    let mut b: [u8; 16] = h.finalize()[..16].try_into().expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "Mã thôn,Ngày,KN1,KN2,KN3,KN4,KN5,VNeID,Ứng dụng,Chữ ký số,Tên miền .vn,Năm sinh,Giới tính,Dân tộc thiểu số,CCCD\n\
        T1,16/07/2025,x,x,,,,x,,,,1958,nữ,x,066158000123\n\
        T1,16/07/2025,x,,,,,,,,,,,,\n\
        T1,16/07/2025,x,,,,,,,,,,,,\n";

    #[test]
    fn a_log_reads_with_stable_distinct_ids() {
        let rows = parse(LOG.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        let (line, village, r) = &rows[0];
        assert_eq!((*line, village.as_str()), (2, "T1"));
        assert_eq!(r.skills, [1, 2]);
        assert!(r.vneid && !r.app);
        assert_eq!(r.birth_year, Some(1958));
        assert_eq!(r.minority, Some(true));
        // Two identical rows are two people; the same file again gives the same ids.
        assert_ne!(rows[1].2.id, rows[2].2.id);
        let again = parse(LOG.as_bytes()).unwrap();
        assert_eq!(
            rows.iter().map(|r| &r.2.id).collect::<Vec<_>>(),
            again.iter().map(|r| &r.2.id).collect::<Vec<_>>()
        );
        assert!(hocvuso_core::field::parse_uuid(&rows[0].2.id).is_some());
        // The id does not depend on the CCCD.
        let other = LOG.replace("066158000123", "066158000999");
        assert_eq!(parse(other.as_bytes()).unwrap()[0].2.id, rows[0].2.id);
    }

    #[test]
    fn problems_are_named_by_line_and_column() {
        let bad = "Mã thôn,Ngày,KN1,Cân nặng\nT1,16/07/2025,có lẽ,\n";
        let p = parse(bad.as_bytes()).unwrap_err();
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].row, p[0].column.as_str()), (1, "Cân nặng"));
        let bad = "Mã thôn,Ngày,KN1,Năm sinh\nT1,16/07/2025,có lẽ,195x\n,16/07/2025,x,\n";
        let p: Vec<String> = parse(bad.as_bytes())
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("dòng 2, cột KN1"), "{p:?}");
        assert!(p[1].starts_with("dòng 2, cột Năm sinh"), "{p:?}");
        assert!(p[2].starts_with("dòng 3, cột Mã thôn"), "{p:?}");
        // A citizen number typed in the wrong column is not repeated.
        let bad = "Mã thôn,Ngày,VNeID\nT1,16/07/2025,066158000123\n";
        let p = parse(bad.as_bytes()).unwrap_err();
        assert!(!p[0].message.contains("066158000123"), "{p:?}");
    }
}
