//! [`Deployment`]: one database as the `hocvuso` binary opens it, before any plan is loaded or beside
//! the plan its server runs — start-up (the official units, the person key, the first
//! administrator, the [`App`] a server serves), plans, unit imports and merges, the raw tables'
//! export, the end-of-campaign purge, and the accounts of `hocvuso user`. Each command acts as a
//! system administrator and is audited under its name.

use crate::accounts::Accounts;
use crate::error::{AppError, Result};
use crate::session::App;
use chrono::NaiveDate;
use hocvuso_core::access::{Actor, Role};
use hocvuso_core::field::PersonKey;
use hocvuso_core::plan::{Plan, parse_plan};
use hocvuso_core::units::UnitKind;
use hocvuso_docs::csv_out::CsvWriter;
use hocvuso_docs::units_csv::{
    OFFICIAL_UNITS_CSV, OFFICIAL_VALID_FROM, parse_official, parse_units,
};
use hocvuso_store::Store;
use hocvuso_store::audit::Who;
use hocvuso_store::export::{PAGE, TABLES};
use hocvuso_store::units::ImportSummary;
use std::path::Path;

/// Meta keys of the demo: its seed and plan, and the date it stands at.
pub const META_DEMO: &str = "demo_key";
pub const META_DEMO_AS_OF: &str = "demo_as_of";
/// Where the database keeps its person key's fingerprint.
pub const META_PERSON_KEY: &str = "person_key_fingerprint";

/// One database, administered from the command line.
pub struct Deployment {
    store: Store,
    actor: Actor,
    who: Who,
}

impl Deployment {
    /// Opens the database at `url` (migrating it), acting as the system actor `name`.
    pub async fn open(url: &str, name: &str) -> Result<Deployment> {
        let store = Store::open(url)
            .await
            .map_err(|e| AppError::Internal(Box::new(e)))?;
        Ok(Deployment::over(store, name))
    }

    /// A deployment over an open store (the demo loader and the tests).
    pub fn over(store: Store, name: &str) -> Deployment {
        Deployment {
            store,
            actor: Actor {
                user_id: 0,
                username: name.into(),
                display_name: name.into(),
                role: Role::Admin,
                unit: None,
            },
            who: Who::system(name),
        }
    }

    /// The store, for the synthetic-data generator and the benchmarks of the binary, which write
    /// and time storage directly; commands go through the methods below.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The application a server runs over this database: its active plan, whether the data is the
    /// demo's (then its clock stands at the demo's moment), and the date pages show by default.
    pub async fn app(
        &self,
        default_as_of: Option<NaiveDate>,
        person_key: PersonKey,
    ) -> Result<App> {
        let plan = self.active_plan().await?.ok_or_else(|| {
            AppError::Conflict(
                "chưa có kế hoạch nào: chạy `hocvuso plan load TỆP` (hoặc `hocvuso demo`) trước"
                    .into(),
            )
        })?;
        let synthetic = self.store.meta(META_DEMO).await?.is_some();
        let demo_as_of = self
            .store
            .meta(META_DEMO_AS_OF)
            .await?
            .and_then(|d| d.parse().ok());
        let today = hocvuso_core::calendar::local_today(&plan, chrono::Utc::now());
        let mut app = App::new(
            self.store.clone(),
            plan,
            default_as_of.or(demo_as_of).unwrap_or(today),
            synthetic,
            person_key,
        );
        if synthetic && let Some(day) = demo_as_of {
            // The demo runs as on the afternoon of its date, so that week's reports are still open.
            app.clock_offset = clock_offset_to(&app.plan, day);
        }
        Ok(app)
    }

    /// Refuses a person key other than the one this database's pseudonyms were made with (recorded,
    /// as a fingerprint, the first time a key is used with it); `source` says where the key came
    /// from.
    pub async fn bind_person_key(&self, key: &PersonKey, source: &str) -> Result<()> {
        let ours = key.fingerprint();
        let recorded = self.store.claim_meta(META_PERSON_KEY, &ours).await?;
        if recorded != ours {
            return Err(AppError::Conflict(format!(
                "khóa bí danh CCCD trong {source} (dấu vân tay {ours}) khác khóa mà cơ sở dữ liệu này đang dùng \
                 (dấu vân tay {recorded}): nếu chạy tiếp, một người sẽ bị đếm thành hai. Hãy chép tệp khóa \
                 từ máy chủ đầu tiên của cơ sở dữ liệu này sang máy này (quyền đọc chỉ cho chủ tệp) và chỉ \
                 đường dẫn tới nó bằng --person-key-file hoặc HOCVUSO_PERSON_KEY_FILE"
            )));
        }
        Ok(())
    }

    /// The accounts, as a system administrator manages them.
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts {
            store: &self.store,
            actor: &self.actor,
            who: &self.who,
        }
    }

    pub async fn active_plan(&self) -> Result<Option<Plan>> {
        Ok(self.store.active_plan().await?)
    }

    /// Loads the official list of provinces and communes when the database has none.
    pub async fn ensure_official_units(&self) -> Result<()> {
        if self.store.count_units(UnitKind::Province, None).await? > 0 {
            return Ok(());
        }
        let rows = parse_official(OFFICIAL_UNITS_CSV).map_err(|p| {
            AppError::Internal(format!("the official list of units is broken: {p:?}").into())
        })?;
        let from = OFFICIAL_VALID_FROM
            .parse()
            .map_err(|e: chrono::ParseError| AppError::Internal(e.into()))?;
        self.store
            .import_units(&rows, from, &Who::system("system"))
            .await?;
        Ok(())
    }

    /// Validates a plan text and makes it the active plan; every problem with its line and field.
    pub async fn load_plan(&self, text: &str) -> Result<Plan> {
        let plan = parse_plan(text)
            .map_err(|errors| AppError::Invalid(errors.iter().map(|e| e.to_string()).collect()))?;
        match self.store.unit(plan.province.as_str()).await? {
            Some(u) if matches!(u.kind(), Some(UnitKind::Province | UnitKind::Country)) => {}
            _ => {
                return Err(AppError::Invalid(vec![format!(
                    "kế hoạch ghi province = \"{}\" nhưng không có tỉnh mã này trong danh mục",
                    plan.province
                )]));
            }
        }
        self.store.save_plan(&plan, text, &self.who).await?;
        Ok(plan)
    }

    /// Imports a units CSV file (villages, departments, schools, enterprises and denominators of the
    /// active plan's keys): all rows or none, every problem with its row and column.
    pub async fn import_units(&self, bytes: &[u8]) -> Result<ImportSummary> {
        let keys: Vec<String> = match self.active_plan().await? {
            Some(plan) => plan.denominators.iter().map(|d| d.key.clone()).collect(),
            None => Vec::new(),
        };
        let today = chrono::Utc::now().date_naive();
        let rows = parse_units(bytes, &keys, today).map_err(|problems| {
            AppError::Invalid(problems.iter().map(|p| p.to_string()).collect())
        })?;
        Ok(self.store.import_units(&rows, today, &self.who).await?)
    }

    /// Merges the units `from` into `into` from `on`: each keeps its history and counts until that
    /// day, `into` from it; their villages move under it.
    pub async fn merge_units(&self, into: &str, from: &[String], on: NaiveDate) -> Result<()> {
        Ok(self
            .store
            .merge_units(into.trim(), from, on, &self.who)
            .await?)
    }

    /// Writes the raw tables (units, denominators, reports, values, assigned targets) into `dir` as
    /// CSV files through the one CSV writer; returns (table, rows written). Nothing about people or
    /// accounts.
    pub async fn export_tables(&self, dir: &Path) -> Result<Vec<(&'static str, usize)>> {
        let io = |what: String| {
            move |e: std::io::Error| AppError::Internal(format!("{what}: {e}").into())
        };
        std::fs::create_dir_all(dir).map_err(io(format!("không tạo được {}", dir.display())))?;
        let mut written = Vec::new();
        for (index, (name, columns, _)) in TABLES.iter().enumerate() {
            let path = dir.join(format!("{name}.csv"));
            let cannot_write = || io(format!("không ghi được {}", path.display()));
            let file = std::fs::File::create(&path).map_err(cannot_write())?;
            let mut out = CsvWriter::new(std::io::BufWriter::new(file), b',', false)
                .map_err(cannot_write())?;
            out.row(columns.iter()).map_err(cannot_write())?;
            let mut rows = 0;
            loop {
                let page = self.store.export_page(index, rows as i64).await?;
                for row in &page {
                    out.row(row.iter().map(|v| v.as_deref().unwrap_or_default()))
                        .map_err(cannot_write())?;
                }
                rows += page.len();
                if (page.len() as i64) < PAGE {
                    break;
                }
            }
            let mut file = out.finish().map_err(cannot_write())?;
            std::io::Write::flush(&mut file).map_err(cannot_write())?;
            written.push((*name, rows));
        }
        Ok(written)
    }

    /// End of campaign: removes the pseudonyms of persons last seen before `before` (the figures
    /// stay). Returns how many were removed, how many are left and the last day one was seen.
    pub async fn purge_person_keys(&self, before: NaiveDate) -> Result<(u64, i64, Option<String>)> {
        let removed = self.store.purge_person_keys(before, &self.who).await?;
        let (left, last) = self.store.person_keys().await?;
        Ok((removed, left, last))
    }
}

/// The demo's moment on `day` (`synth::demo_time`, local), minus now: the clock offset that makes the
/// rules behave as at that moment.
pub fn clock_offset_to(plan: &Plan, day: NaiveDate) -> chrono::Duration {
    let moment = day.and_time(hocvuso_core::synth::demo_time()).and_utc()
        - chrono::Duration::minutes(plan.reporting.utc_offset_minutes.into());
    moment - chrono::Utc::now()
}
