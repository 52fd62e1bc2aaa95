//! The `hocvuso` binary as a library: command-line interface, start-up, and the demo loader, so that
//! tests drive exactly what the binary runs.
#![forbid(unsafe_code)]

pub mod cli;
pub mod demo;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use hocvuso_store::Store;
use hocvuso_web::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A bound, ready-to-run server.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    pub addr: SocketAddr,
}

/// Builds the server on `addr` (port 0 picks a free port) over a store that holds an active plan.
pub async fn build(store: Store, addr: &str, default_as_of: Option<NaiveDate>) -> Result<App> {
    let plan = store.active_plan().await?.context(
        "chưa có kế hoạch nào: chạy `hocvuso plan load TỆP` (hoặc `hocvuso demo`) trước",
    )?;
    let synthetic = store.meta(demo::META_DEMO).await?.is_some();
    let demo_as_of = store
        .meta(demo::META_DEMO_AS_OF)
        .await?
        .and_then(|d| d.parse().ok());
    let today = hocvuso_core::calendar::local_today(&plan, chrono::Utc::now());
    let state = AppState {
        store,
        default_as_of: default_as_of.or(demo_as_of).unwrap_or(today),
        plan: Arc::new(plan),
        synthetic,
    };
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("không mở được địa chỉ {addr}"))?;
    let addr = listener.local_addr()?;
    Ok(App {
        listener,
        router: hocvuso_web::router(state),
        addr,
    })
}

impl App {
    /// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
    pub async fn run_until_stopped(self) -> Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
