//! A unit's counts from the door-to-door log, week by week, as `field_unit_weeks` keeps them
//! (migration 0010): `<reporting day>:<n>,<n>,…;<reporting day>:…`, the counts of each week in a
//! fixed order of items and cut short after the last one that is not zero. A batch reads and
//! rewrites thousands of these rows: the text has nothing to escape inside the JSON a batch binds
//! or reads, and is parsed and written by hand, faster than any general format.

use chrono::{Datelike, NaiveDate};

/// Counts of `N` items per reporting day, in the order of days (a few dozen weeks at most: a
/// sorted vector, cheaper to fill than a tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Weeks<const N: usize>(Vec<(NaiveDate, [i64; N])>);

impl<const N: usize> Default for Weeks<N> {
    fn default() -> Self {
        Weeks(Vec::new())
    }
}

impl<const N: usize> Weeks<N> {
    /// Reads the text [`Weeks::write`] writes; what is wrong is named.
    pub(crate) fn parse(text: &str) -> Result<Weeks<N>, String> {
        let mut weeks = Vec::new();
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (day, counts) = part
                .split_once(':')
                .ok_or_else(|| format!("«{part}» thiếu dấu «:» sau ngày"))?;
            let week = parse_day(day).ok_or_else(|| format!("ngày «{day}» không hợp lệ"))?;
            let mut row = [0; N];
            for (i, n) in counts.split(',').filter(|n| !n.is_empty()).enumerate() {
                let slot = row
                    .get_mut(i)
                    .ok_or_else(|| format!("tuần {day} có quá {N} số"))?;
                *slot = n
                    .parse()
                    .map_err(|_| format!("tuần {day}: «{n}» không phải số nguyên"))?;
            }
            weeks.push((week, row));
        }
        if !weeks.is_sorted_by_key(|(week, _)| *week) {
            weeks.sort_unstable_by_key(|(week, _)| *week);
        }
        if let Some(w) = weeks.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format!("tuần {} có hai lần", w[0].0));
        }
        Ok(Weeks(weeks))
    }

    /// Appends the text of the counts to `out`.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        for (i, (week, counts)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            push_padded(out, week.year() as u32, 4);
            out.push(b'-');
            push_padded(out, week.month(), 2);
            out.push(b'-');
            push_padded(out, week.day(), 2);
            out.push(b':');
            let used = counts.iter().rposition(|n| *n != 0).map_or(0, |p| p + 1);
            for (j, n) in counts[..used].iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                push_int(out, *n);
            }
        }
    }

    /// The counts of `week`, zeros if none yet.
    pub(crate) fn week(&mut self, week: NaiveDate) -> &mut [i64; N] {
        let i = match self.0.binary_search_by_key(&week, |(w, _)| *w) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (week, [0; N]));
                i
            }
        };
        &mut self.0[i].1
    }

    /// The counts of `week`, if it has any.
    pub(crate) fn get(&self, week: NaiveDate) -> Option<&[i64; N]> {
        let i = self.0.binary_search_by_key(&week, |(w, _)| *w).ok()?;
        Some(&self.0[i].1)
    }

    /// The weeks up to `day` and their counts, in order.
    pub(crate) fn up_to(&self, day: NaiveDate) -> impl Iterator<Item = &(NaiveDate, [i64; N])> {
        self.0.iter().take_while(move |(week, _)| *week <= day)
    }

    /// The first week in which item `i` counts more than zero.
    pub(crate) fn first_with(&self, i: usize) -> Option<NaiveDate> {
        self.0.iter().find(|(_, c)| c[i] > 0).map(|(w, _)| *w)
    }

    /// The sums of the counts up to `day`.
    pub(crate) fn until(&self, day: NaiveDate) -> [i64; N] {
        let mut sums = [0; N];
        for counts in self.up_to(day).map(|(_, c)| c) {
            for (sum, n) in sums.iter_mut().zip(counts) {
                *sum += n;
            }
        }
        sums
    }
}

/// `YYYY-MM-DD`, read without chrono's general parser (a batch reads tens of thousands).
pub(crate) fn parse_day(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| text[range].parse().ok())?
    };
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

/// `n` in decimal, at least `width` digits.
fn push_padded(out: &mut Vec<u8>, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let (mut n, mut i) = (n, digits.len());
    while n > 0 {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits[i.min(digits.len() - width)..]);
}

fn push_int(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let (mut n, mut i) = (n.unsigned_abs(), digits.len());
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, d).unwrap()
    }

    fn text<const N: usize>(weeks: &Weeks<N>) -> String {
        let mut out = Vec::new();
        weeks.write(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn weeks_are_written_short_and_read_back() {
        let mut weeks = Weeks::<6>::default();
        weeks.week(day(5));
        weeks.week(day(12))[0] = 12;
        weeks.week(day(12))[3] = 1;
        weeks.week(day(19))[5] = -1_234_567_890_123;
        let written = text(&weeks);
        assert_eq!(
            written,
            "2025-09-05:;2025-09-12:12,0,0,1;2025-09-19:0,0,0,0,0,-1234567890123"
        );
        assert_eq!(Weeks::<6>::parse(&written).unwrap(), weeks);
        assert_eq!(weeks.first_with(3), Some(day(12)));
        assert_eq!(weeks.first_with(4), None);
        assert_eq!(weeks.until(day(11))[0], 0);
        assert_eq!(weeks.until(day(12)), [12, 0, 0, 1, 0, 0]);
        assert_eq!(text(&Weeks::<6>::default()), "");
        assert_eq!(Weeks::<6>::parse("").unwrap(), Weeks::default());
        let mut early = Weeks::<1>::default();
        early.week(NaiveDate::from_ymd_opt(987, 1, 2).unwrap())[0] = i64::MIN;
        assert_eq!(Weeks::<1>::parse(&text(&early)).unwrap(), early);
    }

    #[test]
    fn weeks_are_read_in_any_order_with_every_count() {
        // As migration 0010 writes them: the weeks in no order, every count written.
        let weeks = Weeks::<3>::parse("2025-09-12:3,0,0;2025-09-05:1,2,0").unwrap();
        let days: Vec<NaiveDate> = weeks.0.iter().map(|(w, _)| *w).collect();
        assert_eq!(days, [day(5), day(12)]);
        assert_eq!(weeks.until(day(12)), [4, 2, 0]);
    }

    #[test]
    fn bad_weeks_are_refused_with_what_is_wrong() {
        let err = |text: &str| Weeks::<3>::parse(text).unwrap_err();
        assert!(err("2025-09-12:1,2,3,4").contains("quá 3 số"));
        assert!(err("2025-13-01:1").contains("«2025-13-01»"));
        assert!(err("12/09/2025:1").contains("«12/09/2025»"));
        assert!(err("+025-09-12:1").contains("«+025-09-12»"));
        assert!(err("2025-09-12:1,x").contains("«x»"));
        assert!(err("2025-09-12").contains("thiếu dấu «:»"));
        assert!(err("2025-09-12:1;2025-09-12:2").contains("hai lần"));
    }
}
