//! The door-to-door log of community digital teams (Tổ Công nghệ số cộng đồng), in the domain: a
//! record of one person guided, checked at the boundary; what it adds once the person is
//! deduplicated; the weekly tallies it feeds; age bands; the Golden Week rule; and the small-cell rule
//! of the inclusion view.
//!
//! A person identified by a CCCD counts once per skill and per flag: a later visit adds only what is
//! new. A record without a CCCD counts as a new person (it cannot be deduplicated).

use crate::cccd::{Cccd, Gender};
use crate::plan::Plan;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// What an indicator reads from the log, declared in the plan (`field_log = "vneid"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// People guided in at least one basic skill.
    Guided,
    /// People whose "phổ cập" was confirmed on VNeID.
    Vneid,
    /// People who installed the province's app.
    App,
    /// People who registered a digital signature through VNeID.
    Signature,
    /// Household businesses that registered a ".vn" domain.
    Domain,
    /// Villages whose team carried out its Golden Week (see [`golden_week_reached`]).
    GoldenWeek,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::Guided,
        Measure::Vneid,
        Measure::App,
        Measure::Signature,
        Measure::Domain,
        Measure::GoldenWeek,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Guided => "guided",
            Measure::Vneid => "vneid",
            Measure::App => "app",
            Measure::Signature => "signature",
            Measure::Domain => "domain",
            Measure::GoldenWeek => "golden_week",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// The tally item (see [`Tally`]) that holds this measure's weekly increase.
    pub fn item(self) -> &'static str {
        match self {
            Measure::Guided => PEOPLE,
            Measure::Vneid => "vneid",
            Measure::App => "app",
            Measure::Signature => "signature",
            Measure::Domain => "domain",
            Measure::GoldenWeek => GOLDEN,
        }
    }
}

/// What one visit covered: skills by plan code (1–8, bits 0–7) and the four flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Items(pub u16);

pub const VNEID: u16 = 1 << 8;
pub const APP: u16 = 1 << 9;
pub const SIGNATURE: u16 = 1 << 10;
pub const DOMAIN: u16 = 1 << 11;
const SKILL_BITS: u16 = 0xff;
const FLAGS: [(u16, &str); 4] = [
    (VNEID, "vneid"),
    (APP, "app"),
    (SIGNATURE, "signature"),
    (DOMAIN, "domain"),
];

/// Skill codes a record can carry (one bit each).
pub const MAX_SKILL_CODE: i64 = 8;

impl Items {
    pub fn skill_bit(code: i64) -> u16 {
        debug_assert!((1..=MAX_SKILL_CODE).contains(&code));
        1 << (code - 1)
    }

    pub fn has_any_skill(self) -> bool {
        self.0 & SKILL_BITS != 0
    }

    /// What `self` adds to a person who already had `before`.
    pub fn new_against(self, before: Items) -> Items {
        Items(self.0 & !before.0)
    }

    pub fn union(self, other: Items) -> Items {
        Items(self.0 | other.0)
    }

    pub fn contains(self, bits: u16) -> bool {
        self.0 & bits == bits
    }

    pub fn skill_codes(self) -> impl Iterator<Item = i64> {
        (1..=MAX_SKILL_CODE).filter(move |c| self.0 & Items::skill_bit(*c) != 0)
    }
}

/// The bits of every skill of `plan`.
pub fn all_skills(plan: &Plan) -> u16 {
    plan.skills
        .iter()
        .map(|s| Items::skill_bit(s.code))
        .fold(0, |a, b| a | b)
}

/// Age bands of the inclusion view. 60 and over is "người cao tuổi" (Luật Người cao tuổi 2009).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AgeBand {
    Under18,
    From18To34,
    From35To59,
    From60,
}

impl AgeBand {
    pub const ALL: [AgeBand; 4] = [
        AgeBand::Under18,
        AgeBand::From18To34,
        AgeBand::From35To59,
        AgeBand::From60,
    ];

    pub fn of_age(age: i32) -> AgeBand {
        match age {
            ..18 => AgeBand::Under18,
            18..35 => AgeBand::From18To34,
            35..60 => AgeBand::From35To59,
            _ => AgeBand::From60,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under18 => "duoi_18",
            AgeBand::From18To34 => "18_34",
            AgeBand::From35To59 => "35_59",
            AgeBand::From60 => "tu_60",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            AgeBand::Under18 => "Dưới 18 tuổi",
            AgeBand::From18To34 => "18–34 tuổi",
            AgeBand::From35To59 => "35–59 tuổi",
            AgeBand::From60 => "Từ 60 tuổi (người cao tuổi)",
        }
    }

    /// Reads a band as stored, or as typed on a paper log ("60+", "18-34", "dưới 18").
    pub fn parse(s: &str) -> Option<AgeBand> {
        let key = crate::text::search_key(s).replace([' ', '–', '-'], "_");
        AgeBand::ALL.into_iter().find(|b| {
            b.as_str() == key
                || match b {
                    AgeBand::Under18 => key == "duoi_18_tuoi" || key == "_18" || key == "<18",
                    AgeBand::From18To34 => key == "18_34_tuoi",
                    AgeBand::From35To59 => key == "35_59_tuoi",
                    AgeBand::From60 => {
                        matches!(key.as_str(), "60+" | "60_" | "tu_60_tuoi" | "tren_60")
                    }
                }
        })
    }
}

pub fn gender_str(g: Gender) -> &'static str {
    match g {
        Gender::Male => "male",
        Gender::Female => "female",
    }
}

pub fn gender_label(g: Gender) -> &'static str {
    match g {
        Gender::Male => "Nam",
        Gender::Female => "Nữ",
    }
}

pub fn parse_gender(s: &str) -> Option<Gender> {
    match crate::text::search_key(s).as_str() {
        "male" | "nam" | "m" => Some(Gender::Male),
        "female" | "nu" | "f" => Some(Gender::Female),
        _ => None,
    }
}

/// Text that may hold a citizen number: never shown by `Debug`, overwritten when dropped.
#[derive(Default, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    pub fn new(s: String) -> SecretText {
        SecretText(s)
    }

    /// The text itself: for the check that turns it into a pseudonym, and for a client that sends
    /// it on (the benchmark's synthetic phones).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(ẩn)")
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.fill(0);
    }
}

/// The deployment's secret for person pseudonyms; `Debug` hides it.
#[derive(Clone)]
pub struct PersonKey(crate::cccd::Secret);

/// Shortest secret accepted, in bytes.
pub const PERSON_KEY_MIN_BYTES: usize = 32;

impl PersonKey {
    pub fn new(bytes: Vec<u8>) -> Result<PersonKey, String> {
        if bytes.len() < PERSON_KEY_MIN_BYTES {
            return Err(format!(
                "khóa bí danh quá ngắn: cần ít nhất {PERSON_KEY_MIN_BYTES} byte, đang có {}",
                bytes.len()
            ));
        }
        Ok(PersonKey(crate::cccd::Secret::new(&bytes)))
    }

    /// See [`crate::cccd::Secret::fingerprint`].
    pub fn fingerprint(&self) -> String {
        self.0.fingerprint()
    }
}

impl std::fmt::Debug for PersonKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonKey(ẩn)")
    }
}

/// A record as sent by the phone (JSON) or read from a paper log. Only [`check_record`] reads it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecord {
    pub id: String,
    pub date: String,
    #[serde(default)]
    pub skills: Vec<i64>,
    #[serde(default)]
    pub vneid: bool,
    #[serde(default)]
    pub app: bool,
    #[serde(default)]
    pub signature: bool,
    #[serde(default)]
    pub domain: bool,
    #[serde(default)]
    pub birth_year: Option<i32>,
    #[serde(default)]
    pub age_band: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub minority: Option<bool>,
    #[serde(default)]
    pub cccd: Option<SecretText>,
}

/// A checked record. It holds the person's pseudonym, never the citizen number.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// UUID made on the phone (lowercase), so that a retry is recognised.
    pub id: String,
    pub day: NaiveDate,
    pub items: Items,
    pub group: Group,
    /// Keyed pseudonym of the CCCD, when one was given.
    pub person: Option<String>,
}

/// The inclusion group of a person (each part may be unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Group {
    pub age_band: Option<AgeBand>,
    pub gender: Option<Gender>,
    pub minority: Option<bool>,
}

/// A problem with one field of a record, in Vietnamese. Never repeats a citizen number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field,
        message: message.into(),
    }
}

/// Whether `s` is a UUID in its text form (any version), returned lowercase.
pub fn parse_uuid(s: &str) -> Option<String> {
    let s = s.trim();
    let shape = s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    shape.then(|| s.to_ascii_lowercase())
}

/// Checks a record logged on `today` (the plan's local date) and turns its CCCD, if any, into the
/// person's pseudonym under `key`. Every problem is returned at once.
pub fn check_record(
    raw: &RawRecord,
    plan: &Plan,
    today: NaiveDate,
    key: &PersonKey,
) -> Result<Record, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let id = parse_uuid(&raw.id);
    if id.is_none() {
        problems.push(problem(
            "id",
            "mã bản ghi phải là một UUID do máy tạo (dạng xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
        ));
    }
    let day = crate::plan::parse_date_text(&raw.date);
    match day {
        None => problems.push(problem(
            "date",
            "ngày không hợp lệ (ghi dd/mm/yyyy hoặc yyyy-mm-dd)",
        )),
        Some(d) if d < plan.campaign.start || d > plan.campaign.targets_until => {
            problems.push(problem(
                "date",
                format!(
                    "ngày {} nằm ngoài thời gian kế hoạch ({} – {})",
                    crate::format::date(d),
                    crate::format::date(plan.campaign.start),
                    crate::format::date(plan.campaign.targets_until)
                ),
            ))
        }
        // One day of slack for a phone whose clock runs ahead of the server's.
        Some(d) if d > today + chrono::Days::new(1) => problems.push(problem(
            "date",
            format!(
                "ngày {} chưa đến (hôm nay là {})",
                crate::format::date(d),
                crate::format::date(today)
            ),
        )),
        Some(_) => {}
    }

    let mut items = Items::default();
    for code in &raw.skills {
        if plan.skills.iter().any(|s| s.code == *code) && (1..=MAX_SKILL_CODE).contains(code) {
            items.0 |= Items::skill_bit(*code);
        } else {
            problems.push(problem(
                "skills",
                format!(
                    "kỹ năng số {code} không có trong kế hoạch (có {})",
                    plan.skills
                        .iter()
                        .map(|s| s.code.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    for (on, bit) in [
        (raw.vneid, VNEID),
        (raw.app, APP),
        (raw.signature, SIGNATURE),
        (raw.domain, DOMAIN),
    ] {
        if on {
            items.0 |= bit;
        }
    }
    if items.0 == 0 {
        problems.push(problem(
            "skills",
            "bản ghi chưa có nội dung: đánh dấu ít nhất một kỹ năng hoặc một việc đã làm",
        ));
    }

    let this_year = today.year();
    let birth_year = match raw.birth_year {
        Some(y) if !(1900..=this_year).contains(&y) => {
            problems.push(problem(
                "birth_year",
                format!("năm sinh {y} không hợp lệ (1900 – {this_year})"),
            ));
            None
        }
        other => other,
    };
    let mut gender = match raw.gender.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(g) => {
            let parsed = parse_gender(g);
            if parsed.is_none() {
                problems.push(problem("gender", "giới tính ghi «nam» hoặc «nữ»"));
            }
            parsed
        }
    };
    let mut age_band = match raw.age_band.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b) => {
            let parsed = AgeBand::parse(b);
            if parsed.is_none() {
                problems.push(problem(
                    "age_band",
                    format!(
                        "nhóm tuổi không hợp lệ; dùng một trong: {}",
                        AgeBand::ALL.map(|b| b.as_str()).join(", ")
                    ),
                ));
            }
            parsed
        }
    };
    let record_year = day.map_or(this_year, |d| d.year());
    let mut birth_year = birth_year;
    let person = match raw.cccd.as_ref().map(|c| c.expose().trim()) {
        None | Some("") => None,
        Some(text) => match Cccd::parse(text, birth_year, gender) {
            Ok(cccd) => {
                // The card states the birth year and gender: use them when they were not typed.
                birth_year = birth_year.or(Some(cccd.birth_year()));
                gender = gender.or(Some(cccd.gender()));
                Some(cccd.pseudonym(&key.0))
            }
            Err(e) => {
                problems.push(problem("cccd", e.to_string()));
                None
            }
        },
    };
    if let Some(y) = birth_year {
        let band = AgeBand::of_age(record_year - y);
        match age_band {
            Some(b) if b != band => problems.push(problem(
                "age_band",
                format!("nhóm tuổi «{}» không khớp với năm sinh {y}", b.label_vi()),
            )),
            _ => age_band = Some(band),
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Record {
        id: id.expect("checked"),
        day: day.expect("checked"),
        items,
        group: Group {
            age_band,
            gender,
            minority: raw.minority,
        },
        person,
    })
}

/// The column of a paper log a record field comes from, for messages.
fn column_vi(field: &str) -> &'static str {
    match field {
        "id" => "mã bản ghi",
        "date" => "Ngày",
        "skills" => "kỹ năng",
        "birth_year" => "Năm sinh",
        "age_band" => "Nhóm tuổi",
        "gender" => "Giới tính",
        "cccd" => "CCCD",
        _ => "",
    }
}

/// Checks the rows of a paper log, (line, village, record), as [`check_record`] checks the phone's:
/// every problem by line and column, or every row checked. A large log is checked in parts on every
/// core (about half a microsecond a row, most of it the pseudonym), its rows kept in order.
pub fn check_rows(
    rows: &[(usize, String, RawRecord)],
    plan: &Plan,
    today: NaiveDate,
    key: &PersonKey,
) -> Result<Vec<(usize, String, Record)>, Vec<crate::input::RowProblem>> {
    const ROWS_PER_THREAD: usize = 10_000;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(rows.len().div_ceil(ROWS_PER_THREAD))
        .max(1);
    let part = rows.len().div_ceil(threads).max(1);
    let parts: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(part)
            .map(|rows| s.spawn(move || check_part(rows, plan, today, key)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("checking a row does not panic"))
            .collect()
    });
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (checked, found) in parts {
        out.extend(checked);
        problems.extend(found);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

type Checked = (usize, String, Record);

fn check_part(
    rows: &[(usize, String, RawRecord)],
    plan: &Plan,
    today: NaiveDate,
    key: &PersonKey,
) -> (Vec<Checked>, Vec<crate::input::RowProblem>) {
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, village, raw) in rows {
        match check_record(raw, plan, today, key) {
            Ok(record) => out.push((*line, village.clone(), record)),
            Err(found) => problems.extend(found.into_iter().map(|p| crate::input::RowProblem {
                row: *line,
                column: column_vi(p.field).to_string(),
                message: p.message,
            })),
        }
    }
    (out, problems)
}

/// Tally items besides the measures' own: records logged, records covering every skill of the plan,
/// villages active in the week (at the commune and above), villages reaching their Golden Week.
pub const RECORDS: &str = "records";
pub const PEOPLE: &str = "people";
pub const FULL: &str = "full";
pub const TEAMS: &str = "teams";
pub const GOLDEN: &str = "golden";

/// The weekly increases one record brings, once the person's earlier items (`before`, None for a
/// person seen for the first time or without a CCCD) are known.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally {
    /// (item, increase), in a fixed order.
    pub items: Vec<(&'static str, i64)>,
    /// What the person newly counts for.
    pub added: Items,
    /// Whether the person counts as guided for the first time (feeds the inclusion view).
    pub new_person: bool,
}

const SKILL_ITEMS: [&str; MAX_SKILL_CODE as usize] = [
    "skill_1", "skill_2", "skill_3", "skill_4", "skill_5", "skill_6", "skill_7", "skill_8",
];

/// Every tally item, in a fixed order (the storage keeps one column per item).
pub const TALLY_ITEMS: [&str; 17] = [
    RECORDS,
    PEOPLE,
    FULL,
    TEAMS,
    GOLDEN,
    "skill_1",
    "skill_2",
    "skill_3",
    "skill_4",
    "skill_5",
    "skill_6",
    "skill_7",
    "skill_8",
    "vneid",
    "app",
    "signature",
    "domain",
];

/// The tally item of skill `code`.
pub fn skill_item(code: i64) -> &'static str {
    SKILL_ITEMS[(code - 1) as usize]
}

pub fn tally(record: Items, before: Option<Items>, every_skill: u16) -> Tally {
    let before = before.unwrap_or_default();
    let added = record.new_against(before);
    let new_person = record.has_any_skill() && !before.has_any_skill();
    let mut items = vec![(RECORDS, 1)];
    if new_person {
        items.push((PEOPLE, 1));
    }
    if every_skill != 0 && record.contains(every_skill) {
        items.push((FULL, 1));
    }
    items.extend(added.skill_codes().map(|c| (skill_item(c), 1)));
    items.extend(
        FLAGS
            .iter()
            .filter(|(bit, _)| added.contains(*bit))
            .map(|(_, name)| (*name, 1)),
    );
    Tally {
        items,
        added,
        new_person,
    }
}

/// Golden Week (Tuần lễ vàng): a team has carried it out in the first reporting week in which it
/// guided at least `people` persons through every basic skill of the plan (records covering all
/// skills). The threshold is the plan's `[field_log] golden_week_people`.
pub fn golden_week_reached(full_before: i64, full_after: i64, people: u32) -> bool {
    full_before < people as i64 && full_after >= people as i64
}

/// Cells of the inclusion view under this count are shown as [`SMALL_CELL_TEXT`].
pub const SMALL_CELL: i64 = 5;

/// What stands in a cell whose count is not shown.
pub const SMALL_CELL_TEXT: &str = "<5";

/// A count of the inclusion view if it may be shown: none under five, so that no person can be
/// singled out (the page and its .xlsx alike).
pub fn disclosed(count: i64) -> Option<i64> {
    (count >= SMALL_CELL).then_some(count)
}

/// A count as the inclusion page shows it: under five, "<5".
pub fn suppressed(count: i64) -> String {
    disclosed(count).map_or(SMALL_CELL_TEXT.into(), |n| {
        crate::format::number(n as f64, 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;

    fn plan() -> Plan {
        parse_plan(include_str!("../../../plans/daklak-100-ngay-2025.toml")).unwrap()
    }

    fn key() -> PersonKey {
        PersonKey::new(vec![7; 32]).unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 9, 5).unwrap()
    }

    fn raw() -> RawRecord {
        RawRecord {
            id: "0F8FAD5B-D9CB-469F-A165-70867728950E".into(),
            date: "05/09/2025".into(),
            skills: vec![1, 2],
            vneid: true,
            ..RawRecord::default()
        }
    }

    #[test]
    fn a_record_is_read_with_its_person_key_and_group_from_the_card() {
        let mut r = raw();
        r.cccd = Some(SecretText::new("066 185 000123".into()));
        let rec = check_record(&r, &plan(), today(), &key()).unwrap();
        assert_eq!(rec.id, "0f8fad5b-d9cb-469f-a165-70867728950e");
        assert_eq!(rec.items.0, 0b11 | VNEID);
        assert_eq!(rec.group.age_band, Some(AgeBand::From35To59));
        assert_eq!(rec.group.gender, Some(Gender::Female));
        assert_eq!(rec.person.as_ref().map(String::len), Some(64));
    }

    #[test]
    fn a_large_log_is_checked_in_parts_and_kept_in_order() {
        let row = |line: usize| {
            let mut r = raw();
            r.id = format!("00000000-0000-4000-8000-{line:012}");
            r.cccd = Some(SecretText::new(format!("066185{:06}", line % 1000)));
            (line, format!("V{}", line % 7), r)
        };
        let mut rows: Vec<_> = (1..=25_000).map(row).collect();
        let checked = check_rows(&rows, &plan(), today(), &key()).unwrap();
        assert_eq!(checked.len(), 25_000);
        for (i, (line, village, record)) in checked.iter().enumerate() {
            assert_eq!(*line, i + 1);
            assert_eq!(*village, format!("V{}", line % 7));
            assert!(record.id.ends_with(&format!("{line:012}")));
        }
        let once = check_record(&rows[0].2, &plan(), today(), &key()).unwrap();
        assert_eq!(checked[0].2.person, once.person);
        // Problems from every part, by line, in the log's order.
        rows[2].2.date = "hôm qua".into();
        rows[19_999].2.skills = vec![9];
        let problems = check_rows(&rows, &plan(), today(), &key()).unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(lines, [3, 20_000]);
    }

    #[test]
    fn every_problem_is_named_and_the_number_never_repeated() {
        let r = RawRecord {
            id: "not-a-uuid".into(),
            date: "31/12/2030".into(),
            skills: vec![9],
            birth_year: Some(1990),
            gender: Some("male".into()),
            age_band: Some("60+".into()),
            cccd: Some(SecretText::new("066190000123".into())),
            ..RawRecord::default()
        };
        let problems = check_record(&r, &plan(), today(), &key()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["id", "date", "skills", "skills", "cccd", "age_band"],
            "{problems:?}"
        );
        let r = RawRecord {
            gender: Some("nữ".into()),
            ..RawRecord {
                cccd: Some(SecretText::new("066090000123".into())),
                ..raw()
            }
        };
        let problems = check_record(&r, &plan(), today(), &key()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "cccd");
        assert!(!problems[0].message.contains("066090000123"));
        assert!(!format!("{r:?}").contains("066090000123"));
    }

    #[test]
    fn an_empty_record_or_one_from_the_future_is_refused() {
        let r = RawRecord {
            skills: vec![],
            vneid: false,
            date: "07/09/2025".into(),
            ..raw()
        };
        let problems = check_record(&r, &plan(), today(), &key()).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["date", "skills"]);
    }

    #[test]
    fn every_item_a_record_can_count_is_a_tally_item() {
        let everything = Items(0xfff);
        let t = tally(everything, None, Items::skill_bit(1));
        for (item, _) in &t.items {
            assert!(TALLY_ITEMS.contains(item), "{item}");
        }
        for m in Measure::ALL {
            assert!(TALLY_ITEMS.contains(&m.item()), "{}", m.as_str());
        }
        assert!(TALLY_ITEMS.contains(&TEAMS));
        assert_eq!(
            t.items.len() + 2,
            TALLY_ITEMS.len(),
            "all but teams and golden"
        );
    }

    #[test]
    fn a_person_counts_once_per_skill_and_flag() {
        let every = 0b11111;
        let first = tally(Items(0b00011 | VNEID), None, every);
        assert!(first.new_person);
        assert_eq!(
            first.items,
            [
                (RECORDS, 1),
                (PEOPLE, 1),
                ("skill_1", 1),
                ("skill_2", 1),
                ("vneid", 1)
            ]
        );
        // A second visit: skill 2 again, skill 3 new, all five skills, the app.
        let second = tally(Items(0b11111 | APP), Some(first.added), every);
        assert!(!second.new_person);
        assert_eq!(
            second.items,
            [
                (RECORDS, 1),
                (FULL, 1),
                ("skill_3", 1),
                ("skill_4", 1),
                ("skill_5", 1),
                ("app", 1)
            ]
        );
        // The same visit again adds nothing but the record.
        let union = first.added.union(second.added);
        assert_eq!(
            tally(Items(0b11111 | APP), Some(union), every).items,
            [(RECORDS, 1), (FULL, 1)]
        );
    }

    #[test]
    fn golden_week_small_cells_bands_and_ids() {
        assert!(golden_week_reached(19, 20, 20));
        assert!(!golden_week_reached(20, 25, 20));
        assert!(!golden_week_reached(10, 19, 20));
        assert_eq!(suppressed(0), "<5");
        assert_eq!(suppressed(4), "<5");
        assert_eq!(suppressed(1234), "1.234");
        assert_eq!(AgeBand::of_age(17), AgeBand::Under18);
        assert_eq!(AgeBand::of_age(60), AgeBand::From60);
        assert_eq!(AgeBand::parse("60+"), Some(AgeBand::From60));
        assert_eq!(AgeBand::parse("Dưới 18 tuổi"), Some(AgeBand::Under18));
        assert_eq!(AgeBand::parse("18-34"), Some(AgeBand::From18To34));
        assert_eq!(
            parse_uuid(" 0F8FAD5B-D9CB-469F-A165-70867728950E").as_deref(),
            Some("0f8fad5b-d9cb-469f-a165-70867728950e")
        );
        assert_eq!(parse_uuid("0f8fad5bd9cb469fa16570867728950e"), None);
    }
}
