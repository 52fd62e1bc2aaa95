//! Vietnamese display formats: dates as dd/mm/yyyy, numbers as "1.234,5".

use chrono::NaiveDate;

pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A number with '.' between thousands and ',' before decimals, with at most `decimals` decimals
/// (trailing zeros dropped).
pub fn number(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let frac = frac.trim_end_matches('0');
    let sign = if v < 0.0 && (grouped != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// A percentage with one decimal: "45,5 %".
pub fn percent(v: f64) -> String {
    format!("{} %", number(v, 1))
}

/// An instant (RFC 3339) as local time at `offset_minutes` east of UTC: "17:05 05/09/2025"; the text
/// unchanged when it is not an instant.
pub fn local_time(rfc3339: &str, offset_minutes: i32) -> String {
    match (
        chrono::FixedOffset::east_opt(offset_minutes * 60),
        chrono::DateTime::parse_from_rfc3339(rfc3339),
    ) {
        (Some(offset), Ok(t)) => t
            .with_timezone(&offset)
            .format("%H:%M %d/%m/%Y")
            .to_string(),
        _ => rfc3339.to_string(),
    }
}

/// The name of a weekday as a date line says it ("thứ Sáu").
pub fn weekday_vi(w: chrono::Weekday) -> &'static str {
    match w {
        chrono::Weekday::Mon => "thứ Hai",
        chrono::Weekday::Tue => "thứ Ba",
        chrono::Weekday::Wed => "thứ Tư",
        chrono::Weekday::Thu => "thứ Năm",
        chrono::Weekday::Fri => "thứ Sáu",
        chrono::Weekday::Sat => "thứ Bảy",
        chrono::Weekday::Sun => "Chủ nhật",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times() {
        assert_eq!(local_time("2025-09-05T10:05:00Z", 420), "17:05 05/09/2025");
        assert_eq!(
            local_time("2025-09-05T23:30:00+00:00", 420),
            "06:30 06/09/2025"
        );
        assert_eq!(local_time("not a time", 420), "not a time");
    }

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(number(1234.5, 1), "1.234,5");
        assert_eq!(number(1234567.0, 0), "1.234.567");
        assert_eq!(number(999.0, 2), "999");
        assert_eq!(number(0.25, 2), "0,25");
        assert_eq!(number(-1500.0, 0), "-1.500");
        assert_eq!(percent(45.54), "45,5 %");
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2025, 9, 5).unwrap()),
            "05/09/2025"
        );
    }
}
