//! `hocvuso bench progress|field|burst`: measurements against a real server (release builds).

use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Dashboards at national scale: answer times (p50, p99) of the progress API and of the pages
    /// for a commune, a province and the whole country, the province's weekly report (.docx) and the
    /// national commune table (.xlsx), server memory, and the same roll-up computed by DuckDB from
    /// the exported raw tables (needs python3 with duckdb: pip install duckdb).
    Progress {
        /// A database made by `hocvuso gen --scale national` (made in a temporary file if absent).
        #[arg(long)]
        database_url: Option<String>,
        /// Measured requests per case.
        #[arg(long, default_value_t = 300)]
        requests: usize,
    },
    /// The door-to-door log: bulk ingest against raw inserts of the same rows, API batches, single
    /// syncs, and dashboard answer times before any record and at --big records.
    Field {
        /// Records ingested in bulk, and again through the API.
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
        /// Records in all before the dashboards are measured again.
        #[arg(long, default_value_t = 10_000_000)]
        big: usize,
        /// Database to use (default: a fresh SQLite file, removed afterwards).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The reads that shaped the store's storage — a country's communes' roll-up steps and a
    /// 12,000-key lookup — through sqlx's Any driver as the store makes them (packed), as plain rows
    /// through Any, and as plain rows through the engine's native driver.
    Storage {
        /// A database made by `hocvuso gen --scale national`.
        #[arg(long)]
        database_url: String,
        /// Timed runs of each read.
        #[arg(long, default_value_t = 5)]
        repeats: usize,
    },
    /// Friday burst: every commune (national: 3,321; province: the plan's) submits the same week at
    /// once over HTTP, each with its own API token; checks that all are stored once.
    Burst {
        #[arg(long, default_value = "national", value_parser = ["national", "province"])]
        scale: String,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 256)]
        concurrency: usize,
        /// Database to use (default: a fresh SQLite file, removed afterwards).
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Progress {
            database_url,
            requests,
        } => crate::bench::progress::run(database_url, requests).await?,
        Command::Burst {
            scale,
            concurrency,
            database_url,
        } => crate::bench::burst::run(&scale, concurrency, database_url).await?,
        Command::Storage {
            database_url,
            repeats,
        } => crate::bench::storage::run(database_url, repeats).await?,
        Command::Field {
            records,
            big,
            database_url,
        } => crate::bench::field::run(records, big, database_url).await?,
    }
    Ok(ExitCode::SUCCESS)
}
