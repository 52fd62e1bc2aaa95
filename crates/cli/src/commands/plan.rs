//! `hocvuso plan check` and `hocvuso plan load`.

use super::{DbArgs, failed, open, plan_refused};
use anyhow::{Context, Result};
use hocvuso_core::plan::parse_plan;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Validate plan files and report every problem with its line and field.
    Check { files: Vec<std::path::PathBuf> },
    /// Validate a plan file and make it the active plan of the database.
    Load {
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Check { files } => {
            if files.is_empty() {
                anyhow::bail!("cần ít nhất một tệp: hocvuso plan check TỆP.toml");
            }
            Ok(check(files))
        }
        Command::Load { file, db } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let deployment = open(&db.database_url, "cli").await?;
            deployment.ensure_official_units().await.map_err(failed)?;
            let plan = deployment.load_plan(&text).await.map_err(plan_refused)?;
            println!(
                "Đã nạp kế hoạch «{}» ({} chỉ tiêu) và đặt làm kế hoạch đang dùng",
                plan.code,
                plan.indicators.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Checks each file and prints every problem with its line and field; fails if any has one.
fn check(files: Vec<std::path::PathBuf>) -> ExitCode {
    let mut failed = false;
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) => {
                println!("{}: không đọc được tệp: {e}", file.display());
                failed = true;
                continue;
            }
        };
        match parse_plan(&text) {
            Ok(plan) => println!(
                "{}: hợp lệ — {} chỉ tiêu, {} nhiệm vụ, {} tuần báo cáo",
                file.display(),
                plan.indicators.len(),
                plan.tasks.len(),
                hocvuso_core::calendar::weeks(&plan).len()
            ),
            Err(errors) => {
                failed = true;
                println!("{}: {} lỗi", file.display(), errors.len());
                for e in errors {
                    match e.line {
                        Some(l) => println!(
                            "{}:{l}: {}{}",
                            file.display(),
                            if e.field.is_empty() {
                                String::new()
                            } else {
                                format!("{}: ", e.field)
                            },
                            e.message
                        ),
                        None => println!("{}: {}", file.display(), e),
                    }
                }
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
