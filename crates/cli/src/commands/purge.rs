//! `hocvuso purge person-keys`: the end-of-campaign removal of person pseudonyms.

use super::{DbArgs, failed, open, parse_date};
use anyhow::Result;
use chrono::NaiveDate;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Remove the pseudonyms of persons last seen before DATE: the figures stay, but a later visit of
    /// such a person counts as a new person. Run at the end of the campaign.
    PersonKeys {
        /// YYYY-MM-DD or DD/MM/YYYY.
        #[arg(long, value_parser = parse_date)]
        before: NaiveDate,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: Command) -> Result<ExitCode> {
    let Command::PersonKeys { before, db } = command;
    let deployment = open(&db.database_url, "cli").await?;
    let (removed, left, last) = deployment.purge_person_keys(before).await.map_err(failed)?;
    println!(
        "Đã xóa {removed} mã ẩn danh của người được hướng dẫn lần cuối trước {}; còn {left}{}.",
        hocvuso_core::format::date(before),
        last.map_or(String::new(), |d| format!(" (lần gần nhất {d})"))
    );
    Ok(ExitCode::SUCCESS)
}
