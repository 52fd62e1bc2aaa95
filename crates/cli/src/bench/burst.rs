//! `hocvuso bench burst`: every commune submits the same week at once over HTTP, each with its own
//! API token; time, p50/p99, and a check that all are stored once.

use anyhow::Result;

pub async fn run(scale: &str, concurrency: usize, database_url: Option<String>) -> Result<()> {
    let temp = std::env::temp_dir().join(format!("hocvuso-bench-{}.db", std::process::id()));
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let deployment = crate::commands::open(&url, "bench").await?;
    let store = deployment.store().clone();
    deployment.ensure_official_units().await?;
    let plan = deployment.load_plan(crate::demo::DAKLAK_PLAN).await?;
    let week = hocvuso_core::calendar::weeks(&plan)[7].reporting_day;
    let within = if scale == "national" {
        hocvuso_core::units::COUNTRY_CODE.to_string()
    } else {
        plan.province.to_string()
    };
    let prepared = std::time::Instant::now();
    let submissions = super::prepare_burst(&store, &plan, &within, week).await?;
    let values: usize = submissions
        .iter()
        .map(|s| s.body.matches("numerator").count())
        .sum();
    println!(
        "Chuẩn bị {} đơn vị ({} số liệu) trong {:.1} s; gửi báo cáo tuần {} cùng lúc (tối đa {concurrency} yêu cầu song song)",
        submissions.len(),
        values,
        prepared.elapsed().as_secs_f64(),
        hocvuso_core::format::date(week)
    );
    let mut app = hocvuso_app::App::new(
        store.clone(),
        plan.clone(),
        week,
        false,
        crate::person_key::random(),
    );
    app.clock_offset = hocvuso_app::clock_offset_to(&plan, week);
    let app = crate::Server::bind(hocvuso_web::AppState::new(app), "127.0.0.1:0").await?;
    let addr = app.addr;
    let server = tokio::spawn(app.run_until_stopped());
    let started = std::time::Instant::now();
    let outcomes = super::fire(addr, &submissions, concurrency).await;
    let total = started.elapsed();
    server.abort();
    let failed = outcomes.iter().filter(|o| o.status != 200).count();
    let stored = super::reports_in_week(&store, &plan.code, week).await?;
    let mut latencies: Vec<_> = outcomes.iter().map(|o| o.elapsed).collect();
    latencies.sort();
    println!(
        "Tất cả lưu trong {:.2} s (ngân sách 5 s): {} yêu cầu, {failed} lỗi, {stored} báo cáo trong cơ sở dữ liệu ({}), p50 {:.0} ms, p99 {:.0} ms, {:.0} báo cáo/s",
        total.as_secs_f64(),
        outcomes.len(),
        if stored == submissions.len() as i64 {
            "đủ, không trùng"
        } else {
            "SAI"
        },
        super::percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
        super::percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
        outcomes.len() as f64 / total.as_secs_f64()
    );
    if let Some(o) = outcomes.iter().find(|o| o.status != 200) {
        println!("Lỗi đầu tiên: {} → {} {}", o.unit, o.status, o.detail);
    }
    store.close().await;
    if database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    if failed > 0 || stored != submissions.len() as i64 {
        anyhow::bail!(
            "đo tải thất bại: {failed} yêu cầu lỗi, {stored}/{} báo cáo",
            submissions.len()
        );
    }
    Ok(())
}
