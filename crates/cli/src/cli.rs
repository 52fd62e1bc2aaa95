//! Subcommands of `hocvuso`.

use crate::person_key::KeyArgs;
use crate::{accounts, demo};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use hocvuso_app::AppError;
use hocvuso_core::access::Role;
use hocvuso_core::plan::parse_plan;
use hocvuso_docs::units_csv::{MAX_FILE_BYTES, parse_units};
use hocvuso_store::audit::Who;
use hocvuso_store::{Store, StoreError};
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
    Serve {
        #[command(flatten)]
        db: DbArgs,
        /// Address to listen on.
        #[arg(long, env = "HOCVUSO_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Create (or reuse) a demo database with the Đắk Lắk plan and synthetic data, then serve it.
    Demo {
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
    },
    /// Deterministic synthetic data (labelled as such) for tests and benchmarks: the Đắk Lắk plan with
    /// its province (102 communes), or the same plan over the whole country (34 provinces, 3,321
    /// communes, about 100,000 villages), with weekly reports up to `--until`.
    Gen {
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
    },
    /// Merge units (communes, villages, …) into another from a date: the merged ones keep their
    /// history and count until that day, their successor from it; their villages and other children
    /// move under the successor.
    Merge {
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
    },
    /// Write the raw tables (units, denominators, reports, report values, assigned targets) as CSV
    /// files into a folder, for analysis elsewhere. No accounts, no audit log, nothing about people.
    Export {
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Official documents in the form of Nghị định 30/2020/NĐ-CP.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// End-of-campaign clean-up of personal data.
    Purge {
        #[command(subcommand)]
        command: PurgeCommand,
    },
    /// Plans: check a file, or load it as the active plan.
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Measurements against a real server (release builds: `cargo run --release -- bench …`).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Accounts and API tokens.
    User {
        #[command(subcommand)]
        command: UserCommand,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// A unit's weekly report: the province's (from the campaign secretariat to the People's
    /// Committee), or a commune's or department's own; with the letterhead and next week's tasks
    /// saved on the site (page "Văn bản báo cáo").
    Weekly(ReportArgs),
    /// A unit's final report (báo cáo tổng kết) over the campaign up to a week (default: the
    /// plan's last week), with the chart of its indicators' course week by week.
    Final(ReportArgs),
}

#[derive(clap::Args, Debug)]
struct ReportArgs {
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

#[derive(Subcommand, Debug)]
enum PurgeCommand {
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

#[derive(Subcommand, Debug)]
enum BenchCommand {
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

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account. Without --password-stdin a random password is printed once.
    Add {
        username: String,
        /// Full name shown in the interface.
        #[arg(long)]
        name: String,
        /// admin, secretariat, reporter, team_member or viewer.
        #[arg(long)]
        role: String,
        /// Unit code: the reporter's unit, the team member's village, the viewer's subtree.
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts and API tokens.
    List,
    /// Lock an account (its sessions end at once).
    Disable { username: String },
    /// Unlock an account.
    Enable { username: String },
    /// Set a new random password (printed once); every session of the account ends.
    ResetPassword { username: String },
    /// Create an API token for an account (printed once), or revoke one with --revoke ID.
    Token {
        username: Option<String>,
        #[arg(long, default_value = "")]
        label: String,
        #[arg(long, conflicts_with = "username")]
        revoke: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
enum PlanCommand {
    /// Validate plan files and report every problem with its line and field.
    Check { files: Vec<std::path::PathBuf> },
    /// Validate a plan file and make it the active plan of the database.
    Load {
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand, Debug)]
enum ImportCommand {
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

async fn open(url: &str) -> Result<Store> {
    Store::open(url)
        .await
        .with_context(|| format!("không mở được cơ sở dữ liệu {}", redact(url)))
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Serve { db, addr, key } => {
            let store = open(&db.database_url).await?;
            let person_key = key.load(&store, &db.database_url).await?;
            demo::ensure_official_units(&store).await?;
            if let Some(password) = accounts::ensure_first_admin(&store).await? {
                println!("Đã tạo tài khoản quản trị đầu tiên: admin / {password}");
                println!("Mật khẩu này chỉ hiện một lần: đăng nhập và đổi mật khẩu ngay.");
            }
            let app = crate::build(store, &addr, None, Vec::new(), person_key).await?;
            println!("hocvuso đang chạy tại http://{}", app.addr);
            app.run_until_stopped().await?;
        }
        Command::Demo {
            database_url,
            addr,
            until,
            seed,
            plan,
            no_serve,
            key,
        } => {
            let plan_text = match &plan {
                Some(p) => std::fs::read_to_string(p)
                    .with_context(|| format!("không đọc được {}", p.display()))?,
                None => demo::DAKLAK_PLAN.to_string(),
            };
            let store = open(&database_url).await?;
            let person_key = key.load(&store, &database_url).await?;
            let (plan, summary) = demo::seed(&store, &plan_text, seed, until).await?;
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
                hocvuso_core::format::date(until)
            );
            let records = demo::seed_field_log(&store, &plan, until, &person_key).await?;
            println!(
                "Nhật ký Tổ CNS cộng đồng giả lập: {} bản ghi",
                hocvuso_core::format::number(records as f64, 0)
            );
            let hints = accounts::ensure_demo_accounts(&store, &plan).await?;
            if no_serve {
                return Ok(ExitCode::SUCCESS);
            }
            let app = crate::build(store, &addr, Some(until), hints, person_key).await?;
            println!("Mở http://{} trong trình duyệt (Ctrl-C để dừng)", app.addr);
            app.run_until_stopped().await?;
        }
        Command::Plan {
            command: PlanCommand::Check { files },
        } => {
            if files.is_empty() {
                anyhow::bail!("cần ít nhất một tệp: hocvuso plan check TỆP.toml");
            }
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
            return Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            });
        }
        Command::Plan {
            command: PlanCommand::Load { file, db },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let store = open(&db.database_url).await?;
            demo::ensure_official_units(&store).await?;
            let plan = demo::load_plan(&store, &text, &Who::system("cli")).await?;
            println!(
                "Đã nạp kế hoạch «{}» ({} chỉ tiêu) và đặt làm kế hoạch đang dùng",
                plan.code,
                plan.indicators.len()
            );
        }
        Command::Import {
            command: ImportCommand::Units { file, db },
        } => {
            let meta = std::fs::metadata(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            if meta.len() as usize > MAX_FILE_BYTES {
                anyhow::bail!(
                    "{}: tệp lớn {} MB, vượt giới hạn {} MB",
                    file.display(),
                    meta.len() / 1_048_576,
                    MAX_FILE_BYTES / 1_048_576
                );
            }
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let store = open(&db.database_url).await?;
            demo::ensure_official_units(&store).await?;
            let keys: Vec<String> = match store.active_plan().await? {
                Some(plan) => plan.denominators.iter().map(|d| d.key.clone()).collect(),
                None => Vec::new(),
            };
            let today = chrono::Utc::now().date_naive();
            let rows = match parse_units(&bytes, &keys, today) {
                Ok(rows) => rows,
                Err(problems) => return Ok(rejected(&file, &problems)),
            };
            match store.import_units(&rows, today, &Who::system("cli")).await {
                Ok(s) => println!(
                    "{}: đã nhập {} đơn vị mới, cập nhật {} đơn vị, {} không đổi, {} mẫu số",
                    file.display(),
                    s.created,
                    s.updated,
                    s.unchanged,
                    s.denominators
                ),
                Err(StoreError::Rejected(problems)) => return Ok(rejected(&file, &problems)),
                Err(e) => return Err(e.into()),
            }
        }
        Command::Gen {
            scale,
            seed,
            until,
            db,
        } => {
            let store = open(&db.database_url).await?;
            let text = if scale == "national" {
                demo::national_plan()
            } else {
                demo::DAKLAK_PLAN.to_string()
            };
            let started = std::time::Instant::now();
            let (plan, summary) = demo::seed(&store, &text, seed, until).await?;
            println!(
                "{}: {} — {} thôn/buôn/tổ dân phố giả lập, {} báo cáo tuần giả lập đến {} ({:.1} s)",
                redact(&db.database_url),
                plan.code,
                summary.villages,
                summary.reports,
                hocvuso_core::format::date(until),
                started.elapsed().as_secs_f64()
            );
            store.close().await;
        }
        Command::Merge { into, from, on, db } => {
            let store = open(&db.database_url).await?;
            store
                .merge_units(into.trim(), &from, on, &Who::system("cli"))
                .await?;
            println!(
                "Đã sáp nhập {} vào {} từ ngày {}",
                from.join(", "),
                into.trim(),
                hocvuso_core::format::date(on)
            );
            store.close().await;
        }
        Command::Report { command } => {
            use hocvuso_app::documents::{Format, Report};
            use hocvuso_app::read::week_numbered;
            let (report, args) = match command {
                ReportCommand::Weekly(args) => (Report::Weekly, args),
                ReportCommand::Final(args) => (Report::Final, args),
            };
            let store = open(&args.db.database_url).await?;
            let app = crate::app(store.clone(), None, crate::person_key::random()).await?;
            let plan = app.plan.clone();
            let number = match (args.week, report) {
                (Some(n), _) => n,
                (None, Report::Final) => hocvuso_core::calendar::weeks(&plan).len() as u32,
                (None, Report::Weekly) => anyhow::bail!("cần chọn tuần: --week N"),
            };
            let week = week_numbered(&plan, number).map_err(anyhow::Error::msg)?;
            let session = app.system("cli");
            let code = args.unit.unwrap_or_else(|| plan.province.to_string());
            let unit = session
                .unit(&code)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let doc = report
                .document(&session, &unit, &week)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let format = match args.format {
                DocFormat::Docx => Format::Docx,
                DocFormat::Pdf => Format::Pdf,
            };
            let bytes = format.render(&doc).map_err(anyhow::Error::msg)?;
            let out = &args.out;
            std::fs::write(out, &bytes)
                .with_context(|| format!("không ghi được {}", out.display()))?;
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
            store.close().await;
        }
        Command::Export { out, db } => {
            let store = open(&db.database_url).await?;
            for (name, rows) in crate::export::write_tables(&store, &out).await? {
                println!("{}: {rows} dòng", out.join(format!("{name}.csv")).display());
            }
            store.close().await;
        }
        Command::Import {
            command: ImportCommand::FieldLog { file, db, key },
        } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let store = open(&db.database_url).await?;
            let person_key = key.load(&store, &db.database_url).await?;
            let rows = match hocvuso_docs::field_log::parse(&bytes) {
                Ok(rows) => rows,
                Err(problems) => return Ok(rejected(&file, &problems)),
            };
            let source = file
                .file_name()
                .map_or("tệp".into(), |n| n.to_string_lossy().into_owned());
            let app = crate::app(store.clone(), None, person_key).await?;
            match app.system("cli").import_field_log(&rows, &source).await {
                Ok((stored, again)) => println!(
                    "{}: {stored} bản ghi mới, {again} bản ghi đã có từ trước (không tính lại)",
                    file.display()
                ),
                Err(AppError::Invalid(problems)) => return Ok(rejected(&file, &problems)),
                Err(e) => anyhow::bail!("{e}"),
            }
        }
        Command::Purge {
            command: PurgeCommand::PersonKeys { before, db },
        } => {
            let store = open(&db.database_url).await?;
            let removed = store.purge_person_keys(before, &Who::system("cli")).await?;
            let (left, last) = store.person_keys().await?;
            println!(
                "Đã xóa {removed} mã ẩn danh của người được hướng dẫn lần cuối trước {}; còn {left}{}.",
                hocvuso_core::format::date(before),
                last.map_or(String::new(), |d| format!(" (lần gần nhất {d})"))
            );
        }
        Command::Import {
            command: ImportCommand::Targets { file, db },
        } => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("không đọc được {}", file.display()))?;
            let store = open(&db.database_url).await?;
            let app = crate::app(store, None, crate::person_key::random()).await?;
            let source = file.display().to_string();
            match app
                .system("cli")
                .load_assigned_targets(&bytes, &source)
                .await
            {
                Ok(n) => {
                    println!("{source}: đã giao {n} chỉ tiêu riêng cho các đơn vị (thay bảng cũ)")
                }
                Err(AppError::Invalid(problems)) => return Ok(rejected(&file, &problems)),
                Err(e) => anyhow::bail!("{e}"),
            }
        }
        Command::Bench {
            command:
                BenchCommand::Progress {
                    database_url,
                    requests,
                },
        } => {
            progress_bench(database_url, requests).await?;
        }
        Command::Bench {
            command:
                BenchCommand::Burst {
                    scale,
                    concurrency,
                    database_url,
                },
        } => {
            burst(&scale, concurrency, database_url).await?;
        }
        Command::Bench {
            command:
                BenchCommand::Field {
                    records,
                    big,
                    database_url,
                },
        } => {
            crate::field_bench::run(records, big, database_url).await?;
        }
        Command::User { command, db } => {
            let store = open(&db.database_url).await?;
            demo::ensure_official_units(&store).await?;
            user(&store, command).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn user(store: &Store, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            unit,
            password_stdin,
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("vai trò «{role}» không có; dùng admin, secretariat, reporter, team_member hoặc viewer")
            })?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (hocvuso_app::temporary_password(), true)
            };
            accounts::add(
                store,
                &username,
                &name,
                role,
                unit.as_deref(),
                &password,
                &Who::system("cli"),
            )
            .await?;
            println!(
                "Đã tạo tài khoản «{}» ({})",
                username.trim().to_lowercase(),
                role.label_vi()
            );
            if generated {
                println!("Mật khẩu ban đầu (chỉ hiện một lần): {password}");
            }
        }
        UserCommand::List => accounts::list(store).await?,
        UserCommand::Disable { username } => {
            accounts::set_disabled(store, &username, true).await?;
            println!(
                "Đã khóa tài khoản «{username}»; mọi phiên đăng nhập của tài khoản đã kết thúc"
            );
        }
        UserCommand::Enable { username } => {
            accounts::set_disabled(store, &username, false).await?;
            println!("Đã mở khóa tài khoản «{username}»");
        }
        UserCommand::ResetPassword { username } => {
            let password = accounts::reset_password(store, &username).await?;
            println!("Mật khẩu mới của «{username}» (chỉ hiện một lần): {password}");
        }
        UserCommand::Token {
            username,
            label,
            revoke,
        } => match (username, revoke) {
            (_, Some(id)) => {
                accounts::revoke_token(store, id).await?;
                println!("Đã thu hồi khóa API số {id}");
            }
            (Some(username), None) => {
                let token = accounts::create_token(store, &username, &label).await?;
                println!(
                    "Khóa API mới của «{username}» (chỉ hiện một lần; gửi trong tiêu đề Authorization: Bearer …):"
                );
                println!("{token}");
            }
            (None, None) => {
                anyhow::bail!("cần tên đăng nhập (tạo khóa) hoặc --revoke SỐ (thu hồi khóa)")
            }
        },
    }
    Ok(())
}

async fn burst(scale: &str, concurrency: usize, database_url: Option<String>) -> Result<()> {
    let temp = std::env::temp_dir().join(format!("hocvuso-bench-{}.db", std::process::id()));
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let store = open(&url).await?;
    demo::ensure_official_units(&store).await?;
    let plan = demo::load_plan(&store, demo::DAKLAK_PLAN, &Who::system("bench")).await?;
    let week = hocvuso_core::calendar::weeks(&plan)[7].reporting_day;
    let within = if scale == "national" {
        hocvuso_core::units::COUNTRY_CODE.to_string()
    } else {
        plan.province.to_string()
    };
    let prepared = std::time::Instant::now();
    let submissions = crate::bench::prepare_burst(&store, &plan, &within, week).await?;
    let values: usize = submissions
        .iter()
        .map(|s| s.body.matches("numerator").count())
        .sum();
    println!(
        "Chuẩn bị {} đơn vị ({} số liệu) trong {:.1} s; gửi báo cáo tuần {} cùng lúc (tối đa {concurrency} yêu cầu song song)",
        submissions.len(),
        values,
        prepared.elapsed().as_secs_f64(),
        hocvuso_core::format::date(week)
    );
    let mut app = hocvuso_app::App::new(
        store.clone(),
        plan.clone(),
        week,
        false,
        crate::person_key::random(),
    );
    app.clock_offset = crate::clock_offset_to(&plan, week);
    let app = crate::Server::bind(hocvuso_web::AppState::new(app), "127.0.0.1:0").await?;
    let addr = app.addr;
    let server = tokio::spawn(app.run_until_stopped());
    let started = std::time::Instant::now();
    let outcomes = crate::bench::fire(addr, &submissions, concurrency).await;
    let total = started.elapsed();
    server.abort();
    let failed = outcomes.iter().filter(|o| o.status != 200).count();
    let stored = crate::bench::reports_in_week(&store, &plan.code, week).await?;
    let mut latencies: Vec<_> = outcomes.iter().map(|o| o.elapsed).collect();
    latencies.sort();
    println!(
        "Tất cả lưu trong {:.2} s (ngân sách 5 s): {} yêu cầu, {failed} lỗi, {stored} báo cáo trong cơ sở dữ liệu ({}), p50 {:.0} ms, p99 {:.0} ms, {:.0} báo cáo/s",
        total.as_secs_f64(),
        outcomes.len(),
        if stored == submissions.len() as i64 {
            "đủ, không trùng"
        } else {
            "SAI"
        },
        crate::bench::percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
        crate::bench::percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
        outcomes.len() as f64 / total.as_secs_f64()
    );
    if let Some(o) = outcomes.iter().find(|o| o.status != 200) {
        println!("Lỗi đầu tiên: {} → {} {}", o.unit, o.status, o.detail);
    }
    store.close().await;
    if database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    if failed > 0 || stored != submissions.len() as i64 {
        anyhow::bail!(
            "đo tải thất bại: {failed} yêu cầu lỗi, {stored}/{} báo cáo",
            submissions.len()
        );
    }
    Ok(())
}

async fn progress_bench(database_url: Option<String>, requests: usize) -> Result<()> {
    let temp =
        std::env::temp_dir().join(format!("hocvuso-bench-national-{}.db", std::process::id()));
    let url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let store = open(&url).await?;
    let until = NaiveDate::from_ymd_opt(2025, 10, 24).expect("date");
    let started = std::time::Instant::now();
    let (plan, summary) = demo::seed(&store, &demo::national_plan(), 2025, until).await?;
    let counts = format!(
        "{} tỉnh, {} xã, {} thôn, {} báo cáo tuần",
        store
            .count_units(hocvuso_core::units::UnitKind::Province, None)
            .await?,
        store
            .count_units(hocvuso_core::units::UnitKind::Commune, None)
            .await?,
        summary.villages,
        summary.reports
    );
    println!(
        "Dữ liệu giả lập toàn quốc ({counts}) {} trong {:.0} s",
        if summary.reused {
            "dùng lại"
        } else {
            "tạo"
        },
        started.elapsed().as_secs_f64()
    );
    let token = crate::bench::reader_token(&store).await?;
    // The server runs as its own process, so that its memory is measured alone.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--addr", &addr.to_string(), "--database-url", &url])
        .env("HOCVUSO_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("không chạy được hocvuso serve")?;
    let ready = std::time::Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        anyhow::ensure!(
            ready.elapsed() < std::time::Duration::from_secs(120),
            "hocvuso serve không lắng nghe sau 120 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let day = until.to_string();
    let cases = [
        (
            "API tiến độ – xã (24412)",
            format!("/api/v1/progress?unit=24412&as_of={day}"),
        ),
        (
            "API tiến độ – tỉnh (66)",
            format!("/api/v1/progress?unit=66&as_of={day}"),
        ),
        (
            "API tiến độ – cả nước",
            format!("/api/v1/progress?unit=VN&as_of={day}"),
        ),
        (
            "Trang đơn vị – xã (24412)",
            format!("/units/24412?as_of={day}"),
        ),
        ("Trang đơn vị – tỉnh (66)", format!("/units/66?as_of={day}")),
        ("Trang tổng quan – cả nước", format!("/?as_of={day}")),
        (
            "API bảng 102 xã của tỉnh",
            format!("/api/v1/progress/units?unit=66&as_of={day}"),
        ),
        ("Trang bảng 102 xã", format!("/table?unit=66&as_of={day}")),
        ("Trang bảng 34 tỉnh", format!("/table?unit=VN&as_of={day}")),
    ];
    println!(
        "{requests} yêu cầu mỗi loại, nối tiếp, qua loopback (thời gian trả lời, ngân sách p99 ≤ 20 ms):"
    );
    let mut country_p50 = 0.0;
    for (label, path) in &cases {
        let times = crate::bench::timed_gets(addr, &token, path, 20, requests).await?;
        let ms = |p: f64| crate::bench::percentile(&times, p).as_secs_f64() * 1000.0;
        if path.starts_with("/api/v1/progress?unit=VN") {
            country_p50 = ms(50.0);
        }
        println!(
            "  {label:<28} p50 {:>6.2} ms   p99 {:>6.2} ms",
            ms(50.0),
            ms(99.0)
        );
    }
    // Documents: made whole on each request.
    let mut documents = vec![
        (
            "Báo cáo tuần tỉnh (.docx)",
            format!("/documents/weekly.docx?unit=66&week={day}"),
        ),
        (
            "Bảng 3.321 xã cả nước (.xlsx)",
            format!("/table.xlsx?unit=VN&kind=commune&as_of={day}"),
        ),
        (
            "Báo cáo tổng kết tỉnh (.docx)",
            format!("/documents/final.docx?unit=66&week={day}"),
        ),
    ];
    if hocvuso_app::documents::PDF {
        documents.extend([
            (
                "Báo cáo tuần tỉnh (.pdf)",
                format!("/documents/weekly.pdf?unit=66&week={day}"),
            ),
            (
                "Báo cáo tổng kết tỉnh (.pdf)",
                format!("/documents/final.pdf?unit=66&week={day}"),
            ),
        ]);
    }
    println!("Văn bản và bảng Excel, 20 yêu cầu mỗi loại (ngân sách ≤ 1 s):");
    for (label, path) in &documents {
        let times = crate::bench::timed_gets(addr, &token, path, 2, 20).await?;
        let ms = |p: f64| crate::bench::percentile(&times, p).as_secs_f64() * 1000.0;
        println!(
            "  {label:<28} p50 {:>6.0} ms   p99 {:>6.0} ms",
            ms(50.0),
            ms(99.0)
        );
    }
    let (rss, peak) = crate::bench::memory_mb(server.id());
    println!("Bộ nhớ máy chủ: RSS {rss:.0} MB, đỉnh {peak:.0} MB (ngân sách 300 MB)");

    // The same roll-up by DuckDB from the raw tables.
    let api: serde_json::Value = {
        let dir = std::env::temp_dir().join(format!("hocvuso-export-{}", std::process::id()));
        crate::export::write_tables(&store, &dir).await?;
        let wanted: serde_json::Map<String, serde_json::Value> = plan
            .indicators
            .iter()
            .filter(|i| matches!(i.kind, hocvuso_core::plan::TargetKind::Ratio | hocvuso_core::plan::TargetKind::Total))
            .filter(|i| i.reporters.iter().all(|r| !matches!(r, hocvuso_core::plan::Reporter::Unit { .. })))
            .map(|i| {
                // The kinds of units that carry a figure (a commune reports its own, Công an tỉnh
                // the same communes' on their behalf), each once.
                let kinds: std::collections::BTreeSet<&str> = i
                    .reporters
                    .iter()
                    .filter_map(|r| match r {
                        hocvuso_core::plan::Reporter::Kind { kind }
                        | hocvuso_core::plan::Reporter::OnBehalf { for_kind: kind, .. } => Some(kind.as_str()),
                        hocvuso_core::plan::Reporter::Unit { .. } => None,
                    })
                    .collect();
                (
                    i.code.clone(),
                    serde_json::json!({
                        "kind": if i.kind == hocvuso_core::plan::TargetKind::Ratio { "ratio" } else { "total" },
                        "denominator": i.denominator,
                        "subject_kinds": kinds,
                    }),
                )
            })
            .collect();
        std::fs::write(dir.join("indicators.json"), serde_json::to_string(&wanted)?)?;
        let last_day = hocvuso_core::calendar::last_reporting_day(&plan, until)
            .map_or(String::new(), |d| d.to_string());
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/duckdb-rollup.py");
        let output = std::process::Command::new("python3")
            .arg(&script)
            .arg(&dir)
            .arg(&day)
            .arg(&last_day)
            .arg("/VN/")
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        match output {
            Ok(o) if o.status.success() => serde_json::from_slice(&o.stdout)?,
            Ok(o) => {
                println!(
                    "DuckDB: không chạy được ({}); cài bằng: pip install duckdb",
                    String::from_utf8_lossy(&o.stderr)
                        .lines()
                        .last()
                        .unwrap_or("")
                );
                serde_json::Value::Null
            }
            Err(e) => {
                println!("DuckDB: không chạy được python3 ({e})");
                serde_json::Value::Null
            }
        }
    };
    if !api.is_null() {
        let ours = store
            .progress(&plan, &store.require_unit("VN").await?, until)
            .await?;
        let mut worst: f64 = 0.0;
        let mut compared = 0;
        for p in &ours {
            if let Some(d) = api["indicators"][&p.indicator]["value"].as_f64()
                && let Some(v) = p.value
            {
                let difference = (d - v).abs() / v.abs().max(1.0);
                if difference > 1e-9 {
                    println!("  {}: hocvuso {v}, DuckDB {d}", p.indicator);
                }
                worst = worst.max(difference);
                compared += 1;
            }
        }
        let query_ms = api["query_seconds"].as_f64().unwrap_or(0.0) * 1000.0;
        println!(
            "DuckDB (cùng phép tính từ bảng thô, {compared} chỉ tiêu tỷ lệ và tổng số, chênh lệch lớn nhất {worst:.1e}): nạp {:.1} s, truy vấn {query_ms:.0} ms (trung vị 5 lần) — API cả nước nhanh hơn {:.0} lần",
            api["load_seconds"].as_f64().unwrap_or(0.0),
            query_ms / country_p50.max(0.001)
        );
    }
    let _ = server.kill();
    let _ = server.wait();
    store.close().await;
    if database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
    Ok(())
}

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
