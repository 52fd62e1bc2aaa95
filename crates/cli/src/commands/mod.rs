//! The subcommands of `hocvuso`, one file each: its arguments and what it runs. Commands call the use
//! cases of `hocvuso_app` (a `Deployment` for the database, an `App` session for campaign data),
//! never the web crate's handlers; what they print is Vietnamese for the operator.

mod bench;
mod demo;
mod export;
mod generate;
mod import;
mod merge;
mod plan;
mod purge;
mod report;
mod serve;
mod user;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use hocvuso_app::{AppError, Deployment};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "hocvuso",
    version,
    about = "Theo dõi phong trào “Bình dân học vụ số” — run and monitor a digital-literacy campaign"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct DbArgs {
    /// Database: sqlite://FILE (default) or postgres://USER@HOST/DB
    #[arg(
        long,
        env = "HOCVUSO_DATABASE_URL",
        default_value = "sqlite://hocvuso.db",
        global = true
    )]
    database_url: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the site and API over a database that already holds a plan.
    Serve(serve::Args),
    /// Create (or reuse) a demo database with the Đắk Lắk plan and synthetic data, then serve it.
    Demo(demo::Args),
    /// Deterministic synthetic data (labelled as such) for tests and benchmarks: the Đắk Lắk plan with
    /// its province (102 communes), or the same plan over the whole country (34 provinces, 3,321
    /// communes, about 100,000 villages), with weekly reports up to `--until`.
    Gen(generate::Args),
    /// Merge units (communes, villages, …) into another from a date: the merged ones keep their
    /// history and count until that day, their successor from it; their villages and other children
    /// move under the successor.
    Merge(merge::Args),
    /// Write the raw tables (units, denominators, reports, report values, assigned targets) as CSV
    /// files into a folder, for analysis elsewhere. No accounts, no audit log, nothing about people.
    Export(export::Args),
    /// Official documents in the form of Nghị định 30/2020/NĐ-CP.
    Report {
        #[command(subcommand)]
        command: report::Command,
    },
    /// End-of-campaign clean-up of personal data.
    Purge {
        #[command(subcommand)]
        command: purge::Command,
    },
    /// Plans: check a file, or load it as the active plan.
    Plan {
        #[command(subcommand)]
        command: plan::Command,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: import::Command,
    },
    /// Measurements against a real server (release builds: `cargo run --release -- bench …`).
    Bench {
        #[command(subcommand)]
        command: bench::Command,
    },
    /// Accounts and API tokens.
    User {
        #[command(subcommand)]
        command: user::Command,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    hocvuso_core::plan::parse_date_text(s)
        .ok_or_else(|| format!("ngày «{s}» không hợp lệ; dùng 2025-09-05 hoặc 05/09/2025"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HOCVUSO_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("không khởi động được: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Gen(args) => generate::run(args).await,
        Command::Merge(args) => merge::run(args).await,
        Command::Export(args) => export::run(args).await,
        Command::Report { command } => report::run(command).await,
        Command::Purge { command } => purge::run(command).await,
        Command::Plan { command } => plan::run(command).await,
        Command::Import { command } => import::run(command).await,
        Command::Bench { command } => bench::run(command).await,
        Command::User { command, db } => user::run(command, db).await,
    }
}

/// The database at `url`, its commands audited under `name`.
pub async fn open(url: &str, name: &str) -> Result<Deployment> {
    Deployment::open(url, name)
        .await
        .map_err(failed)
        .with_context(|| format!("không mở được cơ sở dữ liệu {}", redact(url)))
}

/// A database URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

/// A use case's refusal as the operator reads it: every problem on its own line; for a failure, its
/// cause (the operator is the one who can act on it).
pub(crate) fn failed(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(problems) => anyhow::anyhow!("{}", problems.join("\n")),
        AppError::Internal(cause) => anyhow::anyhow!("{cause}"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// A plan refused by `Deployment::load_plan`, as the operator reads it.
pub(crate) fn plan_refused(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(problems) => anyhow::anyhow!(
            "kế hoạch không hợp lệ:\n{}",
            problems
                .iter()
                .map(|p| format!("  {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => failed(other),
    }
}

/// A file refused whole, with every problem; nothing was written.
fn rejected(file: &std::path::Path, problems: &[impl std::fmt::Display]) -> ExitCode {
    println!(
        "{}: tệp bị từ chối, không có gì được ghi ({} lỗi):",
        file.display(),
        problems.len()
    );
    for p in problems {
        println!("  {p}");
    }
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(super::redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(super::redact("sqlite://hocvuso.db"), "sqlite://hocvuso.db");
    }
}
