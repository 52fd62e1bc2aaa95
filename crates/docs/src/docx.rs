//! An official document (`hocvuso_core::official`) as a .docx file in the form of Nghị định
//! 30/2020/NĐ-CP: A4, the decree's margins, Times New Roman, letterhead and motto side by side with
//! their short rules, page numbers centred in the top margin from the second page on, recipients
//! and signature block side by side at the end.

use docx_rs::{
    AlignmentType, BorderType, Docx, Header, LineSpacing, PageMargin, PageNum, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Pic, Run, RunFonts,
    SpecialIndentType, Table, TableCell, TableRow, VAlignType, WidthType,
};
use hocvuso_core::official::{Block, Document, MOTTO_1, MOTTO_2, RECIPIENTS, layout};

const FONT: &str = "Times New Roman";

fn twips(mm: f64) -> i32 {
    (mm * 1440.0 / 25.4).round() as i32
}

fn half_points(pt: f64) -> usize {
    (pt * 2.0).round() as usize
}

/// Width of the text between the margins.
fn text_width_mm() -> f64 {
    layout::PAGE_WIDTH_MM - layout::LEFT_MM - layout::RIGHT_MM
}

struct Style {
    pt: f64,
    bold: bool,
    italic: bool,
}

const fn style(pt: f64, bold: bool, italic: bool) -> Style {
    Style { pt, bold, italic }
}

fn run(text: &str, s: &Style) -> Run {
    let mut r = Run::new().add_text(text).size(half_points(s.pt));
    if s.bold {
        r = r.bold();
    }
    if s.italic {
        r = r.italic();
    }
    r
}

/// A paragraph with no space around it (the letterhead and signature lines).
fn tight(text: &str, s: &Style, align: AlignmentType) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, s))
        .size(half_points(s.pt))
        .align(align)
        .line_spacing(LineSpacing::new().before(0).after(0))
}

/// The decree's short rule under a line of the letterhead or the subject: an empty paragraph with
/// a bottom border, `width_mm` long, centred in a space `within_mm` wide.
fn rule(width_mm: f64, within_mm: f64) -> Paragraph {
    let side = twips(((within_mm - width_mm) / 2.0).max(0.0));
    let mut p = Paragraph::new()
        .add_run(Run::new().size(4))
        .indent(Some(side), None, Some(side), None)
        .line_spacing(LineSpacing::new().before(0).after(120));
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(6),
        ),
    );
    p
}

fn cell(width_mm: f64, paragraphs: Vec<Paragraph>) -> TableCell {
    let mut c = TableCell::new()
        .width(twips(width_mm) as usize, WidthType::Dxa)
        .vertical_align(VAlignType::Top);
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c
}

/// Two columns without borders: the letterhead beside the motto, recipients beside the signer.
fn side_by_side(left_mm: f64, rows: Vec<(Vec<Paragraph>, Vec<Paragraph>)>) -> Table {
    let right_mm = text_width_mm() - left_mm;
    let rows = rows
        .into_iter()
        .map(|(l, r)| TableRow::new(vec![cell(left_mm, l), cell(right_mm, r)]))
        .collect();
    Table::without_borders(rows)
        .set_grid(vec![twips(left_mm) as usize, twips(right_mm) as usize])
        .width(twips(text_width_mm()) as usize, WidthType::Dxa)
}

/// Rough width of a line of capitals or mixed text at `pt`, to size the rule under it.
fn text_mm(text: &str, pt: f64, capitals: bool) -> f64 {
    let em = pt * 25.4 / 72.0;
    text.chars().count() as f64 * em * if capitals { 0.62 } else { 0.47 }
}

fn letterhead(doc: &Document) -> Table {
    let l = &doc.letterhead;
    let left_mm = layout::LETTERHEAD_WIDTH_MM;
    let right_mm = text_width_mm() - left_mm;
    let head_pt = layout::HEAD_PT;
    let mut left = Vec::new();
    if !l.parent_body.is_empty() {
        left.push(tight(
            &l.parent_body,
            &style(head_pt, false, false),
            AlignmentType::Center,
        ));
    }
    left.push(tight(
        &l.issuer,
        &style(head_pt, true, false),
        AlignmentType::Center,
    ));
    let issuer_mm = text_mm(&l.issuer, head_pt, true).min(left_mm);
    left.push(rule((issuer_mm / 2.5).max(15.0), left_mm));
    let right = vec![
        tight(MOTTO_1, &style(head_pt, true, false), AlignmentType::Center),
        tight(MOTTO_2, &style(13.0, true, false), AlignmentType::Center),
        rule(text_mm(MOTTO_2, 13.0, false), right_mm),
    ];
    let number = vec![tight(
        &doc.number_line(),
        &style(layout::SMALL_PT, false, false),
        AlignmentType::Center,
    )];
    let date = vec![tight(
        &doc.date_line(),
        &style(layout::BODY_PT, false, true),
        AlignmentType::Center,
    )];
    side_by_side(left_mm, vec![(left, right), (number, date)])
}

/// A justified body line at 14 pt with the first-line indent.
fn indented(text: &str, bold: bool) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, &style(layout::BODY_PT, bold, false)))
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(twips(layout::INDENT_MM))),
            None,
            None,
        )
}

fn body_paragraph(text: &str) -> Paragraph {
    indented(text, false).line_spacing(LineSpacing::new().before(0).after(120).line(276))
}

fn heading(text: &str) -> Paragraph {
    indented(text, true)
        .keep_next(true)
        .line_spacing(LineSpacing::new().before(120).after(120))
}

fn table(t: &hocvuso_core::official::Table) -> Table {
    let total: u32 = t.widths.iter().sum::<u32>().max(1);
    let widths: Vec<f64> = t
        .widths
        .iter()
        .map(|w| text_width_mm() * f64::from(*w) / f64::from(total))
        .collect();
    let text_cell = |text: &str, width: f64, s: &Style, align: AlignmentType| {
        cell(width, vec![tight(text, s, align)]).vertical_align(VAlignType::Center)
    };
    let head = style(layout::TABLE_PT, true, false);
    let plain = style(layout::TABLE_PT, false, false);
    let mut rows = vec![TableRow::new(
        t.headers
            .iter()
            .zip(&widths)
            .map(|(h, w)| text_cell(h, *w, &head, AlignmentType::Center))
            .collect(),
    )];
    for row in &t.rows {
        rows.push(
            TableRow::new(
                row.iter()
                    .zip(&widths)
                    .zip(&t.numeric)
                    .map(|((v, w), numeric)| {
                        let align = if *numeric {
                            AlignmentType::Right
                        } else {
                            AlignmentType::Left
                        };
                        text_cell(v, *w, &plain, align)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(rows)
        .set_grid(widths.iter().map(|w| twips(*w) as usize).collect())
        .width(twips(text_width_mm()) as usize, WidthType::Dxa)
}

fn closing(doc: &Document) -> Table {
    let l = &doc.letterhead;
    let mut left = vec![tight(
        RECIPIENTS,
        &style(layout::RECIPIENTS_TITLE_PT, true, true),
        AlignmentType::Left,
    )];
    let n = l.recipients.len();
    for (i, r) in l.recipients.iter().enumerate() {
        let end = if i + 1 == n { "." } else { ";" };
        left.push(tight(
            &format!("- {r}{end}"),
            &style(layout::RECIPIENTS_PT, false, false),
            AlignmentType::Left,
        ));
    }
    let signer = style(layout::BODY_PT, true, false);
    let mut right = Vec::new();
    if !l.signer_authority.is_empty() {
        right.push(tight(&l.signer_authority, &signer, AlignmentType::Center));
    }
    right.push(tight(&l.signer_title, &signer, AlignmentType::Center));
    // Room for the signature and the seal.
    for _ in 0..4 {
        right.push(tight("", &signer, AlignmentType::Center));
    }
    right.push(tight(&l.signer_name, &signer, AlignmentType::Center));
    side_by_side(layout::CLOSING_WIDTH_MM, vec![(left, right)])
}

/// The document as the bytes of a .docx file.
pub fn write(doc: &Document) -> Result<Vec<u8>, String> {
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .east_asia(FONT)
        .cs(FONT);
    let page_number = Header::new().add_paragraph(
        Paragraph::new()
            .add_page_num(PageNum::new())
            .align(AlignmentType::Center),
    );
    let mut d = Docx::new()
        .page_size(
            twips(layout::PAGE_WIDTH_MM) as u32,
            twips(layout::PAGE_HEIGHT_MM) as u32,
        )
        .page_margin(
            PageMargin::new()
                .top(twips(layout::TOP_MM))
                .bottom(twips(layout::BOTTOM_MM))
                .left(twips(layout::LEFT_MM))
                .right(twips(layout::RIGHT_MM))
                .header(twips(10.0))
                .footer(twips(10.0)),
        )
        .default_fonts(fonts)
        .default_size(half_points(layout::BODY_PT))
        .header(page_number)
        .first_header(Header::new())
        .title_pg()
        .add_table(letterhead(doc));

    let title = style(layout::BODY_PT, true, false);
    d = d
        .add_paragraph(
            tight(&doc.kind, &title, AlignmentType::Center)
                .line_spacing(LineSpacing::new().before(360).after(0)),
        )
        .add_paragraph(tight(&doc.subject, &title, AlignmentType::Center))
        .add_paragraph(rule(
            (text_mm(&doc.subject, layout::BODY_PT, false) / 2.5).clamp(20.0, 60.0),
            text_width_mm(),
        ));
    if let Some(notice) = &doc.notice {
        d = d.add_paragraph(
            tight(
                notice,
                &style(layout::SMALL_PT, false, true),
                AlignmentType::Center,
            )
            .line_spacing(LineSpacing::new().before(0).after(240)),
        );
    }
    for block in &doc.body {
        d = match block {
            Block::Heading(t) => d.add_paragraph(heading(t)),
            Block::Paragraph(t) => d.add_paragraph(body_paragraph(t)),
            Block::Item(t) => d.add_paragraph(body_paragraph(&format!("- {t}"))),
            Block::Table(t) => d.add_table(table(t)).add_paragraph(tight(
                "",
                &style(6.0, false, false),
                AlignmentType::Left,
            )),
            Block::Picture {
                svg,
                width_mm,
                height_mm,
                caption,
            } => {
                let emu = |mm: u32| mm * 36_000;
                // Drawn at 200 dpi: sharp in print, small enough to mail.
                let (png, w, h) = crate::chart::png(svg, f64::from(*width_mm) / 25.4 * 200.0)?;
                let pic = Pic::new_with_dimensions(png, w, h).size(emu(*width_mm), emu(*height_mm));
                d.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_image(pic))
                        .align(AlignmentType::Center),
                )
                .add_paragraph(tight(
                    caption,
                    &style(layout::SMALL_PT, false, true),
                    AlignmentType::Center,
                ))
            }
        };
    }
    d = d
        .add_paragraph(tight(
            "",
            &style(layout::BODY_PT, false, false),
            AlignmentType::Left,
        ))
        .add_table(closing(doc));

    let mut out = std::io::Cursor::new(Vec::new());
    d.build()
        .pack(&mut out)
        .map_err(|e| format!("không tạo được tệp DOCX: {e}"))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use hocvuso_core::official::{Letterhead, Table as DocTable};
    use hocvuso_core::units::UnitKind;

    fn sample() -> Document {
        let mut letterhead =
            Letterhead::default_for(UnitKind::Province, "Tỉnh Đắk Lắk", "Đắk Lắk", "Đắk Lắk");
        letterhead.recipients = vec!["Như trên".into(), "Lưu: VT".into()];
        Document {
            letterhead,
            number: None,
            date: NaiveDate::from_ymd_opt(2025, 10, 24).unwrap(),
            kind: "BÁO CÁO".into(),
            subject: "Kết quả Bình dân học vụ số tuần 12".into(),
            body: vec![
                Block::Heading("I. KẾT QUẢ CHUNG".into()),
                Block::Paragraph("Đắk Lắk đạt 1.234,5 người <&> \"x\".".into()),
                Block::Table(DocTable {
                    headers: vec!["Chỉ tiêu".into(), "Kết quả".into()],
                    widths: vec![3, 1],
                    numeric: vec![false, true],
                    rows: vec![vec!["1.1".into(), "45,5 %".into()]],
                }),
            ],
            notice: Some("Số liệu giả lập".into()),
        }
    }

    /// Every `<w:t>` text of the document part, in order.
    fn texts(bytes: &[u8]) -> String {
        let docx = docx_rs::read_docx(bytes).expect("a reader opens the file");
        let json = docx.json();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut out = String::new();
        collect(&value, &mut out);
        out
    }

    fn collect(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("type").and_then(|t| t.as_str()) == Some("text")
                    && let Some(t) = m
                        .get("data")
                        .and_then(|d| d.get("text"))
                        .and_then(|t| t.as_str())
                {
                    out.push_str(t);
                    out.push('\n');
                }
                for x in m.values() {
                    collect(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }

    #[test]
    fn a_reader_finds_every_part_of_the_form() {
        let bytes = write(&sample()).unwrap();
        let text = texts(&bytes);
        for expected in [
            "UBND TỈNH ĐẮK LẮK",
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            MOTTO_1,
            MOTTO_2,
            "Số:       /BC-SKHCN",
            "Đắk Lắk, ngày 24 tháng 10 năm 2025",
            "BÁO CÁO",
            "Kết quả Bình dân học vụ số tuần 12",
            "Đắk Lắk đạt 1.234,5 người <&> \"x\".",
            "45,5 %",
            "Nơi nhận:",
            "- Như trên;",
            "- Lưu: VT.",
            "KT. GIÁM ĐỐC",
            "PHÓ GIÁM ĐỐC",
        ] {
            assert!(
                text.contains(expected),
                "«{expected}» missing from:\n{text}"
            );
        }
    }
}
