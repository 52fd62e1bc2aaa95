//! Raw plan → validated [`Plan`], collecting every problem with the path of the field it concerns.

use super::model::*;
use super::raw::*;
use crate::text::search_key;
use crate::units::{UnitCode, UnitKind};
use chrono::{NaiveDate, NaiveTime, Weekday};
use std::collections::HashSet;

/// A step in a path into the plan file: a key or a position in an array (0-based).
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Key(&'static str),
    Index(usize),
}

/// A problem found in a plan: where (path, then line once located) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub path: Vec<Seg>,
    pub message: String,
}

/// Shows a path as `indicators[3].kind`, arrays numbered from 1 like the blocks in the file.
pub fn path_to_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{}]", i + 1)),
        }
    }
    s
}

struct Checker {
    problems: Vec<Problem>,
    path: Vec<Seg>,
}

impl Checker {
    fn at<T>(&mut self, seg: Seg, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(seg);
        let out = f(self);
        self.path.pop();
        out
    }

    fn problem(&mut self, field: &'static str, message: impl Into<String>) {
        let mut path = self.path.clone();
        if !field.is_empty() {
            path.push(Seg::Key(field));
        }
        self.problems.push(Problem {
            path,
            message: message.into(),
        });
    }

    fn non_empty(&mut self, field: &'static str, value: &str) -> String {
        if value.trim().is_empty() {
            self.problem(field, "không được để trống");
        }
        value.trim().to_string()
    }

    fn date(&mut self, field: &'static str, raw: &RawDate) -> Option<NaiveDate> {
        let parsed = match raw {
            RawDate::Toml(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                }
                _ => None,
            },
            RawDate::Text(s) => parse_date_text(s),
        };
        if parsed.is_none() {
            let shown = match raw {
                RawDate::Toml(dt) => dt.to_string(),
                RawDate::Text(s) => s.clone(),
            };
            self.problem(
                field,
                format!("ngày «{shown}» không hợp lệ; viết 2025-07-15 hoặc \"15/07/2025\""),
            );
        }
        parsed
    }

    fn time(&mut self, field: &'static str, raw: &str) -> Option<NaiveTime> {
        let t = NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok();
        if t.is_none() {
            self.problem(
                field,
                format!("giờ «{raw}» không hợp lệ; viết dạng \"23:59\""),
            );
        }
        t
    }

    fn weekday(&mut self, field: &'static str, raw: &str) -> Option<Weekday> {
        let w = parse_weekday(raw);
        if w.is_none() {
            self.problem(
                field,
                format!(
                    "thứ «{raw}» không hợp lệ; dùng monday … sunday hoặc \"thứ hai\" … \"chủ nhật\""
                ),
            );
        }
        w
    }

    fn unit_kind(&mut self, field: &'static str, raw: &str) -> Option<UnitKind> {
        let k = UnitKind::parse(raw);
        if k.is_none() {
            let all: Vec<&str> = UnitKind::ALL.iter().map(|k| k.as_str()).collect();
            self.problem(
                field,
                format!(
                    "loại đơn vị «{raw}» không có; dùng một trong: {}",
                    all.join(", ")
                ),
            );
        }
        k
    }

    fn unit_code(&mut self, field: &'static str, raw: &str) -> Option<UnitCode> {
        match UnitCode::parse(raw) {
            Ok(c) => Some(c),
            Err(e) => {
                self.problem(field, e);
                None
            }
        }
    }
}

/// "2025-07-15" or "15/07/2025" (also "15/7/2025").
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// English weekday names or Vietnamese ones, with or without diacritics ("thứ sáu", "thu sau").
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let key = search_key(s);
    let vi = [
        ("thu hai", Weekday::Mon),
        ("thu ba", Weekday::Tue),
        ("thu tu", Weekday::Wed),
        ("thu nam", Weekday::Thu),
        ("thu sau", Weekday::Fri),
        ("thu bay", Weekday::Sat),
        ("chu nhat", Weekday::Sun),
    ];
    if let Some((_, w)) = vi.iter().find(|(name, _)| *name == key) {
        return Some(*w);
    }
    key.parse::<Weekday>().ok()
}

fn parse_utc_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Validates a raw plan. Returns the plan only when there is no problem at all.
pub fn check(raw: &RawPlan) -> Result<Plan, Vec<Problem>> {
    let mut c = Checker {
        problems: Vec::new(),
        path: Vec::new(),
    };

    if let Some(f) = raw.format
        && f != 1
    {
        c.problem(
            "format",
            format!("phiên bản định dạng {f} chưa được hỗ trợ; dùng format = 1"),
        );
    }
    let code = c.non_empty("code", &raw.code);
    if !code.is_empty() && !is_slug(&code) {
        c.problem(
            "code",
            format!("mã kế hoạch «{code}» chỉ được dùng chữ không dấu, số, '-', '_', '.'"),
        );
    }
    let title = c.non_empty("title", &raw.title);
    let province = c.unit_code("province", &raw.province);
    if let Some(p) = &province
        && p.as_str() != crate::units::COUNTRY_CODE
        && !p.as_str().chars().all(|ch| ch.is_ascii_digit())
    {
        c.problem(
            "province",
            format!(
                "mã tỉnh «{p}» phải là mã chính thức bằng số (ví dụ \"66\"), hoặc \"{}\" cho kế hoạch toàn quốc",
                crate::units::COUNTRY_CODE
            ),
        );
    }
    let issuer = c.non_empty("issuer", &raw.issuer);
    let secretariat = c.non_empty("secretariat", &raw.secretariat);

    // Campaign.
    let campaign = c.at(Seg::Key("campaign"), |c| {
        let name = c.non_empty("name", &raw.campaign.name);
        let start = c.date("start", &raw.campaign.start);
        let end = c.date("end", &raw.campaign.end);
        let until = match &raw.campaign.targets_until {
            Some(d) => c.date("targets_until", d),
            None => end,
        };
        let (start, end, until) = (start?, end?, until?);
        if end <= start {
            c.problem(
                "end",
                format!("ngày kết thúc {end} phải sau ngày bắt đầu {start}"),
            );
        }
        if until < end {
            c.problem(
                "targets_until",
                format!("targets_until {until} không được trước ngày kết thúc {end}"),
            );
        }
        Some(Campaign {
            name,
            start,
            end,
            targets_until: until.max(end),
        })
    });

    // Reporting rules.
    let reporting = c.at(Seg::Key("reporting"), |c| {
        let r = &raw.reporting;
        let weekday = c.weekday("weekday", &r.weekday);
        let due_time = c.time("due_time", &r.due_time);
        let lock_weekday = c.weekday("lock_weekday", &r.lock_weekday);
        let lock_time = c.time("lock_time", &r.lock_time);
        let offset = parse_utc_offset(&r.utc_offset);
        if offset.is_none() {
            c.problem(
                "utc_offset",
                format!(
                    "độ lệch giờ «{}» không hợp lệ; viết dạng \"+07:00\"",
                    r.utc_offset
                ),
            );
        }
        let recipient = c.non_empty("recipient", &r.recipient);
        Some(Reporting {
            weekday: weekday?,
            due_time: due_time?,
            lock_weekday: lock_weekday?,
            lock_time: lock_time?,
            utc_offset_minutes: offset?,
            recipient,
            channel: r.channel.clone(),
            difficulties: r.difficulties,
            proposals: r.proposals,
        })
    });

    let final_reports = raw
        .final_reports
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            c.at(Seg::Key("final_reports"), |c| {
                c.at(Seg::Index(i), |c| {
                    let title = c.non_empty("title", &f.title);
                    let from = c.non_empty("from", &f.from);
                    let to = c.non_empty("to", &f.to);
                    let from_kinds: Vec<_> = f
                        .from_kinds
                        .iter()
                        .filter_map(|k| c.unit_kind("from_kinds", k))
                        .collect();
                    let deadline = c.date("deadline", &f.deadline)?;
                    if let Some(camp) = &campaign
                        && deadline < camp.start
                    {
                        c.problem(
                            "deadline",
                            format!(
                                "hạn {deadline} trước ngày bắt đầu chiến dịch {}",
                                camp.start
                            ),
                        );
                    }
                    Some(FinalReport {
                        title,
                        from,
                        from_kinds,
                        to,
                        deadline,
                    })
                })
            })
        })
        .collect();

    let mut denominators = Vec::new();
    let mut seen = HashSet::new();
    for (i, d) in raw.denominators.iter().enumerate() {
        c.at(Seg::Key("denominators"), |c| {
            c.at(Seg::Index(i), |c| {
                let key = c.non_empty("key", &d.key);
                if !key.is_empty() && !is_slug(&key) {
                    c.problem(
                        "key",
                        format!("khóa «{key}» chỉ được dùng chữ không dấu, số, '-', '_', '.'"),
                    );
                }
                if !seen.insert(key.clone()) {
                    c.problem("key", format!("mẫu số «{key}» khai báo hai lần"));
                }
                let name = c.non_empty("name", &d.name);
                denominators.push(DenominatorDef {
                    key,
                    name,
                    unit: d.unit.clone(),
                });
            })
        });
    }

    let mut skills = Vec::new();
    let mut seen = HashSet::new();
    for (i, s) in raw.skills.iter().enumerate() {
        c.at(Seg::Key("skills"), |c| {
            c.at(Seg::Index(i), |c| {
                if !seen.insert(s.code) {
                    c.problem("code", format!("kỹ năng số {} khai báo hai lần", s.code));
                }
                if !(1..=crate::field::MAX_SKILL_CODE).contains(&s.code) {
                    c.problem(
                        "code",
                        format!(
                            "mã kỹ năng số phải từ 1 đến {} (đang là {})",
                            crate::field::MAX_SKILL_CODE,
                            s.code
                        ),
                    );
                }
                let name = c.non_empty("name", &s.name);
                skills.push(Skill { code: s.code, name });
            })
        });
    }

    let mut tasks = Vec::new();
    let mut seen = HashSet::new();
    for (i, t) in raw.tasks.iter().enumerate() {
        c.at(Seg::Key("tasks"), |c| {
            c.at(Seg::Index(i), |c| {
                let number = c.non_empty("number", &t.number);
                if !seen.insert(number.clone()) {
                    c.problem("number", format!("nhiệm vụ «{number}» khai báo hai lần"));
                }
                let title = c.non_empty("title", &t.title);
                let lead_kinds = t
                    .lead_kinds
                    .iter()
                    .filter_map(|k| c.unit_kind("lead_kinds", k))
                    .collect();
                let start = t.start.as_ref().and_then(|d| c.date("start", d));
                let deadline = t.deadline.as_ref().and_then(|d| c.date("deadline", d));
                if deadline.is_none() && t.deadline.is_none() && !t.ongoing {
                    c.problem(
                        "deadline",
                        "nhiệm vụ cần hạn hoàn thành (deadline) hoặc ongoing = true (thường xuyên)",
                    );
                }
                if let (Some(s), Some(d)) = (start, deadline)
                    && d < s
                {
                    c.problem(
                        "deadline",
                        format!("hạn {d} trước ngày bắt đầu {s} của nhiệm vụ"),
                    );
                }
                if t.lead.is_empty() && t.lead_kinds.is_empty() {
                    c.problem("lead", "nhiệm vụ cần đơn vị chủ trì (lead hoặc lead_kinds)");
                }
                tasks.push(Task {
                    number,
                    title,
                    lead: t.lead.clone(),
                    lead_kinds,
                    coordinating: t.coordinating.clone(),
                    start,
                    deadline,
                    ongoing: t.ongoing,
                });
            })
        });
    }

    let mut indicators = Vec::new();
    let mut seen = HashSet::new();
    for (i, ind) in raw.indicators.iter().enumerate() {
        let checked = c.at(Seg::Key("indicators"), |c| {
            c.at(Seg::Index(i), |c| {
                check_indicator(c, ind, &mut seen, &tasks, &denominators, campaign.as_ref())
            })
        });
        if let Some(ind) = checked {
            indicators.push(ind);
        }
    }
    if raw.indicators.is_empty() {
        c.problem(
            "indicators",
            "kế hoạch chưa có chỉ tiêu nào ([[indicators]])",
        );
    }
    let golden_week_people = check_field_log(&mut c, raw, &indicators);

    if !c.problems.is_empty() {
        return Err(c.problems);
    }
    Ok(Plan {
        code,
        title,
        province: province.expect("checked"),
        issuer,
        secretariat,
        document: raw.document.clone(),
        slogan: raw.slogan.clone(),
        campaign: campaign.expect("checked"),
        reporting: reporting.expect("checked"),
        final_reports,
        denominators,
        skills,
        tasks,
        indicators,
        golden_week_people,
    })
}

/// The door-to-door log's rules: each measure feeds at most one indicator, reported by communes for
/// themselves, of a kind that fits what is counted; Golden Week needs its threshold.
fn check_field_log(c: &mut Checker, raw: &RawPlan, indicators: &[Indicator]) -> Option<u32> {
    use crate::field::Measure;
    let mut seen = HashSet::new();
    for (i, ind) in raw.indicators.iter().enumerate() {
        let Some(text) = &ind.field_log else { continue };
        c.at(Seg::Key("indicators"), |c| {
            c.at(Seg::Index(i), |c| {
                let Some(measure) = Measure::parse(text) else {
                    c.problem(
                        "field_log",
                        format!(
                            "«{text}» không phải số đo của nhật ký Tổ CNS; dùng một trong: {}",
                            Measure::ALL.map(|m| m.as_str()).join(", ")
                        ),
                    );
                    return;
                };
                if !seen.insert(measure.as_str()) {
                    c.problem(
                        "field_log",
                        format!("số đo «{text}» đã dùng cho một chỉ tiêu khác"),
                    );
                }
                let Some(checked) = indicators.iter().find(|x| x.code == ind.code.trim()) else {
                    return;
                };
                if !checked.reporters.contains(&Reporter::Kind {
                    kind: UnitKind::Commune,
                }) {
                    c.problem(
                        "field_log",
                        "chỉ tiêu lấy từ nhật ký Tổ CNS phải do xã, phường báo cáo (reporters có kind = \"commune\")",
                    );
                }
                let fits = match measure {
                    Measure::GoldenWeek => {
                        checked.kind == TargetKind::ShareOfUnits
                            && checked.counted_unit == Some(UnitKind::Village)
                    }
                    _ => checked.kind != TargetKind::ShareOfUnits,
                };
                if !fits {
                    c.problem(
                        "field_log",
                        format!(
                            "số đo «{text}» không hợp với chỉ tiêu loại {}{}",
                            checked.kind.as_str(),
                            if measure == Measure::GoldenWeek {
                                " (cần share_of_units với counted_unit = \"village\")"
                            } else {
                                ""
                            }
                        ),
                    );
                }
            })
        });
    }
    let people = raw.field_log.as_ref().and_then(|f| f.golden_week_people);
    match people {
        Some(n) if !(1..=10_000).contains(&n) => {
            c.at(Seg::Key("field_log"), |c| {
                c.problem(
                    "golden_week_people",
                    format!("số người của Tuần lễ vàng phải từ 1 đến 10.000 (đang là {n})"),
                )
            });
            None
        }
        Some(n) => Some(n as u32),
        None => {
            if seen.contains(Measure::GoldenWeek.as_str()) {
                c.problem(
                    "field_log",
                    "chỉ tiêu đo Tuần lễ vàng cần [field_log] golden_week_people = N (số người được hướng dẫn đủ các kỹ năng trong một tuần)",
                );
            }
            None
        }
    }
}

fn check_indicator(
    c: &mut Checker,
    ind: &RawIndicator,
    seen: &mut HashSet<String>,
    tasks: &[Task],
    denominators: &[DenominatorDef],
    campaign: Option<&Campaign>,
) -> Option<Indicator> {
    let code = c.non_empty("code", &ind.code);
    if !code.is_empty() && !is_slug(&code) {
        c.problem(
            "code",
            format!("mã chỉ tiêu «{code}» chỉ được dùng chữ không dấu, số, '-', '_', '.'"),
        );
    }
    if !seen.insert(code.clone()) {
        c.problem(
            "code",
            format!("mã chỉ tiêu «{code}» trùng với một chỉ tiêu khác"),
        );
    }
    if !tasks.iter().any(|t| t.number == ind.task.trim()) {
        c.problem(
            "task",
            format!("nhiệm vụ «{}» không có trong [[tasks]]", ind.task),
        );
    }
    let name = c.non_empty("name", &ind.name);
    let short_name = c.non_empty("short_name", &ind.short_name);
    let numerator = c.non_empty("numerator", &ind.numerator);
    let kind = TargetKind::parse(&ind.kind);
    if kind.is_none() {
        let all: Vec<&str> = TargetKind::ALL.iter().map(|k| k.as_str()).collect();
        c.problem(
            "kind",
            format!(
                "loại chỉ tiêu «{}» không có; dùng một trong: {}",
                ind.kind,
                all.join(", ")
            ),
        );
    }

    // Fields that belong to some kinds only.
    let counted_unit = ind
        .counted_unit
        .as_deref()
        .and_then(|k| c.unit_kind("counted_unit", k));
    if let Some(kind) = kind {
        let counts_units = matches!(kind, TargetKind::ShareOfUnits | TargetKind::MinimumPerUnit);
        if counts_units && ind.counted_unit.is_none() {
            c.problem(
                "counted_unit",
                format!(
                    "chỉ tiêu loại {} cần counted_unit (đơn vị được đếm)",
                    kind.as_str()
                ),
            );
        }
        if !counts_units && ind.counted_unit.is_some() {
            c.problem(
                "counted_unit",
                format!(
                    "counted_unit chỉ dùng cho share_of_units và minimum_per_unit, không cho {}",
                    kind.as_str()
                ),
            );
        }
        match (kind, &ind.denominator) {
            (TargetKind::Ratio, None) => c.problem(
                "denominator",
                "chỉ tiêu tỷ lệ (ratio) cần mẫu số (denominator)",
            ),
            (TargetKind::Ratio, Some(key)) if !denominators.iter().any(|d| &d.key == key) => c
                .problem(
                    "denominator",
                    format!("mẫu số «{key}» chưa khai báo trong [[denominators]]"),
                ),
            (TargetKind::Ratio, Some(_)) => {}
            (_, Some(_)) => c.problem(
                "denominator",
                format!(
                    "mẫu số chỉ dùng cho chỉ tiêu ratio, không cho {}",
                    kind.as_str()
                ),
            ),
            (_, None) => {}
        }
        match (kind, ind.minimum) {
            (TargetKind::MinimumPerUnit, None) => c.problem(
                "minimum",
                "chỉ tiêu minimum_per_unit cần mức tối thiểu (minimum)",
            ),
            (TargetKind::MinimumPerUnit, Some(m)) if m <= 0.0 || !m.is_finite() => {
                c.problem("minimum", format!("mức tối thiểu {m} phải lớn hơn 0"))
            }
            (TargetKind::MinimumPerUnit, Some(_)) | (_, None) => {}
            (_, Some(_)) => c.problem(
                "minimum",
                format!(
                    "minimum chỉ dùng cho minimum_per_unit, không cho {}",
                    kind.as_str()
                ),
            ),
        }
    }

    let reporters = c.at(Seg::Key("reporters"), |c| {
        let mut out = Vec::new();
        for (j, r) in ind.reporters.iter().enumerate() {
            c.at(Seg::Index(j), |c| {
                let reporter = match (&r.kind, &r.unit, &r.for_kind) {
                    (Some(k), None, None) => c.unit_kind("kind", k).map(|kind| Reporter::Kind { kind }),
                    (None, Some(u), None) => c.unit_code("unit", u).map(|unit| Reporter::Unit { unit }),
                    (None, Some(u), Some(fk)) => {
                        let unit = c.unit_code("unit", u);
                        let for_kind = c.unit_kind("for_kind", fk);
                        unit.zip(for_kind).map(|(unit, for_kind)| Reporter::OnBehalf { unit, for_kind })
                    }
                    (Some(_), _, _) => {
                        c.problem("", "mỗi đơn vị báo cáo ghi hoặc kind = \"…\" hoặc unit = \"…\" (có thể kèm for_kind), không ghi cả hai");
                        None
                    }
                    (None, None, _) => {
                        c.problem("", "đơn vị báo cáo cần kind = \"…\" hoặc unit = \"…\"");
                        None
                    }
                };
                out.extend(reporter);
            });
        }
        out
    });
    if ind.reporters.is_empty() {
        c.problem(
            "reporters",
            "chỉ tiêu cần ít nhất một đơn vị báo cáo (reporters)",
        );
    }

    let milestones = c.at(Seg::Key("milestones"), |c| {
        let mut out: Vec<Milestone> = Vec::new();
        for (j, m) in ind.milestones.iter().enumerate() {
            c.at(Seg::Index(j), |c| {
                let label = c.non_empty("label", &m.label);
                let date = c.date("date", &m.date);
                if let (Some(d), Some(camp)) = (date, campaign)
                    && (d < camp.start || d > camp.targets_until)
                {
                    c.problem(
                        "date",
                        format!("mốc {d} nằm ngoài chiến dịch ({} – {}); nới campaign.targets_until nếu đây là chỉ tiêu cả năm", camp.start, camp.targets_until),
                    );
                }
                if let (Some(d), Some(prev)) = (date, out.last())
                    && d <= prev.date
                {
                    c.problem("date", format!("các mốc phải xếp theo ngày tăng dần: {d} không sau {}", prev.date));
                }
                let t = m.target;
                match kind {
                    Some(k) if k.is_percent() && (t <= 0.0 || t > 100.0 || !t.is_finite()) => c.problem(
                        "target",
                        format!("chỉ tiêu {} là phần trăm: {t} phải lớn hơn 0 và không quá 100", k.as_str()),
                    ),
                    Some(TargetKind::Total) if t <= 0.0 || !t.is_finite() => {
                        c.problem("target", format!("tổng số {t} phải lớn hơn 0"))
                    }
                    _ => {}
                }
                if let Some(date) = date {
                    out.push(Milestone { label, date, target: t });
                }
            });
        }
        out
    });
    if ind.milestones.is_empty() {
        c.problem("milestones", "chỉ tiêu cần ít nhất một mốc (milestones)");
    }

    Some(Indicator {
        code,
        task: ind.task.trim().to_string(),
        name,
        short_name,
        kind: kind?,
        numerator,
        denominator: ind.denominator.clone(),
        counted_unit,
        minimum: ind.minimum,
        unit: ind.unit.clone(),
        reporters,
        field_log: ind
            .field_log
            .as_deref()
            .and_then(crate::field::Measure::parse),
        milestones,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_in_both_languages() {
        assert_eq!(parse_weekday("friday"), Some(Weekday::Fri));
        assert_eq!(parse_weekday("Thứ Sáu"), Some(Weekday::Fri));
        assert_eq!(parse_weekday("thu nam"), Some(Weekday::Thu));
        assert_eq!(parse_weekday("chủ nhật"), Some(Weekday::Sun));
        assert_eq!(parse_weekday("someday"), None);
    }

    #[test]
    fn offsets_and_dates() {
        assert_eq!(parse_utc_offset("+07:00"), Some(420));
        assert_eq!(parse_utc_offset("-03:30"), Some(-210));
        assert_eq!(parse_utc_offset("07:00"), None);
        assert_eq!(
            parse_date_text("15/07/2025"),
            NaiveDate::from_ymd_opt(2025, 7, 15)
        );
        assert_eq!(
            parse_date_text("2025-07-15"),
            NaiveDate::from_ymd_opt(2025, 7, 15)
        );
        assert_eq!(parse_date_text("31/02/2025"), None);
    }
}
