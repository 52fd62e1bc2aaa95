//! `hocvuso bench field`: the door-to-door log at scale, on the Đắk Lắk demo data (3,000 villages).
//! 1. Bulk ingest of N records (checked, pseudonymised, deduplicated, tallied) in batches of 20,000,
//!    against raw inserts of the same rows into a table shaped like the log's in the same run; once
//!    in order of days, once with every batch spread over the whole campaign.
//! 2. The same number through the API, in batches of at most 500 from each village's team member.
//! 3. p99 of a single-record sync.
//! 4. Dashboard and log pages with the records of stages 1–3, then after `--big` records in all:
//!    their answer times must not grow with the number of records.
//! 5. The field app's weight over the wire (gzip).

use super::{percentile, reader_token, round_trip, timed_gets};
use anyhow::Result;
use chrono::NaiveDate;
use hocvuso_app::secrets;
use hocvuso_core::field::{PersonKey, check_rows};
use hocvuso_core::synth;
use hocvuso_store::Store;
use hocvuso_store::accounts::NewUser;
use hocvuso_store::audit::Who;
use hocvuso_store::field::FieldInput;
use hocvuso_store::units::UnitFilter;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const BULK_BATCH: usize = 20_000;
const API_BATCH: usize = 500;
const JSON: &str = "Content-Type: application/json\r\n";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// In which order bulk records arrive.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    /// As the logs are kept: each batch holds the records of the next days of the campaign, from
    /// every village (paper logs imported as they come in, phones syncing).
    ByDay,
    /// Every batch holds records of every day of the campaign so far: the most tallies to update
    /// per record (a whole campaign's paper logs found and imported at the end, shuffled).
    Mixed,
}

/// What bulk ingest writes into: the store, the plan and its villages, the last day, the key.
struct Bulk<'a> {
    store: &'a Store,
    plan: &'a hocvuso_core::plan::Plan,
    villages: &'a [String],
    until: NaiveDate,
    key: &'a PersonKey,
}

impl Bulk<'_> {
    /// Checks and stores `count` synthetic records in batches; returns the time and the checked
    /// rows.
    async fn ingest(
        &self,
        count: usize,
        first: u64,
        order: Order,
        keep_rows: bool,
    ) -> Result<(Duration, Vec<Vec<FieldInput>>)> {
        let Bulk {
            store,
            plan,
            villages,
            until,
            key,
        } = *self;
        let who = Who::system("bench");
        let mut spent = Duration::ZERO;
        let mut kept = Vec::new();
        let mut done = 0;
        let start = plan.campaign.start;
        let span = (until - start).num_days();
        let day = |share: usize| start + chrono::Duration::days(span * share as i64 / count as i64);
        while done < count {
            let n = BULK_BATCH.min(count - done);
            let days = match order {
                Order::ByDay => day(done)..=day(done + n),
                Order::Mixed => start..=until,
            };
            // Rows as a paper log's are read, checked as an import checks them.
            let rows: Vec<_> =
                synth::field_records(plan, villages, n, 2025, days, first + done as u64)
                    .into_iter()
                    .enumerate()
                    .map(|(i, (village, raw))| (i + 1, village, raw))
                    .collect();
            let started = Instant::now();
            let inputs: Vec<FieldInput> = check_rows(&rows, plan, until, key)
                .expect("synthetic records are valid")
                .into_iter()
                .map(|(line, village, record)| FieldInput {
                    line,
                    village,
                    record,
                })
                .collect();
            store
                .put_field_records(plan, &inputs, "bench", &who)
                .await?;
            spent += started.elapsed();
            if keep_rows {
                kept.push(inputs);
            }
            done += n;
        }
        Ok((spent, kept))
    }

    /// Bulk ingest of `count` records, then raw inserts of the same rows: the two times.
    async fn against_raw(
        &self,
        count: usize,
        first: u64,
        order: Order,
    ) -> Result<(Duration, Duration)> {
        let (bulk_time, kept) = self.ingest(count, first, order, true).await?;
        let store = self.store;
        let started = Instant::now();
        for batch in &kept {
            let rows: Vec<_> = batch
                .iter()
                .map(|i| {
                    (
                        i.record.id.clone(),
                        i.village.clone(),
                        i.record.day.to_string(),
                        i.record.items.0 as i64,
                        i.record.person.clone(),
                    )
                })
                .collect();
            store.bench_raw_insert(&rows).await?;
        }
        Ok((bulk_time, started.elapsed()))
    }
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

async fn measure(
    addr: SocketAddr,
    token: &str,
    paths: &[(String, String)],
) -> Result<Vec<(String, f64, f64)>> {
    let mut out = Vec::new();
    for (label, path) in paths {
        let times = timed_gets(addr, token, path, 10, 200).await?;
        out.push((
            label.clone(),
            ms(percentile(&times, 50.0)),
            ms(percentile(&times, 99.0)),
        ));
    }
    Ok(out)
}

pub async fn run(records: usize, big: usize, database_url: Option<String>) -> Result<()> {
    let temp = std::env::temp_dir().join(format!("hocvuso-bench-field-{}.db", std::process::id()));
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let store = Store::open(&url).await?;
    let until = NaiveDate::from_ymd_opt(2025, 10, 24).expect("date");
    let (plan, _) = crate::demo::seed(&store, crate::demo::DAKLAK_PLAN, 2025, until).await?;
    let key = crate::person_key::random();
    let (villages, _) = store
        .list_units(&UnitFilter {
            within: Some(plan.province.to_string()),
            kind: Some(hocvuso_core::units::UnitKind::Village),
            limit: 100_000,
            ..Default::default()
        })
        .await?;
    let village_codes: Vec<String> = villages.iter().map(|v| v.code.clone()).collect();
    let commune = villages[0].parent_code.clone().unwrap_or_default();
    println!(
        "Cơ sở dữ liệu {} · {} thôn, buôn, tổ dân phố · kế hoạch {}",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        village_codes.len(),
        plan.code
    );

    // The server, as on the campaign's last Friday.
    let mut app = hocvuso_app::App::new(store.clone(), plan.clone(), until, true, key.clone());
    app.clock_offset = hocvuso_app::clock_offset_to(&plan, until);
    let app = crate::Server::bind(hocvuso_web::AppState::new(app), "127.0.0.1:0").await?;
    let addr = app.addr;
    let server = tokio::spawn(app.run_until_stopped());
    let reader = reader_token(&store).await?;
    let as_of = "24/10/2025";
    let pages: Vec<(String, String)> = vec![
        (
            "progress API, province".into(),
            format!("/api/v1/progress?unit={}&as_of=2025-10-24", plan.province),
        ),
        (
            "progress API, commune".into(),
            format!("/api/v1/progress?unit={commune}&as_of=2025-10-24"),
        ),
        (
            "team activity, province".into(),
            format!("/field/activity?as_of={as_of}"),
        ),
        (
            "team activity, commune".into(),
            format!("/field/activity?unit={commune}&as_of={as_of}"),
        ),
        (
            "inclusion, province".into(),
            format!("/field/inclusion?as_of={as_of}"),
        ),
        (
            "commune report form (log figures)".into(),
            format!("/reports/{commune}/2025-10-24"),
        ),
    ];

    // 1. Bulk, then raw inserts of the same rows; in both orders.
    let bulk = Bulk {
        store: &store,
        plan: &plan,
        villages: &village_codes,
        until,
        key: &key,
    };
    for (order, first, label) in [
        (Order::ByDay, 0, "theo ngày ghi"),
        (Order::Mixed, 40_000_000, "trộn mọi ngày"),
    ] {
        let (bulk_time, raw_time) = bulk.against_raw(records, first, order).await?;
        println!(
            "1. Nhập hàng loạt {records} bản ghi, {label} (kiểm tra, mã ẩn danh, chống trùng, cộng dồn): {:.1} s = {:.0} bản ghi/s; ghi thô cùng các dòng: {:.1} s = {:.0} bản ghi/s; tỷ lệ {:.2}×",
            bulk_time.as_secs_f64(),
            rate(records, bulk_time),
            raw_time.as_secs_f64(),
            rate(records, raw_time),
            bulk_time.as_secs_f64() / raw_time.as_secs_f64()
        );
    }

    // 2. API batches from each village's team member.
    let who = Who::system("bench");
    let mut tokens = std::collections::HashMap::new();
    for v in &village_codes {
        let id = store
            .create_user(
                &NewUser {
                    username: format!("bench.{v}"),
                    display_name: "Đo tải (Tổ CNS)".into(),
                    role: "team_member".into(),
                    unit_code: Some(v.clone()),
                    password_hash: "!".into(),
                },
                &who,
            )
            .await?;
        let (token, prefix) = secrets::new_api_token();
        store
            .create_token(id, "bench", &secrets::digest(&token), &prefix, &who)
            .await?;
        tokens.insert(v.clone(), token);
    }
    let mut by_village: std::collections::HashMap<String, Vec<String>> = Default::default();
    for chunk_start in (0..records).step_by(BULK_BATCH) {
        let n = BULK_BATCH.min(records - chunk_start);
        for (village, raw) in synth::field_records(
            &plan,
            &village_codes,
            n,
            2025,
            plan.campaign.start..=until,
            10_000_000 + chunk_start as u64,
        ) {
            by_village
                .entry(village)
                .or_default()
                .push(record_json(&raw));
        }
    }
    let mut bodies = Vec::new();
    for (village, list) in &by_village {
        for chunk in list.chunks(API_BATCH) {
            bodies.push((
                tokens[village].clone(),
                format!("{{\"records\": [{}]}}", chunk.join(",")),
            ));
        }
    }
    drop(by_village);
    let started = Instant::now();
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = tokio::task::JoinSet::new();
    for (token, body) in bodies {
        let gate = gate.clone();
        tasks.spawn(async move {
            let _p = gate.acquire_owned().await.expect("open");
            round_trip(addr, "POST", "/api/v1/field/records", &token, JSON, &body).await
        });
    }
    let mut failed = 0;
    while let Some(r) = tasks.join_next().await {
        if !matches!(r, Ok(Ok((200, _)))) {
            failed += 1;
        }
    }
    let api_time = started.elapsed();
    println!(
        "2. Qua API, lô {API_BATCH} bản ghi, 4 yêu cầu song song: {records} bản ghi trong {:.1} s = {:.0} bản ghi/s; {failed} yêu cầu lỗi",
        api_time.as_secs_f64(),
        rate(records, api_time)
    );

    // 3. A single record per sync, one after another.
    let token = &tokens[&village_codes[0]];
    let mut times = Vec::new();
    for i in 0..300u64 {
        let (_, raw) = synth::field_records(
            &plan,
            &village_codes[..1],
            1,
            2025,
            until..=until,
            20_000_000 + i,
        )
        .remove(0);
        let body = format!("{{\"records\": [{}]}}", record_json(&raw));
        let started = Instant::now();
        let (status, _) =
            round_trip(addr, "POST", "/api/v1/field/records", token, JSON, &body).await?;
        times.push(started.elapsed());
        anyhow::ensure!(status == 200, "single sync: HTTP {status}");
    }
    times.sort();
    println!(
        "3. Gửi từng bản ghi (300 lần): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0))
    );

    // 4. The pages with the records of stages 1–3, then again with `big` records in all.
    let so_far = store.field_record_count(&plan.code).await? as usize;
    let before = measure(addr, &reader, &pages).await?;
    if big > so_far {
        let started = Instant::now();
        bulk.ingest(big - so_far, 30_000_000, Order::ByDay, false)
            .await?;
        println!(
            "   (thêm {} bản ghi trong {:.0} s)",
            big - so_far,
            started.elapsed().as_secs_f64()
        );
    }
    let total = store.field_record_count(&plan.code).await?;
    let after = measure(addr, &reader, &pages).await?;
    println!(
        "4. Trang và API (200 yêu cầu mỗi trường hợp; trước: {so_far} bản ghi, sau: {total} bản ghi):"
    );
    println!("   | trường hợp | p50 trước | p99 trước | p50 sau | p99 sau |");
    for ((label, p50a, p99a), (_, p50b, p99b)) in before.iter().zip(&after) {
        println!("   | {label} | {p50a:.2} ms | {p99a:.2} ms | {p50b:.2} ms | {p99b:.2} ms |");
    }

    // 5. The app over the wire, compressed.
    let team_token = &tokens[&village_codes[0]];
    let mut weight = 0;
    for path in [
        "/field",
        "/static/field.js",
        "/static/field.css",
        "/static/field-icon.svg",
        "/field/sw.js",
        "/field/manifest.webmanifest",
    ] {
        let gzip = "Accept-Encoding: gzip\r\n";
        let (status, body) = round_trip(addr, "GET", path, team_token, gzip, "").await?;
        anyhow::ensure!(status == 200, "{path}: HTTP {status}");
        weight += body.len();
    }
    println!(
        "5. Ứng dụng Tổ CNS qua mạng (gzip, trang + tệp + service worker): {:.1} KB",
        weight as f64 / 1024.0
    );
    server.abort();
    if !url.starts_with("postgres") {
        let _ = std::fs::remove_file(&temp);
        let _ = std::fs::remove_file(format!("{}-wal", temp.display()));
        let _ = std::fs::remove_file(format!("{}-shm", temp.display()));
    }
    Ok(())
}

/// A synthetic record as the app sends it (JSON).
fn record_json(raw: &hocvuso_core::field::RawRecord) -> String {
    serde_json::json!({
        "id": raw.id,
        "date": raw.date,
        "skills": raw.skills,
        "vneid": raw.vneid,
        "app": raw.app,
        "signature": raw.signature,
        "domain": raw.domain,
        "birth_year": raw.birth_year,
        "gender": raw.gender,
        "minority": raw.minority,
        "cccd": raw.cccd.as_ref().map(|c| c.expose()),
    })
    .to_string()
}
