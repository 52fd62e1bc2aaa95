//! `hocvuso bench storage`: the reads that shaped the store's storage (a country's communes' roll-up
//! steps, a 12,000-key lookup) through sqlx's `Any` driver as the store makes them, as plain rows
//! through `Any`, and as plain rows through the engine's native driver.

use anyhow::{Context, Result};

pub async fn run(database_url: String, repeats: usize) -> Result<()> {
    let deployment = crate::commands::open(&database_url, "bench").await?;
    let plan = deployment
        .active_plan()
        .await
        .map_err(crate::commands::failed)?
        .context("cơ sở dữ liệu chưa có kế hoạch: tạo bằng `hocvuso gen --scale national` trước")?;
    println!(
        "{}: kế hoạch {}, trung vị và lần nhanh nhất của {repeats} lần đọc",
        crate::commands::redact(&database_url),
        plan.code
    );
    let timings = deployment
        .store()
        .compare_drivers(&database_url, &plan.code, repeats)
        .await?;
    for t in timings {
        println!(
            "  {:<86} {:>9} dòng  trung vị {:>8.1} ms  nhanh nhất {:>8.1} ms",
            t.what,
            t.rows,
            t.median.as_secs_f64() * 1000.0,
            t.best.as_secs_f64() * 1000.0
        );
    }
    deployment.close().await;
    Ok(())
}
