//! The synthetic-data generator behind `hocvuso demo`, `hocvuso gen` and the benchmarks: the
//! official units and a plan (through the `Deployment` use cases), then deterministic synthetic
//! villages, bodies, denominators, weekly reports and door-to-door records, labelled as such and
//! written straight through the store in bulk; and one demo account per role.

use crate::commands::failed;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use hocvuso_app::{Deployment, LoginHint};
use hocvuso_core::access::Role;
use hocvuso_core::field::{PersonKey, RawRecord, check_record};
use hocvuso_core::plan::Plan;
use hocvuso_core::synth::{self, CommuneInfo, ReportingUnit};
use hocvuso_core::units::UnitKind;
use hocvuso_docs::units_csv::OFFICIAL_VALID_FROM;
use hocvuso_store::audit::Who;
use hocvuso_store::field::FieldInput;
use hocvuso_store::reports::{NewReport, NewValue, Status};
use hocvuso_store::units::UnitFilter;
use hocvuso_store::{Store, StoreError};
use std::collections::HashMap;

/// The Đắk Lắk plan, embedded so the demo runs from any directory.
pub const DAKLAK_PLAN: &str = include_str!("../../../plans/daklak-100-ngay-2025.toml");
pub use hocvuso_app::deployment::{META_DEMO, META_DEMO_AS_OF};

fn official_from() -> NaiveDate {
    OFFICIAL_VALID_FROM.parse().expect("constant date")
}

/// Loads the official list of provinces and communes when the database has none.
pub async fn ensure_official_units(store: &Store) -> Result<()> {
    Deployment::over(store.clone(), "system")
        .ensure_official_units()
        .await
        .map_err(failed)
}

/// Validates a plan text and makes it the active plan.
async fn load_plan(store: &Store, text: &str) -> Result<Plan> {
    Deployment::over(store.clone(), "demo")
        .load_plan(text)
        .await
        .map_err(crate::commands::plan_refused)
}

/// The Đắk Lắk plan run over the whole country: the synthetic national data set of `hocvuso gen
/// --scale national` (34 provinces, 3,321 communes), for benchmarks.
pub fn national_plan() -> String {
    DAKLAK_PLAN
        .replace(
            "code = \"daklak-100-ngay-2025\"",
            "code = \"toan-quoc-gia-lap-2025\"",
        )
        .replace("province = \"66\"", "province = \"VN\"")
        .replace(
            "issuer = \"Ủy ban nhân dân tỉnh Đắk Lắk\"",
            "issuer = \"Dữ liệu giả lập toàn quốc (kế hoạch Đắk Lắk áp dụng cho cả nước)\"",
        )
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoSummary {
    pub reused: bool,
    pub villages: i64,
    pub reports: i64,
}

/// Creates the demo data for `plan_text` up to `until`, or reuses it when the database already holds
/// exactly that (same plan, seed and date).
pub async fn seed(
    store: &Store,
    plan_text: &str,
    seed: u64,
    until: NaiveDate,
) -> Result<(Plan, DemoSummary)> {
    ensure_official_units(store).await?;
    let who = Who::system("demo");
    let plan = load_plan(store, plan_text).await?;
    let key = format!(
        "{}|seed={seed}|until={until}|generator={}",
        plan.code,
        synth::GENERATOR_VERSION
    );
    let province = store.require_unit(plan.province.as_str()).await?;
    if store.meta(META_DEMO).await?.as_deref() == Some(key.as_str()) {
        let villages = store
            .count_units(UnitKind::Village, Some(&province.code))
            .await?;
        let reports = store.count_reports(&plan.code).await?;
        return Ok((
            plan,
            DemoSummary {
                reused: true,
                villages,
                reports,
            },
        ));
    }

    // The plan's province, or every province for a national plan.
    let provinces = if province.kind == "country" {
        let filter = UnitFilter {
            parent: Some(province.code.clone()),
            kind: Some(UnitKind::Province),
            limit: 100,
            ..Default::default()
        };
        store.list_units(&filter).await?.0
    } else {
        vec![province.clone()]
    };
    let mut communes = Vec::new();
    let mut units = synth::SyntheticUnits::default();
    for p in &provinces {
        let filter = UnitFilter {
            parent: Some(p.code.clone()),
            kind: Some(UnitKind::Commune),
            limit: 5000,
            ..Default::default()
        };
        let (these, _) = store.list_units(&filter).await?;
        let infos: Vec<CommuneInfo> = these
            .iter()
            .map(|c| CommuneInfo {
                code: c.code.clone(),
                name: c.name.clone(),
                unit_type: c.unit_type.clone(),
            })
            .collect();
        let villages = if provinces.len() > 1 {
            synth::VILLAGES_NATIONAL
        } else {
            synth::VILLAGES_PROVINCE
        };
        let mut made = synth::units(
            &p.code,
            &p.name,
            &infos,
            villages,
            seed,
            plan.campaign.start - chrono::Days::new(14),
        );
        units.units.append(&mut made.units);
        units.denominators.append(&mut made.denominators);
        communes.extend(these);
    }
    match store
        .import_units(&units.units, official_from(), &who)
        .await
    {
        Ok(_) => {}
        Err(StoreError::Rejected(p)) => bail!("synthetic units rejected: {p:?}"),
        Err(e) => return Err(e.into()),
    }
    store
        .put_denominators(&units.denominators, true, &who)
        .await?;
    let commune_codes: std::collections::HashSet<&str> =
        communes.iter().map(|c| c.code.as_str()).collect();
    let adults: Vec<(String, f64)> = units
        .denominators
        .iter()
        .filter(|d| d.key == "adults" && commune_codes.contains(d.unit.as_str()))
        .map(|d| (d.unit.to_string(), d.value))
        .collect();
    let appendix = synth::assigned_targets(&plan, &adults);
    store
        .put_assigned_targets(&plan, &appendix, "dữ liệu giả lập", &who)
        .await?;

    // Who reports, with their denominators.
    let mut denominators: HashMap<String, HashMap<String, f64>> = HashMap::new();
    for d in &units.denominators {
        denominators
            .entry(d.unit.to_string())
            .or_default()
            .insert(d.key.clone(), d.value);
    }
    let mut villages: HashMap<String, f64> = HashMap::new();
    for u in units.units.iter().filter(|u| u.kind == UnitKind::Village) {
        *villages
            .entry(u.parent.clone().unwrap_or_default())
            .or_default() += 1.0;
    }
    let reporting: Vec<ReportingUnit> = communes
        .iter()
        .map(|c| (c.code.clone(), UnitKind::Commune))
        .chain(
            units
                .units
                .iter()
                .filter(|u| u.kind != UnitKind::Village)
                .map(|u| (u.code.to_string(), u.kind)),
        )
        .map(|(code, kind)| ReportingUnit {
            denominators: denominators.get(&code).cloned().unwrap_or_default(),
            villages: villages.get(&code).copied().unwrap_or(0.0),
            code,
            kind,
        })
        .collect();
    let generated = synth::reports(&plan, &reporting, seed, until);
    let last_week = generated.iter().map(|r| r.week).max();
    let reports: Vec<NewReport> = generated
        .into_iter()
        .map(|r| NewReport {
            plan: plan.code.clone(),
            unit: r.unit,
            // The latest week is still waiting for the secretariat; earlier ones are approved.
            status: if Some(r.week) == last_week {
                Status::Submitted
            } else {
                Status::Approved
            },
            week: r.week,
            difficulties: r.difficulties,
            proposals: r.proposals,
            submitted_at: Some(
                r.submitted_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ),
            synthetic: true,
            values: r
                .values
                .into_iter()
                .map(|(indicator, subject, numerator, denominator)| NewValue {
                    indicator,
                    subject,
                    numerator,
                    denominator,
                    comment: None,
                })
                .collect(),
        })
        .collect();
    store.delete_synthetic_reports(&plan, &who).await?;
    store.put_reports(&plan, &reports, &who).await?;
    store.set_meta(META_DEMO_AS_OF, &until.to_string()).await?;
    store.set_meta(META_DEMO, &key).await?;
    let villages = store
        .count_units(UnitKind::Village, Some(&province.code))
        .await?;
    Ok((
        plan,
        DemoSummary {
            reused: false,
            villages,
            reports: reports.len() as i64,
        },
    ))
}

/// Records of the synthetic door-to-door log in the demo: about 40 per village over the campaign.
const DEMO_FIELD_RECORDS_PER_VILLAGE: usize = 40;

/// Fills the door-to-door log of the demo with synthetic records up to `until`, unless it holds
/// records already: about 40 per village, logged day after day, and in one village of eight a busy
/// week in which the team guides 25 people through every skill (its Golden Week). Returns the number
/// of records the log holds.
pub async fn seed_field_log(
    store: &Store,
    plan: &Plan,
    until: NaiveDate,
    key: &PersonKey,
) -> Result<i64> {
    let held = store.field_record_count(&plan.code).await?;
    if held > 0 {
        return Ok(held);
    }
    let (villages, _) = store
        .list_units(&UnitFilter {
            within: Some(plan.province.to_string()),
            kind: Some(UnitKind::Village),
            limit: 1_000_000,
            ..Default::default()
        })
        .await?;
    let villages: Vec<String> = villages.into_iter().map(|v| v.code).collect();
    if villages.is_empty() || until < plan.campaign.start {
        return Ok(0);
    }
    let who = &Who::system("demo");
    let start = plan.campaign.start;
    let days = (until - start).num_days();
    let total = villages.len() * DEMO_FIELD_RECORDS_PER_VILLAGE;
    let batch = 20_000;
    let store_batch = |raws: Vec<(String, RawRecord)>| async move {
        let inputs: Vec<FieldInput> = raws
            .iter()
            .enumerate()
            .map(|(i, (village, raw))| {
                check_record(raw, plan, until, key).map(|record| FieldInput {
                    line: i + 1,
                    village: village.clone(),
                    record,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(|problems| anyhow::anyhow!("synthetic field records: {problems:?}"))?;
        store
            .put_field_records(plan, &inputs, "dữ liệu giả lập", who)
            .await?;
        anyhow::Ok(())
    };
    // Day after day, as the logs are kept.
    for first in (0..total).step_by(batch) {
        let n = batch.min(total - first);
        let from = start + chrono::Duration::days(days * first as i64 / total as i64);
        let to = start + chrono::Duration::days(days * (first + n) as i64 / total as i64);
        store_batch(synth::field_records(
            plan,
            &villages,
            n,
            2025,
            from..=to,
            first as u64,
        ))
        .await?;
    }
    // Busy weeks: every eighth village, in a week of the campaign's second half.
    let every_skill: Vec<i64> = plan.skills.iter().map(|s| s.code).collect();
    let mut busy = Vec::new();
    for (i, village) in villages.iter().enumerate().step_by(8) {
        let week_start = start + chrono::Duration::days((days / 2 + 7 * (i as i64 % 5)).min(days));
        let week_end = (week_start + chrono::Duration::days(4)).min(until);
        let mut raws = synth::field_records(
            plan,
            std::slice::from_ref(village),
            25,
            2025,
            week_start..=week_end,
            (total + i * 25) as u64,
        );
        for (_, raw) in &mut raws {
            raw.skills = every_skill.clone();
        }
        busy.extend(raws);
    }
    store_batch(busy).await?;
    Ok(store.field_record_count(&plan.code).await?)
}

/// One demo account per role (and Công an tỉnh as a reporter), created if missing. Their passwords
/// are public: the login page lists them in demo mode only.
pub async fn ensure_demo_accounts(store: &Store, plan: &Plan) -> Result<Vec<LoginHint>> {
    let province = store.require_unit(plan.province.as_str()).await?;
    let first = |kind: UnitKind, within: String| UnitFilter {
        kind: Some(kind),
        within: Some(within),
        limit: 1,
        ..Default::default()
    };
    let (communes, _) = store
        .list_units(&first(UnitKind::Commune, province.code.clone()))
        .await?;
    let commune = communes
        .into_iter()
        .next()
        .context("the province has no commune")?;
    let (villages, _) = store
        .list_units(&first(UnitKind::Village, commune.code.clone()))
        .await?;
    let police = store.unit(&format!("{}-CAT", province.code)).await?;
    // (username, name, role, bound unit: code and name)
    type Account<'a> = (&'a str, &'a str, Role, Option<(String, String)>);
    let mut accounts: Vec<Account> = vec![
        ("admin", "Quản trị hệ thống", Role::Admin, None),
        (
            "sokhcn",
            "Thường trực Sở Khoa học và Công nghệ",
            Role::Secretariat,
            None,
        ),
        (
            "baocao.xa",
            "Cán bộ báo cáo của xã",
            Role::Reporter,
            Some((commune.code.clone(), commune.full_name.clone())),
        ),
        (
            "lanhdao",
            "Lãnh đạo tỉnh",
            Role::Viewer,
            Some((province.code.clone(), province.full_name.clone())),
        ),
        (
            "lanhdao.xa",
            "Lãnh đạo xã",
            Role::Viewer,
            Some((commune.code.clone(), commune.full_name.clone())),
        ),
    ];
    if let Some(v) = villages.first() {
        accounts.push((
            "to.cns",
            "Thành viên Tổ Công nghệ số cộng đồng",
            Role::TeamMember,
            Some((v.code.clone(), v.full_name.clone())),
        ));
    }
    if let Some(p) = &police {
        accounts.push((
            "congan.tinh",
            "Cán bộ Công an tỉnh",
            Role::Reporter,
            Some((p.code.clone(), p.full_name.clone())),
        ));
    }
    let deployment = Deployment::over(store.clone(), "demo");
    let manager = deployment.accounts();
    let mut hints = Vec::new();
    for (username, name, role, unit) in accounts {
        let password = format!("{username}-2025");
        if !manager.exists(username).await.map_err(failed)? {
            manager
                .create_user(
                    username,
                    name,
                    role,
                    unit.as_ref().map(|u| u.0.as_str()),
                    &password,
                )
                .await
                .map_err(failed)?;
        }
        hints.push(LoginHint {
            username: username.into(),
            password,
            role_label: role.label_vi().into(),
            unit_label: unit.map_or("toàn tỉnh".into(), |u| u.1),
        });
    }
    Ok(hints)
}
