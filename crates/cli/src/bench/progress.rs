//! `hocvuso bench progress`: the dashboards at national scale — answer times of the progress API and
//! pages, the province's weekly .docx and the national commune .xlsx, server memory, and the same
//! roll-up by DuckDB from the exported raw tables.

use anyhow::{Context, Result};
use chrono::NaiveDate;

pub async fn run(database_url: Option<String>, requests: usize) -> Result<()> {
    let temp =
        std::env::temp_dir().join(format!("hocvuso-bench-national-{}.db", std::process::id()));
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let deployment = crate::commands::open(&url, "bench").await?;
    let store = deployment.store().clone();
    let until = NaiveDate::from_ymd_opt(2025, 10, 24).expect("date");
    let started = std::time::Instant::now();
    let (plan, summary) =
        crate::demo::seed(&store, &crate::demo::national_plan(), 2025, until).await?;
    let counts = format!(
        "{} tỉnh, {} xã, {} thôn, {} báo cáo tuần",
        store
            .count_units(hocvuso_core::units::UnitKind::Province, None)
            .await?,
        store
            .count_units(hocvuso_core::units::UnitKind::Commune, None)
            .await?,
        summary.villages,
        summary.reports
    );
    println!(
        "Dữ liệu giả lập toàn quốc ({counts}) {} trong {:.0} s",
        if summary.reused {
            "dùng lại"
        } else {
            "tạo"
        },
        started.elapsed().as_secs_f64()
    );
    let token = super::reader_token(&store).await?;
    // The server runs as its own process, so that its memory is measured alone.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--addr", &addr.to_string(), "--database-url", &url])
        .env("HOCVUSO_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("không chạy được hocvuso serve")?;
    let ready = std::time::Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        anyhow::ensure!(
            ready.elapsed() < std::time::Duration::from_secs(120),
            "hocvuso serve không lắng nghe sau 120 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let day = until.to_string();
    let cases = [
        (
            "API tiến độ – xã (24412)",
            format!("/api/v1/progress?unit=24412&as_of={day}"),
        ),
        (
            "API tiến độ – tỉnh (66)",
            format!("/api/v1/progress?unit=66&as_of={day}"),
        ),
        (
            "API tiến độ – cả nước",
            format!("/api/v1/progress?unit=VN&as_of={day}"),
        ),
        (
            "Trang đơn vị – xã (24412)",
            format!("/units/24412?as_of={day}"),
        ),
        ("Trang đơn vị – tỉnh (66)", format!("/units/66?as_of={day}")),
        ("Trang tổng quan – cả nước", format!("/?as_of={day}")),
        (
            "API bảng 102 xã của tỉnh",
            format!("/api/v1/progress/units?unit=66&as_of={day}"),
        ),
        ("Trang bảng 102 xã", format!("/table?unit=66&as_of={day}")),
        ("Trang bảng 34 tỉnh", format!("/table?unit=VN&as_of={day}")),
    ];
    println!(
        "{requests} yêu cầu mỗi loại, nối tiếp, qua loopback (thời gian trả lời, ngân sách p99 ≤ 20 ms):"
    );
    let mut country_p50 = 0.0;
    for (label, path) in &cases {
        let times = super::timed_gets(addr, &token, path, 20, requests).await?;
        let ms = |p: f64| super::percentile(&times, p).as_secs_f64() * 1000.0;
        if path.starts_with("/api/v1/progress?unit=VN") {
            country_p50 = ms(50.0);
        }
        println!(
            "  {label:<28} p50 {:>6.2} ms   p99 {:>6.2} ms",
            ms(50.0),
            ms(99.0)
        );
    }
    // Documents: made whole on each request.
    let mut documents = vec![
        (
            "Báo cáo tuần tỉnh (.docx)",
            format!("/documents/weekly.docx?unit=66&week={day}"),
        ),
        (
            "Bảng 3.321 xã cả nước (.xlsx)",
            format!("/table.xlsx?unit=VN&kind=commune&as_of={day}"),
        ),
        (
            "Báo cáo tổng kết tỉnh (.docx)",
            format!("/documents/final.docx?unit=66&week={day}"),
        ),
    ];
    if hocvuso_app::documents::PDF {
        documents.extend([
            (
                "Báo cáo tuần tỉnh (.pdf)",
                format!("/documents/weekly.pdf?unit=66&week={day}"),
            ),
            (
                "Báo cáo tổng kết tỉnh (.pdf)",
                format!("/documents/final.pdf?unit=66&week={day}"),
            ),
        ]);
    }
    println!("Văn bản và bảng Excel, 20 yêu cầu mỗi loại (ngân sách ≤ 1 s):");
    for (label, path) in &documents {
        let times = super::timed_gets(addr, &token, path, 2, 20).await?;
        let ms = |p: f64| super::percentile(&times, p).as_secs_f64() * 1000.0;
        println!(
            "  {label:<28} p50 {:>6.0} ms   p99 {:>6.0} ms",
            ms(50.0),
            ms(99.0)
        );
    }
    let (rss, peak) = super::memory_mb(server.id());
    println!("Bộ nhớ máy chủ: RSS {rss:.0} MB, đỉnh {peak:.0} MB (ngân sách 300 MB)");

    // The same roll-up by DuckDB from the raw tables.
    let api: serde_json::Value = {
        let dir = std::env::temp_dir().join(format!("hocvuso-export-{}", std::process::id()));
        deployment.export_tables(&dir).await?;
        let wanted: serde_json::Map<String, serde_json::Value> = plan
            .indicators
            .iter()
            .filter(|i| matches!(i.kind, hocvuso_core::plan::TargetKind::Ratio | hocvuso_core::plan::TargetKind::Total))
            .filter(|i| i.reporters.iter().all(|r| !matches!(r, hocvuso_core::plan::Reporter::Unit { .. })))
            .map(|i| {
                // The kinds of units that carry a figure (a commune reports its own, Công an tỉnh
                // the same communes' on their behalf), each once.
                let kinds: std::collections::BTreeSet<&str> = i
                    .reporters
                    .iter()
                    .filter_map(|r| match r {
                        hocvuso_core::plan::Reporter::Kind { kind }
                        | hocvuso_core::plan::Reporter::OnBehalf { for_kind: kind, .. } => Some(kind.as_str()),
                        hocvuso_core::plan::Reporter::Unit { .. } => None,
                    })
                    .collect();
                (
                    i.code.clone(),
                    serde_json::json!({
                        "kind": if i.kind == hocvuso_core::plan::TargetKind::Ratio { "ratio" } else { "total" },
                        "denominator": i.denominator,
                        "subject_kinds": kinds,
                    }),
                )
            })
            .collect();
        std::fs::write(dir.join("indicators.json"), serde_json::to_string(&wanted)?)?;
        let last_day = hocvuso_core::calendar::last_reporting_day(&plan, until)
            .map_or(String::new(), |d| d.to_string());
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/duckdb-rollup.py");
        let output = std::process::Command::new("python3")
            .arg(&script)
            .arg(&dir)
            .arg(&day)
            .arg(&last_day)
            .arg("/VN/")
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        match output {
            Ok(o) if o.status.success() => serde_json::from_slice(&o.stdout)?,
            Ok(o) => {
                println!(
                    "DuckDB: không chạy được ({}); cài bằng: pip install duckdb",
                    String::from_utf8_lossy(&o.stderr)
                        .lines()
                        .last()
                        .unwrap_or("")
                );
                serde_json::Value::Null
            }
            Err(e) => {
                println!("DuckDB: không chạy được python3 ({e})");
                serde_json::Value::Null
            }
        }
    };
    if !api.is_null() {
        let ours = store
            .progress(&plan, &store.require_unit("VN").await?, until)
            .await?;
        let mut worst: f64 = 0.0;
        let mut compared = 0;
        for p in &ours {
            if let Some(d) = api["indicators"][&p.indicator]["value"].as_f64()
                && let Some(v) = p.value
            {
                let difference = (d - v).abs() / v.abs().max(1.0);
                if difference > 1e-9 {
                    println!("  {}: hocvuso {v}, DuckDB {d}", p.indicator);
                }
                worst = worst.max(difference);
                compared += 1;
            }
        }
        let query_ms = api["query_seconds"].as_f64().unwrap_or(0.0) * 1000.0;
        println!(
            "DuckDB (cùng phép tính từ bảng thô, {compared} chỉ tiêu tỷ lệ và tổng số, chênh lệch lớn nhất {worst:.1e}): nạp {:.1} s, truy vấn {query_ms:.0} ms (trung vị 5 lần) — API cả nước nhanh hơn {:.0} lần",
            api["load_seconds"].as_f64().unwrap_or(0.0),
            query_ms / country_p50.max(0.001)
        );
    }
    let _ = server.kill();
    let _ = server.wait();
    store.close().await;
    if database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    Ok(())
}
