//! Any table of the site as an .xlsx file: a title, Vietnamese headers in a frozen row, numbers kept
//! as numbers with Vietnamese display formats, optional cell colours, column widths that fit.

use rust_xlsxwriter::{Color, Format, FormatAlign, Workbook};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Text,
    /// A number of things ("1.234").
    Count,
    /// A percentage held as its number (45.5 shows as "45,5 %").
    Percent,
    /// A score or other decimal number ("82,7").
    Decimal,
    /// A day, shown dd/mm/yyyy.
    Date,
    /// A moment, shown dd/mm/yyyy hh:mm:ss (local time).
    DateTime,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub header: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    Date(chrono::NaiveDate),
    DateTime(chrono::NaiveDateTime),
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub value: Value,
    /// Background colour ("#F0928A"), if any.
    pub fill: Option<&'static str>,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            value: Value::Text(s.into()),
            fill: None,
        }
    }
    pub fn of(value: Value) -> Cell {
        Cell { value, fill: None }
    }
    pub fn number(v: Option<f64>) -> Cell {
        Cell {
            value: v.map_or(Value::Empty, Value::Number),
            fill: None,
        }
    }
}

pub struct Sheet {
    /// Sheet name (at most 31 characters, no []:*?/\).
    pub name: String,
    /// Lines above the table (title, date, source).
    pub title: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

fn error(e: rust_xlsxwriter::XlsxError) -> String {
    format!("không tạo được tệp Excel: {e}")
}

/// Display width of a text, in Excel's character units.
fn width_of(text: &str) -> f64 {
    text.chars().count() as f64 * 1.1 + 2.0
}

fn excel_time(t: chrono::NaiveDateTime) -> Result<rust_xlsxwriter::ExcelDateTime, String> {
    use chrono::{Datelike, Timelike};
    rust_xlsxwriter::ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
        .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second()))
        .map_err(error)
}

pub fn write(sheet: &Sheet) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(&sheet.name).map_err(error)?;
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color("#EEF1F5");
    let format_of = |kind: Kind, fill: Option<&str>| {
        let f = match kind {
            Kind::Text => Format::new(),
            Kind::Count => Format::new().set_num_format("#,##0"),
            Kind::Percent => Format::new().set_num_format("0.0\" %\""),
            Kind::Decimal => Format::new().set_num_format("0.0"),
            Kind::Date => Format::new().set_num_format("dd/mm/yyyy"),
            Kind::DateTime => Format::new().set_num_format("dd/mm/yyyy hh:mm:ss"),
        };
        match fill {
            Some(c) => f.set_background_color(Color::from(c)),
            None => f,
        }
    };
    for (i, line) in sheet.title.iter().enumerate() {
        let f = if i == 0 { bold.clone() } else { Format::new() };
        ws.write_string_with_format(i as u32, 0, line, &f)
            .map_err(error)?;
    }
    let header_row = sheet.title.len() as u32 + usize::from(!sheet.title.is_empty()) as u32;
    let mut widths: Vec<f64> = sheet
        .columns
        .iter()
        .map(|c| width_of(&c.header).min(24.0))
        .collect();
    for (c, column) in sheet.columns.iter().enumerate() {
        ws.write_string_with_format(header_row, c as u16, &column.header, &header)
            .map_err(error)?;
    }
    // One format per kind and fill, made once: a national table has some 100,000 cells.
    let mut formats: std::collections::HashMap<(Kind, Option<&str>), Format> =
        std::collections::HashMap::new();
    for (r, row) in sheet.rows.iter().enumerate() {
        let at = header_row + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let kind = sheet.columns.get(c).map_or(Kind::Text, |col| col.kind);
            let f = formats
                .entry((kind, cell.fill))
                .or_insert_with(|| format_of(kind, cell.fill));
            match &cell.value {
                Value::Empty => ws.write_blank(at, c as u16, f).map(|_| ()),
                Value::Text(t) => {
                    widths[c] = widths[c].max(width_of(t));
                    ws.write_string_with_format(at, c as u16, t, f).map(|_| ())
                }
                Value::Number(n) => {
                    widths[c] = widths[c].max(10.0);
                    ws.write_number_with_format(at, c as u16, *n, f).map(|_| ())
                }
                Value::Date(d) => {
                    widths[c] = widths[c].max(12.0);
                    ws.write_datetime_with_format(
                        at,
                        c as u16,
                        excel_time(d.and_time(chrono::NaiveTime::MIN))?,
                        f,
                    )
                    .map(|_| ())
                }
                Value::DateTime(t) => {
                    widths[c] = widths[c].max(20.0);
                    ws.write_datetime_with_format(at, c as u16, excel_time(*t)?, f)
                        .map(|_| ())
                }
            }
            .map_err(error)?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, w.min(60.0)).map_err(error)?;
    }
    ws.set_freeze_panes(header_row + 1, 1).map_err(error)?;
    wb.save_to_buffer().map_err(error)
}
