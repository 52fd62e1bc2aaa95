//! Problems found in user input files, placed by row and column.

use std::fmt;

/// A problem with one row of an imported file: where it is and what is wrong, in Vietnamese.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// Line in the file (the header is line 1); 0 for the file as a whole.
    pub row: usize,
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column.is_empty()) {
            (0, _) => f.write_str(&self.message),
            (r, true) => write!(f, "dòng {r}: {}", self.message),
            (r, false) => write!(f, "dòng {r}, cột {}: {}", self.column, self.message),
        }
    }
}

/// Parses a whole count as officials type it: "12345", "12.345", "12 345". Rejects negatives,
/// fractions and anything else with a message naming the value.
pub fn parse_count(raw: &str) -> Result<f64, String> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let grouped = cleaned.contains('.')
        && cleaned.split('.').skip(1).all(|g| g.len() == 3)
        && cleaned
            .split('.')
            .all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()));
    let digits = if grouped {
        cleaned.replace('.', "")
    } else {
        cleaned.clone()
    };
    if cleaned.starts_with('-') {
        return Err(format!(
            "«{}» là số âm; số lượng phải từ 0 trở lên",
            raw.trim()
        ));
    }
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 12 {
        return Err(format!(
            "«{}» không phải số nguyên (viết ví dụ 12345 hoặc 12.345)",
            raw.trim()
        ));
    }
    digits
        .parse::<f64>()
        .map_err(|_| format!("«{}» không phải số nguyên", raw.trim()))
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn counts_as_typed() {
        assert_eq!(parse_count("12345"), Ok(12345.0));
        assert_eq!(parse_count(" 12.345 "), Ok(12345.0));
        assert_eq!(parse_count("1.234.567"), Ok(1234567.0));
        assert_eq!(parse_count("12 345"), Ok(12345.0));
        assert!(parse_count("12,5").is_err());
        assert!(parse_count("12.5").is_err());
        assert!(parse_count("-3").unwrap_err().contains("âm"));
        assert!(parse_count("abc").is_err());
        assert!(parse_count("").is_err());
    }
}
