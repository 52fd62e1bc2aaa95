//! `hocvuso export`: the raw tables as CSV files (RFC 4180, UTF-8, a header row).

use super::{DbArgs, failed, open};
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to write into (created if missing).
    #[arg(long)]
    out: std::path::PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: Args) -> Result<ExitCode> {
    let deployment = open(&args.db.database_url, "cli").await?;
    for (name, rows) in deployment.export_tables(&args.out).await.map_err(failed)? {
        println!(
            "{}: {rows} dòng",
            args.out.join(format!("{name}.csv")).display()
        );
    }
    deployment.close().await;
    Ok(ExitCode::SUCCESS)
}
