//! `hocvuso demo`: a demo database with the Đắk Lắk plan (or another) and synthetic data, labelled
//! as such, then the server.

use super::{failed, open, parse_date};
use crate::person_key::KeyArgs;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Database for the demo (kept apart from a real one).
    #[arg(
        long,
        env = "HOCVUSO_DEMO_DATABASE_URL",
        default_value = "sqlite://hocvuso-demo.db"
    )]
    database_url: String,
    #[arg(long, env = "HOCVUSO_ADDR", default_value = "127.0.0.1:8080")]
    addr: String,
    /// Generate weekly reports up to this date (YYYY-MM-DD or DD/MM/YYYY).
    #[arg(long, default_value = "2025-09-05", value_parser = parse_date)]
    until: NaiveDate,
    /// Seed of the synthetic data: the same seed gives the same data.
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Plan file to use instead of the built-in Đắk Lắk plan.
    #[arg(long)]
    plan: Option<std::path::PathBuf>,
    /// Prepare the database and exit without serving.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    key: KeyArgs,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let plan_text = match &args.plan {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("không đọc được {}", p.display()))?
        }
        None => crate::demo::DAKLAK_PLAN.to_string(),
    };
    let deployment = open(&args.database_url, "demo").await?;
    let person_key = args.key.load(&deployment, &args.database_url).await?;
    let store = deployment.store();
    let (plan, summary) = crate::demo::seed(store, &plan_text, args.seed, args.until).await?;
    println!(
        "Dữ liệu minh họa ({}): {} — {} thôn/buôn/tổ dân phố giả lập, {} báo cáo tuần giả lập đến {}",
        if summary.reused {
            "dùng lại"
        } else {
            "vừa tạo"
        },
        plan.title,
        summary.villages,
        summary.reports,
        hocvuso_core::format::date(args.until)
    );
    let records = crate::demo::seed_field_log(store, &plan, args.until, &person_key).await?;
    println!(
        "Nhật ký Tổ CNS cộng đồng giả lập: {} bản ghi",
        hocvuso_core::format::number(records as f64, 0)
    );
    let hints = crate::demo::ensure_demo_accounts(store, &plan).await?;
    if args.no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    let app = deployment
        .app(Some(args.until), person_key)
        .await
        .map_err(failed)?;
    let server = crate::serve(app, &args.addr, hints).await?;
    println!(
        "Mở http://{} trong trình duyệt (Ctrl-C để dừng)",
        server.addr
    );
    server.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}
