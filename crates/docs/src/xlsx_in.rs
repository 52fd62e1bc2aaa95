//! Uploaded .xlsx files, read within bounds. An .xlsx is a zip archive whose members may inflate a
//! thousandfold (a 2 MB file can hold a 2 GB sheet), so a file is measured by what it expands to
//! before anything parses it, and a sheet is read cell by cell, stopping at a number of rows and
//! cells. Every reader of uploads ([`crate::report_xlsx`], [`crate::table`]) opens files here.

use calamine::{Cell, Data, Range, Xlsx, open_workbook_from_rs};
use std::io::{Cursor, Read};

/// Largest file accepted, as sent.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Largest size one member of the archive (a sheet, the shared strings) may inflate to.
pub const MAX_MEMBER_BYTES: u64 = 64 * 1024 * 1024;
/// Largest size all members together may inflate to.
pub const MAX_INFLATED_BYTES: u64 = 128 * 1024 * 1024;
/// Most members an archive may have (a workbook has a few dozen).
pub const MAX_MEMBERS: usize = 2_000;
/// Most rows read from one sheet.
pub const MAX_ROWS: u32 = 100_001;
/// Most cells read from one sheet.
pub const MAX_CELLS: usize = 2_000_000;

type Workbook<'a> = Xlsx<Cursor<&'a [u8]>>;

fn mb(bytes: u64) -> String {
    format!("{} MB", bytes / 1_048_576)
}

/// Opens an uploaded workbook after checking its size as sent and as inflated, member by member
/// (each member is inflated into nothing, counting, so memory stays flat whatever it claims).
pub fn open(bytes: &[u8]) -> Result<Workbook<'_>, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "tệp lớn {:.1} MB, vượt giới hạn {}",
            bytes.len() as f64 / 1_048_576.0,
            mb(MAX_FILE_BYTES as u64)
        ));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err("tệp không phải Excel .xlsx (hãy lưu dạng “Excel Workbook (*.xlsx)”, không phải .xls hay .csv)".into());
    }
    let broken = |e: &dyn std::fmt::Display| format!("tệp .xlsx bị hỏng, không đọc được: {e}");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    if archive.len() > MAX_MEMBERS {
        return Err(format!(
            "tệp .xlsx có {} phần, vượt giới hạn {MAX_MEMBERS} phần",
            archive.len()
        ));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let member = archive.by_index(i).map_err(|e| broken(&e))?;
        let name = member.name().map_err(|e| broken(&e))?.into_owned();
        let inflated = std::io::copy(&mut member.take(MAX_MEMBER_BYTES + 1), &mut std::io::sink())
            .map_err(|e| broken(&e))?;
        if inflated > MAX_MEMBER_BYTES {
            return Err(format!(
                "phần «{name}» của tệp giải nén ra hơn {}, vượt giới hạn {} cho mỗi phần; hãy xóa bớt dòng, cột hoặc định dạng thừa rồi lưu lại",
                mb(MAX_MEMBER_BYTES),
                mb(MAX_MEMBER_BYTES)
            ));
        }
        total += inflated;
        if total > MAX_INFLATED_BYTES {
            return Err(format!(
                "tệp giải nén ra hơn {}, vượt giới hạn {}; hãy xóa bớt dòng, cột hoặc định dạng thừa rồi lưu lại",
                mb(MAX_INFLATED_BYTES),
                mb(MAX_INFLATED_BYTES)
            ));
        }
    }
    open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| broken(&e))
}

/// One sheet's cells, read one by one up to [`MAX_ROWS`] rows and [`MAX_CELLS`] cells.
pub fn sheet(wb: &mut Workbook<'_>, name: &str) -> Result<Range<Data>, SheetError> {
    let mut reader = wb
        .worksheet_cells_reader(name)
        .map_err(|_| SheetError::Missing)?;
    let mut cells = Vec::new();
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| SheetError::Unreadable(e.to_string()))?
    {
        let (row, col) = cell.get_position();
        if row >= MAX_ROWS {
            return Err(SheetError::TooBig(format!(
                "trang «{name}» có hơn {} dòng, vượt giới hạn; hãy chia thành nhiều tệp",
                MAX_ROWS - 1
            )));
        }
        if cells.len() >= MAX_CELLS {
            return Err(SheetError::TooBig(format!(
                "trang «{name}» có hơn {MAX_CELLS} ô có dữ liệu, vượt giới hạn; hãy chia thành nhiều tệp"
            )));
        }
        let value = Data::from(cell.get_value().clone());
        if value != Data::Empty {
            cells.push(Cell::new((row, col), value));
        }
    }
    Ok(Range::from_sparse(cells))
}

/// The first sheet of a workbook (see [`sheet`]).
pub fn first_sheet(wb: &mut Workbook<'_>) -> Result<Range<Data>, SheetError> {
    use calamine::Reader;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or(SheetError::Missing)?;
    sheet(wb, &name)
}

/// Why a sheet could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum SheetError {
    Missing,
    Unreadable(String),
    TooBig(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A zip archive with one member of `size` zero bytes, deflated (about 1 KB per MB).
    fn inflating(name: &str, size: usize) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options).unwrap();
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..size / chunk.len() {
            zip.write_all(&chunk).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_member_inflating_past_the_limit_is_refused_by_name() {
        let bomb = inflating("xl/worksheets/sheet1.xml", 80 << 20);
        assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
        let e = open(&bomb).err().unwrap();
        assert!(e.contains("«xl/worksheets/sheet1.xml»"), "{e}");
        assert!(e.contains("64 MB"), "{e}");
    }

    #[test]
    fn files_over_the_size_limit_or_not_zip_are_refused() {
        let e = open(&vec![b'P'; MAX_FILE_BYTES + 1]).err().unwrap();
        assert!(e.contains("vượt giới hạn 5 MB"), "{e}");
        let e = open(b"a,b\n1,2\n").err().unwrap();
        assert!(e.contains("không phải Excel"), "{e}");
    }
}
