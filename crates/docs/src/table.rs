//! A plain table from a CSV or an .xlsx file (the first sheet): a header row, then data rows with
//! their line numbers, every cell as text. For small tables officials keep in Excel, such as the
//! per-unit assigned targets.

use calamine::Data;
use chrono::NaiveDate;
use hocvuso_core::input::RowProblem;

/// Largest file accepted.
pub const MAX_TABLE_BYTES: usize = 5 * 1024 * 1024;
const MAX_ROWS: usize = 100_000;

pub type Rows = Vec<(usize, Vec<String>)>;

fn whole(message: impl Into<String>) -> Vec<RowProblem> {
    vec![RowProblem {
        row: 0,
        column: String::new(),
        message: message.into(),
    }]
}

/// Reads the header and the rows of a CSV (UTF-8, `,` `;` or tab) or of the first sheet of an .xlsx.
pub fn read_table(bytes: &[u8]) -> Result<(Vec<String>, Rows), Vec<RowProblem>> {
    if bytes.len() > MAX_TABLE_BYTES {
        return Err(whole(format!(
            "tệp lớn {:.1} MB, vượt giới hạn {} MB",
            bytes.len() as f64 / 1_048_576.0,
            MAX_TABLE_BYTES / 1_048_576
        )));
    }
    let (header, rows) = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else {
        read_csv(bytes)?
    };
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(whole("tệp trống: dòng đầu phải là dòng tiêu đề các cột"));
    }
    if rows.len() > MAX_ROWS {
        return Err(whole(format!("tệp có quá {MAX_ROWS} dòng")));
    }
    Ok((header, rows))
}

fn read_csv(bytes: &[u8]) -> Result<(Vec<String>, Rows), Vec<RowProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(whole(
            "tệp không phải .xlsx, cũng không phải văn bản CSV UTF-8; trong Excel hãy lưu dạng “Excel Workbook (*.xlsx)” hoặc “CSV UTF-8”",
        ));
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) => records.push((i + 1, r.iter().map(|c| c.trim().to_string()).collect())),
            Err(e) => {
                return Err(vec![RowProblem {
                    row: i + 1,
                    column: String::new(),
                    message: format!("dòng CSV hỏng: {e}"),
                }]);
            }
        }
    }
    let mut records = records.into_iter();
    let header = records.next().map(|(_, h)| h).unwrap_or_default();
    Ok((header, records.collect()))
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        // Excel keeps dates as day numbers from 30/12/1899.
        Data::DateTime(dt) => NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| {
                epoch.checked_add_days(chrono::Days::new(dt.as_f64().floor().max(0.0) as u64))
            })
            .map_or(String::new(), |day| day.format("%d/%m/%Y").to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<(Vec<String>, Rows), Vec<RowProblem>> {
    use crate::xlsx_in::SheetError;
    let mut wb = crate::xlsx_in::open(bytes).map_err(whole)?;
    let sheet = match crate::xlsx_in::first_sheet(&mut wb) {
        Ok(sheet) => sheet,
        Err(SheetError::Missing) => return Err(whole("tệp .xlsx không có trang tính nào")),
        Err(SheetError::Unreadable(e)) => {
            return Err(whole(format!("tệp .xlsx bị hỏng, không đọc được: {e}")));
        }
        Err(SheetError::TooBig(e)) => return Err(whole(e)),
    };
    // Line numbers as Excel shows them, from the sheet's first used row.
    let first = sheet.start().map_or(0, |(r, _)| r as usize);
    let lead = sheet.start().map_or(0, |(_, c)| c as usize);
    let mut rows = sheet.rows().enumerate().map(|(i, r)| {
        let mut cells = vec![String::new(); lead];
        cells.extend(r.iter().map(cell_text));
        (first + i + 1, cells)
    });
    let header = rows.next().map(|(_, h)| h).unwrap_or_default();
    Ok((header, rows.collect()))
}
