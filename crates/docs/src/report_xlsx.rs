//! The weekly report as an Excel workbook: a pre-filled template for a unit and week, and the import
//! of a filled one. The import reads what officials really type ("1.234", "1 234", "45,5%", numbers
//! stored as text, stray spaces) and refuses, with the sheet, row and column, a file that is not .xlsx,
//! a template of another unit, week or plan, a changed layout, or a file that is too large. Value rules
//! (negative, numerator above denominator, warnings) are the shared ones of `hocvuso_core::report`,
//! applied by the caller; [`Template::cell_of`] places their findings back on cells.

use crate::xlsx_in::SheetError;
use calamine::Data;
use chrono::NaiveDate;
use hocvuso_core::input::parse_count;
use hocvuso_core::report::Figure;
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Workbook};
use std::collections::BTreeMap;

/// Largest workbook accepted, in bytes.
pub const MAX_XLSX_BYTES: usize = crate::xlsx_in::MAX_FILE_BYTES;
const SHEET: &str = "Báo cáo";
const META: &str = "_hocvuso";
const HEADER_ROW: u32 = 4;
const FIRST_ROW: u32 = 5;

/// One indicator column group of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub indicator: String,
    pub title: String,
    pub has_denominator: bool,
}

/// One row: a unit the reporter writes figures for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    pub code: String,
    pub name: String,
    /// Last figures, to pre-fill: indicator → (numerator, denominator).
    pub last: BTreeMap<String, (f64, Option<f64>)>,
    /// Registered denominators by indicator, to turn a typed percentage into a count.
    pub registered: BTreeMap<String, f64>,
}

/// What a template is for: plan, week, reporting unit, columns and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub plan_code: String,
    pub plan_title: String,
    pub week: NaiveDate,
    pub reporter_code: String,
    pub reporter_name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// A problem in an uploaded workbook, placed on a cell when it concerns one.
#[derive(Debug, Clone, PartialEq)]
pub struct CellProblem {
    pub sheet: String,
    /// Cell reference ("D7"), or empty for the file as a whole.
    pub cell: String,
    pub message: String,
}

impl std::fmt::Display for CellProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cell.is_empty() {
            true => f.write_str(&self.message),
            false => write!(
                f,
                "trang «{}», ô {}: {}",
                self.sheet, self.cell, self.message
            ),
        }
    }
}

/// The figures read for one row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportedRow {
    pub code: String,
    /// Spreadsheet row number (1-based).
    pub row: u32,
    pub figures: BTreeMap<String, Figure>,
    /// The row's note, applied to each of its indicators (to explain warnings).
    pub note: String,
}

impl ImportedRow {
    /// The comment of each indicator of the row: its note, on every figure it has.
    pub fn comments(&self) -> BTreeMap<String, String> {
        if self.note.is_empty() {
            return BTreeMap::new();
        }
        self.figures
            .keys()
            .map(|k| (k.clone(), self.note.clone()))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Imported {
    pub rows: Vec<ImportedRow>,
    pub difficulties: String,
    pub proposals: String,
}

/// Column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(mut index: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

impl Template {
    /// Header texts, in column order.
    fn headers(&self) -> Vec<String> {
        let mut h = vec!["Mã đơn vị".to_string(), "Tên đơn vị".to_string()];
        for c in &self.columns {
            h.push(format!("{} – {}", c.indicator, c.title));
            if c.has_denominator {
                h.push(format!("{} – mẫu số", c.indicator));
            }
        }
        h.push(
            "Ghi chú (bắt buộc khi số liệu giảm, tăng đột biến hoặc mẫu số đổi hơn 10 %)".into(),
        );
        h
    }

    /// (numerator column, denominator column) of an indicator, 0-based.
    fn columns_of(&self, indicator: &str) -> Option<(u32, Option<u32>)> {
        let mut col = 2;
        for c in &self.columns {
            let den = c.has_denominator.then_some(col + 1);
            if c.indicator == indicator {
                return Some((col, den));
            }
            col += if c.has_denominator { 2 } else { 1 };
        }
        None
    }

    fn note_column(&self) -> u32 {
        2 + self
            .columns
            .iter()
            .map(|c| if c.has_denominator { 2 } else { 1 })
            .sum::<u32>()
    }

    /// The cell of an indicator's figure on a spreadsheet row ("F6"), to place a finding.
    pub fn cell_of(&self, row: u32, indicator: &str) -> String {
        self.columns_of(indicator)
            .map_or(String::new(), |(c, _)| format!("{}{row}", column_letter(c)))
    }

    fn signature(&self) -> String {
        self.columns
            .iter()
            .map(|c| {
                format!(
                    "{}{}",
                    c.indicator,
                    if c.has_denominator { ":d" } else { "" }
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Rows of the difficulties and proposals cells (label in A, text in B), 0-based.
    fn text_rows(&self) -> (u32, u32) {
        let after = FIRST_ROW + self.rows.len() as u32 + 2;
        (after, after + 1)
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> String {
    format!("không tạo được tệp Excel: {e}")
}

/// The pre-filled template: last figures in the value cells, validation that refuses negatives and
/// text, a frozen header, and a hidden sheet that says which plan, week and unit it belongs to.
pub fn write_template(t: &Template) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#EEF1F5");
    let number = Format::new().set_num_format("#,##0");
    let ws = wb.add_worksheet().set_name(SHEET).map_err(xlsx_error)?;
    ws.write_string_with_format(0, 0, format!("Báo cáo tuần – {}", t.plan_title), &bold)
        .map_err(xlsx_error)?;
    ws.write_string(
        1,
        0,
        format!(
            "Đơn vị báo cáo: {} (mã {}) · Kỳ báo cáo: {}",
            t.reporter_name,
            t.reporter_code,
            hocvuso_core::format::date(t.week)
        ),
    )
    .map_err(xlsx_error)?;
    ws.write_string(
        2,
        0,
        "Nhập số cộng dồn từ đầu chiến dịch; để trống ô chưa báo cáo. Không thêm, xóa hay đổi thứ tự cột và dòng.",
    )
    .map_err(xlsx_error)?;
    for (i, h) in t.headers().iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, i as u16, h, &header)
            .map_err(xlsx_error)?;
        ws.set_column_width(i as u16, if i == 1 { 32 } else { 16 })
            .map_err(xlsx_error)?;
    }
    ws.set_row_height(HEADER_ROW, 60).map_err(xlsx_error)?;
    ws.set_freeze_panes(FIRST_ROW, 2).map_err(xlsx_error)?;
    for (r, row) in t.rows.iter().enumerate() {
        let at = FIRST_ROW + r as u32;
        ws.write_string(at, 0, &row.code).map_err(xlsx_error)?;
        ws.write_string(at, 1, &row.name).map_err(xlsx_error)?;
        for c in &t.columns {
            let (nc, dc) = t.columns_of(&c.indicator).expect("own column");
            if let Some((n, d)) = row.last.get(&c.indicator) {
                ws.write_number_with_format(at, nc as u16, *n, &number)
                    .map_err(xlsx_error)?;
                if let (Some(dc), Some(d)) = (dc, d) {
                    ws.write_number_with_format(at, dc as u16, *d, &number)
                        .map_err(xlsx_error)?;
                }
            }
        }
    }
    if !t.rows.is_empty() {
        let last_row = FIRST_ROW + t.rows.len() as u32 - 1;
        let validation = DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_error_message("Nhập một số không âm (ví dụ 1234).")
            .map_err(xlsx_error)?;
        ws.add_data_validation(
            FIRST_ROW,
            2,
            last_row,
            (t.note_column() - 1) as u16,
            &validation,
        )
        .map_err(xlsx_error)?;
    }
    let (difficulties, proposals) = t.text_rows();
    ws.write_string_with_format(difficulties, 0, "Khó khăn, vướng mắc", &bold)
        .map_err(xlsx_error)?;
    ws.write_string_with_format(proposals, 0, "Đề xuất giải pháp", &bold)
        .map_err(xlsx_error)?;

    let meta = wb.add_worksheet().set_name(META).map_err(xlsx_error)?;
    let pairs = [
        ("format", "1".to_string()),
        ("plan", t.plan_code.clone()),
        ("week", t.week.to_string()),
        ("reporter", t.reporter_code.clone()),
        ("columns", t.signature()),
        (
            "rows",
            t.rows
                .iter()
                .map(|r| r.code.clone())
                .collect::<Vec<_>>()
                .join(","),
        ),
    ];
    for (i, (k, v)) in pairs.iter().enumerate() {
        meta.write_string(i as u32, 0, *k).map_err(xlsx_error)?;
        meta.write_string(i as u32, 1, v).map_err(xlsx_error)?;
    }
    meta.set_hidden(true);
    wb.save_to_buffer().map_err(xlsx_error)
}

fn text_of(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

enum Cell {
    Empty,
    Count(f64),
    Percent(f64),
}

/// A figure cell as officials type it.
fn read_cell(d: Option<&Data>) -> Result<Cell, String> {
    match d {
        None | Some(Data::Empty) => Ok(Cell::Empty),
        Some(Data::Float(f)) => Ok(Cell::Count(*f)),
        Some(Data::Int(i)) => Ok(Cell::Count(*i as f64)),
        Some(Data::String(s)) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(Cell::Empty);
            }
            if let Some(p) = t.strip_suffix('%') {
                let p = p.trim().replace(['.', ' ', '\u{a0}'], "").replace(',', ".");
                return p
                    .parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite())
                    .map(Cell::Percent)
                    .ok_or_else(|| format!("«{t}» không phải tỷ lệ phần trăm"));
            }
            parse_count(t).map(Cell::Count)
        }
        Some(other) => Err(format!("«{other}» không phải số")),
    }
}

/// Reads a filled template. Every problem of the file is returned at once; nothing is returned when
/// there is any.
pub fn read_workbook(bytes: &[u8], t: &Template) -> Result<Imported, Vec<CellProblem>> {
    let whole = |message: String| {
        vec![CellProblem {
            sheet: String::new(),
            cell: String::new(),
            message,
        }]
    };
    let mut wb = crate::xlsx_in::open(bytes).map_err(whole)?;
    let meta = match crate::xlsx_in::sheet(&mut wb, META) {
        Ok(meta) => meta,
        Err(SheetError::Missing) => {
            return Err(whole("tệp không phải mẫu báo cáo của hệ thống (thiếu trang ẩn _hocvuso); hãy tải mẫu từ trang báo cáo".into()));
        }
        Err(SheetError::Unreadable(e)) => {
            return Err(whole(format!("tệp .xlsx bị hỏng, không đọc được: {e}")));
        }
        Err(SheetError::TooBig(e)) => return Err(whole(e)),
    };
    let value = |key: &str| {
        (0..meta.height() as u32)
            .find(|r| text_of(meta.get_value((*r, 0))) == key)
            .map(|r| text_of(meta.get_value((r, 1))))
    };
    let mut problems = Vec::new();
    if value("plan").as_deref() != Some(t.plan_code.as_str()) {
        problems.push(format!(
            "tệp mẫu của kế hoạch «{}», không phải «{}»",
            value("plan").unwrap_or_default(),
            t.plan_code
        ));
    }
    if value("reporter").as_deref() != Some(t.reporter_code.as_str()) {
        problems.push(format!(
            "tệp mẫu của đơn vị mã «{}», không phải của {} (mã {})",
            value("reporter").unwrap_or_default(),
            t.reporter_name,
            t.reporter_code
        ));
    }
    if value("week").as_deref() != Some(t.week.to_string().as_str()) {
        let shown = value("week")
            .and_then(|w| w.parse().ok())
            .map_or("không rõ".to_string(), hocvuso_core::format::date);
        problems.push(format!(
            "tệp mẫu của kỳ báo cáo {shown}, không phải kỳ {}",
            hocvuso_core::format::date(t.week)
        ));
    }
    if value("columns").as_deref() != Some(t.signature().as_str()) {
        problems.push(
            "các chỉ tiêu của mẫu đã thay đổi (kế hoạch được cập nhật); hãy tải mẫu mới".into(),
        );
    }
    if !problems.is_empty() {
        return Err(problems.into_iter().flat_map(whole).collect());
    }
    let sheet = match crate::xlsx_in::sheet(&mut wb, SHEET) {
        Ok(sheet) => sheet,
        Err(SheetError::Missing) => {
            return Err(whole(format!(
                "thiếu trang «{SHEET}»; không đổi tên hay xóa trang của mẫu"
            )));
        }
        Err(SheetError::Unreadable(e)) => {
            return Err(whole(format!("tệp .xlsx bị hỏng, không đọc được: {e}")));
        }
        Err(SheetError::TooBig(e)) => return Err(whole(e)),
    };
    let cell_problem = |row: u32, col: u32, message: String| CellProblem {
        sheet: SHEET.into(),
        cell: format!("{}{}", column_letter(col), row + 1),
        message,
    };
    let mut problems = Vec::new();
    for (i, expected) in t.headers().iter().enumerate() {
        let found = text_of(sheet.get_value((HEADER_ROW, i as u32)));
        if found != *expected {
            problems.push(cell_problem(
                HEADER_ROW,
                i as u32,
                format!("bố cục đã bị thay đổi: cần «{expected}», đang là «{found}»"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut imported = Imported::default();
    let (difficulties_row, proposals_row) = t.text_rows();
    for (r, expected) in t.rows.iter().enumerate() {
        let at = FIRST_ROW + r as u32;
        let code = text_of(sheet.get_value((at, 0)));
        if code != expected.code {
            problems.push(cell_problem(
                at,
                0,
                format!(
                    "cần mã đơn vị «{}», đang là «{code}»; không thêm, xóa hay đổi thứ tự dòng",
                    expected.code
                ),
            ));
            continue;
        }
        let mut row = ImportedRow {
            code,
            row: at + 1,
            note: text_of(sheet.get_value((at, t.note_column()))),
            ..Default::default()
        };
        for c in &t.columns {
            let (nc, dc) = t.columns_of(&c.indicator).expect("own column");
            let denominator = match dc.map(|dc| (dc, read_cell(sheet.get_value((at, dc))))) {
                None | Some((_, Ok(Cell::Empty))) => None,
                Some((_, Ok(Cell::Count(d)))) => Some(d),
                Some((dc, Ok(Cell::Percent(_)))) => {
                    problems.push(cell_problem(
                        at,
                        dc,
                        "mẫu số là số người, không phải tỷ lệ %".into(),
                    ));
                    continue;
                }
                Some((dc, Err(m))) => {
                    problems.push(cell_problem(at, dc, m));
                    continue;
                }
            };
            let numerator = match read_cell(sheet.get_value((at, nc))) {
                Ok(Cell::Empty) => continue,
                Ok(Cell::Count(n)) => n,
                Ok(Cell::Percent(p)) => {
                    match denominator.or(expected.registered.get(&c.indicator).copied()) {
                        Some(d) if c.has_denominator => (p / 100.0 * d).round(),
                        _ => {
                            problems.push(cell_problem(
                                at,
                                nc,
                                format!("«{p}%»: chỉ tiêu này cần số lượng, không phải tỷ lệ %"),
                            ));
                            continue;
                        }
                    }
                }
                Err(m) => {
                    problems.push(cell_problem(at, nc, m));
                    continue;
                }
            };
            row.figures.insert(
                c.indicator.clone(),
                Figure {
                    numerator,
                    denominator,
                },
            );
        }
        imported.rows.push(row);
    }
    // Anything typed below the expected rows would be lost: refuse it.
    for extra in FIRST_ROW + t.rows.len() as u32..difficulties_row {
        if !text_of(sheet.get_value((extra, 0))).is_empty() {
            problems.push(cell_problem(
                extra,
                0,
                "dòng thêm ngoài mẫu; không thêm dòng".into(),
            ));
        }
    }
    imported.difficulties = text_of(sheet.get_value((difficulties_row, 1)));
    imported.proposals = text_of(sheet.get_value((proposals_row, 1)));
    if problems.is_empty() {
        Ok(imported)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::column_letter;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
