//! Workbooks for tests: a minimal xlsx writer independent of the one
//! that makes the templates (raw XML in a zip), and calamine to read workbooks back as grids.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::io::{Cursor, Write};

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

pub type Grid = Vec<Vec<Cell>>;

fn letter(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A minimal, independent xlsx writer: inline strings and numbers, no styles.
pub fn write_xlsx(sheets: &[(&str, &Grid)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut file = |name: &str, body: String| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    file(
        "[Content_Types].xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#
        ),
    );
    file("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into());
    let sheet_list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(
                r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#,
                escape(name),
                i + 1,
                i + 1
            )
        })
        .collect();
    file(
        "xl/workbook.xml",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheet_list}</sheets></workbook>"#
        ),
    );
    let rels: String = (1..=sheets.len())
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    file(
        "xl/_rels/workbook.xml.rels",
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    for (i, (_, grid)) in sheets.iter().enumerate() {
        let mut rows = String::new();
        for (r, cells) in grid.iter().enumerate() {
            let mut row = format!(r#"<row r="{}">"#, r + 1);
            for (c, cell) in cells.iter().enumerate() {
                let at = format!("{}{}", letter(c), r + 1);
                match cell {
                    Cell::Empty => {}
                    Cell::Text(t) => row.push_str(&format!(
                        r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                        escape(t)
                    )),
                    Cell::Number(n) => row.push_str(&format!(r#"<c r="{at}"><v>{n}</v></c>"#)),
                }
            }
            row.push_str("</row>");
            rows.push_str(&row);
        }
        file(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
            ),
        );
    }
    zip.finish().unwrap().into_inner()
}

/// Every sheet of a workbook as a grid of cells (read with calamine).
pub fn read_grids(bytes: &[u8]) -> Vec<(String, Grid)> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).unwrap();
            let (h, w) = range
                .end()
                .map_or((0, 0), |(r, c)| (r as usize + 1, c as usize + 1));
            let grid = (0..h)
                .map(|r| {
                    (0..w)
                        .map(|c| match range.get_value((r as u32, c as u32)) {
                            Some(Data::String(s)) => Cell::Text(s.clone()),
                            Some(Data::Float(f)) => Cell::Number(*f),
                            Some(Data::Int(i)) => Cell::Number(*i as f64),
                            _ => Cell::Empty,
                        })
                        .collect()
                })
                .collect();
            (name, grid)
        })
        .collect()
}

pub fn set(grid: &mut Grid, cell: &str, value: Cell) {
    let col = cell
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .fold(0usize, |a, c| a * 26 + (c as u8 - b'A' + 1) as usize)
        - 1;
    let row: usize = cell
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<usize>()
        .unwrap()
        - 1;
    while grid.len() <= row {
        grid.push(Vec::new());
    }
    while grid[row].len() <= col {
        grid[row].push(Cell::Empty);
    }
    grid[row][col] = value;
}
