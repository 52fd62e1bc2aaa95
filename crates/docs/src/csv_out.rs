//! The one CSV writer of hocvuso (`hocvuso export`, the audit log, assigned targets): RFC 4180
//! through the `csv` crate, UTF-8, and every text a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return, and not a plain number) prefixed with an
//! apostrophe, so that a unit named "=HYPERLINK(…)" stays text when an official opens the file.

use std::borrow::Cow;
use std::io::Write;

/// A CSV file being written.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

/// Text that spreadsheet programs will not evaluate.
pub fn defuse(field: &str) -> Cow<'_, str> {
    let risky =
        field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field.trim().parse::<f64>().is_err();
    if risky {
        Cow::Owned(format!("'{field}"))
    } else {
        Cow::Borrowed(field)
    }
}

impl<W: Write> CsvWriter<W> {
    /// A writer with `delimiter` (`b','`, or `b';'` where Vietnamese Excel expects it); `bom` starts
    /// the file with a byte-order mark, so that Excel reads it as UTF-8.
    pub fn new(mut out: W, delimiter: u8, bom: bool) -> std::io::Result<CsvWriter<W>> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let inner = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        Ok(CsvWriter { inner })
    }

    pub fn row<I, S>(&mut self, fields: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner
            .write_record(fields.into_iter().map(|f| defuse(f.as_ref()).into_owned()))
            .map_err(std::io::Error::other)
    }

    /// Flushes and hands back the output.
    pub fn finish(self) -> std::io::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// A whole CSV file in memory (downloads).
pub fn to_string<R, I, S>(header: &[&str], rows: R, delimiter: u8) -> String
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut w = CsvWriter::new(Vec::new(), delimiter, true).expect("writing to memory");
    w.row(header).expect("writing to memory");
    for row in rows {
        w.row(row).expect("writing to memory");
    }
    String::from_utf8(w.finish().expect("writing to memory")).expect("UTF-8 fields")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_fields_quoted() {
        let text = to_string(
            &["a", "b"],
            [
                ["=1+1", "a\"b"],
                ["@SUM(A1)", "Đắk Lắk, Việt Nam"],
                ["-5", "+84 912"],
                ["\tx", "-cmd"],
            ],
            b',',
        );
        assert_eq!(
            text,
            "\u{feff}a,b\r\n'=1+1,\"a\"\"b\"\r\n'@SUM(A1),\"Đắk Lắk, Việt Nam\"\r\n-5,'+84 912\r\n'\tx,'-cmd\r\n"
        );
    }

    #[test]
    fn a_csv_reader_reads_back_what_was_written() {
        let text = to_string(&["x"], [["a;b\nc"], ["=2"]], b';');
        let mut r = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<String> = r.records().map(|r| r.unwrap()[0].to_string()).collect();
        assert_eq!(rows, ["a;b\nc", "'=2"]);
    }
}
