//! Deterministic synthetic data for the demo and the generator: villages, departments, schools and
//! enterprises with plausible Vietnamese names, their denominators, and weekly reports with a realistic
//! spread (different paces, some laggards, a few missing weeks). Same seed, same data, on any machine:
//! the generator is a fixed SplitMix64, not a library whose stream may change between versions.
//! Everything produced here is marked synthetic and must be labelled so wherever it is shown.

use crate::calendar;
use crate::plan::{Indicator, Plan, Reporter, TargetKind};
use crate::units::{Denominator, UnitCode, UnitKind, UnitRow};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;

/// Where synthetic denominators say they come from.
pub const SYNTHETIC_SOURCE: &str = "Số liệu giả lập (demo)";

/// Bumped whenever the generator makes different data from the same seed, so that a demo database made
/// by an older build is regenerated rather than reused.
pub const GENERATOR_VERSION: u32 = 4;

/// SplitMix64: tiny, fast, and stable forever.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream for one purpose: the seed mixed with a label (FNV-1a), so adding a stream elsewhere
    /// never shifts this one.
    pub fn for_label(seed: u64, label: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(seed ^ h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    pub fn int(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.next_u64() % (hi_inclusive - lo + 1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// A commune as the generator needs it.
#[derive(Debug, Clone)]
pub struct CommuneInfo {
    pub code: String,
    pub name: String,
    /// "Xã", "Phường" or "Đặc khu".
    pub unit_type: String,
}

/// Units and denominators generated for one province.
#[derive(Debug, Clone, Default)]
pub struct SyntheticUnits {
    pub units: Vec<UnitRow>,
    pub denominators: Vec<Denominator>,
}

const BUON_NAMES: [&str; 30] = [
    "Ea Kmát",
    "Kô Đung",
    "Ako Dhông",
    "Ea Tam",
    "Cư Ebur",
    "Kmrơng Prông",
    "Ea Na",
    "Ea Sup",
    "Cuôr Đăng",
    "H'Đing",
    "Ea Bông",
    "Drai Si",
    "Trấp",
    "Ea Kly",
    "Ea Ning",
    "Đrăng Phôk",
    "Ea Tiêu",
    "Ea Drơng",
    "Tơng Jú",
    "Mấp",
    "Yang Reh",
    "Ea Bar",
    "Hra Ea Hning",
    "Kő Siêr",
    "Ea Pôk",
    "Cư Jut",
    "Tul",
    "Ea Knốp",
    "M'Lang",
    "Jang Lành",
];
const THON_NAMES: [&str; 24] = [
    "Tân Lập",
    "Hòa Bình",
    "Thống Nhất",
    "Quyết Thắng",
    "Tân Sơn",
    "Đoàn Kết",
    "Thanh Bình",
    "Xuân Phú",
    "Phước Lộc",
    "Tân Hòa",
    "Quảng Thành",
    "Đông Sơn",
    "Tây Hòa",
    "Hợp Thành",
    "Tân Tiến",
    "Bình Minh",
    "Trung Hòa",
    "Ea Sim",
    "Phú Lộc",
    "Thành Công",
    "Kim Phú",
    "Hưng Thịnh",
    "Đồng Tâm",
    "An Phú",
];
/// Departments: (code suffix, name, officials range).
const DEPARTMENTS: [(&str, &str, u64, u64); 24] = [
    ("VPUB", "Văn phòng Ủy ban nhân dân tỉnh", 80, 150),
    ("SNV", "Sở Nội vụ", 60, 120),
    ("STC", "Sở Tài chính", 80, 160),
    ("STP", "Sở Tư pháp", 50, 100),
    ("SCT", "Sở Công Thương", 70, 140),
    ("SXD", "Sở Xây dựng", 80, 160),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", 250, 600),
    ("SGDDT", "Sở Giáo dục và Đào tạo", 90, 180),
    ("SYT", "Sở Y tế", 120, 300),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 90, 200),
    ("SKHCN", "Sở Khoa học và Công nghệ", 60, 120),
    ("SNGV", "Sở Ngoại vụ", 25, 50),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", 30, 60),
    ("TTR", "Thanh tra tỉnh", 40, 80),
    ("CAT", "Công an tỉnh", 2500, 4000),
    ("BCHQS", "Bộ Chỉ huy Quân sự tỉnh", 400, 800),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh", 30, 60),
    ("BPTTH", "Báo và Phát thanh, Truyền hình tỉnh", 150, 300),
    ("TD", "Tỉnh đoàn", 25, 50),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", 60, 120),
    ("LMHTX", "Liên minh Hợp tác xã tỉnh", 20, 40),
    ("BHXH", "Bảo hiểm xã hội tỉnh", 300, 600),
    ("THUE", "Thuế tỉnh", 400, 800),
    ("KBNN", "Kho bạc Nhà nước khu vực", 150, 300),
];
const SCHOOLS: [(&str, &str, &str, u64, u64); 6] = [
    ("DH1", "Trường Đại học", "Trường Đại học {P}", 8000, 16000),
    (
        "CDSP",
        "Trường Cao đẳng",
        "Trường Cao đẳng Sư phạm {P}",
        1500,
        4000,
    ),
    (
        "CDYT",
        "Trường Cao đẳng",
        "Trường Cao đẳng Y tế {P}",
        1500,
        3500,
    ),
    (
        "CDKT",
        "Trường Cao đẳng",
        "Trường Cao đẳng Kỹ thuật {P}",
        2000,
        5000,
    ),
    (
        "TCN1",
        "Trường Trung cấp",
        "Trường Trung cấp Nghề {P}",
        600,
        1800,
    ),
    (
        "TCKT",
        "Trường Trung cấp",
        "Trường Trung cấp Kinh tế - Kỹ thuật {P}",
        500,
        1500,
    ),
];
const ENTERPRISES: [&str; 8] = [
    "Hợp tác xã Nông nghiệp {C}",
    "Hợp tác xã Cà phê {C}",
    "Công ty TNHH Thương mại {C}",
    "Hợp tác xã Dịch vụ tổng hợp {C}",
    "Công ty Cổ phần Nông sản {C}",
    "Hợp tác xã Rau an toàn {C}",
    "Công ty TNHH Xây dựng {C}",
    "Hợp tác xã Dệt thổ cẩm {C}",
];

fn code(s: String) -> UnitCode {
    UnitCode::parse(&s).expect("generated codes are valid")
}

fn row(
    code_text: String,
    name: String,
    kind: UnitKind,
    unit_type: &str,
    parent: &str,
    as_of: NaiveDate,
) -> UnitRow {
    let full_name = name.clone();
    UnitRow {
        row: 0,
        code: code(code_text),
        name,
        full_name,
        kind,
        unit_type: unit_type.into(),
        parent: Some(parent.into()),
        synthetic: true,
        denominators: vec![],
        source: SYNTHETIC_SOURCE.into(),
        as_of,
    }
}

/// Villages per commune in a province like Đắk Lắk (3,051 for 102 communes in 2025).
pub const VILLAGES_PROVINCE: (u64, u64) = (25, 35);
/// Villages per commune over the whole country (about 80,000 for 3,321 communes).
pub const VILLAGES_NATIONAL: (u64, u64) = (18, 30);

/// Villages (`villages`: the fewest and most per commune), departments, schools and enterprises of a
/// province, and denominators for them and for the province's communes.
pub fn units(
    province_code: &str,
    province_name: &str,
    communes: &[CommuneInfo],
    villages: (u64, u64),
    seed: u64,
    as_of: NaiveDate,
) -> SyntheticUnits {
    let mut out = SyntheticUnits::default();
    let mut denominator = |unit: &str, key: &str, value: f64| {
        out.denominators.push(Denominator {
            unit: code(unit.to_string()),
            key: key.into(),
            value: value.round(),
            source: SYNTHETIC_SOURCE.into(),
            as_of,
        })
    };
    let mut units = Vec::new();
    for c in communes {
        let mut rng = Rng::for_label(seed, &format!("commune/{}", c.code));
        let urban = c.unit_type == "Phường";
        let adults = if urban {
            rng.range(20_000.0, 45_000.0)
        } else {
            rng.range(9_000.0, 30_000.0)
        };
        denominator(&c.code, "adults", adults);
        denominator(&c.code, "officials", rng.range(70.0, 150.0));
        denominator(
            &c.code,
            "smartphone_users",
            adults * rng.range(if urban { 0.78 } else { 0.55 }, 0.9),
        );

        let n = rng.int(villages.0, villages.1);
        let (mut numbered, mut used) = (0, Vec::new());
        for i in 1..=n {
            let roll = rng.unit();
            let (unit_type, name) = if urban && roll < 0.85 {
                numbered += 1;
                ("Tổ dân phố", format!("Tổ dân phố {numbered}"))
            } else if roll < 0.6 {
                numbered += 1;
                ("Thôn", format!("Thôn {numbered}"))
            } else {
                let (t, list): (&str, &[&str]) = if roll < 0.85 {
                    ("Buôn", &BUON_NAMES)
                } else {
                    ("Thôn", &THON_NAMES)
                };
                let name = format!("{t} {}", rng.pick(list));
                if used.contains(&name) {
                    numbered += 1;
                    ("Thôn", format!("Thôn {numbered}"))
                } else {
                    used.push(name.clone());
                    (t, name)
                }
            };
            units.push(row(
                format!("{}-T{i:02}", c.code),
                name,
                UnitKind::Village,
                unit_type,
                &c.code,
                as_of,
            ));
        }
        if rng.chance(0.55) {
            let template = rng.pick(&ENTERPRISES);
            let ecode = format!("{}-DN1", c.code);
            units.push(row(
                ecode.clone(),
                template.replace("{C}", &c.name),
                UnitKind::Enterprise,
                "Doanh nghiệp",
                &c.code,
                as_of,
            ));
            denominator(&ecode, "workers", rng.range(15.0, 400.0));
        }
    }
    for (suffix, name, lo, hi) in DEPARTMENTS {
        let mut rng = Rng::for_label(seed, &format!("department/{province_code}/{suffix}"));
        let dcode = format!("{province_code}-{suffix}");
        units.push(row(
            dcode.clone(),
            name.into(),
            UnitKind::Department,
            "Sở, ban, ngành",
            province_code,
            as_of,
        ));
        denominator(&dcode, "officials", rng.int(lo, hi) as f64);
        if suffix == "SGDDT" {
            // Secondary-school pupils, reported by the education department for all its schools.
            denominator(&dcode, "students", rng.range(150_000.0, 260_000.0));
        }
    }
    for (suffix, unit_type, template, lo, hi) in SCHOOLS {
        let mut rng = Rng::for_label(seed, &format!("school/{province_code}/{suffix}"));
        let scode = format!("{province_code}-{suffix}");
        units.push(row(
            scode.clone(),
            template.replace("{P}", province_name),
            UnitKind::School,
            unit_type,
            province_code,
            as_of,
        ));
        denominator(&scode, "students", rng.int(lo, hi) as f64);
    }
    out.units = units;
    out
}

/// A generated weekly report.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticReport {
    pub unit: String,
    pub week: NaiveDate,
    pub submitted_at: DateTime<Utc>,
    pub difficulties: String,
    pub proposals: String,
    /// (indicator, subject, numerator, denominator)
    pub values: Vec<(String, String, f64, Option<f64>)>,
}

const DIFFICULTIES: [&str; 8] = [
    "Nhiều người cao tuổi, đồng bào dân tộc thiểu số chưa có điện thoại thông minh.",
    "Sóng di động yếu tại một số thôn, buôn vùng sâu, vùng xa.",
    "Thiếu kinh phí in tài liệu hướng dẫn và hỗ trợ Tổ Công nghệ số cộng đồng.",
    "Hệ thống VNeID thường xuyên quá tải vào giờ cao điểm.",
    "Thành viên Tổ Công nghệ số cộng đồng kiêm nhiệm nhiều việc, thời gian hạn chế.",
    "Người dân đi làm rẫy theo mùa vụ, khó tập trung để hướng dẫn.",
    "Một số cán bộ chưa hoàn thành khóa học trên nền tảng MOOCs do khối lượng công việc lớn.",
    "Hộ kinh doanh còn e ngại chi phí duy trì tên miền “.vn”.",
];
const PROPOSALS: [&str; 7] = [
    "Đề nghị Sở Khoa học và Công nghệ hỗ trợ tài liệu hướng dẫn song ngữ tiếng Việt và tiếng dân tộc thiểu số.",
    "Đề nghị các doanh nghiệp viễn thông tăng cường trạm phát sóng tại các thôn, buôn vùng sâu.",
    "Đề nghị bố trí kinh phí hỗ trợ hoạt động của Tổ Công nghệ số cộng đồng.",
    "Đề nghị Công an tỉnh hỗ trợ xử lý các trường hợp lỗi tài khoản VNeID mức 2.",
    "Đề nghị tổ chức thêm lớp tập huấn cho thành viên Tổ Công nghệ số cộng đồng.",
    "Đề nghị VNNIC hỗ trợ miễn phí năm đầu tên miền “.vn” cho hộ kinh doanh.",
    "Đề nghị kéo dài thời gian tập huấn trực tuyến cho cán bộ cấp xã.",
];

/// A unit that reports, as the report generator sees it.
#[derive(Debug, Clone)]
pub struct ReportingUnit {
    pub code: String,
    pub kind: UnitKind,
    /// Registered denominators by key.
    pub denominators: HashMap<String, f64>,
    /// Number of villages (for share-of-units indicators counted on villages).
    pub villages: f64,
}

/// Whether `u` reports its own figure for `ind` (units reporting on behalf of others are left to the
/// secretariat's real data: the demo has communes report for themselves).
fn reports_on(ind: &Indicator, u: &ReportingUnit) -> bool {
    ind.reporters.iter().any(|r| match r {
        Reporter::Kind { kind } => *kind == u.kind,
        Reporter::Unit { unit } => unit.as_str() == u.code,
        Reporter::OnBehalf { .. } => false,
    })
}

/// Fraction of the way to the first milestone that a typical unit has covered on `day`.
fn typical_share(plan: &Plan, ind: &Indicator, day: NaiveDate) -> f64 {
    let start = plan.campaign.start;
    let span = (ind.milestones[0].date - start).num_days().max(7) as f64;
    let elapsed = (day - start).num_days().max(0) as f64;
    // Campaigns are front-loaded: fast at first, slower as the easy cases are done.
    (elapsed / span).min(1.35).powf(0.55)
}

/// Weekly reports of the given units for every reporting day up to `until`.
/// The local time of day the demo stands at on its date: the afternoon of a reporting Friday, when
/// most units have reported and the week is still open. Reports of that day sent later are not generated.
pub fn demo_time() -> NaiveTime {
    NaiveTime::from_hms_opt(17, 0, 0).expect("valid time")
}

pub fn reports(
    plan: &Plan,
    units: &[ReportingUnit],
    seed: u64,
    until: NaiveDate,
) -> Vec<SyntheticReport> {
    let reporters_of =
        |ind: &Indicator| units.iter().filter(|u| reports_on(ind, u)).count().max(1) as f64;
    let weeks: Vec<_> = calendar::weeks(plan)
        .into_iter()
        .filter(|w| w.reporting_day <= until)
        .collect();
    let mut out = Vec::new();
    for u in units {
        let mut urng = Rng::for_label(seed, &format!("pace/{}", u.code));
        // Most units progress at their own pace; about one in eight lags far behind.
        let laggard = urng.chance(0.12);
        let pace = if laggard {
            urng.range(0.25, 0.55)
        } else {
            urng.range(0.75, 1.3)
        };
        let miss_rate = if laggard { 0.2 } else { 0.04 };
        let indicators: Vec<&Indicator> = plan
            .indicators
            .iter()
            .filter(|i| reports_on(i, u))
            .collect();
        if indicators.is_empty() {
            continue;
        }
        let mut last: HashMap<&str, f64> = HashMap::new();
        for w in &weeks {
            let mut wrng = Rng::for_label(seed, &format!("week/{}/{}", u.code, w.reporting_day));
            if wrng.chance(miss_rate) {
                continue;
            }
            let mut values = Vec::new();
            for ind in &indicators {
                let mut irng = Rng::for_label(seed, &format!("ind/{}/{}", u.code, ind.code));
                let difficulty =
                    Rng::for_label(seed, &format!("difficulty/{}", ind.code)).range(0.75, 1.45);
                let own = irng.range(0.8, 1.2);
                let share =
                    (typical_share(plan, ind, w.reporting_day) * pace * difficulty * own).max(0.0);
                let target = ind.milestones[0].target;
                let noise = wrng.range(0.97, 1.03);
                let (numerator, denominator) = match ind.kind {
                    TargetKind::Ratio => {
                        let Some(den) =
                            ind.denominator.as_ref().and_then(|k| u.denominators.get(k))
                        else {
                            continue;
                        };
                        let v = (den * (target / 100.0) * share * noise).min(den * 0.995);
                        (v.round(), None)
                    }
                    TargetKind::ShareOfUnits => {
                        let counted = if ind.counted_unit == Some(u.kind) {
                            1.0
                        } else {
                            u.villages
                        };
                        if counted == 1.0 {
                            // A yes/no: done once the unit's own moment has come.
                            (
                                if share * irng.range(0.8, 1.6) >= 1.0 {
                                    1.0
                                } else {
                                    0.0
                                },
                                None,
                            )
                        } else {
                            (
                                (counted * (share * 1.1).min(1.0) * noise)
                                    .round()
                                    .min(counted),
                                None,
                            )
                        }
                    }
                    TargetKind::Total => {
                        let per_unit = target / reporters_of(ind);
                        (
                            (per_unit * share * irng.range(0.4, 1.6) * noise).round(),
                            None,
                        )
                    }
                    TargetKind::MinimumPerUnit => {
                        let minimum = ind.minimum.unwrap_or(1.0);
                        (
                            (minimum * share * irng.range(0.5, 1.7) * noise).round(),
                            None,
                        )
                    }
                };
                // Cumulative figures never go down.
                let previous = last.get(ind.code.as_str()).copied().unwrap_or(0.0);
                let numerator = numerator.max(previous);
                last.insert(ind.code.as_str(), numerator);
                values.push((ind.code.clone(), u.code.clone(), numerator, denominator));
            }
            // Most reports arrive on the Friday; some after the deadline.
            let local_day = if wrng.chance(if laggard { 0.35 } else { 0.08 }) {
                w.reporting_day + Duration::days(wrng.int(1, 3) as i64)
            } else {
                w.reporting_day
            };
            let minutes = wrng.int(8 * 60, 23 * 60 + 30) as u32;
            let local = local_day.and_time(
                NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0).expect("valid"),
            );
            if local > until.and_time(demo_time()) {
                // Not sent yet at the moment the demo stands.
                continue;
            }
            let submitted_at =
                local.and_utc() - Duration::minutes(plan.reporting.utc_offset_minutes.into());
            let difficulties = if wrng.chance(0.3) {
                wrng.pick(&DIFFICULTIES).to_string()
            } else {
                String::new()
            };
            let proposals = if !difficulties.is_empty() && wrng.chance(0.7) {
                wrng.pick(&PROPOSALS).to_string()
            } else {
                String::new()
            };
            out.push(SyntheticReport {
                unit: u.code.clone(),
                week: w.reporting_day,
                submitted_at,
                difficulties,
                proposals,
                values,
            });
        }
    }
    out
}

/// A synthetic appendix of assigned targets: each province-wide total that communes report, split
/// between the communes in proportion to their adults (rounded to whole people), per milestone.
pub fn assigned_targets(
    plan: &Plan,
    adults: &[(String, f64)],
) -> Vec<crate::assigned::AssignedTarget> {
    let all: f64 = adults.iter().map(|(_, a)| a).sum();
    if all <= 0.0 {
        return Vec::new();
    }
    let by_communes = |i: &&Indicator| {
        i.kind == TargetKind::Total
            && i.reporters.iter().any(|r| {
                matches!(
                    r,
                    Reporter::Kind {
                        kind: UnitKind::Commune
                    }
                )
            })
    };
    let mut out = Vec::new();
    for ind in plan.indicators.iter().filter(by_communes) {
        let single = ind.milestones.len() == 1;
        for m in &ind.milestones {
            for (unit, a) in adults {
                out.push(crate::assigned::AssignedTarget {
                    unit: unit.clone(),
                    indicator: ind.code.clone(),
                    milestone: (!single).then_some(m.date),
                    target: (m.target * a / all).round().max(1.0),
                    line: 0,
                });
            }
        }
    }
    out
}

/// Synthetic door-to-door records (labelled synthetic wherever shown), for the demo and benchmarks:
/// `count` records spread over `villages` and `days`, ids numbered from `first`. About 60 % identify the person by a synthetic CCCD drawn from a pool a
/// third the size of `count`, so that later visits are deduplicated; one record in four covers every
/// skill, so that busy teams reach their Golden Week.
pub fn field_records(
    plan: &Plan,
    villages: &[String],
    count: usize,
    seed: u64,
    days: std::ops::RangeInclusive<NaiveDate>,
    first: u64,
) -> Vec<(String, crate::field::RawRecord)> {
    use crate::field::{RawRecord, SecretText};
    let mut rng = Rng::for_label(seed, &format!("field-log-{first}"));
    let (from, until) = (*days.start(), *days.end());
    let days = (until - from).num_days().max(0) as u64;
    let skills: Vec<i64> = plan.skills.iter().map(|s| s.code).collect();
    let pool = (count as u64 / 3).max(1);
    (0..count as u64)
        .map(|i| {
            let village = villages[rng.int(0, villages.len() as u64 - 1) as usize].clone();
            let day = from + Duration::days(rng.int(0, days) as i64);
            let chosen: Vec<i64> = if rng.chance(0.25) {
                skills.clone()
            } else {
                skills.iter().copied().filter(|_| rng.chance(0.4)).collect()
            };
            let person = rng.int(0, pool - 1);
            // The person's traits follow from their number in the pool, so every visit agrees.
            let mut traits = Rng::for_label(seed, &format!("person-{person}"));
            let birth_year = traits.int(1940, 2008) as i32;
            let female = traits.chance(0.5);
            let cccd = rng.chance(0.6).then(|| {
                let province = crate::cccd::PROVINCE_CODES[(person % 63) as usize];
                let digit = ((birth_year - 1900) / 100) * 2 + i32::from(female);
                SecretText::new(format!(
                    "{province}{digit}{:02}{:06}",
                    birth_year % 100,
                    person % 1_000_000
                ))
            });
            let raw = RawRecord {
                id: format!("5e7d0000-0000-4000-8000-{:012x}", first + i),
                date: day.to_string(),
                vneid: rng.chance(0.5),
                app: rng.chance(0.3),
                signature: rng.chance(0.15),
                domain: rng.chance(0.01),
                skills: if chosen.is_empty() {
                    vec![skills[0]]
                } else {
                    chosen
                },
                birth_year: Some(birth_year),
                age_band: None,
                gender: Some(if female { "female" } else { "male" }.to_string()),
                minority: Some(traits.chance(0.3)),
                cccd,
            };
            (village, raw)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::for_label(7, "x");
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Rng::for_label(7, "x");
        assert_eq!(a, (0..5).map(|_| r.next_u64()).collect::<Vec<_>>());
        assert_ne!(
            Rng::for_label(7, "x").next_u64(),
            Rng::for_label(7, "y").next_u64()
        );
        assert_ne!(
            Rng::for_label(7, "x").next_u64(),
            Rng::for_label(8, "x").next_u64()
        );
    }

    #[test]
    fn villages_are_plausible_and_unique() {
        let communes = vec![
            CommuneInfo {
                code: "24121".into(),
                name: "Buôn Ma Thuột".into(),
                unit_type: "Phường".into(),
            },
            CommuneInfo {
                code: "24133".into(),
                name: "Hòa Phú".into(),
                unit_type: "Xã".into(),
            },
        ];
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let s = units("66", "Đắk Lắk", &communes, VILLAGES_PROVINCE, 42, d);
        for c in &communes {
            let villages: Vec<&UnitRow> = s
                .units
                .iter()
                .filter(|u| u.kind == UnitKind::Village && u.parent.as_deref() == Some(&c.code))
                .collect();
            assert!((25..=35).contains(&villages.len()));
            let mut names: Vec<&str> = villages.iter().map(|v| v.name.as_str()).collect();
            names.sort();
            names.dedup();
            assert_eq!(
                names.len(),
                villages.len(),
                "village names unique within a commune"
            );
        }
        assert!(s.units.iter().all(|u| u.synthetic));
        assert!(s.units.iter().any(|u| u.code.as_str() == "66-CAT"));
        assert_eq!(
            units("66", "Đắk Lắk", &communes, VILLAGES_PROVINCE, 42, d).units,
            s.units
        );
    }
}
