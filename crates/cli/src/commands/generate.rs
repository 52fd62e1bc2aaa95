//! `hocvuso gen`: deterministic synthetic data at province or national scale.

use super::{DbArgs, open, parse_date, redact};
use anyhow::Result;
use chrono::NaiveDate;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, default_value = "province", value_parser = ["province", "national"])]
    scale: String,
    #[arg(long, default_value_t = 2025)]
    seed: u64,
    /// Generate weekly reports up to this date (YYYY-MM-DD or DD/MM/YYYY); the default covers the
    /// 15 weeks of the campaign.
    #[arg(long, default_value = "2025-10-24", value_parser = parse_date)]
    until: NaiveDate,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let deployment = open(&args.db.database_url, "demo").await?;
    let text = if args.scale == "national" {
        crate::demo::national_plan()
    } else {
        crate::demo::DAKLAK_PLAN.to_string()
    };
    let started = std::time::Instant::now();
    let (plan, summary) =
        crate::demo::seed(deployment.store(), &text, args.seed, args.until).await?;
    println!(
        "{}: {} — {} thôn/buôn/tổ dân phố giả lập, {} báo cáo tuần giả lập đến {} ({:.1} s)",
        redact(&args.db.database_url),
        plan.code,
        summary.villages,
        summary.reports,
        hocvuso_core::format::date(args.until),
        started.elapsed().as_secs_f64()
    );
    deployment.close().await;
    Ok(ExitCode::SUCCESS)
}
