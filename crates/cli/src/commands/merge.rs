//! `hocvuso merge`: units merged into another from a date, history kept.

use super::{DbArgs, failed, open, parse_date};
use anyhow::Result;
use chrono::NaiveDate;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Code of the unit that takes over.
    #[arg(long)]
    into: String,
    /// Codes of the merged units, separated by commas.
    #[arg(long, value_delimiter = ',', required = true)]
    from: Vec<String>,
    /// Day the merger takes effect (YYYY-MM-DD or DD/MM/YYYY).
    #[arg(long, value_parser = parse_date)]
    on: NaiveDate,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let deployment = open(&args.db.database_url, "cli").await?;
    deployment
        .merge_units(&args.into, &args.from, args.on)
        .await
        .map_err(failed)?;
    println!(
        "Đã sáp nhập {} vào {} từ ngày {}",
        args.from.join(", "),
        args.into.trim(),
        hocvuso_core::format::date(args.on)
    );
    deployment.close().await;
    Ok(ExitCode::SUCCESS)
}
