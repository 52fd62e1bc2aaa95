//! `hocvuso report weekly|final`: a unit's official document as .docx or .pdf, built by the same
//! use case as the site's downloads.

use super::{DbArgs, failed, open};
use anyhow::{Context, Result};
use hocvuso_app::documents::{Format, Report};
use hocvuso_app::read::week_numbered;
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// A unit's weekly report: the province's (from the campaign secretariat to the People's
    /// Committee), or a commune's or department's own; with the letterhead and next week's tasks
    /// saved on the site (page "Văn bản báo cáo").
    Weekly(Args),
    /// A unit's final report (báo cáo tổng kết) over the campaign up to a week (default: the
    /// plan's last week), with the chart of its indicators' course week by week.
    Final(Args),
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Code of the unit (default: the plan's province).
    #[arg(long)]
    unit: Option<String>,
    /// Week of the campaign, from 1 (needed for the weekly report).
    #[arg(long)]
    week: Option<u32>,
    #[arg(long, value_enum, default_value_t = DocFormat::Docx)]
    format: DocFormat,
    /// File to write.
    #[arg(short = 'o', long)]
    out: std::path::PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum DocFormat {
    Docx,
    /// PDF with its font embedded (builds with the default feature `pdf`).
    Pdf,
}

pub async fn run(command: Command) -> Result<ExitCode> {
    let (report, args) = match command {
        Command::Weekly(args) => (Report::Weekly, args),
        Command::Final(args) => (Report::Final, args),
    };
    let deployment = open(&args.db.database_url, "cli").await?;
    let app = deployment
        .app(None, crate::person_key::random())
        .await
        .map_err(failed)?;
    let plan = app.plan.clone();
    let number = match (args.week, report) {
        (Some(n), _) => n,
        (None, Report::Final) => hocvuso_core::calendar::weeks(&plan).len() as u32,
        (None, Report::Weekly) => anyhow::bail!("cần chọn tuần: --week N"),
    };
    let week = week_numbered(&plan, number).map_err(anyhow::Error::msg)?;
    let session = app.system("cli");
    let code = args.unit.unwrap_or_else(|| plan.province.to_string());
    let unit = session.unit(&code).await.map_err(failed)?;
    let doc = report
        .document(&session, &unit, &week)
        .await
        .map_err(failed)?;
    let format = match args.format {
        DocFormat::Docx => Format::Docx,
        DocFormat::Pdf => Format::Pdf,
    };
    let bytes = format.render(&doc).map_err(anyhow::Error::msg)?;
    let out = &args.out;
    std::fs::write(out, &bytes).with_context(|| format!("không ghi được {}", out.display()))?;
    println!(
        "{}: {} của {} ({} byte)",
        out.display(),
        match report {
            Report::Weekly => format!("báo cáo tuần {}", week.number),
            Report::Final => format!("báo cáo tổng kết đến tuần {}", week.number),
        },
        unit.full_name,
        bytes.len()
    );
    deployment.close().await;
    Ok(ExitCode::SUCCESS)
}
