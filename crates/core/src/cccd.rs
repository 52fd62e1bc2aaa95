//! Citizen identity numbers (CCCD, 12 digits) for the door-to-door log: checked, then turned at once
//! into a keyed pseudonym (HMAC-SHA256 with a deployment secret) so that a person is counted once
//! without the number being kept. The number itself is never displayed, logged or put in an error
//! message: [`Cccd`] has no `Display`, its `Debug` hides the digits, and its bytes are overwritten
//! when it is dropped.
//!
//! Layout (Thông tư 07/2016/TT-BCA, Nghị định 137/2015/NĐ-CP): digits 1–3 the province where the
//! birth was registered (one of the 63 codes in use before 2025); digit 4 the century of birth and
//! the gender (0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 2300s); digits
//! 5–6 the last two digits of the year of birth; digits 7–12 a sequence.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Province-of-birth codes in use on CCCD cards (the 63 provinces before the 2025 reorganisation).
pub const PROVINCE_CODES: [&str; 63] = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020",
    "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038",
    "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060",
    "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082",
    "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096",
];

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// What is wrong with a typed number, in Vietnamese, without repeating the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CccdError {
    #[error("số CCCD phải gồm đúng 12 chữ số (đang có {0} ký tự)")]
    Length(usize),
    #[error("số CCCD chỉ gồm chữ số 0–9")]
    NotDigits,
    #[error("ba số đầu của CCCD phải là mã tỉnh nơi đăng ký khai sinh (001–096); mã này không có")]
    Province,
    #[error("số thứ 4 của CCCD (thế kỷ và giới tính) không khớp với giới tính và năm sinh đã chọn")]
    CenturyGender,
    #[error("số thứ 5 và 6 của CCCD (năm sinh) không khớp với năm sinh đã chọn")]
    Year,
    #[error("năm sinh {0} không hợp lệ")]
    BirthYear(i32),
}

/// A checked CCCD. Only its pseudonym leaves this type.
pub struct Cccd {
    digits: [u8; 12],
}

impl std::fmt::Debug for Cccd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Cccd(ẩn)")
    }
}

impl Drop for Cccd {
    fn drop(&mut self) {
        self.digits = [0; 12];
    }
}

/// The century-and-gender digit for a birth year and gender.
pub fn century_gender_digit(birth_year: i32, gender: Gender) -> Result<u8, CccdError> {
    if !(1900..2400).contains(&birth_year) {
        return Err(CccdError::BirthYear(birth_year));
    }
    let century = ((birth_year - 1900) / 100) as u8;
    Ok(century * 2 + u8::from(gender == Gender::Female))
}

impl Cccd {
    /// Checks a typed number (spaces and dots between groups are ignored) against the person's birth
    /// year and gender, when known.
    pub fn parse(
        raw: &str,
        birth_year: Option<i32>,
        gender: Option<Gender>,
    ) -> Result<Cccd, CccdError> {
        let cleaned: Vec<u8> = raw
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'.' | b'-' | b'\t'))
            .collect();
        if cleaned.len() != 12 {
            return Err(CccdError::Length(raw.trim().chars().count()));
        }
        if !cleaned.iter().all(u8::is_ascii_digit) {
            return Err(CccdError::NotDigits);
        }
        let mut digits = [0u8; 12];
        digits.copy_from_slice(&cleaned);
        let cccd = Cccd { digits };
        if !PROVINCE_CODES
            .iter()
            .any(|p| p.as_bytes() == &cccd.digits[..3])
        {
            return Err(CccdError::Province);
        }
        let cg = cccd.digits[3] - b'0';
        let year_digits = (cccd.digits[4] - b'0') as i32 * 10 + (cccd.digits[5] - b'0') as i32;
        if let Some(g) = gender
            && (cg % 2 == 1) != (g == Gender::Female)
        {
            return Err(CccdError::CenturyGender);
        }
        if let Some(year) = birth_year {
            let expected = century_gender_digit(year, gender.unwrap_or(Gender::Male))?;
            if cg / 2 != expected / 2 {
                return Err(CccdError::CenturyGender);
            }
            if year_digits != year.rem_euclid(100) {
                return Err(CccdError::Year);
            }
        }
        Ok(cccd)
    }

    /// The birth year the number states.
    pub fn birth_year(&self) -> i32 {
        let century = ((self.digits[3] - b'0') / 2) as i32;
        1900 + century * 100 + (self.digits[4] - b'0') as i32 * 10 + (self.digits[5] - b'0') as i32
    }

    /// The gender the number states.
    pub fn gender(&self) -> Gender {
        if (self.digits[3] - b'0') % 2 == 1 {
            Gender::Female
        } else {
            Gender::Male
        }
    }

    /// The keyed pseudonym: HMAC-SHA256 of the 12 digits under the deployment's secret, in hex. The
    /// same number gives the same pseudonym under the same secret, and nothing without it.
    pub fn pseudonym(&self, secret: &Secret) -> String {
        let mut mac = secret.0.clone();
        mac.update(&self.digits);
        hex::encode(mac.finalize().into_bytes())
    }
}

/// A deployment's secret made ready for pseudonyms: HMAC's key schedule runs once, not once per
/// number (a million records in bulk spend a third less on their pseudonyms).
#[derive(Clone)]
pub struct Secret(Hmac<Sha256>);

impl Secret {
    pub fn new(secret: &[u8]) -> Secret {
        Secret(
            <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
                .expect("HMAC accepts keys of any length"),
        )
    }

    /// A keyed fingerprint of the secret (16 hex digits): the same for the same secret, telling
    /// nothing of it, so that a database can record which key its pseudonyms were made with. No
    /// pseudonym can equal it: they are HMACs of 12 digits, this one of a longer text.
    pub fn fingerprint(&self) -> String {
        let mut mac = self.0.clone();
        mac.update(b"hocvuso person key fingerprint v1");
        hex::encode(&mac.finalize().into_bytes()[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: &[u8] = b"test deployment secret";

    fn number(province: &str, year: i32, gender: Gender, rest: u32) -> String {
        let cg = century_gender_digit(year, gender).unwrap();
        format!("{province}{cg}{:02}{rest:06}", year.rem_euclid(100))
    }

    fn gender() -> impl Strategy<Value = Gender> {
        prop_oneof![Just(Gender::Male), Just(Gender::Female)]
    }

    proptest! {
        #[test]
        fn every_well_formed_number_is_accepted_and_read_back(
            p in 0..PROVINCE_CODES.len(), year in 1900i32..2100, g in gender(), rest in 0u32..1_000_000
        ) {
            let raw = number(PROVINCE_CODES[p], year, g, rest);
            let c = Cccd::parse(&raw, Some(year), Some(g)).unwrap();
            prop_assert_eq!(c.birth_year(), year);
            prop_assert_eq!(c.gender(), g);
            // Typed with spaces, or without knowing the person, it is the same number.
            let spaced = format!("{} {} {}", &raw[..3], &raw[3..6], &raw[6..]);
            prop_assert_eq!(Cccd::parse(&spaced, None, None).unwrap().pseudonym(&Secret::new(KEY)), c.pseudonym(&Secret::new(KEY)));
        }

        #[test]
        fn pseudonyms_are_stable_keyed_and_never_show_the_number(
            p in 0..PROVINCE_CODES.len(), year in 1900i32..2100, g in gender(), rest in 0u32..1_000_000
        ) {
            let raw = number(PROVINCE_CODES[p], year, g, rest);
            let c = Cccd::parse(&raw, Some(year), Some(g)).unwrap();
            let a = c.pseudonym(&Secret::new(KEY));
            prop_assert_eq!(a.len(), 64);
            prop_assert_eq!(&a, &Cccd::parse(&raw, None, None).unwrap().pseudonym(&Secret::new(KEY)));
            prop_assert_ne!(&a, &c.pseudonym(&Secret::new(b"another deployment")));
            prop_assert!(!a.contains(&raw));
            let shown = format!("{:?}", c);
            prop_assert!(!shown.contains(&raw[6..]));
        }

        #[test]
        fn the_wrong_gender_or_year_is_refused_without_repeating_the_number(
            p in 0..PROVINCE_CODES.len(), year in 1900i32..2100, g in gender(), rest in 0u32..1_000_000,
            shift in 1i32..99
        ) {
            let raw = number(PROVINCE_CODES[p], year, g, rest);
            let other = if g == Gender::Male { Gender::Female } else { Gender::Male };
            let e = Cccd::parse(&raw, Some(year), Some(other)).unwrap_err();
            prop_assert_eq!(&e, &CccdError::CenturyGender);
            let wrong_year = year + shift;
            let e = Cccd::parse(&raw, Some(wrong_year), Some(g)).unwrap_err();
            prop_assert!(matches!(e, CccdError::Year | CccdError::CenturyGender | CccdError::BirthYear(_)));
            prop_assert!(!e.to_string().contains(&raw[6..]));
        }

        #[test]
        fn anything_but_twelve_digits_with_a_known_province_is_refused(raw in "\\PC{0,20}") {
            let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '\t')).collect();
            let well_formed = digits.len() == 12
                && digits.bytes().all(|b| b.is_ascii_digit())
                && PROVINCE_CODES.contains(&&digits[..3]);
            match Cccd::parse(&raw, None, None) {
                Ok(_) => prop_assert!(well_formed),
                Err(e) => {
                    prop_assert!(!well_formed);
                    if digits.len() >= 6 {
                        prop_assert!(!e.to_string().contains(&digits));
                    }
                }
            }
        }
    }

    #[test]
    fn examples() {
        // Đắk Lắk (066), a woman born in 1990.
        let c = Cccd::parse("066190012345", Some(1990), Some(Gender::Female)).unwrap();
        assert_eq!((c.birth_year(), c.gender()), (1990, Gender::Female));
        // A man born in 2005.
        assert!(Cccd::parse("066205000001", Some(2005), Some(Gender::Male)).is_ok());
        assert_eq!(
            Cccd::parse("066 190 012 345", None, None)
                .unwrap()
                .birth_year(),
            1990
        );
        assert_eq!(
            Cccd::parse("03619001234", None, None).unwrap_err(),
            CccdError::Length(11)
        );
        assert_eq!(
            Cccd::parse("06619001234a", None, None).unwrap_err(),
            CccdError::NotDigits
        );
        // 003 was never a province code.
        assert_eq!(
            Cccd::parse("003190012345", None, None).unwrap_err(),
            CccdError::Province
        );
        assert_eq!(
            Cccd::parse("066190012345", Some(1991), Some(Gender::Female)).unwrap_err(),
            CccdError::Year
        );
        assert_eq!(
            Cccd::parse("066190012345", Some(1990), Some(Gender::Male)).unwrap_err(),
            CccdError::CenturyGender
        );
        assert_eq!(
            Cccd::parse("066190012345", Some(2090), Some(Gender::Female)).unwrap_err(),
            CccdError::CenturyGender
        );
        assert_eq!(format!("{c:?}"), "Cccd(ẩn)");
        assert!(!CccdError::Year.to_string().contains("066"));
    }
}
