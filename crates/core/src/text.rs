//! Text keys for Vietnamese names.
//!
//! Two keys, for two jobs:
//! - [`search_key`]: diacritics removed ("Đắk Lắk" → "dak lak"), for search boxes where people type without marks.
//! - [`match_key`]: keeps every letter and tone but not *where* the tone mark sits, so the old and new
//!   orthographies ("Hoà"/"Hòa", "Thuỷ"/"Thủy") and apostrophe or spacing variants name the same unit, while
//!   "Hòa" and "Hoa" stay different.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The five Vietnamese tone marks as combining characters (grave, acute, hook above, tilde, dot below).
const TONE_MARKS: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0309}', '\u{0303}', '\u{0323}'];

/// Apostrophe-like characters found in ethnic-minority place names (M'Drắk, Ea H'Leo).
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}'
    )
}

/// Lower-cases, folds apostrophes to `'` and collapses runs of whitespace to one space.
fn tidy(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for word in input.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if is_apostrophe(c) {
                out.push('\'');
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// Search key: lower case, no diacritics, `đ` → `d`, apostrophes folded, spaces collapsed.
pub fn search_key(input: &str) -> String {
    tidy(input)
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// Match key: like the name, but each syllable's tone mark moved to the syllable's end.
pub fn match_key(input: &str) -> String {
    let tidy = tidy(input);
    let mut out = String::with_capacity(tidy.len() + 8);
    for (i, word) in tidy.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut tone = None;
        for c in word.nfd() {
            if TONE_MARKS.contains(&c) {
                tone = Some(c);
            } else {
                out.push(c);
            }
        }
        if let Some(t) = tone {
            // A visible marker instead of a dangling combining character.
            out.push(match t {
                '\u{0300}' => '`',
                '\u{0301}' => '/',
                '\u{0309}' => '?',
                '\u{0303}' => '~',
                _ => '.',
            });
        }
    }
    out.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_key_drops_marks_and_folds_d() {
        assert_eq!(search_key("Đắk Lắk"), "dak lak");
        assert_eq!(search_key("Buôn  Ma   Thuột"), "buon ma thuot");
        assert_eq!(search_key("Phường Tân An"), "phuong tan an");
        assert_eq!(search_key("M’Drắk"), "m'drak");
    }

    #[test]
    fn match_key_ignores_tone_placement_only() {
        assert_eq!(match_key("Hoà Bình"), match_key("Hòa Bình"));
        assert_eq!(match_key("Thuỷ"), match_key("Thủy"));
        assert_eq!(match_key("Khoẻ"), match_key("Khỏe"));
        assert_ne!(match_key("Hòa"), match_key("Hoa"));
        assert_ne!(match_key("Hòa"), match_key("Hóa"));
        assert_ne!(match_key("Tân"), match_key("Tấn"));
    }

    #[test]
    fn match_key_folds_apostrophes_spaces_and_case() {
        assert_eq!(match_key("M'Drắk"), match_key("M’Drắk"));
        assert_eq!(match_key("Phường  Tân An "), match_key("phường tân an"));
        // Decomposed input (as some Windows tools write it) equals precomposed.
        let decomposed: String = "Đắk Lắk".nfd().collect();
        assert_eq!(match_key(&decomposed), match_key("Đắk Lắk"));
    }
}
