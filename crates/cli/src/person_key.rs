//! The deployment's secret for person pseudonyms (HMAC of the CCCD). It lives in a file outside the
//! database, so that a copy of the database alone cannot link a pseudonym back to a number: by
//! default beside a SQLite file (`hocvuso.db.person-key`), else `hocvuso-person.key`; set
//! `HOCVUSO_PERSON_KEY_FILE` to keep it elsewhere. Every `hocvuso serve` of one PostgreSQL database
//! must use the same file. It is created with fresh randomness the first time, readable by its
//! owner only. Losing it only stops new visits from being matched with earlier ones.
//!
//! One key per database: the database records the key's fingerprint the first time a key is used
//! with it (`meta.person_key_fingerprint`, a keyed hash that tells nothing of the key), and a command
//! started with another key refuses to run, saying where the key comes from and how to share it
//! (`Deployment::bind_person_key`).

use anyhow::{Context, Result};
use hocvuso_app::Deployment;
use hocvuso_core::field::PersonKey;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Clone)]
pub struct KeyArgs {
    /// File holding the secret of person pseudonyms (created if missing).
    #[arg(long, env = "HOCVUSO_PERSON_KEY_FILE")]
    pub person_key_file: Option<PathBuf>,
}

impl KeyArgs {
    /// The key of the database at `database_url`: read (or made) from its file, and checked
    /// against the fingerprint the database holds (recorded now if it holds none).
    pub async fn load(&self, deployment: &Deployment, database_url: &str) -> Result<PersonKey> {
        let path = self
            .person_key_file
            .clone()
            .unwrap_or_else(|| default_path(database_url));
        let key = load_or_create(&path)?;
        deployment
            .bind_person_key(&key, &path.display().to_string())
            .await
            .map_err(crate::commands::failed)?;
        Ok(key)
    }
}

/// Beside a SQLite database file, else in the working folder.
pub fn default_path(database_url: &str) -> PathBuf {
    match database_url.strip_prefix("sqlite://") {
        Some(rest) => {
            let file = rest.split('?').next().unwrap_or(rest);
            PathBuf::from(format!("{file}.person-key"))
        }
        None => PathBuf::from("hocvuso-person.key"),
    }
}

/// A fresh random key (tests and benchmarks).
pub fn random() -> PersonKey {
    let hex = hocvuso_app::secrets::random_token(32);
    PersonKey::new(hex.into_bytes()).expect("64 bytes")
}

pub fn load_or_create(path: &Path) -> Result<PersonKey> {
    if !path.exists() {
        let hex = hocvuso_app::secrets::random_token(32);
        write_private(path, &hex)
            .with_context(|| format!("không tạo được tệp khóa bí danh {}", path.display()))?;
        eprintln!(
            "Đã tạo khóa bí danh CCCD {}: giữ bí mật, sao lưu riêng, dùng chung cho mọi máy chủ của cùng cơ sở dữ liệu.",
            path.display()
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("không đọc được tệp khóa bí danh {}", path.display()))?;
    PersonKey::new(text.trim().as_bytes().to_vec())
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}
