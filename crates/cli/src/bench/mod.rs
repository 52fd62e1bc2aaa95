//! Measurements of `hocvuso bench`: the Friday burst (`burst`), the dashboards at national scale
//! (`progress`), the door-to-door log (`field`), the storage driver (`storage`), and the helpers they
//! share (submissions fired over HTTP, percentiles, server memory). The tests fire the burst too.

pub mod burst;
pub mod field;
pub mod progress;
pub mod storage;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use hocvuso_app::secrets;
use hocvuso_core::access::{Target, reports_indicator};
use hocvuso_core::plan::Plan;
use hocvuso_store::Store;
use hocvuso_store::accounts::NewUser;
use hocvuso_store::audit::Who;
use hocvuso_store::units::UnitFilter;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One unit's report, ready to send with its own API token.
#[derive(Debug, Clone)]
pub struct Submission {
    pub unit: String,
    pub path: String,
    pub token: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub unit: String,
    pub status: u16,
    pub elapsed: Duration,
    /// The answer's body when it was not a success, for diagnosis.
    pub detail: String,
}

/// For every unit within `within` that the plan asks to report: an account bound to it (which cannot
/// sign in with a password), an API token, and a report for `week` carrying each of its indicators at
/// the unit's previous figure (so that no warning is raised).
pub async fn prepare_burst(
    store: &Store,
    plan: &Plan,
    within: &str,
    week: NaiveDate,
) -> Result<Vec<Submission>> {
    let who = Who::system("bench");
    let (units, _) = store
        .list_units(&UnitFilter {
            within: Some(within.into()),
            limit: 100_000,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::new();
    for unit in units {
        let Some(kind) = unit.kind() else { continue };
        let target = Target {
            code: &unit.code,
            kind,
            path: &unit.path,
        };
        let indicators: Vec<_> = plan
            .indicators
            .iter()
            .filter(|i| reports_indicator(target, i))
            .collect();
        if indicators.is_empty() {
            continue;
        }
        let previous = store.previous_figures(&plan.code, &unit.code, week).await?;
        let values: serde_json::Map<String, serde_json::Value> = indicators
            .iter()
            .map(|i| {
                let n = previous.get(&i.code).map_or(0.0, |p| p.numerator);
                (i.code.clone(), serde_json::json!({ "numerator": n }))
            })
            .collect();
        let username = format!("burst.{}", unit.code.to_lowercase());
        let user = NewUser {
            username: username.clone(),
            display_name: format!("Đo tải {}", unit.code),
            role: "reporter".into(),
            unit_code: Some(unit.code.clone()),
            password_hash: "!".into(),
        };
        let id = match store.user_for_login(&username).await? {
            Some((u, _)) => u.id,
            None => store.create_user(&user, &who).await?,
        };
        let (token, prefix) = secrets::new_api_token();
        store
            .create_token(id, "burst", &secrets::digest(&token), &prefix, &who)
            .await?;
        out.push(Submission {
            path: format!("/api/v1/reports/{}/{week}", unit.code),
            unit: unit.code,
            token,
            body: serde_json::json!({ "values": values, "difficulties": "" }).to_string(),
        });
    }
    Ok(out)
}

/// Sends every submission at once (at most `concurrency` in flight), each on its own connection.
pub async fn fire(
    addr: SocketAddr,
    submissions: &[Submission],
    concurrency: usize,
) -> Vec<Outcome> {
    let gate = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for s in submissions.iter().cloned() {
        let gate = gate.clone();
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore open");
            let started = Instant::now();
            let (status, detail) = put(addr, &s).await.unwrap_or_else(|e| (0, e.to_string()));
            Outcome {
                unit: s.unit,
                status,
                elapsed: started.elapsed(),
                detail,
            }
        });
    }
    let mut out = Vec::with_capacity(submissions.len());
    while let Some(done) = tasks.join_next().await {
        out.push(done.expect("task finished"));
    }
    out
}

/// One request over a fresh connection, with an API token and `headers` (each ending in CRLF):
/// the status and the body's bytes.
pub async fn round_trip(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: &str,
    headers: &str,
    body: &str,
) -> Result<(u16, Vec<u8>)> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let status: u16 = String::from_utf8_lossy(&raw[..raw.len().min(12)])
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status in the answer")?;
    let start = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |p| p + 4);
    Ok((status, raw.split_off(start)))
}

/// The start of an answer's body, for diagnosis.
fn detail(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(300).collect()
}

async fn put(addr: SocketAddr, s: &Submission) -> Result<(u16, String)> {
    let json = "Content-Type: application/json\r\n";
    let (status, body) = round_trip(addr, "PUT", &s.path, &s.token, json, &s.body).await?;
    Ok((
        status,
        if status == 200 {
            String::new()
        } else {
            detail(&body)
        },
    ))
}

/// How many reports (any status) the plan holds for `week`.
pub async fn reports_in_week(store: &Store, plan: &str, week: NaiveDate) -> Result<i64> {
    let country = store
        .require_unit(hocvuso_core::units::COUNTRY_CODE)
        .await?;
    Ok(store
        .week_statuses(plan, &country.path)
        .await?
        .iter()
        .filter(|s| s.week == week.to_string())
        .count() as i64)
}

/// Percentile (0–100) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A secretariat account with an API token, for reading benchmarks.
pub async fn reader_token(store: &Store) -> Result<String> {
    let who = Who::system("bench");
    let username = "bench.reader";
    let id = match store.user_for_login(username).await? {
        Some((u, _)) => u.id,
        None => {
            let user = NewUser {
                username: username.into(),
                display_name: "Đo tải (đọc)".into(),
                role: "secretariat".into(),
                unit_code: None,
                password_hash: "!".into(),
            };
            store.create_user(&user, &who).await?
        }
    };
    let (token, prefix) = secrets::new_api_token();
    store
        .create_token(id, "bench", &secrets::digest(&token), &prefix, &who)
        .await?;
    Ok(token)
}

/// Answer times of `n` GET requests to `path`, one after another, after `warm` unmeasured ones; each
/// answer must be 200.
pub async fn timed_gets(
    addr: SocketAddr,
    token: &str,
    path: &str,
    warm: usize,
    n: usize,
) -> Result<Vec<Duration>> {
    let request = Submission {
        unit: String::new(),
        path: path.to_string(),
        token: token.to_string(),
        body: String::new(),
    };
    let mut times = Vec::with_capacity(n);
    for i in 0..warm + n {
        let started = Instant::now();
        let (status, detail) = get(addr, &request).await?;
        let elapsed = started.elapsed();
        anyhow::ensure!(status == 200, "{path}: HTTP {status} {detail}");
        if i >= warm {
            times.push(elapsed);
        }
    }
    times.sort();
    Ok(times)
}

async fn get(addr: SocketAddr, s: &Submission) -> Result<(u16, String)> {
    let (status, body) = round_trip(addr, "GET", &s.path, &s.token, "", "").await?;
    Ok((status, detail(&body)))
}

/// Resident memory of process `pid` now and at its peak, in MB (Linux).
pub fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
}
