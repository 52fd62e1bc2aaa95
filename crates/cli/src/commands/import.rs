//! `hocvuso import units|targets|field-log`: files imported whole or refused whole, every problem
//! with its row and column — through the same use cases as the pages.

use super::{DbArgs, failed, open, rejected};
use crate::person_key::KeyArgs;
use anyhow::{Context, Result};
use hocvuso_app::AppError;
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Import villages, departments, schools and enterprises with their parents and denominators from
    /// a CSV file (format: docs/units-format.md). All rows or none.
    Units {
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Replace the active plan's per-unit assigned targets (the plan's appendix) with a CSV or .xlsx
    /// table: columns unit, indicator, milestone (optional), target. All rows or none.
    Targets {
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Paper logs of community digital teams (CSV or .xlsx, one row per person guided; columns in
    /// docs/field-log.md). All rows or none; importing a file again counts nothing twice.
    FieldLog {
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
}

/// A file's bytes, at most `limit` and one more: the use case refuses what is over its limit
/// without the whole file being read into memory.
fn read_bounded(file: &Path, limit: usize) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(limit as u64 + 1).read_to_end(&mut bytes))
        .with_context(|| format!("không đọc được {}", file.display()))?;
    Ok(bytes)
}

/// A refused import: its problems, or the error.
fn refused(file: &Path, e: AppError) -> Result<ExitCode> {
    match e {
        AppError::Invalid(problems) => Ok(rejected(file, &problems)),
        other => Err(failed(other)),
    }
}

pub async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Units { file, db } => {
            let bytes = read_bounded(&file, hocvuso_docs::units_csv::MAX_FILE_BYTES)?;
            let deployment = open(&db.database_url, "cli").await?;
            deployment.ensure_official_units().await.map_err(failed)?;
            match deployment.import_units(&bytes).await {
                Ok(s) => println!(
                    "{}: đã nhập {} đơn vị mới, cập nhật {} đơn vị, {} không đổi, {} mẫu số",
                    file.display(),
                    s.created,
                    s.updated,
                    s.unchanged,
                    s.denominators
                ),
                Err(e) => return refused(&file, e),
            }
        }
        Command::Targets { file, db } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let deployment = open(&db.database_url, "cli").await?;
            let app = deployment
                .app(None, crate::person_key::random())
                .await
                .map_err(failed)?;
            let source = file.display().to_string();
            match app
                .system("cli")
                .load_assigned_targets(&bytes, &source)
                .await
            {
                Ok(n) => {
                    println!("{source}: đã giao {n} chỉ tiêu riêng cho các đơn vị (thay bảng cũ)")
                }
                Err(e) => return refused(&file, e),
            }
        }
        Command::FieldLog { file, db, key } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let deployment = open(&db.database_url, "cli").await?;
            let person_key = key.load(&deployment, &db.database_url).await?;
            let source = file
                .file_name()
                .map_or("tệp".into(), |n| n.to_string_lossy().into_owned());
            let app = deployment.app(None, person_key).await.map_err(failed)?;
            match app.system("cli").import_field_log(&bytes, &source).await {
                Ok((stored, again)) => println!(
                    "{}: {stored} bản ghi mới, {again} bản ghi đã có từ trước (không tính lại)",
                    file.display()
                ),
                Err(e) => return refused(&file, e),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
