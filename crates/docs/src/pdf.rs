//! An official document (`hocvuso_core::official`) as a PDF file in the form of Nghị định
//! 30/2020/NĐ-CP, typeset by typst with Liberation Serif embedded (`crate::fonts`), so that every
//! Vietnamese letter shows and can be copied back as text.
//!
//! The layout is the typst template `official.typ`; what the document says goes in as JSON data
//! and SVG pictures (`sys.inputs`), never as markup, so no text of a unit can change the layout.

use crate::fonts;
use hocvuso_core::official::{Block, Document, MOTTO_1, MOTTO_2, RECIPIENTS, layout};
use serde_json::{Value as Json, json};
use std::path::PathBuf;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Array, Bytes, Datetime, Dict, IntoValue, Str, Value};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

const TEMPLATE: &str = include_str!("official.typ");

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = fonts::SERIF_FACES
        .iter()
        .flat_map(|face| Font::iter(Bytes::new(*face)))
        .collect();
    let mut book = FontBook::new();
    for font in &fonts {
        book.push(font.info().clone());
    }
    Fonts {
        book: LazyHash::new(book),
        fonts,
    }
});

/// The template and the document's data: nothing else can be read.
struct OfficialWorld {
    library: LazyHash<Library>,
    main: Source,
}

impl World for OfficialWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(PathBuf::from(format!("{id:?}"))))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Err(FileError::NotFound(PathBuf::from(format!("{id:?}"))))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// The document as the data the template reads, and its pictures in order.
fn data(doc: &Document) -> (Json, Vec<Vec<u8>>) {
    let mut pictures = Vec::new();
    let body: Vec<Json> = doc
        .body
        .iter()
        .map(|b| match b {
            Block::Heading(t) => json!({"type": "heading", "text": t}),
            Block::Paragraph(t) => json!({"type": "paragraph", "text": t}),
            Block::Item(t) => json!({"type": "item", "text": t}),
            Block::Table(t) => json!({
                "type": "table",
                "headers": t.headers,
                "widths": t.widths,
                "numeric": t.numeric,
                "rows": t.rows,
            }),
            Block::Picture {
                svg,
                width_mm,
                caption,
                ..
            } => {
                pictures.push(svg.as_bytes().to_vec());
                json!({
                    "type": "picture",
                    "picture": pictures.len() - 1,
                    "width_mm": width_mm,
                    "caption": caption,
                })
            }
        })
        .collect();
    let l = &doc.letterhead;
    let data = json!({
        "font": fonts::SERIF,
        "layout": {
            "top": layout::TOP_MM,
            "bottom": layout::BOTTOM_MM,
            "left": layout::LEFT_MM,
            "right": layout::RIGHT_MM,
            "body": layout::BODY_PT,
            "small": layout::SMALL_PT,
            "head": layout::HEAD_PT,
            "table": layout::TABLE_PT,
            "recipients": layout::RECIPIENTS_PT,
            "recipients_title": layout::RECIPIENTS_TITLE_PT,
            "indent": layout::INDENT_MM,
            "letterhead_width": layout::LETTERHEAD_WIDTH_MM,
            "closing_width": layout::CLOSING_WIDTH_MM,
        },
        "letterhead": {
            "parent_body": l.parent_body,
            "issuer": l.issuer,
            "signer_authority": l.signer_authority,
            "signer_title": l.signer_title,
            "signer_name": l.signer_name,
            "recipients": l.recipients,
        },
        "motto": [MOTTO_1, MOTTO_2],
        "number_line": doc.number_line(),
        "date_line": doc.date_line(),
        "kind": doc.kind,
        "subject": doc.subject,
        "notice": doc.notice,
        "body": body,
        "recipients_title": RECIPIENTS,
    });
    (data, pictures)
}

/// The document as the bytes of a PDF file.
pub fn write(doc: &Document) -> Result<Vec<u8>, String> {
    let (data, pictures) = data(doc);
    let mut inputs = Dict::new();
    inputs.insert(
        Str::from("doc"),
        Value::Str(Str::from(data.to_string().as_str())),
    );
    inputs.insert(
        Str::from("pictures"),
        Value::Array(
            pictures
                .into_iter()
                .map(|p| Bytes::new(p).into_value())
                .collect::<Array>(),
        ),
    );
    let main = VirtualPath::new("official.typ").map_err(|e| format!("{e:?}"))?;
    let world = OfficialWorld {
        library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
        main: Source::new(
            RootedPath::new(VirtualRoot::Project, main).intern(),
            TEMPLATE.to_string(),
        ),
    };
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // Compilations share typst's caches; keep them from growing without bound in a server.
    typst::comemo::evict(10);
    let paged = compiled.map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        format!("không dàn trang được tệp PDF: {}", messages.join("; "))
    })?;
    typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
        format!("không tạo được tệp PDF: {}", messages.join("; "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Series, stacked_bars};
    use chrono::NaiveDate;
    use hocvuso_core::official::{Letterhead, Table};
    use hocvuso_core::units::UnitKind;

    fn sample(body: Vec<Block>) -> Document {
        let mut letterhead =
            Letterhead::default_for(UnitKind::Province, "Tỉnh Đắk Lắk", "Đắk Lắk", "Đắk Lắk");
        letterhead.signer_name = "Nguyễn Văn Ấn".into();
        Document {
            letterhead,
            number: None,
            date: NaiveDate::from_ymd_opt(2025, 10, 24).unwrap(),
            kind: "BÁO CÁO".into(),
            subject: "Kết quả Bình dân học vụ số tuần 12".into(),
            body,
            notice: Some("Số liệu giả lập".into()),
        }
    }

    /// The text a reader extracts, with runs of white space as one space.
    fn text(pdf: &[u8]) -> String {
        let raw = pdf_extract::extract_text_from_mem(pdf).expect("a reader opens the file");
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn a_reader_gets_back_the_vietnamese_text_with_its_diacritics() {
        let chart = stacked_bars(
            &["T1".into(), "T2".into()],
            &[Series {
                name: "Đạt".into(),
                colour: "#7cc48f".into(),
                values: vec![3.0, 5.0],
            }],
        );
        let doc = sample(vec![
            Block::Heading("I. KẾT QUẢ CHUNG".into()),
            Block::Paragraph("Tỉnh Đắk Lắk đã hướng dẫn 1.234 người.".into()),
            Block::Item("Tiếp tục triển khai.".into()),
            Block::Table(Table {
                headers: vec!["Mã".into(), "Chỉ tiêu".into(), "Tỷ lệ".into()],
                widths: vec![1, 4, 1],
                numeric: vec![false, false, true],
                rows: vec![vec![
                    "1.1".into(),
                    "Phổ cập kỹ năng số".into(),
                    "45,5 %".into(),
                ]],
            }),
            Block::Picture {
                svg: chart,
                width_mm: 150,
                height_mm: 75,
                caption: "Hình 1. Tiến độ các chỉ tiêu".into(),
            },
        ]);
        let pdf = write(&doc).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = text(&pdf);
        for expected in [
            "UBND TỈNH ĐẮK LẮK",
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            MOTTO_1,
            MOTTO_2,
            "Đắk Lắk, ngày 24 tháng 10 năm 2025",
            "Kết quả Bình dân học vụ số tuần 12",
            "Số liệu giả lập",
            "I. KẾT QUẢ CHUNG",
            "Tỉnh Đắk Lắk đã hướng dẫn 1.234 người.",
            "- Tiếp tục triển khai.",
            "Phổ cập kỹ năng số",
            "45,5 %",
            "Hình 1. Tiến độ các chỉ tiêu",
            "Nơi nhận:",
            "- Lưu: VT.",
            "KT. GIÁM ĐỐC",
            "Nguyễn Văn Ấn",
        ] {
            assert!(
                text.contains(expected),
                "«{expected}» missing from:\n{text}"
            );
        }
        // The font travels with the file.
        let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"LiberationSerif"), "font not named");
        assert!(has(b"/FontFile2"), "font not embedded");
    }

    #[test]
    fn text_that_looks_like_markup_stays_text() {
        let hostile = r#"#panic("x") *đậm* $x^2$ ] [ \ <b> "ngoặc" // chú thích"#;
        let mut doc = sample(vec![
            Block::Heading(hostile.into()),
            Block::Paragraph(hostile.into()),
        ]);
        doc.letterhead.issuer = hostile.into();
        let text = text(&write(&doc).unwrap());
        assert!(text.matches(hostile).count() >= 2, "{text}");
    }
}
