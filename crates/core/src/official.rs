//! Official documents in the administrative form of Nghị định 30/2020/NĐ-CP (Phụ lục I): the
//! letterhead (issuing body and national motto), number and symbol, place and date line, kind and
//! subject, body, recipients ("Nơi nhận") and signature block. The model is the same for every
//! output format (`hocvuso_docs::docx`, `hocvuso_docs::pdf`); what a report says is built elsewhere.

use crate::units::UnitKind;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Who issues a unit's documents and who signs them: editable by the secretariat (and by a unit for
/// its own documents) without a rebuild; [`Letterhead::default_for`] fills what was never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letterhead {
    /// Cơ quan, tổ chức chủ quản ("UBND TỈNH ĐẮK LẮK"); empty when there is none.
    pub parent_body: String,
    /// Cơ quan ban hành ("SỞ KHOA HỌC VÀ CÔNG NGHỆ").
    pub issuer: String,
    /// Ký hiệu after "Số: …/" ("BC-SKHCN").
    pub symbol: String,
    /// Địa danh of the date line ("Đắk Lắk").
    pub place: String,
    /// Quyền hạn line above the title when signing on behalf ("KT. GIÁM ĐỐC"); may be empty.
    pub signer_authority: String,
    /// Chức vụ of the signer ("PHÓ GIÁM ĐỐC").
    pub signer_title: String,
    /// Họ và tên of the signer; may be empty until the document is printed for signing.
    pub signer_name: String,
    /// Nơi nhận, one per line ("UBND tỉnh (để b/c)").
    pub recipients: Vec<String>,
}

impl Letterhead {
    /// What a unit's documents carry until someone edits it, following the decree's rules for the
    /// unit's level: the province's documents come from the campaign secretariat (Sở Khoa học và
    /// Công nghệ) under the provincial People's Committee; a commune's from its People's
    /// Committee, dated at the commune; a department's under the provincial People's Committee.
    pub fn default_for(kind: UnitKind, full_name: &str, name: &str, province: &str) -> Letterhead {
        let ubnd_province = format!("UBND {}", upper(&format!("tỉnh {province}")));
        let (parent_body, issuer, symbol, place, authority, title, recipients) = match kind {
            UnitKind::Province | UnitKind::Country => (
                ubnd_province,
                "SỞ KHOA HỌC VÀ CÔNG NGHỆ".to_string(),
                "BC-SKHCN",
                province.to_string(),
                "KT. GIÁM ĐỐC",
                "PHÓ GIÁM ĐỐC",
                vec![
                    "UBND tỉnh (để báo cáo)".to_string(),
                    "Ban Chỉ đạo phong trào \"Bình dân học vụ số\" tỉnh".to_string(),
                    "Các sở, ban, ngành; UBND các xã, phường".to_string(),
                    "Lưu: VT".to_string(),
                ],
            ),
            UnitKind::Commune => (
                "ỦY BAN NHÂN DÂN".to_string(),
                upper(full_name),
                "BC-UBND",
                name.to_string(),
                "TM. ỦY BAN NHÂN DÂN",
                "CHỦ TỊCH",
                vec![
                    "Sở Khoa học và Công nghệ (để báo cáo)".to_string(),
                    "Lưu: VT".to_string(),
                ],
            ),
            _ => (
                ubnd_province,
                upper(full_name),
                "BC",
                province.to_string(),
                "",
                "THỦ TRƯỞNG ĐƠN VỊ",
                vec![
                    "Sở Khoa học và Công nghệ (để báo cáo)".to_string(),
                    "Lưu: VT".to_string(),
                ],
            ),
        };
        Letterhead {
            parent_body,
            issuer,
            symbol: symbol.into(),
            place,
            signer_authority: authority.into(),
            signer_title: title.into(),
            signer_name: String::new(),
            recipients,
        }
    }

    /// Problems that would make a document wrong, each naming its field; empty when fine.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (field, value, max) in [
            ("Cơ quan chủ quản", &self.parent_body, 120),
            ("Cơ quan ban hành", &self.issuer, 120),
            ("Ký hiệu", &self.symbol, 40),
            ("Địa danh", &self.place, 60),
            ("Quyền hạn ký", &self.signer_authority, 60),
            ("Chức vụ người ký", &self.signer_title, 80),
            ("Họ tên người ký", &self.signer_name, 80),
        ] {
            if value.chars().count() > max {
                out.push(format!("{field}: dài quá {max} ký tự"));
            }
            if value.chars().any(char::is_control) {
                out.push(format!("{field}: có ký tự điều khiển"));
            }
        }
        for (field, value) in [
            ("Cơ quan ban hành", &self.issuer),
            ("Ký hiệu", &self.symbol),
            ("Địa danh", &self.place),
            ("Chức vụ người ký", &self.signer_title),
        ] {
            if value.trim().is_empty() {
                out.push(format!("{field}: cần điền"));
            }
        }
        if self.recipients.len() > 30 {
            out.push("Nơi nhận: nhiều quá 30 dòng".into());
        }
        if self.recipients.iter().any(|r| r.chars().count() > 200) {
            out.push("Nơi nhận: có dòng dài quá 200 ký tự".into());
        }
        out
    }
}

fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// The date line: "Đắk Lắk, ngày 05 tháng 02 năm 2025". The decree writes a day below 10 and the
/// months 1 and 2 with a leading zero, and no other.
pub fn date_line(place: &str, day: NaiveDate) -> String {
    let month = match day.month() {
        m @ (1 | 2) => format!("0{m}"),
        m => m.to_string(),
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        day.day(),
        day.year()
    )
}

/// A part of a document's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A numbered or lettered section heading ("I. KẾT QUẢ CHUNG"), bold.
    Heading(String),
    /// A justified paragraph with a first-line indent.
    Paragraph(String),
    /// A line starting with a dash.
    Item(String),
    Table(Table),
    /// A picture drawn as SVG (a chart), `width_mm` by `height_mm`, with its caption.
    Picture {
        svg: String,
        width_mm: u32,
        height_mm: u32,
        caption: String,
    },
}

/// A table with a header row; `widths` are relative column widths, `numeric` columns align right.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub widths: Vec<u32>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// A whole document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub letterhead: Letterhead,
    /// The number, left blank ("Số:      /BC-SKHCN") until the clerk registers the document.
    pub number: Option<u32>,
    pub date: NaiveDate,
    /// Tên loại văn bản ("BÁO CÁO").
    pub kind: String,
    /// Trích yếu nội dung.
    pub subject: String,
    pub body: Vec<Block>,
    /// A line under the title saying the figures are synthetic (the demo), if any.
    pub notice: Option<String>,
}

impl Document {
    /// "Số: 12/BC-SKHCN", or with the number left blank for the clerk.
    pub fn number_line(&self) -> String {
        match self.number {
            Some(n) => format!("Số: {n}/{}", self.letterhead.symbol),
            None => format!("Số:       /{}", self.letterhead.symbol),
        }
    }

    pub fn date_line(&self) -> String {
        date_line(&self.letterhead.place, self.date)
    }

    /// Every text of the document in reading order (for search and tests).
    pub fn texts(&self) -> Vec<String> {
        let l = &self.letterhead;
        let mut out = vec![
            l.parent_body.clone(),
            l.issuer.clone(),
            MOTTO_1.into(),
            MOTTO_2.into(),
            self.number_line(),
            self.date_line(),
            self.kind.clone(),
            self.subject.clone(),
        ];
        out.extend(self.notice.clone());
        for b in &self.body {
            match b {
                Block::Heading(t) | Block::Paragraph(t) | Block::Item(t) => out.push(t.clone()),
                Block::Table(t) => {
                    out.extend(t.headers.iter().cloned());
                    out.extend(t.rows.iter().flatten().cloned());
                }
                Block::Picture { caption, .. } => out.push(caption.clone()),
            }
        }
        out.push(RECIPIENTS.into());
        out.extend(l.recipients.iter().cloned());
        out.extend([
            l.signer_authority.clone(),
            l.signer_title.clone(),
            l.signer_name.clone(),
        ]);
        out.retain(|t| !t.is_empty());
        out
    }
}

/// Quốc hiệu and tiêu ngữ.
pub const MOTTO_1: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const MOTTO_2: &str = "Độc lập - Tự do - Hạnh phúc";
pub const RECIPIENTS: &str = "Nơi nhận:";

/// Page layout of the decree (Phụ lục I, mục II): A4, margins in millimetres, body at 14 pt.
pub mod layout {
    pub const PAGE_WIDTH_MM: f64 = 210.0;
    pub const PAGE_HEIGHT_MM: f64 = 297.0;
    pub const TOP_MM: f64 = 20.0;
    pub const BOTTOM_MM: f64 = 20.0;
    pub const LEFT_MM: f64 = 30.0;
    pub const RIGHT_MM: f64 = 15.0;
    pub const BODY_PT: f64 = 14.0;
    /// The letterhead and the national motto (the decree allows 12 to 13 pt; 12 keeps the motto
    /// on one line beside a long issuer name).
    pub const HEAD_PT: f64 = 12.0;
    /// Width of the letterhead's column, beside the motto.
    pub const LETTERHEAD_WIDTH_MM: f64 = 70.0;
    /// Width of the "Nơi nhận" column, beside the signature block.
    pub const CLOSING_WIDTH_MM: f64 = 78.0;
    /// Cơ quan chủ quản, quốc hiệu, table text.
    pub const SMALL_PT: f64 = 13.0;
    /// The list under "Nơi nhận:".
    pub const RECIPIENTS_PT: f64 = 11.0;
    pub const RECIPIENTS_TITLE_PT: f64 = 12.0;
    pub const TABLE_PT: f64 = 12.0;
    /// First-line indent of body paragraphs.
    pub const INDENT_MM: f64 = 12.7;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn date_line_pads_days_below_ten_and_the_first_two_months_only() {
        assert_eq!(
            date_line("Đắk Lắk", day(2025, 2, 5)),
            "Đắk Lắk, ngày 05 tháng 02 năm 2025"
        );
        assert_eq!(
            date_line("Đắk Lắk", day(2025, 10, 24)),
            "Đắk Lắk, ngày 24 tháng 10 năm 2025"
        );
        assert_eq!(
            date_line("Hà Nội", day(2025, 9, 5)),
            "Hà Nội, ngày 05 tháng 9 năm 2025"
        );
        assert_eq!(
            date_line("Huế", day(2026, 1, 15)),
            "Huế, ngày 15 tháng 01 năm 2026"
        );
    }

    #[test]
    fn number_line_leaves_the_number_to_the_clerk() {
        let mut doc = Document {
            letterhead: Letterhead::default_for(
                UnitKind::Province,
                "Tỉnh Đắk Lắk",
                "Đắk Lắk",
                "Đắk Lắk",
            ),
            number: None,
            date: day(2025, 10, 24),
            kind: "BÁO CÁO".into(),
            subject: "s".into(),
            body: vec![],
            notice: None,
        };
        assert_eq!(doc.number_line(), "Số:       /BC-SKHCN");
        doc.number = Some(12);
        assert_eq!(doc.number_line(), "Số: 12/BC-SKHCN");
        assert_eq!(doc.letterhead.parent_body, "UBND TỈNH ĐẮK LẮK");
        assert_eq!(doc.letterhead.issuer, "SỞ KHOA HỌC VÀ CÔNG NGHỆ");
    }

    #[test]
    fn letterhead_problems_name_the_field() {
        let mut l = Letterhead::default_for(UnitKind::Commune, "Xã Ea Kao", "Ea Kao", "Đắk Lắk");
        assert_eq!(
            (l.parent_body.as_str(), l.issuer.as_str()),
            ("ỦY BAN NHÂN DÂN", "XÃ EA KAO")
        );
        assert_eq!(l.place, "Ea Kao");
        assert!(l.problems().is_empty());
        l.issuer = " ".into();
        l.symbol = "x".repeat(41);
        l.signer_name = "a\u{0007}b".into();
        let p = l.problems();
        assert!(
            p.iter()
                .any(|m| m.starts_with("Cơ quan ban hành: cần điền")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.starts_with("Ký hiệu: dài quá 40")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("Họ tên người ký: có ký tự điều khiển")),
            "{p:?}"
        );
    }
}
